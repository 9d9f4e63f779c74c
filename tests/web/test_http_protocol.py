"""folio's HTTP protocol over raw sockets against a real `folio serve`.

Hot fast-path answers (memory-tier hits, 304s, refusals) are written straight
from the parser (`service.web.http_protocol`); a GET that carries a body header
(here `Content-Length: 0`) always goes through the ASGI app, so the two ways of
answering the same request can be compared byte for byte on one connection.
"""

from __future__ import annotations

import datetime as dt
import socket
from collections.abc import Iterator
from pathlib import Path
from typing import BinaryIO
from urllib.parse import urlsplit

import orjson
import pytest

from tests.helpers import REDIS_URL, Server, make_processing, metric, run_server

TENANT, SECRET = "acme", "secret-acme-0123456789"
PAGE_ROUTE = "/processing/results/{processing_id}/page-images/{page_num}"
ENV = {"FOLIO_API_KEYS": f"{TENANT}:{SECRET}", "FOLIO_JOB_WORKERS": "1",
       "FOLIO_PAGE_WORKERS": "1"}
TOMORROW = (dt.datetime.now(dt.UTC).date() + dt.timedelta(days=1)).isoformat()


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    with run_server(tmp_path_factory.mktemp("protocol"), ENV) as srv:
        yield srv


def hot_page(server: Server) -> str:
    """A page image URL whose answer is in the memory tier."""
    doc = make_processing(server.store, TENANT, sizes=[(300, 400)])
    url = f"/processing/results/{doc.processing_id}/page-images/1?width=120"
    assert server.client(SECRET).get(url).headers["x-cache"] == "miss"
    return url


@pytest.fixture(scope="module")
def page(served: Server) -> str:
    return hot_page(served)


def connect(server: Server) -> socket.socket:
    url = urlsplit(server.url)
    return socket.create_connection((url.hostname, url.port), timeout=30)


def request(target: str, *lines: str, method: str = "GET", version: str = "1.1",
            key: bool = True) -> bytes:
    head = [f"{method} {target} HTTP/{version}", "Host: folio.test"]
    if key:
        head.append(f"Authorization: ApiKey {SECRET}")
    return ("\r\n".join([*head, *lines]) + "\r\n\r\n").encode()


def read_answer(stream: BinaryIO, head_only: bool = False
                ) -> tuple[bytes, list[tuple[bytes, bytes]], bytes]:
    """One answer: status line, headers in order, body (by Content-Length)."""
    status = stream.readline().rstrip(b"\r\n")
    headers = []
    while line := stream.readline().rstrip(b"\r\n"):
        name, _, value = line.partition(b": ")
        headers.append((name, value))
    length = int(dict(headers).get(b"content-length", b"0"))
    body = b"" if head_only else stream.read(length)
    return status, headers, body


def without_date(headers: list[tuple[bytes, bytes]]) -> list[tuple[bytes, bytes]]:
    return [(name, value) for name, value in headers if name != b"date"]


def test_an_answer_from_the_parser_is_the_apps_byte_for_byte(served: Server, page: str) -> None:
    with connect(served) as sock, sock.makefile("rb") as stream:
        sock.sendall(request(page))
        fast = read_answer(stream)
        sock.sendall(request(page, "Content-Length: 0"))  # through the ASGI app
        app = read_answer(stream)
    assert fast[0] == app[0] == b"HTTP/1.1 200 OK"
    assert (b"x-cache", b"hit-memory") in fast[1]
    assert without_date(fast[1]) == without_date(app[1])
    assert fast[2] == app[2] and fast[2][:2] == b"\xff\xd8"


def test_a_refusal_from_the_parser_is_the_apps(served: Server, page: str) -> None:
    with connect(served) as sock, sock.makefile("rb") as stream:
        sock.sendall(request(page, key=False))
        fast = read_answer(stream)
        sock.sendall(request(page, "Content-Length: 0", key=False))
        app = read_answer(stream)
    assert fast[0] == app[0] == b"HTTP/1.1 401 Unauthorized"
    assert without_date(fast[1]) == without_date(app[1])
    assert orjson.loads(fast[2]) == orjson.loads(app[2]) == {
        "detail": "Credentials could not be validated."}


def test_a_304_from_the_parser(served: Server, page: str) -> None:
    with connect(served) as sock, sock.makefile("rb") as stream:
        sock.sendall(request(page))
        etag = dict(read_answer(stream)[1])[b"etag"].decode()
        sock.sendall(request(page, f"If-None-Match: {etag}"))
        status, headers, body = read_answer(stream)
        # the connection goes on: the 304 had no body to skip
        sock.sendall(request("/healthz", key=False))
        after = read_answer(stream)
    assert status == b"HTTP/1.1 304 Not Modified"
    assert dict(headers)[b"etag"].decode() == etag and body == b""
    assert b"content-length" not in dict(headers)
    assert after[0] == b"HTTP/1.1 200 OK"


def test_pipelined_requests_are_answered_in_order(served: Server, page: str) -> None:
    with connect(served) as sock, sock.makefile("rb") as stream:
        sock.sendall(request(page) + request("/healthz", key=False) + request(page)
                     + request(page, method="HEAD") + request(page))
        first = read_answer(stream)
        health = read_answer(stream)
        third = read_answer(stream)
        head = read_answer(stream, head_only=True)
        last = read_answer(stream)
    assert [a[0] for a in (first, health, third, head, last)] == [b"HTTP/1.1 200 OK"] * 5
    assert orjson.loads(health[2])["status"] == "ok"
    assert first[2] == third[2] == last[2] and len(first[2]) > 1000
    assert dict(head[1])[b"content-length"] == b"%d" % len(first[2]) and head[2] == b""


@pytest.mark.parametrize("version, extra", [("1.0", ()), ("1.1", ("Connection: close",))])
def test_an_answer_that_ends_the_connection(served: Server, page: str, version: str,
                                            extra: tuple[str, ...]) -> None:
    with connect(served) as sock, sock.makefile("rb") as stream:
        sock.sendall(request(page, *extra, version=version))
        status, headers, body = read_answer(stream)
        rest = stream.read()  # until the server closes
    assert status == b"HTTP/1.1 200 OK"
    assert (b"connection", b"close") in headers
    assert len(body) == int(dict(headers)[b"content-length"]) and rest == b""


def _requests(metrics: str, status: int) -> float:
    wanted = f'folio_requests_total{{method="GET",route="{PAGE_ROUTE}",status="{status}"}}'
    for line in metrics.splitlines():
        if line.startswith(wanted + " "):
            return float(line.split()[1])
    return 0.0


def test_answers_from_the_parser_are_counted(served: Server, page: str) -> None:
    before = served.client(SECRET).get("/metrics").text
    with connect(served) as sock, sock.makefile("rb") as stream:
        for _ in range(3):
            sock.sendall(request(page))
            assert read_answer(stream)[0] == b"HTTP/1.1 200 OK"
        sock.sendall(request(page, key=False))
        assert read_answer(stream)[0] == b"HTTP/1.1 401 Unauthorized"
    after = served.client(SECRET).get("/metrics").text
    assert _requests(after, 200) == _requests(before, 200) + 3
    assert _requests(after, 401) == _requests(before, 401) + 1


def test_answers_from_the_parser_are_in_the_access_log(tmp_path: Path) -> None:
    env = {**ENV, "FOLIO_ACCESS_LOG": "true", "FOLIO_LOG_LEVEL": "info"}
    with run_server(tmp_path, env) as srv:
        url = hot_page(srv)
        with connect(srv) as sock, sock.makefile("rb") as stream:
            sock.sendall(request(url))
            assert read_answer(stream)[0] == b"HTTP/1.1 200 OK"
        srv.process.terminate()
        srv.process.wait(10)
        assert srv.process.stdout is not None
        out = srv.process.stdout.read().decode()
    lines = [orjson.loads(line) for line in out.splitlines() if line.startswith("{")]
    pages = [(line["route"], line["status"], line["access"], line["query"]) for line in lines
             if line.get("route") == PAGE_ROUTE]
    assert pages == [(PAGE_ROUTE, 200, "key", "width=120")] * 2  # the miss, then the hit


@pytest.fixture(scope="module")
def redis_only(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    """Images only in the Redis tier, the rate limit in Redis: the parser must hand over."""
    env = {**ENV, "FOLIO_REDIS_URL": REDIS_URL, "FOLIO_MEMORY_CACHE_BYTES": "1"}
    with run_server(tmp_path_factory.mktemp("protocol-redis"), env) as srv:
        yield srv


def test_a_redis_tier_hit_handed_to_the_app_is_its_answer(redis_only: Server) -> None:
    url = hot_page(redis_only)  # rendered once, kept in Redis only
    with connect(redis_only) as sock, sock.makefile("rb") as stream:
        sock.sendall(request(url))  # the parser looks, the app awaits Redis
        handed = read_answer(stream)
        sock.sendall(request(url, "Content-Length: 0"))  # the app all the way
        app = read_answer(stream)
    assert (b"x-cache", b"hit-redis") in handed[1]
    assert without_date(handed[1]) == without_date(app[1])
    assert handed[2] == app[2] and handed[2][:2] == b"\xff\xd8"


def test_requests_handed_to_the_app_are_admitted_once(redis_only: Server) -> None:
    doc = make_processing(redis_only.store, TENANT, sizes=[(300, 400)])
    shared = redis_only.client(SECRET).post(
        "/share-tokens/documents", json={"document_id": doc.processing_id,
                                         "expires_at": TOMORROW})
    assert shared.status_code == 201
    page = f"/processing/results/{doc.processing_id}/page-images/1?width=100"
    token_url = f"{page}&token={shared.json()['token']}"
    before = redis_only.client(SECRET).get("/metrics").text
    with connect(redis_only) as sock, sock.makefile("rb") as stream:
        for _ in range(3):
            sock.sendall(request(token_url, key=False) + request(page))
            assert read_answer(stream)[0] == b"HTTP/1.1 200 OK"
            assert read_answer(stream)[0] == b"HTTP/1.1 200 OK"
    after = redis_only.client(SECRET).get("/metrics").text
    for kind in ("token", "key"):
        name = f'folio_access_total{{kind="{kind}"}}'
        assert metric(after, name) == metric(before, name) + 3, kind
