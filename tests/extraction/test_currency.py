"""The currency read with its context, from generated PDFs."""

from __future__ import annotations

import pytest

from benchmarks.invoices.convert import pdf_to_pages
from benchmarks.invoices.pdfcanvas import Canvas
from service.pipeline.invoice.extract import extract_invoice


def _currency(address: str, amounts: list[str]) -> str | None:
    c = Canvas()
    c.text(60, 60, "Maple Supplies Inc.", size=14, bold=True)
    c.text(60, 76, address, size=8)
    c.text(60, 120, "Invoice no. 2024-17", size=12)
    for n, amount in enumerate(amounts):
        c.text(60, 160 + 16 * n, f"Item {n + 1}", size=9)
        c.text(500, 160 + 16 * n, amount, size=9, align="right")
    node = extract_invoice(pdf_to_pages(c.to_pdf()), "en")["currency"]
    return node["value"] if node else None


CASES = [
    ("12 King St W, Toronto, Ontario, Canada", ["$120.00", "$15.00"], "CAD"),
    ("1 Market St, Sydney NSW 2000, Australia", ["$120.00"], "AUD"),
    ("500 Main St, Austin, TX 78701", ["$120.00"], "USD"),
    ("MG Road, Bengaluru 560001, India", ["Rs. 1,20,000.00"], "INR"),
    ("King Fahd Road, Riyadh, Saudi Arabia", ["SAR 1,150.00", "SAR 172.50"], "SAR"),
    ("Bahnhofstrasse 1, 8001 Zürich", ["CHF 1'234.50"], "CHF"),
]


@pytest.mark.parametrize(("address", "amounts", "code"), CASES, ids=[c[2] for c in CASES])
def test_currency_with_its_country(address: str, amounts: list[str], code: str) -> None:
    assert _currency(address, amounts) == code
