"""Where one document ends and the next begins in a stack of scanned pages.

Signals, strongest first: printed page numbers (a page numbered 1, a page after
"Seite 2 von 2"; a continuation "Seite 2 von 3" after "Seite 1 von 3" keeps the page
in its document whatever its header says), the document's number printed with its
title or label changing or staying (service.pipeline.boundaries: a new number from the
same sender starts a document), a new title, a first page naming none of the parties
of the document before, a page that opens like a first page (a title, an address block,
the first page's letterhead again, other parties) after one that printed the amount
due, another letterhead over a window address, blank separator pages, and a first-page
look (labels and an address block) at the top of a page. A letterhead repeated on every
page is no signal by itself. Real invoices often print no page numbers at all; what a
page shows is read in service.pipeline.page_signals.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from service.pipeline.boundaries import Marks, is_order
from service.pipeline.page_signals import PageInfo, page_info
from service.pipeline.words import PageText


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
    infos = [page_info(page) for page in pages]
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
