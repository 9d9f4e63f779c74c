"""Synthetic invoices with known truth, as digital PDFs and as degraded scans.

    python -m benchmarks.invoices.generate OUT_DIR --layout 3 --count 5 --seed 1 [--scan]

Layouts 1-6 are for development; 7-10 are held out and only ever measured.
Everything is a pure function of (layout, seed).
"""

from __future__ import annotations

import argparse
import io
import json
import random
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pikepdf

from benchmarks.invoices.heldout import layout_7, layout_8, layout_9, layout_10
from benchmarks.invoices.layouts import layout_1, layout_2, layout_3, layout_4, layout_5, layout_6
from benchmarks.invoices.model import Invoice, make_invoice
from benchmarks.invoices.pdfcanvas import Canvas

DEV_LAYOUTS = [1, 2, 3, 4, 5, 6]
HELDOUT_LAYOUTS = [7, 8, 9, 10]
ALL_LAYOUTS = DEV_LAYOUTS + HELDOUT_LAYOUTS


LAYOUTS: dict[int, Callable[[Canvas, Invoice], None]] = {
    1: layout_1,
    2: layout_2,
    3: layout_3,
    4: layout_4,
    5: layout_5,
    6: layout_6,
    7: layout_7,
    8: layout_8,
    9: layout_9,
    10: layout_10,
}


def generate_document(layout: int, seed: int) -> tuple[bytes, dict[str, Any]]:
    inv = make_invoice(layout, seed)
    canvas = Canvas()
    LAYOUTS[layout](canvas, inv)
    truth = inv.truth()
    truth["pages"] = canvas.page_count
    return canvas.to_pdf(), truth


# --- scans and bundles ---------------------------------------------------------------------


def render_scan(pdf_bytes: bytes, seed: int, dpi: int | None = None) -> list[bytes]:
    """Each page as a PNG that looks scanned: grey, noisy, slightly rotated."""
    import pypdfium2 as pdfium
    import pyvips

    rng = random.Random(seed)
    dpi = dpi or rng.choice([200, 240, 300])
    doc = pdfium.PdfDocument(pdf_bytes)
    pages = []
    for index in range(len(doc)):
        bitmap = doc[index].render(scale=dpi / 72, grayscale=True)
        pil = bitmap.to_pil().convert("L")
        image = pyvips.Image.new_from_memory(pil.tobytes(), pil.width, pil.height, 1, "uchar")
        image = image.gaussblur(0.6 + rng.random() * 0.4)
        # seeded: the same (pdf, seed) gives the same scan, so a test on it cannot flicker
        noise = pyvips.Image.gaussnoise(image.width, image.height, sigma=18, mean=0,
                                        seed=rng.randrange(2**31))
        image = (image + noise).cast("uchar")
        angle = rng.uniform(-1.0, 1.0)
        image = image.rotate(angle, background=[255])
        image = (image * rng.uniform(0.85, 1.0) + rng.uniform(0, 25)).cast("uchar")
        pages.append(image.pngsave_buffer())
    doc.close()
    return list(pages)


def blank_pdf_page() -> bytes:
    return Canvas().to_pdf()


def concat_pdfs(parts: list[bytes]) -> bytes:
    out = pikepdf.new()
    for part in parts:
        src = pikepdf.open(io.BytesIO(part))
        out.pages.extend(src.pages)
    buf = io.BytesIO()
    out.save(buf, deterministic_id=True)
    return buf.getvalue()


def generate_bundle(layouts: list[int], seed: int) -> tuple[bytes, list[list[int]]]:
    """2-6 documents (sometimes with blank separator pages) and their 1-based page groups."""
    rng = random.Random(seed)
    parts: list[bytes] = []
    groups: list[list[int]] = []
    page = 1
    for i in range(rng.randint(2, 6)):
        if i and rng.random() < 0.2:
            parts.append(blank_pdf_page())
            page += 1
        pdf, truth = generate_document(rng.choice(layouts), rng.randint(0, 10**6))
        parts.append(pdf)
        groups.append(list(range(page, page + truth["pages"])))
        page += truth["pages"]
    return concat_pdfs(parts), groups


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("out", type=Path)
    parser.add_argument("--layout", type=int, action="append")
    parser.add_argument("--count", type=int, default=3)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--scan", action="store_true")
    args = parser.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    for layout in args.layout or ALL_LAYOUTS:
        for n in range(args.count):
            seed = args.seed + n
            pdf, truth = generate_document(layout, seed)
            stem = args.out / f"layout{layout}_{seed}"
            stem.with_suffix(".pdf").write_bytes(pdf)
            stem.with_suffix(".json").write_text(json.dumps(truth, indent=1, ensure_ascii=False))
            if args.scan:
                for i, png in enumerate(render_scan(pdf, seed)):
                    (args.out / f"layout{layout}_{seed}_p{i + 1}.png").write_bytes(png)


if __name__ == "__main__":
    main()
