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


def group_of(key: str) -> str | None:
    return key.rpartition(":")[0] or None


@pytest.fixture(params=["redis", "cluster"])
async def grouped(request: pytest.FixtureRequest, key: str) -> AsyncIterator[RedisCache]:
    if request.param == "cluster":
        cluster: RedisClusterProcesses = request.getfixturevalue("redis_cluster")
        shared: redis.Redis | RedisCluster = client_for(cluster.url, 2.0)
    else:
        shared = make_client()
    yield RedisCache(shared, ttl=60, timeout=2.0, group_of=group_of)
    stale = [k async for k in shared.scan_iter(match=f"{keys.PREFIX}*{key}*")]
    if stale:
        await shared.delete(*stale)
    await shared.aclose()


async def test_delete_group_removes_only_its_entries(grouped: RedisCache, key: str) -> None:
    names = [f"{key}-a:{n}" for n in range(40)]
    for name in names:
        await grouped.set(name, b"v")
    assert await grouped.add(f"{key}-a:added", b"v") is True
    await grouped.set(f"{key}-b:0", b"kept")
    assert await grouped.delete_group(f"{key}-a") == 41
    assert [await grouped.get(name) for name in [*names, f"{key}-a:added"]] == [None] * 41
    assert await grouped.get(f"{key}-b:0") == b"kept"
    assert await grouped.delete_group(f"{key}-a") == 0


async def test_a_group_index_lives_as_long_as_its_entries(grouped: RedisCache,
                                                          key: str) -> None:
    await grouped.set(f"{key}-g:0", b"v", ttl=30)
    remaining = await grouped.client.pttl(keys.group(f"{key}-g"))
    assert 29_000 < remaining <= 30_000


async def test_an_entry_without_a_group_is_not_indexed(grouped: RedisCache, key: str) -> None:
    await grouped.set(key, b"v")  # no ":" in it: no group
    assert [k async for k in grouped.client.scan_iter(match=f"{keys.PREFIX}group:*{key}*")] \
        == []
