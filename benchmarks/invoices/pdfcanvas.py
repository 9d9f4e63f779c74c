"""A tiny PDF writer: standard Helvetica text, lines and boxes, drawn with pikepdf.

Coordinates are points from the top-left corner of an A4 page; `y` of text is
its baseline.
"""

from __future__ import annotations

import io

import pikepdf

from benchmarks.invoices.fontmetrics import HELVETICA, HELVETICA_BOLD

PAGE_W, PAGE_H = 595.0, 842.0


def text_width(text: str, size: float, bold: bool = False) -> float:
    table = HELVETICA_BOLD if bold else HELVETICA
    return sum(table.get(c, 556) for c in text) * size / 1000


def _pdf_string(text: str) -> bytes:
    raw = text.encode("cp1252", errors="replace")
    return b"(" + raw.replace(b"\\", b"\\\\").replace(b"(", b"\\(").replace(b")", b"\\)") + b")"


class Canvas:
    def __init__(self) -> None:
        self.pages: list[list[bytes]] = [[]]

    @property
    def page_count(self) -> int:
        return len(self.pages)

    def new_page(self) -> None:
        self.pages.append([])

    def text(
        self,
        x: float,
        y: float,
        text: str,
        size: float = 9,
        bold: bool = False,
        align: str = "left",
        page: int = -1,
    ) -> float:
        """Draw text and return its width; align 'right' puts its end at x."""
        width = text_width(text, size, bold)
        if align == "right":
            x -= width
        elif align == "center":
            x -= width / 2
        font = b"/F2" if bold else b"/F1"
        self.pages[page].append(
            b"BT %s %.2f Tf %.2f %.2f Td %s Tj ET" % (font, size, x, PAGE_H - y, _pdf_string(text))
        )
        return width

    def line(self, x1: float, y1: float, x2: float, y2: float, width: float = 0.6) -> None:
        self.pages[-1].append(
            b"%.2f w %.2f %.2f m %.2f %.2f l S" % (width, x1, PAGE_H - y1, x2, PAGE_H - y2)
        )

    def rect(self, x: float, y: float, w: float, h: float, fill: float | None = None) -> None:
        """A box with top-left (x, y); fill is a grey level, None draws only the outline."""
        if fill is None:
            op = b"0.6 w %.2f %.2f %.2f %.2f re S"
        else:
            op = b"%.2f g %%.2f %%.2f %%.2f %%.2f re f 0 g" % fill
        self.pages[-1].append(op % (x, PAGE_H - y - h, w, h))

    def to_pdf(self) -> bytes:
        pdf = pikepdf.new()
        fonts = pikepdf.Dictionary(
            F1=pdf.make_indirect(_font("Helvetica")), F2=pdf.make_indirect(_font("Helvetica-Bold"))
        )
        for ops in self.pages:
            page = pdf.add_blank_page(page_size=(PAGE_W, PAGE_H))
            page.obj.Resources = pikepdf.Dictionary(Font=fonts)
            page.obj.Contents = pdf.make_stream(b"\n".join(ops))
        out = io.BytesIO()
        pdf.save(out, deterministic_id=True)
        return out.getvalue()


def _font(name: str) -> pikepdf.Dictionary:
    return pikepdf.Dictionary(
        Type=pikepdf.Name.Font,
        Subtype=pikepdf.Name.Type1,
        BaseFont=pikepdf.Name("/" + name),
        Encoding=pikepdf.Name.WinAnsiEncoding,
    )
