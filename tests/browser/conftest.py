"""Browser-test fixtures: a real Chromium, a processed document, a foreign origin.

The tests skip only when the test command could not install Chromium (Debian
`chromium`) or OpenSeadragon (npm); `bash scripts/run test` installs both.
"""

from __future__ import annotations

import shutil
import threading
from collections.abc import Iterator
from functools import partial
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest

from service.web.routes.viewer import STATIC
from tests.browser import cdp
from tests.conftest import TENANT_A
from tests.helpers import Server
from tests.pipeline.conftest import INVOICE, TextLine, make_text_pdf

OSD = STATIC / "vendor" / "openseadragon"
SECOND_PAGE = (TextLine(56, 80, 14, "Lieferschein LS-77"), TextLine(56, 110, 10, "Seite zwei"))

if cdp.chromium_binary() is None:
    pytest.skip("chromium could not be installed (Debian package `chromium`)",
                allow_module_level=True)
if not (OSD / "openseadragon.min.js").is_file():
    pytest.skip("OpenSeadragon could not be installed from npm", allow_module_level=True)


def processed(server: Server, folder: Path, workflow: str) -> dict[str, Any]:
    pdf = make_text_pdf(folder / "invoice.pdf", [INVOICE, SECOND_PAGE, INVOICE])
    client = server.client(TENANT_A[1])
    response = client.post(f"/processing/{workflow}", params={"wait_for": 120},
                           files={"file": ("invoice.pdf", pdf.read_bytes(), "application/pdf")},
                           timeout=180)
    assert response.status_code == 201, response.text
    body: dict[str, Any] = response.json()
    return body


@pytest.fixture(scope="session")
def document(server: Server, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """Three pages with a text layer, processed by folio's invoice workflow."""
    return processed(server, tmp_path_factory.mktemp("browser"), "invoice_extraction")


@pytest.fixture(scope="session")
def split_document(server: Server, tmp_path_factory: pytest.TempPathFactory
                   ) -> dict[str, Any]:
    """The same three pages through the splitting workflow."""
    return processed(server, tmp_path_factory.mktemp("browser"), "generic_splitting")


class _Quiet(SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:
        pass


@pytest.fixture(scope="session")
def foreign_origin(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A plain static site on another port: a page embedding folio's IIIF images."""
    root = tmp_path_factory.mktemp("site")
    shutil.copytree(OSD, root / "openseadragon")
    shutil.copy(Path(__file__).parent / "osd.html", root / "osd.html")
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), partial(_Quiet, directory=str(root)))
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{httpd.server_address[1]}"
    finally:
        httpd.shutdown()
        httpd.server_close()
        thread.join(10)


@pytest.fixture
def page() -> Iterator[cdp.Page]:
    with cdp.browser() as opened:
        yield opened
