"""The evaluation's truth readers on small e-invoice XMLs written here, and the held-out
check's language guess (benchmarks/corpus: depth_fields, heldout_json)."""

from __future__ import annotations

from benchmarks.corpus.depth_fields import got_value, read_fields, same
from benchmarks.corpus.heldout_json import language_of

CII = b"""<?xml version="1.0" encoding="UTF-8"?>
<rsm:CrossIndustryInvoice xmlns:rsm="urn:un:unece:uncefact:data:standard:CrossIndustryInvoice:100"
 xmlns:ram="urn:un:unece:uncefact:data:standard:ReusableAggregateBusinessInformationEntity:100"
 xmlns:udt="urn:un:unece:uncefact:data:standard:UnqualifiedDataType:100">
<rsm:ExchangedDocument><ram:ID>471102</ram:ID></rsm:ExchangedDocument>
<rsm:SupplyChainTradeTransaction>
 <ram:IncludedSupplyChainTradeLineItem/><ram:IncludedSupplyChainTradeLineItem/>
 <ram:ApplicableHeaderTradeAgreement>
  <ram:SellerTradeParty><ram:Name>Lieferant GmbH</ram:Name>
   <ram:DefinedTradeContact><ram:TelephoneUniversalCommunication>
    <ram:CompleteNumber>+49 89 123</ram:CompleteNumber></ram:TelephoneUniversalCommunication>
   </ram:DefinedTradeContact>
   <ram:PostalTradeAddress><ram:PostcodeCode>80333</ram:PostcodeCode>
    <ram:CityName>M\xc3\xbcnchen</ram:CityName></ram:PostalTradeAddress>
   <ram:SpecifiedTaxRegistration><ram:ID schemeID="FC">201/113/40209</ram:ID>
   </ram:SpecifiedTaxRegistration></ram:SellerTradeParty>
  <ram:BuyerTradeParty><ram:Name>Kunden AG</ram:Name>
   <ram:PostalTradeAddress><ram:PostcodeCode>69876</ram:PostcodeCode>
    <ram:CityName>Frankfurt</ram:CityName></ram:PostalTradeAddress></ram:BuyerTradeParty>
 </ram:ApplicableHeaderTradeAgreement>
 <ram:ApplicableHeaderTradeSettlement>
  <ram:SpecifiedTradeSettlementPaymentMeans><ram:PayeeSpecifiedCreditorFinancialInstitution>
   <ram:BICID>BYLADEM1001</ram:BICID></ram:PayeeSpecifiedCreditorFinancialInstitution>
  </ram:SpecifiedTradeSettlementPaymentMeans>
  <ram:SpecifiedTradePaymentTerms>
   <ram:Description>#SKONTO#TAGE=14#PROZENT=2.00#</ram:Description>
   <ram:DueDateDateTime><udt:DateTimeString format="102">20180704</udt:DateTimeString>
   </ram:DueDateDateTime></ram:SpecifiedTradePaymentTerms>
 </ram:ApplicableHeaderTradeSettlement>
</rsm:SupplyChainTradeTransaction></rsm:CrossIndustryInvoice>"""


def test_cii_fields_beyond_the_header() -> None:
    fields = read_fields(CII)
    assert fields["due_date"] == "2018-07-04"
    assert fields["vendor.tax_number"] == "201/113/40209"
    assert (fields["vendor.address_struct.zip"], fields["vendor.address_struct.city"]) == (
        "80333", "München")
    assert fields["customer.address_struct.city"] == "Frankfurt"
    assert fields["vendor.banking_information.bic"] == "BYLADEM1001"
    assert fields["vendor.phone"] == "+49 89 123"
    assert fields["early_payment_benefit.discount_percentage"] == 2.0
    assert fields["number_of_line_items"] == 2.0


def test_values_are_read_through_lists_of_the_extraction() -> None:
    result = {"vendor": {"banking_information": [
        {"iban": {"value": "DE02120300000000202051"}, "bic": {"value": "BYLADEM1001"}}]},
        "early_payment_benefit": [{"discount_percentage": {"value": 2}}]}
    assert got_value(result, "vendor.banking_information.bic") == ["BYLADEM1001"]
    assert same(got_value(result, "early_payment_benefit.discount_percentage"), 2.0)
    assert not same(got_value(result, "early_payment_benefit.discount_percentage"), 3.0)


def test_held_out_language_by_common_words() -> None:
    assert language_of("Factuur datum 12-03-2024 totaal bedrag incl. btw voor uw bestelling") \
        == "nl"
    assert language_of("Facture du 12 mars, montant total TTC pour votre commande") == "fr"
    assert language_of("Invoice date, total amount due for your order") == "en"
