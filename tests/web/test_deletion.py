"""DELETE /processing/results/{id} on a real server over TCP, with a Redis image cache."""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import redis

from cache import keys
from service.images.scaler import cache_prefix
from service.web.openapi import document
from tests.conftest import TENANT_A, TENANT_B
from tests.helpers import REDIS_URL, Server, folio, make_processing, run_server

CACHE_URL = REDIS_URL.rsplit("/", 1)[0] + "/14"


@pytest.fixture(scope="module")
def node(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    keys_env = f"{TENANT_A[0]}:{TENANT_A[1]},{TENANT_B[0]}:{TENANT_B[1]}"
    with run_server(tmp_path_factory.mktemp("data"), {
            "FOLIO_API_KEYS": keys_env, "FOLIO_REDIS_CACHE_URL": CACHE_URL,
            "FOLIO_RATE_LIMIT_RPS": "100000", "FOLIO_RATE_LIMIT_BURST": "100000"}) as srv:
        yield srv


def cached_images(processing_id: str) -> list[bytes]:
    with redis.Redis.from_url(CACHE_URL) as client:
        return list(client.scan_iter(match=keys.entries_under(cache_prefix(processing_id))))


def share_token(node: Server, processing_id: str) -> str:
    day = (dt.date.today() + dt.timedelta(days=30)).isoformat()
    made = node.client(TENANT_A[1]).post("/share-tokens/documents", json={
        "document_id": processing_id, "expires_at": day})
    assert made.status_code == 201
    token: str = made.json()["token"]
    return token


def url(processing_id: str, tail: str = "") -> str:
    return f"/processing/results/{processing_id}{tail}"


def test_delete_removes_the_processing_from_the_store_and_every_tier(node: Server) -> None:
    record = make_processing(node.store, TENANT_A[0])
    pid = record.processing_id
    a = node.client(TENANT_A[1])
    warm = [url(pid), url(pid, "/ocr"), url(pid, "/page-images/1?width=20"),
            url(pid, "/thumbnail"), url(pid, "/sub-pdfs/0")]
    for path in warm * 2:  # the second round is answered from the memory tiers
        assert a.get(path).status_code == 200, path
    assert cached_images(pid)
    answer = a.delete(url(pid))
    assert answer.status_code == 204
    assert answer.content == b""
    assert answer.headers["cache-control"] == "no-store"
    for path in warm:
        assert a.get(path).status_code == 404, path
    assert cached_images(pid) == []
    assert not node.store.directory(pid).exists()
    assert not any(node.store.directory(pid).parent.iterdir())  # no tombstone left


def test_delete_without_credentials_is_401(node: Server) -> None:
    pid = make_processing(node.store, TENANT_A[0]).processing_id
    answer = node.client().delete(url(pid))
    assert answer.status_code == 401
    assert answer.headers["www-authenticate"] == "ApiKey"
    assert node.client(TENANT_A[1]).get(url(pid)).status_code == 200


def test_delete_another_tenants_processing_is_403(node: Server) -> None:
    pid = make_processing(node.store, TENANT_A[0]).processing_id
    assert node.client(TENANT_B[1]).delete(url(pid)).status_code == 403
    assert node.client(TENANT_A[1]).get(url(pid)).status_code == 200


def test_delete_an_unknown_processing_is_404(node: Server) -> None:
    answer = node.client(TENANT_A[1]).delete(url("2b1f0d8e-7c55-4b8e-9d0e-3f1a2b3c4d5e"))
    assert answer.status_code == 404
    assert answer.json() == {"detail": "No processing with this id."}


def test_delete_twice_is_404_the_second_time(node: Server) -> None:
    pid = make_processing(node.store, TENANT_A[0]).processing_id
    a = node.client(TENANT_A[1])
    assert a.delete(url(pid)).status_code == 204
    assert a.delete(url(pid)).status_code == 404


def test_delete_a_malformed_id_is_422(node: Server) -> None:
    answer = node.client(TENANT_A[1]).delete(url("not-a-uuid"))
    assert answer.status_code == 422
    assert answer.json()["detail"][0]["loc"] == ["path", "processing_id"]


@pytest.mark.parametrize("status", ["pending", "running"])
def test_delete_an_unfinished_processing_is_409(node: Server, status: str) -> None:
    pid = make_processing(node.store, TENANT_A[0], status=status).processing_id
    a = node.client(TENANT_A[1])
    answer = a.delete(url(pid))
    assert answer.status_code == 409
    assert "not finished" in answer.json()["detail"]
    assert node.store.load(pid) is not None


def test_delete_a_failed_processing_is_204(node: Server) -> None:
    pid = make_processing(node.store, TENANT_A[0], status="failed").processing_id
    a = node.client(TENANT_A[1])
    assert a.get(url(pid)).status_code == 500
    assert a.delete(url(pid)).status_code == 204
    assert a.get(url(pid)).status_code == 404


def test_share_tokens_die_with_their_processing(node: Server) -> None:
    pid = make_processing(node.store, TENANT_A[0]).processing_id
    a = node.client(TENANT_A[1])
    token = share_token(node, pid)
    assert node.client().get(url(pid), params={"token": token}).status_code == 200
    assert a.delete(url(pid)).status_code == 204
    listed = a.get("/share-tokens/documents").json()
    assert all(t["document_id"] != pid for t in listed)
    assert node.client().get(url(pid), params={"token": token}).status_code in (403, 404)


def test_a_share_token_cannot_delete(node: Server) -> None:
    pid = make_processing(node.store, TENANT_A[0]).processing_id
    a = node.client(TENANT_A[1])
    token = share_token(node, pid)
    assert node.client().delete(url(pid), params={"token": token}).status_code == 401
    assert a.get(url(pid)).status_code == 200


def test_the_result_url_allows_delete(node: Server) -> None:
    pid = make_processing(node.store, TENANT_A[0]).processing_id
    answer = node.client(TENANT_A[1]).put(url(pid))
    assert answer.status_code == 405
    assert answer.headers["allow"] == "GET, HEAD, DELETE"


def test_deleted_processing_leaves_no_files(node: Server) -> None:
    pid = make_processing(node.store, TENANT_A[0], workflow="invoice_extraction").processing_id
    assert node.client(TENANT_A[1]).delete(url(pid)).status_code == 204
    left = [p for p in Path(node.data_dir).rglob("*") if pid in str(p)]
    assert left == []


def test_every_worker_process_forgets_a_deleted_processing(tmp_path: Path) -> None:
    keys_env = f"{TENANT_A[0]}:{TENANT_A[1]}"
    with run_server(tmp_path / "data", {"FOLIO_API_KEYS": keys_env},
                    ("--workers", "2")) as pair:
        pid = make_processing(pair.store, TENANT_A[0]).processing_id
        paths = [url(pid), url(pid, "/ocr"), url(pid, "/page-images/1?width=20")]
        for _ in range(10):  # new connections: both processes see every path
            for path in paths:
                assert pair.client(TENANT_A[1]).get(path).status_code == 200
        assert pair.client(TENANT_A[1]).delete(url(pid)).status_code == 204
        time.sleep(1.0)  # FileInvalidations.POLL is 0.5 s
        codes = {pair.client(TENANT_A[1]).get(path).status_code
                 for _ in range(10) for path in paths}
        assert codes == {404}


def test_folio_delete_deletes_through_the_api(node: Server) -> None:
    pid = make_processing(node.store, TENANT_A[0]).processing_id
    env = {"FOLIO_URL": node.url, "FOLIO_KEY": TENANT_A[1]}
    done = folio(node.data_dir, "delete", pid, env=env)
    assert (done.returncode, done.stdout) == (0, f"deleted {pid}\n")
    again = folio(node.data_dir, "delete", pid, env=env)
    assert again.returncode == 1 and "404" in again.stderr


def test_the_openapi_document_marks_delete_as_folios_extension() -> None:
    operation = document()["paths"]["/processing/results/{processing_id}"]["delete"]
    assert operation["x-folio-extension"] is True
    assert set(operation["responses"]) == {"204", "401", "403", "404", "409", "422", "429"}
    assert "FOLIO_RETENTION_DAYS" in operation["description"]
