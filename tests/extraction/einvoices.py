"""Small e-invoices made on the spot: CII (ZUGFeRD 1 and 2) and UBL XML, PDFs that carry them."""
# ruff: noqa: E501  (XML templates read best one element per line)

from __future__ import annotations

import io
from typing import Any
from xml.sax.saxutils import escape

import pikepdf

RSM2 = "urn:un:unece:uncefact:data:standard:CrossIndustryInvoice:100"
RAM2 = "urn:un:unece:uncefact:data:standard:ReusableAggregateBusinessInformationEntity:100"
UDT2 = "urn:un:unece:uncefact:data:standard:UnqualifiedDataType:100"
RSM1 = "urn:ferd:CrossIndustryDocument:invoice:1p0"
RAM1 = "urn:un:unece:uncefact:data:standard:ReusableAggregateBusinessInformationEntity:12"
UDT1 = "urn:un:unece:uncefact:data:standard:UnqualifiedDataType:15"


def _money(value: float) -> str:
    return f"{value:.2f}"


def cii_xml(truth: dict[str, Any], version: int = 2, payment_code: str = "58") -> bytes:
    """A CII invoice (ZUGFeRD 2 / Factur-X, or ZUGFeRD 1.0) with the truth's main fields."""
    v = truth["vendor"]
    iban = (v.get("banking_information") or [{}])[0].get("iban")
    names = {
        2: ("CrossIndustryInvoice", "ExchangedDocument", "SupplyChainTradeTransaction",
            "ApplicableHeaderTradeAgreement", "ApplicableHeaderTradeSettlement",
            "SpecifiedTradeSettlementHeaderMonetarySummation", RSM2, RAM2, UDT2),
        1: ("CrossIndustryDocument", "HeaderExchangedDocument",
            "SpecifiedSupplyChainTradeTransaction", "ApplicableSupplyChainTradeAgreement",
            "ApplicableSupplyChainTradeSettlement", "SpecifiedTradeSettlementMonetarySummation",
            RSM1, RAM1, UDT1),
    }[version]
    root, header, trade, agreement, settlement, summation, rsm, ram, udt = names
    date = truth["date"].replace("-", "")
    bank = (f"<ram:PayeePartyCreditorFinancialAccount><ram:IBANID>{iban}</ram:IBANID>"
            "</ram:PayeePartyCreditorFinancialAccount>") if iban else ""
    return f"""<?xml version="1.0" encoding="UTF-8"?>
<rsm:{root} xmlns:rsm="{rsm}" xmlns:ram="{ram}" xmlns:udt="{udt}">
  <rsm:{header}>
    <ram:ID>{truth["number"]}</ram:ID>
    <ram:TypeCode>380</ram:TypeCode>
    <ram:IssueDateTime><udt:DateTimeString format="102">{date}</udt:DateTimeString></ram:IssueDateTime>
  </rsm:{header}>
  <rsm:{trade}>
    <ram:{agreement}>
      <ram:SellerTradeParty>
        <ram:Name>{escape(v["name"])}</ram:Name>
        <ram:SpecifiedTaxRegistration><ram:ID schemeID="VA">{v["vat_id"]}</ram:ID></ram:SpecifiedTaxRegistration>
      </ram:SellerTradeParty>
      <ram:BuyerTradeParty><ram:Name>{escape(truth["customer"]["name"])}</ram:Name></ram:BuyerTradeParty>
      <ram:SellerOrderReferencedDocument><ram:IssuerAssignedID>AB-77</ram:IssuerAssignedID></ram:SellerOrderReferencedDocument>
    </ram:{agreement}>
    <ram:{settlement}>
      <ram:InvoiceCurrencyCode>{truth["currency"]}</ram:InvoiceCurrencyCode>
      <ram:SpecifiedTradeSettlementPaymentMeans>
        <ram:TypeCode>{payment_code}</ram:TypeCode>{bank}
      </ram:SpecifiedTradeSettlementPaymentMeans>
      <ram:BillingSpecifiedPeriod>
        <ram:StartDateTime><udt:DateTimeString format="102">20240101</udt:DateTimeString></ram:StartDateTime>
        <ram:EndDateTime><udt:DateTimeString format="102">20240131</udt:DateTimeString></ram:EndDateTime>
      </ram:BillingSpecifiedPeriod>
      <ram:{summation}>
        <ram:TaxBasisTotalAmount>{_money(truth["net_amount"])}</ram:TaxBasisTotalAmount>
        <ram:TaxTotalAmount currencyID="{truth["currency"]}">{_money(truth["tax_amount"])}</ram:TaxTotalAmount>
        <ram:GrandTotalAmount>{_money(truth["gross_amount"])}</ram:GrandTotalAmount>
        <ram:DuePayableAmount>{_money(truth["due_payable_amount"])}</ram:DuePayableAmount>
      </ram:{summation}>
    </ram:{settlement}>
  </rsm:{trade}>
</rsm:{root}>
""".encode()


UBL_CREDIT_NOTE = b"""<?xml version="1.0" encoding="UTF-8"?>
<CreditNote xmlns="urn:oasis:names:specification:ubl:schema:xsd:CreditNote-2"
  xmlns:cac="urn:oasis:names:specification:ubl:schema:xsd:CommonAggregateComponents-2"
  xmlns:cbc="urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2">
  <cbc:ID>GS-2024-0815</cbc:ID>
  <cbc:IssueDate>2024-03-14</cbc:IssueDate>
  <cbc:CreditNoteTypeCode>381</cbc:CreditNoteTypeCode>
  <cbc:DocumentCurrencyCode>EUR</cbc:DocumentCurrencyCode>
  <cac:OrderReference><cbc:ID>PO-4711</cbc:ID></cac:OrderReference>
  <cac:AccountingSupplierParty><cac:Party>
    <cac:PartyName><cbc:Name>Muster Buerobedarf GmbH</cbc:Name></cac:PartyName>
    <cac:PostalAddress><cbc:StreetName>Hauptstrasse 12</cbc:StreetName>
      <cbc:CityName>Berlin</cbc:CityName><cbc:PostalZone>10115</cbc:PostalZone>
      <cac:Country><cbc:IdentificationCode>DE</cbc:IdentificationCode></cac:Country>
    </cac:PostalAddress>
    <cac:PartyTaxScheme><cbc:CompanyID>DE123456789</cbc:CompanyID>
      <cac:TaxScheme><cbc:ID>VAT</cbc:ID></cac:TaxScheme></cac:PartyTaxScheme>
  </cac:Party></cac:AccountingSupplierParty>
  <cac:AccountingCustomerParty><cac:Party>
    <cac:PartyIdentification><cbc:ID>K-100234</cbc:ID></cac:PartyIdentification>
    <cac:PartyName><cbc:Name>Beispielkunde AG</cbc:Name></cac:PartyName>
  </cac:Party></cac:AccountingCustomerParty>
  <cac:PaymentMeans><cbc:PaymentMeansCode>30</cbc:PaymentMeansCode>
    <cac:PayeeFinancialAccount><cbc:ID>DE89370400440532013000</cbc:ID></cac:PayeeFinancialAccount>
  </cac:PaymentMeans>
  <cac:TaxTotal><cbc:TaxAmount currencyID="EUR">-22.80</cbc:TaxAmount>
    <cac:TaxSubtotal><cbc:TaxableAmount currencyID="EUR">-120.00</cbc:TaxableAmount>
      <cbc:TaxAmount currencyID="EUR">-22.80</cbc:TaxAmount>
      <cac:TaxCategory><cbc:ID>S</cbc:ID><cbc:Percent>19</cbc:Percent>
        <cac:TaxScheme><cbc:ID>VAT</cbc:ID></cac:TaxScheme></cac:TaxCategory>
    </cac:TaxSubtotal></cac:TaxTotal>
  <cac:LegalMonetaryTotal>
    <cbc:LineExtensionAmount currencyID="EUR">-120.00</cbc:LineExtensionAmount>
    <cbc:TaxExclusiveAmount currencyID="EUR">-120.00</cbc:TaxExclusiveAmount>
    <cbc:TaxInclusiveAmount currencyID="EUR">-142.80</cbc:TaxInclusiveAmount>
    <cbc:PayableAmount currencyID="EUR">-142.80</cbc:PayableAmount>
  </cac:LegalMonetaryTotal>
  <cac:CreditNoteLine><cbc:ID>1</cbc:ID>
    <cbc:CreditedQuantity unitCode="C62">-10</cbc:CreditedQuantity>
    <cbc:LineExtensionAmount currencyID="EUR">-120.00</cbc:LineExtensionAmount>
    <cac:Item><cbc:Name>Druckerpapier weiss</cbc:Name>
      <cac:SellersItemIdentification><cbc:ID>ART-5521</cbc:ID></cac:SellersItemIdentification>
      <cac:ClassifiedTaxCategory><cbc:ID>S</cbc:ID><cbc:Percent>19</cbc:Percent>
        <cac:TaxScheme><cbc:ID>VAT</cbc:ID></cac:TaxScheme></cac:ClassifiedTaxCategory>
    </cac:Item>
    <cac:Price><cbc:PriceAmount currencyID="EUR">12.00</cbc:PriceAmount></cac:Price>
  </cac:CreditNoteLine>
</CreditNote>
"""


def attach(pdf: bytes, name: str, data: bytes) -> bytes:
    """pdf with data attached as name, the way ZUGFeRD / Factur-X producers embed it."""
    doc = pikepdf.open(io.BytesIO(pdf))
    spec = pikepdf.AttachedFileSpec(doc, data, mime_type="text/xml", filename=name)
    doc.attachments[name] = spec
    out = io.BytesIO()
    doc.save(out)
    return out.getvalue()


def _pdf_string(text: str) -> bytes:
    raw = text.encode("cp1252")
    return b"(" + raw.replace(b"\\", b"\\\\").replace(b"(", b"\\(").replace(b")", b"\\)") + b")"


def text_pdf(lines: list[tuple[float, float, str]]) -> bytes:
    """A one-page A4 PDF in Helvetica with each (x, y from the top, text) printed at 10 pt."""
    doc = pikepdf.new()
    font = doc.make_indirect(pikepdf.Dictionary(
        Type=pikepdf.Name.Font, Subtype=pikepdf.Name.Type1, BaseFont=pikepdf.Name.Helvetica,
        Encoding=pikepdf.Name.WinAnsiEncoding))
    ops = [b"BT /F1 10 Tf"]
    for x, y, text in lines:
        ops.append(b"1 0 0 1 %.1f %.1f Tm " % (x, 842 - y) + _pdf_string(text) + b" Tj")
    ops.append(b"ET")
    doc.pages.append(pikepdf.Page(pikepdf.Dictionary(
        Type=pikepdf.Name.Page, MediaBox=[0, 0, 595, 842],
        Resources=pikepdf.Dictionary(Font=pikepdf.Dictionary(F1=font)),
        Contents=doc.make_stream(b"\n".join(ops)))))
    out = io.BytesIO()
    doc.save(out)
    return out.getvalue()
