"""Whether a page read with the Latin models has Arabic script on it.

Arabic print read with deu+eng comes out as short words of little confidence
('dygilall', 'a5)'). A page whose first reading has at least `min_words` such
doubtful words (FOLIO_OCR_SCRIPT_CHECK) has their boxes cut out and set side by
side on one small strip, and tesseract's script detection (the `osd` model)
looks at that strip alone: the whole page would be called Latin wherever the
Latin half is larger. Where it sees Arabic, the page is read again with
Arabic (`with_arabic`). A clean German or English page has too few doubtful
words to be looked at (0-1 on corpus renders); a phone-like scan sometimes has
enough (a median of 11), and its strip is called Latin in 30-110 ms.
"""

from __future__ import annotations

import subprocess

import pyvips

from service.errors import ProcessingError
from service.pipeline import tesseract_lib
from service.pipeline.language import detect_language
from service.pipeline.words import PageText, Word

# Doubtful words on a page before its script is looked at, unless the caller says
# otherwise (FOLIO_OCR_SCRIPT_CHECK; 0 = never): OSD names no script on a strip of
# fewer (12 words of the bilingual test page: none; 16: Arabic).
DEFAULT_MIN_WORDS = 16
# A word read with less confidence than this is doubtful.
DOUBTFUL = 0.6
# The strip shows at most this many doubtful words, the largest first.
STRIP_WORDS = 48
_STRIP_WIDTH = 1600
_PAD = 4
_GAP = 16


def with_arabic(lang: str, first: PageText) -> str:
    """The languages to read an Arabic page with: Arabic after English, and after German
    too where the first reading's Latin words are German (language.detect_language).
    Measured on generated bilingual pages (benchmarks/ocr_arabic_langs.py): English words
    100% with eng+ara, ara+eng and eng+deu alike; German words 90.0% with eng+ara, 98.6%
    with deu+eng+ara; dates, amounts and references 92.9% with eng+ara against 97.8% with
    deu+eng, which is why the Arabic reading is merged into the first (read_page)."""
    if "ara" in lang.split("+"):
        return lang
    german = detect_language(first.fulltext(), default="en") == "de"
    return "deu+eng+ara" if german and "deu" in lang.split("+") else "eng+ara"


def doubtful(page: PageText) -> list[Word]:
    return [w for w in page.words if w.entropy > 1 - DOUBTFUL and len(w.text) >= 2]


def has_arabic(image: pyvips.Image, page: PageText, dpi: int | None, min_words: int,
               page_num: int = 1) -> bool:
    """Whether the doubtful words of `page` (a reading of the gray `image`) are Arabic."""
    words = doubtful(page)
    if min_words <= 0 or len(words) < min_words:
        return False
    try:
        return script(word_strip(image, words), dpi, page_num) == "Arabic"
    except (pyvips.Error, ProcessingError):
        return False  # the page is read as it was


def word_strip(image: pyvips.Image, words: list[Word]) -> pyvips.Image:
    """The words' boxes (the largest STRIP_WORDS) set in rows on a white strip."""
    chosen = sorted(words, key=lambda w: (w.x2 - w.x1) * (w.y2 - w.y1), reverse=True)
    pieces: list[tuple[pyvips.Image, int, int]] = []
    x = y = row_height = 0
    for w in chosen[:STRIP_WORDS]:
        left, top = max(0, w.x1 - _PAD), max(0, w.y1 - _PAD)
        width = min(w.x2 + _PAD, image.width) - left
        height = min(w.y2 + _PAD, image.height) - top
        if width <= 0 or height <= 0:
            continue
        width = min(width, _STRIP_WIDTH - 2 * _GAP)
        if x and x + width > _STRIP_WIDTH - 2 * _GAP:
            x, y, row_height = 0, y + row_height + _GAP, 0
        pieces.append((image.crop(left, top, width, height), x + _GAP, y + _GAP))
        x += width + _GAP
        row_height = max(row_height, height)
    strip = pyvips.Image.black(_STRIP_WIDTH, y + row_height + 2 * _GAP).new_from_image(255)
    strip = strip.cast("uchar")
    for piece, px, py in pieces:
        strip = strip.insert(piece, px, py)
    return strip.copy(xres=image.xres, yres=image.yres).copy_memory()


def script(strip: pyvips.Image, dpi: int | None, page_num: int) -> str | None:
    """The script tesseract's OSD sees on the strip: through the library where it loads."""
    if tesseract_lib.available():
        return tesseract_lib.detect_script(strip, dpi, page_num)
    args = ["tesseract", "stdin", "stdout", "-l", "osd", "--psm", "0"]
    if dpi:
        args += ["--dpi", str(dpi)]
    try:
        done = subprocess.run(args, input=strip.pngsave_buffer(compression=1),
                              capture_output=True, timeout=30, check=False)
    except (subprocess.TimeoutExpired, OSError) as exc:
        raise ProcessingError(f"tesseract's script detection failed on page {page_num}") \
            from exc
    out: str = done.stdout.decode("utf-8", "replace")
    for line in out.splitlines():
        if line.startswith("Script:"):
            return line.split(":", 1)[1].strip()
    return None
