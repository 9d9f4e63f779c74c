"""The processes a `folio worker` on Redis runs its jobs in, one job at a time each.

A job runs in a child process, not a thread: a job past FOLIO_JOB_TIMEOUT is
stopped by killing its process (a thread would keep running after arq gave up),
and a crash in a decoder takes down that process, not the worker. A runner that
dies mid-job (killed, out of memory, a segfault) is replaced and the job runs
again, up to MAX_ATTEMPTS attempts in all; the record counts them.

Each runner keeps its page processes warm between jobs. A job's run is owned by
this pool, not by arq's task: when the arq worker loses Redis and is rebuilt,
the jobs it had started run on to their end.
"""

from __future__ import annotations

import asyncio
import logging
import os
import threading
import time
from collections.abc import Awaitable, Callable
from concurrent.futures.process import BrokenProcessPool

from service.artifacts.store import FileStore
from service.config import Settings
from service.pipeline import pages, run
from service.pipeline.run import MAX_ATTEMPTS, clear_scratch
from service.pipeline.workflows import load_plugins
from service.process_pool import StoppablePool

log = logging.getLogger("folio.jobs")
PARENT_CHECK = 0.5  # seconds between a runner's looks at whether its worker still lives

Beat = Callable[[str], Awaitable[None]]


def timeout_detail(settings: Settings) -> str:
    return f"processing took longer than the job timeout of {settings.job_timeout:g} seconds"


class Runner:
    def __init__(self, settings: Settings) -> None:
        self.processes = StoppablePool(1, _runner_start, (settings, os.getpid()))
        self.pool = self.processes.executor

    def kill(self) -> None:
        self.processes.stop(kill=True)

    def pids(self) -> list[int]:
        return self.processes.pids()


class JobRunners:
    def __init__(self, settings: Settings, beat: Beat | None = None) -> None:
        self.settings = settings
        self.store = FileStore.from_settings(settings)
        self.beat = beat  # refreshes the job's "running" mark in Redis while it runs
        self._free: asyncio.Queue[Runner] = asyncio.Queue()
        self._all: list[Runner] = []
        self._running: set[asyncio.Task[None]] = set()
        for _ in range(max(1, settings.job_workers)):
            self._add(Runner(settings))

    def _add(self, runner: Runner) -> None:
        self._all.append(runner)
        self._free.put_nowait(runner)

    def _replace(self, runner: Runner) -> Runner:
        runner.kill()
        self._all.remove(runner)
        fresh = Runner(self.settings)
        self._all.append(fresh)
        return fresh

    async def run(self, processing_id: str) -> None:
        """Run the job to its end; cancelling the caller does not stop the job."""
        runner = await self._free.get()
        task = asyncio.ensure_future(self._execute(runner, processing_id))
        self._running.add(task)
        task.add_done_callback(self._running.discard)
        await asyncio.shield(task)

    async def _execute(self, runner: Runner, processing_id: str) -> None:
        beating = asyncio.ensure_future(self._beat(processing_id))
        loop = asyncio.get_running_loop()
        try:
            while True:
                future = loop.run_in_executor(runner.pool, _run_one, processing_id)
                try:
                    async with asyncio.timeout(self.settings.job_timeout):
                        await future
                    return
                except TimeoutError:
                    log.warning("processing %s passed the job timeout; stopping its process",
                                processing_id)
                    runner = self._replace(runner)
                    await asyncio.to_thread(self._give_up, processing_id,
                                            timeout_detail(self.settings))
                    return
                except BrokenProcessPool:
                    runner = self._replace(runner)
                    record = await asyncio.to_thread(self.store.load, processing_id)
                    if record is None or record.done:
                        return
                    if record.attempts >= MAX_ATTEMPTS:
                        await asyncio.to_thread(
                            self._give_up, processing_id, "the job process stopped "
                            f"unexpectedly {record.attempts} times; giving up")
                        return
                    log.warning("the process running %s died; trying again", processing_id)
        finally:
            beating.cancel()
            self._free.put_nowait(runner)

    def _give_up(self, processing_id: str, detail: str) -> None:
        clear_scratch(self.store, processing_id)  # first: done means nothing left behind
        self.store.fail(processing_id, detail)

    async def _beat(self, processing_id: str) -> None:
        if self.beat is not None:
            await self.beat(processing_id)

    def pids(self) -> list[int]:
        return [pid for runner in self._all for pid in runner.pids()]

    async def drain(self) -> None:
        """Wait for the jobs already started (a burst worker's way out)."""
        while self._running:
            await asyncio.gather(*self._running, return_exceptions=True)

    def close(self) -> None:
        for task in self._running:
            task.cancel()
        for runner in self._all:
            runner.kill()


def _runner_start(settings: Settings, parent: int) -> None:
    global _settings
    _settings = settings
    threading.Thread(target=_follow_parent, args=(parent,), name="follow-parent",
                     daemon=True).start()
    load_plugins(settings.plugins)
    pages.warm(settings.page_workers)


_settings: Settings | None = None


def _follow_parent(parent: int) -> None:
    """A runner whose worker is gone stops at once: its job is someone else's now."""
    while os.getppid() == parent:
        time.sleep(PARENT_CHECK)
    os._exit(0)


def _run_one(processing_id: str) -> None:
    assert _settings is not None
    run.process(FileStore.from_settings(_settings), _settings, processing_id)
