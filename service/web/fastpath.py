"""The hot path of an image origin, in front of the router.

A CDN or viewer asks for the same few page sizes (and IIIF tiles) of finished
processings over and over. For exactly those requests — GET/HEAD of a scaled
page image, a thumbnail or an IIIF image (whose query only the gate reads),
admitted by the gate (signed URL, share token or key), finished record already
in memory, valid parameters, and either a matching If-None-Match or a cache hit
(memory, then Redis) — this answers with raw ASGI messages, skipping routing
and request/response objects. A refusal by the gate is answered here too;
everything else (every other error, every miss, every first sight of a record)
falls through to the regular app, which gives the same answer the slow way. The
gate's decision travels in the scope, so a request is never admitted, counted
or rate-limited twice.
"""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import parse_qsl

from starlette.requests import Request
from starlette.types import ASGIApp, Receive, Scope, Send

from service.access.gate import SCOPE_KEY
from service.artifacts.record import SUCCEEDED, Record
from service.errors import ApiError
from service.images.iiif_info import links
from service.images.negotiate import AUTO, choose
from service.images.scaler import Rendering, Variant
from service.images.tiles import Tile, tile_for
from service.web.cache_policy import NEGOTIATED, cache_headers
from service.web.checks import scale_query
from service.web.conditional import image_headers, not_modified_header, validator_headers
from service.web.context import Services

_UUID = r"([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})"
PATH = re.compile(_UUID.join(("/processing/results/",
                              r"/(?:page-images/([1-9][0-9]{0,5})|thumbnail)")))
# an IIIF image request: id, page, then region/size/rotation/quality.format
IIIF_PATH = re.compile(_UUID.join(("/iiif/3/", r"~([1-9][0-9]{0,5})/([^/]+/[^/]+/[^/]+/[^/]+)")))
MISSED = "folio.missed"  # cache key both tiers just missed: the handler renders without looking
QUERY_NAMES = frozenset({"width", "height", "format", "quality", "expires", "kid",
                         "signature", "token"})
_AUTO = b"format=" + AUTO.encode()
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
        self.widths = services.settings.image_widths
        self.max_age = services.settings.signed_max_age
        # (id, page, raw query or IIIF path, format chosen for format=auto) → variant:
        # finished records never change, so the parsing and size math for a URL is
        # done once, and its 304 headers (and an IIIF image's Link) encoded once
        self._variants: dict[tuple[str, int | None, bytes | str, str | None],
                             tuple[Rendering, RawHeaders, RawHeaders]] = {}

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] not in ("GET", "HEAD"):
            await self.app(scope, receive, send)
            return
        match = PATH.fullmatch(scope["path"]) or IIIF_PATH.fullmatch(scope["path"])
        if match is None or not await self._answer(scope, send, match):
            await self.app(scope, receive, send)

    async def _answer(self, scope: Scope, send: Send, match: re.Match[str]) -> bool:
        authorization = if_none_match = accept = None
        for name, value in scope["headers"]:
            if name == b"authorization":
                authorization = value.decode("latin-1")
            elif name == b"if-none-match":
                if_none_match = value.decode("latin-1")
            elif name == b"accept":
                accept = value.decode("latin-1")
        iiif_request = match.re is IIIF_PATH
        page = match.group(2)
        route = IIIF_ROUTE if iiif_request else PAGE_ROUTE if page else THUMB_ROUTE
        try:
            access = await self.svc.gate.admit(
                scope["method"], scope["path"], scope["query_string"].decode("latin-1"),
                authorization, match.group(1))
        except ApiError as error:
            scope["route"] = route
            await error.response()(scope, _no_receive, send)
            return True
        scope[SCOPE_KEY] = access
        record = self.svc.records.final(match.group(1))
        if record is None or record.status != SUCCEEDED or (
                access.tenant is not None and record.tenant != access.tenant):
            return False
        page_num = int(page) if page else None
        if page_num is not None and page_num > len(record.pages):
            return False
        if page_num is None and ("thumbnail" not in record.results or not record.pages):
            return False
        negotiated = not iiif_request and _AUTO in scope["query_string"]
        if negotiated:
            scope[NEGOTIATED] = True
        memo_key = (record.processing_id, page_num,
                    match.group(3) if iiif_request else scope["query_string"],
                    choose(accept) if negotiated else None)
        memo = self._variants.get(memo_key)
        if memo is None:
            resolved: Rendering | None = (
                self._resolve_tile(record, page_num or 1, match.group(3)) if iiif_request
                else self._resolve(record, page_num, scope["query_string"], accept))
            if resolved is None:
                return False
            extra: RawHeaders = []
            if isinstance(resolved, Tile):
                link = links(record.processing_id, resolved.source, resolved.plan)
                extra = [(b"link", link.encode())]
            if len(self._variants) >= VARIANT_MEMO:
                self._variants.clear()
            memo = self._variants[memo_key] = (
                resolved, _raw(validator_headers(resolved.etag)) + extra, extra)
        variant, not_modified_headers, extra = memo
        scope["route"] = route
        if if_none_match is not None and not_modified_header(if_none_match, variant.etag):
            await _send(send, 304, cache_headers(access, negotiated, not_modified_headers,
                                                 self.max_age), b"")
            return True
        hit = await self.scaler.cached(variant)
        if hit is None:
            scope[MISSED] = variant.key  # the app renders it once, coalescing
            return False
        body, outcome = hit
        headers = image_headers(variant.etag, variant.media_type, outcome)
        headers["content-length"] = str(len(body))
        await _send(send, 200, cache_headers(access, negotiated, _raw(headers) + extra,
                                             self.max_age),
                    b"" if scope["method"] == "HEAD" else body)
        return True

    def _resolve_tile(self, record: Record, page_num: int, tail: str) -> Tile | None:
        """The IIIF image a path names; None for errors and the stored page itself."""
        region, size, rotation, quality_format = tail.split("/")
        try:
            tile = tile_for(record, page_num, (region, size, rotation, quality_format),
                            self.svc.settings.default_quality)
        except ApiError:
            return None
        return None if tile.plan.identity and tile.plan.fmt == "jpg" else tile

    def _resolve(self, record: Record, page_num: int | None, raw: bytes,
                 accept: str | None) -> Variant | None:
        """The scaled variant a query asks for; None when the app must answer instead."""
        query: dict[str, str] = {}
        if raw:
            for key, value in parse_qsl(raw.decode("latin-1"), keep_blank_values=True):
                if key in query or key not in QUERY_NAMES:
                    return None
                query[key] = value
        errors: list[dict[str, Any]] = []
        params = scale_query(query, errors, self.limit, self.widths, accept)
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
