"""Document generators for the pipeline tests: real PDFs and images, built on the spot."""

from __future__ import annotations

import struct
import zlib
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import pikepdf
import pytest
import pyvips

from service.pipeline.words import PageText

A4 = (595.276, 841.89)  # points
A4_AT_220 = (1819, 2573)


@dataclass(frozen=True)
class TextLine:
    x: float  # points from the left edge
    y: float  # points from the top edge, to the baseline
    size: float
    text: str
    gray: float = 0.0  # 0 black .. 1 white


# An invoice in the way real ones are printed: black body text, light-gray small
# print for table headers, amounts and the footer.
INVOICE: tuple[TextLine, ...] = (
    TextLine(56, 70, 18, "Muster Bürobedarf GmbH"),
    TextLine(56, 90, 9, "Hauptstraße 12, 10115 Berlin", gray=0.55),
    TextLine(56, 150, 11, "Beispielkunde AG"),
    TextLine(56, 165, 11, "Lindenweg 7"),
    TextLine(56, 180, 11, "80331 München"),
    TextLine(56, 240, 16, "Rechnung RE-2024-0042"),
    TextLine(56, 262, 10, "Rechnungsdatum: 14.03.2024"),
    TextLine(300, 262, 10, "Kundennummer: 100234"),
    TextLine(56, 300, 8, "Pos Beschreibung Menge Einzelpreis Gesamt", gray=0.6),
    TextLine(56, 318, 10, "1 Druckerpapier weiss 10 4,50 45,00"),
    TextLine(56, 334, 10, "2 Kugelschreiber blau 25 1,20 30,00"),
    TextLine(56, 350, 10, "3 Ordner breit 12 3,75 45,00"),
    TextLine(300, 380, 8, "Nettobetrag 120,00 EUR", gray=0.6),
    TextLine(300, 394, 8, "Umsatzsteuer 19% 22,80 EUR", gray=0.6),
    TextLine(300, 412, 11, "Gesamtbetrag 142,80 EUR"),
    TextLine(56, 460, 10, "Bitte überweisen Sie den Betrag innerhalb von 14 Tagen."),
    TextLine(56, 780, 7, "Sparkasse Berlin IBAN DE89370400440532013000", gray=0.6),
    TextLine(56, 790, 7, "Geschäftsführer Max Mustermann Amtsgericht Berlin", gray=0.6),
)


def words_of(lines: Sequence[TextLine]) -> list[str]:
    return [w for line in lines for w in line.text.split()]


def _pdf_string(text: str) -> bytes:
    raw = text.encode("cp1252")
    return b"(" + raw.replace(b"\\", b"\\\\").replace(b"(", b"\\(").replace(b")", b"\\)") + b")"


def _content(lines: Sequence[TextLine], page_height: float) -> bytes:
    ops = [b"BT /F1 1 Tf"]
    for line in lines:
        ops.append(b"%.3f g" % line.gray)
        ops.append(
            b"%.3f 0 0 %.3f %.3f %.3f Tm" % (line.size, line.size, line.x, page_height - line.y)
        )
        ops.append(_pdf_string(line.text) + b" Tj")
    ops.append(b"ET")
    return b"\n".join(ops)


def make_text_pdf(
    path: Path,
    pages: Sequence[Sequence[TextLine]],
    size: tuple[float, float] = A4,
    rotate: int = 0,
) -> Path:
    """A digital PDF with a real text layer in standard Helvetica (WinAnsi)."""
    pdf = pikepdf.new()
    font = pdf.make_indirect(
        pikepdf.Dictionary(
            Type=pikepdf.Name.Font,
            Subtype=pikepdf.Name.Type1,
            BaseFont=pikepdf.Name.Helvetica,
            Encoding=pikepdf.Name.WinAnsiEncoding,
        )
    )
    for lines in pages:
        page = pikepdf.Page(
            pikepdf.Dictionary(
                Type=pikepdf.Name.Page,
                MediaBox=[0, 0, size[0], size[1]],
                Resources=pikepdf.Dictionary(Font=pikepdf.Dictionary(F1=font)),
                Contents=pdf.make_stream(_content(lines, size[1])),
            )
        )
        if rotate:
            page.obj.Rotate = rotate
        pdf.pages.append(page)
    pdf.save(path)
    return path


def make_png_claiming(path: Path, width: int, height: int) -> Path:
    """A PNG whose header claims width x height pixels, with a tiny, truncated IDAT."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return (
            struct.pack(">I", len(data))
            + kind
            + data
            + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)
        )

    ihdr = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)  # 8-bit grey
    idat = zlib.compress(b"\x00" * 1000)[:-4]
    path.write_bytes(b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", idat))
    return path


def text_image(text: str, width: int = 800, height: int = 300) -> pyvips.Image:
    """A white RGB page with black text on it, like a scan."""
    ink = pyvips.Image.text(text, dpi=150, font="sans 12")
    page = pyvips.Image.black(width, height).invert()  # white, 1 band
    page = page.insert(ink.invert(), 40, 40)
    return page.colourspace("srgb")


@pytest.fixture(scope="session")
def invoice_pdf(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return make_text_pdf(tmp_path_factory.mktemp("invoice") / "invoice.pdf", [INVOICE])


@pytest.fixture(scope="session")
def invoice_page_jpg(tmp_path_factory: pytest.TempPathFactory, invoice_pdf: Path) -> Path:
    from service.pipeline.rasterize import rasterize

    out = tmp_path_factory.mktemp("invoice_pages")
    rasterize(invoice_pdf, "pdf", out)
    return out / "1.jpg"


@pytest.fixture(scope="session")
def invoice_ocr(invoice_page_jpg: Path) -> PageText:
    from service.pipeline.tesseract import ocr_image

    return ocr_image(invoice_page_jpg, "deu", page=1, dpi=220)
