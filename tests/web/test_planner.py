"""The answer planner's parts on their own: facts, URL table, preconditions, ranges, CORS."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from service.web.planner import preconditions, urls
from service.web.planner.cors import Cors
from service.web.planner.facts import BadRequest, read_facts

ID = "0b7e6f1c-3a51-4d9b-9f0e-2f5a8c1d4e77"
H = (b"host", b"x")


def test_list_headers_are_combined_in_order() -> None:
    facts = read_facts("GET", "/", b"", "1.1", [
        H, (b"if-none-match", b'"a"'), (b"accept", b"image/avif"),
        (b"if-none-match", b'"b", "c"')])
    assert facts.if_none_match == '"a", "b", "c"'
    assert facts.accept == "image/avif"


@pytest.mark.parametrize("name", [b"authorization", b"host"])
def test_a_single_header_twice_is_a_bad_request(name: bytes) -> None:
    with pytest.raises(BadRequest) as raised:
        read_facts("GET", "/", b"", "1.1", [H, (name, b"a"), (name, b"b")]
                   if name != b"host" else [(name, b"a"), (name, b"b")])
    assert raised.value.status == 400


def test_http_1_1_needs_a_host_and_1_0_does_not() -> None:
    with pytest.raises(BadRequest):
        read_facts("GET", "/", b"", "1.1", [])
    assert read_facts("GET", "/", b"", "1.0", []).host is None


def test_a_doubled_date_or_range_is_ignored() -> None:
    facts = read_facts("GET", "/", b"", "1.1", [
        H, (b"range", b"bytes=0-1"), (b"range", b"bytes=2-3"),
        (b"if-modified-since", b"Sun, 06 Nov 1994 08:49:37 GMT")])
    assert facts.range is None
    assert facts.if_modified_since == "Sun, 06 Nov 1994 08:49:37 GMT"


def test_routes_match_whole_segments_only() -> None:
    found = urls.route("GET", f"/processing/results/{ID}/page-images/3")
    assert isinstance(found, urls.Found)
    assert found.endpoint.name == "page-image"
    assert found.params == {"processing_id": ID, "page_num": "3"}
    for path in (f"/processing/results/{ID}/ocr\n", f"/processing/results/{ID}/ocr/",
                 "/healthz/", "//healthz", "healthz", "/nowhere"):
        assert urls.route("GET", path) is None, path


def test_head_is_get_and_other_methods_get_allow() -> None:
    assert isinstance(urls.route("HEAD", "/healthz"), urls.Found)
    wrong = urls.route("DELETE", f"/processing/results/{ID}/ocr")
    assert wrong == urls.WrongMethod("GET, HEAD")
    tokens = urls.route("PUT", "/share-tokens/documents")
    assert tokens == urls.WrongMethod("GET, HEAD, POST, DELETE")


def test_iiif_identifier_splits_at_the_last_tilde() -> None:
    found = urls.route("GET", f"/iiif/3/{ID}~2/full/max/0/default.jpg")
    assert isinstance(found, urls.Found)
    assert (found.params["processing_id"], found.params["page"]) == (ID, "2")


def test_a_mount_takes_the_rest_of_the_path() -> None:
    found = urls.route("GET", "/viewer/assets/js/app.js")
    assert isinstance(found, urls.Found)
    assert found.endpoint.name == "viewer-assets" and found.params == {"path": "js/app.js"}


def _facts(*headers: tuple[bytes, bytes], method: str = "GET") -> object:
    return read_facts(method, "/", b"", "1.1", [H, *headers])


MODIFIED = 784111777.0  # Sun, 06 Nov 1994 08:49:37 GMT


@pytest.mark.parametrize(("headers", "expected"), [
    ([(b"if-match", b'"nope"')], 412),
    ([(b"if-match", b'"e"')], None),
    ([(b"if-match", b"*")], None),
    ([(b"if-match", b'W/"e"')], 412),  # If-Match compares strongly
    ([(b"if-none-match", b'W/"e"')], 304),  # If-None-Match weakly
    ([(b"if-none-match", b'"x", "e"')], 304),
    ([(b"if-unmodified-since", b"Sun, 06 Nov 1994 08:49:36 GMT")], 412),
    ([(b"if-unmodified-since", b"Sun, 06 Nov 1994 08:49:37 GMT")], None),
    ([(b"if-modified-since", b"Sun, 06 Nov 1994 08:49:37 GMT")], 304),
    ([(b"if-modified-since", b"Sun, 06 Nov 1994 08:49:36 GMT")], None),
    ([(b"if-modified-since", b"not a date")], None),
    # If-None-Match wins over If-Modified-Since
    ([(b"if-none-match", b'"x"'), (b"if-modified-since", b"Sun, 06 Nov 1994 08:49:37 GMT")],
     None),
])
def test_preconditions_in_the_rfcs_order(headers: list[tuple[bytes, bytes]],
                                         expected: int | None) -> None:
    facts = read_facts("GET", "/", b"", "1.1", [H, *headers])
    assert preconditions.evaluate(facts, '"e"', MODIFIED) == expected


@pytest.mark.parametrize(("header", "expected"), [
    ("bytes=0-9", [(0, 10)]),
    ("bytes=-5", [(95, 100)]),
    ("bytes=90-", [(90, 100)]),
    ("bytes=90-500", [(90, 100)]),
    ("bytes=0-1,4-6", [(0, 2), (4, 7)]),
    ("bytes=0-5,3-9", [(0, 10)]),
    ("bytes=100-", []),
    ("bytes=-0", []),
    ("bytes=5-2", None),
    ("lines=0-1", None),
    ("bytes=x-y", None),
    ("bytes", None),
])
def test_byte_ranges(header: str, expected: list[tuple[int, int]] | None) -> None:
    assert preconditions.byte_ranges(header, 100) == expected


def test_cors_on_api_answers_and_iiif_answers() -> None:
    cors = Cors(("https://ok.example",), ("*",))
    ok = dict(cors.decorate("/healthz", "https://ok.example", [(b"vary", b"Accept")]))
    assert ok[b"access-control-allow-origin"] == b"https://ok.example"
    assert ok[b"vary"] == b"Accept, Origin"
    other = dict(cors.decorate("/healthz", "https://bad.example", []))
    assert b"access-control-allow-origin" not in other and other[b"vary"] == b"Origin"
    iiif = dict(cors.decorate("/iiif/3/x", None, []))
    assert iiif[b"access-control-allow-origin"] == b"*"


def test_a_refused_preflight_is_an_error_and_an_accepted_one_is_not() -> None:
    cors = Cors(("https://ok.example",), ())
    refused = cors.preflight("/healthz", "https://bad.example", "GET", None)
    assert refused is not None and refused[0] == 400 and refused[2] is not None
    accepted = cors.preflight("/healthz", "https://ok.example", "GET", "authorization, range")
    assert accepted is not None and accepted[0] == 200 and accepted[2] is None
    assert Cors((), ()).preflight("/healthz", "https://ok.example", "GET", None) is None


def test_the_planner_loads_no_web_framework() -> None:
    code = ("import sys, service.web.planner.plan, service.web.planner.hot; "
            "print(sorted(m for m in ('starlette', 'uvicorn') if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True, cwd=Path(__file__).resolve().parents[2])
    assert out.stdout.strip() == "[]"
