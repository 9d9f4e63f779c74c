from __future__ import annotations

from html.parser import HTMLParser
from pathlib import Path

import orjson

from service.pipeline.hocr import hocr
from service.pipeline.language import detect_language
from service.pipeline.ocrjson import ocr_json
from service.pipeline.textlayer import pdf_text_layer
from service.pipeline.words import PageText, Word
from tests.pipeline.conftest import A4_AT_220


class _HocrWords(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.pages: list[dict[str, str]] = []
        self.words: list[tuple[int, str, str]] = []  # page index, title, text
        self._in_word = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        if a.get("class") == "ocr_page":
            self.pages.append(a)
        elif a.get("class") == "ocrx_word":
            self.words.append((len(self.pages) - 1, a["title"], ""))
            self._in_word = True

    def handle_endtag(self, tag: str) -> None:
        self._in_word = False

    def handle_data(self, data: str) -> None:
        if self._in_word:
            page, title, text = self.words[-1]
            self.words[-1] = (page, title, text + data)


def _two_pages(invoice_pdf: Path, invoice_ocr: PageText) -> list[PageText]:
    layer = pdf_text_layer(invoice_pdf, 0, *A4_AT_220)
    assert layer is not None
    return [layer, invoice_ocr]


def test_ocr_json_shape(invoice_pdf: Path, invoice_ocr: PageText) -> None:
    pages = _two_pages(invoice_pdf, invoice_ocr)
    doc = orjson.loads(ocr_json(pages))
    assert list(doc) == ["pages"]
    assert len(doc["pages"]) == 2
    for page, source in zip(doc["pages"], pages, strict=True):
        assert list(page) == ["width", "height", "bboxes", "fulltext"]
        assert (page["width"], page["height"]) == A4_AT_220
        assert [b["id"] for b in page["bboxes"]] == list(range(1, len(source.words) + 1))
        assert page["fulltext"] == source.fulltext()
        first = page["bboxes"][0]
        assert list(first) == ["id", "x1", "y1", "x2", "y2", "text", "text_entropy"]
        assert all(isinstance(first[k], int) for k in ("x1", "y1", "x2", "y2"))
    assert {b["text_entropy"] for b in doc["pages"][0]["bboxes"]} == {0}


def test_hocr_and_ocr_json_agree_word_for_word(invoice_pdf: Path, invoice_ocr: PageText) -> None:
    pages = _two_pages(invoice_pdf, invoice_ocr)
    doc = orjson.loads(ocr_json(pages))
    parser = _HocrWords()
    parser.feed(hocr(pages).decode("utf-8"))
    assert [p["title"] for p in parser.pages] == [
        "bbox 0 0 1819 2573; ppageno 0",
        "bbox 0 0 1819 2573; ppageno 1",
    ]
    from_json = [
        (i, f"bbox {b['x1']} {b['y1']} {b['x2']} {b['y2']}", b["text"])
        for i, page in enumerate(doc["pages"])
        for b in page["bboxes"]
    ]
    from_hocr = [(i, title.split(";")[0], text) for i, title, text in parser.words]
    assert from_hocr == from_json
    assert parser.words[0][1].endswith("; x_wconf 100")


def test_hocr_escapes_text() -> None:
    page = PageText(100, 50, [Word("<b>&Co", 1, 2, 30, 12, 0.25, 0)])
    html = hocr([page]).decode("utf-8")
    assert "&lt;b&gt;&amp;Co</span>" in html
    assert 'title="bbox 1 2 30 12; x_wconf 75"' in html


def test_empty_page() -> None:
    page = PageText(10, 20)
    assert orjson.loads(ocr_json([page])) == {
        "pages": [{"width": 10, "height": 20, "bboxes": [], "fulltext": ""}]
    }
    assert b'class="ocr_page"' in hocr([page])


def test_language_german(invoice_ocr: PageText) -> None:
    assert detect_language(invoice_ocr.fulltext(), default="en") == "de"


def test_language_english() -> None:
    text = "Please pay the total amount of this invoice within 14 days to our account."
    assert detect_language(text, default="de") == "en"


def test_language_falls_back_to_default() -> None:
    assert detect_language("4711 0815 XJ-22", default="en") == "en"
    assert detect_language("", default="de") == "de"
