"""Files above the memory tier go out with os.sendfile under `folio serve` (uvicorn):
whole, one range and HEAD, byte for byte, pipelined, and counted in the metrics."""

from __future__ import annotations

import os
import socket
from collections.abc import Iterator
from pathlib import Path

import pytest

from service.artifacts.catalogue import file_of
from service.artifacts.record import Record
from tests.helpers import Server, make_processing, metric, run_server

KEY = ("acme", "secret-acme-zerocopy-0123")
SIZE = 3 * 1024 * 1024 + 123  # above ZERO_COPY_ABOVE; the memory tier is off below


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Server, Record, bytes]]:
    data = tmp_path_factory.mktemp("zero-copy")
    env = {"FOLIO_API_KEYS": f"{KEY[0]}:{KEY[1]}", "FOLIO_JOB_WORKERS": "0",
           "FOLIO_MEMORY_ARTIFACT_MAX_BYTES": "0"}
    with run_server(data, env) as server:
        record = make_processing(server.store, KEY[0], "ocr")
        body = b"%PDF-1.7\n" + os.urandom(SIZE)
        path = server.store.artifact(record.processing_id, file_of("pdf"))
        path.write_bytes(body)  # a bigger searchable PDF in place of the tiny one
        yield server, record, body


def _sent(server: Server) -> float:
    return metric(server.client().get("/metrics").text, "folio_sendfile_bytes_total")


def test_a_whole_file_goes_zero_copy(served: tuple[Server, Record, bytes]) -> None:
    server, record, body = served
    before = _sent(server)
    response = server.client(KEY[1]).get(f"/processing/results/{record.processing_id}/pdf")
    assert response.status_code == 200
    assert response.content == body
    assert response.headers["content-length"] == str(len(body))
    assert _sent(server) - before == len(body)


def test_a_range_goes_zero_copy(served: tuple[Server, Record, bytes]) -> None:
    server, record, body = served
    before = _sent(server)
    start, end = 1000, 1000 + 600_000
    response = server.client(KEY[1]).get(
        f"/processing/results/{record.processing_id}/pdf",
        headers={"Range": f"bytes={start}-{end - 1}"})
    assert response.status_code == 206
    assert response.content == body[start:end]
    assert response.headers["content-range"] == f"bytes {start}-{end - 1}/{len(body)}"
    assert _sent(server) - before == end - start


def test_head_and_pipelined_answers_stay_in_order(served: tuple[Server, Record, bytes]) -> None:
    server, record, body = served
    port = int(server.url.rsplit(":", 1)[1])
    target = f"/processing/results/{record.processing_id}/pdf"
    request = (f"GET {target} HTTP/1.1\r\nHost: t\r\nAuthorization: ApiKey {KEY[1]}\r\n\r\n"
               f"HEAD {target} HTTP/1.1\r\nHost: t\r\nAuthorization: ApiKey {KEY[1]}\r\n\r\n"
               f"GET {target} HTTP/1.1\r\nHost: t\r\nAuthorization: ApiKey {KEY[1]}\r\n"
               "Range: bytes=-10\r\nConnection: close\r\n\r\n").encode()
    with socket.create_connection(("127.0.0.1", port), timeout=30) as sock:
        sock.sendall(request)
        received = b""
        while chunk := sock.recv(1 << 20):
            received += chunk
    first, rest = received.split(b"\r\n\r\n", 1)
    assert first.startswith(b"HTTP/1.1 200")
    assert rest[:len(body)] == body
    rest = rest[len(body):]
    head, rest = rest.split(b"\r\n\r\n", 1)
    assert head.startswith(b"HTTP/1.1 200") and f"content-length: {len(body)}".encode() in head
    last, tail = rest.split(b"\r\n\r\n", 1)
    assert last.startswith(b"HTTP/1.1 206")
    assert tail == body[-10:]


def test_a_client_that_leaves_mid_file_does_not_hurt_the_next(
        served: tuple[Server, Record, bytes], tmp_path: Path) -> None:
    server, record, body = served
    port = int(server.url.rsplit(":", 1)[1])
    target = f"/processing/results/{record.processing_id}/pdf"
    sock = socket.create_connection(("127.0.0.1", port), timeout=30)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
    sock.sendall(f"GET {target} HTTP/1.1\r\nHost: t\r\nAuthorization: ApiKey {KEY[1]}"
                 "\r\n\r\n".encode())
    assert sock.recv(100).startswith(b"HTTP/1.1 200")
    sock.close()  # mid-body
    response = server.client(KEY[1]).get(target)
    assert response.status_code == 200 and response.content == body
