"""The hot path of an image origin, in front of the router.

A CDN or viewer asks for the same few page sizes of finished processings over
and over. For exactly those requests — GET/HEAD of a scaled page image or a
thumbnail, valid key, finished record already in memory, valid parameters,
and either a matching If-None-Match or a cache hit (memory, then Redis) — this answers with
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

from service.access.ratelimit import retry_after_header
from service.artifacts.record import SUCCEEDED, Record
from service.errors import TooMany
from service.images.scaler import Scaler, Variant
from service.web.conditional import IMMUTABLE, not_modified_header
from service.web.context import Services

PATH = re.compile(
    r"/processing/results/([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})"
    r"/(?:page-images/([1-9][0-9]{0,5})|thumbnail)")
TENANT = "folio.tenant"
QUERY_NAMES = frozenset({"width", "height", "format", "quality"})
VARIANT_MEMO = 50_000


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
        self._redis_hits = services.metrics.cache_hits.labels("redis")
        # (id, page, raw query) → variant: finished records never change, so the
        # parsing and size math for a URL is done once
        self._variants: dict[tuple[str, int | None, bytes], Variant] = {}

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
        memo_key = (record.processing_id, page_num, scope["query_string"])
        variant = self._variants.get(memo_key)
        if variant is None:
            variant = self._resolve(record, page_num, scope["query_string"])
            if variant is None:
                return False
            if len(self._variants) >= VARIANT_MEMO:
                self._variants.clear()
            self._variants[memo_key] = variant
        scope["route"] = PAGE_ROUTE if page_num else THUMB_ROUTE
        if if_none_match is not None and not_modified_header(if_none_match, variant.etag):
            await _send(send, 304, [(b"etag", variant.etag.encode()),
                                    (b"cache-control", IMMUTABLE.encode())], b"")
            return True
        outcome = b"hit-memory"
        body = self.scaler.memory.get_nowait(variant.key)
        if body is not None:
            self._memory_hits.inc()
        else:
            shared = self.scaler.cache.l2
            body = await shared.get(variant.key) if shared is not None else None
            if body is None:
                return False  # a miss: the app renders it once, coalescing
            self.scaler.memory.set_nowait(variant.key, body)
            self._redis_hits.inc()
            outcome = b"hit-redis"
        headers = [(b"content-type", variant.media_type.encode()),
                   (b"content-length", str(len(body)).encode()),
                   (b"etag", variant.etag.encode()),
                   (b"cache-control", IMMUTABLE.encode()),
                   (b"x-cache", outcome)]
        await _send(send, 200, headers, b"" if scope["method"] == "HEAD" else body)
        return True


    def _resolve(self, record: Record, page_num: int | None, raw: bytes) -> Variant | None:
        """The scaled variant a query asks for; None when the app must answer instead."""
        query: dict[str, str] = {}
        if raw:
            for key, value in parse_qsl(raw.decode("latin-1"), keep_blank_values=True):
                if key in query or key not in QUERY_NAMES:
                    return None
                query[key] = value
        errors: list[dict[str, Any]] = []
        params = self.scaler.parse_query(query, errors)
        if errors:
            return None
        return self.scaler.variant(record, page_num, params)


async def _send(send: Send, status: int, headers: list[tuple[bytes, bytes]],
                body: bytes) -> None:
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": body, "more_body": False})


async def _no_receive() -> Any:
    return {"type": "http.disconnect"}
