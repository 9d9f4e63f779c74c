"""Wake long-polls when a processing's record changes in PostgreSQL: every state
change notifies `folio_record` with the processing's id (`state.pg_records`).

The same shape as the inotify watcher (`artifacts.watch`): `watch(id)` gives an
event set on every change, `wait` bounds each wait by a safety re-check, which
also covers the moments the listening connection is being made again.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from service.artifacts.watch import RecordWatcher
from service.state.channels import RECORD_CHANGED
from service.state.notices import Notices


class NoticeWatcher:
    def __init__(self, notices: Notices) -> None:
        self._events: dict[str, set[asyncio.Event]] = {}
        notices.on(RECORD_CHANGED, self._changed)
        notices.on_resync(self._wake_all)

    @asynccontextmanager
    async def watch(self, processing_id: str) -> AsyncIterator[asyncio.Event]:
        event = asyncio.Event()
        self._events.setdefault(processing_id, set()).add(event)
        try:
            yield event
        finally:
            events = self._events.get(processing_id)
            if events is not None:
                events.discard(event)
                if not events:
                    del self._events[processing_id]

    wait = staticmethod(RecordWatcher.wait)

    def _changed(self, processing_id: str) -> None:
        for event in self._events.get(processing_id, ()):
            event.set()

    def _wake_all(self) -> None:
        for events in self._events.values():
            for event in events:
                event.set()

    def close(self) -> None:
        self._events.clear()

