"""The record store in PostgreSQL (FOLIO_DATABASE_URL): one row per processing.

Every state change notifies `folio_record` in its own statement (delivered at
commit), which wakes the long polls waiting on that processing on every node; a
deletion also notifies `folio_invalidate`, so every node drops the record from
its memory. Running a processing holds a session-level advisory lock on a
hash of its id: PostgreSQL drops it with the holder's connection, so a worker
that dies (or loses the database) never keeps a processing locked.
"""

from __future__ import annotations

import secrets
import time
from collections.abc import Iterable, Iterator
from contextlib import contextmanager, suppress
from typing import Any

from service.artifacts.files import valid_id
from service.artifacts.record import FAILED, RUNNING, STATES, SUCCEEDED, CorruptRecord, Record
from service.errors import StateUnavailable
from service.state.channels import INVALIDATE, PROCESSING, RECORD_CHANGED, payload
from service.state.database import Database
from service.state.record_files import new_record

COLUMNS = ("processing_id", "tenant", "workflow", "status", "created_at", "updated_at",
           "completed_at", "error", "parameters", "source_kind", "pages", "results",
           "sub_pdfs", "version", "attempts")
_PLACES = ", ".join(f"${n}" for n in range(1, len(COLUMNS) + 1))
_UPDATES = ", ".join(f"{c} = EXCLUDED.{c}" for c in COLUMNS[1:])
SAVE = (f"WITH u AS (INSERT INTO processings ({', '.join(COLUMNS)}) VALUES ({_PLACES}) "
        f"ON CONFLICT (processing_id) DO UPDATE SET {_UPDATES} RETURNING processing_id) "
        f"SELECT pg_notify('{RECORD_CHANGED}', u.processing_id::text) FROM u")
SELECT = f"SELECT {', '.join(COLUMNS)} FROM processings WHERE processing_id = $1::uuid"


def _changed(assignments: str) -> str:
    """An UPDATE of one record that notifies the change and returns the new row."""
    return (f"WITH u AS (UPDATE processings SET {assignments} WHERE processing_id = $1::uuid "
            f"RETURNING {', '.join(COLUMNS)}) "
            f"SELECT u.*, pg_notify('{RECORD_CHANGED}', u.processing_id::text) FROM u")


MARK_RUNNING = _changed(f"status = '{RUNNING}', attempts = attempts + 1, error = NULL, "
                        "updated_at = $2")
SUCCEED = _changed(f"status = '{SUCCEEDED}', error = NULL, pages = $2, results = $3, "
                   "sub_pdfs = $4, source_kind = COALESCE($5, source_kind), "
                   "completed_at = $6, updated_at = $6, version = $7")
FAIL = _changed(f"status = '{FAILED}', error = $2, completed_at = $3, updated_at = $3")
DELETE = (f"WITH d AS (DELETE FROM processings WHERE processing_id = $1::uuid "
          f"RETURNING processing_id) "
          f"SELECT pg_notify('{INVALIDATE}', '{payload(PROCESSING, '')}' || d.processing_id), "
          f"pg_notify('{RECORD_CHANGED}', d.processing_id::text) FROM d")
TRY_LOCK = "SELECT pg_try_advisory_lock(hashtextextended($1, 0))"
UNLOCK = "SELECT pg_advisory_unlock(hashtextextended($1, 0))"


def _record(row: Any) -> Record:
    try:
        record = Record(**{c: row[c] for c in COLUMNS})
        record.processing_id = str(row["processing_id"])
        record.pages = [(int(w), int(h)) for w, h in record.pages]
    except (TypeError, ValueError) as exc:
        raise CorruptRecord(f"malformed record: {exc}") from exc
    if record.status not in STATES:
        raise CorruptRecord("malformed record: bad status")
    return record


def _check(processing_id: str) -> None:
    if not valid_id(processing_id):
        raise ValueError("not a processing id")


def row_values(record: Record) -> list[Any]:
    values = [getattr(record, c) for c in COLUMNS]
    values[COLUMNS.index("pages")] = [list(p) for p in record.pages]
    return values


class PgRecords:
    def __init__(self, db: Database) -> None:
        self.db = db

    def create(self, tenant: str, workflow: str, *, parameters: dict[str, Any] | None = None,
               processing_id: str | None = None) -> Record:
        record = new_record(tenant, workflow, parameters, processing_id)
        self.save(record)
        return record

    def load(self, processing_id: str) -> Record | None:
        _check(processing_id)
        row = self.db.run(lambda conn: conn.fetchrow(SELECT, processing_id), retry=True)
        return None if row is None else _record(row)

    def save(self, record: Record) -> None:
        record.updated_at = time.time()
        values = row_values(record)
        self.db.run(lambda conn: conn.execute(SAVE, *values))

    def _change(self, query: str, processing_id: str, *args: Any) -> Record:
        _check(processing_id)
        row = self.db.run(lambda conn: conn.fetchrow(query, processing_id, *args))
        if row is None:
            raise KeyError(processing_id)
        return _record(row)

    def mark_running(self, processing_id: str) -> Record:
        return self._change(MARK_RUNNING, processing_id, time.time())

    def succeed(self, processing_id: str, *, pages: Iterable[tuple[int, int]],
                results: Iterable[str], sub_pdfs: Iterable[str] = (),
                source_kind: str | None = None) -> Record:
        return self._change(SUCCEED, processing_id, [[int(w), int(h)] for w, h in pages],
                            list(results), list(sub_pdfs), source_kind, time.time(),
                            secrets.token_hex(8))

    def fail(self, processing_id: str, detail: str) -> Record:
        return self._change(FAIL, processing_id, detail, time.time())

    @contextmanager
    def running(self, processing_id: str) -> Iterator[bool]:
        with self.db.session() as session:
            mine = bool(session.run(lambda conn: conn.fetchval(TRY_LOCK, processing_id)))
            try:
                yield mine
            finally:
                if mine:
                    # a connection lost meanwhile took its lock with it
                    with suppress(StateUnavailable):
                        session.run(lambda conn: conn.execute(UNLOCK, processing_id))

    def expired(self, before: float, limit: int = 1000) -> list[str]:
        rows = self.db.run(lambda conn: conn.fetch(
            "SELECT processing_id FROM processings WHERE completed_at < $1 "
            "ORDER BY completed_at LIMIT $2", before, limit), retry=True)
        return [str(row["processing_id"]) for row in rows]

    def delete(self, processing_id: str) -> bool:
        row = self.db.run(lambda conn: conn.fetchrow(DELETE, processing_id))
        return row is not None
