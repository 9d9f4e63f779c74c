"""folio installed the way a user installs it: `pip install .` into a fresh virtualenv,
no extras, then `folio serve` answers /healthz.

The test environment has every extra installed, so a runtime import of a
test-only package (httpx once was one) passes every other test and still
breaks every `folio` command for a user. Only a real install shows it. pip's
cache makes this take seconds to a minute rather than a download.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

from tests.helpers import ROOT, free_port


def copy_source(target: Path) -> Path:
    # a copy: building in the worktree would leave build/ and *.egg-info behind
    target.mkdir()
    for name in ("pyproject.toml", "README.md"):
        shutil.copy(ROOT / name, target / name)
    for package in ("service", "cache"):
        shutil.copytree(ROOT / package, target / package,
                        ignore=shutil.ignore_patterns("__pycache__"))
    return target


def test_pip_install_without_extras_gives_a_working_folio_serve(tmp_path: Path) -> None:
    source = copy_source(tmp_path / "src")
    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True, timeout=120)
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "VIRTUAL_ENV")}
    install = subprocess.run([str(venv / "bin" / "python"), "-m", "pip", "install", "-q",
                              str(source)], env=env, cwd=tmp_path, capture_output=True,
                             text=True, timeout=900)
    assert install.returncode == 0, install.stderr[-3000:]

    port = free_port()
    log_path = tmp_path / "serve.log"
    with open(log_path, "wb") as log:
        # cwd outside the source tree: the installed package is what runs
        process = subprocess.Popen(
            [str(venv / "bin" / "folio"), "serve", "--port", str(port)], cwd=tmp_path,
            env={**env, "FOLIO_DATA_DIR": str(tmp_path / "data"), "FOLIO_JOB_WORKERS": "1",
                 "FOLIO_PAGE_WORKERS": "1"},
            stdout=log, stderr=subprocess.STDOUT)
    try:
        deadline = time.monotonic() + 90
        while True:
            assert process.poll() is None, log_path.read_text()[-3000:]
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz",
                                            timeout=2) as response:
                    assert response.status == 200
                    assert response.read() == b'{"status":"ok"}'
                    break
            except (urllib.error.URLError, ConnectionError):
                assert time.monotonic() < deadline, log_path.read_text()[-3000:]
                time.sleep(0.2)
    finally:
        process.terminate()
        process.wait(30)
