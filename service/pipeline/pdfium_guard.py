"""PDFium one call at a time, and PDF documents that are always closed.

PDFium keeps process-wide state (font caches, the "last error", page caches)
and is not thread-safe, not even across different documents. The upload check
runs in `asyncio.to_thread`, arq runs jobs in threads, and a page worker runs
its pages in the process that imported it: every PDFium call, the implicit ones
included (loading, closing a page, a bitmap or a document), is made while
holding `PDFIUM`. It is re-entrant, so a function holding it may call another
that takes it too; it is held per operation (one page), not per document, so a
long document does not stall an upload check in the same process.

pypdfium2 leaves a document with no pages open when it refuses it (its file
descriptor, and the file even after it is deleted, stay held until the process
ends), and PDFium's own error code is only meaningful under the lock: so
documents are opened here, by hand.
"""

from __future__ import annotations

import os
import threading
from pathlib import Path

import pypdfium2 as pdfium
import pypdfium2.raw as pdfium_c

PDFIUM = threading.RLock()


class NoPages(Exception):
    """PDFium opened the file but found no page in it."""


def load(path: str | Path) -> pdfium.PdfDocument:
    """Open `path` with PDFium; the caller closes it (under `PDFIUM`).

    Raises pdfium.PdfiumError when PDFium cannot load the file, NoPages when it
    has none (the handle is closed before raising).
    """
    encoded = os.fsencode(Path(path).resolve()) + b"\x00"
    with PDFIUM:
        raw = pdfium_c.FPDF_LoadDocument(encoded, None)
        if not raw:
            code = pdfium_c.FPDF_GetLastError()
            raise pdfium.PdfiumError(f"PDFium could not load the file (error {code})",
                                     err_code=code)
        if pdfium_c.FPDF_GetPageCount(raw) < 1:
            pdfium_c.FPDF_CloseDocument(raw)
            raise NoPages()
        return pdfium.PdfDocument(raw)


def close(doc: pdfium.PdfDocument) -> None:
    with PDFIUM:
        doc.close()
