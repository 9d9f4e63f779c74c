"""Decoded pages kept for many sizes: second-miss policy, byte bound, exact sizes."""

from __future__ import annotations

from pathlib import Path

import pytest
import pyvips

from service.images import imaging
from service.images.decoded import DecodedPages
from tests.helpers import jpeg


def test_a_page_is_decoded_only_on_its_second_miss() -> None:
    pages = DecodedPages(10_000_000)
    assert pages.claim("a", 1000) is False
    assert pages.claim("a", 1000) is True
    assert pages.claim("b", 1000) is False


def test_disabled_cache_never_wants_a_page() -> None:
    pages = DecodedPages(0)
    pages.claim("a", 1000)
    assert pages.claim("a", 1000) is False


def test_a_page_over_the_budget_is_never_decoded() -> None:
    pages = DecodedPages(10_000)
    for _ in range(3):
        assert pages.claim("big", 10_001) is False


def test_decodes_in_flight_are_bounded_one_per_page() -> None:
    pages = DecodedPages(10_000_000, concurrency=2)
    for key in "abc":
        pages.claim(key, 1000)
    assert pages.claim("a", 1000) is True
    assert pages.claim("a", 1000) is False  # already being decoded
    assert pages.claim("b", 1000) is True
    assert pages.claim("c", 1000) is False  # both slots taken
    pages.release("a")
    assert pages.claim("c", 1000) is True


def test_decoded_pages_are_bounded_by_bytes() -> None:
    pages = DecodedPages(3 * 100 * 100 * 3)
    for key in "abcd":
        pages.put(key, pyvips.Image.black(100, 100, bands=3))
    assert pages.get("a") is None
    assert all(pages.get(k) is not None for k in "bcd")
    assert pages.size_bytes == 3 * 100 * 100 * 3


@pytest.mark.parametrize("size", [(1819, 2573), (2573, 1819), (101, 777), (7, 3)])
@pytest.mark.parametrize("request_w,request_h", [(100, None), (None, 100), (300, 300),
                                                 (1, None), (5000, 5000)])
def test_rendering_from_the_decoded_page_gives_the_exact_size(
        tmp_path: Path, size: tuple[int, int], request_w: int | None,
        request_h: int | None) -> None:
    path = tmp_path / "page.jpg"
    path.write_bytes(jpeg(*size))
    out_w, out_h = imaging.output_size(*size, request_w, request_h)
    decoded = imaging.decode(str(path), 10**9)
    out = pyvips.Image.new_from_buffer(
        imaging.render_decoded(decoded, out_w, out_h, "jpeg", 80), "")
    assert (out.width, out.height) == (out_w, out_h)


def test_decode_refuses_a_page_over_the_bound_from_its_header(tmp_path: Path) -> None:
    path = tmp_path / "page.jpg"
    path.write_bytes(jpeg(100, 80))
    assert imaging.decode(str(path), 100 * 80 * 3 - 1) is None
    assert imaging.decode(str(path), 100 * 80 * 3) is not None
