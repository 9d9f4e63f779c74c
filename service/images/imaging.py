"""Page image scaling and encoding with libvips.

The work for one scaled page, in order:

1. `header_size`  -- read the stored page's size from its header (no decode).
2. `pixels_ok`    -- refuse pages over the pixel limit before decoding them.
3. `output_size`  -- pure math: the size we announce, cache under and render.
4. `render`       -- shrink-on-load thumbnail to exactly that size, then encode.

Why `size="force"` in `render`: libvips' own `size="down"` result is not a
function of the page size alone. For a JPEG it first shrinks on load by 2, 4
or 8 (libjpeg rounds those dimensions up), recomputes the shrink from the
pre-shrunk image and rounds again inside vips_resize, so the minor side drifts
from the page's aspect ratio: a 4099x17 page at height=1 comes out 256x1
rather than 241x1, an A4 page at height=128 comes out 91x128 rather than
90x128. Reproducing that means copying loader and resize internals that change
between libvips releases. Instead, `output_size` does the aspect math once,
exactly in integers, and `render` passes both sides to thumbnail with
`size="force"`, which shrinks each axis to its own target. Shrink-on-load
still applies, and the tests check against real libvips output that the
decoded size equals the announced one, across every pre-shrink factor.

`ImagingError` is the one exception raised here: pyvips errors (unreadable,
truncated or unknown files) are translated into it.
"""

from __future__ import annotations

from typing import Any

import pyvips

FORMATS = {
    "jpeg": "image/jpeg",
    "png": "image/png",
    "webp": "image/webp",
    "avif": "image/avif",
}

_SUFFIXES = {"jpeg": ".jpg", "png": ".png", "webp": ".webp", "avif": ".avif"}
_LOSSY = frozenset({"jpeg", "webp", "avif"})


class ImagingError(Exception):
    """A page image could not be read or encoded."""


def configure_vips(concurrency: int = 1) -> None:
    """Call once at startup, before any rendering.

    The operation cache is off: thumbnail is never cached anyway (it reads
    sequentially), and what the cache would keep -- headers and open file
    descriptors of stored pages -- would only pin memory and stale files.
    Scaled results are cached in Redis instead.

    `concurrency` is the libvips worker-thread count per pipeline (the same
    setting as the VIPS_CONCURRENCY environment variable, which libvips reads
    only at start-up; `pyvips.concurrency_set` changes it at run time). The
    default of 1 suits the caller's bounded thread pool: parallelism comes
    from running several renders at once, and each render fanning out over
    every core would only oversubscribe the CPU.
    """
    if concurrency < 1:
        raise ValueError("concurrency must be at least 1")
    pyvips.cache_set_max(0)
    pyvips.cache_set_max_mem(0)
    pyvips.cache_set_max_files(0)
    pyvips.concurrency_set(concurrency)


def header_size(path: str) -> tuple[int, int]:
    """Width and height of the stored image, read from its header only."""
    try:
        image = pyvips.Image.new_from_file(path)
        return int(image.width), int(image.height)
    except pyvips.Error as exc:
        raise ImagingError(f"cannot read image header: {path}") from exc


def pixels_ok(width: int, height: int, max_megapixels: float) -> bool:
    return width * height <= max_megapixels * 1_000_000


def output_size(page_w: int, page_h: int, width: int | None, height: int | None) -> tuple[int, int]:
    """The size a page scales down to for a requested width and/or height.

    The binding side (the one needing the larger reduction) is matched
    exactly; the other side is rounded half up from the exact ratio and is at
    least 1. Requests at or above the page size return the page size.
    """
    if page_w < 1 or page_h < 1:
        raise ValueError("page size must be positive")
    if (width is not None and width < 1) or (height is not None and height < 1):
        raise ValueError("requested size must be positive")
    # A missing side is no constraint: asking for the page's own size there
    # leaves the other side to decide.
    want_w = page_w if width is None else width
    want_h = page_h if height is None else height
    if want_w >= page_w and want_h >= page_h:
        return page_w, page_h
    # Width binds when page_w / want_w >= page_h / want_h; compared without
    # division so that equal reductions are recognised exactly.
    if page_w * want_h >= page_h * want_w:
        return want_w, _scaled(page_h, want_w, page_w)
    return _scaled(page_w, want_h, page_h), want_h


def _scaled(side: int, numerator: int, denominator: int) -> int:
    """round(side * numerator / denominator), half up, in exact integers."""
    return max(1, (2 * side * numerator + denominator) // (2 * denominator))


def render(path: str, out_w: int, out_h: int, fmt: str, quality: int) -> bytes:
    """Scale the stored page to exactly out_w x out_h and encode it.

    The size must come from `output_size`: size="force" would upscale or
    distort anything else. Blocking and CPU-bound: run it in a worker thread. `quality` (1-100) is
    ignored for png.
    """
    _check(out_w, out_h, fmt, quality)
    try:
        # no_rotate: sizes and OCR boxes are in stored pixel coordinates, so an
        # EXIF orientation tag must not swap the axes. fail_on: a truncated or
        # corrupt page is an error, not a half-grey image that gets cached.
        image = pyvips.Image.thumbnail(
            path, out_w, height=out_h, size="force", no_rotate=True, fail_on="error"
        )
        return encode(image, fmt, quality)
    except pyvips.Error as exc:
        raise ImagingError(f"cannot render image: {path}") from exc


def decode(path: str, max_bytes: int) -> pyvips.Image | None:
    """The whole stored page decoded into memory, for rendering many sizes of it.

    None, after reading only the header, when the decoded page would take more
    than `max_bytes`.
    """
    try:
        image = pyvips.Image.new_from_file(path, access="sequential", fail_on="error")
        if image.width * image.height * image.bands > max_bytes:
            return None
        return image.copy_memory()
    except pyvips.Error as exc:
        raise ImagingError(f"cannot decode image: {path}") from exc


def render_decoded(image: pyvips.Image, out_w: int, out_h: int, fmt: str,
                   quality: int) -> bytes:
    """`render` from a page already decoded by `decode`: no JPEG decode per size."""
    _check(out_w, out_h, fmt, quality)
    try:
        return encode(image.thumbnail_image(out_w, height=out_h, size="force",
                                             no_rotate=True), fmt, quality)
    except pyvips.Error as exc:
        raise ImagingError("cannot render decoded image") from exc


def _check(out_w: int, out_h: int, fmt: str, quality: int) -> None:
    if fmt not in FORMATS:
        raise ValueError(f"unsupported format: {fmt}")
    if out_w < 1 or out_h < 1:
        raise ValueError("output size must be positive")
    if fmt in _LOSSY and not 1 <= quality <= 100:
        raise ValueError("quality must be between 1 and 100")


def encode(image: pyvips.Image, fmt: str, quality: int) -> bytes:
    options: dict[str, Any] = {"keep": "none"}
    if fmt in _LOSSY:
        options["Q"] = quality
    # keep="none" drops EXIF, but heifsave still writes the orientation as
    # an AVIF transform property that decoders apply, so it goes as well.
    image = image.copy()
    image.remove("orientation")
    data: bytes = image.write_to_buffer(_SUFFIXES[fmt], **options)
    return data
