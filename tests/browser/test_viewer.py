"""folio's own viewer (/viewer/{id}) in headless Chromium, on a processed invoice.

The page itself holds no credentials. Here the browser adds the API key to
every request it sends (as a reverse proxy or an SSO front would), so
what is tested is the page: thumbnails, the srcset page, the OCR overlay where
the OCR says, hover, extraction highlights, splitting, downloads, deep zoom.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
import pyvips

from tests.browser.cdp import Page, save_for_review
from tests.conftest import TENANT_A
from tests.helpers import Server

READY = "document.body.dataset.ready === '1'"


@pytest.fixture
def keyed(page: Page) -> Page:
    page.send("Network.setExtraHTTPHeaders",
              {"headers": {"Authorization": f"ApiKey {TENANT_A[1]}"}})
    return page


def rect(page: Page, selector: str) -> dict[str, float]:
    found: dict[str, float] = page.evaluate(
        f"(() => {{ const r = document.querySelector({selector!r}).getBoundingClientRect();"
        " return {left: r.left, top: r.top, width: r.width, height: r.height}; })()")
    return found


def word(document: dict[str, Any], text: str, page_num: int = 1) -> dict[str, Any]:
    ocr_page = document["ocr"]["pages"][page_num - 1]
    return next(b for b in ocr_page["bboxes"] if b["text"] == text)


def bluest(shot: pyvips.Image, x: int, y: int, width: int) -> float:
    strip = shot.crop(x, y, width, 1)
    return float((strip[2] - strip[0]).max())


def screenshot(page: Page) -> pyvips.Image:
    return pyvips.Image.new_from_buffer(page.screenshot(), "")[0:3]


def test_viewer_shows_the_page_with_ocr_words_where_the_ocr_says(
        keyed: Page, server: Server, document: dict[str, Any]) -> None:
    page = keyed
    pid = document["processing_id"]
    page.goto(f"{server.url}/viewer/{pid}")
    page.wait_for(READY)
    assert page.evaluate("document.body.dataset.error") is None, \
        page.evaluate("document.getElementById('status').textContent")
    assert page.evaluate("document.querySelectorAll('#pages img').length") == 3
    page.wait_for("(() => { const i = document.getElementById('page-image');"
                  " return i.complete && i.naturalWidth > 0; })()")
    # the column is 800 css px wide at 1280 px: srcset picks the 960-px rendition
    current = page.evaluate("document.getElementById('page-image').currentSrc")
    assert parse_qs(urlsplit(current).query).get("width") == ["960"]

    page.evaluate("document.getElementById('show-words').click()")
    box = word(document, "RE-2024-0042")
    ocr_page = document["ocr"]["pages"][0]
    image = rect(page, "#page-image")
    shown = rect(page, f'#overlay .word[data-bbox="{box["id"]}"]')
    scale = image["width"] / ocr_page["width"]
    assert shown["left"] == pytest.approx(image["left"] + box["x1"] * scale, abs=1.5)
    assert shown["top"] == pytest.approx(image["top"] + box["y1"] * scale, abs=1.5)
    assert shown["width"] == pytest.approx((box["x2"] - box["x1"]) * scale, abs=1.5)

    shot = screenshot(page)
    save_for_review(shot, "viewer-words")
    left, top = int(shown["left"]), int(shown["top"])
    width, height = int(shown["width"]), int(shown["height"])
    inside = shot.crop(left + 3, top + 3, width - 6, height - 6).colourspace("b-w")
    assert inside.min() < 80, "the word's ink is not inside its overlay box"
    # the box's left edge is drawn in the overlay's blue (somewhere within a pixel or two)
    assert bluest(shot, left - 2, top + height // 2, 5) > 100

    page.hover(left + width / 2, top + height / 2)
    tip = page.wait_for(
        f"(() => {{ const t = document.querySelector('#overlay .word[data-bbox=\"{box['id']}\"]"
        " .tip'); return getComputedStyle(t).display === 'block' && t.textContent; })()")
    assert tip == "RE-2024-0042"


def test_viewer_highlights_an_extracted_field_and_offers_the_downloads(
        keyed: Page, server: Server, document: dict[str, Any]) -> None:
    page = keyed
    pid = document["processing_id"]
    number = document["extractions"]["number"]
    assert number["bbox_refs"], "the invoice number has no boxes to highlight"
    page.goto(f"{server.url}/viewer/{pid}")
    page.wait_for(READY)
    page.evaluate("[...document.querySelectorAll('#field-list dt')]"
                  ".find(d => d.textContent === 'number').click()")
    refs = {r["bbox_id"] for r in number["bbox_refs"] if r["page_num"] == 1}
    hits = set(page.evaluate(
        "[...document.querySelectorAll('#overlay .word.hit')].map(e => Number(e.dataset.bbox))"))
    assert hits == refs
    first = rect(page, f'#overlay .word[data-bbox="{min(refs)}"]')
    shot = screenshot(page)
    save_for_review(shot, "viewer-field")
    edge = shot.crop(int(first["left"]) - 2, int(first["top"] + first["height"] / 2), 5, 1)
    magenta = (edge[0] - edge[1]).max()  # red well above green: the highlight's border
    assert magenta > 100, "the highlighted box is not drawn in magenta"

    assert page.evaluate("document.getElementById('download').getAttribute('href')") \
        == f"/processing/results/{pid}/pdf"


def test_viewer_deep_zoom_loads_iiif_tiles(keyed: Page, server: Server,
                                           document: dict[str, Any]) -> None:
    page = keyed
    pid = document["processing_id"]
    page.goto(f"{server.url}/viewer/{pid}")
    page.wait_for(READY)
    page.evaluate("document.getElementById('zoom').click()")
    page.wait_for("(() => { const v = window.folioDeepZoom, i = v && v.world.getItemAt(0);"
                  " return !!i && i.getFullyLoaded(); })()")
    page.pump()
    tiles = [r for r in page.responses
             if urlsplit(r.url).path.startswith(f"/iiif/3/{pid}~1/")
             and not r.url.endswith("info.json")]
    assert tiles and all(r.status == 200 for r in tiles)


def test_viewer_lists_the_split_documents_with_their_pdfs(
        keyed: Page, server: Server, split_document: dict[str, Any]) -> None:
    page = keyed
    pid = split_document["processing_id"]
    groups = split_document["document_splitting"]["sub_documents"]
    page.goto(f"{server.url}/viewer/{pid}")
    page.wait_for(READY)
    items = page.evaluate("[...document.querySelectorAll('#groups li')].map(li =>"
                          " [li.querySelector('a').textContent,"
                          "  li.querySelector('a.sub-pdf').getAttribute('href')])")
    assert [pdf for _, pdf in items] == split_document["sub_pdfs"]
    assert [label.split(" ")[0] for label, _ in items] == [g["name"] for g in groups]
    # every group after the first starts with a marked thumbnail
    starts = page.evaluate("[...document.querySelectorAll('#pages a.group-start')]"
                           ".map(a => Number(a.dataset.page))")
    assert starts == [g["pages"][0] for g in groups[1:]]
    pdf = server.client(TENANT_A[1]).get(items[-1][1])
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")


def test_viewer_without_access_says_so(page: Page, server: Server,
                                       document: dict[str, Any]) -> None:
    page.goto(f"{server.url}/viewer/{document['processing_id']}")
    page.wait_for(READY)
    assert page.evaluate("document.body.dataset.error") == "1"
    assert page.evaluate("document.getElementById('status').textContent").startswith("401")
