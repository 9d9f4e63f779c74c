"""GET /processing/results/{id} and every sub-result: thin handlers over the store."""

from __future__ import annotations

import asyncio
from typing import Any

import orjson
from starlette.requests import Request
from starlette.responses import Response

from service.artifacts.catalogue import (
    FULL_BODY,
    KINDS,
    file_of,
    full_body,
    url_value,
)
from service.artifacts.record import Record
from service.errors import NotFound
from service.images.scaler import ScaleParams
from service.pipeline import workflows
from service.web.checks import (
    DEFAULT_WAIT,
    include_param,
    processing,
    ready,
    require_finished,
    scale_params,
    services,
    wait_param,
)
from service.web.conditional import bytes_response, image_answer, stored_response
from service.web.file_answer import FileAnswer
from service.web.planner.params import int_param
from service.web.routes import pdfs
from service.wire.etags import etag_for
from service.wire.media import JSON


def workflow_name(record: Record) -> str:
    workflow = workflows.get(record.workflow)
    return workflow.name if workflow else record.workflow


async def result(request: Request) -> Response | FileAnswer:
    errors: list[dict[str, Any]] = []
    include = include_param(request, errors)
    wait_for = wait_param(request, errors, default=DEFAULT_WAIT)
    record = await processing(request, errors)
    return await answer_full(request, record, include, wait_for)


async def answer_full(
    request: Request, record: Record, include: tuple[str, ...] | None, wait_for: int,
    done_status: int = 200,
) -> Response | FileAnswer:
    svc = services(request)
    record = await svc.records.wait_done(record, wait_for)
    pending = require_finished(record)
    if pending is not None:
        return pending
    store = svc.store
    if include is None and done_status == 200:
        return await stored_response(request, store, record.processing_id, FULL_BODY,
                                     media_type=JSON, compressed=True,
                                     etag=etag_for(record.version, "result"))
    body = await asyncio.to_thread(full_body, store, record, workflow_name(record), include)
    tag = etag_for(record.version, "result", *(include or ("all",)))
    response = bytes_response(request, orjson.dumps(body), media_type=JSON, etag=tag)
    response.status_code = done_status
    return response


def single_file(name: str) -> Any:
    kind = KINDS[name]
    filename = file_of(name)

    async def endpoint(request: Request) -> Response | FileAnswer:
        record = await processing(request, [])
        pending = ready(record, name)
        if pending is not None:
            return pending
        return await stored_response(request, services(request).store,
                                     record.processing_id, filename,
                                     media_type=kind.media_type, compressed=kind.compressed,
                                     etag=etag_for(record.version, name))

    endpoint.__name__ = name.replace("-", "_")
    return endpoint


def listing(name: str, wrap: str | None) -> Any:
    async def endpoint(request: Request) -> Response | FileAnswer:
        record = await processing(request, [])
        pending = ready(record, name)
        if pending is not None:
            return pending
        value = url_value(record, name)
        body = orjson.dumps({wrap: value} if wrap else value)
        return bytes_response(request, body, media_type=JSON,
                              etag=etag_for(record.version, name))

    endpoint.__name__ = name.replace("-", "_") + "_list"
    return endpoint


async def page_image(request: Request) -> Response | FileAnswer:
    errors: list[dict[str, Any]] = []
    page_num = int_param(request.path_params["page_num"], ("path", "page_num"), errors,
                         minimum=1)
    params = scale_params(request, errors)
    record = await processing(request, errors)
    pending = ready(record, "page-images")
    if pending is not None:
        return pending
    assert page_num is not None
    if page_num > len(record.pages):
        raise NotFound(f"No page {page_num}; this document has {len(record.pages)} pages.")
    return await image(request, record, page_num, params)


async def thumbnail(request: Request) -> Response | FileAnswer:
    """Page 1 inside the FOLIO_THUMBNAIL_SIZE box, scaled on request like any page image."""
    errors: list[dict[str, Any]] = []
    params = scale_params(request, errors)
    record = await processing(request, errors)
    pending = ready(record, "thumbnail")
    if pending is not None:
        return pending
    if not record.pages:
        raise NotFound("This processing has no pages.")
    return await image(request, record, None, params)


async def image(request: Request, record: Record, page_num: int | None,
                params: ScaleParams) -> Response | FileAnswer:
    scaler = services(request).scaler
    return await image_answer(request, scaler, record, scaler.resolve(record, page_num, params))


handlers = {
    "result": result,
    **{name: single_file(name) for name in ("ocr", "hocr", "extractions", "language", "ner",
                                            "document-splitting")},
    "pdf": pdfs.pdf,
    "thumbnail": thumbnail,
    "page-images": listing("page-images", "pages"),
    "page-image": page_image,
    "sub-pdfs": listing("sub-pdfs", None),
    "sub-pdf": pdfs.sub_pdf,
}
