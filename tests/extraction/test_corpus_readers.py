"""The benchmark's own truth readers: a UBL invoice's depth, a rendered PDF's attached XML,
Azure's sample labels (all on tiny documents written here; no Java, no corpus)."""

from __future__ import annotations

from pathlib import Path

import orjson
import pikepdf

from benchmarks.corpus.azure_labels import read_labels
from benchmarks.corpus.depth_truth import read_depth
from benchmarks.corpus.render_xml import attach, find_examples, kind_of

UBL = b"""<?xml version="1.0" encoding="UTF-8"?>
<Invoice xmlns="urn:oasis:names:specification:ubl:schema:xsd:Invoice-2"
 xmlns:cac="urn:oasis:names:specification:ubl:schema:xsd:CommonAggregateComponents-2"
 xmlns:cbc="urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2">
 <cbc:ID>R-1</cbc:ID>
 <cac:AccountingSupplierParty><cac:Party>
  <cac:PostalAddress><cac:Country><cbc:IdentificationCode>SE</cbc:IdentificationCode>
  </cac:Country></cac:PostalAddress>
  <cac:PartyLegalEntity><cbc:RegistrationName>Seller AB</cbc:RegistrationName>
  </cac:PartyLegalEntity></cac:Party></cac:AccountingSupplierParty>
 <cac:AccountingCustomerParty><cac:Party><cac:PartyName><cbc:Name>Buyer Oy</cbc:Name>
  </cac:PartyName></cac:Party></cac:AccountingCustomerParty>
 <cac:TaxTotal><cbc:TaxAmount currencyID="EUR">25.00</cbc:TaxAmount>
  <cac:TaxSubtotal><cbc:TaxableAmount currencyID="EUR">100.00</cbc:TaxableAmount>
   <cbc:TaxAmount currencyID="EUR">25.00</cbc:TaxAmount>
   <cac:TaxCategory><cbc:Percent>25</cbc:Percent></cac:TaxCategory></cac:TaxSubtotal>
 </cac:TaxTotal>
 <cac:InvoiceLine><cbc:ID>1</cbc:ID>
  <cbc:InvoicedQuantity unitCode="C62">4</cbc:InvoicedQuantity>
  <cbc:LineExtensionAmount currencyID="EUR">100.00</cbc:LineExtensionAmount>
  <cac:Item><cbc:Name>Paper clips</cbc:Name></cac:Item>
  <cac:Price><cbc:PriceAmount currencyID="EUR">25.00</cbc:PriceAmount></cac:Price>
 </cac:InvoiceLine>
</Invoice>
"""


def test_ubl_depth_reads_quantity_names_and_tax_lines() -> None:
    depth = read_depth(UBL)
    assert depth is not None
    [line] = depth.lines
    assert (line.description, line.quantity, line.unit_price, line.total) == (
        "Paper clips", 4.0, 25.0, 100.0)
    assert (depth.vendor_name, depth.customer_name, depth.language) == (
        "Seller AB", "Buyer Oy", "sv")  # the seller's country
    assert [(t.rate, t.net, t.tax) for t in depth.tax_lines] == [(25.0, 100.0, 25.0)]


def test_rendered_pdf_carries_its_source_xml(tmp_path: Path) -> None:
    from benchmarks.corpus.evaluate import xml_of

    source = tmp_path / "src" / "a b.xml"
    source.parent.mkdir()
    source.write_bytes(UBL)
    (tmp_path / "src" / "other.xml").write_bytes(b"<testSet/>")
    assert kind_of(source) == "ubl-invoice"
    examples, other = find_examples([tmp_path / "src"])
    assert [(e.kind, e.stem) for e in examples] == [("ubl-invoice", "a_b")] and other == 1
    bare = tmp_path / "bare.pdf"
    with pikepdf.new() as pdf:
        pdf.add_blank_page()
        pdf.save(bare)
    out = tmp_path / "out" / "a.pdf"
    attach(bare, source, "ubl-invoice", out)
    assert xml_of(out) == UBL


def test_azure_labels_name_invoice_fields_only() -> None:
    labels = {"document": "Invoice_1.pdf", "labels": [
        {"label": "Invoice #", "value": [{"page": 1, "text": "34278587"}]},
        {"label": "Date", "value": [{"page": 1, "text": "6/18/2017"}]},
        {"label": "Total", "value": [{"page": 1, "text": "$56,651.49"}]},
        {"label": "Sold To", "value": [{"page": 1, "text": "Fabrikam"},
                                       {"page": 1, "text": "Residences"}]},
        {"label": "Live Delivery?", "value": [{"page": 1, "text": "selected"}]},
    ]}
    assert read_labels(orjson.dumps(labels)) == {
        "number": "34278587", "date": "2017-06-18", "gross_amount": 56651.49,
        "customer.name": "Fabrikam Residences"}
