"""The headers of a stored representation, the same for a file and the memory tier."""

from __future__ import annotations

from urllib.parse import quote

from service.errors import ApiError
from service.web.planner import preconditions
from service.web.planner.facts import Facts
from service.web.planner.preconditions import http_date
from service.wire.errors import error_parts
from service.wire.media import IMMUTABLE

RawHeaders = list[tuple[bytes, bytes]]


def file_headers(size: int, mtime: float, *, media_type: str, etag: str, compressed: bool,
                 use_gzip: bool, filename: str | None = None) -> RawHeaders:
    """A stored file's 200 (`size` and `mtime` of the .gz twin when `use_gzip`)."""
    headers: RawHeaders = [(b"etag", etag.encode("latin-1")),
                           (b"cache-control", IMMUTABLE.encode())]
    if compressed:
        headers.append((b"vary", b"Accept-Encoding"))
    if use_gzip:
        headers.append((b"content-encoding", b"gzip"))
    if media_type.startswith("text/") and "charset=" not in media_type.lower():
        media_type += "; charset=utf-8"
    headers.append((b"content-type", media_type.encode("latin-1")))
    if not use_gzip:  # ranges of the identity file must not be applied to the gzip bytes
        headers.append((b"accept-ranges", b"bytes"))
    if filename is not None:
        quoted = quote(filename)
        disposition = (f"attachment; filename*=utf-8''{quoted}" if quoted != filename
                       else f'attachment; filename="{filename}"')
        headers.append((b"content-disposition", disposition.encode("latin-1")))
    headers.append((b"content-length", b"%d" % size))
    headers.append((b"last-modified", http_date(mtime).encode()))
    return headers


def header(headers: RawHeaders, name: bytes) -> str | None:
    for n, v in headers:
        if n == name:
            return v.decode("latin-1")
    return None


def body_range(facts: Facts, headers: RawHeaders, body: bytes) -> tuple[int, RawHeaders, bytes]:
    """A 200 held in memory, or the one byte range of it the request asks for (206),
    or a 416. Several ranges, or a malformed header: the whole body."""
    if facts.range is None or not preconditions.range_applies(
            facts, header(headers, b"etag") or "", header(headers, b"last-modified")):
        return 200, headers, body
    spans = preconditions.byte_ranges(facts.range, len(body))
    if spans is None or len(spans) > 1:
        return 200, headers, body
    if not spans:
        return error_parts(ApiError("The requested range is not satisfiable.", 416,
                                    {"content-range": f"bytes */{len(body)}"}))
    start, end = spans[0]
    ranged = [(n, v) for n, v in headers if n != b"content-length"]
    ranged += [(b"content-range", b"bytes %d-%d/%d" % (start, end - 1, len(body))),
               (b"content-length", b"%d" % (end - start))]
    return 206, ranged, body[start:end]
