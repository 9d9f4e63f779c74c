from __future__ import annotations

from pathlib import Path

import pikepdf
import pytest
import pyvips

from service.errors import ProcessingError, TooLarge
from service.pipeline.detect import check_limits, detect
from tests.pipeline.conftest import INVOICE, make_png_claiming, make_text_pdf, text_image

SAVERS = {
    "png": ".png",
    "jpeg": ".jpg",
    "tiff": ".tif",
    "gif": ".gif",
    "webp": ".webp",
}


@pytest.mark.parametrize("kind", sorted(SAVERS), ids=sorted(SAVERS))
def test_detect_image_kinds(tmp_path: Path, kind: str) -> None:
    # A misleading name: detection must go by the bytes.
    path = tmp_path / "upload.bin"
    text_image("Hallo").write_to_file(str(tmp_path / f"x{SAVERS[kind]}"))
    path.write_bytes((tmp_path / f"x{SAVERS[kind]}").read_bytes())
    assert detect(path) == kind
    assert check_limits(path, kind, max_pages=10, max_megapixels=100) == 1


def test_detect_pdf(invoice_pdf: Path) -> None:
    assert detect(invoice_pdf) == "pdf"
    assert check_limits(invoice_pdf, "pdf", max_pages=10, max_megapixels=100) == 1


def test_detect_pdf_with_junk_before_header(tmp_path: Path, invoice_pdf: Path) -> None:
    path = tmp_path / "junk.pdf"
    path.write_bytes(b"\r\n\r\n" + invoice_pdf.read_bytes())
    assert detect(path) == "pdf"


def test_detect_empty_file(tmp_path: Path) -> None:
    path = tmp_path / "empty"
    path.write_bytes(b"")
    with pytest.raises(ProcessingError, match="the file is empty"):
        detect(path)


def test_detect_garbage(tmp_path: Path) -> None:
    path = tmp_path / "garbage"
    path.write_bytes(b"PK\x03\x04 this is a zip file, not a document" * 10)
    with pytest.raises(ProcessingError, match="unsupported file type"):
        detect(path)


def test_truncated_pdf(tmp_path: Path, invoice_pdf: Path) -> None:
    data = invoice_pdf.read_bytes()
    path = tmp_path / "truncated.pdf"
    path.write_bytes(data[: len(data) // 2])
    with pytest.raises(ProcessingError) as caught:
        check_limits(path, detect(path), max_pages=10, max_megapixels=100)
    assert caught.value.detail == "the PDF is damaged or truncated"
    assert not isinstance(caught.value, TooLarge)


def test_pdf_header_then_garbage(tmp_path: Path) -> None:
    path = tmp_path / "fake.pdf"
    path.write_bytes(b"%PDF-1.7\n" + b"\x00garbage" * 100)
    with pytest.raises(ProcessingError, match="the PDF is damaged or truncated"):
        check_limits(path, "pdf", max_pages=10, max_megapixels=100)


def test_encrypted_pdf(tmp_path: Path, invoice_pdf: Path) -> None:
    path = tmp_path / "encrypted.pdf"
    with pikepdf.open(invoice_pdf) as pdf:
        pdf.save(path, encryption=pikepdf.Encryption(user="secret", owner="owner"))
    with pytest.raises(ProcessingError) as caught:
        check_limits(path, "pdf", max_pages=10, max_megapixels=100)
    assert caught.value.detail == "the PDF is encrypted"


def test_pdf_with_owner_password_only_is_processed(tmp_path: Path, invoice_pdf: Path) -> None:
    # Anyone can open it (empty user password): it is not "encrypted" for us.
    path = tmp_path / "restricted.pdf"
    with pikepdf.open(invoice_pdf) as pdf:
        pdf.save(path, encryption=pikepdf.Encryption(user="", owner="owner"))
    assert check_limits(path, "pdf", max_pages=10, max_megapixels=100) == 1


def test_pdf_without_pages(tmp_path: Path) -> None:
    path = tmp_path / "nopages.pdf"
    pikepdf.new().save(path)
    with pytest.raises(ProcessingError) as caught:
        check_limits(path, "pdf", max_pages=10, max_megapixels=100)
    assert caught.value.detail == "the PDF has no pages"


def test_pdf_too_many_pages(tmp_path: Path) -> None:
    path = make_text_pdf(tmp_path / "three.pdf", [INVOICE[:1]] * 3)
    with pytest.raises(TooLarge) as caught:
        check_limits(path, "pdf", max_pages=2, max_megapixels=100)
    assert caught.value.detail == "the document has 3 pages, the limit is 2"


def test_pdf_page_too_many_megapixels(tmp_path: Path) -> None:
    # Page 2 is 5000 x 5000 pt: 15278 x 15278 px at 220 DPI, never rendered.
    path = tmp_path / "huge.pdf"
    make_text_pdf(path, [INVOICE[:1]])
    with pikepdf.open(path, allow_overwriting_input=True) as pdf:
        pdf.add_blank_page(page_size=(5000, 5000))
        pdf.save(path)
    with pytest.raises(TooLarge) as caught:
        check_limits(path, "pdf", max_pages=10, max_megapixels=100, dpi=220)
    assert caught.value.detail == "page 2 is 233 megapixels, the limit is 100"


def test_png_header_claiming_100k_by_100k_is_rejected_without_decoding(tmp_path: Path) -> None:
    # The IDAT is truncated: had anything been decoded, this would fail as
    # "damaged", not as too large.
    path = make_png_claiming(tmp_path / "bomb.png", 100_000, 100_000)
    assert detect(path) == "png"
    with pytest.raises(TooLarge) as caught:
        check_limits(path, "png", max_pages=10, max_megapixels=100)
    assert caught.value.detail == "page 1 is 10000 megapixels, the limit is 100"


def test_multipage_tiff_counts_pages(tmp_path: Path) -> None:
    frames = [text_image(f"Seite {i}", 300, 200) for i in (1, 2, 3)]
    tiff = pyvips.Image.arrayjoin(frames, across=1).copy()
    tiff.set_type(pyvips.GValue.gint_type, "page-height", 200)
    path = tmp_path / "three.tif"
    tiff.tiffsave(str(path))
    assert check_limits(path, "tiff", max_pages=10, max_megapixels=100) == 3
    with pytest.raises(TooLarge, match="the document has 3 pages, the limit is 2"):
        check_limits(path, "tiff", max_pages=2, max_megapixels=100)


def test_truncated_image(tmp_path: Path) -> None:
    path = tmp_path / "cut.png"
    path.write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00")
    with pytest.raises(ProcessingError, match="the image is damaged or truncated"):
        check_limits(path, "png", max_pages=10, max_megapixels=100)
