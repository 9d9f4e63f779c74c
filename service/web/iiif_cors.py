"""CORS for /iiif/, configured apart from the API's (FOLIO_IIIF_CORS_ORIGINS).

IIIF viewers (Mirador, Universal Viewer, OpenSeadragon on someone's site) are
embedded on other origins, and IIIF level 1 requires CORS. The default is `*`:
folio has no cookies or other ambient credentials, every request carries its
own key, share token or signature, so a foreign page can read nothing its
author could not fetch directly. With a list of origins, only those get the
header (and `Vary: Origin`). Preflights for /iiif/ are answered here, so an
`Authorization` header from a viewer configured with one is allowed.
"""

from __future__ import annotations

from starlette.datastructures import Headers, MutableHeaders
from starlette.responses import Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

NOT_ALLOWED = ""  # `allowed`'s answer for an origin that gets no CORS headers

PREFIX = "/iiif/"
ALLOW_HEADERS = "Authorization, If-None-Match, Range, Accept"
EXPOSE_HEADERS = "ETag, Link, Content-Length, Retry-After, X-Cache"
MAX_AGE = "600"


class IiifOrigins:
    """Which origins may read /iiif/ answers, and the headers that say so."""

    def __init__(self, origins: tuple[str, ...]) -> None:
        self.any_origin = "*" in origins
        self.origins = frozenset(origins)

    def allowed(self, origin: str | None) -> str:
        """The Access-Control-Allow-Origin for `origin`; NOT_ALLOWED for none."""
        if self.any_origin:
            return "*"
        return origin if origin is not None and origin in self.origins else NOT_ALLOWED

    def decorate(self, start: Message, allowed: str) -> None:
        """Add the CORS headers of an /iiif/ answer to its `http.response.start`."""
        headers = MutableHeaders(scope=start)
        if allowed:
            headers["access-control-allow-origin"] = allowed
            headers["access-control-expose-headers"] = EXPOSE_HEADERS
        if not self.any_origin:
            headers.add_vary_header("Origin")


class IiifCors:
    def __init__(self, app: ASGIApp, origins: tuple[str, ...]) -> None:
        self.app = app
        self.policy = IiifOrigins(origins)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or not self.policy.origins \
                or not scope["path"].startswith(PREFIX):
            await self.app(scope, receive, send)
            return
        origin = Headers(scope=scope).get("origin")
        allowed = self.policy.allowed(origin)
        if scope["method"] == "OPTIONS" and origin is not None \
                and Headers(scope=scope).get("access-control-request-method"):
            await self._preflight(allowed or None)(scope, receive, send)
            return

        async def send_with_cors(message: Message) -> None:
            if message["type"] == "http.response.start":
                self.policy.decorate(message, allowed)
            await send(message)

        await self.app(scope, receive, send_with_cors)

    def _preflight(self, allowed: str | None) -> Response:
        if allowed is None:
            return Response("Disallowed CORS origin", status_code=400,
                            headers={"vary": "Origin"})
        headers = {"access-control-allow-origin": allowed,
                   "access-control-allow-methods": "GET, HEAD, OPTIONS",
                   "access-control-allow-headers": ALLOW_HEADERS,
                   "access-control-max-age": MAX_AGE}
        if not self.policy.any_origin:
            headers["vary"] = "Origin"
        return Response(status_code=204, headers=headers)
