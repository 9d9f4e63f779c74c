"""Builds the Starlette app from the settings."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.middleware import Middleware
from starlette.middleware.cors import CORSMiddleware
from starlette.requests import Request
from starlette.responses import Response

from cache import RedisCache
from service.config import Settings
from service.errors import ApiError, NotFound
from service.images.arenas import cap_malloc_arenas
from service.images.scaler import Scaler
from service.jobs import workflows
from service.jobs.queue import queue_for
from service.web.context import Services
from service.web.fastpath import FastPath
from service.web.iiif_cors import IiifCors
from service.web.middleware import ObserveMiddleware
from service.web.routes import image_api, ops, results, submit, viewer

log = logging.getLogger("folio")

EXPOSED = ["Content-Range", "Accept-Ranges", "Content-Length", "Content-Encoding",
           "ETag", "Retry-After", "X-Cache", "Content-Disposition"]


async def api_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, ApiError)
    return exc.response()


async def http_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, HTTPException)
    if exc.status_code == 404:
        return NotFound("Not found.").response()
    error = ApiError(exc.detail)
    error.status = exc.status_code
    return error.response()


async def unexpected(request: Request, exc: Exception) -> Response:
    log.exception("unhandled error on %s", request.url.path)
    return ApiError("Internal server error.").response()


def create_app(settings: Settings | None = None, services: Services | None = None) -> Starlette:
    settings = settings or Settings.from_env()
    cap_malloc_arenas()  # before the render threads exist
    workflows.load_plugins(settings.plugins)
    svc = services or Services.build(settings)
    if "scaler" not in svc.extras:
        redis_cache = None
        if svc.redis is not None:
            redis_cache = RedisCache(svc.redis, settings.redis_cache_ttl, settings.redis_timeout)
        svc.extras["scaler"] = Scaler(settings, svc.store, svc.metrics, redis_cache)
    scaler: Scaler = svc.extras["scaler"]
    if "queue" not in svc.extras:
        svc.extras["queue"] = queue_for(settings)

    @asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        for hook in svc.extras.get("startup", []):
            await hook()
        yield
        for hook in svc.extras.get("shutdown", []):
            await hook()
        scaler.close()
        close = getattr(svc.extras["queue"], "close", None)
        if close is not None:
            await close()
        await svc.close()

    middleware = [Middleware(ObserveMiddleware, metrics=svc.metrics,
                             access_log=settings.access_log),
                  Middleware(IiifCors, origins=settings.iiif_cors_origins)]
    if settings.cors_origins:
        middleware.append(Middleware(
            CORSMiddleware, allow_origins=list(settings.cors_origins),
            allow_methods=["GET", "HEAD", "POST", "OPTIONS"],
            allow_headers=["Authorization", "Range", "If-None-Match", "If-Range",
                           "Content-Type"],
            expose_headers=EXPOSED, max_age=600,
        ))
    middleware.append(Middleware(FastPath, services=svc, scaler=scaler))
    app = Starlette(
        routes=[*results.routes, *ops.routes, *submit.routes, *image_api.routes,
                *viewer.routes],
        middleware=middleware,
        exception_handlers={ApiError: api_error, HTTPException: http_error,
                            Exception: unexpected},
        lifespan=lifespan,
    )
    app.state.services = svc
    return app
