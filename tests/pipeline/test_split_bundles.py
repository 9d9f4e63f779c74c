"""Bundles of invoices laid out as real senders print them, read through folio's text layer.

Real invoices seldom print page numbers; their first page carries a title with the
document's number ("Handelsrechnung Nr. 471102 vom ...", "Facture FA-2017-0009"),
and their later pages show addresses and numbered references of their own.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from benchmarks.invoices.pdfcanvas import Canvas
from service.pipeline.split_documents import split_documents
from service.pipeline.textlayer import pdf_text_layers
from service.pipeline.words import PageText

A4_AT_220 = (1819, 2573)


@dataclass(frozen=True)
class Sender:
    name: str
    street: str
    city: str
    vat: str
    supplier_number: str


ACME = Sender("Acme Bürobedarf GmbH", "Europa-Allee 19", "60486 Frankfurt", "DE123456789", "549910")
MOULIN = Sender("Au bon moulin SARL", "1242 chemin de l'olive", "84340 Malaucène",
                "FR11999999998", "99999999800010")


def _letterhead(c: Canvas, s: Sender) -> None:
    c.text(60, 60, s.name, size=14, bold=True)
    c.text(60, 78, f"{s.street} · {s.city} · USt-IdNr.: {s.vat}", size=8)


def _first_page(c: Canvas, s: Sender, title: str, date: str) -> None:
    """A first page as XML viewers and ERP systems print it: title, parties, the first items."""
    _letterhead(c, s)
    c.text(60, 150, title + f" vom {date}", size=13, bold=True)
    c.text(60, 190, "Verkäufer:")
    c.text(60, 204, f"Nummer : {s.supplier_number}")
    c.text(60, 218, s.name)
    c.text(60, 232, s.street)
    c.text(60, 246, s.city)
    c.text(320, 190, "Käufer:")
    c.text(320, 204, "Kunden AG Mitte")
    c.text(320, 218, "Kundenstraße 15")
    c.text(320, 232, "69876 Frankfurt")
    c.text(60, 300, "Pos Beschreibung Menge Einzelpreis Betrag", bold=True)
    for k in range(1, 6):
        c.text(60, 300 + 18 * k, f"{k} Trennblätter A4 Artikel {400 + k}")
        c.text(530, 300 + 18 * k, f"{k * 9},90", align="right")


def _later_page(c: Canvas, s: Sender, total: str) -> None:
    """A later page: a delivery address with its own numbers, the totals, the tax note."""
    c.text(60, 60, "Warenempfänger", bold=True)
    c.text(60, 74, "GLN 430417088093")
    c.text(60, 88, "MUSTER-MARKT")
    c.text(60, 102, "HAUPTSTRASSE 44")
    c.text(60, 116, "31157 SARSTEDT")
    c.text(60, 150, "Bestell-Nr : B123456789")
    c.text(60, 164, "Lieferschein-Nr : L87654321012345")
    c.text(60, 178, "Kunden-Nr. : 009420")
    c.text(60, 230, "Rechnungssumme ohne USt.")
    c.text(530, 230, total, align="right")
    c.text(60, 600, "Steuerfrei nach § 4 Nr. 10a UStG.")
    c.text(60, 780, f"{s.name} · {s.street} · {s.city}", size=7)


def _bundle(tmp_path: Path, documents: list[list[tuple[str, ...]]], senders: list[Sender]) -> (
        list[PageText]):
    """Pages of the documents, each a list of pages ('first', title, date) or ('later', total)."""
    c = Canvas()
    first = True
    for sender, pages in zip(senders, documents, strict=True):
        for page in pages:
            if not first:
                c.new_page()
            first = False
            if page[0] == "first":
                _first_page(c, sender, page[1], page[2])
            elif page[0] == "invoice":  # "INVOICE" atop every page, the number on the first
                c.text(400, 50, "INVOICE", size=16, bold=True)
                if page[1]:
                    _letterhead(c, sender)
                    c.text(60, 150, f"Invoice No: {page[1]}")
                    c.text(60, 164, "Invoice date: 3 Aug 2014")
                for k in range(1, 8):
                    c.text(60, 200 + 18 * k, f"{k} Consulting services {k * 3}.50")
            elif page[0] == "untitled":  # a first page whose title the splitter cannot read
                _letterhead(c, sender)
                c.text(60, 150, "Kunden AG Mitte")
                c.text(60, 164, "Kundenstraße 15")
                c.text(60, 178, "69876 Frankfurt")
                c.text(350, 150, "Kunden-Nr.: 4711")
                c.text(350, 164, "Rechnungsdatum: 05.11.2017")
                c.text(60, 230, f"Total TTC {page[1]}")
            elif page[0] == "items":  # items and totals only, as a continuation page looks
                for k in range(1, 8):
                    c.text(60, 60 + 18 * k, f"{k} Kopierpapier A4 500 Blatt {k * 3},50")
                c.text(60, 230, f"Summe {page[1]}")
            elif page[0] == "ended":  # a document closed by "Seite n von n"
                _later_page(c, sender, page[1])
                c.text(500, 810, page[2], size=8)
            else:
                _later_page(c, sender, page[1])
    path = tmp_path / "bundle.pdf"
    path.write_bytes(c.to_pdf())
    texts = pdf_text_layers(path, [A4_AT_220] * c.page_count)
    assert all(t is not None for t in texts)
    return [t for t in texts if t is not None]


def _documents(pages: list[PageText]) -> list[list[int]]:
    return [d["pages"] for d in split_documents(pages)["sub_documents"]]


def test_documents_without_page_numbers_split_at_each_title(tmp_path: Path) -> None:
    pages = _bundle(tmp_path, [
        [("first", "Handelsrechnung Nr. KR87654321012", "06.10.2018"), ("later", "403,55")],
        [("first", "Facture FA-2017-0009", "05.11.2017")],
        [("first", "Gutschrift (Selbst ausgestellte Rechnung) (389) Nr. 471102", "05.03.2018"),
         ("later", "-8,79"), ("later", "-8,79")],
    ], [ACME, MOULIN, ACME])
    assert _documents(pages) == [[1, 2], [3], [4, 5, 6]]


def test_same_sender_consecutive_invoices_with_different_numbers(tmp_path: Path) -> None:
    # one sender, one layout, the same supplier number: only the invoice numbers differ
    pages = _bundle(tmp_path, [
        [("first", "Rechnung Nr. 2024-0117", "02.01.2024")],
        [("first", "Rechnung Nr. 2024-0118", "02.01.2024"), ("later", "99,00")],
        [("first", "Rechnung Nr. 2024-0119", "03.01.2024")],
    ], [ACME, ACME, ACME])
    result = split_documents(pages)
    assert [d["pages"] for d in result["sub_documents"]] == [[1], [2, 3], [4]]
    assert [c > 0.5 for c in result["split_point_confidences"]] == [True, False, True]


def test_multi_page_document_with_addresses_on_later_pages_is_not_split(tmp_path: Path) -> None:
    # page 2 has an address block, labels and a stray "Nr. 10a": still page 2 of the invoice;
    # the next invoice prints its title again on its second page
    pages = _bundle(tmp_path, [
        [("first", "Rechnungskorrektur Nr. RK21012345", "16.09.2018"), ("later", "-8,79"),
         ("later", "-8,79")],
        [("invoice", "INV-2014-7"), ("invoice", "")],
    ], [ACME, MOULIN])
    result = split_documents(pages)
    assert _documents(pages) == [[1, 2, 3], [4, 5]]
    assert [c > 0.5 for c in result["split_point_confidences"]] == [False, False, True, False]


def test_page_after_last_page_of_n_starts_a_document(tmp_path: Path) -> None:
    # the second document's page looks like a continuation: only "Seite 2 von 2" ended the first
    pages = _bundle(tmp_path, [
        [("first", "Handelsrechnung Nr. 471102", "05.03.2018"),
         ("ended", "12,00", "Seite 2 von 2")],
        [("items", "19,90")],
    ], [ACME, MOULIN])
    assert _documents(pages) == [[1, 2], [3]]


def test_first_page_of_another_sender_starts_a_document(tmp_path: Path) -> None:
    # the second document's title is not read; its first page names another sender
    pages = _bundle(tmp_path, [
        [("first", "Handelsrechnung Nr. 471102", "05.03.2018"), ("later", "12,00")],
        [("untitled", "19,90")],
    ], [ACME, MOULIN])
    assert _documents(pages) == [[1, 2], [3]]
