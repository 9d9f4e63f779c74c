"""Behaviour every Cache backend must share, run against memory and real Redis."""

from collections.abc import AsyncIterator, Callable

import anyio
import pytest
import redis.asyncio as redis

from cache import Cache, MemoryCache, RedisCache, TieredCache

pytestmark = pytest.mark.anyio

MakeCache = Callable[[float | None], Cache]


@pytest.fixture(params=["memory", "redis", "tiered"])
async def make_cache(
    request: pytest.FixtureRequest, redis_client: redis.Redis
) -> AsyncIterator[MakeCache]:
    def make(ttl: float | None = None) -> Cache:
        if request.param == "memory":
            return MemoryCache(max_bytes=1 << 20, ttl=ttl)
        if request.param == "redis":
            return RedisCache(redis_client, ttl=ttl, timeout=2.0)
        return TieredCache(
            MemoryCache(max_bytes=1 << 20, ttl=ttl), RedisCache(redis_client, ttl, timeout=2.0)
        )

    yield make


@pytest.fixture
def cache(make_cache: MakeCache) -> Cache:
    return make_cache(None)


async def test_get_missing_key_is_none(cache: Cache, key: str) -> None:
    assert await cache.get(key) is None


async def test_set_then_get(cache: Cache, key: str) -> None:
    await cache.set(key, b"value")
    assert await cache.get(key) == b"value"


async def test_empty_value_is_a_hit_not_a_miss(cache: Cache, key: str) -> None:
    await cache.set(key, b"")
    assert await cache.get(key) == b""


async def test_set_overwrites(cache: Cache, key: str) -> None:
    await cache.set(key, b"old")
    await cache.set(key, b"new")
    assert await cache.get(key) == b"new"


async def test_add_stores_when_absent(cache: Cache, key: str) -> None:
    assert await cache.add(key, b"first") is True
    assert await cache.get(key) == b"first"


async def test_add_keeps_existing_value(cache: Cache, key: str) -> None:
    await cache.set(key, b"first")
    assert await cache.add(key, b"second") is False
    assert await cache.get(key) == b"first"


async def test_add_treats_stored_empty_value_as_present(cache: Cache, key: str) -> None:
    await cache.set(key, b"")
    assert await cache.add(key, b"second") is False
    assert await cache.get(key) == b""


async def test_delete(cache: Cache, key: str) -> None:
    await cache.set(key, b"value")
    await cache.delete(key)
    assert await cache.get(key) is None


async def test_delete_missing_key_is_a_noop(cache: Cache, key: str) -> None:
    await cache.delete(key)
    assert await cache.get(key) is None


async def test_ttl_on_set_expires(cache: Cache, key: str) -> None:
    await cache.set(key, b"value", ttl=0.2)
    assert await cache.get(key) == b"value"
    await anyio.sleep(0.4)
    assert await cache.get(key) is None


async def test_default_ttl_expires(make_cache: MakeCache, key: str) -> None:
    cache = make_cache(0.2)
    await cache.set(key, b"value")
    await anyio.sleep(0.4)
    assert await cache.get(key) is None


async def test_add_after_expiry_stores(cache: Cache, key: str) -> None:
    await cache.add(key, b"first", ttl=0.2)
    await anyio.sleep(0.4)
    assert await cache.add(key, b"second") is True
    assert await cache.get(key) == b"second"
