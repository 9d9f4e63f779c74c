"""Recognise an upload by its bytes and check the limits before any pixel is decoded.

`detect` reads the first bytes only. `check_limits` reads the PDF's page tree
(declared page sizes) or the image header, never the pixels, so a
decompression bomb is refused without being decoded.
"""

from __future__ import annotations

import math
from pathlib import Path

import pikepdf
import pypdfium2 as pdfium
import pyvips

from service.pipeline.errors import ProcessingError, TooLarge

KINDS = ("pdf", "png", "jpeg", "tiff", "gif", "webp", "xml")
MULTI_FRAME = frozenset({"tiff", "gif", "webp"})


def detect(path: str | Path) -> str:
    with open(path, "rb") as f:
        head = f.read(1024)
    if not head:
        raise ProcessingError("the file is empty")
    # The PDF spec tolerates junk before the header; readers look in the first 1 KiB.
    if b"%PDF-" in head:
        return "pdf"
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "png"
    if head.startswith(b"\xff\xd8\xff"):
        return "jpeg"
    if head[:4] in (b"II*\x00", b"MM\x00*", b"II+\x00", b"MM\x00+"):
        return "tiff"
    if head[:6] in (b"GIF87a", b"GIF89a"):
        return "gif"
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return "webp"
    if head.lstrip(b"\xef\xbb\xbf \t\r\n").startswith(b"<"):
        return "xml"  # a bare e-invoice (XRechnung, CII, UBL); its pages are drawn from it
    raise ProcessingError(
        "unsupported file type: expected a PDF, PNG, JPEG, TIFF, GIF, WebP or e-invoice XML"
    )


def open_pdf(path: str | Path) -> pdfium.PdfDocument:
    """Open a PDF with pypdfium2, translating its load errors into ProcessingError."""
    try:
        return pdfium.PdfDocument(str(path))
    except pdfium.PdfiumError as exc:
        raise ProcessingError(_why_unreadable(path)) from exc


def _why_unreadable(path: str | Path) -> str:
    # PDFium's error code is a process-wide "last error" that some failures (a
    # document without pages) leave stale, so ask qpdf what is wrong instead.
    try:
        with pikepdf.open(path) as pdf:
            if len(pdf.pages) == 0:
                return "the PDF has no pages"
    except pikepdf.PasswordError:
        return "the PDF is encrypted"
    except (pikepdf.PdfError, ValueError, RuntimeError):
        pass
    return "the PDF is damaged or truncated"


def megapixels(width: int, height: int) -> float:
    return width * height / 1_000_000


def check_page_size(page_no: int, width: int, height: int, max_megapixels: float) -> None:
    mp = megapixels(width, height)
    if mp > max_megapixels:
        raise TooLarge(f"page {page_no} is {mp:.0f} megapixels, the limit is {max_megapixels:g}")


def check_page_count(count: int, max_pages: int) -> None:
    if count > max_pages:
        raise TooLarge(f"the document has {count} pages, the limit is {max_pages}")


def pdf_pixel_size(width_pt: float, height_pt: float, dpi: float) -> tuple[int, int]:
    """The pixel size pypdfium2 renders a page of this size to (it rounds up)."""
    scale = dpi / 72
    return math.ceil(width_pt * scale), math.ceil(height_pt * scale)


def check_limits(
    path: str | Path,
    kind: str,
    max_pages: int,
    max_megapixels: float,
    dpi: float = 220,
) -> int:
    """Return the page count, or raise TooLarge / ProcessingError before any decoding."""
    if kind == "xml":
        return 1  # checked again on the pages drawn from it
    if kind == "pdf":
        return _check_pdf(path, max_pages, max_megapixels, dpi)
    return _check_image(path, kind, max_pages, max_megapixels)


def _check_pdf(path: str | Path, max_pages: int, max_megapixels: float, dpi: float) -> int:
    doc = open_pdf(path)
    try:
        count = len(doc)
        if count == 0:
            raise ProcessingError("the PDF has no pages")
        check_page_count(count, max_pages)
        for index in range(count):
            try:
                # Reads the page dictionary only (MediaBox, Rotate); nothing is rendered.
                width_pt, height_pt = doc.get_page_size(index)
            except pdfium.PdfiumError as exc:
                raise ProcessingError("the PDF is damaged or truncated") from exc
            width, height = pdf_pixel_size(width_pt, height_pt, dpi)
            check_page_size(index + 1, width, height, max_megapixels)
        return count
    finally:
        doc.close()


def _header(path: str | Path, **options: object) -> pyvips.Image:
    try:
        # vips reads only the header here; pixels are decoded on first access.
        return pyvips.Image.new_from_file(str(path), access="sequential", **options)
    except pyvips.Error as exc:
        raise ProcessingError("the image is damaged or truncated") from exc


def _n_pages(image: pyvips.Image) -> int:
    if image.get_typeof("n-pages") == 0:
        return 1
    return max(1, int(image.get("n-pages")))


def _check_image(path: str | Path, kind: str, max_pages: int, max_megapixels: float) -> int:
    first = _header(path)
    count = _n_pages(first) if kind in MULTI_FRAME else 1
    check_page_count(count, max_pages)
    if kind == "tiff":
        # TIFF pages may differ in size: look at each page's header.
        for index in range(count):
            page = first if index == 0 else _header(path, page=index)
            check_page_size(index + 1, page.width, page.height, max_megapixels)
    else:
        # GIF and WebP frames share the canvas size of the first header.
        check_page_size(1, first.width, first.height, max_megapixels)
    return count
