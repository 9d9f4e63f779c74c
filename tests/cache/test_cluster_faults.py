"""A master of the cluster lost under the image cache: requests render, never fail."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from redis.asyncio.cluster import RedisCluster

from cache import MemoryCache, RedisCache, SingleFlight, TieredCache, keys
from cache.clients import client_for
from tests.cache.cluster import RedisClusterProcesses

pytestmark = pytest.mark.anyio


@pytest.fixture
def doomed_cluster(tmp_path: Path) -> Iterator[RedisClusterProcesses]:
    """A cluster of this test's own: one of its masters is stopped."""
    with RedisClusterProcesses(tmp_path) as cluster:
        yield cluster


def key_on(client: RedisCluster, port: int, stem: str) -> str:
    """A cache key whose entry lives on the master at `port`."""
    for n in range(10_000):
        node = client.get_node_from_key(keys.entry(f"{stem}:{n}"))
        if node is not None and node.port == port:
            return f"{stem}:{n}"
    raise AssertionError("no key found on that master")


async def test_a_lost_master_costs_renders_not_requests(
        doomed_cluster: RedisClusterProcesses) -> None:
    client = client_for(doomed_cluster.url, 1.0)
    assert isinstance(client, RedisCluster)
    try:
        l2 = RedisCache(client, ttl=60, timeout=0.5)
        await client.initialize()
        lost = [key_on(client, doomed_cluster.ports[0], f"lost{n}") for n in range(5)]
        for key in lost:
            await l2.set(key, b"cached")
        assert await l2.get(lost[0]) == b"cached"
        doomed_cluster.processes[0].terminate()
        doomed_cluster.processes[0].wait(10)
        calls = 0

        async def render() -> bytes:
            nonlocal calls
            calls += 1
            return b"rendered"

        flight = SingleFlight(TieredCache(MemoryCache(1 << 20), l2), l2, lease_ms=5_000,
                              wait_timeout=1.0)
        started = time.monotonic()
        for key in lost:
            body, _ = await flight.get_or_compute(key, render)
            assert body == b"rendered"
        assert calls == 5
        assert time.monotonic() - started < 10  # bounded by the timeouts, then the breaker
    finally:
        await client.aclose()
