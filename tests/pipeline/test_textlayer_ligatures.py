"""A ligature glyph that stands for several characters ('tt' in 'Nettopreis'): PDFium
gives each of them the glyph's one box, and the word must not break there."""

from __future__ import annotations

from pathlib import Path

from service.pipeline.textlayer import pdf_text_layer
from tests.pipeline.conftest import A4_AT_220
from tests.pipeline.test_textlayer_producers import make_pdf

# printable ASCII as itself, code 0x80 as the two characters 'tt'
TO_UNICODE = b"""/CIDInit /ProcSet findresource begin 12 dict begin begincmap
/CMapName /Ligatures def /CMapType 2 def
1 begincodespacerange <00> <FF> endcodespacerange
1 beginbfrange <20> <7E> <0020> endbfrange
1 beginbfchar <80> <00740074> endbfchar
endcmap CMapName currentdict /CMap defineresource pop end end"""


def _words(tmp_path: Path, content: bytes) -> list[str]:
    pdf = make_pdf(tmp_path / "ligature.pdf", content, to_unicode=TO_UNICODE)
    page = pdf_text_layer(pdf, 0, *A4_AT_220)
    assert page is not None
    return [w.text for w in page.words]


def test_ligature_glyph_stays_inside_its_word(tmp_path: Path) -> None:
    assert _words(tmp_path, b"BT /F1 12 Tf 72 700 Td (Ne\x80opreis Menge) Tj ET") == [
        "Nettopreis", "Menge"]

