"""The hot path of an image and artifact origin, in front of the router.

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

Stored artifacts (the full result, OCR JSON, hOCR, language, extractions,
splitting, the searchable PDF, sub-PDFs) of finished records are answered the
same way from the memory tier (`service.artifacts.bodies`): the plain or the
gzip body, a single byte range as 206, or a 304, with the headers the file
answer has (taken from the same `stored_file`). Multipart ranges, `If-Range`,
unsatisfiable ranges, queries other than the access parameters, and files above
FOLIO_MEMORY_ARTIFACT_MAX_BYTES fall through to the regular file answer.

It is the outermost layer (`create_app`): it answers without passing through
Starlette's error and metrics middleware, so it counts its own answers in the
metrics (and the access log), adds the /iiif/ CORS headers itself, and answers
its own unexpected errors with the same 500. With FOLIO_CORS_ORIGINS set, a
request carrying an Origin goes the regular way, through the CORS middleware,
and the others get the `Vary: Origin` that middleware adds.
"""

from __future__ import annotations

import asyncio
import logging
import re
import time
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qsl

from starlette.applications import Starlette
from starlette.datastructures import MutableHeaders
from starlette.requests import Request
from starlette.responses import RangeNotSatisfiable, Response
from starlette.types import Message, Receive, Scope, Send

from service.access.gate import SCOPE_KEY, TOKEN_PARAM
from service.access.signing import SIGNATURE
from service.artifacts.bodies import Bodies, Body, BodyKey, read_small
from service.artifacts.catalogue import FULL_BODY, KINDS, sub_pdf_file
from service.artifacts.record import SUCCEEDED, Record
from service.errors import ApiError
from service.images.iiif_info import links
from service.images.negotiate import AUTO, choose
from service.images.scaler import Rendering, Variant
from service.images.tiles import Tile, tile_for
from service.web.cache_policy import NEGOTIATED, cache_headers
from service.web.checks import scale_query
from service.web.conditional import (
    ArtifactFileResponse,
    accepts_gzip_header,
    etag_for,
    image_headers,
    not_modified_header,
    stored_file,
    validator_headers,
)
from service.web.context import Services
from service.web.iiif_cors import IiifOrigins
from service.web.media import JSON, PDF
from service.web.middleware import Observer

log = logging.getLogger("folio")

_UUID = r"([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})"
PATH = re.compile(_UUID.join(("/processing/results/",
                              r"/(?:page-images/([1-9][0-9]{0,5})|thumbnail)")))
# an IIIF image request: id, page, then region/size/rotation/quality.format
IIIF_PATH = re.compile(_UUID.join(("/iiif/3/", r"~([1-9][0-9]{0,5})/([^/]+/[^/]+/[^/]+/[^/]+)")))
_ARTIFACT_NAMES = "|".join(
    re.escape(kind.name) for kind in KINDS.values() if kind.file is not None)
# an artifact: the full result, a named stored file, or one sub-PDF
ARTIFACT_PATH = re.compile("/processing/results/" + _UUID
                           + rf"(?:/({_ARTIFACT_NAMES})|/sub-pdfs/([0-9]{{1,9}}))?")
ACCESS_QUERY = frozenset({"expires", "kid", SIGNATURE, TOKEN_PARAM})
MISSED = "folio.missed"  # cache key both tiers just missed: the handler renders without looking
_START = "folio.start"  # perf_counter when the fast path took the request
_REPLIED = "folio.replied"  # the fast path has begun its answer
_CORS = "folio.cors"  # an /iiif/ answer's Access-Control-Allow-Origin ("" for none)
QUERY_NAMES = frozenset({"width", "height", "format", "quality", "expires", "kid",
                         "signature", "token"})
_AUTO = b"format=" + AUTO.encode()
# URLs whose parsing is remembered; oldest out first. Every signed URL is its own
# entry (its expiry and signature are in the query), so the bound must be small:
# the soak's random widths and fresh signatures grew a 50,000-entry memo for minutes
VARIANT_MEMO = 4096
RawHeaders = list[tuple[bytes, bytes]]


class _Template:
    """What the metrics middleware reads from scope["route"]."""

    def __init__(self, path: str) -> None:
        self.path = path


PAGE_ROUTE = _Template("/processing/results/{processing_id}/page-images/{page_num}")
THUMB_ROUTE = _Template("/processing/results/{processing_id}/thumbnail")
IIIF_ROUTE = _Template("/iiif/3/{processing_id}~{page}/{region}/{size}/{rotation}/"
                       "{quality_format}")
RESULT_ROUTE = _Template("/processing/results/{processing_id}")
SUB_PDF_ROUTE = _Template("/processing/results/{processing_id}/sub-pdfs/{index}")
NAMED_ROUTES = {name: _Template(f"/processing/results/{{processing_id}}/{name}")
                for name in KINDS}


@dataclass(frozen=True, slots=True)
class Artifact:
    """What one artifact URL of a finished record is served as."""

    name: str  # catalogue name, "result" for the full body, "sub-pdf" for one sub-PDF
    file: str
    media_type: str
    compressed: bool
    etag: str  # of the identity representation
    filename: str | None
    route: _Template


def missed(request: Request, variant: Rendering) -> bool:
    """True when the fast path has just looked for this variant in both tiers."""
    return bool(request.scope.get(MISSED) == variant.key)


class FastPath:
    def __init__(self, app: Starlette, services: Services, observer: Observer) -> None:
        self.app = app
        self.svc = services
        self.observer = observer
        settings = services.settings
        self.iiif_cors = IiifOrigins(settings.iiif_cors_origins) \
            if settings.iiif_cors_origins else None
        self.api_cors = bool(settings.cors_origins)
        self.scaler = services.scaler
        self.limit = settings.image_max_dimension
        self.widths = settings.image_widths
        self.max_age = settings.signed_max_age
        self.bodies = Bodies(settings.memory_artifact_bytes, settings.memory_artifact_max_bytes)
        # (id, page, raw query or IIIF path, format chosen for format=auto) → variant:
        # finished records never change, so the parsing and size math for a URL is
        # done once, and its 304 headers (and an IIIF image's Link) encoded once
        self._variants: dict[tuple[str, int | None, bytes | str, str | None],
                             tuple[Rendering, RawHeaders, RawHeaders]] = {}

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] not in ("GET", "HEAD"):
            await self.app(scope, receive, send)
            return
        path = scope["path"]
        match = PATH.fullmatch(path) or IIIF_PATH.fullmatch(path)
        if match is None and self.bodies.enabled:
            match = ARTIFACT_PATH.fullmatch(path)
        if match is None:
            await self.app(scope, receive, send)
            return
        scope[_START] = time.perf_counter()
        try:
            if match.re is ARTIFACT_PATH:
                answered = await self._artifact(scope, send, match)
            else:
                answered = await self._answer(scope, send, match)
        except Exception:
            if scope.get(_REPLIED):
                raise
            log.exception("unhandled error on %s", path)
            await self._refuse(scope, send, ApiError("Internal server error."))
            return
        if not answered:
            await self.app(scope, receive, send)

    async def _answer(self, scope: Scope, send: Send, match: re.Match[str]) -> bool:
        authorization = if_none_match = accept = origin = None
        for name, value in scope["headers"]:
            if name == b"authorization":
                authorization = value.decode("latin-1")
            elif name == b"if-none-match":
                if_none_match = value.decode("latin-1")
            elif name == b"accept":
                accept = value.decode("latin-1")
            elif name == b"origin":
                if self.api_cors:
                    return False  # the CORS middleware's answer
                origin = value.decode("latin-1")
        iiif_request = match.re is IIIF_PATH
        if iiif_request and self.iiif_cors is not None:
            scope[_CORS] = self.iiif_cors.allowed(origin)
        page = match.group(2)
        route = IIIF_ROUTE if iiif_request else PAGE_ROUTE if page else THUMB_ROUTE
        try:
            access = await self.svc.gate.admit(
                scope["method"], scope["path"], scope["query_string"].decode("latin-1"),
                authorization, match.group(1))
        except ApiError as error:
            scope["route"] = route
            await self._refuse(scope, send, error)
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
                del self._variants[next(iter(self._variants))]
            memo = self._variants[memo_key] = (
                resolved, _raw(validator_headers(resolved.etag)) + extra, extra)
        variant, not_modified_headers, extra = memo
        scope["route"] = route
        if if_none_match is not None and not_modified_header(if_none_match, variant.etag):
            await self._reply(scope, send, 304, cache_headers(
                access, negotiated, not_modified_headers, self.max_age), b"")
            return True
        hit = await self.scaler.cached(variant)
        if hit is None:
            scope[MISSED] = variant.key  # the app renders it once, coalescing
            return False
        body, outcome = hit
        headers = image_headers(variant.etag, variant.media_type, outcome)
        headers["content-length"] = str(len(body))
        await self._reply(scope, send, 200, cache_headers(
            access, negotiated, _raw(headers) + extra, self.max_age),
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

    async def _artifact(self, scope: Scope, send: Send, match: re.Match[str]) -> bool:
        raw_query = scope["query_string"]
        if raw_query and not _access_query_only(raw_query):
            return False  # include, wait_for, options: the route's business
        authorization = if_none_match = accept_encoding = http_range = None
        for name, value in scope["headers"]:
            if name == b"authorization":
                authorization = value.decode("latin-1")
            elif name == b"if-none-match":
                if_none_match = value.decode("latin-1")
            elif name == b"accept-encoding":
                accept_encoding = value.decode("latin-1")
            elif name == b"range":
                http_range = value.decode("latin-1")
            elif name == b"if-range" or (name == b"origin" and self.api_cors):
                return False
        artifact_name, index = match.group(2), match.group(3)
        try:
            access = await self.svc.gate.admit(
                scope["method"], scope["path"], raw_query.decode("latin-1"),
                authorization, match.group(1))
        except ApiError as error:
            scope["route"] = (NAMED_ROUTES[artifact_name] if artifact_name
                              else SUB_PDF_ROUTE if index else RESULT_ROUTE)
            await self._refuse(scope, send, error)
            return True
        scope[SCOPE_KEY] = access
        record = self.svc.records.final(match.group(1))
        if record is None or record.status != SUCCEEDED or (
                access.tenant is not None and record.tenant != access.tenant):
            return False
        artifact = _artifact_of(record, artifact_name, index)
        if artifact is None:
            return False
        scope["route"] = artifact.route
        use_gzip = (artifact.compressed and http_range is None
                    and accepts_gzip_header(accept_encoding))
        tag = artifact.etag[:-1] + '-gz"' if use_gzip else artifact.etag
        if if_none_match is not None and not_modified_header(if_none_match, tag):
            validators = validator_headers(tag)
            if artifact.compressed:
                validators["vary"] = "Accept-Encoding"
            await self._reply(scope, send, 304, cache_headers(access, False, _raw(validators),
                                                              self.max_age), b"")
            return True
        # the version too: a finished record never changes, and if it ever did, the
        # tier would miss rather than answer the old bytes
        key: BodyKey = (f"{record.processing_id}/{record.version}", artifact.file, use_gzip)
        body = self.bodies.get(key)
        if body is None:
            if self.bodies.skipped(key):
                return False
            body = await asyncio.to_thread(self._load, key, artifact, tag)
            if body is None:
                self.bodies.skip(key)
                return False
            self.bodies.put(key, body)
        status, headers, data = 200, body.headers, body.data
        if http_range is not None:
            try:
                ranges = ArtifactFileResponse._parse_range_header(http_range, len(data))
            except RangeNotSatisfiable:
                return False  # the file answer's 416
            if len(ranges) > 1:
                return False  # multipart/byteranges: the file answer builds it
            if ranges:
                start, end = ranges[0]
                status, data = 206, data[start:end]
                headers = [(n, v) for n, v in headers if n != b"content-length"]
                headers.append((b"content-range",
                                b"bytes %d-%d/%d" % (start, end - 1, len(body.data))))
                headers.append((b"content-length", b"%d" % len(data)))
        await self._reply(scope, send, status, cache_headers(access, False, headers,
                                                             self.max_age),
                          b"" if scope["method"] == "HEAD" else data)
        return True

    async def _reply(self, scope: Scope, send: Send, status: int, headers: RawHeaders,
                     body: bytes) -> None:
        """Send one whole answer, then count it (what ObserveMiddleware does for the app)."""
        scope[_REPLIED] = True
        start: Message = {"type": "http.response.start", "status": status, "headers": headers}
        if self.api_cors:  # what the CORS middleware adds for a request without Origin
            vary = MutableHeaders(scope=start)
            vary["Vary"] = ", ".join([*vary.getlist("Vary"), "Origin"])
        cors = scope.get(_CORS)
        if cors is not None:
            assert self.iiif_cors is not None
            self.iiif_cors.decorate(start, cors)
        await send(start)
        await send({"type": "http.response.body", "body": body, "more_body": False})
        self.observer.done(scope, status, len(body), scope[_START])

    async def _refuse(self, scope: Scope, send: Send, error: ApiError) -> None:
        response: Response = error.response()
        await self._reply(scope, send, response.status_code, response.raw_headers,
                          b"" if scope["method"] == "HEAD" else bytes(response.body))

    def _load(self, key: BodyKey, artifact: Artifact, etag: str) -> Body | None:
        """Read a stored representation into a Body; None when it must stream instead."""
        owner, file, use_gzip = key
        processing_id = owner.partition("/")[0]
        path = self.svc.store.artifact(processing_id, file + ".gz" if use_gzip else file)
        read = read_small(path, self.bodies.max_body_bytes)
        if read is None:
            return None
        data, stat = read
        response = stored_file(path, stat, media_type=artifact.media_type, etag=etag,
                               compressed=artifact.compressed, use_gzip=use_gzip,
                               filename=artifact.filename)
        return Body(data, response.raw_headers)

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


def _artifact_of(record: Record, name: str | None, index: str | None) -> Artifact | None:
    """The stored file behind an artifact URL; None when the route must answer (404s)."""
    if index is not None:
        i = int(index)
        if "sub-pdfs" not in record.results or i >= len(record.sub_pdfs):
            return None
        return Artifact("sub-pdf", sub_pdf_file(i), PDF, False,
                        etag_for(record.version, "sub-pdf", i), record.sub_pdfs[i],
                        SUB_PDF_ROUTE)
    if name is None:
        return Artifact("result", FULL_BODY, JSON, True, etag_for(record.version, "result"),
                        None, RESULT_ROUTE)
    if name not in record.results:
        return None
    kind = KINDS[name]
    assert kind.file is not None
    return Artifact(name, kind.file, kind.media_type, kind.compressed,
                    etag_for(record.version, name), None, NAMED_ROUTES[name])


def _access_query_only(raw: bytes) -> bool:
    """True when the query holds nothing but a signature or a share token."""
    seen = set()
    for key, _ in parse_qsl(raw.decode("latin-1"), keep_blank_values=True):
        if key in seen or key not in ACCESS_QUERY:
            return False
        seen.add(key)
    return True


def _raw(headers: dict[str, str]) -> RawHeaders:
    return [(name.encode(), value.encode("latin-1")) for name, value in headers.items()]
