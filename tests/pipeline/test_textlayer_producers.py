"""The text layer against what real producers write: broken Unicode maps, glyphs
placed one by one, text outside the page, turned text and turned pages.

Every PDF is written here with pikepdf, content stream by hand, the way those
producers write them.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from pathlib import Path

import orjson
import pikepdf
import pytest

from service.pipeline.hocr import hocr
from service.pipeline.ocrjson import ocr_json
from service.pipeline.textlayer import pdf_text_layer
from service.pipeline.words import PageText
from tests.pipeline.conftest import A4, A4_AT_220

SCALE = 220 / 72
COURIER_ADVANCE = 0.6  # every Courier glyph is 600/1000 em wide


def make_pdf(
    path: Path,
    content: bytes,
    *,
    to_unicode: bytes | None = None,
    rotate: int = 0,
    crop: Sequence[float] | None = None,
) -> Path:
    pdf = pikepdf.new()
    font = pikepdf.Dictionary(
        Type=pikepdf.Name.Font, Subtype=pikepdf.Name.Type1, BaseFont=pikepdf.Name.Courier,
        Encoding=pikepdf.Name.WinAnsiEncoding,
    )
    if to_unicode is not None:
        font.ToUnicode = pdf.make_stream(to_unicode)
    page = pikepdf.Dictionary(
        Type=pikepdf.Name.Page, MediaBox=[0, 0, *A4],
        Resources=pikepdf.Dictionary(Font=pikepdf.Dictionary(F1=pdf.make_indirect(font))),
        Contents=pdf.make_stream(content),
    )
    if rotate:
        page.Rotate = rotate
    if crop is not None:
        page.CropBox = list(crop)
    pdf.pages.append(pikepdf.Page(page))
    pdf.save(path)
    return path


def per_glyph(text: str, x: float, y: float, size: float, turn: int = 0,
              tracking: float = 0.0) -> bytes:
    """Each glyph in its own text object at its own position, as some producers
    write every glyph: no space characters, only the gaps between the glyphs.
    `turn` is the text's direction in degrees counter-clockwise."""
    cos, sin = round(math.cos(math.radians(turn))), round(math.sin(math.radians(turn)))
    ops = []
    step = size * (COURIER_ADVANCE + tracking)
    for i, ch in enumerate(text):
        if ch == " ":
            continue
        gx, gy = x + i * step * cos, y + i * step * sin
        ops.append(b"BT /F1 1 Tf %.3f %.3f %.3f %.3f %.3f %.3f Tm (%s) Tj ET" % (
            size * cos, size * sin, -size * sin, size * cos, gx, gy, ch.encode("cp1252")))
    return b"\n".join(ops)


def line(text: str, x: float, y: float, size: float = 12, turn: int = 0) -> bytes:
    cos, sin = round(math.cos(math.radians(turn))), round(math.sin(math.radians(turn)))
    return b"BT /F1 1 Tf %d %d %d %d %.3f %.3f Tm (%s) Tj ET" % (
        size * cos, size * sin, -size * sin, size * cos, x, y, text.encode("cp1252"))


def read(pdf: Path, size: tuple[int, int] = A4_AT_220) -> PageText:
    page = pdf_text_layer(pdf, 0, *size)
    assert page is not None
    return page


def assert_contract(page: PageText) -> None:
    for w in page.words:
        assert 0 <= w.x1 < w.x2 <= page.width, w
        assert 0 <= w.y1 < w.y2 <= page.height, w
    ids = [b["id"] for b in orjson.loads(ocr_json([page]))["pages"][0]["bboxes"]]
    assert ids == list(range(1, len(page.words) + 1))


# A ToUnicode map as a broken producer writes it: "A" maps to a lone high surrogate
# (half of an emoji), "B" to a BEL control character, "C" to a NUL.
BROKEN_CMAP = b"""/CIDInit /ProcSet findresource begin
12 dict begin
begincmap
/CMapName /Broken def
/CMapType 2 def
1 begincodespacerange
<00> <FF>
endcodespacerange
3 beginbfchar
<41> <D83D>
<42> <0007>
<43> <0000>
endbfchar
1 beginbfrange
<44> <7A> <0044>
endbfrange
endcmap
CMapName currentdict /CMap defineresource pop
end
end
"""


def test_lone_surrogates_and_control_characters_never_reach_the_outputs(
    tmp_path: Path,
) -> None:
    pdf = make_pdf(tmp_path / "broken.pdf",
                   line("Avoir A Total 42 Bxy Cz", 56, 700) + b"\n" + line("Rechnung", 56, 680),
                   to_unicode=BROKEN_CMAP)
    page = read(pdf)
    texts = [w.text for w in page.words]
    for text in texts:
        assert all(not 0xD800 <= ord(ch) < 0xE000 and ord(ch) >= 0x20 for ch in text), texts
    # the characters around the broken ones are kept, the broken ones are not words
    assert "Total" in texts and "42" in texts and "Rechnung" in texts
    assert "voir" in texts and "xy" in texts and "z" in texts
    document = orjson.loads(ocr_json([page]))
    assert document["pages"][0]["fulltext"].startswith("voir Total 42 xy z")
    hocr(pages=[page]).decode("utf-8")


def test_glyphs_placed_one_by_one_make_words(tmp_path: Path) -> None:
    content = b"\n".join([
        per_glyph("Rechnungsnummer 471102", 56, 700, 10),
        # a little letter-spacing, as producers that justify per glyph add
        per_glyph("Lieferant GmbH", 56, 680, 10, tracking=0.04),
    ])
    page = read(make_pdf(tmp_path / "glyphs.pdf", content))
    assert page.fulltext() == "Rechnungsnummer 471102\nLieferant GmbH"
    first = page.words[0]
    assert abs(first.x1 - 56 * SCALE) < 4
    assert abs(first.x2 - (56 + 15 * 6) * SCALE) < 6


@pytest.mark.parametrize("turn", [90, 180, 270])
def test_turned_text_reads_as_words_with_upright_boxes(tmp_path: Path, turn: int) -> None:
    # The margin note of real ZUGFeRD 1.0 invoices: glyph by glyph, turned 90 degrees.
    content = b"\n".join([
        line("Rechnung Nr 4711", 56, 760),
        line("Betrag 42,00 EUR", 56, 740),
        per_glyph("Copyright AWV 2014", 300, 420, 10, turn=turn),
    ])
    page = read(make_pdf(tmp_path / "turned.pdf", content))
    assert page.fulltext() == "Rechnung Nr 4711\nBetrag 42,00 EUR\nCopyright AWV 2014"
    assert_contract(page)
    copyright_ = next(w for w in page.words if w.text == "Copyright")
    length = 9 * 6 * SCALE  # nine Courier glyphs, 10 pt
    x, y = 300 * SCALE, (A4[1] - 420) * SCALE  # the first glyph's origin in pixels
    width, height = copyright_.x2 - copyright_.x1, copyright_.y2 - copyright_.y1
    if turn == 180:
        assert abs(copyright_.x2 - x) < 4 and abs(width - length) < 8 and height < 12 * SCALE
    else:
        assert abs(height - length) < 8 and width < 12 * SCALE
        # reading upwards it starts at the bottom, reading downwards at the top
        assert abs((copyright_.y2 if turn == 90 else copyright_.y1) - y) < 4


@pytest.mark.parametrize("rotate", [90, 180, 270])
def test_turned_page_gives_upright_boxes_on_the_page_image(
    tmp_path: Path, rotate: int
) -> None:
    pdf = make_pdf(tmp_path / "rotated.pdf", line("Rechnung Nr 4711", 56, 760), rotate=rotate)
    size = A4_AT_220[::-1] if rotate in (90, 270) else A4_AT_220
    page = read(pdf, size)
    assert page.fulltext() == "Rechnung Nr 4711"
    assert_contract(page)
    first = page.words[0]
    # "Rechnung" starts 56 pt from the left edge, baseline 82 pt below the top edge,
    # of the unrotated page; the page image shows that page turned clockwise. (The
    # tolerance covers the side bearing of "R" and the descender of "g".)
    x, y = 56 * SCALE, (A4[1] - 760) * SCALE
    where = {90: (size[0] - y, x), 180: (size[0] - x, size[1] - y), 270: (y, size[1] - x)}
    corner = {90: (first.x1, first.y1), 180: (first.x2, first.y1), 270: (first.x2, first.y2)}
    assert abs(corner[rotate][0] - where[rotate][0]) < 9
    assert abs(corner[rotate][1] - where[rotate][1]) < 9


def test_text_outside_the_page_is_clipped_or_dropped(tmp_path: Path) -> None:
    content = b"\n".join([
        line("Rechnung Nr 4711", 56, 760),
        line("Randnotiz", 560, 700),  # runs over the right edge
        line("Jenseits", 640, 600),  # wholly right of the page
        line("Unten", 56, -40),  # wholly below it
        line("Oben", 56, 860),  # wholly above it
    ])
    page = read(make_pdf(tmp_path / "off.pdf", content))
    assert [w.text for w in page.words] == ["Rechnung", "Nr", "4711", "Randnotiz"]
    assert page.words[-1].x2 == page.width
    assert_contract(page)


def test_text_outside_the_crop_box_is_dropped(tmp_path: Path) -> None:
    content = b"\n".join([line("Rechnung Nr 4711", 56, 760), line("Schnittmarke", 10, 10)])
    crop = (40, 40, A4[0] - 40, A4[1] - 40)
    width, height = (math.ceil((A4[0] - 80) * SCALE), math.ceil((A4[1] - 80) * SCALE))
    page = read(make_pdf(tmp_path / "crop.pdf", content, crop=crop), (width, height))
    assert page.fulltext() == "Rechnung Nr 4711"
    assert abs(page.words[0].x1 - 16 * SCALE) < 4
    assert_contract(page)


ACCENT_CMAP = BROKEN_CMAP.replace(b"<42> <0007>", b"<B4> <0301>")


def test_an_accent_drawn_over_its_letter_stays_in_the_word(tmp_path: Path) -> None:
    # "Malauce" + a combining acute moved back over the "e" + "ne", as producers
    # without precomposed glyphs write accented letters
    content = b"BT /F1 1 Tf 12 0 0 12 56 700 Tm [(Malauce) 600 (\xb4) (ne)] TJ ET"
    page = read(make_pdf(tmp_path / "accent.pdf", content, to_unicode=ACCENT_CMAP))
    assert [w.text for w in page.words] == ["Malaucéne"]  # composed: one code point
