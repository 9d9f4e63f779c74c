"""One retention sweeper at a time: a Redis lease across the fleet, else a file lock.

    RedisLease   SET NX PX on the queue's Redis (one primary); renewed while the sweep
                 runs, released by compare-and-delete, so a lease that ran out and was
                 taken by another node is never released by the old holder
    FileLease    flock on a file in the data directory: every process on one machine
"""

from __future__ import annotations

import asyncio
import contextlib
import fcntl
import os
import secrets
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Protocol

from redis.asyncio import Redis
from redis.exceptions import RedisError

from cache import keys

_RENEW = """
if redis.call("GET", KEYS[1]) == ARGV[1] then
    return redis.call("PEXPIRE", KEYS[1], ARGV[2])
end
return 0
"""
_RELEASE = """
if redis.call("GET", KEYS[1]) == ARGV[1] then
    return redis.call("DEL", KEYS[1])
end
return 0
"""


class SweepLease(Protocol):
    def hold(self) -> contextlib.AbstractAsyncContextManager[bool]:
        """True inside the block for the one holder; False for everyone else."""

    async def renew(self) -> bool:
        """Keep holding it; False when it was lost (stop sweeping)."""


class RedisLease:
    def __init__(self, redis: Redis, lease_ms: int, timeout: float) -> None:
        self.redis = redis
        self.lease_ms = lease_ms
        self.timeout = timeout
        self.token = ""
        self._renew = redis.register_script(_RENEW)
        self._release = redis.register_script(_RELEASE)

    @contextlib.asynccontextmanager
    async def hold(self) -> AsyncIterator[bool]:
        self.token = secrets.token_hex(16)
        try:
            async with asyncio.timeout(self.timeout):
                held = bool(await self.redis.set(keys.retention_lock(), self.token,
                                                 px=self.lease_ms, nx=True))
        except (RedisError, OSError, TimeoutError):
            held = False  # no Redis, no sweep: the next interval tries again
        try:
            yield held
        finally:
            if held:
                with contextlib.suppress(RedisError, OSError, TimeoutError):
                    async with asyncio.timeout(self.timeout):
                        await self._release(keys=[keys.retention_lock()], args=[self.token])

    async def renew(self) -> bool:
        try:
            async with asyncio.timeout(self.timeout):
                return bool(await self._renew(keys=[keys.retention_lock()],
                                              args=[self.token, self.lease_ms]))
        except (RedisError, OSError, TimeoutError):
            return False


class FileLease:
    def __init__(self, path: Path) -> None:
        self.path = Path(path)

    @contextlib.asynccontextmanager
    async def hold(self) -> AsyncIterator[bool]:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o600)
        try:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                held = True
            except BlockingIOError:
                held = False
            yield held
        finally:
            os.close(fd)  # closing drops the lock

    async def renew(self) -> bool:
        return True
