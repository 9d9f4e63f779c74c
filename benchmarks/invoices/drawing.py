"""Drawing helpers the generated layouts share: tables, label/value pairs, page numbers."""

from __future__ import annotations

import datetime as dt
import itertools
from collections.abc import Callable
from dataclasses import dataclass

from benchmarks.invoices.model import Invoice, Item
from benchmarks.invoices.pdfcanvas import Canvas
from benchmarks.invoices.vocab import MONTHS_DE, MONTHS_EN

# --- drawing helpers -----------------------------------------------------------------------


@dataclass
class Col:
    key: str  # pos, desc, qty, unit, price, total, tax
    header: str
    x1: float
    x2: float
    align: str = "left"


def _cell(inv: Invoice, item: Item, key: str, symbol: str | None) -> str:
    return {
        "pos": item.pos,
        "desc": item.description,
        "qty": inv.qty(item.quantity),
        "unit": item.unit,
        "price": inv.money(item.unit_price, symbol),
        "total": inv.money(item.total, symbol),
        "tax": inv.rate(item.tax_rate),
    }[key]


Header = Callable[[Canvas, Invoice], float]


def draw_table(
    c: Canvas,
    inv: Invoice,
    cols: list[Col],
    y: float,
    style: str,
    continuation: Header,
    symbol: str | None = None,
    row_h: float = 15,
    size: float = 9,
) -> float:
    """Draw the item table, breaking pages as needed; returns y below the table."""
    edges = [cols[0].x1 - 4] + [(a.x2 + b.x1) / 2 for a, b in itertools.pairwise(cols)]
    edges.append(cols[-1].x2 + 4)

    def header(y: float) -> float:
        if style == "shaded":
            c.rect(edges[0], y - 11, edges[-1] - edges[0], row_h, fill=0.85)
        for col in cols:
            x = col.x2 if col.align == "right" else col.x1
            c.text(x, y, col.header, size=size, bold=True, align=col.align)
        if style == "grid":
            for a, b in itertools.pairwise(edges):
                c.rect(a, y - 11, b - a, row_h)
        elif style in ("lines", "shaded"):
            c.line(edges[0], y + 4, edges[-1], y + 4)
        return y + row_h

    y = header(y)
    for item in inv.items:
        if y > 730:
            c.new_page()
            y = header(continuation(c, inv))
        for col in cols:
            x = col.x2 if col.align == "right" else col.x1
            c.text(x, y, _cell(inv, item, col.key, symbol), size=size, align=col.align)
        if style == "grid":
            for a, b in itertools.pairwise(edges):
                c.rect(a, y - 11, b - a, row_h)
        elif style == "lines":
            c.line(edges[0], y + 4, edges[-1], y + 4, width=0.3)
        y += row_h
    if style in ("lines", "shaded", "plain"):
        c.line(edges[0], y - 11, edges[-1], y - 11)
    return y + 8


def ensure_room(c: Canvas, inv: Invoice, y: float, need: float, continuation: Header) -> float:
    if y + need <= 760:
        return y
    c.new_page()
    return continuation(c, inv) + 10


def draw_pairs(
    c: Canvas,
    pairs: list[tuple[str, str]],
    x_label: float,
    x_value: float,
    y: float,
    step: float = 13,
    size: float = 9,
    value_align: str = "left",
    bold_last: bool = False,
) -> float:
    for i, (label, value) in enumerate(pairs):
        bold = bold_last and i == len(pairs) - 1
        c.text(x_label, y, label, size=size, bold=bold)
        c.text(x_value, y, value, size=size, bold=bold, align=value_align)
        y += step
    return y


def number_pages(c: Canvas, fmt: Callable[[int, int], str], x: float, align: str) -> None:
    for i in range(c.page_count):
        c.text(x, 822, fmt(i + 1, c.page_count), size=8, align=align, page=i)


def de_long_date(d: dt.date) -> str:
    return f"{d.day}. {MONTHS_DE[d.month - 1]} {d.year}"


def en_long_date(d: dt.date) -> str:
    return f"{d.day} {MONTHS_EN[d.month - 1]} {d.year}"


def de_short_date(d: dt.date) -> str:
    return d.strftime("%d.%m.%Y")
