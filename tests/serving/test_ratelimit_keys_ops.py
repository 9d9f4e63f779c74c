"""Rate limits (shared through Redis), the key CLI lifecycle, long-poll and operations."""

from __future__ import annotations

import os
import subprocess
import sys
import threading
import time
import uuid
from pathlib import Path

import httpx
import pytest

from service.artifacts.store import FileStore
from tests.helpers import REDIS_URL, ROOT, Server, free_port, make_processing, run_server


def folio(data_dir: Path, *args: str, env: dict[str, str] | None = None
          ) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "service.cli", *args], cwd=ROOT,
                          env={**os.environ, "FOLIO_DATA_DIR": str(data_dir), **(env or {})},
                          capture_output=True, text=True, timeout=60)


def secret_from(output: str) -> str:
    return next(line.split()[-1] for line in output.splitlines() if line.startswith("secret:"))


def test_rate_limit_is_shared_by_two_processes_through_redis(tmp_path: Path) -> None:
    tenant = "rl-" + uuid.uuid4().hex[:8]
    env = {"FOLIO_REDIS_URL": REDIS_URL, "FOLIO_API_KEYS": f"{tenant}:s3cret-{tenant}",
           "FOLIO_RATE_LIMIT_RPS": "0.01", "FOLIO_RATE_LIMIT_BURST": "6"}
    with run_server(tmp_path / "d", env) as one, run_server(tmp_path / "d", env) as two:
        clients = [one.client(f"s3cret-{tenant}"), two.client(f"s3cret-{tenant}")]
        codes = [clients[i % 2].get("/processing/workflows").status_code for i in range(12)]
    assert codes.count(200) == 6
    assert codes.count(429) == 6


def test_rate_limit_answers_429_with_retry_after(tmp_path: Path) -> None:
    env = {"FOLIO_API_KEYS": "t:s3cret-t", "FOLIO_RATE_LIMIT_RPS": "0.5",
           "FOLIO_RATE_LIMIT_BURST": "2"}
    with run_server(tmp_path / "d", env) as srv:
        client = srv.client("s3cret-t")
        codes = [client.get("/processing/workflows") for _ in range(3)]
    assert [r.status_code for r in codes] == [200, 200, 429]
    assert codes[2].headers["retry-after"] == "2"
    assert codes[2].headers["cache-control"] == "no-store"
    assert codes[2].json() == {"detail": "Rate limit exceeded."}


def test_rate_limits_are_per_tenant(tmp_path: Path) -> None:
    env = {"FOLIO_API_KEYS": "a:s3cret-a,b:s3cret-b", "FOLIO_RATE_LIMIT_RPS": "0.01",
           "FOLIO_RATE_LIMIT_BURST": "1"}
    with run_server(tmp_path / "d", env) as srv:
        a, b = srv.client("s3cret-a"), srv.client("s3cret-b")
        assert a.get("/processing/workflows").status_code == 200
        assert a.get("/processing/workflows").status_code == 429
        assert b.get("/processing/workflows").status_code == 200


def test_key_cli_lifecycle(tmp_path: Path) -> None:
    data = tmp_path / "d"
    created = folio(data, "keys", "create", "--tenant", "initech")
    assert created.returncode == 0, created.stderr
    secret = secret_from(created.stdout)
    key_id = next(line.split()[-1] for line in created.stdout.splitlines()
                  if line.startswith("key id:"))
    listed = folio(data, "keys", "list")
    assert key_id in listed.stdout and "initech" in listed.stdout
    assert secret not in listed.stdout
    assert secret not in (data / "keys.json").read_text()
    with run_server(data) as srv:
        client = srv.client(secret)
        assert client.get("/processing/workflows").status_code == 200
        revoked = folio(data, "keys", "revoke", key_id)
        assert revoked.returncode == 0
        time.sleep(1.2)  # the key file is re-read at most once a second
        assert client.get("/processing/workflows").status_code == 401
    assert "revoked" in folio(data, "keys", "list").stdout
    assert folio(data, "keys", "revoke", "nope").returncode == 1


def test_expired_key_is_refused(tmp_path: Path) -> None:
    data = tmp_path / "d"
    old = secret_from(folio(data, "keys", "create", "--tenant", "t",
                            "--expires", "2020-01-01").stdout)
    new = secret_from(folio(data, "keys", "create", "--tenant", "t",
                            "--expires", "2999-12-31").stdout)
    with run_server(data) as srv:
        assert srv.client(old).get("/processing/workflows").status_code == 401
        assert srv.client(new).get("/processing/workflows").status_code == 200


def test_bad_expiry_date_is_a_clear_error(tmp_path: Path) -> None:
    result = folio(tmp_path, "keys", "create", "--tenant", "t", "--expires", "tomorrow")
    assert result.returncode == 2
    assert "--expires" in result.stderr
    assert "Traceback" not in result.stderr


def test_serve_creates_a_default_key_when_there_is_none(tmp_path: Path) -> None:
    data = tmp_path / "d"
    port = free_port()
    process = subprocess.Popen([sys.executable, "-m", "service.cli", "serve", "--port",
                                str(port)], cwd=ROOT, stdout=subprocess.PIPE,
                               stderr=subprocess.STDOUT, text=True,
                               env={**os.environ, "FOLIO_DATA_DIR": str(data)})
    try:
        assert process.stdout is not None
        line = ""
        while "Authorization: ApiKey" not in line:
            line = process.stdout.readline()
            assert line, "server exited before printing a key"
        secret = line.split()[-1]
        for _ in range(100):
            try:
                response = httpx.get(f"http://127.0.0.1:{port}/processing/workflows",
                                     headers={"Authorization": f"ApiKey {secret}"})
                break
            except httpx.TransportError:
                time.sleep(0.1)
        assert response.status_code == 200
    finally:
        process.terminate()
        process.wait(10)
        if process.stdout:
            process.stdout.close()
    assert "default" in folio(data, "keys", "list").stdout


def test_bad_settings_are_all_reported_without_traceback(tmp_path: Path) -> None:
    result = folio(tmp_path, "serve", env={"FOLIO_PORT": "eighty", "FOLIO_DPI": "0",
                                           "FOLIO_REDIS_URL": "localhost:6379"})
    assert result.returncode == 2
    for name in ("FOLIO_PORT", "FOLIO_DPI", "FOLIO_REDIS_URL"):
        assert name in result.stderr
    assert "Traceback" not in result.stderr


def test_long_poll_wakes_when_the_record_changes(server: Server) -> None:
    record = make_processing(server.store, "acme", status="running")
    store = FileStore(server.data_dir)

    def finish() -> None:
        time.sleep(0.5)
        done = make_processing(store, "acme")
        # move the finished artifacts under the waiting id, then flip its record
        src, dst = store.directory(done.processing_id), store.directory(record.processing_id)
        for path in src.rglob("*"):
            if path.is_file() and path.name != "record.json":
                target = dst / path.relative_to(src)
                target.parent.mkdir(parents=True, exist_ok=True)
                target.write_bytes(path.read_bytes())
        store.succeed(record.processing_id, pages=done.pages, results=done.results,
                      sub_pdfs=done.sub_pdfs)

    thread = threading.Thread(target=finish)
    thread.start()
    response = server.client("secret-acme-0123456789").get(
        f"/processing/results/{record.processing_id}?wait_for=30")
    thread.join()
    assert response.status_code == 200


def test_long_poll_times_out_with_202(server: Server) -> None:
    record = make_processing(server.store, "acme", status="running")
    response = server.client("secret-acme-0123456789").get(
        f"/processing/results/{record.processing_id}?wait_for=1")
    assert response.status_code == 202


def test_healthz_and_readyz(server: Server) -> None:
    client = server.client()
    assert client.get("/healthz").json() == {"status": "ok"}
    ready = client.get("/readyz")
    assert ready.status_code == 200
    assert ready.json()["checks"]["store"] == "ok"


def test_readyz_reports_redis_down(tmp_path: Path) -> None:
    env = {"FOLIO_REDIS_URL": f"redis://127.0.0.1:{free_port()}/0"}
    with run_server(tmp_path / "d", env) as srv:
        ready = srv.client().get("/readyz")
    assert ready.status_code == 503
    assert ready.json()["checks"]["redis"].startswith("unreachable")


def test_metrics_count_requests_by_route_template(server: Server) -> None:
    client = server.client("secret-acme-0123456789")
    client.get(f"/processing/results/{uuid.uuid4()}/ocr")
    text = server.client().get("/metrics").text
    assert ('folio_requests_total{method="GET",route="/processing/results/{processing_id}/ocr",'
            'status="404"}') in text
    assert "folio_request_seconds_bucket" in text


@pytest.mark.parametrize("bad", ["../../etc/passwd", "..%2F..%2Fkeys.json", "%00"])
def test_path_tricks_never_reach_the_filesystem(server: Server, bad: str) -> None:
    response = server.client("secret-acme-0123456789").get(f"/processing/results/{bad}/ocr")
    assert response.status_code in (404, 422)
    assert "root:" not in response.text


def test_batched_tokens_never_exceed_the_shared_limit(tmp_path: Path) -> None:
    import asyncio

    tenant = "rl-" + uuid.uuid4().hex[:8]
    env = {"FOLIO_REDIS_URL": REDIS_URL, "FOLIO_API_KEYS": f"{tenant}:s3cret-{tenant}",
           "FOLIO_RATE_LIMIT_RPS": "0.01", "FOLIO_RATE_LIMIT_BURST": "100"}
    with run_server(tmp_path / "d", env) as one, run_server(tmp_path / "d", env) as two:

        async def burst() -> list[int]:
            headers = {"Authorization": f"ApiKey s3cret-{tenant}"}
            async with httpx.AsyncClient(base_url=one.url, headers=headers) as a, \
                    httpx.AsyncClient(base_url=two.url, headers=headers) as b:
                responses = await asyncio.gather(*(
                    (a if i % 2 else b).get("/processing/workflows") for i in range(160)))
            return [r.status_code for r in responses]

        codes = asyncio.run(burst())
    # each process takes 5 tokens at a time: at most 4 can be left unused in each
    assert 92 <= codes.count(200) <= 100
    assert codes.count(429) == 160 - codes.count(200)


def test_damaged_key_file_is_a_clear_error(tmp_path: Path) -> None:
    (tmp_path / "keys.json").write_text("{not json")
    for args in (("keys", "list"), ("serve",)):
        result = folio(tmp_path, *args)
        assert result.returncode == 2
        assert "key file" in result.stderr and "damaged" in result.stderr
        assert "Traceback" not in result.stderr
