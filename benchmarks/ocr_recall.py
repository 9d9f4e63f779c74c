"""Word recall of folio's tesseract step, measured the honest way.

Digital invoices (benchmarks/invoices, all layouts) are rendered to page
images exactly as the pipeline renders them; the images are OCRed by the
pipeline's own tesseract step, raw (read once as rendered, at the 72 DPI its
JPEG states: what the pipeline did before it passed the render's DPI) and
prepared (as the pipeline reads it now: at the true DPI, the preparations
chosen by binarize.order, at most --readings readings); the words are compared
with the PDF's own text layer (a multiset: each expected word can be found once).

    .venv/bin/python -m benchmarks.ocr_recall [--seeds N] [--readings N]

Writes benchmarks/OCR_RECALL.md.
"""

from __future__ import annotations

import argparse
import datetime as dt
import tempfile
from collections import Counter
from pathlib import Path

from benchmarks.invoices.generate import ALL_LAYOUTS, generate_document
from service.pipeline.rasterize import rasterize
from service.pipeline.tesseract import DEFAULT_READINGS, ocr_image, read_page
from service.pipeline.textlayer import pdf_text_layers

HERE = Path(__file__).resolve().parent
DPI = 220  # the pipeline's default (FOLIO_DPI)


def recall(expected: list[str], found: list[str], strip: bool) -> tuple[int, int]:
    def norm(word: str) -> str:
        return word.strip(".,:;()%·=*/\u2013-") if strip else word

    if strip:
        # "7 %" in the layer against "7%" read: the same print, split differently
        expected = [w for w in expected if norm(w)]
        found = [w for w in found if norm(w)]
    pool = Counter(norm(w) for w in found)
    hits = 0
    for word in expected:
        key = norm(word)
        if pool[key] > 0:
            pool[key] -= 1
            hits += 1
    return hits, len(expected)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--seeds", type=int, default=1)
    parser.add_argument("--readings", type=int, default=DEFAULT_READINGS)
    args = parser.parse_args()
    rows = []
    readings = 0
    totals = {key: [0, 0] for key in ("raw", "prepared", "raw-loose", "prepared-loose")}
    for layout in ALL_LAYOUTS:
        for seed in range(args.seeds):
            pdf, truth = generate_document(layout, seed)
            with tempfile.TemporaryDirectory() as tmp:
                source = Path(tmp) / "doc.pdf"
                source.write_bytes(pdf)
                sizes = rasterize(source, "pdf", Path(tmp), DPI, 90, 100, [0])
                layer = pdf_text_layers(source, sizes, [0])[0]
                assert layer is not None
                expected = [w.text for w in layer.words]
                page = Path(tmp) / "1.jpg"
                lang = str(truth.get("language", "de"))
                result = {}
                for mode in ("raw", "prepared"):
                    if mode == "raw":
                        words = [w.text for w in ocr_image(page, lang, binarize=False).words]
                    else:
                        reading = read_page(page, lang, dpi=DPI, readings=args.readings)
                        readings += len(reading.read)
                        words = [w.text for w in reading.text.words]
                    for strict in (True, False):
                        key = mode if strict else f"{mode}-loose"
                        hits, total = recall(expected, words, strip=not strict)
                        totals[key][0] += hits
                        totals[key][1] += total
                        result[key] = hits / total
            rows.append((layout, seed, len(expected), result))
            print(f"layout {layout} seed {seed}: " + ", ".join(
                f"{k} {v:.1%}" for k, v in result.items()), flush=True)
    lines = [
        "# OCR word recall on clean renders",
        "",
        f"`python -m benchmarks.ocr_recall --seeds {args.seeds} --readings {args.readings}` on "
        f"{dt.datetime.now(dt.UTC):%Y-%m-%d %H:%M} UTC. Page 1 of each generated digital "
        "invoice rendered at 220 DPI by the pipeline, OCRed by the pipeline's tesseract step: "
        "raw = read once as rendered, at the 72 DPI the JPEG states (the pipeline before it "
        "passed the render's DPI); prepared = as the pipeline reads now (true DPI, the "
        "preparation chosen by the print on the page, another only when the first reading is "
        f"poor: {readings / len(rows):.2f} tesseract readings per page), compared "
        "with the PDF's own text layer. Exact tokens; 'loose' ignores "
        "leading/trailing punctuation and percent signs and drops tokens that are only "
        "punctuation (\"7 %\" in the text layer is \"7%\" to tesseract).",
        "",
        "| layout | seed | words | raw | prepared | raw, loose | prepared, loose |",
        "|---|---|---|---|---|---|---|",
    ]
    for layout, seed, count, r in rows:
        lines.append(f"| {layout} | {seed} | {count} | {r['raw']:.1%} | {r['prepared']:.1%} | "
                     f"{r['raw-loose']:.1%} | {r['prepared-loose']:.1%} |")
    overall = {k: h / t for k, (h, t) in totals.items()}
    lines.append(f"| **all** | | {totals['raw'][1]} | **{overall['raw']:.1%}** | "
                 f"**{overall['prepared']:.1%}** | **{overall['raw-loose']:.1%}** | "
                 f"**{overall['prepared-loose']:.1%}** |")
    (HERE / "OCR_RECALL.md").write_text("\n".join(lines) + "\n")
    print(", ".join(f"{k} {v:.1%}" for k, v in overall.items())
          + f", readings per page {readings / len(rows):.2f}")


if __name__ == "__main__":
    main()
