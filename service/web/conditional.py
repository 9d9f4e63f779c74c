"""HTTP caching semantics for handlers' answers: ETag, 304/412, Range, compression.

A finished processing never changes, so an artifact's ETag is derived from the
record's version and the artifact's name — no file is read to answer a 304 —
and completed artifacts are `immutable`. The pre-compressed and the identity
file are two representations and get two strong ETags. The rules themselves
are the planner's (`planner.preconditions`); this module applies them to the
request's facts and builds the Starlette answers.
"""

from __future__ import annotations

import gzip
import os

from starlette.requests import Request
from starlette.responses import Response

from service.artifacts.record import Record
from service.artifacts.store import FileStore
from service.errors import ApiError
from service.images.scaler import Rendering, Scaler
from service.objects.base import artifact_key
from service.web.error_response import error_response
from service.web.file_answer import FileAnswer, StoreRangeAnswer
from service.web.planner import preconditions
from service.web.planner.exchange import exchange_of
from service.web.planner.negotiation import completed, page_head
from service.web.planner.representation import body_range, file_headers
from service.wire.media import HTML, IMMUTABLE, JSON

COMPRESS_ABOVE = 1024  # bytes; below this gzip's framing outweighs the saving
# bytes: a Range request on a larger object that is not on this machine reads only
# the range from the object store (a PDF viewer's reads) instead of copying it whole
RANGE_FROM_STORE = 4 * 1024 * 1024


def conditions(request: Request, etag: str, last_modified: float | None = None,
               vary: bool = False) -> Response | None:
    """The 304 or 412 the request's preconditions call for; None: answer as asked."""
    decided = preconditions.evaluate(exchange_of(request.scope).facts, etag, last_modified)
    if decided is None:
        return None
    if decided == preconditions.FAILED:
        return error_response(ApiError("A precondition of the request failed (If-Match or "
                                       "If-Unmodified-Since).", 412))
    response = Response(status_code=304)
    response.raw_headers = preconditions.validators(etag, vary)
    return response


def accepts_gzip(request: Request) -> bool:
    return preconditions.accepts_gzip(exchange_of(request.scope).facts.accept_encoding)


async def image_answer(request: Request, scaler: Scaler, record: Record, variant: Rendering,
                       link: str | None = None) -> Response:
    """The page at one size (the stored page or a scaled one) from the tiers or one
    render: 304/412, 200, or a byte range of it — the planner's answer, byte for byte."""
    modified = completed(record)
    early = conditions(request, variant.etag, modified)
    if early is not None:
        return early
    exchange = exchange_of(request.scope)
    body, outcome = await scaler.image(variant, known_miss=exchange.missed == variant.key)
    headers = [*page_head(variant, modified), (b"x-cache", outcome.encode()),
               (b"content-length", b"%d" % len(body))]
    if link is not None:
        headers.append((b"link", link.encode("latin-1")))
    status, headers, body = body_range(exchange.facts, headers, body)
    response = Response(body, status_code=status)
    response.raw_headers = headers
    return response


def validator_headers(etag: str) -> dict[str, str]:
    return {"etag": etag, "cache-control": IMMUTABLE}


def file_response(
    request: Request,
    path: str | os.PathLike[str],
    *,
    media_type: str,
    etag: str,
    compressed: bool = False,
    filename: str | None = None,
) -> Response | FileAnswer:
    """Serve a stored artifact; `compressed` says a `<path>.gz` twin exists."""
    facts = exchange_of(request.scope).facts
    use_gzip = compressed and facts.range is None and accepts_gzip(request)
    tag = etag[:-1] + '-gz"' if use_gzip else etag
    if use_gzip:
        path = f"{os.fspath(path)}.gz"
    # one stat, kept on the event loop: it costs a few microseconds on a local disk
    stat = os.stat(path)
    early = conditions(request, tag, stat.st_mtime, vary=compressed)
    if early is not None:
        return early
    return FileAnswer(path, stat.st_size, file_headers(
        stat.st_size, stat.st_mtime, media_type=media_type, etag=tag, compressed=compressed,
        use_gzip=use_gzip, filename=filename))


async def stored_response(
    request: Request,
    store: FileStore,
    processing_id: str,
    name: str,
    *,
    media_type: str,
    etag: str,
    compressed: bool = False,
    filename: str | None = None,
) -> Response | FileAnswer:
    """`file_response` for an artifact, copied from the object store first when this
    machine has no copy; a byte range of a large object, or a HEAD, that this machine
    has no copy for is answered from the store alone."""
    facts = exchange_of(request.scope).facts
    use_gzip = compressed and facts.range is None and accepts_gzip(request)
    file = name + ".gz" if use_gzip else name
    remote = facts.range is not None or facts.method == "HEAD"
    if remote and store.artifact_present(processing_id, file) is None:
        info = await store.artifact_info(processing_id, file)
        if info is not None and (facts.method == "HEAD" or info.size > RANGE_FROM_STORE):
            tag = etag[:-1] + '-gz"' if use_gzip else etag
            early = conditions(request, tag, info.modified, vary=compressed)
            if early is not None:
                return early
            return StoreRangeAnswer(store.objects.store, artifact_key(processing_id, file),
                                    info.size, file_headers(
                info.size, info.modified, media_type=media_type, etag=tag,
                compressed=compressed, use_gzip=use_gzip, filename=filename))
    path = await store.fetch(processing_id, file)
    if use_gzip:
        path = path.with_name(name.rpartition("/")[2])  # file_response adds the ".gz"
    return file_response(request, path, media_type=media_type, etag=etag,
                         compressed=compressed, filename=filename)


def bytes_response(
    request: Request, body: bytes, *, media_type: str, etag: str,
    headers: dict[str, str] | None = None,
) -> Response:
    """Serve bytes held in memory (JSON made on the fly, scaled images)."""
    compressible = media_type in (JSON, HTML)
    use_gzip = compressible and len(body) > COMPRESS_ABOVE and accepts_gzip(request)
    tag = etag[:-1] + '-gz"' if use_gzip else etag
    early = conditions(request, tag, vary=compressible)
    if early is not None:
        return early
    all_headers = {"etag": tag, "cache-control": IMMUTABLE, **(headers or {})}
    if compressible:
        all_headers["vary"] = "Accept-Encoding"
    if use_gzip:
        all_headers["content-encoding"] = "gzip"
        body = gzip.compress(body, 6, mtime=0)
    return Response(body, headers=all_headers, media_type=media_type)
