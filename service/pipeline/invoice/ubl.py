"""Invoice fields from OASIS UBL 2.x Invoice and CreditNote XML (EN 16931, PEPPOL, XRechnung).

The result has the same plain-value shape as cii.read_cii.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from typing import Any

from service.pipeline.invoice.paymentmeans import payment_method
from service.pipeline.invoice.xmlsafe import amount, child, text, xml_date

Element = ET.Element


def read_ubl(root: Element) -> dict[str, Any]:
    currency = text(root, "DocumentCurrencyCode")
    means = root.findall("PaymentMeans")
    out: dict[str, Any] = {
        "number": text(root, "ID"),
        "date": xml_date(root, "IssueDate"),
        "due_date": xml_date(root, "DueDate")
        or next((d for d in (xml_date(m, "PaymentDueDate") for m in means) if d), None),
        "currency": currency,
        "payment_reference": next((v for v in (text(m, "PaymentID") for m in means) if v), None),
        "order_numbers": [v for r in root.findall("OrderReference") if (v := text(r, "ID"))],
        "order_confirmation_numbers": [
            v for r in root.findall("OrderReference") if (v := text(r, "SalesOrderID"))
        ],
        "delivery_note_numbers": [
            v for r in root.findall("DespatchDocumentReference") if (v := text(r, "ID"))
        ],
        "vendor": _party(root.find("AccountingSupplierParty/Party")),
        "customer": _party(root.find("AccountingCustomerParty/Party")),
    }
    out["customer"]["customer_number"] = text(
        root, "AccountingCustomerParty/Party/PartyIdentification/ID"
    )
    period = child(root, "InvoicePeriod")
    if period is not None:
        out["service_period"] = {
            "start_date": xml_date(period, "StartDate"),
            "end_date": xml_date(period, "EndDate"),
        }
    total = child(root, "LegalMonetaryTotal")
    taxes = [
        t for t in root.findall("TaxTotal/TaxAmount") if t.get("currencyID") in (None, currency)
    ]
    out.update(
        {
            "net_amount": amount(total, "TaxExclusiveAmount"),
            "tax_amount": amount(taxes[0]) if taxes else None,
            "gross_amount": amount(total, "TaxInclusiveAmount"),
            "due_payable_amount": amount(total, "PayableAmount"),
            "additional_cost": amount(total, "ChargeTotalAmount") or None,
            "discount_amount": amount(total, "AllowanceTotalAmount") or None,
        }
    )
    methods: list[str] = []
    banks: list[dict[str, Any]] = []
    debtor: list[dict[str, Any]] = []
    for m in means:
        method = payment_method(text(m, "PaymentMeansCode"))
        if method and method not in methods:
            methods.append(method)
        account = child(m, "PayeeFinancialAccount")
        iban = text(account, "ID")
        if iban:
            bic = text(account, "FinancialInstitutionBranch/ID")
            banks.append({"iban": iban.replace(" ", ""), "bic": bic})
        payer = text(m, "PaymentMandate/PayerFinancialAccount/ID")
        if payer:
            debtor.append({"iban": payer.replace(" ", ""), "bic": None})
    out["payment_methods"] = methods
    out["vendor"]["banking_information"] = banks
    out["customer"]["banking_information"] = debtor
    out["tax_calculation"] = [_tax(sub) for sub in root.findall("TaxTotal/TaxSubtotal")]
    lines = root.findall("InvoiceLine") + root.findall("CreditNoteLine")
    out["line_item"] = [_line(line) for line in lines]
    out["number_of_line_items"] = len(lines) if lines else None
    out["early_payment_benefit"] = []
    return out


def _party(party: Element | None) -> dict[str, Any]:
    if party is None:
        return {}
    address = child(party, "PostalAddress")
    lines = [text(address, "StreetName"), text(address, "AdditionalStreetName")]
    zip_code, city = text(address, "PostalZone"), text(address, "CityName")
    street = ", ".join(x for x in lines if x)
    place = " ".join(x for x in (zip_code, city) if x)
    out: dict[str, Any] = {
        "name": text(party, "PartyName/Name") or text(party, "PartyLegalEntity/RegistrationName"),
        "address": ", ".join(x for x in (street, place) if x) or None,
        "address_struct": {
            "address_line_1": lines[0],
            "address_line_2": lines[1],
            "city": city,
            "zip": zip_code,
            "country": text(address, "Country/IdentificationCode"),
        }
        if address is not None
        else None,
        "register_id": text(party, "PartyLegalEntity/CompanyID"),
        "phone": text(party, "Contact/Telephone"),
        "e_mail": text(party, "Contact/ElectronicMail"),
    }
    for scheme in party.findall("PartyTaxScheme"):
        kind = text(scheme, "TaxScheme/ID")
        key = "vat_id" if kind == "VAT" else "tax_number" if kind == "FC" else None
        value = text(scheme, "CompanyID")
        if key and value and key not in out:
            out[key] = value
    endpoint = party.find("EndpointID")
    if out["e_mail"] is None and endpoint is not None and endpoint.get("schemeID") == "EM":
        out["e_mail"] = text(endpoint)
    return out


def _tax(sub: Element) -> dict[str, Any]:
    net, due = amount(sub, "TaxableAmount"), amount(sub, "TaxAmount")
    return {
        "tax_code": text(sub, "TaxCategory/ID"),
        "tax_rate": amount(sub, "TaxCategory/Percent"),
        "tax_amount": due,
        "net_amount": net,
        "gross_amount": round(net + due, 2) if net is not None and due is not None else None,
    }


def _line(line: Element) -> dict[str, Any]:
    quantity = child(line, "InvoicedQuantity", "CreditedQuantity")
    item = child(line, "Item")
    standard = item.find("StandardItemIdentification/ID") if item is not None else None
    period = child(line, "InvoicePeriod")
    return {
        "pos_id": text(line, "ID"),
        "article_id": text(item, "SellersItemIdentification/ID"),
        "ean": text(standard)
        if standard is not None and standard.get("schemeID") == "0160"
        else None,
        "description": text(item, "Name") or text(item, "Description"),
        "quantity": amount(quantity),
        "unit_of_measure": quantity.get("unitCode") if quantity is not None else None,
        "unit_price": amount(line, "Price/PriceAmount"),
        "total_price": amount(line, "LineExtensionAmount"),
        "tax_rate": amount(item, "ClassifiedTaxCategory/Percent"),
        "tax_code": text(item, "ClassifiedTaxCategory/ID"),
        "order_number": text(line, "OrderLineReference/LineID"),
        "service_period": {
            "start_date": xml_date(period, "StartDate"),
            "end_date": xml_date(period, "EndDate"),
        }
        if period is not None
        else None,
    }
