"""Both parties' addresses as street, postcode, city and country, from generated PDFs."""

from __future__ import annotations

from typing import Any

from benchmarks.invoices.convert import pdf_to_pages
from benchmarks.invoices.pdfcanvas import Canvas
from service.pipeline.invoice.extract import extract_invoice


def _structs(c: Canvas, language: str = "de") -> tuple[dict[str, Any], dict[str, Any]]:
    result = extract_invoice(pdf_to_pages(c.to_pdf()), language)

    def values(party: dict[str, Any]) -> dict[str, Any]:
        struct = party.get("address_struct") or {}
        return {k: (v or {}).get("value") for k, v in struct.items() if v}

    return values(result["vendor"]), values(result["customer"])


def test_sections_with_address_labels_and_country_codes() -> None:
    c = Canvas()
    c.text(60, 60, "Handelsrechnung Nr. 471102 vom 05.06.2018", size=12, bold=True)
    rows = [("Verkäufer", ""), ("Name:", "Lieferant GmbH"),
            ("Anschrift:", "Lieferantenstraße 20"), ("", "DE 80333 München"), ("", ""),
            ("Käufer", ""), ("Name:", "Kunden AG Mitte"), ("Anschrift:", "Kundenstraße 15"),
            ("", "DE 69876 Frankfurt")]
    for n, (label, value) in enumerate(rows):
        c.text(60, 120 + 16 * n, label, size=9, bold=not value)
        c.text(250, 120 + 16 * n, value, size=9)
    # the seller's legal block in the footer is not the buyer's address
    c.text(60, 780, "Lieferant GmbH · Lieferantenstraße 20 · 80333 München", size=7)
    vendor, customer = _structs(c)
    assert vendor == {"address_line_1": "Lieferantenstraße 20", "zip": "80333",
                      "city": "München", "country": "DE"}
    assert customer == {"address_line_1": "Kundenstraße 15", "zip": "69876",
                        "city": "Frankfurt", "country": "DE"}


def test_window_address_and_letterhead_in_other_countries() -> None:
    c = Canvas()
    c.text(60, 50, "Cloudly Hosting Ltd · 5 Harbour Road · Leeds LS1 4AP", size=7)
    c.text(60, 110, "MEGACORP INDUSTRIES PLC", size=12, bold=True)
    c.text(60, 126, "1 Canary Square", size=10)
    c.text(60, 140, "London E14 5AB", size=10)
    c.text(360, 110, "Invoice no. CL-2024-0193", size=9)
    c.text(360, 124, "Invoice date: 3 March 2024", size=9)
    c.text(60, 200, "Monthly hosting plan, March 2024", size=9)
    c.text(500, 200, "£120.00", size=9, align="right")
    vendor, customer = _structs(c, "en")
    assert customer == {"address_line_1": "1 Canary Square", "zip": "E14 5AB",
                        "city": "London", "country": "GB"}
    assert vendor == {"address_line_1": "5 Harbour Road", "zip": "LS1 4AP", "city": "Leeds",
                      "country": "GB"}


def test_a_city_line_of_no_known_form_gives_no_parts() -> None:
    c = Canvas()
    c.text(60, 60, "Rechnung Nr. 4711", size=12, bold=True)
    for n, line in enumerate(["Käufer", "Name: Kunden AG", "Anschrift: Kundenstraße 15",
                              "Frankfurt am Main"]):
        c.text(60, 120 + 16 * n, line, size=9)
    _, customer = _structs(c)
    assert customer == {}


def test_a_us_street_is_no_city_line_and_the_next_column_is_not_the_address() -> None:
    c = Canvas()
    c.text(60, 60, "Marlow Consulting Corp.", size=14, bold=True)
    c.text(60, 120, "BILL TO", size=9, bold=True)
    c.text(300, 120, "Invoice #: INV-66676", size=9)
    for n, (left, right) in enumerate([("Oakfield Logistics Corp.", "Date: 04/12/2023"),
                                       ("7871 Oak Avenue", "Due Date: 04/22/2023"),
                                       ("Austin, TX 78701", "July")]):
        c.text(60, 136 + 14 * n, left, size=9)
        c.text(300, 136 + 14 * n, right, size=9)
    _, customer = _structs(c, "en")
    assert customer == {"address_line_1": "7871 Oak Avenue", "zip": "78701", "city": "Austin",
                        "country": "US"}
