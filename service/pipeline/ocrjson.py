"""The OCR JSON of API.md, made from the word model: one entry per page, ids 1.. per page.

Text is passed through `writable` here, at the boundary, whatever step made the
words: one unwritable character must not fail a whole processing.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import orjson

from service.pipeline.words import PageText, writable


def page_dict(page: PageText) -> dict[str, Any]:
    return {
        "width": page.width,
        "height": page.height,
        "bboxes": [
            {
                "id": index,
                "x1": w.x1,
                "y1": w.y1,
                "x2": w.x2,
                "y2": w.y2,
                "text": writable(w.text),
                "text_entropy": round(w.entropy, 4),
            }
            for index, w in enumerate(page.words, start=1)
        ],
        "fulltext": writable(page.fulltext()),
    }


# ocr_json's bytes are HEAD, the pages' objects joined by SEPARATOR, TAIL
# (orjson writes no whitespace): page_outputs joins pages made apart this way
HEAD, SEPARATOR, TAIL = b'{"pages":[', b",", b"]}"


def ocr_json(pages: Sequence[PageText]) -> bytes:
    return orjson.dumps({"pages": [page_dict(p) for p in pages]})
