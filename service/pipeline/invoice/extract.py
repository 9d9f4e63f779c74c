"""Invoice fields from OCR words by layout, not by per-issuer templates.

The steps, in order:
  1. rows and phrases from word geometry (layout)
  2. item tables from their heading row's columns, rows grouped into items
     (item_header, table, line_items)
  3. labelled values: on the label's row to the right, or just below it (labels, parsers)
  4. totals chosen so that net + tax = gross where the page allows it, and the VAT
     breakdown (totals, tax_table)
  5. vendor as the issuer, customer as the addressee: section headings, sender lines,
     letterhead, address blocks (party_sections, blocks, parties); both addresses as
     their parts (address_struct)
  6. referenced documents, service period, allowances and charges, early payment
     (references); without items from a known heading, items by their arithmetic
     (headless_items); the line totals checked against the net amount (line_items)
  7. the barcodes read on the page images, a payment code's IBAN, amount and reference
     filling or checking the fields (barcodes, paycodes); printed 'Label: value' pairs
     no field took (key_values)
Every value keeps the words it came from, so the result can point back into the OCR.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Sequence
from typing import Any

from service.pipeline.invoice.address_struct import add_address_structs
from service.pipeline.invoice.barcodes import Barcode, barcode_fields
from service.pipeline.invoice.currency import find_currency
from service.pipeline.invoice.headless_items import headless_items
from service.pipeline.invoice.key_values import key_value_pairs
from service.pipeline.invoice.labels import LABELS, PAYMENT_WORDS
from service.pipeline.invoice.layout import Layout, build_layout
from service.pipeline.invoice.line_items import count_line_items, line_items
from service.pipeline.invoice.parsers import (
    Parser,
    date_after_number,
    date_parser,
    find_labeled,
    first,
    parse_ident,
)
from service.pipeline.invoice.parties import parties
from service.pipeline.invoice.paycodes import apply_payment_codes
from service.pipeline.invoice.references import (
    allowance,
    early_payment,
    payment_reference,
    references,
    service_period,
)
from service.pipeline.invoice.schema import complete
from service.pipeline.invoice.table import find_tables
from service.pipeline.invoice.totals import tax_calc_out, tax_calculation, totals
from service.pipeline.invoice.values import Candidate, Extraction, cand_ex, ex
from service.pipeline.words import PageText

# --- the extractor -----------------------------------------------------------------------------


def extract_invoice(pages: list[PageText], language: str, codes: Sequence[Barcode] = ()
                    ) -> dict[str, Any]:
    result: dict[str, Any] = {"schema_version": 2, "document_type": "invoice"}
    layout = build_layout(pages)
    if not layout.rows:
        return complete(_codes(result, codes, pages))
    tables = find_tables(layout)
    skip = {id(r) for t in tables for r in t.rows}
    fulltext = "\n".join(r.text for r in layout.rows)
    currency = find_currency(layout)
    day_first = _day_first(fulltext)
    if day_first is None:
        day_first = language != "en" or currency[0] in ("GBP", "EUR")
    parse_day = date_parser("de" if day_first else "en")

    number = first(find_labeled(layout, "number", parse_ident, skip))
    result["number"] = cand_ex(number)
    date = first(find_labeled(layout, "date", parse_day, skip))
    if number is not None and (date is None or date.rank >= _GENERIC_DATE):
        date = date_after_number(layout, number, parse_day) or date
    result["date"] = cand_ex(date)
    result["due_date"] = _due_date(layout, skip, parse_day, date, fulltext)
    result["currency"] = None if currency[0] is None else ex(currency[0], currency[1], currency[2])
    tax_calc = tax_calculation(layout, skip, tables)
    result.update(totals(layout, skip, tax_calc, tables))
    result["tax_calculation"] = tax_calc_out(tax_calc, result, tables)
    result["payment_reference"] = payment_reference(layout, skip, number)
    result["payment_methods"] = [
        ex(method, 0.8, [])
        for method in sorted({m for p, m in PAYMENT_WORDS.items() if re.search(p, fulltext, re.I)})
    ]
    vendor, customer = parties(layout, skip)
    add_address_structs((vendor, customer), layout)
    result["vendor"] = vendor
    result["customer"] = customer
    taken = {e["value"] for e in (result["number"], customer["customer_number"]) if e}
    result.update(references(layout, skip, taken))
    result["service_period"] = service_period(layout, skip, parse_day)
    result["discount_amount"] = allowance(layout, skip, "discount_amount")
    result["additional_cost"] = allowance(layout, skip, "additional_cost")
    result["line_item"] = line_items(tables) or headless_items(
        layout, result["net_amount"], result["gross_amount"], result["tax_amount"])
    result["number_of_line_items"] = count_line_items(
        result["line_item"], result["net_amount"], result["discount_amount"],
        result["additional_cost"])
    gross = result.get("gross_amount")
    result["early_payment_benefit"] = early_payment(
        layout, skip, date.value if date else None, gross["value"] if gross else None, parse_day)
    _codes(result, codes, pages)
    result["key_value_pairs"] = key_value_pairs(layout, skip, tables, result)  # after every field
    return complete(result)


def _codes(result: dict[str, Any], codes: Sequence[Barcode], pages: list[PageText]
           ) -> dict[str, Any]:
    """The barcodes, and the fields a payment code among them fills or contradicts."""
    result["barcodes"] = barcode_fields(codes, pages)
    apply_payment_codes(result, [c.text for c in codes])
    return result


_GENERIC_DATE = next(i for i, (p, _) in enumerate(LABELS["date"]) if p == "datum")
_SLASHED = re.compile(r"(?<![\d/])(\d{1,2})/(\d{1,2})/(?:\d{4}|\d{2})(?![\d/])")


def _day_first(text: str) -> bool | None:
    """The order of slashed dates if the document itself shows it ('11/17/2017' is month
    first, '17/11/2017' day first); None when every slashed date could be either."""
    for m in _SLASHED.finditer(text):
        a, b = int(m.group(1)), int(m.group(2))
        if a > 12 >= b:
            return True
        if b > 12 >= a:
            return False
    return None


def _due_date(
    layout: Layout, skip: set[int], parse_day: Parser, date: Candidate | None, fulltext: str
) -> Extraction | None:
    due = first(find_labeled(layout, "due_date", parse_day, skip))
    if due is not None:
        problem = date is not None and due.value < date.value
        return cand_ex(due, problem=problem, note="due before invoice date" if problem else "")
    if date is None:
        return None
    m = re.search(
        r"(?:innerhalb\s+(?:von\s+)?|within\s+|net\s+)(\d{1,3})\s*(?:tagen|days)?", fulltext, re.I
    )
    if m is None:
        return None
    value = dt.date.fromisoformat(date.value) + dt.timedelta(days=int(m.group(1)))
    return ex(value.isoformat(), 0.6, [], note=f"invoice date + {m.group(1)} days")

