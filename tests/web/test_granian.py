"""`folio serve --server granian`: the same answers as under uvicorn, over real TCP.

A uvicorn and a granian folio share one data directory; every request goes to both
and status, raw bytes and headers (but the date and the server's name) must match:
a page image's hot hit, a 304, HEAD, a Range, and a multi-MB PDF larger than the
memory tier, which granian sends from its path (`http.response.pathsend`). A
stalled body is 408 under both; granian's own header limits are checked alone."""

from __future__ import annotations

import os
import socket
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit

import httpx
import orjson
import pytest
from starlette.types import Message

from service.artifacts.catalogue import file_of
from service.artifacts.record import Record
from service.web.file_answer import FileAnswer
from service.web.planner.exchange import EXCHANGE, Exchange
from service.web.planner.facts import read_facts
from service.web.planner.representation import file_headers
from tests.helpers import Server, make_processing, run_server

pytest.importorskip("granian")

A = ("acme", "secret-acme-granian-0123")
BIG = 3 * 1024 * 1024 + 17  # above the memory tier's largest file below
SKIP = {"date", "server"}
PATIENCE = 30.0  # how long a raw-socket test waits for the server before it fails


def _env() -> dict[str, str]:
    return {"FOLIO_API_KEYS": f"{A[0]}:{A[1]}", "FOLIO_JOB_WORKERS": "0",
            "FOLIO_ACCESS_LOG": "true", "FOLIO_LOG_LEVEL": "info",
            "FOLIO_MEMORY_ARTIFACT_MAX_BYTES": str(1024 * 1024),
            "FOLIO_HEADER_TIMEOUT": "1", "FOLIO_BODY_TIMEOUT": "1"}


@pytest.fixture(scope="module")
def servers(tmp_path_factory: pytest.TempPathFactory
            ) -> Iterator[tuple[Server, Server, Record, bytes]]:
    data = tmp_path_factory.mktemp("granian")
    with run_server(data, _env()) as uvicorn:
        record = make_processing(uvicorn.store, A[0], "ocr", pages=1, sizes=[(900, 700)])
        big = b"%PDF-1.4\n" + os.urandom(BIG - 9)
        uvicorn.store.write_artifact(record.processing_id, file_of("pdf"), big)
        with run_server(data, _env(), ("--server", "granian")) as granian:
            yield uvicorn, granian, record, big


def _both(servers: tuple[Server, Server, Record, bytes], method: str, path: str,
          headers: dict[str, str] | None = None) -> tuple[httpx.Response, httpx.Response]:
    uvicorn, granian, _, _ = servers
    answers = []
    for server in (uvicorn, granian):
        client = server.client(A[1], {"Accept-Encoding": "identity", **(headers or {})})
        answers.append(client.request(method, path))
    a, b = answers
    assert b.headers.get("server") == "granian"
    assert (a.status_code, a.content) == (b.status_code, b.content), path
    assert ({k: v for k, v in a.headers.items() if k not in SKIP}
            == {k: v for k, v in b.headers.items() if k not in SKIP}), path
    return a, b


def test_page_image_hot_hit_304_and_head(servers: tuple[Server, Server, Record, bytes]) -> None:
    path = f"/processing/results/{servers[2].processing_id}/page-images/1?width=300"
    _, first = _both(servers, "GET", path)
    assert first.headers["x-cache"] == "miss"
    _, hot = _both(servers, "GET", path)
    assert hot.headers["x-cache"] == "hit-memory"
    assert hot.content[:2] == b"\xff\xd8" and int(hot.headers["content-length"]) == len(
        hot.content)
    _, head = _both(servers, "HEAD", path)
    assert head.content == b"" and head.headers["content-length"] == str(len(hot.content))
    _, revalidated = _both(servers, "GET", path, {"If-None-Match": hot.headers["etag"]})
    assert revalidated.status_code == 304 and revalidated.content == b""


def test_large_pdf_whole_range_head_304(servers: tuple[Server, Server, Record, bytes]) -> None:
    big = servers[3]
    path = f"/processing/results/{servers[2].processing_id}/pdf"
    _, whole = _both(servers, "GET", path)
    assert whole.status_code == 200 and whole.content == big
    assert whole.headers["content-length"] == str(len(big))
    assert whole.headers["content-type"] == "application/pdf"
    _, part = _both(servers, "GET", path, {"Range": "bytes=1000-1999"})
    assert part.status_code == 206 and part.content == big[1000:2000]
    assert part.headers["content-range"] == f"bytes 1000-1999/{len(big)}"
    _, head = _both(servers, "HEAD", path)
    assert head.content == b"" and head.headers["content-length"] == str(len(big))
    _, revalidated = _both(servers, "GET", path, {"If-None-Match": whole.headers["etag"]})
    assert revalidated.status_code == 304


def _exchange(server: Server, data: bytes) -> bytes:
    """Send `data`, then read everything until the server closes the connection."""
    url = urlsplit(server.url)
    with socket.create_connection((url.hostname, url.port), timeout=PATIENCE) as sock:
        sock.sendall(data)
        chunks = []
        while chunk := sock.recv(65536):
            chunks.append(chunk)
    return b"".join(chunks)


def test_a_stalled_body_is_408_and_closed(servers: tuple[Server, Server, Record, bytes]
                                          ) -> None:
    boundary = "b0undary"
    part = (f"--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; "
            f"filename=\"a.pdf\"\r\nContent-Type: application/pdf\r\n\r\n%PDF-1.4\n").encode()
    head = (f"POST /processing/ocr HTTP/1.1\r\nHost: x\r\nAuthorization: ApiKey {A[1]}\r\n"
            f"Content-Type: multipart/form-data; boundary={boundary}\r\n"
            f"Content-Length: {len(part) + 10_000}\r\n\r\n").encode()
    for server in servers[:2]:
        response = _exchange(server, head + part)
        assert response.startswith(b"HTTP/1.1 408 "), response[:100]
        assert b"connection: close" in response.lower()
        assert response.endswith(b'{"detail":"The request body stopped arriving."}')


def test_granian_header_limits(servers: tuple[Server, Server, Record, bytes]) -> None:
    granian = servers[1]
    # far over FOLIO_HEADER_MAX_BYTES (32 KiB): hyper's read buffer is full
    response = _exchange(granian, b"GET /healthz HTTP/1.1\r\nHost: x\r\nX-Pad: "
                         + b"a" * 200_000 + b"\r\n\r\n")
    assert response.startswith(b"HTTP/1.1 431 ")
    # headers that never end, and a connection that sends nothing, are closed
    # after FOLIO_HEADER_TIMEOUT, without an answer (uvicorn: 408)
    assert _exchange(granian, b"GET /healthz HTTP/1.1\r\nHost: x\r\n") == b""
    assert _exchange(granian, b"") == b""


def test_access_line_counts_the_bytes_granian_sent(
        servers: tuple[Server, Server, Record, bytes]) -> None:
    _, granian, record, big = servers
    client = granian.client(A[1], {"Accept-Encoding": "identity"})
    assert client.get(f"/processing/results/{record.processing_id}/pdf?n=1").status_code == 200
    granian.process.terminate()
    out, _ = granian.process.communicate(timeout=30)
    lines = [orjson.loads(line) for line in out.decode().splitlines()
             if line.startswith('{"method"')]
    # the query sends it past the memory tier's fast path to the file answer
    assert any(line["path"].endswith("/pdf") and line["bytes"] == len(big) for line in lines)


@pytest.mark.anyio
async def test_whole_file_is_sent_by_path_when_the_server_offers_it(tmp_path: Path) -> None:
    path = tmp_path / "a.pdf"
    path.write_bytes(b"%PDF-" + b"x" * 5000)
    sent: list[Message] = []

    async def send(message: Message) -> None:
        sent.append(message)

    async def receive() -> Message:
        return {"type": "http.disconnect"}

    offer: dict[str, dict[str, str]] = {"http.response.pathsend": {}}
    cases: list[tuple[dict[str, dict[str, str]], list[tuple[bytes, bytes]]]] = [
        (offer, []), ({}, []), (offer, [(b"range", b"bytes=0-9")])]
    for extensions, headers in cases:
        sent.clear()
        stat = path.stat()
        response = FileAnswer(path, stat.st_size, file_headers(
            stat.st_size, stat.st_mtime, media_type="application/pdf", etag='"e"',
            compressed=False, use_gzip=False))
        facts = read_facts("GET", "/x", b"", "1.1", [(b"host", b"x"), *headers])
        scope = {"type": "http", "method": "GET", "headers": headers, "path": "/x",
                 "extensions": extensions, "asgi": {"spec_version": "2.4"},
                 EXCHANGE: Exchange(facts, 0.0)}
        await response(scope, receive, send)
        kinds = [m["type"] for m in sent]
        if extensions and not headers:
            assert kinds == ["http.response.start", "http.response.pathsend"]
            assert sent[1]["path"] == str(path)
        else:  # streamed: no offer, or a range
            assert "http.response.pathsend" not in kinds
            body = b"".join(m.get("body", b"") for m in sent)
            assert body == (path.read_bytes()[:10] if headers else path.read_bytes())
