"""Line items from the item tables: every cell of an item, checked by quantity x unit price
= total, and the sum of the line totals checked against the net amount."""

from __future__ import annotations

import re
from typing import Any

from service.pipeline.invoice.amounts import parse_number
from service.pipeline.invoice.dates import parse_date
from service.pipeline.invoice.layout import Tok
from service.pipeline.invoice.table import ItemRow, Table, money
from service.pipeline.invoice.values import Extraction, ex, seg_value

_POS = re.compile(r"\d{1,4}(?:\.\d{1,3})*\.?|[A-Z]?\d{1,4}[a-z]?")
_GTIN = re.compile(r"\d{8}|\d{12,14}")
_PERIOD = re.compile(
    r"(\d{1,2}[./-]\d{1,2}[./-]\d{2,4})\s*(?:bis|to|till|until|au|tot|al|a|-|\u2013)\s*"
    r"(\d{1,2}[./-]\d{1,2}[./-]\d{2,4})", re.I
)


def _plausible_quantity(value: float) -> bool:
    return value > 0 and abs(value * 4 - round(value * 4)) < 0.002


def gtin_ok(digits: str) -> bool:
    """The GS1 check digit of an EAN-8, UPC-A, EAN-13 or GTIN-14."""
    body, check = digits[:-1], int(digits[-1])
    total = sum(int(d) * (3 if i % 2 == 0 else 1) for i, d in enumerate(reversed(body)))
    return (10 - total % 10) % 10 == check


def _number(toks: list[Tok] | None, comma: bool | None) -> tuple[float, list[Tok]] | None:
    """The first number in a cell, with the words it spans ('1 234,50' is two)."""
    toks = toks or []
    for k, tok in enumerate(toks):
        if "%" in tok.text:
            continue
        run = [tok]
        if re.fullmatch(r"\d{1,3}", tok.text):
            for nxt in toks[k + 1 :]:
                if not re.fullmatch(r"\d{3}(?:[.,]\d{1,4})?", nxt.text):
                    break
                run.append(nxt)
        value = parse_number(" ".join(t.text for t in run), comma)
        if value is not None:
            return value, run
    return None


def _text_ex(toks: list[Tok] | None, confidence: float) -> Extraction | None:
    value = seg_value(toks or []).strip(" :;|")
    return ex(value, confidence, toks or []) if value else None


def _idents(item: ItemRow) -> tuple[Extraction | None, Extraction | None, Extraction | None]:
    pos = next((t for t in item.cells.get("pos", []) if _POS.fullmatch(t.text)), None)
    ean = next((t for kind in ("ean", "article", "desc") for t in item.cells.get(kind, [])
                if _GTIN.fullmatch(t.text) and gtin_ok(t.text)), None)
    article = next((t for t in item.cells.get("article", []) if t is not ean and (
        re.search(r"\d", t.text) or re.fullmatch(r"[A-Z][A-Z\d\-/.]{2,}", t.text))), None)
    if pos is None and article is not None and re.fullmatch(r"\d{1,3}\.?", article.text):
        pos, article = article, None  # '1', '2' under 'Art.-Nr.': positions
    return (
        ex(pos.text.rstrip("."), 0.85, [pos]) if pos else None,
        ex(article.text.strip("()"), 0.8, [article]) if article else None,
        ex(ean.text, 0.9, [ean]) if ean else None,
    )


def _service_period(item: ItemRow) -> dict[str, Extraction] | None:
    toks = [t for row in item.desc_rows for t in row]
    text = " ".join(t.text for t in toks)
    m = _PERIOD.search(text)
    if m is None:
        return None
    start, end = parse_date(m.group(1)), parse_date(m.group(2))
    if start is None or end is None or end < start:
        return None
    words = [t for t in toks if t.text in (m.group(1), m.group(2))]
    return {"start_date": ex(start.isoformat(), 0.8, words[:1]),
            "end_date": ex(end.isoformat(), 0.8, words[1:2])}


def _unit(item: ItemRow) -> Extraction | None:
    if item.cells.get("unit"):
        return _text_ex(item.cells["unit"], 0.8)
    words = [t for t in item.cells.get("qty", []) if re.fullmatch(r"[^\W\d_][\w²³.]{0,7}", t.text)]
    return _text_ex(words[:1], 0.75) if words else None


def _item(item: ItemRow, comma: bool | None) -> dict[str, Any]:
    cells = item.cells
    qty_found = _number(cells.get("qty"), comma)
    price_found = _number(cells.get("price"), comma)
    total = money(cells.get("total"), comma)
    qty = qty_found[0] if qty_found else None
    if qty is not None and total is not None:
        # a list price above its discounted price: the one that makes the total
        for toks in [cells.get("price", []), *item.later.get("price", [])]:
            found = _number(toks, comma)
            if found is not None and abs(qty * found[0] - total) <= 0.011 + abs(total) * 0.0005:
                price_found = found
                break
    price = price_found[0] if price_found else None
    problem, note, conf = False, "", 0.85
    if qty is not None and price is not None and total is not None:
        if abs(qty * price - total) <= 0.011 + abs(total) * 0.0005:
            conf = 0.97
        elif price and _plausible_quantity(total / price):
            # one misread cell: trust the two that agree with the totals
            qty = round(total / price, 2)
            problem, note, conf = True, "quantity recomputed as total / unit price", 0.6
        else:
            problem, note, conf = True, "quantity x unit price does not equal total", 0.5

    def cell(value: Any, toks: list[Tok] | None) -> Extraction | None:
        if value is None or not toks:
            return None
        return ex(value, conf, toks, problem, note)

    rate_toks = cells.get("tax")
    rate = _rate(rate_toks)
    pos, article, ean = _idents(item)
    return {
        "pos_id": pos,
        "article_id": article,
        "ean": ean,
        "description": _text_ex(cells.get("desc"), 0.9),
        "quantity": cell(qty, qty_found[1] if qty_found else None),
        "unit_of_measure": _unit(item),
        "service_period": _service_period(item),
        "unit_price": cell(price, price_found[1] if price_found else None),
        "total_price": cell(total, cells.get("total")),
        "tax_rate": ex(rate, 0.85, rate_toks or []) if rate is not None else None,
    }


def _rate(toks: list[Tok] | None) -> float | None:
    if not toks:
        return None
    m = re.search(r"(\d{1,2}(?:[.,]\d{1,2})?)\s*%?", " ".join(t.text for t in toks))
    return float(m.group(1).replace(",", ".")) if m else None


def line_items(tables: list[Table]) -> list[dict[str, Any]]:
    return [_item(item, table.comma) for table in tables for item in table.items]


def count_line_items(items: list[dict[str, Any]], net: Extraction | None,
                     discount: Extraction | None = None,
                     charge: Extraction | None = None) -> Extraction | None:
    """number_of_line_items, flagged when the line totals, less the invoice's discount and
    plus its additional cost, do not add up to the net amount."""
    if not items:
        return None
    totals = [i["total_price"]["value"] for i in items if i.get("total_price")]
    if net is None or len(totals) < len(items):
        return ex(len(items), 0.8, [])
    line_sum = round(sum(totals), 2)
    off = abs((discount or {}).get("value") or 0.0) - abs((charge or {}).get("value") or 0.0)
    tolerance = 0.011 * len(items)
    if any(abs(abs(line_sum) - adjust - abs(net["value"])) <= tolerance for adjust in {0.0, off}):
        return ex(len(items), 0.95, [])
    note = f"line totals add up to {line_sum:.2f}, the net amount is {net['value']:.2f}"
    if off:
        note += " (also with the invoice's discount and additional cost)"
    return ex(len(items), 0.5, [], problem=True, note=note)
