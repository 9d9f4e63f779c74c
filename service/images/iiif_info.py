"""The IIIF Image API 3.0 image information document (info.json) of one page."""

from __future__ import annotations

from typing import Any

from service.images.iiif import Plan

PREFIX = "/iiif/3"
CONTEXT = "http://iiif.io/api/image/3/context.json"
PROTOCOL = "http://iiif.io/api/image"
PROFILE = "level2"
PROFILE_URI = "http://iiif.io/api/image/3/level2.json"
# what folio serves beyond the level 2 profile (jpg + png, default/color/gray)
EXTRA_FORMATS = ["webp"]
EXTRA_QUALITIES = ["color", "gray", "bitonal"]
EXTRA_FEATURES = ["mirroring", "canonicalLinkHeader", "profileLinkHeader"]
JSON_LD = f'application/ld+json;profile="{CONTEXT}"'


def scale_factors(width: int, height: int, tile: int) -> list[int]:
    """Powers of two down to the one at which the whole page fits in one tile.

    An A4 page at 220 DPI (1819x2573) with 512-px tiles gives [1, 2, 4, 8].
    """
    factors = [1]
    while -(-max(width, height) // factors[-1]) > tile:
        factors.append(factors[-1] * 2)
    return factors


def info(service_id: str, width: int, height: int, tile: int) -> dict[str, Any]:
    """`service_id` is the absolute base URI, without /info.json (spec 5.1: `id`)."""
    factors = scale_factors(width, height, tile)
    # the downscales a client may ask for whole; a viewer's first paint uses the
    # smallest, and each is what the tile pyramid's level holds (ceil, like tiles)
    sizes = [{"width": -(-width // f), "height": -(-height // f)} for f in reversed(factors)]
    return {
        "@context": CONTEXT,
        "id": service_id,
        "type": "ImageService3",
        "protocol": PROTOCOL,
        "profile": PROFILE,
        "width": width,
        "height": height,
        "sizes": sizes,
        "tiles": [{"width": tile, "height": tile, "scaleFactors": factors}],
        "extraFormats": EXTRA_FORMATS,
        "extraQualities": EXTRA_QUALITIES,
        "extraFeatures": EXTRA_FEATURES,
    }


def links(processing_id: str, page: int, plan: Plan) -> str:
    """The Link header of an image: its canonical URI and the profile (spec 6.1, 6.2).

    Root-relative, so one cached answer is right behind any host name.
    """
    return (f'<{PREFIX}/{processing_id}~{page}/{plan.canonical}>;rel="canonical",'
            f'<{PROFILE_URI}>;rel="profile"')
