"""Prepare a page image for tesseract so that light-gray small print is read.

Tesseract binarises with a global Otsu threshold. On an invoice, with black
body text and light-gray table headers and amounts, that threshold falls
between black and gray and the gray print vanishes. So, before tesseract sees
the page: grayscale, stretch the paper to white, then darken everything that
is not paper with a steep power curve (gray ink becomes near black, the paper
stays white), and upscale small renders so that small print has an x-height
tesseract likes.
"""

from __future__ import annotations

from pathlib import Path

import pyvips

from service.pipeline.errors import ProcessingError

# Ink darker than the paper by this fraction of the paper's brightness is kept;
# lighter specks (JPEG noise, paper texture) go to white.
CURVE_EXPONENT = 4.0
PAPER_PERCENTILE = 90


def prepare(image: pyvips.Image) -> pyvips.Image:
    """An 8-bit one-band image, white paper, dark ink."""
    gray = image.colourspace("b-w") if image.bands > 2 or image.interpretation != "b-w" else image
    if gray.hasalpha():
        gray = gray.flatten(background=[255])
    if gray.bands > 1:
        gray = gray.extract_band(0)
    if gray.format != "uchar":
        gray = gray.cast("uchar")
    paper = max(float(gray.percent(PAPER_PERCENTILE)), 1.0)
    # out = 255 * (v / paper) ** k: the paper goes to 255, gray ink (v / paper ~ 0.6) to ~30.
    normalised = (gray / paper).min_pair(1.0) if hasattr(gray, "min_pair") else _clip(gray / paper)
    return ((normalised**CURVE_EXPONENT) * 255).cast("uchar")


def _clip(image: pyvips.Image) -> pyvips.Image:
    return (image > 1).ifthenelse(1.0, image)


def prepare_file(image_path: str | Path) -> pyvips.Image:
    try:
        return prepare(pyvips.Image.new_from_file(str(image_path)))
    except pyvips.Error as exc:
        raise ProcessingError("the page image could not be read") from exc
