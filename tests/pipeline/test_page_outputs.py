"""The OCR JSON and hOCR joined from pages made in the page processes are the bytes the
whole-document functions make, and every stored twin and the full body agree with them."""

from __future__ import annotations

import gzip
import itertools
from pathlib import Path

import orjson
import pytest

from service.artifacts.packed import gzip_member
from service.artifacts.store import FileStore
from service.config import Settings
from service.pipeline import hocr, ocrjson, pages
from service.pipeline.page_outputs import document_outputs, run_outputs
from service.pipeline.run import SOURCE, process
from service.pipeline.words import PageText, Word
from tests.pipeline.conftest import INVOICE, TextLine, make_text_pdf


def _page(words: list[tuple[str, int]]) -> PageText:
    return PageText(600, 800, [Word(text, 10 * i, 20 * line, 10 * i + 9, 20 * line + 15,
                                    0.25, line) for i, (text, line) in enumerate(words)])


def test_joined_runs_are_the_whole_document_bytes() -> None:
    texts = [
        _page([("Rechnung", 0), ("<b>&amp;", 0), ("Größe", 1), ('"quoted"', 2)]),
        PageText(600, 800, []),  # a blank page
        _page([("ctrl\x01char", 0), ("\ud800lone", 0), ("€", 3)]),
        _page([("Seite", 0), ("vier", 0)]),
    ]
    # however the pages are split into runs (as the page processes take them)
    for document, bounds in ((texts, [0, 1, 3, 4]), (texts, [0, 4]), (texts, [0, 2, 4]),
                             (texts[:1], [0, 1]), (texts[1:2], [0, 1]), ([], [0])):
        runs = [run_outputs(a, document[a:b]) for a, b in itertools.pairwise(bounds)]
        assert [t for r in runs for t in r.fulltexts] == [t.fulltext() for t in document]
        ocr, hocr_doc = document_outputs(runs)
        assert ocr.plain == ocrjson.ocr_json(document)
        assert hocr_doc.plain == hocr.hocr(document)
        assert gzip.decompress(gzip_member(ocr)) == ocr.plain
        assert gzip.decompress(gzip_member(hocr_doc)) == hocr_doc.plain


def test_runs_out_of_order_are_refused() -> None:
    pages = [_page([("eins", 0)]), _page([("zwei", 0)])]
    with pytest.raises(ValueError, match="do not follow"):
        document_outputs([run_outputs(1, pages[1:]), run_outputs(0, pages[:1])])


def test_a_processing_stores_consistent_text_outputs(tmp_path: Path) -> None:
    lines = [[*INVOICE[:4], TextLine(56, 500, 12, f"Seite {n} & <mehr>")] for n in (1, 2, 3)]
    pdf = make_text_pdf(tmp_path / "three.pdf", lines)
    store = FileStore(tmp_path / "data")
    pid = store.create("acme", "ocr").processing_id
    store.write_artifact(pid, SOURCE, pdf.read_bytes())
    pages.warm(2)
    try:
        process(store, Settings(data_dir=tmp_path / "data", page_workers=2, dpi=72), pid)
    finally:
        pages.shutdown()
    record = store.load(pid)
    assert record is not None and record.status == "succeeded", record.error

    serial = pages.PageJob(source=pdf, kind="pdf", out_dir=tmp_path / "serial", dpi=72,
                           quality=80, max_megapixels=100, language="de",
                           tesseract_timeout=60)
    serial.out_dir.mkdir()
    _, texts, _ = pages.process_pages(serial, 3, workers=1)
    files = {name: store.artifact(pid, name).read_bytes()
             for name in ("ocr.json", "hocr.html", "result.json")}
    assert files["ocr.json"] == ocrjson.ocr_json(texts)
    assert files["hocr.html"] == hocr.hocr(texts)
    for name, data in files.items():
        assert gzip.decompress(store.artifact(pid, name + ".gz").read_bytes()) == data
    body = orjson.loads(files["result.json"])
    assert body["ocr"] == orjson.loads(files["ocr.json"])
    assert body["language"] == orjson.loads(store.artifact(pid, "language.json").read_bytes())
    assert body["hocr"] == f"/processing/results/{pid}/hocr"
    assert [p["fulltext"].splitlines()[-1] for p in body["ocr"]["pages"]] == [
        f"Seite {n} & <mehr>" for n in (1, 2, 3)]
