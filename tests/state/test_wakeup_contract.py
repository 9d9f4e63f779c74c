"""One contract for long-poll wake-ups (inotify, NOTIFY) and one for invalidations
(in this process, NOTIFY to every node), each run against both implementations."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from service.artifacts.records import Watcher
from service.artifacts.store import FileStore
from service.artifacts.watch import RecordWatcher
from service.state.channels import KEYS, PROCESSING
from service.state.database import Database
from service.state.invalidation import Invalidations, LocalInvalidations
from service.state.notices import Notices, PgInvalidations
from service.state.pg_records import PgRecords
from service.state.pg_watch import NoticeWatcher

pytestmark = pytest.mark.anyio


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


@dataclass
class Backend:
    store: FileStore
    watcher: Watcher
    invalidations: Invalidations


@pytest.fixture(params=["files", "postgresql"])
async def backend(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[Backend]:
    if request.param == "files":
        store = FileStore(tmp_path)
        yield Backend(store, RecordWatcher(store.directory), LocalInvalidations())
        return
    db: Database = request.getfixturevalue("database")
    notices = Notices(db.url, 5.0)
    chosen = Backend(FileStore(tmp_path, PgRecords(db)), NoticeWatcher(notices),
                     PgInvalidations(db, notices))
    notices.start()
    await asyncio.wait_for(notices.listening.wait(), 5)
    yield chosen
    await notices.close()


async def test_a_state_change_wakes_the_watcher_at_once(backend: Backend) -> None:
    pid = backend.store.create("acme", "ocr").processing_id
    backend.store.directory(pid).mkdir(parents=True, exist_ok=True)
    async with backend.watcher.watch(pid) as changed:
        started = time.monotonic()
        await asyncio.to_thread(backend.store.mark_running, pid)
        await asyncio.wait_for(changed.wait(), 1.0)
    assert time.monotonic() - started < 1.0


async def test_a_change_to_another_processing_does_not_wake_the_watcher(backend: Backend
                                                                        ) -> None:
    watched = backend.store.create("acme", "ocr").processing_id
    other = backend.store.create("acme", "ocr").processing_id
    backend.store.directory(watched).mkdir(parents=True, exist_ok=True)
    await asyncio.sleep(0.3)  # the creations' own notifications are delivered by now
    async with backend.watcher.watch(watched) as changed:
        await asyncio.to_thread(backend.store.mark_running, other)
        await asyncio.sleep(0.3)
        assert not changed.is_set()


async def test_a_published_invalidation_reaches_its_kind_only(backend: Backend) -> None:
    forgotten: list[tuple[str, str]] = []
    backend.invalidations.subscribe(PROCESSING, lambda key: forgotten.append(("p", key)),
                                    lambda: None)
    backend.invalidations.subscribe(KEYS, lambda key: forgotten.append(("k", key)),
                                    lambda: None)
    await backend.invalidations.publish(PROCESSING, "0b9f2d1c")
    await asyncio.sleep(0.3)  # a notification, if any, has come back by now
    assert set(forgotten) == {("p", "0b9f2d1c")}
