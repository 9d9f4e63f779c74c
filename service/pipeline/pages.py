"""The per-page half of processing, spread over processes: render, then read the text.

A page is rendered and read independently of the others, so the pages of one
document go to a small pool of processes (PDFium is not thread-safe, and
tesseract runs one thread per process); in-process (one page, or one page
worker) the PDFium calls take `pdfium_guard.PDFIUM` like every other caller.
Each task takes a run of pages, so a PDF is opened once per task, not once per
page.
"""

from __future__ import annotations

import os
import threading
import time
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass
from pathlib import Path

from service.errors import WorkerLost
from service.pipeline.page_outputs import RunOutputs, run_outputs
from service.pipeline.pdfium_guard import PDFIUM
from service.pipeline.rasterize import (
    image_pages,
    in_memory,
    normalise,
    page_path,
    rasterize,
    save_jpeg,
)
from service.pipeline.searchable_pdf import searchable_pdf
from service.pipeline.tesseract import file_dpi, ocr_image
from service.pipeline.textlayer import pdf_text_layers
from service.pipeline.words import PageText
from service.process_pool import StoppablePool

PARENT_CHECK = 1.0  # seconds
_pool: StoppablePool | None = None
_pool_size = 0


@dataclass(frozen=True, slots=True)
class PageJob:
    source: Path
    kind: str
    out_dir: Path
    dpi: int
    quality: int
    max_megapixels: float
    language: str
    tesseract_timeout: float
    ocr_readings: int = 2
    # doubtful words before a page is checked for Arabic script (ocr_script; 0 = never)
    ocr_script_check: int = 16
    # also write each run of pages as a searchable PDF part (<out_dir>/part-<first>.pdf)
    searchable: bool = False
    # also make each run of pages' share of the OCR JSON and hOCR (page_outputs)
    text_outputs: bool = False


def run_pages(job: PageJob, indices: list[int]) -> list[tuple[tuple[int, int], PageText]]:
    """Render and read the pages `indices` (0-based): their pixel sizes and words."""
    done = _pdf_pages(job, indices) if job.kind == "pdf" else _image_pages(job, indices)
    if job.searchable and indices:
        searchable_pdf([job.out_dir / f"{i + 1}.jpg" for i in indices],
                       [text for _, text in done], job.dpi, part_path(job, indices[0]))
    return done


def _pdf_pages(job: PageJob, indices: list[int]) -> list[tuple[tuple[int, int], PageText]]:
    sizes = rasterize(job.source, job.kind, job.out_dir, job.dpi, job.quality,
                      job.max_megapixels, indices)
    with PDFIUM:  # textlayer calls PDFium without the lock of its own
        layers = pdf_text_layers(job.source, sizes, indices)
    done = []
    for index, size, layer in zip(indices, sizes, layers, strict=True):
        # a rendered page is at job.dpi (its JPEG says 72)
        text = layer if layer is not None else ocr_image(
            page_path(job.out_dir, index + 1), job.language, timeout=job.tesseract_timeout,
            page=index + 1, readings=job.ocr_readings, dpi=job.dpi,
            script_check=job.ocr_script_check)
        done.append((size, text))
    return done


def _image_pages(job: PageJob, indices: list[int]) -> list[tuple[tuple[int, int], PageText]]:
    """Each page decoded once: its JPEG written and the decoded page read (not the
    JPEG: its compression noise cost tesseract ~7% more time), at the file's own
    resolution."""
    os.makedirs(job.out_dir, exist_ok=True)
    dpi = file_dpi(job.source)
    done = []
    for index, page in image_pages(job.source, job.kind, job.max_megapixels, indices):
        upright = in_memory(page)
        image = normalise(upright)
        save_jpeg(image, page_path(job.out_dir, index + 1), job.quality)
        # 8-bit gray or sRGB is read as it is (its gray is the stored page's, without
        # the round trip through sRGB: ~40 ms a page), anything else as stored
        read = upright if upright.format == "uchar" and upright.interpretation in (
            "b-w", "srgb") else normalise(upright)
        text = ocr_image(read, job.language, timeout=job.tesseract_timeout, page=index + 1,
                         readings=job.ocr_readings, dpi=dpi,
                         script_check=job.ocr_script_check)
        done.append(((image.width, image.height), text))
    return done


def run_chunk(job: PageJob, indices: list[int]
              ) -> tuple[list[tuple[int, int]], list[PageText], RunOutputs | None]:
    """`run_pages` of consecutive pages, and (with `job.text_outputs`) their outputs."""
    done = run_pages(job, indices)
    texts = [text for _, text in done]
    outputs = run_outputs(indices[0], texts) if job.text_outputs and indices else None
    return [size for size, _ in done], texts, outputs


def part_path(job: PageJob, first_index: int) -> Path:
    return job.out_dir / f"part-{first_index:06d}.pdf"


def parts(job: PageJob) -> list[Path]:
    """The searchable parts written for the document, in page order."""
    return sorted(job.out_dir.glob("part-*.pdf"))


def process_pages(job: PageJob, count: int, workers: int
                  ) -> tuple[list[tuple[int, int]], list[PageText], list[RunOutputs]]:
    """Every page of the document, in page order, using up to `workers` processes: the
    pages' pixel sizes, words and (with `job.text_outputs`) each run's outputs."""
    if workers <= 1 or count <= 1:
        results = [run_chunk(job, list(range(count)))]
    else:
        chunks = _chunks(count, workers * 2)
        pool = _shared_pool(workers)
        try:
            results = list(pool.map(run_chunk, [job] * len(chunks), chunks))
        except BrokenProcessPool:
            _reset_pool()
            raise WorkerLost("a page worker process stopped unexpectedly") from None
    return ([size for sizes, _, _ in results for size in sizes],
            [text for _, texts, _ in results for text in texts],
            [outputs for _, _, outputs in results if outputs is not None])


def warm(workers: int) -> None:
    """Start the page processes now, so the first document does not wait for them."""
    if workers > 1:
        list(_shared_pool(workers).map(_ready, range(workers)))


def _ready(_: int) -> None:
    """Run in each page process: importing this module loaded everything it needs."""


def _chunks(count: int, parts: int) -> list[list[int]]:
    parts = min(parts, count)
    bounds = [round(i * count / parts) for i in range(parts + 1)]
    return [list(range(bounds[i], bounds[i + 1])) for i in range(parts)]


def _shared_pool(workers: int) -> ProcessPoolExecutor:
    """One pool per job worker process, started at its first multi-page document."""
    global _pool, _pool_size
    if _pool is None or _pool_size != workers:
        _reset_pool()
        _pool = StoppablePool(workers, _follow_parent, (os.getpid(),))
        _pool_size = workers
    return _pool.executor


def page_process_ids() -> list[int]:
    """The page processes now running in this job worker (for tests that kill one)."""
    return [] if _pool is None else _pool.pids()


def shutdown() -> None:
    """Stop the page processes; a job worker calls this on its way out."""
    _reset_pool()


def _follow_parent(parent: int) -> None:
    """In each page process: exit as soon as the job worker that started it is gone."""

    def watch() -> None:
        while os.getppid() == parent:
            time.sleep(PARENT_CHECK)
        os._exit(0)

    threading.Thread(target=watch, name="follow-parent", daemon=True).start()


def _reset_pool() -> None:
    global _pool
    if _pool is not None:
        # terminated rather than asked: a process blocked on the call queue's lock
        # never sees the executor's shutdown sentinel, and interpreter exit would
        # then wait for it forever
        _pool.stop()
        _pool = None
