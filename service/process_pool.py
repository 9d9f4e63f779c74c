"""A process pool whose processes can be listed and stopped at once, by public API only.

`concurrent.futures.ProcessPoolExecutor` offers no public way to its processes
(`_processes` is private; `terminate_workers()` and `kill_workers()` arrive only in
Python 3.14), and folio must stop them at once: a job past its timeout is stopped
by killing its process, and a page pool is terminated rather than asked, because a
process blocked on the call queue's lock never sees the shutdown's sentinel.

So each process reports its pid from the executor's initializer, over a pipe (one
small write each: atomic, no lock a killed process could leave held), and the live
ones are this process's own children (`multiprocessing.active_children()`) with a
reported pid: a child keeps its pid until it is reaped, so a reported pid is never
another process's. A process still starting when the pool is stopped has not
reported yet; it reads the stop flag in the initializer, after reporting, and exits
before it takes any work.
"""

from __future__ import annotations

import contextlib
import multiprocessing
import os
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from multiprocessing.connection import Connection
from multiprocessing.process import BaseProcess
from typing import Any


class StoppablePool:
    """A spawn-context ProcessPoolExecutor (`executor`) plus its processes."""

    def __init__(self, workers: int, initializer: Callable[..., object],
                 initargs: tuple[Any, ...] = ()) -> None:
        context = multiprocessing.get_context("spawn")
        self._reports, self._writer = context.Pipe(duplex=False)
        self._stopped: Any = context.RawValue("b", 0)  # shared memory, no lock
        self._pids: set[int] = set()
        self.executor = ProcessPoolExecutor(
            workers, mp_context=context, initializer=_start,
            initargs=(self._writer, self._stopped, initializer, initargs))

    def processes(self) -> list[BaseProcess]:
        """The pool's processes now running (started and past their first report)."""
        while self._reports.poll():
            self._pids.add(self._reports.recv())
        return [child for child in multiprocessing.active_children()
                if child.pid in self._pids]

    def pids(self) -> list[int]:
        return [process.pid for process in self.processes() if process.pid is not None]

    def stop(self, *, kill: bool = False) -> None:
        """Terminate (or kill) every process now, and shut the executor down."""
        self._stopped.value = 1  # first: a process reporting after the look below exits
        for process in self.processes():
            with contextlib.suppress(ProcessLookupError):
                if kill:
                    process.kill()
                else:
                    process.terminate()
        self.executor.shutdown(wait=False, cancel_futures=True)


def _start(reports: Connection, stopped: Any, initializer: Callable[..., object],
           initargs: tuple[Any, ...]) -> None:
    """In each process, before the pool's own initializer."""
    reports.send(os.getpid())
    if stopped.value:
        os._exit(0)
    initializer(*initargs)
