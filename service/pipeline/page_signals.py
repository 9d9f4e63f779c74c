"""What one page shows about where it sits in a document, for the splitter.

Its printed page number ("Seite 1 von 3", "Page 2 of 5", "Page 1/2", "Page 1 sur 2",
"Pagina 1 van 2", "Blatt 1", "p. 1", a bare "1/2" atop or below the page), the
document's number and title (service.pipeline.boundaries), whether it looks like a
first page (labels, an address block, a letter's window address), the words of its
letterhead and whether it prints the amount due (where a document ends).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from service.pipeline.boundaries import NO_MARKS, Marks, page_marks
from service.pipeline.invoice.blocks import find_blocks
from service.pipeline.invoice.layout import Layout, build_layout, norm
from service.pipeline.invoice.parsers import find_labeled, parse_ident
from service.pipeline.words import PageText

# "Seite 1 von 3", "Page 2 of 5", "Page 1/2", "Page 1 sur 2", "Pagina 1 van 2", "Blatt 1", "p. 1"
_PAGE_WORD = r"(?:seite|page|pagina|página|blatt|blad|s\.|p\.|pag\.|pg\.?)"
_PAGE_OF = re.compile(
    rf"(?<![\w.]){_PAGE_WORD}\s*:?\s*(\d{{1,3}})\s*(?:von|of|/|aus|sur|van|de|di)\s*(\d{{1,3}})\b"
)
# not "500 Blatt 6,50": a page number is no amount
_PAGE_ONLY = re.compile(r"(?<![\w.])(?:seite|page|pagina|página|blatt|blad|p\.)\s*:?\s*(\d{1,3})\b"
                        r"(?![.,/]\d)")
_BARE = re.compile(r"^(?:-\s*)?(\d{1,3})\s*(?:/\s*(\d{1,3}))?(?:\s*-)?$")
# "1/2" alone in a phrase at the top of a page
_BARE_OF = re.compile(r"^(\d{1,2})\s*/\s*(\d{1,2})$")
_FIRST_PAGE_LABELS = re.compile(
    r"rechnungs?(?:nummer|datum|-?nr)|invoice\s*(?:no|number|date|#)|kunden-?(?:nummer|nr)|"
    r"customer\s*(?:no|number|id)|bill(?:ed)?\s+to|invoice\s+to|beleg-?(?:nr|datum)|"
    r"^(?:rechnung|invoice|tax invoice)$"
)
# the amount a document asks for, printed where it ends ("Zahlbetrag 529,87", "Amount due")
_CLOSING = re.compile(
    r"^(?:zahlbetrag|zu zahlen(?:der betrag)?|rechnungsbetrag|gesamtbetrag(?! der)|endbetrag|"
    r"bruttosumme|amount due|total due|balance due|amount payable|total amount due|grand total|"
    r"net [àa] payer|montant [àa] payer|total ttc|te betalen|totaal te betalen)\b"
)


@dataclass(slots=True)
class PageInfo:
    blank: bool
    number: tuple[int, int | None] | None = None
    invoice_number: str | None = None
    first_page_look: bool = False
    address: bool = False  # an address block (a city line with the lines above it)
    window: bool = False  # an address block with no label in the top part: a letter's window
    closes: bool = False  # the amount due printed in the lower half of the page's rows
    top_words: frozenset[str] = frozenset()
    marks: Marks = NO_MARKS


def _valid(n: int, total: int | None) -> tuple[int, int | None] | None:
    return (n, total) if n >= 1 and (total is None or n <= total) else None


def _page_number(layout: Layout, height: int) -> tuple[int, int | None] | None:
    """The page number printed on the page, with the page count when it is printed too."""
    number: tuple[int, int | None] | None = None
    for row in layout.rows:
        text = norm(row.text)
        if (m := _PAGE_OF.search(text)) and (found := _valid(int(m.group(1)), int(m.group(2)))):
            return found
        if number is None and (m := _PAGE_ONLY.search(text)):
            number = _valid(int(m.group(1)), None)
        if number is None and row.y1 > height * 0.85 and (m := _BARE.match(text)):
            number = _valid(int(m.group(1)), int(m.group(2)) if m.group(2) else None)
        if row.y1 > height * 0.85 or row.y2 < height * 0.08:
            # "1/2" in a phrase of its own in the header or footer
            for seg in row.segments:
                if (m := _BARE_OF.match(norm(seg.text))) and (
                        found := _valid(int(m.group(1)), int(m.group(2)))):
                    return found
    return number


def page_info(page: PageText) -> PageInfo:
    if sum(len(w.text) for w in page.words) < 8:
        return PageInfo(blank=True)
    info = PageInfo(blank=False)
    layout = build_layout([page])
    info.marks = page_marks(layout, page.height)
    info.number = _page_number(layout, page.height)
    # an invoice number is printed in the top half ("Nr. 10a UStG" below is none)
    number = next((c for c in find_labeled(layout, "number", parse_ident, set())
                   if c.row.y1 < page.height * 0.5), None)
    info.invoice_number = number.value if number else None
    labels = sum(
        1
        for row in layout.rows
        for seg in row.segments
        if _FIRST_PAGE_LABELS.search(norm(seg.text))
    )
    blocks = find_blocks(layout, 1)
    info.address = bool(blocks)
    info.window = any(not b.label and b.name.y1 < page.height * 0.4 for b in blocks)
    info.first_page_look = labels >= 2 or (labels >= 1 and info.address)
    half = len(layout.rows) // 2
    info.closes = any(_CLOSING.match(norm(seg.text))
                      for row in layout.rows[half:] for seg in row.segments)
    info.top_words = frozenset(
        norm(w.text) for w in page.words if w.y2 < page.height * 0.12 and len(w.text) > 2
    )
    return info
