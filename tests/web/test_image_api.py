"""The IIIF Image API over HTTP against a real folio (uvicorn over TCP).

Validator-style: what a IIIF client sees -- info.json fields, redirects, tiles,
conditional requests, CORS, and the spec's error codes -- plus folio's own
access rules (401/403/404/202) on the same URLs.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import httpx
import pytest
import pyvips

from service.access.signing import Signer
from tests.conftest import TENANT_A, TENANT_B
from tests.helpers import Server, make_processing, run_server

A4 = (1819, 2573)


@pytest.fixture(scope="module")
def pid(server: Server) -> str:
    record = make_processing(server.store, TENANT_A[0], sizes=[A4, (600, 400)])
    return record.processing_id


@pytest.fixture
def client(server: Server) -> httpx.Client:
    return server.client(TENANT_A[1])


def decoded(response: httpx.Response) -> pyvips.Image:
    return pyvips.Image.new_from_buffer(response.content, "")


# -- info.json ----------------------------------------------------------------

def test_info_json(server: Server, client: httpx.Client, pid: str) -> None:
    response = client.get(f"/iiif/3/{pid}~1/info.json")
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/json"
    info = response.json()
    assert info["id"] == f"{server.url}/iiif/3/{pid}~1"
    assert info["type"] == "ImageService3"
    assert info["profile"] == "level2"
    assert (info["width"], info["height"]) == A4
    assert info["tiles"][0]["width"] == 512
    assert info["tiles"][0]["scaleFactors"] == [1, 2, 4, 8]


def test_info_json_of_the_second_page(client: httpx.Client, pid: str) -> None:
    info = client.get(f"/iiif/3/{pid}~2/info.json").json()
    assert (info["width"], info["height"]) == (600, 400)
    assert info["tiles"][0]["scaleFactors"] == [1, 2]


def test_info_json_ld_when_asked(client: httpx.Client, pid: str) -> None:
    response = client.get(f"/iiif/3/{pid}~1/info.json",
                          headers={"Accept": "application/ld+json"})
    assert response.headers["content-type"] == (
        'application/ld+json;profile="http://iiif.io/api/image/3/context.json"')
    assert "Accept" in response.headers["vary"]


def test_info_json_revalidates_to_304(client: httpx.Client, pid: str) -> None:
    etag = client.get(f"/iiif/3/{pid}~1/info.json").headers["etag"]
    again = client.get(f"/iiif/3/{pid}~1/info.json", headers={"If-None-Match": etag})
    assert again.status_code == 304


def test_base_uri_redirects_to_info_json_keeping_the_query(client: httpx.Client,
                                                             pid: str) -> None:
    response = client.get(f"/iiif/3/{pid}~1?token=abc")
    assert response.status_code == 303
    assert response.headers["location"] == f"/iiif/3/{pid}~1/info.json?token=abc"


# -- images -------------------------------------------------------------------

def test_tile(client: httpx.Client, pid: str) -> None:
    response = client.get(f"/iiif/3/{pid}~1/512,1024,512,512/256,/0/default.jpg")
    assert response.status_code == 200
    assert response.headers["content-type"] == "image/jpeg"
    image = decoded(response)
    assert (image.width, image.height) == (256, 256)
    assert response.headers["link"].startswith(
        f"</iiif/3/{pid}~1/512,1024,512,512/256,256/0/"
        'default.jpg>;rel="canonical"')
    assert "immutable" in response.headers["cache-control"]


def test_edge_tile_is_cut_at_the_page_edge(client: httpx.Client, pid: str) -> None:
    response = client.get(f"/iiif/3/{pid}~1/1536,2048,512,512/max/0/default.png")
    image = decoded(response)
    assert (image.width, image.height) == (283, 512)
    assert response.headers["content-type"] == "image/png"


def test_second_request_is_a_cache_hit(client: httpx.Client, pid: str) -> None:
    url = f"/iiif/3/{pid}~1/0,0,1024,1024/512,512/0/default.webp"
    first = client.get(url)
    second = client.get(url)
    assert first.headers["x-cache"] == "miss"
    assert second.headers["x-cache"] == "hit-memory"
    assert first.content == second.content
    # the hit is answered in front of the router: the same headers as the render's
    for name in ("etag", "link", "content-type", "cache-control", "content-length"):
        assert first.headers[name] == second.headers[name]
    assert decoded(second).get("vips-loader") == "webpload_buffer"


def test_every_spelling_of_one_image_shares_one_etag(client: httpx.Client, pid: str) -> None:
    a = client.get(f"/iiif/3/{pid}~1/0,0,512,512/max/0/default.jpg")
    b = client.get(f"/iiif/3/{pid}~1/pct:0,0,28.15,19.9/pct:100/360/color.jpg")
    assert a.status_code == b.status_code == 200
    assert a.headers["etag"] == b.headers["etag"]


def test_tile_revalidates_to_304_without_a_body(client: httpx.Client, pid: str) -> None:
    url = f"/iiif/3/{pid}~1/0,0,512,512/128,/0/gray.jpg"
    etag = client.get(url).headers["etag"]
    again = client.get(url, headers={"If-None-Match": etag})
    assert again.status_code == 304
    assert again.content == b""


def test_full_max_is_the_stored_page_itself(server: Server, client: httpx.Client,
                                            pid: str) -> None:
    response = client.get(f"/iiif/3/{pid}~1/full/max/0/default.jpg")
    stored = server.store.artifact(pid, "pages/1.jpg").read_bytes()
    assert response.content == stored
    assert response.headers["accept-ranges"] == "bytes"


def test_gray_and_rotated(client: httpx.Client, pid: str) -> None:
    image = decoded(client.get(f"/iiif/3/{pid}~2/0,0,300,100/max/!90/gray.png"))
    assert (image.width, image.height, image.bands) == (100, 300, 1)


def test_head_has_no_body(client: httpx.Client, pid: str) -> None:
    response = client.head(f"/iiif/3/{pid}~1/0,0,512,512/64,/0/default.jpg")
    assert response.status_code == 200
    assert response.content == b""


# -- IIIF errors ----------------------------------------------------------------

@pytest.mark.parametrize("path, status", [
    ("abcdef/max/0/default.jpg", 400),
    ("0,0,0,10/max/0/default.jpg", 400),
    ("5000,0,10,10/max/0/default.jpg", 400),
    ("full/2000,/0/default.jpg", 400),
    ("full/pct:101/0/default.jpg", 400),
    ("full/^2000,/0/default.jpg", 501),
    ("full/max/45/default.jpg", 501),
    ("full/max/400/default.jpg", 400),
    ("full/max/0/grey.jpg", 400),
    ("full/max/0/default.tif", 501),
    ("full/max/0/default.bmp", 400),
    ("full/full/0/default.jpg", 400),
], ids=["random-region", "empty-region", "region-outside", "width-above-region",
        "pct-above-100", "upscaling", "rotation-45", "rotation-400", "grey",
        "tif", "bmp", "size-full-is-2.x"])
def test_iiif_errors(client: httpx.Client, pid: str, path: str, status: int) -> None:
    response = client.get(f"/iiif/3/{pid}~1/{path}")
    assert response.status_code == status
    assert isinstance(response.json()["detail"], str)
    assert response.headers["cache-control"] == "no-store"


@pytest.mark.parametrize("page", ["0", "3", "x", "-1", "01x"])
def test_unknown_page_is_404(client: httpx.Client, pid: str, page: str) -> None:
    assert client.get(f"/iiif/3/{pid}~{page}/info.json").status_code == 404
    assert client.get(f"/iiif/3/{pid}~{page}/full/max/0/default.jpg").status_code == 404


def test_unknown_processing_is_404(client: httpx.Client) -> None:
    pid = "00000000-0000-4000-8000-000000000000"
    assert client.get(f"/iiif/3/{pid}~1/info.json").status_code == 404


# -- folio's access rules on IIIF URLs ---------------------------------------------

def test_no_key_is_401(server: Server, pid: str) -> None:
    assert server.client().get(f"/iiif/3/{pid}~1/info.json").status_code == 401
    assert server.client().get(f"/iiif/3/{pid}~1/full/max/0/default.jpg").status_code == 401


def test_another_tenant_is_403(server: Server, pid: str) -> None:
    other = server.client(TENANT_B[1])
    assert other.get(f"/iiif/3/{pid}~1/0,0,512,512/max/0/default.jpg").status_code == 403


def test_running_processing_is_202(server: Server, client: httpx.Client) -> None:
    record = make_processing(server.store, TENANT_A[0], status="running")
    response = client.get(f"/iiif/3/{record.processing_id}~1/info.json")
    assert response.status_code == 202


# -- CORS ---------------------------------------------------------------------------

def test_iiif_answers_any_origin_by_default(client: httpx.Client, pid: str) -> None:
    response = client.get(f"/iiif/3/{pid}~1/info.json",
                          headers={"Origin": "https://mirador.example"})
    assert response.headers["access-control-allow-origin"] == "*"
    assert "ETag" in response.headers["access-control-expose-headers"]


def test_iiif_preflight_allows_the_authorization_header(server: Server, pid: str) -> None:
    response = server.client().options(
        f"/iiif/3/{pid}~1/info.json",
        headers={"Origin": "https://mirador.example", "Access-Control-Request-Method": "GET",
                 "Access-Control-Request-Headers": "authorization"})
    assert response.status_code == 204
    assert response.headers["access-control-allow-origin"] == "*"
    assert "Authorization" in response.headers["access-control-allow-headers"]


def test_api_cors_is_unchanged_outside_iiif(client: httpx.Client, pid: str) -> None:
    response = client.get(f"/processing/results/{pid}/page-images",
                          headers={"Origin": "https://mirador.example"})
    assert "access-control-allow-origin" not in response.headers


# -- viewer -------------------------------------------------------------------------

def test_viewer_page_needs_no_key_and_holds_none(server: Server, pid: str) -> None:
    response = server.client().get(f"/viewer/{pid}")
    assert response.status_code == 200
    assert response.headers["content-type"] == "text/html; charset=utf-8"
    assert "default-src 'self'" in response.headers["content-security-policy"]
    assert response.headers["referrer-policy"] == "no-referrer"
    assert "ApiKey" not in response.text
    assert server.client().get("/viewer/assets/viewer.js").status_code == 200
    assert server.client().get("/viewer/assets/nothing.js").status_code == 404


def test_iiif_cors_setting() -> None:
    from service.config import ConfigError, Settings

    assert Settings.from_env({}).iiif_cors_origins == ("*",)
    assert Settings.from_env({"FOLIO_IIIF_CORS_ORIGINS": "none"}).iiif_cors_origins == ()
    listed = Settings.from_env({"FOLIO_IIIF_CORS_ORIGINS": "https://a.example, https://b.example"})
    assert listed.iiif_cors_origins == ("https://a.example", "https://b.example")
    with pytest.raises(ConfigError):
        Settings.from_env({"FOLIO_IIIF_TILE_SIZE": "0"})


def test_iiif_cors_limited_to_listed_origins(tmp_path: Path) -> None:
    with run_server(tmp_path, {"FOLIO_API_KEYS": f"{TENANT_A[0]}:{TENANT_A[1]}",
                               "FOLIO_IIIF_CORS_ORIGINS": "https://a.example"}) as srv:
        pid = make_processing(srv.store, TENANT_A[0], sizes=[(600, 400)]).processing_id
        client = srv.client(TENANT_A[1])
        url = f"/iiif/3/{pid}~1/info.json"
        listed = client.get(url, headers={"Origin": "https://a.example"})
        assert listed.headers["access-control-allow-origin"] == "https://a.example"
        assert "Origin" in listed.headers["vary"]
        other = client.get(url, headers={"Origin": "https://b.example"})
        assert other.status_code == 200
        assert "access-control-allow-origin" not in other.headers
        preflight = srv.client().options(url, headers={
            "Origin": "https://b.example", "Access-Control-Request-Method": "GET"})
        assert preflight.status_code == 400


# -- share tokens and signed URLs open IIIF images like page images ------------------

def _share(client: httpx.Client, pid: str) -> str:
    expires = (dt.date.today() + dt.timedelta(days=2)).isoformat()
    created = client.post("/share-tokens/documents",
                          json={"document_id": pid, "expires_at": expires})
    assert created.status_code in (200, 201), created.text
    token: str = created.json()["token"]
    return token


def test_share_token_opens_info_and_tiles(server: Server, client: httpx.Client,
                                          pid: str) -> None:
    token = _share(client, pid)
    anonymous = server.client()
    info = anonymous.get(f"/iiif/3/{pid}~1/info.json", params={"token": token})
    assert info.status_code == 200
    assert info.headers["cache-control"] == "private, no-cache"
    url = f"/iiif/3/{pid}~1/512,0,512,512/256,/0/default.jpg"
    first = anonymous.get(url, params={"token": token})
    second = anonymous.get(url, params={"token": token})
    assert first.status_code == second.status_code == 200
    assert second.headers["x-cache"] == "hit-memory"
    assert second.headers["cache-control"] == "private, no-cache"
    assert second.headers["link"] == first.headers["link"]


def test_share_token_of_another_processing_is_403(server: Server, client: httpx.Client,
                                                   pid: str) -> None:
    other = make_processing(server.store, TENANT_A[0], sizes=[(100, 100)]).processing_id
    token = _share(client, other)
    response = server.client().get(f"/iiif/3/{pid}~1/0,0,64,64/max/0/default.jpg",
                                   params={"token": token})
    assert response.status_code == 403


def test_signed_tile_is_public_and_bound_to_its_region(server: Server, pid: str) -> None:
    signer = Signer.for_deployment([], server.data_dir)
    url = signer.sign(f"/iiif/3/{pid}~1/0,512,512,512/128,/0/default.jpg", 600)
    response = server.client().get(url)
    assert response.status_code == 200
    assert response.headers["cache-control"].startswith("public, max-age=")
    forged = url.replace("0,512,512,512", "0,0,512,512")
    assert server.client().get(forged).status_code == 403
