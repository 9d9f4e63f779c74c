"""The IIIF Image API 3.0 grammar, rule by rule from the spec (sections 4.1-4.5, 4.7).

Page sizes are those of folio's stored pages: an A4 page at 220 DPI is 1819x2573.
"""

from __future__ import annotations

import pytest

from service.errors import BadIiifRequest, NotImplementedHere
from service.images import iiif
from service.images.iiif_info import info, scale_factors

A4 = (1819, 2573)


def plan(region: str, size: str = "max", rotation: str = "0", qf: str = "default.jpg",
         page: tuple[int, int] = A4) -> iiif.Plan:
    return iiif.resolve(iiif.parse(region, size, rotation, qf), *page)


def box(p: iiif.Plan) -> tuple[int, int, int, int, int, int]:
    return p.x, p.y, p.w, p.h, p.out_w, p.out_h


# -- region (4.1) -------------------------------------------------------------

def test_region_full_is_the_whole_page() -> None:
    assert box(plan("full")) == (0, 0, 1819, 2573, 1819, 2573)


def test_region_square_is_the_short_side_centred() -> None:
    assert box(plan("square")) == (0, 377, 1819, 1819, 1819, 1819)


def test_region_square_on_a_landscape_page() -> None:
    assert box(plan("square", page=(300, 100))) == (100, 0, 100, 100, 100, 100)


def test_region_pixels() -> None:
    assert box(plan("512,1024,512,512")) == (512, 1024, 512, 512, 512, 512)


def test_region_past_the_edge_is_cut_at_the_edge() -> None:
    assert box(plan("1536,2048,512,1024")) == (1536, 2048, 283, 525, 283, 525)


def test_region_percent() -> None:
    assert box(plan("pct:10,20,50,25.5")) == (182, 515, 910, 656, 910, 656)


def test_region_percent_past_the_edge_is_cut() -> None:
    p = plan("pct:50,50,80,80")
    assert (p.x + p.w, p.y + p.h) == A4


@pytest.mark.parametrize("region", ["1819,0,10,10", "0,2573,10,10", "pct:100,0,10,10",
                                    "5000,5000,1,1"], ids=["x-at-width", "y-at-height",
                                                           "pct-x-100", "far-outside"])
def test_region_entirely_outside_is_400(region: str) -> None:
    with pytest.raises(BadIiifRequest):
        plan(region)


@pytest.mark.parametrize("region", ["0,0,0,10", "0,0,10,0", "pct:0,0,0,10"],
                         ids=["zero-width", "zero-height", "pct-zero-width"])
def test_region_zero_width_or_height_is_400(region: str) -> None:
    with pytest.raises(BadIiifRequest):
        iiif.parse_region(region)


def test_region_percent_that_rounds_to_nothing_is_400() -> None:
    with pytest.raises(BadIiifRequest):
        plan("pct:0,0,0.01,0.01")


@pytest.mark.parametrize("region", ["", "ful", "Full", "0,0,10", "0,0,10,10,10", "-1,0,10,10",
                                    "0.5,0,10,10", "a,b,c,d", "pct:", "pct:1,2,3",
                                    "pct:.5,0,10,10", "pct:1e2,0,10,10", "pct:-1,0,10,10",
                                    "0, 0,10,10", "squared"],
                         ids=["empty", "ful", "capital", "three", "five", "negative",
                              "px-float", "letters", "pct-empty", "pct-three",
                              "pct-no-leading-digit", "pct-exponent", "pct-negative",
                              "space", "squared"])
def test_region_bad_syntax_is_400(region: str) -> None:
    with pytest.raises(BadIiifRequest):
        iiif.parse_region(region)


# -- size (4.2) ---------------------------------------------------------------

def test_size_max_is_the_region_size() -> None:
    assert box(plan("0,0,512,512", "max"))[4:] == (512, 512)


def test_size_width_keeps_the_aspect_ratio() -> None:
    assert box(plan("full", "900,"))[4:] == (900, 1273)


def test_size_height_keeps_the_aspect_ratio() -> None:
    assert box(plan("full", ",1000"))[4:] == (707, 1000)


def test_size_width_and_height_may_distort() -> None:
    assert box(plan("full", "100,100"))[4:] == (100, 100)


def test_size_confined_fits_inside_the_box() -> None:
    assert box(plan("full", "!500,500"))[4:] == (353, 500)
    assert box(plan("full", "!500,2000"))[4:] == (500, 707)


def test_size_confined_larger_than_the_region_is_the_region() -> None:
    # "as large as possible but not larger than the extracted region"
    assert box(plan("0,0,100,50", "!2000,3000"))[4:] == (100, 50)


def test_size_percent() -> None:
    assert box(plan("full", "pct:50"))[4:] == (910, 1287)


def test_size_of_a_tile_as_openseadragon_asks() -> None:
    # scale factor 4: a 2048-px square of the page into a 512-px tile
    assert box(plan("0,0,2048,2048", "455,512")) == (0, 0, 1819, 2048, 455, 512)


@pytest.mark.parametrize("size", ["2000,", ",3000", "1820,100", "pct:101"],
                         ids=["width", "height", "wh", "pct"])
def test_size_above_the_region_without_caret_is_400(size: str) -> None:
    with pytest.raises(BadIiifRequest):
        plan("full", size)


@pytest.mark.parametrize("size", ["^2000,", "^,3000", "^1820,100", "^pct:101",
                                  "^!4000,4000"],
                         ids=["width", "height", "wh", "pct", "confined"])
def test_size_upscaling_with_caret_is_501(size: str) -> None:
    with pytest.raises(NotImplementedHere):
        plan("full", size)


@pytest.mark.parametrize("size, expected", [("^max", (1819, 2573)), ("^900,", (900, 1273)),
                                            ("^pct:50", (910, 1287)),
                                            ("^!500,500", (353, 500))],
                         ids=["max", "width", "pct", "confined"])
def test_size_caret_without_upscaling_is_served(size: str, expected: tuple[int, int]) -> None:
    assert box(plan("full", size))[4:] == expected


def test_size_that_rounds_to_zero_is_400() -> None:
    with pytest.raises(BadIiifRequest):
        plan("0,0,1000,1", "10,")


@pytest.mark.parametrize("size", ["", "full", "0,", ",0", "0,0", "!100,", "!,100", ",",
                                  "pct:0", "pct:", "pct:-5", "-5,", "10.5,", "Max", "^",
                                  "^^max", "w,h"],
                         ids=["empty", "full-is-2.x", "zero-w", "zero-h", "zero-both",
                              "confined-no-h", "confined-no-w", "comma", "pct-zero",
                              "pct-empty", "pct-negative", "negative", "float", "capital",
                              "caret-alone", "double-caret", "letters"])
def test_size_bad_syntax_is_400(size: str) -> None:
    with pytest.raises(BadIiifRequest):
        iiif.parse_size(size)


# -- rotation (4.3) -----------------------------------------------------------

@pytest.mark.parametrize("text, expected", [("0", (0, False)), ("90", (90, False)),
                                            ("180", (180, False)), ("270", (270, False)),
                                            ("360", (0, False)), ("!0", (0, True)),
                                            ("!90", (90, True)), ("90.0", (90, False))],
                         ids=["0", "90", "180", "270", "360", "mirror", "mirror-90", "float"])
def test_rotation_by_90s_and_mirroring(text: str, expected: tuple[int, bool]) -> None:
    assert iiif.parse_rotation(text) == expected


@pytest.mark.parametrize("text", ["22.5", "45", "!1"], ids=["22.5", "45", "mirror-1"])
def test_rotation_by_other_angles_is_501(text: str) -> None:
    with pytest.raises(NotImplementedHere):
        iiif.parse_rotation(text)


@pytest.mark.parametrize("text", ["", "-90", "361", "abc", "!!0", "90!", "1e2"],
                         ids=["empty", "negative", "361", "letters", "double-mirror",
                              "mirror-after", "exponent"])
def test_rotation_bad_syntax_is_400(text: str) -> None:
    with pytest.raises(BadIiifRequest):
        iiif.parse_rotation(text)


def test_rotation_swaps_the_output_sides_in_the_canonical_form_only_by_turning() -> None:
    p = plan("0,0,100,50", "max", "90")
    assert (p.out_w, p.out_h, p.rotation) == (100, 50, 90)


# -- quality and format (4.4, 4.5) --------------------------------------------

@pytest.mark.parametrize("text", ["default.jpg", "color.png", "gray.webp", "bitonal.jpg"])
def test_quality_and_format(text: str) -> None:
    quality, fmt = iiif.parse_quality_format(text)
    assert f"{quality}.{fmt}" == text


@pytest.mark.parametrize("text", ["grey.jpg", "Default.jpg", "default", "default.",
                                  ".jpg", "default.jpeg", "default.JPG", "default.xyz"],
                         ids=["grey", "capital-quality", "no-format", "empty-format",
                              "empty-quality", "jpeg", "capital-format", "unknown"])
def test_quality_or_format_unknown_is_400(text: str) -> None:
    with pytest.raises(BadIiifRequest):
        iiif.parse_quality_format(text)


@pytest.mark.parametrize("fmt", ["tif", "gif", "jp2", "pdf"])
def test_format_named_by_the_spec_but_not_written_is_501(fmt: str) -> None:
    with pytest.raises(NotImplementedHere):
        iiif.parse_quality_format(f"default.{fmt}")


# -- canonical form (4.7): one cache entry per image ----------------------------

@pytest.mark.parametrize("region, size, rotation, quality", [
    ("full", "max", "0", "default"),
    ("0,0,1819,2573", "1819,", "360", "color"),
    ("pct:0,0,100,100", "pct:100", "0", "default"),
    ("0,0,5000,5000", "^max", "0", "color"),
], ids=["full", "pixels", "percent", "clipped"])
def test_every_spelling_of_the_full_page_is_one_canonical_form(
        region: str, size: str, rotation: str, quality: str) -> None:
    assert plan(region, size, rotation, f"{quality}.jpg").canonical == "full/max/0/default.jpg"


def test_canonical_form_of_a_tile() -> None:
    p = plan("pct:50,50,50,50", "!256,256", "!90", "gray.png", page=(1024, 1024))
    assert p.canonical == "512,512,512,512/256,256/!90/gray.png"


def test_identity_only_for_the_untouched_page() -> None:
    assert plan("full").identity
    assert not plan("full", "pct:50").identity
    assert not plan("full", "max", "90").identity
    assert not plan("full", "max", "0", "gray.jpg").identity
    assert not plan("square").identity


# -- info.json (5) --------------------------------------------------------------

def test_scale_factors_reach_one_tile_for_the_whole_page() -> None:
    assert scale_factors(*A4, 512) == [1, 2, 4, 8]
    assert scale_factors(512, 100, 512) == [1]
    assert scale_factors(513, 100, 512) == [1, 2]


def test_info_has_the_required_fields() -> None:
    doc = info("https://folio.example/iiif/3/abc~1", *A4, 512)
    assert doc["@context"] == "http://iiif.io/api/image/3/context.json"
    assert doc["id"] == "https://folio.example/iiif/3/abc~1"
    assert doc["type"] == "ImageService3"
    assert doc["protocol"] == "http://iiif.io/api/image"
    assert doc["profile"] == "level2"
    assert (doc["width"], doc["height"]) == A4
    assert doc["tiles"] == [{"width": 512, "height": 512, "scaleFactors": [1, 2, 4, 8]}]
    assert doc["sizes"][0] == {"width": 228, "height": 322}
    assert doc["sizes"][-1] == {"width": 1819, "height": 2573}
    assert "webp" in doc["extraFormats"] and "gray" in doc["extraQualities"]


def test_every_listed_size_is_a_valid_request() -> None:
    for size in info("x", *A4, 512)["sizes"]:
        p = plan("full", f"{size['width']},{size['height']}")
        assert (p.out_w, p.out_h) == (size["width"], size["height"])
