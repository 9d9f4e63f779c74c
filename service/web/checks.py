"""The checks every results request passes, in the contract's order:
credentials (401) → rate limit (429) → validation (422) → existence (404) →
tenant (403). State (202/500) is checked by `require_finished`. The query
parameters (`include`, `wait_for`, image size) are parsed here too.

A signed URL or a share token stands in for the credentials (`service.access.gate`
decides which applies, once per request); a signed URL is checked before
anything else and has no tenant to compare."""

from __future__ import annotations

from typing import Any

import orjson
from starlette.requests import Request
from starlette.responses import Response

from service.access.gate import Access
from service.artifacts.catalogue import KINDS, RESULT_NAMES
from service.artifacts.record import FAILED, SUCCEEDED, CorruptRecord, Record
from service.artifacts.store import valid_id
from service.errors import (
    Failed,
    Forbidden,
    NotFound,
    ValidationFailed,
    invalid,
)
from service.images.scaler import ScaleParams
from service.pipeline import workflows
from service.web.context import Services
from service.web.planner.exchange import exchange_of
from service.web.planner.params import int_param, scale_query
from service.wire.media import JSON, NO_STORE

NO_PROCESSING = "No processing with this id."
CORRUPT = "The processing's record is damaged and cannot be read."
MAX_WAIT = 180  # seconds a request may wait for a processing to finish
DEFAULT_WAIT = 120  # the published default of wait_for, on POST and on GET alike


def services(request: Request) -> Services:
    svc: Services = request.app.state.services
    return svc


async def tenant_of(request: Request) -> str:
    """The API key's tenant (rate limit taken): routes that only a key opens."""
    return await services(request).gate.keyed(exchange_of(request.scope).facts.authorization)


async def access_of(request: Request) -> Access:
    """How a results request got in; decided once (the planner may have done it)."""
    exchange = exchange_of(request.scope)
    if exchange.access is not None:
        return exchange.access
    facts = exchange.facts
    exchange.access = await services(request).gate.admit(
        facts.method, facts.path, facts.query.decode("latin-1"), facts.authorization,
        request.path_params["processing_id"])
    return exchange.access


def check_id(request: Request, errors: list[dict[str, Any]]) -> str:
    processing_id: str = request.path_params["processing_id"]
    if not valid_id(processing_id):
        errors.insert(0, invalid(("path", "processing_id"),
                                 "Input should be a valid UUID", "uuid_parsing"))
    return processing_id


async def processing(request: Request, errors: list[dict[str, Any]]) -> Record:
    """Authenticate, validate, find the record and check it belongs to the caller."""
    access = await access_of(request)
    processing_id = check_id(request, errors)
    if errors:
        raise ValidationFailed(errors)
    try:
        record = await services(request).records.get(processing_id)
    except CorruptRecord:
        raise Failed(CORRUPT) from None
    if record is None:
        raise NotFound(NO_PROCESSING)
    if access.tenant is not None and record.tenant != access.tenant:
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
    settings = services(request).settings
    params = scale_query(request.query_params, errors, settings.image_max_dimension,
                         settings.image_widths, exchange_of(request.scope).facts.accept)
    if params.negotiated:
        exchange_of(request.scope).negotiated = True
    return params


