"""The job queue on Redis (FOLIO_REDIS_URL): arq, job id = processing id (submitting
twice never runs twice), workers in `folio serve` (FOLIO_JOB_WORKERS) and in
`folio worker` on any number of hosts.

A worker outlives Redis: when Redis goes away the arq worker is dropped and built
again with backoff, while the jobs it had started run on (`jobs.runners`).
Whatever Redis forgets or a dead worker leaves behind, the reconciler
(`jobs.reconcile`) finds from the record store and queues again.
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
from typing import Any

from cache.clients import close_client, is_sentinel, primary_for, sentinel_url
from service.artifacts.store import FileStore
from service.config import Settings
from service.errors import QueueUnavailable, StateUnavailable, StoreUnavailable
from service.jobs.liveness import REDIS_ERRORS, beat_job, beat_worker
from service.jobs.marks import marks_for
from service.jobs.reconcile import ARQ_QUEUE, Reconciler
from service.jobs.runners import JobRunners
from service.pipeline.workflows import load_plugins
from service.state.stores import JobMarks

log = logging.getLogger("folio.jobs")
BACKOFF_FIRST = 0.5  # seconds before the first reconnect; doubles up to BACKOFF_MAX
BACKOFF_MAX = 5.0
# arq retries a job itself only when its worker vanished and its in-progress key
# expired; the reconciler counts attempts in the record, so arq's own count is a
# backstop that must never be the one that gives up first
ARQ_MAX_TRIES = 100

__all__ = ["ARQ_QUEUE", "ArqQueue", "ArqWorkerProcess", "run_arq_worker"]


def _redis_settings(url: str, timeout: float) -> Any:
    from arq.connections import RedisSettings

    if is_sentinel(url):
        parts = sentinel_url(url)
        settings = RedisSettings(host=parts.sentinels, sentinel=True,
                                 sentinel_master=parts.service, database=parts.db,
                                 username=parts.username, password=parts.password)
    else:
        settings = RedisSettings.from_dsn(url)
    # fail fast: the caller decides whether and when to try again
    settings.conn_retries = 0
    settings.conn_timeout = max(1, round(timeout * 4))
    return settings


class ArqQueue:
    def __init__(self, redis_url: str, marks: JobMarks, timeout: float = 0.25) -> None:
        self.redis_url = redis_url
        self.timeout = max(1.0, timeout * 8)  # an enqueue is a WATCH/MULTI round trip or two
        self.open = marks
        self._pool: Any = None

    async def submit(self, processing_id: str) -> None:
        """Queue the job; QueueUnavailable (503) when Redis refuses it or is away."""
        from arq import create_pool

        await asyncio.to_thread(self.open.add, processing_id)
        try:
            async with asyncio.timeout(self.timeout):
                if self._pool is None:
                    self._pool = await create_pool(_redis_settings(self.redis_url,
                                                                   self.timeout / 8))
                await self._pool.enqueue_job("process_job", processing_id,
                                             _job_id=processing_id, _queue_name=ARQ_QUEUE)
        except REDIS_ERRORS as exc:
            await asyncio.to_thread(self.open.remove, processing_id)
            log.warning("the job queue refused processing %s: %s", processing_id, exc)
            raise QueueUnavailable(
                "The job queue (Redis) is unavailable or full; nothing was kept. "
                "Try again shortly.") from None

    async def close(self) -> None:
        if self._pool is not None:
            pool, self._pool = self._pool, None
            with contextlib.suppress(*REDIS_ERRORS):
                await close_client(pool)


async def process_job(ctx: dict[str, Any], processing_id: str) -> None:
    runners: JobRunners = ctx["runners"]
    try:
        await runners.run(processing_id)
    except (StateUnavailable, StoreUnavailable) as exc:
        # an outage, not a bug: the job's mark stays, and the reconciler queues the
        # job again once the database (or the object store) answers (one line, not
        # arq's traceback)
        what = "database" if isinstance(exc, StateUnavailable) else "object store"
        log.warning("processing %s: the %s is unavailable; the job is queued again "
                    "once it is back", processing_id, what)
        return
    await asyncio.to_thread(marks_for(runners.settings).remove, processing_id)


def run_arq_worker(settings: Settings, burst: bool = False,
                   stop_on: tuple[signal.Signals, ...] = (signal.SIGTERM, signal.SIGINT)
                   ) -> None:
    """`folio worker` on Redis: run jobs until one of `stop_on` arrives (or, with
    burst, the queue is empty)."""
    asyncio.run(_work(settings, burst, stop_on))


async def _work(settings: Settings, burst: bool,
                stop_on: tuple[signal.Signals, ...]) -> None:
    from arq import create_pool
    from arq.worker import Worker, func

    assert settings.redis_url is not None
    load_plugins(settings.plugins)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in stop_on:
        loop.add_signal_handler(signum, stop.set)
    redis = primary_for(settings.redis_url, max(1.0, settings.redis_timeout * 4))
    runners = JobRunners(settings, beat=lambda pid: beat_job(redis, pid))
    store = FileStore.from_settings(settings)
    # the arq connection is folio's, handed to each worker (arq's `redis_pool`), so the
    # reconciler's enqueue and the close below need none of the worker's insides
    arq_redis = _redis_settings(settings.redis_url, settings.redis_timeout)
    pool: Any = None
    worker: Any = None

    async def enqueue(processing_id: str) -> None:
        if pool is None:
            raise ConnectionError("no arq pool yet")
        await pool.enqueue_job("process_job", processing_id, _job_id=processing_id,
                               _queue_name=ARQ_QUEUE)

    async def run_worker() -> None:
        nonlocal pool, worker
        pool = await create_pool(arq_redis, default_queue_name=ARQ_QUEUE)
        worker = Worker(
            functions=[func(process_job, name="process_job", max_tries=ARQ_MAX_TRIES)],
            redis_pool=pool,
            queue_name=ARQ_QUEUE,
            ctx={"settings": settings, "runners": runners},
            max_jobs=max(1, settings.job_workers),
            # the runners enforce FOLIO_JOB_TIMEOUT by killing the job's process;
            # arq's own timeout (later) only cancels the wait for it
            job_timeout=settings.job_timeout + 30,
            keep_result=0,
            poll_delay=0.2,
            burst=burst,
            handle_signals=False,
        )
        await worker.main()

    reconciler = Reconciler(store, redis, enqueue, marks_for(settings))
    background = [asyncio.ensure_future(beat_worker(redis)),
                  asyncio.ensure_future(reconciler.run_forever())]
    delay = BACKOFF_FIRST
    try:
        while not stop.is_set():
            started = time.monotonic()
            main = asyncio.ensure_future(run_worker())
            stopping = asyncio.ensure_future(stop.wait())
            try:
                await asyncio.wait({main, stopping}, return_when=asyncio.FIRST_COMPLETED)
                if main.done():
                    main.result()  # raises what stopped it
                    if burst:
                        await runners.drain()
                        return
            except REDIS_ERRORS as exc:
                if time.monotonic() - started > BACKOFF_MAX * 2:
                    delay = BACKOFF_FIRST  # it worked for a while: start over gently
                log.warning("Redis is unavailable (%s); the worker reconnects in %.1f s",
                            exc or type(exc).__name__, delay)
            except Exception:
                log.exception("the arq worker stopped; starting it again in %.1f s", delay)
            finally:
                stopping.cancel()
                main.cancel()
                await _drop(pool, worker)
                pool = worker = None
            if not stop.is_set():
                with contextlib.suppress(TimeoutError):
                    async with asyncio.timeout(delay):
                        await stop.wait()
                delay = min(delay * 2, BACKOFF_MAX)
    finally:
        for task in background:
            task.cancel()
        runners.close()
        with contextlib.suppress(*REDIS_ERRORS):
            await close_client(redis)


async def _drop(pool: Any, worker: Any) -> None:
    """Let go of an arq worker and its connection without waiting for Redis: its job
    tasks are only waiting for the runners, which carry on."""
    if worker is not None:
        for task in list(worker.tasks.values()):
            task.cancel()
        await asyncio.gather(*worker.tasks.values(), return_exceptions=True)
    if pool is not None:
        with contextlib.suppress(*REDIS_ERRORS):
            async with asyncio.timeout(1):
                await close_client(pool)


def _arq_main(settings: Settings, parent: int) -> None:
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    logging.basicConfig(level=settings.log_level.upper(), format="%(message)s")
    threading.Thread(target=_follow_parent, args=(parent,), name="follow-parent",
                     daemon=True).start()
    # Ctrl-C reaches the whole process group: folio serve decides when this stops
    run_arq_worker(settings, stop_on=(signal.SIGTERM,))


def _follow_parent(parent: int) -> None:
    while os.getppid() == parent:
        time.sleep(0.5)
    os.kill(os.getpid(), signal.SIGTERM)


class ArqWorkerProcess:
    """The arq worker `folio serve` runs in Redis mode (unless FOLIO_JOB_WORKERS=0),
    started again whenever it exits."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self._context = multiprocessing.get_context("spawn")
        self._process: SpawnProcess | None = None
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._supervise, name="folio-arq", daemon=True)

    def start(self) -> ArqWorkerProcess:
        self._process = self._spawn()
        self._thread.start()
        return self

    def _spawn(self) -> SpawnProcess:
        process = self._context.Process(target=_arq_main, args=(self.settings, os.getpid()),
                                        name="folio-arq-worker", daemon=False)
        process.start()
        return process

    def _supervise(self) -> None:
        while not self._stop.wait(1.0):
            if self._process is not None and not self._process.is_alive():
                log.warning("the arq worker exited (%s); starting another",
                            self._process.exitcode)
                self._process = self._spawn()

    def stop(self) -> None:
        self._stop.set()
        if self._process is not None:
            self._process.terminate()
            self._process.join(10)
            if self._process.is_alive():
                self._process.kill()

    def pids(self) -> list[int]:
        return [] if self._process is None or self._process.pid is None else [self._process.pid]
