"""Line items of a table that has no heading row the item vocabulary knows.

Read only when the heading-led tables (table.py) gave no item. Without a heading, a row is
an item only by its arithmetic:
- a priced row: a description and, among its numbers, a quantity and a unit price whose
  product is the row's last amount (its total);
- or a run of rows each with a description and one amount, printed one under the other
  with their amounts right-aligned, when the amounts add up to the invoice's net amount
  (or to its gross amount where it states no tax).
A text-only line right under an item, starting inside its description, continues that
description (at most two lines). Rows that name a sum, a tax or a payment are never items.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from service.pipeline.invoice.amounts import decimal_comma, parse_number
from service.pipeline.invoice.layout import Layout, Row, Tok
from service.pipeline.invoice.values import Extraction, ex, seg_value

_NOT_AN_ITEM = re.compile(
    r"(?i)\b(sub-?total|total|summe|gesamt|zwischensumme|netto|brutto|net|gross|amount due|"
    r"balance|mwst|ust|vat|tax|tva|btw|iva|taxe|montant|bedrag|totaal|importe|importo|"
    r"\w*betrag|\w*summe|zuschläge|abschläge|paid|payment|zahlung|skonto|rabatt|discount|"
    r"rounding|page|seite|iban|bic|swift|prepaid|deposit|acompte|solde|saldo)\b"
)
_WORD = re.compile(r"[^\W\d_]{3,}")
_AMOUNT = re.compile(r"[-\u2212]?[\d.,'\u2019\s]*\d[.,]\d{2}")  # two decimals: money


@dataclass(slots=True)
class _Line:
    row: Row
    desc: list[Tok]
    numbers: list[tuple[float, Tok]] = field(default_factory=list)

    def left_of(self, tok: Tok) -> list[Tok]:
        """The description as printed left of a number ('March 2024' keeps its year)."""
        left = [t for t in sorted(self.row.toks, key=lambda t: t.x1) if t.x2 <= tok.x1]
        return left if _WORD.search(" ".join(t.text for t in left)) else self.desc


def _split(row: Row, comma: bool | None) -> _Line | None:
    """The row's description words and its numbers (a '%' figure is neither)."""
    line = _Line(row, [])
    for tok in sorted(row.toks, key=lambda t: t.x1):
        text = tok.text.strip()
        value = parse_number(text, comma) if re.search(r"\d", text) else None
        if value is not None and "%" not in text and not re.search(r"[^\W\d_]{2}", text):
            line.numbers.append((value, tok))
        elif "%" not in text:
            line.desc.append(tok)
    words = " ".join(t.text for t in line.desc)
    if not _WORD.search(words) or _NOT_AN_ITEM.search(words):
        return None
    return line


def _money(tok: Tok) -> bool:
    return bool(_AMOUNT.search(tok.text))


def _priced(line: _Line) -> tuple[tuple[float, Tok], tuple[float, Tok], tuple[float, Tok]] | None:
    """(quantity, unit price, total): the last amount and two numbers before it whose
    product it is; the quantity is the one left of the price, or the whole number."""
    if len(line.numbers) < 3 or not _money(line.numbers[-1][1]):
        return None
    total = line.numbers[-1]
    before = line.numbers[:-1]
    for i, q in enumerate(before):
        for p in before[i + 1:]:
            if abs(q[0] * p[0] - total[0]) > 0.011 + abs(total[0]) * 0.0005:
                continue
            if not (q[0] > 0 and abs(q[0] * 4 - round(q[0] * 4)) < 0.002) and p[0] > 0:
                q, p = p, q  # the price printed first: '12.50  3  37.50'
            return q, p, total
    return None


def _close(a: float, b: float, n: int) -> bool:
    return abs(abs(a) - abs(b)) <= 0.011 * max(n, 1)


def _item(line: _Line, qty: tuple[float, Tok] | None, price: tuple[float, Tok] | None,
          total: tuple[float, Tok], desc: list[Tok], conf: float) -> dict[str, Any]:
    def cell(found: tuple[float, Tok] | None) -> Extraction | None:
        return None if found is None else ex(found[0], conf, [found[1]])

    return {
        "pos_id": None, "article_id": None, "ean": None,
        "description": ex(seg_value(desc), conf, desc),
        "quantity": cell(qty), "unit_of_measure": None, "service_period": None,
        "unit_price": cell(price), "total_price": cell(total), "tax_rate": None,
    }


def _continued(rows: list[Row], k: int, line: _Line, items: set[int],
               first: Tok) -> list[Tok]:
    """The description left of the row's first used number, with the text-only lines
    right under it (at most two)."""
    desc = line.left_of(first)
    x1 = min(t.x1 for t in desc)
    x2 = max(t.x2 for t in desc)
    height = max(t.height for t in desc)
    last = rows[k]
    for row in rows[k + 1:k + 3]:
        if row.index in items or row.y1 - last.y2 > 1.2 * height:
            break
        if any(re.search(r"\d[.,]\d{2}", t.text) for t in row.toks):
            break
        start = min(t.x1 for t in row.toks)
        if not x1 - height <= start <= x2 or _NOT_AN_ITEM.search(" ".join(
                t.text for t in row.toks)):
            break
        desc.extend(sorted(row.toks, key=lambda t: t.x1))
        last = row
    return desc


def headless_items(layout: Layout, net: Extraction | None, gross: Extraction | None,
                   tax: Extraction | None) -> list[dict[str, Any]]:
    comma = decimal_comma([t.text for row in layout.rows for t in row.toks])
    items: list[dict[str, Any]] = []
    for page in sorted(layout.page_sizes):
        rows = layout.page_rows(page)
        lines = {k: line for k, row in enumerate(rows) if (line := _split(row, comma))}
        priced = {k: found for k, line in lines.items() if (found := _priced(line))}
        taken = {rows[k].index for k in priced}
        for k, (q, p, t) in sorted(priced.items()):
            first = min((q[1], p[1]), key=lambda tok: tok.x1)
            items.append(_item(lines[k], q, p, t,
                               _continued(rows, k, lines[k], taken, first), 0.75))
        if not priced:
            items.extend(_summed_run(rows, lines, net, gross, tax))
    if len(items) == 1 and net is not None and not _close(
            items[0]["total_price"]["value"], net["value"], 1):
        return []  # one lone priced row that is not the whole invoice: too little to go on
    return items


def _summed_run(rows: list[Row], lines: dict[int, _Line], net: Extraction | None,
                gross: Extraction | None, tax: Extraction | None) -> list[dict[str, Any]]:
    """The longest run of one-amount rows, right-aligned under each other, whose amounts
    add up to the net amount (or the gross, where no tax is stated)."""
    targets = [e["value"] for e in (net,) if e]
    if gross and (tax is None or not tax["value"]):
        targets.append(gross["value"])
    if not targets:
        return []
    single = {k: line for k, line in lines.items()
              if line.numbers and line.numbers[-1][0]
              and [_money(t) for _, t in line.numbers] == [False] * (len(line.numbers) - 1)
              + [True]}
    best: list[int] = []
    for start in sorted(single):
        run = [start]
        right = single[start].numbers[-1][1].x2
        for k in range(start + 1, len(rows)):
            if k in single and abs(single[k].numbers[-1][1].x2 - right) <= 3:
                run.append(k)
            elif k in single or any(re.search(r"\d[.,]\d{2}", t.text) for t in rows[k].toks):
                break
            if len(run) > 60:
                break
        for end in range(len(run), 1, -1):
            total = sum(single[k].numbers[-1][0] for k in run[:end])
            if any(_close(total, x, end) for x in targets) and end > len(best):
                best = run[:end]
                break
    taken = {rows[k].index for k in best}
    return [_item(single[k], None, None, single[k].numbers[-1],
                  _continued(rows, k, single[k], taken, single[k].numbers[-1][1]), 0.7)
            for k in best]
