"""A database that goes away while a long poll waits: the wait ends with the record
as last seen (the caller answers 202), never a 503 for a job already queued."""

from __future__ import annotations

import asyncio
import time
from pathlib import Path

import pytest

from service.artifacts.record import RUNNING, Record
from service.artifacts.records import Records
from service.artifacts.store import FileStore
from service.artifacts.watch import RecordWatcher
from service.errors import StateUnavailable
from service.state.record_files import RecordFiles


class Unplugged(RecordFiles):
    """The file store, but unreachable while `down`."""

    down = False

    def load(self, processing_id: str) -> Record | None:
        if self.down:
            raise StateUnavailable()
        return super().load(processing_id)


def test_a_long_poll_ends_with_the_record_as_seen_when_the_database_goes(
        tmp_path: Path) -> None:
    records_store = Unplugged(tmp_path)
    store = FileStore(tmp_path, records_store)
    running = store.mark_running(store.create("acme", "ocr").processing_id)

    async def wait() -> tuple[Record, float]:
        records = Records(store, RecordWatcher(store.directory))
        waiting = asyncio.ensure_future(records.wait_done(running, 30))
        await asyncio.sleep(0.2)
        records_store.down = True
        started = time.monotonic()
        return await asyncio.wait_for(waiting, 10), time.monotonic() - started

    record, waited = asyncio.run(wait())
    assert record.status == RUNNING and record.processing_id == running.processing_id
    assert waited < 3  # the next look (at the latest the 2 s re-check) ends it


def test_the_first_look_of_a_long_poll_still_answers_503(tmp_path: Path) -> None:
    records_store = Unplugged(tmp_path)
    store = FileStore(tmp_path, records_store)
    pid = store.create("acme", "ocr").processing_id
    records_store.down = True
    with pytest.raises(StateUnavailable):
        asyncio.run(Records(store, RecordWatcher(store.directory)).get(pid))
