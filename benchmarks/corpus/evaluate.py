"""Invoice extraction measured on a real e-invoice corpus (e.g. a checkout of ZUGFeRD/corpus).

    python -m benchmarks.corpus.evaluate /work/corpus [--ocr-limit 24] [--workers 2] \
        [--readme README.md]

The corpus is third-party data: it is read from the path given, never
downloaded and never committed. Every document goes through the service's own
pipeline (run.prepare: detect, e-invoice staging, rasterize, text layer or
tesseract; then steps.invoice_fields), in these forms:

  as uploaded  every PDF as it is, and every bare *.xml: the e-invoice XML must be read exactly
  text layer   the PDF with its attachments stripped: the visual path on the PDF's words
  render       pages at 200 DPI gray: the OCR path
  phone        the render rotated, noisy, low-contrast, as JPEG: the OCR path

Truth is the XML (benchmarks.corpus.truth, a reader independent of the service's).
The visual forms count only fields whose truth is printed on the page (found in
the original text layer). Writes benchmarks/corpus/RESULTS.md.
"""

from __future__ import annotations

import argparse
import datetime as dt
import re
import shutil
import sys
import tempfile
import time
import traceback
from collections import defaultdict
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import orjson

from benchmarks.corpus import variants
from benchmarks.corpus.truth import FIELDS, read_truth

FORMS = ("as uploaded", "text layer", "render", "phone")
OCR_FORMS = ("render", "phone")


@dataclass
class Outcome:
    path: str
    producer: str
    form: str
    error: str = ""  # "internal: ..." for a crash, else the processing's own clear reason
    seconds: float = 0.0
    fields: dict[str, bool | None] = field(default_factory=dict)  # None: not counted
    misses: list[str] = field(default_factory=list)


class _OneFile:
    """The one method of FileStore that run.prepare uses, for a file outside any store."""

    def __init__(self, path: Path) -> None:
        self.path = path

    def artifact(self, processing_id: str, name: str, **_: Any) -> Path:
        return self.path  # (run.prepare passes `patience`, for the store's replicas)


def extract(path: Path, scratch: Path) -> tuple[dict[str, Any], list[Any]]:
    """The extraction JSON and page words of one upload, made by the service's pipeline."""
    from service.config import Settings
    from service.pipeline import steps, workflows
    from service.pipeline.run import prepare

    workflow = workflows.get("invoice_extraction")
    assert workflow is not None
    settings = Settings(data_dir=scratch, page_workers=1, max_pages=50)
    scratch.mkdir(parents=True, exist_ok=True)
    doc = prepare(_OneFile(path), settings, "corpus", scratch, "de",  # type: ignore[arg-type]
                  searchable=steps.searchable in workflow.steps)
    artifacts: dict[str, Any] = {}
    for step in workflow.steps:  # every output the workflow makes, as a worker makes them
        artifacts.update(step(doc))
    body = artifacts["extractions.json"]
    assert isinstance(body, bytes)
    return orjson.loads(body), list(doc.texts)


def xml_of(path: Path) -> bytes | None:
    if path.suffix.lower() == ".xml":
        return path.read_bytes()
    from service.pipeline.invoice.attachments import xml_attachments

    for _, data in xml_attachments(path, 20 << 20):
        if data and read_truth(data) is not None:
            return data
    return None


def value_of(result: dict[str, Any], name: str) -> Any:
    if name == "vendor.iban":
        banks = (result.get("vendor") or {}).get("banking_information") or []
        return [(b.get("iban") or {}).get("value") for b in banks]
    node: Any = result
    for part in name.split("."):
        node = node.get(part) if isinstance(node, dict) else None
    return node.get("value") if isinstance(node, dict) else None


def same(name: str, got: Any, want: Any, exact: bool) -> bool:
    if name == "vendor.iban":
        return any(g and re.sub(r"\s", "", g).upper() == want.upper() for g in got or [])
    if got is None:
        return False
    if isinstance(want, float):
        if not isinstance(got, float | int):
            return False
        # a credit note may print positive amounts its XML states negative, or the reverse
        return abs(got - want) < 0.005 if exact else abs(abs(got) - abs(want)) < 0.005
    if name == "vendor.vat_id":
        return re.sub(r"[\s.-]", "", str(got)).upper() == re.sub(r"[\s.-]", "", want).upper()
    return " ".join(str(got).split()).casefold() == " ".join(want.split()).casefold()


def printed(name: str, want: Any, texts: list[Any]) -> bool:
    from service.pipeline.invoice.locate import Locator

    locator = Locator(texts)
    if name == "currency":
        words = {w.text.strip(".,:;()") for page in texts for w in page.words}
        symbol = {"EUR": "€", "GBP": "£", "USD": "$"}.get(want, "\0")
        return want in words or any(symbol in w for w in words)
    if name == "date":
        return bool(locator.date(want))
    if isinstance(want, float):
        if not want:
            return True
        # '19%' shows a rate, not an amount of 19.00
        refs = locator.amount(want)
        shown = [texts[r["page_num"] - 1].words[r["bbox_id"] - 1].text for r in refs]
        return bool(shown) and not all("%" in t for t in shown)
    return bool(locator.text(want))


def run_one(job: tuple[str, str, str, str, int]) -> Outcome:
    path_s, producer, form, work_s, seed = job
    path, work = Path(path_s), Path(work_s)
    out = Outcome(path=path_s, producer=producer, form=form)
    work.mkdir(parents=True, exist_ok=True)
    started = time.monotonic()
    try:
        xml = xml_of(path)
        truth = read_truth(xml) if xml else None
        upload = path
        if form == "text layer":
            upload = variants.stripped(path, work / "stripped.pdf")
        elif form == "render":
            upload = variants.render(path, work / "render", max_pages=4)
        elif form == "phone":
            upload = variants.phone(path, work / "phone", max_pages=4, seed=seed)
        result, _ = extract(upload, work / "scratch")
        if truth is None:
            return out
        original = None
        if form != "as uploaded":
            from benchmarks.invoices.product import pdf_to_pages

            original = pdf_to_pages(path.read_bytes())
        for name in FIELDS:
            want = truth.get(name)
            if want is None:
                out.fields[name] = None
                continue
            if original is not None and path.suffix == ".pdf" and not printed(name, want,
                                                                              original):
                out.fields[name] = None
                continue
            ok = same(name, value_of(result, name), want, exact=form == "as uploaded")
            out.fields[name] = ok
            if not ok:
                out.misses.append(f"{name}: want {want!r}, got {value_of(result, name)!r}")
    except Exception as exc:  # the pipeline's own ProcessingError is a clear reason, not a crash
        from service.errors import ProcessingError

        if isinstance(exc, ProcessingError):
            out.error = f"refused: {exc.detail}"
        else:
            out.error = "internal: " + "".join(traceback.format_exception_only(exc)).strip()
    finally:
        out.seconds = time.monotonic() - started
        shutil.rmtree(work, ignore_errors=True)
    return out


def producer_of(path: Path, root: Path) -> str:
    parts = path.relative_to(root).parts[:-1]
    if len(parts) >= 2 and parts[1] in ("correct", "fail"):
        return "/".join(parts[:3])
    return "/".join(parts[:2]) or "."


def sample(paths: list[Path], root: Path, limit: int) -> list[Path]:
    """Up to limit documents, taken round-robin over producers so each layout family counts."""
    groups: dict[str, list[Path]] = defaultdict(list)
    for p in paths:
        groups[producer_of(p, root)].append(p)
    out: list[Path] = []
    while len(out) < limit and any(groups.values()):
        for key in sorted(groups):
            if groups[key] and len(out) < limit:
                out.append(groups[key].pop(0))
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("corpus", type=Path, help="local checkout of the corpus")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--ocr-limit", type=int, default=24,
                        help="documents sampled for the OCR forms (render, phone); 0 = none")
    parser.add_argument("--forms", default=",".join(FORMS))
    parser.add_argument("--generated-seeds", type=int, default=3)
    parser.add_argument("--out", type=Path, default=Path(__file__).with_name("RESULTS.md"))
    parser.add_argument("--readme", type=Path, default=None,
                        help="also rewrite this README's corpus-accuracy block (e.g. README.md)")
    args = parser.parse_args()
    root: Path = args.corpus.resolve()
    if not root.is_dir():
        sys.exit(f"no corpus at {root}")
    pdfs = sorted(p for p in root.rglob("*") if p.suffix.lower() == ".pdf")
    xmls = sorted(p for p in root.rglob("*") if p.suffix.lower() == ".xml")
    forms = [f.strip() for f in args.forms.split(",") if f.strip()]
    tmp = Path(tempfile.mkdtemp(prefix="folio-corpus-"))
    jobs = []
    for form in forms:
        chosen = sample(pdfs, root, args.ocr_limit) if form in OCR_FORMS else pdfs
        if form == "as uploaded":
            chosen = pdfs + xmls
        for i, p in enumerate(chosen):
            jobs.append((str(p), producer_of(p, root), form, str(tmp / f"{form[:2]}{i}"), i))
    started = time.monotonic()
    outcomes: list[Outcome] = []
    with ProcessPoolExecutor(args.workers) as pool:
        for n, outcome in enumerate(pool.map(run_one, jobs, chunksize=1), 1):
            outcomes.append(outcome)
            if outcome.error.startswith("internal"):
                print(f"{outcome.form}: {outcome.path}: {outcome.error}", file=sys.stderr)
            if n % 25 == 0:
                print(f"{n}/{len(jobs)} done", file=sys.stderr)
    shutil.rmtree(tmp, ignore_errors=True)
    from benchmarks.corpus.report import generated_table, write_report

    generated = generated_table(args.generated_seeds)
    command = "python -m benchmarks.corpus.evaluate " + " ".join(sys.argv[1:])
    date = dt.date.today().isoformat()
    write_report(args.out, outcomes, generated, command, date, time.monotonic() - started, root)
    print(f"wrote {args.out}")
    if args.readme is not None:
        from benchmarks.corpus.report import update_readme

        update_readme(args.readme, outcomes, generated, date, command)
        print(f"updated {args.readme}")


if __name__ == "__main__":
    main()
