"""HTTP caching behaviour over a real uvicorn: ETag/304, HEAD, Range, compression, CORS."""

from __future__ import annotations

import gzip

import httpx
import orjson
import pytest

from service.artifacts.record import Record
from tests.conftest import TENANT_A
from tests.helpers import Server, make_processing


@pytest.fixture
def done(server: Server) -> Record:
    return make_processing(server.store, TENANT_A[0])


@pytest.fixture
def client(server: Server) -> httpx.Client:
    # httpx would otherwise ask for gzip on every request
    return server.client(TENANT_A[1], headers={"Accept-Encoding": "identity"})


def path(record: Record, sub: str) -> str:
    return f"/processing/results/{record.processing_id}{sub}"


def stored(server: Server, record: Record, name: str) -> bytes:
    return server.store.artifact(record.processing_id, name).read_bytes()


def test_etag_is_strong_and_stable(client: httpx.Client, done: Record) -> None:
    first = client.get(path(done, "/pdf"))
    second = client.get(path(done, "/pdf"))
    assert first.headers["etag"] == second.headers["etag"]
    assert not first.headers["etag"].startswith("W/")


def test_if_none_match_gives_304(client: httpx.Client, done: Record) -> None:
    etag = client.get(path(done, "/pdf")).headers["etag"]
    response = client.get(path(done, "/pdf"), headers={"If-None-Match": etag})
    assert response.status_code == 304
    assert response.content == b""
    assert response.headers["etag"] == etag
    assert response.headers["cache-control"] == "private, max-age=31536000, immutable"


def test_if_none_match_list_and_weak_form_match(client: httpx.Client, done: Record) -> None:
    etag = client.get(path(done, "/page-images/1")).headers["etag"]
    listed = client.get(path(done, "/page-images/1"),
                        headers={"If-None-Match": f'"other", W/{etag}'})
    assert listed.status_code == 304


def test_if_none_match_star_gives_304(client: httpx.Client, done: Record) -> None:
    assert client.get(path(done, "/ocr"), headers={"If-None-Match": "*"}).status_code == 304


def test_if_none_match_other_tag_gives_200(client: httpx.Client, done: Record) -> None:
    response = client.get(path(done, "/ocr"), headers={"If-None-Match": '"nope"'})
    assert response.status_code == 200


def test_304_on_json_list_endpoint(client: httpx.Client, done: Record) -> None:
    etag = client.get(path(done, "/page-images")).headers["etag"]
    assert client.get(path(done, "/page-images"),
                      headers={"If-None-Match": etag}).status_code == 304


@pytest.mark.parametrize("sub", ["", "/ocr", "/hocr", "/language", "/page-images",
                                 "/page-images/1", "/thumbnail", "/document-splitting",
                                 "/sub-pdfs", "/sub-pdfs/0", "/pdf"],
                         ids=lambda s: s or "full")
def test_head_matches_get_without_body(client: httpx.Client, done: Record, sub: str) -> None:
    get = client.get(path(done, sub))
    head = client.head(path(done, sub))
    assert head.status_code == 200
    assert head.content == b""
    assert head.headers["etag"] == get.headers["etag"]
    assert head.headers["content-length"] == str(len(get.content))


def test_head_on_error_is_error(client: httpx.Client, server: Server) -> None:
    assert server.client().head(path(make_processing(server.store, "acme"), "/pdf")
                                ).status_code == 401


def test_full_file_has_accept_ranges_and_length(client: httpx.Client, server: Server,
                                                done: Record) -> None:
    response = client.get(path(done, "/pdf"))
    assert response.headers["accept-ranges"] == "bytes"
    assert response.content == stored(server, done, "searchable.pdf")
    assert response.headers["content-length"] == str(len(response.content))
    assert response.headers["content-type"] == "application/pdf"


def test_range_first_bytes(client: httpx.Client, server: Server, done: Record) -> None:
    data = stored(server, done, "searchable.pdf")
    response = client.get(path(done, "/pdf"), headers={"Range": "bytes=0-9"})
    assert response.status_code == 206
    assert response.content == data[:10]
    assert response.headers["content-range"] == f"bytes 0-9/{len(data)}"
    assert response.headers["content-length"] == "10"


def test_range_open_end(client: httpx.Client, server: Server, done: Record) -> None:
    data = stored(server, done, "searchable.pdf")
    response = client.get(path(done, "/pdf"), headers={"Range": "bytes=100-"})
    assert response.status_code == 206
    assert response.content == data[100:]


def test_range_suffix(client: httpx.Client, server: Server, done: Record) -> None:
    data = stored(server, done, "searchable.pdf")
    response = client.get(path(done, "/pdf"), headers={"Range": "bytes=-20"})
    assert response.status_code == 206
    assert response.content == data[-20:]


def test_range_suffix_longer_than_file(client: httpx.Client, server: Server,
                                       done: Record) -> None:
    data = stored(server, done, "searchable.pdf")
    response = client.get(path(done, "/pdf"), headers={"Range": f"bytes=-{len(data) + 50}"})
    assert response.status_code == 206
    assert response.content == data


def test_range_end_past_file_is_clamped(client: httpx.Client, server: Server,
                                        done: Record) -> None:
    data = stored(server, done, "searchable.pdf")
    response = client.get(path(done, "/pdf"), headers={"Range": "bytes=10-999999999"})
    assert response.status_code == 206
    assert response.content == data[10:]


def test_several_ranges_are_multipart(client: httpx.Client, server: Server,
                                      done: Record) -> None:
    data = stored(server, done, "searchable.pdf")
    response = client.get(path(done, "/pdf"), headers={"Range": "bytes=0-4,20-29"})
    assert response.status_code == 206
    assert response.headers["content-type"].startswith("multipart/byteranges; boundary=")
    assert data[0:5] in response.content and data[20:30] in response.content
    assert response.headers["content-length"] == str(len(response.content))


def test_unsatisfiable_range_is_416(client: httpx.Client, server: Server,
                                    done: Record) -> None:
    size = len(stored(server, done, "searchable.pdf"))
    response = client.get(path(done, "/pdf"), headers={"Range": f"bytes={size + 10}-"})
    assert response.status_code == 416
    assert response.headers["content-range"] == f"bytes */{size}"


def test_malformed_range_is_ignored(client: httpx.Client, server: Server,
                                    done: Record) -> None:
    response = client.get(path(done, "/pdf"), headers={"Range": "pages=1-2"})
    assert response.status_code == 200
    assert response.content == stored(server, done, "searchable.pdf")


def test_if_range_matching_etag_gives_206(client: httpx.Client, done: Record) -> None:
    etag = client.get(path(done, "/pdf")).headers["etag"]
    response = client.get(path(done, "/pdf"), headers={"Range": "bytes=0-9", "If-Range": etag})
    assert response.status_code == 206


def test_if_range_stale_etag_gives_full_200(client: httpx.Client, done: Record) -> None:
    response = client.get(path(done, "/pdf"),
                          headers={"Range": "bytes=0-9", "If-Range": '"stale"'})
    assert response.status_code == 200
    assert len(response.content) > 10


def test_range_on_page_image_and_hocr(client: httpx.Client, done: Record) -> None:
    assert client.get(path(done, "/page-images/1"),
                      headers={"Range": "bytes=0-1"}).content == b"\xff\xd8"
    assert client.get(path(done, "/hocr"), headers={"Range": "bytes=0-8"}).content == b"<!DOCTYPE"


def test_json_is_gzipped_when_accepted(client: httpx.Client, server: Server,
                                       done: Record) -> None:
    response = client.get(path(done, "/ocr"), headers={"Accept-Encoding": "gzip"})
    assert response.headers["content-encoding"] == "gzip"
    assert "Accept-Encoding" in response.headers["vary"]
    assert orjson.loads(response.content) == orjson.loads(stored(server, done, "ocr.json"))
    assert int(response.headers["content-length"]) < len(stored(server, done, "ocr.json"))


def test_gzip_and_identity_have_different_etags(client: httpx.Client, done: Record) -> None:
    plain = client.get(path(done, "/ocr"))
    zipped = client.get(path(done, "/ocr"), headers={"Accept-Encoding": "gzip"})
    assert "content-encoding" not in plain.headers
    assert "Accept-Encoding" in plain.headers["vary"]
    assert plain.headers["etag"] != zipped.headers["etag"]


def test_gzip_refused_with_q0(client: httpx.Client, done: Record) -> None:
    response = client.get(path(done, "/ocr"), headers={"Accept-Encoding": "gzip;q=0, br"})
    assert "content-encoding" not in response.headers


def test_gzip_via_star(client: httpx.Client, done: Record) -> None:
    response = client.get(path(done, "/ocr"), headers={"Accept-Encoding": "*"})
    assert response.headers["content-encoding"] == "gzip"


def test_hocr_is_gzipped_html(client: httpx.Client, server: Server, done: Record) -> None:
    response = client.get(path(done, "/hocr"), headers={"Accept-Encoding": "gzip"})
    assert response.headers["content-encoding"] == "gzip"
    assert response.headers["content-type"] == "text/html; charset=utf-8"
    assert response.content == stored(server, done, "hocr.html")


def test_full_body_is_gzipped(client: httpx.Client, done: Record) -> None:
    raw = client.get(path(done, ""), headers={"Accept-Encoding": "gzip"})
    assert raw.headers["content-encoding"] == "gzip"
    assert raw.json()["processing_id"] == done.processing_id


def test_range_request_is_never_compressed(client: httpx.Client, server: Server,
                                           done: Record) -> None:
    response = client.get(path(done, "/ocr"),
                          headers={"Accept-Encoding": "gzip", "Range": "bytes=0-9"})
    assert response.status_code == 206
    assert "content-encoding" not in response.headers
    assert response.content == stored(server, done, "ocr.json")[:10]


@pytest.mark.parametrize("sub", ["/pdf", "/page-images/1", "/thumbnail", "/sub-pdfs/0"])
def test_images_and_pdfs_are_never_compressed(client: httpx.Client, done: Record,
                                              sub: str) -> None:
    response = client.get(path(done, sub), headers={"Accept-Encoding": "gzip"})
    assert "content-encoding" not in response.headers


def test_sub_pdf_has_file_name(client: httpx.Client, done: Record) -> None:
    response = client.get(path(done, "/sub-pdfs/1"))
    assert response.headers["content-disposition"] == 'attachment; filename="sub_document_1.pdf"'


def test_stored_gzip_file_is_valid(server: Server, done: Record) -> None:
    assert gzip.decompress(stored(server, done, "ocr.json.gz")) == stored(server, done, "ocr.json")


def test_full_body_shape_and_include(client: httpx.Client, done: Record) -> None:
    body = client.get(path(done, "")).json()
    assert body["processing_id"] == done.processing_id
    assert body["workflow_id"] == "generic_splitting"
    assert set(body["available_results"]) == set(done.results)
    assert body["page_images"] == [f"/processing/results/{done.processing_id}/page-images/1",
                                   f"/processing/results/{done.processing_id}/page-images/2"]
    assert body["ocr"]["pages"][0]["bboxes"][0]["text"] == "Rechnung"
    assert "status" not in body
    only = client.get(path(done, "?include=ocr&include=sub-pdfs")).json()
    assert set(only) == {"processing_id", "workflow_id", "workflow_name",
                         "available_results", "ocr", "sub_pdfs"}
    assert only["available_results"] == body["available_results"]


def test_cors_exposes_range_headers(server: Server, done: Record) -> None:
    response = server.client(TENANT_A[1]).get(path(done, "/pdf"),
                                              headers={"Origin": "https://viewer.example"})
    exposed = response.headers["access-control-expose-headers"].lower()
    assert "content-range" in exposed and "accept-ranges" in exposed
    assert response.headers["access-control-allow-origin"] == "https://viewer.example"
