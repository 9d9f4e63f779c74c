"""The `/pdf` and `/sub-pdfs/{index}` query options: parsing, limits and page geometry.

Pure functions of the query and the record's page sizes: a request's variant,
its cache key and its ETag are known before anything is rendered, and a bad
value is a 422 naming the parameter.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, fields
from typing import Any

from service.errors import invalid

DPI = (50, 600)
JPEG_QUALITY = (1, 100)
IMAGE_SIDE = (50, 10_000)  # px
PAGE_SIDE = (50.0, 600.0)  # mm
POINTS_PER_MM = 72 / 25.4
_INT = re.compile(r"[+-]?\d+")
_TRUE = frozenset({"true", "1", "yes", "on", "t", "y"})
_FALSE = frozenset({"false", "0", "no", "off", "f", "n"})


@dataclass(frozen=True, slots=True)
class PdfOptions:
    dpi: int | None = None
    jpeg_quality: int | None = None
    image_width: int | None = None  # px of the embedded images' short side
    image_height: int | None = None  # px of their long side
    page_width: float | None = None  # mm of the pages' short side
    page_height: float | None = None  # mm of their long side
    pdfa_compliant: bool = False

    def is_default(self, base_dpi: int) -> bool:
        """True when the stored file answers the request as it is."""
        return self == PdfOptions() or self == PdfOptions(dpi=base_dpi)

    def name(self) -> str:
        """A canonical name of the combination, for cache keys and ETags."""
        parts = []
        for field in fields(self):
            value = getattr(self, field.name)
            if value is None or value is False:
                continue
            parts.append(field.name if value is True else f"{field.name}={value:g}")
        return ",".join(parts) or "default"


def parse_pdf_options(query: Mapping[str, str], errors: list[dict[str, Any]]) -> PdfOptions:
    dpi = _int(query, "dpi", DPI, errors)
    quality = _int(query, "jpeg_quality", JPEG_QUALITY, errors)
    image_w = _int(query, "image_width", IMAGE_SIDE, errors)
    image_h = _int(query, "image_height", IMAGE_SIDE, errors)
    page_w = _number(query, "page_width", PAGE_SIDE, errors)
    page_h = _number(query, "page_height", PAGE_SIDE, errors)
    for given, missing in (("page_width", "page_height"), ("page_height", "page_width")):
        if given in query and missing not in query:
            errors.append(invalid(("query", missing),
                                  f"{missing} is required when {given} is given", "missing"))
    pdfa = _bool(query, "pdfa_compliant", errors)
    return PdfOptions(dpi, quality, image_w, image_h, page_w, page_h, pdfa)


def _int(query: Mapping[str, str], name: str, bounds: tuple[int, int],
         errors: list[dict[str, Any]]) -> int | None:
    raw = query.get(name)
    if raw is None:
        return None
    if not _INT.fullmatch(raw.strip()):
        errors.append(invalid(("query", name), "Input should be a valid integer", "int_parsing"))
        return None
    value = int(raw)
    return value if _in_range(value, name, bounds, errors) else None


def _number(query: Mapping[str, str], name: str, bounds: tuple[float, float],
            errors: list[dict[str, Any]]) -> float | None:
    raw = query.get(name)
    if raw is None:
        return None
    try:
        value = float(raw)
    except ValueError:
        value = float("nan")
    if value != value or value in (float("inf"), float("-inf")):
        errors.append(invalid(("query", name), "Input should be a valid number",
                              "float_parsing"))
        return None
    return value if _in_range(value, name, bounds, errors) else None


def _in_range(value: float, name: str, bounds: tuple[float, float],
              errors: list[dict[str, Any]]) -> bool:
    low, high = bounds
    if value < low:
        errors.append(invalid(("query", name), f"Input should be greater than or equal to "
                              f"{low:g}", "greater_than_equal"))
        return False
    if value > high:
        errors.append(invalid(("query", name), f"Input should be less than or equal to "
                              f"{high:g}", "less_than_equal"))
        return False
    return True


def _bool(query: Mapping[str, str], name: str, errors: list[dict[str, Any]]) -> bool:
    raw = query.get(name)
    if raw is None:
        return False
    text = raw.strip().lower()
    if text in _TRUE:
        return True
    if text not in _FALSE:
        errors.append(invalid(("query", name), "Input should be a valid boolean",
                              "bool_parsing"))
    return False


# -- geometry ---------------------------------------------------------------


def render_size(stored: tuple[int, int], options: PdfOptions, base_dpi: int
                ) -> tuple[int, int]:
    """Pixel size of a page rendered at the options' dpi (the stored one scaled)."""
    dpi = options.dpi or base_dpi
    width, height = stored
    return max(round(width * dpi / base_dpi), 1), max(round(height * dpi / base_dpi), 1)


def image_size(rendered: tuple[int, int], options: PdfOptions) -> tuple[int, int]:
    """The embedded image's pixel size: image_width/height are its short/long side."""
    width, height = rendered
    short, long = sorted(rendered)
    want_short, want_long = options.image_width, options.image_height
    if want_short is None and want_long is None:
        return rendered
    if want_short is None:
        assert want_long is not None
        want_short = max(round(short * want_long / long), 1)
    elif want_long is None:
        want_long = max(round(long * want_short / short), 1)
    return (want_short, want_long) if width <= height else (want_long, want_short)


def page_points(stored: tuple[int, int], options: PdfOptions, base_dpi: int
                ) -> tuple[float, float]:
    """The PDF page's size in points: the physical size unless page_width/height say."""
    width, height = stored
    if options.page_width is None or options.page_height is None:
        return width * 72 / base_dpi, height * 72 / base_dpi
    short, long = options.page_width * POINTS_PER_MM, options.page_height * POINTS_PER_MM
    return (short, long) if width <= height else (long, short)


def too_large(pages: Sequence[tuple[int, int]], options: PdfOptions, base_dpi: int,
              max_megapixels: float, errors: list[dict[str, Any]]) -> None:
    """A 422 naming the option when a page would exceed the pixel limit (nothing rendered)."""
    limit = max_megapixels * 1_000_000
    for stored in pages:
        rendered = render_size(stored, options, base_dpi)
        if rendered[0] * rendered[1] > limit:
            errors.append(invalid(("query", "dpi"), f"At this dpi a page would exceed the "
                                  f"{max_megapixels:g} megapixel limit", "too_large"))
            return
        embedded = image_size(rendered, options)
        if embedded[0] * embedded[1] > limit:
            name = "image_width" if options.image_width is not None else "image_height"
            errors.append(invalid(("query", name), f"The page images would exceed the "
                                  f"{max_megapixels:g} megapixel limit", "too_large"))
            return
