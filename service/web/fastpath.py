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
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any, NamedTuple
from urllib.parse import parse_qsl

from starlette.applications import Starlette
from starlette.datastructures import MutableHeaders
from starlette.requests import Request
from starlette.responses import RangeNotSatisfiable, Response
from starlette.types import Message, Receive, Scope, Send

from service.access.gate import SCOPE_KEY, TOKEN_PARAM, Access
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
    image_headers,
    not_modified_header,
    stored_file,
    validator_headers,
)
from service.web.context import Services
from service.web.error_response import error_response
from service.web.iiif_cors import IiifOrigins
from service.web.middleware import Observer
from service.wire.etags import etag_for
from service.wire.media import JSON, PDF

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
START = "folio.start"  # perf_counter when the request came to the fast path
_HIT = "folio.hit"  # the artifact body a load step read, for the next `now`
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


class Reply(NamedTuple):
    """A whole fast-path answer; `body` is empty for HEAD."""

    status: int
    headers: RawHeaders
    body: bytes


class _Again:
    """A step's answer: ask `now` again (what it waited for is in the scope)."""


AGAIN = _Again()
# What `FastPath.now` gives: the answer, an awaitable step, or None: the regular app
# answers. A step gives the answer, None, or AGAIN.
Step = Callable[[], Awaitable["Reply | _Again | None"]]
MAX_STEPS = 3  # awaits one request can take (admit, a tier, a load); more is a bug
_PENDING = "folio.pending"  # what `now` gave when the protocol asked first (`defer`)
_UNASKED = object()


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
        # done once, and its 200 and 304 headers (and an IIIF image's Link) encoded once
        self._variants: dict[tuple[str, int | None, bytes | str, str | None], _Memo] = {}

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] not in ("GET", "HEAD"):
            await self.app(scope, receive, send)
            return
        scope.setdefault(START, time.perf_counter())
        try:
            pending = scope.pop(_PENDING, _UNASKED)
            step = self.now(scope) if pending is _UNASKED else pending
            for _ in range(MAX_STEPS):
                if not callable(step):
                    break
                result = await step()
                step = self.now(scope) if result is AGAIN else result
            if callable(step):
                raise RuntimeError(f"the fast path took more than {MAX_STEPS} steps")
        except Exception:
            log.exception("unhandled error on %s", scope["path"])
            step = self._error(scope, ApiError("Internal server error."))
        if step is None:
            await self.app(scope, receive, send)
            return
        await send({"type": "http.response.start", "status": step.status,
                    "headers": step.headers})
        await send({"type": "http.response.body", "body": step.body, "more_body": False})
        self.sent(scope, step)

    def now(self, scope: Scope) -> Reply | Step | None:
        """The fast path's answer to a GET or HEAD, as far as it goes without waiting.

        Decisions taken on the way (the gate's, a tier's miss) are kept in `scope`,
        so asking again after a step, or the app after None, repeats none of them.
        """
        path = scope["path"]
        match = PATH.fullmatch(path) or IIIF_PATH.fullmatch(path)
        if match is not None:
            return self._image(scope, match)
        if self.bodies.enabled:
            match = ARTIFACT_PATH.fullmatch(path)
            if match is not None:
                return self._artifact(scope, match)
        return None

    def defer(self, scope: Scope, step: Step | None) -> None:
        """Leave what `now` gave (a step, or None) to the app's call for the same request."""
        scope[_PENDING] = step

    def sent(self, scope: Scope, reply: Reply) -> None:
        """Count an answer once it is written (what ObserveMiddleware does for the app)."""
        self.observer.done(scope, reply.status, len(reply.body), scope[START])

    def _admit(self, scope: Scope, route: _Template, authorization: str | None,
               processing_id: str) -> Access | Reply | Step:
        """The gate's decision, kept in the scope; a refusal is answered here."""
        access: Access | None = scope.get(SCOPE_KEY)
        if access is not None:
            return access
        args = (scope["method"], scope["path"], scope["query_string"].decode("latin-1"),
                authorization, processing_id)
        try:
            access = self.svc.gate.admit_now(*args)
        except ApiError as error:
            scope["route"] = route
            return self._error(scope, error)
        if access is not None:
            scope[SCOPE_KEY] = access
            return access

        async def admit() -> Reply | _Again:
            try:
                scope[SCOPE_KEY] = await self.svc.gate.admit(*args)
            except ApiError as error:
                scope["route"] = route
                return self._error(scope, error)
            return AGAIN

        return admit

    def _image(self, scope: Scope, match: re.Match[str]) -> Reply | Step | None:
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
                    return None  # the CORS middleware's answer
                origin = value.decode("latin-1")
        iiif_request = match.re is IIIF_PATH
        if iiif_request and self.iiif_cors is not None:
            scope[_CORS] = self.iiif_cors.allowed(origin)
        page = match.group(2)
        route = IIIF_ROUTE if iiif_request else PAGE_ROUTE if page else THUMB_ROUTE
        access = self._admit(scope, route, authorization, match.group(1))
        if not isinstance(access, Access):
            return access
        record = self.svc.records.final(match.group(1))
        if record is None or record.status != SUCCEEDED or (
                access.tenant is not None and record.tenant != access.tenant):
            return None
        page_num = int(page) if page else None
        if page_num is not None and page_num > len(record.pages):
            return None
        if page_num is None and ("thumbnail" not in record.results or not record.pages):
            return None
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
                return None
            if len(self._variants) >= VARIANT_MEMO:
                del self._variants[next(iter(self._variants))]
            memo = self._variants[memo_key] = _memo(record, resolved)
        variant = memo.variant
        scope["route"] = route
        if if_none_match is not None and not_modified_header(if_none_match, variant.etag):
            return self._reply(scope, 304, cache_headers(access, negotiated, memo.not_modified,
                                                         self.max_age), b"")
        hit = self.scaler.cached_now(variant)
        if hit is not None:
            return self._image_reply(scope, access, negotiated, memo, hit)
        if not self.scaler.shared_tier:
            scope[MISSED] = variant.key  # the app renders it once, coalescing
            return None

        async def shared() -> Reply | None:
            found = await self.scaler.cached_shared(variant)
            if found is None:
                scope[MISSED] = variant.key
                return None
            return self._image_reply(scope, access, negotiated, memo, found)

        return shared

    def _image_reply(self, scope: Scope, access: Access, negotiated: bool, memo: _Memo,
                     hit: tuple[bytes, str]) -> Reply:
        body, outcome = hit
        headers = [*memo.ok, (b"x-cache", outcome.encode()),
                   (b"content-length", b"%d" % len(body)), *memo.extra]
        return self._reply(scope, 200, cache_headers(access, negotiated, headers, self.max_age),
                           body)

    def _resolve_tile(self, record: Record, page_num: int, tail: str) -> Tile | None:
        """The IIIF image a path names; None for errors and the stored page itself."""
        region, size, rotation, quality_format = tail.split("/")
        try:
            tile = tile_for(record, page_num, (region, size, rotation, quality_format),
                            self.svc.settings.default_quality)
        except ApiError:
            return None
        return None if tile.plan.identity and tile.plan.fmt == "jpg" else tile

    def _artifact(self, scope: Scope, match: re.Match[str]) -> Reply | Step | None:
        raw_query = scope["query_string"]
        if raw_query and not _access_query_only(raw_query):
            return None  # include, wait_for, options: the route's business
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
                return None
        artifact_name, index = match.group(2), match.group(3)
        route = (NAMED_ROUTES[artifact_name] if artifact_name
                 else SUB_PDF_ROUTE if index else RESULT_ROUTE)
        access = self._admit(scope, route, authorization, match.group(1))
        if not isinstance(access, Access):
            return access
        record = self.svc.records.final(match.group(1))
        if record is None or record.status != SUCCEEDED or (
                access.tenant is not None and record.tenant != access.tenant):
            return None
        artifact = _artifact_of(record, artifact_name, index)
        if artifact is None:
            return None
        scope["route"] = artifact.route
        use_gzip = (artifact.compressed and http_range is None
                    and accepts_gzip_header(accept_encoding))
        tag = artifact.etag[:-1] + '-gz"' if use_gzip else artifact.etag
        if if_none_match is not None and not_modified_header(if_none_match, tag):
            validators = validator_headers(tag)
            if artifact.compressed:
                validators["vary"] = "Accept-Encoding"
            return self._reply(scope, 304, cache_headers(access, False, _raw(validators),
                                                         self.max_age), b"")
        # the version too: a finished record never changes, and if it ever did, the
        # tier would miss rather than answer the old bytes
        key: BodyKey = (f"{record.processing_id}/{record.version}", artifact.file, use_gzip)
        body = scope.pop(_HIT, None) or self.bodies.get(key)
        if body is None:
            if self.bodies.skipped(key):
                return None

            async def load() -> _Again | None:
                loaded = await asyncio.to_thread(self._load, key, artifact, tag)
                if loaded is None:
                    self.bodies.skip(key)
                    return None
                self.bodies.put(key, loaded)
                scope[_HIT] = loaded
                return AGAIN

            return load
        status, headers, data = 200, body.headers, body.data
        if http_range is not None:
            try:
                ranges = ArtifactFileResponse._parse_range_header(http_range, len(data))
            except RangeNotSatisfiable:
                return None  # the file answer's 416
            if len(ranges) > 1:
                return None  # multipart/byteranges: the file answer builds it
            if ranges:
                start, end = ranges[0]
                status, data = 206, data[start:end]
                headers = [(n, v) for n, v in headers if n != b"content-length"]
                headers.append((b"content-range",
                                b"bytes %d-%d/%d" % (start, end - 1, len(body.data))))
                headers.append((b"content-length", b"%d" % len(data)))
        return self._reply(scope, status, cache_headers(access, False, headers, self.max_age),
                           data)

    def _reply(self, scope: Scope, status: int, headers: RawHeaders, body: bytes) -> Reply:
        """The answer with the CORS headers the app's middleware would have added."""
        if self.api_cors or scope.get(_CORS) is not None:
            start: Message = {"type": "http.response.start", "headers": headers}
            if self.api_cors:  # what the CORS middleware adds for a request without Origin
                vary = MutableHeaders(scope=start)
                vary["Vary"] = ", ".join([*vary.getlist("Vary"), "Origin"])
            cors = scope.get(_CORS)
            if cors is not None:
                assert self.iiif_cors is not None
                self.iiif_cors.decorate(start, cors)
            headers = start["headers"]
        return Reply(status, headers, b"" if scope["method"] == "HEAD" else body)

    def _error(self, scope: Scope, error: ApiError) -> Reply:
        response: Response = error_response(error)
        return self._reply(scope, response.status_code, response.raw_headers,
                           bytes(response.body))

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


@dataclass(frozen=True, slots=True)
class _Memo:
    """A URL's variant of a finished record, with its headers encoded once."""

    variant: Rendering
    ok: RawHeaders  # a 200's, up to X-Cache and Content-Length
    not_modified: RawHeaders
    extra: RawHeaders  # after them: an IIIF image's Link


def _memo(record: Record, variant: Rendering) -> _Memo:
    extra: RawHeaders = []
    if isinstance(variant, Tile):
        extra = [(b"link", links(record.processing_id, variant.source, variant.plan).encode())]
    ok = _raw(image_headers(variant.etag, variant.media_type, "-"))[:-1]  # without X-Cache
    return _Memo(variant, ok, _raw(validator_headers(variant.etag)) + extra, extra)


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
