"""The floor folio is compared against: Starlette endpoints doing the least possible work.

Run under the same uvicorn settings as `folio serve` (uvloop, httptools, one
worker, no access log), e.g.

    BENCH_FILE=img.jpg BENCH_ETAG='"x"' .venv/bin/python -m uvicorn benchmarks.bare_app:app \
        --loop uvloop --http httptools --workers 1 --no-access-log --port 9000

Routes:
  /bytes  the bytes of $BENCH_FILE, held in memory (what a memory-cache hit can cost at best)
  /redis  one GET of $BENCH_REDIS_KEY from $BENCH_REDIS_URL (redis.asyncio + hiredis)
  /etag   304 when If-None-Match equals $BENCH_ETAG, else the bytes
"""

from __future__ import annotations

import os
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

DATA = Path(os.environ["BENCH_FILE"]).read_bytes() if os.environ.get("BENCH_FILE") else b""
ETAG = os.environ.get("BENCH_ETAG", '"bench"')
MEDIA = os.environ.get("BENCH_MEDIA_TYPE", "image/jpeg")
HEADERS = {"etag": ETAG, "cache-control": "public, max-age=31536000, immutable"}
_state: dict[str, Any] = {}


async def data(request: Request) -> Response:
    return Response(DATA, media_type=MEDIA, headers=HEADERS)


async def from_redis(request: Request) -> Response:
    body = await _state["redis"].get(os.environ["BENCH_REDIS_KEY"])
    if body is None:
        return Response(b"missing", status_code=404)
    return Response(body, media_type=MEDIA, headers=HEADERS)


async def etag(request: Request) -> Response:
    if request.headers.get("if-none-match") == ETAG:
        return Response(status_code=304, headers=HEADERS)
    return Response(DATA, media_type=MEDIA, headers=HEADERS)


@asynccontextmanager
async def lifespan(app: Starlette) -> AsyncIterator[None]:
    url = os.environ.get("BENCH_REDIS_URL")
    if url:
        from redis.asyncio import Redis

        _state["redis"] = Redis.from_url(url)
    yield
    if "redis" in _state:
        await _state["redis"].aclose()


app = Starlette(routes=[Route("/bytes", data), Route("/redis", from_redis),
                        Route("/etag", etag)], lifespan=lifespan)
