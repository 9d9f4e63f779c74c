"""Logging of a real `folio serve --workers 2`: access lines from the worker processes,
libvips' routine messages only at debug level."""

from __future__ import annotations

import logging
import os
import subprocess
import sys
import time
from pathlib import Path

import httpx
import orjson

from service.artifacts.store import FileStore
from service.cli.logs import VipsInfoToDebug
from tests.conftest import TENANT_A
from tests.helpers import ROOT, free_port, make_processing


def serve_two_workers(data_dir: Path, log_path: Path) -> tuple[subprocess.Popen[bytes], str]:
    port = free_port()
    env = {**os.environ, "FOLIO_DATA_DIR": str(data_dir), "FOLIO_ACCESS_LOG": "true",
           "FOLIO_LOG_LEVEL": "info", "FOLIO_API_KEYS": f"{TENANT_A[0]}:{TENANT_A[1]}",
           "FOLIO_JOB_WORKERS": "1", "FOLIO_PAGE_WORKERS": "1"}
    with open(log_path, "wb") as log:
        process = subprocess.Popen(
            [sys.executable, "-m", "service.cli", "serve", "--port", str(port),
             "--workers", "2"], cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
    return process, f"http://127.0.0.1:{port}"


def both_workers_up(log_path: Path) -> bool:
    return log_path.read_text().count("Application startup complete") >= 2


def test_two_workers_write_access_lines_and_no_vips_info(tmp_path: Path) -> None:
    data_dir, log_path = tmp_path / "data", tmp_path / "serve.log"
    data_dir.mkdir()
    record = make_processing(FileStore(data_dir), TENANT_A[0], "ocr", pages=1,
                             sizes=[(900, 700)])
    process, url = serve_two_workers(data_dir, log_path)
    try:
        deadline = time.monotonic() + 90
        while not both_workers_up(log_path):
            assert process.poll() is None, log_path.read_text()
            assert time.monotonic() < deadline, log_path.read_text()
            time.sleep(0.1)
        headers = {"Authorization": f"ApiKey {TENANT_A[1]}"}
        # a fresh connection each: the parent hands them to either worker
        for n in range(12):
            assert httpx.get(f"{url}/healthz?n={n}", timeout=30).status_code == 200
        for width in (50, 60, 70):  # page image misses: libvips thumbnails
            response = httpx.get(f"{url}/processing/results/{record.processing_id}"
                                 f"/page-images/1?width={width}", headers=headers, timeout=30)
            assert response.status_code == 200
    finally:
        process.terminate()
        process.wait(30)
    lines = log_path.read_text().splitlines()
    access = [orjson.loads(line) for line in lines if line.startswith('{"method"')]
    queries = {entry["query"] for entry in access if entry["path"] == "/healthz"}
    assert queries >= {f"n={n}" for n in range(12)}
    assert sum(entry["route"].endswith("page-images/{page_num}") for entry in access) >= 3
    assert not [line for line in lines if "VIPS:" in line]


def test_vips_info_is_demoted_to_debug() -> None:
    vips_filter = VipsInfoToDebug()
    logger = logging.getLogger("pyvips")

    def record(level: int) -> logging.LogRecord:
        return logger.makeRecord("pyvips", level, __file__, 1, "VIPS: input size is 9 x 9",
                                 None, None)

    info = record(logging.INFO)
    saved = logger.level
    try:
        logger.setLevel(logging.INFO)
        assert vips_filter.filter(info) is False
        logger.setLevel(logging.DEBUG)
        info = record(logging.INFO)
        assert vips_filter.filter(info) is True
        assert info.levelno == logging.DEBUG
        warning = record(logging.WARNING)
        assert vips_filter.filter(warning) is True
        assert warning.levelno == logging.WARNING
    finally:
        logger.setLevel(saved)
