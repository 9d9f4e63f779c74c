"""One structured log line and the request metrics for every request (pure ASGI).

The line has the query (which widths and formats are asked for) without the
parts that grant access: `signature` and `token`."""

from __future__ import annotations

import logging
import time
from urllib.parse import unquote

import orjson
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from service.access.gate import TOKEN_PARAM
from service.access.signing import SIGNATURE
from service.web.planner.exchange import EXCHANGE, Exchange
from service.wire.metrics import Metrics

log = logging.getLogger("folio.access")
_SECRET = frozenset({SIGNATURE, TOKEN_PARAM})


class Observer:
    """Counts a finished request in the metrics and writes its access line."""

    def __init__(self, metrics: Metrics, access_log: bool) -> None:
        self.access_log = access_log
        self._observe = metrics.http.observe

    def done(self, scope: Scope, status: int, size: int, start: float) -> None:
        elapsed = time.perf_counter() - start
        exchange: Exchange | None = scope.get(EXCHANGE)
        endpoint = exchange.endpoint if exchange is not None else None
        template = endpoint.path if endpoint is not None else "unmatched"
        self._observe(template, scope["method"], status, elapsed)
        if self.access_log and log.isEnabledFor(logging.INFO):
            access = exchange.access if exchange is not None else None
            log.info(orjson.dumps({
                "method": scope["method"], "path": scope["path"],
                "query": loggable_query(scope["query_string"]), "route": template,
                "access": access.kind if access is not None else None,
                "status": status, "bytes": size, "ms": round(elapsed * 1000, 3),
            }).decode())


class ObserveMiddleware:
    """The Observer around every request the app answers (the fast path observes its own)."""

    def __init__(self, app: ASGIApp, observer: Observer) -> None:
        self.app = app
        self.observer = observer

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        start = time.perf_counter()
        status = 500
        size = 0
        head: Message = {}

        async def observe(message: Message) -> None:
            nonlocal status, size, head
            if message["type"] == "http.response.start":
                status = message["status"]
                head = message
            elif message["type"] == "http.response.body":
                size += len(message.get("body", b""))
            elif message["type"] == "http.response.pathsend":
                # the server sends the whole file (granian): its length is in the head
                size += _content_length(head)
            await send(message)

        try:
            await self.app(scope, receive, observe)
        finally:
            self.observer.done(scope, status, size, start)


def _content_length(head: Message) -> int:
    for name, value in head.get("headers", ()):
        if name == b"content-length":
            return int(value)
    return 0


def loggable_query(raw: bytes) -> str:
    if not raw:
        return ""
    text = raw.decode("latin-1")
    return "&".join(part for part in text.split("&")
                    if unquote(part.partition("=")[0]) not in _SECRET)
