"""E-invoices read exactly: the XML a PDF carries (or a bare XML upload) is the truth.

Every field the XML has becomes an extraction with confidence 1.0 and
bbox_refs to the printed words where the value can be found on the page.
Fields the XML lacks (a MINIMUM profile has no line items, for instance) are
taken from the visual extraction. XML that is not readable leaves the visual
result in place with a note saying why; it never fails the processing.
"""

from __future__ import annotations

import logging
import xml.etree.ElementTree as ET
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from service.pipeline.invoice.attachments import xml_attachments
from service.pipeline.invoice.barcodes import read_barcodes
from service.pipeline.invoice.cii import read_cii
from service.pipeline.invoice.extract import extract_invoice
from service.pipeline.invoice.locate import Locator
from service.pipeline.invoice.schema import complete
from service.pipeline.invoice.ubl import read_ubl
from service.pipeline.invoice.xmlsafe import CII, XmlProblem, parse
from service.pipeline.words import PageText

log = logging.getLogger("folio.pipeline")

STAGED = "einvoice.xml"
STAGED_NOTE = "einvoice-note.txt"

_DATES = {"date", "due_date", "start_date", "end_date", "early_payment_date"}
_NUMBERS = {
    "net_amount", "tax_amount", "gross_amount", "due_payable_amount", "additional_cost",
    "discount_amount", "quantity", "unit_price", "total_price", "tax_rate",
    "discount_percentage", "new_amount", "discount",
}  # fmt: skip
_UNPRINTED = {"number_of_line_items", "payment_methods", "unit_of_measure", "tax_code", "country"}


def stage(source: Path, kind: str, scratch: Path, max_bytes: int) -> None:
    """Put the document's e-invoice XML (or why there is none to read) into scratch."""
    candidates: list[tuple[str, bytes | None]] = []
    if kind == "xml":
        with source.open("rb") as f:
            candidates = [("the uploaded XML", f.read(max_bytes + 1))]
    elif kind == "pdf":
        candidates = xml_attachments(source, max_bytes)
    problems = []
    for name, data in candidates:
        if data is None:
            problems.append(f"{name}: larger than {max_bytes} bytes")
            continue
        try:
            parse(data, max_bytes)
        except XmlProblem as exc:
            problems.append(f"{name}: {exc}")
            continue
        (scratch / STAGED).write_bytes(data)
        return
    if problems:
        note = "e-invoice XML not used, read visually instead: " + "; ".join(problems)
        (scratch / STAGED_NOTE).write_text(note)


def read_staged(scratch: Path) -> tuple[dict[str, Any] | None, str]:
    """The plain fields of the staged XML and a note (why there are none, when there are none)."""
    xml, note = scratch / STAGED, scratch / STAGED_NOTE
    if xml.exists():
        return read_xml(xml.read_bytes()), ""
    return None, note.read_text() if note.exists() else ""


def read_xml(data: bytes) -> dict[str, Any]:
    flavour, root = parse(data, len(data))
    return read_root(flavour, root)


def read_root(flavour: str, root: ET.Element) -> dict[str, Any]:
    return read_cii(root) if flavour == CII else read_ubl(root)


def exact(fields: dict[str, Any], pages: list[PageText]) -> dict[str, Any]:
    """The plain XML fields as extractions (confidence 1.0) pointing at the printed words."""
    wrapped: dict[str, Any] = _wrap(fields, "", Locator(pages)) or {}
    return wrapped


def _wrap(node: Any, key: str, locator: Locator) -> Any:
    if node is None:
        return None
    if isinstance(node, dict):
        wrapped = {k: _wrap(v, k, locator) for k, v in node.items()}
        return wrapped if any(v not in (None, []) for v in wrapped.values()) else None
    if isinstance(node, list):
        items = [_wrap(v, key, locator) for v in node]
        return [item for item in items if item is not None]
    return {
        "value": node,
        "confidence": 1.0,
        "bbox_refs": _refs(node, key, locator),
        "validation_problem": False,
        "note": "",
    }


def _refs(value: Any, key: str, locator: Locator) -> list[dict[str, int]]:
    if key in _UNPRINTED:
        return []
    if key in _DATES:
        return locator.date(str(value))
    if key in _NUMBERS and isinstance(value, float | int):
        return locator.amount(float(value))
    if key == "address":
        return locator.address(str(value))
    return locator.text(str(value))


def merge(xml: dict[str, Any], visual: dict[str, Any]) -> dict[str, Any]:
    """The XML's fields, and the visual ones only where the XML has nothing."""
    out = dict(visual)
    for key, value in xml.items():
        if key in ("vendor", "customer") and isinstance(value, dict):
            party = dict(visual.get(key) or {})
            party.update({k: v for k, v in value.items() if v not in (None, [])})
            out[key] = party
        elif value not in (None, []):
            out[key] = value
    return complete(out)


def invoice_extraction(pages: list[PageText], language: str, scratch: Path,
                       images: Sequence[Path] = (), barcode_pages: int = 4) -> dict[str, Any]:
    """The extraction JSON: e-invoice XML where the document has one, the page otherwise
    (`barcode_pages` of `images`, the stored page images, are searched for barcodes)."""
    visual = extract_invoice(pages, language, read_barcodes(images, barcode_pages))
    try:
        fields, note = read_staged(scratch)
        if fields is not None:
            return merge(exact(fields, pages), visual)
    except Exception:
        # the XML parsed but holds something the readers did not expect: the page still counts
        log.exception("e-invoice XML could not be read")
        fields, note = None, "e-invoice XML not used, read visually instead: unexpected content"
    if note:
        visual["note"] = note
    return visual
