"""POST /processing/{workflow} end to end: real uploads, real workers, real tesseract."""

from __future__ import annotations

import io
import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import httpx
import orjson
import pikepdf
import pypdfium2
import pytest
import pyvips

from tests.conftest import TENANT_A
from tests.helpers import ROOT, Server, SpareRedis, run_server
from tests.pipeline.conftest import INVOICE, TextLine, make_png_claiming, make_text_pdf, words_of

SECRET = TENANT_A[1]
SECOND_PAGE = (TextLine(56, 100, 14, "Allgemeine Geschäftsbedingungen"),
               TextLine(56, 130, 11, "Zahlbar innerhalb von vierzehn Tagen ohne Abzug"))


def post(server: Server, path: Path | bytes, workflow: str = "ocr", *, wait_for: int = 90,
         parameters: str | None = None, name: str = "upload.bin") -> httpx.Response:
    content = path.read_bytes() if isinstance(path, Path) else path
    data = {"parameters": parameters} if parameters is not None else {}
    return server.client(SECRET).post(f"/processing/{workflow}?wait_for={wait_for}",
                                      files={"file": (name, content)}, data=data)


def normalise(word: str) -> str:
    return word.strip(".,:;").lower()


def recall(expected: list[str], found: list[str]) -> float:
    pool = [normalise(w) for w in found]
    hits = 0
    for word in expected:
        if normalise(word) in pool:
            pool.remove(normalise(word))
            hits += 1
    return hits / len(expected)


@pytest.fixture(scope="module")
def digital_pdf(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return make_text_pdf(tmp_path_factory.mktemp("docs") / "invoice.pdf", [INVOICE, SECOND_PAGE])


@pytest.fixture(scope="module")
def scanned_png(tmp_path_factory: pytest.TempPathFactory, digital_pdf: Path) -> Path:
    page = pypdfium2.PdfDocument(str(digital_pdf))[0]
    out = tmp_path_factory.mktemp("docs") / "scan.png"
    page.render(scale=200 / 72).to_pil().save(out)
    return out


def test_digital_pdf_uses_its_text_layer(server: Server, digital_pdf: Path) -> None:
    response = post(server, digital_pdf)
    assert response.status_code == 201
    body = response.json()
    assert body["workflow_id"] == "ocr"
    assert body["available_results"] == ["ocr", "hocr", "language", "page-images",
                                         "thumbnail", "pdf"]
    pages = body["ocr"]["pages"]
    assert [(p["width"], p["height"]) for p in pages] == [(1819, 2573), (1819, 2573)]
    assert [b["text"] for b in pages[0]["bboxes"]] == words_of(INVOICE)
    assert [b["id"] for b in pages[0]["bboxes"]] == list(range(1, len(words_of(INVOICE)) + 1))
    assert all(b["text_entropy"] == 0 for b in pages[0]["bboxes"])
    assert pages[0]["fulltext"].splitlines()[0] == "Muster Bürobedarf GmbH"
    assert body["language"] == {"iso_639_1": "de"}
    assert len(body["page_images"]) == 2


def test_ocr_json_and_hocr_agree_word_for_word(server: Server, digital_pdf: Path) -> None:
    body = post(server, digital_pdf).json()
    client = server.client(SECRET)
    hocr = client.get(body["hocr"]).text
    hocr_words = re.findall(r"class=['\"]ocrx_word['\"][^>]*>([^<]*)<", hocr)
    json_words = [b["text"] for p in body["ocr"]["pages"] for b in p["bboxes"]]
    import html

    assert [html.unescape(w) for w in hocr_words] == json_words
    assert hocr.count("ocr_page") >= 2


def test_searchable_pdf_text_is_extractable(server: Server, digital_pdf: Path,
                                            tmp_path: Path) -> None:
    body = post(server, digital_pdf).json()
    pdf = server.client(SECRET).get(body["pdf"])
    assert pdf.headers["content-type"] == "application/pdf"
    (tmp_path / "s.pdf").write_bytes(pdf.content)
    text = subprocess.run(["pdftotext", str(tmp_path / "s.pdf"), "-"], capture_output=True,
                          text=True, check=True).stdout
    assert recall(words_of(INVOICE), text.split()) >= 0.95
    assert len(pikepdf.open(io.BytesIO(pdf.content)).pages) == 2


def test_scanned_page_is_read_by_tesseract(server: Server, scanned_png: Path) -> None:
    response = post(server, scanned_png, parameters='{"language": "de"}', name="x.pdf")
    assert response.status_code == 201
    page = response.json()["ocr"]["pages"][0]
    found = [b["text"] for b in page["bboxes"]]
    assert recall(words_of(INVOICE), found) >= 0.95
    assert any(b["text_entropy"] > 0 for b in page["bboxes"])
    for box in page["bboxes"]:
        assert 0 <= box["x1"] < box["x2"] <= page["width"]
        assert 0 <= box["y1"] < box["y2"] <= page["height"]


def test_multi_page_tiff_becomes_pages(server: Server, tmp_path: Path) -> None:
    frames = [pyvips.Image.black(300, 200).invert() + i * 10 for i in range(3)]
    tiff = tmp_path / "multi.tif"
    joined = pyvips.Image.arrayjoin(frames, across=1).cast("uchar").copy()
    joined.set_type(pyvips.GValue.gint_type, "page-height", 200)
    joined.tiffsave(str(tiff))
    response = post(server, tiff)
    assert response.status_code == 201
    assert len(response.json()["page_images"]) == 3


def test_exif_rotated_photo_is_upright(server: Server, tmp_path: Path) -> None:
    photo = pyvips.Image.black(400, 200).invert().cast("uchar").copy()
    photo.set_type(pyvips.GValue.gint_type, "orientation", 6)
    path = tmp_path / "photo.jpg"
    photo.jpegsave(str(path))
    body = post(server, path).json()
    assert (body["ocr"]["pages"][0]["width"], body["ocr"]["pages"][0]["height"]) == (200, 400)


def test_wait_for_zero_answers_202_then_200(server: Server, digital_pdf: Path) -> None:
    response = post(server, digital_pdf, wait_for=0)
    assert response.status_code == 202
    pid = response.json()["processing_id"]
    assert response.json() == {"processing_id": pid, "url": f"/processing/results/{pid}"}
    done = server.client(SECRET).get(f"/processing/results/{pid}?wait_for=60")
    assert done.status_code == 200
    assert done.json()["processing_id"] == pid


def test_include_limits_the_201_body(server: Server, digital_pdf: Path) -> None:
    response = server.client(SECRET).post("/processing/ocr?include=language&wait_for=60",
                                          files={"file": ("a.pdf", digital_pdf.read_bytes())})
    assert response.status_code == 201
    assert set(response.json()) == {"processing_id", "workflow_id", "workflow_name",
                                    "available_results", "language"}


def test_unknown_workflow_is_404(server: Server, digital_pdf: Path) -> None:
    response = post(server, digital_pdf, workflow="nonsense")
    assert response.status_code == 404
    assert response.json() == {"detail": "No such workflow."}


def test_submit_needs_credentials(server: Server, digital_pdf: Path) -> None:
    response = server.client().post("/processing/ocr", files={"file": ("a", b"%PDF-")})
    assert response.status_code == 401


def encrypted_pdf(tmp_path: Path) -> bytes:
    pdf = pikepdf.new()
    pdf.add_blank_page()
    pdf.save(tmp_path / "e.pdf", encryption=pikepdf.Encryption(owner="o", user="u"))
    return (tmp_path / "e.pdf").read_bytes()


def zero_pages(tmp_path: Path) -> bytes:
    pikepdf.new().save(tmp_path / "z.pdf")
    return (tmp_path / "z.pdf").read_bytes()


def huge_page(tmp_path: Path) -> bytes:
    pdf = pikepdf.new()
    pdf.add_blank_page(page_size=(14400, 14400))
    pdf.save(tmp_path / "h.pdf")
    return (tmp_path / "h.pdf").read_bytes()


@pytest.mark.parametrize("make,status,words", [
    (lambda t: b"", 422, "empty"),
    (lambda t: b"hello, this is plain text", 422, "unsupported"),
    (lambda t: make_text_pdf(t / "t.pdf", [INVOICE]).read_bytes()[:300], 422, "damaged"),
    (encrypted_pdf, 422, "encrypted"),
    (zero_pages, 422, "no pages"),
    (huge_page, 429, "megapixels"),
    (lambda t: make_png_claiming(t / "big.png", 100_000, 100_000).read_bytes(), 429,
     "megapixels"),
], ids=["empty", "unknown-type", "truncated-pdf", "encrypted-pdf", "zero-pages",
        "enormous-page", "png-claiming-100k"])
def test_bad_uploads_are_answered_clearly(server: Server, tmp_path: Path, make: object,
                                          status: int, words: str) -> None:
    response = post(server, make(tmp_path))  # type: ignore[operator]
    assert response.status_code == status
    detail = response.json()["detail"]
    text = detail if isinstance(detail, str) else detail[0]["msg"]
    assert words in text
    if status == 422:
        assert detail[0]["loc"] == ["body", "file"]


@pytest.mark.parametrize("parameters,loc", [
    ("{not json", ["body", "parameters"]),
    ('{"language": "fr"}', ["body", "parameters", "language"]),
    ('["de"]', ["body", "parameters"]),
], ids=["not-json", "unknown-language", "not-an-object"])
def test_bad_parameters_are_422(server: Server, digital_pdf: Path, parameters: str,
                                loc: list[str]) -> None:
    response = post(server, digital_pdf, parameters=parameters)
    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"] == loc


def test_missing_file_is_422(server: Server) -> None:
    response = server.client(SECRET).post("/processing/ocr", data={"parameters": "{}"},
                                          files={"other": ("a", b"x")})
    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"] == ["body", "file"]


def test_byte_and_page_limits_are_429(tmp_path: Path, digital_pdf: Path) -> None:
    env = {"FOLIO_API_KEYS": f"acme:{SECRET}", "FOLIO_UPLOAD_MAX_BYTES": "2000",
           "FOLIO_MAX_PAGES": "1"}
    with run_server(tmp_path / "d", env) as srv:
        big = post(srv, b"%PDF-1.4\n" + b"0" * 5000)
        assert big.status_code == 429
        assert "larger than 2000 bytes" in big.json()["detail"]
        small = make_text_pdf(tmp_path / "two.pdf", [[TextLine(50, 50, 10, "a")]] * 2)
        assert small.stat().st_size < 2000
        pages = post(srv, small)
        assert pages.status_code == 429
        assert "pages" in pages.json()["detail"]
        # nothing of the refused uploads was kept
        assert not list((tmp_path / "d" / "processings").glob("*/*/record.json"))


def test_failed_processing_answers_500_with_detail(tmp_path: Path, scanned_png: Path) -> None:
    env = {"FOLIO_API_KEYS": f"acme:{SECRET}", "FOLIO_TESSERACT_TIMEOUT": "0.001"}
    with run_server(tmp_path / "d", env) as srv:
        response = post(srv, scanned_png)
        assert response.status_code == 500
        assert response.json()["detail"] == "tesseract timed out on page 1"
        pid = next((tmp_path / "d" / "processings").glob("*/*")).name
        ocr = srv.client(SECRET).get(f"/processing/results/{pid}/ocr")
        assert ocr.status_code == 500
        assert ocr.json()["detail"] == "tesseract timed out on page 1"


def children(pid: int) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue
            if int(stat.rsplit(")", 1)[1].split()[1]) == pid:
                found.append(int(entry.name))
    return found


def test_worker_killed_mid_job_still_finishes(tmp_path: Path, scanned_png: Path) -> None:
    env = {"FOLIO_API_KEYS": f"acme:{SECRET}", "FOLIO_JOB_WORKERS": "1"}
    with run_server(tmp_path / "d", env) as srv:
        pid = post(srv, scanned_png, wait_for=0).json()["processing_id"]
        record_path = srv.store.directory(pid) / "record.json"
        for _ in range(200):
            if orjson.loads(record_path.read_bytes())["status"] == "running":
                break
            time.sleep(0.02)
        workers = [c for c in children(srv.process.pid)
                   if b"multiprocessing" in Path(f"/proc/{c}/cmdline").read_bytes()
                   and b"resource_tracker" not in Path(f"/proc/{c}/cmdline").read_bytes()]
        assert workers
        for worker in workers:
            os.kill(worker, signal.SIGKILL)
        done = srv.client(SECRET).get(f"/processing/results/{pid}?wait_for=120")
        assert done.status_code == 200
        assert orjson.loads(record_path.read_bytes())["attempts"] == 2
        # the killed attempt's scratch directory went with the retry
        assert list(srv.store.directory(pid).glob(".scratch-*")) == []


def test_two_workers_share_one_redis_queue(tmp_path: Path, digital_pdf: Path,
                                           spare_redis: SpareRedis) -> None:
    data = tmp_path / "d"
    # a Redis of its own: workers of other test runs on a shared one would take its jobs
    env = {"FOLIO_API_KEYS": f"acme:{SECRET}", "FOLIO_REDIS_URL": spare_redis.url,
           "FOLIO_RATE_LIMIT_RPS": "1000", "FOLIO_JOB_WORKERS": "0"}
    worker_env = {**os.environ, "FOLIO_DATA_DIR": str(data), **env,
                  "FOLIO_JOB_WORKERS": "1"}
    workers = [subprocess.Popen([sys.executable, "-m", "service.cli", "worker"], cwd=ROOT,
                                env=worker_env, stdout=subprocess.DEVNULL,
                                stderr=subprocess.DEVNULL) for _ in range(2)]
    try:
        with run_server(data, env) as srv:
            ids = [post(srv, digital_pdf, wait_for=0).json()["processing_id"]
                   for _ in range(4)]
            again = srv.client(SECRET)
            statuses = [again.get(f"/processing/results/{i}?wait_for=120").status_code
                        for i in ids]
        assert statuses == [200, 200, 200, 200]
        attempts = [orjson.loads((srv.store.directory(i) / "record.json").read_bytes())
                    ["attempts"] for i in ids]
        assert attempts == [1, 1, 1, 1]
    finally:
        for worker in workers:
            worker.terminate()
            worker.wait(10)


def test_a_plugin_registers_its_own_workflow(tmp_path: Path, digital_pdf: Path) -> None:
    env = {"FOLIO_API_KEYS": f"acme:{SECRET}", "FOLIO_PLUGINS": "tests.plugins.wordcount"}
    with run_server(tmp_path / "d", env) as srv:
        listed = [w["workflow_id"] for w in
                  srv.client(SECRET).get("/processing/workflows").json()]
        assert "word_count" in listed
        response = post(srv, digital_pdf, workflow="word_count")
        assert response.status_code == 201
        assert response.json()["extractions"] == {
            "word_count": len(words_of(INVOICE)) + len(words_of(SECOND_PAGE))}


def descendants(pid: int) -> list[int]:
    found = []
    for child in children(pid):
        found += [child, *descendants(child)]
    return found


def alive(pid: int) -> bool:
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return False
    return stat.rsplit(")", 1)[1].split()[0] != "Z"


def test_stopping_serve_leaves_no_processes_behind(tmp_path: Path, digital_pdf: Path) -> None:
    with run_server(tmp_path / "d", {"FOLIO_API_KEYS": f"acme:{SECRET}"}) as srv:
        assert post(srv, digital_pdf).status_code == 201  # page processes have started
        family = descendants(srv.process.pid)
        assert len(family) >= 3
    for _ in range(100):
        if not any(alive(p) for p in family):
            break
        time.sleep(0.1)
    assert [p for p in family if alive(p)] == []


def test_killed_serve_takes_its_workers_along(tmp_path: Path, digital_pdf: Path) -> None:
    with run_server(tmp_path / "d", {"FOLIO_API_KEYS": f"acme:{SECRET}"}) as srv:
        assert post(srv, digital_pdf).status_code == 201
        family = descendants(srv.process.pid)
        srv.process.kill()
        srv.process.wait()
        for _ in range(100):
            if not any(alive(p) for p in family):
                break
            time.sleep(0.1)
        assert [p for p in family if alive(p)] == []
