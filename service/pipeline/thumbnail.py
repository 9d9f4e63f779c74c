"""A small JPEG of a page image, its longest side `longest_side` pixels (never upscaled)."""

from __future__ import annotations

import os
from pathlib import Path

import pyvips

from service.pipeline.errors import ProcessingError


def make_thumbnail(
    page_jpg: str | Path, out_path: str | Path, longest_side: int = 256, quality: int = 85
) -> tuple[int, int]:
    """Write the thumbnail (temp name, then rename) and return its pixel size."""
    tmp = f"{out_path}.part"
    try:
        # thumbnail() fits the image inside the box and shrinks on load.
        thumb = pyvips.Image.thumbnail(
            str(page_jpg), longest_side, height=longest_side, size="down"
        )
        thumb.jpegsave(tmp, Q=quality, optimize_coding=True, keep="none")
    except pyvips.Error as exc:
        raise ProcessingError("the thumbnail could not be made") from exc
    os.replace(tmp, out_path)
    return thumb.width, thumb.height
