"""FOLIO_RETENTION_DAYS: the sweep deletes what finished too long ago, one sweeper at a time."""

from __future__ import annotations

import asyncio
import contextlib
import time
from pathlib import Path

import pytest
import redis.asyncio as aredis

from service.artifacts.record import Record
from service.artifacts.store import FileStore
from service.config import Settings
from service.deletion.retention import DAY, Sweeper
from service.deletion.sweep_lock import FileLease, RedisLease
from service.web.context import Services
from tests.conftest import TENANT_A
from tests.helpers import SpareRedis, make_processing, run_server

pytestmark = pytest.mark.anyio


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


def finished_days_ago(store: FileStore, days: float, status: str = "succeeded") -> Record:
    record = make_processing(store, TENANT_A[0], status=status)
    record.completed_at = time.time() - days * DAY
    store.save(record)
    return record


def sweeper(services: Services, days: float, lease: FileLease | RedisLease) -> Sweeper:
    return Sweeper(services.deleter, lease, days, interval=3600)


async def test_the_sweep_deletes_only_what_finished_before_the_retention(
        tmp_path: Path) -> None:
    services = Services.build(Settings(data_dir=tmp_path))
    store = services.store
    old = finished_days_ago(store, 3)
    failed_long_ago = finished_days_ago(store, 3, status="failed")
    recent = finished_days_ago(store, 0.5)
    running = make_processing(store, TENANT_A[0], status="running")
    try:
        deleted = await sweeper(services, 2, FileLease(tmp_path / "lock")).sweep()
    finally:
        await services.close()
    assert deleted == 2
    assert store.load(old.processing_id) is None
    assert store.load(failed_long_ago.processing_id) is None
    assert not store.directory(old.processing_id).exists()
    assert store.load(recent.processing_id) is not None
    assert store.load(running.processing_id) is not None


async def test_a_sweep_with_nothing_expired_deletes_nothing(tmp_path: Path) -> None:
    services = Services.build(Settings(data_dir=tmp_path))
    kept = finished_days_ago(services.store, 1)
    try:
        assert await sweeper(services, 2, FileLease(tmp_path / "lock")).sweep() == 0
    finally:
        await services.close()
    assert services.store.load(kept.processing_id) is not None


async def test_a_file_lease_is_held_by_one_holder_at_a_time(tmp_path: Path) -> None:
    first, second = FileLease(tmp_path / "lock"), FileLease(tmp_path / "lock")
    async with first.hold() as held:
        assert held
        async with second.hold() as also:
            assert not also
    async with second.hold() as held_after:
        assert held_after


async def test_a_redis_lease_is_held_by_one_node_at_a_time(spare_redis: SpareRedis) -> None:
    client = aredis.Redis.from_url(spare_redis.url)
    first, second = RedisLease(client, 5_000, 1.0), RedisLease(client, 5_000, 1.0)
    try:
        async with first.hold() as held:
            assert held
            async with second.hold() as also:
                assert not also
                assert not await second.renew()
            assert await first.renew()
        async with second.hold() as held_after:
            assert held_after
    finally:
        await client.aclose()


async def test_a_lapsed_redis_lease_is_not_released_by_its_old_holder(
        spare_redis: SpareRedis) -> None:
    client = aredis.Redis.from_url(spare_redis.url)
    old, new = RedisLease(client, 100, 1.0), RedisLease(client, 5_000, 1.0)
    try:
        async with contextlib.AsyncExitStack() as new_block:
            async with old.hold() as held:
                assert held
                await asyncio.sleep(0.2)  # the lease runs out mid-sweep
                assert await new_block.enter_async_context(new.hold())
                assert not await old.renew()
            assert await new.renew()  # the old holder's exit released nothing
    finally:
        await client.aclose()


async def test_two_sweepers_at_once_delete_each_processing_once(
        tmp_path: Path, spare_redis: SpareRedis) -> None:
    settings = Settings(data_dir=tmp_path, redis_url=spare_redis.url)
    first, second = Services.build(settings), Services.build(settings)
    old = [finished_days_ago(first.store, 3) for _ in range(5)]
    lease_client = aredis.Redis.from_url(spare_redis.url)
    try:
        counts = await asyncio.gather(
            sweeper(first, 1, RedisLease(lease_client, 5_000, 1.0)).sweep(),
            sweeper(second, 1, RedisLease(lease_client, 5_000, 1.0)).sweep())
    finally:
        await lease_client.aclose()
        await first.close()
        await second.close()
    assert sorted(counts) == [0, 5]
    assert all(first.store.load(r.processing_id) is None for r in old)


def test_folio_serve_sweeps_in_the_background(tmp_path: Path) -> None:
    data = tmp_path / "data"
    store = FileStore(data)
    old = finished_days_ago(store, 3)
    recent = finished_days_ago(store, 0)
    env = {"FOLIO_API_KEYS": f"{TENANT_A[0]}:{TENANT_A[1]}", "FOLIO_RETENTION_DAYS": "1",
           "FOLIO_RETENTION_INTERVAL": "0.2"}
    with run_server(data, env) as node:
        a = node.client(TENANT_A[1])
        deadline = time.monotonic() + 10
        while a.get(f"/processing/results/{old.processing_id}").status_code != 404:
            assert time.monotonic() < deadline, "the sweep did not delete the old processing"
            time.sleep(0.1)
        assert a.get(f"/processing/results/{recent.processing_id}").status_code == 200
