"""Which languages read a bilingual page best: generated pages of 30 lines, each a few
Latin words (German invoice words from benchmarks.fixtures, English ones, or dates,
amounts and references) and an
Arabic phrase, drawn in DejaVu Sans 10 pt at 300 DPI and read once per language string
through libtesseract; per string the share of the Latin and the Arabic words read
exactly, and the CPU time a page. Used for ocr_script.with_arabic.

    python -m benchmarks.ocr_arabic_langs [--pages 3]
"""

from __future__ import annotations

import argparse
import random
import re
import sys
import time

import pyvips

from benchmarks.fixtures import _WORDS
from service.pipeline import tesseract_lib
from service.pipeline.tesseract import parse_tsv, read_page

FONT = "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf"
_ENGLISH_TEXT = (
    "invoice total amount due payment reference order customer vendor supply date issue "
    "number seller buyer address street building city district postal code country quantity "
    "unit price discount taxable amount including excluding services consulting delivery "
    "account bank transfer commercial registration additional description item line subtotal "
    "balance please thank you")
ENGLISH = _ENGLISH_TEXT.split()
# numbers as invoices print them: dates, amounts, references, VAT numbers
NUMBERS = ["2022-09-07", "2024-03-15", "07/03/2024", "1,234.50", "1,900.00", "285.00",
           "15.00", "0.50", "SME00023", "INV-2024-0117", "399999999900003", "100.00"]
ARABIC = ["رقم الفاتورة", "تاريخ الإصدار", "ضريبة القيمة المضافة", "الإجمالي شامل الضريبة",
          "الرقم الضريبي", "المبلغ الخاضع للضريبة", "البائع", "المشتري"]
# the language strings, and folio's own reading (tesseract.read_page from "de": deu+eng,
# the Arabic check, the Arabic reading merged in)
LANGS = ("eng+ara", "ara+eng", "deu+eng+ara", "deu+eng", "eng+deu", "folio")


def page(lines: list[str]) -> pyvips.Image:
    ink = pyvips.Image.text('<span font="DejaVu Sans 10">' + "\n".join(lines) + "</span>",
                            dpi=300, fontfile=FONT)
    out = (255 - ink).cast("uchar").embed(100, 100, ink.width + 200, ink.height + 200,
                                          extend="white")
    return out.copy(xres=300 / 25.4, yres=300 / 25.4).copy_memory()


def found(want: list[str], got: list[str]) -> int:
    pool, n = list(got), 0
    for word in want:
        if word in pool:
            pool.remove(word)
            n += 1
    return n


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--pages", type=int, default=3)
    args = parser.parse_args()
    for name, vocabulary in (("German", _WORDS), ("English", ENGLISH), ("number", NUMBERS)):
        totals = {lang: [0, 0, 0, 0, 0.0] for lang in LANGS}
        for seed in range(1, args.pages + 1):
            rng = random.Random(seed)
            latin = [" ".join(rng.choice(vocabulary) for _ in range(rng.randint(3, 6)))
                     for _ in range(30)]
            lines = [f"{line}      {rng.choice(ARABIC)}" for line in latin]
            image = page(lines)
            want_latin = [w for line in latin for w in line.split()]
            want_arabic = [w for line in lines for w in line.split()
                           if re.search("[\u0600-\u06ff]", w)]
            for lang in LANGS:
                start = time.process_time()
                if lang == "folio":
                    words = read_page(image, "de", timeout=300, dpi=300).text.words
                else:
                    tsv = tesseract_lib.read_tsv(image, lang, 300, 1, 300)
                    words = parse_tsv(tsv, image.width, image.height).words
                spent = time.process_time() - start
                got = [w.text for w in words]
                t = totals[lang]
                t[0] += found(want_latin, got)
                t[1] += len(want_latin)
                t[2] += found(want_arabic, got)
                t[3] += len(want_arabic)
                t[4] += spent
        print(f"\n{name} Latin words, {args.pages} pages:")
        for lang, (a, b, c, d, spent) in totals.items():
            print(f"  {lang}: Latin {a}/{b} ({100 * a / b:.1f}%), Arabic {c}/{d} "
                  f"({100 * c / d:.1f}%), {spent / args.pages:.2f} CPU-s/page")


if __name__ == "__main__":
    sys.exit(main())
