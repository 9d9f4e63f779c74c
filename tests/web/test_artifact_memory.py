"""The artifact memory tier answers exactly what the file answer does, over real uvicorn.

Two folio processes share one data directory: one with the tier (memory), one
with it off (FOLIO_MEMORY_ARTIFACT_BYTES=0, every answer streamed from the
file). Every request is made to both and status, raw bytes (gzip not decoded)
and headers are compared; then a stored file is replaced on disk to show the
tier really answered from memory."""

from __future__ import annotations

import gzip
import re
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from service.access.signing import Signer
from service.artifacts.catalogue import file_of
from service.artifacts.record import Record
from service.artifacts.store import atomic_write
from tests.helpers import Server, make_processing, run_server

A = ("acme", "secret-acme-memory-0123")
SIGNING = ("k1", "s" * 32)
SUBS = ["", "/ocr", "/hocr", "/language", "/pdf", "/document-splitting", "/sub-pdfs/1"]
VARIANTS: list[dict[str, str]] = [
    {"Accept-Encoding": "identity"},
    {"Accept-Encoding": "gzip"},
    {"Accept-Encoding": "br, gzip;q=0.5"},
    {"Accept-Encoding": "gzip;q=0"},
    {"Accept-Encoding": "xgzipx"},  # no substring test: this is not gzip
    {"Accept-Encoding": "*"},
    {"Accept-Encoding": "identity", "Range": "bytes=0-9"},
    {"Accept-Encoding": "gzip", "Range": "bytes=-7"},
    {"Accept-Encoding": "identity", "Range": "bytes=5-"},
    {"Accept-Encoding": "identity", "Range": "bytes=3-999999"},
    {"Accept-Encoding": "identity", "Range": "bytes=999999-"},  # 416
    {"Accept-Encoding": "identity", "Range": "bytes=x-y"},  # malformed: full 200
    {"Accept-Encoding": "identity", "Range": "bytes=0-1"},
]
# volatile per answer: the date, and a signed answer's seconds left
SKIP = {"date", "server"}
CLIENTS: dict[str, httpx.Client] = {}


def _env(max_bytes: int) -> dict[str, str]:
    return {"FOLIO_API_KEYS": f"{A[0]}:{A[1]}", "FOLIO_SIGNING_KEYS": ":".join(SIGNING),
            "FOLIO_RATE_LIMIT_RPS": "100000", "FOLIO_RATE_LIMIT_BURST": "100000",
            "FOLIO_MEMORY_ARTIFACT_BYTES": str(max_bytes)}


@pytest.fixture(scope="module")
def pair(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Server, Server]]:
    data = tmp_path_factory.mktemp("artifact-memory")
    with run_server(data, _env(16 * 1024 * 1024)) as memory, \
            run_server(data, _env(0)) as files:
        yield memory, files


@pytest.fixture(scope="module")
def doc(pair: tuple[Server, Server]) -> Record:
    return make_processing(pair[0].store, A[0], pages=3)


def _fetch(server: Server, method: str, url: str,
           headers: dict[str, str]) -> tuple[int, list[tuple[str, str]], bytes]:
    client = CLIENTS.get(server.url)
    if client is None or client.is_closed:  # the conftest closes them after each test
        client = CLIENTS[server.url] = server.client()
    with client.stream(method, url, headers=headers) as response:
        raw = b"".join(response.iter_raw())
        kept = sorted((k.lower(), re.sub(r"max-age=\d+", "max-age=N", v))
                      for k, v in response.headers.multi_items()
                      if k.lower() not in SKIP)
        return response.status_code, kept, raw


def _same(pair: tuple[Server, Server], method: str, url: str,
          headers: dict[str, str]) -> tuple[int, list[tuple[str, str]], bytes]:
    memory, files = pair
    # the first answer of the memory process comes from the route (record not yet
    # known), the second fills the tier, the third is answered from it
    for _ in range(3):
        got = _fetch(memory, method, url, headers)
    want = _fetch(files, method, url, headers)
    assert got[0] == want[0], (url, headers)
    assert got[1] == want[1], (url, headers)
    assert got[2] == want[2], (url, headers)
    return got


def _key() -> dict[str, str]:
    return {"Authorization": f"ApiKey {A[1]}"}


@pytest.mark.parametrize("sub", SUBS)
def test_every_variant_matches_the_file_answer(pair: tuple[Server, Server], doc: Record,
                                               sub: str) -> None:
    url = f"/processing/results/{doc.processing_id}{sub}"
    statuses = set()
    for variant in VARIANTS:
        for method in ("GET", "HEAD"):
            status, _, body = _same(pair, method, url, {**_key(), **variant})
            statuses.add(status)
            if method == "HEAD":
                assert body == b""
    assert {200, 206, 416} <= statuses


@pytest.mark.parametrize("sub", ["", "/ocr", "/hocr", "/pdf"])
def test_304_matches_for_both_representations(pair: tuple[Server, Server], doc: Record,
                                              sub: str) -> None:
    url = f"/processing/results/{doc.processing_id}{sub}"
    for encoding in ("identity", "gzip"):
        _, headers, _ = _same(pair, "GET", url, {**_key(), "Accept-Encoding": encoding})
        etag = dict(headers)["etag"]
        status, _, body = _same(pair, "GET", url, {**_key(), "Accept-Encoding": encoding,
                                                   "If-None-Match": etag})
        assert status == 304 and body == b""
        status, _, _ = _same(pair, "GET", url, {**_key(), "Accept-Encoding": encoding,
                                                "If-None-Match": '"other"'})
        assert status == 200


def test_multipart_ranges_fall_through_to_the_file_answer(pair: tuple[Server, Server],
                                                          doc: Record) -> None:
    url = f"/processing/results/{doc.processing_id}/ocr"
    headers = {**_key(), "Accept-Encoding": "identity", "Range": "bytes=0-1,4-6"}
    answers = [_fetch(server, "GET", url, headers) for server in (*pair, pair[0])]
    for status, kept, body in answers:
        assert status == 206
        assert dict(kept)["content-type"].startswith("multipart/byteranges")
        assert b"Content-Range: bytes 4-6/" in body


def test_signed_url_and_refusals_match(pair: tuple[Server, Server], doc: Record) -> None:
    url = Signer([SIGNING]).sign(f"/processing/results/{doc.processing_id}/ocr", 600)
    status, headers, _ = _same(pair, "GET", url, {"Accept-Encoding": "gzip"})
    assert status == 200 and dict(headers)["cache-control"].startswith("public")
    tampered = url.replace("signature=", "signature=0")
    assert _same(pair, "GET", tampered, {})[0] == 403
    assert _same(pair, "GET", f"/processing/results/{doc.processing_id}/ocr", {})[0] == 401
    # a query the fast path does not serve goes to the route, same answer
    assert _same(pair, "GET", f"/processing/results/{doc.processing_id}?include=ocr",
                 _key())[0] == 200


def test_answers_really_come_from_memory(pair: tuple[Server, Server], tmp_path: Path) -> None:
    memory, files = pair
    record = make_processing(memory.store, A[0], pages=2)
    url = f"/processing/results/{record.processing_id}/ocr"
    before = {enc: _same(pair, "GET", url, {**_key(), "Accept-Encoding": enc})[2]
              for enc in ("identity", "gzip")}
    assert gzip.decompress(before["gzip"]) == before["identity"]
    path = memory.store.artifact(record.processing_id, file_of("ocr"))
    # never done to a finished processing; here it tells the two tiers apart
    atomic_write(path, b'{"replaced": true}')
    atomic_write(Path(f"{path}.gz"), gzip.compress(b'{"replaced": true}'))
    for enc in ("identity", "gzip"):
        assert _fetch(memory, "GET", url, {**_key(), "Accept-Encoding": enc})[2] == before[enc]
        assert _fetch(files, "GET", url, {**_key(), "Accept-Encoding": enc})[2] != before[enc]
