"""Jobs on Redis end, whatever happens to Redis or to a worker: a real redis-server
killed and restarted without persistence, a real `folio worker` killed with SIGKILL."""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from benchmarks import fixtures
from service.artifacts.record import Record
from service.artifacts.store import FileStore
from service.jobs.arq_queue import ArqQueue
from service.jobs.reconcile import OpenJobs
from service.pipeline.run import SCRATCH, SOURCE
from tests.helpers import ROOT, SpareRedis, tiny_pdf


class Workers:
    def __init__(self, data: Path, redis_url: str, extra: dict[str, str]) -> None:
        self.data = data
        self.redis_url = redis_url
        self.store = FileStore(data)
        self.env = {**os.environ, "FOLIO_DATA_DIR": str(data), "FOLIO_REDIS_URL": redis_url,
                    "FOLIO_JOB_WORKERS": "1", "FOLIO_PAGE_WORKERS": "1",
                    "FOLIO_LOG_LEVEL": "warning", **extra}
        self.started: list[subprocess.Popen[bytes]] = []

    def start(self) -> subprocess.Popen[bytes]:
        worker = subprocess.Popen([sys.executable, "-m", "service.cli", "worker"], cwd=ROOT,
                                  env=self.env, stdout=subprocess.DEVNULL,
                                  stderr=subprocess.DEVNULL)
        self.started.append(worker)
        return worker

    def submit(self, pages: int, source: bytes | None = None) -> str:
        pid = self.store.create("acme", "ocr").processing_id
        self.store.write_artifact(pid, SOURCE, source if source is not None else tiny_pdf(pages))

        async def enqueue() -> None:
            queue = ArqQueue(self.redis_url, OpenJobs(self.data))
            await queue.submit(pid)
            await queue.close()

        asyncio.run(enqueue())
        return pid

    def record(self, pid: str) -> Record:
        record = self.store.load(pid)
        assert record is not None
        return record

    def wait(self, pid: str, until: str, deadline: float = 120) -> float:
        """Seconds until the record is `until` ("running", "done" or "attempt 2")."""
        start = time.monotonic()
        while time.monotonic() - start < deadline:
            record = self.record(pid)
            if (until == "running" and record.status == "running") or \
                    (until == "done" and record.done) or \
                    (until == "attempt 2" and record.attempts >= 2):
                return time.monotonic() - start
            time.sleep(0.05)
        raise AssertionError(f"{pid} never reached {until}: {self.record(pid)}")


@pytest.fixture
def workers(tmp_path: Path, spare_redis: SpareRedis,
            request: pytest.FixtureRequest) -> Iterator[Workers]:
    extra = getattr(request, "param", {})
    found = Workers(tmp_path / "d", spare_redis.url, extra)
    yield found
    for worker in found.started:
        if worker.poll() is None:
            worker.terminate()
            worker.wait(15)


def kill_redis(spare: SpareRedis) -> None:
    assert spare.process is not None
    spare.process.kill()
    spare.process.wait(10)
    spare.process = None


def test_jobs_outlive_a_redis_restart_and_a_killed_worker(
        workers: Workers, spare_redis: SpareRedis) -> None:
    worker = workers.start()
    running, waiting = workers.submit(2), workers.submit(2)
    workers.wait(running, "running")
    # Redis without persistence: the queue, the in-progress marks, everything goes
    kill_redis(spare_redis)
    time.sleep(1)
    spare_redis.start()
    back = time.monotonic()
    workers.wait(running, "done")
    workers.wait(waiting, "done")
    ended = time.monotonic() - back
    assert worker.poll() is None, "the worker exited when Redis went away"
    assert [workers.record(p).status for p in (running, waiting)] == ["succeeded"] * 2
    print(f"\nin-flight jobs ended {ended:.1f} s after Redis came back")

    killed = workers.submit(2)
    workers.wait(killed, "running")
    os.kill(worker.pid, signal.SIGKILL)
    worker.wait()
    workers.start()
    retried = workers.wait(killed, "attempt 2")
    workers.wait(killed, "done")
    record = workers.record(killed)
    assert (record.status, record.attempts) == ("succeeded", 2)
    assert list(workers.store.directory(killed).glob(SCRATCH + "*")) == []
    print(f"the killed worker's job started again {retried:.1f} s after the SIGKILL")


@pytest.mark.parametrize("workers", [{"FOLIO_JOB_TIMEOUT": "1"}], indirect=True)
def test_the_job_timeout_stops_the_job(workers: Workers, tmp_path: Path) -> None:
    # four pages of printed text to OCR: ~2 CPU-s of tesseract each, far past the
    # 1 s timeout on any machine (three blank pages came in under it once OCR got faster)
    scan = tmp_path / "scan.tif"
    fixtures.scan_tiff(scan, [1, 2, 3, 4])
    workers.start()
    pid = workers.submit(4, scan.read_bytes())
    workers.wait(pid, "done")
    record = workers.record(pid)
    assert (record.status, record.error) == (
        "failed", "processing took longer than the job timeout of 1 seconds")
    # and it stays failed: nothing kept running the job in the background
    time.sleep(5)
    assert workers.record(pid).status == "failed"
    assert list(workers.store.directory(pid).glob(SCRATCH + "*")) == []
