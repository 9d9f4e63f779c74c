import asyncio
from collections import Counter
from collections.abc import AsyncIterator

import pytest
import redis.asyncio as redis

from cache import CircuitBreaker, MemoryCache, RedisCache, SingleFlight, TieredCache
from cache.keys import lease

from .conftest import make_client

pytestmark = pytest.mark.anyio


class Computation:
    """A compute function that counts its calls and can be held open."""

    def __init__(self, value: bytes = b"rendered", delay: float = 0.05) -> None:
        self.value = value
        self.delay = delay
        self.calls = 0
        self.error: Exception | None = None
        self.started = asyncio.Event()

    async def __call__(self) -> bytes:
        self.calls += 1
        self.started.set()
        await asyncio.sleep(self.delay)
        if self.error is not None:
            raise self.error
        return self.value


def flight(client: redis.Redis | None, *, lease_ms: int = 5_000) -> SingleFlight:
    l2 = None if client is None else RedisCache(client, ttl=60, timeout=2.0)
    return SingleFlight(TieredCache(MemoryCache(max_bytes=1 << 20), l2), l2, lease_ms=lease_ms)


@pytest.fixture
async def second_client(redis_client: redis.Redis) -> AsyncIterator[redis.Redis]:
    # Depends on redis_client so its key cleanup runs after this client is closed.
    client = make_client()
    yield client
    await client.aclose()


@pytest.mark.parametrize("with_redis", [False, True], ids=["memory-only", "with-redis"])
async def test_concurrent_callers_in_one_process_compute_once(
    redis_client: redis.Redis, key: str, with_redis: bool
) -> None:
    sf = flight(redis_client if with_redis else None)
    compute = Computation()
    results = await asyncio.gather(*(sf.get_or_compute(key, compute) for _ in range(50)))
    assert compute.calls == 1
    assert {value for value, _ in results} == {b"rendered"}
    assert Counter(outcome for _, outcome in results) == {"miss": 1, "coalesced": 49}


async def test_later_call_hits_memory(redis_client: redis.Redis, key: str) -> None:
    sf = flight(redis_client)
    compute = Computation()
    await sf.get_or_compute(key, compute)
    assert await sf.get_or_compute(key, compute) == (b"rendered", "hit-memory")
    assert compute.calls == 1


async def test_value_stored_by_another_process_hits_redis(
    redis_client: redis.Redis, second_client: redis.Redis, key: str
) -> None:
    compute = Computation()
    await flight(redis_client).get_or_compute(key, compute)
    assert await flight(second_client).get_or_compute(key, compute) == (b"rendered", "hit-redis")
    assert compute.calls == 1


async def test_empty_computed_value_is_cached(redis_client: redis.Redis, key: str) -> None:
    sf = flight(redis_client)
    compute = Computation(value=b"")
    assert await sf.get_or_compute(key, compute) == (b"", "miss")
    assert await sf.get_or_compute(key, compute) == (b"", "hit-memory")
    assert compute.calls == 1


async def test_two_processes_sharing_redis_compute_once(
    redis_client: redis.Redis, second_client: redis.Redis, key: str
) -> None:
    first, second = flight(redis_client), flight(second_client)
    compute = Computation(delay=0.2)
    calls = [sf.get_or_compute(key, compute) for sf in (first, second) for _ in range(20)]
    results = await asyncio.gather(*calls)
    assert compute.calls == 1
    assert {value for value, _ in results} == {b"rendered"}
    outcomes = Counter(outcome for _, outcome in results)
    assert outcomes["miss"] == 1
    assert outcomes["coalesced"] + outcomes["hit-redis"] == 39


async def test_lease_is_released_after_compute(redis_client: redis.Redis, key: str) -> None:
    await flight(redis_client).get_or_compute(key, Computation())
    assert await redis_client.exists(lease(key)) == 0


async def test_waiter_takes_over_from_a_dead_lease_holder(
    redis_client: redis.Redis, key: str
) -> None:
    dead = RedisCache(redis_client, ttl=60, timeout=2.0)
    assert await dead.acquire_lease(key, "dead-holder", lease_ms=200)
    compute = Computation()
    assert await flight(redis_client).get_or_compute(key, compute) == (b"rendered", "miss")
    assert compute.calls == 1


async def test_exception_reaches_every_local_waiter_then_next_call_retries(
    redis_client: redis.Redis, key: str
) -> None:
    sf = flight(redis_client)
    compute = Computation()
    compute.error = ValueError("render failed")
    results = await asyncio.gather(
        *(sf.get_or_compute(key, compute) for _ in range(10)), return_exceptions=True
    )
    assert compute.calls == 1
    assert all(isinstance(r, ValueError) for r in results)

    compute.error = None
    assert await sf.get_or_compute(key, compute) == (b"rendered", "miss")
    assert compute.calls == 2


async def test_failed_compute_releases_lease(redis_client: redis.Redis, key: str) -> None:
    compute = Computation()
    compute.error = ValueError("render failed")
    with pytest.raises(ValueError):
        await flight(redis_client).get_or_compute(key, compute)
    assert await redis_client.exists(lease(key)) == 0


async def test_unreachable_redis_computes_locally(key: str) -> None:
    client = make_client(port=1)
    try:
        l2 = RedisCache(client, ttl=60, timeout=1.0, breaker=CircuitBreaker(failure_threshold=1))
        sf = SingleFlight(TieredCache(MemoryCache(max_bytes=1 << 20), l2), l2)
        compute = Computation()
        assert await sf.get_or_compute(key, compute) == (b"rendered", "miss")
        assert await sf.get_or_compute(key, compute) == (b"rendered", "hit-memory")
        assert compute.calls == 1
    finally:
        await client.aclose()


async def test_cancelled_waiter_leaves_the_computation_running(
    redis_client: redis.Redis, key: str
) -> None:
    sf = flight(redis_client)
    compute = Computation(delay=0.2)
    leader = asyncio.create_task(sf.get_or_compute(key, compute))
    await compute.started.wait()
    waiter = asyncio.create_task(sf.get_or_compute(key, compute))
    await asyncio.sleep(0)  # let the waiter start awaiting the leader's future
    waiter.cancel()
    assert await leader == (b"rendered", "miss")
    assert waiter.cancelled()


async def test_cancelled_leader_hands_over_to_a_waiter(redis_client: redis.Redis, key: str) -> None:
    sf = flight(redis_client)
    compute = Computation(delay=0.2)
    leader = asyncio.create_task(sf.get_or_compute(key, compute))
    await compute.started.wait()
    waiter = asyncio.create_task(sf.get_or_compute(key, compute))
    await asyncio.sleep(0)  # let the waiter start awaiting the leader's future
    leader.cancel()
    assert await waiter == (b"rendered", "miss")
    assert compute.calls == 2
    assert await redis_client.exists(lease(key)) == 0
