"""A PDF of the page images with an invisible text layer: searchable and selectable.

One PDF page per page image. By default a page is pixels * 72 / dpi points and
the JPEG fills it, embedded as it is (DCTDecode, no re-encode); a `Placement`
may give another page size and the rectangle the image fills. Each word is
drawn in text render mode 3 (invisible) in the glyphless CID font of
`pdf_font`, so that any Unicode text comes back from extraction exactly, at
its box: the font size is the line's height and each word is stretched
horizontally (Tz) to its box width, so that selection and search find it
where the image shows it.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from dataclasses import dataclass
from itertools import groupby
from pathlib import Path

import pikepdf
import pyvips

from service.errors import ProcessingError
from service.pipeline.active_content import strip_active_content
from service.pipeline.pdf_font import ADVANCE, DESCENT, UNITS_PER_EM, GlyphlessFont
from service.pipeline.words import PageText, Word

_COLOUR_SPACES = {1: pikepdf.Name.DeviceGray, 3: pikepdf.Name.DeviceRGB}


@dataclass(frozen=True, slots=True)
class Placement:
    """A page's size and the rectangle its image fills, in points (origin bottom-left)."""

    page_width: float
    page_height: float
    x: float
    y: float
    width: float
    height: float


def full_page(width_px: int, height_px: int, dpi: float) -> Placement:
    width, height = width_px * 72 / dpi, height_px * 72 / dpi
    return Placement(width, height, 0, 0, width, height)


def jpeg_xobject(pdf: pikepdf.Pdf, data: bytes) -> tuple[pikepdf.Stream, int, int]:
    try:
        header = pyvips.Image.new_from_buffer(data, "", access="sequential")
    except pyvips.Error as exc:
        raise ProcessingError("a page image could not be read") from exc
    if header.get("vips-loader") != "jpegload_buffer" or header.bands not in _COLOUR_SPACES:
        raise ProcessingError("a page image is not an 8-bit RGB or gray JPEG")
    stream = pikepdf.Stream(pdf, data)
    stream.Type = pikepdf.Name.XObject
    stream.Subtype = pikepdf.Name.Image
    stream.Width = header.width
    stream.Height = header.height
    stream.ColorSpace = _COLOUR_SPACES[header.bands]
    stream.BitsPerComponent = 8
    # Set last and without re-encoding: the stream's bytes already are DCT data.
    stream.Filter = pikepdf.Name.DCTDecode
    return stream, header.width, header.height


def _text_ops(page: PageText, box: Placement, font: GlyphlessFont) -> list[bytes]:
    # word boxes are pixels of the page as it was read; map them onto the image's rectangle
    sx = box.width / max(page.width, 1)
    sy = box.height / max(page.height, 1)
    top = box.y + box.height
    ops = [b"BT", b"3 Tr"]
    for _, run in groupby(page.words, key=lambda w: w.line):
        line = list(run)
        size = max(max(w.y2 - w.y1 for w in line) * sy, 1.0)  # 1 em = ascent + descent
        baseline = top - max(w.y2 for w in line) * sy - DESCENT / UNITS_PER_EM * size
        ops.append(b"/F1 %.2f Tf" % size)
        for word in line:
            ops.extend(_word_ops(word, box.x, sx, size, baseline, font))
    ops.append(b"ET")
    return ops


def _word_ops(word: Word, left: float, sx: float, size: float, baseline: float,
              font: GlyphlessFont) -> list[bytes]:
    codes = font.encode(word.text)
    natural = len(codes) // 2 * ADVANCE / UNITS_PER_EM * size
    box_width = max(word.x2 - word.x1, 1) * sx
    stretch = 100 * box_width / natural if natural > 0 else 100
    return [
        b"%.2f Tz" % stretch,
        b"1 0 0 1 %.2f %.2f Tm" % (left + word.x1 * sx, baseline),
        b"<" + codes.hex().encode() + b"> Tj",
    ]


def add_page(
    pdf: pikepdf.Pdf,
    jpeg: bytes,
    text: PageText | None,
    font: GlyphlessFont,
    placement: Placement | None = None,
    dpi: float = 72,
) -> None:
    """Append one page showing `jpeg`, with `text` (if any) as an invisible layer.

    Without `placement` the page is the image's pixels at `dpi`. Share one `font`
    between the pages of a PDF and call its `finish()` before saving.
    """
    image, width, height = jpeg_xobject(pdf, jpeg)
    box = placement or full_page(width, height, dpi)
    ops = [b"q %.4f 0 0 %.4f %.4f %.4f cm /Im0 Do Q" % (box.width, box.height, box.x, box.y)]
    resources = pikepdf.Dictionary(XObject=pikepdf.Dictionary(Im0=image))
    if text is not None and text.words:
        ops.extend(_text_ops(text, box, font))
        resources.Font = pikepdf.Dictionary(F1=font.font)
    page = pikepdf.Dictionary(
        Type=pikepdf.Name.Page,
        MediaBox=[0, 0, round(box.page_width, 4), round(box.page_height, 4)],
        Resources=resources,
        Contents=pdf.make_stream(b"\n".join(ops)),
    )
    pdf.pages.append(pikepdf.Page(page))


def save_pdf(pdf: pikepdf.Pdf, out_path: str | Path) -> None:
    """Write atomically, with no active content (scripts, actions, attachments) left in."""
    strip_active_content(pdf)
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
        font = GlyphlessFont(pdf)
        for jpg, text in zip(page_jpgs, pages, strict=True):
            add_page(pdf, _read(jpg), text, font, dpi=dpi)
        font.finish()
        save_pdf(pdf, out_path)


def _read(path: str | Path) -> bytes:
    try:
        return Path(path).read_bytes()
    except OSError as exc:
        raise ProcessingError("a page image could not be read") from exc


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
