"""The web edge's ten defects (issue 20, "Why" 1-10), over raw sockets against `folio serve`.

Each test names its defect and asserts the behaviour the API contract asks for
(`/work/shared/API.md`, "HTTP behaviour every artifact response has"); each
failed on the code before the fix. Hot answers are written from uvicorn's parser
(`service.web.http_protocol`), warm ones by the fast path, the rest by the
Starlette routes: where the lanes differed, every lane is asked.

Several connections that must wait for a server timer (a long poll, the header
timeout) are opened together and read afterwards, so the waits overlap.
"""

from __future__ import annotations

import socket
from collections.abc import Iterator
from typing import Any, BinaryIO, NamedTuple
from urllib.parse import urlsplit

import orjson
import pytest

from tests.helpers import Server, make_processing, run_server, tiny_pdf

A_TENANT, A_SECRET = "acme", "secret-acme-0123456789"
B_TENANT, B_SECRET = "globex", "secret-globex-0123456789"
OK_ORIGIN = "https://ok.example"
HEADER_TIMEOUT = 6  # s: above uvicorn's 5 s keep-alive, which must not cut a begun head
LONG_POLL = 6  # s: wait_for of a request pipelined behind a parser answer (> keep-alive)
READ_TIMEOUT = 15.0  # s: a socket read that gets nothing this long is a lost answer
ENV = {"FOLIO_API_KEYS": f"{A_TENANT}:{A_SECRET},{B_TENANT}:{B_SECRET}",
       "FOLIO_RATE_LIMIT_RPS": "100000", "FOLIO_RATE_LIMIT_BURST": "100000",
       "FOLIO_JOB_WORKERS": "0",  # an upload stays queued: its POST long-polls to 202
       "FOLIO_CORS_ORIGINS": OK_ORIGIN, "FOLIO_HEADER_TIMEOUT": str(HEADER_TIMEOUT)}
EOF_STATUS = 0  # the connection ended before (all of) an answer came
TIMEOUT_STATUS = -1  # nothing came for READ_TIMEOUT seconds
PAST = "Thu, 01 Jan 1998 00:00:00 GMT"


# -- a raw HTTP/1.1 client -----------------------------------------------------


class Answer(NamedTuple):
    status: int  # EOF_STATUS / TIMEOUT_STATUS when no answer came
    headers: list[tuple[str, str]]  # names lower-cased, in order
    body: bytes

    def header(self, name: str) -> str | None:
        return next((value for key, value in self.headers if key == name), None)

    def json(self) -> Any:
        return orjson.loads(self.body)


def head(target: str, *lines: str, method: str = "GET", secret: str | None = A_SECRET,
         host: str | None = "folio.test") -> bytes:
    """An HTTP/1.1 request head; `secret=None`: no Authorization, `host=None`: no Host."""
    out = [f"{method} {target} HTTP/1.1"]
    if host is not None:
        out.append(f"Host: {host}")
    if secret is not None:
        out.append(f"Authorization: ApiKey {secret}")
    return ("\r\n".join([*out, *lines]) + "\r\n\r\n").encode("latin-1")


def connect(server: Server) -> socket.socket:
    url = urlsplit(server.url)
    return socket.create_connection((url.hostname, url.port), timeout=READ_TIMEOUT)


def read_answer(stream: BinaryIO, head_only: bool = False) -> Answer:
    """One answer: status, headers, body (by Content-Length or chunked)."""
    try:
        status_line = stream.readline()
        if not status_line.endswith(b"\n"):
            return Answer(EOF_STATUS, [], status_line)
        status = int(status_line.split()[1])
        headers: list[tuple[str, str]] = []
        while line := stream.readline().rstrip(b"\r\n"):
            name, _, value = line.decode("latin-1").partition(":")
            headers.append((name.strip().lower(), value.strip()))
        fields = dict(headers)
        if head_only or status == 304 or 100 <= status < 200:
            return Answer(status, headers, b"")
        if fields.get("transfer-encoding", "").lower() == "chunked":
            body = b""
            while size := int(stream.readline().strip().split(b";")[0], 16):
                body += stream.read(size)
                stream.readline()
            stream.readline()
            return Answer(status, headers, body)
        return Answer(status, headers, stream.read(int(fields.get("content-length", "0"))))
    except TimeoutError:
        return Answer(TIMEOUT_STATUS, [], b"")


def exchange(server: Server, data: bytes, answers: int = 1) -> list[Answer]:
    """Send `data` in one write on a new connection; read up to `answers` answers."""
    with connect(server) as sock, sock.makefile("rb") as stream:
        sock.sendall(data)
        return read_answers(stream, answers)


def read_answers(stream: BinaryIO, count: int) -> list[Answer]:
    out: list[Answer] = []
    while len(out) < count:
        answer = read_answer(stream)
        out.append(answer)
        if answer.status <= 0:
            break
    return out


def one(server: Server, data: bytes) -> Answer:
    return exchange(server, data)[0]


def statuses(answers: list[Answer]) -> list[int]:
    return [answer.status for answer in answers]


def is_json_error(answer: Answer) -> bool:
    """The API's error shape: a JSON object with `detail`."""
    if not (answer.header("content-type") or "").startswith("application/json"):
        return False
    try:
        body = answer.json()
    except orjson.JSONDecodeError:
        return False
    return isinstance(body, dict) and "detail" in body


# -- the server and its documents ------------------------------------------------


class Doc(NamedTuple):
    """A finished processing of tenant A, its routes warmed."""

    base: str  # /processing/results/{id}
    hot_page: str  # a scaled page image whose answer is written from the parser
    etags: dict[str, str]  # route → ETag of its 200
    last_modified: dict[str, str]  # route → Last-Modified of its 200, where sent


# the routes asked about, relative to the processing's URL
OCR, PAGE, SCALED, THUMB, PAGES, SUBS = ("/ocr", "/page-images/1", "/page-images/1?width=120",
                                         "/thumbnail", "/page-images", "/sub-pdfs")


@pytest.fixture(scope="module")
def edge(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    with run_server(tmp_path_factory.mktemp("edge"), ENV) as srv:
        yield srv


@pytest.fixture(scope="module")
def doc(edge: Server) -> Doc:
    record = make_processing(edge.store, A_TENANT, sizes=[(300, 400), (300, 400)])
    base = f"/processing/results/{record.processing_id}"
    etags: dict[str, str] = {}
    last_modified: dict[str, str] = {}
    for route in (OCR, PAGE, SCALED, THUMB, PAGES, SUBS):
        for _ in range(2):  # the second is a hit where there is a tier
            answer = one(edge, head(base + route))
            assert answer.status == 200, (route, answer)
        etag = answer.header("etag")
        assert etag is not None, route
        etags[route] = etag
        if (modified := answer.header("last-modified")) is not None:
            last_modified[route] = modified
    hot = one(edge, head(base + SCALED))
    assert hot.header("x-cache") == "hit-memory"
    return Doc(base, base + SCALED, etags, last_modified)


# -- 1: a request pipelined behind an answer written from the parser --------------


def _multipart_upload(target: str) -> bytes:
    boundary = "folioedgeboundary"
    body = b"".join([
        f"--{boundary}\r\n".encode(),
        b'Content-Disposition: form-data; name="file"; filename="a.pdf"\r\n',
        b"Content-Type: application/pdf\r\n\r\n", tiny_pdf(1), b"\r\n",
        f"--{boundary}--\r\n".encode(),
    ])
    return head(target, f"Content-Type: multipart/form-data; boundary={boundary}",
                f"Content-Length: {len(body)}", method="POST") + body


def test_1_a_slow_request_pipelined_behind_a_parser_answer_is_answered(
        edge: Server, doc: Doc) -> None:
    """Defect 1: the keep-alive timer armed after the parser's answer cut the next
    request, handed to the app in the same read, at 5 s: a long poll got nothing, an
    upload was created but its id never reached the client."""
    running = make_processing(edge.store, A_TENANT, status="running")
    behind = {
        "long poll": head(f"/processing/results/{running.processing_id}"
                          f"?wait_for={LONG_POLL}"),
        "upload": _multipart_upload(f"/processing/ocr?wait_for={LONG_POLL}"),
    }
    with connect(edge) as poll, connect(edge) as upload, \
            poll.makefile("rb") as poll_stream, upload.makefile("rb") as upload_stream:
        poll.sendall(head(doc.hot_page) + behind["long poll"])
        upload.sendall(head(doc.hot_page) + behind["upload"])
        got = {"long poll": read_answers(poll_stream, 2),
               "upload": read_answers(upload_stream, 2)}
    assert {name: statuses(answers) for name, answers in got.items()} == {
        "long poll": [200, 202], "upload": [200, 202]}
    assert all(answers[0].header("x-cache") == "hit-memory" for answers in got.values())
    assert got["long poll"][1].json()["processing_id"] == running.processing_id
    assert got["upload"][1].json()["processing_id"]  # the client learns the upload's id


# -- 2: format=auto however it is spelt ----------------------------------------------


@pytest.mark.parametrize("spelling", ["AUTO", "%61uto"])
def test_2_format_auto_in_any_spelling_follows_accept(edge: Server, doc: Doc,
                                                      spelling: str) -> None:
    """Defect 2: the fast path tested `format=auto` case-sensitively on the raw query,
    so the first Accept pinned the variant, without Vary: Accept."""
    width = 130 if spelling == "AUTO" else 140  # a variant of its own per spelling
    url = f"{doc.base}/page-images/1?width={width}&format={spelling}"
    accepts = ["image/avif", "image/avif", "image/jpeg", "image/jpeg", "image/avif"]
    with connect(edge) as sock, sock.makefile("rb") as stream:
        seen = []
        for accept in accepts:
            sock.sendall(head(url, f"Accept: {accept}"))
            answer = read_answer(stream)
            vary = [token.strip().lower() for token in (answer.header("vary") or "").split(",")]
            seen.append((answer.status, answer.header("content-type"), "accept" in vary))
    assert seen == [(200, accept, True) for accept in accepts]


# -- 3: header lines sent twice --------------------------------------------------------


@pytest.mark.parametrize("route", [OCR, THUMB, PAGE, SCALED, PAGES, SUBS])
def test_3_two_authorization_lines_are_400(edge: Server, doc: Doc, route: str) -> None:
    """Defect 3: fast-path routes took the last Authorization line, Starlette's the
    first: one request authorized as two tenants."""
    answers = [one(edge, head(doc.base + route, f"Authorization: ApiKey {second}",
                              secret=first))
               for first, second in ((A_SECRET, B_SECRET), (B_SECRET, A_SECRET))]
    assert statuses(answers) == [400, 400]
    assert all(is_json_error(answer) for answer in answers)


@pytest.mark.parametrize("route", [OCR, PAGE, SCALED, THUMB, PAGES, SUBS])
def test_3_if_none_match_over_several_lines_is_one_list(edge: Server, doc: Doc,
                                                        route: str) -> None:
    """Defect 3: an If-None-Match split over lines is one list (RFC 9110 5.3); the
    fast path read the last line, Starlette the first."""
    answer = one(edge, head(doc.base + route, 'If-None-Match: "x"',
                            f"If-None-Match: {doc.etags[route]}", 'If-None-Match: "y"'))
    assert answer.status == 304
    assert answer.header("etag") == doc.etags[route]


# -- 4: the header limit across a pipelined read -----------------------------------------


BIG_HEAD = head("/healthz", "X-Padding: " + "a" * 60_000, secret=None)  # > 32 KiB


def test_4_a_60_kb_head_pipelined_behind_a_parser_answer_is_431(edge: Server,
                                                                doc: Doc) -> None:
    """Defect 4: the header byte count restarted mid-read, so a 60 KB head behind a
    small one in the same write passed the 32 KiB limit."""
    answers = exchange(edge, head(doc.hot_page) + BIG_HEAD, answers=2)
    assert statuses(answers) == [200, 431]
    assert answers[0].header("x-cache") == "hit-memory"
    assert is_json_error(answers[1])


def test_4_a_60_kb_head_pipelined_behind_an_app_request_is_refused(edge: Server) -> None:
    """Defect 4, behind a request the app answers: the 60 KB head is never served.
    (Whether the refusal waits for the first answer is not this defect: the 431 may
    come alone, as folio's refusals mark an unstarted answer disconnected.)"""
    answers = [answer for answer in exchange(edge, head("/healthz", secret=None) + BIG_HEAD,
                                             answers=2) if answer.status != EOF_STATUS]
    assert statuses(answers) in ([200, 431], [431])
    assert is_json_error(answers[-1])


# -- 5: a partial head after a completed answer -------------------------------------------


def test_5_a_partial_head_after_an_answer_is_408_at_the_header_timeout(
        edge: Server, doc: Doc) -> None:
    """Defect 5: uvicorn's keep-alive timer, armed when the first answer completed,
    closed the connection silently at 5 s although a next head had begun; the README
    promises 408 at FOLIO_HEADER_TIMEOUT (here 6 s)."""
    partial = b"GET /healthz HTTP/1.1\r\nHost: folio.test\r\n"  # no blank line: never ends
    firsts = {"parser answer": head(doc.hot_page), "app answer": head("/healthz", secret=None)}
    got: dict[str, list[Answer]] = {}
    with connect(edge) as parser, connect(edge) as app, \
            parser.makefile("rb") as parser_stream, app.makefile("rb") as app_stream:
        parser.sendall(firsts["parser answer"] + partial)
        app.sendall(firsts["app answer"] + partial)
        got["parser answer"] = read_answers(parser_stream, 2)
        got["app answer"] = read_answers(app_stream, 2)
    assert {name: statuses(answers) for name, answers in got.items()} == {
        "parser answer": [200, 408], "app answer": [200, 408]}
    assert all(is_json_error(answers[1]) for answers in got.values())


# -- 6: 405 without Allow, 401 without WWW-Authenticate -------------------------------------


@pytest.mark.parametrize("method, route", [("DELETE", OCR), ("PUT", "/healthz"),
                                           ("POST", SCALED), ("DELETE", PAGES)])
def test_6_405_carries_allow(edge: Server, doc: Doc, method: str, route: str) -> None:
    """Defect 6: a 405 must list the allowed methods (RFC 9110 15.5.6)."""
    target = route if route.startswith("/healthz") else doc.base + route
    answer = one(edge, head(target, "Content-Length: 0", method=method))
    assert answer.status == 405
    allowed = {token.strip().upper() for token in (answer.header("allow") or "").split(",")}
    assert "GET" in allowed and method not in allowed, answer.headers


@pytest.mark.parametrize("route", [SCALED, OCR, PAGES])
def test_6_401_carries_www_authenticate(edge: Server, doc: Doc, route: str) -> None:
    """Defect 6: a 401 must carry a challenge (RFC 9110 15.5.2); the contract names
    `WWW-Authenticate: ApiKey`."""
    answer = one(edge, head(doc.base + route, secret=None))
    assert answer.status == 401
    assert (answer.header("www-authenticate") or "").strip(), answer.headers


# -- 7: a newline at the end of the path ------------------------------------------------------


@pytest.mark.parametrize("route", [OCR, PAGE, "/page-images/1%0A?width=120", PAGES])
def test_7_an_encoded_newline_after_the_path_is_404(edge: Server, doc: Doc,
                                                    route: str) -> None:
    """Defect 7: a route regex ending in `$` matched before a trailing newline."""
    target = doc.base + route if "%0A" in route else doc.base + route + "%0A"
    answer = one(edge, head(target))
    assert answer.status == 404
    assert is_json_error(answer)


# -- 8: If-Match, If-Unmodified-Since, If-Modified-Since ---------------------------------------


@pytest.mark.parametrize("route", [OCR, PAGE, SCALED])
def test_8_preconditions(edge: Server, doc: Doc, route: str) -> None:
    """Defect 8: If-Match and If-Unmodified-Since were ignored (no 412), and so was
    If-Modified-Since although stored files send Last-Modified (RFC 9110 13.1)."""
    etag = doc.etags[route]
    asked = [('If-Match: "nope"', 412), (f"If-Match: {etag}", 200), ("If-Match: *", 200),
             (f'If-Match: "nope", {etag}', 200)]
    modified = doc.last_modified.get(route)
    if modified is not None:
        asked += [(f"If-Unmodified-Since: {PAST}", 412), (f"If-Unmodified-Since: {modified}", 200),
                  (f"If-Modified-Since: {modified}", 304), (f"If-Modified-Since: {PAST}", 200)]
    got = [(line, one(edge, head(doc.base + route, line)).status) for line, _ in asked]
    assert got == asked
    if route in (OCR, PAGE):
        assert modified is not None  # stored files send Last-Modified: the 304 above is asked


# -- 9: Host ------------------------------------------------------------------------------------


@pytest.mark.parametrize("route", ["/healthz", SCALED, OCR])
def test_9_http_1_1_without_host_or_with_two_is_400(edge: Server, doc: Doc,
                                                    route: str) -> None:
    """Defect 9: RFC 9112 3.2: a 1.1 request without Host, or with two, is 400."""
    target = route if route == "/healthz" else doc.base + route
    answers = [one(edge, head(target, host=None)),
               one(edge, head(target, "Host: other.test"))]
    assert statuses(answers) == [400, 400]
    assert all(is_json_error(answer) for answer in answers)


@pytest.mark.parametrize("route", ["/healthz/", OCR + "/", PAGES + "/"])
def test_9_a_trailing_slash_never_redirects_to_the_clients_host(edge: Server, doc: Doc,
                                                                route: str) -> None:
    """Defect 9: a trailing slash got a 307 whose Location was built from the Host
    header (`Host: evil.example` → `Location: http://evil.example/...`)."""
    target = route if route.startswith("/healthz") else doc.base + route
    answer = one(edge, head(target, host="evil.example"))
    assert answer.status != 307
    assert "evil.example" not in (answer.header("location") or "")
    assert answer.status == 404 and is_json_error(answer)


# -- 10: the server's own 400s in the JSON shape ---------------------------------------------


@pytest.mark.parametrize("data", [b"GET /\x01 HTTP/1.1\r\nHost: folio.test\r\n\r\n",
                                  b"HELLO\r\n\r\n"], ids=["control-char", "garbage"])
def test_10_a_bad_request_line_is_a_json_400(edge: Server, data: bytes) -> None:
    """Defect 10: uvicorn's own 400 was text/plain."""
    answer = one(edge, data)
    assert answer.status == 400
    assert is_json_error(answer), (answer.header("content-type"), answer.body)


def test_10_a_refused_cors_preflight_is_a_json_400(edge: Server, doc: Doc) -> None:
    """Defect 10: Starlette's CORSMiddleware refused a preflight in text/plain."""
    answer = one(edge, head(doc.base + OCR, "Origin: https://bad.example",
                            "Access-Control-Request-Method: GET", method="OPTIONS",
                            secret=None))
    assert answer.status == 400
    assert is_json_error(answer), (answer.header("content-type"), answer.body)
