"""Builds the Starlette app from the settings."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import Response

from service.config import Settings
from service.deletion.retention import sweeper_for
from service.errors import ApiError, NotFound
from service.images.arenas import cap_malloc_arenas, keep_freed_memory
from service.pipeline import workflows
from service.web.body_timeout import BodyTimeout
from service.web.cache_policy import AnswerPolicy
from service.web.context import Services
from service.web.dispatch import Dispatch
from service.web.error_response import error_response
from service.web.fastpath import FastPath
from service.web.middleware import ObserveMiddleware, Observer
from service.web.planner.cors import Cors
from service.web.routes import deletion, docs, image_api, ops, results, sharing, submit, viewer

log = logging.getLogger("folio")
HANDLERS = {**results.handlers, **ops.handlers, **submit.handlers, **sharing.handlers,
            **docs.handlers, **image_api.handlers, **viewer.handlers, **deletion.handlers}


async def api_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, ApiError)
    return error_response(exc)


async def http_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, HTTPException)
    if exc.status_code == 404:
        return error_response(NotFound("Not found."))
    return error_response(ApiError(exc.detail, exc.status_code))


async def unexpected(request: Request, exc: Exception) -> Response:
    log.exception("unhandled error on %s", request.url.path)
    return error_response(ApiError("Internal server error."))


def create_app(settings: Settings | None = None) -> FastPath:
    """folio's ASGI app: the planner's front, then the Starlette app (its `app`)."""
    settings = settings or Settings.from_env()
    cap_malloc_arenas()  # before the render threads exist
    keep_freed_memory(settings.malloc_keep_bytes)
    workflows.load_plugins(settings.plugins)
    svc = Services.build(settings)

    @asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        svc.start()
        sweeper = sweeper_for(settings, svc.deleter, svc.redis)
        sweeping = asyncio.create_task(sweeper.run_forever()) if sweeper else None
        yield
        if sweeping is not None:
            sweeping.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await sweeping
        await svc.close()

    observer = Observer(svc.metrics, settings.access_log)
    middleware = [Middleware(ObserveMiddleware, observer=observer)]
    # one CORS policy: the planner's answers and, through AnswerPolicy, the handlers'
    cors = Cors(settings.cors_origins, settings.iiif_cors_origins)
    middleware.append(Middleware(AnswerPolicy, max_age=settings.signed_max_age, cors=cors))
    if settings.server == "granian":
        # uvicorn enforces it in folio's protocol class; behind the front, which
        # reads no body
        middleware.append(Middleware(BodyTimeout, seconds=settings.body_timeout))
    app = Starlette(
        middleware=middleware,
        exception_handlers={ApiError: api_error, HTTPException: http_error,
                            Exception: unexpected},
    )
    app.router = Dispatch(HANDLERS, lifespan=lifespan)
    app.state.services = svc
    return FastPath(app, svc, observer, cors)
