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

from starlette.requests import Request
from starlette.types import ASGIApp, Receive, Scope, Send

from service.artifacts.record import SUCCEEDED, Record
from service.errors import ApiError, TooMany
from service.images.iiif_info import links
from service.images.scaler import Rendering, Variant
from service.images.tiles import Tile, tile_for
from service.web.checks import rate_limit, scale_query
from service.web.conditional import image_headers, not_modified_header, validator_headers
from service.web.context import Services

_UUID = r"([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})"
PATH = re.compile(_UUID.join(("/processing/results/",
                              r"/(?:page-images/([1-9][0-9]{0,5})|thumbnail)")))
# an IIIF image request: id, page, then region/size/rotation/quality.format
IIIF_PATH = re.compile(_UUID.join(("/iiif/3/", r"~([1-9][0-9]{0,5})/([^/]+/[^/]+/[^/]+/[^/]+)")))
TENANT = "folio.tenant"
MISSED = "folio.missed"  # cache key both tiers just missed: the handler renders without looking
QUERY_NAMES = frozenset({"width", "height", "format", "quality"})
VARIANT_MEMO = 50_000
RawHeaders = list[tuple[bytes, bytes]]


class _Template:
    """What the metrics middleware reads from scope["route"]."""

    def __init__(self, path: str) -> None:
        self.path = path


PAGE_ROUTE = _Template("/processing/results/{processing_id}/page-images/{page_num}")
THUMB_ROUTE = _Template("/processing/results/{processing_id}/thumbnail")
IIIF_ROUTE = _Template("/iiif/3/{processing_id}~{page}/{region}/{size}/{rotation}/"
                       "{quality_format}")


def missed(request: Request, variant: Rendering) -> bool:
    """True when the fast path has just looked for this variant in both tiers."""
    return bool(request.scope.get(MISSED) == variant.key)


class FastPath:
    def __init__(self, app: ASGIApp, services: Services) -> None:
        self.app = app
        self.svc = services
        self.scaler = services.scaler
        self.limit = services.settings.image_max_dimension
        # (id, page, raw query or IIIF path) → variant: finished records never change,
        # so the parsing and size math for a URL is done once, and its 304 headers and
        # any extra headers (IIIF Link) encoded once
        self._variants: dict[tuple[str, int | None, bytes | str],
                             tuple[Rendering, RawHeaders, RawHeaders]] = {}

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
        scope[TENANT] = tenant
        try:
            await rate_limit(self.svc, tenant)
        except TooMany as error:
            await error.response()(scope, _no_receive, send)
            return True
        record = self.svc.records.final(match.group(1))
        if record is None or record.tenant != tenant or record.status != SUCCEEDED:
            return False
        memo = self._lookup(record, match, scope["query_string"])
        if memo is None:
            return False
        variant, not_modified_headers, extra = memo
        scope["route"] = IIIF_ROUTE if extra else PAGE_ROUTE if match.group(2) else THUMB_ROUTE
        if if_none_match is not None and not_modified_header(if_none_match, variant.etag):
            await _send(send, 304, not_modified_headers, b"")
            return True
        hit = await self.scaler.cached(variant)
        if hit is None:
            scope[MISSED] = variant.key  # the app renders it once, coalescing
            return False
        body, outcome = hit
        headers = image_headers(variant.etag, variant.media_type, outcome)
        headers["content-length"] = str(len(body))
        await _send(send, 200, _raw(headers) + extra,
                    b"" if scope["method"] == "HEAD" else body)
        return True

    def _lookup(self, record: Record, match: re.Match[str], raw: bytes
                ) -> tuple[Rendering, RawHeaders, RawHeaders] | None:
        """What the URL resolves to, its 304 headers and extra headers (memoized)."""
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
        memo = self._variants.get(memo_key)
        if memo is None:
            resolved: Rendering | None = (
                self._resolve_tile(record, page_num or 1, match.group(3)) if iiif_request
                else self._resolve(record, page_num, raw))
            if resolved is None:
                return None
            extra: RawHeaders = []
            if isinstance(resolved, Tile):
                link = links(record.processing_id, resolved.source, resolved.plan)
                extra = [(b"link", link.encode())]
            if len(self._variants) >= VARIANT_MEMO:
                self._variants.clear()
            memo = self._variants[memo_key] = (
                resolved, _raw(validator_headers(resolved.etag)) + extra, extra)
        return memo

    def _resolve_tile(self, record: Record, page_num: int, tail: str) -> Tile | None:
        """The IIIF tile a path names; None for errors and the stored page itself."""
        region, size, rotation, quality_format = tail.split("/")
        try:
            tile = tile_for(record, page_num, (region, size, rotation, quality_format),
                            self.svc.settings.default_quality)
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
        params = scale_query(query, errors, self.limit)
        if errors:
            return None
        return self.scaler.resolve(record, page_num, params)


def _raw(headers: dict[str, str]) -> RawHeaders:
    return [(name.encode(), value.encode("latin-1")) for name, value in headers.items()]


async def _send(send: Send, status: int, headers: RawHeaders, body: bytes) -> None:
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": body, "more_body": False})


async def _no_receive() -> Any:
    return {"type": "http.disconnect"}
