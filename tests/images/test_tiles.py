"""IIIF tiles rendered by real libvips from a real JPEG page."""

from __future__ import annotations

from pathlib import Path

import pytest
import pyvips

from service.images import iiif, tiles

PAGE = (1819, 2573)


@pytest.fixture(scope="module")
def page(tmp_path_factory: pytest.TempPathFactory) -> str:
    """A white A4 page with a black 200x100 box at (1300, 2200) and a mid-grey left half."""
    w, h = PAGE
    image = pyvips.Image.black(w, h).new_from_image([255, 255, 255]).cast("uchar")
    image = image.draw_rect([128, 128, 128], 0, 0, w // 2, h, fill=True)
    image = image.draw_rect([0, 0, 0], 1300, 2200, 200, 100, fill=True)
    path = tmp_path_factory.mktemp("page") / "1.jpg"
    image.write_to_file(str(path), Q=95)
    return str(path)


def render(path: str, region: str, size: str = "max", rotation: str = "0",
           qf: str = "default.png", decoded: pyvips.Image | None = None) -> pyvips.Image:
    p = iiif.resolve(iiif.parse(region, size, rotation, qf), *PAGE)
    body = tiles.render(path, decoded, p, 90)
    return pyvips.Image.new_from_buffer(body, "")


def mean(image: pyvips.Image, x: int, y: int, w: int, h: int) -> float:
    return float(image.crop(x, y, w, h).colourspace("b-w").avg())


@pytest.mark.parametrize("region, size, expected", [
    ("0,0,512,512", "max", (512, 512)),
    ("1536,2048,512,512", "283,", (283, 512)),
    ("0,0,1024,1024", "512,512", (512, 512)),
    ("0,0,2048,2048", "455,512", (455, 512)),
    ("0,0,4096,4096", "228,322", (228, 322)),
    ("full", "!1000,1000", (707, 1000)),
    ("pct:25,25,50,50", "pct:33.3", (303, 429)),
], ids=["scale-1", "edge", "scale-2", "scale-4", "scale-8", "confined", "pct"])
def test_decoded_size_is_the_planned_size(page: str, region: str, size: str,
                                          expected: tuple[int, int]) -> None:
    image = render(page, region, size)
    assert (image.width, image.height) == expected


@pytest.mark.parametrize("size, factor", [("512,512", 2), ("455,512", 4), ("228,322", 8),
                                          ("300,300", 1)], ids=["2", "4", "8", "none"])
def test_shrink_on_load_factor_never_goes_below_the_output(size: str, factor: int) -> None:
    region = {"512,512": "0,0,1024,1024", "455,512": "0,0,2048,2048",
              "228,322": "full", "300,300": "0,0,512,512"}[size]
    p = iiif.resolve(iiif.parse(region, size, "0", "default.jpg"), *PAGE)
    assert tiles.shrink_factor(p) == factor


def test_tile_shows_the_dark_box_where_it_is_on_the_page(page: str) -> None:
    # the box spans x 1300-1500, y 2200-2300; the tile starts at (1024, 2048)
    tile = render(page, "1024,2048,512,512")
    assert mean(tile, 300, 170, 150, 60) < 20  # inside the box
    assert mean(tile, 300, 20, 150, 60) > 235  # above it: white paper


def test_tile_at_scale_4_shows_the_box_at_a_quarter(page: str) -> None:
    tile = render(page, "0,0,2048,2048", "455,512")
    # the box at 1/4: x 325-375, y 550-575 is below this tile; the grey half is left
    assert mean(tile, 10, 10, 200, 400) == pytest.approx(128, abs=6)
    assert mean(tile, 240, 10, 200, 400) > 235


def test_tile_from_the_decoded_page_matches_the_file(page: str) -> None:
    decoded = pyvips.Image.new_from_file(page).copy_memory()
    from_file = render(page, "1024,2048,512,512")
    from_memory = render(page, "1024,2048,512,512", decoded=decoded)
    assert (from_file - from_memory).abs().max() <= 1


def test_gray_and_bitonal_have_one_band(page: str) -> None:
    assert render(page, "0,0,64,64", qf="gray.png").bands == 1
    bitonal = render(page, "0,0,64,64", qf="bitonal.png")
    assert bitonal.bands == 1
    assert bitonal.max() == 0  # mid grey 128 is not above the threshold: black


def test_rotation_90_turns_clockwise(page: str) -> None:
    # a 512x256 region: grey left half (x < 909) and white right half
    turned = render(page, "653,0,512,256", "max", "90")
    assert (turned.width, turned.height) == (256, 512)
    # clockwise: the region's left (grey) ends up on top
    assert mean(turned, 0, 0, 256, 200) < 140
    assert mean(turned, 0, 312, 256, 200) > 235


def test_mirror_swaps_left_and_right(page: str) -> None:
    mirrored = render(page, "653,0,512,256", "max", "!0")
    assert mean(mirrored, 0, 0, 200, 256) > 235
    assert mean(mirrored, 312, 0, 200, 256) < 140


@pytest.mark.parametrize("qf, loader", [("default.jpg", "jpegload_buffer"),
                                        ("default.png", "pngload_buffer"),
                                        ("default.webp", "webpload_buffer")],
                         ids=["jpg", "png", "webp"])
def test_formats(page: str, qf: str, loader: str) -> None:
    p = iiif.resolve(iiif.parse("0,0,64,64", "max", "0", qf), *PAGE)
    image = pyvips.Image.new_from_buffer(tiles.render(page, None, p, 80), "")
    assert image.get("vips-loader") == loader


def test_a_corrupt_page_is_an_imaging_error(tmp_path: Path) -> None:
    from service.images.imaging import ImagingError
    broken = tmp_path / "1.jpg"
    broken.write_bytes(b"\xff\xd8\xff\xe0" + b"\0" * 100)
    p = iiif.resolve(iiif.parse("full", "max", "0", "default.jpg"), 10, 10)
    with pytest.raises(ImagingError):
        tiles.render(str(broken), None, p, 80)
