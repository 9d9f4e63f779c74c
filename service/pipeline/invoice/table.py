"""Line items: find a header row, take its column x-ranges, read the rows below."""

from __future__ import annotations

import re
from dataclasses import dataclass

from service.pipeline.invoice.amounts import parse_amount
from service.pipeline.invoice.layout import Layout, Row, Segment, Tok, norm

# Longer phrases first so "unit price" wins over "price" and "item description" over "item".
COLUMN_WORDS: list[tuple[str, str]] = [
    ("item description", "desc"),
    ("product / service", "desc"),
    ("line total", "total"),
    ("unit price", "price"),
    ("unit cost", "price"),
    ("price per unit", "price"),
    ("net amount", "total"),
    ("total price", "total"),
    ("vat %", "tax"),
    ("tax rate", "tax"),
    ("pos.", "pos"),
    ("pos", "pos"),
    ("nr.", "pos"),
    ("nr", "pos"),
    ("#", "pos"),
    ("no.", "pos"),
    ("line", "pos"),
    ("art.-nr.", "pos"),
    ("artikelnr.", "pos"),
    ("artikel-nr.", "pos"),
    ("bezeichnung", "desc"),
    ("beschreibung", "desc"),
    ("artikel", "desc"),
    ("leistung", "desc"),
    ("artikelbezeichnung", "desc"),
    ("description", "desc"),
    ("product", "desc"),
    ("service", "desc"),
    ("details", "desc"),
    ("produkt", "desc"),
    ("item", "desc"),
    ("menge", "qty"),
    ("anzahl", "qty"),
    ("qty", "qty"),
    ("qty.", "qty"),
    ("quantity", "qty"),
    ("units", "qty"),
    ("stück", "qty"),
    ("hours", "qty"),
    ("stunden", "qty"),
    ("einheit", "unit"),
    ("unit", "unit"),
    ("me", "unit"),
    ("einzelpreis", "price"),
    ("e-preis", "price"),
    ("ep", "price"),
    ("preis", "price"),
    ("stückpreis", "price"),
    ("price", "price"),
    ("rate", "price"),
    ("price/unit", "price"),
    ("cost", "price"),
    ("ust.", "tax"),
    ("ust", "tax"),
    ("mwst.", "tax"),
    ("mwst", "tax"),
    ("vat", "tax"),
    ("tax", "tax"),
    ("steuer", "tax"),
    ("ust.-satz", "tax"),
    ("gesamtpreis", "total"),
    ("gesamt", "total"),
    ("betrag", "total"),
    ("summe", "total"),
    ("total", "total"),
    ("amount", "total"),
    ("net", "total"),
    ("value", "total"),
    ("gesamtbetrag", "total"),
    ("netto", "total"),
]
LEFT_ALIGNED = {"pos", "desc", "unit"}
STOP_ROW = re.compile(
    r"^(zwischensumme|summe|gesamt|nettobetrag|netto|subtotal|sub-total|total|net total|"
    r"übertrag|carried forward|zzgl|mwst|ust|vat|tax|goods total|amount due|endbetrag)\b"
)


@dataclass(slots=True)
class Column:
    kind: str
    x1: float
    x2: float


@dataclass(slots=True)
class ItemRow:
    cells: dict[str, list[Tok]]
    row: Row


@dataclass(slots=True)
class Table:
    header: Row
    columns: list[Column]
    items: list[ItemRow]
    rows: list[Row]  # header and every row read as part of the table


def _header_columns(row: Row) -> list[Column] | None:
    toks = row.toks
    columns: list[Column] = []
    unmatched = 0
    i = 0
    while i < len(toks):
        for phrase, kind in COLUMN_WORDS:
            words = phrase.split()
            chunk = [t.text.lower().rstrip(":") for t in toks[i : i + len(words)]]
            close = all(
                b.x1 - a.x2 < a.height
                for a, b in zip(
                    toks[i : i + len(words)], toks[i + 1 : i + len(words)], strict=False
                )
            )
            if chunk == words and close:
                columns.append(Column(kind, toks[i].x1, toks[i + len(words) - 1].x2))
                i += len(words)
                break
        else:
            # "(GBP)" after "Line Total" belongs to that column's heading
            if columns and toks[i].x1 - columns[-1].x2 < 2 * toks[i].height:
                columns[-1].x2 = toks[i].x2
            unmatched += 1
            i += 1
    kinds = [c.kind for c in columns]
    if kinds.count("desc") == 2 and kinds[0] == "desc":
        columns[0].kind = "pos"  # "Item | Description"
        kinds = [c.kind for c in columns]
    if len(set(kinds)) < 3 or "desc" not in kinds or not {"total", "price"} & set(kinds):
        return None
    if unmatched > len(columns) / 2 or len(kinds) != len(set(kinds)):
        return None
    return columns


def _assign(columns: list[Column], seg: Segment) -> dict[str, list[Tok]]:
    def overlap(col: Column, x1: float, x2: float) -> float:
        return min(col.x2, x2) - max(col.x1, x1)

    hits = [c for c in columns if overlap(c, seg.x1, seg.x2) > 0]
    if len(hits) == 1:
        return {hits[0].kind: list(seg.toks)}
    out: dict[str, list[Tok]] = {}
    if len(hits) > 1:
        for tok in seg.toks:
            best = max(columns, key=lambda c: overlap(c, tok.x1, tok.x2))
            out.setdefault(best.kind, []).append(tok)
        return out

    def distance(col: Column) -> float:
        if col.kind in LEFT_ALIGNED:
            return abs(seg.x1 - col.x1)
        return abs(seg.x2 - col.x2)

    return {min(columns, key=distance).kind: list(seg.toks)}


def _is_money(toks: list[Tok]) -> bool:
    text = " ".join(t.text for t in toks)
    return bool(re.search(r"\d", text)) and parse_amount(text) is not None


def find_tables(layout: Layout) -> list[Table]:
    tables = []
    for page in sorted(layout.page_sizes):
        rows = layout.page_rows(page)
        i = 0
        while i < len(rows):
            columns = _header_columns(rows[i])
            if columns is None:
                i += 1
                continue
            table = Table(rows[i], columns, [], [rows[i]])
            pitch = rows[i].height * 2.2
            last_y = rows[i].y2
            j = i + 1
            while j < len(rows):
                row = rows[j]
                if row.y1 - last_y > max(pitch, 3.2 * row.height) or STOP_ROW.match(
                    norm(row.segments[0].text)
                ):
                    break
                cells: dict[str, list[Tok]] = {}
                for seg in row.segments:
                    for kind, toks in _assign(columns, seg).items():
                        cells.setdefault(kind, []).extend(toks)
                priced = any(_is_money(cells.get(k, [])) for k in ("total", "price"))
                if priced and "desc" in cells:
                    table.items.append(ItemRow(cells, row))
                elif table.items and set(cells) == {"desc"}:
                    table.items[-1].cells["desc"].extend(cells["desc"])
                else:
                    break
                table.rows.append(row)
                last_y = row.y2
                pitch = max(pitch, row.height * 2.2)
                j += 1
            tables.append(table)
            i = j
    return tables
