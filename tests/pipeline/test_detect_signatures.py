"""Type detection by the signature at offset 0; `%PDF-` further in only as a last resort."""

from __future__ import annotations

import gzip
import struct
import zipfile
import zlib
from pathlib import Path

import pytest

from service.errors import ProcessingError
from service.pipeline.detect import check_limits, detect
from service.pipeline.rasterize import rasterize
from tests.pipeline.conftest import text_image


def _chunk(kind: bytes, data: bytes) -> bytes:
    return (struct.pack(">I", len(data)) + kind + data
            + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF))


def _png_with_text(path: Path, text: bytes) -> Path:
    """A valid PNG whose first chunk after IHDR is a tEXt chunk holding `text`."""
    png = text_image("Hallo", 200, 100).pngsave_buffer()
    ihdr_end = 8 + 4 + 4 + 13 + 4
    path.write_bytes(png[:ihdr_end] + _chunk(b"tEXt", b"Comment\x00" + text)
                     + png[ihdr_end:])
    return path


def test_png_with_pdf_header_in_a_text_chunk_is_a_png(tmp_path: Path) -> None:
    path = _png_with_text(tmp_path / "upload.bin", b"%PDF-1.7 not a pdf at all")
    assert b"%PDF-" in path.read_bytes()[:1024]
    assert detect(path) == "png"
    assert check_limits(path, "png", max_pages=10, max_megapixels=100) == 1
    assert rasterize(path, "png", tmp_path / "pages") == [(200, 100)]


def test_jpeg_with_pdf_header_in_a_comment_is_a_jpeg(tmp_path: Path) -> None:
    jpeg = text_image("Hallo", 200, 100).jpegsave_buffer()
    comment = b"%PDF-1.4 a comment"
    path = tmp_path / "upload.bin"
    path.write_bytes(jpeg[:2] + b"\xff\xfe" + struct.pack(">H", len(comment) + 2) + comment
                     + jpeg[2:])
    assert detect(path) == "jpeg"
    assert check_limits(path, "jpeg", max_pages=10, max_megapixels=100) == 1


def test_zip_holding_a_pdf_is_refused(tmp_path: Path, invoice_pdf: Path) -> None:
    path = tmp_path / "upload.pdf"
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_STORED) as archive:
        archive.write(invoice_pdf, "invoice.pdf")
    assert b"%PDF-" in path.read_bytes()[:1024]  # what used to make it "a PDF"
    with pytest.raises(ProcessingError) as caught:
        detect(path)
    assert caught.value.detail == ("unsupported file type: a ZIP archive; expected a PDF, "
                                   "PNG, JPEG, TIFF, GIF or WebP document or an e-invoice XML")


def test_gzip_is_named_in_the_refusal(tmp_path: Path, invoice_pdf: Path) -> None:
    path = tmp_path / "upload.pdf.gz"
    path.write_bytes(gzip.compress(invoice_pdf.read_bytes()))
    with pytest.raises(ProcessingError, match="unsupported file type: a gzip file"):
        detect(path)


def test_pdf_header_at_offset_zero(invoice_pdf: Path) -> None:
    assert detect(invoice_pdf) == "pdf"


def test_pdf_after_junk_within_the_first_kib(tmp_path: Path, invoice_pdf: Path) -> None:
    path = tmp_path / "mail.pdf"
    path.write_bytes(b"Content-Type: application/pdf\r\n" * 20 + invoice_pdf.read_bytes())
    assert 600 < path.read_bytes().index(b"%PDF-") < 1024
    assert detect(path) == "pdf"
    assert check_limits(path, "pdf", max_pages=10, max_megapixels=100) == 1


def test_pdf_header_past_the_first_kib_is_unsupported(tmp_path: Path,
                                                       invoice_pdf: Path) -> None:
    path = tmp_path / "late.pdf"
    path.write_bytes(b" " * 1024 + invoice_pdf.read_bytes())
    with pytest.raises(ProcessingError, match="unsupported file type"):
        detect(path)


@pytest.mark.parametrize(("saver", "kind"), [
    ("pngsave", "png"), ("jpegsave", "jpeg"), ("gifsave", "gif"), ("webpsave", "webp"),
], ids=["png", "jpeg", "gif", "webp"])
def test_image_signatures(tmp_path: Path, saver: str, kind: str) -> None:
    path = tmp_path / "upload.bin"
    path.write_bytes(getattr(text_image("Hallo", 120, 60), f"{saver}_buffer")())
    assert detect(path) == kind


def test_little_endian_tiff_signature(tmp_path: Path) -> None:
    path = tmp_path / "upload.bin"
    text_image("Hallo", 120, 60).tiffsave(str(path))
    assert path.read_bytes()[:4] == b"II*\x00"
    assert detect(path) == "tiff"


def _big_endian_tiff(path: Path, width: int, height: int) -> Path:
    """An uncompressed 8-bit grey TIFF in Motorola byte order, written by hand."""
    pixels = bytes(range(256)) * (width * height // 256 + 1)
    entries = [(256, 3, width), (257, 3, height), (258, 3, 8), (259, 3, 1), (262, 3, 1),
               (273, 4, 0), (277, 3, 1), (278, 3, height), (279, 4, width * height)]
    ifd_size = 2 + 12 * len(entries) + 4
    data_offset = 8 + ifd_size
    ifd = struct.pack(">H", len(entries))
    for tag, kind, value in entries:
        value = data_offset if tag == 273 else value
        packed = struct.pack(">HH", value, 0) if kind == 3 else struct.pack(">I", value)
        ifd += struct.pack(">HHI", tag, kind, 1) + packed
    ifd += struct.pack(">I", 0)
    path.write_bytes(b"MM\x00*" + struct.pack(">I", 8) + ifd + pixels[:width * height])
    return path


def test_big_endian_tiff_signature(tmp_path: Path) -> None:
    path = _big_endian_tiff(tmp_path / "upload.bin", 64, 32)
    assert detect(path) == "tiff"
    assert check_limits(path, "tiff", max_pages=10, max_megapixels=100) == 1
    assert rasterize(path, "tiff", tmp_path / "pages") == [(64, 32)]
