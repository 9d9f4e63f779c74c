"""A PDF of the page images with an invisible text layer: searchable and selectable.

One PDF page per page image, sized pixels * 72 / dpi points. The JPEG is
embedded as it is (DCTDecode, no re-encode). Each word is drawn in text render
mode 3 (invisible) in standard Helvetica with WinAnsiEncoding, at its box, and
stretched horizontally (Tz) to the box width using Helvetica's own advance
widths, so that text extraction and selection find it where the image shows
it. Characters Helvetica/WinAnsi cannot show become "?".
"""

from __future__ import annotations

import os
import re
import unicodedata
from collections.abc import Sequence
from itertools import groupby
from pathlib import Path

import pikepdf
import pyvips

from service.errors import ProcessingError
from service.pipeline.words import PageText, Word

# Helvetica advance widths (1/1000 em) for every character of WinAnsiEncoding,
# from Adobe's Helvetica AFM (as shipped with groff's devps fonts).
# The printable WinAnsi (cp1252) characters in code order: 32..126 and the
# defined codes of 128..255.
_WINANSI_CHARS = bytes([*range(32, 127), *range(128, 256)]).decode("cp1252", errors="ignore")
_WINANSI_WIDTHS = (
    278,
    278,
    355,
    556,
    556,
    889,
    667,
    191,
    333,
    333,
    389,
    584,
    278,
    333,
    278,
    278,
    556,
    556,
    556,
    556,
    556,
    556,
    556,
    556,
    556,
    556,
    278,
    278,
    584,
    584,
    584,
    556,
    1015,
    667,
    667,
    722,
    722,
    667,
    611,
    778,
    722,
    278,
    500,
    667,
    556,
    833,
    722,
    778,
    667,
    778,
    722,
    667,
    611,
    722,
    667,
    944,
    667,
    667,
    611,
    278,
    278,
    278,
    469,
    556,
    333,
    556,
    556,
    500,
    556,
    556,
    278,
    556,
    556,
    222,
    222,
    500,
    222,
    833,
    556,
    556,
    556,
    556,
    333,
    500,
    278,
    556,
    500,
    722,
    500,
    500,
    500,
    334,
    260,
    334,
    584,
    556,
    222,
    556,
    333,
    1000,
    556,
    556,
    333,
    1000,
    667,
    333,
    1000,
    611,
    222,
    222,
    333,
    333,
    350,
    556,
    1000,
    333,
    1000,
    500,
    333,
    944,
    500,
    667,
    278,
    333,
    556,
    556,
    556,
    556,
    260,
    556,
    333,
    737,
    370,
    556,
    584,
    333,
    737,
    333,
    400,
    584,
    333,
    333,
    333,
    578,
    537,
    278,
    333,
    333,
    365,
    556,
    834,
    834,
    834,
    611,
    667,
    667,
    667,
    667,
    667,
    667,
    1000,
    722,
    667,
    667,
    667,
    667,
    278,
    278,
    278,
    278,
    722,
    722,
    778,
    778,
    778,
    778,
    778,
    584,
    778,
    722,
    722,
    722,
    722,
    667,
    667,
    611,
    556,
    556,
    556,
    556,
    556,
    556,
    889,
    500,
    556,
    556,
    556,
    556,
    278,
    278,
    278,
    278,
    556,
    556,
    556,
    556,
    556,
    556,
    556,
    584,
    611,
    556,
    556,
    556,
    556,
    500,
    556,
    500,
)
HELVETICA_WIDTHS = dict(zip(_WINANSI_CHARS, _WINANSI_WIDTHS, strict=True))
REPLACEMENT = "?"
# Helvetica's ascent + descent is ~0.93 em; a line box this tall holds a 1 em font.
_EM_PER_LINE_HEIGHT = 1 / 0.93
_DESCENT = 0.207


def winansi(text: str) -> str:
    """The text with every character Helvetica/WinAnsi cannot show replaced by "?"."""
    if text.isascii() and text.isprintable():
        return text  # nearly every word: nothing to normalise or replace
    text = unicodedata.normalize("NFC", text)
    return "".join(ch if ch in HELVETICA_WIDTHS else REPLACEMENT for ch in text)


_PLAIN = re.compile(rb"[ -'*-\[\]-~]*")  # printable ASCII but ( ) \\


def _pdf_string(text: str) -> bytes:
    encoded = text.encode("cp1252")
    if _PLAIN.fullmatch(encoded):
        return b"(" + encoded + b")"
    out = bytearray(b"(")
    for byte in encoded:
        if byte in b"()\\" or byte < 32 or byte > 126:
            out += b"\\%03o" % byte
        else:
            out.append(byte)
    out += b")"
    return bytes(out)


def _jpeg_image(pdf: pikepdf.Pdf, jpg: str | Path) -> tuple[pikepdf.Stream, int, int]:
    try:
        header = pyvips.Image.new_from_file(str(jpg), access="sequential")
    except pyvips.Error as exc:
        raise ProcessingError("a page image could not be read") from exc
    colour_spaces = {1: pikepdf.Name.DeviceGray, 3: pikepdf.Name.DeviceRGB}
    if header.get("vips-loader") != "jpegload" or header.bands not in colour_spaces:
        raise ProcessingError("a page image is not an 8-bit RGB or gray JPEG")
    data = Path(jpg).read_bytes()
    stream = pikepdf.Stream(pdf, data)
    stream.Type = pikepdf.Name.XObject
    stream.Subtype = pikepdf.Name.Image
    stream.Width = header.width
    stream.Height = header.height
    stream.ColorSpace = colour_spaces[header.bands]
    stream.BitsPerComponent = 8
    # Set last and without re-encoding: the stream's bytes already are DCT data.
    stream.Filter = pikepdf.Name.DCTDecode
    return stream, header.width, header.height


def _text_ops(page: PageText, scale: float, page_height_pt: float) -> list[bytes]:
    ops = [b"BT", b"3 Tr"]
    for _, run in groupby(page.words, key=lambda w: w.line):
        line = list(run)
        line_height = max(w.y2 - w.y1 for w in line) * scale
        size = max(line_height * _EM_PER_LINE_HEIGHT, 1.0)
        baseline = page_height_pt - max(w.y2 for w in line) * scale + _DESCENT * size
        ops.append(b"/F1 %.2f Tf" % size)
        for word in line:
            ops.extend(_word_ops(word, scale, size, baseline))
    ops.append(b"ET")
    return ops


def _word_ops(word: Word, scale: float, size: float, baseline: float) -> list[bytes]:
    text = winansi(word.text)
    natural = sum(HELVETICA_WIDTHS[ch] for ch in text) * size / 1000
    box_width = max(word.x2 - word.x1, 1) * scale
    stretch = 100 * box_width / natural if natural > 0 else 100
    return [
        b"%.2f Tz" % stretch,
        b"1 0 0 1 %.2f %.2f Tm" % (word.x1 * scale, baseline),
        _pdf_string(text) + b" Tj",
    ]


def add_page(
    pdf: pikepdf.Pdf,
    jpg: str | Path,
    text: PageText | None,
    dpi: float,
    font: pikepdf.Object | None = None,
) -> None:
    """Append one page showing `jpg`, with `text` (if any) as an invisible layer.

    Pass the same `font` (from `helvetica(pdf)`) for every page to share one font object.
    """
    image, width, height = _jpeg_image(pdf, jpg)
    scale = 72 / dpi
    width_pt, height_pt = width * scale, height * scale
    ops = [b"q %.4f 0 0 %.4f 0 0 cm /Im0 Do Q" % (width_pt, height_pt)]
    resources = pikepdf.Dictionary(XObject=pikepdf.Dictionary(Im0=image))
    if text is not None and text.words:
        # Word boxes are pixels of the image as it was OCR'd; the JPEG is the same image.
        ops.extend(_text_ops(text, scale, height_pt))
        resources.Font = pikepdf.Dictionary(F1=font if font is not None else helvetica(pdf))
    page = pikepdf.Dictionary(
        Type=pikepdf.Name.Page,
        MediaBox=[0, 0, round(width_pt, 4), round(height_pt, 4)],
        Resources=resources,
        Contents=pdf.make_stream(b"\n".join(ops)),
    )
    pdf.pages.append(pikepdf.Page(page))


def helvetica(pdf: pikepdf.Pdf) -> pikepdf.Object:
    return pdf.make_indirect(
        pikepdf.Dictionary(
            Type=pikepdf.Name.Font,
            Subtype=pikepdf.Name.Type1,
            BaseFont=pikepdf.Name.Helvetica,
            Encoding=pikepdf.Name.WinAnsiEncoding,
        )
    )


def save_pdf(pdf: pikepdf.Pdf, out_path: str | Path) -> None:
    tmp = f"{out_path}.part"
    try:
        pdf.save(tmp)
    except (pikepdf.PdfError, OSError) as exc:
        raise ProcessingError("the PDF could not be written") from exc
    os.replace(tmp, out_path)


def searchable_pdf(
    page_jpgs: Sequence[str | Path],
    pages: Sequence[PageText | None],
    dpi: float,
    out_path: str | Path,
) -> None:
    if len(page_jpgs) != len(pages):
        raise ValueError("one PageText (or None) per page image")
    with pikepdf.new() as pdf:
        font = helvetica(pdf)
        for jpg, text in zip(page_jpgs, pages, strict=True):
            add_page(pdf, jpg, text, dpi, font)
        save_pdf(pdf, out_path)


def merge_pdfs(parts: Sequence[str | Path], out_path: str | Path) -> None:
    """One PDF of the pages of `parts`, in order (searchable parts made page by page)."""
    with pikepdf.new() as pdf:
        opened = [pikepdf.open(part) for part in parts]
        try:
            for src in opened:
                pdf.pages.extend(src.pages)
            save_pdf(pdf, out_path)
        finally:
            for src in opened:
                src.close()
