"""Header fields of Spanish and Italian invoices, read from generated PDFs."""

from __future__ import annotations

from typing import Any

from benchmarks.invoices.convert import pdf_to_pages
from benchmarks.invoices.pdfcanvas import Canvas
from service.pipeline.invoice.extract import extract_invoice


def _invoice(title: str, lines: list[tuple[str, str]]) -> dict[str, Any]:
    c = Canvas()
    c.text(60, 60, title, size=14, bold=True)
    for n, (label, value) in enumerate(lines):
        c.text(60, 120 + 16 * n, label, size=9)
        c.text(500, 120 + 16 * n, value, size=9, align="right")
    return extract_invoice(pdf_to_pages(c.to_pdf()), "en")


def _values(result: dict[str, Any], *names: str) -> tuple[Any, ...]:
    return tuple((result[n] or {}).get("value") for n in names)


def test_spanish_invoice() -> None:
    result = _invoice("Distribuciones Sol S.L.", [
        ("Número de factura:", "F-2024-0311"), ("Fecha de factura:", "15 de marzo de 2024"),
        ("Fecha de vencimiento:", "14 de abril de 2024"), ("Base imponible", "1.000,00 €"),
        ("IVA 21 %", "210,00 €"), ("Total factura", "1.210,00 €")])
    assert _values(result, "number", "date", "due_date", "net_amount", "tax_amount",
                   "gross_amount") == (
        "F-2024-0311", "2024-03-15", "2024-04-14", 1000.0, 210.0, 1210.0)


def test_italian_invoice() -> None:
    result = _invoice("Rossi Forniture S.r.l.", [
        ("Fattura n.", "2024/118"), ("Data fattura:", "3 giugno 2024"),
        ("Scadenza:", "3 luglio 2024"), ("Totale imponibile", "500,00"),
        ("IVA 22%", "110,00"), ("Totale documento", "610,00")])
    assert _values(result, "number", "date", "due_date", "net_amount", "tax_amount",
                   "gross_amount") == (
        "2024/118", "2024-06-03", "2024-07-03", 500.0, 110.0, 610.0)
