"""The deeper truth of a corpus document: line items, tax lines and both parties' names.

Read from the e-invoice XML by local element names, like benchmarks.corpus.truth and
independent of the service's own readers (cii.py, ubl.py).
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from dataclasses import dataclass

from benchmarks.corpus.truth import INVOICE_ROOTS, _first, _local, _num, _text

_LINE_TAGS = ("IncludedSupplyChainTradeLineItem", "InvoiceLine", "CreditNoteLine")


@dataclass(frozen=True)
class Line:
    description: str
    quantity: float | None
    unit_price: float | None
    total: float | None
    tax_rate: float | None


@dataclass(frozen=True)
class TaxLine:
    rate: float | None
    net: float | None
    tax: float | None


@dataclass
class Depth:
    lines: list[Line]
    tax_lines: list[TaxLine]
    vendor_name: str | None
    customer_name: str | None
    language: str


def _children(scope: ET.Element, name: str) -> list[ET.Element]:
    return [e for e in scope if _local(e.tag) == name]


def _child(scope: ET.Element | None, *path: str) -> ET.Element | None:
    node = scope
    for name in path:
        if node is None:
            return None
        node = next((e for e in node if _local(e.tag) == name), None)
    return node


def read_depth(data: bytes) -> Depth | None:
    try:
        root = ET.fromstring(re.sub(rb"^\s*<\?xml[^>]*\?>", b"", data).decode("utf-8"))
    except (ET.ParseError, UnicodeDecodeError):
        return None
    if _local(root.tag) in ("Invoice", "CreditNote"):
        return _ubl(root)
    if _local(root.tag) in INVOICE_ROOTS:
        return _cii(root)
    return None  # an Order-X order or response is no invoice


def _language(root: ET.Element) -> str:
    code = _text(_first(root, "LanguageID"))
    if code:
        return code[:2].lower()
    country = _text(_first(_first(root, "SellerTradeParty", "AccountingSupplierParty"),
                           "CountryID", "IdentificationCode"))
    return {"DE": "de", "AT": "de", "CH": "de", "FR": "fr", "BE": "fr", "NL": "nl",
            "IT": "it", "ES": "es", "GB": "en", "US": "en", "IE": "en", "SE": "sv", "DK": "da",
            "NO": "no", "FI": "fi", "GR": "el", "PL": "pl"}.get((country or "").upper(), "de")


def _cii(root: ET.Element) -> Depth:
    lines = []
    for item in root.iter():
        if _local(item.tag) != "IncludedSupplyChainTradeLineItem":
            continue
        price_scope = _first(item, "NetPriceProductTradePrice")
        lines.append(Line(
            description=_text(_first(_first(item, "SpecifiedTradeProduct"), "Name")) or "",
            quantity=_num(_first(item, "BilledQuantity")),
            unit_price=_num(_first(price_scope, "ChargeAmount")),
            total=_num(_first(item, "LineTotalAmount")),
            tax_rate=_num(_first(_first(item, "ApplicableTradeTax"),
                                 "RateApplicablePercent", "ApplicablePercent")),
        ))
    taxes = []
    settlement = _first(root, "ApplicableHeaderTradeSettlement",
                        "ApplicableSupplyChainTradeSettlement")
    for tax in (_children(settlement, "ApplicableTradeTax") if settlement is not None else []):
        taxes.append(TaxLine(_num(_first(tax, "RateApplicablePercent", "ApplicablePercent")),
                             _num(_first(tax, "BasisAmount")),
                             _num(_first(tax, "CalculatedAmount"))))
    seller = _text(_child(_first(root, "SellerTradeParty"), "Name"))
    buyer = _text(_child(_first(root, "BuyerTradeParty"), "Name"))
    return Depth(lines, taxes, seller, buyer, _language(root))


def _party_name(party: ET.Element | None) -> str | None:
    return (_text(_child(party, "PartyName", "Name"))
            or _text(_child(party, "PartyLegalEntity", "RegistrationName")))


def _ubl(root: ET.Element) -> Depth:
    lines = []
    for item in root:
        if _local(item.tag) not in _LINE_TAGS:
            continue
        lines.append(Line(
            description=_text(_child(item, "Item", "Name"))
            or _text(_child(item, "Item", "Description")) or "",
            # (not `a or b`: an element without children is false)
            quantity=_num(_first(item, "InvoicedQuantity", "CreditedQuantity")),
            unit_price=_num(_child(item, "Price", "PriceAmount")),
            total=_num(_child(item, "LineExtensionAmount")),
            tax_rate=_num(_child(item, "Item", "ClassifiedTaxCategory", "Percent")),
        ))
    taxes = []
    for total in _children(root, "TaxTotal"):
        for sub in _children(total, "TaxSubtotal"):
            taxes.append(TaxLine(_num(_child(sub, "TaxCategory", "Percent")),
                                 _num(_child(sub, "TaxableAmount")),
                                 _num(_child(sub, "TaxAmount"))))
    seller = _party_name(_child(root, "AccountingSupplierParty", "Party"))
    buyer = _party_name(_child(root, "AccountingCustomerParty", "Party"))
    return Depth(lines, taxes, seller, buyer, _language(root))


def words(text: str) -> set[str]:
    """The description words a match needs to share (three letters or more, case-folded)."""
    return {w for w in re.findall(r"[^\W\d_]{3,}", text.casefold())}

