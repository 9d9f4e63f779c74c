"""Behaviour every Cache backend must share, run against memory, one real Redis and a
real three-master Redis Cluster."""

from collections.abc import AsyncIterator, Callable

import anyio
import pytest
import redis.asyncio as redis
from redis.asyncio.cluster import RedisCluster

from cache import Cache, MemoryCache, RedisCache, TieredCache, keys
from cache.clients import client_for
from tests.cache.cluster import RedisClusterProcesses
from tests.cache.conftest import make_client

pytestmark = pytest.mark.anyio

MakeCache = Callable[[float | None], Cache]


@pytest.fixture(params=["memory", "redis", "tiered", "cluster", "tiered-cluster"])
def shared_client(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture
async def make_cache(request: pytest.FixtureRequest, shared_client: str, key: str
                     ) -> AsyncIterator[MakeCache]:
    kind = shared_client
    shared: redis.Redis | RedisCluster | None = None
    if kind.endswith("cluster"):
        cluster: RedisClusterProcesses = request.getfixturevalue("redis_cluster")
        shared = client_for(cluster.url, 2.0)
    elif kind != "memory":
        shared = make_client()

    def make(ttl: float | None = None) -> Cache:
        if shared is None:
            return MemoryCache(max_bytes=1 << 20, ttl=ttl)
        if not kind.startswith("tiered"):
            return RedisCache(shared, ttl=ttl, timeout=2.0)
        return TieredCache(MemoryCache(max_bytes=1 << 20, ttl=ttl),
                           RedisCache(shared, ttl, timeout=2.0))

    yield make
    if shared is not None:
        stale = [k async for k in shared.scan_iter(match=f"{keys.PREFIX}*{key}*")]
        if stale:
            await shared.delete(*stale)
        await shared.aclose()


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


async def test_delete_prefix_removes_only_the_keys_under_it(cache: Cache, key: str) -> None:
    assert isinstance(cache, MemoryCache | RedisCache | TieredCache)
    names = [f"{key}:a:{n}" for n in range(40)]
    for name in names:
        await cache.set(name, b"v")
    await cache.set(f"{key}:b:0", b"kept")
    await cache.delete_prefix(f"{key}:a:")
    assert [await cache.get(name) for name in names] == [None] * 40
    assert await cache.get(f"{key}:b:0") == b"kept"


async def test_delete_prefix_takes_glob_characters_literally(cache: Cache, key: str) -> None:
    assert isinstance(cache, MemoryCache | RedisCache | TieredCache)
    await cache.set(f"{key}:x1", b"kept")
    await cache.delete_prefix(f"{key}:*")
    assert await cache.get(f"{key}:x1") == b"kept"
