"""Compute each missing value once, however many callers ask for it at the same time.

Within a process, concurrent callers for a key share one asyncio future. Across
processes, the caller holding the Redis lease computes while the others poll the
cache: check, lock, check again, compute, store, release. If the lease vanishes
without a value (its holder died or overran ``lease_ms``), a waiter takes it over.
Redis trouble never fails a call: the value is then computed locally.
"""

import asyncio
import contextlib
import secrets
import time
from collections.abc import Awaitable, Callable
from typing import Literal

from cache.protocol import Cache, Lease
from cache.redis_backend import CacheUnavailable
from cache.tiered import TieredCache

Outcome = Literal["hit-memory", "hit-redis", "miss", "coalesced"]
Compute = Callable[[], Awaitable[bytes]]

_FIRST_POLL = 0.002
_MAX_POLL = 0.05


class SingleFlight:
    """Coalesce concurrent ``get_or_compute`` calls on one ``TieredCache``.

    ``lease_ms`` should exceed the slowest compute; a lease that runs out lets a
    waiter start a second computation. A waiter that has not seen a value after
    ``wait_timeout`` seconds stops waiting and computes it itself.
    """

    def __init__(
        self, cache: TieredCache, lease: Lease | None = None, *, lease_ms: int = 30_000,
        wait_timeout: float = 60.0,
    ) -> None:
        self.cache = cache
        self.lease = lease  # on the store behind cache.l2; None coalesces in-process only
        self.lease_ms = lease_ms
        self.wait_timeout = wait_timeout
        self._inflight: dict[str, asyncio.Future[bytes]] = {}

    async def get_or_compute(
        self, key: str, compute: Compute, *, ttl: float | None = None, known_miss: bool = False
    ) -> tuple[bytes, Outcome]:
        """Return the value for ``key`` and how it was obtained.

        "miss" means this call ran ``compute``; "coalesced" means another call did,
        in this process or another. Exceptions from ``compute`` reach every caller
        that was waiting on it in this process, and nothing is cached.
        ``known_miss``: the caller has just looked in both tiers, so the first look is skipped.
        """
        while True:
            future = self._inflight.get(key)
            if future is None:
                break
            try:
                # Shielded so that one waiter being cancelled leaves the others alone.
                return await asyncio.shield(future), "coalesced"
            except asyncio.CancelledError:
                current = asyncio.current_task()
                if not future.cancelled() or (current is not None and current.cancelling()):
                    raise
                # The leader was cancelled, not us: try again, maybe as the leader.

        if not known_miss:
            value = self.cache.l1.get_nowait(key)
            if value is not None:
                return value, "hit-memory"

        # Registered before the first await, so later callers find it.
        future = asyncio.get_running_loop().create_future()
        self._inflight[key] = future
        try:
            value, outcome = await self._lead(key, compute, ttl, known_miss)
        except Exception as exc:
            future.set_exception(exc)
            future.exception()  # mark retrieved: with no waiters asyncio would log it
            raise
        except BaseException:
            future.cancel()
            raise
        else:
            future.set_result(value)
        finally:
            del self._inflight[key]
        return value, outcome

    async def _lead(self, key: str, compute: Compute, ttl: float | None, known_miss: bool
                    ) -> tuple[bytes, Outcome]:
        if not known_miss:
            value, tier = await self.cache.lookup(key)
            if value is not None:
                return value, "hit-memory" if tier == "memory" else "hit-redis"
        l2, lease = self.cache.l2, self.lease
        if l2 is not None and lease is not None and lease.available:
            return await self._lead_shared(l2, lease, key, compute, ttl)
        return await self._compute_and_store(key, compute, ttl), "miss"

    async def _lead_shared(
        self, l2: Cache, lease: Lease, key: str, compute: Compute, ttl: float | None
    ) -> tuple[bytes, Outcome]:
        token = secrets.token_hex(16)
        deadline = time.monotonic() + self.wait_timeout
        delay = _FIRST_POLL
        while True:
            try:
                acquired = await lease.acquire_lease(key, token, self.lease_ms)
            except CacheUnavailable:
                break
            if acquired:
                return await self._compute_under_lease(l2, lease, key, token, compute, ttl)
            if time.monotonic() >= deadline:
                break
            await asyncio.sleep(delay)
            delay = min(delay * 2, _MAX_POLL)
            value = await l2.get(key)
            if value is not None:
                self.cache.l1.set_nowait(key, value)
                return value, "coalesced"
            if not lease.available:
                break
        return await self._compute_and_store(key, compute, ttl), "miss"

    async def _compute_under_lease(
        self, l2: Cache, lease: Lease, key: str, token: str, compute: Compute,
        ttl: float | None,
    ) -> tuple[bytes, Outcome]:
        try:
            # Check again: the previous holder may have stored the value just
            # before releasing the lease we now hold.
            value = await l2.get(key)
            if value is not None:
                self.cache.l1.set_nowait(key, value)
                return value, "hit-redis"
            return await self._compute_and_store(key, compute, ttl), "miss"
        finally:
            # If Redis is down the lease simply expires.
            with contextlib.suppress(CacheUnavailable):
                await lease.release_lease(key, token)

    async def _compute_and_store(self, key: str, compute: Compute, ttl: float | None) -> bytes:
        value = await compute()
        await self.cache.set(key, value, ttl)
        return value
