"""The checks every results request passes, in the contract's order:
credentials (401) → rate limit (429) → validation (422) → existence (404) →
tenant (403). State (202/500) is checked by `require_finished`. The query
parameters (`include`, `wait_for`, image size) are parsed here too.

A signed URL or a share token stands in for the credentials (`service.access.gate`
decides which applies, once per request); a signed URL is checked before
anything else and has no tenant to compare."""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

import orjson
from starlette.requests import Request
from starlette.responses import Response

from service.access.gate import SCOPE_KEY, Access
from service.access.signing import SIGNATURE
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
from service.images import negotiate
from service.images.imaging import FORMATS
from service.images.scaler import DEFAULT_FORMAT, ScaleParams
from service.images.widths import snap
from service.jobs import workflows
from service.web.cache_policy import NEGOTIATED
from service.web.context import Services
from service.wire.media import JSON, NO_STORE

NO_PROCESSING = "No processing with this id."
_INT = re.compile(r"[+-]?[0-9]{1,18}")
_LONG_POSITIVE = re.compile(r"\+?0*[1-9][0-9]{18,}")  # past what _INT reads
ANY_PAGE = 10**18  # a page side no page reaches
CORRUPT = "The processing's record is damaged and cannot be read."
MAX_WAIT = 180  # seconds a request may wait for a processing to finish
DEFAULT_WAIT = 120  # the published default of wait_for, on POST and on GET alike


def services(request: Request) -> Services:
    svc: Services = request.app.state.services
    return svc


async def tenant_of(request: Request) -> str:
    """The API key's tenant (rate limit taken): routes that only a key opens."""
    return await services(request).gate.keyed(request.headers.get("authorization"))


async def access_of(request: Request) -> Access:
    """How a results request got in; decided once (the fast path may have done it)."""
    known: Access | None = request.scope.get(SCOPE_KEY)
    if known is not None:
        return known
    scope = request.scope
    access = await services(request).gate.admit(
        scope["method"], scope["path"], scope["query_string"].decode("latin-1"),
        request.headers.get("authorization"), request.path_params["processing_id"])
    scope[SCOPE_KEY] = access
    return access


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


def size_param(raw: str | None, loc: tuple[str, str], errors: list[dict[str, Any]]
               ) -> int | None:
    """An integer ≥ 1 of any length; one too long to read is larger than any page."""
    if raw is not None and _LONG_POSITIVE.fullmatch(raw.strip()):
        return ANY_PAGE
    return int_param(raw, loc, errors, minimum=1)


def scale_params(request: Request, errors: list[dict[str, Any]]) -> ScaleParams:
    settings = services(request).settings
    params = scale_query(request.query_params, errors, settings.image_max_dimension,
                         settings.image_widths, request.headers.get("accept"))
    if params.negotiated:
        request.scope[NEGOTIATED] = True
    return params


def scale_query(query: Mapping[str, str], errors: list[dict[str, Any]], limit: int,
                widths: tuple[int, ...] = (), accept: str | None = None) -> ScaleParams:
    """width/height/format/quality of a page image or thumbnail.

    `format=auto` is chosen from `accept`. With `widths` (FOLIO_IMAGE_WIDTHS) the
    width snaps up to a step, except on a signed URL: the signer chose it. width and
    height have no upper bound, as published: scaling only ever goes down, so a side
    at least as large as the page's means the page itself (`limit` is IIIF's).
    """
    width = size_param(query.get("width"), ("query", "width"), errors)
    if widths and SIGNATURE not in query:
        width = snap(width, widths)
    height = size_param(query.get("height"), ("query", "height"), errors)
    quality = int_param(query.get("quality"), ("query", "quality"), errors, minimum=1,
                        maximum=100)
    fmt = query.get("format", DEFAULT_FORMAT).lower()
    if fmt == "jpg":
        fmt = "jpeg"
    negotiated = fmt == negotiate.AUTO
    if negotiated:
        fmt = negotiate.choose(accept)
    if fmt not in FORMATS:
        errors.append({"loc": ["query", "format"],
                       "msg": "Input should be " + ", ".join([*FORMATS, negotiate.AUTO]),
                       "type": "enum"})
        fmt = DEFAULT_FORMAT
    return ScaleParams(width, height, fmt, quality, negotiated)
