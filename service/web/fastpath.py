"""The hot path of an image origin, in front of the router.

A CDN or viewer asks for the same few page sizes (and IIIF tiles) of finished
processings over and over. For exactly those requests — GET/HEAD of a scaled page
image, a thumbnail or an IIIF image without a query, valid key, finished record
already in memory, valid parameters, and either a matching If-None-Match or a
cache hit (memory, then Redis) — this answers with raw ASGI messages, skipping
routing and request/response objects. Everything else (every error, every miss,
every first sight of a record) falls through to the regular app, which gives
the same answer the slow way. The tenant found here travels in the scope so the
request is never counted twice against the rate limit.
"""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import parse_qsl

from starlette.types import ASGIApp, Receive, Scope, Send

from service.access.ratelimit import retry_after_header
from service.artifacts.record import SUCCEEDED, Record
from service.errors import ApiError, TooMany
from service.images.scaler import Rendering, Scaler, Variant
from service.images.tiles import Tile
from service.web.conditional import IMMUTABLE, not_modified_header
from service.web.context import Services
from service.web.routes import image_api

_UUID = r"([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})"
PATH = re.compile(_UUID.join(("/processing/results/",
                              r"/(?:page-images/([1-9][0-9]{0,5})|thumbnail)")))
# an IIIF image request: id, page, then region/size/rotation/quality.format
IIIF_PATH = re.compile(_UUID.join(("/iiif/3/", r"~([1-9][0-9]{0,5})/([^/]+/[^/]+/[^/]+/[^/]+)")))
TENANT = "folio.tenant"
QUERY_NAMES = frozenset({"width", "height", "format", "quality"})
VARIANT_MEMO = 50_000


class _Template:
    """What the metrics middleware reads from scope["route"]."""

    def __init__(self, path: str) -> None:
        self.path = path


PAGE_ROUTE = _Template("/processing/results/{processing_id}/page-images/{page_num}")
THUMB_ROUTE = _Template("/processing/results/{processing_id}/thumbnail")
IIIF_ROUTE = _Template("/iiif/3/{processing_id}~{page}/{region}/{size}/{rotation}/"
                       "{quality_format}")


class FastPath:
    def __init__(self, app: ASGIApp, services: Services, scaler: Scaler) -> None:
        self.app = app
        self.svc = services
        self.scaler = scaler
        self._memory_hits = services.metrics.cache_hits.labels("memory")
        self._redis_hits = services.metrics.cache_hits.labels("redis")
        # (id, page, raw query or IIIF path) → variant: finished records never
        # change, so the parsing and size math for a URL is done once
        self._variants: dict[tuple[str, int | None, bytes | str], Rendering] = {}

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] not in ("GET", "HEAD"):
            await self.app(scope, receive, send)
            return
        match = PATH.fullmatch(scope["path"]) or IIIF_PATH.fullmatch(scope["path"])
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
        found = self._lookup(record, match, scope["query_string"])
        if found is None:
            return False
        variant, route, extra = found
        scope["route"] = route
        if if_none_match is not None and not_modified_header(if_none_match, variant.etag):
            await _send(send, 304, [(b"etag", variant.etag.encode()),
                                    (b"cache-control", IMMUTABLE.encode()), *extra], b"")
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
                   (b"x-cache", outcome), *extra]
        await _send(send, 200, headers, b"" if scope["method"] == "HEAD" else body)
        return True


    def _lookup(self, record: Record, match: re.Match[str], raw: bytes
                ) -> tuple[Rendering, _Template, list[tuple[bytes, bytes]]] | None:
        """What the URL resolves to (memoized), its route template and extra headers."""
        iiif_request = match.re is IIIF_PATH
        page = match.group(2)
        page_num = int(page) if page else None
        if page_num is not None and page_num > len(record.pages):
            return None
        if page_num is None and ("thumbnail" not in record.results or not record.pages):
            return None
        if iiif_request and raw:
            return None  # the app checks whatever the query carries
        memo_key = (record.processing_id, page_num, match.group(3) if iiif_request else raw)
        variant = self._variants.get(memo_key)
        if variant is None:
            variant = (self._resolve_tile(record, page_num or 1, match.group(3))
                       if iiif_request else self._resolve(record, page_num, raw))
            if variant is None:
                return None
            if len(self._variants) >= VARIANT_MEMO:
                self._variants.clear()
            self._variants[memo_key] = variant
        if isinstance(variant, Tile):
            link = image_api.links(record, variant.source, variant.plan)
            return variant, IIIF_ROUTE, [(b"link", link.encode())]
        return variant, PAGE_ROUTE if page_num else THUMB_ROUTE, []

    def _resolve_tile(self, record: Record, page_num: int, tail: str) -> Tile | None:
        """The IIIF tile a path names; None for errors and the stored page itself."""
        segments = tail.split("/")
        try:
            tile = image_api.tile_for(record, page_num, (segments[0], segments[1],
                                                         segments[2], segments[3]),
                                      self.scaler.settings.default_quality)
        except ApiError:
            return None
        return None if tile.plan.identity and tile.plan.fmt == "jpg" else tile

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
