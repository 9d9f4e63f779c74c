"""Layouts real senders print: credit notes, French, Dutch and English labels and dates."""

from __future__ import annotations

from typing import Any

import pytest

from benchmarks.invoices.product import pdf_to_pages
from service.pipeline.invoice.extract import extract_invoice
from tests.extraction.einvoices import text_pdf

SENDER = [(56, 60, "Muster Buerobedarf GmbH"), (56, 74, "Hauptstrasse 12, 10115 Berlin")]

CASES: dict[str, tuple[list[tuple[float, float, str]], dict[str, Any]]] = {
    "german_credit_note": (
        [(56, 200, "Gutschrift Nr. GS-2024-0815 vom 14.03.2024"),
         (300, 400, "Nettobetrag"), (450, 400, "-120,00 EUR"),
         (300, 414, "Umsatzsteuer 19%"), (450, 414, "-22,80 EUR"),
         (300, 428, "Gesamtbetrag"), (450, 428, "-142,80 EUR")],
        {"number": "GS-2024-0815", "date": "2024-03-14", "net_amount": -120.0,
         "tax_amount": -22.8, "gross_amount": -142.8},
    ),
    "french_invoice": (
        [(56, 200, "Facture n° FA-2017-0010"), (56, 220, "Date de facture 13/11/2017"),
         (56, 234, "Date d'échéance 13/12/2017"),
         (300, 400, "Total HT"), (450, 400, "624,90 €"),
         (300, 414, "Total TVA"), (450, 414, "46,25 €"),
         (300, 428, "Total TTC"), (450, 428, "671,15 €"),
         (300, 442, "Net à payer"), (450, 442, "470,15 €")],
        {"number": "FA-2017-0010", "date": "2017-11-13", "due_date": "2017-12-13",
         "net_amount": 624.9, "tax_amount": 46.25, "gross_amount": 671.15,
         "due_payable_amount": 470.15, "currency": "EUR"},
    ),
    "dutch_invoice": (
        [(56, 200, "Factuurnummer: 2024-117"), (56, 214, "Factuurdatum: 3 maart 2024"),
         (300, 400, "Totaal excl. BTW"), (450, 400, "€ 100,00"),
         (300, 414, "BTW 21%"), (450, 414, "€ 21,00"),
         (300, 428, "Totaal incl. BTW"), (450, 428, "€ 121,00")],
        {"number": "2024-117", "date": "2024-03-03", "net_amount": 100.0,
         "tax_amount": 21.0, "gross_amount": 121.0},
    ),
    "totals_table_under_labels": (
        [(56, 200, "Beleg-Nr"), (150, 200, ":"), (170, 200, "R87654321012345"),
         (56, 214, "Beleg-Datum"), (150, 214, ":"), (170, 214, "06.08.2013"),
         (56, 400, "Warenwert"), (160, 400, "Nettobetrag"), (270, 400, "MwSt-Betrag"),
         (380, 400, "MwSt-%"), (470, 400, "Endbetrag"),
         (56, 414, "326,50"), (160, 414, "321,40"), (270, 414, "61,07"), (380, 414, "19,0"),
         (470, 414, "382,47"),
         (56, 428, "130,70"), (160, 428, "127,59"), (270, 428, "8,93"), (380, 428, "7,0"),
         (470, 428, "136,52"),
         (56, 442, "457,20"), (160, 442, "448,99"), (270, 442, "70,00"), (380, 442, "EUR"),
         (470, 442, "518,99"),
         (56, 480, "Der Verkäufer bleibt Eigentümer der Waren.")],
        {"number": "R87654321012345", "date": "2013-08-06", "net_amount": 448.99,
         "tax_amount": 70.0, "gross_amount": 518.99},
    ),
    "english_month_first_dates": (
        [(56, 200, "Invoice # RE-20201121/508 issued at 11/21/2020"),
         (56, 214, "Please remit until 12/12/2020."),
         (300, 400, "Net total:"), (450, 400, "496.00 £"),
         (300, 414, "VAT total:"), (450, 414, "75.04 £"),
         (300, 428, "Due payable:"), (450, 428, "571.04 £")],
        {"number": "RE-20201121/508", "date": "2020-11-21", "due_date": "2020-12-12",
         "net_amount": 496.0, "tax_amount": 75.04, "due_payable_amount": 571.04,
         "currency": "GBP"},
    ),
}


@pytest.mark.parametrize("case", list(CASES), ids=list(CASES))
def test_real_layout_fields(case: str) -> None:
    lines, want = CASES[case]
    result = extract_invoice(pdf_to_pages(text_pdf(SENDER + lines)), "de")
    got = {key: (result[key] or {}).get("value") for key in want}
    assert got == want


def test_tax_read_from_the_vat_row_that_closes_the_totals() -> None:
    lines = [(56, 200, "Rechnungsnummer 471102"),
             (56, 400, "Rechnungssumme Netto (excl. USt.)"), (450, 400, "198,00"),
             (56, 414, "Steuerbasisbetrag USt. 19%"), (380, 414, "198,00"), (450, 414, "37,62"),
             (56, 428, "Rechnungssumme Brutto (inkl. USt.)"), (450, 428, "235,62"),
             (56, 500, "IBAN-Nr: DE89 3704 0044"), (300, 500, "0532 0130 00")]
    result = extract_invoice(pdf_to_pages(text_pdf(SENDER + lines)), "de")
    got = {key: result[key]["value"] for key in ("net_amount", "tax_amount", "gross_amount")}
    assert got == {"net_amount": 198.0, "tax_amount": 37.62, "gross_amount": 235.62}
    iban = result["vendor"]["banking_information"][0]["iban"]
    assert iban["value"] == "DE89370400440532013000"
