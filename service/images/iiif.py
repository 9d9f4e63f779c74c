"""The IIIF Image API 3.0 request grammar, resolved against a page size.

    {region}/{size}/{rotation}/{quality}.{format}

The work for one request, in order, all before any pixel is touched:

1. `parse`    -- the four path segments into an `ImageRequest` (400 on bad syntax,
                 501 on valid IIIF that folio does not implement);
2. `resolve`  -- that request against the page's pixel size from the record:
                 the region clipped to the page, the output size, as a `Plan`
                 (400 when the region misses the page or the size is zero or
                 asks for upscaling without `^`; 501 when `^` would upscale);
3. `Plan.canonical` -- the spec's canonical form of the plan, so that every
                 spelling of the same image shares one ETag and one cache entry.

What folio implements: regions `full`, `square`, `x,y,w,h`, `pct:x,y,w,h`;
sizes `max`, `w,`, `,h`, `w,h`, `!w,h`, `pct:n` and their `^` forms as long
as they do not upscale; rotations 0, 90, 180, 270 with optional mirroring
(`!`); qualities `default`, `color`, `gray`, `bitonal`; formats jpg, png, webp.
Known IIIF formats folio does not write (tif, gif, jp2, pdf), arbitrary
rotation angles and upscaling are 501; anything else malformed is 400.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from service.errors import BadIiifRequest, NotImplementedHere

FORMATS = {"jpg": "image/jpeg", "png": "image/png", "webp": "image/webp"}
# formats the spec names that folio does not write: valid requests, so 501
UNWRITTEN_FORMATS = frozenset({"tif", "gif", "jp2", "pdf"})
QUALITIES = ("default", "color", "gray", "bitonal")

_INT = re.compile(r"[0-9]{1,9}")
# the spec's floating point form: digits, optionally a point and digits
# (no sign, no exponent, at least one digit before the point)
_FLOAT = re.compile(r"[0-9]{1,9}(?:\.[0-9]{1,9})?")
_SIZE_WH = re.compile(r"([0-9]{1,9})?,([0-9]{1,9})?")


@dataclass(frozen=True, slots=True)
class Region:
    kind: str  # "full" | "square" | "px" | "pct"
    values: tuple[Decimal, ...] = ()


@dataclass(frozen=True, slots=True)
class Size:
    kind: str  # "max" | "w" | "h" | "wh" | "confined" | "pct"
    upscale: bool = False  # the request carried `^`
    width: int | None = None
    height: int | None = None
    percent: Decimal | None = None


@dataclass(frozen=True, slots=True)
class ImageRequest:
    region: Region
    size: Size
    rotation: int  # 0, 90, 180 or 270, clockwise
    mirror: bool
    quality: str
    fmt: str


@dataclass(frozen=True, slots=True)
class Plan:
    """Crop (x, y, w, h) of the page, scale to out_w x out_h, then mirror and rotate."""

    x: int
    y: int
    w: int
    h: int
    out_w: int
    out_h: int
    rotation: int
    mirror: bool
    quality: str
    fmt: str
    page_w: int
    page_h: int

    @property
    def full(self) -> bool:
        return (self.x, self.y, self.w, self.h) == (0, 0, self.page_w, self.page_h)

    @property
    def identity(self) -> bool:
        """The stored page itself: nothing to crop, scale, turn or recolour."""
        return (self.full and (self.out_w, self.out_h) == (self.w, self.h)
                and self.rotation == 0 and not self.mirror
                and self.quality in ("default", "color"))

    @property
    def media_type(self) -> str:
        return FORMATS[self.fmt]

    @property
    def canonical(self) -> str:
        """The spec's canonical URI form (section 4.7) of this plan."""
        region = "full" if self.full else f"{self.x},{self.y},{self.w},{self.h}"
        size = "max" if (self.out_w, self.out_h) == (self.w, self.h) \
            else f"{self.out_w},{self.out_h}"
        rotation = ("!" if self.mirror else "") + str(self.rotation)
        # default and color are the same image for folio's colour pages
        quality = "default" if self.quality == "color" else self.quality
        return f"{region}/{size}/{rotation}/{quality}.{self.fmt}"


def parse(region: str, size: str, rotation: str, quality_format: str) -> ImageRequest:
    rot, mirror = parse_rotation(rotation)
    quality, fmt = parse_quality_format(quality_format)
    return ImageRequest(parse_region(region), parse_size(size), rot, mirror, quality, fmt)


def parse_region(text: str) -> Region:
    if text in ("full", "square"):
        return Region(text)
    kind = "px"
    body = text
    if text.startswith("pct:"):
        kind, body = "pct", text[4:]
    parts = body.split(",")
    pattern = _FLOAT if kind == "pct" else _INT
    if len(parts) != 4 or not all(pattern.fullmatch(p) for p in parts):
        raise BadIiifRequest(f"Invalid region {text!r}: expected full, square, x,y,w,h "
                             "or pct:x,y,w,h.")
    values = tuple(_decimal(p) for p in parts)
    if values[2] <= 0 or values[3] <= 0:
        raise BadIiifRequest(f"Invalid region {text!r}: width and height must be positive.")
    return Region(kind, values)


def parse_size(text: str) -> Size:
    upscale = text.startswith("^")
    body = text[1:] if upscale else text
    if body == "max":
        return Size("max", upscale)
    if body.startswith("pct:"):
        if not _FLOAT.fullmatch(body[4:]):
            raise BadIiifRequest(f"Invalid size {text!r}: pct:n takes a number.")
        percent = _decimal(body[4:])
        if percent <= 0:
            raise BadIiifRequest(f"Invalid size {text!r}: the percentage must be positive.")
        if percent > 100 and not upscale:
            raise BadIiifRequest(f"Invalid size {text!r}: above 100% needs ^ (upscaling).")
        return Size("pct", upscale, percent=percent)
    confined = body.startswith("!")
    if confined:
        body = body[1:]
    match = _SIZE_WH.fullmatch(body)
    if match is None or (match.group(1) is None and match.group(2) is None):
        raise BadIiifRequest(f"Invalid size {text!r}: expected max, w,, ,h, w,h, !w,h "
                             "or pct:n, optionally after ^.")
    width = int(match.group(1)) if match.group(1) is not None else None
    height = int(match.group(2)) if match.group(2) is not None else None
    if width == 0 or height == 0:
        raise BadIiifRequest(f"Invalid size {text!r}: width and height must be positive.")
    if confined:
        if width is None or height is None:
            raise BadIiifRequest(f"Invalid size {text!r}: !w,h needs both sides.")
        return Size("confined", upscale, width, height)
    if width is not None and height is not None:
        return Size("wh", upscale, width, height)
    if width is not None:
        return Size("w", upscale, width=width)
    return Size("h", upscale, height=height)


def parse_rotation(text: str) -> tuple[int, bool]:
    mirror = text.startswith("!")
    body = text[1:] if mirror else text
    if not _FLOAT.fullmatch(body):
        raise BadIiifRequest(f"Invalid rotation {text!r}: expected a number of degrees "
                             "from 0 to 360, optionally after !.")
    degrees = _decimal(body)
    if degrees > 360:
        raise BadIiifRequest(f"Invalid rotation {text!r}: at most 360 degrees.")
    if degrees % 90 != 0:
        raise NotImplementedHere(f"Rotation {text!r} is not implemented; folio turns by "
                                 "multiples of 90 degrees.")
    return int(degrees) % 360, mirror


def parse_quality_format(text: str) -> tuple[str, str]:
    quality, dot, fmt = text.rpartition(".")
    if not dot or quality not in QUALITIES:
        raise BadIiifRequest(f"Invalid quality {quality or text!r}: expected one of "
                             + ", ".join(QUALITIES) + ".")
    if fmt in UNWRITTEN_FORMATS:
        raise NotImplementedHere(f"Format {fmt!r} is not implemented; folio writes "
                                 + ", ".join(FORMATS) + ".")
    if fmt not in FORMATS:
        raise BadIiifRequest(f"Invalid format {fmt!r}: expected one of "
                             + ", ".join(FORMATS) + ".")
    return quality, fmt


def resolve(request: ImageRequest, page_w: int, page_h: int) -> Plan:
    """The request against a page of page_w x page_h pixels; no pixel is read."""
    if page_w < 1 or page_h < 1:
        raise ValueError("page size must be positive")
    x, y, w, h = _region_box(request.region, page_w, page_h)
    out_w, out_h = _output_size(request.size, w, h)
    if out_w > w or out_h > h:
        # only `^` requests get here (the others are refused in _output_size)
        raise NotImplementedHere("Upscaling is not implemented; folio serves sizes up to "
                                 "the region's own size.")
    return Plan(x, y, w, h, out_w, out_h, request.rotation, request.mirror,
                request.quality, request.fmt, page_w, page_h)


def _region_box(region: Region, page_w: int, page_h: int) -> tuple[int, int, int, int]:
    if region.kind == "full":
        return 0, 0, page_w, page_h
    if region.kind == "square":
        side = min(page_w, page_h)  # centred in the longer dimension
        return (page_w - side) // 2, (page_h - side) // 2, side, side
    if region.kind == "px":
        x, y, w, h = (int(v) for v in region.values)
    else:
        px, py, pw, ph = region.values
        x, y = _round(px * page_w / 100), _round(py * page_h / 100)
        w, h = _round(pw * page_w / 100), _round(ph * page_h / 100)
    if x >= page_w or y >= page_h:
        raise BadIiifRequest(f"The region lies outside the image ({page_w}x{page_h}).")
    # a region reaching past the edge is cut at the edge, not padded (spec 4.1)
    w, h = min(w, page_w - x), min(h, page_h - y)
    if w < 1 or h < 1:
        raise BadIiifRequest("The region is empty at this image's size.")
    return x, y, w, h


def _output_size(size: Size, w: int, h: int) -> tuple[int, int]:
    if size.kind == "max":
        return w, h
    if size.kind == "pct":
        assert size.percent is not None
        out = _round(size.percent * w / 100), _round(size.percent * h / 100)
    elif size.kind == "w":
        assert size.width is not None
        out = size.width, _round(Decimal(h) * size.width / w)
    elif size.kind == "h":
        assert size.height is not None
        out = _round(Decimal(w) * size.height / h), size.height
    elif size.kind == "wh":
        assert size.width is not None and size.height is not None
        out = size.width, size.height
    else:
        assert size.width is not None and size.height is not None
        out = _confined(w, h, size.width, size.height, size.upscale)
    if out[0] < 1 or out[1] < 1:
        raise BadIiifRequest("The requested size is zero pixels at this region's size.")
    if not size.upscale and (out[0] > w or out[1] > h):
        raise BadIiifRequest(f"The requested size is larger than the region ({w}x{h}); "
                             "upscaling needs ^.")
    return out


def _confined(w: int, h: int, box_w: int, box_h: int, upscale: bool) -> tuple[int, int]:
    """The largest size of w x h inside box_w x box_h, aspect kept; never above w x h
    without `^`. The binding side is matched exactly; compared without division."""
    if not upscale:
        box_w, box_h = min(box_w, w), min(box_h, h)
    if w * box_h >= h * box_w:  # width binds
        return box_w, max(1, _round(Decimal(h) * box_w / w))
    return max(1, _round(Decimal(w) * box_h / h)), box_h


def _decimal(text: str) -> Decimal:
    try:
        return Decimal(text)
    except InvalidOperation:
        raise BadIiifRequest(f"Invalid number {text!r}.") from None


def _round(value: Decimal) -> int:
    return int(value.quantize(Decimal(1), rounding=ROUND_HALF_UP))
