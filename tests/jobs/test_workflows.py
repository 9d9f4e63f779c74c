"""invoice_extraction and generic_splitting through POST, down to each sub-PDF."""

from __future__ import annotations

import io

import pikepdf

from benchmarks.invoices.generate import generate_bundle, generate_document
from tests.conftest import TENANT_A
from tests.helpers import Server

SECRET = TENANT_A[1]


def post(server: Server, content: bytes, workflow: str) -> dict[str, object]:
    response = server.client(SECRET).post(f"/processing/{workflow}?wait_for=120",
                                          files={"file": ("doc.pdf", content)})
    assert response.status_code == 201, response.text
    body: dict[str, object] = response.json()
    return body


def test_invoice_extraction_end_to_end(server: Server) -> None:
    pdf, truth = generate_document(1, seed=11)
    body = post(server, pdf, "invoice_extraction")
    assert "extractions" in body["available_results"]  # type: ignore[operator]
    extraction = body["extractions"]
    assert isinstance(extraction, dict)
    assert extraction["schema_version"] == 2
    assert extraction["document_type"] == "invoice"
    number = extraction["number"]
    assert number["value"] == truth["number"]
    assert 0 < number["confidence"] <= 1
    assert number["bbox_refs"]
    ocr = body["ocr"]
    assert isinstance(ocr, dict)
    for ref in number["bbox_refs"]:
        word = ocr["pages"][ref["page_num"] - 1]["bboxes"][ref["bbox_id"] - 1]
        assert word["id"] == ref["bbox_id"]
    assert extraction["gross_amount"]["value"] == truth["gross_amount"]
    served = server.client(SECRET).get(f"/processing/results/{body['processing_id']}"
                                       "/extractions")
    assert served.json() == extraction


def test_bundle_is_split_into_downloadable_sub_pdfs(server: Server) -> None:
    bundle, groups = generate_bundle([1, 3, 5], seed=3)
    body = post(server, bundle, "generic_splitting")
    split = body["document_splitting"]
    assert isinstance(split, dict)
    assert [d["pages"] for d in split["sub_documents"]] == groups
    total_pages = len(body["page_images"])  # type: ignore[arg-type]
    assert len(split["split_point_confidences"]) == total_pages - 1
    client = server.client(SECRET)
    urls = body["sub_pdfs"]
    assert isinstance(urls, list) and len(urls) == len(groups)
    for index, (url, pages) in enumerate(zip(urls, groups, strict=True)):
        response = client.get(url)
        assert response.status_code == 200
        assert response.headers["content-disposition"] == (
            f'attachment; filename="sub_document_{index}.pdf"')
        with pikepdf.open(io.BytesIO(response.content)) as pdf:
            assert len(pdf.pages) == len(pages)
