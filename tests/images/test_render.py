from pathlib import Path

import pytest
import pyvips

from service.images.imaging import (
    FORMATS,
    ImagingError,
    configure_vips,
    header_size,
    output_size,
    pixels_ok,
    render,
)

PAGES = [(1819, 2573), (2573, 1819), (1000, 1000), (101, 7777), (7, 3)]
PAGE_IDS = [f"{w}x{h}" for w, h in PAGES]

REQUESTS = [
    pytest.param(800, None, id="width"),
    pytest.param(None, 800, id="height"),
    pytest.param(640, 480, id="box"),
    pytest.param(480, 640, id="box-tall"),
    pytest.param(20000, None, id="width-larger-than-page"),
    pytest.param(None, 20000, id="height-larger-than-page"),
    pytest.param(20000, 20000, id="box-larger-than-page"),
    pytest.param(1, None, id="width-1px"),
    pytest.param(None, 1, id="height-1px"),
    pytest.param(1, 1, id="box-1px"),
    pytest.param(5, None, id="width-5px"),
    pytest.param(127, None, id="width-127"),
    pytest.param(None, 333, id="height-333"),
]

LOADERS = {
    "jpeg": "jpegload_buffer",
    "png": "pngload_buffer",
    "webp": "webpload_buffer",
    "avif": "heifload_buffer",
}


def _write_page(path: Path, width: int, height: int) -> None:
    # Noise over a gradient, so encoders have real detail to compress, and an
    # EXIF orientation tag that must neither rotate the page nor survive.
    xyz = pyvips.Image.xyz(width, height)
    noise = pyvips.Image.gaussnoise(width, height, sigma=40, mean=128)
    image = (xyz[0] * 255 / width).bandjoin([xyz[1] * 255 / height, noise]).cast("uchar")
    image = image.copy(interpretation="srgb")
    image.set_type(pyvips.GValue.gint_type, "orientation", 6)
    image.write_to_file(str(path), Q=92)


@pytest.fixture(scope="module", autouse=True)
def _vips() -> None:
    configure_vips()


@pytest.fixture(scope="module")
def pages(tmp_path_factory: pytest.TempPathFactory) -> dict[tuple[int, int], str]:
    root = tmp_path_factory.mktemp("pages")
    paths = {}
    for width, height in PAGES:
        path = root / f"{width}x{height}.jpg"
        _write_page(path, width, height)
        paths[(width, height)] = str(path)
    return paths


def _decoded_size(data: bytes) -> tuple[int, int]:
    image = pyvips.Image.new_from_buffer(data, "")
    return int(image.width), int(image.height)


@pytest.mark.parametrize(("width", "height"), REQUESTS)
@pytest.mark.parametrize("page", PAGES, ids=PAGE_IDS)
def test_rendered_size_is_announced_size(
    pages: dict[tuple[int, int], str],
    page: tuple[int, int],
    width: int | None,
    height: int | None,
) -> None:
    out_w, out_h = output_size(*page, width, height)
    data = render(pages[page], out_w, out_h, "jpeg", 80)
    assert _decoded_size(data) == (out_w, out_h)


def test_rendered_size_across_jpeg_shrink_on_load_factors(
    pages: dict[tuple[int, int], str],
) -> None:
    # Targets from 1/1 down to below 1/16 of the page cross every libjpeg
    # pre-shrink (1, 2, 4, 8), whose rounding is what size="down" gets wrong.
    for page in [(1819, 2573), (101, 7777)]:
        for target in [*range(1, 18), *range(18, 2600, 131)]:
            for width, height in [(target, None), (None, target)]:
                out_w, out_h = output_size(*page, width, height)
                data = render(pages[page], out_w, out_h, "jpeg", 50)
                assert _decoded_size(data) == (out_w, out_h), (page, width, height)


@pytest.mark.parametrize("fmt", sorted(FORMATS))
def test_every_format_decodes_to_announced_size(
    pages: dict[tuple[int, int], str], fmt: str
) -> None:
    out_w, out_h = output_size(1819, 2573, 333, None)
    data = render(pages[(1819, 2573)], out_w, out_h, fmt, 60)
    decoded = pyvips.Image.new_from_buffer(data, "")
    assert (decoded.width, decoded.height) == (out_w, out_h) == (333, 471)
    assert decoded.get("vips-loader") == LOADERS[fmt]


@pytest.mark.parametrize("fmt", sorted(FORMATS))
def test_metadata_is_stripped(pages: dict[tuple[int, int], str], fmt: str) -> None:
    data = render(pages[(1000, 1000)], 100, 100, fmt, 60)
    fields = pyvips.Image.new_from_buffer(data, "").get_fields()
    assert "exif-data" not in fields
    assert "icc-profile-data" not in fields
    assert "orientation" not in fields


def test_exif_orientation_does_not_swap_axes(pages: dict[tuple[int, int], str]) -> None:
    # The source carries orientation 6 (rotate 90°); OCR boxes are in stored
    # pixel coordinates, so the output must keep the stored axes.
    data = render(pages[(2573, 1819)], 800, 566, "jpeg", 80)
    assert _decoded_size(data) == (800, 566)


def test_jpeg_quality_changes_size(pages: dict[tuple[int, int], str]) -> None:
    low = render(pages[(1819, 2573)], 800, 1132, "jpeg", 30)
    high = render(pages[(1819, 2573)], 800, 1132, "jpeg", 90)
    assert len(low) < len(high)


def test_full_size_request_renders_page_size(pages: dict[tuple[int, int], str]) -> None:
    data = render(pages[(7, 3)], 7, 3, "png", 80)
    assert _decoded_size(data) == (7, 3)


def test_unknown_format_is_rejected(pages: dict[tuple[int, int], str]) -> None:
    with pytest.raises(ValueError):
        render(pages[(7, 3)], 7, 3, "gif", 80)


@pytest.mark.parametrize("quality", [0, 101], ids=["zero", "above-100"])
def test_out_of_range_quality_is_rejected(pages: dict[tuple[int, int], str], quality: int) -> None:
    with pytest.raises(ValueError):
        render(pages[(7, 3)], 7, 3, "jpeg", quality)


def test_truncated_page_raises_imaging_error(
    pages: dict[tuple[int, int], str], tmp_path: Path
) -> None:
    data = Path(pages[(1819, 2573)]).read_bytes()
    truncated = tmp_path / "truncated.jpg"
    truncated.write_bytes(data[: len(data) // 2])
    with pytest.raises(ImagingError):
        render(str(truncated), 800, 1132, "jpeg", 80)


def test_missing_page_raises_imaging_error(tmp_path: Path) -> None:
    with pytest.raises(ImagingError):
        render(str(tmp_path / "missing.jpg"), 10, 10, "jpeg", 80)


def test_header_size_reads_stored_dimensions(pages: dict[tuple[int, int], str]) -> None:
    assert header_size(pages[(101, 7777)]) == (101, 7777)


def test_header_size_of_non_image_raises_imaging_error(tmp_path: Path) -> None:
    junk = tmp_path / "junk.jpg"
    junk.write_bytes(b"not an image")
    with pytest.raises(ImagingError):
        header_size(str(junk))


def test_pixels_ok_at_limit() -> None:
    assert pixels_ok(1000, 1000, 1)


def test_pixels_ok_over_limit() -> None:
    assert not pixels_ok(1000, 1001, 1)


def test_pixels_ok_fractional_limit() -> None:
    assert pixels_ok(1819, 2573, 4.7)
    assert not pixels_ok(1819, 2573, 4.6)


def test_configure_vips_turns_off_operation_cache() -> None:
    configure_vips(concurrency=2)
    assert pyvips.cache_get_max() == 0
    assert pyvips.cache_get_max_mem() == 0
    assert pyvips.cache_get_max_files() == 0
    assert pyvips.concurrency_get() == 2
    configure_vips()
    assert pyvips.concurrency_get() == 1


def test_configure_vips_rejects_zero_concurrency() -> None:
    with pytest.raises(ValueError):
        configure_vips(concurrency=0)
