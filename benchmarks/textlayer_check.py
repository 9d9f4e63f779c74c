"""The text layer and the OCR step on real PDFs: a corpus on local disk, never committed.

    .venv/bin/python -m benchmarks.textlayer_check /path/to/corpus [--ocr-pages 30]
        [--compare-old] [--light 185] [--pdfs N] [--readings N] [--out report.md]

(a) Text-layer contract on every page of every PDF under the path: folio's text
layer is read as the pipeline reads it (200 DPI page sizes), turned into the
OCR JSON, and checked: no processing failure, every box inside the page with
0 <= x1 < x2 <= width, ids 1..n; its words are compared with `pdftotext -bbox`
on the same page (word counts, multiset agreement, runs of one-letter words
where pdftotext sees longer words).

(b) Light-print OCR recall on a sample of pages with a text layer: each is
rendered at 200 DPI in gray, saved as JPEG as the pipeline saves pages, OCRed
as the pipeline reads it ("chosen": at 200 DPI, the preparations binarize.order
chooses, at most --readings readings; the mean number of readings is reported)
and with the old single preparation ("levels", at the 72 DPI the JPEG states),
and compared with the text layer (truth). Recall is
loose: leading/trailing punctuation is ignored and punctuation-only tokens
dropped, as in benchmarks/ocr_recall.py. --light lightens the print below the
top two fifths of each page to one gray first: thin light print on real layouts.

Prints a summary; --out writes it as Markdown too.
"""

from __future__ import annotations

import argparse
import html
import re
import subprocess
import sys
import tempfile
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import orjson
import pypdfium2 as pdfium
import pyvips

from benchmarks.ocr_recall import recall
from service.pipeline.binarize import grayscale, levels
from service.pipeline.detect import pdf_pixel_size
from service.pipeline.ocrjson import ocr_json
from service.pipeline.rasterize import save_jpeg
from service.pipeline.tesseract import (
    DEFAULT_READINGS,
    LANGUAGES,
    parse_tsv,
    read_page,
    run_tesseract,
)
from service.pipeline.textlayer import pdf_text_layers
from service.pipeline.words import PageText

DPI = 200
_PAGE = re.compile(r"<page [^>]*>(.*?)</page>", re.S)
_WORD = re.compile(r"<word [^>]*>(.*?)</word>", re.S)


@dataclass
class LayerStats:
    pdfs: int = 0
    pages: int = 0
    pages_with_text: int = 0
    failures: list[str] = field(default_factory=list)
    bad_boxes: int = 0
    bad_box_pages: set[str] = field(default_factory=set)
    bad_ids: int = 0
    words: int = 0
    poppler_words: int = 0
    agreed: int = 0
    chars: int = 0
    poppler_chars: int = 0
    agreed_chars: int = 0
    one_letter_pages: list[str] = field(default_factory=list)
    count_off_pages: list[str] = field(default_factory=list)


def poppler_pages(pdf: Path) -> list[list[str]]:
    done = subprocess.run(["pdftotext", "-bbox", str(pdf), "-"], capture_output=True,
                          timeout=120, check=False)
    text = done.stdout.decode("utf-8", "replace")
    return [[html.unescape(w) for w in _WORD.findall(page)] for page in _PAGE.findall(text)]


def page_sizes(pdf: Path) -> list[tuple[int, int]]:
    doc = pdfium.PdfDocument(str(pdf))
    try:
        sizes = [doc[i].get_size() for i in range(len(doc))]
        return [pdf_pixel_size(width, height, DPI) for width, height in sizes]
    finally:
        doc.close()


def one_letter_run(words: list[str], longest: int = 4) -> bool:
    """`longest` or more one-letter words (letters, not digits or marks) in a row."""
    run = 0
    for word in words:
        run = run + 1 if len(word) == 1 and word.isalpha() else 0
        if run >= longest:
            return True
    return False


def check_layers(pdfs: list[Path], stats: LayerStats) -> list[tuple[Path, int, PageText]]:
    with_text: list[tuple[Path, int, PageText]] = []
    for pdf in pdfs:
        name = pdf.name
        stats.pdfs += 1
        try:
            sizes = page_sizes(pdf)
            layers = pdf_text_layers(pdf, sizes)
            pages = [p if p is not None else PageText(w, h) for p, (w, h) in zip(
                layers, sizes, strict=True)]
            parsed = orjson.loads(ocr_json(pages))["pages"]
        except Exception as exc:  # every failure is counted, none stops the run
            stats.failures.append(f"{name}: {type(exc).__name__}: {exc}")
            continue
        poppler = poppler_pages(pdf)
        for index, (layer, entry) in enumerate(zip(layers, parsed, strict=True)):
            stats.pages += 1
            where = f"{name} p{index + 1}"
            boxes = entry["bboxes"]
            if [b["id"] for b in boxes] != list(range(1, len(boxes) + 1)):
                stats.bad_ids += 1
            bad = [b for b in boxes if not (0 <= b["x1"] < b["x2"] <= entry["width"]
                                            and 0 <= b["y1"] < b["y2"] <= entry["height"])]
            if bad:
                stats.bad_boxes += len(bad)
                stats.bad_box_pages.add(where)
            theirs = poppler[index] if index < len(poppler) else []
            if layer is None:
                continue
            stats.pages_with_text += 1
            ours = [b["text"] for b in boxes]
            stats.words += len(ours)
            stats.poppler_words += len(theirs)
            stats.agreed += sum((Counter(ours) & Counter(theirs)).values())
            # the same print whatever the word splits: characters, spaces aside
            ours_chars, theirs_chars = Counter("".join(ours)), Counter("".join(theirs))
            stats.chars += sum(ours_chars.values())
            stats.poppler_chars += sum(theirs_chars.values())
            stats.agreed_chars += sum((ours_chars & theirs_chars).values())
            if one_letter_run(ours) and not one_letter_run(theirs):
                stats.one_letter_pages.append(where)
            if theirs and not 0.8 <= len(ours) / len(theirs) <= 1.25:
                stats.count_off_pages.append(f"{where} ({len(ours)} vs {len(theirs)})")
            with_text.append((pdf, index, layer))
        print(f"{name}: {len(layers)} pages", file=sys.stderr, flush=True)
    return with_text


def render_gray(pdf: Path, index: int, out: Path, ink: int = 0) -> tuple[int, int]:
    """The page at DPI in gray, as JPEG; `ink` > 0 lightens black print below the top
    two fifths of the page to that gray (light print on a real layout)."""
    doc = pdfium.PdfDocument(str(pdf))
    try:
        page = doc[index]
        bitmap = page.render(scale=DPI / 72, grayscale=True)
        image = pyvips.Image.new_from_memory(bitmap.buffer, bitmap.width, bitmap.height,
                                             bitmap.n_channels, "uchar")
        image = image.copy(interpretation="b-w")
        if ink:
            # black letterhead above, light table and footer below: the mix that
            # makes one global threshold drop the light print
            light = (255 - (255 - image) * ((255 - ink) / 255)).cast("uchar")
            top = image.height * 2 // 5
            image = image.crop(0, 0, image.width, top).join(
                light.crop(0, top, image.width, image.height - top), "vertical")
        save_jpeg(image, out, 90)
        size = (image.width, image.height)
        del image
        bitmap.close()
        page.close()
        return size
    finally:
        doc.close()


def old_ocr(image_path: Path, lang: str) -> PageText:
    """The single preparation every page got before it was chosen per page."""
    original = pyvips.Image.new_from_file(str(image_path))
    png = levels(grayscale(original)).pngsave_buffer(compression=1)
    return parse_tsv(run_tesseract(png, LANGUAGES.get(lang, lang), 120, 1, None),
                     original.width, original.height)


def check_ocr(sample: list[tuple[Path, int, PageText]], compare_old: bool,
              ink: int, readings: int = DEFAULT_READINGS) -> list[str]:
    totals = {"chosen": [0, 0], "levels": [0, 0]}
    read_count = 0
    first: Counter[str] = Counter()

    def chosen(image: Path, lang: str) -> PageText:
        nonlocal read_count
        reading = read_page(image, lang, timeout=600, dpi=DPI, readings=readings)
        read_count += len(reading.read)
        first[reading.read[0]] += 1
        return reading.text

    seconds = {"chosen": 0.0, "levels": 0.0}
    rows = []
    for pdf, index, layer in sample:
        expected = [w.text for w in layer.words]
        lang = "de"  # the pipeline's default: German first, English second
        with tempfile.TemporaryDirectory() as tmp:
            image = Path(tmp) / "page.jpg"
            render_gray(pdf, index, image, ink)
            result = {}
            modes = [("chosen", chosen)] + ([("levels", old_ocr)] if compare_old else [])
            for mode, read in modes:
                start = time.monotonic()
                words = [w.text for w in read(image, lang).words]
                seconds[mode] += time.monotonic() - start
                hits, total = recall(expected, words, strip=True)
                totals[mode][0] += hits
                totals[mode][1] += total
                result[mode] = hits / max(total, 1)
        line = f"| {pdf.name} | {index + 1} | {len(expected)} | " + " | ".join(
            f"{result[m]:.1%}" for m, _ in modes) + " |"
        rows.append(line)
        print(line, file=sys.stderr, flush=True)
    header = "| pdf | page | words | chosen |" + (" levels (old) |" if compare_old else "")
    light = f", print below the top 2/5 lightened to gray {ink}" if ink else ""
    out = ["", f"## (b) OCR recall on 200-DPI gray renders{light} (truth = text layer)", "",
           header, "|---|---|---|---|" + ("---|" if compare_old else ""), *rows]
    for mode, (hits, total) in totals.items():
        if total:
            out.append(f"\n**{mode}**: {hits}/{total} = {hits / total:.1%} "
                       f"({seconds[mode]:.0f} s of tesseract for {len(sample)} pages)")
    out.append(f"\nchosen: {read_count / max(len(sample), 1):.2f} tesseract readings per page "
               f"(at most {readings}); first preparation read: {dict(first)}")
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("corpus", type=Path)
    parser.add_argument("--pdfs", type=int, default=0, help="only the first N PDFs (0: all)")
    parser.add_argument("--ocr-pages", type=int, default=20,
                        help="pages sampled for the OCR recall (0: skip)")
    parser.add_argument("--compare-old", action="store_true",
                        help="also OCR each sampled page with the old single preparation")
    parser.add_argument("--light", type=int, default=0, metavar="GRAY",
                        help="lighten the print below the top 2/5 to this gray (e.g. 185)")
    parser.add_argument("--readings", type=int, default=DEFAULT_READINGS,
                        help="tesseract readings per page at most (FOLIO_OCR_READINGS)")
    parser.add_argument("--out", type=Path)
    args = parser.parse_args()
    pdfs = sorted(args.corpus.rglob("*.pdf"))
    if args.pdfs:
        pdfs = pdfs[: args.pdfs]
    stats = LayerStats()
    with_text = check_layers(pdfs, stats)
    lines = [
        "# Text layer and OCR on a real corpus", "",
        f"`python -m benchmarks.textlayer_check {args.corpus} --ocr-pages {args.ocr_pages}"
        f"{' --compare-old' if args.compare_old else ''}"
        f"{f' --light {args.light}' if args.light else ''} --readings {args.readings}`"
        f" on {time.strftime('%Y-%m-%d %H:%M', time.gmtime())} UTC", "",
        "## (a) Text-layer contract", "",
        f"- PDFs: {stats.pdfs}, pages: {stats.pages}, with a text layer: "
        f"{stats.pages_with_text}",
        f"- failures: {len(stats.failures)}", *[f"  - {f}" for f in stats.failures[:20]],
        f"- boxes outside the page or empty: {stats.bad_boxes} on "
        f"{len(stats.bad_box_pages)} pages {sorted(stats.bad_box_pages)[:10]}",
        f"- pages with ids not 1..n: {stats.bad_ids}",
        f"- words: folio {stats.words}, pdftotext {stats.poppler_words}, same words (multiset) "
        f"{stats.agreed} = {stats.agreed / max(stats.poppler_words, 1):.1%} of pdftotext's",
        f"- characters: folio {stats.chars}, pdftotext {stats.poppler_chars}, same characters "
        f"{stats.agreed_chars} = {stats.agreed_chars / max(stats.poppler_chars, 1):.1%} "
        "of pdftotext's",
        f"- pages with one-letter word runs pdftotext does not have: "
        f"{len(stats.one_letter_pages)} {stats.one_letter_pages[:10]}",
        f"- pages whose word count is off pdftotext's by >25%: {len(stats.count_off_pages)} "
        f"{stats.count_off_pages[:10]}",
    ]
    if args.ocr_pages and with_text:
        step = max(1, len(with_text) // args.ocr_pages)
        lines += check_ocr(with_text[::step][: args.ocr_pages], args.compare_old, args.light,
                           args.readings)
    report = "\n".join(lines) + "\n"
    print(report)
    if args.out:
        args.out.write_text(report)


if __name__ == "__main__":
    main()
