"""Runs one processing: shared steps, the workflow's output steps, then the store.

Everything is written to a scratch directory first and moved into the store
only when every step has succeeded; the record turns succeeded last. Every
attempt starts by removing the scratch directories earlier attempts left
behind (a worker killed mid-job leaves its own), so nothing half-written is
ever visible, tripped over or kept. A page process that dies mid-job (killed,
out of memory, a decoder crash) costs one attempt, not the processing: the job
runs again, up to MAX_ATTEMPTS attempts in all.
"""

from __future__ import annotations

import logging
import secrets
import shutil
from pathlib import Path

from service.artifacts.catalogue import (
    compressed,
    page_file,
    produced,
    sub_pdf_index,
    sub_pdf_name,
    write_full_body,
)
from service.artifacts.packed import Packed
from service.artifacts.record import Record
from service.artifacts.store import FileStore, sync_files
from service.config import Settings
from service.errors import ProcessingError, StateUnavailable, StoreUnavailable, WorkerLost
from service.pipeline import steps, workflows
from service.pipeline.detect import check_limits, detect
from service.pipeline.document import Artifacts, Document
from service.pipeline.invoice.einvoice import stage as stage_einvoice
from service.pipeline.language import detect_language
from service.pipeline.pages import PageJob, parts, process_pages
from service.pipeline.xmlpages import render_xml

log = logging.getLogger("folio.pipeline")

SOURCE = "source"
SCRATCH = ".scratch-"
MAX_ATTEMPTS = 3  # a processing's attempts in all, whoever starts them
# seconds an object store that does not answer is tried again before the job fails
STORE_PATIENCE = 60.0


def clear_scratch(store: FileStore, processing_id: str) -> None:
    """Remove what earlier attempts of this processing left in their scratch space."""
    store.discard(processing_id)
    work = store.work_directory(processing_id)
    for leftover in work.glob(SCRATCH + "*"):
        shutil.rmtree(leftover, ignore_errors=True)
    for staged in work.glob(".*.staged"):  # a killed worker's uploads never made
        staged.unlink(missing_ok=True)


def prepare(store: FileStore, settings: Settings, processing_id: str, scratch: Path,
            language: str, searchable: bool = False, text_outputs: bool = False) -> Document:
    source = store.artifact(processing_id, SOURCE, patience=STORE_PATIENCE)
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
                         settings.dpi, settings.max_decompressed_bytes)
    job = PageJob(source=pages_from, kind=pages_kind, out_dir=scratch / "pages",
                  dpi=settings.dpi,
                  quality=settings.jpeg_quality, max_megapixels=settings.max_megapixels,
                  language=language, tesseract_timeout=settings.tesseract_timeout,
                  ocr_readings=settings.ocr_readings,
                  ocr_script_check=settings.ocr_script_check,
                  searchable=searchable, text_outputs=text_outputs)
    job.out_dir.mkdir(parents=True, exist_ok=True)
    sizes, texts, outputs = process_pages(job, count, settings.page_workers)
    pages = [job.out_dir / f"{n}.jpg" for n in range(1, len(sizes) + 1)]
    fulltext = "\n".join(
        [text for run in outputs for text in run.fulltexts] if outputs
        else [t.fulltext() for t in texts])
    return Document(source=source, kind=kind, dpi=settings.dpi, pages=tuple(pages),
                    sizes=tuple(sizes), texts=tuple(texts),
                    language=detect_language(fulltext, default=language), scratch=scratch,
                    pdf_parts=tuple(parts(job)) if searchable else (),
                    page_outputs=tuple(outputs),
                    barcode_pages=settings.barcode_pages if settings.barcodes else 0)


def process(store: FileStore, settings: Settings, processing_id: str) -> None:
    """Run the processing to its end: succeeded, or failed with a human detail."""
    # the queue delivers at least once: one job at a time runs a processing
    with store.running(processing_id) as mine:
        if not mine:
            log.info("processing %s is being run by another job", processing_id)
            return
        record = store.load(processing_id)
        if record is None or record.done:
            return  # submitted twice, already finished by another worker, or timed out
        try:
            _attempts(store, settings, processing_id)
        finally:
            # everything is in the object store by now: a worker serves no reads, so
            # it keeps no copies (of personal data a deletion would never reach)
            store.drop_copies(processing_id)


def _attempts(store: FileStore, settings: Settings, processing_id: str) -> None:
    while True:
        record = store.mark_running(processing_id)
        clear_scratch(store, processing_id)
        try:
            _attempt(store, settings, record)
            return
        except WorkerLost as exc:
            if record.attempts >= MAX_ATTEMPTS:
                clear_scratch(store, processing_id)
                store.fail(processing_id, f"{exc.detail} {record.attempts} times; giving up")
                return
            log.warning("processing %s: %s; trying again", processing_id, exc.detail)


def _attempt(store: FileStore, settings: Settings, record: Record) -> None:
    processing_id = record.processing_id
    workflow = workflows.get(record.workflow)
    scratch = store.work_directory(processing_id) / f"{SCRATCH}{secrets.token_hex(4)}"
    scratch.mkdir(parents=True)
    try:
        if workflow is None:
            raise ProcessingError(f"the workflow {record.workflow!r} is not installed here")
        language = str(record.parameters.get("language", settings.default_language))
        doc = prepare(store, settings, processing_id, scratch, language,
                      searchable=steps.searchable in workflow.steps,
                      text_outputs=steps.ocr_outputs in workflow.steps)
        artifacts: Artifacts = {}
        for step in workflow.steps:
            artifacts.update(step(doc))
        artifacts.update(steps.ner(doc, artifacts))  # every workflow with extractions
        for number, page in enumerate(doc.pages, 1):
            store.put_file(processing_id, page_file(number), page)
        sub_pdfs: list[int] = []
        packed: dict[str, Packed] = {}
        # written without a sync each, then synced together before the record turns done
        unsynced: list[Path] = []
        for name, value in artifacts.items():
            if isinstance(value, Packed):
                packed[name] = value
                store.write_artifact(processing_id, name, value, compress=compressed(name),
                                     unsynced=unsynced)
            elif isinstance(value, Path) and compressed(name):
                store.write_artifact(processing_id, name, value.read_bytes(), compress=True,
                                     unsynced=unsynced)
            elif isinstance(value, Path):
                store.put_file(processing_id, name, value)
            else:
                store.write_artifact(processing_id, name, value, compress=compressed(name),
                                     unsynced=unsynced)
            index = sub_pdf_index(name)
            if index is not None:
                sub_pdfs.append(index)
        ordered = produced(list(artifacts), len(doc.pages), workflow.results)
        # the full body needs the final record; write it, then flip the status last
        record.pages = list(doc.sizes)
        record.results = ordered
        record.sub_pdfs = [sub_pdf_name(i) for i in sorted(sub_pdfs)]
        write_full_body(store, record, workflow.name, packed, unsynced)
        store.flush(processing_id, patience=STORE_PATIENCE)  # into a remote object store
        sync_files(unsynced)
        # gone before the record turns done, so that done means nothing left behind
        shutil.rmtree(scratch, ignore_errors=True)
        store.succeed(processing_id, pages=doc.sizes, results=ordered,
                      sub_pdfs=record.sub_pdfs, source_kind=doc.kind)
    except (WorkerLost, StateUnavailable, StoreUnavailable):
        # the database or the object store away (past STORE_PATIENCE) is not the
        # document's fault either: the job stays marked and is queued again, rather
        # than failed for good as an internal error
        raise
    except ProcessingError as exc:
        log.info("processing %s failed: %s", processing_id, exc.detail)
        shutil.rmtree(scratch, ignore_errors=True)
        store.fail(processing_id, exc.detail)
    except Exception:
        log.exception("processing %s crashed", processing_id)
        shutil.rmtree(scratch, ignore_errors=True)
        store.fail(processing_id, "folio could not process this document (internal error)")
    finally:
        store.discard(processing_id)
        shutil.rmtree(scratch, ignore_errors=True)
