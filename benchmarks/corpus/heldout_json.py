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


# the sets state no language: a document's is the one whose common words it prints most
_STOPWORDS = {
    "en": "the and of to for invoice total date amount your with from bill due",
    "de": "der die das und für rechnung datum betrag mit von summe gesamt bitte",
    "fr": "le la les et de des pour facture date montant total votre du avec",
    "nl": "de het een en van voor factuur datum bedrag totaal uw met btw",
    "it": "il la di e per fattura data importo totale con del della",
    "es": "el la de y para factura fecha importe total con del los",
}


def language_of(text: str) -> str:
    tokens = re.findall(r"[^\W\d_]+", text.casefold())
    counts = {lang: sum(t in set(words.split()) for t in tokens)
              for lang, words in _STOPWORDS.items()}
    return max(counts, key=lambda lang: counts[lang])


def extract(path: Path) -> tuple[dict[str, Any], str]:
    from benchmarks.invoices.convert import ocr_png, pdf_to_pages
    from service.pipeline.invoice.extract import extract_invoice

    pages = pdf_to_pages(path.read_bytes()) if path.suffix == ".pdf" else [
        ocr_png(path.read_bytes(), "eng")]
    text = " ".join(w.text for p in pages for w in p.words)
    return extract_invoice(pages, "en"), language_of(text)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("folder", type=Path)
    parser.add_argument("--ocr", action="store_true", help="the PNG scans, through tesseract")
    args = parser.parse_args()
    suffix = ".png" if args.ocr else ".pdf"
    good: Counter[tuple[str, str]] = Counter()  # (field, language or "all")
    total: Counter[tuple[str, str]] = Counter()
    lines: Counter[tuple[str, str]] = Counter()  # (tp/fp/fn, language or "all")
    docs: Counter[str] = Counter()
    misses = []
    for truth_file in sorted(args.folder.glob("*.json")):
        doc = truth_file.with_suffix(suffix)
        if not doc.exists():
            continue
        data = json.loads(truth_file.read_text())[0]
        result, language = extract(doc)
        sets = ("all", language)
        for key in sets:
            docs[key] += 1
        for name, want in truth_of(data).items():
            if want is None:
                continue
            ok = same(name, _value(result, name), want)
            for key in sets:
                total[name, key] += 1
                good[name, key] += ok
            if not ok:
                misses.append(f"- `{doc.name}` ({language}) {name}: want {want!r}, got "
                              f"{_value(result, name)!r}")
        if not any("price_subtotal" in x for x in data.get("lines") or []):
            continue  # no line truth: items found there are neither right nor wrong
        for kind, n in zip(("tp", "fp", "fn"), score_lines(result, data.get("lines") or []),
                           strict=True):
            for key in sets:
                lines[kind, key] += n
    columns = sorted(docs, key=lambda k: (k != "all", k))
    print(f"Held-out: {args.folder.name} ({suffix[1:]}), measured only. Languages by the "
          "common words each document prints.\n")
    print("| field | " + " | ".join(f"{c} ({docs[c]} docs)" for c in columns) + " |")
    print("|---|" + "---|" * len(columns))

    def cell(right: int, of: int) -> str:
        return f"{100 * right / of:.0f}% ({right}/{of})" if of else "-"

    for name in FIELDS:
        if total[name, "all"]:
            print(f"| {name} | " + " | ".join(cell(good[name, c], total[name, c])
                                             for c in columns) + " |")
    sums = {c: (sum(v for (_, k), v in good.items() if k == c),
                sum(v for (_, k), v in total.items() if k == c)) for c in columns}
    print("| **all header fields** | " + " | ".join(
        f"**{cell(*sums[c])}**" for c in columns) + " |")
    print("| line items found (extra) | " + " | ".join(
        f"{lines['tp', c]}/{lines['tp', c] + lines['fn', c]} ({lines['fp', c]})"
        for c in columns) + " |\n")
    print("\n".join(misses))


if __name__ == "__main__":
    sys.exit(main())
