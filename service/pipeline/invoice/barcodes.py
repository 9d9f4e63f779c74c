"""Barcodes on the page images: each code's text, where it is, and the words printed in it.

zxing-cpp reads 1D and 2D codes (QR, DataMatrix, EAN/UPC, Code 128, PDF417, ...) on the
stored page JPEGs: the raster every document already has, rendered from a PDF or decoded
from a scan, so nothing is rendered twice. Light-on-dark codes are not looked for (a fifth
of the search time, and rare on invoices); codes turned 90° are. An A4 page at 220 DPI
costs ~55-60 ms of CPU: ~20 decoding its JPEG, ~35 searching (docs/extraction-depth.md).
"""

from __future__ import annotations

import logging
import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import pyvips
import zxingcpp

from service.pipeline.invoice.values import Extraction
from service.pipeline.words import PageText, writable

log = logging.getLogger("folio.pipeline")

# codes kept per document: a page of labels or a packing list may carry hundreds, and
# the extraction is about the invoice's own few (a payment code, an order's barcode)
MAX_BARCODES = 20


@dataclass(frozen=True, slots=True)
class Barcode:
    page: int  # 1-based
    kind: str  # zxing-cpp's format name: QRCode, EAN13, Code128, DataMatrix, ...
    text: str
    box: tuple[int, int, int, int]  # x1, y1, x2, y2 in pixels of the page image


def read_barcodes(images: Sequence[Path], pages: int = 4) -> list[Barcode]:
    """Every distinct code on the pages, page by page, top to bottom (at most MAX_BARCODES);
    `pages` of them are searched, the first ones and the last (FOLIO_BARCODE_PAGES: an
    invoice prints its payment code on its first or last page, and every page searched
    costs ~35 ms, one after another)."""
    found: list[Barcode] = []
    seen: set[str] = set()
    numbers = list(range(1, len(images) + 1))
    if pages <= 0:
        return []
    if len(numbers) > pages:
        numbers = [*numbers[:pages - 1], numbers[-1]]
    for page in numbers:
        for code in _page_codes(images[page - 1], page):
            if code.text not in seen and len(found) < MAX_BARCODES:
                seen.add(code.text)
                found.append(code)
    return found


def _page_codes(path: Path, page: int) -> list[Barcode]:
    try:
        image = pyvips.Image.new_from_file(str(path), access="sequential")
        if image.bands > 1:
            image = image.colourspace("b-w")[0]
        image = image.cast("uchar")
        pixels = memoryview(image.write_to_memory()).cast("B", (image.height, image.width))
    except pyvips.Error:
        log.warning("page %d: its image could not be read for barcodes", page)
        return []
    out = []
    # no rotated passes: a 1D code printed sideways is not read (2D codes are found at any
    # angle), and the three passes would double the time a page takes (27 ms against 13 ms
    # for an A4 page at 220 DPI)
    for code in zxingcpp.read_barcodes(pixels, try_invert=False, try_rotate=False):
        text = writable(code.text).strip()
        if not text:
            continue
        pos = code.position
        corners = (pos.top_left, pos.top_right, pos.bottom_right, pos.bottom_left)
        xs, ys = [p.x for p in corners], [p.y for p in corners]
        out.append(Barcode(page, code.format.name, text, (min(xs), min(ys), max(xs), max(ys))))
    out.sort(key=lambda c: (c.box[1], c.box[0]))
    return out


def barcode_fields(codes: Sequence[Barcode], pages: Sequence[PageText]) -> list[Extraction]:
    """The `barcodes` list: each code's text; its refs are the words printed with it (an
    EAN's digits under its bars), its note names the format and the box in page pixels."""
    out = []
    for code in codes:
        x1, y1, x2, y2 = code.box
        out.append({
            "value": code.text,
            # a decoded code has passed its checksum or error correction
            "confidence": 0.99,
            "bbox_refs": _printed(code, pages),
            "validation_problem": False,
            "note": f"{code.kind} on page {code.page} at {x1},{y1}-{x2},{y2} (page pixels)",
        })
    return out


def _printed(code: Barcode, pages: Sequence[PageText]) -> list[dict[str, int]]:
    """The words near the code that spell part of its text: a 1D code's box is only the
    line it was read along, so its human-readable digits are looked for around it."""
    if code.page > len(pages):
        return []
    x1, y1, x2, y2 = code.box
    reach = 0.5 * (x2 - x1)
    content = _ALNUM.sub("", code.text)
    refs = []
    for index, w in enumerate(pages[code.page - 1].words, 1):
        cx, cy = (w.x1 + w.x2) / 2, (w.y1 + w.y2) / 2
        text = _ALNUM.sub("", w.text)
        if (x1 - 0.1 * reach <= cx <= x2 + 0.1 * reach and y1 - reach <= cy <= y2 + reach
                and len(text) >= 1 and text in content and (len(text) >= 3 or text == content)):
            refs.append({"page_num": code.page, "bbox_id": index})
    return refs


_ALNUM = re.compile(r"[\W_]+")
