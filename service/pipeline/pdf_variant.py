"""A PDF of a document's pages made to the `/pdf` options, from the source.

The order is the algorithm, page by page:
  1. the page's pixels: the stored page image when the dpi is the stored one,
     otherwise the source rendered again at that dpi (PDFs with PDFium; an
     image upload is its pixels, resampled to the dpi);
  2. the embedded image's size (image_width/height) and JPEG quality: the
     stored JPEG goes in untouched when neither changes;
  3. the page's size (page_width/height, else the physical size) and the
     rectangle the image fills (centred, aspect kept, when the page size is
     given);
  4. the OCR words (from the stored OCR JSON) as the invisible text layer,
     mapped onto that rectangle;
then PDF/A-2b when asked. The same input gives the same bytes (no clock, a
content-derived /ID): variants are cached and served in byte ranges.
"""

from __future__ import annotations

import io
import tempfile
from dataclasses import dataclass
from pathlib import Path

import orjson
import pikepdf
import pyvips

from service.errors import ProcessingError
from service.pipeline.active_content import strip_active_content
from service.pipeline.pdf_font import GlyphlessFont
from service.pipeline.pdf_options import PdfOptions, image_size, page_points
from service.pipeline.pdfa import make_pdfa
from service.pipeline.rasterize import page_path, rasterize
from service.pipeline.searchable_pdf import Placement, add_page
from service.pipeline.words import PageText, Word

RERENDER_QUALITY = 95  # a page rendered only to be resized is kept close to lossless


@dataclass(frozen=True, slots=True)
class VariantJob:
    source: Path  # the upload
    kind: str  # "pdf" or an image kind
    page_numbers: tuple[int, ...]  # 1-based, in output order
    stored_jpgs: tuple[Path, ...]  # the stored page images of those pages
    stored_sizes: tuple[tuple[int, int], ...]
    texts: tuple[PageText | None, ...]
    options: PdfOptions
    base_dpi: int  # the dpi the stored page images were rendered at
    base_quality: int
    max_megapixels: float
    created: float  # epoch seconds: the PDF/A dates
    title: str | None = None


def build_pdf_variant(job: VariantJob) -> bytes:
    with tempfile.TemporaryDirectory(prefix="folio-pdf-") as scratch, pikepdf.new() as pdf:
        font = GlyphlessFont(pdf)
        for i in range(len(job.page_numbers)):
            jpeg = page_jpeg(job, i, Path(scratch))
            add_page(pdf, jpeg, job.texts[i], font, placement(job, i))
        font.finish()
        strip_active_content(pdf)
        if job.options.pdfa_compliant:
            make_pdfa(pdf, job.created, job.title)
        out = io.BytesIO()
        try:
            pdf.save(out, deterministic_id=True)
        except pikepdf.PdfError as exc:
            raise ProcessingError("the PDF could not be written") from exc
        return out.getvalue()


def page_jpeg(job: VariantJob, i: int, scratch: Path) -> bytes:
    options = job.options
    stored = job.stored_sizes[i]
    quality = options.jpeg_quality or job.base_quality
    dpi = options.dpi or job.base_dpi
    if dpi != job.base_dpi and job.kind == "pdf":
        index = job.page_numbers[i] - 1
        direct = options.image_width is None and options.image_height is None
        (rendered,) = rasterize(job.source, "pdf", scratch, dpi,
                                quality if direct else RERENDER_QUALITY,
                                job.max_megapixels, [index])
        path = page_path(scratch, index + 1)
        if direct:
            return path.read_bytes()
    else:
        path = job.stored_jpgs[i]
        scale = dpi / job.base_dpi  # an image upload: its pixels resampled to the dpi
        rendered = (max(round(stored[0] * scale), 1), max(round(stored[1] * scale), 1))
        if rendered == stored and options.image_width is None and \
                options.image_height is None and options.jpeg_quality is None:
            return path.read_bytes()  # the stored JPEG as it is
    width, height = image_size(rendered, options)
    try:
        image = pyvips.Image.thumbnail(str(path), width, height=height, size="force")
        data: bytes = image.jpegsave_buffer(Q=quality, optimize_coding=False,
                                            subsample_mode="on", keep="none")
    except pyvips.Error as exc:
        raise ProcessingError("a page image could not be made") from exc
    return data


def placement(job: VariantJob, i: int) -> Placement:
    options = job.options
    stored = job.stored_sizes[i]
    page_w, page_h = page_points(stored, options, job.base_dpi)
    if options.page_width is None:
        return Placement(page_w, page_h, 0, 0, page_w, page_h)  # the image fills the page
    # the page as the source shows it, centred on a page of the asked size
    scale = min(page_w / stored[0], page_h / stored[1])
    width, height = stored[0] * scale, stored[1] * scale
    return Placement(page_w, page_h, (page_w - width) / 2, (page_h - height) / 2, width, height)


def page_texts(ocr_json: bytes) -> list[PageText]:
    """The word model back from the stored OCR JSON, lines and all."""
    pages = []
    for page in orjson.loads(ocr_json)["pages"]:
        boxes = page["bboxes"]
        lines = _line_numbers(page.get("fulltext", ""), len(boxes))
        words = [Word(b["text"], b["x1"], b["y1"], b["x2"], b["y2"], b["text_entropy"], line)
                 for b, line in zip(boxes, lines, strict=True)]
        pages.append(PageText(page["width"], page["height"], words))
    return pages


def _line_numbers(fulltext: str, count: int) -> list[int]:
    # the fulltext is the words in order, one line per line, joined by spaces:
    # the line a word is on (and so the font size of the line) comes back from it
    numbers = [n for n, line in enumerate(fulltext.split("\n")) if line
               for _ in line.split(" ")]
    return numbers if len(numbers) == count else list(range(count))  # each word its own


def sub_document_pages(splitting_json: bytes, index: int) -> tuple[int, ...]:
    """The 1-based page numbers of sub-document `index`, from the stored splitting result."""
    subs = orjson.loads(splitting_json)["sub_documents"]
    return tuple(int(n) for n in subs[index]["pages"])
