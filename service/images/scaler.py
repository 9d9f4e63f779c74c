"""Page images at any size: size math first, then the two-tier cache, then pyvips.

The order is the algorithm (the HTTP side, `web/routes/results.py` and the fast
path, parses the query and answers 304s; this module holds the rest):
  1. `resolve`: the output size from the page size in the record (no pixels), or
     None when the output is exactly the stored image; the ETag and cache key from
     (id, version, page, size, format, quality);
  2. `cached`: the memory tier, then Redis;
  3. `image`: one render per key (coalesced in and across processes), in a bounded
     thread pool; a full backlog answers 503.
"""

from __future__ import annotations

import asyncio
import time
from collections import OrderedDict
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any, ClassVar, Protocol

from cache import MemoryCache, Outcome, RedisCache, SingleFlight, TieredCache
from service.artifacts.catalogue import page_file
from service.artifacts.record import Record
from service.artifacts.store import FileStore
from service.config import Settings
from service.errors import ApiError, Busy, NotFound
from service.images import imaging
from service.images.decoded import DecodedPages
from service.wire.etags import etag_for
from service.wire.metrics import Metrics

DEFAULT_FORMAT = "jpeg"
DELETED_MEMO = 10_000  # deleted processings remembered, newest kept


def cache_prefix(processing_id: str) -> str:
    """What the cache key of every image made from the processing starts with."""
    return f"img:{processing_id}:"


def cache_group(key: str) -> str | None:
    """The processing an image's cache key belongs to: its entries in Redis are
    indexed by it, so a deletion finds them without a SCAN."""
    kind, _, rest = key.partition(":")
    return rest.partition(":")[0] if kind == "img" else None


@dataclass(frozen=True, slots=True)
class Variant:
    processing_id: str
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
    # a whole-page size renders from the file (shrink-on-load, little memory) rather
    # than wait for another render's decode of the page
    waits_for_decode: ClassVar[bool] = False
    decodes: ClassVar[bool] = True

    def draw(self, path: str, image: Any) -> bytes:
        """In a render thread: from the decoded page when there is one, else the file."""
        if image is not None:
            return imaging.render_decoded(image, self.width, self.height, self.fmt,
                                          self.quality)
        return imaging.render(path, self.width, self.height, self.fmt, self.quality)


@dataclass(frozen=True, slots=True)
class StoredPage:
    """The page image as processed: a size like any other, whose "render" reads the
    stored file (no decode, no re-encode), so it is answered from the same tiers."""

    processing_id: str
    source: int
    source_key: str
    source_size: tuple[int, int]
    etag: str
    key: str
    media_type: str = imaging.FORMATS[DEFAULT_FORMAT]
    waits_for_decode: ClassVar[bool] = False
    decodes: ClassVar[bool] = False

    def draw(self, path: str, image: Any) -> bytes:
        with open(path, "rb") as handle:
            return handle.read()


class Rendering(Protocol):
    """What the cache tiers, singleflight and render pool need of an image made from a
    stored page: a `Variant` here, an IIIF `Tile` in `service.images.tiles`."""

    @property
    def processing_id(self) -> str: ...
    @property
    def source(self) -> int: ...  # page number of the stored image it is made from
    @property
    def source_key(self) -> str: ...
    @property
    def source_size(self) -> tuple[int, int]: ...
    @property
    def key(self) -> str: ...
    @property
    def etag(self) -> str: ...
    @property
    def media_type(self) -> str: ...
    # True: when a decode of the page is in flight, wait for it and render from memory
    waits_for_decode: ClassVar[bool]
    # False: drawing needs no decoded page (the stored page itself)
    decodes: ClassVar[bool]

    def draw(self, path: str, image: Any) -> bytes: ...


@dataclass(frozen=True, slots=True)
class ScaleParams:
    width: int | None
    height: int | None
    fmt: str
    quality: int | None
    negotiated: bool = False  # fmt was chosen from Accept (format=auto)


class Scaler:
    def __init__(self, settings: Settings, store: FileStore, metrics: Metrics,
                 redis_cache: RedisCache | None) -> None:
        self.settings = settings
        self.store = store
        self.metrics = metrics
        self.memory = MemoryCache(settings.memory_cache_bytes, settings.memory_cache_ttl)
        self.cache = TieredCache(self.memory, redis_cache)
        self.flight = SingleFlight(self.cache, redis_cache, lease_ms=settings.render_lease_ms,
                                   wait_timeout=settings.render_lease_ms / 1000 * 2)
        self.pool = ThreadPoolExecutor(settings.render_threads, thread_name_prefix="render")
        self.decoded = DecodedPages(settings.decoded_cache_bytes, settings.decode_concurrency)
        # source key -> the decode of that page in flight, for renders arriving meanwhile
        self.decoding: dict[str, asyncio.Future[Any]] = {}
        # processings deleted while this process runs: a render under way is not cached
        self.deleted: OrderedDict[str, None] = OrderedDict()
        self.backlog = 0
        self._memory_hits = metrics.cache_hits.labels("memory")
        self._redis_hits = metrics.cache_hits.labels("redis")
        imaging.configure_vips()

    def resolve(self, record: Record, page_num: int | None, params: ScaleParams
                ) -> Variant | StoredPage:
        """What a request resolves to, from the record alone: a scaled variant, or the
        stored page itself when the size, format and quality are the page's.

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
                return self.stored(record, page_num)
            label = f"p{page_num}"
            source = page_num
        quality = params.quality or self.settings.default_quality
        name = f"{label}-{out_w}x{out_h}-{quality}.{params.fmt}"
        return Variant(
            processing_id=record.processing_id, source=source,
            source_key=f"{record.processing_id}:{record.version}:{source}",
            source_size=(page_w, page_h), width=out_w, height=out_h,
            fmt=params.fmt, quality=quality,
            etag=etag_for(record.version, name),
            key=f"{cache_prefix(record.processing_id)}{record.version}:{name}",
            media_type=imaging.FORMATS[params.fmt],
        )

    def stored(self, record: Record, page_num: int) -> StoredPage:
        """The stored page `page_num`, with the ETag its file answer always had."""
        return StoredPage(
            processing_id=record.processing_id, source=page_num,
            source_key=f"{record.processing_id}:{record.version}:{page_num}",
            source_size=record.pages[page_num - 1],
            etag=etag_for(record.version, "page", page_num),
            key=f"{cache_prefix(record.processing_id)}{record.version}:p{page_num}-stored")

    # -- the cache tiers, then one render per key ---------------------------

    def cached_now(self, variant: Rendering) -> tuple[bytes, Outcome] | None:
        """The variant from the memory tier; None when it is not there."""
        body = self.memory.get_nowait(variant.key)
        if body is None:
            return None
        self._memory_hits.inc()
        return body, "hit-memory"

    @property
    def shared_tier(self) -> bool:
        """Whether a memory miss is looked up in Redis before rendering."""
        return self.cache.l2 is not None

    async def cached_shared(self, variant: Rendering) -> tuple[bytes, Outcome] | None:
        """The variant from Redis (copied into memory); None on a miss."""
        shared = self.cache.l2
        body = await shared.get(variant.key) if shared is not None else None
        if body is None:
            return None
        self.memory.set_nowait(variant.key, body)
        self._redis_hits.inc()
        return body, "hit-redis"

    async def image(self, variant: Rendering, known_miss: bool = False) -> tuple[bytes, Outcome]:
        """The variant's bytes, rendering it once however many ask at the same time.

        `known_miss`: `cached` has just missed, so the tiers are not read again.
        """
        async def compute() -> bytes:
            path = await self.store.fetch(variant.processing_id, page_file(variant.source))
            body = await self._render(str(path), variant)
            if variant.processing_id in self.deleted:
                raise NotFound("No processing with this id.")  # nothing cached after all
            return body

        body, outcome = await self.flight.get_or_compute(
            variant.key, compute, ttl=self.settings.redis_cache_ttl, known_miss=known_miss)
        if outcome == "hit-memory":
            self._memory_hits.inc()
        elif outcome == "hit-redis":
            self._redis_hits.inc()
        elif outcome == "coalesced":
            self.metrics.coalesced.inc()
        else:
            self.metrics.cache_misses.inc()
        return body, outcome

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
            key = variant.source_key
            image = self.decoded.get(key)
            if image is None and variant.waits_for_decode and key in self.decoding:
                # a viewer's burst of tiles for one page: they wait for the one decode
                # in flight rather than each reading the file
                image = await self.decoding[key]
            # at least one byte a pixel: a page that cannot fit is never decoded whole
            if image is None and variant.decodes and self.decoded.claim(
                    key, variant.source_size[0] * variant.source_size[1]):
                image = await self._decode(path, key)
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
        """Decode a claimed page whole, once, for the renders waiting on it.

        None when it failed or would not fit the budget: the waiters read the file.
        """
        loop = asyncio.get_running_loop()
        shared: asyncio.Future[Any] = loop.create_future()
        self.decoding[source_key] = shared
        image = None
        try:
            image = await loop.run_in_executor(self.pool, imaging.decode, path,
                                               self.decoded.max_bytes)
            if image is not None:
                self.decoded.put(source_key, image)
            return image
        finally:
            self.decoded.release(source_key)
            shared.set_result(image)
            del self.decoding[source_key]

    # -- a deleted processing ------------------------------------------------

    def forget(self, processing_id: str) -> None:
        """Drop the processing's images from this process's memory."""
        self.deleted[processing_id] = None
        if len(self.deleted) > DELETED_MEMO:
            self.deleted.popitem(last=False)
        self.memory.delete_prefix_nowait(cache_prefix(processing_id))
        self.decoded.drop_prefix(processing_id + ":")

    async def purge(self, processing_id: str) -> None:
        """Delete the processing's images from the shared tier too (every node's Redis).

        Raises cache.CacheUnavailable when Redis cannot be reached: the entries then
        expire with their TTL."""
        self.forget(processing_id)
        if isinstance(self.cache.l2, RedisCache):
            await self.cache.l2.delete_group(processing_id)

    def close(self) -> None:
        self.pool.shutdown(wait=False, cancel_futures=True)
