"""IBANs and VAT ids as OCR misreads them: look-alikes repaired only where the value validates."""

from __future__ import annotations

from typing import Any

from benchmarks.invoices.product import pdf_to_pages
from service.pipeline.invoice.extract import extract_invoice
from service.pipeline.invoice.misreads import repair_iban, repair_vat_id
from tests.extraction.einvoices import text_pdf

IBAN = "DE89370400440532013000"  # the standard example: a valid checksum


def test_iban_with_letter_o_for_zero_is_repaired_by_its_checksum() -> None:
    text = "DE89 37O4 OO44 0532 0130 00"
    fixed = repair_iban(text, 0)
    assert fixed is not None
    assert fixed.value == IBAN
    assert fixed.end == len(text)
    assert fixed.changes == ("O→0", "O→0", "O→0")


def test_iban_look_alikes_in_the_country_and_check_digits() -> None:
    fixed = repair_iban("0E8g 3704 0044 0532 0130 00", 0)
    assert fixed is not None and fixed.value == IBAN


def test_iban_letters_where_the_bban_has_letters_stay_letters() -> None:
    # Dutch BBAN: four bank letters, ten digits; 8 read for B, l for 1
    fixed = repair_iban("NL91 A8NA 04l7 1643 00", 0)
    assert fixed is not None and fixed.value == "NL91ABNA0417164300"


def test_iban_with_a_wrong_digit_is_not_repaired() -> None:
    # one digit misread as another digit: the checksum fails and nothing is guessed
    assert repair_iban("DE89 37O4 0044 0532 0130 01", 0) is None


def test_iban_with_too_many_misreads_is_not_one() -> None:
    assert repair_iban("DE89 3ZO4 OO44 O5SZ OlBO OO", 0) is None


def test_words_are_not_read_as_ibans() -> None:
    for text in ("DESIGN AND BUILD SOLUTIONS LIMITED", "Sales tax included", "BE OLD 1234"):
        assert all(repair_iban(text, i) is None for i in range(len(text)))


def test_vat_id_look_alikes_repaired_by_the_country_format() -> None:
    fixed = repair_vat_id("DE1234S67B9")
    assert fixed is not None and fixed.value == "DE123456789"
    assert fixed.changes == ("S→5", "B→8")
    # a Dutch id has a letter B between digits: an 8 read there is the B
    fixed = repair_vat_id("NL123456789801")
    assert fixed is not None and fixed.value == "NL123456789B01"


def test_vat_id_not_made_from_words_or_wrong_lengths() -> None:
    assert repair_vat_id("DESIGNS") is None
    assert repair_vat_id("DE12345678") is None  # a digit short: no look-alike adds one
    assert repair_vat_id("DE123456789") is None  # valid as printed: nothing to repair


SENDER = [(56, 60, "Muster Buerobedarf GmbH"), (56, 74, "Hauptstrasse 12, 10115 Berlin"),
          (56, 200, "Rechnung Nr. 2024-117 vom 14.03.2024"),
          (300, 400, "Gesamtbetrag"), (450, 400, "142,80 EUR")]


def _vendor(footer: list[tuple[float, float, str]]) -> dict[str, Any]:
    result = extract_invoice(pdf_to_pages(text_pdf(SENDER + footer)), "de")
    vendor = result["vendor"]
    assert isinstance(vendor, dict)
    return vendor


def test_extraction_repairs_a_footer_iban_and_vat_id_and_says_so() -> None:
    vendor = _vendor([(56, 780, "USt-IdNr.: DE1234S6789"),
                      (56, 794, "IBAN: DE89 37O4 OO44 0532 0130 00  BIC: COBADEFFXXX")])
    iban = vendor["banking_information"][0]["iban"]
    assert iban["value"] == IBAN
    assert not iban["validation_problem"]
    assert "O→0" in iban["note"]
    assert vendor["vat_id"]["value"] == "DE123456789"
    assert "S→5" in vendor["vat_id"]["note"]


def test_extraction_keeps_a_misread_iban_that_no_repair_validates_flagged() -> None:
    vendor = _vendor([(56, 794, "IBAN: DE89 37O4 OO44 0532 0130 01")])
    iban = vendor["banking_information"][0]["iban"]
    assert iban["validation_problem"]


def test_printed_iban_and_vat_id_are_read_as_before() -> None:
    vendor = _vendor([(56, 780, "USt-IdNr.: DE123456789"),
                      (56, 794, "IBAN: DE89 3704 0044 0532 0130 00")])
    assert vendor["banking_information"][0]["iban"]["value"] == IBAN
    assert vendor["banking_information"][0]["iban"]["note"] == ""
    assert vendor["vat_id"]["value"] == "DE123456789"
    assert vendor["vat_id"]["note"] == ""


def test_iban_stuck_to_its_label_as_ocr_reads_it() -> None:
    for footer in ("IBANDE89370400440532013000", "lBAN:DE89 37O4 0044 0532 0130 00",
                   "Bank: 1BAN-Nr:DE89370400440532013000"):
        vendor = _vendor([(56, 794, footer)])
        ibans = [(b["iban"]["value"], b["iban"]["validation_problem"])
                 for b in vendor["banking_information"]]
        assert ibans == [(IBAN, False)], footer
