"""What is inside the PDFs folio serves, end to end through POST: any script in the text
layer, no active content from the upload."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pyvips

from service.pipeline.searchable_pdf import searchable_pdf
from service.pipeline.words import PageText, Word
from tests.conftest import TENANT_A
from tests.helpers import Server
from tests.pipeline.test_active_content import hostile_pdf, names_in

SECRET = TENANT_A[1]
WORDS = ["Zażółć", "gęślą", "jaźń", "Příliš", "žluťoučký", "kůň", "Ελληνικά", "γράμματα",
         "Съешь", "мягких", "東京都", "請求書"]


def post(server: Server, path: Path, workflow: str) -> dict[str, object]:
    response = server.client(SECRET).post(
        f"/processing/{workflow}?wait_for=120", files={"file": (path.name, path.read_bytes())})
    assert response.status_code == 201, response.text
    body: dict[str, object] = response.json()
    return body


def pdftotext(path: Path) -> list[str]:
    done = subprocess.run(["pdftotext", str(path), "-"], capture_output=True, check=True,
                          timeout=60)
    return done.stdout.decode("utf-8").split()


def test_words_in_any_script_survive_into_the_searchable_pdf(server: Server,
                                                             tmp_path: Path) -> None:
    # an upload whose own text layer is in five scripts (written by folio's writer
    # over a blank page): folio reads it, and its searchable PDF must give it back
    blank = tmp_path / "blank.jpg"
    (pyvips.Image.black(1819, 2573, bands=3) + 255).cast("uchar").jpegsave(str(blank))
    words = [Word(text, 150 + 500 * (i % 3), 200 + 160 * (i // 3),
                  150 + 500 * (i % 3) + 40 * len(text), 250 + 160 * (i // 3), 0.0, i // 3)
             for i, text in enumerate(WORDS)]
    upload = tmp_path / "scripts.pdf"
    searchable_pdf([blank], [PageText(1819, 2573, words)], 220, upload)
    body = post(server, upload, "generic_splitting")
    response = server.client(SECRET).get(str(body["pdf"]))
    assert response.status_code == 200
    served = tmp_path / "served.pdf"
    served.write_bytes(response.content)
    assert pdftotext(served) == WORDS


def test_sub_pdfs_of_a_hostile_upload_carry_nothing_active(server: Server,
                                                           tmp_path: Path) -> None:
    body = post(server, hostile_pdf(tmp_path / "hostile.pdf"), "generic_splitting")
    urls = body["sub_pdfs"]
    assert isinstance(urls, list) and urls
    client = server.client(SECRET)
    for index, url in enumerate(urls):
        got = tmp_path / f"sub-{index}.pdf"
        got.write_bytes(client.get(url).content)
        found = names_in(got)
        for bad in ("/JavaScript", "/JS", "/Launch", "/AA", "/OpenAction", "/EmbeddedFile",
                    "/FileAttachment", "/XFA"):
            assert bad not in found, (index, bad)
