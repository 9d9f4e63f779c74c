"""The request facts the planner decides on, read once from the raw head.

Header fields that are lists (RFC 9110 5.3) are combined in order with ", ":
an `If-None-Match` split over two lines is one list. Fields that must be single
(`Authorization`, `Host`) sent twice make the request bad (400), so no layer
can read another line than the next. HTTP/1.1 without `Host` is bad too
(RFC 9112 3.2). Date fields sent twice are ignored (RFC 9110 13.1.3/13.1.4),
and so is a doubled `Range` or `If-Range` (the whole representation is sent).
"""

from __future__ import annotations

from collections.abc import Iterable

from service.errors import ApiError

RawHeaders = list[tuple[bytes, bytes]]

_LISTS = {b"if-none-match": 0, b"if-match": 1, b"accept": 2, b"accept-encoding": 3,
          b"access-control-request-headers": 4}
_SINGLE = {b"authorization": 0, b"host": 1}
_IGNORED_TWICE = {b"if-modified-since": 0, b"if-unmodified-since": 1, b"range": 2,
                  b"if-range": 3, b"origin": 4, b"access-control-request-method": 5}
_TWICE = object()


class Facts:
    """What the planner reads of a request; every value is a str or None."""

    __slots__ = (
        "accept",
        "accept_encoding",
        "authorization",
        "host",
        "http_version",
        "if_match",
        "if_modified_since",
        "if_none_match",
        "if_range",
        "if_unmodified_since",
        "method",
        "origin",
        "path",
        "query",
        "range",
        "request_headers",
        "request_method",
    )

    def __init__(self, method: str, path: str, query: bytes, http_version: str) -> None:
        self.method = method
        self.path = path
        self.query = query
        self.http_version = http_version
        self.authorization: str | None = None
        self.host: str | None = None
        self.if_none_match: str | None = None
        self.if_match: str | None = None
        self.accept: str | None = None
        self.accept_encoding: str | None = None
        self.request_headers: str | None = None  # Access-Control-Request-Headers
        self.if_modified_since: str | None = None
        self.if_unmodified_since: str | None = None
        self.range: str | None = None
        self.if_range: str | None = None
        self.origin: str | None = None
        self.request_method: str | None = None  # Access-Control-Request-Method


class BadRequest(ApiError):
    def __init__(self, detail: str) -> None:
        super().__init__(detail, 400)


def read_facts(method: str, path: str, query: bytes, http_version: str,
               headers: Iterable[tuple[bytes, bytes]]) -> Facts:
    """The facts of one request; BadRequest for a doubled single field or no Host."""
    facts = Facts(method, path, query, http_version)
    lists: list[list[str] | None] = [None] * 5
    singles: list[str | None] = [None, None]
    dated: list[object] = [None] * 6
    for name, raw in headers:
        index = _LISTS.get(name)
        if index is not None:
            found = lists[index]
            if found is None:
                lists[index] = [raw.decode("latin-1")]
            else:
                found.append(raw.decode("latin-1"))
            continue
        index = _SINGLE.get(name)
        if index is not None:
            if singles[index] is not None:
                raise BadRequest(f"The request has more than one {name.decode().title()} "
                                 "header.")
            singles[index] = raw.decode("latin-1")
            continue
        index = _IGNORED_TWICE.get(name)
        if index is not None:
            dated[index] = _TWICE if dated[index] is not None else raw.decode("latin-1")
    if singles[1] is None and http_version == "1.1":
        raise BadRequest("An HTTP/1.1 request must have a Host header.")
    facts.authorization, facts.host = singles
    (facts.if_none_match, facts.if_match, facts.accept, facts.accept_encoding,
     facts.request_headers) = (None if v is None else ", ".join(v) for v in lists)
    (facts.if_modified_since, facts.if_unmodified_since, facts.range, facts.if_range,
     facts.origin, facts.request_method) = (v if isinstance(v, str) else None for v in dated)
    return facts
