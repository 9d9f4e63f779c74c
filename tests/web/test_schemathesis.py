"""A bounded schemathesis run against a running folio (real uvicorn over TCP) that holds
real processed documents: no 5xx, and no answer that breaks folio's own OpenAPI document.

Generated processing ids would only ever meet 404s, so most cases are pointed at a real
processing of a workflow that produces the route's result.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    ignored_auth,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from service.pipeline import workflows
from service.web.openapi import document
from tests.helpers import Server, run_server
from tests.pipeline.conftest import INVOICE, TextLine, make_text_pdf

KEY = ("conformance", "secret-conformance-0123456789")
EXAMPLES = 25  # per operation and generation mode: ~2 minutes on two shared cores
# Not negative_data_rejection: like the API's own server, folio ignores query parameters
# it does not know, which that check counts as accepting invalid data.
CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance,
          response_headers_conformance, response_schema_conformance, ignored_auth]

SECOND_PAGE = (TextLine(56, 100, 14, "Lieferschein LS-77"), TextLine(56, 130, 11, "Seite 2"))
ONLY_IN = {"sub-pdfs": "generic_splitting", "document-splitting": "generic_splitting",
           "extractions": "invoice_extraction", "ner": "invoice_extraction"}

schema = schemathesis.openapi.from_dict(document())
# every case carries the API key; a generated share token or signature would only ever
# meet 403 (their own tests cover them)
schema.config.generation.update(with_security_parameters=False)


@pytest.fixture(scope="module")
def folio(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Server, dict[str, str]]]:
    data = tmp_path_factory.mktemp("conformance")
    env = {"FOLIO_API_KEYS": f"{KEY[0]}:{KEY[1]}", "FOLIO_RATE_LIMIT_RPS": "100000",
           "FOLIO_RATE_LIMIT_BURST": "100000",
           "FOLIO_DPI": "60"}  # small pages keep AVIF and PNG encodes quick
    pdf = make_text_pdf(data.parent / "bundle.pdf", [INVOICE, SECOND_PAGE]).read_bytes()
    with run_server(data, env) as server:
        ids = {}
        for workflow in workflows.REGISTRY:
            response = server.client(KEY[1]).post(
                f"/processing/{workflow}?wait_for=120", files={"file": ("bundle.pdf", pdf)})
            assert response.status_code == 201, response.text
            ids[workflow] = response.json()["processing_id"]
        yield server, ids


def _real_id(path: str, ids: dict[str, str], generated: str) -> str:
    digest = hashlib.sha256(generated.encode()).digest()
    if digest[0] % 4 == 0:
        return generated  # one case in four keeps its generated id (404, 422)
    for result, workflow in ONLY_IN.items():
        if f"/{result}" in path:
            return ids[workflow]
    return ids[sorted(ids)[digest[1] % len(ids)]]


@schema.parametrize()
@settings(max_examples=EXAMPLES, deadline=None, derandomize=True, database=None,
          suppress_health_check=list(HealthCheck))
def test_folio_answers_as_its_openapi_document_says(
    case: schemathesis.Case, folio: tuple[Server, dict[str, str]]
) -> None:
    server, ids = folio
    params = case.path_parameters or {}
    if isinstance(params.get("processing_id"), str):
        params["processing_id"] = _real_id(case.path, ids, params["processing_id"])
    workflow = params.get("workflow")
    if isinstance(workflow, str) and hashlib.sha256(workflow.encode()).digest()[0] % 2:
        params["workflow"] = "ocr"  # half the uploads go to a real workflow
    case.call_and_validate(base_url=server.url, headers={"Authorization": f"ApiKey {KEY[1]}"},
                           checks=CHECKS, timeout=200)


def test_the_run_covers_every_operation() -> None:
    operations = {(op.method.upper(), op.path) for op in
                  (result.ok() for result in schema.get_all_operations())}
    assert ("GET", "/processing/results/{processing_id}/ner") in operations
    assert len(operations) == sum(len(item) for item in document()["paths"].values())

