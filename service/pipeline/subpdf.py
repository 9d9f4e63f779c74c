"""Sub-PDFs: a range of a document's pages as a PDF of their own.

From a PDF upload the pages are copied with pikepdf (text layer, fonts and
vector content kept), without their active content (see `active_content`)
and without anything that would drag other pages of the upload along: links
to pages outside the range and the form (its fields are flattened into the
page content first, so they still show). From an
image upload they are built from the page images like the searchable PDF,
with or without the invisible text layer.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import pikepdf

from service.errors import ProcessingError
from service.pipeline.active_content import clean_page
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
            # form fields and other annotations drawn into the page content, as the
            # page images show them: a sub-PDF carries no form (no field scripts,
            # no submit), and a widget without its form is not a valid annotation
            src.flatten_annotations("all")
            kept = {src.pages[n - 1].obj.objgen for n in pages_1based}
            for page_no in pages_1based:
                page = src.pages[page_no - 1]
                # cleaned in the source (in memory only) before the copy, so that
                # nothing the copy would follow reaches outside the range
                clean_page(page.obj)
                _detach(page.obj, kept)
                out.pages.append(page)
            save_pdf(out, out_path)
    except pikepdf.PasswordError as exc:
        raise ProcessingError("the PDF is encrypted") from exc
    except pikepdf.PdfError as exc:
        raise ProcessingError("the PDF is damaged or truncated") from exc


def _detach(page: pikepdf.Dictionary, kept: set[tuple[int, int]]) -> None:
    annots = page.get("/Annots")
    if not isinstance(annots, pikepdf.Array):
        return
    inside = pikepdf.Array()
    for annot in annots:
        target = _link_target(annot)
        if target is not None and target not in kept:
            continue  # a link to a page that is not in this sub-PDF
        if str(annot.get("/Subtype", "")) == "/Widget":
            continue  # a field left unflattened (no appearance): the form is not copied
        if "/P" in annot:
            del annot.P  # optional back-reference; may name a page of another range
        inside.append(annot)
    page.Annots = inside


def _link_target(annot: pikepdf.Object) -> tuple[int, int] | None:
    """The page object a GoTo link points at, if it names one directly."""
    if not isinstance(annot, pikepdf.Dictionary):
        return None
    dest = annot.get("/Dest")
    action = annot.get("/A")
    if dest is None and isinstance(action, pikepdf.Dictionary) and action.get("/S") == "/GoTo":
        dest = action.get("/D")
    if isinstance(dest, pikepdf.Array) and len(dest) > 0:
        first = dest[0]
        if isinstance(first, pikepdf.Dictionary) and first.is_indirect:
            return first.objgen
    return None


def sub_pdf_from_images(
    page_jpgs: Sequence[str | Path],
    dpi: float,
    out_path: str | Path,
    pages: Sequence[PageText | None] | None = None,
) -> None:
    """A PDF of the given page images; with `pages`, each gets its invisible text layer."""
    texts: Sequence[PageText | None] = pages if pages is not None else [None] * len(page_jpgs)
    searchable_pdf(page_jpgs, texts, dpi, out_path)
