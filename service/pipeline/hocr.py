"""One hOCR document for the whole document, from the same word model as the OCR JSON.

ocr_page > ocr_line > ocrx_word, words in the same order as the OCR JSON; a
word's element id `word_<page>_<id>` carries its OCR JSON page number and id.
`ppageno` is 0-based, as the hOCR spec and tesseract have it.
"""

from __future__ import annotations

from collections.abc import Sequence
from html import escape
from itertools import groupby

from service.pipeline.words import PageText, Word, writable

_HEAD = """<?xml version="1.0" encoding="UTF-8"?>
<!DOCTYPE html PUBLIC "-//W3C//DTD XHTML 1.0 Transitional//EN"
    "http://www.w3.org/TR/xhtml1/DTD/xhtml1-transitional.dtd">
<html xmlns="http://www.w3.org/1999/xhtml" xml:lang="en" lang="en">
<head>
<title></title>
<meta http-equiv="Content-Type" content="text/html;charset=utf-8"/>
<meta name="ocr-system" content="folio"/>
<meta name="ocr-capabilities" content="ocr_page ocr_line ocrx_word"/>
</head>
<body>
"""
_TAIL = "</body>\n</html>\n"


def _bbox(x1: int, y1: int, x2: int, y2: int) -> str:
    return f"bbox {x1} {y1} {x2} {y2}"


def _wconf(word: Word) -> int:
    return round((1 - word.entropy) * 100)


def _page(page_no: int, page: PageText) -> list[str]:
    out = [
        f'<div class="ocr_page" id="page_{page_no}" '
        f'title="bbox 0 0 {page.width} {page.height}; ppageno {page_no - 1}">'
    ]
    word_id = 0
    # Consecutive words of one line: the words stay exactly in OCR JSON order.
    runs = (list(run) for _, run in groupby(page.words, key=lambda w: w.line))
    for line_no, line in enumerate(runs, start=1):
        box = _bbox(
            min(w.x1 for w in line),
            min(w.y1 for w in line),
            max(w.x2 for w in line),
            max(w.y2 for w in line),
        )
        out.append(f'<span class="ocr_line" id="line_{page_no}_{line_no}" title="{box}">')
        for word in line:
            word_id += 1
            title = f"{_bbox(word.x1, word.y1, word.x2, word.y2)}; x_wconf {_wconf(word)}"
            out.append(
                f'<span class="ocrx_word" id="word_{page_no}_{word_id}" title="{title}">'
                f"{escape(writable(word.text), quote=False)}</span>"
            )
        out.append("</span>")
    out.append("</div>")
    return out


def hocr(pages: Sequence[PageText]) -> bytes:
    body: list[str] = []
    for page_no, page in enumerate(pages, start=1):
        body.extend(_page(page_no, page))
    return (_HEAD + "\n".join(body) + "\n" + _TAIL).encode("utf-8")


# hocr's bytes are HEAD, the pages' fragments joined by SEPARATOR, TAIL:
# page_outputs joins pages made apart this way
HEAD, SEPARATOR, TAIL = _HEAD.encode(), b"\n", ("\n" + _TAIL).encode()


def page_fragment(page_no: int, page: PageText) -> bytes:
    """One page's ocr_page element, as `hocr` writes it (`page_no` 1-based)."""
    return "\n".join(_page(page_no, page)).encode("utf-8")
