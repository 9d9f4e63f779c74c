"""The one word model every text step produces and every output is made from.

Coordinates are integer pixels of the stored page image, origin top-left.
Words are kept in reading order; a word's id in the OCR JSON is its index + 1.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

# Characters no output can carry: lone surrogates (orjson refuses them), control
# characters (XML 1.0 refuses them in hOCR) and the non-characters U+FFFE/U+FFFF.
_UNWRITABLE = re.compile("[\x00-\x09\x0b-\x1f\x7f-\x9f\ud800-\udfff\ufffe\uffff]")


def writable(text: str) -> str:
    """`text` without the characters JSON and XML outputs cannot carry (a newline stays)."""
    return _UNWRITABLE.sub("", text)


@dataclass(frozen=True, slots=True)
class Word:
    text: str
    x1: int
    y1: int
    x2: int
    y2: int
    entropy: float  # uncertainty in [0, 1]; 0 for a PDF's own text layer
    line: int  # 0-based line number on the page, in reading order


@dataclass(slots=True)
class PageText:
    width: int
    height: int
    words: list[Word] = field(default_factory=list)

    def lines(self) -> list[list[Word]]:
        grouped: dict[int, list[Word]] = {}
        for word in self.words:
            grouped.setdefault(word.line, []).append(word)
        return [grouped[k] for k in sorted(grouped)]

    def fulltext(self) -> str:
        return "\n".join(" ".join(w.text for w in line) for line in self.lines())
