"""DELETE with the records in PostgreSQL: two nodes that both keep the processing in
memory; one deletes it, the other answers 404 within 2 s (a NOTIFY, no polling)."""

from __future__ import annotations

import datetime as dt
import time
from pathlib import Path

from service.artifacts.store import FileStore
from service.config import Settings
from tests.conftest import TENANT_A
from tests.helpers import make_processing, run_server

PATHS = ("", "/ocr", "/page-images/1?width=20", "/thumbnail", "/sub-pdfs/0")


def test_a_deletion_on_one_node_is_404_on_the_other_within_2_s(database_url: str,
                                                                 tmp_path: Path) -> None:
    data = tmp_path / "data"
    env = {"FOLIO_API_KEYS": f"{TENANT_A[0]}:{TENANT_A[1]}",
           "FOLIO_DATABASE_URL": database_url, "FOLIO_JOB_WORKERS": "0"}
    store = FileStore.from_settings(Settings(data_dir=data, database_url=database_url))
    with run_server(data, env) as first, run_server(data, env) as second:
        pid = make_processing(store, TENANT_A[0]).processing_id
        base = f"/processing/results/{pid}"
        day = (dt.date.today() + dt.timedelta(days=30)).isoformat()
        made = first.client(TENANT_A[1]).post("/share-tokens/documents", json={
            "document_id": pid, "expires_at": day})
        assert made.status_code == 201
        for node in (first, second):
            for _ in range(2):  # the second round from the memory tiers
                assert {node.client(TENANT_A[1]).get(base + p).status_code
                        for p in PATHS} == {200}
        assert first.client(TENANT_A[1]).delete(base).status_code == 204
        deleted = time.monotonic()
        other = second.client(TENANT_A[1])
        while {other.get(base + p).status_code for p in PATHS} != {404}:
            assert time.monotonic() - deleted < 2.0, "the other node still serves it"
            time.sleep(0.05)
        assert store.load(pid) is None
        tokens = second.client(TENANT_A[1]).get("/share-tokens/documents").json()
        assert all(token["document_id"] != pid for token in tokens)
