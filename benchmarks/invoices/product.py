"""PageText exactly as folio's pipeline makes it: its text-layer reader and its tesseract step.

The evaluation measures the product, not a converter of its own.
"""

from __future__ import annotations

import tempfile
from pathlib import Path

import pypdfium2 as pdfium

from service.pipeline.detect import pdf_pixel_size
from service.pipeline.tesseract import ocr_image
from service.pipeline.textlayer import pdf_text_layers
from service.pipeline.words import PageText

DPI = 220


def pdf_to_pages(pdf_bytes: bytes) -> list[PageText]:
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "doc.pdf"
        path.write_bytes(pdf_bytes)
        doc = pdfium.PdfDocument(str(path))
        sizes = [pdf_pixel_size(*doc[i].get_size(), DPI) for i in range(len(doc))]
        doc.close()
        layers = pdf_text_layers(path, sizes)
    return [layer or PageText(w, h, []) for layer, (w, h) in zip(layers, sizes, strict=True)]


def ocr_png(png: bytes, language: str) -> PageText:
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "page.png"
        path.write_bytes(png)
        return ocr_image(path, language, timeout=120)
