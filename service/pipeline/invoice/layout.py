"""Page geometry for extraction: words become rows, rows become phrases (segments).

OCR line numbers are not trusted for layout: two columns printed side by side
are one row here, and a tilted scan is straightened before rows are formed.
"""

from __future__ import annotations

import re
import statistics
from collections.abc import Iterator
from dataclasses import dataclass, field

from service.pipeline.words import PageText


@dataclass(frozen=True, slots=True)
class Tok:
    text: str
    x1: float
    y1: float
    x2: float
    y2: float
    page: int  # 1-based
    bbox_id: int  # 1-based index into the page's words
    entropy: float

    @property
    def height(self) -> float:
        return self.y2 - self.y1

    @property
    def ref(self) -> dict[str, int]:
        return {"page_num": self.page, "bbox_id": self.bbox_id}


@dataclass(slots=True)
class Segment:
    """Words of one row that sit close together: a label, a value, a table cell."""

    toks: list[Tok]

    @property
    def text(self) -> str:
        return " ".join(t.text for t in self.toks)

    @property
    def x1(self) -> float:
        return self.toks[0].x1

    @property
    def x2(self) -> float:
        return self.toks[-1].x2

    @property
    def y1(self) -> float:
        return min(t.y1 for t in self.toks)

    @property
    def y2(self) -> float:
        return max(t.y2 for t in self.toks)

    @property
    def height(self) -> float:
        return statistics.median(t.height for t in self.toks)

    def span(self, start: int, end: int) -> list[Tok]:
        """The words covering characters [start, end) of self.text."""
        out, pos = [], 0
        for tok in self.toks:
            if pos < end and pos + len(tok.text) > start:
                out.append(tok)
            pos += len(tok.text) + 1
        return out


@dataclass(slots=True)
class Row:
    page: int
    index: int  # position among the page's rows, top to bottom
    toks: list[Tok]
    segments: list[Segment] = field(default_factory=list)

    @property
    def y1(self) -> float:
        return min(t.y1 for t in self.toks)

    @property
    def y2(self) -> float:
        return max(t.y2 for t in self.toks)

    @property
    def height(self) -> float:
        return statistics.median(t.height for t in self.toks)

    @property
    def text(self) -> str:
        return " ".join(s.text for s in self.segments)


@dataclass(slots=True)
class Layout:
    rows: list[Row]
    page_sizes: dict[int, tuple[int, int]]

    def page_rows(self, page: int) -> list[Row]:
        return [r for r in self.rows if r.page == page]

    def segments(self) -> Iterator[tuple[Row, Segment]]:
        for row in self.rows:
            for seg in row.segments:
                yield row, seg


def _skew(page: PageText) -> float:
    """Median slope of the OCR lines that span a good part of the page."""
    slopes = []
    for line in page.lines():
        if len(line) < 3 or line[-1].x2 - line[0].x1 < page.width * 0.2:
            continue
        xs = [(w.x1 + w.x2) / 2 for w in line]
        ys = [(w.y1 + w.y2) / 2 for w in line]
        mx, my = statistics.fmean(xs), statistics.fmean(ys)
        var = sum((x - mx) ** 2 for x in xs)
        if var > 0:
            slopes.append(sum((x - mx) * (y - my) for x, y in zip(xs, ys, strict=True)) / var)
    return statistics.median(slopes) if len(slopes) >= 3 else 0.0


def build_layout(pages: list[PageText]) -> Layout:
    rows: list[Row] = []
    sizes = {}
    for page_num, page in enumerate(pages, start=1):
        sizes[page_num] = (page.width, page.height)
        slope = _skew(page)
        toks = [
            Tok(
                w.text,
                w.x1,
                w.y1 - slope * w.x1,
                w.x2,
                w.y2 - slope * w.x1,
                page_num,
                i + 1,
                w.entropy,
            )
            for i, w in enumerate(page.words)
            if w.text.strip() and not re.fullmatch("[|\\[\\]_\u2014\u2013-]+", w.text)
        ]
        rows.extend(_rows(toks, page_num))
    return Layout(rows, sizes)


def _rows(toks: list[Tok], page: int) -> list[Row]:
    groups: list[list[Tok]] = []
    for tok in sorted(toks, key=lambda t: (t.y1 + t.y2) / 2):
        center = (tok.y1 + tok.y2) / 2
        if groups:
            last = groups[-1]
            last_center = statistics.fmean((t.y1 + t.y2) / 2 for t in last)
            last_height = statistics.median(t.height for t in last)
            if abs(center - last_center) < 0.5 * min(last_height, tok.height):
                last.append(tok)
                continue
        groups.append([tok])
    rows = []
    for index, group in enumerate(groups):
        group.sort(key=lambda t: t.x1)
        row = Row(page, index, group)
        row.segments = _segments(group)
        rows.append(row)
    return rows


def _segments(toks: list[Tok]) -> list[Segment]:
    height = statistics.median(t.height for t in toks)
    segments = [Segment([toks[0]])]
    for tok in toks[1:]:
        if tok.x1 - segments[-1].x2 > 1.1 * height:
            segments.append(Segment([tok]))
        else:
            segments[-1].toks.append(tok)
    return segments


def norm(text: str) -> str:
    return re.sub(r"\s+", " ", text.lower()).strip()
