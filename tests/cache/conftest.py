import socket
import subprocess
import time
import uuid
from collections.abc import AsyncIterator, Iterator

import pytest
import redis.asyncio as redis

from cache import keys

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


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind((REDIS_HOST, 0))
        port: int = sock.getsockname()[1]
        return port


class SpareRedis:
    """A throwaway redis-server this test can stop, restart or freeze."""

    def __init__(self) -> None:
        self.port = free_port()
        self.process: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        self.process = subprocess.Popen(
            [
                "redis-server",
                "--port", str(self.port),
                "--bind", REDIS_HOST,
                "--save", "",
                "--appendonly", "no",
                "--daemonize", "no",
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + 10
        while True:
            try:
                socket.create_connection((REDIS_HOST, self.port), timeout=0.2).close()
                return
            except OSError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.02)

    def stop(self) -> None:
        if self.process is not None:
            self.process.terminate()
            self.process.wait()
            self.process = None


@pytest.fixture
def spare_redis() -> Iterator[SpareRedis]:
    server = SpareRedis()
    server.start()
    yield server
    server.stop()
