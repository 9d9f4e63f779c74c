"""GET …/pdf and …/sub-pdfs/{index}: the stored file, or a variant made to the options.

The order is the algorithm:
  1. validate the options (422 naming the parameter), authenticate, find the record;
  2. no options (or only the stored dpi): the stored file exactly as before;
  3. the pixel limit, from the record's page sizes (nothing rendered);
  4. ETag from (version, what, options) → 304 with no render, no cache read;
  5. the memory tier, then Redis, then one render per key (coalesced in and
     across processes, like page images), in a small pool of its own so that a
     long PDF never holds the page-image renders up; a full backlog is 503;
  6. the bytes, with single byte ranges (206/416) as the stored file has them.
"""

from __future__ import annotations

import asyncio
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

from starlette.requests import Request
from starlette.responses import Response

from service.artifacts.catalogue import file_of, page_file, sub_pdf_file
from service.artifacts.record import Record
from service.config import Settings
from service.errors import ApiError, Busy, NotFound, ProcessingError, ValidationFailed
from service.pipeline.detect import detect
from service.pipeline.pdf_options import PdfOptions, parse_pdf_options, too_large
from service.pipeline.pdf_variant import (
    VariantJob,
    build_pdf_variant,
    page_texts,
    sub_document_pages,
)
from service.pipeline.run import SOURCE
from service.pipeline.words import PageText
from service.web.checks import processing, ready, services
from service.web.conditional import conditions, stored_response, validator_headers
from service.web.file_answer import FileAnswer
from service.web.planner import preconditions
from service.web.planner.exchange import exchange_of
from service.web.planner.params import int_param
from service.wire.etags import etag_for
from service.wire.media import NO_STORE, PDF

OCR_FILE = file_of("ocr")
SPLITTING_FILE = file_of("document-splitting")


class PdfRenders:
    """The pool and backlog of PDF variant renders in this process."""

    def __init__(self, settings: Settings) -> None:
        self.pool = ThreadPoolExecutor(settings.pdf_render_threads,
                                       thread_name_prefix="pdf-render")
        self.backlog = 0
        self.limit = settings.pdf_render_backlog

    async def run(self, job: VariantJob) -> bytes:
        if self.backlog >= self.limit:
            raise Busy(headers={"retry-after": "5"})
        self.backlog += 1
        try:
            loop = asyncio.get_running_loop()
            return await loop.run_in_executor(self.pool, build_pdf_variant, job)
        except ProcessingError as exc:
            raise ApiError(f"The PDF could not be made: {exc.detail}.") from None
        finally:
            self.backlog -= 1


def renders(request: Request) -> PdfRenders:
    state = request.app.state
    if getattr(state, "pdf_renders", None) is None:
        state.pdf_renders = PdfRenders(services(request).settings)
    found: PdfRenders = state.pdf_renders
    return found


async def pdf(request: Request) -> Response | FileAnswer:
    errors: list[dict[str, Any]] = []
    options = parse_pdf_options(request.query_params, errors)
    record = await processing(request, errors)
    pending = ready(record, "pdf")
    if pending is not None:
        return pending
    svc = services(request)
    if options.is_default(svc.settings.dpi):
        return await stored_response(request, svc.store, record.processing_id,
                                     file_of("pdf"), media_type=PDF,
                                     etag=etag_for(record.version, "pdf"))
    numbers = tuple(range(1, len(record.pages) + 1))
    return await variant(request, record, numbers, options, "pdf", None)


async def sub_pdf(request: Request) -> Response | FileAnswer:
    errors: list[dict[str, Any]] = []
    index = int_param(request.path_params["index"], ("path", "index"), errors, minimum=0)
    options = parse_pdf_options(request.query_params, errors)
    record = await processing(request, errors)
    pending = ready(record, "sub-pdfs")
    if pending is not None:
        return pending
    assert index is not None
    if index >= len(record.sub_pdfs):
        raise NotFound(f"No sub-PDF {index}; this processing has {len(record.sub_pdfs)}.")
    svc = services(request)
    filename = record.sub_pdfs[index]
    if options.is_default(svc.settings.dpi):
        return await stored_response(request, svc.store, record.processing_id,
                                     sub_pdf_file(index), media_type=PDF, filename=filename,
                                     etag=etag_for(record.version, "sub-pdf", index))
    splitting = await svc.store.fetch(record.processing_id, SPLITTING_FILE)
    numbers = await asyncio.to_thread(_sub_pages, splitting, index)
    return await variant(request, record, numbers, options, f"sub-pdf-{index}", filename)


def _sub_pages(splitting: Path, index: int) -> tuple[int, ...]:
    try:
        return sub_document_pages(splitting.read_bytes(), index)
    except (OSError, ValueError, KeyError, IndexError):
        raise ApiError("The document splitting result could not be read.") from None


async def variant(request: Request, record: Record, numbers: tuple[int, ...],
                  options: PdfOptions, what: str, filename: str | None) -> Response:
    svc = services(request)
    settings = svc.settings
    errors: list[dict[str, Any]] = []
    too_large([record.pages[n - 1] for n in numbers], options, settings.dpi,
              settings.max_megapixels, errors)
    if errors:
        raise ValidationFailed(errors)
    etag = etag_for(record.version, what, options.name())
    early = conditions(request, etag)
    if early is not None:
        return early
    key = f"pdf:{record.processing_id}:{record.version}:{what}:{options.name()}"

    async def compute() -> bytes:
        job = await asyncio.to_thread(_job, svc.store, settings, record, numbers, options)
        return await renders(request).run(job)

    body, outcome = await svc.scaler.flight.get_or_compute(key, compute,
                                                           ttl=settings.redis_cache_ttl)
    headers = {**validator_headers(etag), "x-cache": outcome}
    if filename is not None:
        headers["content-disposition"] = f'attachment; filename="{filename}"'
    return ranged(request, body, headers)


def _job(store: Any, settings: Settings, record: Record, numbers: tuple[int, ...],
         options: PdfOptions) -> VariantJob:
    texts: list[PageText | None] = [None] * len(record.pages)
    if "ocr" in record.results:
        try:
            texts = list(page_texts(store.artifact(record.processing_id, OCR_FILE)
                                    .read_bytes()))
        except (OSError, ValueError, KeyError):
            raise ApiError("The OCR result could not be read.") from None
    source = store.artifact(record.processing_id, SOURCE)
    return VariantJob(
        source=source,
        kind=record.source_kind or detect(source),  # records written before source_kind
        page_numbers=numbers,
        stored_jpgs=tuple(store.artifact(record.processing_id, page_file(n)) for n in numbers),
        stored_sizes=tuple(record.pages[n - 1] for n in numbers),
        texts=tuple(texts[n - 1] if n - 1 < len(texts) else None for n in numbers),
        options=options,
        base_dpi=settings.dpi,
        base_quality=settings.jpeg_quality,
        max_megapixels=settings.max_megapixels,
        created=record.completed_at or record.created_at,
    )


def ranged(request: Request, body: bytes, headers: dict[str, str]) -> Response:
    """The body, or one byte range of it (206, or 416 when it is past the end).

    A list of ranges or a malformed header gets the whole body (200), as RFC 9110
    14.2 allows; If-Range naming another representation does too.
    """
    headers = {**headers, "accept-ranges": "bytes"}
    facts = exchange_of(request.scope).facts
    if facts.range is None or not preconditions.range_applies(facts, headers["etag"], None):
        return Response(body, media_type=PDF, headers=headers)
    spans = preconditions.byte_ranges(facts.range, len(body))
    if spans == []:
        # an error about this request, not the variant: nothing for a cache to keep
        return Response(status_code=416, headers={
            "content-range": f"bytes */{len(body)}", "cache-control": NO_STORE})
    if spans is None or len(spans) > 1:
        return Response(body, media_type=PDF, headers=headers)
    start, end = spans[0]
    return Response(body[start:end], status_code=206, media_type=PDF, headers={
        **headers, "content-range": f"bytes {start}-{end - 1}/{len(body)}"})
