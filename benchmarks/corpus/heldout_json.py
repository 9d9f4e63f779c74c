"""A held-out check on real invoices whose truth is a JSON file beside each document, as
in invoice-x/invoice2data's tests/compare (Dutch, French, Indian, English, Italian ...).

    python -m benchmarks.corpus.heldout_json /work/corpora/heldout/invoice2data [--ocr]

Measured only, never tuned on. PDFs go through the visual path on their own text layer;
with --ocr the PNG scans of the set go through tesseract. Only fields the JSON states
count: number, date, currency, net and gross amount, the vendor's VAT id and IBAN, the
issuer's name (contained in vendor.name), the order number, and the line items (matched
by total and a shared description word, as in benchmarks.corpus.depth).
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from collections import Counter
from pathlib import Path
from typing import Any

from benchmarks.corpus.depth_truth import words

FIELDS = ("number", "date", "currency", "net_amount", "gross_amount", "vendor.vat_id",
          "vendor.iban", "vendor.name", "order_numbers")  # fmt: skip


def _value(result: dict[str, Any], name: str) -> Any:
    node: Any = result
    for part in name.split("."):
        node = node.get(part) if isinstance(node, dict) else None
    if name == "vendor.iban":
        return [(b.get("iban") or {}).get("value") for b in
                (result.get("vendor") or {}).get("banking_information") or []]
    if isinstance(node, list):
        return [e.get("value") for e in node if isinstance(e, dict)]
    return node.get("value") if isinstance(node, dict) else None


def _compact(text: Any) -> str:
    return re.sub(r"[\W_]+", "", str(text)).casefold()


def truth_of(data: dict[str, Any]) -> dict[str, Any]:
    return {
        "number": data.get("invoice_number"), "date": data.get("date"),
        "currency": data.get("currency"), "net_amount": data.get("amount_untaxed"),
        "gross_amount": data.get("amount"), "vendor.vat_id": data.get("vat"),
        "vendor.iban": data.get("iban"), "vendor.name": data.get("issuer"),
        "order_numbers": data.get("order_id"),
    }


def same(name: str, got: Any, want: Any) -> bool:
    if isinstance(want, int | float) and not isinstance(want, bool):
        return isinstance(got, int | float) and abs(abs(got) - abs(want)) < 0.005
    values = got if isinstance(got, list) else [got]
    if name == "vendor.name":
        return any(v and _compact(want) in _compact(v) for v in values)
    return any(v is not None and _compact(v) == _compact(want) for v in values)


def score_lines(result: dict[str, Any], lines: list[dict[str, Any]]) -> tuple[int, int, int]:
    want = [x for x in lines if "price_subtotal" in x]
    got = list(result.get("line_item") or [])
    tp = 0
    for line in want:
        for item in got:
            total = (item.get("total_price") or {}).get("value")
            desc = str((item.get("description") or {}).get("value") or "")
            if isinstance(total, int | float) and abs(abs(total) - line["price_subtotal"]) < 0.005 \
                    and words(str(line.get("name", ""))) & words(desc):
                got.remove(item)
                tp += 1
                break
    return tp, len(got), len(want) - tp


def extract(path: Path) -> dict[str, Any]:
    from benchmarks.invoices.convert import ocr_png, pdf_to_pages
    from service.pipeline.invoice.extract import extract_invoice

    pages = pdf_to_pages(path.read_bytes()) if path.suffix == ".pdf" else [
        ocr_png(path.read_bytes(), "eng")]
    return extract_invoice(pages, "en")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("folder", type=Path)
    parser.add_argument("--ocr", action="store_true", help="the PNG scans, through tesseract")
    args = parser.parse_args()
    suffix = ".png" if args.ocr else ".pdf"
    good: Counter[str] = Counter()
    total: Counter[str] = Counter()
    tp = fp = fn = 0
    misses = []
    for truth_file in sorted(args.folder.glob("*.json")):
        doc = truth_file.with_suffix(suffix)
        if not doc.exists():
            continue
        data = json.loads(truth_file.read_text())[0]
        result = extract(doc)
        for name, want in truth_of(data).items():
            if want is None:
                continue
            total[name] += 1
            ok = same(name, _value(result, name), want)
            good[name] += ok
            if not ok:
                misses.append(f"- `{doc.name}` {name}: want {want!r}, got "
                              f"{_value(result, name)!r}")
        t, f, n = score_lines(result, data.get("lines") or [])
        tp, fp, fn = tp + t, fp + f, fn + n
    print(f"Held-out: {args.folder.name} ({suffix[1:]}), measured only.\n")
    print("| field | right |\n|---|---|")
    for name in FIELDS:
        if total[name]:
            share = 100 * good[name] / total[name]
            print(f"| {name} | {share:.0f}% ({good[name]}/{total[name]}) |")
    all_good, all_total = sum(good.values()), sum(total.values())
    print(f"| **all header fields** | **{100 * all_good / all_total:.1f}% "
          f"({all_good}/{all_total})** |")
    print(f"| line items | {tp}/{tp + fn} found, {fp} extra |\n")
    print("\n".join(misses))


if __name__ == "__main__":
    sys.exit(main())
