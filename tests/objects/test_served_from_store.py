"""folio serving from an S3 store (SeaweedFS): every artifact from the bucket, a
node with a wiped disk tier, a range of a large PDF it has no copy of, and the
store going down and coming back."""

from __future__ import annotations

import asyncio
import os
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from service.artifacts.catalogue import file_of, page_file, sub_pdf_file
from service.artifacts.record import Record
from service.artifacts.store import FileStore
from service.objects.base import artifact_key, processing_prefix
from service.objects.disk_tier import DiskTier
from tests.conftest import TENANT_A
from tests.helpers import Server, make_processing, run_server, tiny_pdf
from tests.objects.seaweed import SeaweedFS
from tests.objects.test_contract import s3_store

KEYS = f"{TENANT_A[0]}:{TENANT_A[1]}"
PATHS = ("ocr", "hocr", "pdf", "page-images/1", "page-images/2", "thumbnail",
         "document-splitting", "sub-pdfs/0")


def writer(seaweed: SeaweedFS, prefix: str, data_dir: Path, tier: Path) -> FileStore:
    return FileStore(data_dir, objects=DiskTier(s3_store(seaweed.endpoint, prefix), tier,
                                                1 << 30))


@pytest.fixture
def node(seaweedfs: SeaweedFS, s3_prefix: str, tmp_path: Path) -> Iterator[Server]:
    env = {**seaweedfs.env(s3_prefix), "FOLIO_API_KEYS": KEYS,
           "FOLIO_CACHE_DIR": str(tmp_path / "node-tier"), "FOLIO_JOB_WORKERS": "1"}
    with run_server(tmp_path / "data", env) as server:
        yield server


def processing(seaweed: SeaweedFS, prefix: str, data_dir: Path, tmp_path: Path) -> Record:
    store = writer(seaweed, prefix, data_dir, tmp_path / "writer-tier")
    record = make_processing(store, TENANT_A[0], "generic_splitting", pages=2)
    store.flush(record.processing_id)
    shutil.rmtree(tmp_path / "writer-tier")  # the node has nothing of it on its disk
    return record


def test_every_artifact_is_answered_from_the_store(
        node: Server, seaweedfs: SeaweedFS, s3_prefix: str, tmp_path: Path) -> None:
    record = processing(seaweedfs, s3_prefix, node.data_dir, tmp_path)
    client = node.client(TENANT_A[1])
    base = f"/processing/results/{record.processing_id}"
    first = {path: client.get(f"{base}/{path}") for path in PATHS}
    assert {path: r.status_code for path, r in first.items()} == dict.fromkeys(PATHS, 200)
    bucket = s3_store(seaweedfs.endpoint, s3_prefix)
    assert first["pdf"].content == asyncio.run(
        bucket.get(artifact_key(record.processing_id, file_of("pdf"))))
    assert first["page-images/1"].content == asyncio.run(
        bucket.get(artifact_key(record.processing_id, page_file(1))))
    shutil.rmtree(tmp_path / "node-tier")  # a node whose disk was wiped
    again = {path: client.get(f"{base}/{path}") for path in PATHS}
    assert {p: r.content for p, r in again.items()} == {p: r.content for p, r in first.items()}


def test_a_range_of_a_large_pdf_is_read_from_the_store_alone(
        node: Server, seaweedfs: SeaweedFS, s3_prefix: str, tmp_path: Path) -> None:
    record = processing(seaweedfs, s3_prefix, node.data_dir, tmp_path)
    big = tiny_pdf(1) + os.urandom(6 * 1024 * 1024)
    key = artifact_key(record.processing_id, sub_pdf_file(1))
    bucket = s3_store(seaweedfs.endpoint, s3_prefix)
    asyncio.run(bucket.delete_prefix(key.rpartition("/")[0] + "/"))  # objects are written once
    asyncio.run(bucket.put(key, big))
    client = node.client(TENANT_A[1])
    answer = client.get(f"/processing/results/{record.processing_id}/sub-pdfs/1",
                        headers={"Range": "bytes=5000000-5000099"})
    assert answer.status_code == 206
    assert answer.content == big[5000000:5000100]
    assert answer.headers["content-range"] == f"bytes 5000000-5000099/{len(big)}"
    assert not list((tmp_path / "node-tier").rglob("1.pdf"))  # no copy was made
    whole = client.get(f"/processing/results/{record.processing_id}/sub-pdfs/1")
    assert whole.content == big


def test_a_head_of_an_object_not_here_copies_nothing(
        node: Server, seaweedfs: SeaweedFS, s3_prefix: str, tmp_path: Path) -> None:
    record = processing(seaweedfs, s3_prefix, node.data_dir, tmp_path)
    client = node.client(TENANT_A[1])
    base = f"/processing/results/{record.processing_id}"
    for _ in range(2):  # the second time the record is in the hot lane's memory
        head = client.head(f"{base}/pdf")
        assert head.status_code == 200
        assert head.content == b""
    assert not list((tmp_path / "node-tier").rglob("searchable.pdf"))
    whole = client.get(f"{base}/pdf")
    assert int(head.headers["content-length"]) == len(whole.content)
    assert head.headers["etag"] == whole.headers["etag"]
    assert head.headers["last-modified"] == whole.headers["last-modified"]


def test_an_object_deleted_under_a_node_is_not_found(
        node: Server, seaweedfs: SeaweedFS, s3_prefix: str, tmp_path: Path) -> None:
    record = processing(seaweedfs, s3_prefix, node.data_dir, tmp_path)
    client = node.client(TENANT_A[1])
    base = f"/processing/results/{record.processing_id}"
    assert client.get(f"{base}/ocr").status_code == 200  # the record is now in memory
    # deleted by another node, before its word reaches this one
    asyncio.run(seaweedfs.object_store(s3_prefix).delete_prefix(
        processing_prefix(record.processing_id)))
    for path in ("pdf", "hocr", "page-images/2"):
        gone = client.get(f"{base}/{path}")
        assert gone.status_code == 404, (path, gone.text)
