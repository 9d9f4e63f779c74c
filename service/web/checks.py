"""The checks every results request passes, in the contract's order:
credentials (401) → rate limit (429) → validation (422) → existence (404) →
tenant (403). State (202/500) is checked by `require_finished`. The query
parameters (`include`, `wait_for`, image size) are parsed here too."""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

import orjson
from starlette.requests import Request
from starlette.responses import Response

from service.access.ratelimit import retry_after_header
from service.artifacts.catalogue import KINDS, RESULT_NAMES
from service.artifacts.record import FAILED, SUCCEEDED, CorruptRecord, Record
from service.artifacts.store import valid_id
from service.errors import (
    Failed,
    Forbidden,
    NotFound,
    TooMany,
    Unauthorized,
    ValidationFailed,
    invalid,
)
from service.images.imaging import FORMATS
from service.images.scaler import DEFAULT_FORMAT, ScaleParams
from service.jobs import workflows
from service.web.context import Services
from service.web.media import JSON, NO_STORE

NO_PROCESSING = "No processing with this id."
_INT = re.compile(r"[+-]?[0-9]{1,18}")
CORRUPT = "The processing's record is damaged and cannot be read."
MAX_WAIT = 180  # seconds a request may wait for a processing to finish


def services(request: Request) -> Services:
    svc: Services = request.app.state.services
    return svc


async def tenant_of(request: Request) -> str:
    known: str | None = request.scope.get("folio.tenant")
    if known is not None:
        return known  # the fast path authenticated and counted this request already
    svc = services(request)
    tenant = svc.keys.tenant_for(request.headers.get("authorization"))
    if tenant is None:
        raise Unauthorized()
    await rate_limit(svc, tenant)
    return tenant


async def rate_limit(svc: Services, tenant: str) -> None:
    """Count one request against the tenant's budget; 429 when it is spent."""
    wait = await svc.limiter.retry_after(tenant)
    if wait > 0:
        raise TooMany("Rate limit exceeded.", headers={"retry-after": retry_after_header(wait)})


def check_id(request: Request, errors: list[dict[str, Any]]) -> str:
    processing_id: str = request.path_params["processing_id"]
    if not valid_id(processing_id):
        errors.insert(0, invalid(("path", "processing_id"),
                                 "Input should be a valid UUID", "uuid_parsing"))
    return processing_id


async def processing(request: Request, errors: list[dict[str, Any]]) -> Record:
    """Authenticate, validate, find the record and check it belongs to the caller."""
    tenant = await tenant_of(request)
    processing_id = check_id(request, errors)
    if errors:
        raise ValidationFailed(errors)
    try:
        record = await services(request).records.get(processing_id)
    except CorruptRecord:
        raise Failed(CORRUPT) from None
    if record is None:
        raise NotFound(NO_PROCESSING)
    if record.tenant != tenant:
        raise Forbidden()
    return record


def accepted(processing_id: str) -> Response:
    body = {"processing_id": processing_id, "url": f"/processing/results/{processing_id}"}
    return Response(orjson.dumps(body), status_code=202, media_type=JSON,
                    headers={"cache-control": NO_STORE})


def require_finished(record: Record) -> Response | None:
    """202 while running, raises 500 with the reason when failed, None when done."""
    if record.status == SUCCEEDED:
        return None
    if record.status == FAILED:
        raise Failed(record.error or "The processing failed.")
    return accepted(record.processing_id)


def produced(record: Record, name: str) -> bool:
    if record.status == SUCCEEDED:
        return name in record.results
    workflow = workflows.get(record.workflow)
    return workflow is None or name in workflow.results


def ready(record: Record, name: str) -> Response | None:
    """404 when the workflow does not produce `name`; then the state check (202/500)."""
    if not produced(record, name):
        raise NotFound("This result is not available for this processing.")
    return require_finished(record)


def int_param(
    raw: str | None, loc: tuple[str, str], errors: list[dict[str, Any]], *,
    minimum: int, maximum: int | None = None,
) -> int | None:
    if raw is None:
        return None
    text = raw.strip()
    if not _INT.fullmatch(text):
        errors.append(invalid(loc, "Input should be a valid integer", "int_parsing"))
        return None
    value = int(text)
    if value < minimum:
        errors.append(invalid(loc, f"Input should be greater than or equal to {minimum}",
                              "greater_than_equal"))
        return None
    if maximum is not None and value > maximum:
        errors.append(invalid(loc, f"Input should be less than or equal to {maximum}",
                              "less_than_equal"))
        return None
    return value


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


def scale_params(request: Request, errors: list[dict[str, Any]]) -> ScaleParams:
    return scale_query(request.query_params, errors,
                       services(request).settings.image_max_dimension)


def scale_query(query: Mapping[str, str], errors: list[dict[str, Any]], limit: int
                ) -> ScaleParams:
    """width/height/format/quality of a page image or thumbnail."""
    width = int_param(query.get("width"), ("query", "width"), errors, minimum=1,
                      maximum=limit)
    height = int_param(query.get("height"), ("query", "height"), errors, minimum=1,
                       maximum=limit)
    quality = int_param(query.get("quality"), ("query", "quality"), errors, minimum=1,
                        maximum=100)
    fmt = query.get("format", DEFAULT_FORMAT).lower()
    if fmt == "jpg":
        fmt = "jpeg"
    if fmt not in FORMATS:
        errors.append({"loc": ["query", "format"],
                       "msg": "Input should be " + ", ".join(FORMATS),
                       "type": "enum"})
        fmt = DEFAULT_FORMAT
    return ScaleParams(width, height, fmt, quality)
