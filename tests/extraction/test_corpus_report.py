"""The corpus evaluation's report when no generated invoices are measured (--generated-seeds 0)."""

from __future__ import annotations

from pathlib import Path

from benchmarks.corpus.evaluate import Outcome
from benchmarks.corpus.report import generated_table, update_readme, write_report

OLD = """intro
<!-- corpus-accuracy:begin -->
Measured before.

| form | documents | internal errors | fields right |
|---|---|---|---|
| phone scans → OCR (sample) | 1 | 0 | 50.0% (1/2) |

Generated invoices (digital PDFs, the same nine fields):

| layouts | docs | number |
|---|---|---|
| development 1-6 | 18 | 100.0% (18/18) |
<!-- corpus-accuracy:end -->
outro
"""


def _outcomes() -> list[Outcome]:
    return [Outcome(path="/c/a.pdf", producer="p", form="phone",
                    fields={"number": True, "date": True})]


def test_no_seeds_no_generated_rows() -> None:
    assert generated_table(0) == []


def test_readme_keeps_its_generated_table_when_none_was_measured(tmp_path: Path) -> None:
    readme = tmp_path / "README.md"
    readme.write_text(OLD)
    update_readme(readme, _outcomes(), [], "2026-11-29", "python -m ... --generated-seeds 0")
    text = readme.read_text()
    assert "| phone scans → OCR (sample) | 1 | 0 | 100.0% (2/2) |" in text
    assert "| development 1-6 | 18 | 100.0% (18/18) |" in text
    assert text.startswith("intro\n") and text.endswith("-->\noutro\n")


def test_results_without_generated_invoices(tmp_path: Path) -> None:
    out = tmp_path / "RESULTS.md"
    write_report(out, _outcomes(), [], "python -m ...", "2026-11-29", 1.0, Path("/c"))
    text = out.read_text()
    assert "phone | 1 | 0 | 0 |" in text
    assert "Generated invoices" not in text
