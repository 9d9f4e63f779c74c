"""Barcodes and key_value_pairs counted on a corpus of PDFs, with samples to judge by eye.

    python -m benchmarks.corpus.extras /work/corpora/zugferd [--pages 4] [--out F.md]

Each PDF's first pages are rendered as the pipeline renders them (220 DPI JPEGs), their
barcodes read (timed per page), and the visual extraction run on the PDF's text layer
with those codes. No truth exists for either field (an e-invoice XML carries no
barcodes and no free label/value pairs), so the report gives counts, the read time,
every code found and a seeded sample of pairs for a person to judge.
The corpus is third-party data, read from the path given and never committed.
"""

from __future__ import annotations

import argparse
import random
import shutil
import statistics
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any


@dataclass
class Found:
    path: str
    error: str = ""
    page_ms: list[float] = field(default_factory=list)
    codes: list[tuple[str, str]] = field(default_factory=list)  # (format, text)
    pairs: list[tuple[str, str]] = field(default_factory=list)
    payment: list[str] = field(default_factory=list)  # notes the payment code left


def run_one(job: tuple[str, int, bool]) -> Found:
    import pypdfium2 as pdfium

    from benchmarks.invoices.product import pdf_to_pages
    from service.pipeline.invoice.barcodes import _page_codes
    from service.pipeline.invoice.extract import extract_invoice
    from service.pipeline.rasterize import rasterize

    path_s, max_pages, read_codes = job
    out = Found(path_s)
    work = Path(tempfile.mkdtemp(prefix="folio-extras-"))
    try:
        path = Path(path_s)
        count = len(pdfium.PdfDocument(str(path)))
        indices = list(range(min(count, max_pages))) if read_codes else []
        if indices:
            rasterize(path, "pdf", work, 220, 90, 100.0, indices)
        codes = []
        for i in indices:
            start = time.process_time()
            codes += _page_codes(work / f"{i + 1}.jpg", i + 1)
            out.page_ms.append(1000 * (time.process_time() - start))
        out.codes = [(c.kind, c.text) for c in codes]
        pages = pdf_to_pages(path.read_bytes())[:max_pages]
        result = extract_invoice(pages, "de", codes)
        out.pairs = [(p["key"]["value"], p["value"]["value"]) for p in result["key_value_pairs"]]
        out.payment = sorted(_notes(result))
    except Exception as exc:  # a broken PDF is reported, not fatal
        out.error = f"{type(exc).__name__}: {exc}"[:120]
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return out


def _notes(node: Any) -> set[str]:
    if isinstance(node, dict):
        note = str(node.get("note", ""))
        found = {note} if "EPC QR code" in note or "Swiss QR-bill" in note else set()
        return found.union(*(_notes(v) for v in node.values()))
    if isinstance(node, list):
        return set().union(*(_notes(v) for v in node))
    return set()


def report(found: list[Found], corpus: str, command: str, sample: int) -> str:
    ok = [f for f in found if not f.error]
    times = [t for f in ok for t in f.page_ms]
    with_codes = [f for f in ok if f.codes]
    with_pairs = [f for f in ok if f.pairs]
    lines = [f"# Barcodes and key-value pairs: {corpus}", "", f"`{command}`", "",
             f"- documents: {len(found)} ({len(found) - len(ok)} not readable)",
             f"- barcode read per page: {len(times)} pages, median "
             f"{statistics.median(times) if times else 0:.0f} ms, mean "
             f"{statistics.fmean(times) if times else 0:.0f} ms, max "
             f"{max(times, default=0):.0f} ms (CPU time: JPEG decode + search)",
             f"- documents with a barcode: {len(with_codes)}; codes: "
             f"{sum(len(f.codes) for f in ok)}",
             f"- documents with key_value_pairs: {len(with_pairs)}; pairs: "
             f"{sum(len(f.pairs) for f in ok)}",
             f"- documents where a payment code filled or checked a field: "
             f"{sum(1 for f in ok if f.payment)}", "", "## Codes found", ""]
    for f in with_codes:
        for kind, text in f.codes:
            shown = text.replace("\n", "⏎")[:90]
            lines.append(f"- {Path(f.path).name}: {kind} `{shown}`")
        for note in f.payment:
            lines.append(f"  - {note}")
    pairs = [(Path(f.path).name, k, v) for f in ok for k, v in f.pairs]
    random.Random(7).shuffle(pairs)
    lines += ["", f"## {min(sample, len(pairs))} pairs (seeded sample)", ""]
    lines += [f"- {name}: `{k}` → `{v}`" for name, k, v in pairs[:sample]]
    errors = [f for f in found if f.error]
    if errors:
        lines += ["", "## Not readable", ""] + [f"- {Path(f.path).name}: {f.error}"
                                               for f in errors]
    return "\n".join(lines) + "\n"


def main() -> None:
    from concurrent.futures import ProcessPoolExecutor

    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("corpus", type=Path)
    parser.add_argument("--workers", type=int, default=1)
    parser.add_argument("--pages", type=int, default=4, help="first pages read per PDF")
    parser.add_argument("--sample", type=int, default=20, help="pairs shown")
    parser.add_argument("--no-codes", action="store_true",
                        help="key_value_pairs only: no page is rendered, no code read")
    parser.add_argument("--out", type=Path, default=None)
    args = parser.parse_args()
    root: Path = args.corpus.resolve()
    if not root.is_dir():
        sys.exit(f"no corpus at {root}")
    pdfs = sorted(p for p in root.rglob("*") if p.suffix.lower() == ".pdf")
    with ProcessPoolExecutor(args.workers) as pool:
        jobs = [(str(p), args.pages, not args.no_codes) for p in pdfs]
        found = list(pool.map(run_one, jobs, chunksize=1))
    command = "python -m benchmarks.corpus.extras " + " ".join(sys.argv[1:])
    text = report(found, root.name, command, args.sample)
    if args.out is not None:
        args.out.write_text(text)
    print(text)


if __name__ == "__main__":
    main()
