from __future__ import annotations

from typing import Any

import pytest

from service.pipeline.pdf_options import (
    PdfOptions,
    image_size,
    page_points,
    parse_pdf_options,
    render_size,
    too_large,
)


def parse(**query: str) -> tuple[PdfOptions, list[dict[str, Any]]]:
    errors: list[dict[str, Any]] = []
    return parse_pdf_options(query, errors), errors


def locs(errors: list[dict[str, Any]]) -> list[list[str]]:
    return [e["loc"] for e in errors]


def test_no_options_is_the_default() -> None:
    options, errors = parse()
    assert errors == [] and options == PdfOptions() and options.is_default(220)


def test_the_stored_dpi_alone_is_the_default() -> None:
    options, _ = parse(dpi="220")
    assert options.is_default(220) and not options.is_default(300)


def test_every_option_parsed() -> None:
    options, errors = parse(dpi="300", jpeg_quality="40", image_width="800",
                            image_height="1200", page_width="210", page_height="297.5",
                            pdfa_compliant="true")
    assert errors == []
    assert options == PdfOptions(300, 40, 800, 1200, 210.0, 297.5, True)
    assert options.name() == ("dpi=300,jpeg_quality=40,image_width=800,image_height=1200,"
                              "page_width=210,page_height=297.5,pdfa_compliant")


@pytest.mark.parametrize(("name", "value", "kind"), [
    ("dpi", "49", "greater_than_equal"),
    ("dpi", "601", "less_than_equal"),
    ("dpi", "2.5", "int_parsing"),
    ("jpeg_quality", "0", "greater_than_equal"),
    ("jpeg_quality", "101", "less_than_equal"),
    ("image_width", "49", "greater_than_equal"),
    ("image_height", "10001", "less_than_equal"),
    ("pdfa_compliant", "maybe", "bool_parsing"),
], ids=lambda v: str(v))
def test_out_of_range_is_named(name: str, value: str, kind: str) -> None:
    _, errors = parse(**{name: value})
    assert locs(errors) == [["query", name]]
    assert errors[0]["type"] == kind


@pytest.mark.parametrize(("value", "kind"), [
    ("49.9", "greater_than_equal"), ("600.1", "less_than_equal"), ("nan", "float_parsing"),
    ("wide", "float_parsing"), ("inf", "float_parsing"),
], ids=lambda v: str(v))
def test_page_size_out_of_range(value: str, kind: str) -> None:
    _, errors = parse(page_width=value, page_height="297")
    assert locs(errors) == [["query", "page_width"]] and errors[0]["type"] == kind


def test_page_width_without_page_height_is_422_on_the_missing_one() -> None:
    _, errors = parse(page_width="210")
    assert locs(errors) == [["query", "page_height"]]
    _, errors = parse(page_height="297")
    assert locs(errors) == [["query", "page_width"]]


def test_every_bad_value_is_reported_at_once() -> None:
    _, errors = parse(dpi="0", jpeg_quality="x", pdfa_compliant="2")
    assert locs(errors) == [["query", "dpi"], ["query", "jpeg_quality"],
                            ["query", "pdfa_compliant"]]


def test_booleans_as_pydantic_reads_them() -> None:
    for text in ("true", "True", "1", "yes", "on"):
        assert parse(pdfa_compliant=text)[0].pdfa_compliant
    for text in ("false", "0", "no", "off"):
        options, errors = parse(pdfa_compliant=text)
        assert not options.pdfa_compliant and errors == []


def test_render_size_follows_the_dpi() -> None:
    assert render_size((1819, 2573), PdfOptions(dpi=110), 220) == (910, 1286)
    assert render_size((1819, 2573), PdfOptions(), 220) == (1819, 2573)


def test_image_size_one_side_follows_the_aspect() -> None:
    assert image_size((1819, 2573), PdfOptions(image_width=800)) == (800, 1132)
    assert image_size((1819, 2573), PdfOptions(image_height=1000)) == (707, 1000)
    # landscape: the short side is the height
    assert image_size((2573, 1819), PdfOptions(image_width=800)) == (1132, 800)


def test_image_size_both_sides_are_exact() -> None:
    assert image_size((1819, 2573), PdfOptions(image_width=500, image_height=900)) == (500, 900)
    assert image_size((2573, 1819), PdfOptions(image_width=500, image_height=900)) == (900, 500)


def test_page_points_short_and_long_side_follow_the_orientation() -> None:
    a4 = PdfOptions(page_width=210, page_height=297)
    assert page_points((1819, 2573), a4, 220) == pytest.approx((595.28, 841.89), abs=0.01)
    assert page_points((2573, 1819), a4, 220) == pytest.approx((841.89, 595.28), abs=0.01)
    assert page_points((1819, 2573), PdfOptions(), 220) == pytest.approx((595.3, 842.1), abs=0.1)


def test_pixel_limit_is_checked_before_rendering() -> None:
    errors: list[dict[str, Any]] = []
    too_large([(1819, 2573)], PdfOptions(dpi=600), 220, 30.0, errors)
    assert locs(errors) == [["query", "dpi"]]
    errors = []
    too_large([(1819, 2573)], PdfOptions(image_width=10000), 220, 100.0, errors)
    assert locs(errors) == [["query", "image_width"]]
    errors = []
    too_large([(1819, 2573)], PdfOptions(dpi=600), 220, 100.0, errors)
    assert errors == []
