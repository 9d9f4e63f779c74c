"""Labels of the factur-x-kit designs, read from generated PDFs: 'Invoice-ID:' and the
French 'Montant total brut'."""

from __future__ import annotations

from benchmarks.invoices.convert import pdf_to_pages
from benchmarks.invoices.pdfcanvas import Canvas
from service.pipeline.invoice.extract import extract_invoice


def test_invoice_id_label_and_french_gross_total() -> None:
    c = Canvas()
    c.text(60, 60, "Invoice-ID: RE20248731", size=10)
    c.text(60, 200, "Montant total net", size=9)
    c.text(500, 200, "135,00 €", size=9, align="right")
    c.text(60, 214, "Taxe sur la valeur ajoutée (19,00 %)", size=9)
    c.text(500, 214, "25,65 €", size=9, align="right")
    c.text(60, 228, "Montant total brut", size=9)
    c.text(500, 228, "160,65 €", size=9, align="right")
    result = extract_invoice(pdf_to_pages(c.to_pdf()), "en")
    assert result["number"]["value"] == "RE20248731"
    assert result["gross_amount"]["value"] == 160.65
