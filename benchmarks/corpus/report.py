"""RESULTS.md for the corpus evaluation: per form, per field, per producer, and what fails."""

from __future__ import annotations

from collections import Counter, defaultdict
from pathlib import Path
from typing import Any

from benchmarks.corpus.truth import FIELDS

GENERATED_FIELDS = ("number", "date", "currency", "net_amount", "tax_amount", "gross_amount",
                    "due_payable_amount", "vendor.vat_id", "vendor.iban")  # fmt: skip


def _pct(good: int, total: int) -> str:
    return f"{100 * good / total:.1f}% ({good}/{total})" if total else "-"


def _field_counts(outcomes: list[Any]) -> dict[str, tuple[int, int]]:
    counts: dict[str, list[int]] = {name: [0, 0] for name in FIELDS}
    for o in outcomes:
        for name, ok in o.fields.items():
            if ok is not None:
                counts[name][1] += 1
                counts[name][0] += int(ok)
    return {k: (v[0], v[1]) for k, v in counts.items()}


def _total(counts: dict[str, tuple[int, int]]) -> tuple[int, int]:
    return sum(g for g, _ in counts.values()), sum(t for _, t in counts.values())


def generated_table(seeds: int) -> list[str]:
    """Digital generated invoices (benchmarks/invoices), every layout, a few seeds each;
    no rows for seeds 0 (the table is then left out)."""
    from benchmarks.invoices.evaluate import score
    from benchmarks.invoices.generate import DEV_LAYOUTS, HELDOUT_LAYOUTS, generate_document
    from benchmarks.invoices.product import pdf_to_pages
    from service.pipeline.invoice.extract import extract_invoice

    rows = []
    for title, layouts in (("development 1-6", DEV_LAYOUTS), ("held out 7-10", HELDOUT_LAYOUTS)):
        good: Counter[str] = Counter()
        total = scored = 0
        for layout in layouts:
            for seed in range(seeds):
                pdf, truth = generate_document(layout, seed)
                fields = score(extract_invoice(pdf_to_pages(pdf), truth["language"]), truth)
                total += 1
                scored += len(fields)
                for name, ok in fields.items():
                    good[name] += int(ok)
        if not total:
            continue
        cells = [_pct(good[n], total) for n in GENERATED_FIELDS]
        all_fields = sum(good.values()), scored
        rows.append(f"| {title} | {total} | " + " | ".join(cells)
                    + f" | {_pct(*all_fields)} |")
    return rows


FORM_TITLES = {
    "as uploaded": "as uploaded: the e-invoice XML read exactly",
    "text layer": "text layer (attachments stripped)",
    "render": "200-DPI gray renders → OCR (sample)",
    "phone": "phone scans → OCR (sample)",
}


def summary(outcomes: list[Any]) -> list[str]:
    """The README's table: one row per form."""
    lines = ["| form | documents | internal errors | fields right |", "|---|---|---|---|"]
    for form, title in FORM_TITLES.items():
        group = [o for o in outcomes if o.form == form]
        if not group:
            continue
        internal = sum(1 for o in group if o.error.startswith("internal"))
        counts = _field_counts(group)
        lines.append(f"| {title} | {len(group)} | {internal} | {_pct(*_total(counts))} |")
    return lines


def update_readme(readme: Path, outcomes: list[Any], generated: list[str], date: str,
                  command: str) -> None:
    """Replace the text between the corpus-accuracy markers in the README."""
    text = readme.read_text()
    begin, end = "<!-- corpus-accuracy:begin -->", "<!-- corpus-accuracy:end -->"
    if begin not in text or end not in text:
        raise SystemExit(f"{readme} has no {begin} ... {end} block")
    head, rest = text.split(begin, 1)
    old, tail = rest.split(end, 1)
    kept = _generated(generated)
    if not kept and "Generated invoices" in old:  # none measured (--generated-seeds 0): keep
        kept = ["", "Generated invoices" + old.split("Generated invoices", 1)[1].rstrip("\n")]
    block = [begin, f"Measured {date}: `{command}`.", "", *summary(outcomes), *kept, end]
    readme.write_text(head + "\n".join(block) + tail)


def _generated(rows: list[str]) -> list[str]:
    """The generated-invoices table with its lead-in, or nothing when none were measured."""
    if not rows:
        return []
    return ["", "Generated invoices (digital PDFs, the same nine fields):", "",
            "| layouts | docs | " + " | ".join(GENERATED_FIELDS) + " | all scored fields |",
            "|---|---|" + "---|" * len(GENERATED_FIELDS) + "---|", *rows]


def write_report(out: Path, outcomes: list[Any], generated: list[str], command: str,
                 date: str, seconds: float, root: Path) -> None:
    by_form: dict[str, list[Any]] = defaultdict(list)
    for o in outcomes:
        by_form[o.form].append(o)
    lines = [
        "# Invoice extraction on the real e-invoice corpus",
        "",
        f"Run {date}: `{command}` ({seconds / 60:.1f} min on this machine).",
        "",
        "Corpus: a local checkout of the public ZUGFeRD/corpus repository (third-party data,",
        "not part of this repository). Truth is each document's e-invoice XML, read by",
        "benchmarks/corpus/truth.py (independent of the service's reader). Every upload goes",
        "through the service's pipeline (`run.prepare` → `steps.invoice_fields`).",
        "",
        "- **as uploaded**: each PDF as it is and each bare `*.xml`; values must equal the XML",
        "  exactly.",
        "- **text layer**: the PDF with its attachments stripped (pikepdf): the visual path on the",
        "  PDF's own words. Only fields whose truth is printed on the page count (found in the",
        "  text layer); amounts are compared by magnitude (credit notes print signs either way).",
        "- **render**: pages at 200 DPI gray (PNG/TIFF) → tesseract; **phone**: the render",
        "  slightly rotated, noisy, lower contrast, JPEG. A sample spread over producers",
        "  (`--ocr-limit`).",
        "",
        "Documents whose processing ended in an internal error are listed under \"What fails\"",
        "and are not in the field counts.",
        "",
        "## Per form and field",
        "",
        "| form | docs | internal errors | refused | " + " | ".join(FIELDS) + " | all fields |",
        "|---|---|---|---|" + "---|" * len(FIELDS) + "---|",
    ]
    for form in ("as uploaded", "text layer", "render", "phone"):
        group = by_form.get(form, [])
        if not group:
            continue
        counts = _field_counts(group)
        internal = sum(1 for o in group if o.error.startswith("internal"))
        refused = sum(1 for o in group if o.error.startswith("refused"))
        lines.append(f"| {form} | {len(group)} | {internal} | {refused} | "
                     + " | ".join(_pct(*counts[n]) for n in FIELDS)
                     + f" | **{_pct(*_total(counts))}** |")
    lines += ["", "## Per producer (all nine fields together)", "",
              "| producer | docs | " + " | ".join(FORMS_SHOWN) + " |",
              "|---|---|" + "---|" * len(FORMS_SHOWN)]
    producers = sorted({o.producer for o in outcomes})
    for producer in producers:
        docs = len({o.path for o in outcomes if o.producer == producer})
        cells = []
        for form in FORMS_SHOWN:
            group = [o for o in by_form.get(form, []) if o.producer == producer]
            cells.append(_pct(*_total(_field_counts(group))) if group else "-")
        lines.append(f"| {producer} | {docs} | " + " | ".join(cells) + " |")
    if generated:
        lines += ["", "## Generated invoices (digital PDFs, benchmarks/invoices)", "",
                  *_generated(generated)[3:]]
    lines += ["", "## What fails (examples)", ""]
    for form in FORMS_SHOWN:
        errors = [o for o in by_form.get(form, []) if o.error]
        misses = [o for o in by_form.get(form, []) if o.misses]
        if not errors and not misses:
            continue
        lines.append(f"### {form}")
        lines.append("")
        for o in errors[:8]:
            lines.append(f"- `{Path(o.path).relative_to(root)}`: {o.error}")
        by_field: dict[str, list[str]] = defaultdict(list)
        for o in misses:
            for miss in o.misses:
                by_field[miss.split(":")[0]].append(f"`{Path(o.path).name}` {miss}")
        for name in FIELDS:
            for example in by_field.get(name, [])[:3]:
                lines.append(f"- {example}")
        lines.append("")
    out.write_text("\n".join(lines) + "\n")


FORMS_SHOWN = ("as uploaded", "text layer", "render", "phone")
