"""The viewer opened with nothing but a share token: every request it makes carries it."""

from __future__ import annotations

import datetime as dt
from typing import Any
from urllib.parse import parse_qs, urlsplit

from tests.browser.cdp import Page, save_for_review
from tests.conftest import TENANT_A
from tests.helpers import Server

READY = "document.body.dataset.ready === '1'"


def test_viewer_works_with_a_share_token_alone(page: Page, server: Server,
                                               document: dict[str, Any]) -> None:
    pid = document["processing_id"]
    expires = (dt.date.today() + dt.timedelta(days=2)).isoformat()
    created = server.client(TENANT_A[1]).post(
        "/share-tokens/documents", json={"document_id": pid, "expires_at": expires})
    assert created.status_code in (200, 201), created.text
    token = created.json()["token"]

    page.goto(f"{server.url}/viewer/{pid}?token={token}")
    page.wait_for(READY)
    assert page.evaluate("document.body.dataset.error") is None, \
        page.evaluate("document.getElementById('status').textContent")
    page.wait_for("(() => { const i = document.getElementById('page-image');"
                  " return i.complete && i.naturalWidth > 0; })()")
    page.wait_for("[...document.querySelectorAll('#pages img')]"
                  ".every(i => i.complete && i.naturalWidth > 0)")
    page.evaluate("document.getElementById('zoom').click()")
    page.wait_for("(() => { const v = window.folioDeepZoom, i = v && v.world.getItemAt(0);"
                  " return !!i && i.getFullyLoaded(); })()")
    page.pump()
    save_for_review(_grey(page.screenshot()), "viewer-token")

    data = [r for r in page.responses
            if r.url.startswith(server.url) and r.kind != "Preflight"
            and not urlsplit(r.url).path.startswith("/viewer/")]
    kinds = {urlsplit(r.url).path.split("/")[1] for r in data}
    assert {"processing", "iiif"} <= kinds
    for response in data:
        assert parse_qs(urlsplit(response.url).query).get("token") == [token], response.url
        assert response.status == 200, response.url
    assert any("/iiif/3/" in r.url and not r.url.split("?")[0].endswith("info.json")
               for r in data)
    # the downloads the page offers carry the token too
    for href in page.evaluate("[document.getElementById('download').href,"
                              " ...[...document.querySelectorAll('a.sub-pdf')].map(a => a.href)]"):
        assert parse_qs(urlsplit(href).query).get("token") == [token]


def _grey(png: bytes) -> Any:
    import pyvips

    return pyvips.Image.new_from_buffer(png, "")
