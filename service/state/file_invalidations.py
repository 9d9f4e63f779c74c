"""Invalidations between the processes of one machine, through the data directory.

Without a database every process of `folio serve` (FOLIO_WORKERS > 1) keeps its own
memory of finished records and their bytes; a deletion in one must reach the
others. `publish` forgets at once in this process, then appends one line
`<kind>:<key>` to `$FOLIO_DATA_DIR/invalidations.log` (an O_APPEND write of a
short line is never interleaved with another's). Every process looks at the
file's size every POLL seconds (one stat, never per request) and forgets what
was appended since. When the log passes ROTATE_BYTES a publisher starts a new
one; a process that finds the file replaced or shorter may have missed lines and
resyncs (drops everything it keeps of that kind).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
from collections.abc import Callable
from pathlib import Path

from service.state.invalidation import Forget, Subscribers

log = logging.getLogger("folio.state")
LOG = "invalidations.log"
POLL = 0.5  # seconds: a deletion reaches every process of the machine within this
ROTATE_BYTES = 1 << 20


class FileInvalidations:
    def __init__(self, data_dir: Path) -> None:
        self.path = Path(data_dir) / LOG
        self.subscribers = Subscribers()
        self._position = self._here()
        self._task: asyncio.Task[None] | None = None

    def subscribe(self, kind: str, forget: Forget, resync: Callable[[], None]) -> None:
        self.subscribers.add(kind, forget, resync)
        if self._task is None:
            # subscribed on the event loop, before the first request (Services.start)
            self._position = self._here()
            self._task = asyncio.get_running_loop().create_task(self._follow())

    async def publish(self, kind: str, key: str) -> None:
        self.subscribers.forget(kind, key)
        await asyncio.to_thread(self._append, f"{kind}:{key}\n".encode())

    async def close(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None

    def _append(self, line: bytes) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        with contextlib.suppress(FileNotFoundError):
            if self.path.stat().st_size > ROTATE_BYTES:
                os.replace(self.path, self.path.with_suffix(".old"))
        fd = os.open(self.path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
        try:
            os.write(fd, line)
        finally:
            os.close(fd)

    def _here(self) -> tuple[int, int]:
        """(inode, size) of the log now; (0, 0) when there is none yet."""
        try:
            stat = self.path.stat()
        except FileNotFoundError:
            return 0, 0
        return stat.st_ino, stat.st_size

    async def _follow(self) -> None:
        while True:
            await asyncio.sleep(POLL)
            try:
                self._catch_up()
            except OSError as exc:
                log.warning("invalidations log unreadable: %s", exc)

    def _catch_up(self) -> None:
        inode, size = self._here()
        if (inode, size) == self._position:
            return
        seen_inode, start = self._position
        if (seen_inode and inode != seen_inode) or size < start:
            # a new log (or none): lines of the old one may have gone unread
            self.subscribers.resync()
            start = 0
        if inode == 0:
            self._position = (0, 0)
            return
        with open(self.path, "rb") as handle:
            handle.seek(start)
            data = handle.read(size - start)
        # a line still being written is read next time
        complete = data[:data.rfind(b"\n") + 1]
        self._position = (inode, start + len(complete))
        for line in complete.splitlines():
            kind, _, key = line.decode("utf-8", "replace").partition(":")
            self.subscribers.forget(kind, key)
