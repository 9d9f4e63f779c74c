"""Per-tenant rate limit: a token bucket (sustained rate plus burst).

In memory for one process; with Redis, one atomic Lua script so that every
server process sharing the Redis enforces one limit together. The script takes
the time from Redis itself, so clocks of different hosts never disagree.
If Redis does not answer, the limit falls back to this process' own bucket
rather than refusing traffic.
"""

from __future__ import annotations

import asyncio
import logging
import math
import time
from typing import Protocol

from redis.asyncio import Redis
from redis.exceptions import RedisError

from cache import keys

log = logging.getLogger("folio.ratelimit")

TOKEN_BUCKET = """
local rate = tonumber(ARGV[1])
local burst = tonumber(ARGV[2])
local t = redis.call('TIME')
local now = tonumber(t[1]) + tonumber(t[2]) / 1000000
local data = redis.call('HMGET', KEYS[1], 'tokens', 'ts')
local tokens = tonumber(data[1]) or burst
local ts = tonumber(data[2]) or now
tokens = math.min(burst, tokens + math.max(0, now - ts) * rate)
local retry = 0
if tokens >= 1 then
  tokens = tokens - 1
else
  retry = (1 - tokens) / rate
end
redis.call('HSET', KEYS[1], 'tokens', tostring(tokens), 'ts', tostring(now))
redis.call('PEXPIRE', KEYS[1], math.ceil(burst / rate * 1000) + 1000)
return tostring(retry)
"""


class RateLimiter(Protocol):
    async def retry_after(self, tenant: str) -> float:
        """0 when the request may go ahead, else seconds until it would."""
        ...


def retry_after_header(seconds: float) -> str:
    return str(max(1, math.ceil(seconds)))


class MemoryRateLimiter:
    def __init__(self, rate: float, burst: int) -> None:
        self.rate = rate
        self.burst = float(burst)
        self._buckets: dict[str, tuple[float, float]] = {}

    async def retry_after(self, tenant: str) -> float:
        return self.take(tenant)

    def take(self, tenant: str) -> float:
        now = time.monotonic()
        tokens, ts = self._buckets.get(tenant, (self.burst, now))
        tokens = min(self.burst, tokens + (now - ts) * self.rate)
        if tokens >= 1:
            self._buckets[tenant] = (tokens - 1, now)
            return 0.0
        self._buckets[tenant] = (tokens, now)
        return (1 - tokens) / self.rate


class RedisRateLimiter:
    def __init__(self, client: Redis, rate: float, burst: int, timeout: float) -> None:
        self.client = client
        self.rate = rate
        self.burst = burst
        self.timeout = timeout
        self._script = client.register_script(TOKEN_BUCKET)
        self._fallback = MemoryRateLimiter(rate, burst)

    async def retry_after(self, tenant: str) -> float:
        try:
            async with asyncio.timeout(self.timeout):
                result = await self._script(keys=[keys.ratelimit(tenant)],
                                            args=[self.rate, self.burst])
            return float(result)
        except (RedisError, OSError, TimeoutError) as exc:
            log.warning("rate limit falls back to this process: %s", exc)
            return self._fallback.take(tenant)
