"""OCR one page image with the tesseract command line, into the shared word model.

The image is prepared as the print on the page calls for (binarize.order) and
read by tesseract (through its library, tesseract_lib, where it loads, else
`tesseract stdin stdout ... tsv` on a PNG) at the image's true resolution; only
when that reading is poor (`good`) is the next preparation read too, up to
`readings` (FOLIO_OCR_READINGS), and the reading with the most confident text
kept; a page of light print is read near-white and stretched, and the two
readings merged word by word (wordmerge). A first reading with many doubtful
words whose script tesseract's OSD calls Arabic (ocr_script) is read again with
Arabic, and the two readings merged word by word. `read_page` says which preparations
were read, and with which languages. Tesseract runs
single-threaded (OMP_THREAD_LIMIT=1: the worker pool already uses every core),
all readings of a page within one timeout. From the TSV, level-5 rows are words;
a word's line is its (block, paragraph, line) triple numbered in the order
tesseract reports them, which is its reading order. Entropy = 1 - conf/100.
"""

from __future__ import annotations

import os
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path

import pyvips

from service.errors import ProcessingError
from service.pipeline import ocr_script, tesseract_lib
from service.pipeline.binarize import complements, grayscale, order, prepare
from service.pipeline.wordmerge import merge
from service.pipeline.words import PageText, Word

# the other language second: German names and umlauts appear on English invoices too
LANGUAGES = {"de": "deu+eng", "en": "eng+deu", "deu": "deu+eng", "eng": "eng+deu"}
WORD_LEVEL = "5"
# the bidi marks tesseract sets around a run of right-to-left words
_BIDI_MARKS = str.maketrans("", "", "\u200e\u200f\u202a\u202b\u202c\u202d\u202e"
                            "\u2066\u2067\u2068\u2069")


# Readings of one page at most, unless the caller says otherwise (FOLIO_OCR_READINGS).
DEFAULT_READINGS = 2
# A first reading with less than this share of its characters in confident
# words is poor, and the next preparation is read too.
GOOD_SHARE = 0.9
# Image resolutions believed when the caller gives none: 72 and 96 are what
# programs write when they know nothing.
SANE_DPI = (100, 1200)


@dataclass(frozen=True, slots=True)
class Reading:
    """The words kept for a page, and which preparations were read to get them."""

    text: PageText
    read: tuple[str, ...]
    chosen: str
    languages: str = ""


def ocr_image(
    image_path: str | Path | pyvips.Image,
    lang: str = "deu",
    timeout: float = 60,
    page: int = 1,
    dpi: int | None = None,
    binarize: bool = True,
    readings: int = DEFAULT_READINGS,
    script_check: int = ocr_script.DEFAULT_MIN_WORDS,
) -> PageText:
    """Words of one page image; `page` (1-based) only names the page in error messages."""
    return read_page(image_path, lang, timeout, page, dpi, binarize, readings,
                     script_check).text


def read_page(
    image_path: str | Path | pyvips.Image,
    lang: str = "deu",
    timeout: float = 60,
    page: int = 1,
    dpi: int | None = None,
    binarize: bool = True,
    readings: int = DEFAULT_READINGS,
    script_check: int = ocr_script.DEFAULT_MIN_WORDS,
) -> Reading:
    """Read the page in the preparations' order (binarize.order) until a reading
    is good, at most `readings` times; the reading with the most confident
    characters is kept. A page of light print is read near-white and stretched
    whatever the first reading, and the two readings merged word by word
    (binarize.complements, wordmerge). Without `binarize` the image is read
    once, as it is. A first reading with at least `script_check` doubtful words
    is checked for Arabic script (ocr_script; 0: never), and where it has some,
    that preparation is read again with Arabic (the rest with Arabic too), and the
    Arabic reading's words replace the first's where they were read with more
    confidence (wordmerge).

    `dpi` is the image's true resolution (tesseract's default for a rendered
    JPEG would be the 72 DPI it carries); without it the image's own resolution
    is used when it is plausible. `image_path` may be the decoded image itself."""
    try:
        original = image_path if isinstance(image_path, pyvips.Image) \
            else pyvips.Image.new_from_file(str(image_path))
        dpi = dpi or image_dpi(original)
        # decoded once: the preparations and the image read look at it several times
        gray = (grayscale(original) if binarize else original).copy_memory()
        made: dict[str, pyvips.Image] = {}
        names = order(gray, made)[: max(1, readings)] if binarize else ["as-is"]
    except pyvips.Error as exc:
        raise ProcessingError(f"the image of page {page} could not be read") from exc
    deadline = time.monotonic() + timeout
    best: PageText | None = None
    chosen = names[0]
    read: list[str] = []
    languages = LANGUAGES.get(lang, lang)
    queue = list(names)
    again = False  # the first preparation, to be read again with Arabic
    while queue:
        name = queue.pop(0)
        left = deadline - time.monotonic()
        merging = bool(read) and complements(read[0], name) and not again
        if best is not None and (left <= 0 or (good(best) and not merging and not again)):
            break
        arabic, again = again, False
        try:
            image = (made[name] if name in made else prepare(gray, name)) if binarize else gray
            tsv = read_tsv(image, languages, max(left, 0.001), page, dpi)
            text = parse_tsv(tsv, original.width, original.height)
            if not read and script_check > 0 and ocr_script.has_arabic(
                    image, text, dpi, script_check, page):
                # the same preparation once more, with Arabic (and the rest with it)
                languages = ocr_script.with_arabic(languages, text)
                queue.insert(0, name)
                again = True
        except pyvips.Error as exc:
            raise ProcessingError(f"the image of page {page} could not be read") from exc
        except ProcessingError:
            if best is None:
                raise
            break  # out of time for another reading: the ones so far stand
        read.append(name)
        if best is not None and arabic:
            # the Latin reading stays where it was surer (Arabic models read dates and
            # amounts worse), the Arabic reading replaces what it read better
            best = merge(best, text, CONFIDENT)
        elif best is not None and merging:
            # the more confident reading leads, the other fills in its gaps
            lead, other = (text, best) if confident_text(text) > confident_text(best) \
                else (best, text)
            best, chosen = merge(lead, other, CONFIDENT), f"{chosen}+{name}"
        elif best is None or confident_text(text) > confident_text(best):
            best, chosen = text, name
    assert best is not None
    return Reading(best, tuple(read), chosen, languages)


def image_dpi(image: pyvips.Image) -> int | None:
    """The resolution the image file states, if it is one a scan or render could have."""
    dpi = round(image.xres * 25.4)
    return dpi if SANE_DPI[0] <= dpi <= SANE_DPI[1] else None


def file_dpi(path: str | Path) -> int | None:
    """The plausible resolution an uploaded image states (its stored page JPEGs do not keep it)."""
    try:
        return image_dpi(pyvips.Image.new_from_file(str(path)))
    except pyvips.Error:
        return None


def good(page: PageText) -> bool:
    """Whether a reading is good enough to stop at: most of its text read with confidence."""
    chars = sum(len(w.text) for w in page.words)
    # nothing read at all: a blank page (a light-printed one reads near-white first)
    return confident_text(page) >= GOOD_SHARE * chars


# A word read with less confidence than this does not count for its reading.
CONFIDENT = 0.6


def confident_text(page: PageText) -> int:
    """How much text was read with confidence: the characters of the sure words.

    (Chosen on corpus pages and generated invoices against summing characters
    weighted by confidence and against thresholds of 0.8 and 0.9: it picked the
    best of the three readings most often.)"""
    return sum(len(w.text) for w in page.words if w.entropy <= 1 - CONFIDENT)


def read_tsv(image: pyvips.Image, lang: str, timeout: float, page: int, dpi: int | None) -> str:
    """Tesseract's TSV of the image: through the library (models loaded once per
    process, tesseract_lib) for a gray image where it loads, else the command line."""
    if image.bands == 1 and image.format == "uchar" and tesseract_lib.available():
        return tesseract_lib.read_tsv(image, lang, timeout, page, dpi)
    return run_tesseract(image.pngsave_buffer(compression=1), lang, timeout, page, dpi)


def run_tesseract(image: bytes, lang: str, timeout: float, page: int, dpi: int | None) -> str:
    args = ["tesseract", "stdin", "stdout", "-l", lang, "--psm", "3"]
    if dpi:
        args += ["--dpi", str(dpi)]
    args.append("tsv")
    env = {**os.environ, "OMP_THREAD_LIMIT": "1"}
    try:
        done = subprocess.run(
            args, input=image, capture_output=True, timeout=timeout, env=env, check=False
        )
    except subprocess.TimeoutExpired as exc:
        raise ProcessingError(f"tesseract timed out on page {page}") from exc
    except OSError as exc:
        raise ProcessingError("tesseract could not be started") from exc
    if done.returncode != 0:
        reason = done.stderr.decode("utf-8", "replace").strip().splitlines()
        last = reason[-1] if reason else f"exit status {done.returncode}"
        raise ProcessingError(f"tesseract failed on page {page}: {last}")
    return done.stdout.decode("utf-8", "replace")


def parse_tsv(tsv: str, width: int, height: int) -> PageText:
    words: list[Word] = []
    line_numbers: dict[tuple[str, str, str], int] = {}
    for row in tsv.splitlines()[1:]:
        cols = row.split("\t")
        if len(cols) < 12 or cols[0] != WORD_LEVEL:
            continue
        text = cols[11].translate(_BIDI_MARKS).strip()
        if not text:
            continue
        left, top, w, h = (int(c) for c in cols[6:10])
        conf = float(cols[10])
        line = line_numbers.setdefault((cols[2], cols[3], cols[4]), len(line_numbers))
        words.append(
            Word(
                text=text,
                x1=left,
                y1=top,
                x2=left + w,
                y2=top + h,
                entropy=round(min(1.0, max(0.0, 1 - conf / 100)), 4),
                line=line,
            )
        )
    return PageText(width, height, words)
