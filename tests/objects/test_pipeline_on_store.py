"""A job run by a worker on another machine: the original comes from the store, the
artifacts go back to it, and nothing staged is left behind."""

from __future__ import annotations

import asyncio
import dataclasses
import time
from pathlib import Path

from service.artifacts.record import SUCCEEDED
from service.artifacts.store import FileStore
from service.config import Settings
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
