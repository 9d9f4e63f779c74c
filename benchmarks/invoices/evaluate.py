"""Field accuracy of extract_invoice and boundary F1 of split_documents on generated data.

    python -m benchmarks.invoices.evaluate [--digital 12] [--scanned 3] [--bundles 40]

Writes benchmarks/invoices/RESULTS.md. Held-out layouts are only measured here.
"""

from __future__ import annotations

import argparse
import re
import sys
from collections import defaultdict
from collections.abc import Iterator
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path
from typing import Any

from benchmarks.invoices.generate import (
    DEV_LAYOUTS,
    HELDOUT_LAYOUTS,
    generate_bundle,
    generate_document,
    render_scan,
)
from benchmarks.invoices.product import ocr_png, pdf_to_pages
from service.pipeline.invoice.extract import extract_invoice
from service.pipeline.split_documents import split_documents
from service.pipeline.words import PageText

FIELDS = [
    "number",
    "date",
    "due_date",
    "currency",
    "net_amount",
    "tax_amount",
    "gross_amount",
    "due_payable_amount",
    "payment_reference",
    "order_numbers",
    "payment_methods",
    "vendor.name",
    "vendor.address",
    "vendor.vat_id",
    "vendor.tax_number",
    "vendor.iban",
    "vendor.bic",
    "vendor.e_mail",
    "vendor.phone",
    "vendor.url",
    "customer.name",
    "customer.address",
    "customer.vat_id",
    "customer.customer_number",
    "tax_calculation",
    "line_item",
]


def _value(node: Any) -> Any:
    return node.get("value") if isinstance(node, dict) else None


def _same(got: Any, want: Any, key: str = "") -> bool:
    if want is None:
        return got is None
    if got is None:
        return False
    if isinstance(want, float | int) and not isinstance(want, bool):
        return isinstance(got, float | int) and abs(float(got) - float(want)) < 0.005
    if key.endswith("phone"):
        return re.sub(r"\D", "", str(got)) == re.sub(r"\D", "", str(want))
    return _norm(str(got)) == _norm(str(want))


def _norm(text: str) -> str:
    return re.sub(r"\s+", " ", text.casefold()).strip(" .,;:")


def _get(result: dict[str, Any], path: str) -> Any:
    node: Any = result
    for part in path.split("."):
        node = node.get(part) if isinstance(node, dict) else None
    return node


def score(result: dict[str, Any], truth: dict[str, Any]) -> dict[str, bool]:
    out: dict[str, bool] = {}
    banks = (result.get("vendor") or {}).get("banking_information") or []
    want_banks = truth["vendor"]["banking_information"]
    for field in FIELDS:
        if field in ("vendor.iban", "vendor.bic"):
            key = field.split(".")[1]
            got = [_value(b.get(key)) for b in banks][:1]
            want = [b[key] for b in want_banks][:1]
            out[field] = len(got) == len(want) and all(
                _same(g, w) for g, w in zip(got, want, strict=True)
            )
        elif field in ("order_numbers", "payment_methods"):
            got = sorted(_norm(str(_value(x))) for x in result.get(field) or [])
            out[field] = got == sorted(_norm(x) for x in truth[field])
        elif field == "tax_calculation":
            got_rows = sorted(
                (
                    _value(r.get("tax_rate")),
                    _value(r.get("net_amount")),
                    _value(r.get("tax_amount")),
                )
                for r in result.get(field) or []
            )
            want_rows = sorted(
                (r["tax_rate"], r["net_amount"], r["tax_amount"]) for r in truth[field]
            )
            out[field] = len(got_rows) == len(want_rows) and all(
                all(_same(g, w) for g, w in zip(gr, wr, strict=True))
                for gr, wr in zip(got_rows, want_rows, strict=True)
            )
        elif field == "line_item":
            got_items = result.get(field) or []
            want_items = truth[field]
            out[field] = len(got_items) == len(want_items) and all(
                all(_same(_value(g.get(k)), w[k]) for k in w if w[k] is not None)
                for g, w in zip(got_items, want_items, strict=True)
            )
        else:
            want = truth
            for part in field.split("."):
                want = want[part]
            out[field] = _same(_value(_get(result, field)), want, field)
    return out


def _digital(job: tuple[int, int]) -> tuple[int, dict[str, bool], dict[str, Any]]:
    layout, seed = job
    pdf, truth = generate_document(layout, seed)
    result = extract_invoice(pdf_to_pages(pdf), truth["language"])
    return layout, score(result, truth), truth


def _scanned(job: tuple[int, int]) -> tuple[int, dict[str, bool], dict[str, Any]]:
    layout, seed = job
    pdf, truth = generate_document(layout, seed)
    pages = [ocr_png(png, truth["language"]) for png in render_scan(pdf, seed)]
    return layout, score(extract_invoice(pages, truth["language"]), truth), truth


def _bundle(seed: int, layouts: list[int], scanned: bool) -> tuple[list[list[int]], dict[str, Any]]:
    pdf, groups = generate_bundle(layouts, seed)
    if scanned:
        pages: list[PageText] = [ocr_png(png, "de") for png in render_scan(pdf, seed)]
    else:
        pages = pdf_to_pages(pdf)
    return groups, split_documents(pages)


def _boundaries(groups: list[list[int]]) -> set[int]:
    return {g[0] for g in groups[1:]}


def run(
    jobs: list[tuple[int, int]], fn: Any, workers: int
) -> Iterator[tuple[int, dict[str, bool], dict[str, Any]]]:
    with ProcessPoolExecutor(workers) as pool:
        yield from pool.map(fn, jobs)


def summarize(
    results: list[tuple[int, dict[str, bool], dict[str, Any]]],
) -> tuple[float, dict[str, float], int]:
    per_field: dict[str, list[bool]] = defaultdict(list)
    for _, fields, _ in results:
        for k, v in fields.items():
            per_field[k].append(v)
    total = [v for vs in per_field.values() for v in vs]
    return (
        sum(total) / max(1, len(total)),
        {k: sum(v) / len(v) for k, v in per_field.items()},
        len(results),
    )


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--digital", type=int, default=12, help="documents per layout")
    parser.add_argument("--scanned", type=int, default=3, help="documents per layout")
    parser.add_argument("--bundles", type=int, default=40)
    parser.add_argument("--scanned-bundles", type=int, default=4)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--seed", type=int, default=1000)
    parser.add_argument("--dev-only", action="store_true")
    parser.add_argument("--out", type=Path, default=Path(__file__).with_name("RESULTS.md"))
    args = parser.parse_args()

    sets = (
        {"dev": DEV_LAYOUTS} if args.dev_only else {"dev": DEV_LAYOUTS, "held-out": HELDOUT_LAYOUTS}
    )
    report: list[str] = [
        "# Invoice benchmark results",
        "",
        f"Command: `python -m benchmarks.invoices.evaluate {' '.join(sys.argv[1:])}`",
        "",
    ]
    summary: list[str] = ["| set | input | docs | fields right |", "|---|---|---|---|"]
    details: list[str] = []
    failures: list[str] = []
    for name, layouts in sets.items():
        for kind, count, fn in (
            ("digital", args.digital, _digital),
            ("scanned", args.scanned, _scanned),
        ):
            if count == 0:
                continue
            jobs = [(layout, args.seed + n) for layout in layouts for n in range(count)]
            results = list(run(jobs, fn, args.workers))
            overall, per_field, n = summarize(results)
            summary.append(f"| {name} | {kind} | {n} | {overall:.1%} |")
            print(f"{name} {kind}: {overall:.1%} over {n} docs", flush=True)
            details.append(f"\n### {name}, {kind}\n\n| field | accuracy |\n|---|---|")
            details += [f"| {k} | {v:.0%} |" for k, v in per_field.items()]
            per_layout = defaultdict(list)
            for layout, fields, truth in results:
                per_layout[layout] += list(fields.values())
                wrong = [k for k, v in fields.items() if not v]
                if wrong:
                    failures.append(
                        f"- {name} {kind} layout {layout} {truth['number']}: {', '.join(wrong)}"
                    )
            details.append("\n| layout | accuracy |\n|---|---|")
            details += [f"| {k} | {sum(v) / len(v):.1%} |" for k, v in sorted(per_layout.items())]

    split_lines = [
        "| set | input | bundles | precision | recall | F1 |",
        "|---|---|---|---|---|---|",
    ]
    for name, layouts in sets.items():
        for kind, count in (("digital", args.bundles), ("scanned", args.scanned_bundles)):
            tp = fp = fn_ = 0
            for b in range(count):
                groups, result = _bundle(args.seed * 7 + b, layouts, kind == "scanned")
                want = _boundaries(groups)
                got = _boundaries([d["pages"] for d in result["sub_documents"]])
                tp += len(want & got)
                fp += len(got - want)
                fn_ += len(want - got)
            if count:
                p = tp / max(1, tp + fp)
                r = tp / max(1, tp + fn_)
                f1 = 2 * p * r / max(1e-9, p + r)
                split_lines.append(f"| {name} | {kind} | {count} | {p:.3f} | {r:.3f} | {f1:.3f} |")
                print(f"split {name} {kind}: P={p:.3f} R={r:.3f} F1={f1:.3f}", flush=True)

    report += [
        "## Extraction",
        "",
        *summary,
        "",
        "## Splitting",
        "",
        *split_lines,
        "",
        "## Per field and per layout",
        *details,
        "",
        "## Wrong fields per document",
        "",
        *failures[:200],
        "",
    ]
    args.out.write_text("\n".join(report))


if __name__ == "__main__":
    main()
