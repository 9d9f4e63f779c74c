"""FOLIO_IMAGE_WIDTHS: keyed and token requests snap `width` up to the next step.

With steps set, the widths an application can make folio render (and cache)
are those steps, whatever its viewers ask for; signed URLs are already bounded
by what the application signs and keep their exact width. Snapping goes up, so
an image is never smaller than asked; a width above the largest step gets the
page's own width (never upscaled anyway).
"""

from __future__ import annotations

from bisect import bisect_left


def snap(width: int | None, steps: tuple[int, ...]) -> int | None:
    if width is None or not steps:
        return width
    i = bisect_left(steps, width)
    return steps[i] if i < len(steps) else None
