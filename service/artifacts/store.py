"""The filesystem artifact store.

Layout under the data directory:

    processings/<id[:2]>/<id>/record.json      state, tenant, page sizes, error, times
    processings/<id[:2]>/<id>/<artifact>       one file per artifact (+ <artifact>.gz)

Artifacts and originals are objects (`service/objects/`): by default these same
files, or, with FOLIO_STORE_URL, objects in a bucket and copies of them on this
machine's disk tier.

Every write goes to a temporary name in the same directory and is renamed into
place, so a reader never sees half a file; the record turns succeeded last.
Ids are canonical UUIDs, checked before any path is built.
"""

from __future__ import annotations

import asyncio
import contextlib
import gzip
import os
import secrets
import shutil
from collections.abc import Iterable, Sequence
from concurrent.futures import ThreadPoolExecutor
from contextlib import AbstractContextManager
from pathlib import Path
from typing import Any

from service.artifacts.files import atomic_write, valid_id
from service.artifacts.packed import GZIP_LEVEL, Packed, gzip_member
from service.artifacts.record import Record
from service.config import Settings
from service.errors import NotFound, StoreUnavailable
from service.objects.base import ObjectInfo, artifact_key, processing_prefix
from service.objects.configure import tier_for
from service.objects.directory_store import DirectoryStore
from service.objects.disk_tier import DiskTier
from service.state.record_files import RECORD, RecordFiles
from service.state.record_store import RecordStore
from service.state.stores import records_for

__all__ = ["RECORD", "FileStore", "atomic_write", "sync_files", "valid_id"]


def sync_files(paths: Sequence[Path]) -> None:
    """Put the files and their directory entries on disk: all files at once (the
    filesystem commits concurrent fsyncs together, ~4x faster than one after
    another here), then each directory once."""
    if paths:
        with ThreadPoolExecutor(len(paths)) as pool:
            list(pool.map(_fsync, paths))
    for directory in sorted({path.parent for path in paths}):
        _fsync(directory)


def _gzipped(data: bytes | Packed) -> bytes:
    return (gzip_member(data) if isinstance(data, Packed)
            else gzip.compress(data, GZIP_LEVEL, mtime=0))


def _fsync(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


class FileStore:
    def __init__(self, root: Path, records: RecordStore | None = None,
                 objects: DiskTier | None = None) -> None:
        self.root = Path(root)
        self.processings = self.root / "processings"
        self.records: RecordStore = records or RecordFiles(self.root)
        # originals and artifacts: by default the files under this same root
        self.objects = objects or DiskTier(DirectoryStore(self.root), self.root, 0)

    @classmethod
    def from_settings(cls, settings: Settings) -> FileStore:
        """The store of this process: one object store client whatever the count."""
        return cls(settings.data_dir, records_for(settings), tier_for(settings))

    # -- paths ---------------------------------------------------------------

    def directory(self, processing_id: str) -> Path:
        """The processing's record directory."""
        if not valid_id(processing_id):
            raise ValueError("not a processing id")
        return self.processings / processing_id[:2] / processing_id

    def work_directory(self, processing_id: str) -> Path:
        """Where the processing's artifacts are kept on this machine (and scratch goes)."""
        return self.artifact_path(processing_id, "x").parent

    def artifact_path(self, processing_id: str, name: str) -> Path:
        """The artifact's local file, whether or not it is there yet."""
        if name.startswith("/") or ".." in name.split("/"):
            raise ValueError("bad artifact name")
        if not valid_id(processing_id):
            raise ValueError("not a processing id")
        return self.objects.path(artifact_key(processing_id, name))

    def artifact(self, processing_id: str, name: str, patience: float = 0.0) -> Path:
        """The artifact's local file, copied from the object store first if need be
        (blocking: for worker threads; `fetch` on an event loop)."""
        self.artifact_path(processing_id, name)
        return self.objects.fetch_blocking(artifact_key(processing_id, name), patience)

    async def fetch(self, processing_id: str, name: str) -> Path:
        self.artifact_path(processing_id, name)
        try:
            return await self.objects.fetch(artifact_key(processing_id, name))
        except FileNotFoundError:
            # deleted by another node, whose word has not reached this one yet
            raise NotFound("No processing with this id.") from None

    def artifact_present(self, processing_id: str, name: str) -> Path | None:
        """The artifact's local file if this machine has it (no store is asked)."""
        if self.objects.in_place:
            return self.artifact_path(processing_id, name)
        self.artifact_path(processing_id, name)
        return self.objects.present(artifact_key(processing_id, name))

    async def artifact_info(self, processing_id: str, name: str) -> ObjectInfo | None:
        self.artifact_path(processing_id, name)
        return await self.objects.info(artifact_key(processing_id, name))

    # -- records: the record store's (state/record_store.py) ----------------

    def create(self, tenant: str, workflow: str, *, parameters: dict[str, Any] | None = None,
               processing_id: str | None = None) -> Record:
        return self.records.create(tenant, workflow, parameters=parameters,
                                   processing_id=processing_id)

    def load(self, processing_id: str) -> Record | None:
        return self.records.load(processing_id)

    def save(self, record: Record) -> None:
        self.records.save(record)

    # -- artifacts -----------------------------------------------------------

    def write_artifact(
        self, processing_id: str, name: str, data: bytes | Packed, *, compress: bool = False,
        unsynced: list[Path] | None = None,
    ) -> Path:
        """Store `data`; with `compress` also its gzip twin, made of the deflated
        pieces when `data` is Packed. Given `unsynced`, the files written are added
        to it instead of being synced one by one: the caller passes it to
        `sync_files` before the record turns done."""
        path = self.artifact_path(processing_id, name)
        if not self.objects.in_place:
            self._stage(processing_id, name, data.plain if isinstance(data, Packed) else data)
            if compress:
                self._stage(processing_id, name + ".gz", _gzipped(data))
            return path
        written = [path]
        atomic_write(path, data.plain if isinstance(data, Packed) else data, unsynced is None)
        if compress:
            written.append(path.with_name(path.name + ".gz"))
            atomic_write(written[-1], _gzipped(data), unsynced is None)
        if unsynced is not None:
            unsynced.extend(written)
        return path

    def put_file(self, processing_id: str, name: str, source: Path) -> Path:
        """Move (or copy across devices) a finished file into place atomically."""
        path = self.artifact_path(processing_id, name)
        if not self.objects.in_place:
            self._stage(processing_id, name, Path(source))
            return path
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_name(f".{path.name}.{secrets.token_hex(6)}.tmp")
        shutil.move(str(source), tmp)
        os.replace(tmp, path)
        return path

    def _stage(self, processing_id: str, name: str, data: bytes | Path) -> None:
        self.objects.stage(processing_prefix(processing_id), artifact_key(processing_id, name),
                           data)

    def flush(self, processing_id: str, patience: float = 0.0) -> None:
        """Put what `write_artifact` and `put_file` staged into the object store
        (a store that is the data directory has them already)."""
        self.objects.flush(processing_prefix(processing_id), patience)

    def discard(self, processing_id: str) -> None:
        """Forget what was staged and not flushed (an attempt that failed)."""
        self.objects.discard(processing_prefix(processing_id))

    async def publish(self, processing_id: str, name: str) -> None:
        """Put a file written at `artifact_path` into the object store, create-if-absent."""
        path = self.artifact_path(processing_id, name)
        if not self.objects.in_place:
            await self.objects.store.put_file(artifact_key(processing_id, name), path)

    async def store_check(self) -> str | None:
        """For /readyz: "ok" or why the object store does not answer; None when the
        store is the data directory (the writable check covers it)."""
        if self.objects.in_place:
            return None
        try:
            await self.objects.store.head("readyz-probe")
        except StoreUnavailable:
            return "unreachable"
        return "ok"

    async def unpublish(self, processing_id: str) -> None:
        """Take back what `publish` put (an upload refused after it was stored):
        this machine's copies and, as far as the store answers, its objects."""
        if self.objects.in_place:
            return
        await asyncio.to_thread(shutil.rmtree, self.work_directory(processing_id), True)
        with contextlib.suppress(StoreUnavailable):
            await self.objects.store.delete_prefix(processing_prefix(processing_id))

    # -- state transitions (the record store's) -------------------------------

    def mark_running(self, processing_id: str) -> Record:
        return self.records.mark_running(processing_id)

    def succeed(self, processing_id: str, *, pages: Iterable[tuple[int, int]],
                results: Iterable[str], sub_pdfs: Iterable[str] = (),
                source_kind: str | None = None) -> Record:
        return self.records.succeed(processing_id, pages=pages, results=results,
                                    sub_pdfs=sub_pdfs, source_kind=source_kind)

    def fail(self, processing_id: str, detail: str) -> Record:
        return self.records.fail(processing_id, detail)

    def running(self, processing_id: str) -> AbstractContextManager[bool]:
        return self.records.running(processing_id)

    # -- deletion (service/deletion) ------------------------------------------

    async def delete(self, processing_id: str) -> None:
        """Remove the original, every artifact (the store's objects, this machine's
        copies) and the record, the record last: sent again after a failure part-way,
        it finishes the work."""
        if self.objects.in_place:
            # one rename takes the whole processing out of sight at once
            await asyncio.to_thread(self._remove_directory, processing_id)
        else:
            await self.objects.store.delete_prefix(processing_prefix(processing_id))
            self.drop_copies(processing_id)
        await asyncio.to_thread(self.records.delete, processing_id)
        if not self.objects.in_place:
            # what the record files leave in the data directory: the record's directory
            await asyncio.to_thread(shutil.rmtree, self.directory(processing_id), True)

    def drop_copies(self, processing_id: str) -> None:
        """Forget this machine's copies of a deleted processing's objects (one rename;
        the files go in a thread)."""
        self.directory(processing_id)  # a canonical id, before any path is built
        self.objects.drop(processing_prefix(processing_id))

    def _remove_directory(self, processing_id: str) -> None:
        directory = self.directory(processing_id)
        gone = directory.with_name(f".deleted-{processing_id}-{secrets.token_hex(4)}")
        try:
            os.rename(directory, gone)
        except FileNotFoundError:
            return
        shutil.rmtree(gone, ignore_errors=True)

    def expired(self, before: float, limit: int = 1000) -> list[str]:
        """Ids of finished processings completed before `before` (unix seconds)."""
        return self.records.expired(before, limit)

    def writable(self) -> bool:
        try:
            self.root.mkdir(parents=True, exist_ok=True)
            atomic_write(self.root / ".readyz", b"ok")
            return True
        except OSError:
            return False
