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

# header → (Facts attribute, rule): LIST lines are joined, SINGLE twice is a bad
# request, DATED (and Range, If-Range, Origin) twice are ignored
LIST, SINGLE, DATED = 1, 2, 3
_FIELDS = {
    b"if-none-match": ("if_none_match", LIST), b"if-match": ("if_match", LIST),
    b"accept": ("accept", LIST), b"accept-encoding": ("accept_encoding", LIST),
    b"access-control-request-headers": ("request_headers", LIST),
    b"authorization": ("authorization", SINGLE), b"host": ("host", SINGLE),
    b"if-modified-since": ("if_modified_since", DATED),
    b"if-unmodified-since": ("if_unmodified_since", DATED), b"range": ("range", DATED),
    b"if-range": ("if_range", DATED), b"origin": ("origin", DATED),
    b"access-control-request-method": ("request_method", DATED),
}


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
    twice: set[str] | None = None
    for name, raw in headers:
        field = _FIELDS.get(name)
        if field is None:
            continue
        attribute, rule = field
        value = raw.decode("latin-1")
        seen = getattr(facts, attribute)
        if seen is None:
            setattr(facts, attribute, value)
        elif rule == LIST:
            setattr(facts, attribute, seen + ", " + value)
        elif rule == SINGLE:
            raise BadRequest(f"The request has more than one {name.decode().title()} "
                             "header.")
        else:
            twice = twice or set()
            twice.add(attribute)
    for attribute in twice or ():
        setattr(facts, attribute, None)
    if facts.host is None and http_version == "1.1":
        raise BadRequest("An HTTP/1.1 request must have a Host header.")
    return facts
