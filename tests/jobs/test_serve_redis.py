"""`folio serve` on Redis: it runs job workers itself unless FOLIO_JOB_WORKERS=0, /readyz
says whether any worker beat lately, and an upload the queue refuses answers 503
without leaving a record behind."""

from __future__ import annotations

from pathlib import Path

import redis

from tests.conftest import TENANT_A
from tests.helpers import SpareRedis, run_server
from tests.pipeline.conftest import INVOICE, make_text_pdf

SECRET = TENANT_A[1]


def test_serve_alone_processes_and_a_full_queue_answers_503(
        tmp_path: Path, spare_redis: SpareRedis) -> None:
    pdf = make_text_pdf(tmp_path / "one.pdf", [INVOICE[:3]])
    env = {"FOLIO_API_KEYS": f"acme:{SECRET}", "FOLIO_REDIS_URL": spare_redis.url,
           "FOLIO_PAGE_WORKERS": "1"}
    files = {"file": ("one.pdf", pdf.read_bytes())}
    with run_server(tmp_path / "web", {**env, "FOLIO_JOB_WORKERS": "0"}) as web:
        readyz = web.client().get("/readyz").json()
        assert readyz["checks"]["workers"] == "no job worker seen in the last 30 s"
    with run_server(tmp_path / "d", env) as srv:
        client = srv.client(SECRET)
        done = client.post("/processing/ocr?wait_for=90", files=files)
        assert done.status_code == 201
        assert client.get("/readyz").json()["checks"]["workers"] == "ok"
        with redis.Redis(port=spare_redis.port) as r:
            r.config_set("maxmemory-policy", "noeviction")
            r.config_set("maxmemory", "1")
        refused = client.post("/processing/ocr?wait_for=0", files=files)
        assert refused.status_code == 503
        assert refused.json()["detail"].startswith("The job queue (Redis) is unavailable")
        assert refused.headers["retry-after"] == "5"
        kept = sorted(p.name for p in (tmp_path / "d" / "processings").glob("*/*"))
        assert kept == [done.json()["processing_id"]]
        marks = {p.name for p in (tmp_path / "d" / "queue" / "open").iterdir()}
        assert marks <= set(kept)  # the first one's mark goes once its worker lets go
