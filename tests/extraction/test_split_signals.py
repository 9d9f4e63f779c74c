"""Splitting signals on generated PDFs read through folio's text layer: the same sender's
documents back to back, printed page numbers in several languages, untitled first pages."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from benchmarks.invoices.pdfcanvas import Canvas
from service.pipeline.split_documents import split_documents
from service.pipeline.textlayer import pdf_text_layers
from service.pipeline.words import PageText

A4_AT_220 = (1819, 2573)
Page = Callable[[Canvas], None]


def _pages(tmp_path: Path, pages: list[Page]) -> list[PageText]:
    c = Canvas()
    for k, draw in enumerate(pages):
        if k:
            c.new_page()
        draw(c)
    path = tmp_path / "bundle.pdf"
    path.write_bytes(c.to_pdf())
    texts = pdf_text_layers(path, [A4_AT_220] * c.page_count)
    assert all(t is not None for t in texts)
    return [t for t in texts if t is not None]


def _split(tmp_path: Path, pages: list[Page]) -> tuple[list[list[int]], list[bool]]:
    result = split_documents(_pages(tmp_path, pages))
    return ([d["pages"] for d in result["sub_documents"]],
            [c > 0.5 for c in result["split_point_confidences"]])


def _letterhead(c: Canvas, name: str = "Nordlicht Energie GmbH", vat: str = "DE811569869",
                web: str = "www.nordlicht-energie.de") -> None:
    c.text(60, 50, name, size=14, bold=True)
    c.text(60, 66, f"Hafenstraße 4 · 20457 Hamburg · USt-IdNr. {vat} · {web}", size=8)


def _address(c: Canvas) -> None:
    for k, line in enumerate(("Bäckerei Sonnenschein", "Lindenweg 12", "24103 Kiel")):
        c.text(60, 120 + 14 * k, line)


def _items(c: Canvas, top: float, first: int, count: int = 8) -> None:
    c.text(60, top, "Pos Bezeichnung Menge Einzelpreis Betrag", bold=True)
    for k in range(count):
        c.text(60, top + 16 * (k + 1), f"{first + k} Wartung Kältetechnik {k + 1} Std")
        c.text(530, top + 16 * (k + 1), f"{(first + k) * 7},50", align="right")


def _footer(c: Canvas, text: str) -> None:
    c.text(297, 815, text, size=8, align="center")


def test_same_sender_invoices_back_to_back_split_at_the_new_number(tmp_path: Path) -> None:
    # one letterhead, the same title "RECHNUNG" on both: only the invoice numbers differ
    def invoice(number: str) -> Page:
        def draw(c: Canvas) -> None:
            _letterhead(c)
            _address(c)
            c.text(60, 210, "RECHNUNG", size=16, bold=True)
            c.text(350, 120, f"Rechnungsnummer: {number}")
            c.text(350, 134, "Rechnungsdatum: 14.03.2025")
            c.text(350, 148, "Kundennummer: 30017")
            _items(c, 250, 1, 5)
            c.text(350, 400, "Rechnungsbetrag 154,70 EUR")
        return draw

    def later(c: Canvas) -> None:
        _letterhead(c)
        _items(c, 120, 6, 10)
        c.text(350, 320, "Rechnungsbetrag 412,30 EUR")

    documents, splits = _split(tmp_path, [invoice("RE-25-0311"), invoice("RE-25-0312"), later,
                                          invoice("RE-25-0313")])
    assert documents == [[1], [2, 3], [4]]
    assert splits == [True, False, True]


def test_page_numbers_continue_across_a_changed_header(tmp_path: Path) -> None:
    # page 2 carries another company's header (a subcontractor's service report bound in)
    # with a title and number of its own; "Seite 2 von 3" says it belongs to the document
    def first(c: Canvas) -> None:
        _letterhead(c)
        _address(c)
        c.text(60, 210, "Rechnung Nr. 2025-0042", size=14, bold=True)
        c.text(350, 120, "Rechnungsdatum: 14.03.2025")
        _items(c, 250, 1, 6)
        _footer(c, "Seite 1 von 3")

    def report(c: Canvas) -> None:
        _letterhead(c, "Kältetechnik Petersen KG", "DE298765432", "www.petersen-kaelte.de")
        _address(c)
        c.text(60, 210, "Rechnung Nr. SB-7781", size=14, bold=True)
        c.text(350, 120, "Kundennummer: 5521")
        c.text(350, 134, "Rechnungsdatum: 02.03.2025")
        _items(c, 250, 7, 6)
        _footer(c, "Seite 2 von 3")

    def last(c: Canvas) -> None:
        _items(c, 80, 13, 4)
        c.text(350, 250, "Rechnungsbetrag 1.204,70 EUR")
        _footer(c, "Seite 3 von 3")

    documents, splits = _split(tmp_path, [first, report, last])
    assert documents == [[1, 2, 3]]
    assert splits == [False, False]


@pytest.mark.parametrize(("of", "style"), [
    ("Page {n}/{total}", "en"), ("{n}/{total}", "bare"), ("Page {n} of {total}", "en"),
    ("Page {n} sur {total}", "fr"), ("Pagina {n} van {total}", "nl"), ("p. {n}", "short"),
    ("Blatt {n}", "de"),
])
def test_page_number_reset_splits_documents_of_one_sender(tmp_path: Path, of: str,
                                                         style: str) -> None:
    # no titles, no numbers, one letterhead: only the printed page numbers tell the documents
    def page(n: int, total: int) -> Page:
        def draw(c: Canvas) -> None:
            _letterhead(c)
            _items(c, 120, 10 * n, 10)
            _footer(c, of.format(n=n, total=total))
        return draw

    documents, _ = _split(tmp_path, [page(1, 2), page(2, 2), page(1, 2), page(2, 2)])
    assert documents == [[1, 2], [3, 4]], style


def test_untitled_first_page_after_another_document_splits(tmp_path: Path) -> None:
    # the second document's first page is a letterhead, an address and a table: no title,
    # no number, no page numbers; the first document ended with its amount due
    def first(c: Canvas) -> None:
        _letterhead(c)
        _address(c)
        c.text(60, 210, "Rechnung Nr. 2025-0042", size=14, bold=True)
        _items(c, 250, 1, 6)

    def ending(c: Canvas) -> None:
        _items(c, 80, 7, 4)
        c.text(350, 200, "Nettobetrag 480,00 EUR")
        c.text(350, 214, "USt 19 % 91,20 EUR")
        c.text(350, 228, "Zahlbetrag 571,20 EUR", bold=True)
        c.text(60, 260, "Zahlbar innerhalb von 14 Tagen ohne Abzug.")

    def untitled(c: Canvas) -> None:
        _letterhead(c)
        _address(c)
        _items(c, 200, 1, 6)

    documents, splits = _split(tmp_path, [first, ending, untitled])
    assert documents == [[1, 2], [3]]
    assert splits == [False, True]


def test_order_documents_split_at_their_titles_not_at_an_invoices_order_reference(
        tmp_path: Path) -> None:
    # Order-X printouts of one buyer: the order, then a change of it; then an invoice whose
    # second page names the order it bills at its top
    def order(title: str) -> Page:
        def draw(c: Canvas) -> None:
            c.text(60, 40, "BUYER: Bäckerei Sonnenschein")
            c.text(60, 56, title, size=12, bold=True)
            c.text(350, 40, "Date : 31/03/2020")
            _items(c, 120, 1, 5)
        return draw

    def invoice(c: Canvas) -> None:
        _letterhead(c)
        _address(c)
        c.text(60, 210, "Rechnung Nr. 2025-0042", size=14, bold=True)
        _items(c, 250, 1, 6)

    def billed(c: Canvas) -> None:
        c.text(60, 40, "Purchase order: PO123456789", bold=True)
        _items(c, 80, 7, 6)

    documents, _ = _split(tmp_path, [order("PURCHASE ORDER: PO123456789"),
                                     order("ORDER CHANGE: PO123456789-C02"), invoice, billed])
    assert documents == [[1], [2], [3, 4]]
