"""The object store down and back, under a running node: what the node's tiers hold
still answers 200, everything else 503 with Retry-After and the JSON error, an
upload is refused whole, and after recovery everything works without a restart."""

from __future__ import annotations

import asyncio
import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from service.artifacts.catalogue import sub_pdf_file
from service.objects.base import artifact_key
from tests.conftest import TENANT_A
from tests.helpers import run_server, tiny_pdf
from tests.objects.seaweed import SeaweedFS
from tests.objects.test_contract import s3_store
from tests.objects.test_served_from_store import KEYS, processing


@pytest.fixture
def own_seaweedfs(tmp_path: Path) -> Iterator[SeaweedFS]:
    """A SeaweedFS of this test's own, to stop and start again."""
    service = SeaweedFS(tmp_path / "seaweedfs")
    service.start()
    yield service
    service.kill()


def files_under(directory: Path) -> list[Path]:
    return [p for p in directory.rglob("*") if p.is_file()] if directory.exists() else []


def test_store_down_then_back(own_seaweedfs: SeaweedFS, tmp_path: Path) -> None:
    env = {**own_seaweedfs.env("faults"), "FOLIO_API_KEYS": KEYS,
           "FOLIO_CACHE_DIR": str(tmp_path / "node-tier"), "FOLIO_JOB_WORKERS": "1"}
    with run_server(tmp_path / "data", env) as node:
        record = processing(own_seaweedfs, "faults", node.data_dir, tmp_path)
        client = node.client(TENANT_A[1])
        base = f"/processing/results/{record.processing_id}"
        warm = client.get(f"{base}/ocr")
        assert warm.status_code == 200
        big = tiny_pdf(1) + os.urandom(5 * 1024 * 1024)
        bucket = s3_store(own_seaweedfs.endpoint, "faults")
        key = artifact_key(record.processing_id, sub_pdf_file(1))
        asyncio.run(bucket.delete_prefix(key.rpartition("/")[0] + "/"))
        asyncio.run(bucket.put(key, big))
        ranged = {"Range": "bytes=4000000-4000009"}
        assert client.get(f"{base}/sub-pdfs/1", headers=ranged).status_code == 206

        assert client.get("/readyz").json()["checks"]["objects"] == "ok"
        own_seaweedfs.kill()
        assert client.get("/readyz").json()["checks"]["objects"] == "unreachable"
        assert client.get(f"{base}/ocr").content == warm.content  # from the node's tiers
        for path in ("pdf", "page-images/1", "hocr"):
            down = client.get(f"{base}/{path}")
            assert down.status_code == 503, path
            assert down.headers["retry-after"] == "5"
            assert down.json() == {"detail": "The object store is unavailable; "
                                             "try again shortly."}
        # the object's size is remembered, so the failure comes with the first bytes
        cut = client.get(f"{base}/sub-pdfs/1", headers=ranged)
        assert cut.status_code == 503
        assert cut.headers["retry-after"] == "5"
        records_before = files_under(node.data_dir / "processings")
        refused = client.post("/processing/ocr?wait_for=0",
                              files={"file": ("a.pdf", tiny_pdf(1), "application/pdf")})
        assert refused.status_code == 503
        assert files_under(node.data_dir / "processings") == records_before
        assert not [p for p in files_under(tmp_path / "node-tier") if "source" in p.name]

        own_seaweedfs.start()
        assert client.get(f"{base}/pdf").status_code == 200
        accepted = client.post("/processing/ocr?wait_for=90",
                               files={"file": ("a.pdf", tiny_pdf(1), "application/pdf")})
        assert accepted.status_code == 201, accepted.text
        done = accepted.json()["processing_id"]
        assert client.get(f"/processing/results/{done}/page-images/1").status_code == 200
