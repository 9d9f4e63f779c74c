"""The heading row of an item table: which column holds what, in any order and language.

A heading is read word run by word run (longest first) against one vocabulary per column
kind in English, German, French, Dutch, Spanish and Italian. Headings printed on two or
three stacked lines ('Positions- / betrag / ohne USt.', 'Art-Nr-Kunde / Art-Nr') are read
from the rows just above and below the main heading row.
"""

from __future__ import annotations

import dataclasses
import itertools
import re
from dataclasses import dataclass

from service.pipeline.invoice.layout import Row, Tok

_KINDS: list[tuple[str, str]] = [
    ("ean", r"ean(?:-?code)?|gtin"),
    ("pos", r"pos\.?|position|nr\.?|no\.?|n[°º]\.?|#|line|lfd\.?(?: nr\.?)?|item ?#|ln"),
    ("article", r"art(?:ikel)?\.?[ -]?-?(?:nr|nummer|no)\.?(?:[ -]?[\w.]+)?|\(art\)|sku|"
                r"item (?:no\.?|code|number|id)|product (?:code|no\.?|id)|part (?:no\.?|number)|"
                r"r[ée]f(?:[ée]rence)?\.?|code|c[óo]digo|codice|artikelcode|artikelnummer"),
    ("price", r"(?:unit )?price|unit cost|unit rate|price per unit|price/unit|price \(\w+\)|"
              r"rate|einzelpreis|e-?preis|ep|preis|st[üu]ckpreis|nettopreis|preis/einheit|"
              r"prix(?: unit(?:aire|\.))?(?: unit(?:aire|\.) ht)?|p\.? ?u\.?(?: ht)?|"
              r"prijs(?: per (?:stuk|eenheid))?|stukprijs|eenheidsprijs|"
              r"precio(?: unit(?:ario|\.))?|prezzo(?: unit(?:ario|\.))?"),
    ("qty", r"menge|anzahl|qty\.?|quantity|units|st[üu]ck|stk\.?|hours|hrs|stunden|std\.?|"
            r"qt[ée]\.?|quantit[ée]|aantal|cantidad|cant\.?|quantit[àa]|q\.?t[àa]\.?|nombre"),
    # 'Price unit' / 'Preiseinheit': the price's base quantity (XRechnung's tabular layout)
    ("unit", r"einheit|unit|me|uom|u\.? ?m\.?|unit[ée]|eenheid|unidad|unit[àa]|"
             r"meng(?:en|\.)?-?einheit|price unit|preiseinheit"),
    ("tax", r"(?:ust|mwst|vat|tax|tva|btw|iva)\.? ?%|"
            r"ust\.?|mwst\.?|vat(?: %| rate)?|tax(?: rate| %)?|gst|steuer(?:satz)?(?: \[?%\]?)?|"
            r"ust\.?-?satz|mwst\.?-?satz|tva(?: %)?|taux(?: tva)?|btw(?: %| tarief)?|"
            r"iva(?: %)?|%"),
    ("total", r"(?:line )?total(?: price| ht| net)?|net amount|amount|net|value|"
              r"gesamt(?:preis|betrag)?|gp|g-?preis|betrag|nettobetrag|positionsbetrag|summe|"
              r"netto|entgelt|"
              r"montant(?: ht)?|prix(?: total)? ht|prix total|totaal|bedrag|importe|importo|"
              r"totale|subtotal"),
    ("discount", r"rem\.?|remise|rabatt|discount|korting|descuento|sconto|disc\.?|"
                 r"(?:nachl[äa]sse|allowances|remises)(?: ?/(?: ?(?:zuschl[äa]ge|charges|"
                 r"majorations))?)?"),
    ("desc", r"(?:item |article |product )?description|description of (?:goods|services)|"
             r"(?:artikel|produkt|waren)?(?:bezeichnung|beschreibung)|leistung(?:sbeschreibung)?|"
             r"artikel|produkt|"
             r"product(?: ?/ ?service)?|service|services|details|item|d[ée]signation|"
             r"libell[ée]|produits?|omschrijving|descripci[óo]n|concepto|art[íi]culo|descrizione|"
             r"articolo|prestazione|text"),
]
_PATTERNS = [(kind, re.compile(pattern)) for kind, pattern in _KINDS]
LEFT_ALIGNED = {"pos", "article", "ean", "desc", "unit"}
NUMERIC = {"qty", "price", "total", "tax"}


@dataclass(slots=True)
class Column:
    kind: str
    x1: float
    x2: float


def _key(toks: list[Tok]) -> str:
    text = " ".join(t.text for t in toks).lower().strip(" :").lstrip("[\u201a,|")  # OCR: "[Price"
    return re.sub(r"-\s+(?=[a-zäöü])", "", text)  # 'Positions- betrag'


def kind_of(text: str) -> str | None:
    for kind, pattern in _PATTERNS:
        if pattern.fullmatch(text):
            return kind
    return None


def joined_above(row: Row, above: list[Row]) -> list[Tok]:
    """The row's words, each with the word fragment printed right above it that ends in
    '-' or '/' put in front ('Meng.-' over 'einheit', 'Preis/' over 'Einheit')."""
    fragments = [t for r in above for t in r.toks
                 if r.page == row.page and t.y1 < row.y1
                 and -0.5 * row.height <= row.y1 - t.y2 < 1.5 * row.height
                 and len(t.text) >= 3 and t.text.endswith(("-", "/"))]
    out = []
    for tok in row.toks:
        frag = next((f for f in fragments if min(f.x2, tok.x2) - max(f.x1, tok.x1) > 0), None)
        out.append(tok if frag is None else dataclasses.replace(
            tok, text=frag.text + tok.text, x1=min(frag.x1, tok.x1), x2=max(frag.x2, tok.x2)))
    return out


def _read_row(row: Row, toks: list[Tok] | None = None) -> tuple[list[Column], int]:
    """The columns one row names (or its words `toks`) and how many of its words name none."""
    toks = row.toks if toks is None else toks
    columns: list[Column] = []
    unmatched = 0
    i = 0
    while i < len(toks):
        for width in (3, 2, 1):
            run = toks[i : i + width]
            if len(run) < width or any(b.x1 - a.x2 > a.height for a, b in itertools.pairwise(run)):
                continue
            kind = kind_of(_key(run))
            if kind is not None and columns and columns[-1].kind == kind and (
                run[0].x1 - columns[-1].x2 < run[0].height
            ):
                columns[-1].x2 = run[-1].x2  # 'USt. %': one heading in two words
                i += width
                break
            if kind is not None:
                columns.append(Column(kind, run[0].x1, run[-1].x2))
                i += width
                break
        else:
            # '(GBP)' after 'Line Total', '(Kategorie)' after 'Art': part of that heading
            if columns and toks[i].x1 - columns[-1].x2 < 2 * toks[i].height:
                columns[-1].x2 = toks[i].x2
            else:
                unmatched += 1
            i += 1
    return columns, unmatched


def header_columns(row: Row, above: list[Row] | None = None) -> list[Column] | None:
    """The columns of a heading row; `above`: the rows just above it, where the first half
    of a heading broken over two lines may be printed."""
    columns, unmatched = _read_row(row, joined_above(row, above) if above else None)
    kinds = [c.kind for c in columns]
    if kinds.count("desc") == 2 and kinds[0] == "desc":
        columns[0].kind = "pos"  # "Item | Description"
        kinds = [c.kind for c in columns]
    if kinds.count("total") == 2 and "qty" not in kinds:
        columns[kinds.index("total")].kind = "qty"  # 'Amount | Product | ... | Total'
        kinds = [c.kind for c in columns]
    if len(set(kinds)) < 3 or "desc" not in kinds or not {"total", "price"} & set(kinds):
        return None
    if unmatched > len(columns) / 2 or len(kinds) != len(set(kinds)):
        return None
    return columns


def stacked_columns(columns: list[Column], near: list[Row]) -> list[Column]:
    """Columns named on the heading's neighbour rows where the main row names none: the
    words stacked at one place are read together ('Positions- betrag ohne USt.')."""
    stacks: list[tuple[list[str], list[float]]] = []  # words, [x1, x2]
    for row in near:
        for seg in row.segments:
            if any(min(c.x2, seg.x2) > max(c.x1, seg.x1) for c in columns):
                continue
            stack = next((st for st in stacks if min(st[1][1], seg.x2) > max(st[1][0], seg.x1)),
                         None)
            if stack is None:
                stacks.append(([_key(seg.toks)], [seg.x1, seg.x2]))
            else:
                stack[0].append(_key(seg.toks))
                stack[1][:] = [min(stack[1][0], seg.x1), max(stack[1][1], seg.x2)]
    out = []
    taken = {c.kind for c in columns}
    for texts, (x1, x2) in stacks:
        text = " ".join(texts).replace("- ", "")
        kind = kind_of(text) or next((k for k in map(kind_of, text.split()) if k), None)
        if kind is not None and kind not in taken:
            out.append(Column(kind, x1, x2))
            taken.add(kind)
    return out
