"""The NER result: one typed entry per OCR word, groupings per line item and party."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import orjson

from benchmarks.invoices.convert import pdf_to_pages
from benchmarks.invoices.generate import generate_document
from service.pipeline import steps
from service.pipeline.document import Document
from service.pipeline.invoice_fields import TYPE_NAMES, VOID, type_name
from service.pipeline.ner import build_ner
from service.pipeline.words import PageText


def invoice_steps(tmp_path: Path, layout: int, seed: int
                  ) -> tuple[list[PageText], dict[str, Any], dict[str, Any]]:
    """A generated invoice through the pipeline's own steps: words, extraction, NER."""
    pdf, _ = generate_document(layout, seed=seed)
    (tmp_path / "source").write_bytes(pdf)
    pages = pdf_to_pages(pdf)
    doc = Document(source=tmp_path / "source", kind="pdf", dpi=220, pages=(),
                   sizes=tuple((p.width, p.height) for p in pages), texts=tuple(pages),
                   language="de", scratch=tmp_path)
    artifacts = steps.invoice_fields(doc)
    named = steps.ner(doc, artifacts)
    extraction = artifacts["extractions.json"]
    assert isinstance(extraction, bytes) and isinstance(named["ner.json"], bytes)
    return pages, orjson.loads(extraction), orjson.loads(named["ner.json"])


def ex(value: Any, confidence: float, *refs: tuple[int, int]) -> dict[str, Any]:
    return {"value": value, "confidence": confidence,
            "bbox_refs": [{"page_num": p, "bbox_id": b} for p, b in refs],
            "validation_problem": False, "note": ""}


def entry(ner: dict[str, Any], page: int, bbox: int) -> dict[str, Any]:
    [found] = [t for t in ner["types"] if t["reference"] == {"page_num": page, "bbox_id": bbox}]
    return found


def test_one_entry_per_word_in_page_and_word_order() -> None:
    ner = build_ner([3, 2], {"schema_version": 2})
    refs = [(t["reference"]["page_num"], t["reference"]["bbox_id"]) for t in ner["types"]]
    assert refs == [(1, 1), (1, 2), (1, 3), (2, 1), (2, 2)]


def test_unreferenced_word_is_void_with_certainty() -> None:
    ner = build_ner([1], {"number": None})
    assert ner["types"] == [{"reference": {"page_num": 1, "bbox_id": 1}, "type": "VOID",
                             "type_probs": [{"type": "VOID", "prob": 1.0}]}]


def test_referenced_word_takes_the_field_type_and_its_confidence() -> None:
    ner = build_ner([5], {"number": ex("RE-1", 0.93, (1, 4))})
    assert entry(ner, 1, 4) == {
        "reference": {"page_num": 1, "bbox_id": 4}, "type": "INVOICE_NUMBER",
        "type_probs": [{"type": "INVOICE_NUMBER", "prob": 0.93}, {"type": "VOID", "prob": 0.07}],
    }
    assert entry(ner, 1, 3)["type"] == VOID


def test_nested_fields_are_named_by_their_path() -> None:
    extraction = {
        "vendor": {"name": ex("ACME", 0.9, (1, 1)), "banking_information": [
            {"iban": ex("DE89370400440532013000", 0.95, (1, 2)), "bic": None}]},
        "customer": {"customer_number": ex("K-7", 0.8, (1, 3))},
        "line_item": [{"unit_price": ex(2.5, 0.97, (1, 4))}],
    }
    ner = build_ner([4], extraction)
    assert [t["type"] for t in ner["types"]] == [
        "VENDOR_NAME", "VENDOR_BANK_IBAN", "CUSTOMER_NUMBER", "LINE_ITEM_UNIT_PRICE"]


def test_word_of_two_fields_takes_the_more_confident_and_shares_the_probability() -> None:
    extraction = {"gross_amount": ex(119.0, 0.7, (1, 1)),
                  "due_payable_amount": ex(119.0, 0.9, (1, 1))}
    found = entry(build_ner([1], extraction), 1, 1)
    assert found["type"] == "DUE_PAYABLE_AMOUNT"
    assert found["type_probs"] == [{"type": "DUE_PAYABLE_AMOUNT", "prob": 0.562},
                                   {"type": "GROSS_AMOUNT", "prob": 0.438}]


def test_equal_confidence_keeps_the_field_listed_first() -> None:
    extraction = {"gross_amount": ex(1.0, 0.8, (1, 1)), "due_payable_amount": ex(1.0, 0.8, (1, 1))}
    assert entry(build_ner([1], extraction), 1, 1)["type"] == "GROSS_AMOUNT"


def test_references_outside_the_ocr_are_ignored() -> None:
    extraction = {"number": ex("X", 0.9, (1, 9), (3, 1), (0, 1))}
    ner = build_ner([2], extraction)
    assert [t["type"] for t in ner["types"]] == [VOID, VOID]
    assert ner["groupings"] == {"line_item": [], "vendor": [], "customer": []}


def test_groupings_collect_each_line_item_and_each_party() -> None:
    extraction = {
        "vendor": {"name": ex("ACME", 0.9, (1, 2), (1, 1)), "address": None},
        "customer": {"name": None},
        "line_item": [
            {"description": ex("Bolts", 0.9, (1, 5), (1, 6)), "total_price": ex(3.0, 0.9, (1, 8))},
            {"description": ex("Nuts", 0.9, (2, 1)), "total_price": None},
        ],
    }
    groupings = build_ner([8, 1], extraction)["groupings"]
    ref = lambda p, b: {"page_num": p, "bbox_id": b}  # noqa: E731
    assert groupings == {
        "line_item": [{"references": [ref(1, 5), ref(1, 6), ref(1, 8)]},
                      {"references": [ref(2, 1)]}],
        "vendor": [{"references": [ref(1, 1), ref(1, 2)]}],
        "customer": [],
    }


def test_every_published_field_has_a_distinct_type_name() -> None:
    assert len(TYPE_NAMES) == len(set(TYPE_NAMES))
    assert type_name(("vendor", "address_struct", "address_line_1")) == "VENDOR_ADDRESS_LINE_1"
    assert type_name(("date",)) == "INVOICE_DATE"
    assert type_name(("line_item", "service_period", "start_date")) == (
        "LINE_ITEM_SERVICE_PERIOD_START_DATE")


def test_ner_of_a_real_extraction_types_its_words(tmp_path: Path) -> None:
    pages, extraction, ner = invoice_steps(tmp_path, 1, 3)
    assert len(ner["types"]) == sum(len(p.words) for p in pages)
    assert {t["type"] for t in ner["types"]} <= set(TYPE_NAMES)
    number_refs = extraction["number"]["bbox_refs"]
    assert entry(ner, number_refs[0]["page_num"], number_refs[0]["bbox_id"])["type"] == (
        "INVOICE_NUMBER")
    assert len(ner["groupings"]["line_item"]) == len(extraction["line_item"])
    for t in ner["types"]:
        assert abs(sum(p["prob"] for p in t["type_probs"]) - 1) < 0.01


def test_no_extraction_no_ner(tmp_path: Path) -> None:
    doc = Document(source=tmp_path, kind="pdf", dpi=220, pages=(), sizes=(), texts=(),
                   language="de", scratch=tmp_path)
    assert steps.ner(doc, {"ocr.json": b"{}"}) == {}
