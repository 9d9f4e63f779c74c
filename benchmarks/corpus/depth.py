"""Line items, tax lines and both parties' names measured on a real e-invoice corpus.

    python -m benchmarks.corpus.depth /work/corpora/zugferd [--workers 2] [--out DEPTH.md]

The visual path on each PDF's own text layer (the e-invoice XML is never read by the
extractor here: it gets the page words only) against the truth in the PDF's attached XML
(benchmarks.corpus.depth_truth). Only what is printed counts: a document's line items are
scored when every line total of its XML is printed on its pages, a tax line when its net
and tax are, a name when it is. Line items match one to one by total (magnitude) and at
least one shared description word; matched items also score quantity and unit price.
The corpus is third-party data, read from the path given and never committed.
"""

from __future__ import annotations

import argparse
import re
import sys
from collections import defaultdict
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from benchmarks.corpus import depth_fields
from benchmarks.corpus.depth_truth import Depth, read_depth, words

KINDS = ("line_items", "tax_lines")
NAMES = ("vendor.name", "customer.name")


@dataclass
class Score:
    path: str
    language: str
    error: str = ""
    counts: dict[str, list[int]] = field(default_factory=dict)  # kind: [tp, fp, fn]
    names: dict[str, bool] = field(default_factory=dict)
    item_fields: dict[str, list[int]] = field(default_factory=dict)  # field: [right, of]
    misses: list[str] = field(default_factory=list)


def _value(node: Any) -> Any:
    return node.get("value") if isinstance(node, dict) else None


def _close(a: Any, b: float | None) -> bool:
    return isinstance(a, int | float) and b is not None and abs(abs(a) - abs(b)) < 0.005


def _compact(text: str) -> str:
    return re.sub(r"[\W_]+", "", text.casefold())


def same_name(got: Any, want: str) -> bool:
    """Equal letters and digits, one holding most of the other; a name the XML gives on
    several lines ('Herrn' / 'Max Mustermann') matches one of its lines as well."""
    if not isinstance(got, str) or not got.strip():
        return False
    lines = [x for x in want.split("\n") if re.search(r"[^\W\d_]{3}", x)]
    if len(lines) > 1 and any(same_name(got, x) for x in lines):
        return True
    a, b = _compact(got), _compact(want)
    if a == b:
        return True
    short, long_ = sorted((a, b), key=len)
    return bool(short) and short in long_ and len(short) >= 0.6 * len(long_)


def score_lines(result: dict[str, Any], depth: Depth, out: Score) -> None:
    got = list(result.get("line_item") or [])
    unmatched = list(range(len(got)))
    tp = 0
    for line in depth.lines:
        want_words = words(line.description)
        hit = None
        for k in unmatched:
            item = got[k]
            desc = str(_value(item.get("description")) or "")
            if _close(_value(item.get("total_price")), line.total) and (
                not want_words or want_words & words(desc)
            ):
                hit = k
                break
        if hit is None:
            out.misses.append(f"line item missed: {line.description[:40]!r} {line.total}")
            continue
        unmatched.remove(hit)
        tp += 1
        for name, want in (("quantity", line.quantity), ("unit_price", line.unit_price)):
            if want is None:
                continue
            counts = out.item_fields.setdefault(name, [0, 0])
            counts[1] += 1
            counts[0] += int(_close(_value(got[hit].get(name)), want))
    for k in unmatched:
        item = got[k]
        out.misses.append(f"line item extra: {str(_value(item.get('description')))[:40]!r} "
                          f"{_value(item.get('total_price'))}")
    out.counts["line_items"] = [tp, len(unmatched), len(depth.lines) - tp]


def score_taxes(result: dict[str, Any], depth: Depth, counted: list[Any], out: Score) -> None:
    got = list(result.get("tax_calculation") or [])
    tp = 0
    for line in counted:
        for entry in got:
            if (_close(_value(entry.get("tax_rate")), line.rate)
                    and _close(_value(entry.get("tax_amount")), line.tax)
                    and _close(_value(entry.get("net_amount")), line.net)):
                got.remove(entry)
                tp += 1
                break
        else:
            out.misses.append(f"tax line missed: {line.rate}% net {line.net} tax {line.tax}")
    out.counts["tax_lines"] = [tp, len(got), len(counted) - tp]


def _rendered(path: Path, work: Path, form: str, seed: int) -> dict[str, Any]:
    """The extraction of the PDF's pages rendered at 200 DPI (form 'render') or made to
    look photographed ('phone'), through OCR: the service's whole pipeline, as
    benchmarks.corpus.evaluate runs it."""
    from benchmarks.corpus import variants
    from benchmarks.corpus.evaluate import extract as pipeline

    if form == "phone":
        upload = variants.phone(path, work / "phone", max_pages=4, seed=seed)
    else:
        upload = variants.render(path, work / "render", max_pages=4)
    return pipeline(upload, work / "scratch")[0]


def run_one(job: tuple[str, str, int]) -> Score:
    import shutil
    import tempfile

    from benchmarks.corpus import evaluate
    from benchmarks.corpus.evaluate import xml_of
    from benchmarks.corpus.truth import read_truth
    from benchmarks.invoices.product import pdf_to_pages
    from service.pipeline.invoice.extract import extract_invoice
    from service.pipeline.invoice.locate import Locator

    path_s, form, seed = job
    path = Path(path_s)
    out = Score(path_s, "?")
    work = Path(tempfile.mkdtemp(prefix="folio-depth-"))
    try:
        xml = xml_of(path)
        depth = read_depth(xml) if xml else None
        if depth is None:
            out.error = "no truth"
            return out
        out.language = depth.language
        pages = pdf_to_pages(path.read_bytes())
        if not any(p.words for p in pages):
            out.error = "no text layer"
            return out
        result = (extract_invoice(pages, "de") if form == "text layer"
                  else _rendered(path, work, form, seed))
        locator = Locator(pages)

        def shown(value: float | None) -> bool:
            return value is not None and (not value or bool(locator.amount(value)))

        items_printed = bool(depth.lines) and all(shown(x.total) for x in depth.lines)
        if items_printed:
            score_lines(result, depth, out)
        counted = [t for t in depth.tax_lines if shown(t.net) and shown(t.tax)]
        if counted:
            score_taxes(result, depth, counted, out)
        for name, want in (read_truth(xml) or {}).items():  # the nine header fields
            if want is None or not evaluate.printed(name, want, pages):
                continue
            got = evaluate.value_of(result, name)
            out.names[name] = evaluate.same(name, got, want, exact=False)
            if not out.names[name]:
                out.misses.append(f"{name}: want {want!r}, got {got!r}")
        for name, want in depth_fields.read_fields(xml).items():
            if name in depth_fields.UNPRINTED:
                printed = items_printed
            elif isinstance(want, float):
                printed = shown(want)
            elif want is not None:
                printed = bool(locator.date(want) if name in depth_fields.DATES
                               else locator.text(want))
            if want is None or not printed:
                continue
            got = depth_fields.got_value(result, name)
            out.names[name] = depth_fields.same(got, want)
            if not out.names[name]:
                out.misses.append(f"{name}: want {want!r}, got {got!r}")
        for name, want in (("vendor.name", depth.vendor_name),
                           ("customer.name", depth.customer_name)):
            if want and locator.text(want):
                got = _value((result.get(name.split(".")[0]) or {}).get("name"))
                out.names[name] = same_name(got, want)
                if not out.names[name]:
                    out.misses.append(f"{name}: want {want!r}, got {got!r}")
    except Exception as exc:  # every crash is reported, none stops the run
        out.error = f"internal: {type(exc).__name__}: {exc}"
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return out


def _f1(tp: int, fp: int, fn: int) -> str:
    if not tp + fp + fn:
        return "-"
    p = tp / (tp + fp) if tp + fp else 0.0
    r = tp / (tp + fn) if tp + fn else 0.0
    f = 2 * p * r / (p + r) if p + r else 0.0
    return f"P {p:.2f} R {r:.2f} **F1 {f:.2f}** ({tp}/{tp + fn} found, {fp} extra)"


def _pct(good: int, total: int) -> str:
    return f"{100 * good / total:.1f}% ({good}/{total})" if total else "-"


def report(scores: list[Score], corpus: str, command: str) -> str:
    groups: dict[str, list[Score]] = defaultdict(list)
    for s in scores:
        if not s.error.startswith(("no truth", "no text")):
            groups["all"].append(s)
            groups[s.language].append(s)
    from benchmarks.corpus.truth import FIELDS as HEADER

    head = ["set", "docs", "internal errors", "header fields", "line items", "item quantity",
            "item unit price", "tax lines", "vendor.name", "customer.name"]
    lines = [f"Corpus: {corpus}. Command: `{command}`", "",
             "| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    fields_rows: list[str] = []
    for key in sorted(groups, key=lambda k: (k != "all", k)):
        group = groups[key]
        cells = [key, str(len(group)), str(sum(s.error.startswith("internal") for s in group))]
        header = [s.names[name] for s in group for name in HEADER if name in s.names]
        cells.append(_pct(sum(header), len(header)))
        for kind in KINDS[:1]:
            tp, fp, fn = (sum(s.counts.get(kind, [0, 0, 0])[i] for s in group) for i in range(3))
            cells.append(_f1(tp, fp, fn))
        for name in ("quantity", "unit_price"):
            cells.append(_pct(*(sum(s.item_fields.get(name, [0, 0])[i] for s in group)
                                for i in range(2))))
        tp, fp, fn = (sum(s.counts.get("tax_lines", [0, 0, 0])[i] for s in group) for i in range(3))
        cells.append(_f1(tp, fp, fn))
        for name in NAMES:
            done = [s.names[name] for s in group if name in s.names]
            cells.append(_pct(sum(done), len(done)))
        lines.append("| " + " | ".join(cells) + " |")
    sets = sorted(groups, key=lambda k: (k != "all", k))
    for name in (*HEADER, *depth_fields.FIELDS):
        row = [f"`{name}`"]
        for key in sets:
            done = [s.names[name] for s in groups[key] if name in s.names]
            row.append(_pct(sum(done), len(done)))
        fields_rows.append("| " + " | ".join(row) + " |")
    lines += ["", "Every other field the XML carries, where it is printed (per language; the "
              "first nine are benchmarks.corpus.evaluate's header fields):", "",
              "| field | " + " | ".join(sets) + " |", "|" + "---|" * (len(sets) + 1),
              *fields_rows]
    lines += ["", "What fails (examples, the first 60 of "
              f"{sum(len(s.misses) for s in scores)}):", ""]
    shown: list[str] = []
    for s in scores:
        if s.error.startswith("internal"):
            shown.append(f"- `{Path(s.path).name}`: {s.error}")
        shown.extend(f"- `{Path(s.path).name}` {miss}" for miss in s.misses[:3])
    return "\n".join(lines + shown[:60]) + "\n"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("corpus", type=Path)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--out", type=Path, default=None)
    parser.add_argument("--render", type=int, default=0, metavar="N",
                        help="instead: N documents (spread over producers) rendered at 200 "
                             "DPI and read by OCR")
    parser.add_argument("--phone", action="store_true",
                        help="with --render: the renders made to look photographed")
    args = parser.parse_args()
    root: Path = args.corpus.resolve()
    if not root.is_dir():
        sys.exit(f"no corpus at {root}")
    pdfs = sorted(p for p in root.rglob("*") if p.suffix.lower() == ".pdf")
    form = "text layer"
    if args.render:
        from benchmarks.corpus.evaluate import sample

        pdfs, form = sample(pdfs, root, args.render), "phone" if args.phone else "render"
    with ProcessPoolExecutor(args.workers) as pool:
        jobs = [(str(p), form, seed) for seed, p in enumerate(pdfs)]
        scores = list(pool.map(run_one, jobs, chunksize=1))
    command = "python -m benchmarks.corpus.depth " + " ".join(sys.argv[1:])
    text = report(scores, f"{root.name} ({form})", command)
    if args.out is not None:
        args.out.write_text(text)
    print(text)


if __name__ == "__main__":
    main()
