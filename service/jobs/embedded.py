"""The embedded job queue (no Redis): a directory queue in the data dir, worked by a
small pool of processes that `folio serve` starts and supervises. A job is
claimed by an atomic rename of `queue/pending/<id>` to
`queue/running/<id>@<pid>`; when a worker dies its claims go back to pending
(and the record's attempt count stops endless crash loops); a job running past
the job timeout has its worker killed and the processing failed.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import multiprocessing
import os
import signal
import threading
import time
from multiprocessing.context import SpawnProcess
from pathlib import Path
from typing import Protocol

from service.artifacts.store import FileStore
from service.config import Settings
from service.errors import StateUnavailable, StoreUnavailable
from service.jobs.arq_queue import ArqWorkerProcess
from service.pipeline import pages, run
from service.pipeline.run import MAX_ATTEMPTS, clear_scratch
from service.pipeline.workflows import load_plugins

log = logging.getLogger("folio.jobs")
IDLE_POLL = 0.05  # seconds between looks at an empty queue (a listdir), in workers only
STATE_BACKOFF = 1.0  # seconds a worker rests after the database refused a job


class DirectoryQueue:
    def __init__(self, data_dir: Path) -> None:
        self.pending = Path(data_dir) / "queue" / "pending"
        self.running = Path(data_dir) / "queue" / "running"
        self.pending.mkdir(parents=True, exist_ok=True)
        self.running.mkdir(parents=True, exist_ok=True)

    async def submit(self, processing_id: str) -> None:
        await asyncio.to_thread(self.submit_now, processing_id)

    async def close(self) -> None:
        return None  # nothing held open: every call is a file operation

    def submit_now(self, processing_id: str) -> None:
        if any(self.running.glob(f"{processing_id}@*")):
            return
        (self.pending / processing_id).touch()

    def claim(self, worker: int) -> str | None:
        for entry in sorted(self.pending.iterdir(), key=_age):
            try:
                os.rename(entry, self.running / f"{entry.name}@{worker}")
            except FileNotFoundError:
                continue  # another worker was faster
            return entry.name
        return None

    def finish(self, processing_id: str, worker: int) -> None:
        with contextlib.suppress(FileNotFoundError):
            (self.running / f"{processing_id}@{worker}").unlink()

    def claims(self) -> list[tuple[str, int, float]]:
        found = []
        for entry in self.running.iterdir():
            pid, _, worker = entry.name.partition("@")
            with contextlib.suppress(FileNotFoundError, ValueError):
                found.append((pid, int(worker), entry.stat().st_mtime))
        return found

    def requeue(self, processing_id: str, worker: int) -> None:
        with contextlib.suppress(FileNotFoundError):
            os.rename(self.running / f"{processing_id}@{worker}", self.pending / processing_id)


def _age(path: Path) -> float:
    """Oldest first; a file claimed meanwhile by another worker sorts anywhere."""
    try:
        return path.stat().st_mtime
    except FileNotFoundError:
        return 0.0


def _worker_main(settings: Settings, parent: int) -> None:
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    # SIGTERM from the supervisor: leave through `finally`, which stops the page processes
    signal.signal(signal.SIGTERM, _exit_on_signal)
    try:
        load_plugins(settings.plugins)
        pages.warm(settings.page_workers)
        store = FileStore.from_settings(settings)
        queue = DirectoryQueue(settings.data_dir)
        me = os.getpid()
        while os.getppid() == parent:  # else folio serve is gone: so are we
            processing_id = queue.claim(me)
            if processing_id is None:
                time.sleep(IDLE_POLL)
                continue
            try:
                run.process(store, settings, processing_id)
            except (StateUnavailable, StoreUnavailable):
                # the database or the object store went away: the job waits in the
                # queue, this worker lives
                queue.requeue(processing_id, me)
                time.sleep(STATE_BACKOFF)
                continue
            # not in a `finally`: a worker stopped mid-job leaves its claim, which the
            # supervisor (now, or at the next start) puts back in the queue
            queue.finish(processing_id, me)
    finally:
        pages.shutdown()


def _exit_on_signal(signum: int, frame: object) -> None:
    raise SystemExit(0)


class EmbeddedWorkers:
    """The worker processes `folio serve` runs, and their supervisor thread."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.queue = DirectoryQueue(settings.data_dir)
        self.store = FileStore.from_settings(settings)
        self._context = multiprocessing.get_context("spawn")
        self._processes: list[SpawnProcess] = []
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._supervise, name="folio-jobs", daemon=True)

    def start(self) -> EmbeddedWorkers:
        for _ in range(self.settings.job_workers):
            self._processes.append(self._spawn())
        self._thread.start()
        return self

    def _spawn(self) -> SpawnProcess:
        # not a daemon: a job worker starts its own page processes. It exits by
        # itself when folio serve goes away (see _worker_main).
        process = self._context.Process(target=_worker_main, args=(self.settings, os.getpid()),
                                        name="folio-worker", daemon=False)
        process.start()
        return process

    def _supervise(self) -> None:
        while not self._stop.wait(0.5):
            try:
                self.check()
            except StateUnavailable:
                log.debug("job supervisor waits for the database")
            except Exception:
                log.exception("job supervisor check failed")

    def check(self) -> None:
        for i, process in enumerate(self._processes):
            if not process.is_alive():
                log.warning("worker %s exited (%s); starting another", process.pid,
                            process.exitcode)
                self._processes[i] = self._spawn()
        alive = {p.pid for p in self._processes if p.is_alive()}
        now = time.time()
        for processing_id, worker, since in self.queue.claims():
            if worker not in alive:
                self._recover(processing_id, worker)
            elif now - since > self.settings.job_timeout:
                log.warning("processing %s passed the job timeout; stopping its worker",
                            processing_id)
                with contextlib.suppress(ProcessLookupError):
                    os.kill(worker, signal.SIGKILL)
                self.queue.finish(processing_id, worker)
                self._give_up(processing_id, "processing took longer than the job timeout "
                              f"of {self.settings.job_timeout:g} seconds")

    def _recover(self, processing_id: str, worker: int) -> None:
        record = self.store.load(processing_id)
        if record is not None and record.attempts >= MAX_ATTEMPTS:
            self.queue.finish(processing_id, worker)
            self._give_up(processing_id, "processing stopped unexpectedly "
                          f"{record.attempts} times; giving up")
            return
        log.warning("worker %s died on processing %s; queueing it again", worker,
                    processing_id)
        self.queue.requeue(processing_id, worker)

    def _give_up(self, processing_id: str, detail: str) -> None:
        clear_scratch(self.store, processing_id)  # first: done means nothing left behind
        self.store.fail(processing_id, detail)

    def stop(self) -> None:
        self._stop.set()
        for process in self._processes:
            process.terminate()
        for process in self._processes:
            process.join(5)

    def pids(self) -> list[int]:
        return [p.pid for p in self._processes if p.pid is not None]


class Stoppable(Protocol):
    def stop(self) -> None: ...

    def pids(self) -> list[int]: ...


def start_embedded_workers(settings: Settings) -> Stoppable | None:
    """The job workers `folio serve` runs: none with FOLIO_JOB_WORKERS=0 (workers are
    then `folio worker` processes elsewhere), an arq worker on Redis, else the
    embedded pool."""
    if settings.job_workers == 0:
        return None
    if settings.redis_url:
        return ArqWorkerProcess(settings).start()
    return EmbeddedWorkers(settings).start()
