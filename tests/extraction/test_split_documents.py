from __future__ import annotations

from benchmarks.invoices.convert import pdf_to_pages
from benchmarks.invoices.generate import (
    blank_pdf_page,
    concat_pdfs,
    generate_bundle,
    generate_document,
)
from service.pipeline.split_documents import split_documents
from service.pipeline.words import PageText


def test_bundle_is_split_at_document_starts() -> None:
    pdf, groups = generate_bundle([1, 2, 3, 4, 5, 6], seed=21)
    result = split_documents(pdf_to_pages(pdf))
    assert [d["pages"] for d in result["sub_documents"]] == groups
    assert len(result["split_point_confidences"]) == groups[-1][-1] - 1


def test_blank_separator_page_belongs_to_no_document() -> None:
    one, _ = generate_document(2, seed=1)
    two, _ = generate_document(5, seed=2)
    pages = pdf_to_pages(concat_pdfs([one, blank_pdf_page(), two]))
    result = split_documents(pages)
    n1 = len(pdf_to_pages(one))
    documents = [d["pages"] for d in result["sub_documents"]]
    assert documents == [list(range(1, n1 + 1)), list(range(n1 + 2, len(pages) + 1))]
    assert result["split_point_confidences"][n1] > 0.5


def test_single_document_is_not_split() -> None:
    pdf, truth = generate_document(1, seed=4)
    result = split_documents(pdf_to_pages(pdf))
    assert result["sub_documents"] == [
        {"name": "sub_document_0", "pages": list(range(1, truth["pages"] + 1))}
    ]
    assert all(c < 0.5 for c in result["split_point_confidences"])


def test_schema_for_empty_input() -> None:
    assert split_documents([]) == {
        "schema_version": 1,
        "sub_documents": [],
        "split_point_confidences": [],
    }


def test_all_blank_pages() -> None:
    result = split_documents([PageText(100, 100), PageText(100, 100)])
    assert result["sub_documents"] == []
    assert result["split_point_confidences"] == [0.0]
