"""The queue delivers a job at least once: when two processes are handed the same
processing at once, only one of them runs it."""

from __future__ import annotations

import multiprocessing
import os
import signal
import time
from multiprocessing.synchronize import Event
from pathlib import Path

import pytest

from service.artifacts.record import SUCCEEDED, Record
from service.artifacts.store import FileStore
from service.config import Settings
from service.pipeline import run
from service.state.database import Database
from service.state.pg_records import PgRecords
from service.state.record_files import RecordFiles
from service.state.record_store import RecordStore

RUN_TIME = 1.0  # seconds each run takes: long enough for both processes to overlap


def _store(root: Path, database_url: str | None) -> FileStore:
    records: RecordStore = (PgRecords(Database(database_url)) if database_url
                            else RecordFiles(root))
    return FileStore(root, records)


def _racer(root: Path, database_url: str | None, processing_id: str, go: Event,
           log: Path) -> None:
    def attempt(store: FileStore, settings: Settings, record: Record) -> None:
        with log.open("a") as fh:
            fh.write(f"{os.getpid()}\n")
        time.sleep(RUN_TIME)
        store.succeed(record.processing_id, pages=[(10, 10)], results=["ocr"])

    run._attempt = attempt  # type: ignore[assignment]
    store = _store(root, database_url)
    go.wait(10)
    run.process(store, Settings(data_dir=root), processing_id)


@pytest.mark.parametrize("backend", ["files", "postgresql"])
def test_two_processes_racing_for_one_job_run_it_once(backend: str, tmp_path: Path,
                                                      request: pytest.FixtureRequest) -> None:
    url = request.getfixturevalue("database_url") if backend == "postgresql" else None
    store = _store(tmp_path, url)
    pid = store.create("acme", "ocr").processing_id
    store.directory(pid).mkdir(parents=True, exist_ok=True)
    log = tmp_path / "runs.log"
    context = multiprocessing.get_context("spawn")
    go = context.Event()
    racers = [context.Process(target=_racer, args=(tmp_path, url, pid, go, log))
              for _ in range(2)]
    for racer in racers:
        racer.start()
    time.sleep(1.5)  # both imported and waiting
    go.set()
    for racer in racers:
        racer.join(30)
        assert racer.exitcode == 0
    assert len(log.read_text().split()) == 1
    record = store.load(pid)
    assert record is not None and record.status == SUCCEEDED and record.attempts == 1


def _hold(root: Path, database_url: str | None, processing_id: str) -> None:
    store = _store(root, database_url)
    while True:  # the test's own probes may hold it for an instant
        with store.running(processing_id) as mine:
            if mine:
                time.sleep(60)
        time.sleep(0.01)


@pytest.mark.parametrize("backend", ["files", "postgresql"])
def test_a_holder_killed_mid_job_frees_the_processing(backend: str, tmp_path: Path,
                                                      request: pytest.FixtureRequest) -> None:
    url = request.getfixturevalue("database_url") if backend == "postgresql" else None
    store = _store(tmp_path, url)
    pid = store.create("acme", "ocr").processing_id
    store.directory(pid).mkdir(parents=True, exist_ok=True)
    holder = multiprocessing.get_context("spawn").Process(target=_hold,
                                                          args=(tmp_path, url, pid))
    holder.start()
    deadline = time.monotonic() + 20
    while True:  # until the holder has it
        with store.running(pid) as free:
            if not free:
                break
        assert time.monotonic() < deadline
        time.sleep(0.1)
    assert holder.pid is not None
    os.kill(holder.pid, signal.SIGKILL)
    holder.join(10)
    deadline = time.monotonic() + 5
    while True:
        with store.running(pid) as mine:
            if mine:
                break
        assert time.monotonic() < deadline, "the killed holder's lock outlived it"
        time.sleep(0.1)
