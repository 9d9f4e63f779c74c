"""Item tables: a heading row's columns, then the rows below it grouped into items.

An item starts at a row with an amount in the total column (or, without one, the price
column) once the item before it has its total; rows between two such rows belong to the
item above them: wrapped descriptions, article numbers, the total printed a line below
the price. The table ends at a subtotal or total row, a new heading, a section title
printed across the columns, or a wide gap; at the foot of a page it goes on at the top of
the next one when rows there carry amounts in the same columns.
"""

from __future__ import annotations

import re
import statistics
from dataclasses import dataclass, field

from service.pipeline.invoice.amounts import decimal_comma, parse_number
from service.pipeline.invoice.item_header import (
    LEFT_ALIGNED,
    NUMERIC,
    Column,
    header_columns,
    stacked_columns,
)
from service.pipeline.invoice.layout import Layout, Row, Segment, Tok, norm

# A sum, tax or payment row below the items ends the table ...
STOP_ROW = re.compile(
    r"^(zwischensumme|summe|gesamt|nettobetrag|netto|positionssumme|rechnungssumme|"
    r"subtotal|sub-total|sub total|total|net total|übertrag|carried forward|zzgl|mwst|ust|"
    r"vat|tax|goods total|amount due|balance|endbetrag|sous-total|montant|tva|totaal|"
    r"subtotaal|btw|te betalen|totale|imponibile|iva|base imponible|importe total|"
    r"zahlbar|zahlungs\w*|payment\w*|bankverbindung|iban|taxes?|net|amount|gross|brutto|"
    r"grand total|invoice total|line total|value added tax|gesamt\w*|\w*summe|"
    r"umsatzs?steuer\w*)\b"
)
# ... and so does an allowance or charge on the whole invoice, with an amount of its own
# in the total column (not 'Abschlag: 0,6667' noted under an item)
ADJUSTMENT_ROW = re.compile(
    r"^(allowance|charge|discount|\w*rabatt|nachlass|skonto|zuschl[äa]g\w*|abschl[äa]g\w*|"
    r"remise|korting)\b"
)
# an item's unit, on a row whose description OCR set a little lower ('-5  Stk  19 %  -5,00')
_UNIT_WORD = re.compile(r"stk\.?|stck\.?|stück|pcs\.?|pce|kgs?|std\.?|hrs|units?|pieces?|"
                        r"liters?|litres?|psch\.?|pauschal|each|lfm|tage?|days?|stunden|hours")
_PAGE_NUMBER = re.compile(
    r"\b(seite|page|pagina|página|blad)\s*\d+\s*(von|of|/|de|di|sur|van)\s*\d+", re.I
)
_GAP_ROWS = 7.0  # a gap of this many row heights ends a table
_CONTINUE_TOP = 0.4  # a continued table resumes in this top part of the next page


@dataclass(slots=True)
class ItemRow:
    cells: dict[str, list[Tok]]
    row: Row
    rows: list[Row] = field(default_factory=list)
    desc_rows: list[list[Tok]] = field(default_factory=list)  # desc words of each row
    later: dict[str, list[list[Tok]]] = field(default_factory=dict)  # numbers below the first

    @property
    def description(self) -> list[Tok]:
        """The item's first paragraph of description: lines printed close together."""
        out: list[Tok] = []
        for toks in self.desc_rows:
            if out and toks[0].y1 - out[-1].y2 > 0.9 * statistics.median(t.height for t in toks):
                break
            out.extend(toks)
        return out

    @property
    def text(self) -> str:
        return " ".join(t.text for toks in self.desc_rows for t in toks)


@dataclass(slots=True)
class Table:
    header: Row
    columns: list[Column]
    items: list[ItemRow]
    rows: list[Row]  # header and every row read as part of the table
    comma: bool | None = None  # the document's decimal mark is a comma (None: not known)


def money(toks: list[Tok] | None, comma: bool | None) -> float | None:
    """The amount in a cell, if it is one: two to four decimals, no percent sign."""
    if not toks:
        return None
    text = " ".join(t.text for t in toks)
    if "%" in text or not re.search(r"\d[.,\u066b]\d{2,4}(?!\d)", text):
        return None
    # up to the word with the decimals: '1 234,50', '€ 20.00', not a speck after it ('20.00 € 1')
    last = next(k for k, t in enumerate(toks) if re.search(r"\d[.,\u066b]\d{2,4}(?!\d)", t.text))
    after = [t for t in toks[last + 1 :] if not re.fullmatch(r"[€$£¥]|EUR|USD|GBP|CHF", t.text)]
    if after and all(re.fullmatch(r"\d{1,2}", t.text) for t in after):
        text = " ".join(t.text for t in toks[: last + 1])
    return parse_number(text, comma)


def _overlap(col: Column, x1: float, x2: float) -> float:
    return min(col.x2, x2) - max(col.x1, x1)


def _nearest(columns: list[Column], x1: float, x2: float) -> Column:
    def distance(col: Column) -> float:
        return abs(x1 - col.x1) if col.kind in LEFT_ALIGNED else abs(x2 - col.x2)

    return min(columns, key=distance)


def assign(columns: list[Column], seg: Segment) -> dict[str, list[Tok]]:
    hits = [c for c in columns if _overlap(c, seg.x1, seg.x2) > 0]
    if not hits:
        return {_nearest(columns, seg.x1, seg.x2).kind: list(seg.toks)}
    first = min(hits, key=lambda c: c.x1)
    wordy = sum(bool(re.search(r"[^\W\d_]{2}", t.text)) for t in seg.toks) > len(seg.toks) / 2
    if len(hits) == 1 or (first.kind == "desc" and wordy and seg.x1 >= first.x1 - seg.height):
        return {first.kind: list(seg.toks)}  # a description running on across columns
    out: dict[str, list[Tok]] = {}
    for tok in seg.toks:
        best = max(columns, key=lambda c: _overlap(c, tok.x1, tok.x2))
        if _overlap(best, tok.x1, tok.x2) <= 0:
            best = _nearest(columns, tok.x1, tok.x2)
        out.setdefault(best.kind, []).append(tok)
    return out


def _cells(columns: list[Column], row: Row) -> dict[str, list[Tok]]:
    cells: dict[str, list[Tok]] = {}
    for seg in row.segments:
        for kind, toks in assign(columns, seg).items():
            cells.setdefault(kind, []).extend(toks)
    return cells


def _wrapped(row: Row, last: Row | None) -> bool:
    """A line of text wrapped from the row just above: it starts where a phrase of that row
    starts, right under it, and holds no amount."""
    if last is None or row.page != last.page or row.y1 - last.y2 > 0.8 * row.height:
        return False
    seg = row.segments[0]
    return len(row.segments) == 1 and not re.search(r"\d[.,]\d{2}", row.text) and any(
        abs(s.x1 - seg.x1) < 0.5 * seg.height for s in last.segments)


def _ends_table(row: Row, columns: list[Column], cells: dict[str, list[Tok]],
                comma: bool | None, last: Row | None = None) -> bool:
    first = norm(row.segments[0].text)
    if STOP_ROW.match(first) and money(cells.get("price"), comma) is None:
        return True
    if ADJUSTMENT_ROW.match(first) and money(cells.get("total"), comma) is not None:
        return True
    if header_columns(row) is not None:
        return True
    words = [t.text for t in row.toks if re.search(r"[^\W\d_]{3}", t.text)]
    priced_unit = money(cells.get("total"), comma) is not None and all(
        _UNIT_WORD.fullmatch(w.lower()) for w in words)
    if not {"pos", "desc", "article", "discount"} & set(cells) and words and not priced_unit \
            and not _wrapped(row, last):
        return True  # a label right of the descriptions: 'Net amount  851,09'
    desc = next((c for c in columns if c.kind == "desc"), None)
    left = min(c.x1 for c in columns)
    seg = row.segments[0]
    return (desc is not None and seg.x1 <= left + seg.height and seg.x2 > desc.x1 + seg.height
            and not re.search(r"\d", seg.text) and len(row.segments) == 1)


def _is_footer(row: Row, layout: Layout) -> bool:
    return bool(_PAGE_NUMBER.search(row.text)) or row.y1 > 0.94 * layout.page_sizes[row.page][1]


class _Reader:
    def __init__(self, table: Table, comma: bool | None) -> None:
        self.table, self.comma = table, comma
        kinds = {c.kind for c in table.columns}
        self.key = "total" if "total" in kinds else "price"
        self.current: ItemRow | None = None
        self.above: list[list[Tok]] = []  # description lines above the first item

    def read(self, row: Row, cells: dict[str, list[Tok]]) -> None:
        # a price alone ('Bruttopreis : 1,50' under an item) starts no item; with a
        # quantity or a position number beside it, it does
        priced = money(cells.get("total"), self.comma) is not None or (
            money(cells.get("price"), self.comma) is not None
            and (self.key == "price" or bool(cells.get("qty") or cells.get("pos"))))
        if priced and not {"desc", "pos", "article", "qty"} & set(cells) and any(
                "%" in t.text for toks in cells.values() for t in toks):
            priced = False  # '1,00 %  0,10' under an item: its discount, no item of its own
        item = self.current
        if priced and (item is None or money(item.cells.get(self.key), self.comma) is not None):
            item = ItemRow({}, row)
            if not self.table.items and self.above:
                item.desc_rows.extend(self.above)
            self.table.items.append(item)
            self.current = item
        if item is None:
            if cells.get("desc"):
                self.above.append(cells["desc"])
            return
        item.rows.append(row)
        for kind, toks in cells.items():
            if kind == "desc":
                item.desc_rows.append(toks)
            elif kind in NUMERIC and kind in item.cells:
                item.later.setdefault(kind, []).append(toks)  # a gross price, a discount
            else:
                item.cells.setdefault(kind, []).extend(toks)

    def finish(self) -> None:
        """Items without their total are notes to the item above them."""
        kept: list[ItemRow] = []
        for item in self.table.items:
            if money(item.cells.get(self.key), self.comma) is None and kept:
                kept[-1].desc_rows.extend(item.desc_rows)
                kept[-1].rows.extend(item.rows)
            elif money(item.cells.get(self.key), self.comma) is not None:
                kept.append(item)
        for item in kept:
            item.cells["desc"] = item.description
        self.table.items = kept


def _resume(rows: list[Row], j: int, reader: _Reader, layout: Layout) -> int | None:
    """Where a table cut by a page break goes on at the top of the next page, if it does."""
    page = rows[j].page
    height = layout.page_sizes[page][1]
    k = j
    while k < len(rows) and rows[k].page == page and rows[k].y1 < _CONTINUE_TOP * height:
        cells = _cells(reader.table.columns, rows[k])
        if money(cells.get(reader.key), reader.comma) is not None:
            ends = _ends_table(rows[k], reader.table.columns, cells, reader.comma)
            return None if ends or not cells.get("desc") else k
        if k - j >= 3 or header_columns(rows[k]) or STOP_ROW.match(norm(rows[k].text)):
            return None  # a heading again (a table of its own), or something else
        k += 1
    return None


def _vertical(tok: Tok) -> bool:
    """A word printed sideways (a margin note running up the page)."""
    return len(tok.text) >= 3 and tok.x2 - tok.x1 < 0.5 * (tok.y2 - tok.y1)


def upright(row: Row, left: float | None = None) -> Row | None:
    """The row without the words printed sideways (and, left of x `left`, without the
    letters OCR reads one by one from such words); None if nothing else is left."""
    def sideways(seg: Segment) -> bool:
        return all(_vertical(t) for t in seg.toks) or (
            left is not None and seg.x2 < left and len(seg.text) <= 2)

    if not any(sideways(s) for s in row.segments):
        return row
    segments = [s for s in row.segments if not sideways(s)]
    if not segments:
        return None
    return Row(row.page, row.index, [t for s in segments for t in s.toks], segments)


def _read_body(layout: Layout, rows: list[Row], i: int, table: Table, comma: bool | None) -> int:
    reader = _Reader(table, comma)
    heights = [rows[i].height]
    widest = 0.0
    last = rows[i]
    j = i + 1
    margin = min(c.x1 for c in table.columns) - 2 * rows[i].height
    while j < len(rows):
        straight = upright(rows[j], margin)
        if straight is None:
            j += 1
            continue
        row = straight
        if row.page != last.page:
            if not table.items:
                break
            resumed = _resume(rows, j, reader, layout)
            if resumed is None:
                break
            j, last = resumed, rows[resumed]
            continue
        if _is_footer(row, layout):
            j += 1
            continue
        gap = row.y1 - last.y2
        if gap > max(_GAP_ROWS * statistics.median(heights), 1.6 * widest):
            break
        if table.items:
            widest = max(widest, gap)  # tables that space their items out widely
        cells = _cells(table.columns, row)
        if _ends_table(row, table.columns, cells, comma, last):
            break
        reader.read(row, cells)
        table.rows.append(row)
        heights.append(row.height)
        last = row
        j += 1
    reader.finish()
    return j


def find_tables(layout: Layout) -> list[Table]:
    rows = layout.rows
    comma = decimal_comma([r.text for r in rows])
    tables = []
    i = 0
    while i < len(rows):
        columns = header_columns(rows[i], rows[max(0, i - 3) : i])
        if columns is None:
            i += 1
            continue
        near = [r for r in rows[max(0, i - 3) : i + 4]
                if r is not rows[i] and r.page == rows[i].page and not re.search(r"\d", r.text)
                and abs(r.y1 - rows[i].y1) < 3.2 * rows[i].height]
        columns = sorted(columns + stacked_columns(columns, near), key=lambda c: c.x1)
        table = Table(rows[i], columns, [], [rows[i]], comma)
        start = i
        while start + 1 < len(rows) and any(r is rows[start + 1] for r in near):
            start += 1  # the heading's second and third lines
            table.rows.append(rows[start])
        i = _read_body(layout, rows, start, table, comma)
        tables.append(table)
    return tables
