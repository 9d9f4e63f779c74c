"""An invisible-text font that can carry any Unicode text: glyphless, CID-keyed.

The same design as tesseract's PDF renderer and OCRmyPDF: a Type0 font with
Identity-H encoding over a CIDFontType2 whose embedded TrueType program has
one glyph. Every character of the text layer gets a CID of its own (in
order of first use in the file), every CID shows that glyph (invisibly), and the
ToUnicode CMap maps each CID back to its character, so text extraction,
search and copy return exactly the words that were written, in any script.

The font program is built here with fontTools rather than copied from
tesseract/OCRmyPDF: it is ten lines, its metrics are exactly the ones the PDF
dictionaries declare (a PDF/A requirement), and no third-party binary blob
has to be carried with its licence.
"""

from __future__ import annotations

import functools
import io
import unicodedata

import pikepdf
from fontTools.fontBuilder import FontBuilder
from fontTools.pens.ttGlyphPen import TTGlyphPen

UNITS_PER_EM = 1000
ADVANCE = 500  # every glyph's width, in 1/1000 em (PDF text space units)
ASCENT = 800
DESCENT = -200  # ascent - descent = 1 em: a font size equal to the line height fills the line
FONT_NAME = "FolioGlyphless"
BLANK_GID = 1  # PDF/A forbids showing .notdef (gid 0), even invisibly
MAX_CIDS = 0xFFFF  # Identity-H codes are two bytes; CID 0 stays unused
REPLACEMENT = "\ufffd"
# 1989-12-31 as seconds since 1904: a fixed date keeps the font bytes reproducible
_FIXED_TIME = 2808691200


@functools.cache
def glyphless_ttf() -> bytes:
    """The embedded font program: an empty .notdef and one box glyph, both ADVANCE wide."""
    builder = FontBuilder(UNITS_PER_EM, isTTF=True)
    builder.setupGlyphOrder([".notdef", "blank"])
    builder.setupCharacterMap({0x20: "blank"})
    # The glyph is a box filling the character's cell; the text is drawn in
    # render mode 3 (invisible), so the box is never seen, but it gives every
    # character a real extent for viewers and text extractors that measure
    # glyph outlines (PDFium's character boxes).
    pen = TTGlyphPen(None)
    pen.moveTo((0, DESCENT))
    pen.lineTo((0, ASCENT))
    pen.lineTo((ADVANCE, ASCENT))
    pen.lineTo((ADVANCE, DESCENT))
    pen.closePath()
    builder.setupGlyf({".notdef": TTGlyphPen(None).glyph(), "blank": pen.glyph()})
    builder.setupHorizontalMetrics({".notdef": (ADVANCE, 0), "blank": (ADVANCE, 0)})
    builder.setupHorizontalHeader(ascent=ASCENT, descent=DESCENT)
    builder.setupNameTable({"familyName": FONT_NAME, "styleName": "Regular"})
    builder.setupOS2(sTypoAscender=ASCENT, sTypoDescender=DESCENT, usWinAscent=ASCENT,
                     usWinDescent=-DESCENT)
    builder.setupPost()
    head = builder.font["head"]
    head.created = head.modified = _FIXED_TIME
    out = io.BytesIO()
    builder.save(out)
    return out.getvalue()


class GlyphlessFont:
    """One Type0 font object per PDF; call `finish()` once every page is written."""

    def __init__(self, pdf: pikepdf.Pdf) -> None:
        self._pdf = pdf
        self._cids: dict[str, int] = {}
        program = pdf.make_stream(glyphless_ttf())
        program.Length1 = len(glyphless_ttf())
        descriptor = pdf.make_indirect(pikepdf.Dictionary(
            Type=pikepdf.Name.FontDescriptor,
            FontName=pikepdf.Name(f"/{FONT_NAME}"),
            Flags=5,  # fixed pitch, symbolic: the glyphs are no standard Latin set
            FontBBox=[0, DESCENT, ADVANCE, ASCENT],
            ItalicAngle=0,
            Ascent=ASCENT,
            Descent=DESCENT,
            CapHeight=ASCENT,
            StemV=80,
            FontFile2=program,
        ))
        self._gid_map = pdf.make_stream(b"")
        self._to_unicode = pdf.make_stream(b"")
        cid_font = pdf.make_indirect(pikepdf.Dictionary(
            Type=pikepdf.Name.Font,
            Subtype=pikepdf.Name.CIDFontType2,
            BaseFont=pikepdf.Name(f"/{FONT_NAME}"),
            CIDSystemInfo=pikepdf.Dictionary(Registry=pikepdf.String("Adobe"),
                                             Ordering=pikepdf.String("Identity"),
                                             Supplement=0),
            FontDescriptor=descriptor,
            DW=ADVANCE,
            CIDToGIDMap=self._gid_map,
        ))
        self.font = pdf.make_indirect(pikepdf.Dictionary(
            Type=pikepdf.Name.Font,
            Subtype=pikepdf.Name.Type0,
            BaseFont=pikepdf.Name(f"/{FONT_NAME}"),
            Encoding=pikepdf.Name("/Identity-H"),
            DescendantFonts=[cid_font],
            ToUnicode=self._to_unicode,
        ))

    def encode(self, text: str) -> bytes:
        """The text as two-byte codes, one per character (NFC), new characters getting new CIDs."""
        out = bytearray()
        # text read from other PDFs may hold UTF-16 halves: pairs are joined,
        # a lone half (no character at all) becomes U+FFFD
        text = text.encode("utf-16-le", "surrogatepass").decode("utf-16-le", "replace")
        for char in unicodedata.normalize("NFC", text):
            cid = self._cids.get(char)
            if cid is None:
                if len(self._cids) >= MAX_CIDS - 1:
                    char = REPLACEMENT  # 65,534 distinct characters in one file
                cid = self._cids.setdefault(char, len(self._cids) + 1)
            out += cid.to_bytes(2, "big")
        return bytes(out)

    def finish(self) -> None:
        """Write the CID→glyph map and the ToUnicode CMap for every character used."""
        count = len(self._cids) + 1
        # CID 0 keeps gid 0; every other CID shows the blank glyph
        self._gid_map.write(b"\x00\x00" + BLANK_GID.to_bytes(2, "big") * (count - 1))
        self._to_unicode.write(to_unicode_cmap(self._cids))


def to_unicode_cmap(cids: dict[str, int]) -> bytes:
    lines = [
        b"/CIDInit /ProcSet findresource begin",
        b"12 dict begin",
        b"begincmap",
        b"/CIDSystemInfo << /Registry (Adobe) /Ordering (UCS) /Supplement 0 >> def",
        b"/CMapName /Adobe-Identity-UCS def",
        b"/CMapType 2 def",
        b"1 begincodespacerange",
        b"<0000> <FFFF>",
        b"endcodespacerange",
    ]
    entries = sorted((cid, char) for char, cid in cids.items())
    for start in range(0, len(entries), 100):  # at most 100 entries per block
        block = entries[start:start + 100]
        lines.append(b"%d beginbfchar" % len(block))
        for cid, char in block:
            lines.append(b"<%04X> <%s>" % (cid, char.encode("utf-16-be").hex().upper().encode()))
        lines.append(b"endbfchar")
    lines += [b"endcmap", b"CMapName currentdict /CMap defineresource pop", b"end", b"end"]
    return b"\n".join(lines) + b"\n"
