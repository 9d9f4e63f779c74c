"""Cache-Control and Vary by who asked, on every handler's answer (`planner.caching`)."""

from __future__ import annotations

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from service.web.planner.caching import cache_headers
from service.web.planner.exchange import EXCHANGE, Exchange


class CachePolicy:
    def __init__(self, app: ASGIApp, max_age: int) -> None:
        self.app = app
        self.max_age = max_age

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        exchange: Exchange | None = scope.get(EXCHANGE)
        if scope["type"] != "http" or exchange is None:
            await self.app(scope, receive, send)
            return

        async def policed(message: Message) -> None:
            if message["type"] == "http.response.start" and exchange.access is not None:
                message["headers"] = cache_headers(
                    exchange.access, exchange.negotiated, message.get("headers", []),
                    self.max_age)
            await send(message)

        await self.app(scope, receive, policed)
