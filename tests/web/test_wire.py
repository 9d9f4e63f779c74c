"""Wire compatibility with the API's published schema, over real uvicorn and real documents."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import orjson
import pytest
import pyvips
from openapi_spec_validator import validate

from service.pipeline.workflows import COMMON, Workflow
from tests.conftest import TENANT_A
from tests.helpers import Server, make_processing
from tests.pipeline.conftest import INVOICE, make_text_pdf

SECRET = TENANT_A[1]


@pytest.fixture(scope="module")
def invoice_pdf(tmp_path_factory: pytest.TempPathFactory) -> bytes:
    return make_text_pdf(tmp_path_factory.mktemp("wire") / "invoice.pdf", [INVOICE]).read_bytes()


@pytest.fixture(scope="module")
def invoice(server: Server, invoice_pdf: bytes) -> dict[str, Any]:
    response = server.client(SECRET).post("/processing/invoice_extraction?wait_for=120",
                                          files={"file": ("invoice.pdf", invoice_pdf)})
    assert response.status_code == 201
    body: dict[str, Any] = response.json()
    return body


def get(server: Server, path: str, **params: Any) -> Any:
    return server.client(SECRET).get(path, params=params)


# --- NER -----------------------------------------------------------------------------------------

def test_invoice_body_carries_ner(invoice: dict[str, Any]) -> None:
    assert "ner" in invoice["available_results"]
    words = sum(len(p["bboxes"]) for p in invoice["ocr"]["pages"])
    assert len(invoice["ner"]["types"]) == words
    number = invoice["extractions"]["number"]["bbox_refs"][0]
    [typed] = [t for t in invoice["ner"]["types"] if t["reference"] == number]
    assert typed["type"] == "INVOICE_NUMBER"


def test_ner_sub_result_is_the_body_ner(server: Server, invoice: dict[str, Any]) -> None:
    response = get(server, f"/processing/results/{invoice['processing_id']}/ner")
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/json"
    assert response.json() == invoice["ner"]
    assert response.headers["etag"]


def test_include_ner_answers_only_ner(server: Server, invoice: dict[str, Any]) -> None:
    response = get(server, f"/processing/results/{invoice['processing_id']}", include="ner")
    assert response.status_code == 200
    assert set(response.json()) == {"processing_id", "workflow_id", "workflow_name",
                                    "available_results", "ner"}


def test_ner_of_a_workflow_without_extractions_is_404(server: Server) -> None:
    record = make_processing(server.store, TENANT_A[0], "ocr")
    response = get(server, f"/processing/results/{record.processing_id}/ner")
    assert response.status_code == 404


# --- the GET long poll -------------------------------------------------------------------------

def test_get_without_wait_for_waits_for_the_result(server: Server, invoice_pdf: bytes) -> None:
    accepted = server.client(SECRET).post("/processing/ocr?wait_for=0",
                                          files={"file": ("a.pdf", invoice_pdf)})
    assert accepted.status_code == 202
    response = get(server, accepted.json()["url"])
    assert response.status_code == 200


def test_get_with_wait_for_zero_answers_at_once(server: Server) -> None:
    record = make_processing(server.store, TENANT_A[0], "ocr", status="running")
    response = get(server, f"/processing/results/{record.processing_id}", wait_for=0)
    assert response.status_code == 202


def test_sub_result_of_a_running_processing_answers_202_at_once(server: Server) -> None:
    record = make_processing(server.store, TENANT_A[0], "ocr", status="running")
    with server.client(SECRET) as client:
        client.timeout = 5.0  # far below the long poll's 120 s
        response = client.get(f"/processing/results/{record.processing_id}/ocr")
    assert response.status_code == 202


# --- page image scaling ------------------------------------------------------------------------

def test_width_larger_than_the_page_yields_the_page(server: Server) -> None:
    record = make_processing(server.store, TENANT_A[0], "ocr", sizes=[(40, 60)])
    for params in ({"width": 100000}, {"height": 100000}, {"width": 41, "height": 100000},
                   {"width": "99999999999999999999999"}):
        response = get(server, f"/processing/results/{record.processing_id}/page-images/1",
                       **params)
        assert response.status_code == 200, params
        image = pyvips.Image.new_from_buffer(response.content, "")
        assert (image.width, image.height) == (40, 60)


@pytest.mark.parametrize("params,loc", [
    ({"width": "2.5"}, "width"), ({"height": "0"}, "height"), ({"width": "-3"}, "width"),
    ({"height": "1e3"}, "height"), ({"width": "-99999999999999999999999"}, "width"),
], ids=["fraction", "zero", "negative", "exponent", "huge-negative"])
def test_bad_scaling_values_are_422(server: Server, params: dict[str, str], loc: str) -> None:
    record = make_processing(server.store, TENANT_A[0], "ocr", sizes=[(40, 60)])
    response = get(server, f"/processing/results/{record.processing_id}/page-images/1", **params)
    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"] == ["query", loc]


# --- multipart like the API's server -----------------------------------------------------------

def raw_post(server: Server, body: bytes, content_type: str) -> Any:
    return server.client(SECRET).post("/processing/ocr?wait_for=0", content=body,
                                      headers={"content-type": content_type})


def multipart(*parts: tuple[str, str | None, bytes], boundary: str = "b0und4ry") -> bytes:
    out = b""
    for name, filename, data in parts:
        disposition = f'form-data; name="{name}"'
        if filename is not None:
            disposition += f'; filename="{filename}"'
        out += (f"--{boundary}\r\nContent-Disposition: {disposition}\r\n\r\n").encode()
        out += data + b"\r\n"
    return out + f"--{boundary}--\r\n".encode()


def test_unknown_text_fields_are_ignored(server: Server, invoice_pdf: bytes) -> None:
    fields = {f"extra_{n}": "x" for n in range(40)}
    response = server.client(SECRET).post("/processing/ocr?wait_for=0", data=fields,
                                          files={"file": ("a.pdf", invoice_pdf)})
    assert response.status_code == 202


def test_second_file_part_is_422(server: Server, invoice_pdf: bytes) -> None:
    body = multipart(("file", "a.pdf", invoice_pdf), ("file", "b.pdf", invoice_pdf))
    response = raw_post(server, body, "multipart/form-data; boundary=b0und4ry")
    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"] == ["body", "file"]


@pytest.mark.parametrize("content_type,body", [
    ("multipart/form-data", b"--x\r\n\r\n"),
    ("multipart/form-data; boundary=b0und4ry", b"--b0und4ry\r\nContent-Disposition: form"),
    ("multipart/form-data; boundary=b0und4ry", b"garbage without any boundary"),
    ("multipart/form-data; boundary=b0und4ry",
     multipart(("file", "x" * 200_000 + ".pdf", b"%PDF-1.4"))),
    ("application/json", b'{"file": "a"}'),
], ids=["missing-boundary", "cut-off", "no-parts", "huge-filename", "not-multipart"])
def test_broken_multipart_is_422_on_the_file(server: Server, content_type: str,
                                             body: bytes) -> None:
    response = raw_post(server, body, content_type)
    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"] == ["body", "file"]


# --- workflows and folio's own OpenAPI --------------------------------------------------------

def test_workflows_carry_long_description_and_visibility(server: Server) -> None:
    listing = get(server, "/processing/workflows").json()
    for entry in listing:
        assert isinstance(entry["long_description"], str) and entry["long_description"]
        assert entry["visibility"] == "public"


def test_openapi_json_is_served_and_valid(server: Server) -> None:
    response = server.client().get("/openapi.json")
    assert response.status_code == 200
    document = orjson.loads(response.content)
    validate(document)
    assert "/processing/results/{processing_id}/ner" in document["paths"]


def test_workflow_openapi_is_that_workflows_own(server: Server) -> None:
    response = server.client().get("/processing/generic_splitting/openapi")
    assert response.status_code == 200
    document = response.json()
    validate(document)
    assert "/processing/generic_splitting" in document["paths"]
    assert "/processing/results/{processing_id}/extractions" not in document["paths"]
    assert server.client().get("/processing/nonsense/openapi").status_code == 404


def test_docs_page_renders_without_the_internet(server: Server) -> None:
    response = server.client().get("/docs")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/html")
    assert "/processing/results/{processing_id}/ner" in response.text
    assert "<a href=/processing/invoice_extraction/openapi>" in response.text
    assert "<script" not in response.text


def test_ner_artifact_is_stored_compressed(server: Server, invoice: dict[str, Any]) -> None:
    stored = server.store.artifact(invoice["processing_id"], "ner.json")
    assert Path(f"{stored}.gz").exists()
    assert orjson.loads(stored.read_bytes()) == invoice["ner"]


def test_a_workflow_with_extractions_produces_ner() -> None:
    workflow = Workflow("fields_only", "Fields", "A plugin's extraction.", (*COMMON, "extractions"))
    assert workflow.results[-1] == "ner"
    assert "ner" not in Workflow("plain", "Plain", "No extraction.", COMMON).results
