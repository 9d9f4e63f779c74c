"""Words from a PDF's own text layer, in the shared word model.

PDFium lists the characters of a page with their boxes in PDF points (origin
bottom-left); here glyph runs become words by their spacing, as pdftotext
joins them (so producers that place every glyph alone, or turn text by 90
degrees, still give whole words), characters that no output can carry are
dropped, and the words are mapped to pixels of the rendered page image (origin
top-left, the page's /Rotate and CropBox applied the way the renderer applies
them), clipped to it (words wholly outside it are dropped), grouped into lines
in their text's own direction and put in reading order: lines top to bottom,
words left to right, the page's main direction first (an Arabic word's letters
in logical order, arabic_text). Words from a text layer
are certain: entropy 0.
"""

from __future__ import annotations

import ctypes
import math
import unicodedata
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

import pypdfium2 as pdfium
import pypdfium2.raw as pdfium_c

from service.errors import ProcessingError
from service.pipeline.arabic_text import logical
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
    bottom: float  # pixels, origin top-left (or points with y pointing down)
    direction: int = 0  # the text's direction, in quarter turns counter-clockwise
    page: tuple[float, float, float, float] = (0.0, 0.0, 0.0, 0.0)  # points, y up

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
            boxes = _rejoin(list(_word_boxes(textpage)))
            if not _meaningful(boxes):
                return None
            # Lines are found in each text direction's own upright space (the page
            # before its /Rotate, turned so the text reads left to right), then
            # mapped onto the rotated image.
            matrix = _device_map(page, image_w, image_h)
            lines = []
            for line in _reading_order(boxes):
                mapped = [_to_pixels(matrix, b, image_w, image_h) for b in line]
                kept = [b for b in mapped if b is not None]
                if kept:
                    lines.append(kept)
        finally:
            textpage.close()
    except pdfium.PdfiumError as exc:
        raise ProcessingError(
            f"the text of page {page_index + 1} of the PDF could not be read"
        ) from exc
    finally:
        page.close()
    return PageText(image_w, image_h, _words(lines))


# pdftotext's rules (poppler TextOutputDev): a gap wider than this many ems ends a
# word, and so does stepping back over the previous glyph by more than this many
# ems; a baseline further away than this many ems is another line. pdftotext's gap
# is 0.1 em; 0.15 keeps letter-spaced print whole ("Warenwer t", "Ar t" in real
# ZUGFeRD samples: 432 more whole words on the corpus, ~10 wrong joins; 0.2 starts
# joining real words: "88802Spielkreis", "derAbschläge").
WORD_BREAK_GAP = 0.15
OVERLAP_BREAK = 0.3
BASELINE_SHIFT = 0.5
# PDFium reports a hyphen that ends a line as U+0002.
_LINE_END_HYPHEN = 0x02
# Characters that carry no print and are dropped inside a word.
_INVISIBLE = frozenset("\u00ad\u200c\u200d\u2060\ufeff")


def _frame(direction: int, left: float, bottom: float, right: float,
           top: float) -> tuple[float, float, float, float]:
    """A box in PDF points turned into its text's own frame: (start, top, end, bottom)
    along the text and down its lines, whatever way the text is turned."""
    if direction == 0:
        return left, -top, right, -bottom
    if direction == 1:  # reading upwards
        return bottom, left, top, right
    if direction == 2:  # upside down
        return -right, bottom, -left, top
    return -top, -right, -bottom, -left  # reading downwards


def _direction(a: float, b: float) -> int:
    """Quarter turns (counter-clockwise) of a text matrix whose x axis is (a, b)."""
    if b == 0 and a > 0:
        return 0  # upright text, most glyphs: what the formula gives, without atan2
    return round(math.atan2(b, a) / (math.pi / 2)) % 4


def _text_char(code: int, next_code: int) -> tuple[str, int]:
    """The character at a text index and how many indices it uses; "" for a separator.

    PDFium reports UTF-16 code units: a surrogate pair is one character, a lone
    surrogate (a broken ToUnicode map or an emoji icon font) is nothing, and so
    are control characters: neither can be written to JSON or XML.
    """
    if 0xD800 <= code < 0xDC00:
        if 0xDC00 <= next_code < 0xE000:
            return chr(0x10000 + ((code - 0xD800) << 10) + (next_code - 0xDC00)), 2
        return "", 1
    if code == _LINE_END_HYPHEN:
        return "-", 1
    if code <= 0x20 or 0x7F <= code <= 0xA0 or 0xDC00 <= code < 0xE000 or code >= 0x110000:
        return "", 1
    ch = chr(code)
    if (code & 0xFFFE) == 0xFFFE or ch.isspace() or ch == "\u200b":
        return "", 1
    return ch, 1


def _word_boxes(textpage: pdfium.PdfTextPage) -> Iterator[_Box]:
    """Words in PDF points: glyph runs joined by their spacing, as pdftotext joins them.

    PDFium's own generated spaces and line breaks are not used: per-glyph producers
    make it generate spaces inside words, and text turned by 90 degrees comes out
    one glyph per line. A word ends at a real space, at a gap wider than
    WORD_BREAK_GAP ems, at a step back, at another baseline or at a change of
    direction; a glyph that touches the word's start (runs PDFium lists last glyph
    first) is put in front of it.
    """
    count = textpage.count_chars()
    raw = textpage.raw
    left_c, right_c, bottom_c, top_c, ox_c, oy_c = (ctypes.c_double() for _ in range(6))
    refs = (ctypes.byref(left_c), ctypes.byref(right_c), ctypes.byref(bottom_c),
            ctypes.byref(top_c))
    origin = (ctypes.byref(ox_c), ctypes.byref(oy_c))
    loose = pdfium_c.FS_RECTF()
    matrix = pdfium_c.FS_MATRIX()
    # bound once: some ten PDFium calls a glyph, on pages of thousands of glyphs
    get_unicode = pdfium_c.FPDFText_GetUnicode
    is_generated = pdfium_c.FPDFText_IsGenerated
    get_matrix = pdfium_c.FPDFText_GetMatrix
    get_loose_box = pdfium_c.FPDFText_GetLooseCharBox
    get_origin = pdfium_c.FPDFText_GetCharOrigin
    get_font_size = pdfium_c.FPDFText_GetFontSize
    get_char_box = pdfium_c.FPDFText_GetCharBox
    text: list[str] = []
    box: list[float] = []  # left, bottom, right, top in PDF points, the union of glyphs
    direction = 0
    em = begin = end = base = last_start = 0.0

    def flush() -> Iterator[_Box]:
        if text:
            word = "".join(text)
            if not word.isascii():
                # one code point for a letter and its accent, as searches type it;
                # Arabic in logical order and base letters (arabic_text)
                word = logical(unicodedata.normalize("NFC", word))
            if word:
                yield _Box(word, *_frame(direction, *box), direction=direction,
                           page=(box[0], box[1], box[2], box[3]))
            text.clear()

    index = 0
    code = get_unicode(raw, 0) if count else 0
    while index < count:
        following = get_unicode(raw, index + 1) if index + 1 < count else 0
        ch, used = _text_char(code, following)
        here = index
        index += used
        # the code at the new index: the one just read, unless a pair used it
        code = following if used == 1 else (get_unicode(raw, index) if index < count else 0)
        if is_generated(raw, here) == 1:
            continue
        if not ch:
            yield from flush()
            continue
        if ch in _INVISIBLE:
            continue
        if text and ch >= "\u0300" and unicodedata.combining(ch):
            # an accent drawn over the previous glyph, not a step back
            text.append(ch)
            continue
        get_matrix(raw, here, matrix)
        turn = _direction(matrix.a, matrix.b)
        get_loose_box(raw, here, loose)
        start, _, stop, _ = _frame(turn, loose.left, loose.bottom, loose.right, loose.top)
        get_origin(raw, here, *origin)
        baseline = _frame(turn, ox_c.value, oy_c.value, ox_c.value, oy_c.value)[1]
        get_char_box(raw, here, *refs)
        left, right, bottom, top = left_c.value, right_c.value, bottom_c.value, top_c.value
        if right <= left or top <= bottom:
            # Tight boxes of some glyphs (and of broken fonts) are empty; the loose
            # box spans the font's advance and ascent/descent instead.
            left, bottom, right, top = loose.left, loose.bottom, loose.right, loose.top
        after = before = False
        if text and turn == direction and abs(baseline - base) <= BASELINE_SHIFT * em:
            # the characters of one ligature glyph share its box ('tt', 'ft', 'ti' of
            # some producers: 'Net topreis', 'Anschrif t' otherwise)
            ligature = start == last_start and stop == end
            after = ligature or -OVERLAP_BREAK * em <= start - end <= WORD_BREAK_GAP * em
            # PDFium sorts some runs (upside-down text) last glyph first
            before = not after and -OVERLAP_BREAK * em <= begin - stop <= WORD_BREAK_GAP * em
        if not (after or before):
            yield from flush()
            box[:] = [left, bottom, right, top]
            # the font size is needed only where a word starts: its em
            size = get_font_size(raw, here) * math.hypot(matrix.c, matrix.d)
            if size <= 0:
                size = max(loose.top - loose.bottom, loose.right - loose.left, 0.1)
            direction, em, begin, end, base = turn, size, start, stop, baseline
            last_start = start
            text.append(ch)
            continue
        box[:] = [min(box[0], left), min(box[1], bottom), max(box[2], right), max(box[3], top)]
        if after:
            end = max(end, stop)
            last_start = start
            text.append(ch)
        else:
            begin = min(begin, start)
            text.insert(0, ch)
    yield from flush()


def _rejoin(boxes: list[_Box]) -> list[_Box]:
    """A word listed right after the word it ends against on the left, joined to it.

    PDFium lists a line it takes for right-to-left (one with Arabic) in its own
    order: 'INV-7781' comes as '-7781' then 'INV', and the word builder, seeing 'I'
    far left of '-', has already ended the word ('INV' '-7781' otherwise)."""
    out: list[_Box] = []
    for b in boxes:
        a = out[-1] if out else None
        if a is not None and a.direction == b.direction and b.right <= a.right and (
                -OVERLAP_BREAK * b.height <= a.left - b.right <= WORD_BREAK_GAP * b.height) \
                and abs(a.top - b.top) <= BASELINE_SHIFT * b.height \
                and abs(a.bottom - b.bottom) <= BASELINE_SHIFT * b.height:
            out[-1] = _Box(b.text + a.text, b.left, min(a.top, b.top), a.right,
                           max(a.bottom, b.bottom), a.direction,
                           (min(a.page[0], b.page[0]), min(a.page[1], b.page[1]),
                            max(a.page[2], b.page[2]), max(a.page[3], b.page[3])))
        else:
            out.append(b)
    return out


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


def _to_pixels(
    matrix: tuple[float, ...], box: _Box, image_w: int, image_h: int
) -> _Box | None:
    """The word's upright box on the page image, clipped to it; None when it lies
    wholly outside (text clipped away by the page's crop box)."""
    ox, oy, ax, ay, bx, by = matrix
    left_pt, bottom_pt, right_pt, top_pt = box.page
    xs: list[float] = []
    ys: list[float] = []
    for x, y in ((left_pt, top_pt), (right_pt, bottom_pt), (left_pt, bottom_pt),
                 (right_pt, top_pt)):
        xs.append(ox + ax * x + bx * y)
        ys.append(oy + ay * x + by * y)
    x1, x2 = _clip(min(xs), max(xs), image_w)
    y1, y2 = _clip(min(ys), max(ys), image_h)
    if x1 >= x2 or y1 >= y2:
        return None
    return _Box(box.text, x1, y1, x2, y2)


def _clip(low: float, high: float, size: int) -> tuple[int, int]:
    """Whole pixels 0 <= a < b <= size, or (0, 0) when [low, high] misses [0, size]."""
    if high <= 0 or low >= size:
        return 0, 0
    a = min(max(round(low), 0), size - 1)
    return a, min(max(round(high), a + 1), size)


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


def _reading_order(boxes: Sequence[_Box]) -> list[list[_Box]]:
    """Lines of the page's main text direction first, then those of each other one."""
    weight: dict[int, int] = {}
    for b in boxes:
        weight[b.direction] = weight.get(b.direction, 0) + len(b.text)
    order = sorted(weight, key=lambda d: (-weight[d], d))
    return [line for d in order for line in group_lines([b for b in boxes if b.direction == d])]


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
