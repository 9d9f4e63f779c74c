"""`folio serve` with FOLIO_DATABASE_URL: the state is in PostgreSQL, none on disk,
and a database that goes away costs only what the node does not hold in memory —
503 with Retry-After, never a 500 — until it is back, without a restart."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from service.artifacts.store import FileStore
from service.state.database import Database
from service.state.pg_records import PgRecords
from tests.helpers import Server, folio, make_processing, run_server, secret_from
from tests.pipeline.conftest import INVOICE, make_text_pdf
from tests.state.proxy import Proxy


@pytest.fixture
def proxy() -> Iterator[Proxy]:
    cut = Proxy(("127.0.0.1", 5432))
    cut.up()
    yield cut
    cut.down()


def _upload(client: httpx.Client, pdf: bytes, wait_for: int = 90) -> httpx.Response:
    return client.post(f"/processing/ocr?wait_for={wait_for}",
                       files={"file": ("a.pdf", pdf)})


def _until(get: object, status: int, seconds: float = 15) -> httpx.Response:
    deadline = time.monotonic() + seconds
    while True:
        response = get()  # type: ignore[operator]
        assert isinstance(response, httpx.Response)
        if response.status_code == status or time.monotonic() > deadline:
            return response
        time.sleep(0.2)


def test_serve_on_postgres_survives_the_database_going_away(
        database_url: str, proxy: Proxy, tmp_path: Path) -> None:
    url = proxy.url_for(database_url)
    data = tmp_path / "data"
    env = {"FOLIO_DATABASE_URL": url, "FOLIO_DATABASE_TIMEOUT": "1",
           "FOLIO_JOB_WORKERS": "1", "FOLIO_PAGE_WORKERS": "1"}
    made = folio(data, "keys", "create", "--tenant", "acme", env=env)
    assert made.returncode == 0, made.stderr
    secret = secret_from(made.stdout)
    pdf = make_text_pdf(tmp_path / "a.pdf", [INVOICE]).read_bytes()
    db = Database(url, timeout=2)
    store = FileStore(data, PgRecords(db))
    try:
        with run_server(data, env) as server:
            _check(server, secret, pdf, proxy, store, data)
    finally:
        db.close()


def _check(server: Server, secret: str, pdf: bytes, proxy: Proxy, store: FileStore,
           data: Path) -> None:
    client = server.client(secret)
    posted = _upload(client, pdf)
    assert posted.status_code == 201, posted.text
    pid = posted.json()["processing_id"]
    assert list(data.rglob("record.json")) == []  # the records are in the database
    assert client.get(f"/processing/results/{pid}/ocr").status_code == 200
    unread = make_processing(store, "acme").processing_id  # never read by the node

    proxy.down()
    held = client.get(f"/processing/results/{pid}/ocr")
    assert held.status_code == 200  # the node holds the record and the key
    refused = client.get(f"/processing/results/{unread}/ocr")
    assert refused.status_code == 503
    assert refused.headers["retry-after"] and refused.headers["cache-control"] == "no-store"
    assert "database" in refused.json()["detail"]
    upload = _upload(client, pdf, wait_for=0)
    assert upload.status_code == 503 and "retry-after" in upload.headers
    assert client.get("/readyz").json()["checks"]["database"] == "unreachable"

    proxy.up()
    back = _until(lambda: client.get(f"/processing/results/{unread}/ocr"), 200)
    assert back.status_code == 200
    again = _upload(client, pdf)
    assert again.status_code == 201, again.text

    # a job accepted just before the database goes: it runs once the database is back
    accepted = _upload(client, pdf, wait_for=0)
    assert accepted.status_code == 202
    proxy.down()
    time.sleep(3)
    proxy.up()
    late = accepted.json()["processing_id"]
    finished = _until(lambda: client.get(f"/processing/results/{late}/ocr"), 200, 60)
    assert finished.status_code == 200, finished.text
