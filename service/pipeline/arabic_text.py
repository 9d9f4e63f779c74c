"""Arabic words of a PDF's text layer in the form OCR and searches give them.

PDF producers draw Arabic as presentation forms (the letter's shape at the
start, middle or end of a word, U+FB50-U+FDFF, U+FE70-U+FEFF), and the text
layer's words are built from glyphs left to right, so an Arabic word comes out
backwards. A word with an Arabic letter is turned into logical order (its runs
of digits and Latin letters keep their own order) and its presentation forms
into the base letters (NFKC); the rial sign ﷼ is kept as it is (a currency mark).
"""

from __future__ import annotations

import re
import unicodedata

_ARABIC_LETTER = re.compile("[\u0600-\u06ff\u0750-\u077f\ufb50-\ufdfb\ufe70-\ufefc]")
_PRESENTATION = re.compile("[\ufb50-\ufdfb\ufdfd-\ufdff\ufe70-\ufefc]+")
# runs that read left to right inside a right-to-left word: digits, Latin letters
_LTR = r"0-9A-Za-z\u0660-\u0669\u06f0-\u06f9"
_LTR_RUN = re.compile(f"[{_LTR}][{_LTR}.,:/%-]*(?<![.,:/-])")


def has_arabic(text: str) -> bool:
    return _ARABIC_LETTER.search(text) is not None


def logical(word: str) -> str:
    """A text-layer word in logical order with base letters; other words as they are."""
    if not has_arabic(word):
        return word
    backwards = word[::-1]
    turned = _LTR_RUN.sub(lambda m: m.group(0)[::-1], backwards)
    return _PRESENTATION.sub(lambda m: unicodedata.normalize("NFKC", m.group(0)), turned)
