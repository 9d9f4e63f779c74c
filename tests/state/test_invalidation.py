"""Two nodes on one database (two web states in this process, each with its own
listening connection): a revoked key or share token and a deleted processing are
refused by the other node within 2 s, with no database read per request."""

from __future__ import annotations

import asyncio
import datetime as dt
import time
from collections.abc import AsyncIterator, Callable
from pathlib import Path

import asyncpg
import pytest

from service.access.apikeys import KeyRing
from service.access.share_tokens import TokenRefused
from service.artifacts.records import Records
from service.artifacts.store import FileStore
from service.config import Settings
from service.state.channels import PROCESSING
from service.state.stores import database_for
from service.state.web_state import WebState, web_state_for

pytestmark = pytest.mark.anyio
WITHIN = 2.0  # seconds: the fleet's promise
DOC = "0b9f2d1c-8e8a-4a51-9f0e-2f7b1c3d4e5f"
TOMORROW = dt.datetime.now(dt.UTC).date() + dt.timedelta(days=1)


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


class Node:
    def __init__(self, settings: Settings) -> None:
        self.store = FileStore.from_settings(settings)
        self.state: WebState = web_state_for(settings, self.store.directory, None)
        self.keys = KeyRing(self.state.keys, ())
        self.state.on_keys_reloaded(self.keys.reload_soon)
        self.records = Records(self.store, self.state.watcher)
        self.state.invalidations.subscribe(PROCESSING, self.records.forget,
                                           self.records.forget_all)


@pytest.fixture
async def nodes(database_url: str, tmp_path: Path) -> AsyncIterator[tuple[Node, Node]]:
    settings = Settings(data_dir=tmp_path, database_url=database_url)
    pair = (Node(settings), Node(settings))
    for node in pair:
        node.state.start()
    for node in pair:
        assert node.state.notices is not None
        await asyncio.wait_for(node.state.notices.listening.wait(), 5)
    yield pair
    for node in pair:
        await node.state.close()


async def _within(condition: Callable[[], object], seconds: float = WITHIN) -> float:
    started = time.monotonic()
    while not condition():
        assert time.monotonic() - started < seconds, "not within the time promised"
        await asyncio.sleep(0.02)
    return time.monotonic() - started


async def test_a_key_created_on_one_node_works_on_the_other(nodes: tuple[Node, Node]
                                                             ) -> None:
    a, b = nodes
    _, secret = await asyncio.to_thread(a.state.keys.create, "acme", None)
    await _within(lambda: b.keys.tenant_for(f"ApiKey {secret}") == "acme")


async def test_a_key_revoked_on_one_node_is_refused_by_the_other(nodes: tuple[Node, Node]
                                                                  ) -> None:
    a, b = nodes
    key, secret = await asyncio.to_thread(a.state.keys.create, "acme", None)
    await _within(lambda: b.keys.tenant_for(f"ApiKey {secret}") == "acme")
    await asyncio.to_thread(a.state.keys.revoke, key.key_id)
    await _within(lambda: b.keys.tenant_for(f"ApiKey {secret}") is None)


async def test_a_token_revoked_on_one_node_is_refused_by_the_other(nodes: tuple[Node, Node]
                                                                    ) -> None:
    a, b = nodes
    body = await asyncio.to_thread(a.state.tokens.create, "acme", DOC,
                                   TOMORROW, "acme")
    await b.state.tokens.check(body["token"], DOC)  # now in b's memory
    assert await a.state.tokens.revoke("acme", body["uuid"])
    refused = False

    async def probe() -> None:
        nonlocal refused
        try:
            await b.state.tokens.check(body["token"], DOC)
        except TokenRefused:
            refused = True

    started = time.monotonic()
    while not refused:
        assert time.monotonic() - started < WITHIN
        await probe()
        await asyncio.sleep(0.02)


async def test_a_processing_deleted_on_one_node_leaves_the_other(nodes: tuple[Node, Node]
                                                                  ) -> None:
    a, b = nodes
    record = a.store.create("acme", "ocr")
    a.store.succeed(record.processing_id, pages=[(10, 10)], results=["ocr"])
    assert await b.records.get(record.processing_id) is not None
    assert b.records.final(record.processing_id) is not None  # the hot path's tier
    assert a.store.records.delete(record.processing_id)
    await _within(lambda: b.records.final(record.processing_id) is None)


async def test_the_key_ring_reads_no_database_per_request(nodes: tuple[Node, Node],
                                                         database_url: str) -> None:
    a, b = nodes
    _, secret = await asyncio.to_thread(a.state.keys.create, "acme", None)
    await _within(lambda: b.keys.tenant_for(f"ApiKey {secret}") == "acme")
    db = database_for(Settings(database_url=database_url))
    assert db is not None
    calls = 0
    original = db.run_async

    async def counted(*args: object, **kwargs: object) -> object:
        nonlocal calls
        calls += 1
        return await original(*args, **kwargs)  # type: ignore[arg-type]

    db.run_async = counted  # type: ignore[method-assign]
    try:
        for _ in range(1000):
            assert b.keys.tenant_for(f"ApiKey {secret}") == "acme"
    finally:
        db.run_async = original  # type: ignore[method-assign]
    assert calls == 0


async def test_a_lost_listener_reconnects_and_forgets_what_it_may_have_missed(
        nodes: tuple[Node, Node], database_url: str) -> None:
    a, b = nodes
    record = a.store.create("acme", "ocr")
    a.store.succeed(record.processing_id, pages=[(10, 10)], results=["ocr"])
    await b.records.get(record.processing_id)
    assert b.state.notices is not None
    conn = await asyncpg.connect(database_url)
    try:
        # every connection to this run's database is dropped, the listeners with them
        await conn.execute("SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                           "WHERE datname = current_database() AND pid <> pg_backend_pid()")
    finally:
        await conn.close()
    await _within(lambda: b.records.final(record.processing_id) is None, 10)
    await asyncio.wait_for(b.state.notices.listening.wait(), 10)



async def test_a_long_poll_wakes_when_another_node_finishes_the_job(nodes: tuple[Node, Node]
                                                                     ) -> None:
    a, b = nodes
    pid = a.store.create("acme", "ocr").processing_id
    running = a.store.mark_running(pid)
    waiting = asyncio.ensure_future(b.records.wait_done(running, 30))
    await asyncio.sleep(0.3)
    started = time.monotonic()
    await asyncio.to_thread(a.store.succeed, pid, pages=[(10, 10)], results=["ocr"])
    done = await asyncio.wait_for(waiting, 5)
    # woken by the notification, well before the 2 s safety re-check
    assert done.done and time.monotonic() - started < 0.5
