"""folio's ASGI front: every request's facts are read once and planned once.

The planner (`service.web.planner`) answers what it can in bytes (404, 405,
CORS preflights, a refusal by the gate, a hot image or artifact, 304, 412);
everything else goes to the Starlette app behind (its `app`), whose router
calls the endpoint's handler (`service.web.dispatch`) with the decisions kept
in the exchange. A head that cannot be read (a doubled Authorization or Host,
HTTP/1.1 without Host) is answered 400 here. The planner's own answers are
counted and logged here (`sent`); the app's by its ObserveMiddleware.

uvicorn's parser lane (`service.web.http_protocol`) asks `now` as soon as a
head is parsed and writes the answer itself when there is one; what it could
not finish it leaves to this app's call (`defer`), so nothing is decided twice.
"""

from __future__ import annotations

import logging
import time

from starlette.types import ASGIApp, Receive, Scope, Send

from service.errors import ApiError
from service.web.context import Services
from service.web.middleware import Observer
from service.web.planner.cors import Cors
from service.web.planner.exchange import AGAIN, EXCHANGE, Exchange, Reply, Step
from service.web.planner.facts import read_facts
from service.web.planner.plan import Planner
from service.wire.errors import error_parts

log = logging.getLogger("folio")

START = "folio.start"  # perf_counter when the parser lane read the head
MAX_STEPS = 3  # awaits one request can take (admit, a tier, a load); more is a bug

__all__ = ["START", "FastPath", "Reply", "Step"]


class FastPath:
    def __init__(self, app: ASGIApp, services: Services, observer: Observer,
                 cors: Cors) -> None:
        self.app = app
        self.svc = services
        self.observer = observer
        self.planner = Planner(services, cors)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        try:
            ex = scope.get(EXCHANGE)
            if ex is not None and ex.asked:
                ex.asked = False
                step = ex.pending
            else:
                step = self.now(scope)
            for _ in range(MAX_STEPS):
                if not callable(step):
                    break
                result = await step()
                step = self.planner.plan(scope[EXCHANGE]) if result is AGAIN else result
            if callable(step):
                raise RuntimeError(f"the planner took more than {MAX_STEPS} steps")
        except Exception:
            log.exception("unhandled error on %s", scope["path"])
            status, headers, body = error_parts(ApiError("Internal server error."))
            step = Reply(status, headers, body)
        if step is None:
            await self.app(scope, receive, send)
            return
        await send({"type": "http.response.start", "status": step.status,
                    "headers": step.headers})
        await send({"type": "http.response.body", "body": step.body, "more_body": False})
        self.sent(scope, step)

    def now(self, scope: Scope) -> Reply | Step | None:
        """The planner's answer, as far as it goes without waiting."""
        start = scope.get(START) or time.perf_counter()
        try:
            facts = read_facts(scope["method"], scope["path"], scope["query_string"],
                               scope.get("http_version", "1.1"), scope["headers"])
        except ApiError as error:
            status, headers, body = error_parts(error)
            scope[EXCHANGE] = None
            scope.setdefault(START, start)
            return Reply(status, headers, b"" if scope["method"] == "HEAD" else body)
        ex = Exchange(facts, start)
        scope[EXCHANGE] = ex
        return self.planner.plan(ex)

    def defer(self, scope: Scope, step: Step | None) -> None:
        """Leave what `now` gave (a step, or None) to the app's call for the same request."""
        ex: Exchange | None = scope.get(EXCHANGE)
        if ex is not None:
            ex.pending = step
            ex.asked = True

    def sent(self, scope: Scope, reply: Reply) -> None:
        """Count an answer once it is written (what ObserveMiddleware does for the app)."""
        ex: Exchange | None = scope.get(EXCHANGE)
        self.observer.done(scope, reply.status, len(reply.body),
                           ex.start if ex is not None else scope.get(START, time.perf_counter()))
