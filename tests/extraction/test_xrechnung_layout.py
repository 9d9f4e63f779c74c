"""Layouts of the XRechnung visualization (itplr-kosit/xrechnung-visualization, xr-pdf.xsl):
its tabular item heading names a 'Price unit' column (the price's base quantity) beside
'Price', which must not read as a second price column; its German totals label both the net
and the gross total 'Gesamtsumme', between 'Summe aller Positionen' and 'Fälliger Betrag'."""

from __future__ import annotations

from benchmarks.invoices.convert import pdf_to_pages
from benchmarks.invoices.pdfcanvas import Canvas
from service.pipeline.invoice.extract import extract_invoice

HEADING: list[tuple[float, str]] = [(40, "#"), (80, "Description"), (260, "Quantity"),
           (330, "Price"),
           (380, "Price unit"), (440, "VAT"), (490, "Code"), (540, "Total")]


def _row(pos: str, desc: str, qty: str, price: str, vat: str, total: str) -> list[
        tuple[float, str]]:
    return [(40, pos), (80, desc), (260, qty), (330, price), (440, vat), (490, "S"),
            (540, total)]


def test_price_unit_heading_is_no_second_price() -> None:
    c = Canvas()
    c.text(40, 60, "Invoice number: 12115118", size=9)
    y = 200.0
    for x, text in HEADING:
        c.text(x, y, text, size=9)
    rows = [_row("1", "PATAT FRITES 10MM 10KG", "2 H87", "9.95", "6.00%", "19.90"),
            _row("2", "KAAS 50PL. JONG BEL. 1KG", "1 H87", "9.85", "6.00%", "9.85")]
    for row in rows:
        y += 18
        for x, text in row:
            c.text(x, y, text, size=9)
    result = extract_invoice(pdf_to_pages(c.to_pdf()), "en")
    items = [(i["description"]["value"], i["quantity"]["value"], i["unit_price"]["value"],
              i["total_price"]["value"]) for i in result.get("line_item") or []]
    assert items == [("PATAT FRITES 10MM 10KG", 2.0, 9.95, 19.9),
                     ("KAAS 50PL. JONG BEL. 1KG", 1.0, 9.85, 9.85)]


def test_german_totals_block() -> None:
    c = Canvas()
    c.text(40, 60, "Rechnungsnummer: 471102", size=9)
    rows = [("Summe aller Positionen", "314,86"), ("Gesamtsumme", "314,86"),
            ("Summe Umsatzsteuer", "22,04"), ("Gesamtsumme", "336,90"),
            ("Summe Fremdforderungen", "0,00"), ("Fälliger Betrag", "336,90")]
    for k, (label, amount) in enumerate(rows):
        c.text(40, 200 + 16 * k, label, size=9)
        c.text(540, 200 + 16 * k, amount, size=9, align="right")
    result = extract_invoice(pdf_to_pages(c.to_pdf()), "de")
    got = [(result.get(n) or {}).get("value") for n in
           ("net_amount", "tax_amount", "gross_amount", "due_payable_amount")]
    assert got == [314.86, 22.04, 336.9, 336.9]


def test_english_remittance_information_and_allowances() -> None:
    c = Canvas()
    c.text(40, 60, "Invoice number: TOSL108", size=9)
    c.text(40, 200, "Total allowances", size=9)
    c.text(540, 200, "100.00", size=9, align="right")
    c.text(40, 260, "Due date:", size=9)
    c.text(130, 260, "2013-07-20", size=9)
    c.text(300, 260, "Remittance informati-", size=9)  # the label column's hyphenation
    c.text(300, 272, "on:", size=9)
    c.text(420, 260, "0003434323213231", size=9)
    result = extract_invoice(pdf_to_pages(c.to_pdf()), "en")
    assert (result.get("payment_reference") or {}).get("value") == "0003434323213231"
    assert (result.get("discount_amount") or {}).get("value") == 100.0
