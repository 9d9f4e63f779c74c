"""OpenSeadragon, on a page of another origin, deep-zooming into a folio page over IIIF.

Real headless Chromium, real OpenSeadragon (npm), real folio over TCP with a
document its pipeline processed. What is checked: the image requests that
reached folio are 512-px tiles (never the whole page at full size), only the
visible ones are fetched, and the screenshot shows a known dark word where
the OCR says it is, on white paper.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import quote, urlsplit

import pyvips

from tests.browser.cdp import Page, Response, save_for_review
from tests.conftest import TENANT_A
from tests.helpers import Server

TILE = 512
SETTLED = """(() => {
  const v = window.viewer, item = v && v.world.getItemAt(0);
  return !!item && item.getFullyLoaded() && !v.world.needsDraw()
    && Math.abs(v.viewport.getZoom(true) - v.viewport.getZoom(false)) < 1e-9;
})()"""


def word_box(document: dict[str, Any], text: str) -> dict[str, int]:
    page = document["ocr"]["pages"][0]
    return next(b for b in page["bboxes"] if b["text"] == text)


def on_screen(page: Page, x: float, y: float) -> tuple[float, float]:
    point: list[float] = page.evaluate(
        f"(() => {{ const p = viewer.viewport.imageToViewerElementCoordinates("
        f"new OpenSeadragon.Point({x}, {y})); return [p.x, p.y]; }})()")
    return point[0], point[1]


def iiif_images(responses: list[Response]) -> list[tuple[Response, list[str]]]:
    """(response, [region, size, rotation, quality.format]) for every IIIF image request."""
    found = []
    for response in responses:
        path = urlsplit(response.url).path
        if response.kind != "Preflight" and path.startswith("/iiif/3/") \
                and not path.endswith("/info.json"):
            found.append((response, path.split("/")[4:]))
    return found


def grey(png: bytes) -> pyvips.Image:
    return pyvips.Image.new_from_buffer(png, "").colourspace("b-w")[0]


def test_deep_zoom_fetches_tiles_and_shows_the_word_where_the_ocr_says(
        page: Page, server: Server, foreign_origin: str, document: dict[str, Any]) -> None:
    pid = document["processing_id"]
    info = f"{server.url}/iiif/3/{pid}~1/info.json"
    page.goto(f"{foreign_origin}/osd.html?info={quote(info)}&key={quote(TENANT_A[1])}")
    page.wait_for(SETTLED)
    page.pump()
    home = len(iiif_images(page.responses))
    assert home > 0

    word = word_box(document, "RE-2024-0042")
    cx, cy = (word["x1"] + word["x2"]) / 2, (word["y1"] + word["y2"]) / 2
    x, y = on_screen(page, cx, cy)
    for _ in range(8):  # each notch zooms by OpenSeadragon's zoomPerScroll (1.2)
        page.wheel(x, y, -100)
    page.wait_for(SETTLED)
    page.pump()

    images = iiif_images(page.responses)
    assert len(images) > home
    for response, (region, size, _, quality_format) in images:
        assert response.status == 200, response.url
        assert quality_format == "default.jpg"
        assert "etag" in response.headers
        assert (region, size) != ("full", "max"), "a whole page at full size"
        width, height = (int(v) for v in size.split(","))
        assert width <= TILE and height <= TILE, response.url
    # zoomed in to (at least) full resolution: tiles of scale factor 1, a 512-px
    # square of the page each, and only the visible few of the 4 x 6 there are
    full_res = [r for _, (r, s, _, _) in images
                if r != "full" and r.split(",")[2:] == s.split(",")]
    assert full_res, "no full-resolution tiles after zooming in"
    assert all(int(w) <= TILE and int(h) <= TILE
               for w, h in (r.split(",")[2:] for r in full_res))
    assert len(set(full_res)) < 24
    print(f"{home} image requests at the home view, {len(images)} in all after zooming in; "
          f"{len(set(full_res))} full-resolution tiles of 24; largest answer "
          f"{max(int(r.headers.get('content-length', 0)) for r, _ in images):,} bytes")

    shot = grey(page.screenshot())
    left, top = on_screen(page, word["x1"], word["y1"])
    right, bottom = on_screen(page, word["x2"], word["y2"])
    w, h = int(right - left), int(bottom - top)
    assert w > 100 and h > 20, "not zoomed in far enough to see the word"
    ink = shot.crop(int(left), int(top), w, h)
    assert ink.min() < 60, "no black ink inside the OCR word box"
    assert ink.avg() < 215
    # one and a half box heights above the word: white paper between the lines
    paper = shot.crop(int(left), int(top - 1.5 * h), w, h // 2)
    assert paper.avg() > 240 and paper.min() > 150
    save_for_review(shot, "osd-zoomed")


