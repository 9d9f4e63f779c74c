"""Objects as local files: the store's own, or this node's copies of them.

Readers (pyvips, the pipeline, the file answers) work on paths. A store that
keeps its objects on this machine (the data directory) hands out its own files;
for a remote store, objects are copied on first use into a local directory
bounded in bytes, least recently used out, and found there afterwards. An
object never changes, so a copy is true until the object is deleted; a wiped
directory only costs fresh copies.

New objects of a remote store are staged: written under a temporary name (never
evicted; seen only by the process that staged them, which reads its own results
back), uploaded create-if-absent by `flush`, and only then renamed into the tier.
So the tier holds nothing the store lacks, and a failed upload leaves no object
behind.
"""

from __future__ import annotations

import asyncio
import os
import secrets
import shutil
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

from service.errors import StoreUnavailable
from service.objects import runner
from service.objects.base import ObjectInfo, ObjectStore

TOUCH_EVERY = 60.0  # seconds: a copy's use time is refreshed at most this often
LOW_WATER = 0.9  # an eviction brings the tier down to this share of its bound
UPLOADS = 16  # uploads in flight at once per flush
MEMO = 10_000  # sizes of remote objects kept for range reads
# seconds after which a dot-name is a killed process's leftover, not work under way
# (longer than any job: FOLIO_JOB_TIMEOUT is minutes)
STALE = 6 * 3600.0
T = TypeVar("T")


class DiskTier:
    def __init__(self, store: ObjectStore, root: Path, max_bytes: int) -> None:
        self.store = store
        self.root = Path(root)
        self.max_bytes = max_bytes
        # the store's own files are used in place: nothing to copy, bound or stage
        self.in_place = store.local_path("probe/key") is not None
        self._used: int | None = None  # bytes in the tier, from one scan at first need
        self._lock = threading.Lock()
        self._staged: dict[str, list[tuple[str, Path, Path]]] = {}
        self._staged_at: dict[str, Path] = {}  # key -> its staged file, until flushed
        self._sizes: dict[str, ObjectInfo] = {}
        self._flights: dict[tuple[int, str], asyncio.Future[Path]] = {}

    def path(self, key: str) -> Path:
        """Where the object's local file is (or would be)."""
        own = self.store.local_path(key)
        if own is not None:
            return own
        parts = key.split("/")
        if any(p in ("", ".", "..") or p.startswith(".") for p in parts):
            raise ValueError(f"bad object key {key!r}")
        return self.root.joinpath(*parts)

    def present(self, key: str) -> Path | None:
        """The local file if it is there (a remote store's copy counts as used)."""
        staged = self._staged_at.get(key)
        if staged is not None:
            return staged
        path = self.path(key)
        try:
            stat = os.stat(path)
        except FileNotFoundError:
            return None
        if not self.in_place and time.time() - stat.st_atime > TOUCH_EVERY:
            # set explicitly: mounts with noatime or relatime would not keep it
            os.utime(path, (time.time(), stat.st_mtime))
        return path

    async def fetch(self, key: str) -> Path:
        """The object's local file, copied from the store when it is not here."""
        if self.in_place:
            return self.path(key)
        path = self.present(key)
        if path is not None:
            return path
        # one copy however many ask at once (per event loop: tasks belong to one)
        flight = (id(asyncio.get_running_loop()), key)
        task = self._flights.get(flight)
        if task is None:
            task = self._flights[flight] = asyncio.ensure_future(self._copy(key))
            task.add_done_callback(lambda done: self._landed(flight, done))
        return await asyncio.shield(task)

    def _landed(self, flight: tuple[int, str], task: asyncio.Future[Path]) -> None:
        self._flights.pop(flight, None)
        if not task.cancelled():
            task.exception()  # retrieved: every waiter may have gone

    async def _copy(self, key: str) -> Path:
        path = self.path(key)
        tmp = path.with_name(f".{path.name}.{secrets.token_hex(6)}.tmp")
        await asyncio.to_thread(path.parent.mkdir, parents=True, exist_ok=True)
        try:
            info = await self.store.download(key, tmp)
            # the store's time, so Last-Modified is the same on every node
            os.utime(tmp, (time.time(), info.modified))
            os.replace(tmp, path)
        finally:
            tmp.unlink(missing_ok=True)
        await asyncio.to_thread(self._account, info.size)
        return path

    def fetch_blocking(self, key: str, patience: float = 0.0) -> Path:
        """`fetch` for worker threads; with `patience`, an unreachable store is
        tried again for that many seconds before StoreUnavailable is raised."""
        if self.in_place:
            return self.path(key)
        path = self.present(key)
        if path is not None:
            return path
        return _patiently(lambda: runner.run(self.fetch(key)), patience)

    async def info(self, key: str) -> ObjectInfo | None:
        """Size and time of a remote object, remembered: it never changes."""
        known = self._sizes.get(key)
        if known is None:
            known = await self.store.head(key)
            if known is not None:
                if len(self._sizes) >= MEMO:
                    self._sizes.clear()
                self._sizes[key] = known
        return known

    # -- new objects ------------------------------------------------------------

    def stage(self, owner: str, key: str, data: bytes | Path) -> None:
        """Hold a new object of a remote store for `flush(owner)` (a Path is moved)."""
        path = self.path(key)
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_name(f".{path.name}.{secrets.token_hex(6)}.staged")
        if isinstance(data, Path):
            shutil.move(str(data), tmp)
        else:
            tmp.write_bytes(data)
        with self._lock:
            self._staged.setdefault(owner, []).append((key, tmp, path))
            self._staged_at[key] = tmp

    def flush(self, owner: str, patience: float = 0.0) -> None:
        """Upload what was staged for `owner`, then keep the copies."""
        with self._lock:
            staged = self._staged.pop(owner, [])
        made: set[str] = set()  # created by this flush (a retry does not redo them)
        kept: set[str] = set()  # there already: an earlier attempt's, which stays
        try:
            _patiently(lambda: runner.run(self._upload(staged, made, kept)), patience)
        except BaseException:
            self._drop(staged)
            raise
        for key, tmp, path in staged:
            self._staged_at.pop(key, None)
            if key in kept:
                tmp.unlink(missing_ok=True)  # the store's bytes are the object's
                continue
            os.replace(tmp, path)
            self._account(path.stat().st_size)

    def discard(self, owner: str) -> None:
        with self._lock:
            staged = self._staged.pop(owner, [])
        self._drop(staged)

    def _drop(self, staged: list[tuple[str, Path, Path]]) -> None:
        for key, tmp, _ in staged:
            self._staged_at.pop(key, None)
            tmp.unlink(missing_ok=True)

    async def _upload(self, staged: list[tuple[str, Path, Path]], made: set[str],
                      kept: set[str]) -> None:
        gate = asyncio.Semaphore(UPLOADS)
        remaining = [(key, tmp) for key, tmp, _ in staged if key not in made | kept]

        async def one(key: str, tmp: Path) -> None:
            async with gate:
                (made if await self.store.put_file(key, tmp) else kept).add(key)

        await asyncio.gather(*(one(key, tmp) for key, tmp in remaining))

    def drop(self, prefix: str) -> None:
        """Forget this node's copies under `prefix` (their objects were deleted): one
        rename takes them out of sight at once; the files go in a thread."""
        if self.in_place:
            return
        directory = self.path(prefix.rstrip("/"))
        gone = directory.with_name(f".dropped-{directory.name}-{secrets.token_hex(4)}")
        try:
            os.rename(directory, gone)
        except FileNotFoundError:
            return
        self._sizes = {k: v for k, v in self._sizes.items() if not k.startswith(prefix)}
        threading.Thread(target=shutil.rmtree, args=(gone, True), daemon=True).start()
        with self._lock:
            self._used = None  # counted again at the next copy

    # -- the bound --------------------------------------------------------------

    def _account(self, size: int) -> None:
        with self._lock:
            if self._used is None:
                self._used = sum(size for _, size, _ in _copies(self.root))
            else:
                self._used += size
            if self._used > self.max_bytes:
                self._used = self._evict()

    def _evict(self) -> int:
        copies = sorted(_copies(self.root))  # least recently used first
        total = sum(size for _, size, _ in copies)
        for _, size, path in copies:
            if total <= self.max_bytes * LOW_WATER:
                break
            path.unlink(missing_ok=True)
            total -= size
        return total


def _copies(root: Path) -> list[tuple[float, int, Path]]:
    """(last use, size, path) of every copy; temporary and staged names are not copies.

    What a killed process left under a dot-name (a copy or upload half made, a job's
    scratch directory) is removed once it is older than STALE."""
    found = []
    stale = time.time() - STALE
    for directory, subdirs, files in os.walk(root):
        for name in [d for d in subdirs if d.startswith(".")]:
            _remove_if_stale(Path(directory, name), stale)
        subdirs[:] = [d for d in subdirs if not d.startswith(".")]
        for name in files:
            path = Path(directory, name)
            if name.startswith("."):
                _remove_if_stale(path, stale)
                continue
            try:
                stat = path.stat()
            except FileNotFoundError:
                continue
            found.append((stat.st_atime, stat.st_size, path))
    return found


def _remove_if_stale(path: Path, stale: float) -> None:
    try:
        if path.lstat().st_mtime >= stale:
            return
    except FileNotFoundError:
        return
    if path.is_dir():
        shutil.rmtree(path, ignore_errors=True)
    else:
        path.unlink(missing_ok=True)


def _patiently(call: Callable[[], T], patience: float) -> T:
    deadline = time.monotonic() + patience
    pause = 0.5
    while True:
        try:
            return call()
        except StoreUnavailable:
            if time.monotonic() + pause > deadline:
                raise
            time.sleep(pause)
            pause = min(pause * 2, 5.0)
