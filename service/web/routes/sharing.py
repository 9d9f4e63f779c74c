"""Handing out access without the API key: share tokens and signed URLs.

    POST   /share-tokens/documents                    {"document_id", "expires_at"} → 201
    GET    /share-tokens/documents                    the tenant's tokens
    DELETE /share-tokens/documents?token_uuid=<uuid>  revoke → 204
    POST   /processing/results/{id}/signed-urls       ttl + image options → signed URLs

All four need the API key (a token or a signed URL cannot make more of itself).
"""

from __future__ import annotations

import asyncio
import datetime as dt
import time
from typing import Any

import orjson
from starlette.requests import Request
from starlette.responses import Response

from service.artifacts.catalogue import KINDS, result_url, url_value
from service.artifacts.store import valid_id
from service.errors import Forbidden, NotFound, ValidationFailed, invalid
from service.web.checks import processing, require_finished, services
from service.web.planner.params import int_param, scale_query
from service.wire.media import JSON, NO_STORE

NO_STORE_HEADERS = {"cache-control": NO_STORE}
IMAGE_OPTIONS = ("width", "height", "format", "quality")
THUMBNAIL_OPTIONS = ("format", "quality")


def _json(body: Any, status: int = 200) -> Response:
    return Response(orjson.dumps(body), status_code=status, media_type=JSON,
                    headers=NO_STORE_HEADERS)


async def _body(request: Request, errors: list[dict[str, Any]]) -> dict[str, Any]:
    raw = await request.body()
    if not raw.strip():
        return {}
    try:
        value = orjson.loads(raw)
    except orjson.JSONDecodeError:
        errors.append(invalid(("body",), "Invalid JSON", "json_invalid"))
        return {}
    if not isinstance(value, dict):
        errors.append(invalid(("body",), "Input should be a JSON object", "dict_type"))
        return {}
    return value


async def _tenant(request: Request) -> str:
    return await services(request).gate.keyed(request.headers.get("authorization"))


# -- share tokens ------------------------------------------------------------

async def create_share_token(request: Request) -> Response:
    tenant = await _tenant(request)
    errors: list[dict[str, Any]] = []
    body = await _body(request, errors)
    settings = services(request).settings
    document_id = body.get("document_id")
    if not isinstance(document_id, str) or not valid_id(document_id):
        errors.append(invalid(("body", "document_id"), "Input should be a processing id "
                              "(a UUID)", "uuid_parsing"))
    expires_at = _date(body.get("expires_at"), settings.share_token_max_days, errors)
    if errors:
        raise ValidationFailed(errors)
    assert isinstance(document_id, str) and expires_at is not None
    svc = services(request)
    record = await svc.records.get(document_id)
    if record is None:
        raise NotFound("No processing with this id.")
    if record.tenant != tenant:
        raise Forbidden()
    created = await asyncio.to_thread(svc.gate.tokens.create, tenant, document_id,
                                      expires_at, tenant)
    return _json(created, 201)


def _date(raw: Any, max_days: int, errors: list[dict[str, Any]]) -> dt.date | None:
    loc = ("body", "expires_at")
    try:
        value = dt.date.fromisoformat(raw) if isinstance(raw, str) and len(raw) == 10 else None
    except ValueError:
        value = None
    if value is None:
        errors.append(invalid(loc, "Input should be a date like 2027-12-31", "date_parsing"))
        return None
    today = dt.datetime.now(dt.UTC).date()
    if value < today:
        errors.append(invalid(loc, "The date must not be in the past", "date_past"))
        return None
    if value > today + dt.timedelta(days=max_days):
        errors.append(invalid(loc, f"The date must be within {max_days} days",
                              "less_than_equal"))
        return None
    return value


async def list_share_tokens(request: Request) -> Response:
    tenant = await _tenant(request)
    tokens = services(request).gate.tokens
    return _json(await asyncio.to_thread(tokens.of_tenant, tenant))


async def revoke_share_token(request: Request) -> Response:
    tenant = await _tenant(request)
    token_uuid = request.query_params.get("token_uuid")
    if not token_uuid:
        raise ValidationFailed([invalid(("query", "token_uuid"), "Field required", "missing")])
    if not await services(request).gate.tokens.revoke(tenant, token_uuid):
        raise NotFound("No share token with this uuid.")
    return Response(status_code=204, headers=NO_STORE_HEADERS)


# -- signed URLs -------------------------------------------------------------

async def signed_urls(request: Request) -> Response:
    errors: list[dict[str, Any]] = []
    body = await _body(request, errors)
    options = {**request.query_params, **{k: str(v) for k, v in body.items()}}
    svc = services(request)
    settings = svc.settings
    loc = ("body" if "ttl" in body else "query", "ttl")
    ttl = int_param(options.get("ttl"), loc, errors, minimum=1,
                    maximum=settings.signed_url_max_ttl)
    image = {k: options[k] for k in IMAGE_OPTIONS if k in options}
    scale_query(image, errors, settings.image_max_dimension)
    record = await processing(request, errors)
    pending = require_finished(record)
    if pending is not None:
        return pending
    signer = svc.gate.signer
    now = time.time()
    lifetime = ttl or settings.signed_url_ttl

    def sign(url: str, names: tuple[str, ...] = ()) -> str:
        query = "&".join(f"{k}={image[k]}" for k in names if k in image)
        return signer.sign(f"{url}?{query}" if query else url, lifetime, now)

    answer: dict[str, Any] = {
        "processing_id": record.processing_id,
        "expires": int(now) + lifetime,
        "kid": signer.kid,
        "result": sign(f"/processing/results/{record.processing_id}"),
    }
    for name in record.results:
        value = url_value(record, name) if not KINDS[name].inline \
            else result_url(record.processing_id, name)
        names = IMAGE_OPTIONS if name == "page-images" else \
            THUMBNAIL_OPTIONS if name == "thumbnail" else ()
        answer[KINDS[name].key] = [sign(u, names) for u in value] \
            if isinstance(value, list) else sign(value, names)
    return _json(answer)


handlers = {
    "share-tokens": {"POST": create_share_token, "GET": list_share_tokens,
                     "DELETE": revoke_share_token},
    "signed-urls": signed_urls,
}
