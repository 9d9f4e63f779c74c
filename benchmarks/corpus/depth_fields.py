"""The other Invoice fields an e-invoice XML carries: the customer's ids, the referenced
documents, the payment reference, the service period, allowances and charges.

Truth is read by local element names (like benchmarks.corpus.truth, independent of the
service's readers); a field counts only where its value is printed on the page.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from typing import Any

from benchmarks.corpus.truth import _date, _first, _local, _num, _text

FIELDS = ("customer.vat_id", "customer.customer_number", "order_numbers",
          "order_confirmation_numbers", "delivery_note_numbers", "payment_reference",
          "service_period.start_date", "service_period.end_date", "discount_amount",
          "additional_cost")  # fmt: skip


def _child(scope: ET.Element | None, *path: str) -> ET.Element | None:
    node = scope
    for name in path:
        if node is None:
            return None
        node = next((e for e in node if _local(e.tag) == name), None)
    return node


def _vat(party: ET.Element | None) -> str | None:
    for reg in (party.iter() if party is not None else []):
        if _local(reg.tag) == "ID" and reg.get("schemeID") == "VA" and _text(reg):
            return _text(reg)
    return None


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

    return {
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
    return {
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
    node: Any = result
    for part in name.split("."):
        node = node.get(part) if isinstance(node, dict) else None
    if isinstance(node, list):
        return [e.get("value") for e in node if isinstance(e, dict)]
    return node.get("value") if isinstance(node, dict) else None


def _compact(text: str) -> str:
    return re.sub(r"[\s.\-/]", "", text).casefold()


def same(got: Any, want: Any) -> bool:
    if isinstance(want, float):
        return isinstance(got, int | float) and abs(abs(got) - abs(want)) < 0.005
    values = got if isinstance(got, list) else [got]
    return any(isinstance(v, str) and _compact(v) == _compact(str(want)) for v in values)
