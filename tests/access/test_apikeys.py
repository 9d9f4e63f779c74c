"""API keys: the key CLI lifecycle, expiry, the default key, a damaged key file."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import httpx

from tests.helpers import (
    ROOT,
    folio,
    free_port,
    run_server,
    secret_from,
)


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


def test_damaged_key_file_is_a_clear_error(tmp_path: Path) -> None:
    (tmp_path / "keys.json").write_text("{not json")
    for args in (("keys", "list"), ("serve",)):
        result = folio(tmp_path, *args)
        assert result.returncode == 2
        assert "key file" in result.stderr and "damaged" in result.stderr
        assert "Traceback" not in result.stderr
