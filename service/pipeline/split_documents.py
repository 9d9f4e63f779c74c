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

from service.pipeline.boundaries import NO_MARKS, Marks, page_marks
from service.pipeline.invoice.blocks import find_blocks
from service.pipeline.invoice.layout import build_layout, norm
from service.pipeline.invoice.parsers import find_labeled, parse_ident
from service.pipeline.words import PageText

_PAGE_OF = re.compile(r"\b(?:seite|page|blatt|s\.)\s*(\d{1,3})\s*(?:von|of|/|aus)\s*(\d{1,3})\b")
# not "500 Blatt 6,50": a page number is no amount
_PAGE_ONLY = re.compile(r"\b(?:seite|page|blatt)\s*(\d{1,3})\b(?![.,]\d)")
_BARE = re.compile(r"^(?:-\s*)?(\d{1,3})\s*(?:/\s*(\d{1,3}))?(?:\s*-)?$")
_FIRST_PAGE_LABELS = re.compile(
    r"rechnungs?(?:nummer|datum|-?nr)|invoice\s*(?:no|number|date|#)|kunden-?(?:nummer|nr)|"
    r"customer\s*(?:no|number|id)|bill(?:ed)?\s+to|invoice\s+to|beleg-?(?:nr|datum)|"
    r"^(?:rechnung|invoice|tax invoice)$"
)


@dataclass(slots=True)
class PageInfo:
    blank: bool
    number: tuple[int, int | None] | None = None
    invoice_number: str | None = None
    first_page_look: bool = False
    top_words: frozenset[str] = frozenset()
    marks: Marks = NO_MARKS


def _page_info(page: PageText) -> PageInfo:
    if sum(len(w.text) for w in page.words) < 8:
        return PageInfo(blank=True)
    info = PageInfo(blank=False)
    layout = build_layout([page])
    info.marks = page_marks(layout, page.height)
    for row in layout.rows:
        text = norm(row.text)
        m = _PAGE_OF.search(text)
        if m and int(m.group(1)) <= int(m.group(2)):
            info.number = (int(m.group(1)), int(m.group(2)))
        elif info.number is None and (m := _PAGE_ONLY.search(text)):
            info.number = (int(m.group(1)), None)
        elif (
            info.number is None
            and row.y1 > page.height * 0.85
            and (m := _BARE.match(text))
            and (m.group(2) is None or int(m.group(1)) <= int(m.group(2)))
        ):
            info.number = (int(m.group(1)), int(m.group(2)) if m.group(2) else None)
    number = next(find_labeled(layout, "number", parse_ident, set()), None)
    info.invoice_number = number.value if number else None
    labels = sum(
        1
        for row in layout.rows
        for seg in row.segments
        if _FIRST_PAGE_LABELS.search(norm(seg.text))
    )
    info.first_page_look = labels >= 2 or (labels >= 1 and bool(find_blocks(layout, 1)))
    info.top_words = frozenset(
        norm(w.text) for w in page.words if w.y2 < page.height * 0.12 and len(w.text) > 2
    )
    return info


def _start_confidence(prev: PageInfo, cur: PageInfo, blank_between: bool,
                      doc_number: str | None, doc_title: str | None,
                      doc_senders: frozenset[str]) -> float:
    """How sure we are that cur begins a new document, given the page before it.

    doc_number is the number the current document printed with its title or label, if any;
    doc_title is the document type its first page printed as its title, if any;
    doc_senders are the VAT ids, mail domains and web hosts its pages printed.
    """
    continues = (cur.number is not None and prev.number is not None
                 and prev.number[0] + 1 == cur.number[0])
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
        if (cur.first_page_look and cur.marks.senders and doc_senders
                and not cur.marks.senders & doc_senders):
            return 0.9  # a first page that names none of the parties of the document so far
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
    if doc_title and not cur.marks.title:
        # a document whose first page has a title: its later pages may show addresses
        # (delivery, payee) and labels without being a first page
        score = 0.4 if cur.first_page_look else 0.25
    if prev.top_words and cur.top_words:
        overlap = len(prev.top_words & cur.top_words) / len(prev.top_words | cur.top_words)
        if overlap < 0.2 and cur.first_page_look and not (doc_title and not cur.marks.title):
            score = max(score, 0.9)
    if blank_between:
        score = max(score, 0.9)
    return score


def split_documents(pages: list[PageText]) -> dict[str, Any]:
    infos = [_page_info(page) for page in pages]
    starts: dict[int, float] = {}  # 0-based page index -> start confidence
    prev: PageInfo | None = None
    blank_between = False
    doc_number: str | None = None
    doc_title: str | None = None
    doc_senders: frozenset[str] = frozenset()
    for i, info in enumerate(infos):
        if info.blank:
            blank_between = prev is not None
            continue
        starts[i] = 1.0 if prev is None else _start_confidence(prev, info, blank_between,
                                                               doc_number, doc_title,
                                                               doc_senders)
        if starts[i] >= 0.5:
            doc_number, doc_title = info.marks.number, info.marks.title
            doc_senders = frozenset()
        doc_senders |= info.marks.senders
        doc_number = doc_number or info.marks.number
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
