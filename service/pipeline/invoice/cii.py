"""Invoice fields from UN/CEFACT Cross Industry Invoice XML.

Covers ZUGFeRD 1.0 (CrossIndustryDocument: Header... / SupplyChain... element
names) and the D16B/D22B CrossIndustryInvoice of ZUGFeRD 2.x, Factur-X and
XRechnung. The result has the shape of the API's Invoice schema with plain
values; absent fields are left out (einvoice fills the gaps).
"""

from __future__ import annotations

import datetime as dt
import re
import xml.etree.ElementTree as ET
from typing import Any

from service.pipeline.invoice.paymentmeans import payment_method
from service.pipeline.invoice.xmlsafe import amount, child, text, xml_date

Element = ET.Element


def read_cii(root: Element) -> dict[str, Any]:
    header = child(root, "ExchangedDocument", "HeaderExchangedDocument")
    trade = child(root, "SupplyChainTradeTransaction", "SpecifiedSupplyChainTradeTransaction")
    agreement = child(
        trade, "ApplicableHeaderTradeAgreement", "ApplicableSupplyChainTradeAgreement"
    )
    delivery = child(trade, "ApplicableHeaderTradeDelivery", "ApplicableSupplyChainTradeDelivery")
    settlement = child(
        trade, "ApplicableHeaderTradeSettlement", "ApplicableSupplyChainTradeSettlement"
    )
    currency = text(settlement, "InvoiceCurrencyCode") or _currency_of_amounts(settlement)
    out: dict[str, Any] = {
        "number": text(header, "ID"),
        "date": xml_date(header, "IssueDateTime/DateTimeString"),
        "currency": currency,
        "payment_reference": text(settlement, "PaymentReference"),
        "order_numbers": _ids(agreement, "BuyerOrderReferencedDocument"),
        "order_confirmation_numbers": _ids(agreement, "SellerOrderReferencedDocument"),
        "delivery_note_numbers": _ids(delivery, "DespatchAdviceReferencedDocument")
        + _ids(agreement, "DespatchAdviceReferencedDocument"),
        "vendor": _party(child(agreement, "SellerTradeParty")),
        "customer": _party(child(agreement, "BuyerTradeParty")),
    }
    out["customer"]["customer_number"] = text(agreement, "BuyerTradeParty/ID")
    period = child(settlement, "BillingSpecifiedPeriod")
    if period is not None:
        out["service_period"] = {
            "start_date": xml_date(period, "StartDateTime/DateTimeString"),
            "end_date": xml_date(period, "EndDateTime/DateTimeString"),
        }
    out.update(_totals(settlement, currency))
    terms = settlement.findall("SpecifiedTradePaymentTerms") if settlement is not None else []
    out["due_date"] = next(
        (d for d in (xml_date(t, "DueDateDateTime/DateTimeString") for t in terms) if d), None
    )
    out["early_payment_benefit"] = _discounts(terms, out.get("date"), out.get("gross_amount"))
    methods, vendor_banks, customer_banks = _payment(settlement)
    out["payment_methods"] = methods
    out["vendor"]["banking_information"] = vendor_banks
    out["customer"]["banking_information"] = customer_banks
    out["tax_calculation"] = [
        _tax(tax)
        for tax in (settlement.findall("ApplicableTradeTax") if settlement is not None else [])
    ]
    items = trade.findall("IncludedSupplyChainTradeLineItem") if trade is not None else []
    out["line_item"] = [_line(item) for item in items]
    out["number_of_line_items"] = len(items) if items else None
    return out


def _currency_of_amounts(settlement: Element | None) -> str | None:
    for element in _summation(settlement) or []:
        if element.get("currencyID"):
            return element.get("currencyID")
    return None


def _ids(element: Element | None, name: str) -> list[str]:
    if element is None:
        return []
    return [v for doc in element.findall(name) if (v := text(doc, "IssuerAssignedID"))]


def _party(party: Element | None) -> dict[str, Any]:
    if party is None:
        return {}
    address = child(party, "PostalTradeAddress")
    lines = [text(address, n) for n in ("LineOne", "LineTwo", "LineThree")]
    zip_code, city = text(address, "PostcodeCode"), text(address, "CityName")
    street = ", ".join(x for x in lines if x)
    place = " ".join(x for x in (zip_code, city) if x)
    out: dict[str, Any] = {
        "name": text(party, "Name"),
        "address": ", ".join(x for x in (street, place) if x) or None,
        "address_struct": {
            "address_line_1": lines[0],
            "address_line_2": lines[1],
            "city": city,
            "zip": zip_code,
            "country": text(address, "CountryID"),
        }
        if address is not None
        else None,
        "register_id": text(party, "SpecifiedLegalOrganization/ID"),
    }
    for registration in party.findall("SpecifiedTaxRegistration"):
        number = registration.find("ID")
        if number is None or not number.text:
            continue
        scheme = number.get("schemeID", "")
        key = "vat_id" if scheme == "VA" else "tax_number" if scheme == "FC" else None
        if key and key not in out:
            out[key] = number.text.strip()
    contact = child(party, "DefinedTradeContact")
    out["phone"] = text(contact, "TelephoneUniversalCommunication/CompleteNumber")
    out["fax"] = text(contact, "FaxUniversalCommunication/CompleteNumber")
    out["e_mail"] = text(contact, "EmailURIUniversalCommunication/URIID")
    electronic = party.find("URIUniversalCommunication/URIID")
    if out["e_mail"] is None and electronic is not None and electronic.get("schemeID") == "EM":
        out["e_mail"] = text(electronic)
    return out


def _summation(settlement: Element | None) -> Element | None:
    return child(
        settlement,
        "SpecifiedTradeSettlementHeaderMonetarySummation",
        "SpecifiedTradeSettlementMonetarySummation",
    )


def _totals(settlement: Element | None, currency: str | None) -> dict[str, Any]:
    total = _summation(settlement)
    if total is None:
        return {}
    # the tax total may appear twice: in the invoice currency and the VAT accounting currency
    taxes = total.findall("TaxTotalAmount")
    tax = next((t for t in taxes if t.get("currencyID") in (None, currency)), None)
    return {
        "net_amount": amount(total, "TaxBasisTotalAmount"),
        "tax_amount": amount(tax) if tax is not None else None,
        "gross_amount": amount(total, "GrandTotalAmount"),
        "due_payable_amount": amount(total, "DuePayableAmount"),
        "additional_cost": _nonzero(amount(total, "ChargeTotalAmount")),
        "discount_amount": _nonzero(amount(total, "AllowanceTotalAmount")),
    }


def _nonzero(value: float | None) -> float | None:
    return value if value else None


def _payment(settlement: Element | None) -> tuple[list[str], list[Any], list[Any]]:
    if settlement is None:
        return [], [], []
    methods: list[str] = []
    vendor_banks: list[dict[str, Any]] = []
    customer_banks: list[dict[str, Any]] = []
    for means in settlement.findall("SpecifiedTradeSettlementPaymentMeans"):
        method = payment_method(text(means, "TypeCode"))
        if method and method not in methods:
            methods.append(method)
        bic = text(means, "PayeeSpecifiedCreditorFinancialInstitution/BICID")
        for account in means.findall("PayeePartyCreditorFinancialAccount"):
            iban = text(account, "IBANID") or text(account, "ProprietaryID")
            if iban:
                vendor_banks.append({"iban": iban.replace(" ", ""), "bic": bic})
        debtor = text(means, "PayerPartyDebtorFinancialAccount/IBANID")
        if debtor:
            customer_banks.append(
                {
                    "iban": debtor.replace(" ", ""),
                    "bic": text(means, "PayerSpecifiedDebtorFinancialInstitution/BICID"),
                }
            )
    return methods, vendor_banks, customer_banks


def _tax(tax: Element) -> dict[str, Any]:
    net, due = amount(tax, "BasisAmount"), amount(tax, "CalculatedAmount")
    rate = amount(tax, "RateApplicablePercent")
    if rate is None:
        rate = amount(tax, "ApplicablePercent")
    return {
        "tax_code": text(tax, "CategoryCode"),
        "tax_rate": rate,
        "tax_amount": due,
        "net_amount": net,
        "gross_amount": round(net + due, 2) if net is not None and due is not None else None,
    }


_SKONTO = re.compile(r"#SKONTO#TAGE=(\d+)#PROZENT=(\d+(?:\.\d+)?)#(?:BASISBETRAG=(-?[\d.]+)#)?")


def _discounts(terms: list[Element], date: str | None, gross: float | None) -> list[Any]:
    """Early payment discounts: structured terms, or XRechnung's #SKONTO# notation."""
    found: list[tuple[int | None, float | None, float | None, float | None]] = []
    for term in terms:
        for discount in term.findall("ApplicableTradePaymentDiscountTerms"):
            days = amount(discount, "BasisPeriodMeasure")
            found.append(
                (
                    int(days) if days is not None else None,
                    amount(discount, "CalculationPercent"),
                    amount(discount, "ActualDiscountAmount"),
                    amount(discount, "BasisAmount"),
                )
            )
        for m in _SKONTO.finditer(text(term, "Description") or ""):
            base = float(m.group(3)) if m.group(3) else None
            found.append((int(m.group(1)), float(m.group(2)), None, base))
    out = []
    for days, percent, value, base in found:
        base = base if base is not None else gross
        if value is None and percent is not None and base is not None:
            value = round(base * percent / 100, 2)
        when = None
        if date and days is not None:
            when = (dt.date.fromisoformat(date) + dt.timedelta(days=days)).isoformat()
        out.append(
            {
                "early_payment_date": when,
                "discount_percentage": percent,
                "discount_amount": value,
                "new_amount": round(base - value, 2) if base is not None and value else None,
            }
        )
    return out


def _line(item: Element) -> dict[str, Any]:
    doc = child(item, "AssociatedDocumentLineDocument")
    product = child(item, "SpecifiedTradeProduct")
    agreement = child(item, "SpecifiedLineTradeAgreement", "SpecifiedSupplyChainTradeAgreement")
    delivery = child(item, "SpecifiedLineTradeDelivery", "SpecifiedSupplyChainTradeDelivery")
    settlement = child(item, "SpecifiedLineTradeSettlement", "SpecifiedSupplyChainTradeSettlement")
    quantity = child(delivery, "BilledQuantity")
    tax = child(settlement, "ApplicableTradeTax")
    rate = amount(tax, "RateApplicablePercent")
    if rate is None:
        rate = amount(tax, "ApplicablePercent")
    gtin = product.find("GlobalID") if product is not None else None
    period = child(settlement, "BillingSpecifiedPeriod")
    return {
        "pos_id": text(doc, "LineID"),
        "article_id": text(product, "SellerAssignedID"),
        "ean": text(gtin) if gtin is not None and gtin.get("schemeID") == "0160" else None,
        "description": text(product, "Name"),
        "quantity": amount(quantity),
        "unit_of_measure": quantity.get("unitCode") if quantity is not None else None,
        "unit_price": amount(agreement, "NetPriceProductTradePrice/ChargeAmount"),
        "total_price": amount(
            child(
                settlement,
                "SpecifiedTradeSettlementLineMonetarySummation",
                "SpecifiedTradeSettlementMonetarySummation",
            ),
            "LineTotalAmount",
        ),
        "tax_rate": rate,
        "tax_code": text(tax, "CategoryCode"),
        "order_number": text(agreement, "BuyerOrderReferencedDocument/LineID"),
        "service_period": {
            "start_date": xml_date(period, "StartDateTime/DateTimeString"),
            "end_date": xml_date(period, "EndDateTime/DateTimeString"),
        }
        if period is not None
        else None,
    }
