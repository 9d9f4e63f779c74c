"""The planner's header rules on every handler's answer: Cache-Control and Vary by who
asked (`planner.caching`), then CORS (`planner.cors`) — in the order the planner
applies them to its own answers, with the same objects."""

from __future__ import annotations

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from service.web.planner.caching import cache_headers
from service.web.planner.cors import Cors
from service.web.planner.exchange import EXCHANGE, Exchange


class AnswerPolicy:
    def __init__(self, app: ASGIApp, max_age: int, cors: Cors) -> None:
        self.app = app
        self.max_age = max_age
        self.cors = cors

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        exchange: Exchange | None = scope.get(EXCHANGE)
        if scope["type"] != "http" or exchange is None:
            await self.app(scope, receive, send)
            return

        async def policed(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = message.get("headers", [])
                if exchange.access is not None:
                    headers = cache_headers(exchange.access, exchange.negotiated, headers,
                                            self.max_age)
                if self.cors.active:
                    facts = exchange.facts
                    headers = self.cors.decorate(facts.path, facts.origin, list(headers))
                message["headers"] = headers
            await send(message)

        await self.app(scope, receive, policed)
