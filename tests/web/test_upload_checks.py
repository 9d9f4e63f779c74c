"""The upload check over real HTTP: PDFium one at a time, bombs, zero pages, signatures."""

from __future__ import annotations

import contextlib
import os
import zipfile
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx
import pikepdf
import pytest

from tests.conftest import TENANT_A
from tests.helpers import Server, run_server
from tests.pipeline.conftest import INVOICE, make_text_pdf
from tests.pipeline.test_decompression_bound import MIB, _pdf_with_content
from tests.pipeline.test_detect_signatures import _png_with_text

SECRET = TENANT_A[1]


@pytest.fixture(scope="module")
def folio(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    env = {"FOLIO_API_KEYS": f"{TENANT_A[0]}:{SECRET}", "FOLIO_RATE_LIMIT_RPS": "100000",
           "FOLIO_RATE_LIMIT_BURST": "100000", "FOLIO_JOB_WORKERS": "1",
           "FOLIO_PAGE_WORKERS": "1", "FOLIO_MAX_DECOMPRESSED_BYTES": str(8 * MIB)}
    with run_server(tmp_path_factory.mktemp("data"), env) as server:
        yield server


def _post(client: httpx.Client, content: bytes, wait_for: int = 0) -> httpx.Response:
    return client.post(f"/processing/ocr?wait_for={wait_for}",
                       files={"file": ("upload.bin", content)})


def test_two_uploads_checked_at_once_keep_their_own_answers(folio: Server,
                                                            tmp_path: Path) -> None:
    # 200 pages read by PDFium, the last one too large (so nothing is queued), while
    # a damaged PDF is repaired by PDFium in the other request
    long = make_text_pdf(tmp_path / "long.pdf", [INVOICE[:2]] * 199)
    with pikepdf.open(long, allow_overwriting_input=True) as pdf:
        pdf.add_blank_page(page_size=(5000, 5000))
        pdf.save(long)
    uploads = {"long": long.read_bytes()}
    uploads["broken"] = uploads["long"][: len(uploads["long"]) // 2]
    clients = [folio.client(SECRET), folio.client(SECRET)]

    def post(n: int) -> tuple[int, str]:
        response = _post(clients[n % 2], uploads["long" if n % 2 == 0 else "broken"])
        return response.status_code, str(response.json()["detail"])

    with ThreadPoolExecutor(2) as pool:
        answers = list(pool.map(post, range(200)))
    assert set(answers[0::2]) == {(429, "page 200 is 233 megapixels, the limit is 100")}
    assert {status for status, _ in answers[1::2]} == {422}
    assert all("the PDF is damaged or truncated" in detail for _, detail in answers[1::2])
    good = make_text_pdf(tmp_path / "good.pdf", [INVOICE]).read_bytes()
    assert _post(clients[0], good).status_code == 202


def test_decompression_bomb_is_refused_at_upload(folio: Server, tmp_path: Path) -> None:
    bomb = _pdf_with_content(tmp_path / "bomb.pdf", 64 * MIB).read_bytes()
    assert len(bomb) < MIB
    response = _post(folio.client(SECRET), bomb)
    assert response.status_code == 429
    assert response.json() == {
        "detail": "a stream of the PDF decompresses to more than the limit of 8 MiB"}


def test_zip_holding_a_pdf_is_422(folio: Server, tmp_path: Path) -> None:
    path = tmp_path / "upload.zip"
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_STORED) as archive:
        archive.writestr("invoice.pdf", make_text_pdf(tmp_path / "i.pdf", [INVOICE]).read_bytes())
    response = _post(folio.client(SECRET), path.read_bytes())
    assert response.status_code == 422
    assert response.json()["detail"] == [{
        "loc": ["body", "file"], "type": "value_error",
        "msg": "unsupported file type: a ZIP archive; expected a PDF, PNG, JPEG, TIFF, GIF "
               "or WebP document or an e-invoice XML"}]


def test_png_with_a_pdf_marker_is_processed_as_png(folio: Server, tmp_path: Path) -> None:
    path = _png_with_text(tmp_path / "marked.png", b"%PDF-1.7 not a pdf")
    response = _post(folio.client(SECRET), path.read_bytes(), wait_for=120)
    assert response.status_code == 201, response.text
    assert [(p["width"], p["height"]) for p in response.json()["ocr"]["pages"]] == [(200, 100)]


def _fds(pid: int) -> list[str]:
    found = []
    for fd in os.listdir(f"/proc/{pid}/fd"):
        with contextlib.suppress(FileNotFoundError):  # closed while listing
            found.append(os.readlink(f"/proc/{pid}/fd/{fd}"))
    return found


def test_zero_page_uploads_leak_no_file_descriptor(folio: Server, tmp_path: Path) -> None:
    empty = tmp_path / "empty.pdf"
    pikepdf.new().save(empty)
    client = folio.client(SECRET)
    for _ in range(3):  # warm up: the connection, the thread pool
        assert _post(client, empty.read_bytes()).status_code == 422
    before = _fds(folio.process.pid)
    for _ in range(100):
        response = _post(client, empty.read_bytes())
        assert response.status_code == 422
        assert response.json()["detail"][0]["msg"] == "the PDF has no pages"
    after = _fds(folio.process.pid)
    assert [fd for fd in after if "(deleted)" in fd] == []
    assert len(after) - len(before) == 0
