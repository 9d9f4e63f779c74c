"""Arabic labels of the header fields, and the values they name.

Arabic reads right to left: a row's words are laid out left to right (layout),
so an Arabic label's words are read here from right to left, and its value is
looked for first on its left (where right-to-left print puts it), then on its
right (a bilingual table with the label in the first column), then below.
Labels are matched without the hamza and the final ta marbuta that print and
OCR drop ('الاجمالي', 'الفاتوره').
"""

# ruff: noqa: RUF001 - Arabic letters are meant here
from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from typing import Any

from service.pipeline.invoice.layout import Layout, Row, Segment, Tok
from service.pipeline.invoice.values import Candidate

Parsed = tuple[Any, int, int]
Parser = Callable[[str], Parsed | None]

# Patterns on the folded text (fold), in order of preference.
ARABIC_LABELS: dict[str, list[str]] = {
    "number": [r"رقم الفاتوره", r"رقم الفاتوره الضريبيه", r"فاتوره رقم"],
    "date": [r"تاريخ الاصدار", r"تاريخ الفاتوره", r"تاريخ اصدار الفاتوره"],
    "due_date": [r"تاريخ الاستحقاق"],
    "net_amount": [
        r"الاجمالي (?:غير|بدون|قبل) (?:شامل )?(?:ال)?ضريبه(?: القيمه المضافه)?",
        r"المبلغ الخاضع للضريبه", r"الاجمالي الخاضع للضريبه", r"المجموع الفرعي",
    ],
    "tax_amount": [r"(?:مجموع |اجمالي )?ضريبه القيمه المضافه", r"قيمه الضريبه",
                   r"مبلغ الضريبه"],
    "gross_amount": [
        r"الاجمالي شامل (?:ال)?ضريبه(?: القيمه المضافه)?", r"المبلغ الاجمالي",
        r"اجمالي المبلغ", r"الاجمالي",
    ],
    "due_payable_amount": [r"المبلغ المستحق", r"الصافي المستحق"],
}
# Labels of the two parties' VAT numbers (parties._vat_ids) and of the parties.
VAT_LABEL = re.compile(r"الرقم الضريبي|رقم تسجيل ضريبه|الرقم الضريبي للمورد|رقم ضريبي")
SELLER_LABEL = re.compile(r"^(?:البائع|المورد)$")
BUYER_LABEL = re.compile(r"^(?:المشتري|العميل)$")

_ARABIC = re.compile("[\u0600-\u06ff]")
_FOLD = str.maketrans({"أ": "ا", "إ": "ا", "آ": "ا", "ة": "ه", "ى": "ي", "ـ": None,
                       ":": None, "\uff1a": None})


def fold(text: str) -> str:
    """Arabic text with the letter variants print and OCR confuse made one."""
    return re.sub(r"[\u064b-\u065f]", "", text).translate(_FOLD).strip()


def is_arabic(tok: Tok) -> bool:
    return _ARABIC.search(tok.text) is not None


def arabic_runs(toks: list[Tok]) -> Iterator[tuple[int, int]]:
    """[start, end) of each run of Arabic words in a row laid out left to right."""
    start = None
    for k, tok in enumerate([*toks, None]):
        arabic = tok is not None and is_arabic(tok)
        if arabic and start is None:
            start = k
        elif not arabic and start is not None:
            yield start, k
            start = None


def label_spans(row: Row, pattern: str) -> Iterator[tuple[int, int]]:
    """The words [first, last + 1) of `row` (left to right) that read as the label:
    the label starts at a run's right end (the first word read)."""
    for start, end in arabic_runs(row.toks):
        words = [fold(t.text) for t in reversed(row.toks[start:end])]
        for n in range(1, len(words) + 1):
            if re.fullmatch(pattern, " ".join(w for w in words[:n] if w)):
                yield end - n, end
                break


def find_arabic_labeled(layout: Layout, field: str, parse: Parser, skip: set[int],
                        same_row: bool = False, first_rank: int = 0) -> Iterator[Candidate]:
    """Values of the field's Arabic labels: left of the label, right of it, or below."""
    patterns = ARABIC_LABELS.get(field, [])
    rows = [(pos, row) for pos, row in enumerate(layout.rows) if id(row) not in skip]
    if not patterns or not _ARABIC.search("".join(t.text for _, r in rows for t in r.toks)):
        return
    rows = [(pos, row) for pos, row in rows if any(is_arabic(t) for t in row.toks)]
    for k, pattern in enumerate(patterns):
        for row_pos, row in rows:
            for a, b in label_spans(row, pattern):
                base = 0.93 - 0.02 * k
                left = _phrase(row.toks[:a], from_right=True)
                right = _phrase(row.toks[b:], from_right=False)
                options = [(left, base), (right, base - 0.03)]
                if not same_row:
                    options.append((_below(layout, row_pos, row.toks[a:b]), base - 0.06))
                for toks, conf in options:
                    if not toks:
                        continue
                    segment = Segment(toks)
                    parsed = parse(segment.text)
                    if parsed is None:
                        continue
                    value, x, y = parsed
                    yield Candidate(value, segment.span(x, y), conf, row, first_rank + k)
                    break


def _phrase(toks: list[Tok], from_right: bool) -> list[Tok]:
    """The words next to the label on one side, up to a wide gap or another Arabic word."""
    seq = list(reversed(toks)) if from_right else list(toks)
    out: list[Tok] = []
    for tok in seq:
        if re.fullmatch("[:\uff1a.-]+", tok.text):
            continue
        if is_arabic(tok) and not re.search(r"\d", tok.text):
            if out:
                break
            continue  # an Arabic currency word between label and value ('ر.س')
        if out:
            near = out[-1]
            gap = near.x1 - tok.x2 if from_right else tok.x1 - near.x2
            if gap > 1.5 * max(tok.height, near.height):
                break
        out.append(tok)
    return sorted(out, key=lambda t: t.x1)


def _below(layout: Layout, row_pos: int, label: list[Tok]) -> list[Tok]:
    row = layout.rows[row_pos]
    x1, x2 = min(t.x1 for t in label), max(t.x2 for t in label)
    for nxt in layout.rows[row_pos + 1 : row_pos + 3]:
        if nxt.page != row.page or nxt.y1 - row.y2 > 2.2 * row.height:
            return []
        for seg in nxt.segments:
            if min(seg.x2, x2) - max(seg.x1, x1) > 0:
                return list(seg.toks)
    return []
