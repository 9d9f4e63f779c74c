"""The built-in viewer: /viewer/{processing_id}, one static page and its assets.

The page holds no data and no credentials: it is the same file for every
processing, so serving it needs no key. Its script fetches everything with
the access parameters the page was opened with (`?token=`), and the answers
to those requests are checked like any other. `no-referrer` keeps the token
out of Referer headers sent to anywhere the page links to.
"""

from __future__ import annotations

from pathlib import Path

from starlette.requests import Request
from starlette.responses import FileResponse, Response
from starlette.staticfiles import StaticFiles

STATIC = Path(__file__).resolve().parent.parent / "static"
PAGE = STATIC / "viewer" / "index.html"
# OpenSeadragon draws through inline styles and blob: canvases; everything
# else comes from folio itself
POLICY = ("default-src 'self'; img-src 'self' data: blob:; style-src 'self' 'unsafe-inline'; "
          "connect-src 'self'; frame-ancestors 'self'; base-uri 'none'; form-action 'none'")


async def viewer_page(request: Request) -> Response:
    return FileResponse(PAGE, media_type="text/html; charset=utf-8", headers={
        "content-security-policy": POLICY,
        "referrer-policy": "no-referrer",
        "x-content-type-options": "nosniff",
        "cache-control": "no-cache",
    })


handlers = {
    "viewer-assets": StaticFiles(directory=STATIC / "viewer"),
    # OpenSeadragon, copied from the npm package by scripts/run (not committed)
    "viewer-vendor": StaticFiles(directory=STATIC / "vendor", check_dir=False),
    "viewer": viewer_page,
}
