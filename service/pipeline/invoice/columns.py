"""Totals printed as a table: a row of labels, the amounts in the rows below them.

'Warenwert  Nettobetrag  MwSt-Betrag  Endbetrag' over one row per VAT rate and a
last row with the totals: the value of a label is the last amount in its
column before the column ends. A row of OCR specks (no word longer than two
characters: noise in a photographed page) neither ends the column nor is read.
"""

from __future__ import annotations

from collections.abc import Iterator

from service.pipeline.invoice.labels import LABELS
from service.pipeline.invoice.layout import Layout, Row, Segment, Tok, norm
from service.pipeline.invoice.parsers import Parser, label_end
from service.pipeline.invoice.values import Candidate

_ROWS_BELOW = 8


def find_in_column(layout: Layout, field: str, parse: Parser, skip: set[int]
                   ) -> Iterator[Candidate]:
    for rank, (pattern, _) in enumerate(LABELS[field]):
        for row_pos, row in enumerate(layout.rows):
            if id(row) in skip or len(row.segments) < 3:
                continue  # a header row names several columns
            for seg in row.segments:
                text = norm(seg.text)
                end = label_end(pattern, False, text)
                if end is None or end < len(text):
                    continue  # the phrase is the label and nothing else
                found = _last_in_column(layout, row_pos, seg, parse)
                if found is not None:
                    value, toks, below = found
                    yield Candidate(value, toks, 0.8 - 0.02 * rank, below, rank)


def _last_in_column(layout: Layout, row_pos: int, label: Segment, parse: Parser
                    ) -> tuple[float, list[Tok], Row] | None:
    row = layout.rows[row_pos]
    width = label.x2 - label.x1
    left, right = label.x1 - 0.3 * width, label.x2 + 0.3 * width
    found = None
    for below in layout.rows[row_pos + 1 : row_pos + 1 + _ROWS_BELOW]:
        if below.page != row.page:
            break
        if specks(below):
            continue
        toks = [t for t in below.toks if t.x2 > left and t.x1 < right]
        if not toks:
            if found is not None:
                break  # the column has ended
            continue
        best = min(toks, key=lambda t: abs((t.x1 + t.x2) / 2 - (label.x1 + label.x2) / 2))
        parsed = parse(best.text)
        if parsed is None:
            break
        found = (parsed[0], [best], below)
    return found


def specks(row: Row) -> bool:
    """Whether a row holds nothing but marks of one or two characters."""
    return all(len(t.text) <= 2 for t in row.toks)
