"""HTTP caching semantics for artifacts: ETag, 304, Range, compression.

A finished processing never changes, so an artifact's ETag is derived from the
record's version and the artifact's name — no file is read to answer a 304 —
and completed artifacts are `immutable`. The pre-compressed and the identity
file are two representations and get two strong ETags.
"""

from __future__ import annotations

import gzip
import os
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import aiofiles
from starlette.requests import Request
from starlette.responses import FileResponse, MalformedRangeHeader, Response

from service.wire.media import HTML, IMMUTABLE, JSON

COMPRESS_ABOVE = 1024  # bytes; below this gzip's framing outweighs the saving


def _opaque(tag: str) -> str:
    tag = tag.strip()
    return tag[2:] if tag.startswith("W/") else tag


def not_modified(request: Request, etag: str) -> bool:
    """If-None-Match with weak comparison, lists and `*` (RFC 9110 13.1.2)."""
    header = request.headers.get("if-none-match")
    return header is not None and not_modified_header(header, etag)


def not_modified_header(header: str, etag: str) -> bool:
    if header == etag:
        return True  # what revalidating browsers and CDNs send
    if header.strip() == "*":
        return True
    target = _opaque(etag)
    return any(_opaque(candidate) == target for candidate in header.split(","))


def accepts_gzip(request: Request) -> bool:
    """Proper Accept-Encoding negotiation, q-values included (no substring tests)."""
    return accepts_gzip_header(request.headers.get("accept-encoding"))


def accepts_gzip_header(header: str | None) -> bool:
    """`accepts_gzip` on the raw header value (the fast path has no Request)."""
    if not header:
        return False
    gzip_q: float | None = None
    star_q: float | None = None
    for item in header.split(","):
        coding, *params = (p.strip() for p in item.split(";"))
        q = 1.0
        for param in params:
            name, _, value = param.partition("=")
            if name.strip().lower() == "q":
                try:
                    q = float(value)
                except ValueError:
                    q = 0.0
        coding = coding.lower()
        if coding in ("gzip", "x-gzip"):
            gzip_q = q
        elif coding == "*":
            star_q = q
    if gzip_q is not None:
        return gzip_q > 0
    return star_q is not None and star_q > 0


def validator_headers(etag: str) -> dict[str, str]:
    """What a 304 repeats from the 200 (RFC 9110 15.4.5)."""
    return {"etag": etag, "cache-control": IMMUTABLE}


def image_headers(etag: str, media_type: str, outcome: str) -> dict[str, str]:
    """A scaled image's 200: the handler's and the fast path's, byte for byte."""
    return {"content-type": media_type, **validator_headers(etag), "x-cache": outcome}


def not_modified_response(etag: str, vary: bool = False) -> Response:
    headers = validator_headers(etag)
    if vary:
        headers["vary"] = "Accept-Encoding"
    return Response(status_code=304, headers=headers)


class _AioFile:
    """The three calls FileResponse makes on a file, answered by aiofiles."""

    def __init__(self, handle: Any) -> None:
        self._handle = handle

    async def read(self, size: int) -> bytes:
        data: bytes = await self._handle.read(size)
        return data

    async def seek(self, offset: int) -> int:
        pos: int = await self._handle.seek(offset)
        return pos


class ArtifactFileResponse(FileResponse):
    """Starlette's FileResponse (Range, multipart ranges, 416, HEAD) streaming via aiofiles.

    A malformed Range header is ignored (a full 200), as RFC 9110 14.2 allows
    and nginx does, instead of Starlette's 400.
    """

    # every chunk is one thread-pool hop in aiofiles: fewer, larger reads
    chunk_size = 512 * 1024

    @asynccontextmanager
    async def _open_file(self) -> AsyncIterator[Any]:
        async with aiofiles.open(self.path, mode="rb") as handle:
            yield _AioFile(handle)

    @classmethod
    def _parse_range_header(cls, http_range: str, file_size: int) -> list[tuple[int, int]]:
        try:
            return super()._parse_range_header(http_range, file_size)
        except MalformedRangeHeader:
            return []


def file_response(
    request: Request,
    path: str | os.PathLike[str],
    *,
    media_type: str,
    etag: str,
    compressed: bool = False,
    filename: str | None = None,
) -> Response:
    """Serve a stored artifact; `compressed` says a `<path>.gz` twin exists."""
    use_gzip = compressed and "range" not in request.headers and accepts_gzip(request)
    tag = etag[:-1] + '-gz"' if use_gzip else etag
    if not_modified(request, tag):
        return not_modified_response(tag, vary=compressed)
    if use_gzip:
        path = f"{os.fspath(path)}.gz"
    # one stat, kept on the event loop: it costs a few microseconds on a local disk
    return stored_file(path, os.stat(path), media_type=media_type, etag=tag,
                       compressed=compressed, use_gzip=use_gzip, filename=filename)


def stored_file(
    path: str | os.PathLike[str], stat: os.stat_result, *, media_type: str, etag: str,
    compressed: bool, use_gzip: bool, filename: str | None = None,
) -> ArtifactFileResponse:
    """The 200 of one stored representation (`path` is the .gz twin when `use_gzip`);
    the memory tier takes its headers from here, so both answers match."""
    headers = {"etag": etag, "cache-control": IMMUTABLE}
    if compressed:
        headers["vary"] = "Accept-Encoding"
    if use_gzip:
        headers["content-encoding"] = "gzip"
    response = ArtifactFileResponse(
        path, headers=headers, media_type=media_type, stat_result=stat, filename=filename
    )
    if use_gzip:
        # ranges of the identity file must not be applied to the gzip bytes
        del response.headers["accept-ranges"]
    return response


def bytes_response(
    request: Request, body: bytes, *, media_type: str, etag: str,
    headers: dict[str, str] | None = None,
) -> Response:
    """Serve bytes held in memory (JSON made on the fly, scaled images)."""
    compressible = media_type in (JSON, HTML)
    use_gzip = compressible and len(body) > COMPRESS_ABOVE and accepts_gzip(request)
    tag = etag[:-1] + '-gz"' if use_gzip else etag
    if not_modified(request, tag):
        return not_modified_response(tag, vary=compressible)
    all_headers = {"etag": tag, "cache-control": IMMUTABLE, **(headers or {})}
    if compressible:
        all_headers["vary"] = "Accept-Encoding"
    if use_gzip:
        all_headers["content-encoding"] = "gzip"
        body = gzip.compress(body, 6, mtime=0)
    return Response(body, headers=all_headers, media_type=media_type)
