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

from service.pipeline.detect import open_pdf
from service.pipeline.errors import ProcessingError
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
    pdf_path: str | Path, sizes: Sequence[tuple[int, int]]
) -> list[PageText | None]:
    """`pdf_text_layer` for every page, opening the document once."""
    doc = open_pdf(pdf_path)
    try:
        return [_page_text(doc, i, w, h) for i, (w, h) in enumerate(sizes)]
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
            lines = [
                [_to_pixels(page, b, image_w, image_h) for b in line] for line in group_lines(boxes)
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


def _is_separator(ch: str) -> bool:
    return ch.isspace() or unicodedata.category(ch) in ("Cc", "Zs", "Zl", "Zp")


def _word_boxes(textpage: pdfium.PdfTextPage) -> Iterator[_Box]:
    """Words in PDF points, y pointing down (top = -y) so that sorting reads top first."""
    text: list[str] = []
    box: list[float] = []  # left, bottom, right, top in PDF points

    def flush() -> Iterator[_Box]:
        if text:
            yield _Box("".join(text), box[0], -box[3], box[2], -box[1])
            text.clear()

    for index in range(textpage.count_chars()):
        code = pdfium_c.FPDFText_GetUnicode(textpage, index)
        ch = chr(code) if 0 < code < 0x110000 else " "
        if _is_separator(ch) or pdfium_c.FPDFText_IsGenerated(textpage, index) == 1:
            yield from flush()
            continue
        left, bottom, right, top = _char_box(textpage, index)
        if text and _starts_new_word(box, left, bottom, top):
            yield from flush()
        if not text:
            box[:] = [left, bottom, right, top]
        else:
            box[:] = [min(box[0], left), min(box[1], bottom), max(box[2], right), max(box[3], top)]
        text.append(ch)
    yield from flush()


def _char_box(textpage: pdfium.PdfTextPage, index: int) -> tuple[float, float, float, float]:
    left, bottom, right, top = textpage.get_charbox(index)
    if right <= left or top <= bottom:
        # Tight boxes of some glyphs (and of broken fonts) are empty; the loose box
        # spans the font's advance and ascent/descent instead.
        left, bottom, right, top = textpage.get_charbox(index, loose=True)
    return left, bottom, right, top


def _starts_new_word(box: list[float], left: float, bottom: float, top: float) -> bool:
    # Text placed piece by piece without spaces: a jump back to the left or onto
    # another line ends the word even when PDFium generated no separator.
    height = max(box[3] - box[1], top - bottom, 0.1)
    return left < box[0] - height * 0.1 or bottom > box[3] or top < box[1]


def _to_pixels(page: pdfium.PdfPage, box: _Box, image_w: int, image_h: int) -> _Box:
    xs: list[int] = []
    ys: list[int] = []
    dx, dy = ctypes.c_int(), ctypes.c_int()
    corners = (
        (box.left, -box.top),
        (box.right, -box.bottom),
        (box.left, -box.bottom),
        (box.right, -box.top),
    )
    for x, y in corners:
        pdfium_c.FPDF_PageToDevice(page, 0, 0, image_w, image_h, 0, x, y, dx, dy)
        xs.append(dx.value)
        ys.append(dy.value)
    left = min(max(min(xs), 0), image_w)
    right = min(max(max(xs), 0), image_w)
    top = min(max(min(ys), 0), image_h)
    bottom = min(max(max(ys), 0), image_h)
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
