"""Records as the web processes see them: cached once final, watched while running."""

from __future__ import annotations

import asyncio
import dataclasses
import logging
import time
from collections import OrderedDict
from contextlib import AbstractAsyncContextManager
from typing import Protocol

from service.artifacts.record import CorruptRecord, Record
from service.artifacts.store import FileStore
from service.errors import StateUnavailable

log = logging.getLogger("folio.records")


class Watcher(Protocol):
    """Long-poll wake-ups: inotify on the data directory (`artifacts.watch`) or
    database notifications (`state.pg_watch`)."""

    def watch(self, processing_id: str) -> AbstractAsyncContextManager[asyncio.Event]: ...

    async def wait(self, event: asyncio.Event, timeout: float) -> None: ...

    def close(self) -> None: ...


class Records:
    def __init__(self, store: FileStore, watcher: Watcher, keep: int = 20_000) -> None:
        self.store = store
        self.watcher = watcher
        self.keep = keep
        # a finished processing never changes, so its record can be kept
        self._final: OrderedDict[str, Record] = OrderedDict()

    def final(self, processing_id: str) -> Record | None:
        """The record if it is finished and already in memory; never touches the disk."""
        return self._final.get(processing_id)

    def forget(self, processing_id: str) -> None:
        """Drop the kept record (the processing was deleted)."""
        self._final.pop(processing_id, None)

    def forget_all(self) -> None:
        """Drop every kept record (invalidations may have been missed)."""
        self._final.clear()

    async def get(self, processing_id: str) -> Record | None:
        record = self._final.get(processing_id)
        if record is not None:
            self._final.move_to_end(processing_id)
            return record
        record = await asyncio.to_thread(self._load, processing_id)
        if record is not None and record.done:
            # what the client sent is not kept: serving never needs it
            record = dataclasses.replace(record, parameters={})
            self._final[processing_id] = record
            if len(self._final) > self.keep:
                self._final.popitem(last=False)
        return record

    def _load(self, processing_id: str) -> Record | None:
        try:
            return self.store.load(processing_id)
        except CorruptRecord:
            log.exception("corrupt record for processing %s", processing_id)
            raise

    async def wait_done(self, record: Record, timeout: float) -> Record:
        """The record once finished, or as it is when `timeout` seconds have passed.

        A database that goes away meanwhile ends the wait with the record as last
        seen: the job is queued, so the caller answers 202, not 503 (which would
        make a client upload the document again)."""
        if record.done or timeout <= 0:
            return record
        deadline = time.monotonic() + timeout
        async with self.watcher.watch(record.processing_id) as changed:
            while True:
                try:
                    fresh = await self.get(record.processing_id)
                except StateUnavailable:
                    return record
                if fresh is None or fresh.done:
                    return fresh or record
                record = fresh
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    return fresh
                await self.watcher.wait(changed, remaining)
