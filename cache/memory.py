"""In-process LRU cache bounded by the total size of the stored values."""

import time
from collections import OrderedDict


class MemoryCache:
    """Least-recently-used cache holding at most ``max_bytes`` of values.

    Only value bytes are counted, not keys or per-entry overhead. Expired entries
    are dropped when read, or evicted like any other entry when space is needed.
    """

    def __init__(self, max_bytes: int, ttl: float | None = None) -> None:
        self.max_bytes = max_bytes
        self.ttl = ttl
        self.size_bytes = 0
        # key -> (value, monotonic expiry or None)
        self._entries: OrderedDict[str, tuple[bytes, float | None]] = OrderedDict()

    def __len__(self) -> int:
        return len(self._entries)

    def get_nowait(self, key: str) -> bytes | None:
        entry = self._entries.get(key)
        if entry is None:
            return None
        value, expires = entry
        if expires is not None and expires <= time.monotonic():
            self._remove(key)
            return None
        self._entries.move_to_end(key)
        return value

    def set_nowait(self, key: str, value: bytes, ttl: float | None = None) -> None:
        self._remove(key)
        if len(value) > self.max_bytes:
            # Storing it would evict everything else and still not fit.
            return
        ttl = self.ttl if ttl is None else ttl
        expires = None if ttl is None else time.monotonic() + ttl
        self._entries[key] = (value, expires)
        self.size_bytes += len(value)
        while self.size_bytes > self.max_bytes:
            _, (evicted, _) = self._entries.popitem(last=False)
            self.size_bytes -= len(evicted)

    def add_nowait(self, key: str, value: bytes, ttl: float | None = None) -> bool:
        if self.get_nowait(key) is not None:
            return False
        self.set_nowait(key, value, ttl)
        return key in self._entries

    def delete_nowait(self, key: str) -> None:
        self._remove(key)

    def delete_prefix_nowait(self, prefix: str) -> int:
        """Delete every entry whose key starts with ``prefix`` (a walk over all keys)."""
        doomed = [key for key in self._entries if key.startswith(prefix)]
        for key in doomed:
            self._remove(key)
        return len(doomed)

    def _remove(self, key: str) -> None:
        entry = self._entries.pop(key, None)
        if entry is not None:
            self.size_bytes -= len(entry[0])

    # The Cache protocol; each is a thin wrapper so callers on the hot path can
    # use the *_nowait methods directly and skip the coroutine.

    async def get(self, key: str) -> bytes | None:
        return self.get_nowait(key)

    async def set(self, key: str, value: bytes, ttl: float | None = None) -> None:
        self.set_nowait(key, value, ttl)

    async def add(self, key: str, value: bytes, ttl: float | None = None) -> bool:
        return self.add_nowait(key, value, ttl)

    async def delete(self, key: str) -> None:
        self.delete_nowait(key)

    async def delete_prefix(self, prefix: str) -> int:
        return self.delete_prefix_nowait(prefix)
