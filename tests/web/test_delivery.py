"""Signed URLs, share tokens and cache headers, over a real folio (uvicorn, TCP, Redis)."""

from __future__ import annotations

import datetime as dt
import os
import sqlite3
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import parse_qsl, urlsplit

import hishel
import httpx
import orjson
import pytest
import pyvips
from hishel.httpx import CacheTransport

from service.access.share_tokens import RECHECK
from service.access.signing import Signer
from service.artifacts.record import Record
from tests.helpers import REDIS_URL, ROOT, Server, make_processing, metric, run_server

A = ("acme", "secret-acme-delivery-0123")
B = ("globex", "secret-globex-delivery-0123")
NEW = ("new", "n" * 32)
OLD = ("old", "o" * 32)
ORIGIN = "https://viewer.example"
TOMORROW = (dt.datetime.now(dt.UTC).date() + dt.timedelta(days=1)).isoformat()


def _env(data: Path) -> dict[str, str]:
    return {"FOLIO_API_KEYS": f"{A[0]}:{A[1]},{B[0]}:{B[1]}",
            "FOLIO_SIGNING_KEYS": f"{NEW[0]}:{NEW[1]},{OLD[0]}:{OLD[1]}",
            "FOLIO_REDIS_URL": REDIS_URL, "FOLIO_CORS_ORIGINS": ORIGIN,
            "FOLIO_IMAGE_WIDTHS": "64,128,256", "FOLIO_SIGNED_MAX_AGE": "600"}


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    data = tmp_path_factory.mktemp("delivery")
    with run_server(data, _env(data)) as srv:
        yield srv


@pytest.fixture(scope="module")
def doc(server: Server) -> Record:
    return make_processing(server.store, A[0], sizes=[(600, 800), (500, 700)])


def _page(doc: Record, query: str = "") -> str:
    url = f"/processing/results/{doc.processing_id}/page-images/1"
    return f"{url}?{query}" if query else url


def _width(body: bytes) -> int:
    return int(pyvips.Image.new_from_buffer(body, "").width)


def _vary(headers: httpx.Headers) -> set[str]:
    raw = headers.get("vary") or ""
    return {v.strip().lower() for v in raw.split(",") if v.strip()}


# -- signed URLs -------------------------------------------------------------

def test_signed_url_needs_no_key_and_is_public(server: Server, doc: Record) -> None:
    url = Signer([NEW]).sign(_page(doc, "width=100"), ttl=300)
    response = server.client().get(url)
    assert response.status_code == 200
    assert _width(response.content) == 100
    cache_control = response.headers["cache-control"]
    assert cache_control.startswith("public, max-age=")
    assert 290 <= int(cache_control.split("max-age=")[1].split(",")[0]) <= 300
    assert "immutable" in cache_control
    assert "authorization" not in _vary(response.headers)


def test_signed_304_repeats_the_200s_headers(server: Server, doc: Record) -> None:
    url = Signer([NEW]).sign(_page(doc, "width=90"), ttl=300)
    first = server.client().get(url)
    again = server.client().get(url, headers={"If-None-Match": first.headers["etag"]})
    assert again.status_code == 304
    for name in ("etag", "vary"):
        assert again.headers.get(name) == first.headers.get(name)
    assert again.headers["cache-control"].startswith("public, max-age=")


def test_signed_max_age_is_capped(server: Server, doc: Record) -> None:
    url = Signer([NEW]).sign(_page(doc, "width=91"), ttl=86400)
    assert server.client().get(url).headers["cache-control"] == \
        "public, max-age=600, immutable"


@pytest.mark.parametrize("suffix", ["", "/ocr", "/hocr", "/pdf", "/thumbnail", "/sub-pdfs/1",
                                    "/page-images", "/language"])
def test_every_results_route_takes_a_signature(server: Server, doc: Record,
                                               suffix: str) -> None:
    url = Signer([NEW]).sign(f"/processing/results/{doc.processing_id}{suffix}", ttl=60)
    response = server.client().get(url)
    assert response.status_code == 200
    assert response.headers["cache-control"].startswith("public")


def test_head_on_a_signed_url(server: Server, doc: Record) -> None:
    response = server.client().head(Signer([NEW]).sign(_page(doc, "width=92"), ttl=60))
    assert response.status_code == 200
    assert int(response.headers["content-length"]) > 0


@pytest.mark.parametrize(("change", "detail"), [
    pytest.param(lambda u: u.replace("width=100", "width=101"), "does not match",
                 id="query-changed"),
    pytest.param(lambda u: u.replace("page-images/1", "page-images/2"), "does not match",
                 id="path-changed"),
    pytest.param(lambda u: u + "&height=5", "does not match", id="parameter-added"),
    pytest.param(lambda u: u.replace("kid=new", "kid=gone"), "unknown key", id="unknown-kid"),
    pytest.param(lambda u: u.replace("&kid=new", ""), "needs", id="kid-missing"),
])
def test_tampered_signed_url_is_403(server: Server, doc: Record, change: object,
                                    detail: str) -> None:
    url = Signer([NEW]).sign(_page(doc, "width=100"), ttl=60)
    response = server.client(A[1]).get(change(url))  # type: ignore[operator]
    assert response.status_code == 403
    assert detail in response.json()["detail"]
    assert response.headers["cache-control"] == "no-store"


def test_expired_signed_url_is_403_even_with_a_matching_etag(server: Server,
                                                            doc: Record) -> None:
    fresh = server.client().get(Signer([NEW]).sign(_page(doc, "width=100"), ttl=60))
    url = Signer([NEW]).sign(_page(doc, "width=100"), ttl=-1)
    response = server.client().get(url, headers={"If-None-Match": fresh.headers["etag"]})
    assert response.status_code == 403
    assert response.json()["detail"] == "The signed URL has expired."


def test_rotation_old_key_verifies_unknown_key_does_not(server: Server, doc: Record) -> None:
    assert server.client().get(Signer([OLD]).sign(_page(doc), ttl=60)).status_code == 200
    retired = Signer([("retired", "r" * 32)]).sign(_page(doc), ttl=60)
    assert server.client().get(retired).status_code == 403


def test_signature_wins_over_a_wrong_key(server: Server, doc: Record) -> None:
    url = Signer([NEW]).sign(_page(doc, "width=93"), ttl=60)
    assert server.client(B[1]).get(url).status_code == 200


def test_signed_urls_endpoint_signs_every_result(server: Server, doc: Record) -> None:
    keyed = server.client(A[1])
    response = keyed.post(f"/processing/results/{doc.processing_id}/signed-urls",
                          json={"ttl": 120, "width": 64, "format": "webp"})
    assert response.status_code == 200
    body = response.json()
    assert body["kid"] == "new"
    assert len(body["page_images"]) == 2
    for key in ("result", "ocr", "hocr", "pdf", "thumbnail", "language", "sub_pdfs"):
        assert key in body
    anonymous = server.client()
    page = anonymous.get(body["page_images"][1])
    assert page.status_code == 200
    assert page.headers["content-type"] == "image/webp"
    assert _width(page.content) == 64
    for url in body["sub_pdfs"]:
        assert anonymous.get(url).status_code == 200
    assert anonymous.get(body["pdf"]).headers["content-type"] == "application/pdf"


def test_signed_urls_endpoint_needs_the_owning_key(server: Server, doc: Record) -> None:
    path = f"/processing/results/{doc.processing_id}/signed-urls"
    assert server.client().post(path).status_code == 401
    assert server.client(B[1]).post(path).status_code == 403
    invalid = server.client(A[1]).post(path + "?ttl=0&width=-3")
    assert invalid.status_code == 422
    assert {tuple(e["loc"]) for e in invalid.json()["detail"]} == {("query", "ttl"),
                                                                  ("query", "width")}


def test_folio_sign_cli_makes_urls_the_server_accepts(server: Server, doc: Record) -> None:
    env = {**os.environ, **_env(server.data_dir), "FOLIO_DATA_DIR": str(server.data_dir)}
    out = subprocess.run([sys.executable, "-m", "service.cli", "sign", _page(doc, "width=70"),
                          "--ttl", "30"], cwd=ROOT, env=env, capture_output=True, text=True,
                         check=True).stdout.strip()
    query = dict(parse_qsl(urlsplit(out).query))
    assert query["kid"] == "new"
    assert _width(server.client().get(out).content) == 70


# -- keyed answers -------------------------------------------------------------

def test_keyed_answer_is_private_and_varies_on_authorization(server: Server,
                                                             doc: Record) -> None:
    keyed = server.client(A[1])
    first = keyed.get(_page(doc, "width=64"))
    assert first.headers["cache-control"] == "private, max-age=31536000, immutable"
    assert {"authorization", "origin"} <= _vary(first.headers)
    again = keyed.get(_page(doc, "width=64"), headers={"If-None-Match": first.headers["etag"]})
    assert again.status_code == 304
    for name in ("etag", "vary", "cache-control"):
        assert again.headers[name] == first.headers[name]


def test_keyed_json_varies_on_authorization_and_encoding(server: Server, doc: Record) -> None:
    response = server.client(A[1]).get(f"/processing/results/{doc.processing_id}/ocr")
    assert {"authorization", "accept-encoding", "origin"} <= _vary(response.headers)


def test_keyed_widths_snap_up_signed_widths_do_not(server: Server, doc: Record) -> None:
    assert _width(server.client(A[1]).get(_page(doc, "width=100")).content) == 128
    assert _width(server.client(A[1]).get(_page(doc, "width=300")).content) == 600
    signed = Signer([NEW]).sign(_page(doc, "width=100"), ttl=60)
    assert _width(server.client().get(signed).content) == 100


def test_a_browser_cache_keeps_keyed_answers_to_their_key(server: Server, doc: Record) -> None:
    """hishel is an RFC 9111 cache; as a private (browser) cache it reuses the
    keyed answer for the same key, and Vary sends every other request to folio."""
    storage = hishel.SqliteStorage(connection=sqlite3.connect(":memory:",
                                                              check_same_thread=False))
    transport = CacheTransport(httpx.HTTPTransport(), storage=storage,
                               rfc=hishel.CacheOptions(shared=False))
    url = server.url + _page(doc, "width=66")
    with httpx.Client(transport=transport) as browser:
        seen = []
        for key in (A[1], A[1], None, B[1], "wrong"):
            headers = {"Authorization": f"ApiKey {key}"} if key else {}
            response = browser.get(url, headers=headers)
            seen.append((response.status_code, response.extensions["caching"]["from_cache"]))
    assert seen == [(200, False), (200, True), (401, False), (403, False), (401, False)]


# -- format negotiation --------------------------------------------------------

@pytest.mark.parametrize(("accept", "media_type"), [
    ("image/avif,image/webp,*/*;q=0.8", "image/avif"),
    ("image/webp,*/*;q=0.8", "image/webp"),
    ("*/*", "image/jpeg"),
])
def test_format_auto_follows_accept(server: Server, doc: Record, accept: str,
                                    media_type: str) -> None:
    keyed = server.client(A[1], headers={"Accept": accept})
    response = keyed.get(_page(doc, "width=64&format=auto"))
    assert response.headers["content-type"] == media_type
    assert "accept" in _vary(response.headers)
    assert media_type.split("/")[1] in response.headers["etag"]
    again = keyed.get(_page(doc, "width=64&format=auto"),
                      headers={"If-None-Match": response.headers["etag"]})
    assert again.status_code == 304
    assert again.headers["vary"] == response.headers["vary"]


def test_no_format_stays_jpeg_whatever_accept_says(server: Server, doc: Record) -> None:
    response = server.client(A[1], headers={"Accept": "image/avif"}).get(_page(doc, "width=64"))
    assert response.headers["content-type"] == "image/jpeg"
    assert "accept" not in _vary(response.headers)


# -- share tokens ---------------------------------------------------------------

def _token(server: Server, doc: Record) -> dict[str, str]:
    response = server.client(A[1]).post("/share-tokens/documents",
                                         json={"document_id": doc.processing_id,
                                               "expires_at": TOMORROW})
    assert response.status_code == 201
    body: dict[str, str] = response.json()
    return body


def test_share_token_reads_its_processing_privately(server: Server, doc: Record) -> None:
    token = _token(server, doc)
    assert set(token) == {"document_id", "expires_at", "uuid", "tenant_id", "last_used_at",
                          "token", "issuer_user_id"}
    anonymous = server.client()
    for suffix in ("/page-images/1?width=64&token=", "/ocr?token=", "?token="):
        response = anonymous.get(f"/processing/results/{doc.processing_id}{suffix}"
                                 + token["token"])
        assert response.status_code == 200
        assert response.headers["cache-control"] == "private, no-cache"
        assert "authorization" in _vary(response.headers)


def test_share_token_opens_no_other_processing(server: Server, doc: Record) -> None:
    token = _token(server, doc)
    other = make_processing(server.store, A[0])
    response = server.client().get(f"/processing/results/{other.processing_id}/ocr",
                                   params={"token": token["token"]})
    assert response.status_code == 403
    assert "does not open" in response.json()["detail"]


def test_share_token_is_read_only(server: Server, doc: Record) -> None:
    token = _token(server, doc)
    response = server.client().post(
        f"/processing/results/{doc.processing_id}/signed-urls?token={token['token']}")
    assert response.status_code == 403


def test_share_tokens_are_listed_per_tenant(server: Server, doc: Record) -> None:
    token = _token(server, doc)
    server.client().get(_page(doc), params={"token": token["token"]})
    mine = server.client(A[1]).get("/share-tokens/documents").json()
    listed = next(t for t in mine if t["uuid"] == token["uuid"])
    assert listed["last_used_at"] is not None
    theirs = server.client(B[1]).get("/share-tokens/documents").json()
    assert token["uuid"] not in {t["uuid"] for t in theirs}


@pytest.mark.parametrize(("body", "loc"), [
    pytest.param({"expires_at": TOMORROW}, "document_id", id="no-document"),
    pytest.param({"document_id": "nope", "expires_at": TOMORROW}, "document_id",
                 id="bad-document"),
    pytest.param({"document_id": "DOC", "expires_at": "2000-01-01"}, "expires_at", id="past"),
    pytest.param({"document_id": "DOC", "expires_at": "tomorrow"}, "expires_at",
                 id="not-a-date"),
    pytest.param({"document_id": "DOC"}, "expires_at", id="no-date"),
])
def test_share_token_bad_input_is_422(server: Server, doc: Record, body: dict[str, str],
                                      loc: str) -> None:
    if body.get("document_id") == "DOC":
        body = {**body, "document_id": doc.processing_id}
    response = server.client(A[1]).post("/share-tokens/documents", json=body)
    assert response.status_code == 422
    assert [e["loc"] for e in response.json()["detail"]] == [["body", loc]]


def test_share_token_for_another_tenants_processing_is_403(server: Server,
                                                          doc: Record) -> None:
    response = server.client(B[1]).post("/share-tokens/documents",
                                        json={"document_id": doc.processing_id,
                                              "expires_at": TOMORROW})
    assert response.status_code == 403


def test_revocation_reaches_another_process_within_a_second(server: Server,
                                                            doc: Record) -> None:
    token = _token(server, doc)
    url = _page(doc, "width=64&token=" + token["token"])
    with run_server(server.data_dir, _env(server.data_dir)) as second:
        assert second.client().get(url).status_code == 200
        revoked = server.client(A[1]).delete("/share-tokens/documents",
                                             params={"token_uuid": token["uuid"]})
        assert revoked.status_code == 204
        assert server.client().get(url).status_code == 403  # the revoking process: at once
        # the other answers from its check of the token for up to share_tokens.RECHECK
        # (1 s); a deadline well past it, so a loaded machine does not fail the test
        deadline = time.monotonic() + 10 * RECHECK
        while (response := second.client().get(url)).status_code == 200 \
                and time.monotonic() < deadline:
            time.sleep(0.05)
        assert response.status_code == 403
        assert "revoked" in response.json()["detail"]
    again = server.client(A[1]).delete("/share-tokens/documents",
                                       params={"token_uuid": token["uuid"]})
    assert again.status_code == 404


# -- operations ---------------------------------------------------------------

def test_metrics_count_access_kinds_and_refusals(server: Server, doc: Record) -> None:
    before = server.client().get("/metrics").text
    server.client().get(Signer([NEW]).sign(_page(doc, "width=94"), ttl=-5))
    server.client().get(Signer([NEW]).sign(_page(doc, "width=94"), ttl=60))
    server.client(A[1]).get(_page(doc, "width=94"))
    after = server.client().get("/metrics").text
    for name in ('folio_access_total{kind="signed"}', 'folio_access_total{kind="key"}',
                 'folio_access_refused_total{reason="expired"}'):
        assert metric(after, name) == metric(before, name) + 1, name


def test_access_log_has_the_query_without_signature_or_token(tmp_path: Path) -> None:
    env = {**_env(tmp_path), "FOLIO_ACCESS_LOG": "true", "FOLIO_LOG_LEVEL": "info"}
    with run_server(tmp_path, env) as srv:
        doc = make_processing(srv.store, A[0])
        signed = Signer([NEW]).sign(_page(doc, "width=20&format=webp"), ttl=60)
        assert srv.client().get(signed).status_code == 200
        token = _token(srv, doc)["token"]
        assert srv.client().get(_page(doc, f"width=21&token={token}")).status_code == 200
        srv.process.terminate()
        srv.process.wait(10)
        assert srv.process.stdout is not None
        out = srv.process.stdout.read().decode()
    lines = [orjson.loads(line) for line in out.splitlines() if line.startswith("{")]
    pages = [line for line in lines if line["path"].endswith("/page-images/1")]
    assert [(line["access"], line["query"].split("&expires")[0]) for line in pages] == [
        ("signed", "width=20&format=webp"), ("token", "width=21")]
    assert "signature" not in out
    assert token not in out
