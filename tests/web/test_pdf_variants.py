"""/pdf and /sub-pdfs/{index} with the published options, over real uvicorn and a real
processing (generic_splitting of a generated bundle)."""

from __future__ import annotations

import io
import subprocess
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx
import pikepdf
import pytest

from benchmarks.invoices.generate import generate_bundle
from tests.conftest import TENANT_A, TENANT_B
from tests.helpers import Server, run_server
from tests.pipeline.pdfa_check import PDFA1_ONLY, as_part_one, pdfa2_findings, preflight

SECRET = TENANT_A[1]


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    # a server of its own (memory cache only): these tests count renders
    data = tmp_path_factory.mktemp("pdf-data")
    keys = f"{TENANT_A[0]}:{TENANT_A[1]},{TENANT_B[0]}:{TENANT_B[1]}"
    with run_server(data, {"FOLIO_API_KEYS": keys, "FOLIO_RATE_LIMIT_RPS": "100000",
                           "FOLIO_RATE_LIMIT_BURST": "100000"}) as srv:
        yield srv


@pytest.fixture(scope="module")
def done(server: Server) -> dict[str, object]:
    bundle, _ = generate_bundle([1, 2], seed=5)
    with httpx.Client(base_url=server.url, timeout=120,
                      headers={"Authorization": f"ApiKey {SECRET}"}) as client:
        response = client.post("/processing/generic_splitting?wait_for=120",
                               files={"file": ("bundle.pdf", bundle)})
    assert response.status_code == 201, response.text
    body: dict[str, object] = response.json()
    return body


@pytest.fixture
def client(server: Server) -> httpx.Client:
    return server.client(SECRET)


def url(done: dict[str, object], tail: str = "/pdf") -> str:
    return f"/processing/results/{done['processing_id']}{tail}"


def stored(server: Server, done: dict[str, object], name: str) -> bytes:
    return server.store.artifact(str(done["processing_id"]), name).read_bytes()


def pdftotext(data: bytes, tmp_path: Path) -> list[str]:
    path = tmp_path / "got.pdf"
    path.write_bytes(data)
    done = subprocess.run(["pdftotext", str(path), "-"], capture_output=True, check=True,
                          timeout=60)
    return done.stdout.decode("utf-8").split()


def pages(done: dict[str, object]) -> int:
    return len(done["page_images"])  # type: ignore[arg-type]


def sub_pages(done: dict[str, object], index: int) -> int:
    split = done["document_splitting"]
    assert isinstance(split, dict)
    return len(split["sub_documents"][index]["pages"])


def image_widths(data: bytes) -> list[int]:
    with pikepdf.open(io.BytesIO(data)) as pdf:
        return [int(page.Resources.XObject.Im0.Width) for page in pdf.pages]


def test_no_options_serve_the_stored_file(client: httpx.Client, server: Server,
                                          done: dict[str, object]) -> None:
    response = client.get(url(done))
    assert response.status_code == 200
    assert response.content == stored(server, done, "searchable.pdf")
    again = client.get(url(done), params={"dpi": 220})
    assert again.headers["etag"] == response.headers["etag"]
    assert again.content == response.content


@pytest.mark.parametrize(("query", "loc"), [
    ({"dpi": "49"}, "dpi"),
    ({"dpi": "601"}, "dpi"),
    ({"jpeg_quality": "0"}, "jpeg_quality"),
    ({"image_width": "10001"}, "image_width"),
    ({"image_height": "x"}, "image_height"),
    ({"page_width": "210"}, "page_height"),
    ({"page_height": "297"}, "page_width"),
    ({"page_width": "20", "page_height": "297"}, "page_width"),
    ({"pdfa_compliant": "perhaps"}, "pdfa_compliant"),
], ids=lambda v: str(v))
@pytest.mark.parametrize("tail", ["/pdf", "/sub-pdfs/0"])
def test_bad_options_are_422_naming_the_parameter(client: httpx.Client, done: dict[str, object],
                                                  query: dict[str, str], loc: str,
                                                  tail: str) -> None:
    response = client.get(url(done, tail), params=query)
    assert response.status_code == 422
    assert [e["loc"] for e in response.json()["detail"]] == [["query", loc]]


def test_dpi_renders_the_pages_again(client: httpx.Client, done: dict[str, object],
                                     tmp_path: Path) -> None:
    default = client.get(url(done))
    response = client.get(url(done), params={"dpi": 110})
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/pdf"
    assert response.headers["etag"] != default.headers["etag"]
    assert image_widths(response.content) == [910] * pages(done)
    assert pdftotext(response.content, tmp_path) == pdftotext(default.content, tmp_path)


def test_a_variant_is_rendered_once_then_cached_and_revalidated(
        client: httpx.Client, done: dict[str, object]) -> None:
    params = {"jpeg_quality": 37}
    first = client.get(url(done), params=params)
    second = client.get(url(done), params=params)
    assert first.headers["x-cache"] == "miss"
    assert second.headers["x-cache"] == "hit-memory"
    assert second.content == first.content
    etag = first.headers["etag"]
    revalidated = client.get(url(done), params=params, headers={"if-none-match": etag})
    assert revalidated.status_code == 304 and revalidated.headers["etag"] == etag


def test_concurrent_requests_share_one_render(server: Server, done: dict[str, object]) -> None:
    params = {"image_width": 333}

    def fetch(_: int) -> httpx.Response:
        with httpx.Client(base_url=server.url, timeout=120,
                          headers={"Authorization": f"ApiKey {SECRET}"}) as c:
            return c.get(url(done), params=params)

    with ThreadPoolExecutor(6) as pool:
        responses = list(pool.map(fetch, range(6)))
    assert {r.status_code for r in responses} == {200}
    assert len({r.content for r in responses}) == 1
    outcomes = sorted(r.headers["x-cache"] for r in responses)
    assert outcomes.count("miss") == 1, outcomes
    assert image_widths(responses[0].content) == [333] * pages(done)


def test_a_variant_answers_byte_ranges(client: httpx.Client, done: dict[str, object]) -> None:
    params = {"dpi": 72}
    full = client.get(url(done), params=params).content
    part = client.get(url(done), params=params, headers={"range": "bytes=100-199"})
    assert part.status_code == 206
    assert part.content == full[100:200]
    assert part.headers["content-range"] == f"bytes 100-199/{len(full)}"
    tail = client.get(url(done), params=params, headers={"range": "bytes=-50"})
    assert tail.status_code == 206 and tail.content == full[-50:]
    past = client.get(url(done), params=params, headers={"range": f"bytes={len(full)}-"})
    assert past.status_code == 416
    assert past.headers["content-range"] == f"bytes */{len(full)}"
    assert past.headers["cache-control"] == "no-store"
    stale = client.get(url(done), params=params,
                       headers={"range": "bytes=0-9", "if-range": '"another"'})
    assert stale.status_code == 200 and stale.content == full


def test_page_size_in_mm(client: httpx.Client, done: dict[str, object]) -> None:
    response = client.get(url(done), params={"page_width": 100, "page_height": 200})
    with pikepdf.open(io.BytesIO(response.content)) as pdf:
        boxes = [[round(float(v), 2) for v in page.MediaBox] for page in pdf.pages]
    assert boxes == [[0, 0, 283.46, 566.93]] * pages(done)


def test_pdfa_variant_validates(client: httpx.Client, done: dict[str, object],
                                tmp_path: Path) -> None:
    response = client.get(url(done), params={"pdfa_compliant": "true"})
    path = tmp_path / "a.pdf"
    path.write_bytes(response.content)
    assert pdfa2_findings(path) == []
    assert set(preflight(as_part_one(path, tmp_path / "p1.pdf"))) <= PDFA1_ONLY


def test_sub_pdf_default_is_the_stored_file(client: httpx.Client, server: Server,
                                            done: dict[str, object]) -> None:
    response = client.get(url(done, "/sub-pdfs/1"))
    assert response.status_code == 200
    assert response.content == stored(server, done, "sub-pdfs/1.pdf")


def test_sub_pdf_with_options(client: httpx.Client, done: dict[str, object],
                              tmp_path: Path) -> None:
    response = client.get(url(done, "/sub-pdfs/1"), params={"image_width": 400})
    assert response.status_code == 200
    assert response.headers["content-disposition"] == (
        'attachment; filename="sub_document_1.pdf"')
    assert image_widths(response.content) == [400] * sub_pages(done, 1)
    # made from the page images: the text layer is the OCR result's words of its pages
    split, ocr = done["document_splitting"], done["ocr"]
    assert isinstance(split, dict) and isinstance(ocr, dict)
    words = [b["text"] for n in split["sub_documents"][1]["pages"]
             for b in ocr["pages"][n - 1]["bboxes"]]
    assert sorted(pdftotext(response.content, tmp_path)) == sorted(words)
    other = client.get(url(done, "/sub-pdfs/0"), params={"image_width": 400})
    assert image_widths(other.content) == [400] * sub_pages(done, 0)


def test_sub_pdf_past_the_end_with_options_is_404(client: httpx.Client,
                                                  done: dict[str, object]) -> None:
    split = done["document_splitting"]
    assert isinstance(split, dict)
    past = len(split["sub_documents"])
    assert client.get(url(done, f"/sub-pdfs/{past}"), params={"dpi": 100}).status_code == 404


def test_another_tenant_gets_no_variant(server: Server, done: dict[str, object]) -> None:
    response = server.client(TENANT_B[1]).get(url(done), params={"dpi": 100})
    assert response.status_code == 403


def test_head_of_a_variant_has_the_headers_and_no_body(client: httpx.Client,
                                                       done: dict[str, object]) -> None:
    params = {"dpi": 72}
    full = client.get(url(done), params=params)
    head = client.head(url(done), params=params)
    assert head.status_code == 200
    assert head.content == b""
    assert head.headers["etag"] == full.headers["etag"]
    assert head.headers["content-length"] == str(len(full.content))


def test_several_ranges_or_a_malformed_one_get_the_whole_variant(
        client: httpx.Client, done: dict[str, object]) -> None:
    params = {"dpi": 72}
    full = client.get(url(done), params=params).content
    for header in ("bytes=0-1,5-6", "bytes=x-y", "lines=0-10", "bytes=50-10"):
        response = client.get(url(done), params=params, headers={"range": header})
        assert response.status_code == 200, header
        assert response.content == full
