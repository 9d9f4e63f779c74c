"""Whatever step made a word, its characters cannot fail the OCR JSON or the hOCR."""

from __future__ import annotations

import xml.etree.ElementTree as ET

import orjson

from service.pipeline.hocr import hocr
from service.pipeline.ocrjson import ocr_json
from service.pipeline.words import PageText, Word, writable


def broken_page() -> PageText:
    return PageText(100, 50, [
        Word("Avoir\ud83d", 1, 1, 30, 10, 0.0, 0),
        Word("\x07-42,00\x00", 40, 1, 90, 10, 0.0, 0),
        Word("\ufffeTotal\x1b", 1, 20, 30, 30, 0.0, 1),
    ])


def test_the_ocr_json_drops_what_json_cannot_carry() -> None:
    page = orjson.loads(ocr_json([broken_page()]))["pages"][0]
    assert [b["text"] for b in page["bboxes"]] == ["Avoir", "-42,00", "Total"]
    assert page["fulltext"] == "Avoir -42,00\nTotal"


def test_the_hocr_is_well_formed_xml() -> None:
    root = ET.fromstring(hocr([broken_page()]))
    words = [e.text for e in root.iter("{http://www.w3.org/1999/xhtml}span")
             if e.get("class") == "ocrx_word"]
    assert words == ["Avoir", "-42,00", "Total"]


def test_writable_keeps_printable_text_and_line_breaks() -> None:
    assert writable("Größe € 💶\nZeile") == "Größe € 💶\nZeile"
