"""GET /processing/results/{id} and every sub-result: thin handlers over the store."""

from __future__ import annotations

import asyncio
from typing import Any

import orjson
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from service.artifacts.catalogue import (
    COMPRESSED,
    FULL_BODY,
    KINDS,
    RESULT_NAMES,
    full_body,
    sub_pdf_file,
    url_value,
)
from service.artifacts.record import Record
from service.errors import NotFound, invalid
from service.images.scaler import scaler_of
from service.jobs import workflows
from service.web.checks import int_param, processing, ready, require_finished, services
from service.web.conditional import JSON, bytes_response, etag_for, file_response

MAX_WAIT = 180


def include_param(request: Request, errors: list[dict[str, Any]]) -> tuple[str, ...] | None:
    raw = request.query_params.getlist("include")
    if not raw:
        return None
    names = [n.strip() for item in raw for n in item.split(",") if n.strip()]
    unknown = [n for n in names if n not in KINDS]
    if unknown:
        errors.append(invalid(("query", "include"),
                              f"Unknown result {unknown[0]!r}; expected one of "
                              + ", ".join(RESULT_NAMES), "enum"))
        return None
    return tuple(dict.fromkeys(names))


def wait_param(request: Request, errors: list[dict[str, Any]], default: int) -> int:
    value = int_param(request.query_params.get("wait_for"), ("query", "wait_for"), errors,
                      minimum=0, maximum=MAX_WAIT)
    return default if value is None else value


def workflow_name(record: Record) -> str:
    workflow = workflows.get(record.workflow)
    return workflow.name if workflow else record.workflow


async def result(request: Request) -> Response:
    errors: list[dict[str, Any]] = []
    include = include_param(request, errors)
    wait_for = wait_param(request, errors, default=0)
    record = await processing(request, errors)
    return await answer_full(request, record, include, wait_for)


async def answer_full(
    request: Request, record: Record, include: tuple[str, ...] | None, wait_for: int,
    done_status: int = 200,
) -> Response:
    svc = services(request)
    record = await svc.records.wait_done(record, wait_for)
    pending = require_finished(record)
    if pending is not None:
        return pending
    store = svc.store
    if include is None and done_status == 200:
        path = store.artifact(record.processing_id, FULL_BODY)
        return file_response(request, path, media_type=JSON, compressed=True,
                             etag=etag_for(record.version, "result"))
    body = await asyncio.to_thread(full_body, store, record, workflow_name(record), include)
    tag = etag_for(record.version, "result", *(include or ("all",)))
    response = bytes_response(request, orjson.dumps(body), media_type=JSON, etag=tag)
    response.status_code = done_status
    return response


def single_file(name: str) -> Any:
    kind = KINDS[name]
    assert kind.file is not None
    filename = kind.file

    async def endpoint(request: Request) -> Response:
        record = await processing(request, [])
        pending = ready(record, name)
        if pending is not None:
            return pending
        path = services(request).store.artifact(record.processing_id, filename)
        return file_response(request, path, media_type=kind.media_type,
                             compressed=filename in COMPRESSED,
                             etag=etag_for(record.version, name))

    endpoint.__name__ = name.replace("-", "_")
    return endpoint


def listing(name: str, wrap: str | None) -> Any:
    async def endpoint(request: Request) -> Response:
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


async def page_image(request: Request) -> Response:
    errors: list[dict[str, Any]] = []
    page_num = int_param(request.path_params["page_num"], ("path", "page_num"), errors,
                         minimum=1)
    scaler = scaler_of(request)
    params = scaler.parse(request, errors)
    record = await processing(request, errors)
    pending = ready(record, "page-images")
    if pending is not None:
        return pending
    assert page_num is not None
    if page_num > len(record.pages):
        raise NotFound(f"No page {page_num}; this document has {len(record.pages)} pages.")
    return await scaler.page(request, record, page_num, params)


async def thumbnail(request: Request) -> Response:
    return await scaler_of(request).thumbnail(request)


async def sub_pdf(request: Request) -> Response:
    errors: list[dict[str, Any]] = []
    index = int_param(request.path_params["index"], ("path", "index"), errors, minimum=0)
    record = await processing(request, errors)
    pending = ready(record, "sub-pdfs")
    if pending is not None:
        return pending
    assert index is not None
    if index >= len(record.sub_pdfs):
        raise NotFound(f"No sub-PDF {index}; this processing has {len(record.sub_pdfs)}.")
    path = services(request).store.artifact(record.processing_id, sub_pdf_file(index))
    return file_response(request, path, media_type="application/pdf",
                         filename=record.sub_pdfs[index],
                         etag=etag_for(record.version, "sub-pdf", index))


BASE = "/processing/results/{processing_id}"
routes = [
    Route(BASE, result, methods=["GET"]),
    Route(BASE + "/ocr", single_file("ocr"), methods=["GET"]),
    Route(BASE + "/hocr", single_file("hocr"), methods=["GET"]),
    Route(BASE + "/extractions", single_file("extractions"), methods=["GET"]),
    Route(BASE + "/language", single_file("language"), methods=["GET"]),
    Route(BASE + "/document-splitting", single_file("document-splitting"), methods=["GET"]),
    Route(BASE + "/pdf", single_file("pdf"), methods=["GET"]),
    Route(BASE + "/thumbnail", thumbnail, methods=["GET"]),
    Route(BASE + "/page-images", listing("page-images", "pages"), methods=["GET"]),
    Route(BASE + "/page-images/{page_num}", page_image, methods=["GET"]),
    Route(BASE + "/sub-pdfs", listing("sub-pdfs", None), methods=["GET"]),
    Route(BASE + "/sub-pdfs/{index}", sub_pdf, methods=["GET"]),
]
