"""The parser lane's contract (issue 20, item 2), over raw sockets against `folio serve`.

Hot answers are written straight from uvicorn's parser (`service.web.http_protocol`);
`FOLIO_PARSER_LANE=false` sends every request through the ASGI app. Whatever comes
behind a parser answer (a slow body, a long poll, a partial head, a full write
buffer, `Expect: 100-continue`, the end of the connection) must go as after
uvicorn's own answer, a failure in the lane is a logged 500 and a closed
connection, and both lanes give the same bytes for the same requests.

Faults are real exceptions: this module is also a FOLIO_PLUGINS module which, in
a server started with FOLIO_TEST_LANE_FAULTS=1, wraps `FastPath.now` and
`FastPath.sent` to raise for requests carrying `X-Lane-Fault: now|sent`.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, BinaryIO, NamedTuple
from urllib.parse import urlsplit

import httpx
import orjson
import pytest
import pyvips

from tests.helpers import ROOT, Server, free_port, make_processing, run_server, tiny_pdf

TENANT, SECRET = "acme", "secret-acme-0123456789"
OTHER_SECRET = "secret-globex-0123456789"
SLOW = 6.5  # s: longer than uvicorn's 5 s keep-alive, which must not cut what is under way
ENV = {"FOLIO_API_KEYS": f"{TENANT}:{SECRET},globex:{OTHER_SECRET}",
       "FOLIO_JOB_WORKERS": "0", "FOLIO_PAGE_WORKERS": "1",  # uploads stay queued: 202
       "FOLIO_RATE_LIMIT_RPS": "100000", "FOLIO_RATE_LIMIT_BURST": "100000",
       "FOLIO_HEADER_TIMEOUT": "6"}
FAULTS = {**ENV, "FOLIO_PLUGINS": __name__, "FOLIO_TEST_LANE_FAULTS": "1"}
LANE_OFF = {"FOLIO_PARSER_LANE": "false"}
JSON_500 = {"detail": "Internal server error."}


def _install_faults() -> None:
    from service.web.fastpath import FastPath

    now, sent = FastPath.now, FastPath.sent

    def faulty_now(self: FastPath, scope: Any) -> Any:
        if (b"x-lane-fault", b"now") in scope["headers"]:
            raise RuntimeError("lane fault: now")
        return now(self, scope)

    def faulty_sent(self: FastPath, scope: Any, reply: Any) -> None:
        sent(self, scope, reply)
        if (b"x-lane-fault", b"sent") in scope["headers"]:
            raise RuntimeError("lane fault: sent")

    FastPath.now = faulty_now  # type: ignore[method-assign]
    FastPath.sent = faulty_sent  # type: ignore[method-assign]


if os.environ.get("FOLIO_TEST_LANE_FAULTS") == "1":  # imported by a server as a plugin
    _install_faults()


# -- a raw HTTP/1.1 client -------------------------------------------------------------


class Answer(NamedTuple):
    status: int  # 0: the connection ended first
    head: bytes  # status line and header lines as sent, Date blanked
    headers: dict[str, str]  # lower-cased names
    body: bytes

    def json(self) -> Any:
        return orjson.loads(self.body)


EOF = Answer(0, b"", {}, b"")


def head(target: str, *lines: str, method: str = "GET", secret: str | None = SECRET,
         version: str = "1.1") -> bytes:
    out = [f"{method} {target} HTTP/{version}", "Host: folio.test"]
    if secret is not None:
        out.append(f"Authorization: ApiKey {secret}")
    return ("\r\n".join([*out, *lines]) + "\r\n\r\n").encode()


def connect(server: Server | str) -> socket.socket:
    url = urlsplit(server if isinstance(server, str) else server.url)
    return socket.create_connection((url.hostname, url.port), timeout=30)


def read_answer(stream: BinaryIO, method: str = "GET") -> Answer:
    lines = [stream.readline()]
    if not lines[0].endswith(b"\n"):
        return EOF
    while (line := stream.readline()) not in (b"\r\n", b"\n", b""):
        lines.append(line)
    headers = {}
    for line in lines[1:]:
        name, _, value = line.decode("latin-1").partition(":")
        headers[name.strip().lower()] = value.strip()
    # Date is uvicorn's clock, a new value each second: the one header two answers to the
    # same request may differ in (blanked in `head` too)
    headers["date"] = "-"
    status = int(lines[0].split()[1])
    raw = b"".join(b"date: -\r\n" if line.lower().startswith(b"date:") else line
                   for line in lines)
    if method == "HEAD" or status in (204, 304) or status < 200:
        return Answer(status, raw, headers, b"")
    if headers.get("transfer-encoding") == "chunked":
        body = b""
        while size := int(stream.readline().split(b";")[0], 16):
            body += stream.read(size)
            stream.readline()
        stream.readline()
        return Answer(status, raw, headers, body)
    return Answer(status, raw, headers, stream.read(int(headers.get("content-length", "0"))))


def exchange(sock: socket.socket, stream: BinaryIO, data: bytes, count: int = 1,
             method: str = "GET") -> list[Answer]:
    sock.sendall(data)
    return [read_answer(stream, method) for _ in range(count)]


def assert_json_500(answer: Answer) -> None:
    assert answer.status == 500, answer
    assert answer.headers["content-type"] == "application/json"
    assert answer.headers["cache-control"] == "no-store"
    assert answer.headers["connection"] == "close"
    assert answer.json() == JSON_500


# -- servers and documents ------------------------------------------------------------------


@pytest.fixture(scope="module")
def lane(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    with run_server(tmp_path_factory.mktemp("lane"), ENV) as srv:
        yield srv


def noise_page(server: Server, width: int, height: int) -> str:
    """A finished processing whose page 1 is noise (large answers at any size)."""
    doc = make_processing(server.store, TENANT, sizes=[(width, height)])
    noise = (pyvips.Image.gaussnoise(width, height) * 3).cast("uchar")
    server.store.write_artifact(doc.processing_id, "pages/1.jpg",
                                noise.write_to_buffer(".jpg[Q=95]"))
    return f"/processing/results/{doc.processing_id}/page-images/1"


def hot(server: Server, url: str) -> bytes:
    """Render `url` once; its next answers are memory-tier hits, from the parser."""
    client = server.client(SECRET)
    client.get(url)
    second = client.get(url)
    assert second.headers["x-cache"] == "hit-memory", url
    return second.content


@pytest.fixture(scope="module")
def hot_page(lane: Server) -> str:
    url = noise_page(lane, 300, 400) + "?width=120"
    hot(lane, url)
    return url


def upload(target: str, *lines: str) -> tuple[bytes, bytes]:
    boundary = "lanecontractboundary"
    body = b"".join([f"--{boundary}\r\n".encode(),
                     b'Content-Disposition: form-data; name="file"; filename="a.pdf"\r\n',
                     b"Content-Type: application/pdf\r\n\r\n", tiny_pdf(1),
                     f"\r\n--{boundary}--\r\n".encode()])
    return head(target, f"Content-Type: multipart/form-data; boundary={boundary}",
                f"Content-Length: {len(body)}", *lines, method="POST"), body


# -- keep-alive: slow requests behind a parser answer ----------------------------------------


def test_slow_requests_behind_a_parser_answer(lane: Server, hot_page: str) -> None:
    running = make_processing(lane.store, TENANT, status="running")
    poll = head(f"/processing/results/{running.processing_id}?wait_for=6")
    post, body = upload("/processing/ocr?wait_for=0")
    partial = b"GET /healthz HTTP/1.1\r\nHost: folio.test\r\n"
    socks = [connect(lane) for _ in range(3)]
    streams = [sock.makefile("rb") for sock in socks]
    try:
        for sock, behind in zip(socks, (poll, post, partial), strict=True):
            sock.sendall(head(hot_page) + behind)  # one write: parser answer, then the app's
        time.sleep(SLOW)
        socks[1].sendall(body)  # the upload's body, seconds later
        got = [[read_answer(stream) for _ in range(2)] for stream in streams]
        # the connections that went on are still good for the parser
        after = [exchange(sock, stream, head(hot_page))[0]
                 for sock, stream in zip(socks[:2], streams[:2], strict=True)]
    finally:
        for stream in streams:
            stream.close()
        for sock in socks:
            sock.close()
    assert [[answer.status for answer in pair] for pair in got] == [[200, 202]] * 2 + [[200, 408]]
    assert all(pair[0].headers["x-cache"] == "hit-memory" for pair in got)
    assert got[0][1].json()["processing_id"] == running.processing_id
    assert got[1][1].json()["processing_id"]  # the client learns its upload's id
    assert got[2][1].json() == {"detail": "The request's headers did not arrive in time."}
    assert [answer.headers["x-cache"] for answer in after] == ["hit-memory"] * 2


# -- back-pressure ------------------------------------------------------------------------


def test_a_client_that_does_not_read_gets_every_answer_in_order(lane: Server) -> None:
    page = noise_page(lane, 1600, 2000)
    urls = [f"{page}?width={width}" for width in (1500, 1400, 1300)]
    bodies = {url: hot(lane, url) for url in urls}
    assert min(map(len, bodies.values())) > 300_000
    order = [urls[i % 3] for i in range(60)]  # ~50 MB of answers, a few KB of requests
    with connect(lane) as sock, sock.makefile("rb") as stream:
        sock.sendall(b"".join(head(url) for url in order))
        time.sleep(1.0)  # the server's writes back up
        answers = [read_answer(stream) for _ in order]
        answers.append(exchange(sock, stream, head(urls[0]))[0])  # and the connection goes on
    assert [answer.status for answer in answers] == [200] * 61
    assert all(answer.body == bodies[url] for answer, url in zip(answers, order, strict=False))
    assert answers[-1].headers["x-cache"] == "hit-memory"


# -- an exception inside a parser callback ----------------------------------------------------


def test_an_exception_in_the_lane_is_a_500_and_the_end_of_the_connection(
        tmp_path: Path) -> None:
    with run_server(tmp_path, FAULTS) as srv:
        url = noise_page(srv, 300, 400) + "?width=100"
        hot(srv, url)
        with connect(srv) as sock, sock.makefile("rb") as stream:
            # before the answer: 500, never the parser's 400; what follows is not read
            answers = exchange(sock, stream, head(url) + head(url, "X-Lane-Fault: now")
                               + head(url), 3)
        assert [answer.status for answer in answers] == [200, 500, 0]
        assert_json_500(answers[1])
        with connect(srv) as sock, sock.makefile("rb") as stream:
            # after a 200 went out: the connection ends, nothing is written after it
            answers = exchange(sock, stream, head(url, "X-Lane-Fault: sent") + head(url), 2)
            rest = stream.read()
        assert [answer.status for answer in answers] == [200, 0] and rest == b""
        assert answers[0].headers["x-cache"] == "hit-memory"
        assert httpx.get(srv.url + "/healthz").status_code == 200
        srv.process.terminate()
        srv.process.wait(10)
        assert srv.process.stdout is not None
        log = srv.process.stdout.read().decode()
    assert log.count("unhandled error in the HTTP protocol") == 2, log
    assert "RuntimeError: lane fault: now" in log and "RuntimeError: lane fault: sent" in log
    assert "Invalid HTTP request" not in log


def test_without_the_lane_the_app_answers_the_same_fault(tmp_path: Path) -> None:
    # FOLIO_PARSER_LANE=false: the app asks the fast path, and answers its error itself
    with run_server(tmp_path, {**FAULTS, **LANE_OFF}) as srv:
        url = noise_page(srv, 300, 400) + "?width=100"
        hot(srv, url)
        with connect(srv) as sock, sock.makefile("rb") as stream:
            answers = exchange(sock, stream, head(url, "X-Lane-Fault: now") + head(url), 2)
    assert [answer.status for answer in answers] == [500, 200]
    assert answers[0].json() == JSON_500 and "connection" not in answers[0].headers


# -- Expect: 100-continue ------------------------------------------------------------------


def test_expect_100_continue_behind_and_on_a_parser_answer(lane: Server, hot_page: str) -> None:
    post, body = upload("/processing/ocr?wait_for=0", "Expect: 100-continue")
    with connect(lane) as sock, sock.makefile("rb") as stream:
        first, go_on = exchange(sock, stream, head(hot_page) + post, 2)
        created = exchange(sock, stream, body)[0]
        # a GET that says it has a body to send goes to the app: the same answer
        app, lane_answer = exchange(sock, stream, head(hot_page, "Expect: 100-continue")
                                    + head(hot_page), 2)
    assert (first.status, go_on.status, created.status) == (200, 100, 202)
    assert go_on.head == b"HTTP/1.1 100 Continue\r\n"
    assert app.status == 200 and (app.head, app.body) == (lane_answer.head, lane_answer.body)


# -- limit_concurrency ---------------------------------------------------------------------


@contextmanager
def uvicorn_with_limit(data_dir: Path, limit: int) -> Iterator[str]:
    """folio's app and protocol under uvicorn with `limit_concurrency` (folio sets none)."""
    port = free_port()
    env = {**os.environ, **ENV, "FOLIO_DATA_DIR": str(data_dir), "FOLIO_LOG_LEVEL": "warning"}
    process = subprocess.Popen(
        [sys.executable, "-m", "uvicorn", "service.web.asgi:app", "--port", str(port),
         "--loop", "uvloop", "--http", "service.web.http_protocol:FolioHttpTools",
         "--limit-concurrency", str(limit), "--no-access-log"],
        cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                httpx.get(url + "/healthz", timeout=1)
                break
            except httpx.TransportError:
                assert time.monotonic() < deadline and process.poll() is None
                time.sleep(0.05)
        yield url
    finally:
        process.terminate()
        process.wait(10)


def test_the_lane_steps_aside_for_limit_concurrency(lane: Server, hot_page: str) -> None:
    with uvicorn_with_limit(lane.data_dir, 3) as url:
        httpx.get(url + hot_page, headers={"Authorization": f"ApiKey {SECRET}"})
        statuses = []
        for connections in (1, 3):  # uvicorn answers 503 from 3 open connections on
            socks = [connect(url) for _ in range(connections)]
            with socks[-1].makefile("rb") as stream:
                answer = exchange(socks[-1], stream, head(hot_page))[0]
            statuses.append((answer.status, answer.headers.get("x-cache")))
            for sock in socks:
                sock.close()
    assert statuses == [(200, "hit-memory"), (503, None)]


# -- HTTP/1.0 and Connection: close -----------------------------------------------------------


@pytest.mark.parametrize("version, lines", [("1.0", ()), ("1.0", ("Connection: keep-alive",)),
                                            ("1.1", ("Connection: close",))])
def test_an_answer_from_the_parser_that_ends_the_connection(
        lane: Server, hot_page: str, version: str, lines: tuple[str, ...]) -> None:
    with connect(lane) as sock, sock.makefile("rb") as stream:
        answers = exchange(sock, stream, head(hot_page, *lines, version=version)
                           + head(hot_page), 2)
        rest = stream.read()
    assert [answer.status for answer in answers] == [200, 0] and rest == b""
    assert answers[0].headers["connection"] == "close"
    assert answers[0].headers["x-cache"] == "hit-memory"


# -- both lanes, the same bytes ------------------------------------------------------------


class Ask(NamedTuple):
    data: bytes
    method: str = "GET"


def corpus_docs(server: Server) -> tuple[str, str, str]:
    """A finished, a running and a failed processing of TENANT (their base URLs)."""
    done, running, failed = (make_processing(server.store, TENANT, status=status,
                                             sizes=[(300, 400), (320, 400)])
                             for status in ("succeeded", "running", "failed"))
    return tuple(f"/processing/results/{doc.processing_id}"  # type: ignore[return-value]
                 for doc in (done, running, failed))


def first_sight(base: str) -> list[str]:
    iiif = base.replace("/processing/results/", "/iiif/3/") + "~1"
    return [base, *(base + tail for tail in (
        "/ocr", "/hocr", "/language", "/pdf", "/page-images", "/page-images/1",
        "/page-images/2?width=120", "/page-images/1?width=150&format=png", "/thumbnail",
        "/sub-pdfs", "/sub-pdfs/0", "/document-splitting")),
        iiif + "/info.json", iiif + "/full/100,/0/default.jpg"]


def errors(base: str, running: str, failed: str) -> list[Ask]:
    unknown = "/processing/results/00000000-0000-4000-8000-000000000000"
    asks = [Ask(head(base + tail, secret=secret)) for tail in ("/ocr", "/page-images/1?width=120",
                                                              "/thumbnail", "/pdf")
            for secret in (None, "wrong-key", OTHER_SECRET)]  # 401, 401, 403
    asks += [Ask(head(target)) for target in (
        unknown, unknown + "/ocr", unknown + "/page-images/1?width=120", base + "/nothing",
        base + "/page-images/9", base + "/page-images/1?width=0", base + "/page-images/1?width=x",
        base + "/page-images/1?format=bmp", base + "/page-images/1?quality=0",
        running + "?wait_for=0", running + "/ocr", failed, failed + "/ocr")]
    return asks


def run_corpus(server: Server, docs: tuple[str, str, str]) -> list[Answer]:
    base, running, failed = docs
    out: list[Answer] = []
    with connect(server) as sock, sock.makefile("rb") as stream:
        def ask(asks: list[Ask]) -> list[Answer]:
            sock.sendall(b"".join(a.data for a in asks))  # in one write: pipelined
            got = [read_answer(stream, a.method) for a in asks]
            out.extend(got)
            return got

        etags = {}
        for url in first_sight(base):  # cold, hot, HEAD, one at a time
            cold = ask([Ask(head(url))])[0]
            ask([Ask(head(url))])
            ask([Ask(head(url, method="HEAD"), "HEAD")])
            if "etag" in cold.headers:
                etags[url] = cold.headers["etag"]
        conditional = [Ask(head(url, f"If-None-Match: {etag}")) for url, etag in etags.items()]
        conditional += [Ask(head(url, 'If-None-Match: "other"', method="HEAD"), "HEAD")
                        for url in etags]
        ranges = [Ask(head(base + tail, f"Range: {value}")) for tail in ("/pdf", "/sub-pdfs/0")
                  for value in ("bytes=0-99", "bytes=100-", "bytes=-10", "bytes=0-0",
                                "bytes=999999-", "bytes=x")]
        ranges += [Ask(head(base + "/pdf", "Range: bytes=0-9", f"If-Range: {tag}"))
                   for tag in (etags[base + "/pdf"], '"old"')]
        gzip = [Ask(head(base + tail, "Accept-Encoding: gzip")) for tail in ("/ocr", "/hocr")]
        warm = [Ask(head(url, method=method), method) for url in first_sight(base)
                for method in ("GET", "HEAD")]
        batches = [warm, conditional, ranges, gzip, errors(base, running, failed)]
        for batch in batches:
            ask(batch)  # pipelined
        for batch in batches:
            for single in batch:  # and one at a time
                ask([single])
        # the connection ends with an answer that closes it (from the parser when hot)
        ask([Ask(head(base + "/page-images/2?width=120", "Connection: close"))])
    for version in ("1.0", "1.1"):
        with connect(server) as sock, sock.makefile("rb") as stream:
            sock.sendall(head(base + "/ocr", version=version, secret=None)
                         + head(base + "/thumbnail", "Connection: close", version=version))
            out.extend(read_answer(stream) for _ in range(3))  # the third: the end
    return out


def test_both_lanes_give_the_same_bytes(tmp_path: Path) -> None:
    answers: dict[str, list[Answer]] = {}
    docs: tuple[str, str, str] | None = None
    for name, env in (("lane", ENV), ("app", {**ENV, **LANE_OFF})):
        with run_server(tmp_path, env) as srv:  # the same data dir: the same documents
            docs = docs or corpus_docs(srv)
            answers[name] = run_corpus(srv, docs)  # the same requests in the same order
    lane, app = answers["lane"], answers["app"]
    assert len(lane) >= 200
    statuses = {answer.status for answer in lane}
    assert {200, 206, 304, 401, 403, 404, 416, 422}.issubset(statuses), statuses
    assert {"hit-memory", "miss"}.issubset({a.headers.get("x-cache") for a in lane})
    for i, (one, other) in enumerate(zip(lane, app, strict=True)):
        # Date is blanked by read_answer; nothing else may differ (X-Cache included: the
        # same requests in the same order find the same tiers warm)
        assert one == other, (i, one.head, other.head)
