"""Header fields measured against the labels that ship with Azure's Form Recognizer samples.

    python -m benchmarks.corpus.azure_labels DIR [DIR ...] [--language en]

Azure-Samples/cognitive-services-REST-api-samples (curl/form-recognizer) ships a few sample
invoices with human labels for training a custom model: `X.pdf.labels.json` beside `X.pdf`
(sample_data_with_labels.zip: five "project statements" labelled Receipt No, Sold To, ID #;
Invoice_1.pdf.labels.json at the folder's top, for sample_data.zip's Train/Invoice_1.pdf:
Provider, Invoice #, Date, Due Date, Total). Only labels that name an Invoice field are read;
the others (addresses, check boxes, 'VAT' holding a country code) are passed over. The labels
carry no line items. The visual extractor reads each PDF's text layer, in the language given
(the samples are American English: month/day/year dates).
Third-party data, read from the path given and never committed.
"""

from __future__ import annotations

import argparse
import re
import sys
from pathlib import Path
from typing import Any

import orjson

# label (case-folded) -> Invoice field
LABEL_FIELDS = {"receipt no": "number", "invoice #": "number", "sold to": "customer.name",
                "id #": "customer.customer_number", "provider": "vendor.name", "date": "date",
                "due date": "due_date", "total": "gross_amount"}


def _date(text: str) -> str | None:
    m = re.fullmatch(r"(\d{1,2})/(\d{1,2})/(\d{4})", text.strip())
    return f"{m[3]}-{int(m[1]):02d}-{int(m[2]):02d}" if m else None  # US month/day/year


def _amount(text: str) -> float | None:
    digits = re.sub(r"[^\d.\-]", "", text)  # US style: '$56,651.49'
    try:
        return float(digits)
    except ValueError:
        return None


def read_labels(data: bytes) -> dict[str, Any]:
    """The Invoice fields a labels.json gives, by field name."""
    out: dict[str, Any] = {}
    for label in orjson.loads(data).get("labels") or []:
        field = LABEL_FIELDS.get(str(label.get("label", "")).strip().casefold())
        text = " ".join(str(v.get("text", "")) for v in label.get("value") or []).strip()
        if field is None or not text:
            continue
        if field in ("date", "due_date"):
            out[field] = _date(text)
        elif field == "gross_amount":
            out[field] = _amount(text)
        else:
            out[field] = text
    return {k: v for k, v in out.items() if v is not None}


def got_value(result: dict[str, Any], name: str) -> Any:
    node: Any = result
    for part in name.split("."):
        node = node.get(part) if isinstance(node, dict) else None
    return node.get("value") if isinstance(node, dict) else None


def same(got: Any, want: Any) -> bool:
    if isinstance(want, float):
        return isinstance(got, int | float) and abs(got - want) < 0.005
    return isinstance(got, str) and " ".join(got.split()).casefold() == want.casefold()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("dirs", type=Path, nargs="+")
    parser.add_argument("--language", default="en")
    args = parser.parse_args()
    from benchmarks.invoices.product import pdf_to_pages
    from service.pipeline.invoice.extract import extract_invoice

    totals: dict[str, list[int]] = {}
    misses: list[str] = []
    for root in args.dirs:
        for labels in sorted(root.rglob("*.labels.json")):
            pdf = labels.with_name(orjson.loads(labels.read_bytes()).get("document", ""))
            if not pdf.is_file():
                print(f"{labels}: no {pdf.name} beside it", file=sys.stderr)
                continue
            result = extract_invoice(pdf_to_pages(pdf.read_bytes()), args.language)
            for name, want in read_labels(labels.read_bytes()).items():
                got = got_value(result, name)
                ok = same(got, want)
                count = totals.setdefault(name, [0, 0])
                count[0] += ok
                count[1] += 1
                if not ok:
                    misses.append(f"- `{pdf.parent.name}/{pdf.name}` {name}: want {want!r}, "
                                  f"got {got!r}")
    print("| field | right |\n|---|---|")
    for name, (good, of) in sorted(totals.items()):
        print(f"| {name} | {good}/{of} |")
    print("\n".join(["", *misses]))


if __name__ == "__main__":
    main()
