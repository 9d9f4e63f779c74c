"""A BIC under the labels real layouts print, and a labelled IBAN, read from generated PDFs."""

from __future__ import annotations

from benchmarks.invoices.convert import pdf_to_pages
from benchmarks.invoices.pdfcanvas import Canvas
from service.pipeline.invoice.extract import extract_invoice


def test_bic_labelled_with_the_party_in_front() -> None:
    c = Canvas()
    c.text(60, 60, "Rechnung Nr. 4711 vom 05.06.2018", size=12, bold=True)
    c.text(60, 700, "IBAN :", size=9)
    c.text(250, 700, "DE02120300000000202051", size=9)
    c.text(60, 716, "Verkäufer-BIC:", size=9)
    c.text(250, 716, "BYLADEM1001", size=9)
    result = extract_invoice(pdf_to_pages(c.to_pdf()), "de")
    [account] = result["vendor"]["banking_information"]
    assert account["iban"]["value"] == "DE02120300000000202051"
    assert account["bic"]["value"] == "BYLADEM1001"


def test_a_labelled_iban_ends_at_its_countrys_length() -> None:
    c = Canvas()
    c.text(60, 60, "Invoice No. 4711", size=12, bold=True)
    c.text(60, 700, "IBAN: GB99NWBK60161312345678 VAT Reg. No. GB123456789", size=8)
    result = extract_invoice(pdf_to_pages(c.to_pdf()), "en")
    [account] = result["vendor"]["banking_information"]
    # this one fails its checksum: kept as printed, and flagged
    assert account["iban"]["value"] == "GB99NWBK60161312345678"
    assert account["iban"]["validation_problem"] is True
