"""The checks every results request passes, in the contract's order:
credentials (401) → rate limit (429) → validation (422) → existence (404) →
tenant (403). State (202/500) is checked by `require_finished`."""

from __future__ import annotations

import re
from typing import Any

import orjson
from starlette.requests import Request
from starlette.responses import Response

from service.access.ratelimit import retry_after_header
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
from service.jobs import workflows
from service.web.context import Services

NO_PROCESSING = "No processing with this id."
_INT = re.compile(r"[+-]?[0-9]{1,18}")
CORRUPT = "The processing's record is damaged and cannot be read."


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
    wait = await svc.limiter.retry_after(tenant)
    if wait > 0:
        raise TooMany("Rate limit exceeded.", headers={"retry-after": retry_after_header(wait)})
    return tenant


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
    return Response(orjson.dumps(body), status_code=202, media_type="application/json",
                    headers={"cache-control": "no-store"})


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
