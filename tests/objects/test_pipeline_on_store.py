"""A job run by a worker on another machine: the original comes from the store, the
artifacts go back to it, and nothing staged is left behind."""

from __future__ import annotations

import asyncio
import dataclasses
import time
from pathlib import Path

import pytest

from service.artifacts.record import SUCCEEDED
from service.artifacts.store import FileStore
from service.config import Settings
from service.errors import StoreUnavailable
from service.objects.base import processing_prefix
from service.objects.disk_tier import DiskTier
from service.pipeline import run
from tests.helpers import tiny_pdf
from tests.objects.seaweed import SeaweedFS
from tests.objects.test_contract import s3_store


def node(seaweed: SeaweedFS, prefix: str, data: Path, tier: Path) -> FileStore:
    return FileStore(data, objects=DiskTier(s3_store(seaweed.endpoint, prefix), tier, 1 << 30))


def test_a_worker_elsewhere_processes_an_upload_from_the_store(
        seaweedfs: SeaweedFS, s3_prefix: str, tmp_path: Path) -> None:
    web = node(seaweedfs, s3_prefix, tmp_path / "data", tmp_path / "web-tier")
    record = web.create("acme", "ocr")
    pid = record.processing_id
    source = web.artifact_path(pid, run.SOURCE)
    source.parent.mkdir(parents=True)
    source.write_bytes(tiny_pdf(2))
    asyncio.run(web.publish(pid, run.SOURCE))

    worker = node(seaweedfs, s3_prefix, tmp_path / "data", tmp_path / "worker-tier")
    settings = dataclasses.replace(Settings(), data_dir=tmp_path / "data", page_workers=1)
    run.process(worker, settings, pid)

    done = worker.load(pid)
    assert done is not None and done.status == SUCCEEDED, done
    keys = asyncio.run(web.objects.store.list_prefix(processing_prefix(pid)))
    names = {key.rpartition(pid + "/")[2] for key in keys}
    assert {"source", "pages/1.jpg", "pages/2.jpg", "ocr.json", "ocr.json.gz",
            "result.json", "result.json.gz"} <= names
    # the worker keeps nothing of what it ran (its copies go in a thread)
    deadline = time.monotonic() + 5
    while [p for p in (tmp_path / "worker-tier").rglob("*") if p.is_file()]:
        assert time.monotonic() < deadline
        time.sleep(0.05)
    reader = node(seaweedfs, s3_prefix, tmp_path / "data", tmp_path / "reader-tier")
    other = node(seaweedfs, s3_prefix, tmp_path / "data", tmp_path / "other-tier")
    assert (reader.artifact(pid, "ocr.json").read_bytes()
            == other.artifact(pid, "ocr.json").read_bytes())


def test_a_store_away_leaves_the_job_to_be_queued_again(
        seaweedfs: SeaweedFS, s3_prefix: str, tmp_path: Path,
        monkeypatch: pytest.MonkeyPatch) -> None:
    web = node(seaweedfs, s3_prefix, tmp_path / "data", tmp_path / "web-tier")
    record = web.create("acme", "ocr")
    source = web.artifact_path(record.processing_id, run.SOURCE)
    source.parent.mkdir(parents=True)
    source.write_bytes(tiny_pdf(1))
    asyncio.run(web.publish(record.processing_id, run.SOURCE))
    monkeypatch.setattr(run, "STORE_PATIENCE", 0.0)
    away = FileStore(tmp_path / "data", objects=DiskTier(
        s3_store("http://127.0.0.1:9", s3_prefix), tmp_path / "worker-tier", 1 << 30))
    settings = dataclasses.replace(Settings(), data_dir=tmp_path / "data", page_workers=1)
    with pytest.raises(StoreUnavailable):
        run.process(away, settings, record.processing_id)
    after = away.load(record.processing_id)
    assert after is not None and not after.done  # not failed: the queue runs it again
    run.process(node(seaweedfs, s3_prefix, tmp_path / "data", tmp_path / "w2"), settings,
                record.processing_id)
    done = web.load(record.processing_id)
    assert done is not None and done.status == SUCCEEDED
