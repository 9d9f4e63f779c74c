"""The planner: one decision per request, from its facts to what to send.

    facts ─► CORS preflight? ─► route (404, 405 + Allow) ─► hot answer? ─► handler

`plan` answers at once (a Reply), with a step to await first (then plan again,
`AGAIN`), or None: hand the request to the endpoint's handler, with everything
decided so far in the exchange.
"""

from __future__ import annotations

from service.artifacts.bodies import Bodies
from service.errors import ApiError, NotFound
from service.web.context import Services
from service.web.planner import urls
from service.web.planner.answers import Answers
from service.web.planner.artifacts import STORED
from service.web.planner.cors import Cors
from service.web.planner.exchange import Exchange, Reply, Step
from service.web.planner.hot import IMAGES, Hot
from service.web.planner.negotiation import Variants


class Planner:
    def __init__(self, services: Services, cors: Cors) -> None:
        settings = services.settings
        self.cors = cors
        self.answers = Answers(services, self.cors)
        self.bodies = Bodies(settings.memory_artifact_bytes, settings.memory_artifact_max_bytes)
        self.variants = Variants(services.scaler, settings)
        self.hot = Hot(self.answers, self.bodies, self.variants)
        services.forgetters.append(self.forget)

    def forget(self, processing_id: str) -> None:
        """Drop what the planner keeps of a deleted processing."""
        self.bodies.forget(processing_id)
        self.variants.forget(processing_id)

    def plan(self, ex: Exchange) -> Reply | Step | None:
        facts = ex.facts
        if ex.endpoint is None:
            if facts.method == "OPTIONS" and facts.origin is not None \
                    and facts.request_method is not None:
                preflight = self.cors.preflight(facts.path, facts.origin, facts.request_method,
                                                facts.request_headers)
                if preflight is not None:
                    status, headers, error = preflight
                    if error is not None:
                        return self._error_with(ex, error, headers)
                    body = b"OK" if status == 200 else b""
                    if body:
                        headers = [*headers, (b"content-length", b"2"),
                                   (b"content-type", b"text/plain; charset=utf-8")]
                    return Reply(status, headers, body)
            found = urls.route(facts.method, facts.path)
            if found is None:
                return self.answers.error(ex, NotFound("Not found."))
            if isinstance(found, urls.WrongMethod):
                return self.answers.error(ex, ApiError("Method Not Allowed", 405,
                                                       {"allow": found.allow}))
            ex.endpoint, ex.params = found.endpoint, found.params
        if facts.method not in ("GET", "HEAD"):
            return None
        name = ex.endpoint.name
        if name in IMAGES:
            return self.hot.image(ex)
        if name in STORED and self.bodies.enabled:
            return self.hot.artifact(ex)
        return None

    def _error_with(self, ex: Exchange, error: ApiError, headers: list[tuple[bytes, bytes]]
                    ) -> Reply:
        reply = self.answers.error(ex, error)
        names = {n for n, _ in reply.headers}
        return reply._replace(headers=[*reply.headers,
                                       *((n, v) for n, v in headers if n not in names)])
