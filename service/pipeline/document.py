"""What the shared steps learn about an upload; the read-only input of every output step."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from service.artifacts.packed import Packed
from service.pipeline.page_outputs import RunOutputs
from service.pipeline.words import PageText


@dataclass(frozen=True, slots=True)
class Document:
    source: Path  # the upload as received
    kind: str  # pdf, png, jpeg, tiff, gif, webp
    dpi: int
    pages: tuple[Path, ...]  # stored page images, page 1 first
    sizes: tuple[tuple[int, int], ...]
    texts: tuple[PageText, ...]
    language: str  # de | en, from the text (the parameter when the text is undecided)
    scratch: Path  # where a step may write files before they are moved into the store
    # the searchable PDF already made page run by page run alongside rendering, in order
    pdf_parts: tuple[Path, ...] = ()
    # each run of pages' OCR JSON and hOCR, made alongside rendering, in page order
    page_outputs: tuple[RunOutputs, ...] = ()
    # invoice_extraction reads the barcodes on this many page images, the first ones and
    # the last (FOLIO_BARCODES, FOLIO_BARCODE_PAGES); 0 = none
    barcode_pages: int = 4


# An output step returns artifacts: store name → bytes, bytes with their deflated
# pieces (stored with a gzip twin made of them) or a finished file in `scratch`.
Artifacts = dict[str, bytes | Packed | Path]
