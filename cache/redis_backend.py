"""Redis cache backend that degrades to "always miss" when Redis is unhealthy.

Errors::

    CacheUnavailable    Redis errored, timed out, or the breaker is open.
                        Raised only by the lease methods; get/set/add/delete
                        swallow it (get -> None, add -> False, others no-op).
"""

import asyncio
import contextlib
from collections.abc import Awaitable, Callable
from functools import partial
from typing import Any, TypeVar, cast

import redis.asyncio as redis
from redis.asyncio.cluster import RedisCluster
from redis.exceptions import RedisError, ResponseError

from cache import keys
from cache.breaker import CircuitBreaker

T = TypeVar("T")
Client = redis.Redis | RedisCluster
DELETE_BATCH = 500  # keys per DEL while deleting a group

# Delete the lease only if we still hold it: after it expires another process may
# have taken it, and a plain DEL would release *their* lease.
_RELEASE_LEASE = """
if redis.call("GET", KEYS[1]) == ARGV[1] then
    return redis.call("DEL", KEYS[1])
end
return 0
"""

# Add an entry to its group's index and keep the index as long as the entry
_INDEX = """
redis.call("SADD", KEYS[1], ARGV[1])
if tonumber(ARGV[2]) > 0 then
    redis.call("PEXPIRE", KEYS[1], ARGV[2])
end
return 1
"""


class CacheUnavailable(Exception):
    """Redis could not be used; the caller should carry on without it."""


class RedisCache:
    """Cache entries in Redis under ``keys.entry(key)``.

    ``client`` (one Redis or a Redis Cluster) must be created with
    ``decode_responses=False``. Every command is bounded by ``timeout`` seconds and
    goes through ``breaker``.
    """

    def __init__(
        self,
        client: Client,
        ttl: float | None,
        timeout: float,
        *,
        breaker: CircuitBreaker | None = None,
        group_of: Callable[[str], str | None] | None = None,
    ) -> None:
        self.client = client
        self.ttl = ttl
        self.timeout = timeout
        self.breaker = breaker or CircuitBreaker()
        # the group a key belongs to, if any: its entries can be deleted together
        self.group_of = group_of
        # redis-py types register_script for one Redis only; a cluster's runs the script
        # on the node that holds the lease's slot
        self._release_script = cast(redis.Redis, client).register_script(_RELEASE_LEASE)
        self._index_script = cast(redis.Redis, client).register_script(_INDEX)

    @property
    def available(self) -> bool:
        """False from the moment the breaker opens until a trial call succeeds."""
        return self.breaker.state == "closed"

    async def get(self, key: str) -> bytes | None:
        try:
            value: bytes | None = await self._call(lambda: self.client.get(keys.entry(key)))
        except CacheUnavailable:
            return None
        return value

    async def set(self, key: str, value: bytes, ttl: float | None = None) -> None:
        px = self._px(ttl)
        with contextlib.suppress(CacheUnavailable):
            await self._call(lambda: self.client.set(keys.entry(key), value, px=px))
            await self._index(key, px)

    async def add(self, key: str, value: bytes, ttl: float | None = None) -> bool:
        px = self._px(ttl)
        try:
            stored = await self._call(
                lambda: self.client.set(keys.entry(key), value, px=px, nx=True)
            )
        except CacheUnavailable:
            return False
        if stored:
            with contextlib.suppress(CacheUnavailable):
                await self._index(key, px)
        return bool(stored)

    async def delete(self, key: str) -> None:
        with contextlib.suppress(CacheUnavailable):
            await self._call(lambda: self.client.delete(keys.entry(key)))

    async def delete_group(self, group: str) -> int:
        """Delete every entry stored in ``group`` (see ``group_of``); how many there were.

        Reads the group's index, one set in one slot: the cost is the group's size,
        not the keyspace's. Raises CacheUnavailable.
        """
        index = keys.group(group)

        async def members() -> set[bytes]:
            return await cast(Awaitable[set[bytes]], self.client.smembers(index))

        names = sorted(await self._call(members))
        for start in range(0, len(names), DELETE_BATCH):
            await self._call(partial(self.client.delete, *names[start:start + DELETE_BATCH]))
        await self._call(lambda: self.client.delete(index))
        return len(names)

    async def _index(self, key: str, px: int | None) -> None:
        group = self.group_of(key) if self.group_of is not None else None
        if group is None:
            return
        # kept at least as long as its newest member: each store sets its TTL again
        await self._call(lambda: self._index_script(
            keys=[keys.group(group)], args=[keys.entry(key), px or 0]))

    async def acquire_lease(self, key: str, token: str, lease_ms: int) -> bool:
        """Take the lease on ``key`` for ``lease_ms`` if nobody holds it.

        Raises CacheUnavailable.
        """
        acquired = await self._call(
            lambda: self.client.set(keys.lease(key), token, px=lease_ms, nx=True)
        )
        return bool(acquired)

    async def release_lease(self, key: str, token: str) -> bool:
        """Release the lease if ``token`` still holds it. Raises CacheUnavailable."""
        released = await self._call(
            lambda: self._release_script(keys=[keys.lease(key)], args=[token])
        )
        return bool(released)

    def _px(self, ttl: float | None) -> int | None:
        ttl = self.ttl if ttl is None else ttl
        # Redis rejects PX 0; round sub-millisecond TTLs up rather than "forever".
        return None if ttl is None else max(1, int(ttl * 1000))

    async def _call(self, command: Callable[[], Awaitable[Any]]) -> Any:
        if not self.breaker.allow():
            raise CacheUnavailable("circuit breaker is open")
        try:
            async with asyncio.timeout(self.timeout):
                result = await command()
        except ResponseError as exc:
            # Redis answered (out of memory under noeviction, say): it is up, and
            # reads must go on, so this does not count against the breaker
            raise CacheUnavailable(str(exc)) from exc
        except (RedisError, OSError, TimeoutError) as exc:
            self.breaker.record_failure()
            raise CacheUnavailable(str(exc) or type(exc).__name__) from exc
        self.breaker.record_success()
        return result
