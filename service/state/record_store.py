"""The record store: every processing's record and its state changes.

Two implementations: files in the data directory (`state.record_files`, the
default) and PostgreSQL (`state.pg_records`, with FOLIO_DATABASE_URL). Both are
synchronous, as the job processes and the CLI that call them are; the web
process calls them in a thread. A store that cannot reach its database raises
`errors.StateUnavailable`.

The queue delivers a job at least once, so running a processing starts with
`running(id)`: it yields True to one holder at a time across every host, and the
hold ends with the block or with the holder's process.
"""

from __future__ import annotations

from collections.abc import Iterable
from contextlib import AbstractContextManager
from typing import Any, Protocol

from service.artifacts.record import Record


class RecordStore(Protocol):
    def create(self, tenant: str, workflow: str, *, parameters: dict[str, Any] | None = None,
               processing_id: str | None = None) -> Record: ...

    def load(self, processing_id: str) -> Record | None:
        """The record; None when there is none. CorruptRecord when unreadable."""

    def save(self, record: Record) -> None: ...

    def mark_running(self, processing_id: str) -> Record:
        """Running, one more attempt counted; KeyError when there is no record."""

    def succeed(self, processing_id: str, *, pages: Iterable[tuple[int, int]],
                results: Iterable[str], sub_pdfs: Iterable[str] = (),
                source_kind: str | None = None) -> Record: ...

    def fail(self, processing_id: str, detail: str) -> Record: ...

    def running(self, processing_id: str) -> AbstractContextManager[bool]:
        """True for the one caller that may run the processing now."""

    def expired(self, before: float, limit: int = 1000) -> list[str]:
        """Ids of finished processings completed before `before` (unix seconds)."""

    def delete(self, processing_id: str) -> bool:
        """Forget the record; False when there was none."""
