"""Everything a request handler needs, built once per process from the settings."""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from typing import Any

from redis.asyncio import Redis

from service.access.apikeys import KeyFile, KeyRing
from service.access.ratelimit import MemoryRateLimiter, RateLimiter, RedisRateLimiter
from service.artifacts.records import Records
from service.artifacts.store import FileStore
from service.artifacts.watch import RecordWatcher
from service.config import Settings
from service.web.metrics import Metrics

log = logging.getLogger("folio")


@dataclass
class Services:
    settings: Settings
    store: FileStore
    keys: KeyRing
    limiter: RateLimiter
    records: Records
    watcher: RecordWatcher
    metrics: Metrics
    redis: Redis | None = None
    extras: dict[str, Any] = field(default_factory=dict)

    @classmethod
    def build(cls, settings: Settings) -> Services:
        store = FileStore(settings.data_dir)
        watcher = RecordWatcher()
        redis = None
        limiter: RateLimiter
        if settings.redis_url:
            # no socket_timeout: every call is already bounded by its caller's
            # asyncio.timeout, and a second timer per read costs on the hot path
            redis = Redis.from_url(settings.redis_url,
                                   socket_connect_timeout=settings.redis_timeout * 4)
            limiter = RedisRateLimiter(redis, settings.rate_limit_rps,
                                       settings.rate_limit_burst, settings.redis_timeout)
        else:
            limiter = MemoryRateLimiter(settings.rate_limit_rps, settings.rate_limit_burst)
        return cls(
            settings=settings,
            store=store,
            keys=KeyRing(KeyFile(settings.data_dir), settings.api_keys),
            limiter=limiter,
            records=Records(store, watcher),
            watcher=watcher,
            metrics=Metrics(),
            redis=redis,
        )

    async def close(self) -> None:
        self.watcher.close()
        if self.redis is not None:
            await self.redis.aclose()
