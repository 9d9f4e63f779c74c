"""One structured log line and the request metrics for every request (pure ASGI)."""

from __future__ import annotations

import logging
import time

import orjson
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from service.web.metrics import Metrics

log = logging.getLogger("folio.access")


class ObserveMiddleware:
    def __init__(self, app: ASGIApp, metrics: Metrics, access_log: bool) -> None:
        self.app = app
        self.metrics = metrics
        self.access_log = access_log
        self._observe = metrics.http.observe

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        start = time.perf_counter()
        status = 500
        size = 0

        async def observe(message: Message) -> None:
            nonlocal status, size
            if message["type"] == "http.response.start":
                status = message["status"]
            elif message["type"] == "http.response.body":
                size += len(message.get("body", b""))
            await send(message)

        try:
            await self.app(scope, receive, observe)
        finally:
            elapsed = time.perf_counter() - start
            route = scope.get("route")
            template = getattr(route, "path", None) or "unmatched"
            self._observe(template, scope["method"], status, elapsed)
            if self.access_log and log.isEnabledFor(logging.INFO):
                log.info(orjson.dumps({
                    "method": scope["method"], "path": scope["path"], "route": template,
                    "status": status, "bytes": size, "ms": round(elapsed * 1000, 3),
                }).decode())
