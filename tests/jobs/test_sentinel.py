"""FOLIO_REDIS_URL=redis+sentinel://…: the queue's one primary, found (and found again
after a failover) through Sentinel."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from arq import create_pool
from redis.exceptions import RedisError

from cache.clients import close_client, primary_for, sentinel_url
from service.config import ConfigError, Settings
from service.jobs.arq_queue import _redis_settings
from tests.jobs.sentinel import SERVICE, SentinelSetup

pytestmark = pytest.mark.anyio


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


@pytest.fixture
def sentinel(tmp_path: Path) -> Iterator[SentinelSetup]:
    with SentinelSetup(tmp_path) as setup:
        yield setup


def test_a_sentinel_url_names_the_sentinels_and_the_primary() -> None:
    parts = sentinel_url("redis+sentinel://u:p%40ss@10.0.0.1:26379,10.0.0.2:26379/folio/2")
    assert parts.sentinels == [("10.0.0.1", 26379), ("10.0.0.2", 26379)]
    assert (parts.service, parts.db, parts.username, parts.password) == ("folio", 2, "u", "p@ss")


def test_the_queue_may_name_its_primary_through_sentinel() -> None:
    url = "redis+sentinel://127.0.0.1:26379/folio"
    assert Settings.from_env({"FOLIO_REDIS_URL": url}).redis_url == url
    with pytest.raises(ConfigError, match="FOLIO_REDIS_URL"):
        Settings.from_env({"FOLIO_REDIS_URL": "redis+sentinel://127.0.0.1:26379"})


async def test_the_client_finds_the_new_primary_after_a_failover(
        sentinel: SentinelSetup) -> None:
    client = primary_for(sentinel.url, 1.0)
    try:
        await client.set("folio:test:before", b"1")
        sentinel.fail_over()
        deadline = time.monotonic() + 20
        while True:
            try:
                await client.set("folio:test:after", b"2")
                break
            except (RedisError, OSError):
                assert time.monotonic() < deadline, "no primary after the failover"
                await asyncio.sleep(0.2)
        assert await client.get("folio:test:before") == b"1"  # it was replicated
        info = await client.info("replication")
        assert info["role"] == "master" and sentinel.primary_port() == sentinel.replica
    finally:
        await close_client(client)


async def test_arq_enqueues_through_sentinel(sentinel: SentinelSetup) -> None:
    settings = _redis_settings(sentinel.url, 1.0)
    assert settings.sentinel and settings.sentinel_master == SERVICE
    pool = await create_pool(settings)
    try:
        job = await pool.enqueue_job("run", "some-id", _job_id="some-id")
        assert job is not None
        assert await pool.exists("arq:job:some-id")
    finally:
        await close_client(pool)  # arq's pool is a Sentinel-found primary too
