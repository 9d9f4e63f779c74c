"""The hot path of an image origin, in front of the router.

A CDN or viewer asks for the same few page sizes of finished processings over
and over. For exactly those requests — GET/HEAD of a scaled page image or a
thumbnail, valid key, finished record already in memory, valid parameters,
and either a matching If-None-Match or a memory-cache hit — this answers with
raw ASGI messages, skipping routing and request/response objects. Everything
else (every error, every miss, every first sight of a record) falls through
to the regular app, which gives the same answer the slow way. The tenant found
here travels in the scope so the request is never counted twice against the
rate limit.
"""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import parse_qsl

from starlette.types import ASGIApp, Receive, Scope, Send

from service.errors import TooMany
from service.http import IMMUTABLE, not_modified_header
from service.ratelimit import retry_after_header
from service.scaling import Scaler
from service.services import Services
from service.store import SUCCEEDED

PATH = re.compile(
    r"/processing/results/([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})"
    r"/(?:page-images/([1-9][0-9]{0,5})|thumbnail)")
TENANT = "folio.tenant"
QUERY_NAMES = frozenset({"width", "height", "format", "quality"})


class _Template:
    """What the metrics middleware reads from scope["route"]."""

    def __init__(self, path: str) -> None:
        self.path = path


PAGE_ROUTE = _Template("/processing/results/{processing_id}/page-images/{page_num}")
THUMB_ROUTE = _Template("/processing/results/{processing_id}/thumbnail")


class FastPath:
    def __init__(self, app: ASGIApp, services: Services, scaler: Scaler) -> None:
        self.app = app
        self.svc = services
        self.scaler = scaler
        self._memory_hits = services.metrics.cache_hits.labels("memory")

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] not in ("GET", "HEAD"):
            await self.app(scope, receive, send)
            return
        match = PATH.fullmatch(scope["path"])
        if match is None or not await self._answer(scope, send, match):
            await self.app(scope, receive, send)

    async def _answer(self, scope: Scope, send: Send, match: re.Match[str]) -> bool:
        authorization = if_none_match = None
        for name, value in scope["headers"]:
            if name == b"authorization":
                authorization = value.decode("latin-1")
            elif name == b"if-none-match":
                if_none_match = value.decode("latin-1")
        tenant = self.svc.keys.tenant_for(authorization)
        if tenant is None:
            return False
        wait = await self.svc.limiter.retry_after(tenant)
        scope[TENANT] = tenant
        if wait > 0:
            error = TooMany("Rate limit exceeded.",
                            headers={"retry-after": retry_after_header(wait)})
            await error.response()(scope, _no_receive, send)
            return True
        record = self.svc.records.final(match.group(1))
        if record is None or record.tenant != tenant or record.status != SUCCEEDED:
            return False
        page = match.group(2)
        page_num = int(page) if page else None
        if page_num is not None and page_num > len(record.pages):
            return False
        if page_num is None and ("thumbnail" not in record.results or not record.pages):
            return False
        query: dict[str, str] = {}
        raw = scope["query_string"]
        if raw:
            for key, value in parse_qsl(raw.decode("latin-1"), keep_blank_values=True):
                if key in query or key not in QUERY_NAMES:
                    return False
                query[key] = value
        errors: list[dict[str, Any]] = []
        params = self.scaler.parse_query(query, errors)
        if errors:
            return False
        variant = self.scaler.variant(record, page_num, params)
        if variant is None:
            return False
        scope["route"] = PAGE_ROUTE if page_num else THUMB_ROUTE
        if if_none_match is not None and not_modified_header(if_none_match, variant.etag):
            await _send(send, 304, [(b"etag", variant.etag.encode()),
                                    (b"cache-control", IMMUTABLE.encode())], b"")
            return True
        body = self.scaler.memory.get_nowait(variant.key)
        if body is None:
            return False
        self._memory_hits.inc()
        headers = [(b"content-type", variant.media_type.encode()),
                   (b"content-length", str(len(body)).encode()),
                   (b"etag", variant.etag.encode()),
                   (b"cache-control", IMMUTABLE.encode()),
                   (b"x-cache", b"hit-memory")]
        await _send(send, 200, headers, b"" if scope["method"] == "HEAD" else body)
        return True


async def _send(send: Send, status: int, headers: list[tuple[bytes, bytes]],
                body: bytes) -> None:
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": body, "more_body": False})


async def _no_receive() -> Any:
    return {"type": "http.disconnect"}
