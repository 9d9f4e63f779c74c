"""Bundle splitting measured on bundles of real e-invoices (e.g. a checkout of ZUGFeRD/corpus).

    python -m benchmarks.corpus.bundles /work/corpus [--per-size 40] [--seed 1]
        [--mode mixed|same-sender] [--strip-titles]

Each bundle concatenates 2-4 corpus PDFs of 1-4 pages (seeded choice; attachments
stripped with pikepdf, so only pages and text layer remain): in the mixed mode from
different producers, in the same-sender mode consecutive PDFs of one producer
(benchmarks.corpus.bundle_modes). It goes through the service's own pipeline:
run.prepare (detect, rasterize, text layer) and then the generic_splitting step
(steps.splitting); with --strip-titles the title lines ("Rechnung Nr. 42", "INVOICE")
are taken out of every page's text layer first, so first pages have no title.
A predicted boundary is right when a document of the bundle starts on that page.
Precision, recall and F1 of the boundaries are reported per bundle size in
benchmarks/corpus/BUNDLES.md, with every wrong or missed boundary named.

The corpus is third-party data: read from the path given, never downloaded, never committed.
"""

from __future__ import annotations

import argparse
import datetime as dt
import random
import shutil
import sys
import tempfile
import time
from collections import defaultdict
from dataclasses import replace
from pathlib import Path
from typing import Any

import orjson
import pikepdf

from benchmarks.corpus.bundle_modes import (
    Bundle,
    make_bundle,
    producer_of,
    same_sender_bundles,
    strip_titles,
)
from benchmarks.corpus.variants import strip_attachments

SIZES = (2, 3, 4)
MAX_DOC_PAGES = 4


class _OneFile:
    """The one method of FileStore that run.prepare uses, for a file outside any store."""

    def __init__(self, path: Path) -> None:
        self.path = path

    def artifact(self, processing_id: str, name: str, patience: float = 0.0) -> Path:
        return self.path


def usable(paths: list[Path]) -> dict[Path, int]:
    """Corpus PDFs that open and have 1-4 pages, each with a text layer; with their page counts."""
    import pypdfium2 as pdfium

    out: dict[Path, int] = {}
    for path in paths:
        try:
            doc = pdfium.PdfDocument(str(path))
        except Exception:  # a deliberately broken corpus file: not a bundle member
            continue
        try:
            count = len(doc)
            if not 1 <= count <= MAX_DOC_PAGES:
                continue
            if all(doc[i].get_textpage().count_chars() > 20 for i in range(count)):
                out[path] = count
        finally:
            doc.close()
    return out


def make_bundles(docs: dict[Path, int], root: Path, per_size: int, seed: int) -> list[Bundle]:
    by_producer: dict[str, list[Path]] = defaultdict(list)
    for path in sorted(docs):
        by_producer[producer_of(path, root)].append(path)
    producers = sorted(by_producer)
    rng = random.Random(seed)
    bundles = []
    for size in SIZES:
        for _ in range(per_size):
            chosen = rng.sample(producers, size)
            members = [rng.choice(by_producer[p]) for p in chosen]
            bundles.append(make_bundle(size, members, docs, root))
    return bundles


def build_pdf(bundle: Bundle, root: Path, out: Path) -> None:
    with pikepdf.new() as target:
        for member in bundle.members:
            with pikepdf.open(root / member) as source:
                strip_attachments(source)
                target.pages.extend(source.pages)
        strip_attachments(target)
        target.save(out)


def split_bundle(pdf: Path, scratch: Path, untitled: bool = False) -> dict[str, Any]:
    """The document-splitting JSON that the generic_splitting workflow makes for this upload.

    With `untitled`, the pages lose their title lines (bundle_modes.strip_titles).
    """
    from service.config import Settings
    from service.pipeline import steps, workflows
    from service.pipeline.run import prepare

    workflow = workflows.get("generic_splitting")
    assert workflow is not None and steps.splitting in workflow.steps
    settings = Settings(data_dir=scratch, page_workers=1)
    doc = prepare(_OneFile(pdf), settings, "bundle", scratch, "de")  # type: ignore[arg-type]
    if untitled:
        doc = replace(doc, texts=strip_titles(doc.texts))
    body = steps.splitting(doc)["document-splitting.json"]
    assert isinstance(body, bytes)
    result: dict[str, Any] = orjson.loads(body)
    return result


def run_one(job: tuple[Bundle, str, str, bool]) -> Bundle:
    bundle, root_s, work_s, untitled = job
    work = Path(work_s)
    work.mkdir(parents=True, exist_ok=True)
    started = time.monotonic()
    try:
        pdf = work / "bundle.pdf"
        build_pdf(bundle, Path(root_s), pdf)
        result = split_bundle(pdf, work, untitled)
        bundle.found = {doc["pages"][0] for doc in result["sub_documents"][1:]}
    finally:
        bundle.seconds = time.monotonic() - started
        shutil.rmtree(work, ignore_errors=True)
    return bundle


def scores(bundles: list[Bundle]) -> tuple[int, int, int, float, float, float]:
    tp = sum(len(b.found & b.truth) for b in bundles)
    fp = sum(len(b.found - b.truth) for b in bundles)
    fn = sum(len(b.truth - b.found) for b in bundles)
    precision = tp / (tp + fp) if tp + fp else 1.0
    recall = tp / (tp + fn) if tp + fn else 1.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return tp, fp, fn, precision, recall, f1


def report(bundles: list[Bundle], command: str, docs: dict[Path, int], root: Path,
           seconds: float, how: str) -> str:
    producers = {producer_of(p, root) for p in docs}
    lines = [
        "# Bundle splitting on real e-invoices",
        "",
        f"Run {dt.date.today().isoformat()}: `{command}` ({seconds:.0f} s).",
        "",
        f"{len(bundles)} bundles of {len(docs)} usable corpus PDFs (1-{MAX_DOC_PAGES} pages, "
        f"text layer on every page) from {len(producers)} producers; {how}; attachments stripped; "
        "split by the generic_splitting step on the text-layer "
        "path. A boundary is the first page of every document after the first.",
        "",
        "| bundle size | bundles | boundaries | found right | wrong | missed | precision | recall "
        "| F1 |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    for size in (*SIZES, 0):
        group = [b for b in bundles if size in (0, b.size)]
        tp, fp, fn, p, r, f1 = scores(group)
        label = str(size) if size else "all"
        lines.append(f"| {label} | {len(group)} | {tp + fn} | {tp} | {fp} | {fn} | "
                     f"{p:.3f} | {r:.3f} | {f1:.3f} |")
    errors = [b for b in bundles if b.found != b.truth]
    lines += ["", f"## Bundles split wrong ({len(errors)})", ""]
    for b in errors:
        lines.append(f"- truth {sorted(b.truth)}, found {sorted(b.found)}: "
                     + " + ".join(b.members))
    return "\n".join(lines) + "\n"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("corpus", type=Path, help="local checkout of the corpus")
    parser.add_argument("--per-size", type=int, default=40, help="bundles of each size (2, 3, 4)")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--out", type=Path, default=Path(__file__).with_name("BUNDLES.md"))
    parser.add_argument("--mode", choices=("mixed", "same-sender"), default="mixed",
                        help="members from different producers, or consecutive ones of one")
    parser.add_argument("--strip-titles", action="store_true",
                        help="take the title lines off the pages' text layer")
    args = parser.parse_args()
    root: Path = args.corpus.resolve()
    if not root.is_dir():
        sys.exit(f"no corpus at {root}")
    docs = usable(sorted(p for p in root.rglob("*") if p.suffix.lower() == ".pdf"))
    if args.mode == "mixed":
        bundles = make_bundles(docs, root, args.per_size, args.seed)
        how = "members of a bundle are from different producers"
    else:
        bundles = same_sender_bundles(docs, root, SIZES, args.per_size, args.seed)
        how = ("members of a bundle are consecutive PDFs of one producer, no two with the same "
               "text")
    if args.strip_titles:
        how += "; title lines (a document type first, no colon) taken out of the text layer"
    tmp = Path(tempfile.mkdtemp(prefix="folio-bundles-"))
    jobs = [(b, str(root), str(tmp / str(i)), args.strip_titles) for i, b in enumerate(bundles)]
    started = time.monotonic()
    from concurrent.futures import ProcessPoolExecutor

    with ProcessPoolExecutor(args.workers) as pool:
        done = list(pool.map(run_one, jobs, chunksize=1))
    shutil.rmtree(tmp, ignore_errors=True)
    command = "python -m benchmarks.corpus.bundles " + " ".join(sys.argv[1:])
    args.out.write_text(report(done, command, docs, root, time.monotonic() - started,
                                 how))
    for size in SIZES:
        print(f"{size}: F1 {scores([b for b in done if b.size == size])[5]:.3f}")
    print(f"wrote {args.out}")


if __name__ == "__main__":
    main()
