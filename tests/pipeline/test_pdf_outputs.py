from __future__ import annotations

import subprocess
from pathlib import Path

import pikepdf
import pypdfium2 as pdfium
import pytest

from service.errors import ProcessingError
from service.pipeline.pdf_font import ADVANCE, UNITS_PER_EM, glyphless_ttf
from service.pipeline.searchable_pdf import searchable_pdf
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


UNICODE_WORDS = [
    "Łódź", "żółć", "Přílišžluťoučký", "řeřicha", "Ελληνικά", "αβγδε",
    "Привет", "Щёлково", "東京都", "株式会社", "請求書", "Straße", "€42,00",
    "naïve", "𠀋𡈽𡌛", "👍",
]


def unicode_page() -> PageText:
    words = []
    for i, text in enumerate(UNICODE_WORDS):
        row, col = divmod(i, 2)
        x, y = 100 + col * 800, 100 + row * 150
        words.append(Word(text, x, y, x + 40 * len(text), y + 50, 0.1, row))
    return PageText(*A4_AT_220, words)


def pdfium_text(path: Path) -> str:
    pdf = pdfium.PdfDocument(str(path))
    try:
        # get_text_range is UCS-2 only (pypdfium2's documented limit); bounded is not
        return "\n".join(page.get_textpage().get_text_bounded() for page in pdf)
    finally:
        pdf.close()


def test_any_unicode_word_comes_back_from_pdftotext(tmp_path: Path,
                                                      invoice_page_jpg: Path) -> None:
    out = tmp_path / "unicode.pdf"
    searchable_pdf([invoice_page_jpg], [unicode_page()], 220, out)
    assert pdftotext(out).split() == UNICODE_WORDS


def test_any_unicode_word_comes_back_from_pdfium(tmp_path: Path,
                                                   invoice_page_jpg: Path) -> None:
    out = tmp_path / "unicode.pdf"
    searchable_pdf([invoice_page_jpg], [unicode_page()], 220, out)
    assert pdfium_text(out).split() == UNICODE_WORDS


def test_unicode_words_sit_on_their_boxes(tmp_path: Path, invoice_page_jpg: Path) -> None:
    out = tmp_path / "unicode.pdf"
    page = unicode_page()
    searchable_pdf([invoice_page_jpg], [page], 220, out)
    back = pdf_text_layer(out, 0, *A4_AT_220)
    assert back is not None
    # textlayer reads characters outside the BMP as two halves (PDFium's UTF-16
    # per-character API), so those words are compared by position only
    bmp = [i for i, w in enumerate(UNICODE_WORDS) if all(ord(c) < 0x10000 for c in w)]
    assert [back.words[i].text for i in bmp] == [UNICODE_WORDS[i] for i in bmp]
    assert len(back.words) == len(UNICODE_WORDS)
    for ocr, pdf in zip(page.words, back.words, strict=True):
        assert abs(ocr.x1 - pdf.x1) <= 6
        assert abs(ocr.x2 - pdf.x2) <= 0.1 * (ocr.x2 - ocr.x1) + 6


def test_utf16_halves_are_joined_and_lone_ones_replaced(tmp_path: Path,
                                                        invoice_page_jpg: Path) -> None:
    # words read from a PDF's own text layer can carry surrogate halves
    page = PageText(*A4_AT_220, [Word("ok\ud83d\udc4d", 100, 100, 400, 150, 0, 0),
                                 Word("bad\ud83d", 100, 300, 400, 350, 0, 1)])
    out = tmp_path / "halves.pdf"
    searchable_pdf([invoice_page_jpg], [page], 220, out)
    assert pdftotext(out).split() == ["ok\U0001f44d", "bad\ufffd"]


def test_text_layer_font_is_embedded_glyphless_cid_font(tmp_path: Path,
                                                        invoice_page_jpg: Path) -> None:
    out = tmp_path / "unicode.pdf"
    searchable_pdf([invoice_page_jpg, invoice_page_jpg], [unicode_page(), unicode_page()], 220,
                   out)
    with pikepdf.open(out) as pdf:
        font = pdf.pages[0].Resources.Font.F1
        assert font.objgen == pdf.pages[1].Resources.Font.F1.objgen  # one font per file
        assert font.Subtype == "/Type0" and font.Encoding == "/Identity-H"
        cid_font = font.DescendantFonts[0]
        assert cid_font.Subtype == "/CIDFontType2"
        assert cid_font.DW == ADVANCE
        program = cid_font.FontDescriptor.FontFile2.read_bytes()
        assert program == glyphless_ttf()
        gid_map = cid_font.CIDToGIDMap.read_bytes()
        distinct = len(set("".join(UNICODE_WORDS)))
        assert gid_map == b"\x00\x00" + b"\x00\x01" * distinct  # .notdef never shown
        assert b"<0001> <0141>" in font.ToUnicode.read_bytes()  # Ł, the first character
        assert b"<D840DC0B>" in font.ToUnicode.read_bytes()  # 𠀋, outside the BMP


def test_glyphless_font_program_matches_its_declared_widths() -> None:
    import io

    from fontTools.ttLib import TTFont

    font = TTFont(io.BytesIO(glyphless_ttf()))
    assert font["head"].unitsPerEm == UNITS_PER_EM
    assert {name: advance for name, (advance, _) in font["hmtx"].metrics.items()} == {
        ".notdef": ADVANCE, "blank": ADVANCE}
    assert glyphless_ttf() == glyphless_ttf.__wrapped__()  # reproducible bytes


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
