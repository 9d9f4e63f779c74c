"""The filesystem artifact store.

Layout under the data directory:

    processings/<id[:2]>/<id>/record.json      state, tenant, page sizes, error, times
    processings/<id[:2]>/<id>/<artifact>       one file per artifact (+ <artifact>.gz)

Every write goes to a temporary name in the same directory and is renamed into
place, so a reader never sees half a file; the record turns succeeded last.
Ids are canonical UUIDs, checked before any path is built.
"""

from __future__ import annotations

import gzip
import os
import secrets
import shutil
import time
import uuid
from collections.abc import Iterable, Sequence
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import orjson

from service.artifacts.packed import GZIP_LEVEL, Packed, gzip_member
from service.artifacts.record import FAILED, RUNNING, SUCCEEDED, CorruptRecord, Record

RECORD = "record.json"


def valid_id(processing_id: str) -> bool:
    try:
        return str(uuid.UUID(processing_id)) == processing_id
    except (ValueError, AttributeError, TypeError):
        return False


def atomic_write(path: Path, data: bytes, sync: bool = True) -> None:
    """Write to a temporary name and rename it into place; with `sync` the data is on
    disk before the rename (without, the caller syncs it later: `sync_files`)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{secrets.token_hex(6)}.tmp")
    with open(tmp, "wb") as fh:
        fh.write(data)
        if sync:
            fh.flush()
            os.fsync(fh.fileno())
    os.replace(tmp, path)


def sync_files(paths: Sequence[Path]) -> None:
    """Put the files and their directory entries on disk: all files at once (the
    filesystem commits concurrent fsyncs together, ~4x faster than one after
    another here), then each directory once."""
    if paths:
        with ThreadPoolExecutor(len(paths)) as pool:
            list(pool.map(_fsync, paths))
    for directory in sorted({path.parent for path in paths}):
        _fsync(directory)


def _fsync(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


class FileStore:
    def __init__(self, root: Path) -> None:
        self.root = Path(root)
        self.processings = self.root / "processings"

    # -- paths ---------------------------------------------------------------

    def directory(self, processing_id: str) -> Path:
        if not valid_id(processing_id):
            raise ValueError("not a processing id")
        return self.processings / processing_id[:2] / processing_id

    def artifact(self, processing_id: str, name: str) -> Path:
        if name.startswith("/") or ".." in name.split("/"):
            raise ValueError("bad artifact name")
        return self.directory(processing_id) / name

    # -- records -------------------------------------------------------------

    def create(
        self,
        tenant: str,
        workflow: str,
        *,
        parameters: dict[str, Any] | None = None,
        processing_id: str | None = None,
    ) -> Record:
        now = time.time()
        record = Record(
            processing_id=processing_id or str(uuid.uuid4()),
            tenant=tenant,
            workflow=workflow,
            created_at=now,
            updated_at=now,
            parameters=dict(parameters or {}),
            version=secrets.token_hex(8),
        )
        self.save(record)
        return record

    def load(self, processing_id: str) -> Record | None:
        path = self.directory(processing_id) / RECORD
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
        atomic_write(self.directory(record.processing_id) / RECORD, orjson.dumps(record.to_json()))

    # -- artifacts -----------------------------------------------------------

    def write_artifact(
        self, processing_id: str, name: str, data: bytes | Packed, *, compress: bool = False,
        unsynced: list[Path] | None = None,
    ) -> Path:
        """Store `data`; with `compress` also its gzip twin, made of the deflated
        pieces when `data` is Packed. Given `unsynced`, the files written are added
        to it instead of being synced one by one: the caller passes it to
        `sync_files` before the record turns done."""
        path = self.artifact(processing_id, name)
        written = [path]
        atomic_write(path, data.plain if isinstance(data, Packed) else data, unsynced is None)
        if compress:
            gz = (gzip_member(data) if isinstance(data, Packed)
                  else gzip.compress(data, GZIP_LEVEL, mtime=0))
            written.append(path.with_name(path.name + ".gz"))
            atomic_write(written[-1], gz, unsynced is None)
        if unsynced is not None:
            unsynced.extend(written)
        return path

    def put_file(self, processing_id: str, name: str, source: Path) -> Path:
        """Move (or copy across devices) a finished file into place atomically."""
        path = self.artifact(processing_id, name)
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_name(f".{path.name}.{secrets.token_hex(6)}.tmp")
        shutil.move(str(source), tmp)
        os.replace(tmp, path)
        return path

    # -- state transitions ---------------------------------------------------

    def mark_running(self, processing_id: str) -> Record:
        record = self._require(processing_id)
        record.status = RUNNING
        record.attempts += 1
        record.error = None
        self.save(record)
        return record

    def succeed(
        self,
        processing_id: str,
        *,
        pages: Iterable[tuple[int, int]],
        results: Iterable[str],
        sub_pdfs: Iterable[str] = (),
        source_kind: str | None = None,
    ) -> Record:
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

    def writable(self) -> bool:
        try:
            self.root.mkdir(parents=True, exist_ok=True)
            atomic_write(self.root / ".readyz", b"ok")
            return True
        except OSError:
            return False
