"""The contrib/ recipes with the real Debian Varnish and nginx in front of a real folio.

`scripts/run test` installs both packages when they are missing; these tests
skip only where that was impossible (no varnishd / nginx binary).
"""

from __future__ import annotations

import shutil
import subprocess
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx
import pytest

from service.access.signing import Signer
from service.artifacts.record import Record
from tests.helpers import ROOT, Server, free_port, make_processing, metric, run_server

A = ("acme", "secret-acme-cdn-0123456789")
B = ("globex", "secret-globex-cdn-0123456789")
KEY = ("cdn", "c" * 32)
CONTRIB = ROOT / "contrib"


def _wait_for(url: str, process: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if process.poll() is not None:
            out = process.stdout.read().decode() if process.stdout else ""
            raise RuntimeError(f"proxy exited: {out}")
        try:
            httpx.get(url, timeout=1)
            return
        except httpx.TransportError:
            time.sleep(0.1)
    raise RuntimeError(f"proxy did not start at {url}")


@contextmanager
def _running(args: list[str], url: str) -> Iterator[str]:
    process = subprocess.Popen(args, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    try:
        _wait_for(url + "/healthz", process)
        yield url
    finally:
        process.terminate()
        try:
            process.wait(10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        if process.stdout:
            process.stdout.close()


@contextmanager
def varnish(origin_port: int, work: Path) -> Iterator[str]:
    if shutil.which("varnishd") is None:
        pytest.skip("varnishd is not installed and could not be (scripts/run test installs it)")
    vcl = work / "folio.vcl"
    vcl.write_text((CONTRIB / "varnish.vcl").read_text()
                   .replace('.port = "8000"', f'.port = "{origin_port}"'))
    port = free_port()
    with _running(["varnishd", "-F", "-a", f"127.0.0.1:{port}", "-f", str(vcl),
                   "-n", str(work / "varnish"), "-s", "malloc,32m"],
                  f"http://127.0.0.1:{port}") as url:
        yield url


@contextmanager
def nginx(origin_port: int, work: Path) -> Iterator[str]:
    binary = shutil.which("nginx") or ("/usr/sbin/nginx" if Path("/usr/sbin/nginx").exists()
                                       else None)
    if binary is None:
        pytest.skip("nginx is not installed and could not be (scripts/run test installs it)")
    port = free_port()
    recipe = ((CONTRIB / "nginx-cache.conf").read_text()
              .replace("/var/cache/nginx/folio", str(work / "cache"))
              .replace("server 127.0.0.1:8000;", f"server 127.0.0.1:{origin_port};")
              .replace("listen 8080;", f"listen 127.0.0.1:{port};"))
    (work / "folio.conf").write_text(recipe)
    temp = " ".join(f"{name}_temp_path {work / name};"
                    for name in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi"))
    (work / "nginx.conf").write_text(
        f"daemon off; pid {work / 'nginx.pid'}; error_log {work / 'error.log'};\n"
        f"events {{}}\nhttp {{ access_log off; {temp} include {work / 'folio.conf'}; }}\n")
    with _running([binary, "-c", str(work / "nginx.conf"), "-e", str(work / "error.log")],
                  f"http://127.0.0.1:{port}") as url:
        yield url


PROXIES = {"varnish": varnish, "nginx": nginx}


@pytest.fixture(scope="module")
def origin(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    data = tmp_path_factory.mktemp("cdn-origin")
    env = {"FOLIO_API_KEYS": f"{A[0]}:{A[1]},{B[0]}:{B[1]}",
           "FOLIO_SIGNING_KEYS": f"{KEY[0]}:{KEY[1]}"}
    with run_server(data, env) as srv:
        yield srv


@pytest.fixture(scope="module", params=list(PROXIES))
def proxy(request: pytest.FixtureRequest, origin: Server) -> Iterator[str]:
    # not under pytest's temporary directory: that is private to root, and the
    # proxies' workers run as unprivileged users that must read their files
    work = Path(tempfile.mkdtemp(prefix=f"folio-{request.param}-"))
    work.chmod(0o755)
    port = int(origin.url.rsplit(":", 1)[1])
    try:
        with PROXIES[request.param](port, work) as url:
            yield url
    finally:
        shutil.rmtree(work, ignore_errors=True)


@pytest.fixture(scope="module")
def doc(origin: Server) -> Record:
    return make_processing(origin.store, A[0], sizes=[(400, 600)])


def _count(origin: Server, name: str) -> float:
    return metric(httpx.get(origin.url + "/metrics").text, name)


SIGNED = 'folio_access_total{kind="signed"}'
KEYED = 'folio_access_total{kind="key"}'
EXPIRED = 'folio_access_refused_total{reason="expired"}'


def test_hundred_signed_requests_reach_folio_once(origin: Server, proxy: str,
                                                  doc: Record) -> None:
    url = Signer([KEY]).sign(
        f"/processing/results/{doc.processing_id}/page-images/1?width=88", ttl=300)
    before = _count(origin, SIGNED)
    bodies = set()
    with httpx.Client(base_url=proxy) as client:
        for _ in range(100):
            response = client.get(url)
            assert response.status_code == 200
            bodies.add(response.content)
    assert len(bodies) == 1
    assert _count(origin, SIGNED) - before == 1


def test_keyed_answers_are_never_served_to_another_key_or_none(origin: Server, proxy: str,
                                                               doc: Record) -> None:
    url = f"/processing/results/{doc.processing_id}/page-images/1?width=77"
    before = _count(origin, KEYED)
    with httpx.Client(base_url=proxy) as client:
        for _ in range(3):
            mine = client.get(url, headers={"Authorization": f"ApiKey {A[1]}"})
            assert mine.status_code == 200
        other = client.get(url, headers={"Authorization": f"ApiKey {B[1]}"})
        assert other.status_code == 403
        assert client.get(url).status_code == 401
    # every keyed request was answered by folio itself, none from the cache
    assert _count(origin, KEYED) - before == 4


def test_expired_signature_is_refused_when_the_cdn_revalidates(origin: Server, proxy: str,
                                                              doc: Record) -> None:
    url = Signer([KEY]).sign(f"/processing/results/{doc.processing_id}/page-images/1"
                             "?width=33", ttl=2)
    with httpx.Client(base_url=proxy) as client:
        assert client.get(url).status_code == 200
        assert client.get(url).status_code == 200
        time.sleep(3)  # past the signature's end, and so past the cached copy's max-age
        before = _count(origin, EXPIRED)
        response = client.get(url)
    assert response.status_code == 403
    assert _count(origin, EXPIRED) - before == 1
