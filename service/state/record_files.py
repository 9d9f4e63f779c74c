"""The record store in the data directory (the default): one JSON file per processing.

    processings/<id[:2]>/<id>/record.json

written atomically beside the processing's artifacts. Running a processing holds
an exclusive flock on its directory, which the kernel drops with the holder's
process, so a killed worker never keeps a processing locked.
"""

from __future__ import annotations

import fcntl
import os
import secrets
import time
import uuid
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import orjson

from service.artifacts.files import atomic_write, valid_id
from service.artifacts.record import FAILED, RUNNING, SUCCEEDED, CorruptRecord, Record

RECORD = "record.json"


def new_record(tenant: str, workflow: str, parameters: dict[str, Any] | None,
               processing_id: str | None) -> Record:
    now = time.time()
    return Record(processing_id=processing_id or str(uuid.uuid4()), tenant=tenant,
                  workflow=workflow, created_at=now, updated_at=now,
                  parameters=dict(parameters or {}), version=secrets.token_hex(8))


class RecordFiles:
    def __init__(self, root: Path) -> None:
        self.processings = Path(root) / "processings"

    def _directory(self, processing_id: str) -> Path:
        if not valid_id(processing_id):
            raise ValueError("not a processing id")
        return self.processings / processing_id[:2] / processing_id

    def create(self, tenant: str, workflow: str, *, parameters: dict[str, Any] | None = None,
               processing_id: str | None = None) -> Record:
        record = new_record(tenant, workflow, parameters, processing_id)
        self.save(record)
        return record

    def load(self, processing_id: str) -> Record | None:
        path = self._directory(processing_id) / RECORD
        try:
            raw = path.read_bytes()
        except FileNotFoundError:
            return None
        except OSError as exc:
            raise CorruptRecord(f"record unreadable: {exc.strerror}") from exc
        try:
            data = orjson.loads(raw)
        except orjson.JSONDecodeError as exc:
            raise CorruptRecord("record is not valid JSON") from exc
        record = Record.from_json(data)
        if record.processing_id != processing_id:
            raise CorruptRecord("record belongs to another processing")
        return record

    def save(self, record: Record) -> None:
        record.updated_at = time.time()
        atomic_write(self._directory(record.processing_id) / RECORD,
                     orjson.dumps(record.to_json()))

    def mark_running(self, processing_id: str) -> Record:
        record = self._require(processing_id)
        record.status = RUNNING
        record.attempts += 1
        record.error = None
        self.save(record)
        return record

    def succeed(self, processing_id: str, *, pages: Iterable[tuple[int, int]],
                results: Iterable[str], sub_pdfs: Iterable[str] = (),
                source_kind: str | None = None) -> Record:
        record = self._require(processing_id)
        record.pages = [(int(w), int(h)) for w, h in pages]
        record.results = list(results)
        record.sub_pdfs = list(sub_pdfs)
        if source_kind is not None:
            record.source_kind = source_kind
        record.status = SUCCEEDED
        record.error = None
        record.completed_at = time.time()
        record.version = secrets.token_hex(8)
        self.save(record)
        return record

    def fail(self, processing_id: str, detail: str) -> Record:
        record = self._require(processing_id)
        record.status = FAILED
        record.error = detail
        record.completed_at = time.time()
        self.save(record)
        return record

    def _require(self, processing_id: str) -> Record:
        record = self.load(processing_id)
        if record is None:
            raise KeyError(processing_id)
        return record

    @contextmanager
    def running(self, processing_id: str) -> Iterator[bool]:
        try:
            fd = os.open(self._directory(processing_id), os.O_RDONLY | os.O_DIRECTORY)
        except FileNotFoundError:
            yield False
            return
        try:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                yield False
                return
            yield True
        finally:
            os.close(fd)  # closing drops the lock

    def expired(self, before: float, limit: int = 1000) -> list[str]:
        found: list[str] = []
        for path in self.processings.glob(f"*/*/{RECORD}"):
            try:
                record = self.load(path.parent.name)
            except (CorruptRecord, ValueError):
                continue
            if record is not None and record.done and (record.completed_at or 0) < before:
                found.append(record.processing_id)
                if len(found) >= limit:
                    break
        return found

    def delete(self, processing_id: str) -> bool:
        try:
            (self._directory(processing_id) / RECORD).unlink()
        except FileNotFoundError:
            return False
        return True
