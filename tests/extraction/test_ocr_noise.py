"""Totals as OCR reads a photographed page: specks between rows, a thin minus sign lost."""

from __future__ import annotations

from typing import Any

from benchmarks.invoices.product import pdf_to_pages
from service.pipeline.invoice.extract import extract_invoice
from service.pipeline.invoice.parsers import parse_money
from tests.extraction.einvoices import text_pdf

SENDER = [(56, 60, "Muster Buerobedarf GmbH"), (56, 74, "Hauptstrasse 12, 10115 Berlin")]


def _fields(lines: list[tuple[float, float, str]], *names: str) -> dict[str, Any]:
    result = extract_invoice(pdf_to_pages(text_pdf(SENDER + lines)), "de")
    return {name: (result[name] or {}).get("value") for name in names}


def test_a_row_of_specks_does_not_end_a_totals_column() -> None:
    lines = [(56, 200, "Beleg-Nr : R87654321012345"),
             (56, 400, "Warenwert"), (160, 400, "Nettobetrag"), (270, 400, "MwSt-Betrag"),
             (380, 400, "MwSt-%"), (470, 400, "Endbetrag"),
             (56, 420, "326,50"), (160, 420, "321,40"), (270, 420, "61,07"), (380, 420, "19,0"),
             (470, 420, "382,47"),
             (56, 440, "130,70"), (160, 440, "127,59"), (270, 440, "8,93"), (380, 440, "7,0"),
             (470, 440, "136,52"),
             (100, 460, "u"), (300, 460, "7"),  # noise a phone photo leaves between rows
             (56, 480, "457,20"), (160, 480, "448,99"), (270, 480, "70,00"), (380, 480, "EUR"),
             (470, 480, "518,99")]
    assert _fields(lines, "net_amount", "tax_amount", "gross_amount") == {
        "net_amount": 448.99, "tax_amount": 70.0, "gross_amount": 518.99}


def test_a_credit_note_amount_that_lost_its_minus_sign_gets_it_back() -> None:
    lines = [(56, 200, "Gutschrift Nr. GS-2024-0815 vom 14.03.2024"),
             (300, 400, "Nettobetrag"), (450, 400, "-120,00 EUR"),
             (300, 414, "Umsatzsteuer 19%"), (450, 414, "22,80 EUR"),  # '-' not read
             (300, 428, "Gesamtbetrag"), (450, 428, "-142,80 EUR")]
    assert _fields(lines, "net_amount", "tax_amount", "gross_amount") == {
        "net_amount": -120.0, "tax_amount": -22.8, "gross_amount": -142.8}


def test_amounts_that_do_not_add_up_with_any_sign_stay_flagged() -> None:
    lines = [(56, 200, "Rechnung Nr. 2024-0815 vom 14.03.2024"),
             (300, 400, "Nettobetrag"), (450, 400, "-120,00 EUR"),
             (300, 414, "Umsatzsteuer 19%"), (450, 414, "21,80 EUR"),
             (300, 428, "Gesamtbetrag"), (450, 428, "-142,80 EUR")]
    result = extract_invoice(pdf_to_pages(text_pdf(SENDER + lines)), "de")
    assert result["tax_amount"]["value"] == 21.8
    assert result["tax_amount"]["validation_problem"]


def test_a_value_wrapped_a_little_below_its_label_is_read() -> None:
    # 'Steuerbetrag in EUR' with its '-1,12' wrapped in the cell: '-' above, '1,12' lower
    lines = [(56, 200, "Rechnungskorrektur Nr. RK21012345 vom 16.09.2018"),
             (300, 400, "Rechnungssumme ohne USt."), (470, 400, "-7,67"),
             (300, 424, "Steuerbetrag in"), (420, 420, "EUR"), (490, 420, "-"),
             (476, 431, "1,12"),
             (300, 452, "Bruttosumme"), (470, 452, "-8,79")]
    result = extract_invoice(pdf_to_pages(text_pdf(SENDER + lines)), "de")
    tax = result["tax_amount"]
    assert tax["value"] == -1.12
    assert tax["note"] == ""  # read from the page, not computed as gross - net
    assert len(tax["bbox_refs"]) == 1


def test_cents_split_off_by_ocr_before_the_currency_sign() -> None:
    assert parse_money("Solde à payer 470,1 5€") == (470.15, 14, 21)
    assert parse_money("Total -8,7 9 EUR")[0] == -8.79  # type: ignore[index]
    assert parse_money("19,0 5") is None  # no currency after it: two numbers, not one


def test_a_label_word_set_apart_by_ocr_does_not_hide_the_value() -> None:
    # 'Steuerbetrag in EUR 20,16' read as four phrases from a noisy photo
    lines = [(56, 200, "Rechnung Nr. 471102 vom 05.06.2018"),
             (300, 400, "Rechnungssumme ohne USt."), (470, 400, "177,49"),
             (300, 414, "Steuerbetrag"), (385, 414, "in"), (420, 414, "EUR"),
             (470, 414, "20,16"),
             (300, 428, "Bruttosumme"), (470, 428, "197,65")]
    result = extract_invoice(pdf_to_pages(text_pdf(SENDER + lines)), "de")
    tax = result["tax_amount"]
    assert tax["value"] == 20.16
    assert tax["note"] == ""
