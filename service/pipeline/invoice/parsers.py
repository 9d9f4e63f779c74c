"""Value parsers, text -> (value, start, end), and the search for labelled values."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from typing import Any

from service.pipeline.invoice.amounts import parse_amount
from service.pipeline.invoice.arabic_labels import find_arabic_labeled
from service.pipeline.invoice.dates import parse_date
from service.pipeline.invoice.labels import LABELS
from service.pipeline.invoice.layout import Layout, Segment, norm
from service.pipeline.invoice.validators import normalize_bic
from service.pipeline.invoice.values import Candidate

Parsed = tuple[Any, int, int]  # value and the [start, end) characters it came from
Parser = Callable[[str], Parsed | None]

_IDENT = re.compile(r"(?<![\w])(?=[\w\-/.]*\d)[A-Za-z0-9][\w\-/.]*[A-Za-z0-9]")
_DATEISH = re.compile(
    r"\d{1,4}[./-]\d{1,2}[./-]\d{2,4}"
    r"|\d{1,2}(?:er|º|°)?\.?\s*(?:de\s+)?[^\W\d_]{3,10}\.?,?\s*(?:del?\s+)?\d{4}"
    r"|[^\W\d_]{3,10}\.?\s*\d{1,2}(?:st|nd|rd|th)?,?\s*\d{4}"
)
AMOUNTISH = re.compile(
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


# not part of a date ('04.04.2018') nor of a longer number
_MONEY = re.compile(
    r"(?<![\d.,])(?:[-\u2212(]?\d{1,3}(?:[.,' ]\d{3})*[.,]\d{2}|[-\u2212(]?\d+[.,]\d{2})"
    r"(?![\d]|[.,]\d)"
)


# cents OCR split apart before a currency sign: '470,1 5€'
_SPLIT_CENTS = re.compile(
    r"(?<![\d.,])([-\u2212(]?\d{1,3}(?:[.,' ]\d{3})*[.,]\d|[-\u2212(]?\d+[.,]\d) (\d)"
    r"(?=\s?(?:[€$£]|EUR\b))"
)


def parse_money(text: str) -> Parsed | None:
    """The rightmost amount with cents that is not a percentage."""
    found = [(m.start(), m.end(), m.group(0)) for m in _MONEY.finditer(text)]
    found += [(m.start(), m.end(), m.group(1) + m.group(2)) for m in _SPLIT_CENTS.finditer(text)]
    for start, end, amount in sorted(found, reverse=True):
        if re.match(r"\s*%", text[end:]):
            continue
        value = parse_amount(amount.lstrip("("))
        if value is not None:
            return value, start, end
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


def label_end(pattern: str, anywhere: bool, text: str) -> int | None:
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
            phrases = list(row.segments)
            if anywhere and len(phrases) > 1:
                # a label spread over phrases: 'Rechnung des Versicherers (575)' 'Nr. 00.1-2018'
                phrases.append(Segment([t for seg in row.segments for t in seg.toks]))
            for s, seg in enumerate(phrases):
                text = norm(seg.text)
                end = label_end(pattern, anywhere, text)
                if end is None:
                    continue
                base = 0.95 - 0.02 * rank
                options: list[tuple[Segment, int, float]] = [(seg, end, base)]
                right = _next_phrase(row.segments, s)
                if right is not None:
                    options.append((right, 0, base - 0.03))
                lower = _lower_right(layout, row_pos, seg)
                if lower is not None:
                    options.append((lower, 0, base - 0.05))
                if not same_row:
                    below = _below(layout, row_pos, seg)
                    if below is not None:
                        options.append((below, 0, base - 0.06))
                for option, start, conf in options:
                    parsed = parse(option.text[start:])
                    if parsed is None:
                        continue
                    value, a, b = parsed
                    yield Candidate(value, option.span(start + a, start + b), conf, row, rank)
                    break
    # then the field's Arabic labels, read right to left (arabic_labels)
    yield from find_arabic_labeled(layout, field, parse, skip, same_row, len(LABELS[field]))


def _next_phrase(segments: list[Segment], s: int) -> Segment | None:
    """The phrase right of segments[s], past a lone ':' or currency printed apart
    ('Beleg-Nr' ':' 'R87...', 'Steuerbetrag in' 'EUR' '37,62'), and past the little
    word that ends a label ('in', 'de'), which OCR of a noisy page may set apart."""
    for seg in segments[s + 1 : s + 4]:
        if _FILLER.fullmatch(seg.text.strip()) is None:
            return seg
    return None


_FILLER = re.compile(r"[:#.\-\u2013]+|[A-Z]{3}|[€$£]|(?:in|en|de|du|at|on|of|zu|im|am)\s*:?")


def _lower_right(layout: Layout, row_pos: int, seg: Segment) -> Segment | None:
    """A value right of its label but a little lower, so that it made a row of its own
    (a value wrapped in its cell, or a page photographed slightly askew): the next row's
    first phrase right of the label, if that row has nothing else and overlaps the label."""
    row = layout.rows[row_pos]
    if row_pos + 1 >= len(layout.rows):
        return None
    nxt = layout.rows[row_pos + 1]
    if nxt.page != row.page or nxt.y1 >= seg.y2 or nxt.toks[0].x1 <= seg.x2:
        return None
    return nxt.segments[0] if len(nxt.segments) == 1 else None


def _below(layout: Layout, row_pos: int, seg: Segment) -> Segment | None:
    row = layout.rows[row_pos]
    for nxt in layout.rows[row_pos + 1 : row_pos + 3]:
        if nxt.page != row.page or nxt.y1 - row.y2 > 2.2 * row.height:
            return None
        for other in nxt.segments:
            if min(other.x2, seg.x2) - max(other.x1, seg.x1) > 0:
                return other
    return None


_AFTER_NUMBER = re.compile(
    r"(?:vom|von|du|dated|issued(?:\s+(?:on|at))?|of|from|le|van|d\.|date)\s*:?\s*$", re.I
)


def date_after_number(layout: Layout, number: Candidate, parse: Parser) -> Candidate | None:
    """The date printed right after the invoice number: 'Nr. 471102 vom 05.03.2018',
    'Invoice # RE-1 issued at 2020-11-21', 'Facture n° FA-1 du 03/11/2017'."""
    row_pos = next((i for i, r in enumerate(layout.rows) if r is number.row), None)
    if row_pos is None:
        return None
    last = number.toks[-1]
    after = [t for t in number.row.toks if t.x1 > last.x1]
    texts = [(" ".join(t.text for t in after), after)]
    if row_pos + 1 < len(layout.rows) and layout.rows[row_pos + 1].page == number.row.page:
        below = list(layout.rows[row_pos + 1].toks)
        texts.append((" ".join(t.text for t in after + below), after + below))
    for text, toks in texts:
        parsed = parse(text)
        if parsed is None:
            continue
        value, a, b = parsed
        if not _AFTER_NUMBER.search(text[:a]):
            return None
        segment = Segment(toks)
        return Candidate(value, segment.span(a, b), 0.9, number.row)
    return None


def first(candidates: Iterator[Candidate]) -> Candidate | None:
    return next(candidates, None)

