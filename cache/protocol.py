"""The one interface every cache backend implements.

Values are opaque bytes. A miss is ``None``; a stored ``b""`` is a hit. ``ttl`` is in
seconds; ``None`` means "the backend's default", which may itself be "never expire".
"""

from typing import Protocol


class Cache(Protocol):
    async def get(self, key: str) -> bytes | None: ...

    async def set(self, key: str, value: bytes, ttl: float | None = None) -> None: ...

    async def add(self, key: str, value: bytes, ttl: float | None = None) -> bool:
        """Store only if ``key`` is absent; return whether it was stored."""
        ...

    async def delete(self, key: str) -> None: ...


class Lease(Protocol):
    """A per-key lock that expires, shared by every process using the same shared tier.

    Raises ``cache.CacheUnavailable`` when the store cannot be reached; ``available``
    says whether trying is worth it right now.
    """

    @property
    def available(self) -> bool: ...

    async def acquire_lease(self, key: str, token: str, lease_ms: int) -> bool: ...

    async def release_lease(self, key: str, token: str) -> bool: ...
