"""`FOLIO_METRICS_TOKEN`: /metrics answers only with the bearer token when one is set."""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest

from service.config import ConfigError, Settings
from tests.helpers import run_server

TOKEN = "metrics-token-0123456789"


def test_metrics_need_the_token_when_one_is_set(tmp_path: Path) -> None:
    with run_server(tmp_path / "d", {"FOLIO_METRICS_TOKEN": TOKEN}) as srv:
        assert httpx.get(srv.url + "/metrics").status_code == 401
        for wrong in (f"Bearer {TOKEN}x", f"Basic {TOKEN}", TOKEN, "Bearer"):
            response = httpx.get(srv.url + "/metrics", headers={"Authorization": wrong})
            assert response.status_code == 401
            assert "FOLIO_METRICS_TOKEN" in response.json()["detail"]
        response = httpx.get(srv.url + "/metrics", headers={"Authorization": f"Bearer {TOKEN}"})
        assert response.status_code == 200
        assert "folio_requests" in response.text
        assert httpx.get(srv.url + "/healthz").status_code == 200


def test_a_short_metrics_token_is_a_config_error() -> None:
    with pytest.raises(ConfigError, match="FOLIO_METRICS_TOKEN"):
        Settings.from_env({"FOLIO_METRICS_TOKEN": "short"})
