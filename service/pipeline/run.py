"""Runs one processing: shared steps, the workflow's output steps, then the store.

Everything is written to a scratch directory first and moved into the store
only when every step has succeeded; the record turns succeeded last. A retry
after a crash starts from a fresh scratch directory, so nothing half-written
is ever visible or tripped over.
"""

from __future__ import annotations

import logging
import re
import secrets
import shutil
from pathlib import Path

from service import workflows
from service.config import Settings
from service.pipeline import steps
from service.pipeline.detect import check_limits, detect
from service.pipeline.document import Artifacts, Document
from service.pipeline.errors import ProcessingError
from service.pipeline.invoice.einvoice import stage as stage_einvoice
from service.pipeline.language import detect_language
from service.pipeline.pages import PageJob, parts, process_pages
from service.pipeline.xmlpages import render_xml
from service.results import COMPRESSED, write_full_body
from service.store import SUCCEEDED, FileStore

log = logging.getLogger("folio.pipeline")

SOURCE = "source"
RESULT_OF_FILE = {
    "ocr.json": "ocr", "hocr.html": "hocr", "extractions.json": "extractions",
    "language.json": "language", "thumbnail.jpg": "thumbnail",
    "document-splitting.json": "document-splitting", "searchable.pdf": "pdf",
}
SUB_PDF = re.compile(r"sub-pdfs/(\d+)\.pdf")


def prepare(store: FileStore, settings: Settings, processing_id: str, scratch: Path,
            language: str, searchable: bool = False) -> Document:
    source = store.artifact(processing_id, SOURCE)
    kind = detect(source)
    stage_einvoice(source, kind, scratch, settings.einvoice_max_bytes)
    pages_from, pages_kind = source, kind
    if kind == "xml":
        # a bare e-invoice has no pages of its own: they are drawn from its content
        with source.open("rb") as f:
            data = f.read(settings.einvoice_max_bytes)
        pages_from, pages_kind = render_xml(data, scratch / "drawn.pdf",
                                            settings.einvoice_max_bytes), "pdf"
    count = check_limits(pages_from, pages_kind, settings.max_pages, settings.max_megapixels,
                         settings.dpi)
    job = PageJob(source=pages_from, kind=pages_kind, out_dir=scratch / "pages",
                  dpi=settings.dpi,
                  quality=settings.jpeg_quality, max_megapixels=settings.max_megapixels,
                  language=language, tesseract_timeout=settings.tesseract_timeout,
                  searchable=searchable)
    job.out_dir.mkdir(parents=True, exist_ok=True)
    sizes, texts = process_pages(job, count, settings.page_workers)
    pages = [job.out_dir / f"{n}.jpg" for n in range(1, len(sizes) + 1)]
    fulltext = "\n".join(t.fulltext() for t in texts)
    return Document(source=source, kind=kind, dpi=settings.dpi, pages=tuple(pages),
                    sizes=tuple(sizes), texts=tuple(texts),
                    language=detect_language(fulltext, default=language), scratch=scratch,
                    pdf_parts=tuple(parts(job)) if searchable else ())


def process(store: FileStore, settings: Settings, processing_id: str) -> None:
    """Run the processing to its end: succeeded, or failed with a human detail."""
    record = store.load(processing_id)
    if record is None or record.status == SUCCEEDED:
        return  # submitted twice or already finished by another worker
    workflow = workflows.get(record.workflow)
    record = store.mark_running(processing_id)
    scratch = store.directory(processing_id) / f".scratch-{secrets.token_hex(4)}"
    scratch.mkdir(parents=True)
    try:
        if workflow is None:
            raise ProcessingError(f"the workflow {record.workflow!r} is not installed here")
        language = str(record.parameters.get("language", settings.default_language))
        doc = prepare(store, settings, processing_id, scratch, language,
                      searchable=steps.searchable in workflow.steps)
        artifacts: Artifacts = {}
        for step in workflow.steps:
            artifacts.update(step(doc))
        for number, page in enumerate(doc.pages, 1):
            store.put_file(processing_id, f"pages/{number}.jpg", page)
        sub_pdfs: list[tuple[int, str]] = []
        for name, value in artifacts.items():
            if isinstance(value, Path):
                store.put_file(processing_id, name, value)
                if name in COMPRESSED:
                    store.write_artifact(processing_id, name,
                                         store.artifact(processing_id, name).read_bytes(),
                                         compress=True)
            else:
                store.write_artifact(processing_id, name, value, compress=name in COMPRESSED)
            match = SUB_PDF.fullmatch(name)
            if match:
                sub_pdfs.append((int(match.group(1)), f"sub_document_{match.group(1)}.pdf"))
        results = [RESULT_OF_FILE[n] for n in artifacts if n in RESULT_OF_FILE]
        results.append("page-images")
        if sub_pdfs:
            results.append("sub-pdfs")
        ordered = [r for r in workflow.results if r in results]
        ordered += [r for r in results if r not in ordered]
        # the full body needs the final record; write it, then flip the status last
        record.pages = list(doc.sizes)
        record.results = ordered
        record.sub_pdfs = [name for _, name in sorted(sub_pdfs)]
        write_full_body(store, record, workflow.name)
        store.succeed(processing_id, pages=doc.sizes, results=ordered,
                      sub_pdfs=record.sub_pdfs, source_kind=doc.kind)
    except ProcessingError as exc:
        log.info("processing %s failed: %s", processing_id, exc.detail)
        store.fail(processing_id, exc.detail)
    except Exception:
        log.exception("processing %s crashed", processing_id)
        store.fail(processing_id, "folio could not process this document (internal error)")
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
