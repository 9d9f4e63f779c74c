"""Images are bounded before they are decoded: page count first, then every page's pixels."""

from __future__ import annotations

import struct
from pathlib import Path

import pytest
import pyvips

from service.errors import TooLarge
from service.pipeline.detect import check_limits, detect
from service.pipeline.rasterize import rasterize


def _tiff(path: Path, pages: list[tuple[int, int]]) -> Path:
    """A little-endian grey TIFF, one IFD per page declaring its size; pixel data is
    written only for pages under a megapixel (a larger page's strip is 16 bytes, so
    decoding it would fail as damaged, not as too large)."""
    out = bytearray(b"II*\x00\x00\x00\x00\x00")
    previous_link = 4
    for width, height in pages:
        real = width * height <= 1_000_000
        data = bytes(width * height) if real else bytes(16)
        data_offset = len(out)
        out += data
        if len(out) % 2:
            out += b"\x00"
        entries = [(256, 4, width), (257, 4, height), (258, 3, 8), (259, 3, 1), (262, 3, 1),
                   (273, 4, data_offset), (277, 3, 1), (278, 4, height),
                   (279, 4, width * height)]
        ifd_offset = len(out)
        struct.pack_into("<I", out, previous_link, ifd_offset)
        out += struct.pack("<H", len(entries))
        for tag, kind, value in entries:
            packed = struct.pack("<HH", value, 0) if kind == 3 else struct.pack("<I", value)
            out += struct.pack("<HHI", tag, kind, 1) + packed
        previous_link = len(out)
        out += struct.pack("<I", 0)
    path.write_bytes(bytes(out))
    return path


def test_tiff_with_a_huge_third_page_is_refused_from_its_header(tmp_path: Path) -> None:
    path = _tiff(tmp_path / "pages.tif", [(300, 200), (300, 200), (20_000, 20_000)])
    assert detect(path) == "tiff"
    with pytest.raises(TooLarge) as caught:
        check_limits(path, "tiff", max_pages=10, max_megapixels=100)
    assert caught.value.detail == "page 3 is 400 megapixels, the limit is 100"


def test_rasterizing_a_huge_tiff_page_refuses_before_decoding(tmp_path: Path) -> None:
    # a page worker is given its pages without the upload check: it checks again
    path = _tiff(tmp_path / "pages.tif", [(300, 200), (20_000, 20_000)])
    assert rasterize(path, "tiff", tmp_path / "out", indices=[0]) == [(300, 200)]
    with pytest.raises(TooLarge, match="page 2 is 400 megapixels"):
        rasterize(path, "tiff", tmp_path / "out", indices=[1])


def test_tiff_page_count_is_checked_before_any_page_header(tmp_path: Path) -> None:
    path = _tiff(tmp_path / "many.tif", [(8, 8)] * 12)
    assert check_limits(path, "tiff", max_pages=12, max_megapixels=100) == 12
    with pytest.raises(TooLarge) as caught:
        check_limits(path, "tiff", max_pages=11, max_megapixels=100)
    assert caught.value.detail == "the document has 12 pages, the limit is 11"


def _animated_gif(path: Path, frames: int, width: int = 60, height: int = 40) -> Path:
    # frames of different greys: identical frames would be merged by the encoder
    greys = [(pyvips.Image.black(width, height) + 40 * n).cast("uchar").colourspace("srgb")
             for n in range(frames)]
    strip = pyvips.Image.arrayjoin(greys, across=1).copy()
    strip.set_type(pyvips.GValue.gint_type, "page-height", height)
    strip.gifsave(str(path))
    return path


def test_gif_frames_are_pages_and_are_counted(tmp_path: Path) -> None:
    path = _animated_gif(tmp_path / "frames.gif", 5)
    assert check_limits(path, "gif", max_pages=5, max_megapixels=100) == 5
    with pytest.raises(TooLarge, match="the document has 5 pages, the limit is 4"):
        check_limits(path, "gif", max_pages=4, max_megapixels=100)
    assert rasterize(path, "gif", tmp_path / "out") == [(60, 40)] * 5


def test_gif_canvas_over_the_pixel_limit_is_refused(tmp_path: Path) -> None:
    path = _animated_gif(tmp_path / "frames.gif", 3, 400, 300)  # 0.12 MP per frame
    with pytest.raises(TooLarge, match=r"page 1 is 0 megapixels, the limit is 0\.1"):
        check_limits(path, "gif", max_pages=10, max_megapixels=0.1)
