"""The planner's CORS headers (`planner.cors`) on every handler's answer."""

from __future__ import annotations

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from service.web.planner.cors import Cors
from service.web.planner.exchange import EXCHANGE, Exchange


class CorsHeaders:
    def __init__(self, app: ASGIApp, cors: Cors) -> None:
        self.app = app
        self.cors = cors

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        exchange: Exchange | None = scope.get(EXCHANGE)
        if scope["type"] != "http" or exchange is None or not self.cors.active:
            await self.app(scope, receive, send)
            return
        facts = exchange.facts

        async def with_cors(message: Message) -> None:
            if message["type"] == "http.response.start":
                message["headers"] = self.cors.decorate(facts.path, facts.origin,
                                                        list(message.get("headers", [])))
            await send(message)

        await self.app(scope, receive, with_cors)
