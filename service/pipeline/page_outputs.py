"""A run of pages' share of the OCR JSON and the hOCR, made (and deflated) in its page process.

The job then only joins the runs' pieces (`document_outputs`): the bytes are
exactly those `ocr_json` and `hocr` make of the whole document, and their gzip
twins are built from the runs deflated in parallel. A run is deflated as one
stream, so it compresses nearly as well as the whole document does.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import orjson

from service.artifacts.packed import Packed, join, pack
from service.pipeline import hocr, ocrjson
from service.pipeline.words import PageText


@dataclass(frozen=True, slots=True)
class RunOutputs:
    first: int  # 0-based index of the run's first page
    ocr: Packed  # the run's page objects in the OCR JSON's "pages", a separator first
    hocr: Packed  # the run's ocr_page elements, likewise
    fulltexts: tuple[str, ...]  # each page's PageText.fulltext(), for the language


def run_outputs(first: int, pages: Sequence[PageText]) -> RunOutputs:
    """The outputs of the consecutive pages `pages`, the first of them at index `first`."""
    if not pages:
        return RunOutputs(first, Packed(b"", b""), Packed(b"", b""), ())
    # the separator before the run: it belongs to the piece its page's bytes are in
    ocr_lead, hocr_lead = (ocrjson.SEPARATOR, hocr.SEPARATOR) if first else (b"", b"")
    ocr = ocr_lead + ocrjson.SEPARATOR.join(orjson.dumps(ocrjson.page_dict(p)) for p in pages)
    html = hocr_lead + hocr.SEPARATOR.join(hocr.page_fragment(first + n, p)
                                           for n, p in enumerate(pages, 1))
    return RunOutputs(first, pack(ocr), pack(html), tuple(p.fulltext() for p in pages))


def document_outputs(runs: Sequence[RunOutputs]) -> tuple[Packed, Packed]:
    """The OCR JSON and the hOCR of the document, from its runs of pages in page order."""
    expected = 0
    for run in runs:
        if run.first != expected:
            raise ValueError("the runs of pages do not follow one another")
        expected += len(run.fulltexts)
    return (join([ocrjson.HEAD, *(r.ocr for r in runs), ocrjson.TAIL]),
            join([hocr.HEAD, *(r.hocr for r in runs), hocr.TAIL]))
