"""tax_calculation from a printed VAT breakdown, read from generated PDFs."""

from __future__ import annotations

from typing import Any

from benchmarks.invoices.convert import pdf_to_pages
from benchmarks.invoices.pdfcanvas import Canvas
from service.pipeline.invoice.extract import extract_invoice
from service.pipeline.words import Word


def _lines(c: Canvas) -> list[tuple[Any, ...]]:
    result = extract_invoice(pdf_to_pages(c.to_pdf()), "de")
    return [tuple((e[k] or {}).get("value") for k in ("tax_rate", "net_amount", "tax_amount"))
            for e in result["tax_calculation"]]


def _heading(c: Canvas) -> None:
    c.text(60, 60, "Acme Bürobedarf GmbH", size=14, bold=True)
    c.text(60, 100, "Rechnung Nr. 2024-117", size=12, bold=True)


def test_breakdown_table_with_rates_in_their_own_column() -> None:
    c = Canvas()
    _heading(c)
    for x, text in ((60, "Art (Kategorie)"), (250, "Basisbetrag"), (380, "Steuersatz [%]"),
                    (530, "Steuerbetrag")):
        c.text(x, 300, text, size=9, bold=True, align="left" if x == 60 else "right")
    for n, (base, rate, tax) in enumerate((("113,03", "7", "7,91"), ("64,46", "19", "12,25"))):
        c.text(60, 320 + 16 * n, "Umsatzsteuer (S)", size=9)
        c.text(250, 320 + 16 * n, base, size=9, align="right")
        c.text(380, 320 + 16 * n, rate, size=9, align="right")
        c.text(530, 320 + 16 * n, tax, size=9, align="right")
    assert _lines(c) == [(19.0, 64.46, 12.25), (7.0, 113.03, 7.91)]


def test_breakdown_row_whose_numbers_disagree_is_left_out() -> None:
    c = Canvas()
    _heading(c)
    for x, text in ((250, "Nettobetrag"), (380, "USt. %"), (530, "USt.-Betrag")):
        c.text(x, 300, text, size=9, bold=True, align="right")
    c.text(250, 320, "100,00", size=9, align="right")
    c.text(380, 320, "19", size=9, align="right")
    c.text(530, 320, "21,00", size=9, align="right")
    assert _lines(c) == []


def test_french_tva_rows() -> None:
    c = Canvas()
    _heading(c)
    c.text(60, 300, "TVA collectée (vente) 20,0%", size=9)
    c.text(300, 300, "81,90 €", size=9, align="right")
    c.text(420, 300, "16,38 €", size=9, align="right")
    assert _lines(c) == [(20.0, 81.9, 16.38)]


def test_totals_from_the_breakdown_when_no_label_prints_the_net() -> None:
    c = Canvas()
    _heading(c)
    for x, text in ((250, "Basisbetrag"), (380, "Steuersatz [%]"), (530, "Steuerbetrag")):
        c.text(x, 300, text, size=9, bold=True, align="right")
    c.text(60, 320, "Umsatzsteuer (S)", size=9)
    c.text(250, 320, "22,00", size=9, align="right")
    c.text(380, 320, "7", size=9, align="right")
    c.text(530, 320, "1,54", size=9, align="right")
    c.text(60, 380, "Zahlbetrag", size=9)
    c.text(530, 380, "23,54", size=9, align="right")
    result = extract_invoice(pdf_to_pages(c.to_pdf()), "de")
    assert [(result[k] or {}).get("value") for k in ("net_amount", "tax_amount",
                                                     "gross_amount")] == [22.0, 1.54, 23.54]


def test_small_business_invoice_without_a_tax_row_has_one_zero_rate_line() -> None:
    c = Canvas()
    _heading(c)
    c.text(60, 300, "Gesamtbetrag Netto", size=9)
    c.text(530, 300, "14,90 €", size=9, align="right")
    c.text(60, 316, "Gesamtbetrag Brutto", size=9)
    c.text(530, 316, "14,90 €", size=9, align="right")
    c.text(60, 350, "Umsatzsteuerbefreit nach §19 UStG", size=9)
    assert _lines(c) == [(0.0, 14.9, 0.0)]


def test_gross_total_amount_label_closes_a_zero_rate_invoice() -> None:
    c = Canvas()
    _heading(c)
    c.text(60, 300, "Net Total Amount", size=9)
    c.text(530, 300, "€990.00", size=9, align="right")
    c.text(60, 316, "Gross Total Amount", size=9)
    c.text(530, 316, "€990.00", size=9, align="right")
    assert _lines(c) == [(0.0, 990.0, 0.0)]


def test_breakdown_with_goods_value_and_allowance_columns_before_the_base() -> None:
    c = Canvas()
    _heading(c)
    for x, text in ((60, "Art (Kategorie)"), (200, "Warenwert"), (280, "Zu-/Abschlag"),
                    (380, "Steuerbasisbetrag"), (450, "USt. %"), (530, "USt.-Betrag")):
        c.text(x, 300, text, size=9, bold=True, align="left" if x == 60 else "right")
    for n, (goods, off, base, rate, tax) in enumerate((("326,50", "-5,10", "321,40", "19", "61,07"),
                                                       ("130,70", "-3,11", "127,59", "7", "8,93"))):
        c.text(60, 316 + 14 * n, "VAT (S)", size=9)
        for x, value in ((200, goods), (280, off), (380, base), (450, rate), (530, tax)):
            c.text(x, 316 + 14 * n, value, size=9, align="right")
    assert _lines(c) == [(19.0, 321.4, 61.07), (7.0, 127.59, 8.93)]


def test_tax_rows_named_by_their_base_and_beside_a_sideways_margin_note() -> None:
    c = Canvas()
    _heading(c)
    c.text(60, 300, "Steuerbasisbetrag USt. 7%", size=9)
    c.text(450, 300, "275,00", size=9, align="right")
    c.text(530, 300, "19,25", size=9, align="right")
    c.text(60, 316, "Versicherungsteuer 19 %", size=9)
    c.text(530, 316, "9,50", size=9, align="right")
    pages = pdf_to_pages(c.to_pdf())
    # a word printed sideways in the margin, one tall box as some producers' text layers
    # give it, level with the first tax row
    row = next(w for w in pages[0].words if w.text == "Steuerbasisbetrag")
    pages[0].words.append(Word("Beispielrechnung", 90, row.y1 - 100, 104, row.y2 + 100, 0.0,
                               row.line))
    result = extract_invoice(pages, "de")
    assert [tuple((e[k] or {}).get("value") for k in ("tax_rate", "net_amount", "tax_amount"))
            for e in result["tax_calculation"]] == [(19.0, 50.0, 9.5), (7.0, 275.0, 19.25)]


def test_exempt_invoice_printing_only_its_total_has_one_zero_rate_line() -> None:
    c = Canvas()
    _heading(c)
    c.text(60, 300, "Rechnungsbetrag", size=9)
    c.text(530, 300, "9,90 €", size=9, align="right")
    c.text(60, 330, "Gemäß § 19 UStG wird keine Umsatzsteuer berechnet.", size=9)
    assert _lines(c) == [(0.0, 9.9, 0.0)]


def test_credit_note_breakdown_whose_base_lost_its_minus_sign() -> None:
    c = Canvas()
    _heading(c)
    for x, text in ((250, "Steuerbasisbetrag"), (380, "USt.%"), (530, "USt.-Betrag")):
        c.text(x, 300, text, size=9, bold=True, align="right")
    c.text(250, 316, "4,85", size=9, align="right")
    c.text(380, 316, "19", size=9, align="right")
    c.text(530, 316, "-0,92", size=9, align="right")
    assert _lines(c) == [(19.0, -4.85, -0.92)]


def test_breakdown_rate_read_with_a_speck_after_it() -> None:
    c = Canvas()
    _heading(c)
    for x, text in ((250, "Steuerbasisbetrag"), (380, "USt. %"), (530, "USt.-Betrag")):
        c.text(x, 300, text, size=9, bold=True, align="right")
    c.text(250, 316, "2,82", size=9, align="right")
    c.text(380, 316, "7,", size=9, align="right")
    c.text(530, 316, "-0,20", size=9, align="right")
    assert _lines(c) == [(7.0, -2.82, -0.2)]
