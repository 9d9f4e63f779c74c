"""Recognise an upload by its bytes and check the limits before any pixel is decoded.

`detect` reads the first bytes only and goes by the signature at offset 0.
`check_limits` reads the PDF's page tree (declared page sizes) or the image
header, never the pixels, and counts what a PDF's streams inflate to without
keeping it (`decompression`), so a decompression bomb is refused without being
decoded.
"""

from __future__ import annotations

import math
from pathlib import Path

import pikepdf
import pypdfium2 as pdfium
import pyvips

from service.errors import ProcessingError, TooLarge
from service.pipeline.decompression import DEFAULT_MAX_DECOMPRESSED_BYTES, check_decompressed
from service.pipeline.pdfium_guard import PDFIUM, NoPages, load

MULTI_FRAME = frozenset({"tiff", "gif", "webp"})


# The real signature at offset 0 decides; a PDF may also start up to 1 KiB late.
SIGNATURES = (
    (b"%PDF-", "pdf"),
    (b"\x89PNG\r\n\x1a\n", "png"),
    (b"\xff\xd8\xff", "jpeg"),
    (b"II*\x00", "tiff"), (b"MM\x00*", "tiff"), (b"II+\x00", "tiff"), (b"MM\x00+", "tiff"),
    (b"GIF87a", "gif"), (b"GIF89a", "gif"),
)
# Containers that may carry a PDF inside (stored, so "%PDF-" shows in the first KiB):
# named in the refusal, never looked into.
OTHER_SIGNATURES = (
    (b"PK\x03\x04", "a ZIP archive"), (b"PK\x05\x06", "a ZIP archive"),
    (b"PK\x07\x08", "a ZIP archive"), (b"\x1f\x8b", "a gzip file"),
    (b"7z\xbc\xaf\x27\x1c", "a 7-Zip archive"), (b"Rar!\x1a\x07", "a RAR archive"),
    (b"BZh", "a bzip2 file"), (b"\xfd7zXZ\x00", "an xz file"),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", "an OLE (old Microsoft Office) file"),
    (b"MZ", "a Windows program"), (b"\x7fELF", "an ELF program"),
)
EXPECTED = "expected a PDF, PNG, JPEG, TIFF, GIF or WebP document or an e-invoice XML"


def detect(path: str | Path) -> str:
    with open(path, "rb") as f:
        head = f.read(1024)
    if not head:
        raise ProcessingError("the file is empty")
    for signature, kind in SIGNATURES:
        if head.startswith(signature):
            return kind
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return "webp"
    for signature, name in OTHER_SIGNATURES:
        if head.startswith(signature):
            raise ProcessingError(f"unsupported file type: {name}; {EXPECTED}")
    # The PDF spec tolerates junk before the header; readers look in the first 1 KiB.
    if b"%PDF-" in head:
        return "pdf"
    # Only when no binary signature matched: a bare e-invoice (XRechnung, CII, UBL),
    # whose pages are drawn from its content.
    if head.lstrip(b"\xef\xbb\xbf \t\r\n").startswith(b"<"):
        return "xml"
    raise ProcessingError(f"unsupported file type: {EXPECTED}")


def open_pdf(path: str | Path) -> pdfium.PdfDocument:
    """Open a PDF with PDFium, translating its load errors into ProcessingError.

    Opening takes `pdfium_guard.PDFIUM` by itself (asking qpdf why a file is
    unreadable needs no lock); use and close the document while holding it.
    """
    try:
        return load(path)
    except NoPages:
        raise ProcessingError("the PDF has no pages") from None
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
    max_decompressed_bytes: int = DEFAULT_MAX_DECOMPRESSED_BYTES,
) -> int:
    """Return the page count, or raise TooLarge / ProcessingError before any decoding."""
    if kind == "xml":
        return 1  # checked again on the pages drawn from it
    if kind == "pdf":
        count = _check_pdf(path, max_pages, max_megapixels, dpi)
        # after PDFium's cheap look (its errors are the clearer ones), before any render
        check_decompressed(path, max_decompressed_bytes)
        return count
    return _check_image(path, kind, max_pages, max_megapixels)


def _check_pdf(path: str | Path, max_pages: int, max_megapixels: float, dpi: float) -> int:
    doc = open_pdf(path)
    with PDFIUM:
        try:
            count = len(doc)
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
