import itertools

import pytest

from service.images.imaging import output_size

PAGES = [(1819, 2573), (2573, 1819), (1000, 1000), (101, 7777), (7, 3)]

# (page, requested width, requested height, expected output)
CASES = [
    pytest.param((1819, 2573), 800, None, (800, 1132), id="a4-width"),
    pytest.param((1819, 2573), None, 800, (566, 800), id="a4-height"),
    pytest.param((1819, 2573), 800, 800, (566, 800), id="a4-box-height-binds"),
    pytest.param((1819, 2573), 800, 5000, (800, 1132), id="a4-box-width-binds"),
    pytest.param((1819, 2573), 5000, None, (1819, 2573), id="a4-width-larger-than-page"),
    pytest.param((1819, 2573), None, 5000, (1819, 2573), id="a4-height-larger-than-page"),
    pytest.param((1819, 2573), 5000, 5000, (1819, 2573), id="a4-box-larger-than-page"),
    pytest.param((1819, 2573), 1819, None, (1819, 2573), id="a4-width-equal-to-page"),
    pytest.param((1819, 2573), 1, None, (1, 1), id="a4-width-1px"),
    pytest.param((1819, 2573), None, 1, (1, 1), id="a4-height-1px"),
    pytest.param((2573, 1819), 800, None, (800, 566), id="landscape-width"),
    pytest.param((2573, 1819), None, 800, (1132, 800), id="landscape-height"),
    pytest.param((2573, 1819), 800, 800, (800, 566), id="landscape-box-width-binds"),
    pytest.param((2573, 1819), 5000, 100, (141, 100), id="landscape-box-wide-height-binds"),
    pytest.param((1000, 1000), 333, None, (333, 333), id="square-width"),
    pytest.param((1000, 1000), 333, 999, (333, 333), id="square-box"),
    pytest.param((1000, 1000), 1000, 999, (999, 999), id="square-one-px-smaller"),
    pytest.param((101, 7777), 1, None, (1, 77), id="tall-width-1px"),
    pytest.param((101, 7777), None, 1, (1, 1), id="tall-height-1px-clamps-width"),
    pytest.param((101, 7777), None, 200, (3, 200), id="tall-height"),
    pytest.param((101, 7777), 50, 5000, (50, 3850), id="tall-box-width-binds"),
    pytest.param((101, 7777), 5000, 1000, (13, 1000), id="tall-box-height-binds"),
    pytest.param((7, 3), 1, None, (1, 1), id="tiny-width-1px"),
    pytest.param((7, 3), 5, None, (5, 2), id="tiny-width"),
    pytest.param((7, 3), None, 2, (5, 2), id="tiny-height-rounds-half-up"),
    pytest.param((7, 3), 100, 100, (7, 3), id="tiny-larger-than-page"),
]


@pytest.mark.parametrize(("page", "width", "height", "expected"), CASES)
def test_output_size_matrix(
    page: tuple[int, int], width: int | None, height: int | None, expected: tuple[int, int]
) -> None:
    assert output_size(*page, width, height) == expected


def test_half_pixel_rounds_up() -> None:
    # 3 * 5 / 2 = 7.5 exactly.
    assert output_size(2, 3, 1, None) == (1, 2)
    assert output_size(10, 3, 5, None) == (5, 2)


def test_equal_reductions_match_both_sides() -> None:
    assert output_size(1000, 2000, 250, 500) == (250, 500)


REQUESTS = [1, 2, 3, 99, 100, 101, 555, 1000, 1819, 2572, 2573, 2574, 9999]


@pytest.mark.parametrize("page", PAGES, ids=[f"{w}x{h}" for w, h in PAGES])
def test_never_upscales_and_keeps_aspect(page: tuple[int, int]) -> None:
    page_w, page_h = page
    requests: list[tuple[int | None, int | None]] = [(w, None) for w in REQUESTS]
    requests += [(None, h) for h in REQUESTS]
    requests += itertools.product(REQUESTS, REQUESTS)
    for width, height in requests:
        out_w, out_h = output_size(page_w, page_h, width, height)
        assert 1 <= out_w <= page_w
        assert 1 <= out_h <= page_h
        if width is not None:
            assert out_w <= width
        if height is not None:
            assert out_h <= height
        # One side follows from the other by the page's aspect ratio, to
        # within half a pixel (or was clamped up to 1).
        exact_h = max(1.0, page_h * out_w / page_w)
        exact_w = max(1.0, page_w * out_h / page_h)
        assert abs(out_h - exact_h) <= 0.5 or abs(out_w - exact_w) <= 0.5
        # One requested side is met exactly whenever the page was reduced.
        if (out_w, out_h) != (page_w, page_h):
            assert out_w == width or out_h == height


@pytest.mark.parametrize(
    ("width", "height"),
    [(0, None), (None, 0), (-5, 100), (100, -1)],
    ids=["zero-width", "zero-height", "negative-width", "negative-height"],
)
def test_non_positive_request_is_rejected(width: int | None, height: int | None) -> None:
    with pytest.raises(ValueError):
        output_size(1819, 2573, width, height)


def test_empty_page_is_rejected() -> None:
    with pytest.raises(ValueError):
        output_size(0, 2573, 100, None)
