"""Where one document ends and the next begins in a stack of scanned pages.

Signals, strongest first: printed page numbers ("Seite 1 von 2", and a page
after "Seite 2 von 2"), the document's number printed with its title or label
changing or staying (service.pipeline.boundaries), a new title, a first page
naming none of the parties of the document before, blank separator pages, and
a first-page look (a letterhead with an address block and invoice labels) at
the top of a page. Real invoices often print no page numbers at all.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from service.pipeline.boundaries import NO_MARKS, Marks, is_order, page_marks
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


def _page_info(page: PageText) -> PageInfo:
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


def _continues(prev: PageInfo, cur: PageInfo) -> bool:
    """cur's printed page number follows prev's ("Seite 2 von 3" after "Seite 1 von 3")."""
    if prev.number is None or cur.number is None:
        return False
    (n, total), (m, count) = prev.number, cur.number
    return m == n + 1 and (total is None or count is None or total == count)


@dataclass(slots=True)
class DocSoFar:
    """What the pages of the document being read have shown."""

    number: str | None = None  # the number printed with its title or label
    title: str | None = None  # the document type its first page printed as its title
    senders: frozenset[str] = frozenset()  # VAT ids, mail domains and web hosts printed
    top: frozenset[str] = frozenset()  # the words atop its first page (its letterhead)


def _overlap(a: frozenset[str], b: frozenset[str]) -> float:
    return len(a & b) / len(a | b) if a and b else 0.0


def _start_confidence(prev: PageInfo, cur: PageInfo, blank_between: bool,
                      doc: DocSoFar) -> float:
    """How sure we are that cur begins a new document, given the page before it."""
    doc_number, doc_title, doc_senders = doc.number, doc.title, doc.senders
    continues = _continues(prev, cur)
    midway = (prev.number is not None and prev.number[1] is not None
              and prev.number[0] < prev.number[1])
    later_page = cur.number is not None and cur.number[0] > 1
    # a different document number outweighs a stray number read as a page number
    if not continues and cur.marks.number and doc_number and cur.marks.number != doc_number:
        return 0.95
    if not continues and not midway and not later_page:
        if prev.number is not None and prev.number[0] == prev.number[1]:
            return 0.97  # the page before said "page n of n": its document has ended
        # a title printed again on later pages ("INVOICE" atop each) is a running header
        if cur.marks.title and cur.marks.title != doc_title:
            return 0.9
        if ((cur.first_page_look or cur.marks.title) and cur.marks.senders and doc_senders
                and not cur.marks.senders & doc_senders):
            return 0.9  # a first page that names none of the parties of the document so far
        if prev.closes and (cur.marks.title or cur.first_page_look or cur.address):
            # the page before printed the amount due: its document has ended, and this page
            # opens like a first page (a title, even the same one, or an address block)
            return 0.9
        if prev.closes and cur.marks.senders and doc_senders and not (
                cur.marks.senders & doc_senders):
            return 0.9  # after the amount due, a page naming other parties
        if (prev.closes and _overlap(cur.top_words, doc.top) >= 0.5
                and _overlap(cur.top_words, prev.top_words) < 0.5):
            # after the amount due, the letterhead of a first page again (a letterhead
            # repeated on every page says nothing)
            return 0.85
    if cur.marks.number and cur.marks.number == doc_number and not continues:
        return 0.1 if cur.number is None or cur.number[0] != 1 else 0.97
    # numbers read from any label ("Nr. 10a UStG") count only when the document printed
    # no number with its title or a strict label
    loose = doc_number is None
    # a different invoice number outweighs a stray number read as a page number
    if (loose and cur.invoice_number and prev.invoice_number and not continues
            and cur.invoice_number != prev.invoice_number):
        return 0.95
    if blank_between and cur.first_page_look and not continues:
        return 0.9
    if cur.number is not None:
        if cur.number[0] == 1:
            return 0.97
        if prev.number is not None and prev.number[0] + 1 == cur.number[0]:
            return 0.03
        return 0.15
    if prev.number is not None and prev.number[1] is not None and prev.number[0] < prev.number[1]:
        return 0.08
    if loose and cur.invoice_number and prev.invoice_number:
        return 0.95 if cur.invoice_number != prev.invoice_number else 0.05
    score = 0.85 if cur.first_page_look else 0.25
    # a document whose first page has a title, or whose pages named its parties, may show
    # addresses (delivery, payee) and labels on later pages without a title or a party
    later_look = bool(doc_title and not cur.marks.title) or bool(
        doc_senders and not cur.marks.senders and not prev.closes)
    if later_look:
        score = 0.4 if cur.first_page_look else 0.25
    if prev.top_words and cur.top_words:
        overlap = _overlap(prev.top_words, cur.top_words)
        if overlap < 0.2 and cur.first_page_look and not later_look:
            score = max(score, 0.9)
        if overlap < 0.2 and cur.window and not cur.marks.senders & doc_senders:
            # another letterhead over an address in a window, no party of the document named
            score = max(score, 0.85)
    if blank_between:
        score = max(score, 0.9)
    return score


def split_documents(pages: list[PageText]) -> dict[str, Any]:
    infos = [_page_info(page) for page in pages]
    starts: dict[int, float] = {}  # 0-based page index -> start confidence
    prev: PageInfo | None = None
    blank_between = False
    doc = DocSoFar()
    for i, info in enumerate(infos):
        if info.blank:
            blank_between = prev is not None
            continue
        if doc.title and not is_order(doc.title) and is_order(info.marks.title):
            # an invoice's later page that names an order ("Purchase order: 4500012345")
            info.marks = Marks(title=None, number=None, senders=info.marks.senders)
        starts[i] = 1.0 if prev is None else _start_confidence(prev, info, blank_between, doc)
        if starts[i] >= 0.5:
            doc = DocSoFar(info.marks.number, info.marks.title, top=info.top_words)
        doc.senders |= info.marks.senders
        doc.number = doc.number or info.marks.number
        prev, blank_between = info, False

    documents: list[list[int]] = []
    for i, info in enumerate(infos):
        if info.blank:
            continue
        if not documents or starts[i] >= 0.5:
            documents.append([])
        documents[-1].append(i + 1)

    confidences = []
    for i in range(len(pages) - 1):
        nxt = next((j for j in range(i + 1, len(pages)) if not infos[j].blank), None)
        confidences.append(0.0 if nxt is None else round(starts[nxt], 3))
    return {
        "schema_version": 1,
        "sub_documents": [
            {"name": f"sub_document_{k}", "pages": pages_} for k, pages_ in enumerate(documents)
        ],
        "split_point_confidences": confidences,
    }
