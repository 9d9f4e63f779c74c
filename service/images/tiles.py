"""Rendering one IIIF `Plan` from a stored page JPEG with libvips.

The steps, each skipped when it does not apply:

1. `_source`   -- the page shrunk on load by the largest JPEG factor (1, 2, 4, 8)
                  that does not go below the output's scale: libjpeg then decodes
                  at 1/f of the cost, and sequential access stops decoding at the
                  crop's last row; or the page already decoded in memory;
2. crop        -- the region, mapped into the shrunk image's pixels;
3. scale       -- to exactly out_w x out_h (`size="force"`, the size from the plan);
4. mirror, rotate, quality -- cheap pixel shuffles on the small result;
5. encode.

Blocking and CPU-bound: the caller runs it in the render thread pool.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any, ClassVar

import pyvips

from service.artifacts.record import Record
from service.images import iiif
from service.images.iiif import Plan
from service.images.imaging import ImagingError, encode
from service.images.scaler import cache_prefix
from service.wire.etags import etag_for

_SHRINKS = (8, 4, 2, 1)
_ENCODERS = {"jpg": "jpeg", "png": "png", "webp": "webp"}


@dataclass(frozen=True, slots=True)
class Tile:
    """One IIIF image of a page, as the scaler's cache and render pool take it."""

    processing_id: str
    source: int  # page number
    source_key: str  # the stored page's identity: id, version, page
    source_size: tuple[int, int]
    plan: Plan
    quality: int  # encoder quality (1-100) for jpg and webp
    etag: str
    key: str
    media_type: str
    # a tile is a crop: from the decoded page it costs a millisecond or two and
    # little memory, so a burst of tiles waits for one decode of the page
    waits_for_decode: ClassVar[bool] = True
    decodes: ClassVar[bool] = True

    def draw(self, path: str, image: Any) -> bytes:
        return render(path, image, self.plan, self.quality)


def tile_for(record: Record, page: int, segments: tuple[str, str, str, str],
             quality: int) -> Tile:
    """The image an IIIF request names, from the record alone; raises the IIIF errors.

    ETag and cache key come from the canonical form: every spelling of one image
    shares them.
    """
    plan = iiif.resolve(iiif.parse(*segments), *record.pages[page - 1])
    name = f"iiif-p{page}-{plan.canonical}-{quality}"
    return Tile(processing_id=record.processing_id, source=page,
                source_key=f"{record.processing_id}:{record.version}:{page}",
                source_size=record.pages[page - 1], plan=plan, quality=quality,
                etag=etag_for(record.version, name),
                key=f"{cache_prefix(record.processing_id)}{record.version}:{name}",
                media_type=plan.media_type)


def shrink_factor(plan: Plan) -> int:
    """The largest JPEG shrink-on-load factor that keeps at least the output's pixels.

    Ceiling, as libjpeg rounds: a viewer's tile at scale 4 of a 1819-px page
    asks for 455 px, which is just what a 1/4 decode holds.
    """
    return next(f for f in _SHRINKS
                if -(-plan.w // f) >= plan.out_w and -(-plan.h // f) >= plan.out_h)


def render(path: str, decoded: Any, plan: Plan, quality: int) -> bytes:
    """`decoded` is the whole page already in memory (pyvips image) or None."""
    try:
        if decoded is not None:
            image = decoded.crop(plan.x, plan.y, plan.w, plan.h)
        else:
            image = _crop_shrunk(path, plan)
        if (image.width, image.height) != (plan.out_w, plan.out_h):
            image = image.thumbnail_image(plan.out_w, height=plan.out_h, size="force",
                                          no_rotate=True)
        image = _turn(image, plan)
        image = _recolour(image, plan.quality)
        return encode(image, _ENCODERS[plan.fmt], quality)
    except pyvips.Error as exc:
        raise ImagingError(f"cannot render tile: {path}") from exc


def _crop_shrunk(path: str, plan: Plan) -> Any:
    f = shrink_factor(plan)
    # no_rotate-equivalent: jpegload never applies EXIF orientation by itself;
    # fail_on: a corrupt page is an error, not a grey tile that gets cached
    image = pyvips.Image.jpegload(path, shrink=f, access="sequential", fail_on="error")
    if f == 1:
        return image.crop(plan.x, plan.y, plan.w, plan.h)
    # libjpeg rounds the shrunk size up; the crop box is rounded outwards so that
    # it covers the region (off by less than one source pixel = 1/f output pixel)
    left, top = plan.x // f, plan.y // f
    right = min(image.width, math.ceil((plan.x + plan.w) / f))
    bottom = min(image.height, math.ceil((plan.y + plan.h) / f))
    return image.crop(left, top, max(1, right - left), max(1, bottom - top))


def _turn(image: Any, plan: Plan) -> Any:
    if plan.mirror:
        image = image.fliphor()  # mirrored before rotation (spec 4.3)
    if plan.rotation:
        image = image.rot(f"d{plan.rotation}")
    return image


def _recolour(image: Any, quality: str) -> Any:
    if quality in ("default", "color"):
        return image
    gray = image.colourspace("b-w")
    if quality == "gray":
        return gray
    # bitonal: black or white at the middle grey
    return (gray > 128).ifthenelse(255, 0).cast("uchar")
