"""The vendor is the issuer and the customer the addressee, read from generated PDFs."""

from __future__ import annotations

from typing import Any

from benchmarks.invoices.convert import pdf_to_pages
from benchmarks.invoices.pdfcanvas import Canvas
from service.pipeline.invoice.blocks import find_inline_addresses
from service.pipeline.invoice.extract import extract_invoice
from service.pipeline.invoice.layout import build_layout


def _names(c: Canvas, language: str = "de") -> tuple[Any, Any]:
    result = extract_invoice(pdf_to_pages(c.to_pdf()), language)
    return ((result["vendor"]["name"] or {}).get("value"),
            (result["customer"]["name"] or {}).get("value"))


def test_names_under_seller_and_buyer_sections_with_name_labels() -> None:
    c = Canvas()
    c.text(60, 60, "Handelsrechnung Nr. 471102 vom 05.06.2018", size=12, bold=True)
    rows = [("Verkäufer", ""), ("Nummer:", "549910"), ("Name:", "Lieferant GmbH"),
            ("Anschrift:", "Lieferantenstraße 20"), ("", "80333 München"), ("", ""),
            ("Käufer/Leistungsempfänger", ""), ("Nummer:", "GE2020211"),
            ("Name:", "Kunden AG Mitte"), ("Anschrift:", "Kundenstraße 15"),
            ("", "69876 Frankfurt")]
    for n, (label, value) in enumerate(rows):
        c.text(60, 120 + 16 * n, label, size=9, bold=not value)
        c.text(250, 120 + 16 * n, value, size=9)
    assert _names(c) == ("Lieferant GmbH", "Kunden AG Mitte")


def test_seller_named_below_its_number_without_a_name_label() -> None:
    c = Canvas()
    c.text(60, 60, "Rechnung Nr. 9314110911", size=12, bold=True)
    for n, line in enumerate(["Verkäufer:", "Nummer : 549910", "MUSTER-Autovermietung",
                              "Musterstr. 99", "DE 99199 MUSTERHAUSEN", "",
                              "Käufer:", "Nummer : 9314110911", "Herrn", "Max Mustermann",
                              "Kundenweg 88", "DE 40235 DUESSELDORF"]):
        c.text(60, 120 + 16 * n, line, size=9)
    assert _names(c) == ("MUSTER-Autovermietung", "Max Mustermann")


def test_customer_printed_larger_than_the_vendor_is_still_the_customer() -> None:
    c = Canvas()
    c.text(60, 50, "Cloudly Hosting Ltd · 5 Harbour Road · Leeds LS1 4AP", size=7)
    c.text(60, 110, "MEGACORP INDUSTRIES PLC", size=16, bold=True)
    c.text(60, 130, "1 Canary Square", size=10)
    c.text(60, 144, "London E14 5AB", size=10)
    c.text(360, 110, "Invoice no. CL-2024-0193", size=9)
    c.text(360, 124, "Invoice date: 3 March 2024", size=9)
    c.text(60, 200, "Monthly hosting plan, March 2024", size=9)
    c.text(500, 200, "£120.00", size=9, align="right")
    c.text(60, 780, "Cloudly Hosting Ltd · Registered in England 0123456 · "
                    "VAT GB123456789 · IBAN GB33BUKB20201555555555", size=7)
    vendor, customer = _names(c, "en")
    assert vendor == "Cloudly Hosting Ltd"
    assert customer == "MEGACORP INDUSTRIES PLC"


def test_delivery_address_is_not_the_customer() -> None:
    c = Canvas()
    c.text(60, 50, "Au bon moulin SARL", size=9)
    c.text(200, 50, "1242 chemin de l'olive", size=9)
    c.text(330, 50, "84340 Malaucène", size=9)
    c.text(60, 120, "Adresse de livraison", size=9, bold=True)
    c.text(60, 134, "Entrepôt Nord", size=9)
    c.text(60, 148, "12 rue du Port", size=9)
    c.text(60, 162, "59000 Lille", size=9)
    c.text(330, 134, "Ma jolie boutique", size=11)
    c.text(330, 150, "35 rue de la République", size=11)
    c.text(330, 166, "69001 Lyon", size=11)
    c.text(60, 230, "Facture FA-2017-0009", size=14, bold=True)
    vendor, customer = _names(c, "en")
    assert vendor == "Au bon moulin SARL"
    assert customer == "Ma jolie boutique"


def test_six_line_address_blocks_and_a_sender_line_with_suite_and_building() -> None:
    c = Canvas()
    c.text(60, 60, "Seller Company · 123 Seller St · Suite 100 · Building A · 12345 Seller City",
           size=7)
    for n, line in enumerate(["Buyer Company", "Einkauf ATTN Erika Mustermann", "456 Buyer St",
                              "Suite 200", "Building B", "67890 Buyer City"]):
        c.text(60, 80 + 14 * n, line, size=10)
    c.text(360, 80, "Invoice Number: DOC-12345", size=9)
    c.text(360, 94, "Invoice Date: October 1, 2023", size=9)
    c.text(60, 220, "Invoice", size=14, bold=True)
    for n, line in enumerate(["Seller Company", "Seller Trading Name", "123 Seller St",
                              "Suite 100", "Building A", "12345 Seller City"]):
        c.text(40, 730 + 9 * n, line, size=7)
    assert _names(c, "en") == ("Seller Company", "Buyer Company")


def test_insurer_printed_above_herrn_is_the_vendor_not_the_customer() -> None:
    c = Canvas()
    c.text(60, 70, "MVM Musterhafter", size=10)
    c.text(60, 84, "Versicherungsverein Musterstadt a.G.", size=10)
    for n, line in enumerate(["Herrn", "Max Mustermann", "Musterstr. 11",
                              "12346 Bad Musterhausen"]):
        c.text(60, 108 + 14 * n, line, size=10)
    for n, line in enumerate(["Versicherungsbüro", "Muster", "Musterstr. 12",
                              "12345 Musterstadt"]):
        c.text(60, 190 + 14 * n, line, size=13 if n == 0 else 10, bold=n == 0)
    c.text(60, 280, "Beitragsrechnung Nr. 00.123.456.7", size=10)
    assert _names(c) == ("MVM Musterhafter", "Max Mustermann")


def test_sender_line_of_separate_phrases_and_a_widely_spaced_address_window() -> None:
    c = Canvas()
    c.text(420, 60, "Bei Spiel GmbH", size=10)
    c.text(420, 74, "Ecke 12", size=10)
    for x, part in ((60, "Bei Spiel GmbH"), (125, "•"), (140, "Ecke 12"), (180, "•"),
                    (195, "12345 Stadthausen")):
        c.text(x, 90, part, size=7)
    c.text(420, 90, "12345 Stadthausen", size=10)
    c.text(60, 112, "Theodor Est", size=14)
    c.text(420, 116, "fon (555) 23 78 -0", size=8)
    c.text(60, 140, "Bahnstr. 42", size=14)
    c.text(420, 150, "info@localhost.local", size=8)
    c.text(60, 205, "88802 Spielkreis", size=14)
    c.text(60, 260, "Rechnung # RE-20140703/502 vom 03.07.2014", size=10)
    assert _names(c) == ("Bei Spiel GmbH", "Theodor Est")


def test_a_label_without_colon_in_the_letterhead_is_no_vendor_name() -> None:
    c = Canvas()
    c.text(60, 30, "Die Vordefinierte Firma", size=9)
    c.text(60, 42, "Waldstrasse 86-90", size=9)
    c.text(60, 54, "13403 Berlin", size=9)
    c.text(60, 110, "Firma", size=9)
    c.text(60, 122, "Elektromarkt Bamby", size=9)
    c.text(60, 134, "Adlerstrasse 452", size=9)
    c.text(60, 146, "D-07545 GERA", size=9)
    c.text(300, 122, "Belegnummer", size=11)
    c.text(420, 122, "90005178", size=11)
    c.text(300, 136, "Belegdatum", size=11)
    c.text(420, 136, "07.01.1997", size=11)
    assert _names(c) == ("Die Vordefinierte Firma", "Elektromarkt Bamby")


def test_sender_line_whose_bullets_ocr_read_as_letters() -> None:
    c = Canvas()
    c.text(420, 60, "Bei Spiel GmbH", size=10)
    c.text(420, 74, "Ecke 12", size=10)
    for x, part in ((60, "Bei Spiel GmbH"), (125, "e"), (140, "Ecke 12"), (180, "e"),
                    (195, "12345 Stadthausen")):
        c.text(x, 90, part, size=7)
    c.text(420, 90, "12345 Stadthausen", size=10)
    c.text(60, 112, "Theodor Est", size=14)
    c.text(60, 140, "Bahnstr. 42", size=14)
    c.text(110, 150, "j", size=3)
    c.text(60, 168, "88802 Spielkreis", size=14)
    assert _names(c) == ("Bei Spiel GmbH", "Theodor Est")
    senders = find_inline_addresses(build_layout(pdf_to_pages(c.to_pdf())))
    assert [" ".join(t.text for t in a.name or []) for a in senders] == ["Bei Spiel GmbH"]


def test_party_headings_with_the_name_on_their_own_line() -> None:
    c = Canvas()
    c.text(60, 60, "BUYER: AMBERIEU EN BUGEY CEDEO", size=9)
    c.text(80, 74, "AVENUE LEON BLUM", size=9)
    c.text(80, 88, "01500 AMBERIEU EN BUGEY", size=9)
    c.text(360, 60, "Purpose Code:", size=9)
    c.text(480, 60, "9-Original", size=9)
    c.text(360, 160, "SELLER: DMBP NANTES DISPANO ROUX", size=9)
    c.text(380, 174, "12 RUE DE LA FONTAINE SALEE", size=9)
    c.text(380, 188, "44100 NANTES", size=9)
    assert _names(c, "en") == ("DMBP NANTES DISPANO ROUX", "AMBERIEU EN BUGEY CEDEO")


def test_boxed_issuer_heading_read_with_a_bracket() -> None:
    c = Canvas()
    c.text(60, 50, "[Rechnungsersteller", size=12)
    for n, line in enumerate(["Lieferant Meier", "Lieferantenstraße 20", "80333 München"]):
        c.text(60, 70 + 14 * n, line, size=9)
    c.text(400, 50, "Fe RD sa", size=16)
    c.text(60, 160, "Rechnungsempfänger", size=12)
    for n, line in enumerate(["Kunden AG Mitte", "Kundenstraße 15", "69876 Frankfurt"]):
        c.text(60, 180 + 14 * n, line, size=9)
    assert _names(c) == ("Lieferant Meier", "Kunden AG Mitte")


def test_xrechnung_visualisation_sections_with_company_name_labels() -> None:
    c = Canvas()
    c.text(60, 60, "Übersicht", size=12, bold=True)
    rows = [("Informationen zum Käufer", ""), ("Firmenname:", "Kunden AG Mitte"),
            ("Kennung:", "GE2020211"), ("", ""),
            ("Informationen zum Verkäufer", ""), ("Firmenname:", "Lieferant GmbH"),
            ("Stadt:", "München")]
    for n, (label, value) in enumerate(rows):
        c.text(60, 120 + 16 * n, label, size=9, bold=not value)
        c.text(250, 120 + 16 * n, value, size=9)
    assert _names(c) == ("Lieferant GmbH", "Kunden AG Mitte")
    c = Canvas()
    c.text(60, 60, "Overview", size=12, bold=True)
    for n, (label, value) in enumerate([("Information about the seller", ""),
                                        ("Company name:", "Seller Ltd"), ("", ""),
                                        ("Information about the buyer", ""),
                                        ("Company name:", "Buyer plc")]):
        c.text(60, 120 + 16 * n, label, size=9, bold=not value)
        c.text(250, 120 + 16 * n, value, size=9)
    assert _names(c, "en") == ("Seller Ltd", "Buyer plc")
