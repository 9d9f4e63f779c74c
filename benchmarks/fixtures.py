"""Test inputs for the benchmark: page images, an OCR JSON, a digital PDF.

Everything is generated deterministically (fixed seeds), so two runs measure
the same bytes.
"""

from __future__ import annotations

import random
from pathlib import Path

import orjson
import pikepdf
import pyvips

PAGE_W, PAGE_H = 1819, 2573  # A4 at 220 DPI, what folio stores for a page

_WORD_TEXT = (
    "Rechnung Lieferschein Betrag Datum Kunde Nummer Artikel Menge Preis Summe "
    "Steuer Umsatzsteuer Netto Brutto Zahlung Bankverbindung Anschrift Straße "
    "Postleitzahl Berlin München Hamburg Leistung Zeitraum Auftrag Bestellung "
    "Position Beschreibung Einzelpreis Gesamtpreis Rabatt Skonto fällig bitte "
    "überweisen innerhalb Tagen ohne Abzug vielen Dank für Ihren Einkauf GmbH "
    "invoice total amount due payment reference order customer vendor"
)
_WORDS = _WORD_TEXT.split()


def _text(rng: random.Random, lines: int, words_per_line: tuple[int, int]) -> list[str]:
    out = []
    for _ in range(lines):
        n = rng.randint(*words_per_line)
        out.append(" ".join(rng.choice(_WORDS) for _ in range(n)))
    return out


def page_image(seed: int = 1, noise: bool = True) -> pyvips.Image:
    """A 1819x2573 one-band page: about 60 lines of text plus a little scanner noise."""
    rng = random.Random(seed)
    canvas = pyvips.Image.black(PAGE_W, PAGE_H) + 255
    body = "\n".join(_text(rng, 58, (5, 11)))
    title = pyvips.Image.text(f"<b>Rechnung RE-2024-{seed:04d}</b>", dpi=220,
                              font="sans 16", rgba=False)
    text = pyvips.Image.text(body.replace("&", "&amp;"), width=PAGE_W - 300, dpi=220,
                             font="sans 9", spacing=12)
    # text() gives ink as 0..255 on black; paper is white, ink is dark
    canvas = canvas.insert(255 - title, 150, 140)
    canvas = canvas.insert(255 - text, 150, 380)
    if noise:
        canvas = canvas + pyvips.Image.gaussnoise(PAGE_W, PAGE_H, sigma=6, mean=0)
    return canvas.cast("uchar")


def page_jpeg(seed: int = 1) -> bytes:
    return bytes(page_image(seed).jpegsave_buffer(Q=90, keep="none"))


def page_png(path: Path, seed: int) -> None:
    page_image(seed, noise=False).pngsave(str(path), compression=6)


def scan_tiff(path: Path, seeds: list[int]) -> None:
    """A multi-page scan: the pages of `page_png` in one TIFF (one page per seed)."""
    pages = [page_image(seed, noise=False) for seed in seeds]
    joined = pyvips.Image.arrayjoin(pages, across=1)
    joined = joined.copy()
    joined.set_type(pyvips.GValue.gint_type, "page-height", PAGE_H)
    joined.tiffsave(str(path), compression="deflate")


def ocr_json(pages: int = 50, seed: int = 7) -> bytes:
    """An OCR JSON in folio's format: ~400 words a page, like a dense business letter."""
    rng = random.Random(seed)
    out = []
    for _ in range(pages):
        bboxes = []
        lines = []
        y = 120
        bid = 1
        for _line in range(45):
            x = 120
            words = []
            for _w in range(rng.randint(6, 12)):
                word = rng.choice(_WORDS)
                w = 18 * len(word)
                bboxes.append({"id": bid, "x1": x, "y1": y, "x2": x + w, "y2": y + 40,
                               "text": word,
                               "text_entropy": round(rng.random() * 0.2, 4)})
                bid += 1
                words.append(word)
                x += w + 20
            lines.append(" ".join(words))
            y += 52
        out.append({"width": PAGE_W, "height": PAGE_H, "bboxes": bboxes,
                    "fulltext": "\n".join(lines)})
    return orjson.dumps({"pages": out})


def digital_pdf(path: Path, pages: int = 20, seed: int = 3) -> None:
    """A text PDF (Helvetica, A4) with a real text layer on every page."""
    rng = random.Random(seed)
    pdf = pikepdf.new()
    font = pdf.make_indirect(pikepdf.Dictionary(
        Type=pikepdf.Name.Font, Subtype=pikepdf.Name.Type1,
        BaseFont=pikepdf.Name.Helvetica, Encoding=pikepdf.Name.WinAnsiEncoding))
    for n in range(pages):
        ops = [f"BT /F1 16 Tf 60 790 Td (Rechnung Seite {n + 1}) Tj ET"]
        y = 750
        for line in _text(rng, 50, (6, 11)):
            safe = (line.encode("cp1252", "replace").decode("latin-1")
                    .replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)"))
            ops.append(f"BT /F1 10 Tf 60 {y} Td ({safe}) Tj ET")
            y -= 14
        content = pdf.make_stream("\n".join(ops).encode("latin-1"))
        page = pikepdf.Dictionary(
            Type=pikepdf.Name.Page, MediaBox=[0, 0, 595, 842], Contents=content,
            Resources=pikepdf.Dictionary(Font=pikepdf.Dictionary(F1=font)))
        pdf.pages.append(pikepdf.Page(page))
    pdf.save(path)
