"""Page images at any size through a real server: size math, formats, cache, coalescing."""

from __future__ import annotations

import asyncio
import time
from pathlib import Path

import httpx
import pytest
import pyvips

from service.artifacts.record import Record
from service.images.imaging import output_size
from tests.conftest import TENANT_A, TENANT_B
from tests.helpers import (
    REDIS_URL,
    Server,
    SpareRedis,
    make_processing,
    metric,
    run_server,
)

SECRET = TENANT_A[1]
TENANT_B_SECRET = TENANT_B[1]
PAGES = [(1819, 2573), (2573, 1819), (640, 640), (101, 777)]
REQUESTS = [(100, None), (None, 100), (300, 300), (5000, None), (None, 5000), (5000, 5000),
            (1, None), (640, 10), (99, 2000)]


@pytest.fixture(scope="module")
def sized(server: Server) -> Record:
    return make_processing(server.store, TENANT_A[0], workflow="ocr", sizes=PAGES)


def url(record: Record, page: int, **query: object) -> str:
    qs = "&".join(f"{k}={v}" for k, v in query.items() if v is not None)
    return f"/processing/results/{record.processing_id}/page-images/{page}?{qs}"


def renders(server: Server) -> float:
    return metric(server.client().get("/metrics").text, "folio_renders_total")


@pytest.mark.parametrize("page", range(1, len(PAGES) + 1),
                         ids=lambda p: "x".join(map(str, PAGES[p - 1])))
@pytest.mark.parametrize("width,height", REQUESTS, ids=lambda v: str(v))
def test_output_size_matrix(server: Server, sized: Record, page: int, width: int | None,
                            height: int | None) -> None:
    page_w, page_h = PAGES[page - 1]
    response = server.client(SECRET).get(url(sized, page, width=width, height=height))
    assert response.status_code == 200
    image = pyvips.Image.new_from_buffer(response.content, "")
    assert (image.width, image.height) == output_size(page_w, page_h, width, height)
    assert image.width <= page_w and image.height <= page_h
    if width and height:
        assert image.width <= width and image.height <= height
    if width and width < page_w and (not height or width * page_h <= height * page_w):
        assert image.width == width
    # aspect kept within one pixel
    aspect_error = abs(image.width * page_h / page_w - image.height)
    assert aspect_error <= 1 or min(image.width, image.height) == 1


def test_exact_a4_numbers(server: Server, sized: Record) -> None:
    response = server.client(SECRET).get(url(sized, 1, width=800))
    image = pyvips.Image.new_from_buffer(response.content, "")
    assert (image.width, image.height) == (800, 1132)


@pytest.mark.parametrize("fmt,loader", [("jpeg", "jpegload_buffer"), ("png", "pngload_buffer"),
                                        ("webp", "webpload_buffer"),
                                        ("avif", "heifload_buffer")])
def test_every_format_decodes_to_the_computed_size(server: Server, sized: Record, fmt: str,
                                                   loader: str) -> None:
    response = server.client(SECRET).get(url(sized, 1, width=333, format=fmt))
    assert response.status_code == 200
    assert response.headers["content-type"] == f"image/{fmt}"
    assert "content-encoding" not in response.headers
    image = pyvips.Image.new_from_buffer(response.content, "")
    assert image.get("vips-loader") == loader
    assert (image.width, image.height) == (333, 471)


@pytest.mark.parametrize("query,loc", [
    ("width=0", "width"), ("width=-5", "width"), ("width=1.5", "width"), ("width=abc", "width"),
    ("width=1e5", "width"), ("height=0", "height"), ("format=bmp", "format"),
    ("quality=0", "quality"), ("quality=101", "quality")])
def test_bad_scaling_parameters_are_422(server: Server, sized: Record, query: str,
                                        loc: str) -> None:
    path = f"/processing/results/{sized.processing_id}/page-images/1?{query}"
    response = server.client(SECRET).get(path)
    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"] == ["query", loc]


def test_validation_comes_before_existence(server: Server) -> None:
    response = server.client(SECRET).get(
        "/processing/results/6f1c1c36-93a1-4d3c-9e5b-3f2a61f0f0a1/page-images/1?width=0")
    assert response.status_code == 422


def test_equivalent_requests_share_one_entry(server: Server, sized: Record) -> None:
    client = server.client(SECRET)
    first = client.get(url(sized, 3, width=320))
    same = client.get(url(sized, 3, height=320))
    boxed = client.get(url(sized, 3, width=320, height=9000))
    assert first.headers["x-cache"] == "miss"
    assert same.headers["x-cache"] == "hit-memory"
    assert boxed.headers["x-cache"] == "hit-memory"
    assert first.headers["etag"] == same.headers["etag"] == boxed.headers["etag"]
    assert first.content == same.content


def test_request_for_the_page_itself_serves_the_stored_file(server: Server,
                                                            sized: Record) -> None:
    client = server.client(SECRET)
    before = renders(server)
    response = client.get(url(sized, 3, width=5000))
    stored = server.store.artifact(sized.processing_id, "pages/3.jpg").read_bytes()
    assert response.content == stored
    assert response.headers["accept-ranges"] == "bytes"
    # the stored page is a size like any other: from the tiers, no render, one ETag
    again = client.get(url(sized, 3))
    assert again.content == stored
    assert again.headers["x-cache"] == "hit-memory"
    assert again.headers["etag"] == response.headers["etag"]
    assert renders(server) - before <= 1  # at most the one file read, counted as a render
    part = client.get(url(sized, 3), headers={"Range": "bytes=10-19"})
    assert part.status_code == 206 and part.content == stored[10:20]
    assert part.headers["content-range"] == f"bytes 10-19/{len(stored)}"


def test_304_without_render(server: Server, sized: Record) -> None:
    client = server.client(SECRET)
    etag = client.get(url(sized, 2, width=211)).headers["etag"]
    before = renders(server)
    response = client.get(url(sized, 2, width=211), headers={"If-None-Match": etag})
    # a size never rendered before: the ETag alone answers
    unseen = client.get(url(sized, 2, width=212),
                        headers={"If-None-Match": etag.replace(
                              "{}x{}".format(*output_size(2573, 1819, 211, None)),
                              "{}x{}".format(*output_size(2573, 1819, 212, None)))})
    assert response.status_code == 304
    assert unseen.status_code == 304
    assert renders(server) == before


def test_thumbnail_is_page_one_within_the_configured_box(server: Server, sized: Record) -> None:
    response = server.client(SECRET).get(
        f"/processing/results/{sized.processing_id}/thumbnail")
    image = pyvips.Image.new_from_buffer(response.content, "")
    assert (image.width, image.height) == output_size(1819, 2573, 256, 256)
    assert response.headers["cache-control"].endswith("immutable")


def test_concurrent_identical_misses_render_once(server: Server) -> None:
    record = make_processing(server.store, TENANT_A[0], workflow="ocr", sizes=[(1819, 2573)])
    before = renders(server)

    async def burst() -> list[httpx.Response]:
        async with httpx.AsyncClient(base_url=server.url, timeout=60,
                                     headers={"Authorization": f"ApiKey {SECRET}"}) as client:
            return await asyncio.gather(*(client.get(url(record, 1, width=777))
                                          for _ in range(50)))

    responses = asyncio.run(burst())
    assert {r.status_code for r in responses} == {200}
    assert len({r.content for r in responses}) == 1
    assert renders(server) - before == 1
    outcomes = [r.headers["x-cache"] for r in responses]
    assert outcomes.count("miss") == 1


def test_two_processes_sharing_redis_render_once(tmp_path: Path) -> None:
    data = tmp_path / "d"
    # no job workers: on the shared Redis they would take other test runs' jobs
    env = {"FOLIO_REDIS_URL": REDIS_URL, "FOLIO_API_KEYS": f"acme:{SECRET}",
           "FOLIO_RATE_LIMIT_RPS": "100000", "FOLIO_RATE_LIMIT_BURST": "100000",
           "FOLIO_JOB_WORKERS": "0"}
    with run_server(data, env) as one, run_server(data, env) as two:
        record = make_processing(one.store, "acme", workflow="ocr", sizes=[(1819, 2573)])

        async def burst() -> list[httpx.Response]:
            headers = {"Authorization": f"ApiKey {SECRET}"}
            async with httpx.AsyncClient(base_url=one.url, headers=headers, timeout=60) as a, \
                    httpx.AsyncClient(base_url=two.url, headers=headers, timeout=60) as b:
                return await asyncio.gather(*((a if i % 2 else b).get(url(record, 1, width=640))
                                              for i in range(60)))

        responses = asyncio.run(burst())
        assert {r.status_code for r in responses} == {200}, [
            (r.text, dict(r.headers)) for r in responses if r.status_code != 200]
        total = renders(one) + renders(two)
    assert total == 1


def test_redis_outage_never_fails_a_request(tmp_path: Path, spare_redis: SpareRedis) -> None:
    env = {"FOLIO_REDIS_URL": spare_redis.url, "FOLIO_API_KEYS": f"acme:{SECRET}",
           "FOLIO_MEMORY_CACHE_BYTES": "1"}
    with run_server(tmp_path / "d", env) as srv:
        record = make_processing(srv.store, "acme", workflow="ocr", sizes=[(640, 640)])
        client = srv.client(SECRET)
        assert client.get(url(record, 1, width=100)).headers["x-cache"] == "miss"
        assert client.get(url(record, 1, width=100)).headers["x-cache"] == "hit-redis"
        spare_redis.stop()
        for width in (101, 102, 103, 100):
            response = client.get(url(record, 1, width=width))
            assert response.status_code == 200
            assert response.headers["x-cache"] == "miss"
        spare_redis.start()
        try:
            # the breaker lets a trial call through after a few seconds
            outcome = ""
            for _ in range(100):
                client.get(url(record, 1, width=104))
                outcome = client.get(url(record, 1, width=104)).headers["x-cache"]
                if outcome == "hit-redis":
                    break
                time.sleep(0.1)
            assert outcome == "hit-redis"
        finally:
            spare_redis.stop()


def test_fast_path_hit_matches_the_slow_path(server: Server, sized: Record) -> None:
    client = server.client(SECRET, headers={"Origin": "https://viewer.example"})
    miss = client.get(url(sized, 4, width=50))
    hit = client.get(url(sized, 4, width=50))
    head = client.head(url(sized, 4, width=50))
    assert miss.headers["x-cache"] == "miss" and hit.headers["x-cache"] == "hit-memory"
    assert hit.content == miss.content
    for name in ("etag", "cache-control", "content-type"):
        assert hit.headers[name] == miss.headers[name] == head.headers[name]
    assert head.content == b"" and head.headers["content-length"] == str(len(hit.content))
    # CORS wraps the fast path too
    assert hit.headers["access-control-allow-origin"] == "https://viewer.example"
    metrics = server.client().get("/metrics").text
    assert ('folio_requests_total{method="GET",route="/processing/results/{processing_id}'
            '/page-images/{page_num}",status="200"}') in metrics


def test_fast_path_leaves_errors_to_the_app(server: Server, sized: Record) -> None:
    client = server.client(SECRET)
    client.get(url(sized, 1, width=64))
    assert client.get(url(sized, 9, width=64)).status_code == 404
    assert client.get(url(sized, 1, width=0)).status_code == 422
    assert client.get(url(sized, 1, width=64) + "&width=65").status_code == 200
    assert server.client("nope").get(url(sized, 1, width=64)).status_code == 401
    assert server.client(TENANT_B_SECRET).get(url(sized, 1, width=64)).status_code == 403


def test_rate_limit_counts_each_request_once(tmp_path: Path) -> None:
    env = {"FOLIO_API_KEYS": f"acme:{SECRET}", "FOLIO_RATE_LIMIT_RPS": "0.01",
           "FOLIO_RATE_LIMIT_BURST": "4"}
    with run_server(tmp_path / "d", env) as srv:
        record = make_processing(srv.store, "acme", workflow="ocr", sizes=[(640, 640)])
        client = srv.client(SECRET)
        # a miss falls through the fast path to the app; a hit is answered by it
        codes = [client.get(url(record, 1, width=100)).status_code for _ in range(6)]
    assert codes == [200, 200, 200, 200, 429, 429]
