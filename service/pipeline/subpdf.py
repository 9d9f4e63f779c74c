"""Sub-PDFs: a range of a document's pages as a PDF of their own.

From a PDF upload the pages are copied with pikepdf (text layer, fonts and
vector content kept); from an image upload they are built from the page images
like the searchable PDF, with or without the invisible text layer.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import pikepdf

from service.errors import ProcessingError
from service.pipeline.searchable_pdf import save_pdf, searchable_pdf
from service.pipeline.words import PageText


def sub_pdf_from_pdf(
    src_pdf: str | Path, pages_1based: Sequence[int], out_path: str | Path
) -> None:
    try:
        with pikepdf.open(src_pdf) as src, pikepdf.new() as out:
            for page_no in pages_1based:
                if not 1 <= page_no <= len(src.pages):
                    raise ProcessingError(f"page {page_no} is not in the document")
                out.pages.append(src.pages[page_no - 1])
            save_pdf(out, out_path)
    except pikepdf.PasswordError as exc:
        raise ProcessingError("the PDF is encrypted") from exc
    except pikepdf.PdfError as exc:
        raise ProcessingError("the PDF is damaged or truncated") from exc


def sub_pdf_from_images(
    page_jpgs: Sequence[str | Path],
    dpi: float,
    out_path: str | Path,
    pages: Sequence[PageText | None] | None = None,
) -> None:
    """A PDF of the given page images; with `pages`, each gets its invisible text layer."""
    texts: Sequence[PageText | None] = pages if pages is not None else [None] * len(page_jpgs)
    searchable_pdf(page_jpgs, texts, dpi, out_path)
