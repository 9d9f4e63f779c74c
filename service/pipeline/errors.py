"""Errors raised by the processing steps for documents that cannot be processed.

    ProcessingError          the document is bad; `detail` says why, in words for the client (500)
     └── TooLarge            the document exceeds a size or page limit (429)

Library exceptions (pypdfium2, pyvips, pikepdf, tesseract's exit status) are
translated into these at the step that called the library; nothing else leaks.
"""

from __future__ import annotations


class ProcessingError(Exception):
    def __init__(self, detail: str) -> None:
        super().__init__(detail)
        self.detail = detail


class TooLarge(ProcessingError):
    """A limit (pages, megapixels) was exceeded; checked before any pixel is decoded."""
