"""Every status code on every results endpoint, in the contract's order."""

from __future__ import annotations

import uuid

import pytest

from tests.conftest import TENANT_A, TENANT_B
from tests.helpers import Server, make_processing

ENDPOINTS = ["", "/ocr", "/hocr", "/extractions", "/ner", "/language", "/page-images",
             "/page-images/1", "/thumbnail", "/document-splitting", "/sub-pdfs",
             "/sub-pdfs/0", "/pdf"]
# which workflow produces each endpoint's result
WORKFLOW = {"/extractions": "invoice_extraction", "/ner": "invoice_extraction"}


def workflow_for(endpoint: str) -> str:
    return WORKFLOW.get(endpoint, "generic_splitting")


def url(pid: str, endpoint: str) -> str:
    return f"/processing/results/{pid}{endpoint}"


@pytest.mark.parametrize("endpoint", ENDPOINTS, ids=lambda e: e or "full")
def test_every_status_on_every_endpoint(server: Server, endpoint: str) -> None:
    store = server.store
    done = make_processing(store, TENANT_A[0], workflow_for(endpoint))
    pending = make_processing(store, TENANT_A[0], workflow_for(endpoint), status="pending")
    running = make_processing(store, TENANT_A[0], workflow_for(endpoint), status="running")
    failed = make_processing(store, TENANT_A[0], workflow_for(endpoint), status="failed",
                             error="page 3 is 180 megapixels, the limit is 100")
    a = server.client(TENANT_A[1])
    b = server.client(TENANT_B[1])
    anonymous = server.client()

    ok = a.get(url(done.processing_id, endpoint))
    assert ok.status_code == 200
    assert ok.headers["cache-control"] == "private, max-age=31536000, immutable"
    assert ok.headers["etag"].startswith('"')

    for response in (anonymous.get(url(done.processing_id, endpoint)),
                     server.client("wrong-secret").get(url(done.processing_id, endpoint)),
                     anonymous.get(url(done.processing_id, endpoint),
                                   headers={"Authorization": "Bearer " + TENANT_A[1]})):
        assert response.status_code == 401
        assert response.json() == {"detail": "Credentials could not be validated."}
        assert response.headers["cache-control"] == "no-store"

    bad = a.get(url("not-a-uuid", endpoint))
    assert bad.status_code == 422
    assert bad.json()["detail"][0]["loc"] == ["path", "processing_id"]

    missing = a.get(url(str(uuid.uuid4()), endpoint))
    assert missing.status_code == 404
    assert missing.headers["cache-control"] == "no-store"

    foreign = b.get(url(done.processing_id, endpoint))
    assert foreign.status_code == 403
    assert foreign.json() == {
        "detail": "Credentials could not be authorized for this processing request."}

    for record in (pending, running):
        # the full result long-polls 120 s by default; sub-results answer at once
        waiting = a.get(url(record.processing_id, endpoint),
                        params={"wait_for": 0} if endpoint == "" else None)
        assert waiting.status_code == 202
        assert waiting.json() == {"processing_id": record.processing_id,
                                  "url": f"/processing/results/{record.processing_id}"}
        assert waiting.headers["cache-control"] == "no-store"

    broken = a.get(url(failed.processing_id, endpoint))
    assert broken.status_code == 500
    assert broken.json() == {"detail": "page 3 is 180 megapixels, the limit is 100"}
    assert broken.headers["cache-control"] == "no-store"


def test_credentials_are_checked_before_validation(server: Server) -> None:
    response = server.client().get(url("not-a-uuid", "/ocr"))
    assert response.status_code == 401


def test_validation_is_checked_before_existence(server: Server) -> None:
    pid = str(uuid.uuid4())
    response = server.client(TENANT_A[1]).get(url(pid, "/page-images/0"))
    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"] == ["path", "page_num"]


def test_existence_is_checked_before_tenant(server: Server) -> None:
    response = server.client(TENANT_B[1]).get(url(str(uuid.uuid4()), "/ocr"))
    assert response.status_code == 404


def test_tenant_is_checked_before_state(server: Server) -> None:
    failed = make_processing(server.store, TENANT_A[0], status="failed")
    assert server.client(TENANT_B[1]).get(url(failed.processing_id, "")).status_code == 403


def test_uppercase_uuid_is_rejected_not_aliased(server: Server) -> None:
    done = make_processing(server.store, TENANT_A[0])
    response = server.client(TENANT_A[1]).get(url(done.processing_id.upper(), "/ocr"))
    assert response.status_code == 422


@pytest.mark.parametrize("page", ["0", "-1", "1.5", "abc", "1e3"])
def test_bad_page_num_is_422(server: Server, page: str) -> None:
    done = make_processing(server.store, TENANT_A[0])
    response = server.client(TENANT_A[1]).get(url(done.processing_id, f"/page-images/{page}"))
    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"] == ["path", "page_num"]


def test_page_past_the_end_is_404(server: Server) -> None:
    done = make_processing(server.store, TENANT_A[0], pages=2)
    client = server.client(TENANT_A[1])
    assert client.get(url(done.processing_id, "/page-images/2")).status_code == 200
    assert client.get(url(done.processing_id, "/page-images/3")).status_code == 404


def test_sub_pdf_past_the_end_is_404(server: Server) -> None:
    done = make_processing(server.store, TENANT_A[0])
    client = server.client(TENANT_A[1])
    assert client.get(url(done.processing_id, "/sub-pdfs/1")).status_code == 200
    assert client.get(url(done.processing_id, "/sub-pdfs/2")).status_code == 404
    assert client.get(url(done.processing_id, "/sub-pdfs/-1")).status_code == 422


def test_result_the_workflow_did_not_produce_is_404(server: Server) -> None:
    done = make_processing(server.store, TENANT_A[0], workflow="ocr")
    pending = make_processing(server.store, TENANT_A[0], workflow="ocr", status="pending")
    client = server.client(TENANT_A[1])
    for pid in (done.processing_id, pending.processing_id):
        assert client.get(url(pid, "/extractions")).status_code == 404
        assert client.get(url(pid, "/sub-pdfs")).status_code == 404


@pytest.mark.parametrize("query,loc", [
    ("include=nonsense", ["query", "include"]),
    ("wait_for=181", ["query", "wait_for"]),
    ("wait_for=-1", ["query", "wait_for"]),
    ("wait_for=soon", ["query", "wait_for"]),
], ids=["unknown-include", "wait-too-long", "wait-negative", "wait-not-int"])
def test_bad_query_is_422_naming_the_parameter(server: Server, query: str,
                                               loc: list[str]) -> None:
    done = make_processing(server.store, TENANT_A[0])
    response = server.client(TENANT_A[1]).get(url(done.processing_id, "") + "?" + query)
    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"] == loc
    assert {"loc", "msg", "type"} <= set(response.json()["detail"][0])


def test_corrupt_record_is_500_and_others_keep_working(server: Server) -> None:
    broken = make_processing(server.store, TENANT_A[0])
    fine = make_processing(server.store, TENANT_A[0])
    # a fresh id so no web process has the record cached
    victim = make_processing(server.store, TENANT_A[0], status="running")
    (server.store.directory(victim.processing_id) / "record.json").write_bytes(b"{not json")
    client = server.client(TENANT_A[1])
    response = client.get(url(victim.processing_id, ""))
    assert response.status_code == 500
    assert "damaged" in response.json()["detail"]
    assert client.get(url(fine.processing_id, "")).status_code == 200
    assert client.get(url(broken.processing_id, "/ocr")).status_code == 200


def test_workflows_list(server: Server) -> None:
    response = server.client(TENANT_A[1]).get("/processing/workflows")
    assert response.status_code == 200
    listed = {w["workflow_id"]: w for w in response.json()}
    assert {"ocr", "invoice_extraction", "generic_splitting"} <= set(listed)
    assert listed["generic_splitting"]["category"] == "prebuilt"
    assert "sub-pdfs" in listed["generic_splitting"]["retrievable_results"]
    assert server.client().get("/processing/workflows").status_code == 401
