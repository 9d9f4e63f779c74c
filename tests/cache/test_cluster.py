"""The image cache on a real three-master Redis Cluster: slots, leases, URLs."""

import asyncio

import pytest
from redis.asyncio.cluster import RedisCluster
from redis.crc import key_slot

from cache import MemoryCache, RedisCache, SingleFlight, TieredCache, keys
from cache.clients import client_for, cluster_nodes, is_cluster
from service.config import ConfigError, Settings

from .test_singleflight import Computation

pytestmark = pytest.mark.anyio


def flight(client: RedisCluster) -> SingleFlight:
    l2 = RedisCache(client, ttl=60, timeout=2.0)
    return SingleFlight(TieredCache(MemoryCache(max_bytes=1 << 20), l2), l2, lease_ms=5_000)


def test_an_entry_and_its_lease_share_one_slot() -> None:
    name = "img:0b7c6f0e-51a4-4a39-9c52-6c1b9a0e9b1f:v1:p1-800x1131-85.jpeg"
    assert key_slot(keys.entry(name).encode()) == key_slot(keys.lease(name).encode())


async def test_derivatives_spread_over_every_master(cluster_client: RedisCluster,
                                                    key: str) -> None:
    cache = RedisCache(cluster_client, ttl=60, timeout=2.0)
    for n in range(60):
        await cache.set(f"{key}:p{n}", b"x")
    holders = [cluster_client.get_node_from_key(keys.entry(f"{key}:p{n}"))
               for n in range(60)]
    assert len({node.name for node in holders if node is not None}) == 3


async def test_every_entry_carries_the_ttl(cluster_client: RedisCluster, key: str) -> None:
    await RedisCache(cluster_client, ttl=60, timeout=2.0).set(key, b"x")
    assert 0 < await cluster_client.pttl(keys.entry(key)) <= 60_000


async def test_two_processes_on_the_cluster_render_once(cluster_client: RedisCluster,
                                                        key: str) -> None:
    compute = Computation(delay=0.2)
    first, second = flight(cluster_client), flight(cluster_client)
    results = await asyncio.gather(first.get_or_compute(key, compute),
                                   second.get_or_compute(key, compute))
    assert compute.calls == 1
    assert sorted(outcome for _, outcome in results) == ["coalesced", "miss"]
    assert await cluster_client.exists(keys.lease(key)) == 0  # released


async def test_a_group_spread_over_every_master_is_deleted(cluster_client: RedisCluster,
                                                         key: str) -> None:
    cache = RedisCache(cluster_client, ttl=60, timeout=2.0,
                       group_of=lambda name: name.rpartition(":")[0])
    names = [f"{key}:{n}" for n in range(60)]
    for name in names:
        await cache.set(name, b"x")
    holders = [cluster_client.get_node_from_key(keys.entry(name)) for name in names]
    assert len({node.name for node in holders if node is not None}) == 3
    assert await cache.delete_group(key) == 60
    assert [k async for k in cluster_client.scan_iter(match=f"*{key}*")] == []


def test_a_cluster_url_names_its_nodes() -> None:
    url = "redis+cluster://10.0.0.1:7000,10.0.0.2:7001"
    assert is_cluster(url) and not is_cluster("redis://10.0.0.1:6379/0")
    assert cluster_nodes(url) == [("10.0.0.1", 7000), ("10.0.0.2", 7001)]


@pytest.mark.parametrize("url", ["redis+cluster://", "redis+cluster://host",
                                 "redis+cluster://host:7000/0", "redis+cluster://h:99999"],
                         ids=["no-node", "no-port", "database-path", "port-out-of-range"])
def test_a_malformed_cluster_url_is_refused(url: str) -> None:
    with pytest.raises(ValueError):
        cluster_nodes(url)


def test_a_cluster_url_with_credentials_makes_a_cluster_client() -> None:
    client = client_for("redis+cluster://user:s%40cret@127.0.0.1:7000", 1.0)
    assert isinstance(client, RedisCluster)


def test_the_image_cache_may_name_a_cluster_but_the_queue_may_not() -> None:
    url = "redis+cluster://127.0.0.1:7000,127.0.0.1:7001"
    assert Settings.from_env({"FOLIO_REDIS_CACHE_URL": url}).redis_cache_url == url
    with pytest.raises(ConfigError, match=r"FOLIO_REDIS_URL.*one Redis primary"):
        Settings.from_env({"FOLIO_REDIS_URL": url})
    with pytest.raises(ConfigError, match=r"FOLIO_REDIS_CACHE_URL.*host:port"):
        Settings.from_env({"FOLIO_REDIS_CACHE_URL": "redis+cluster://nohost"})
