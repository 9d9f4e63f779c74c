"""The forms a corpus PDF is uploaded in for the visual evaluation.

- stripped: the PDF without its attachments, so only the page and its text layer remain;
- render: every page rendered at 200 DPI in gray (PNG, or a multi-page TIFF);
- phone: the render made to look photographed: slightly rotated, noisy, lower contrast,
  saved as JPEG (one page) or a JPEG-compressed TIFF (several).
"""

from __future__ import annotations

import random
from pathlib import Path

import pikepdf
import pypdfium2 as pdfium
import pyvips

DPI = 200


def strip_attachments(doc: pikepdf.Pdf) -> None:
    """Drop the e-invoice XML (embedded files, /AF, file-attachment annotations)."""
    names = doc.Root.get("/Names")
    if isinstance(names, pikepdf.Dictionary) and "/EmbeddedFiles" in names:
        del names["/EmbeddedFiles"]
    if "/AF" in doc.Root:
        del doc.Root["/AF"]
    for page in doc.pages:
        annots = page.obj.get("/Annots")
        if isinstance(annots, pikepdf.Array):
            keep = [a for a in annots if a.get("/Subtype") != pikepdf.Name.FileAttachment]
            page.obj.Annots = pikepdf.Array(keep)
        if "/AF" in page.obj:
            del page.obj["/AF"]


def stripped(pdf: Path, out: Path) -> Path:
    with pikepdf.open(pdf) as doc:
        strip_attachments(doc)
        doc.save(out)
    return out


def gray_pages(pdf: Path, max_pages: int) -> list[pyvips.Image]:
    doc = pdfium.PdfDocument(str(pdf))
    try:
        pages = []
        for index in range(min(len(doc), max_pages)):
            pil = doc[index].render(scale=DPI / 72, grayscale=True).to_pil().convert("L")
            image = pyvips.Image.new_from_memory(pil.tobytes(), pil.width, pil.height, 1,
                                                 "uchar")
            pages.append(image.copy(xres=DPI / 25.4, yres=DPI / 25.4))
        return pages
    finally:
        doc.close()


def phone_look(page: pyvips.Image, rng: random.Random) -> pyvips.Image:
    page = page.gaussblur(0.5 + rng.random() * 0.4)
    noise = pyvips.Image.gaussnoise(page.width, page.height, sigma=10 + rng.random() * 6, mean=0,
                                    seed=rng.randrange(2**31))
    page = (page + noise).cast("uchar")
    page = page.rotate(rng.uniform(-1.5, 1.5), background=[255])
    # lower contrast and a gray paper: ink no darker than ~40, paper ~215-235
    return (page * rng.uniform(0.72, 0.85) + rng.uniform(35, 55)).cast("uchar")


def save_pages(pages: list[pyvips.Image], out_stem: Path, jpeg: bool) -> Path:
    if len(pages) == 1:
        out = out_stem.with_suffix(".jpg" if jpeg else ".png")
        if jpeg:
            pages[0].jpegsave(str(out), Q=80)
        else:
            pages[0].pngsave(str(out))
        return out
    width = max(p.width for p in pages)
    height = max(p.height for p in pages)
    framed = [p.embed(0, 0, width, height, extend="white") for p in pages]
    joined = pyvips.Image.arrayjoin(framed, across=1).copy(xres=DPI / 25.4, yres=DPI / 25.4)
    joined.set_type(pyvips.GValue.gint_type, "page-height", height)
    out = out_stem.with_suffix(".tif")
    joined.tiffsave(str(out), compression="jpeg" if jpeg else "deflate", Q=80)
    return out


def render(pdf: Path, out_stem: Path, max_pages: int) -> Path:
    return save_pages(gray_pages(pdf, max_pages), out_stem, jpeg=False)


def phone(pdf: Path, out_stem: Path, max_pages: int, seed: int) -> Path:
    rng = random.Random(seed)
    return save_pages([phone_look(p, rng) for p in gray_pages(pdf, max_pages)], out_stem,
                      jpeg=True)
