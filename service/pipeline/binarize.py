"""The page images tesseract is given: the preparation the page's print calls for.

Tesseract binarises with one global Otsu threshold, and no single preparation
suits every page:
- plain gray reads most real pages best, given their true DPI;
- levels (the paper made white, the levels stretched so that light-gray print
  at ~0.6 of the paper turns dark gray, table rules removed) reads pages with
  part of their print light or colour, shading and thin gray rules, but makes
  small black print on other real pages heavy;
- thin light-gray print (gray ~170-200 on white) vanishes in both; a
  near-white threshold (everything darker than NEAR_WHITE of the paper or fill
  around it is ink, rules removed) keeps it, but loses some small black print;
  a stretch (each pixel's darkness divided by the ink's around it) keeps black
  print thin and makes light print black, but darkens fills. The two lose
  different words, so a page of light print is read both ways and the
  readings merged word by word (tesseract.read_page, wordmerge).
Reading every page all three ways and keeping the most confident reading cost
~2.8x the tesseract time. So `order` chooses the first preparation from the
ink on the page (`light_ink`, ~0.1 s), and tesseract.read_page reads another
only when the first reading is poor (or, on a light page, to merge it).

Measured (loose word recall, truth = the PDF's text layer; 200-DPI gray JPEG
renders as the pipeline stores pages), benchmarks/TEXTLAYER_CHECK.md and
OCR_RECALL.md, 2026-11-29: 50 real corpus pages: all three readings, best kept,
at 72 DPI (before) 95.0%; one reading, chosen here, at 200 DPI 95.3%
(1.00 readings per page; plain gray alone at 200 DPI 95.1%, levels alone
91.6% on 20 of them); 10 of them with the print below the letterhead
lightened to gray 185: 93.7% both (one near-white reading each); ten
generated invoice layouts at 220 DPI: 98.0% both (loose; one reading).
Light print, 2026-11-29 (TEXTLAYER_CHECK.md): near-white against the local
background and merged with the stretch (and partly light pages whose print
levels leaves light read so too), 95.3% on those 10 pages (93.7% with one
near-white reading against the paper), 96.1% on another 12 (91.0%); the
plain-print samples unchanged page for page (no plain corpus page changes route).
Both read from a pixel's neighbours, which on a grainy page (a phone photo, a
scan: `noisy`) are noise: there near-white is taken against the paper and the
stretch is not read (phone scans of 24 corpus invoices: 80.8% of fields right
with them, 93.6% without; generated and corpus renders are never grainy).
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


# The preparations by name; `order` says which to read first on a page.
AS_GRAY, AS_NEAR_WHITE, AS_LEVELS = "gray", "near_white", "levels"
# The stretched gray image, read after near-white on a page of light print and
# merged with it word by word (`complements`).
AS_STRETCH = "stretch"
# Near-white against the paper alone: on a grainy page (`noisy`) the lightest
# pixel around is a noise peak, not the background.
AS_NEAR_PAPER = "near_paper"
# Distance from the 3x3 median (90th percentile) from which a page is grainy.
GRAIN = 3
# Light strokes per dark-ink pixel (`light_ink`) from which a page's print is
# mostly light (read near-white first) or partly light (read levels first).
# Measured at 200-220 DPI: corpus pages 0.00-0.05 (plain print) and 0.43-0.68
# (gray shading, colour, thin gray rules; up to 0.86), the same pages with their print
# below the letterhead lightened to gray 185 1.06-1.90, generated invoices
# 0.00-0.03, the tests' invoice with gray-0.6 small print 0.33.
LIGHT_PRINT = 0.95
PART_LIGHT = 0.15
# Light strokes per dark-ink pixel still light after `levels`, from which a
# partly light page is read as light print: levels darkens gray print at ~0.6 of
# the paper but can leave print at ~0.73 (gray 185) too light for Otsu. Measured
# at 200 DPI on every corpus page (287) that is partly light: as printed (74
# pages; shading, colour, gray rules) 0.03-0.40, 71 of them below 0.2 (the two at
# 0.36 and 0.40 read worse near-white); with the print below the letterhead
# lightened to gray 185 (57 pages) 0.09-1.03, 33 of them from 0.45.
LEFT_LIGHT = 0.45
# Darker than this is dark ink: Otsu's threshold on a page of black print on
# white lies about here, so lighter print is what a global threshold may lose.
DARK = 128 / 255
PAPER_EDGE = 0.95  # of the paper's brightness: paper, for light_ink


def order(gray: pyvips.Image, made: dict[str, pyvips.Image] | None = None) -> list[str]:
    """The preparations in the order to read them, by the print the page shows:
    mostly light print near-white first, partly light levels first unless print
    stays light in levels (then near-white), plain print (most real pages) plain
    gray first. The levels image made to tell is left in `made` for `prepare`."""
    light = light_ink(gray)
    # on a grainy page a pixel's lightest or darkest neighbour is the noise, not
    # the paper or the ink: neither the local background nor the stretch applies,
    # and levels can not be trusted to show what print stays light
    grainy = noisy(gray)
    near = AS_NEAR_PAPER if grainy else AS_NEAR_WHITE
    light_print = [near, AS_GRAY, AS_LEVELS] if grainy else \
        [AS_NEAR_WHITE, AS_STRETCH, AS_GRAY, AS_LEVELS]
    if light >= LIGHT_PRINT:
        return light_print
    if light >= PART_LIGHT:
        if not grainy:
            leveled = levels(gray).copy_memory()
            if made is not None:
                made[AS_LEVELS] = leveled
            if light_ink(leveled) >= LEFT_LIGHT:
                return light_print
        return [AS_LEVELS, AS_GRAY, near]
    return [AS_GRAY, near, AS_LEVELS]


def noisy(gray: pyvips.Image) -> bool:
    """Whether the page is grainy (a phone photo or a scan) rather than a clean render.

    The 90th percentile of each pixel's distance from its 3x3 median, over the
    middle third of the page: a render (PNG or JPEG Q90) has flat paper, 0-2
    levels; a phone-like image (blur, sensor noise, lower contrast, JPEG Q80)
    3-9 on 56 of 60 corpus pages (2026-11-29)."""
    band = gray.crop(0, gray.height // 3, gray.width, max(1, gray.height // 3))
    residual = (band.cast("short") - band.median(3)).abs().cast("uchar")
    return float(residual.percent(90)) >= GRAIN


def complements(first: str, then: str) -> bool:
    """Whether a reading of `then` is merged with the first reading rather than
    compared with it: near-white and the stretched gray image lose different words
    of light print (near-white thickens black print and small type, the stretch
    keeps it thin), so a light page is read both ways, whatever the first reads."""
    return first == AS_NEAR_WHITE and then == AS_STRETCH


def prepare(gray: pyvips.Image, name: str) -> pyvips.Image:
    if name == AS_LEVELS:
        return levels(gray)
    if name == AS_NEAR_WHITE:
        return near_white(gray)
    if name == AS_STRETCH:
        return stretch(gray)
    if name == AS_NEAR_PAPER:
        return near_white(gray, local=False)
    return gray


def light_ink(gray: pyvips.Image) -> float:
    """Light stroke pixels per dark-ink pixel (infinite on a page of light print only).

    A light stroke pixel is visibly darker than the paper (NEAR_WHITE), borders
    on paper within a pixel and lies more than 2 pixels from dark ink (DARK): so
    the anti-aliased edges of black print do not count (they border dark ink),
    nor the inside of a gray fill or shading (no paper next to it). Two binary
    morphologies and two averages: ~0.1 s for an A4 page at 200 DPI.
    """
    paper = max(float(gray.percent(PAPER_PERCENTILE)), 1.0)
    dark = gray < paper * DARK
    ink = gray < paper * NEAR_WHITE
    beside_paper = (gray >= paper * PAPER_EDGE).morph(_square(3), "dilate")
    beside_dark = dark.morph(_square(5), "dilate")
    light = float((ink & beside_paper & (beside_dark == 0)).avg())
    dark_share = float(dark.avg())
    if dark_share == 0:
        return float("inf") if light > 0 else 0.0
    return light / dark_share


def _square(size: int) -> pyvips.Image:
    return pyvips.Image.new_from_array([[255] * size] * size)


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


def near_white(gray: pyvips.Image, local: bool = True) -> pyvips.Image:
    """Black wherever the page is visibly darker than the paper or fill around it,
    white elsewhere.

    The background is the lightest pixel within ~6 pixels (`local_rank`), at most
    the paper: so a light table shading or header bar is background, not ink, and
    the black print on it stays apart from it (against the paper alone such a bar
    turned black and its rule-removed outline took its heading with it). Not
    `local`: against the paper alone (a grainy page, `noisy`)."""
    paper = max(float(gray.percent(PAPER_PERCENTILE)), 1.0)
    if local:
        around = local_rank(gray, LIGHTEST, BACKGROUND_STEP)
        around = (around > paper).ifthenelse(paper, around)
        ink = (gray < around * NEAR_WHITE).ifthenelse(0, 255).cast("uchar")
    else:
        ink = (gray < paper * NEAR_WHITE).ifthenelse(0, 255).cast("uchar")
    return remove_rules(ink.copy_memory())  # read twice there: computed once


# Ink level: the darkest pixel within ~10 pixels, at most this far below the paper
# for the stretch (so paper grain and light fills are not stretched to ink).
STRETCH_FLOOR = 1 - NEAR_WHITE
DARKEST, LIGHTEST = 0, 24  # indexes into a 5x5 window's sorted pixels
BACKGROUND_STEP, INK_STEP = 2, 4


def stretch(gray: pyvips.Image) -> pyvips.Image:
    """The print stretched to black by the ink around it: each pixel's distance below
    the paper divided by the local ink's, so light-gray print reads as black print
    does (thin, anti-aliased) and black print is left as it is."""
    paper = max(float(gray.percent(PAPER_PERCENTILE)), 1.0)
    span = paper - local_rank(gray, DARKEST, INK_STEP)
    span = (span < paper * STRETCH_FLOOR).ifthenelse(paper * STRETCH_FLOOR, span)
    out = 1 - (paper - gray) / span
    out = (out > 1).ifthenelse(1.0, (out < 0).ifthenelse(0.0, out))
    return remove_rules((out * 255).cast("uchar").copy_memory())


def local_rank(gray: pyvips.Image, index: int, step: int) -> pyvips.Image:
    """The `index`-th of the 5x5 window's sorted pixels (0 darkest, 24 lightest),
    over a window of ~5 x `step` pixels: a 5x5 rank, every `step`-th pixel of it, a
    5x5 rank of those, scaled back up (a full-size rank this wide is ~10x slower)."""
    size = 5 * step  # a tiny image is padded with its own edge to one window
    padded = gray if gray.width >= size and gray.height >= size else gray.embed(
        0, 0, max(gray.width, size), max(gray.height, size), extend="copy")
    # computed once, in memory: scaled up lazily it would be ranked again per tile
    small = padded.rank(5, 5, index).subsample(step, step).rank(5, 5, index).copy_memory()
    return small.resize(step, kernel="linear").embed(0, 0, gray.width, gray.height,
                                                      extend="copy")


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
