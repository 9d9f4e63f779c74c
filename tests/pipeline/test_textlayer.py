from __future__ import annotations

from pathlib import Path

from service.pipeline.searchable_pdf import searchable_pdf
from service.pipeline.textlayer import pdf_text_layer, pdf_text_layers
from tests.pipeline.conftest import A4_AT_220, INVOICE, TextLine, make_text_pdf, words_of

SCALE = 220 / 72


def test_words_match_the_text_in_reading_order(invoice_pdf: Path) -> None:
    page = pdf_text_layer(invoice_pdf, 0, *A4_AT_220)
    assert page is not None
    assert (page.width, page.height) == A4_AT_220
    assert [w.text for w in page.words] == words_of(INVOICE)
    assert all(w.entropy == 0 for w in page.words)


def test_lines_follow_the_printed_lines(invoice_pdf: Path) -> None:
    page = pdf_text_layer(invoice_pdf, 0, *A4_AT_220)
    assert page is not None
    lines = page.fulltext().split("\n")
    assert lines[0] == "Muster Bürobedarf GmbH"
    # Two pieces of text on one baseline make one line, left to right.
    assert "Rechnungsdatum: 14.03.2024 Kundennummer: 100234" in lines


def test_boxes_are_inside_the_page_and_where_the_text_is(invoice_pdf: Path) -> None:
    page = pdf_text_layer(invoice_pdf, 0, *A4_AT_220)
    assert page is not None
    for w in page.words:
        assert 0 <= w.x1 < w.x2 <= page.width
        assert 0 <= w.y1 < w.y2 <= page.height
    first = page.words[0]  # "Muster" at x = 56 pt, baseline 70 pt from the top, 18 pt
    assert abs(first.x1 - 56 * SCALE) < 5
    assert abs(first.y2 - 70 * SCALE) < 5
    assert abs((first.y2 - first.y1) - 18 * 0.72 * SCALE) < 8  # cap height ~0.72 em


def test_rotated_page_keeps_reading_order_and_maps_boxes(tmp_path: Path) -> None:
    pdf = make_text_pdf(tmp_path / "rot.pdf", [INVOICE], rotate=90)
    width, height = A4_AT_220[::-1]
    page = pdf_text_layer(pdf, 0, width, height)
    assert page is not None
    assert [w.text for w in page.words] == words_of(INVOICE)
    first = page.words[0]
    # Rotated clockwise: the top of the page is now on the right.
    assert first.x1 > width * 0.9
    assert abs(first.y1 - 56 * SCALE) < 5
    assert all(0 <= w.x1 < w.x2 <= width and 0 <= w.y1 < w.y2 <= height for w in page.words)


def test_pieces_placed_without_spaces_are_split_by_position(tmp_path: Path) -> None:
    pdf = make_text_pdf(
        tmp_path / "pieces.pdf",
        [[TextLine(56, 100, 12, "Betrag"), TextLine(200, 100, 12, "42,00")]],
    )
    page = pdf_text_layer(pdf, 0, *A4_AT_220)
    assert page is not None
    assert page.fulltext() == "Betrag 42,00"


def test_page_without_text_is_none(tmp_path: Path, invoice_page_jpg: Path) -> None:
    # A "scan": the page image alone, no text layer.
    scan = tmp_path / "scan.pdf"
    searchable_pdf([invoice_page_jpg], [None], 220, scan)
    assert pdf_text_layer(scan, 0, *A4_AT_220) is None


def test_a_stray_page_number_is_not_a_text_layer(tmp_path: Path) -> None:
    pdf = make_text_pdf(tmp_path / "p.pdf", [[TextLine(290, 800, 9, "2")]])
    assert pdf_text_layer(pdf, 0, *A4_AT_220) is None


def test_all_pages_at_once(tmp_path: Path) -> None:
    pdf = make_text_pdf(tmp_path / "two.pdf", [INVOICE[:2], [], INVOICE[2:4]])
    pages = pdf_text_layers(pdf, [A4_AT_220] * 3)
    assert pages[1] is None
    assert pages[0] is not None and pages[0].fulltext().startswith("Muster")
    assert pages[2] is not None and pages[2].fulltext() == "Beispielkunde AG\nLindenweg 7"
