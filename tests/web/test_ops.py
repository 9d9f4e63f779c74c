"""Operations: health, readiness, metrics, and paths that must never reach the disk."""

from __future__ import annotations

import uuid
from pathlib import Path

import pytest

from tests.helpers import (
    Server,
    free_port,
    run_server,
)


def test_healthz_and_readyz(server: Server) -> None:
    client = server.client()
    assert client.get("/healthz").json() == {"status": "ok"}
    ready = client.get("/readyz")
    assert ready.status_code == 200
    assert ready.json()["checks"]["store"] == "ok"


def test_readyz_reports_redis_down(tmp_path: Path) -> None:
    env = {"FOLIO_REDIS_URL": f"redis://127.0.0.1:{free_port()}/0", "FOLIO_JOB_WORKERS": "0"}
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


@pytest.mark.parametrize(("bad", "status"), [
    ("../../etc/passwd", 404),  # slashes: no route matches
    ("..%2F..%2Fkeys.json", 404),  # decoded slashes: still no route
    ("%00", 404),  # a control character in the path: no route matches
])
def test_path_tricks_never_reach_the_filesystem(server: Server, bad: str, status: int) -> None:
    response = server.client("secret-acme-0123456789").get(f"/processing/results/{bad}/ocr")
    assert response.status_code == status
    assert "root:" not in response.text
