"""CORS for every answer, in one place: the API's origins and the IIIF origins.

The API (`FOLIO_CORS_ORIGINS`, off by default) follows the Fetch standard as
Starlette's CORS middleware did: a listed Origin is echoed with the exposed
headers and `Vary: Origin`; any other answer gets `Vary: Origin`, so a cache
keeps the two apart. /iiif/ (`FOLIO_IIIF_CORS_ORIGINS`, default `*`) is
configured apart, because IIIF viewers are embedded on other sites: `*`, or
listed origins with `Vary: Origin`. A refused preflight is a 400 in the JSON
error shape; an accepted one is answered here, before routing.
"""

from __future__ import annotations

from service.errors import ApiError

RawHeaders = list[tuple[bytes, bytes]]
IIIF_PREFIX = "/iiif/"
EXPOSED = ("Content-Range", "Accept-Ranges", "Content-Length", "Content-Encoding", "ETag",
           "Retry-After", "X-Cache", "Content-Disposition")
API_METHODS = ("GET", "HEAD", "POST", "DELETE", "OPTIONS")
API_HEADERS = ("Authorization", "Range", "If-None-Match", "If-Range", "Content-Type",
               "If-Match", "If-Modified-Since", "If-Unmodified-Since")
_SAFELISTED = ("Accept", "Accept-Language", "Content-Language", "Content-Type")
IIIF_ALLOW_HEADERS = "Authorization, If-None-Match, Range, Accept"
IIIF_EXPOSE = "ETag, Link, Content-Length, Retry-After, X-Cache"
MAX_AGE = "600"
_PREFLIGHT_VARY = (b"Origin, Access-Control-Request-Method, Access-Control-Request-Headers, "
                   b"Access-Control-Request-Private-Network")


def add_vary(headers: RawHeaders, token: bytes) -> RawHeaders:
    """`headers` with `token` added to its one Vary line (kept where the first was)."""
    values = [v for n, v in headers if n == b"vary"]
    if not values:
        return [*headers, (b"vary", token)]
    joined = b", ".join([*values, token])
    out: RawHeaders = []
    for name, value in headers:
        if name == b"vary":
            if joined:
                out.append((b"vary", joined))
                joined = b""
            continue
        out.append((name, value))
    return out


def _set(headers: RawHeaders, name: bytes, value: bytes) -> RawHeaders:
    """`headers` with one `name` line holding `value` (where the first one was)."""
    out: RawHeaders = []
    done = False
    for pair in headers:
        if pair[0] != name:
            out.append(pair)
        elif not done:
            out.append((name, value))
            done = True
    if not done:
        out.append((name, value))
    return out


class Cors:
    def __init__(self, api_origins: tuple[str, ...], iiif_origins: tuple[str, ...]) -> None:
        self.api = bool(api_origins)
        self.api_any = "*" in api_origins
        self.api_origins = frozenset(api_origins)
        self.iiif = bool(iiif_origins)
        self.iiif_any = "*" in iiif_origins
        self.iiif_origins = frozenset(iiif_origins)
        self.expose = ", ".join(EXPOSED).encode()
        allow_headers = sorted(set(_SAFELISTED) | set(API_HEADERS))
        self.api_preflight: RawHeaders = [(b"vary", _PREFLIGHT_VARY)]
        if self.api_any:
            self.api_preflight.append((b"access-control-allow-origin", b"*"))
        self.api_preflight += [
            (b"access-control-allow-methods", ", ".join(API_METHODS).encode()),
            (b"access-control-max-age", MAX_AGE.encode()),
            (b"access-control-allow-headers", ", ".join(allow_headers).encode())]
        self.api_allow_headers = frozenset(h.lower() for h in allow_headers)

    @property
    def active(self) -> bool:
        return self.api or self.iiif

    def decorate(self, path: str, origin: str | None, headers: RawHeaders) -> RawHeaders:
        """An answer's headers with the CORS headers for `origin` on `path`."""
        if self.api:
            if origin is not None:
                if self.api_any:
                    headers = _set(headers, b"access-control-allow-origin", b"*")
                headers = _set(headers, b"access-control-expose-headers", self.expose)
                if not self.api_any and origin in self.api_origins:
                    headers = _set(headers, b"access-control-allow-origin",
                                   origin.encode("latin-1"))
            headers = add_vary(headers, b"Origin")
        if self.iiif and path.startswith(IIIF_PREFIX):
            allowed = self.iiif_allowed(origin)
            if allowed:
                headers = _set(headers, b"access-control-allow-origin", allowed.encode("latin-1"))
                headers = _set(headers, b"access-control-expose-headers", IIIF_EXPOSE.encode())
            if not self.iiif_any:
                headers = add_vary(headers, b"Origin")
        return headers

    def iiif_allowed(self, origin: str | None) -> str:
        if self.iiif_any:
            return "*"
        return origin if origin is not None and origin in self.iiif_origins else ""

    def preflight(self, path: str, origin: str, method: str, requested: str | None
                  ) -> tuple[int, RawHeaders, ApiError | None] | None:
        """A preflight's answer: (status, headers, error or None); None: not CORS's."""
        if self.iiif and path.startswith(IIIF_PREFIX):
            allowed = self.iiif_allowed(origin)
            if not allowed:
                return 400, [(b"vary", b"Origin")], ApiError("Disallowed CORS origin", 400)
            headers: RawHeaders = [
                (b"access-control-allow-origin", allowed.encode("latin-1")),
                (b"access-control-allow-methods", b"GET, HEAD, OPTIONS"),
                (b"access-control-allow-headers", IIIF_ALLOW_HEADERS.encode()),
                (b"access-control-max-age", MAX_AGE.encode())]
            if not self.iiif_any:
                headers.append((b"vary", b"Origin"))
            return 204, headers, None
        if not self.api:
            return None
        headers = list(self.api_preflight)
        failures = []
        if origin in self.api_origins and not self.api_any:
            headers.insert(1, (b"access-control-allow-origin", origin.encode("latin-1")))
        elif not self.api_any:
            failures.append("origin")
        if method not in API_METHODS:
            failures.append("method")
        if requested is not None and any(
                h.strip().lower() not in self.api_allow_headers for h in requested.split(",")
                if h.strip()):
            failures.append("headers")
        if failures:
            return 400, headers, ApiError("Disallowed CORS " + ", ".join(failures), 400)
        return 200, headers, None
