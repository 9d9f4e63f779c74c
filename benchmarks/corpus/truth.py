"""The truth of a corpus document: nine fields read from its e-invoice XML.

Deliberately a separate, simpler reader than the service's (cii.py, ubl.py):
it looks elements up by local name anywhere below a scope, so a bug in the
service's reader cannot make its own answers "right".
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from typing import Any

# CII invoices: ZUGFeRD 1 (CrossIndustryDocument) and ZUGFeRD 2 / Factur-X / XRechnung
INVOICE_ROOTS = ("CrossIndustryInvoice", "CrossIndustryDocument")
FIELDS = ("number", "date", "currency", "net_amount", "tax_amount", "gross_amount",
          "due_payable_amount", "vendor.vat_id", "vendor.iban")  # fmt: skip


def _local(tag: Any) -> str:
    return tag.rsplit("}", 1)[-1] if isinstance(tag, str) else ""


def _first(scope: ET.Element | None, *names: str) -> ET.Element | None:
    if scope is None:
        return None
    for element in scope.iter():
        if _local(element.tag) in names:
            return element
    return None


def _text(element: ET.Element | None) -> str | None:
    if element is None:
        return None
    value = "".join(element.itertext()).strip()
    return value or None


def _num(element: ET.Element | None) -> float | None:
    value = _text(element)
    try:
        return float(value) if value is not None else None
    except ValueError:
        return None


def _date(element: ET.Element | None) -> str | None:
    digits = re.sub(r"\D", "", _text(element) or "")
    return f"{digits[:4]}-{digits[4:6]}-{digits[6:8]}" if len(digits) >= 8 else None


def read_truth(data: bytes) -> dict[str, Any] | None:
    """The nine fields (None where the XML lacks one), or None when it is no CII/UBL invoice."""
    try:
        root = ET.fromstring(re.sub(rb"^\s*<\?xml[^>]*\?>", b"", data).decode("utf-8"))
    except (ET.ParseError, UnicodeDecodeError):
        return None
    name = _local(root.tag)
    if name not in (*INVOICE_ROOTS, "Invoice", "CreditNote"):
        return None  # an Order-X order or response is no invoice
    if _first(root, "HeaderExchangedDocument", "ExchangedDocument") is not None:
        return _cii(root)
    if name in ("Invoice", "CreditNote"):
        return _ubl(root)
    return None


def _cii(root: ET.Element) -> dict[str, Any]:
    header = _first(root, "HeaderExchangedDocument", "ExchangedDocument")
    seller = _first(root, "SellerTradeParty")
    summation = _first(root, "SpecifiedTradeSettlementHeaderMonetarySummation",
                       "SpecifiedTradeSettlementMonetarySummation")
    currency = _text(_first(root, "InvoiceCurrencyCode"))
    vat = None
    for reg in (seller.iter() if seller is not None else []):
        if _local(reg.tag) == "ID" and reg.get("schemeID") == "VA" and _text(reg):
            vat = _text(reg)
            break
    tax = None
    for element in (summation.iter() if summation is not None else []):
        unit = element.get("currencyID")
        if _local(element.tag) == "TaxTotalAmount" and unit in (None, currency):
            tax = _num(element)
            break
    iban = _text(_first(_first(root, "PayeePartyCreditorFinancialAccount"), "IBANID"))
    return {
        "number": _text(_first(header, "ID")),
        "date": _date(_first(header, "IssueDateTime")),
        "currency": currency,
        "net_amount": _num(_first(summation, "TaxBasisTotalAmount")),
        "tax_amount": tax,
        "gross_amount": _num(_first(summation, "GrandTotalAmount")),
        "due_payable_amount": _num(_first(summation, "DuePayableAmount")),
        "vendor.vat_id": vat,
        "vendor.iban": iban.replace(" ", "") if iban else None,
    }


def _ubl(root: ET.Element) -> dict[str, Any]:
    def child(scope: ET.Element | None, name: str) -> ET.Element | None:
        if scope is None:
            return None
        return next((e for e in scope if _local(e.tag) == name), None)

    total = child(root, "LegalMonetaryTotal")
    supplier = _first(child(root, "AccountingSupplierParty"), "Party")
    vat = None
    for scheme in (supplier.iter() if supplier is not None else []):
        if _local(scheme.tag) == "PartyTaxScheme" and _text(_first(_first(scheme, "TaxScheme"),
                                                                   "ID")) == "VAT":
            vat = _text(_first(scheme, "CompanyID"))
            break
    account = _first(child(root, "PaymentMeans"), "PayeeFinancialAccount")
    iban = _text(child(account, "ID"))
    return {
        "number": _text(child(root, "ID")),
        "date": _date(child(root, "IssueDate")),
        "currency": _text(child(root, "DocumentCurrencyCode")),
        "net_amount": _num(child(total, "TaxExclusiveAmount")),
        "tax_amount": _num(child(child(root, "TaxTotal"), "TaxAmount")),
        "gross_amount": _num(child(total, "TaxInclusiveAmount")),
        "due_payable_amount": _num(child(total, "PayableAmount")),
        "vendor.vat_id": vat,
        "vendor.iban": iban.replace(" ", "") if iban else None,
    }
