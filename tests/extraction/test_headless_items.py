"""Line items of tables without a heading row, read from generated PDFs by their
arithmetic alone (service/pipeline/invoice/headless_items.py)."""

from __future__ import annotations

from typing import Any

from benchmarks.invoices.convert import pdf_to_pages
from benchmarks.invoices.pdfcanvas import Canvas
from service.pipeline.invoice.extract import extract_invoice


def _items(c: Canvas) -> list[tuple[Any, ...]]:
    result = extract_invoice(pdf_to_pages(c.to_pdf()), "en")

    def value(item: dict[str, Any], name: str) -> Any:
        return (item.get(name) or {}).get("value")

    return [(value(i, "description"), value(i, "quantity"), value(i, "unit_price"),
             value(i, "total_price")) for i in result["line_item"]]


def _head(c: Canvas) -> None:
    c.text(60, 50, "Northwind Supplies Ltd · 5 Harbour Road · Leeds LS1 4AP", size=7)
    c.text(60, 90, "Invoice no. NW-2024-17", size=12, bold=True)
    c.text(60, 106, "Invoice date: 3 March 2024", size=9)


def test_priced_rows_without_a_heading_and_a_wrapped_description() -> None:
    c = Canvas()
    _head(c)
    y = 160
    for desc, qty, price, total in [("Widget, blue", "2", "10.00", "20.00"),
                                    ("Gadget deluxe", "3", "5.50", "16.50")]:
        c.text(60, y, desc, size=9)
        c.text(330, y, qty, size=9, align="right")
        c.text(420, y, price, size=9, align="right")
        c.text(520, y, total, size=9, align="right")
        y += 14
    c.text(60, y, "with spare cable and manual", size=9)  # the gadget's second line
    c.text(60, y + 30, "Net amount", size=9)
    c.text(520, y + 30, "36.50", size=9, align="right")
    c.text(60, y + 44, "VAT 20%", size=9)
    c.text(520, y + 44, "7.30", size=9, align="right")
    c.text(60, y + 58, "Total", size=9)
    c.text(520, y + 58, "43.80", size=9, align="right")
    assert _items(c) == [("Widget, blue", 2.0, 10.0, 20.0),
                         ("Gadget deluxe with spare cable and manual", 3.0, 5.5, 16.5)]


def test_one_amount_rows_that_add_up_to_the_net_amount() -> None:
    c = Canvas()
    _head(c)
    for n, (desc, amount) in enumerate([("Consulting, March 2024", "1,200.00"),
                                        ("Travel expenses Leeds to London", "300.00")]):
        c.text(60, 160 + 14 * n, desc, size=9)
        c.text(520, 160 + 14 * n, amount, size=9, align="right")
    c.text(60, 220, "Net amount", size=9)
    c.text(520, 220, "1,500.00", size=9, align="right")
    c.text(60, 234, "VAT 20%", size=9)
    c.text(520, 234, "300.00", size=9, align="right")
    c.text(60, 248, "Total", size=9)
    c.text(520, 248, "1,800.00", size=9, align="right")
    assert _items(c) == [("Consulting, March 2024", None, None, 1200.0),
                         ("Travel expenses Leeds to London", None, None, 300.0)]


def test_amounts_that_do_not_make_the_invoice_are_no_items() -> None:
    c = Canvas()
    _head(c)
    for n, (desc, amount) in enumerate([("Reminder fee", "12.00"), ("Late interest", "13.00")]):
        c.text(60, 160 + 14 * n, desc, size=9)
        c.text(520, 160 + 14 * n, amount, size=9, align="right")
    c.text(60, 220, "Net amount", size=9)
    c.text(520, 220, "100.00", size=9, align="right")
    c.text(60, 234, "Total", size=9)
    c.text(520, 234, "120.00", size=9, align="right")
    assert _items(c) == []
