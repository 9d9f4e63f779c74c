import os
import signal

import anyio
import pytest

from cache import CacheUnavailable, CircuitBreaker, RedisCache
from tests.cache.conftest import make_client
from tests.helpers import SpareRedis


class FakeClock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def breaker(clock: FakeClock) -> CircuitBreaker:
    return CircuitBreaker(failure_threshold=3, reset_after=10.0, clock=clock)


def test_stays_closed_below_threshold() -> None:
    b = breaker(FakeClock())
    b.record_failure()
    b.record_failure()
    assert b.state == "closed"
    assert b.allow()


def test_opens_at_threshold_and_refuses_calls() -> None:
    b = breaker(FakeClock())
    for _ in range(3):
        b.record_failure()
    assert b.state == "open"
    assert not b.allow()


def test_success_resets_consecutive_failures() -> None:
    b = breaker(FakeClock())
    b.record_failure()
    b.record_failure()
    b.record_success()
    b.record_failure()
    b.record_failure()
    assert b.state == "closed"


def test_half_open_allows_exactly_one_trial() -> None:
    clock = FakeClock()
    b = breaker(clock)
    for _ in range(3):
        b.record_failure()
    clock.now = 10.0
    assert b.state == "half-open"
    assert b.allow()
    assert not b.allow()


def test_successful_trial_closes() -> None:
    clock = FakeClock()
    b = breaker(clock)
    for _ in range(3):
        b.record_failure()
    clock.now = 10.0
    b.allow()
    b.record_success()
    assert b.state == "closed"
    assert b.allow()


def test_failed_trial_reopens_for_another_period() -> None:
    clock = FakeClock()
    b = breaker(clock)
    for _ in range(3):
        b.record_failure()
    clock.now = 10.0
    b.allow()
    b.record_failure()
    assert b.state == "open"
    clock.now = 19.0
    assert not b.allow()


def test_trial_that_never_reports_back_is_retried() -> None:
    clock = FakeClock()
    b = breaker(clock)
    for _ in range(3):
        b.record_failure()
    clock.now = 10.0
    assert b.allow()
    clock.now = 20.0
    assert b.allow()


@pytest.mark.anyio
async def test_unreachable_redis_degrades_without_raising(key: str) -> None:
    client = make_client(port=1)
    cache = RedisCache(
        client, ttl=None, timeout=1.0, breaker=CircuitBreaker(failure_threshold=2)
    )
    try:
        assert await cache.get(key) is None
        await cache.set(key, b"value")
        assert cache.breaker.state == "open"
        assert not cache.available
        assert await cache.add(key, b"value") is False
        await cache.delete(key)
        with pytest.raises(CacheUnavailable):
            await cache.acquire_lease(key, "token", 1000)
    finally:
        await client.aclose()


@pytest.mark.anyio
async def test_breaker_closes_when_redis_comes_back(spare_redis: SpareRedis, key: str) -> None:
    client = make_client(port=spare_redis.port)
    cache = RedisCache(
        client,
        ttl=None,
        timeout=1.0,
        breaker=CircuitBreaker(failure_threshold=1, reset_after=0.2),
    )
    try:
        await cache.set(key, b"before")
        assert await cache.get(key) == b"before"

        spare_redis.stop()
        assert await cache.get(key) is None
        assert not cache.available

        spare_redis.start()
        await anyio.sleep(0.3)
        await cache.set(key, b"after")
        assert cache.available
        assert await cache.get(key) == b"after"
    finally:
        await client.aclose()


@pytest.mark.anyio
async def test_hung_redis_times_out_and_opens_breaker(spare_redis: SpareRedis, key: str) -> None:
    assert spare_redis.process is not None
    pid = spare_redis.process.pid
    client = make_client(port=spare_redis.port)
    cache = RedisCache(
        client,
        ttl=None,
        timeout=0.1,
        breaker=CircuitBreaker(failure_threshold=1, reset_after=0.2),
    )
    try:
        await cache.set(key, b"value")
        os.kill(pid, signal.SIGSTOP)
        try:
            assert await cache.get(key) is None
            assert not cache.available
        finally:
            os.kill(pid, signal.SIGCONT)
        await anyio.sleep(0.3)
        assert await cache.get(key) == b"value"
        assert cache.available
    finally:
        await client.aclose()
