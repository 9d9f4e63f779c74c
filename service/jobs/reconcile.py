"""The record store is the source of truth for jobs on Redis; this puts Redis right.

Every job submitted to Redis leaves an open mark in the data directory
(`queue/open/<id>`, or the `job_marks` table with FOLIO_DATABASE_URL: see
`jobs.marks`) until its record is done. Every worker looks at the open
marks every RECONCILE_EVERY seconds: a job that is neither waiting in the queue
nor marked running (see `jobs.liveness`) for LOST_AFTER seconds is lost — its
worker died, or a Redis without persistence restarted and forgot it. A lost job
is queued again, or failed once it has used up MAX_ATTEMPTS, so every job ends.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import time
from pathlib import Path
from typing import Any

from arq.constants import in_progress_key_prefix, job_key_prefix, retry_key_prefix
from redis.asyncio import Redis

from service.artifacts.record import CorruptRecord
from service.artifacts.store import FileStore, valid_id
from service.errors import StateUnavailable
from service.jobs.liveness import REDIS_ERRORS, running_key
from service.pipeline.run import MAX_ATTEMPTS, clear_scratch
from service.state.stores import JobMarks

log = logging.getLogger("folio.jobs")
RECONCILE_EVERY = 2.0  # seconds
LOST_AFTER = 5.0  # seconds a job must look lost before anything is done about it
ARQ_QUEUE = "folio:queue"


class OpenJobs:
    """The marks of jobs submitted to Redis whose records are not done yet."""

    def __init__(self, data_dir: Path) -> None:
        self.directory = Path(data_dir) / "queue" / "open"

    def add(self, processing_id: str) -> None:
        self.directory.mkdir(parents=True, exist_ok=True)
        (self.directory / processing_id).touch()

    def remove(self, processing_id: str) -> None:
        with contextlib.suppress(FileNotFoundError):
            (self.directory / processing_id).unlink()

    def listing(self) -> list[tuple[str, float]]:
        """(id, when marked) of every open job."""
        found = []
        with contextlib.suppress(FileNotFoundError):
            for entry in os.scandir(self.directory):
                with contextlib.suppress(FileNotFoundError):
                    found.append((entry.name, entry.stat().st_mtime))
        return found


class Reconciler:
    def __init__(self, store: FileStore, redis: Redis, enqueue: Any,
                 marks: JobMarks | None = None) -> None:
        self.store = store
        self.redis = redis
        self.open: JobMarks = marks if marks is not None else OpenJobs(store.root)
        self.enqueue = enqueue  # async (processing_id) -> None: arq's enqueue_job
        self._lost_since: dict[str, float] = {}

    async def run_forever(self) -> None:
        while True:
            try:
                await self.once()
            except REDIS_ERRORS as exc:
                log.debug("reconciler waits for Redis: %s", exc)
            except StateUnavailable:
                log.debug("reconciler waits for the database")
            except Exception:
                log.exception("reconciler pass failed")
            await asyncio.sleep(RECONCILE_EVERY)

    async def once(self) -> list[str]:
        """One look at every open job; returns the ids found lost and dealt with."""
        now = time.time()
        handled: list[str] = []
        listing = await asyncio.to_thread(self.open.listing)
        seen = {pid for pid, _ in listing}
        for gone in set(self._lost_since) - seen:
            del self._lost_since[gone]
        # Redis first, in one round trip: most open jobs are waiting or running,
        # and those cost no record read
        candidates = [pid for pid, marked in listing if now - marked >= LOST_AFTER]
        alive = await self._alive(candidates)
        for processing_id in candidates:
            if processing_id in alive:
                self._lost_since.pop(processing_id, None)
                continue
            if not valid_id(processing_id):
                await asyncio.to_thread(self.open.remove, processing_id)
                continue
            try:
                record = await asyncio.to_thread(self.store.load, processing_id)
            except CorruptRecord:
                record = None
            if record is None or record.done:
                # what Redis may still hold of it (a worker that lost Redis mid-job
                # never told arq it finished) would only make a worker look again
                await self._forget(processing_id)
                await asyncio.to_thread(self.open.remove, processing_id)
                self._lost_since.pop(processing_id, None)
                continue
            since = self._lost_since.setdefault(processing_id, now)
            if now - since < LOST_AFTER:
                continue
            # one reconciler acts on a lost job, and only if it is still lost
            if not await self.redis.set(f"folio:reconcile:{processing_id}", b"1",
                                        px=int(LOST_AFTER * 1000), nx=True):
                continue
            if await self._alive([processing_id]):
                continue
            del self._lost_since[processing_id]
            handled.append(processing_id)
            await self._forget(processing_id)
            if record.attempts >= MAX_ATTEMPTS:
                log.warning("processing %s was lost %s times; giving up", processing_id,
                            record.attempts)
                await asyncio.to_thread(self._give_up, processing_id, record.attempts)
                continue
            log.warning("processing %s was lost (its worker or Redis went away); "
                        "queueing it again", processing_id)
            await self.enqueue(processing_id)
        return handled

    async def _alive(self, ids: list[str]) -> set[str]:
        """The ids marked running by a live worker, or waiting in the queue for one."""
        if not ids:
            return set()
        async with self.redis.pipeline(transaction=False) as pipe:
            for processing_id in ids:
                pipe.exists(running_key(processing_id))
                pipe.zscore(ARQ_QUEUE, processing_id)
                pipe.exists(in_progress_key_prefix + processing_id)
            answers = await pipe.execute()
        found = set()
        for n, processing_id in enumerate(ids):
            running, waiting, started = answers[3 * n: 3 * n + 3]
            if running or (waiting is not None and not started):
                found.add(processing_id)
        return found

    async def _forget(self, processing_id: str) -> None:
        """What Redis still knows about the lost job, so that it can be queued anew."""
        await self.redis.zrem(ARQ_QUEUE, processing_id)
        await self.redis.delete(job_key_prefix + processing_id,
                                in_progress_key_prefix + processing_id,
                                retry_key_prefix + processing_id)

    def _give_up(self, processing_id: str, attempts: int) -> None:
        clear_scratch(self.store, processing_id)  # first: done means nothing left behind
        self.store.fail(processing_id, f"processing stopped unexpectedly {attempts} times; "
                        "giving up")
        self.open.remove(processing_id)
