"""Words from a PDF's own text layer, in the shared word model.

PDFium lists the characters of a page with their boxes in PDF points (origin
bottom-left); here they become words (split on whitespace and on PDFium's
generated spaces and line breaks), mapped to pixels of the rendered page image
(origin top-left, the page's /Rotate and CropBox applied the way the renderer
applies them), grouped into lines and put in reading order: lines top to
bottom, words left to right. Words from a text layer are certain: entropy 0.
"""

from __future__ import annotations

import ctypes
import unicodedata
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

import pypdfium2 as pdfium
import pypdfium2.raw as pdfium_c

from service.errors import ProcessingError
from service.pipeline.detect import open_pdf
from service.pipeline.words import PageText, Word

# Fewer letters and digits than this and the page is treated as having no text
# layer (scans often carry a stray page number or an empty OCR layer).
MIN_ALNUM_CHARS = 3


@dataclass(slots=True)
class _Box:
    text: str
    left: float
    top: float
    right: float
    bottom: float  # pixels, origin top-left

    @property
    def height(self) -> float:
        return self.bottom - self.top

    @property
    def centre_y(self) -> float:
        return (self.top + self.bottom) / 2


def pdf_text_layer(
    pdf_path: str | Path, page_index: int, image_w: int, image_h: int
) -> PageText | None:
    """The words of one page (0-based index), or None when it has no meaningful text."""
    doc = open_pdf(pdf_path)
    try:
        return _page_text(doc, page_index, image_w, image_h)
    finally:
        doc.close()


def pdf_text_layers(
    pdf_path: str | Path, sizes: Sequence[tuple[int, int]],
    indices: Sequence[int] | None = None,
) -> list[PageText | None]:
    """`pdf_text_layer` for every page (or the pages `indices`, one size each), opening
    the document once."""
    doc = open_pdf(pdf_path)
    pages = range(len(sizes)) if indices is None else indices
    try:
        return [_page_text(doc, i, w, h) for i, (w, h) in zip(pages, sizes, strict=True)]
    finally:
        doc.close()


def _page_text(
    doc: pdfium.PdfDocument, page_index: int, image_w: int, image_h: int
) -> PageText | None:
    try:
        page = doc[page_index]
    except (pdfium.PdfiumError, IndexError) as exc:
        raise ProcessingError(f"page {page_index + 1} of the PDF is damaged") from exc
    try:
        textpage = page.get_textpage()
        try:
            boxes = list(_word_boxes(textpage))
            if not _meaningful(boxes):
                return None
            # Lines are found in the page's own upright space, so that a page with
            # /Rotate is read along its text, then mapped onto the rotated image.
            matrix = _device_map(page, image_w, image_h)
            lines = [
                [_to_pixels(matrix, b, image_w, image_h) for b in line]
                for line in group_lines(boxes)
            ]
        finally:
            textpage.close()
    except pdfium.PdfiumError as exc:
        raise ProcessingError(
            f"the text of page {page_index + 1} of the PDF could not be read"
        ) from exc
    finally:
        page.close()
    return PageText(image_w, image_h, _words(lines))


def _word_boxes(textpage: pdfium.PdfTextPage) -> Iterator[_Box]:
    """Words in PDF points, y pointing down (top = -y) so that sorting reads top first."""
    count = textpage.count_chars()
    # One call for the whole text instead of one per character; PDFium's text is
    # UTF-16, so characters outside the BMP would shift indices: read those one by one.
    whole = textpage.get_text_range(0, count) if count else ""
    chars = whole if len(whole) == count else [_char(textpage, i) for i in range(count)]
    text: list[str] = []
    box: list[float] = []  # left, bottom, right, top in PDF points
    raw = textpage.raw
    left_c, right_c, bottom_c, top_c = (ctypes.c_double() for _ in range(4))
    refs = (ctypes.byref(left_c), ctypes.byref(right_c), ctypes.byref(bottom_c),
            ctypes.byref(top_c))
    get_box = pdfium_c.FPDFText_GetCharBox

    def flush() -> Iterator[_Box]:
        if text:
            yield _Box("".join(text), box[0], -box[3], box[2], -box[1])
            text.clear()

    for index, ch in enumerate(chars):
        # PDFium's generated spaces and line breaks are separators too; the
        # checks are written out inline: this loop runs once per character
        if ch.isspace() or ch < " " or "\x7f" <= ch <= "\x9f":
            yield from flush()
            continue
        get_box(raw, index, *refs)
        left, right, bottom, top = left_c.value, right_c.value, bottom_c.value, top_c.value
        if right <= left or top <= bottom:
            left, bottom, right, top = _char_box(textpage, index)
        if text:
            b_left, b_bottom, b_right, b_top = box
            # text placed piece by piece without spaces: a jump back to the left or
            # onto another line ends the word even when PDFium generated no separator
            height = max(b_top - b_bottom, top - bottom, 0.1)
            if left < b_left - height * 0.1 or bottom > b_top or top < b_bottom:
                yield from flush()
                box[:] = [left, bottom, right, top]
            else:
                box[:] = [b_left if b_left < left else left,
                          b_bottom if b_bottom < bottom else bottom,
                          b_right if b_right > right else right,
                          b_top if b_top > top else top]
        else:
            box[:] = [left, bottom, right, top]
        text.append(ch)
    yield from flush()


def _char_box(textpage: pdfium.PdfTextPage, index: int) -> tuple[float, float, float, float]:
    # Tight boxes of some glyphs (and of broken fonts) are empty; the loose box
    # spans the font's advance and ascent/descent instead.
    left, bottom, right, top = textpage.get_charbox(index, loose=True)
    return left, bottom, right, top


def _char(textpage: pdfium.PdfTextPage, index: int) -> str:
    code = pdfium_c.FPDFText_GetUnicode(textpage, index)
    return chr(code) if 0 < code < 0x110000 else " "


def _device_map(page: pdfium.PdfPage, image_w: int, image_h: int) -> tuple[float, ...]:
    """The affine map PDFium's renderer uses from page points to image pixels.

    Read off FPDF_PageToDevice at three far-apart points (it rounds to whole
    pixels, so the spread keeps the error far below a pixel), then applied in
    Python: one call per page instead of four per word.
    """
    dx, dy = ctypes.c_int(), ctypes.c_int()
    points = []
    for x, y in ((0.0, 0.0), (10_000.0, 0.0), (0.0, 10_000.0)):
        pdfium_c.FPDF_PageToDevice(page, 0, 0, image_w * 1000, image_h * 1000, 0, x, y, dx, dy)
        points.append((dx.value / 1000, dy.value / 1000))
    (ox, oy), (xx, xy), (yx, yy) = points
    return (ox, oy, (xx - ox) / 10_000, (xy - oy) / 10_000, (yx - ox) / 10_000,
            (yy - oy) / 10_000)


def _to_pixels(matrix: tuple[float, ...], box: _Box, image_w: int, image_h: int) -> _Box:
    ox, oy, ax, ay, bx, by = matrix
    xs: list[float] = []
    ys: list[float] = []
    for x, y in ((box.left, -box.top), (box.right, -box.bottom), (box.left, -box.bottom),
                 (box.right, -box.top)):
        xs.append(ox + ax * x + bx * y)
        ys.append(oy + ay * x + by * y)
    left = min(max(round(min(xs)), 0), image_w)
    right = min(max(round(max(xs)), 0), image_w)
    top = min(max(round(min(ys)), 0), image_h)
    bottom = min(max(round(max(ys)), 0), image_h)
    return _Box(box.text, left, top, max(right, left + 1), max(bottom, top + 1))


def _meaningful(boxes: Sequence[_Box]) -> bool:
    chars = "".join(b.text for b in boxes)
    alnum = sum(ch.isalnum() for ch in chars)
    junk = sum(ch == "\ufffd" or unicodedata.category(ch) in ("Co", "Cn") for ch in chars)
    return alnum >= MIN_ALNUM_CHARS and junk * 2 < len(chars)


def _words(lines: Sequence[Sequence[_Box]]) -> list[Word]:
    return [
        Word(b.text, round(b.left), round(b.top), round(b.right), round(b.bottom), 0.0, line_no)
        for line_no, line in enumerate(lines)
        for b in line
    ]


def group_lines(boxes: Sequence[_Box]) -> list[list[_Box]]:
    """Lines top to bottom, each left to right; a word joins a line its centre falls in."""
    lines: list[list[_Box]] = []
    spans: list[tuple[float, float]] = []
    for b in sorted(boxes, key=lambda b: (b.centre_y, b.left)):
        if spans and spans[-1][0] <= b.centre_y <= spans[-1][1]:
            lines[-1].append(b)
            top, bottom = spans[-1]
            # Grow towards the word only as far as a normal-height word reaches,
            # so a tall word does not swallow the next line.
            spans[-1] = (min(top, b.top), max(bottom, min(b.bottom, b.centre_y + b.height / 2)))
        else:
            lines.append([b])
            spans.append((b.top, b.bottom))
    ordered = [sorted(line, key=lambda b: b.left) for line in lines]
    ordered.sort(key=lambda line: min(b.top for b in line))
    return ordered
