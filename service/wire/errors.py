"""The bytes of an error answer: status, headers and the `{"detail": ...}` body."""

from __future__ import annotations

import orjson

from service.errors import ApiError
from service.wire.media import JSON, NO_STORE

RawHeaders = list[tuple[bytes, bytes]]


def error_parts(error: ApiError) -> tuple[int, RawHeaders, bytes]:
    """Status, raw headers and body, in the order Starlette's Response would send them."""
    body = orjson.dumps({"detail": error.detail})
    headers = {"cache-control": NO_STORE, **error.headers}
    raw = [(k.lower().encode("latin-1"), v.encode("latin-1")) for k, v in headers.items()]
    names = {name for name, _ in raw}
    if b"content-length" not in names:
        raw.append((b"content-length", str(len(body)).encode("latin-1")))
    if b"content-type" not in names:
        raw.append((b"content-type", JSON.encode("latin-1")))
    return error.status, raw, body
