"""E-invoice XML is read exactly; unreadable XML falls back to the page with a note."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from benchmarks.invoices.generate import generate_document
from benchmarks.invoices.product import pdf_to_pages
from service.pipeline.invoice.einvoice import invoice_extraction, stage
from service.pipeline.invoice.paymentmeans import METHODS
from service.pipeline.words import PageText
from tests.extraction.einvoices import UBL_CREDIT_NOTE, attach, cii_xml

MAX = 1 << 20


def _run(tmp_path: Path, pdf: bytes, language: str = "de", max_bytes: int = MAX
         ) -> tuple[dict[str, Any], list[PageText]]:
    source = tmp_path / "upload.pdf"
    source.write_bytes(pdf)
    stage(source, "pdf", tmp_path, max_bytes)
    pages = pdf_to_pages(pdf)
    return invoice_extraction(pages, language, tmp_path), pages


def _word(pages: list[PageText], ref: dict[str, int]) -> str:
    return pages[ref["page_num"] - 1].words[ref["bbox_id"] - 1].text


@pytest.mark.parametrize(("version", "name"), [(2, "factur-x.xml"), (1, "ZUGFeRD-invoice.xml")],
                         ids=["facturx", "zugferd1"])
def test_embedded_cii_is_read_exactly(tmp_path: Path, version: int, name: str) -> None:
    pdf, truth = generate_document(1, seed=3)
    result, pages = _run(tmp_path, attach(pdf, name, cii_xml(truth, version)))
    number = result["number"]
    assert number["value"] == truth["number"]
    assert number["confidence"] == 1.0
    assert [_word(pages, r) for r in number["bbox_refs"]] == [truth["number"]]
    for key in ("net_amount", "tax_amount", "gross_amount", "due_payable_amount"):
        assert result[key]["value"] == truth[key]
        assert result[key]["bbox_refs"], key  # the printed amount was found on the page
    assert result["date"]["value"] == truth["date"]
    assert result["vendor"]["vat_id"]["value"] == truth["vendor"]["vat_id"]
    iban = truth["vendor"]["banking_information"][0]["iban"]
    assert result["vendor"]["banking_information"][0]["iban"]["value"] == iban


def test_fields_only_the_xml_has(tmp_path: Path) -> None:
    pdf, truth = generate_document(1, seed=3)
    result, _ = _run(tmp_path, attach(pdf, "factur-x.xml", cii_xml(truth)))
    assert result["service_period"]["start_date"]["value"] == "2024-01-01"
    assert result["service_period"]["start_date"]["bbox_refs"] == []  # not printed
    assert [o["value"] for o in result["order_confirmation_numbers"]] == ["AB-77"]
    assert [m["value"] for m in result["payment_methods"]] == ["money_transfer"]


def test_unknown_payment_means_code_is_other(tmp_path: Path) -> None:
    pdf, truth = generate_document(1, seed=3)
    result, _ = _run(tmp_path, attach(pdf, "factur-x.xml", cii_xml(truth, payment_code="97")))
    assert [m["value"] for m in result["payment_methods"]] == ["other"]


def test_any_xml_attachment_that_is_an_invoice_counts(tmp_path: Path) -> None:
    pdf, truth = generate_document(2, seed=5)
    with_other = attach(pdf, "readme.xml", b"<notes><note>hello</note></notes>")
    result, _ = _run(tmp_path, attach(with_other, "rechnung-4711.xml", cii_xml(truth)))
    assert result["number"]["confidence"] == 1.0
    assert result["number"]["value"] == truth["number"]


def test_malformed_xml_falls_back_to_the_page_with_a_note(tmp_path: Path) -> None:
    pdf, truth = generate_document(1, seed=3)
    broken = cii_xml(truth)[:-40]  # cut off: not well-formed
    result, _ = _run(tmp_path, attach(pdf, "factur-x.xml", broken))
    assert "malformed" in result["note"]
    assert result["number"]["value"] == truth["number"]  # from the visual path
    assert result["number"]["confidence"] < 1.0


def test_xml_with_a_dtd_is_not_read(tmp_path: Path) -> None:
    pdf, truth = generate_document(1, seed=3)
    hostile = cii_xml(truth).replace(
        b"<rsm:CrossIndustryInvoice",
        b'<!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]>\n<rsm:CrossIndustryInvoice', 1)
    result, _ = _run(tmp_path, attach(pdf, "factur-x.xml", hostile))
    assert "DTD" in result["note"]
    assert result["number"]["confidence"] < 1.0


def test_xml_past_the_size_limit_is_not_read(tmp_path: Path) -> None:
    pdf, truth = generate_document(1, seed=3)
    result, _ = _run(tmp_path, attach(pdf, "factur-x.xml", cii_xml(truth)), max_bytes=500)
    assert "larger than 500 bytes" in result["note"]


def test_ubl_credit_note(tmp_path: Path) -> None:
    source = tmp_path / "credit.xml"
    source.write_bytes(UBL_CREDIT_NOTE)
    stage(source, "xml", tmp_path, MAX)
    result = invoice_extraction([], "de", tmp_path)
    assert result["number"]["value"] == "GS-2024-0815"
    assert result["gross_amount"]["value"] == -142.80
    assert result["tax_calculation"][0]["tax_rate"]["value"] == 19.0
    assert result["customer"]["customer_number"]["value"] == "K-100234"
    item = result["line_item"][0]
    assert item["quantity"]["value"] == -10.0
    assert item["article_id"]["value"] == "ART-5521"
    assert [m["value"] for m in result["payment_methods"]] == ["money_transfer"]


def test_visual_payment_methods_use_the_api_enumeration() -> None:
    from service.pipeline.invoice.extract import extract_invoice

    values: set[str] = set()
    for layout in (1, 2, 3, 4):
        pdf, truth = generate_document(layout, seed=1)
        result = extract_invoice(pdf_to_pages(pdf), truth["language"])
        values |= {m["value"] for m in result["payment_methods"]}
    assert "money_transfer" in values  # printed as "Überweisung" / "bank transfer"
    assert values <= set(METHODS)


def test_every_schema_field_is_present() -> None:
    from service.pipeline.invoice.extract import extract_invoice

    pdf, truth = generate_document(1, seed=3)
    result = extract_invoice(pdf_to_pages(pdf), truth["language"])
    for key in ("service_period", "discount_amount", "additional_cost", "number_of_line_items"):
        assert key in result
    for key in ("order_confirmation_numbers", "delivery_note_numbers", "barcodes",
                "key_value_pairs", "early_payment_benefit"):
        assert result[key] == []
    assert "eori_number" in result["vendor"] and "fax" in result["vendor"]
    assert "article_id" in result["line_item"][0]
