"""The query parameters of results URLs, read the same way by every lane."""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from service.access.signing import SIGNATURE
from service.errors import invalid
from service.images import negotiate
from service.images.imaging import FORMATS
from service.images.scaler import DEFAULT_FORMAT, ScaleParams
from service.images.widths import snap

_INT = re.compile(r"[+-]?[0-9]{1,18}")
_LONG_POSITIVE = re.compile(r"\+?0*[1-9][0-9]{18,}")  # past what _INT reads
ANY_PAGE = 10**18  # a page side no page reaches


def int_param(
    raw: str | None, loc: tuple[str, str], errors: list[dict[str, Any]], *,
    minimum: int, maximum: int | None = None,
) -> int | None:
    if raw is None:
        return None
    text = raw.strip()
    if not _INT.fullmatch(text):
        errors.append(invalid(loc, "Input should be a valid integer", "int_parsing"))
        return None
    value = int(text)
    if value < minimum:
        errors.append(invalid(loc, f"Input should be greater than or equal to {minimum}",
                              "greater_than_equal"))
        return None
    if maximum is not None and value > maximum:
        errors.append(invalid(loc, f"Input should be less than or equal to {maximum}",
                              "less_than_equal"))
        return None
    return value


def size_param(raw: str | None, loc: tuple[str, str], errors: list[dict[str, Any]]
               ) -> int | None:
    """An integer ≥ 1 of any length; one too long to read is larger than any page."""
    if raw is not None and _LONG_POSITIVE.fullmatch(raw.strip()):
        return ANY_PAGE
    return int_param(raw, loc, errors, minimum=1)


def scale_query(query: Mapping[str, str], errors: list[dict[str, Any]], limit: int,
                widths: tuple[int, ...] = (), accept: str | None = None) -> ScaleParams:
    """width/height/format/quality of a page image or thumbnail.

    `format=auto` is chosen from `accept`. With `widths` (FOLIO_IMAGE_WIDTHS) the
    width snaps up to a step, except on a signed URL: the signer chose it. width and
    height have no upper bound, as published: scaling only ever goes down, so a side
    at least as large as the page's means the page itself (`limit` is IIIF's).
    """
    width = size_param(query.get("width"), ("query", "width"), errors)
    if widths and SIGNATURE not in query:
        width = snap(width, widths)
    height = size_param(query.get("height"), ("query", "height"), errors)
    quality = int_param(query.get("quality"), ("query", "quality"), errors, minimum=1,
                        maximum=100)
    fmt = query.get("format", DEFAULT_FORMAT).lower()
    if fmt == "jpg":
        fmt = "jpeg"
    negotiated = fmt == negotiate.AUTO
    if negotiated:
        fmt = negotiate.choose(accept)
    if fmt not in FORMATS:
        errors.append({"loc": ["query", "format"],
                       "msg": "Input should be " + ", ".join([*FORMATS, negotiate.AUTO]),
                       "type": "enum"})
        fmt = DEFAULT_FORMAT
    return ScaleParams(width, height, fmt, quality, negotiated)
