from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest

from service.config import ConfigError, Settings
from service.errors import ProcessingError
from service.pipeline.rasterize import rasterize
from service.pipeline.tesseract import DEFAULT_READINGS, ocr_image, parse_tsv
from service.pipeline.words import PageText
from tests.pipeline.conftest import A4_AT_220, INVOICE, text_image, words_of


def recall(page: PageText, expected: list[str]) -> float:
    want = Counter(expected)
    found = Counter(w.text for w in page.words)
    return sum((want & found).values()) / sum(want.values())


def test_clean_render_with_light_gray_small_print(invoice_ocr: PageText) -> None:
    # Read once as rendered, tesseract finds ~69% of these words: it drops the
    # light-gray table header, amounts and footer (binarize.order reads the page
    # in levels first: part of its print is light).
    assert (invoice_ocr.width, invoice_ocr.height) == A4_AT_220
    assert recall(invoice_ocr, words_of(INVOICE)) >= 0.95


def test_words_carry_boxes_lines_and_entropy(invoice_ocr: PageText) -> None:
    words = invoice_ocr.words
    assert all(w.text.strip() == w.text and w.text for w in words)
    assert all(0 <= w.x1 < w.x2 <= A4_AT_220[0] and 0 <= w.y1 < w.y2 <= A4_AT_220[1] for w in words)
    assert all(0 <= w.entropy <= 1 for w in words)
    assert [w.line for w in words] == sorted(w.line for w in words)
    assert invoice_ocr.fulltext().split("\n")[0] == "Muster Bürobedarf GmbH"


def test_image_upload_is_read(tmp_path: Path) -> None:
    path = tmp_path / "scan.png"
    text_image("Rechnung Nummer 4711", 700, 160).pngsave(str(path))
    rasterize(path, "png", tmp_path / "pages")
    page = ocr_image(tmp_path / "pages" / "1.jpg", "de")
    assert [w.text for w in page.words] == ["Rechnung", "Nummer", "4711"]
    assert (page.width, page.height) == (700, 160)


def test_timeout_names_the_page(invoice_page_jpg: Path) -> None:
    with pytest.raises(ProcessingError) as caught:
        ocr_image(invoice_page_jpg, "deu", timeout=0.001, page=2)
    assert caught.value.detail == "tesseract timed out on page 2"


def test_unknown_language_fails_cleanly(invoice_page_jpg: Path) -> None:
    with pytest.raises(ProcessingError, match="tesseract failed on page 1"):
        ocr_image(invoice_page_jpg, "xx-not-installed", page=1)


def test_parse_tsv_skips_empty_words_and_numbers_lines_in_order() -> None:
    header = (
        "level\tpage_num\tblock_num\tpar_num\tline_num\tword_num\t"
        "left\ttop\twidth\theight\tconf\ttext"
    )
    rows = [
        "1\t1\t0\t0\t0\t0\t0\t0\t100\t100\t-1\t",
        "5\t1\t1\t1\t1\t1\t10\t10\t20\t10\t96.5\tHallo",
        "5\t1\t1\t1\t1\t2\t40\t10\t20\t10\t95\t ",
        "5\t1\t2\t1\t1\t1\t10\t50\t20\t10\t-1\tWelt",
        "5\t1\t1\t1\t2\t1\t10\t30\t20\t10\t120\tzwei",
    ]
    page = parse_tsv("\n".join([header, *rows]), 100, 100)
    assert [(w.text, w.line, w.x2, w.y2) for w in page.words] == [
        ("Hallo", 0, 30, 20),
        ("Welt", 1, 30, 60),
        ("zwei", 2, 30, 40),
    ]
    assert [w.entropy for w in page.words] == [0.035, 1.0, 0.0]


def test_ocr_readings_setting() -> None:
    assert Settings.from_env({}).ocr_readings == DEFAULT_READINGS
    assert Settings.from_env({"FOLIO_OCR_READINGS": "1"}).ocr_readings == 1
    with pytest.raises(ConfigError, match="FOLIO_OCR_READINGS must be at least 1"):
        Settings.from_env({"FOLIO_OCR_READINGS": "0"})


def test_library_reads_what_the_command_line_reads(invoice_page_jpg: Path) -> None:
    import pyvips

    from service.pipeline import tesseract_lib
    from service.pipeline.binarize import grayscale
    from service.pipeline.tesseract import run_tesseract

    assert tesseract_lib.available()
    gray = grayscale(pyvips.Image.new_from_file(str(invoice_page_jpg))).copy_memory()
    library = tesseract_lib.read_tsv(gray, "deu+eng", 60, 1, 220)
    command = run_tesseract(gray.pngsave_buffer(compression=1), "deu+eng", 60, 1, 220)
    size = (gray.width, gray.height)
    assert library.splitlines()[0] == command.splitlines()[0]  # the same header row
    assert parse_tsv(library, *size) == parse_tsv(command, *size)
    assert len(parse_tsv(library, *size).words) > 30
