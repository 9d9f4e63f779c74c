"""Bundle splitting measured on bundles of real e-invoices (e.g. a checkout of ZUGFeRD/corpus).

    python -m benchmarks.corpus.bundles /work/corpus [--per-size 40] [--seed 1]

Each bundle concatenates 2-4 corpus PDFs of 1-4 pages from different producers
(seeded choice; attachments stripped with pikepdf, so only pages and text layer
remain) and goes through the service's own pipeline: run.prepare (detect,
rasterize, text layer) and then the generic_splitting step (steps.splitting).
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
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import orjson
import pikepdf

from benchmarks.corpus.variants import strip_attachments

SIZES = (2, 3, 4)
MAX_DOC_PAGES = 4


@dataclass
class Bundle:
    size: int
    members: list[str]  # corpus-relative paths, in bundle order
    truth: set[int]  # 1-based pages where a document (other than the first) starts
    found: set[int] = field(default_factory=set)
    seconds: float = 0.0


class _OneFile:
    """The one method of FileStore that run.prepare uses, for a file outside any store."""

    def __init__(self, path: Path) -> None:
        self.path = path

    def artifact(self, processing_id: str, name: str) -> Path:
        return self.path


def producer_of(path: Path, root: Path) -> str:
    """The producing tool or vendor, from the corpus layout (ZUGFeRDv2/correct/intarsys/...)."""
    parts = path.relative_to(root).parts[:-1]
    if len(parts) >= 3 and parts[1] in ("correct", "fail"):
        return parts[2].lower()
    return "/".join(parts[:2]).lower() or "."


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
            truth, page = set(), 1
            for k, member in enumerate(members):
                if k:
                    truth.add(page)
                page += docs[member]
            bundles.append(Bundle(size, [str(m.relative_to(root)) for m in members], truth))
    return bundles


def build_pdf(bundle: Bundle, root: Path, out: Path) -> None:
    with pikepdf.new() as target:
        for member in bundle.members:
            with pikepdf.open(root / member) as source:
                strip_attachments(source)
                target.pages.extend(source.pages)
        strip_attachments(target)
        target.save(out)


def split_bundle(pdf: Path, scratch: Path) -> dict[str, Any]:
    """The document-splitting JSON that the generic_splitting workflow makes for this upload."""
    from service.config import Settings
    from service.pipeline import steps, workflows
    from service.pipeline.run import prepare

    workflow = workflows.get("generic_splitting")
    assert workflow is not None and steps.splitting in workflow.steps
    settings = Settings(data_dir=scratch, page_workers=1)
    doc = prepare(_OneFile(pdf), settings, "bundle", scratch, "de")  # type: ignore[arg-type]
    body = steps.splitting(doc)["document-splitting.json"]
    assert isinstance(body, bytes)
    result: dict[str, Any] = orjson.loads(body)
    return result


def run_one(job: tuple[Bundle, str, str]) -> Bundle:
    bundle, root_s, work_s = job
    work = Path(work_s)
    work.mkdir(parents=True, exist_ok=True)
    started = time.monotonic()
    try:
        pdf = work / "bundle.pdf"
        build_pdf(bundle, Path(root_s), pdf)
        result = split_bundle(pdf, work)
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
           seconds: float) -> str:
    producers = {producer_of(p, root) for p in docs}
    lines = [
        "# Bundle splitting on real e-invoices",
        "",
        f"Run {dt.date.today().isoformat()}: `{command}` ({seconds:.0f} s).",
        "",
        f"{len(bundles)} bundles of {len(docs)} usable corpus PDFs (1-{MAX_DOC_PAGES} pages, "
        f"text layer on every page) from {len(producers)} producers; members of a bundle are from "
        "different "
        "producers; attachments stripped; split by the generic_splitting step on the text-layer "
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
    args = parser.parse_args()
    root: Path = args.corpus.resolve()
    if not root.is_dir():
        sys.exit(f"no corpus at {root}")
    docs = usable(sorted(p for p in root.rglob("*") if p.suffix.lower() == ".pdf"))
    bundles = make_bundles(docs, root, args.per_size, args.seed)
    tmp = Path(tempfile.mkdtemp(prefix="folio-bundles-"))
    jobs = [(b, str(root), str(tmp / str(i))) for i, b in enumerate(bundles)]
    started = time.monotonic()
    from concurrent.futures import ProcessPoolExecutor

    with ProcessPoolExecutor(args.workers) as pool:
        done = list(pool.map(run_one, jobs, chunksize=1))
    shutil.rmtree(tmp, ignore_errors=True)
    command = "python -m benchmarks.corpus.bundles " + " ".join(sys.argv[1:])
    args.out.write_text(report(done, command, docs, root, time.monotonic() - started))
    for size in SIZES:
        print(f"{size}: F1 {scores([b for b in done if b.size == size])[5]:.3f}")
    print(f"wrote {args.out}")


if __name__ == "__main__":
    main()
