import pytest
import redis.asyncio as redis

from cache import MemoryCache, RedisCache, TieredCache

from .conftest import make_client

pytestmark = pytest.mark.anyio


def tiered(client: redis.Redis) -> TieredCache:
    return TieredCache(MemoryCache(max_bytes=1 << 20), RedisCache(client, ttl=60, timeout=2.0))


async def test_lookup_miss_reports_no_tier(redis_client: redis.Redis, key: str) -> None:
    assert await tiered(redis_client).lookup(key) == (None, "")


async def test_l2_hit_fills_l1(redis_client: redis.Redis, key: str) -> None:
    writer, reader = tiered(redis_client), tiered(redis_client)
    await writer.set(key, b"value")
    assert await reader.lookup(key) == (b"value", "redis")
    assert reader.l1.get_nowait(key) == b"value"
    assert await reader.lookup(key) == (b"value", "memory")


async def test_empty_value_from_l2_fills_l1(redis_client: redis.Redis, key: str) -> None:
    writer, reader = tiered(redis_client), tiered(redis_client)
    await writer.set(key, b"")
    assert await reader.lookup(key) == (b"", "redis")
    assert await reader.lookup(key) == (b"", "memory")


async def test_set_writes_both_tiers(redis_client: redis.Redis, key: str) -> None:
    cache = tiered(redis_client)
    await cache.set(key, b"value")
    assert cache.l1.get_nowait(key) == b"value"
    assert cache.l2 is not None
    assert await cache.l2.get(key) == b"value"


async def test_delete_removes_both_tiers(redis_client: redis.Redis, key: str) -> None:
    cache = tiered(redis_client)
    await cache.set(key, b"value")
    await cache.delete(key)
    assert await cache.lookup(key) == (None, "")
    assert cache.l2 is not None
    assert await cache.l2.get(key) is None


async def test_without_l2_uses_memory_only(key: str) -> None:
    cache = TieredCache(MemoryCache(max_bytes=100))
    assert await cache.lookup(key) == (None, "")
    await cache.set(key, b"value")
    assert await cache.lookup(key) == (b"value", "memory")


async def test_unreachable_l2_leaves_l1_working(key: str) -> None:
    client = make_client(port=1)
    try:
        cache = tiered(client)
        await cache.set(key, b"value")
        assert await cache.lookup(key) == (b"value", "memory")
        assert await cache.lookup(key + "-other") == (None, "")
    finally:
        await client.aclose()
