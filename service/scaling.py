"""Page images at any size: size math first, then the two-tier cache, then pyvips.

The order is the algorithm:
  1. validate width/height/format/quality;
  2. compute the output size from the page size in the record (no pixels);
  3. the stored image itself when the output is exactly it;
  4. ETag from (id, page, size, format, quality, version) → 304 with no render, no Redis;
  5. the memory tier, then Redis, then one render per key (coalesced in and across processes);
  6. the render runs in a bounded thread pool; a full backlog answers 503.
"""

from __future__ import annotations

import asyncio
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any

from starlette.requests import Request
from starlette.responses import Response

from cache import MemoryCache, RedisCache, SingleFlight, TieredCache
from service import imaging
from service.config import Settings
from service.errors import ApiError, Busy, NotFound
from service.guard import int_param, processing, require_finished
from service.http import IMMUTABLE, etag_for, file_response, not_modified, not_modified_response
from service.metrics import Metrics
from service.results import page_file
from service.store import FileStore, Record

DEFAULT_FORMAT = "jpeg"


@dataclass(frozen=True, slots=True)
class ScaleParams:
    width: int | None
    height: int | None
    fmt: str
    quality: int | None


class Scaler:
    def __init__(self, settings: Settings, store: FileStore, metrics: Metrics,
                 redis_cache: RedisCache | None) -> None:
        self.settings = settings
        self.store = store
        self.metrics = metrics
        self.memory = MemoryCache(settings.memory_cache_bytes, settings.memory_cache_ttl)
        self.cache = TieredCache(self.memory, redis_cache)
        self.flight = SingleFlight(self.cache, lease_ms=settings.render_lease_ms,
                                   wait_timeout=settings.render_lease_ms / 1000 * 2)
        self.pool = ThreadPoolExecutor(settings.render_threads, thread_name_prefix="render")
        self.backlog = 0
        imaging.configure_vips()

    # -- request parsing -----------------------------------------------------

    def parse(self, request: Request, errors: list[dict[str, Any]]) -> ScaleParams:
        query = request.query_params
        limit = self.settings.image_max_dimension
        width = int_param(query.get("width"), ("query", "width"), errors, minimum=1,
                          maximum=limit)
        height = int_param(query.get("height"), ("query", "height"), errors, minimum=1,
                           maximum=limit)
        quality = int_param(query.get("quality"), ("query", "quality"), errors, minimum=1,
                            maximum=100)
        fmt = query.get("format", DEFAULT_FORMAT).lower()
        if fmt == "jpg":
            fmt = "jpeg"
        if fmt not in imaging.FORMATS:
            errors.append({"loc": ["query", "format"],
                           "msg": "Input should be " + ", ".join(imaging.FORMATS),
                           "type": "enum"})
            fmt = DEFAULT_FORMAT
        return ScaleParams(width, height, fmt, quality)

    # -- endpoints -----------------------------------------------------------

    async def page(self, request: Request, record: Record, page_num: int,
                   params: ScaleParams) -> Response:
        page_w, page_h = record.pages[page_num - 1]
        out_w, out_h = imaging.output_size(page_w, page_h, params.width, params.height)
        path = self.store.artifact(record.processing_id, page_file(page_num))
        if (out_w, out_h) == (page_w, page_h) and params.fmt == DEFAULT_FORMAT \
                and params.quality is None:
            return file_response(request, path, media_type="image/jpeg",
                                 etag=etag_for(record.version, "page", page_num))
        return await self._scaled(request, record, path, f"p{page_num}", out_w, out_h, params)

    async def thumbnail(self, request: Request) -> Response:
        errors: list[dict[str, Any]] = []
        params = self.parse(request, errors)
        record = await processing(request, errors)
        if record.status == "succeeded" and "thumbnail" not in record.results:
            raise NotFound("This result is not available for this processing.")
        pending = require_finished(record)
        if pending is not None:
            return pending
        if not record.pages:
            raise NotFound("This processing has no pages.")
        side = self.settings.thumbnail_size
        page_w, page_h = record.pages[0]
        out_w, out_h = imaging.output_size(page_w, page_h, side, side)
        path = self.store.artifact(record.processing_id, page_file(1))
        return await self._scaled(request, record, path, "thumb", out_w, out_h, params)

    async def _scaled(self, request: Request, record: Record, path: Any, label: str,
                      out_w: int, out_h: int, params: ScaleParams) -> Response:
        quality = params.quality or self.settings.default_quality
        variant = f"{label}-{out_w}x{out_h}-{quality}.{params.fmt}"
        etag = etag_for(record.version, variant)
        if not_modified(request, etag):
            return not_modified_response(etag)
        key = f"img:{record.processing_id}:{record.version}:{variant}"

        async def compute() -> bytes:
            return await self._render(str(path), out_w, out_h, params.fmt, quality)

        body, outcome = await self.flight.get_or_compute(
            key, compute, ttl=self.settings.redis_cache_ttl)
        if outcome == "hit-memory":
            self.metrics.cache_hits.labels("memory").inc()
        elif outcome == "hit-redis":
            self.metrics.cache_hits.labels("redis").inc()
        elif outcome == "coalesced":
            self.metrics.coalesced.inc()
        else:
            self.metrics.cache_misses.inc()
        return Response(body, media_type=imaging.FORMATS[params.fmt], headers={
            "etag": etag, "cache-control": IMMUTABLE, "x-cache": outcome})

    async def _render(self, path: str, out_w: int, out_h: int, fmt: str, quality: int) -> bytes:
        if self.backlog >= self.settings.render_backlog:
            raise Busy(headers={"retry-after": "1"})
        self.backlog += 1
        self.metrics.backlog.set(self.backlog)
        start = time.perf_counter()
        try:
            loop = asyncio.get_running_loop()
            return await loop.run_in_executor(self.pool, imaging.render, path, out_w, out_h,
                                               fmt, quality)
        except imaging.ImagingError:
            raise ApiError("The stored page image could not be read.") from None
        finally:
            self.backlog -= 1
            self.metrics.backlog.set(self.backlog)
            self.metrics.renders.inc()
            self.metrics.render_seconds.observe(time.perf_counter() - start)

    def close(self) -> None:
        self.pool.shutdown(wait=False, cancel_futures=True)
