"""The other Invoice fields an e-invoice XML carries: the due date, both parties' ids,
addresses and contacts, the vendor's BIC, the referenced documents, the payment reference,
the service period, allowances and charges, the early-payment discount and the number of
line items.

Truth is read by local element names (like benchmarks.corpus.truth, independent of the
service's readers); a field counts only where its value is printed on the page.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from typing import Any

from benchmarks.corpus.depth_truth import _child
from benchmarks.corpus.truth import _date, _first, _local, _num, _text

FIELDS = ("due_date", "vendor.tax_number", "vendor.address_struct.zip",
          "vendor.address_struct.city", "vendor.banking_information.bic", "vendor.e_mail",
          "vendor.phone", "customer.vat_id", "customer.customer_number",
          "customer.address_struct.zip", "customer.address_struct.city", "order_numbers",
          "order_confirmation_numbers", "delivery_note_numbers", "payment_reference",
          "service_period.start_date", "service_period.end_date", "discount_amount",
          "additional_cost", "early_payment_benefit.discount_percentage",
          "number_of_line_items")  # fmt: skip
# fields whose truth is a date, so the page is searched for it as a date
DATES = ("due_date", "service_period.start_date", "service_period.end_date")
# fields whose truth is no printed value of its own: counted whenever the XML has one
UNPRINTED = ("number_of_line_items",)


def _registration(party: ET.Element | None, scheme: str) -> str | None:
    for reg in (party.iter() if party is not None else []):
        if _local(reg.tag) == "ID" and reg.get("schemeID") == scheme and _text(reg):
            return _text(reg)
    return None


def _vat(party: ET.Element | None) -> str | None:
    return _registration(party, "VA")


_SKONTO = re.compile(r"PROZENT=(\d+(?:\.\d+)?)")


def _percentage(*texts: str | None) -> float | None:
    """The early-payment discount's percentage: CII 1.0's CalculationPercent, or the
    '#SKONTO#TAGE=14#PROZENT=2.00#' convention of ZUGFeRD 2 and XRechnung."""
    for text in texts:
        if not text:
            continue
        found = _SKONTO.search(text)
        try:
            value = float(found.group(1) if found else text)
        except ValueError:
            continue
        return value or None
    return None


def _count(root: ET.Element, *tags: str) -> float | None:
    n = sum(1 for e in root.iter() if _local(e.tag) in tags)
    return float(n) if n else None


def read_fields(data: bytes) -> dict[str, Any]:
    try:
        root = ET.fromstring(re.sub(rb"^\s*<\?xml[^>]*\?>", b"", data).decode("utf-8"))
    except (ET.ParseError, UnicodeDecodeError):
        return {}
    if _local(root.tag) in ("Invoice", "CreditNote"):
        return _ubl(root)
    return _cii(root)


def _cii(root: ET.Element) -> dict[str, Any]:
    buyer = _first(root, "BuyerTradeParty")
    settlement = _first(root, "ApplicableHeaderTradeSettlement",
                        "ApplicableSupplyChainTradeSettlement")
    period = _child(settlement, "BillingSpecifiedPeriod")
    summation = _child(settlement, "SpecifiedTradeSettlementHeaderMonetarySummation") or \
        _child(settlement, "SpecifiedTradeSettlementMonetarySummation")
    header_refs = [e for e in root.iter() if _local(e.tag) in (
        "ApplicableHeaderTradeAgreement", "ApplicableSupplyChainTradeAgreement",
        "ApplicableHeaderTradeDelivery", "ApplicableSupplyChainTradeDelivery")]

    def ref(*names: str) -> str | None:
        for scope in header_refs:
            for name in names:
                found = _child(scope, name)
                value = _text(_first(found, "IssuerAssignedID", "ID"))
                if value:
                    return value
        return None

    seller = _first(root, "SellerTradeParty")
    terms = _child(settlement, "SpecifiedTradePaymentTerms")
    discount = _first(terms, "ApplicableTradePaymentDiscountTerms")
    address = {side: _child(party, "PostalTradeAddress")
               for side, party in (("vendor", seller), ("customer", buyer))}
    contact = _child(seller, "DefinedTradeContact")
    return {
        "due_date": _date(_first(_child(terms, "DueDateDateTime"), "DateTimeString")),
        "vendor.tax_number": _registration(seller, "FC"),
        "vendor.address_struct.zip": _text(_child(address["vendor"], "PostcodeCode")),
        "vendor.address_struct.city": _text(_child(address["vendor"], "CityName")),
        "vendor.banking_information.bic": _text(_first(settlement, "BICID")),
        "vendor.e_mail": _text(_child(contact, "EmailURIUniversalCommunication", "URIID")),
        "vendor.phone": _text(_child(contact, "TelephoneUniversalCommunication",
                                     "CompleteNumber")),
        "customer.address_struct.zip": _text(_child(address["customer"], "PostcodeCode")),
        "customer.address_struct.city": _text(_child(address["customer"], "CityName")),
        "early_payment_benefit.discount_percentage": _percentage(
            _text(_child(discount, "CalculationPercent")),
            _text(_child(terms, "Description"))),
        "number_of_line_items": _count(root, "IncludedSupplyChainTradeLineItem"),
        "customer.vat_id": _vat(buyer),
        "customer.customer_number": _text(_child(buyer, "ID")),
        "order_numbers": ref("BuyerOrderReferencedDocument"),
        "order_confirmation_numbers": ref("SellerOrderReferencedDocument"),
        "delivery_note_numbers": ref("DeliveryNoteReferencedDocument",
                                     "DespatchAdviceReferencedDocument"),
        "payment_reference": _text(_child(settlement, "PaymentReference")),
        "service_period.start_date": _date(_first(_child(period, "StartDateTime"),
                                                  "DateTimeString")),
        "service_period.end_date": _date(_first(_child(period, "EndDateTime"),
                                                "DateTimeString")),
        "discount_amount": _nonzero(_num(_child(summation, "AllowanceTotalAmount"))),
        "additional_cost": _nonzero(_num(_child(summation, "ChargeTotalAmount"))),
    }


def _ubl(root: ET.Element) -> dict[str, Any]:
    buyer = _child(root, "AccountingCustomerParty", "Party")
    vat = _text(_child(buyer, "PartyTaxScheme", "CompanyID"))
    total = _child(root, "LegalMonetaryTotal")
    seller = _child(root, "AccountingSupplierParty", "Party")
    address = {side: _child(party, "PostalAddress")
               for side, party in (("vendor", seller), ("customer", buyer))}
    contact = _child(seller, "Contact")
    means = _child(root, "PaymentMeans")
    return {
        "due_date": _date(_child(root, "DueDate") or _child(means, "PaymentDueDate")),
        "vendor.tax_number": next((_text(_child(s, "CompanyID")) for s in (seller or [])
                                   if _local(s.tag) == "PartyTaxScheme"
                                   and _text(_child(s, "TaxScheme", "ID")) != "VAT"), None),
        "vendor.address_struct.zip": _text(_child(address["vendor"], "PostalZone")),
        "vendor.address_struct.city": _text(_child(address["vendor"], "CityName")),
        "vendor.banking_information.bic": _text(_child(
            means, "PayeeFinancialAccount", "FinancialInstitutionBranch", "ID")),
        "vendor.e_mail": _text(_child(contact, "ElectronicMail")),
        "vendor.phone": _text(_child(contact, "Telephone")),
        "customer.address_struct.zip": _text(_child(address["customer"], "PostalZone")),
        "customer.address_struct.city": _text(_child(address["customer"], "CityName")),
        "early_payment_benefit.discount_percentage": _percentage(
            _text(_child(root, "PaymentTerms", "Note"))),
        "number_of_line_items": _count(root, "InvoiceLine", "CreditNoteLine"),
        "customer.vat_id": vat,
        "customer.customer_number": _text(_child(buyer, "PartyIdentification", "ID")),
        "order_numbers": _text(_child(root, "OrderReference", "ID")),
        "order_confirmation_numbers": _text(_child(root, "OrderReference", "SalesOrderID")),
        "delivery_note_numbers": _text(_child(root, "DespatchDocumentReference", "ID")),
        "payment_reference": _text(_child(root, "PaymentMeans", "PaymentID")),
        "service_period.start_date": _date(_child(root, "InvoicePeriod", "StartDate")),
        "service_period.end_date": _date(_child(root, "InvoicePeriod", "EndDate")),
        "discount_amount": _nonzero(_num(_child(total, "AllowanceTotalAmount"))),
        "additional_cost": _nonzero(_num(_child(total, "ChargeTotalAmount"))),
    }


def _nonzero(value: float | None) -> float | None:
    return value or None


def got_value(result: dict[str, Any], name: str) -> Any:
    """The extraction's value at a dotted path; through a list (a list field, or a path
    into a list's entries) the values of every entry, as a list."""
    nodes: list[Any] = [result]
    listed = False
    for part in name.split("."):
        nodes = [n.get(part) for n in nodes if isinstance(n, dict)]
        if any(isinstance(n, list) for n in nodes):
            listed = True
            nodes = [e for n in nodes for e in (n if isinstance(n, list) else [n])]
    values = [n.get("value") for n in nodes if isinstance(n, dict)]
    if listed:
        return values
    return values[0] if values else None


def _compact(text: str) -> str:
    return re.sub(r"[\s.\-/]", "", text).casefold()


def same(got: Any, want: Any) -> bool:
    if isinstance(want, float):
        values = got if isinstance(got, list) else [got]
        return any(isinstance(v, int | float) and abs(abs(v) - abs(want)) < 0.005
                   for v in values)
    values = got if isinstance(got, list) else [got]
    return any(isinstance(v, str) and _compact(v) == _compact(str(want)) for v in values)
