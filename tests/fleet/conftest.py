"""The fleet: its own SeaweedFS (the fault test stops it), the run's throwaway
PostgreSQL database behind a proxy that can cut it (the shared server keeps running for
every other test), its own redis-server for the queue and the image cache, two nodes,
two workers and nginx."""

from __future__ import annotations

import uuid
from collections.abc import Iterator

import pytest

from tests.fleet.fleet import Fleet, nginx_binary
from tests.helpers import SpareRedis
from tests.objects.seaweed import SeaweedFS
from tests.state.postgres import postgres_database
from tests.state.proxy import Proxy

__all__ = ["postgres_database"]


@pytest.fixture(scope="module")
def fleet_seaweed(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SeaweedFS]:
    service = SeaweedFS(tmp_path_factory.mktemp("fleet-seaweedfs"))
    service.start()
    yield service
    service.kill()


@pytest.fixture(scope="module")
def database_proxy() -> Iterator[Proxy]:
    proxy = Proxy(("127.0.0.1", 5432))
    proxy.up()
    yield proxy
    proxy.down()


@pytest.fixture(scope="module")
def fleet_redis() -> Iterator[SpareRedis]:
    server = SpareRedis()
    server.start()
    yield server
    server.stop()


@pytest.fixture(scope="module")
def fleet(tmp_path_factory: pytest.TempPathFactory, fleet_seaweed: SeaweedFS,
          postgres_database: str, database_proxy: Proxy,
          fleet_redis: SpareRedis) -> Iterator[Fleet]:
    if nginx_binary() is None:
        pytest.skip("nginx is not installed and could not be (scripts/run test installs it)")
    prefix = f"fleet-{uuid.uuid4().hex[:8]}"
    running = Fleet(tmp_path_factory.mktemp("fleet"), fleet_seaweed.env(prefix),
                    database_proxy.url_for(postgres_database), fleet_redis.url)
    try:
        running.start()
        yield running
    finally:
        running.stop()
