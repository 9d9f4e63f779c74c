"""Limits on incoming connections, over raw sockets against a real `folio serve`.

Header size (431), headers that never end (slowloris, or nothing sent: 408) and
a body shorter than its Content-Length (408): none may hold a connection or
memory forever. Timeouts are set to 1 s here; each test gives the server 30 s
to act, as a bound on the test rather than a timing assertion.
"""

from __future__ import annotations

import contextlib
import select
import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from tests.conftest import TENANT_A
from tests.helpers import Server, run_server, tiny_pdf

HEADER_MAX = 8192
PATIENCE = 30.0  # how long a test waits for the server before it fails


@pytest.fixture(scope="module")
def limited(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    env = {"FOLIO_API_KEYS": f"{TENANT_A[0]}:{TENANT_A[1]}",
           "FOLIO_HEADER_MAX_BYTES": str(HEADER_MAX), "FOLIO_HEADER_TIMEOUT": "1",
           "FOLIO_BODY_TIMEOUT": "1", "FOLIO_JOB_WORKERS": "1", "FOLIO_PAGE_WORKERS": "1"}
    with run_server(tmp_path_factory.mktemp("limits"), env) as srv:
        yield srv


def connect(server: Server) -> socket.socket:
    url = urlsplit(server.url)
    sock = socket.create_connection((url.hostname, url.port), timeout=PATIENCE)
    return sock


def answer(sock: socket.socket) -> bytes:
    """Everything the server sends until it closes the connection."""
    chunks = []
    while chunk := sock.recv(65536):
        chunks.append(chunk)
    return b"".join(chunks)


def status_of(response: bytes) -> int:
    assert response.startswith(b"HTTP/1.1 "), response[:80]
    return int(response[9:12])


def vm_kib(pid: int, field: str) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1])
    raise LookupError(field)


def test_headers_within_the_limit_are_served(limited: Server) -> None:
    with connect(limited) as sock:
        sock.sendall(b"GET /healthz HTTP/1.1\r\nHost: x\r\nX-Pad: " + b"a" * (HEADER_MAX // 2)
                     + b"\r\nConnection: close\r\n\r\n")
        assert status_of(answer(sock)) == 200


def test_headers_over_the_limit_are_431_and_closed(limited: Server) -> None:
    with connect(limited) as sock:
        # more than the limit, and no end of headers in sight
        sock.sendall(b"GET /healthz HTTP/1.1\r\nHost: x\r\nX-Pad: " + b"a" * (3 * HEADER_MAX))
        response = answer(sock)
    assert status_of(response) == 431
    assert b"connection: close" in response.lower()
    assert b'"detail"' in response


def send_quietly(sock: socket.socket, data: bytes) -> None:
    with contextlib.suppress(OSError):  # the server may close before it all went out
        sock.sendall(data)


def test_a_431_reaches_a_client_that_is_still_sending(limited: Server) -> None:
    # The server answers after HEADER_MAX bytes while 2 MiB more are on their way:
    # closing with unread bytes makes the kernel reset the connection, and the
    # client then reads a reset instead of the 431.
    with connect(limited) as sock:
        sender = threading.Thread(target=send_quietly, args=(
            sock, b"GET /healthz HTTP/1.1\r\nHost: x\r\nX-Pad: " + b"a" * (2 * 1024 * 1024)))
        sender.start()
        try:
            response = answer(sock)
        finally:
            sender.join()
    assert status_of(response) == 431
    assert b'"detail"' in response


def test_a_431_on_a_kept_alive_connection(limited: Server) -> None:
    # the second request of a connection: the first one's answer is no reason to
    # close without a word
    with connect(limited) as sock:
        sock.sendall(b"GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n")
        first = sock.recv(65536)
        assert status_of(first) == 200
        sock.sendall(b"GET /healthz HTTP/1.1\r\nHost: x\r\nX-Pad: " + b"a" * (3 * HEADER_MAX)
                     + b"\r\n\r\n")
        both = first + answer(sock)
    assert both.count(b"HTTP/1.1 ") == 2, both
    assert b"HTTP/1.1 431 " in both


def test_huge_headers_do_not_grow_the_servers_memory(limited: Server) -> None:
    pid = limited.process.pid
    before = vm_kib(pid, "VmRSS")
    for _ in range(4):
        # OSError: the server stopped reading and closed, as it should
        with connect(limited) as sock, contextlib.suppress(OSError):
            sock.sendall(b"GET /healthz HTTP/1.1\r\nHost: x\r\nX-Pad: "
                         + b"a" * (32 * 1024 * 1024) + b"\r\n\r\n")
    growth_mib = (vm_kib(pid, "VmHWM") - before) / 1024
    print(f"server peak RSS growth after 4 x 32 MiB headers: {growth_mib:.1f} MiB")
    assert growth_mib < 16


def test_a_connection_that_sends_nothing_is_closed(limited: Server) -> None:
    with connect(limited) as sock:
        assert status_of(answer(sock)) == 408


def test_slowloris_headers_are_408_and_closed(limited: Server) -> None:
    with connect(limited) as sock:
        sock.sendall(b"GET /healthz HTTP/1.1\r\nHost: x\r\n")
        deadline = time.monotonic() + PATIENCE
        response = b""
        # a header line every 0.2 s, never the end of the headers
        while time.monotonic() < deadline:
            readable, _, _ = select.select([sock], [], [], 0.2)
            if readable:
                response = answer(sock)
                break
            try:
                sock.sendall(b"X-Drip: 1\r\n")
            except OSError:
                response = answer(sock)
                break
    assert status_of(response) == 408


def multipart_head(boundary: str) -> bytes:
    return (f"--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; "
            "filename=\"a.pdf\"\r\nContent-Type: application/pdf\r\n\r\n").encode()


def post_head(length: int, boundary: str) -> bytes:
    return (f"POST /processing/ocr?wait_for=0 HTTP/1.1\r\nHost: x\r\n"
            f"Authorization: ApiKey {TENANT_A[1]}\r\n"
            f"Content-Type: multipart/form-data; boundary={boundary}\r\n"
            f"Content-Length: {length}\r\nConnection: close\r\n\r\n").encode()


def test_a_body_shorter_than_its_content_length_is_408_and_closed(limited: Server) -> None:
    boundary = "b0undary"
    part = multipart_head(boundary) + tiny_pdf(1)[:100]
    with connect(limited) as sock:
        sock.sendall(post_head(len(part) + 10_000, boundary) + part)
        response = answer(sock)
    assert status_of(response) == 408
    # the server is still fine
    with connect(limited) as sock:
        sock.sendall(b"GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
        assert status_of(answer(sock)) == 200


def test_a_slow_body_that_keeps_coming_is_not_cut(limited: Server) -> None:
    boundary = "b0undary"
    body = multipart_head(boundary) + tiny_pdf(1) + f"\r\n--{boundary}--\r\n".encode()
    pieces = [body[i:i + 200] for i in range(0, len(body), 200)][:8]
    pieces.append(body[sum(map(len, pieces)):])
    with connect(limited) as sock:
        sock.sendall(post_head(len(body), boundary))
        for piece in pieces:  # 0.2 s apart: slower than nothing, never idle for 1 s
            sock.sendall(piece)
            time.sleep(0.2)
        response = answer(sock)
    assert status_of(response) == 202


def pipelined(sock: socket.socket, data: bytes) -> list[int]:
    """Send `data` in one write; the statuses of every answer until the server closes."""
    sock.sendall(data + b"GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
    response = answer(sock)
    return [int(response[i + 9:i + 12]) for i in range(len(response))
            if response.startswith(b"HTTP/1.1 ", i) and response[i + 12:i + 13] == b" "]


def sized_head(size: int) -> bytes:
    """A keep-alive GET /healthz head of exactly `size` bytes."""
    start, end = b"GET /healthz HTTP/1.1\r\nHost: x\r\nX-Pad: ", b"\r\n\r\n"
    return start + b"a" * (size - len(start) - len(end)) + end


SMALL = b"GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n"


@pytest.mark.parametrize("before", [b"", SMALL, SMALL * 40], ids=["alone", "behind-1", "behind-40"])
def test_each_pipelined_head_is_counted_on_its_own(limited: Server, before: bytes) -> None:
    # many heads in one read: together over the limit, each within it
    with connect(limited) as sock:
        assert pipelined(sock, before + sized_head(HEADER_MAX)) == [200] * (
            before.count(b"GET") + 2)
    # one byte more is a 431, after the answers to the requests before it
    with connect(limited) as sock:
        assert pipelined(sock, before + sized_head(HEADER_MAX + 1)) == [200] * before.count(
            b"GET") + [431]


def test_a_head_behind_a_body_in_the_same_read_is_counted_from_its_first_byte(
        limited: Server) -> None:
    blank_lines = b"\r\n\r\n" * HEADER_MAX  # no body byte is a head's
    with_length = (b"GET /healthz HTTP/1.1\r\nHost: x\r\nContent-Length: %d\r\n\r\n"
                   % len(blank_lines) + blank_lines)
    ends = b"0\r\n\r\n" * 100  # what a chunked body ends with, in its data: more than
    # the protocol looks at in one read, so the next head's size is taken from its fields
    chunk = b"%x\r\n%s\r\n" % (len(blank_lines + ends), blank_lines + ends)
    chunked = (b"GET /healthz HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n"
               + chunk + b"5\r\n\r\n\r\n0\r\n0\r\n\r\n")  # data: CRLF CRLF 0
    for request in (with_length, chunked):
        with connect(limited) as sock:
            assert pipelined(sock, request + sized_head(HEADER_MAX)) == [200, 200, 200]
        with connect(limited) as sock:
            assert pipelined(sock, request + sized_head(HEADER_MAX + 1)) == [200, 431]


def test_a_head_split_at_its_blank_line_across_reads(limited: Server) -> None:
    with connect(limited) as sock:
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        head = sized_head(HEADER_MAX)
        sock.sendall(head[:-1])
        time.sleep(0.3)  # a read of its own
        sock.sendall(head[-1:] + SMALL)
        time.sleep(0.3)
        assert pipelined(sock, b"") == [200, 200, 200]


def test_what_the_parser_refuses_is_a_json_400_after_the_answers_before_it(
        limited: Server) -> None:
    with connect(limited) as sock:
        sock.sendall(SMALL + b"HELLO\r\n\r\n")
        response = answer(sock)
    assert response.count(b"HTTP/1.1 ") == 2 and status_of(response) == 200
    refusal = response[response.rindex(b"HTTP/1.1 "):]
    assert status_of(refusal) == 400
    assert b"content-type: application/json" in refusal
    assert refusal.endswith(b'{"detail":"Invalid HTTP request received."}')


def test_a_malformed_body_is_a_json_400_at_once(limited: Server) -> None:
    # the handler would wait for the rest of the body: the 400 cannot wait for it
    with connect(limited) as sock:
        sock.sendall(post_head(2000, "b0undary").replace(b"Content-Length: 2000",
                                                       b"Transfer-Encoding: chunked")
                     + b"zz\r\n")
        response = answer(sock)
    assert status_of(response) == 400 and b'"detail"' in response
