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
from collections.abc import Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any, Protocol

from starlette.requests import Request
from starlette.responses import Response

from cache import MemoryCache, RedisCache, SingleFlight, TieredCache
from service.artifacts.catalogue import page_file
from service.artifacts.record import Record
from service.artifacts.store import FileStore
from service.config import Settings
from service.errors import ApiError, Busy, NotFound
from service.images import imaging
from service.images.decoded import DecodedPages
from service.web.checks import int_param, processing, ready, services
from service.web.conditional import (
    IMMUTABLE,
    etag_for,
    file_response,
    not_modified,
    not_modified_response,
)
from service.web.metrics import Metrics

DEFAULT_FORMAT = "jpeg"


def scaler_of(request: Request) -> Scaler:
    scaler: Scaler = services(request).extras["scaler"]
    return scaler


@dataclass(frozen=True, slots=True)
class Variant:
    source: int  # page number of the stored image it is made from
    source_key: str  # that stored image's identity: id, version, page
    source_size: tuple[int, int]  # its pixel size, from the record
    width: int
    height: int
    fmt: str
    quality: int
    etag: str
    key: str  # cache key: id, version, page, output size, format, quality
    media_type: str

    def draw(self, path: str, image: Any) -> bytes:
        """In a render thread: from the decoded page when there is one, else the file."""
        if image is not None:
            return imaging.render_decoded(image, self.width, self.height, self.fmt,
                                          self.quality)
        return imaging.render(path, self.width, self.height, self.fmt, self.quality)


class Rendering(Protocol):
    """What the cache, singleflight and render pool need of an image made from a page:
    a `Variant` here, an IIIF `Tile` in `service.images.tiles`."""

    @property
    def source(self) -> int: ...  # page number of the stored image it is made from
    @property
    def source_key(self) -> str: ...
    @property
    def source_size(self) -> tuple[int, int]: ...
    @property
    def etag(self) -> str: ...
    @property
    def key(self) -> str: ...
    @property
    def media_type(self) -> str: ...

    def draw(self, path: str, image: Any) -> bytes: ...


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
        self.decoded = DecodedPages(settings.decoded_cache_bytes)
        # source key -> the decode of that page in flight, for renders arriving meanwhile
        self.decoding: dict[str, asyncio.Future[Any]] = {}
        self.backlog = 0
        imaging.configure_vips()

    # -- request parsing -----------------------------------------------------

    def parse(self, request: Request, errors: list[dict[str, Any]]) -> ScaleParams:
        return self.parse_query(request.query_params, errors)

    def parse_query(self, query: Mapping[str, str], errors: list[dict[str, Any]]
                    ) -> ScaleParams:
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

    def variant(self, record: Record, page_num: int | None, params: ScaleParams
                ) -> Variant | None:
        """What a request resolves to, from the record alone; None = the stored page itself.

        `page_num` None is the thumbnail: page 1 inside the configured box.
        """
        if page_num is None:
            side = self.settings.thumbnail_size
            page_w, page_h = record.pages[0]
            out_w, out_h = imaging.output_size(page_w, page_h, side, side)
            label = "thumb"
            source = 1
        else:
            page_w, page_h = record.pages[page_num - 1]
            out_w, out_h = imaging.output_size(page_w, page_h, params.width, params.height)
            if (out_w, out_h) == (page_w, page_h) and params.fmt == DEFAULT_FORMAT \
                    and params.quality is None:
                return None
            label = f"p{page_num}"
            source = page_num
        quality = params.quality or self.settings.default_quality
        name = f"{label}-{out_w}x{out_h}-{quality}.{params.fmt}"
        return Variant(
            source=source, source_key=f"{record.processing_id}:{record.version}:{source}",
            source_size=(page_w, page_h), width=out_w, height=out_h,
            fmt=params.fmt, quality=quality,
            etag=etag_for(record.version, name),
            key=f"img:{record.processing_id}:{record.version}:{name}",
            media_type=imaging.FORMATS[params.fmt],
        )

    # -- endpoints -----------------------------------------------------------

    async def page(self, request: Request, record: Record, page_num: int,
                   params: ScaleParams) -> Response:
        variant = self.variant(record, page_num, params)
        if variant is None:
            path = self.store.artifact(record.processing_id, page_file(page_num))
            return file_response(request, path, media_type="image/jpeg",
                                 etag=etag_for(record.version, "page", page_num))
        return await self.scaled(request, record, variant)

    async def thumbnail(self, request: Request) -> Response:
        errors: list[dict[str, Any]] = []
        params = self.parse(request, errors)
        record = await processing(request, errors)
        pending = ready(record, "thumbnail")
        if pending is not None:
            return pending
        if not record.pages:
            raise NotFound("This processing has no pages.")
        variant = self.variant(record, None, params)
        assert variant is not None
        return await self.scaled(request, record, variant)

    async def scaled(self, request: Request, record: Record, variant: Rendering) -> Response:
        if not_modified(request, variant.etag):
            return not_modified_response(variant.etag)
        path = str(self.store.artifact(record.processing_id, page_file(variant.source)))

        async def compute() -> bytes:
            return await self._render(path, variant)

        body, outcome = await self.flight.get_or_compute(
            variant.key, compute, ttl=self.settings.redis_cache_ttl)
        if outcome == "hit-memory":
            self.metrics.cache_hits.labels("memory").inc()
        elif outcome == "hit-redis":
            self.metrics.cache_hits.labels("redis").inc()
        elif outcome == "coalesced":
            self.metrics.coalesced.inc()
        else:
            self.metrics.cache_misses.inc()
        return Response(body, media_type=variant.media_type, headers={
            "etag": variant.etag, "cache-control": IMMUTABLE, "x-cache": outcome})

    async def _render(self, path: str, variant: Rendering) -> bytes:
        # the stored page's size from the record: checked before anything is decoded
        if not imaging.pixels_ok(*variant.source_size, self.settings.max_megapixels):
            raise ApiError("The stored page image is larger than the pixel limit.")
        if self.backlog >= self.settings.render_backlog:
            raise Busy(headers={"retry-after": "1"})
        self.backlog += 1
        self.metrics.backlog.set(self.backlog)
        start = time.perf_counter()
        try:
            image = self.decoded.get(variant.source_key)
            if image is None and variant.source_key in self.decoding:
                # a viewer's burst of tiles for one page: one decode, shared
                image = await self.decoding[variant.source_key]
            if image is None and self.decoded.wants(variant.source_key):
                image = await self._decode(path, variant.source_key)
            loop = asyncio.get_running_loop()
            body: bytes = await loop.run_in_executor(self.pool, variant.draw, path, image)
            return body
        except imaging.ImagingError:
            raise ApiError("The stored page image could not be read.") from None
        finally:
            self.backlog -= 1
            self.metrics.backlog.set(self.backlog)
            self.metrics.renders.inc()
            self.metrics.render_seconds.observe(time.perf_counter() - start)

    async def _decode(self, path: str, source_key: str) -> Any:
        """Decode a page whole, once, for the renders waiting on it (None if it failed)."""
        loop = asyncio.get_running_loop()
        shared: asyncio.Future[Any] = loop.create_future()
        self.decoding[source_key] = shared
        image = None
        try:
            image = await loop.run_in_executor(self.pool, imaging.decode, path)
            self.decoded.put(source_key, image)
            return image
        finally:
            shared.set_result(image)  # waiters fall back to the file on None
            del self.decoding[source_key]

    def close(self) -> None:
        self.pool.shutdown(wait=False, cancel_futures=True)
