"""Invoice fields from OCR words by layout, not by per-issuer templates.

The steps, in order:
  1. rows and phrases from word geometry (invoice_layout)
  2. the item table from its header row's column ranges (invoice_table)
  3. labelled values: on the label's row to the right, or just below it
  4. totals chosen so that net + tax = gross where the page allows it
  5. vendor from letterhead / sender line, customer from the address block (invoice_parties)
Every value keeps the words it came from, so the result can point back into the OCR.
"""

from __future__ import annotations

import datetime as dt
import itertools
import re
import statistics
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

from service.pipeline.invoice_layout import Layout, Row, Segment, Tok, build_layout, norm
from service.pipeline.invoice_parties import (
    CUSTOMER_LABEL,
    LEGAL_FORM,
    SHIP_LABEL,
    VENDOR_LABEL,
    Block,
    customer_score,
    find_blocks,
    find_inline_addresses,
    letterhead_names,
)
from service.pipeline.invoice_table import Table, find_tables
from service.pipeline.validators import (
    normalize_bic,
    normalize_currency,
    normalize_iban,
    normalize_vat_id,
    parse_amount,
    parse_date,
)
from service.pipeline.words import PageText

Extraction = dict[str, Any]
Parsed = tuple[Any, int, int]  # value and the [start, end) characters it came from
Parser = Callable[[str], Parsed | None]

# (pattern, may the label sit inside a longer phrase?) in order of preference.
LABELS: dict[str, list[tuple[str, bool]]] = {
    "number": [
        (r"rechnungs-?\s?(?:nummer|nr\.?)", True),
        (r"rechnung\s+(?:nr\.?|nummer|no\.?)", True),
        (r"re\.?-?\s?nr\.?", False),
        (r"beleg-?\s?(?:nummer|nr\.?)", False),
        (r"invoice\s+(?:number|no\.?|nr\.?|#|num\.?)", True),
        (r"invoice\s?#", True),
        (r"inv\.?\s?(?:no\.?|#)", False),
        (r"invoice\s+ref(?:erence)?\.?", False),
        (r"(?:nummer|number|nr\.?|no\.?)", False),
        (r"(?:ref\.?|reference)", False),
        (r"(?:rechnung|invoice)", False),
    ],
    "date": [
        (r"rechnungsdatum", False),
        (r"invoice\s+date", False),
        (r"belegdatum", False),
        (r"ausstellungsdatum", False),
        (r"date\s+of\s+issue", False),
        (r"issue\s+date", False),
        (r"issued(?:\s+on)?", False),
        (r"datum", False),
        (r"date", False),
        (r"vom", True),
        (r"dated", True),
    ],
    "due_date": [
        (r"fällig(?:keitsdatum|keit)?(?:\s+am)?", False),
        (r"due\s+date", False),
        (r"payment\s+due(?:\s+date)?", False),
        (r"zahlbar\s+(?:ohne\s+abzug\s+)?bis(?:\s+zum)?", True),
        (r"payable\s+(?:by|until|before)", True),
        (r"due(?:\s+by|\s+on)?", False),
        (r"pay\s+by", True),
        (r"zahlungsziel", False),
        (r"bis\s+zum", True),
    ],
    "customer_number": [
        (r"kunden-?\s?(?:nummer|nr\.?)", True),
        (r"kd\.?-?\s?nr\.?", True),
        (r"customer\s+(?:no\.?|number|id|#|nr\.?)", True),
        (r"account\s+(?:no\.?|number)", False),
        (r"client\s+(?:no\.?|number|id)", False),
        (r"debitor(?:en)?-?\s?nr\.?", False),
    ],
    "order_number": [
        (r"bestell-?\s?(?:nummer|nr\.?)", True),
        (r"ihre\s+bestellung(?:\s+nr\.?)?", False),
        (r"auftrags-?\s?(?:nummer|nr\.?)", True),
        (r"(?:purchase\s+)?order\s+(?:no\.?|number|#)", True),
        (r"p\.?\s?o\.?\s?(?:#|no\.?|number)", True),
        (r"purchase\s+order", False),
        (r"your\s+order", False),
        (r"order\s+ref(?:erence)?", False),
    ],
    "payment_reference": [
        (r"verwendungszweck", True),
        (r"zahlungsreferenz", True),
        (r"payment\s+reference", True),
        (r"quoting(?:\s+reference)?", True),
        (r"please\s+quote", True),
    ],
    "net_amount": [
        (r"nettobetrag", False),
        (r"summe\s+netto", False),
        (r"netto(?:summe|betrag)?", False),
        (r"gesamt\s+netto", False),
        (r"warenwert", False),
        (r"zwischensumme", False),
        (r"sub-?\s?total", False),
        (r"net\s+(?:total|amount)", False),
        (r"total\s+net", False),
        (r"total\s+(?:excl\.?|excluding|before)", False),
        (r"goods\s+total", False),
        (r"amount\s+before\s+tax", False),
    ],
    "tax_amount": [
        (r"summe\s+(?:ust|mwst)\.?", False),
        (r"total\s+(?:vat|tax)", False),
        (
            r"(?:zzgl\.?\s+|inkl\.?\s+|enth\.?\s+)?(?:\d{1,2}(?:[.,]\d{1,2})?\s*%\s*)?"
            r"(?:ust|mwst|umsatzsteuer|mehrwertsteuer)",
            False,
        ),
        (r"(?:sales\s+)?(?:vat|tax|gst)", False),
    ],
    "gross_amount": [
        (r"gesamtbetrag", False),
        (r"rechnungsbetrag", False),
        (r"bruttobetrag", False),
        (r"endbetrag", False),
        (r"gesamtsumme", False),
        (r"summe\s+brutto", False),
        (r"brutto", False),
        (r"grand\s+total", False),
        (r"invoice\s+total", False),
        (r"total\s+amount", False),
        (r"total\s+(?:incl\.?|including)", False),
        (r"gesamt", False),
        (r"total", False),
        (r"summe", False),
    ],
    "due_payable_amount": [
        (r"zu\s+zahlen(?:der\s+betrag)?", False),
        (r"zahlbetrag", False),
        (r"offener\s+betrag", False),
        (r"restbetrag", False),
        (r"noch\s+zu\s+zahlen", False),
        (r"amount\s+due", False),
        (r"balance\s+due", False),
        (r"total\s+due", False),
        (r"amount\s+payable", False),
        (r"balance", False),
    ],
    "phone": [(r"(?:tel(?:efon)?\.?|phone|fon|t)", True)],
    "tax_number": [
        (r"steuer-?\s?(?:nummer|nr\.?)", True),
        (r"st\.?-?\s?nr\.?", True),
        (r"tax\s+(?:no\.?|number)", True),
    ],
    "bic": [(r"(?:bic|swift)(?:\s?/\s?(?:bic|swift))?(?:\s+code)?", True)],
}

PAYMENT_WORDS: dict[str, str] = {
    r"überweis|bank\s*transfer|wire\s+transfer|bacs": "bank_transfer",
    r"lastschrift|direct\s+debit|bankeinzug": "direct_debit",
    r"kreditkarte|credit\s*cards?|by\s+card|\bcard\s+is|\bvisa\b|mastercard": "credit_card",
    r"paypal": "paypal",
    r"\bcheques?\b|\bchecks\b|by\s+check|\bscheck\b": "check",
    r"barzahlung|\bin\s+bar\b|\bcash\b": "cash",
}


@dataclass(slots=True)
class Candidate:
    value: Any
    toks: list[Tok]
    confidence: float
    row: Row


def _ex(
    value: Any, confidence: float, toks: list[Tok], problem: bool = False, note: str = ""
) -> Extraction:
    if toks:
        confidence *= 1 - 0.5 * statistics.fmean(t.entropy for t in toks)
    seen: set[tuple[int, int]] = set()
    refs = []
    for tok in toks:
        if (tok.page, tok.bbox_id) not in seen:
            seen.add((tok.page, tok.bbox_id))
            refs.append(tok.ref)
    return {
        "value": value,
        "confidence": round(max(0.0, min(1.0, confidence)), 3),
        "bbox_refs": refs,
        "validation_problem": problem,
        "note": note,
    }


def _cand_ex(c: Candidate | None, **kw: Any) -> Extraction | None:
    return None if c is None else _ex(c.value, c.confidence, c.toks, **kw)


# --- value parsers: text -> (value, start, end) ----------------------------------------------

_IDENT = re.compile(r"(?<![\w])(?=[\w\-/.]*\d)[A-Za-z0-9][\w\-/.]*[A-Za-z0-9]")
_DATEISH = re.compile(
    r"\d{1,4}[./-]\d{1,2}[./-]\d{2,4}|\d{1,2}\.?\s*[A-Za-zäÄ]{3,9}\.?,?\s*\d{4}"
    r"|[A-Za-zä]{3,9}\.?\s*\d{1,2}(?:st|nd|rd|th)?,?\s*\d{4}"
)
_AMOUNTISH = re.compile(
    r"[-\u2212(]?\d{1,3}(?:[.,' ]\d{3})*[.,]\d{2}(?!\d)|[-\u2212]?\d+(?:[.,]\d{2})?(?![\d.,])"
)


def parse_ident(text: str) -> Parsed | None:
    for m in _IDENT.finditer(text):
        ident = m.group(0).rstrip(".")
        if len(ident) < 3 or parse_date(ident) is not None:
            continue
        if re.fullmatch(r"\d{1,3}(?:[.,]\d{3})*[.,]\d{2}", ident):
            continue  # an amount
        return ident, m.start(), m.start() + len(ident)
    return None


def date_parser(language: str) -> Parser:
    def parse(text: str) -> Parsed | None:
        for m in _DATEISH.finditer(text):
            value = parse_date(m.group(0), language)
            if value is not None:
                return value.isoformat(), m.start(), m.end()
        return None

    return parse


_MONEY = re.compile(
    r"[-\u2212(]?\d{1,3}(?:[.,' ]\d{3})*[.,]\d{2}(?!\d)|[-\u2212(]?\d+[.,]\d{2}(?!\d)"
)


def parse_money(text: str) -> Parsed | None:
    """The rightmost amount with cents that is not a percentage."""
    for m in reversed(list(_MONEY.finditer(text))):
        if re.match(r"\s*%", text[m.end() :]):
            continue
        value = parse_amount(m.group(0).lstrip("("))
        if value is not None:
            return value, m.start(), m.end()
    return None


def parse_phone(text: str) -> Parsed | None:
    m = re.search(r"\+?\(?\d[\d ()/\-]{5,}\d", text)
    if m is None or len(re.sub(r"\D", "", m.group(0))) < 6:
        return None
    return m.group(0).strip(), m.start(), m.end()


def parse_tax_number(text: str) -> Parsed | None:
    m = re.search(r"\b\d{2,3}/\d{3,4}/\d{4,5}\b|\b\d{10,13}\b", text)
    return None if m is None else (m.group(0), m.start(), m.end())


def parse_bic(text: str) -> Parsed | None:
    m = re.match(r"\s*:?\s*([A-Z0-9]{8}(?:[A-Z0-9]{3})?)\b", text)
    if m is None or normalize_bic(m.group(1)) is None:
        return None
    return m.group(1), m.start(1), m.end(1)


def parse_reference(text: str) -> Parsed | None:
    m = re.match(r"\s*:?\s*(.+?)[.,;]?\s*$", text)
    if m is None or not re.search(r"\d", m.group(1)):
        return None
    return m.group(1), m.start(1), m.end(1)


# --- labelled values ---------------------------------------------------------------------------


def _label_end(pattern: str, anywhere: bool, text: str) -> int | None:
    prefix = r"(?:^|(?<=[\s(·|,]))" if anywhere else r"^"
    m = re.search(prefix + f"(?:{pattern})" + r"(?![\w-])\s*[:#]?", text)
    return None if m is None else m.end()


def find_labeled(
    layout: Layout,
    field: str,
    parse: Parser,
    skip: set[int],
    same_row: bool = False,
) -> Iterator[Candidate]:
    """Values for field's labels: rest of the phrase, the next phrase right, or the one below."""
    for rank, (pattern, anywhere) in enumerate(LABELS[field]):
        for row_pos, row in enumerate(layout.rows):
            if id(row) in skip:
                continue
            for s, seg in enumerate(row.segments):
                text = norm(seg.text)
                end = _label_end(pattern, anywhere, text)
                if end is None:
                    continue
                base = 0.95 - 0.02 * rank
                options: list[tuple[Segment, int, float]] = [(seg, end, base)]
                if s + 1 < len(row.segments):
                    options.append((row.segments[s + 1], 0, base - 0.03))
                if not same_row:
                    below = _below(layout, row_pos, seg)
                    if below is not None:
                        options.append((below, 0, base - 0.06))
                for option, start, conf in options:
                    parsed = parse(option.text[start:])
                    if parsed is None:
                        continue
                    value, a, b = parsed
                    yield Candidate(value, option.span(start + a, start + b), conf, row)
                    break


def _below(layout: Layout, row_pos: int, seg: Segment) -> Segment | None:
    row = layout.rows[row_pos]
    for nxt in layout.rows[row_pos + 1 : row_pos + 3]:
        if nxt.page != row.page or nxt.y1 - row.y2 > 2.2 * row.height:
            return None
        for other in nxt.segments:
            if min(other.x2, seg.x2) - max(other.x1, seg.x1) > 0:
                return other
    return None


def first(candidates: Iterator[Candidate]) -> Candidate | None:
    return next(candidates, None)


# --- the extractor -----------------------------------------------------------------------------


def extract_invoice(pages: list[PageText], language: str) -> dict[str, Any]:
    result: dict[str, Any] = {"schema_version": 2, "document_type": "invoice"}
    layout = build_layout(pages)
    if not layout.rows:
        return result | _empty()
    tables = find_tables(layout)
    skip = {id(r) for t in tables for r in t.rows}
    fulltext = "\n".join(r.text for r in layout.rows)
    currency = _currency(layout)
    day_first = language != "en" or currency[0] in ("GBP", "EUR")
    parse_day = date_parser("de" if day_first else "en")

    result["number"] = _cand_ex(first(find_labeled(layout, "number", parse_ident, skip)))
    date = first(find_labeled(layout, "date", parse_day, skip))
    result["date"] = _cand_ex(date)
    result["due_date"] = _due_date(layout, skip, parse_day, date, fulltext)
    result["currency"] = None if currency[0] is None else _ex(currency[0], currency[1], currency[2])
    tax_calc = _tax_calculation(layout, skip, tables)
    result.update(_totals(layout, skip, tax_calc, tables))
    result["tax_calculation"] = _tax_calc_out(tax_calc, result, tables)
    result["payment_reference"] = _cand_ex(
        first(find_labeled(layout, "payment_reference", parse_reference, skip))
    )
    orders: dict[str, Candidate] = {}
    for c in find_labeled(layout, "order_number", parse_ident, skip):
        orders.setdefault(c.value, c)
    result["order_numbers"] = [_cand_ex(c) for c in orders.values()]
    result["payment_methods"] = [
        _ex(method, 0.8, [])
        for method in sorted({m for p, m in PAYMENT_WORDS.items() if re.search(p, fulltext, re.I)})
    ]
    vendor, customer = _parties(layout, skip)
    result["vendor"] = vendor
    result["customer"] = customer
    result["line_item"] = _line_items(tables)
    return result


def _empty() -> dict[str, Any]:
    return {
        key: None
        for key in [
            "number",
            "date",
            "due_date",
            "currency",
            "net_amount",
            "tax_amount",
            "gross_amount",
            "due_payable_amount",
            "payment_reference",
            "vendor",
            "customer",
        ]
    } | {"order_numbers": [], "payment_methods": [], "tax_calculation": [], "line_item": []}


def _due_date(
    layout: Layout, skip: set[int], parse_day: Parser, date: Candidate | None, fulltext: str
) -> Extraction | None:
    due = first(find_labeled(layout, "due_date", parse_day, skip))
    if due is not None:
        problem = date is not None and due.value < date.value
        return _cand_ex(due, problem=problem, note="due before invoice date" if problem else "")
    if date is None:
        return None
    m = re.search(
        r"(?:innerhalb\s+(?:von\s+)?|within\s+|net\s+)(\d{1,3})\s*(?:tagen|days)?", fulltext, re.I
    )
    if m is None:
        return None
    value = dt.date.fromisoformat(date.value) + dt.timedelta(days=int(m.group(1)))
    return _ex(value.isoformat(), 0.6, [], note=f"invoice date + {m.group(1)} days")


def _currency(layout: Layout) -> tuple[str | None, float, list[Tok]]:
    counts: dict[str, list[Tok]] = {}
    for row in layout.rows:
        for tok in row.toks:
            text = tok.text.strip(".,:;()")
            code = normalize_currency(text) if len(text) <= 4 and not text.isdigit() else None
            if code is None and re.search(r"[€£$]", tok.text):
                code = normalize_currency(tok.text)
            if code is not None and (len(text) <= 3 or re.search(r"[€£$]", text)):
                counts.setdefault(code, []).append(tok)
    if not counts:
        return None, 0.0, []
    code, toks = max(counts.items(), key=lambda kv: len(kv[1]))
    total = sum(len(v) for v in counts.values())
    return code, 0.6 + 0.35 * len(toks) / total, toks[:3]


_PERCENT = re.compile(r"(\d{1,2}(?:[.,]\d{1,2})?)\s*%")


@dataclass(slots=True)
class TaxLine:
    rate: float
    tax: Candidate | None
    net: Candidate | None


def _tax_calculation(layout: Layout, skip: set[int], tables: list[Table]) -> list[TaxLine]:
    lines: dict[float, TaxLine] = {}
    tax_label = re.compile(
        r"^(?:zzgl\.?\s+|inkl\.?\s+|enth\.?\s+|plus\s+)?(?:\d{1,2}(?:[.,]\d{1,2})?\s*%\s*)?"
        r"(?:ust|mwst|umsatzsteuer|"
        r"mehrwertsteuer|vat|tax|sales\s+tax|gst)\b"
    )
    for row in layout.rows:
        if id(row) in skip:
            continue
        text = row.text
        pct = _PERCENT.search(text)
        if pct is None:
            continue
        rate = float(pct.group(1).replace(",", "."))
        amounts = [
            (m, parse_amount(m.group(0)))
            for m in _AMOUNTISH.finditer(text)
            if not re.match(r"\s*%", text[m.end() :]) and m.start() > pct.start()
        ]
        amounts = [(m, v) for m, v in amounts if v is not None]
        first_text = norm(row.segments[0].text)
        seg = Segment([t for s in row.segments for t in s.toks])
        if tax_label.match(first_text) and amounts:
            m, value = amounts[-1]
            line = lines.setdefault(rate, TaxLine(rate, None, None))
            line.tax = Candidate(value, seg.span(m.start(), m.end()), 0.9, row)
            if len(amounts) >= 2:
                m2, v2 = amounts[-2]
                line.net = Candidate(v2, seg.span(m2.start(), m2.end()), 0.9, row)
        elif _PERCENT.fullmatch(first_text):
            # a VAT breakdown row: "7 %  1.508,82  105,62", maybe with the totals block beside it
            cells = []
            for cell in row.segments[1:]:
                value = parse_amount(cell.text) if re.search(r"\d[.,]\d{2}\b", cell.text) else None
                if value is None:
                    break
                cells.append(Candidate(value, list(cell.toks), 0.9, row))
            for a, b in itertools.pairwise(cells):
                if abs(a.value * rate / 100 - b.value) <= 0.011:
                    line = lines.setdefault(rate, TaxLine(rate, None, None))
                    line.net = line.net or a
                    line.tax = line.tax or b
                    break
    return sorted(lines.values(), key=lambda t: -t.rate)


def _totals(
    layout: Layout, skip: set[int], tax_calc: list[TaxLine], tables: list[Table]
) -> dict[str, Extraction | None]:
    def cands(field: str) -> list[Candidate]:
        found = list(find_labeled(layout, field, parse_money, skip, same_row=True))
        return found[:6]

    nets, grosses, dues = cands("net_amount"), cands("gross_amount"), cands("due_payable_amount")
    taxes = cands("tax_amount")
    tax_rows = [t.tax for t in tax_calc if t.tax is not None]
    if len(tax_rows) > 1:
        total = round(sum(c.value for c in tax_rows), 2)
        taxes.insert(
            0, Candidate(total, [t for c in tax_rows for t in c.toks], 0.9, tax_rows[0].row)
        )
    due_ids = {id(c.row) for c in dues}
    grosses = [g for g in grosses if id(g.row) not in due_ids] or grosses
    item_sum = round(sum(_num(i.cells.get("total")) or 0.0 for t in tables for i in t.items), 2)

    best: tuple[Candidate | None, Candidate | None, Candidate | None] = (
        nets[0] if nets else None,
        taxes[0] if taxes else None,
        grosses[0] if grosses else None,
    )
    consistent = False
    for n in nets[:4]:
        for t in taxes[:4]:
            for g in grosses[:4] + dues[:2]:
                if abs(n.value + t.value - g.value) <= 0.011 and n.value > 0:
                    best, consistent = (n, t, g), True
                    break
            if consistent:
                break
        if consistent:
            break
    net, tax, gross = best
    out: dict[str, Extraction | None] = {}
    if consistent:
        boost = 0.05 if item_sum and abs(item_sum - net.value) <= 0.011 else 0.0  # type: ignore[union-attr]
        for key, c in (("net_amount", net), ("tax_amount", tax), ("gross_amount", gross)):
            assert c is not None
            out[key] = _ex(c.value, min(0.99, c.confidence + 0.05 + boost), c.toks)
    else:
        note = ""
        if net and tax and gross:
            note = "net + tax does not equal gross"
        out["net_amount"] = _cand_ex(net, problem=bool(note), note=note)
        out["tax_amount"] = _cand_ex(tax, problem=bool(note), note=note)
        out["gross_amount"] = _cand_ex(gross, problem=bool(note), note=note)
        if gross is None and net is not None and tax is not None:
            out["gross_amount"] = _ex(round(net.value + tax.value, 2), 0.6, [], note="net + tax")
        if tax is None and net is not None and gross is not None:
            out["tax_amount"] = _ex(round(gross.value - net.value, 2), 0.6, [], note="gross - net")
        if net is None and item_sum:
            out["net_amount"] = _ex(item_sum, 0.6, [], note="sum of line items")
    gross_ex = out.get("gross_amount")
    due = next((d for d in dues if gross is None or d.row is not gross.row or len(dues) == 1), None)
    if due is not None:
        out["due_payable_amount"] = _cand_ex(due)
    elif gross_ex is not None:
        out["due_payable_amount"] = dict(gross_ex, note="no amount due printed; equals gross")
    else:
        out["due_payable_amount"] = None
    return out


def _num(toks: list[Tok] | None) -> float | None:
    if not toks:
        return None
    text = " ".join(t.text for t in toks)
    text = re.sub(r"[€£$]|EUR|GBP|USD|CHF", "", text).strip()
    return parse_amount(text)


def _tax_calc_out(
    tax_calc: list[TaxLine], result: dict[str, Any], tables: list[Table]
) -> list[Extraction | dict[str, Any]]:
    out: list[Extraction | dict[str, Any]] = []
    net_total = result.get("net_amount")
    if not tax_calc:
        net, tax = result.get("net_amount"), result.get("tax_amount")
        if net and tax and net["value"]:
            rate = round(tax["value"] / net["value"] * 100, 1)
            if rate in (0, 2.5, 5, 7, 7.7, 8.1, 10, 13, 19, 20, 21, 22, 25):
                out.append(
                    {
                        "tax_rate": _ex(rate, 0.6, [], note="tax / net"),
                        "tax_amount": tax,
                        "net_amount": net,
                    }
                )
        return out
    by_rate: dict[float, float] = {}
    for table in tables:
        for item in table.items:
            rate = _rate(item.cells.get("tax"))
            total = _num(item.cells.get("total"))
            if rate is not None and total is not None:
                by_rate[rate] = round(by_rate.get(rate, 0.0) + total, 2)
    for line in tax_calc:
        entry: dict[str, Any] = {
            "tax_rate": _ex(line.rate, 0.9, line.tax.toks[:0] if line.tax else [])
        }
        entry["tax_amount"] = _cand_ex(line.tax)
        if line.net is not None:
            entry["net_amount"] = _cand_ex(line.net)
        elif len(tax_calc) == 1 and net_total is not None:
            entry["net_amount"] = net_total
        elif line.rate in by_rate:
            entry["net_amount"] = _ex(
                by_rate[line.rate], 0.8, [], note="sum of line items at this rate"
            )
        elif line.tax is not None and line.rate:
            entry["net_amount"] = _ex(
                round(line.tax.value * 100 / line.rate, 2), 0.5, [], note="tax / rate"
            )
        else:
            entry["net_amount"] = None
        net_v = entry["net_amount"]["value"] if entry["net_amount"] else None
        if (
            net_v is not None
            and line.tax is not None
            and abs(net_v * line.rate / 100 - line.tax.value) > 0.02
        ):
            entry["tax_amount"] = _ex(
                line.tax.value,
                0.5,
                line.tax.toks,
                problem=True,
                note="tax does not match rate x net",
            )
        out.append(entry)
    return out


def _rate(toks: list[Tok] | None) -> float | None:
    if not toks:
        return None
    m = re.search(r"(\d{1,2}(?:[.,]\d{1,2})?)", " ".join(t.text for t in toks))
    return float(m.group(1).replace(",", ".")) if m else None


def _plausible_quantity(value: float) -> bool:
    return value > 0 and abs(value * 4 - round(value * 4)) < 0.002


def _cell(value: Any, toks: list[Tok] | None, checked: dict[str, Any]) -> Extraction | None:
    if value is None or not toks:
        return None
    return _ex(value, checked["confidence"], toks, checked["problem"], checked["note"])


def _line_items(tables: list[Table]) -> list[dict[str, Any]]:
    out = []
    for table in tables:
        for item in table.items:
            cells = item.cells
            qty, price, total = (
                _num(cells.get("qty")),
                _num(cells.get("price")),
                _num(cells.get("total")),
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
                    "description": _ex(_seg_value(desc_toks).strip(" :;|"), 0.9, desc_toks),
                    "quantity": _cell(qty, cells.get("qty"), checked),
                    "unit_price": _cell(price, cells.get("price"), checked),
                    "total_price": _cell(total, cells.get("total"), checked),
                    "tax_rate": _cell(_rate(cells.get("tax")), cells.get("tax"), checked),
                }
            )
    return out


# --- parties -----------------------------------------------------------------------------------


def _seg_value(toks: list[Tok]) -> str:
    return " ".join(t.text for t in toks).strip(" ,·|")


def _parties(layout: Layout, skip: set[int]) -> tuple[dict[str, Any], dict[str, Any]]:
    blocks = [b for b in find_blocks(layout, 1) if b.city_index >= 2 or b.label]
    scored = sorted(blocks, key=lambda b: -customer_score(b, layout))
    customer_block = scored[0] if scored and customer_score(scored[0], layout) > 1 else None
    if customer_block is not None and VENDOR_LABEL.match(customer_block.label):
        customer_block = None
    customer_toks = {id(t) for t in customer_block.toks()} if customer_block else set()
    inline = [a for a in find_inline_addresses(layout) if a.row.page == 1]

    vendor_name = _vendor_name(layout, blocks, customer_block, inline)
    vendor_addr = _vendor_address(layout, blocks, customer_block, inline, vendor_name)

    vat_vendor: Candidate | None = None
    vat_customer: Candidate | None = None
    for row, seg in layout.segments():
        for i in range(len(seg.toks)):
            for j in range(i + 1, min(i + 5, len(seg.toks)) + 1):
                toks = seg.toks[i:j]
                vat = normalize_vat_id("".join(t.text for t in toks).strip(".,;:"))
                if vat is None or not re.match(r"[A-Za-z]{2}", toks[0].text):
                    continue
                theirs = id(toks[0]) in customer_toks or re.search(
                    r"\b(ihre|your|customer|kunde)", norm(seg.text)
                )
                cand = Candidate(vat, toks, 0.9, row)
                if theirs:
                    vat_customer = vat_customer or cand
                else:
                    vat_vendor = vat_vendor or cand
                break

    banking = _banking(layout, skip, customer_toks)
    emails = [
        Candidate(t.text.strip(".,;:<>()"), [t], 0.9, row)
        for row in layout.rows
        for t in row.toks
        if re.fullmatch(r"[\w.+-]+@[\w-]+(\.[\w-]+)+", t.text.strip(".,;:<>()"))
        and id(t) not in customer_toks
    ]
    urls = [
        Candidate(t.text.strip(".,;:<>()|"), [t], 0.85, row)
        for row in layout.rows
        for t in row.toks
        if re.fullmatch(
            r"(https?://)?www\.[\w-]+(\.[\w-]+)+(/\S*)?|https?://\S+", t.text.strip(".,;:<>()|")
        )
        and id(t) not in customer_toks
    ]
    phone = next(
        (
            c
            for c in find_labeled(layout, "phone", parse_phone, skip, same_row=True)
            if not any(id(t) in customer_toks for t in c.toks)
        ),
        None,
    )
    if phone is None:
        phone = _bare_phone(layout, customer_toks)
    tax_number = first(find_labeled(layout, "tax_number", parse_tax_number, skip, same_row=True))

    vendor = {
        "name": vendor_name,
        "address": vendor_addr,
        "vat_id": _cand_ex(vat_vendor),
        "tax_number": _cand_ex(tax_number),
        "banking_information": banking,
        "e_mail": _cand_ex(emails[0] if emails else None),
        "phone": _cand_ex(phone),
        "url": _cand_ex(urls[0] if urls else None),
    }
    customer: dict[str, Any] = {
        "name": None,
        "address": None,
        "vat_id": _cand_ex(vat_customer),
        "tax_number": None,
        "customer_number": _cand_ex(
            first(find_labeled(layout, "customer_number", parse_ident, skip))
        ),
    }
    if customer_block is not None:
        conf = 0.6 + 0.1 * min(3, customer_score(customer_block, layout))
        customer["name"] = _ex(_seg_value(customer_block.name.toks), conf, customer_block.name.toks)
        street = customer_block.street
        if street is not None and customer_block.city_index >= 1:
            toks = street.toks + customer_block.city.toks
            customer["address"] = _ex(f"{street.text}, {customer_block.city.text}", conf, toks)
    return vendor, customer


def _bare_phone(layout: Layout, customer_toks: set[int]) -> Candidate | None:
    """An unlabelled phone number in the letterhead: '+44 20 7946 0958', '(415) 555-0100'."""
    height = layout.page_sizes[1][1]
    for row, seg in layout.segments():
        if row.page != 1 or row.y1 > 0.3 * height or any(id(t) in customer_toks for t in seg.toks):
            continue
        if re.fullmatch(r"(?:\+\d{1,3}|\(\d{2,5}\))[\d ()/\-]{6,}\d", seg.text):
            return Candidate(seg.text, list(seg.toks), 0.7, row)
    return None


def _vendor_name(
    layout: Layout, blocks: list[Block], customer: Block | None, inline: list[Any]
) -> Extraction | None:
    scores: dict[str, tuple[float, list[Tok]]] = {}
    customer_name = norm(customer.name.text) if customer else ""

    def add(toks: list[Tok], prior: float) -> None:
        text = _seg_value(toks)
        key = norm(text)
        if not key or key == customer_name or CUSTOMER_LABEL.match(key) or SHIP_LABEL.match(key):
            return
        bonus = 2.0 if LEGAL_FORM.search(text) else 0.0
        old = scores.get(key)
        scores[key] = ((old[0] + 1.0) if old else prior + bonus, old[1] if old else toks)

    for block in blocks:
        if VENDOR_LABEL.match(block.label) and block.city_index >= 2:
            add(block.name.toks, 4.0)
    for address in inline:
        if address.name:
            add(address.name, 2.5)
    for rank, (_, toks) in enumerate(letterhead_names(layout)[:3]):
        add(toks, 3.0 - rank)
    height = layout.page_sizes[1][1]
    for block in blocks:
        if block is not customer and block.city_index >= 2 and block.y1 > 0.75 * height:
            add(block.name.toks, 1.0)
    for block in blocks:
        if block is not customer and block.city_index >= 2 and not SHIP_LABEL.match(block.label):
            add(block.name.toks, 0.5)
    if not scores:
        return None
    # a name printed again elsewhere (footer, sender line) is more surely the sender
    for key in list(scores):
        hits = sum(1 for row in layout.rows if key in norm(row.text))
        if hits > 1:
            score, toks = scores[key]
            scores[key] = (score + 0.5 * min(hits - 1, 3), toks)
    best_key = max(scores, key=lambda k: scores[k][0])
    score, toks = scores[best_key]
    return _ex(_seg_value(toks), min(0.95, 0.5 + 0.08 * score), toks)


def _vendor_address(
    layout: Layout,
    blocks: list[Block],
    customer: Block | None,
    inline: list[Any],
    name: Extraction | None,
) -> Extraction | None:
    key = norm(name["value"]) if name else None
    height = layout.page_sizes[1][1]
    options: list[tuple[float, list[Tok], list[Tok]]] = []
    for block in blocks:
        if block is customer or SHIP_LABEL.match(block.label) or block.street is None:
            continue
        prior = 1.0
        if key and norm(block.name.text) == key:
            prior = 4.0
        elif block.city_index == 1 and block.y1 < 0.25 * height:
            prior = 2.5  # street and city printed under or beside the letterhead
        options.append((prior, block.street.toks, block.city.toks))
    for address in inline:
        prior = 2.0
        if key and address.name and norm(_seg_value(address.name)) == key:
            prior = 3.5
        elif address.row.y1 < 0.25 * height:
            prior = 3.0
        options.append((prior, address.street, address.city))
    if not options:
        return None
    prior, street, city = max(options, key=lambda o: o[0])
    return _ex(
        f"{_seg_value(street)}, {_seg_value(city)}", min(0.9, 0.5 + 0.1 * prior), street + city
    )


def _banking(layout: Layout, skip: set[int], customer_toks: set[int]) -> list[dict[str, Any]]:
    ibans: list[Candidate] = []
    for row, seg in layout.segments():
        text = seg.text
        for m in re.finditer(r"\b[A-Z]{2}\d{2}(?:\s?[A-Z0-9]){10,32}", text):
            compact = ""
            positions = []
            for k, ch in enumerate(m.group(0)):
                if not ch.isspace():
                    compact += ch
                    positions.append(m.start() + k)
            for length in range(min(34, len(compact)), 14, -1):
                iban = normalize_iban(compact[:length])
                if iban is not None:
                    toks = seg.span(m.start(), positions[length - 1] + 1)
                    if not any(id(t) in customer_toks for t in toks) and all(
                        c.value != iban for c in ibans
                    ):
                        ibans.append(Candidate(iban, toks, 0.95, row))
                    break
    bics: list[Candidate] = []
    for c in find_labeled(layout, "bic", parse_bic, skip, same_row=True):
        if all(b.value != c.value for b in bics):
            bics.append(c)
    out = []
    for i, account in enumerate(ibans):
        bic = bics[i] if i < len(bics) else None
        out.append({"iban": _cand_ex(account), "bic": _cand_ex(bic)})
    return out
