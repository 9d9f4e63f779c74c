"""Per-tenant rate limit: a token bucket (sustained rate plus burst).

In memory for one process; with Redis, one atomic Lua script so that every
server process sharing the Redis enforces one limit together. The script takes
the time from Redis itself, so clocks of different hosts never disagree.
If Redis does not answer, the limit falls back to this process' own bucket
rather than refusing traffic; a circuit breaker (the cache's) then keeps every
request from paying the Redis timeout again until a trial call succeeds.
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
from cache.breaker import CircuitBreaker

log = logging.getLogger("folio.ratelimit")

TOKEN_BUCKET = """
local rate = tonumber(ARGV[1])
local burst = tonumber(ARGV[2])
local want = tonumber(ARGV[3])
local t = redis.call('TIME')
local now = tonumber(t[1]) + tonumber(t[2]) / 1000000
local data = redis.call('HMGET', KEYS[1], 'tokens', 'ts')
local tokens = tonumber(data[1]) or burst
local ts = tonumber(data[2]) or now
tokens = math.min(burst, tokens + math.max(0, now - ts) * rate)
local granted = math.min(want, math.floor(tokens))
local retry = 0
if granted >= 1 then
  tokens = tokens - granted
else
  granted = 0
  retry = (1 - tokens) / rate
end
redis.call('HSET', KEYS[1], 'tokens', tostring(tokens), 'ts', tostring(now))
redis.call('PEXPIRE', KEYS[1], math.ceil(burst / rate * 1000) + 1000)
return {granted, tostring(retry)}
"""
# Tokens a process takes from the shared bucket at once, as a fraction of the
# burst: one Redis call per BATCH requests instead of one per request. Tokens
# not used within BATCH_TTL go unused, so no process hoards them; the shared
# limit is never exceeded, only approached from below by at most one batch.
BATCH_SHARE = 20
BATCH_TTL = 1.0
FALLBACK = -1.0  # a refill outcome: Redis did not answer


class RateLimiter(Protocol):
    async def retry_after(self, tenant: str) -> float:
        """0 when the request may go ahead, else seconds until it would."""
        ...

    def take_now(self, tenant: str) -> float | None:
        """`retry_after`'s answer when it needs no waiting; None (nothing taken) if it does."""
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

    def take_now(self, tenant: str) -> float | None:
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
    def __init__(self, client: Redis, rate: float, burst: int, timeout: float,
                 breaker: CircuitBreaker | None = None) -> None:
        self.client = client
        self.breaker = breaker or CircuitBreaker()
        self.rate = rate
        self.burst = burst
        self.timeout = timeout
        self._script = client.register_script(TOKEN_BUCKET)
        self._fallback = MemoryRateLimiter(rate, burst)
        self.batch = max(1, burst // BATCH_SHARE)
        # tenant -> (tokens held by this process, when they were taken)
        self._held: dict[str, tuple[int, float]] = {}
        self._refills: dict[str, asyncio.Future[float]] = {}

    def take_now(self, tenant: str) -> float | None:
        """A token of the batch this process holds; None when a refill is due."""
        held, taken = self._held.get(tenant, (0, 0.0))
        if held > 0 and time.monotonic() - taken < BATCH_TTL:
            self._held[tenant] = (held - 1, taken)
            return 0.0
        return None

    async def retry_after(self, tenant: str) -> float:
        while True:
            if self.take_now(tenant) is not None:
                return 0.0
            refill = self._refills.get(tenant)
            if refill is None:
                break
            # one refill in flight per tenant: concurrent requests must not each
            # take a batch, or together they would drain the shared bucket
            outcome = await asyncio.shield(refill)
            if outcome == FALLBACK:
                return self._fallback.take(tenant)
            if outcome > 0:
                return outcome
        refill = asyncio.get_running_loop().create_future()
        self._refills[tenant] = refill
        outcome = FALLBACK  # what waiters see if this task is cancelled mid-call
        try:
            outcome = await self._refill(tenant)
        finally:
            del self._refills[tenant]
            refill.set_result(outcome)
        if outcome == FALLBACK:
            return self._fallback.take(tenant)
        if outcome > 0:
            return outcome
        held, taken = self._held[tenant]
        self._held[tenant] = (held - 1, taken)
        return 0.0

    async def _refill(self, tenant: str) -> float:
        """Take a batch from the shared bucket: 0 when granted, else seconds to wait."""
        if not self.breaker.allow():
            return FALLBACK
        try:
            async with asyncio.timeout(self.timeout):
                granted, retry = await self._script(keys=[keys.ratelimit(tenant)],
                                                    args=[self.rate, self.burst, self.batch])
        except (RedisError, OSError, TimeoutError) as exc:
            self.breaker.record_failure()
            log.warning("rate limit falls back to this process: %s", exc or type(exc).__name__)
            return FALLBACK
        self.breaker.record_success()
        if int(granted) == 0:
            return max(float(retry), 1e-6)
        self._held[tenant] = (int(granted), time.monotonic())
        return 0.0
