"""Everything a request handler needs, built once per process from the settings."""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import partial

from redis.asyncio import Redis
from redis.asyncio.cluster import RedisCluster

from cache import RedisCache
from cache.clients import client_for, close_client, primary_for
from service.access.apikeys import KeyRing
from service.access.gate import Gate
from service.access.ratelimit import MemoryRateLimiter, RateLimiter, RedisRateLimiter
from service.artifacts.records import Records, Watcher
from service.artifacts.store import FileStore
from service.config import Settings
from service.deletion.deleter import Deleter
from service.images.scaler import Scaler, cache_group
from service.jobs.queue import Queue, queue_for
from service.state.channels import PROCESSING
from service.state.stores import signer_for
from service.state.web_state import WebState, web_state_for
from service.wire.metrics import Metrics

log = logging.getLogger("folio")


@dataclass
class Services:
    settings: Settings
    store: FileStore
    keys: KeyRing
    limiter: RateLimiter
    records: Records
    watcher: Watcher
    metrics: Metrics
    scaler: Scaler
    queue: Queue
    gate: Gate  # signed URL, share token or API key
    state: WebState  # where records, keys and tokens live; invalidations
    redis: Redis | None = None
    cache_redis: Redis | RedisCluster | None = None  # only when the cache has a Redis of its own
    # what else keeps a processing in this process's memory (the planner's tiers)
    forgetters: list[Callable[[str], None]] = field(default_factory=list)
    deleter: Deleter = field(init=False)  # DELETE and the retention sweep

    def __post_init__(self) -> None:
        self.deleter = Deleter(self.store, self.gate.tokens, self.scaler, self.forget)

    def forget(self, processing_id: str) -> None:
        """Drop everything this process keeps of a processing that was deleted (here,
        or on another node: call it on the "deleted" notification)."""
        self.records.forget(processing_id)
        self.scaler.forget(processing_id)
        self.store.drop_copies(processing_id)
        for forget in self.forgetters:
            forget(processing_id)

    @classmethod
    def build(cls, settings: Settings) -> Services:
        store = FileStore.from_settings(settings)
        metrics = Metrics()
        redis = None
        limiter: RateLimiter
        redis_cache = None
        cache_client: Redis | RedisCluster | None = None
        if settings.redis_url:
            # no socket_timeout: every call is already bounded by its caller's
            # asyncio.timeout, and a second timer per read costs on the hot path
            redis = primary_for(settings.redis_url, settings.redis_timeout * 4)
            limiter = RedisRateLimiter(redis, settings.rate_limit_rps,
                                       settings.rate_limit_burst, settings.redis_timeout)
            cache_client = redis
        else:
            limiter = MemoryRateLimiter(settings.rate_limit_rps, settings.rate_limit_burst)
        if settings.redis_cache_url and settings.redis_cache_url != settings.redis_url:
            cache_client = client_for(settings.redis_cache_url, settings.redis_timeout * 4)
        if cache_client is not None:
            redis_cache = RedisCache(cache_client, settings.redis_cache_ttl,
                                     settings.redis_timeout, group_of=cache_group)
        # records, keys, share tokens, wake-ups, invalidation: files or PostgreSQL
        state = web_state_for(settings, store.directory, redis)
        keys = KeyRing(state.keys, settings.api_keys)
        state.on_keys_reloaded(keys.reload_soon)
        gate = Gate(signer_for(settings),
                    state.tokens, keys, limiter, metrics.access)
        records = Records(store, state.watcher)
        return cls(
            settings=settings,
            store=store,
            keys=keys,
            limiter=limiter,
            records=records,
            watcher=state.watcher,
            metrics=metrics,
            scaler=Scaler(settings, store, metrics, redis_cache),
            queue=queue_for(settings),
            gate=gate,
            redis=redis,
            cache_redis=cache_client if cache_client is not redis else None,
            state=state,
        )

    def start(self) -> None:
        """On the event loop, before the first request: listen for invalidations."""
        # a deleted processing leaves every node's memory (resync: records kept are
        # dropped when notifications may have been missed)
        self.state.invalidations.subscribe(PROCESSING, self.forget, self.records.forget_all)
        # and a deletion here is announced to every node (this one included)
        self.deleter.announcers.append(partial(self.state.invalidations.publish, PROCESSING))
        self.state.start()

    async def close(self) -> None:
        self.scaler.close()
        await self.queue.close()
        await self.state.close()
        for client in (self.redis, self.cache_redis):
            if client is not None:
                await close_client(client)
