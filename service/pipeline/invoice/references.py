"""Referenced documents, the payment reference, the service period, allowances and
charges, early payment terms.

Each is found by its printed label (labels.LABELS) in English, German, French, Dutch,
Spanish and Italian; the early payment discount ('2 % Skonto bei Zahlung bis 15.06.2024',
'2% discount if paid within 10 days', 'escompte de 2 % pour paiement sous 8 jours') from
its sentence, its amounts computed from the gross amount. Without a labelled payment
reference, a number the page asks to quote when paying ('VSNR: 01.234.567.8' above '(Bei
Schriftwechsel und Zahlung bitte angeben.)'), or the invoice's own number where the
payment instruction names the invoice as what is paid ('Facture à régler par virement').
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

from service.pipeline.invoice.layout import Layout, Segment
from service.pipeline.invoice.parsers import (
    Parsed,
    Parser,
    find_labeled,
    first,
    parse_ident,
    parse_money,
    parse_reference,
)
from service.pipeline.invoice.values import Candidate, Extraction, cand_ex, ex

_REFERENCE_FIELDS = (("order_numbers", "order_number"),
                     ("order_confirmation_numbers", "order_confirmation_number"),
                     ("delivery_note_numbers", "delivery_note_number"))  # fmt: skip
_DISCOUNT_WORD = r"(?:skonto|escompte|discount|korting|sconto|descuento|early\s+payment)"
_PERCENT = r"(\d{1,2}(?:[.,]\d{1,2})?)\s*%"
_EARLY = re.compile(
    rf"{_PERCENT}\s*(?:{_DISCOUNT_WORD}|[^%]{{0,40}}?{_DISCOUNT_WORD})"
    # 'Skonto 2 %', 'Skontovereinbarung: 2% bei Zahlung innerhalb 10 Tagen'
    rf"|{_DISCOUNT_WORD}(?:vereinbarung|betrag|satz|terms|agreement)?\s*:?\s*"
    rf"(?:von|of|de|van|di|del)?\s*{_PERCENT}", re.I
)
_DAYS = re.compile(r"(?:innerhalb|within|sous|binnen|entro|en|in)\s+(?:von\s+)?(\d{1,3})\s*"
                   r"(?:tagen|days|jours|dagen|giorni|d[íi]as)", re.I)
# a note under a number: quote it when paying
_QUOTE_ABOVE = re.compile(
    r"^\(?(?:bei\s+(?:schriftwechsel\s+und\s+)?zahlung(?:en)?\s+(?:bitte\s+)?angeben|"
    r"(?:please\s+)?quote\s+(?:this|it)\s+(?:when\s+paying|with\s+(?:your\s+)?payment)|"
    r"[àa]\s+rappeler\s+lors\s+du\s+(?:paiement|r[èe]glement))\.?\)?$", re.I)
# a payment instruction that names the invoice itself as what is paid
_PAY_THIS_INVOICE = re.compile(
    r"\bfacture\s+(?:[àa]\s+r[ée]gler|payable)\s+par\s+virement"
    r"|\binvoice\s+(?:to\s+(?:be\s+)?pa(?:y|id)|payable)\s+by\s+(?:sepa\s+)?(?:wire\s+|bank\s+)?"
    r"transfer|\brechnung\s+(?:ist\s+)?(?:per|durch)\s+überweisung\s+zu\s+(?:be)?zahlen",
    re.I)
_UNTIL = re.compile(r"(?:bis|until|by|before|jusqu'au|avant\s+le|tot|entro\s+il|hasta\s+el)"
                    r"\s*(?:zum\s+)?", re.I)


def references(layout: Layout, skip: set[int], taken: set[str]) -> dict[str, list[Extraction]]:
    """Order, order confirmation and delivery note numbers; a number is in one list only
    and never one of `taken` (the invoice's own number, the customer number)."""
    out: dict[str, list[Extraction]] = {}
    seen = set(taken)
    for key, label in _REFERENCE_FIELDS:
        found: dict[str, Candidate] = {}
        for c in find_labeled(layout, label, parse_ident, skip):
            if c.value not in seen:
                found.setdefault(c.value, c)
        seen |= set(found)
        out[key] = [e for c in found.values() if (e := cand_ex(c)) is not None]
    return out


def payment_reference(layout: Layout, skip: set[int], number: Candidate | None
                      ) -> Extraction | None:
    """The labelled payment reference; else a number the page asks to quote when paying;
    else the invoice number, where the payment instruction names the invoice."""
    labelled = first(find_labeled(layout, "payment_reference", parse_reference, skip))
    if labelled is not None:
        return cand_ex(labelled)
    rows = layout.rows
    for i, row in enumerate(rows[1:], start=1):
        above = rows[i - 1]
        if id(row) in skip or above.page != row.page or not _QUOTE_ABOVE.match(row.text.strip()):
            continue
        toks = [t for t in above.toks if re.search(r"\d", t.text) and len(t.text) >= 4
                and t.x1 < row.toks[-1].x2]
        if toks:
            value = toks[-1].text.strip(".,;:()")
            return ex(value, 0.75, toks[-1:])
    if number is not None and any(
            id(row) not in skip and _PAY_THIS_INVOICE.search(row.text) for row in rows):
        return ex(number.value, 0.6, number.toks,
                  note="no payment reference printed; the invoice number the payment "
                       "instruction refers to")
    return None


def service_period(layout: Layout, skip: set[int], parse_day: Parser) -> dict[str, Any] | None:
    def parse(text: str) -> Parsed | None:
        start = parse_day(text)
        if start is None:
            return None
        end = parse_day(text[start[2] :])
        if end is None or end[0] < start[0]:
            return None
        return (start[0], end[0]), start[1], start[2] + end[2]

    found = first(find_labeled(layout, "service_period", parse, skip))
    if found is None:
        return None
    start, end = found.value
    return {"start_date": ex(start, found.confidence, found.toks[:1]),
            "end_date": ex(end, found.confidence, found.toks[-1:])}


def allowance(layout: Layout, skip: set[int], field: str) -> Extraction | None:
    """The document's discount_amount or additional_cost; a printed 0,00 is none."""
    for c in find_labeled(layout, field, parse_money, skip, same_row=True):
        if c.value:
            return cand_ex(c)
    return None


def early_payment(layout: Layout, skip: set[int], date: str | None,
                  gross: float | None, parse_day: Parser) -> list[dict[str, Any]]:
    for row in layout.rows:
        if id(row) in skip:
            continue
        seg = Segment(list(row.toks))
        text = seg.text
        m = _EARLY.search(text)
        if m is None:
            continue
        percent = float((m.group(1) or m.group(2)).replace(",", "."))
        if not 0 < percent < 20:
            continue
        entry: dict[str, Any] = {"discount_percentage": ex(percent, 0.8, seg.span(*m.span()))}
        when = _UNTIL.search(text)
        parsed = parse_day(text[when.end() :]) if when else None
        days = _DAYS.search(text)
        if parsed is not None and when is not None:
            a = when.end() + parsed[1]
            entry["early_payment_date"] = ex(parsed[0], 0.8, seg.span(a, when.end() + parsed[2]))
        elif days is not None and date is not None:
            due = dt.date.fromisoformat(date) + dt.timedelta(days=int(days.group(1)))
            entry["early_payment_date"] = ex(due.isoformat(), 0.6, seg.span(*days.span()),
                                             note=f"invoice date + {days.group(1)} days")
        if gross:
            discount = round(gross * percent / 100, 2)
            entry["discount_amount"] = ex(discount, 0.6, [], note="gross x percentage")
            entry["new_amount"] = ex(round(gross - discount, 2), 0.6, [],
                                     note="gross - discount")
        return [entry]
    return []
