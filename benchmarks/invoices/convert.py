"""Benchmark-only converters to the shared word model.

The service has its own text-layer reader and OCR; these exist so the benchmark
does not depend on them.
"""

from __future__ import annotations

import csv
import io
import subprocess
import tempfile
from pathlib import Path

import pypdfium2 as pdfium

from service.pipeline.words import PageText, Word

DPI = 220


def pdf_to_pages(pdf_bytes: bytes, dpi: int = DPI) -> list[PageText]:
    """Words from a PDF's own text layer, in pixels of a page rendered at dpi."""
    scale = dpi / 72
    doc = pdfium.PdfDocument(pdf_bytes)
    pages = []
    for index in range(len(doc)):
        page = doc[index]
        width, height = page.get_size()
        textpage = page.get_textpage()
        boxes: list[tuple[str, float, float, float, float]] = []
        for i in range(textpage.count_chars()):
            char = textpage.get_text_range(i, 1)
            left, bottom, right, top = textpage.get_charbox(i, loose=True)
            boxes.append((char, left, height - top, right, height - bottom))
        raw: list[list[tuple[str, float, float, float, float]]] = [[]]
        for box in boxes:
            char, x1, y1, _, y2 = box
            current = raw[-1]
            if char.isspace() or not char:
                if current:
                    raw.append([])
                continue
            if current:
                prev = current[-1]
                size = max(y2 - y1, 1.0)
                if x1 - prev[3] > 0.4 * size or abs(y1 - prev[2]) > 0.5 * size:
                    raw.append([])
            raw[-1].append(box)
        words = [
            (
                "".join(c[0] for c in chars),
                min(c[1] for c in chars) * scale,
                min(c[2] for c in chars) * scale,
                max(c[3] for c in chars) * scale,
                max(c[4] for c in chars) * scale,
            )
            for chars in raw
            if chars
        ]
        textpage.close()
        page.close()
        pages.append(_page_from_boxes(round(width * scale), round(height * scale), words))
    doc.close()
    return pages


def _page_from_boxes(
    width: int, height: int, boxes: list[tuple[str, float, float, float, float]]
) -> PageText:
    """Group words into lines by vertical overlap and number them top to bottom."""
    lines: list[list[tuple[str, float, float, float, float]]] = []
    for box in sorted(boxes, key=lambda b: (b[2] + b[4]) / 2):
        center = (box[2] + box[4]) / 2
        if lines:
            last = lines[-1]
            last_center = sum((b[2] + b[4]) / 2 for b in last) / len(last)
            last_height = sum(b[4] - b[2] for b in last) / len(last)
            if abs(center - last_center) < 0.45 * last_height:
                last.append(box)
                continue
        lines.append([box])
    words = []
    for number, line in enumerate(lines):
        for text, x1, y1, x2, y2 in sorted(line, key=lambda b: b[1]):
            words.append(Word(text, round(x1), round(y1), round(x2), round(y2), 0.0, number))
    return PageText(width, height, words)


def tsv_to_page(tsv: str, width: int, height: int) -> PageText:
    """tesseract's TSV output (level-5 rows are words) as a PageText."""
    words = []
    line_ids: dict[tuple[str, str, str], int] = {}
    for row in csv.DictReader(io.StringIO(tsv), delimiter="\t", quoting=csv.QUOTE_NONE):
        text = (row.get("text") or "").strip()
        if row["level"] != "5" or not text:
            continue
        key = (row["block_num"], row["par_num"], row["line_num"])
        line = line_ids.setdefault(key, len(line_ids))
        left, top = int(row["left"]), int(row["top"])
        conf = max(0.0, min(100.0, float(row["conf"])))
        words.append(
            Word(
                text,
                left,
                top,
                left + int(row["width"]),
                top + int(row["height"]),
                round(1 - conf / 100, 3),
                line,
            )
        )
    return PageText(width, height, words)


def remove_rules(png: bytes) -> bytes:
    """Whiten long horizontal and vertical rules: tesseract reads table grids as text."""
    import pyvips

    image = pyvips.Image.new_from_buffer(png, "")
    if image.bands > 1:
        image = image.colourspace("b-w")[0]
    ink = (image < 140).ifthenelse(255, 0).cast("uchar")
    across = pyvips.Image.new_from_array([[255] * 81])
    down = pyvips.Image.new_from_array([[255]] * 81)
    rules = ink.morph(across, "erode").morph(across, "dilate") | ink.morph(down, "erode").morph(
        down, "dilate"
    )
    rules = rules.morph(pyvips.Image.new_from_array([[255] * 3] * 3), "dilate")
    return bytes((rules > 0).ifthenelse(255, image).pngsave_buffer())


def ocr_png(png: bytes, language: str) -> PageText:
    import pyvips

    image = pyvips.Image.new_from_buffer(png, "")
    lang = "deu+eng" if language == "de" else "eng+deu"
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "page.png"
        path.write_bytes(remove_rules(png))
        result = subprocess.run(
            ["tesseract", str(path), "stdout", "-l", lang, "tsv"],
            capture_output=True,
            check=True,
            text=True,
            env={"OMP_THREAD_LIMIT": "1"},
        )
    return tsv_to_page(result.stdout, image.width, image.height)
