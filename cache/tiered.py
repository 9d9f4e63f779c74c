"""Two-level cache: a per-process MemoryCache in front of a shared backend."""

from typing import Literal

from cache.memory import MemoryCache
from cache.protocol import Cache

Tier = Literal["memory", "redis", ""]


class TieredCache:
    """Reads try L1 then L2, copying L2 hits into L1; writes go to both.

    L1 entries use L1's own TTL, so keep it no longer than L2's or a process may
    serve a value that the shared tier has already dropped.
    """

    def __init__(self, l1: MemoryCache, l2: Cache | None = None) -> None:
        self.l1 = l1
        self.l2 = l2

    async def lookup(self, key: str) -> tuple[bytes | None, Tier]:
        value = self.l1.get_nowait(key)
        if value is not None:
            return value, "memory"
        if self.l2 is None:
            return None, ""
        value = await self.l2.get(key)
        if value is None:
            return None, ""
        self.l1.set_nowait(key, value)
        return value, "redis"

    async def get(self, key: str) -> bytes | None:
        value, _ = await self.lookup(key)
        return value

    async def set(self, key: str, value: bytes, ttl: float | None = None) -> None:
        self.l1.set_nowait(key, value, ttl)
        if self.l2 is not None:
            await self.l2.set(key, value, ttl)

    async def add(self, key: str, value: bytes, ttl: float | None = None) -> bool:
        """Store if absent; with an L2, the shared tier decides."""
        if self.l2 is None:
            return self.l1.add_nowait(key, value, ttl)
        stored = await self.l2.add(key, value, ttl)
        if stored:
            self.l1.set_nowait(key, value, ttl)
        return stored

    async def delete(self, key: str) -> None:
        self.l1.delete_nowait(key)
        if self.l2 is not None:
            await self.l2.delete(key)
