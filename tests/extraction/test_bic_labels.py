"""A BIC under the labels real layouts print, read from a generated PDF."""

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
