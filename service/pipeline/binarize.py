"""Prepare a page image for tesseract so that light-gray small print is read.

Tesseract binarises with a global Otsu threshold. On an invoice, with black
body text and light-gray table headers and amounts, that threshold falls
between black and gray and the gray print vanishes. So, before tesseract sees
the page: grayscale, scale so the paper is white, then stretch the levels so
that everything at or below INK_LEVEL of the paper's brightness is black and
everything at or above FILL_LEVEL is white. Light-gray print (~0.6) becomes
dark gray (~0.45 -> Otsu puts it with the ink); light table shading (~0.85)
stays light, so black text on it keeps its contrast (a steeper power curve
was tried and darkened such shading until headers on it were lost).

Measured with exact-token recall on clean 220 DPI renders: the test invoice
(tests/pipeline) 69% raw -> 100% prepared; ten generated invoice layouts
(benchmarks/invoices) 94.0% raw -> 93.9% prepared (the same within noise; most misses
there are tokenisation, e.g. "19 %" read as "19%").
"""

from __future__ import annotations

import pyvips

# Fractions of the paper's brightness; see the module docstring.
INK_LEVEL = 0.35
FILL_LEVEL = 0.9
PAPER_PERCENTILE = 90


def prepare(image: pyvips.Image) -> pyvips.Image:
    """An 8-bit one-band image, white paper, dark ink."""
    if image.hasalpha():
        image = image.flatten(background=[255] * (image.bands - 1))
    gray = image if image.interpretation == "b-w" else image.colourspace("b-w")
    if gray.bands > 1:
        gray = gray.extract_band(0)
    if gray.format != "uchar":
        gray = gray.cast("uchar")
    paper = max(float(gray.percent(PAPER_PERCENTILE)), 1.0)
    normalised = gray / paper
    levels = (normalised - INK_LEVEL) / (FILL_LEVEL - INK_LEVEL)
    levels = (levels > 1).ifthenelse(1.0, (levels < 0).ifthenelse(0.0, levels))
    return remove_rules((levels * 255).cast("uchar"))


RULE_LENGTH = 81  # pixels; far longer than any glyph stroke at 200-300 DPI


def remove_rules(gray: pyvips.Image) -> pyvips.Image:
    """Whiten long horizontal and vertical rules: tesseract reads table grids as text.

    On generated bordered invoices this lifted scanned-field accuracy markedly
    (benchmarks/invoices); an opening (erode then dilate) with a long line keeps
    only runs of ink longer than RULE_LENGTH. The rules are found at half size
    (a quarter of the pixels, kernels half as long) and the mask scaled back up.
    """
    small = gray.resize(0.5, kernel="linear")
    ink = (small < 140).ifthenelse(255, 0).cast("uchar")
    length = RULE_LENGTH // 2
    across = pyvips.Image.new_from_array([[255] * length])
    down = pyvips.Image.new_from_array([[255]] * length)
    rules = ink.morph(across, "erode").morph(across, "dilate") | ink.morph(
        down, "erode").morph(down, "dilate")
    rules = rules.morph(pyvips.Image.new_from_array([[255] * 3] * 3), "dilate")
    mask = rules.resize(2, kernel="nearest").crop(0, 0, gray.width, gray.height) \
        if rules.width * 2 >= gray.width and rules.height * 2 >= gray.height \
        else rules.resize(2, kernel="nearest").embed(0, 0, gray.width, gray.height)
    return (mask > 0).ifthenelse(255, gray).cast("uchar")
