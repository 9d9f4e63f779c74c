"""Liveness, readiness, metrics and the workflow list."""

from __future__ import annotations

import asyncio
import hmac

import orjson
from redis.exceptions import RedisError
from starlette.requests import Request
from starlette.responses import Response

from service.errors import Unauthorized
from service.jobs.liveness import WORKER_SEEN_TTL, worker_seen
from service.pipeline import workflows
from service.web.checks import services, tenant_of
from service.wire.media import JSON, NO_STORE


async def healthz(request: Request) -> Response:
    return Response(b'{"status":"ok"}', media_type=JSON, headers={"cache-control": NO_STORE})


async def readyz(request: Request) -> Response:
    svc = services(request)
    checks: dict[str, str] = {}
    checks["store"] = "ok" if await asyncio.to_thread(svc.store.writable) else "not writable"
    database = await svc.state.database_check()
    if database is not None:
        checks["database"] = database
    if svc.redis is not None:
        try:
            async with asyncio.timeout(1.0):
                await svc.redis.ping()
            checks["redis"] = "ok"
        except (RedisError, OSError, TimeoutError) as exc:
            checks["redis"] = f"unreachable: {type(exc).__name__}"
    ready = all(v == "ok" for v in checks.values())
    objects = await svc.store.store_check()
    if objects is not None:
        # reported, not a reason to leave the load balancer: a store that is down is
        # down for every node, and the tiers still answer what they hold
        checks["objects"] = objects
    if svc.redis is not None and checks["redis"] == "ok":
        # reported, not a reason to leave the load balancer: reads need no worker
        try:
            async with asyncio.timeout(1.0):
                seen = await worker_seen(svc.redis)
            checks["workers"] = "ok" if seen else (
                f"no job worker seen in the last {WORKER_SEEN_TTL:g} s")
        except (RedisError, OSError, TimeoutError) as exc:
            checks["workers"] = f"unknown: {type(exc).__name__}"
    body = orjson.dumps({"status": "ok" if ready else "unavailable", "checks": checks})
    return Response(body, status_code=200 if ready else 503, media_type=JSON,
                    headers={"cache-control": NO_STORE})


async def metrics(request: Request) -> Response:
    token = services(request).settings.metrics_token
    if token is not None:
        # the exposition names tenants' routes and outcomes: not for everyone
        scheme, _, given = request.headers.get("authorization", "").partition(" ")
        if scheme.lower() != "bearer" or not hmac.compare_digest(given.strip().encode(),
                                                                 token.encode()):
            raise Unauthorized("/metrics needs Authorization: Bearer <FOLIO_METRICS_TOKEN>.",
                               "Bearer")
    return Response(services(request).metrics.expose(),
                    media_type="text/plain; version=0.0.4; charset=utf-8",
                    headers={"cache-control": NO_STORE})


async def list_workflows(request: Request) -> Response:
    await tenant_of(request)
    body = orjson.dumps([w.listing() for w in workflows.REGISTRY.values()])
    return Response(body, media_type=JSON, headers={"cache-control": NO_STORE})


handlers = {"healthz": healthz, "readyz": readyz, "metrics": metrics,
            "workflows": list_workflows}
