"""The page images tesseract is given: three preparations, the best reading kept per page.

Tesseract binarises with one global Otsu threshold, and no single preparation
suits every page:
- levels (the paper made white, the levels stretched so that light-gray print
  at ~0.6 of the paper turns dark gray, table rules removed) reads the
  generated invoices best, but makes small print on real pages heavy;
- plain gray reads most real pages best;
- thin light-gray print (gray ~170-200 on white) vanishes in both (0% on a
  test page); a near-white threshold (everything darker than NEAR_WHITE of the
  paper is ink, rules removed) keeps it (100%), but loses some small black print.
So every page is read all three ways and `tesseract.ocr_image` keeps the reading
with the most confidently read text.

Measured (loose word recall, truth = the PDF's text layer; page images as the
pipeline hands them to tesseract), benchmarks/TEXTLAYER_CHECK.md and
OCR_RECALL.md: 50 real corpus pages at 200 DPI, gray: levels alone 93.5%, the
best of the three 95.0% (on 20 of them plain gray alone 94.7%, near-white
alone 90.7%); 10 of them with the print below the letterhead lightened to
gray 185: 37.9% -> 93.7%; ten generated invoice layouts at 220 DPI: 97.3% ->
98.0%. It costs three tesseract runs per page instead of one (~2.8x the time).
"""

from __future__ import annotations

import pyvips

# Fractions of the paper's brightness; see the module docstring.
INK_LEVEL = 0.35
FILL_LEVEL = 0.9
# Darker than this is ink for the near-white preparation (235 on white paper;
# 200 lost light print again, 220 was in between).
NEAR_WHITE = 235 / 255
PAPER_PERCENTILE = 90


def candidates(image: pyvips.Image) -> list[pyvips.Image]:
    """The preparations to read, in order of preference on a tie."""
    gray = grayscale(image)
    return [levels(gray), gray, near_white(gray)]


def grayscale(image: pyvips.Image) -> pyvips.Image:
    """An 8-bit one-band image, transparency on white."""
    if image.hasalpha():
        image = image.flatten(background=[255] * (image.bands - 1))
    gray = image if image.interpretation == "b-w" else image.colourspace("b-w")
    if gray.bands > 1:
        gray = gray.extract_band(0)
    if gray.format != "uchar":
        gray = gray.cast("uchar")
    return gray


def levels(gray: pyvips.Image) -> pyvips.Image:
    """Everything at or below INK_LEVEL of the paper's brightness black, at or above
    FILL_LEVEL white: light-gray print (~0.6) becomes dark gray (~0.45, Otsu puts
    it with the ink); light table shading (~0.85) stays light, so black text on it
    keeps its contrast (a steeper curve darkened such shading until headers on it
    were lost)."""
    paper = max(float(gray.percent(PAPER_PERCENTILE)), 1.0)
    stretched = (gray / paper - INK_LEVEL) / (FILL_LEVEL - INK_LEVEL)
    stretched = (stretched > 1).ifthenelse(1.0, (stretched < 0).ifthenelse(0.0, stretched))
    return remove_rules((stretched * 255).cast("uchar"))


def near_white(gray: pyvips.Image) -> pyvips.Image:
    """Black wherever the page is visibly darker than its paper, white elsewhere."""
    paper = max(float(gray.percent(PAPER_PERCENTILE)), 1.0)
    ink = (gray < paper * NEAR_WHITE).ifthenelse(0, 255).cast("uchar")
    return remove_rules(ink)


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
