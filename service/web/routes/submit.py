"""POST /processing/{workflow}: stream the upload to disk, queue it, long-poll the result."""

from __future__ import annotations

import asyncio
import contextlib
import shutil
from pathlib import Path
from typing import Any

from starlette.datastructures import UploadFile
from starlette.requests import Request
from starlette.responses import Response
from starlette.types import Message

from service.artifacts.store import FileStore
from service.errors import (
    NotFound,
    ProcessingError,
    QueueUnavailable,
    StateUnavailable,
    StoreUnavailable,
    TooLarge,
    TooMany,
    ValidationFailed,
    invalid,
)
from service.pipeline import workflows
from service.pipeline.detect import check_limits, detect
from service.pipeline.run import SOURCE
from service.web.checks import (
    DEFAULT_WAIT,
    include_param,
    require_finished,
    services,
    tenant_of,
    wait_param,
)
from service.web.file_answer import FileAnswer
from service.web.multipart import read_upload
from service.web.parameters import parse_parameters
from service.web.routes.results import answer_full

FIELDS = frozenset({"parameters"})  # text fields read; the API ignores any others
PARAMETERS_MAX_BYTES = 1024 * 1024  # Starlette's own limit for a text part


class UploadTooLarge(Exception):
    pass


def limited(request: Request, limit: int) -> Request:
    """The same request, whose body stops with UploadTooLarge past `limit` bytes."""
    received = 0
    receive = request.receive

    async def counting() -> Message:
        nonlocal received
        message = await receive()
        if message["type"] == "http.request":
            received += len(message.get("body", b""))
            if received > limit:
                raise UploadTooLarge()
        return message

    return Request(request.scope, counting)


def inspect(path: Path, max_pages: int, max_megapixels: float, dpi: int,
            max_decompressed_bytes: int) -> str:
    kind = detect(path)
    check_limits(path, kind, max_pages, max_megapixels, dpi, max_decompressed_bytes)
    return kind


async def submit(request: Request) -> Response | FileAnswer:
    svc = services(request)
    settings = svc.settings
    tenant = await tenant_of(request)
    errors: list[dict[str, Any]] = []
    include = include_param(request, errors)
    wait_for = wait_param(request, errors, default=DEFAULT_WAIT)
    workflow = workflows.get(request.path_params["workflow"])
    if workflow is None:
        raise NotFound("No such workflow.")
    declared = request.headers.get("content-length")
    if declared and declared.isdigit() and int(declared) > settings.upload_max_bytes + 64_000:
        raise TooMany(f"The upload is larger than {settings.upload_max_bytes} bytes.")
    try:
        form = await read_upload(limited(request, settings.upload_max_bytes + 64_000),
                                 FIELDS, max_part_size=PARAMETERS_MAX_BYTES,
                                 max_header_size=settings.upload_max_header_bytes)
    except UploadTooLarge:
        raise TooMany(f"The upload is larger than {settings.upload_max_bytes} bytes.") from None
    except ValidationFailed as exc:
        raise ValidationFailed([*errors, *exc.detail]) from None
    try:
        upload = form.get("file")
        if not isinstance(upload, UploadFile):
            errors.append(invalid(("body", "file"), "Field required", "missing"))
        parameters = parse_parameters(form.get("parameters"), errors,
                                      settings.default_language, settings.parameters_max_bytes)
        if errors:
            raise ValidationFailed(errors)
        assert isinstance(upload, UploadFile)
        record = await asyncio.to_thread(svc.store.create, tenant, workflow.workflow_id,
                                         parameters=parameters)
        target = svc.store.artifact_path(record.processing_id, SOURCE)
        try:
            await asyncio.to_thread(_save, upload, target, settings.upload_max_bytes)
            await asyncio.to_thread(inspect, target, settings.max_pages,
                                    settings.max_megapixels, settings.dpi,
                                    settings.max_decompressed_bytes)
            await svc.store.publish(record.processing_id, SOURCE)
        except (UploadTooLarge, TooLarge, ProcessingError, StoreUnavailable) as exc:
            await asyncio.to_thread(shutil.rmtree, svc.store.directory(record.processing_id),
                                    True)
            await asyncio.to_thread(_drop_record, svc.store, record.processing_id)
            # the original's local copy, when the store is not the data directory
            await asyncio.to_thread(shutil.rmtree, target.parent, True)
            if isinstance(exc, StoreUnavailable):
                raise  # 503: nothing of the upload is kept, the client sends it again
            if isinstance(exc, UploadTooLarge):
                raise TooMany(f"The upload is larger than {settings.upload_max_bytes} bytes."
                              ) from None
            if isinstance(exc, TooLarge):
                raise  # 429 with the limit in the detail
            raise ValidationFailed([invalid(("body", "file"), exc.detail, "value_error")]
                                   ) from None
    finally:
        await form.close()
    try:
        await svc.queue.submit(record.processing_id)
    except (QueueUnavailable, StateUnavailable):
        # the client hears 503 and sends again: keep no record it will never ask about
        await asyncio.to_thread(shutil.rmtree, svc.store.directory(record.processing_id), True)
        await asyncio.to_thread(_drop_record, svc.store, record.processing_id)
        await svc.store.unpublish(record.processing_id)
        raise
    record = await svc.records.wait_done(record, wait_for)
    if not record.done:
        pending = require_finished(record)
        assert pending is not None
        return pending
    return await answer_full(request, record, include, 0, done_status=201)


def _drop_record(store: FileStore, processing_id: str) -> None:
    """The record of an upload refused after it was made (a database record outlives
    the directory); a database gone meanwhile leaves a pending record nobody asks for."""
    with contextlib.suppress(StateUnavailable):
        store.records.delete(processing_id)


def _save(upload: UploadFile, target: Path, limit: int) -> None:
    target.parent.mkdir(parents=True, exist_ok=True)
    upload.file.seek(0)
    written = 0
    with open(target, "wb") as out:
        while chunk := upload.file.read(1024 * 1024):
            written += len(chunk)
            if written > limit:
                raise UploadTooLarge()
            out.write(chunk)


handlers = {"submit": submit}
