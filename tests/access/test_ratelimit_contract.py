"""Behaviour both rate limiters share, run against memory and real Redis
(like tests/cache/test_contract.py for the cache backends)."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator, Callable

import pytest
import redis.asyncio as redis

from cache import keys
from service.access.ratelimit import MemoryRateLimiter, RateLimiter, RedisRateLimiter

pytestmark = pytest.mark.anyio

RATE = 0.01  # one token per 100 s: nothing refills while a test runs
BURST = 5
MakeLimiter = Callable[[], RateLimiter]


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


@pytest.fixture
def tenants() -> list[str]:
    return [f"test-{uuid.uuid4().hex}" for _ in range(2)]


@pytest.fixture(params=["memory", "redis"])
async def make_limiter(request: pytest.FixtureRequest, tenants: list[str]
                       ) -> AsyncIterator[MakeLimiter]:
    client = redis.Redis(host="127.0.0.1", port=6379, db=15)

    def make() -> RateLimiter:
        if request.param == "memory":
            return MemoryRateLimiter(RATE, BURST)
        return RedisRateLimiter(client, RATE, BURST, timeout=2.0)

    yield make
    await client.delete(*(keys.ratelimit(t) for t in tenants))
    await client.aclose()


async def test_a_burst_goes_ahead_then_waits(make_limiter: MakeLimiter,
                                             tenants: list[str]) -> None:
    limiter = make_limiter()
    waits = [await limiter.retry_after(tenants[0]) for _ in range(BURST)]
    assert waits == [0.0] * BURST
    wait = await limiter.retry_after(tenants[0])
    assert 0 < wait <= 1 / RATE


async def test_tenants_have_their_own_buckets(make_limiter: MakeLimiter,
                                              tenants: list[str]) -> None:
    limiter = make_limiter()
    for _ in range(BURST):
        await limiter.retry_after(tenants[0])
    assert await limiter.retry_after(tenants[0]) > 0
    assert await limiter.retry_after(tenants[1]) == 0.0


async def test_a_refused_request_takes_nothing(make_limiter: MakeLimiter,
                                               tenants: list[str]) -> None:
    limiter = make_limiter()
    for _ in range(BURST):
        await limiter.retry_after(tenants[0])
    first = await limiter.retry_after(tenants[0])
    second = await limiter.retry_after(tenants[0])
    assert first > 0 and second > 0
    assert second <= first  # waiting longer never makes the wait longer
