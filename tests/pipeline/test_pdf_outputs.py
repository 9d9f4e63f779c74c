from __future__ import annotations

import subprocess
from pathlib import Path

import pikepdf
import pytest

from service.errors import ProcessingError
from service.pipeline.searchable_pdf import searchable_pdf, winansi
from service.pipeline.subpdf import sub_pdf_from_images, sub_pdf_from_pdf
from service.pipeline.textlayer import pdf_text_layer
from service.pipeline.words import PageText, Word
from tests.pipeline.conftest import A4, A4_AT_220, INVOICE, make_text_pdf, words_of


def pdftotext(path: Path) -> str:
    done = subprocess.run(
        ["pdftotext", "-layout", str(path), "-"], capture_output=True, check=True, timeout=60
    )
    return done.stdout.decode("utf-8")


def test_searchable_pdf_text_comes_back(
    tmp_path: Path, invoice_page_jpg: Path, invoice_ocr: PageText
) -> None:
    out = tmp_path / "searchable.pdf"
    searchable_pdf([invoice_page_jpg], [invoice_ocr], 220, out)
    extracted = pdftotext(out).split()
    assert extracted == [w.text for w in invoice_ocr.words]


def test_searchable_pdf_page_size_and_jpeg_as_is(
    tmp_path: Path, invoice_page_jpg: Path, invoice_ocr: PageText
) -> None:
    out = tmp_path / "searchable.pdf"
    searchable_pdf([invoice_page_jpg, invoice_page_jpg], [invoice_ocr, None], 220, out)
    with pikepdf.open(out) as pdf:
        assert len(pdf.pages) == 2
        box = [float(v) for v in pdf.pages[0].MediaBox]
        assert box[2:] == pytest.approx([1819 * 72 / 220, 2573 * 72 / 220], abs=0.01)
        assert box[2:] == pytest.approx(A4, abs=0.5)
        image = pdf.pages[0].Resources.XObject.Im0
        assert image.Filter == pikepdf.Name.DCTDecode
        assert image.read_raw_bytes() == invoice_page_jpg.read_bytes()
        assert b"3 Tr" in pdf.pages[0].Contents.read_bytes()
        assert b"Tj" not in pdf.pages[1].Contents.read_bytes()


def test_searchable_pdf_words_sit_on_their_boxes(
    tmp_path: Path, invoice_page_jpg: Path, invoice_ocr: PageText
) -> None:
    # Read the invisible layer back with PDFium: every word is where OCR saw it.
    out = tmp_path / "searchable.pdf"
    searchable_pdf([invoice_page_jpg], [invoice_ocr], 220, out)
    back = pdf_text_layer(out, 0, *A4_AT_220)
    assert back is not None
    assert [w.text for w in back.words] == [w.text for w in invoice_ocr.words]
    for ocr, pdf in zip(invoice_ocr.words, back.words, strict=True):
        assert abs(ocr.x1 - pdf.x1) <= 6
        assert abs(ocr.x2 - pdf.x2) <= 0.1 * (ocr.x2 - ocr.x1) + 6
        assert pdf.y1 < ocr.y2 and ocr.y1 < pdf.y2  # vertical overlap


def test_characters_outside_winansi_are_replaced(tmp_path: Path, invoice_page_jpg: Path) -> None:
    assert winansi("Grüße € Ωmega") == "Grüße € ?mega"
    page = PageText(
        *A4_AT_220,
        [Word("Ωmega", 100, 100, 400, 150, 0.1, 0), Word("Straße", 500, 100, 800, 150, 0.1, 0)],
    )
    out = tmp_path / "w.pdf"
    searchable_pdf([invoice_page_jpg], [page], 220, out)
    assert pdftotext(out).split() == ["?mega", "Straße"]


def test_sub_pdf_from_pdf_keeps_the_text_layer(tmp_path: Path) -> None:
    src = make_text_pdf(tmp_path / "three.pdf", [INVOICE[:1], INVOICE[5:6], INVOICE[6:7]])
    out = tmp_path / "sub.pdf"
    sub_pdf_from_pdf(src, [2, 3], out)
    with pikepdf.open(out) as pdf:
        assert len(pdf.pages) == 2
    assert pdftotext(out).split() == words_of(INVOICE[5:7])


def test_sub_pdf_from_pdf_rejects_a_missing_page(tmp_path: Path, invoice_pdf: Path) -> None:
    with pytest.raises(ProcessingError, match="page 2 is not in the document"):
        sub_pdf_from_pdf(invoice_pdf, [2], tmp_path / "sub.pdf")
    assert not (tmp_path / "sub.pdf").exists()


def test_sub_pdf_from_images(tmp_path: Path, invoice_page_jpg: Path, invoice_ocr: PageText) -> None:
    plain = tmp_path / "plain.pdf"
    sub_pdf_from_images([invoice_page_jpg], 220, plain)
    assert pdftotext(plain).strip() == ""
    with_text = tmp_path / "text.pdf"
    sub_pdf_from_images([invoice_page_jpg], 220, with_text, pages=[invoice_ocr])
    assert "Gesamtbetrag" in pdftotext(with_text)
