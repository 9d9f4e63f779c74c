"""One attempt lost to a dead page process or a killed worker is retried, and no
attempt leaves its scratch directory behind."""

from __future__ import annotations

import os
import signal
from pathlib import Path

from service.artifacts.store import FileStore
from service.config import Settings
from service.pipeline import pages
from service.pipeline.run import SCRATCH, SOURCE, process
from tests.helpers import tiny_pdf


def test_a_killed_page_process_costs_one_attempt_and_its_leftovers(tmp_path: Path) -> None:
    settings = Settings(data_dir=tmp_path, page_workers=2, dpi=72)
    store = FileStore(tmp_path)
    pid = store.create("acme", "ocr").processing_id
    store.write_artifact(pid, SOURCE, tiny_pdf(3))
    # what a worker SIGKILLed mid-job leaves behind
    leftover = store.directory(pid) / f"{SCRATCH}dead"
    (leftover / "pages").mkdir(parents=True)
    (leftover / "pages" / "1.jpg").write_bytes(b"half a page")
    pages.warm(2)
    try:
        os.kill(pages.page_process_ids()[0], signal.SIGKILL)
        process(store, settings, pid)
    finally:
        pages.shutdown()
    record = store.load(pid)
    assert record is not None
    assert (record.status, record.error, record.attempts) == ("succeeded", None, 2)
    assert list(store.directory(pid).glob(SCRATCH + "*")) == []
