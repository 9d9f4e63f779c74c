"""A bare e-invoice XML upload drawn as plain pages, so it has page images, words and a PDF.

The content is listed one element per line ("  Name: value"), indented by
depth, 50 lines to an A4 page in Courier; XML that does not parse is drawn as
its raw text lines. The PDF has a real text layer, so the shared steps read
its words like any digital PDF's.
"""

from __future__ import annotations

import re
import textwrap
import xml.etree.ElementTree as ET
from pathlib import Path

import pikepdf

from service.pipeline.invoice.xmlsafe import XmlProblem, local

LINES_PER_PAGE = 50
MAX_VALUE = 400  # characters of one element's text drawn
WIDTH = 92  # Courier 9 pt characters between 40 pt margins on A4
A4 = (595.276, 841.89)


def xml_lines(data: bytes, max_bytes: int) -> list[str]:
    try:
        if b"<!DOCTYPE" in data or b"<!ENTITY" in data:
            raise XmlProblem("declares a DTD")
        root = ET.fromstring(data[:max_bytes])
    except (ET.ParseError, XmlProblem):
        raw = data[:max_bytes].decode("utf-8", errors="replace")
        return [line.rstrip() for line in raw.splitlines() if line.strip()]
    lines: list[str] = []

    def walk(element: ET.Element, depth: int) -> None:
        label = local(element.tag)
        extras = " ".join(f"[{v}]" for k, v in element.attrib.items() if len(v) <= 12)
        value = " ".join((element.text or "").split())
        if len(value) > MAX_VALUE:
            # an embedded attachment (base64): hundreds of pages of it would help nobody
            value = f"[{len(value)} characters not shown]"
        lines.append("  " * depth + label + (f" {extras}" if extras else "")
                     + (f": {value}" if value else ""))
        for kid in element:
            walk(kid, depth + 1)

    walk(root, 0)
    return lines


def render_xml(data: bytes, out: Path, max_bytes: int) -> Path:
    """Draw the XML's content into a PDF at out."""
    wrapped: list[str] = []
    for line in xml_lines(data, max_bytes):
        indent = len(line) - len(line.lstrip(" "))
        wrapped += textwrap.wrap(line, WIDTH, subsequent_indent=" " * (indent + 4),
                                 drop_whitespace=False) or [""]
    pdf = pikepdf.new()
    font = pdf.make_indirect(pikepdf.Dictionary(
        Type=pikepdf.Name.Font, Subtype=pikepdf.Name.Type1, BaseFont=pikepdf.Name.Courier,
        Encoding=pikepdf.Name.WinAnsiEncoding))
    for start in range(0, max(1, len(wrapped)), LINES_PER_PAGE):
        ops = [b"BT /F1 9 Tf 14 TL 40 800 Td"]
        for line in wrapped[start:start + LINES_PER_PAGE]:
            ops.append(_string(line) + b" '")
        ops.append(b"ET")
        pdf.pages.append(pikepdf.Page(pikepdf.Dictionary(
            Type=pikepdf.Name.Page, MediaBox=[0, 0, *A4],
            Resources=pikepdf.Dictionary(Font=pikepdf.Dictionary(F1=font)),
            Contents=pdf.make_stream(b"\n".join(ops)))))
    pdf.save(out)
    return out


def _string(text: str) -> bytes:
    text = re.sub(r"[\x00-\x1f\x7f]", " ", text)
    raw = text.encode("cp1252", errors="replace")
    return b"(" + raw.replace(b"\\", b"\\\\").replace(b"(", b"\\(").replace(b")", b"\\)") + b")"
