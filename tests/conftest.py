from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.helpers import Server, SpareRedis, close_clients, run_server

TENANT_A = ("acme", "secret-acme-0123456789")
TENANT_B = ("globex", "secret-globex-0123456789")


@pytest.fixture(scope="session")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    data = tmp_path_factory.mktemp("data")
    keys = f"{TENANT_A[0]}:{TENANT_A[1]},{TENANT_B[0]}:{TENANT_B[1]}"
    with run_server(data, {"FOLIO_API_KEYS": keys, "FOLIO_RATE_LIMIT_RPS": "100000",
                           "FOLIO_RATE_LIMIT_BURST": "100000",
                           "FOLIO_CORS_ORIGINS": "https://viewer.example"}) as srv:
        yield srv


@pytest.fixture
def spare_redis() -> Iterator[SpareRedis]:
    server = SpareRedis()
    server.start()
    yield server
    server.stop()


@pytest.fixture
def data_dir(tmp_path: Path) -> Path:
    return tmp_path / "data"


@pytest.fixture(autouse=True)
def _close_http_clients() -> Iterator[None]:
    yield
    close_clients()
