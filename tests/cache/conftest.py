import uuid
from collections.abc import AsyncIterator, Iterator

import pytest
import redis.asyncio as redis
from redis.asyncio.cluster import RedisCluster

from cache import keys
from cache.clients import client_for
from tests.cache.cluster import RedisClusterProcesses

REDIS_HOST = "127.0.0.1"
REDIS_PORT = 6379
TEST_DB = 15


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


@pytest.fixture
def key() -> str:
    """A key no other test (or earlier run) uses, so tests never see each other's data."""
    return f"test-{uuid.uuid4().hex}"


def make_client(port: int = REDIS_PORT) -> redis.Redis:
    return redis.Redis(host=REDIS_HOST, port=port, db=TEST_DB)


@pytest.fixture
async def redis_client(key: str) -> AsyncIterator[redis.Redis]:
    client = make_client()
    yield client
    stale = [k async for k in client.scan_iter(match=f"{keys.PREFIX}*{key}*")]
    if stale:
        await client.delete(*stale)
    await client.aclose()


@pytest.fixture(scope="session")
def redis_cluster(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RedisClusterProcesses]:
    """Three redis-server masters in one cluster, for the whole session."""
    with RedisClusterProcesses(tmp_path_factory.mktemp("redis-cluster")) as cluster:
        yield cluster


@pytest.fixture
async def cluster_client(redis_cluster: RedisClusterProcesses, key: str
                         ) -> AsyncIterator[RedisCluster]:
    client = client_for(redis_cluster.url, 2.0)
    assert isinstance(client, RedisCluster)
    yield client
    stale = [k async for k in client.scan_iter(match=f"{keys.PREFIX}*{key}*")]
    if stale:
        await client.delete(*stale)
    await client.aclose()
