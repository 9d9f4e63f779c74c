"""The page images tesseract is given: two preparations, the better one kept per page.

Tesseract binarises with one global Otsu threshold. That suits most pages as
they are (plain gray: 94.7% word recall on 200-DPI gray renders of real
ZUGFeRD/Factur-X pages), but thin light-gray print (gray ~170-200 on white)
falls on the paper's side of the threshold and vanishes: 0% of such print on a
test page. A near-white threshold (everything darker than NEAR_WHITE of the
paper's brightness is ink, table rules removed) keeps it (100% there), but
makes small black print bold and loses some of it (90.7% on the real pages).
So every page is read both ways and `tesseract.ocr_image` keeps the reading
with more confident text (characters weighted by confidence).

Measured (loose word recall, truth = the PDF's text layer): 20 real corpus
pages at 200 DPI, gray: the old single preparation (levels stretch + rules
removed) 91.3%, plain gray 94.7%, near-white 90.7%, the better of the two
95.1%; ten generated invoice layouts at 220 DPI: old 97.3%, the better of the
two 97.5%. (benchmarks/textlayer_check.py, benchmarks/ocr_recall.py.)
"""

from __future__ import annotations

import pyvips

# A fraction of the paper's brightness: darker than this is ink for the second
# preparation (235 on white paper; 200 lost light print again, 220 was between).
NEAR_WHITE = 235 / 255
PAPER_PERCENTILE = 90


def candidates(image: pyvips.Image) -> list[pyvips.Image]:
    """The preparations to read, in order of preference on a tie."""
    gray = grayscale(image)
    return [gray, near_white(gray)]


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
