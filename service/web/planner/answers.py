"""How the planner admits a request and shapes what it answers (CORS, HEAD, errors)."""

from __future__ import annotations

from service.access.gate import Access
from service.errors import ApiError
from service.web.context import Services
from service.web.planner.cors import Cors
from service.web.planner.exchange import AGAIN, Exchange, Reply, Step, _Again
from service.wire.errors import error_parts

RawHeaders = list[tuple[bytes, bytes]]


class Answers:
    def __init__(self, services: Services, cors: Cors) -> None:
        self.svc = services
        self.cors = cors

    def admit(self, ex: Exchange) -> Access | Reply | Step:
        """The gate's decision, kept in the exchange; a refusal is answered here."""
        if ex.access is not None:
            return ex.access
        facts = ex.facts
        args = (facts.method, facts.path, facts.query.decode("latin-1"), facts.authorization,
                ex.params["processing_id"])
        try:
            access = self.svc.gate.admit_now(*args)
        except ApiError as error:
            return self.error(ex, error)
        if access is not None:
            ex.access = access
            return access

        async def admit() -> Reply | _Again:
            try:
                ex.access = await self.svc.gate.admit(*args)
            except ApiError as error:
                return self.error(ex, error)
            return AGAIN

        return admit

    def reply(self, ex: Exchange, status: int, headers: RawHeaders, body: bytes) -> Reply:
        """The answer with its CORS headers; no body for HEAD."""
        if self.cors.active:
            headers = self.cors.decorate(ex.facts.path, ex.facts.origin, headers)
        return Reply(status, headers, b"" if ex.facts.method == "HEAD" else body)

    def error(self, ex: Exchange, error: ApiError) -> Reply:
        status, headers, body = error_parts(error)
        return self.reply(ex, status, headers, body)
