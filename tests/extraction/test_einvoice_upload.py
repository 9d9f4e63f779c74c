"""A bare e-invoice XML upload through POST: read exactly, with pages drawn from its content."""

from __future__ import annotations

from typing import Any

from tests.conftest import TENANT_A
from tests.extraction.einvoices import UBL_CREDIT_NOTE
from tests.helpers import Server


def _post(server: Server, content: bytes, name: str) -> dict[str, Any]:
    response = server.client(TENANT_A[1]).post(
        "/processing/invoice_extraction?wait_for=120", files={"file": (name, content)})
    assert response.status_code == 201, response.text
    body: dict[str, Any] = response.json()
    return body


def test_bare_ubl_upload_is_read_and_drawn(server: Server) -> None:
    body = _post(server, UBL_CREDIT_NOTE, "credit-note.xml")
    extraction = body["extractions"]
    assert extraction["number"]["value"] == "GS-2024-0815"
    assert extraction["number"]["confidence"] == 1.0
    assert extraction["gross_amount"]["value"] == -142.80
    pages = body["ocr"]["pages"]
    assert len(pages) == len(body["page_images"]) >= 1
    # the drawn pages carry the content as words, and the refs point at them
    ref = extraction["number"]["bbox_refs"][0]
    word = pages[ref["page_num"] - 1]["bboxes"][ref["bbox_id"] - 1]
    assert word["text"] == "GS-2024-0815"
    pdf = server.client(TENANT_A[1]).get(body["pdf"])
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF-")


def test_malformed_bare_xml_is_processed_visually(server: Server) -> None:
    body = _post(server, b"<Invoice><ID>RE-1</ID><IssueDate>2024-03-14", "broken.xml")
    extraction = body["extractions"]
    assert "malformed" in extraction["note"]
    assert body["ocr"]["pages"][0]["bboxes"]  # its text was drawn and read
