"""The VAT breakdown printed as a table: a heading row naming the rate, the taxable base
and the tax, then one row per rate ('Umsatzsteuer (S)  113,03  7  7,91').

A row counts only when its numbers agree: base x rate / 100 = tax, to the cent (or to a
cent per ten euros, for tax computed per line and summed).

An invoice that charges no tax and says so ('Umsatzsteuerbefreit nach §19 UStG', 'TVA non
applicable, art. 293 B du CGI', 'reverse charge') has one line at 0 %.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from service.pipeline.invoice.amounts import parse_number
from service.pipeline.invoice.layout import Layout, Row, Segment, Tok
from service.pipeline.invoice.values import Candidate

_KINDS: list[tuple[str, re.Pattern[str]]] = [
    ("rate", re.compile(
        r"(?:ust\.?|mwst\.?|vat|tax|gst|steuer|tva|btw|iva|umsatzsteuer)?[ -]?"
        r"(?:satz|rate|taux|tarief|aliquota|tipo|%|\[%\])(?: ?\[?%\]?)?|%|taux(?: tva)?|"
        r"vat ?%|tax ?%|ust\.? ?%|mwst\.? ?%")),
    ("base", re.compile(
        r"\w*basisbetrag|bemessungsgrundlage|nettobetrag|netto|net(?: amount)?|"
        r"taxable(?: amount)?|base(?: ht| amount)?|montant ht|total ht|grondslag|"
        r"bedrag excl\.?(?: btw)?|imponibile|base imponible|warenwert|goods value|amount")),
    ("tax", re.compile(
        r"steuerbetrag|\w*steuerbetrag|ust\.?-?betrag|mwst\.?-?betrag|tax amount|vat amount|"
        r"tax|vat|montant tva|tva|btw(?:-?bedrag)?|iva|imposta|cuota(?: iva)?|gst")),
]


@dataclass(slots=True)
class _Column:
    kind: str
    x1: float
    x2: float


@dataclass(slots=True)
class TaxRow:
    rate: float
    net: Candidate
    tax: Candidate


def _kind(text: str) -> str | None:
    text = text.lower().strip(" :")
    return next((k for k, p in _KINDS if p.fullmatch(text)), None)


def _heading(row: Row) -> list[_Column] | None:
    toks = row.toks
    columns: list[_Column] = []
    i = 0
    while i < len(toks):
        for width in (3, 2, 1):
            run = toks[i : i + width]
            if len(run) == width and (kind := _kind(" ".join(t.text for t in run))):
                columns.append(_Column(kind, run[0].x1, run[-1].x2))
                i += width
                break
        else:
            # a heading of something else ('Art (Kategorie)', 'Zu-/Abschlag'): its numbers
            # are nobody else's
            tok = toks[i]
            last = columns[-1] if columns else None
            if last is not None and last.kind == "other" and tok.x1 - last.x2 < tok.height:
                last.x2 = tok.x2
            else:
                columns.append(_Column("other", tok.x1, tok.x2))
            i += 1
    kinds = [c.kind for c in columns]
    if not {"rate", "tax"} <= set(kinds) or "base" not in kinds:
        return None
    # of several base columns ('Warenwert', 'Basisbetrag') the last is after allowances
    for c in [c for c in columns if c.kind == "base"][:-1]:
        c.kind = "other"
    return columns


def _cell(columns: list[_Column], kind: str, row: Row) -> list[Tok]:
    col = next(c for c in columns if c.kind == kind)
    out = []
    for tok in row.toks:
        nearest = min(columns, key=lambda c: abs(c.x2 - tok.x2) if tok.x2 < c.x1 or tok.x1 > c.x2
                      else -(min(c.x2, tok.x2) - max(c.x1, tok.x1)))
        if nearest is col:
            out.append(tok)
    return out


def _number(toks: list[Tok], decimals: bool) -> tuple[float, list[Tok]] | None:
    for tok in toks:
        text = tok.text.strip("%()")
        if decimals and not re.search(r"\d[.,]\d{2}$", text):
            continue
        if not decimals:
            text = text.rstrip(",.")  # a rate OCR read with a speck after it: '7,'
        value = parse_number(text)
        if value is not None:
            return value, [tok]
    return None


def tax_table_rows(layout: Layout) -> list[TaxRow]:
    out: list[TaxRow] = []
    rows = layout.rows
    for i, row in enumerate(rows):
        columns = _heading(row)
        if columns is None:
            continue
        for below in rows[i + 1 : i + 8]:
            if below.page != row.page or below.y1 - row.y2 > 12 * row.height:
                break
            rate = _number(_cell(columns, "rate", below), decimals=False)
            base = _number(_cell(columns, "base", below), decimals=True)
            tax = _number(_cell(columns, "tax", below), decimals=True)
            if rate is None or base is None or tax is None or not 0 <= rate[0] <= 30:
                continue
            net, amount, conf = base[0], tax[0], 0.9
            if net * amount < 0:  # a credit note's thin minus sign lost to OCR on one of them
                net, amount, conf = -abs(net), -abs(amount), 0.8
            if abs(net * rate[0] / 100 - amount) > max(0.011, abs(net) / 1000):
                continue
            out.append(TaxRow(rate[0], Candidate(net, base[1], conf, below),
                              Candidate(amount, tax[1], conf, below)))
    return out


_EXEMPT = re.compile(
    r"§\s*19\s*(?:abs\.?\s*1\s*)?ustg|kleinunternehmer|(?:umsatz)?steuerbefreit|"
    r"(?:umsatz|mehrwert)?steuerfrei(?:e|er)?\s+(?:lieferung|leistung|umsatz)|"
    r"keine\s+umsatzsteuer|ohne\s+ausweis\s+(?:der|von)\s+umsatzsteuer|"
    r"steuerschuldnerschaft\s+des\s+leistungsempfängers|reverse\s+charge|"
    r"(?:vat|tax)[- ]exempt|exempt\s+from\s+(?:vat|tax)|no\s+vat\s+(?:is\s+)?charged|"
    r"tva\s+non\s+applicable|exon[ée]r[ée]e?\s+de\s+tva|autoliquidation|"
    r"art(?:icle)?\.?\s*293\s*b", re.I)


def exemption(layout: Layout, skip: set[int]) -> Candidate | None:
    """A tax of 0, where the invoice says it charges none: the words saying so."""
    for row in layout.rows:
        if id(row) in skip:
            continue
        seg = Segment(list(row.toks))
        m = _EXEMPT.search(seg.text)
        if m is not None:
            return Candidate(0.0, seg.span(*m.span()), 0.7, row)
    return None
