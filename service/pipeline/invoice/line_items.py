"""Line items from the item table, checked by quantity x unit price = total."""

from __future__ import annotations

from typing import Any

from service.pipeline.invoice.layout import Tok
from service.pipeline.invoice.table import Table
from service.pipeline.invoice.totals import num, rate_of
from service.pipeline.invoice.values import Extraction, ex, seg_value


def _plausible_quantity(value: float) -> bool:
    return value > 0 and abs(value * 4 - round(value * 4)) < 0.002


def _cell(value: Any, toks: list[Tok] | None, checked: dict[str, Any]) -> Extraction | None:
    if value is None or not toks:
        return None
    return ex(value, checked["confidence"], toks, checked["problem"], checked["note"])


def line_items(tables: list[Table]) -> list[dict[str, Any]]:
    out = []
    for table in tables:
        for item in table.items:
            cells = item.cells
            qty, price, total = (
                num(cells.get("qty")),
                num(cells.get("price")),
                num(cells.get("total")),
            )
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
            desc_toks = cells.get("desc", [])

            checked = {"confidence": conf, "problem": problem, "note": note}
            pos = cells.get("pos")
            out.append(
                {
                    "pos_id": _cell(" ".join(t.text for t in pos) if pos else None, pos, checked),
                    "description": ex(seg_value(desc_toks).strip(" :;|"), 0.9, desc_toks),
                    "quantity": _cell(qty, cells.get("qty"), checked),
                    "unit_price": _cell(price, cells.get("price"), checked),
                    "total_price": _cell(total, cells.get("total"), checked),
                    "tax_rate": _cell(rate_of(cells.get("tax")), cells.get("tax"), checked),
                }
            )
    return out

