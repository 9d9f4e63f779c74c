"""Bare XML uploads: recognised by their bytes and drawn as readable pages."""

from __future__ import annotations

from pathlib import Path

import pypdfium2 as pdfium

from service.pipeline.detect import check_limits, detect
from service.pipeline.xmlpages import LINES_PER_PAGE, render_xml, xml_lines


def test_xml_upload_is_recognised(tmp_path: Path) -> None:
    path = tmp_path / "upload.bin"
    path.write_bytes(b"\xef\xbb\xbf\n  <?xml version='1.0'?><Invoice/>")
    assert detect(path) == "xml"
    assert check_limits(path, "xml", max_pages=1, max_megapixels=1) == 1


def test_elements_become_indented_lines() -> None:
    lines = xml_lines(b"<a xmlns='urn:x'><b unitCode='C62'>2</b><c><d>x  y</d></c></a>", 1000)
    assert lines == ["a", "  b [C62]: 2", "  c", "    d: x y"]


def test_fifty_lines_to_a_page(tmp_path: Path) -> None:
    body = "".join(f"<line>{n}</line>" for n in range(120))
    out = render_xml(f"<doc>{body}</doc>".encode(), tmp_path / "drawn.pdf", 1 << 20)
    doc = pdfium.PdfDocument(str(out))
    try:
        assert len(doc) == -(-121 // LINES_PER_PAGE)
        text = doc[0].get_textpage().get_text_range()
        assert "line: 0" in text
    finally:
        doc.close()


def test_embedded_binary_is_not_drawn() -> None:
    lines = xml_lines(b"<a><AttachmentBinaryObject>" + b"QUJD" * 5000
                      + b"</AttachmentBinaryObject></a>", 1 << 20)
    assert lines == ["a", "  AttachmentBinaryObject: [20000 characters not shown]"]
