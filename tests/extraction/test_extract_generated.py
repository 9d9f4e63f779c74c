"""Field-level checks on generated invoices of every layout (7-10 are held out of tuning)."""

from __future__ import annotations

import shutil
from typing import Any

import pytest

from benchmarks.invoices.convert import ocr_png, pdf_to_pages
from benchmarks.invoices.evaluate import score
from benchmarks.invoices.generate import (
    DEV_LAYOUTS,
    HELDOUT_LAYOUTS,
    generate_document,
    render_scan,
)
from service.pipeline.invoice.extract import extract_invoice

CORE = ["number", "date", "currency", "net_amount", "tax_amount", "gross_amount",
        "vendor.name", "customer.name"]  # fmt: skip


def _value(node: Any) -> Any:
    return node["value"] if node else None


@pytest.mark.parametrize("layout", DEV_LAYOUTS, ids=[f"layout{n}" for n in DEV_LAYOUTS])
def test_digital_core_fields(layout: int) -> None:
    pdf, truth = generate_document(layout, seed=7)
    result = extract_invoice(pdf_to_pages(pdf), truth["language"])
    fields = score(result, truth)
    assert [f for f in CORE if not fields[f]] == []
    assert sum(fields.values()) / len(fields) >= 0.9


# Held-out layouts are never tuned on, so only a floor is asserted here; the
# benchmark reports their per-field numbers.
@pytest.mark.parametrize("layout", HELDOUT_LAYOUTS, ids=[f"layout{n}" for n in HELDOUT_LAYOUTS])
def test_heldout_digital_fields(layout: int) -> None:
    pdf, truth = generate_document(layout, seed=7)
    result = extract_invoice(pdf_to_pages(pdf), truth["language"])
    fields = score(result, truth)
    assert fields["number"] and fields["date"] and fields["gross_amount"]
    assert sum(fields.values()) / len(fields) >= 0.85


def test_digital_result_shape() -> None:
    pdf, truth = generate_document(1, seed=3)
    result = extract_invoice(pdf_to_pages(pdf), "de")
    assert result["schema_version"] == 2
    assert result["document_type"] == "invoice"
    number = result["number"]
    assert set(number) == {"value", "confidence", "bbox_refs", "validation_problem", "note"}
    assert number["bbox_refs"] and number["bbox_refs"][0]["page_num"] == 1
    assert isinstance(result["order_numbers"], list)
    assert len(result["line_item"]) == len(truth["line_item"])


def test_bbox_refs_point_at_the_value_words() -> None:
    pdf, truth = generate_document(1, seed=3)
    pages = pdf_to_pages(pdf)
    result = extract_invoice(pages, "de")
    ref = result["number"]["bbox_refs"][0]
    assert pages[ref["page_num"] - 1].words[ref["bbox_id"] - 1].text == truth["number"]


def test_line_items_match_quantity_times_price() -> None:
    pdf, truth = generate_document(3, seed=11)
    result = extract_invoice(pdf_to_pages(pdf), "de")
    for got, want in zip(result["line_item"], truth["line_item"], strict=True):
        assert _value(got["total_price"]) == want["total_price"]
        assert not got["total_price"]["validation_problem"]


def test_empty_document_gives_nulls() -> None:
    result = extract_invoice([], "de")
    assert result["number"] is None
    assert result["line_item"] == []


@pytest.mark.skipif(shutil.which("tesseract") is None, reason="tesseract not installed")
@pytest.mark.parametrize("layout", [1, 8], ids=["layout1-german", "layout8-english"])
def test_scanned_core_fields(layout: int) -> None:
    pdf, truth = generate_document(layout, seed=5)  # a one-page invoice in both layouts
    pages = [ocr_png(png, truth["language"]) for png in render_scan(pdf, seed=5)]
    fields = score(extract_invoice(pages, truth["language"]), truth)
    for name in ("number", "date", "gross_amount", "net_amount"):
        assert fields[name], name
