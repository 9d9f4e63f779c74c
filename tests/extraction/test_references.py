"""Referenced documents, service period, allowances, charges and early payment terms,
read from generated PDFs."""

from __future__ import annotations

from typing import Any

from benchmarks.invoices.convert import pdf_to_pages
from benchmarks.invoices.pdfcanvas import Canvas
from service.pipeline.invoice.extract import extract_invoice


def _invoice(lines: list[tuple[str, str]], language: str = "de") -> dict[str, Any]:
    c = Canvas()
    c.text(60, 60, "Acme Bürobedarf GmbH", size=14, bold=True)
    c.text(60, 100, "Rechnung Nr. 2024-117", size=12, bold=True)
    c.text(60, 116, "Rechnungsdatum: 05.06.2024", size=9)
    for n, (label, value) in enumerate(lines):
        c.text(60, 160 + 16 * n, label, size=9)
        c.text(300, 160 + 16 * n, value, size=9)
    return extract_invoice(pdf_to_pages(c.to_pdf()), language)


def _values(result: dict[str, Any], key: str) -> list[Any]:
    return [e["value"] for e in result[key]]


def test_order_confirmation_and_delivery_note_numbers_in_their_own_lists() -> None:
    result = _invoice([("Bestellung Nr. Kunde:", "B123456789"),
                       ("Auftragsbestätigung:", "AB-2024-0815"),
                       ("Lieferschein-Nr.:", "L87654321012345")])
    assert _values(result, "order_numbers") == ["B123456789"]
    assert _values(result, "order_confirmation_numbers") == ["AB-2024-0815"]
    assert _values(result, "delivery_note_numbers") == ["L87654321012345"]


def test_french_and_dutch_reference_labels() -> None:
    result = _invoice([("Votre référence", "PO445"), ("Bon de livraison", "BL-2017-33"),
                       ("Betalingskenmerk", "1234 5678 9012")], "en")
    assert _values(result, "order_numbers") == ["PO445"]
    assert _values(result, "delivery_note_numbers") == ["BL-2017-33"]
    assert result["payment_reference"]["value"] == "1234 5678 9012"


def test_service_period_from_two_dates() -> None:
    result = _invoice([("Abrechnungszeitraum:", "01.10.2018 bis 31.10.2018")])
    period = result["service_period"]
    assert (period["start_date"]["value"], period["end_date"]["value"]) == (
        "2018-10-01", "2018-10-31")


def test_allowance_and_charge_totals() -> None:
    result = _invoice([("Gesamtbetrag der Zuschläge", "5,80"),
                       ("Gesamtbetrag der Abschläge", "21,25")])
    assert result["additional_cost"]["value"] == 5.8
    assert result["discount_amount"]["value"] == 21.25


def test_printed_zero_allowance_is_none() -> None:
    result = _invoice([("Gesamtbetrag der Abschläge", "0,00")])
    assert result["discount_amount"] is None


def test_skonto_until_a_date() -> None:
    result = _invoice([("Gesamtbetrag", "119,00"),
                       ("Zahlungsbedingungen:", "2 % Skonto bei Zahlung bis 15.06.2024")])
    [benefit] = result["early_payment_benefit"]
    assert (benefit["discount_percentage"]["value"], benefit["early_payment_date"]["value"],
            benefit["discount_amount"]["value"], benefit["new_amount"]["value"]) == (
        2.0, "2024-06-15", 2.38, 116.62)


def test_escompte_within_days_counts_from_the_invoice_date() -> None:
    result = _invoice([("Conditions:", "escompte de 3 % pour paiement sous 10 jours")])
    [benefit] = result["early_payment_benefit"]
    assert benefit["discount_percentage"]["value"] == 3.0
    assert benefit["early_payment_date"]["value"] == "2024-06-15"


def test_skonto_agreement_label_before_its_percentage() -> None:
    result = _invoice([("Skontovereinbarung:",
                        "2% bei Zahlung innerhalb 10 Tagen nach Rechnungsdatum")])
    [benefit] = result["early_payment_benefit"]
    assert benefit["discount_percentage"]["value"] == 2.0
    assert benefit["early_payment_date"]["value"] == "2024-06-15"


def test_customer_number_and_vat_id_in_the_buyers_section() -> None:
    result = _invoice([("Käufer", ""), ("Nummer:", "GE2020211"), ("Name:", "Kunden AG Mitte"),
                       ("USt.-Id.-Nr.:", "DE136695976"), ("", ""), ("Verkäufer", ""),
                       ("Name:", "Acme Bürobedarf GmbH"), ("USt.-Id.-Nr.:", "DE123456789")])
    customer, vendor = result["customer"], result["vendor"]
    assert customer["customer_number"]["value"] == "GE2020211"
    assert customer["vat_id"]["value"] == "DE136695976"
    assert vendor["vat_id"]["value"] == "DE123456789"


def _page(lines: list[tuple[float, str]], title: str) -> dict[str, Any]:
    c = Canvas()
    c.text(60, 60, "Au bon moulin SARL", size=14, bold=True)
    c.text(60, 100, title, size=12, bold=True)
    for y, text in lines:
        c.text(60, y, text, size=9)
    return extract_invoice(pdf_to_pages(c.to_pdf()), "en")


def test_the_number_to_quote_when_paying_is_the_payment_reference() -> None:
    result = _page([(160, "Allgemeine Haftpflichtversicherung VSNR: 01.234.567.8"),
                    (172, "(Bei Schriftwechsel und Zahlung bitte angeben.)")], "Beitragsrechnung")
    assert result["payment_reference"]["value"] == "01.234.567.8"


def test_invoice_number_is_the_reference_only_where_the_payment_names_the_invoice() -> None:
    pay = (200, "Facture à régler par virement sur le compte suivant :")
    iban = (214, "IBAN : FR20 1242 1242 1242 1242 1242 124")
    result = _page([pay, iban], "Facture FA-2017-0010")
    assert result["payment_reference"]["value"] == "FA-2017-0010"
    assert result["payment_reference"]["note"]
    assert _page([iban], "Facture FA-2017-0010")["payment_reference"] is None
