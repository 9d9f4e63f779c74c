"""Wake long-polls when a processing's record changes, without polling the disk.

Linux inotify (through ctypes: no extra dependency) on the processing's
directory: the store renames `record.json` into place, which is one
IN_MOVED_TO event. Every process has one inotify descriptor on its event loop.
A slow safety re-check covers filesystems that do not deliver events (network
volumes shared by several hosts) and systems without inotify.
"""

from __future__ import annotations

import asyncio
import ctypes
import ctypes.util
import os
import struct
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from pathlib import Path

IN_CLOSE_WRITE = 0x00000008
IN_MOVED_TO = 0x00000080
IN_NONBLOCK = 0o4000
IN_CLOEXEC = 0o2000000
EVENT = struct.Struct("iIII")
SAFETY_RECHECK = 2.0  # seconds


class _Inotify:
    def __init__(self, loop: asyncio.AbstractEventLoop) -> None:
        self._libc = ctypes.CDLL(ctypes.util.find_library("c") or None, use_errno=True)
        fd = self._libc.inotify_init1(IN_NONBLOCK | IN_CLOEXEC)
        if fd < 0:
            raise OSError(ctypes.get_errno(), "inotify_init1 failed")
        self.fd: int = fd
        self._loop = loop
        self._by_wd: dict[int, set[asyncio.Event]] = {}
        self._wd_by_path: dict[str, int] = {}
        loop.add_reader(fd, self._read)

    def add(self, path: str, event: asyncio.Event) -> int | None:
        wd = self._wd_by_path.get(path)
        if wd is None:
            wd = self._libc.inotify_add_watch(self.fd, path.encode(), IN_MOVED_TO | IN_CLOSE_WRITE)
            if wd < 0:
                return None
            self._wd_by_path[path] = wd
        self._by_wd.setdefault(wd, set()).add(event)
        return int(wd)

    def remove(self, path: str, wd: int, event: asyncio.Event) -> None:
        events = self._by_wd.get(wd)
        if events is None:
            return
        events.discard(event)
        if not events:
            del self._by_wd[wd]
            self._wd_by_path.pop(path, None)
            self._libc.inotify_rm_watch(self.fd, wd)

    def _read(self) -> None:
        try:
            data = os.read(self.fd, 65536)
        except BlockingIOError:
            return
        offset = 0
        while offset + EVENT.size <= len(data):
            wd, _mask, _cookie, length = EVENT.unpack_from(data, offset)
            offset += EVENT.size + length
            for event in self._by_wd.get(wd, ()):
                event.set()

    def close(self) -> None:
        self._loop.remove_reader(self.fd)
        os.close(self.fd)


class RecordWatcher:
    def __init__(self, directory_of: Callable[[str], Path]) -> None:
        self.directory_of = directory_of  # where a processing's record file is renamed
        self._inotify: _Inotify | None = None
        self._tried = False

    def _backend(self) -> _Inotify | None:
        if not self._tried:
            self._tried = True
            try:
                self._inotify = _Inotify(asyncio.get_running_loop())
            except (OSError, AttributeError):
                self._inotify = None
        return self._inotify

    @asynccontextmanager
    async def watch(self, processing_id: str) -> AsyncIterator[asyncio.Event]:
        """An event set whenever a file in the processing's directory is renamed into
        place or closed."""
        event = asyncio.Event()
        backend = self._backend()
        path = os.fspath(self.directory_of(processing_id))
        wd = backend.add(path, event) if backend else None
        try:
            yield event
        finally:
            if backend is not None and wd is not None:
                backend.remove(path, wd, event)

    @staticmethod
    async def wait(event: asyncio.Event, timeout: float) -> None:
        try:
            async with asyncio.timeout(min(timeout, SAFETY_RECHECK)):
                await event.wait()
        except TimeoutError:
            pass
        event.clear()

    def close(self) -> None:
        if self._inotify is not None:
            self._inotify.close()
            self._inotify = None
            self._tried = False
