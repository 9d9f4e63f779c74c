"""DELETE with the artifacts in an S3 store (SeaweedFS): the bucket's objects and the
node's copies of them go too."""

from __future__ import annotations

import asyncio
import time
from pathlib import Path

from service.objects.base import processing_prefix
from tests.conftest import TENANT_A
from tests.helpers import Server, run_server
from tests.objects.seaweed import SeaweedFS
from tests.objects.test_contract import s3_store
from tests.objects.test_served_from_store import KEYS, PATHS, node, processing

__all__ = ["node"]  # the fixture, shared with the serving tests


def test_delete_empties_the_bucket_and_the_node_tier(
        node: Server, seaweedfs: SeaweedFS, s3_prefix: str, tmp_path: Path) -> None:
    record = processing(seaweedfs, s3_prefix, node.data_dir, tmp_path)
    pid = record.processing_id
    client = node.client(TENANT_A[1])
    base = f"/processing/results/{pid}"
    assert {client.get(f"{base}/{path}").status_code for path in PATHS} == {200}
    bucket = s3_store(seaweedfs.endpoint, s3_prefix)
    assert asyncio.run(bucket.list_prefix(processing_prefix(pid)))
    assert any(pid in str(p) for p in (tmp_path / "node-tier").rglob("*"))
    assert client.delete(base).status_code == 204
    assert asyncio.run(bucket.list_prefix(processing_prefix(pid))) == []
    assert not any(pid in str(p) for p in (tmp_path / "node-tier").rglob("*"))
    assert not any(pid in str(p) for p in Path(node.data_dir).rglob("*"))
    assert {client.get(f"{base}/{path}").status_code for path in ("", *PATHS)} == {404}


def test_another_node_drops_its_copies_of_a_deleted_processing(
        node: Server, seaweedfs: SeaweedFS, s3_prefix: str, tmp_path: Path) -> None:
    # a second node on the same data directory (so the same invalidations), its own tier
    env = {**seaweedfs.env(s3_prefix), "FOLIO_API_KEYS": KEYS,
           "FOLIO_CACHE_DIR": str(tmp_path / "other-tier"), "FOLIO_JOB_WORKERS": "0"}
    with run_server(node.data_dir, env) as other:
        record = processing(seaweedfs, s3_prefix, node.data_dir, tmp_path)
        pid = record.processing_id
        base = f"/processing/results/{pid}"
        for server in (node, other):
            client = server.client(TENANT_A[1])
            assert {client.get(f"{base}/{path}").status_code for path in PATHS} == {200}
        assert any(pid in str(p) for p in (tmp_path / "other-tier").rglob("*"))
        assert node.client(TENANT_A[1]).delete(base).status_code == 204
        deadline = time.monotonic() + 2
        while any(pid in str(p) for p in (tmp_path / "other-tier").rglob("*")):
            assert time.monotonic() < deadline, "the other node kept its copies"
            time.sleep(0.05)
        client = other.client(TENANT_A[1])
        assert {client.get(f"{base}/{path}").status_code for path in ("", *PATHS)} == {404}
