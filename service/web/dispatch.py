"""The router behind the front: the planner named the endpoint, this calls its handler.

Handlers are named in `planner.urls.TABLE` and bound here; no URL is matched
twice. A mount (the viewer's static files) gets the scope a Starlette Mount
would give it. Lifespan events go to Starlette's Router as before.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from starlette.requests import Request
from starlette.routing import Router
from starlette.types import Receive, Scope, Send

from service.web.planner.exchange import EXCHANGE, Exchange
from service.web.planner.urls import BY_NAME, TABLE

Handler = Callable[..., Any]


class Dispatch(Router):
    def __init__(self, handlers: Mapping[str, Handler | Mapping[str, Handler]],
                 **kwargs: Any) -> None:
        super().__init__(**kwargs)
        missing = {e.name for e in TABLE} - set(handlers)
        unknown = set(handlers) - set(BY_NAME)
        if missing or unknown:
            raise ValueError(f"handlers missing: {missing}; unknown: {unknown}")
        self.handlers = dict(handlers)

    async def app(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await super().app(scope, receive, send)
            return
        exchange: Exchange = scope[EXCHANGE]
        assert exchange.endpoint is not None, "the planner routes before any handler"
        endpoint = exchange.endpoint
        handler = self.handlers[endpoint.name]
        if isinstance(handler, Mapping):
            method = scope["method"]
            handler = handler["GET" if method == "HEAD" else method]
        if endpoint.mount:
            prefix = endpoint.path[:endpoint.path.index("/{")]
            root = scope.get("root_path", "")
            child = {**scope, "root_path": root + prefix,
                     "app_root_path": scope.get("app_root_path", root),
                     "path_params": exchange.params}
            await handler(child, receive, send)
            return
        scope["path_params"] = exchange.params
        response = await handler(Request(scope, receive, send))
        await response(scope, receive, send)
