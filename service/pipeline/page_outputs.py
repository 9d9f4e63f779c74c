"""Each page's share of the OCR JSON and the hOCR, made (and deflated) in its page process.

The job then only joins the pages' pieces (`document_outputs`): the bytes are
exactly those `ocr_json` and `hocr` make of the whole document, and their gzip
twins are built from the pieces deflated in parallel.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import orjson

from service.artifacts.packed import Packed, framed, pack
from service.pipeline import hocr, ocrjson
from service.pipeline.words import PageText


@dataclass(frozen=True, slots=True)
class PageOutputs:
    ocr: Packed  # the page's object in the OCR JSON's "pages"
    hocr: Packed  # the page's ocr_page element
    fulltext: str  # PageText.fulltext(), for the document's language


def page_outputs(page_no: int, page: PageText) -> PageOutputs:
    """`page_no` is 1-based, as the hOCR ids carry it."""
    return PageOutputs(pack(orjson.dumps(ocrjson.page_dict(page))),
                       pack(hocr.page_fragment(page_no, page)), page.fulltext())


def document_outputs(pages: Sequence[PageOutputs]) -> tuple[Packed, Packed]:
    """The OCR JSON and the hOCR of the document, from its pages' pieces in page order."""
    return (framed(ocrjson.HEAD, [p.ocr for p in pages], ocrjson.SEPARATOR, ocrjson.TAIL),
            framed(hocr.HEAD, [p.hocr for p in pages], hocr.SEPARATOR, hocr.TAIL))
