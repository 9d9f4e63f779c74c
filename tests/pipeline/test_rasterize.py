from __future__ import annotations

from pathlib import Path

import pytest
import pyvips

from service.errors import ProcessingError, TooLarge
from service.pipeline.rasterize import rasterize
from tests.pipeline.conftest import A4_AT_220, INVOICE, make_text_pdf, text_image


def _load(path: Path) -> pyvips.Image:
    return pyvips.Image.new_from_file(str(path))


def test_a4_pdf_at_220_dpi(tmp_path: Path, invoice_pdf: Path) -> None:
    sizes = rasterize(invoice_pdf, "pdf", tmp_path)
    assert sizes == [A4_AT_220]
    page = _load(tmp_path / "1.jpg")
    assert (page.width, page.height, page.bands) == (*A4_AT_220, 3)
    assert page.get("vips-loader") == "jpegload"
    assert not list(tmp_path.glob("*.part"))


def test_pdf_pages_in_order_at_other_dpi(tmp_path: Path) -> None:
    pdf = make_text_pdf(tmp_path / "two.pdf", [INVOICE[:1], INVOICE[1:2]], size=(612, 792))
    sizes = rasterize(pdf, "pdf", tmp_path / "out", dpi=72)
    assert sizes == [(612, 792), (612, 792)]
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == ["1.jpg", "2.jpg"]


def test_rotated_pdf_page_is_rendered_landscape(tmp_path: Path) -> None:
    pdf = make_text_pdf(tmp_path / "rot.pdf", [INVOICE[:1]], rotate=90)
    assert rasterize(pdf, "pdf", tmp_path / "out") == [A4_AT_220[::-1]]


def test_pdf_page_over_megapixel_limit(tmp_path: Path, invoice_pdf: Path) -> None:
    with pytest.raises(TooLarge, match="page 1 is 5 megapixels, the limit is 4"):
        rasterize(invoice_pdf, "pdf", tmp_path, max_megapixels=4)


def test_multipage_tiff_frames(tmp_path: Path) -> None:
    frames = [text_image(f"Seite {i}", 300, 200) for i in (1, 2, 3)]
    tiff = pyvips.Image.arrayjoin(frames, across=1).copy()
    tiff.set_type(pyvips.GValue.gint_type, "page-height", 200)
    path = tmp_path / "three.tif"
    tiff.tiffsave(str(path), compression="lzw")
    sizes = rasterize(path, "tiff", tmp_path / "out")
    assert sizes == [(300, 200)] * 3
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == ["1.jpg", "2.jpg", "3.jpg"]


def test_exif_orientation_is_applied(tmp_path: Path) -> None:
    # Stored 400 wide x 200 high, left half black; orientation 6 means "rotate
    # 90 degrees clockwise to display": upright it is 200 x 400 with the top black.
    black = pyvips.Image.black(200, 200)
    white = black.invert()
    stored = black.join(white, "horizontal").colourspace("srgb").copy()
    stored.set_type(pyvips.GValue.gint_type, "orientation", 6)
    path = tmp_path / "rotated.jpg"
    stored.jpegsave(str(path))
    assert rasterize(path, "jpeg", tmp_path / "out") == [(200, 400)]
    page = _load(tmp_path / "out" / "1.jpg")
    assert page.crop(0, 0, 200, 200).avg() < 20
    assert page.crop(0, 200, 200, 200).avg() > 235


def test_transparent_png_is_flattened_on_white(tmp_path: Path) -> None:
    rgba = pyvips.Image.black(50, 40, bands=4).copy(interpretation="srgb")  # alpha 0
    path = tmp_path / "clear.png"
    rgba.pngsave(str(path))
    assert rasterize(path, "png", tmp_path / "out") == [(50, 40)]
    page = _load(tmp_path / "out" / "1.jpg")
    assert page.bands == 3
    assert page.min() > 250


def test_grayscale_16_bit_png_becomes_8_bit_rgb(tmp_path: Path) -> None:
    grey16 = (text_image("Hallo", 200, 100).colourspace("grey16")).copy()
    path = tmp_path / "g16.png"
    grey16.pngsave(str(path))
    rasterize(path, "png", tmp_path / "out")
    page = _load(tmp_path / "out" / "1.jpg")
    assert (page.bands, page.format) == (3, "uchar")


def test_corrupt_image(tmp_path: Path) -> None:
    path = tmp_path / "bad.jpg"
    path.write_bytes(b"\xff\xd8\xff\xe0" + b"\x00" * 20)
    with pytest.raises(ProcessingError, match="damaged or truncated"):
        rasterize(path, "jpeg", tmp_path / "out")
