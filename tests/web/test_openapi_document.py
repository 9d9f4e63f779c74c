"""folio's OpenAPI document: valid 3.1, complete, and true to what the pipeline writes."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import jsonschema
import orjson
import pytest
from openapi_spec_validator import validate

from service.config import Settings
from service.pipeline import workflows
from service.pipeline.invoice_fields import INVOICE, leaf_paths
from service.pipeline.ocrjson import ocr_json
from service.web.app import create_app
from service.web.docs_page import render
from service.web.openapi import document
from service.web.planner.urls import TABLE
from tests.extraction.test_ner import invoice_steps


def check(doc: dict[str, Any], name: str, instance: Any) -> None:
    schema = {"$ref": f"#/components/schemas/{name}", "components": doc["components"]}
    jsonschema.Draft202012Validator(schema).validate(instance)


def test_document_is_valid_openapi_31() -> None:
    doc = document()
    validate(doc)
    assert doc["openapi"] == "3.1.0"


@pytest.mark.parametrize("workflow_id", sorted(workflows.REGISTRY))
def test_each_workflow_document_is_valid_and_only_its_own(workflow_id: str) -> None:
    workflow = workflows.REGISTRY[workflow_id]
    doc = document(workflow)
    validate(doc)
    assert f"/processing/{workflow_id}" in doc["paths"]
    assert "/processing/{workflow}" not in doc["paths"]
    results = set(doc["components"]["schemas"]["FullResult"]["properties"])
    assert {r.replace("-", "_") for r in workflow.results} <= results
    if "sub-pdfs" not in workflow.results:
        assert "/processing/results/{processing_id}/sub-pdfs" not in doc["paths"]


def test_security_scheme_is_the_api_key_header() -> None:
    scheme = document()["components"]["securitySchemes"]["ApiKey"]
    assert scheme["type"] == "apiKey"
    assert (scheme["in"], scheme["name"]) == ("header", "Authorization")
    assert "ApiKey <secret>" in scheme["description"]


def test_parameters_carry_their_ranges() -> None:
    paths = document()["paths"]
    get_result = {p["name"]: p["schema"]
                  for p in paths["/processing/results/{processing_id}"]["get"]["parameters"]}
    assert get_result["wait_for"] == {"type": "integer", "minimum": 0, "maximum": 180,
                                      "default": 120}
    page = {p["name"]: p["schema"] for p in
            paths["/processing/results/{processing_id}/page-images/{page_num}"]["get"][
                "parameters"]}
    assert page["width"] == {"type": "integer", "minimum": 1}  # no upper limit, as published
    assert page["page_num"]["minimum"] == 1
    pdf = {p["name"]: p["schema"]
           for p in paths["/processing/results/{processing_id}/pdf"]["get"]["parameters"]}
    assert pdf["dpi"] == {"type": "integer", "minimum": 50, "maximum": 600, "default": 220}


def test_every_status_has_a_body_schema() -> None:
    for path, item in document()["paths"].items():
        for method, op in item.items():
            for status, answer in op["responses"].items():
                if status in ("204", "303", "304"):
                    assert "content" not in answer
                    continue
                assert answer["content"], (method, path, status)
                if status.startswith(("4", "5")) or status == "202":
                    [media] = answer["content"].values()
                    assert "schema" in media, (method, path, status)


def test_invoice_schema_has_every_published_field() -> None:
    invoice = document()["components"]["schemas"]["Invoice"]
    assert set(INVOICE) <= set(invoice["properties"])
    vendor = invoice["properties"]["vendor"]["anyOf"][0]["properties"]
    assert set(vendor) >= {"name", "address_struct", "banking_information", "e_mail"}
    assert sum(1 for _ in leaf_paths()) > 70


def test_payment_method_values_are_the_published_enum() -> None:
    schemas = document()["components"]["schemas"]
    assert schemas["ExtractionPaymentMethod"]["properties"]["value"]["enum"][-1] == "other"
    bad = {"value": "wire", "confidence": 1, "bbox_refs": []}
    with pytest.raises(jsonschema.ValidationError):
        check(document(), "ExtractionPaymentMethod", bad)


def test_pipeline_outputs_match_their_schemas(tmp_path: Path) -> None:
    pages, extraction, ner = invoice_steps(tmp_path, 2, 5)
    doc = document()
    check(doc, "Invoice", extraction)
    check(doc, "NerResult", ner)
    check(doc, "OcrResult", orjson.loads(ocr_json(pages)))


def test_docs_page_lists_every_route() -> None:
    doc = document()
    page = render(doc)
    assert "<script" not in page and "http" not in page.replace("http-", "")
    for path in doc["paths"]:
        assert f"<code>{path}</code>" in page


def test_every_route_folio_serves_is_described(tmp_path: Path) -> None:
    # a route added without its Operation in service/web/openapi_paths.py fails here
    create_app(Settings(data_dir=tmp_path))  # every endpoint has its handler, or this fails
    served = {(method.lower(), endpoint.path) for endpoint in TABLE if not endpoint.mount
              for method in endpoint.methods if method != "HEAD"}
    described = {(method, path) for path, item in document()["paths"].items() for method in item}
    assert served - described == set(), \
        "describe these in operations() of service/web/openapi_paths.py"
    assert described - served == set(), "the document describes routes folio does not serve"
