"""Line items read from item tables of generated PDFs, through folio's text layer.

Each table is drawn the way real senders print one: wrapped descriptions, headings in
several languages and orders, the total a line below the price, subtotal rows after the
items, a table that runs on over a page break without its heading.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from benchmarks.invoices.convert import pdf_to_pages
from benchmarks.invoices.pdfcanvas import Canvas
from service.pipeline.invoice.extract import extract_invoice

Cell = tuple[float, str, str]  # x, text, align


def _table(c: Canvas, y: float, heading: Sequence[Cell], rows: Sequence[Sequence[Cell]],
           pitch: float = 14, page: int = -1) -> float:
    for x, text, align in heading:
        c.text(x, y, text, size=9, bold=True, align=align, page=page)
    y += pitch * 1.5
    for row in rows:
        for x, text, align in row:
            c.text(x, y, text, size=9, align=align, page=page)
        y += pitch
    return y


def _letterhead(c: Canvas, title: str = "Rechnung Nr. 2024-117") -> None:
    c.text(60, 60, "Acme Bürobedarf GmbH", size=14, bold=True)
    c.text(60, 78, "Europa-Allee 19 · 60486 Frankfurt · USt-IdNr.: DE123456789", size=8)
    c.text(60, 150, "Kunden AG Mitte", size=10)
    c.text(60, 163, "Kundenstraße 15", size=10)
    c.text(60, 176, "69876 Frankfurt", size=10)
    c.text(60, 230, title, size=12, bold=True)
    c.text(60, 246, "Datum: 05.06.2024", size=9)


def _extract(c: Canvas, language: str = "de") -> dict[str, Any]:
    return extract_invoice(pdf_to_pages(c.to_pdf()), language)


def _values(item: dict[str, Any], *names: str) -> tuple[Any, ...]:
    return tuple((item[n] or {}).get("value") for n in names)


GERMAN_HEADING = [(60, "Pos.", "left"), (95, "Bezeichnung", "left"), (330, "Menge", "right"),
                  (420, "Einzelpreis", "right"), (530, "Gesamt", "right")]


def _german_row(pos: str, desc: str, qty: str, price: str, total: str) -> list[Cell]:
    return [(60, pos, "left"), (95, desc, "left"), (330, qty, "right"),
            (420, price, "right"), (530, total, "right")]


def test_wrapped_description_stays_with_its_item() -> None:
    c = Canvas()
    _letterhead(c)
    y = _table(c, 290, GERMAN_HEADING, [
        _german_row("1", "Webhosting Paket L", "12", "9,90", "118,80"),
        [(95, "inkl. 50 GB Speicher und", "left")],
        [(95, "täglicher Sicherung", "left")],
        _german_row("2", "Domain example.de", "1", "12,00", "12,00"),
    ])
    c.text(330, y + 20, "Nettobetrag", size=9)
    c.text(530, y + 20, "130,80", size=9, align="right")
    result = _extract(c)
    items = result["line_item"]
    assert len(items) == 2
    assert _values(items[0], "pos_id", "quantity", "unit_price", "total_price") == (
        "1", 12.0, 9.9, 118.8)
    assert items[0]["description"]["value"] == (
        "Webhosting Paket L inkl. 50 GB Speicher und täglicher Sicherung")
    assert items[1]["description"]["value"] == "Domain example.de"
    assert result["number_of_line_items"]["value"] == 2
    assert not result["number_of_line_items"]["validation_problem"]


def test_subtotal_tax_and_total_rows_are_not_items() -> None:
    c = Canvas()
    _letterhead(c)
    _table(c, 290, GERMAN_HEADING, [
        _german_row("1", "Toner schwarz", "2", "45,00", "90,00"),
        _german_row("2", "Papier A4", "10", "4,50", "45,00"),
        [(95, "Zwischensumme", "left"), (530, "135,00", "right")],
        [(95, "MwSt. 19 %", "left"), (530, "25,65", "right")],
        [(95, "Gesamtbetrag", "left"), (530, "160,65", "right")],
    ])
    result = _extract(c)
    assert [i["description"]["value"] for i in result["line_item"]] == [
        "Toner schwarz", "Papier A4"]
    assert result["gross_amount"]["value"] == 160.65


def test_french_columns_in_their_own_order() -> None:
    c = Canvas()
    _letterhead(c, "Facture N° FA-2024-0009")
    heading = [(60, "Désignation", "left"), (300, "Qté", "right"), (350, "TVA", "right"),
               (450, "Prix unitaire HT", "right"), (530, "Montant HT", "right")]
    _table(c, 290, heading, [
        [(60, "Huile d'olive 1 L", "left"), (300, "10", "right"), (350, "5,5 %", "right"),
         (450, "1 234,50", "right"), (530, "12 345,00", "right")],
        [(60, "Nougat 250 g", "left"), (300, "3", "right"), (350, "20 %", "right"),
         (450, "4,55", "right"), (530, "13,65", "right")],
    ])
    items = _extract(c, "en")["line_item"]
    assert [_values(i, "description", "quantity", "unit_price", "total_price", "tax_rate")
            for i in items] == [
        ("Huile d'olive 1 L", 10.0, 1234.5, 12345.0, 5.5),
        ("Nougat 250 g", 3.0, 4.55, 13.65, 20.0),
    ]


def test_price_on_the_first_line_and_total_on_the_next() -> None:
    c = Canvas()
    _letterhead(c)
    heading = [(60, "Pos", "left"), (95, "Art-Nr", "left"), (170, "Beschreibung", "left"),
               (370, "Nettopreis", "right"), (430, "Menge", "right"),
               (530, "Nettobetrag", "right")]
    _table(c, 290, heading, [
        [(95, "KR3M", "left"), (170, "Kunstrasen grün", "left"), (370, "3,3333", "right"),
         (430, "3 m²", "right")],
        [(60, "1", "left"), (95, "4012345001235", "left"), (530, "10,00", "right")],
        [(95, "SFK5", "left"), (170, "Schweinesteak", "left"), (370, "5,5000", "right"),
         (430, "1 kg", "right")],
        [(60, "2", "left"), (95, "4000050986428", "left"), (530, "5,50", "right")],
    ], pitch=16)
    items = _extract(c)["line_item"]
    assert [_values(i, "pos_id", "article_id", "ean", "description", "quantity",
                    "unit_of_measure", "unit_price", "total_price") for i in items] == [
        ("1", "KR3M", "4012345001235", "Kunstrasen grün", 3.0, "m²", 3.3333, 10.0),
        ("2", "SFK5", "4000050986428", "Schweinesteak", 1.0, "kg", 5.5, 5.5),
    ]


def test_table_continues_after_a_page_break_without_its_heading() -> None:
    c = Canvas()
    _letterhead(c)
    first = [_german_row(str(n), f"Beratung Tag {n}", "8", "95,00", "760,00")
             for n in range(1, 30)]
    _table(c, 290, GERMAN_HEADING, first)
    c.text(300, 815, "Seite 1 von 2", size=8)
    c.new_page()
    c.text(60, 60, "Acme Bürobedarf GmbH", size=9)
    _table(c, 100, [], [_german_row(str(n), f"Beratung Tag {n}", "8", "95,00", "760,00")
                        for n in (30, 31)])
    c.text(95, 160, "Nettobetrag", size=9)
    c.text(530, 160, "23.560,00", size=9, align="right")
    result = _extract(c)
    assert [i["pos_id"]["value"] for i in result["line_item"]] == [
        str(n) for n in range(1, 32)]
    assert result["line_item"][-1]["total_price"]["bbox_refs"][0]["page_num"] == 2
    assert not result["number_of_line_items"]["validation_problem"]


def test_line_totals_that_miss_the_net_amount_are_flagged() -> None:
    c = Canvas()
    _letterhead(c)
    y = _table(c, 290, GERMAN_HEADING, [
        _german_row("1", "Toner schwarz", "2", "45,00", "90,00"),
        _german_row("2", "Papier A4", "10", "4,50", "45,00"),
    ])
    c.text(330, y + 20, "Nettobetrag", size=9)
    c.text(530, y + 20, "145,00", size=9, align="right")
    c.text(330, y + 34, "MwSt. 19 %", size=9)
    c.text(530, y + 34, "27,55", size=9, align="right")
    c.text(330, y + 48, "Gesamtbetrag", size=9)
    c.text(530, y + 48, "172,55", size=9, align="right")
    count = _extract(c)["number_of_line_items"]
    assert count["value"] == 2
    assert count["validation_problem"]
    assert count["note"] == "line totals add up to 135.00, the net amount is 145.00"


def test_service_period_in_an_item_description() -> None:
    c = Canvas()
    _letterhead(c)
    _table(c, 290, GERMAN_HEADING, [
        _german_row("1", "Wartungsvertrag Server", "1", "300,00", "300,00"),
        [(95, "Zeitraum 01.03.2024 bis 31.03.2024", "left")],
    ])
    item = _extract(c)["line_item"][0]
    period = item["service_period"]
    assert (period["start_date"]["value"], period["end_date"]["value"]) == (
        "2024-03-01", "2024-03-31")


def test_dutch_heading_with_dotted_thousands() -> None:
    c = Canvas()
    _letterhead(c, "Factuur nr. 2024-55")
    heading = [(60, "Omschrijving", "left"), (330, "Aantal", "right"),
               (420, "Prijs per stuk", "right"), (530, "Bedrag", "right")]
    _table(c, 290, heading, [
        [(60, "Laptop 14 inch", "left"), (330, "2", "right"), (420, "1.099,00", "right"),
         (530, "2.198,00", "right")],
    ])
    items = _extract(c)["line_item"]
    assert [_values(i, "description", "quantity", "unit_price", "total_price")
            for i in items] == [("Laptop 14 inch", 2.0, 1099.0, 2198.0)]


def test_heading_printed_over_three_lines() -> None:
    c = Canvas()
    _letterhead(c)
    c.text(530, 282, "Positions-", size=9, bold=True, align="right")
    c.text(530, 294, "betrag", size=9, bold=True, align="right")
    c.text(530, 306, "ohne USt.", size=9, bold=True, align="right")
    _table(c, 294, [(60, "Pos", "left"), (95, "Beschreibung", "left"),
                    (330, "Nettopreis", "right"), (420, "Menge", "right")], [
        [(60, "1", "left"), (95, "Zitronensäure 100ml", "left"), (330, "1,0000", "right"),
         (420, "5 Stk", "right"), (530, "5,00", "right")],
    ], pitch=16)
    items = _extract(c)["line_item"]
    assert [_values(i, "description", "quantity", "unit_price", "total_price")
            for i in items] == [("Zitronensäure 100ml", 5.0, 1.0, 5.0)]


def test_line_totals_less_an_invoice_discount_meet_the_net_amount() -> None:
    c = Canvas()
    _letterhead(c)
    y = _table(c, 290, GERMAN_HEADING, [
        _german_row("1", "Toner schwarz", "2", "45,00", "90,00"),
        _german_row("2", "Papier A4", "10", "4,50", "45,00"),
    ])
    for n, (label, value) in enumerate((("Gesamtbetrag der Abschläge", "13,50"),
                                        ("Nettobetrag", "121,50"), ("MwSt. 19 %", "23,09"),
                                        ("Gesamtbetrag", "144,59"))):
        c.text(300, y + 20 + 14 * n, label, size=9)
        c.text(530, y + 20 + 14 * n, value, size=9, align="right")
    result = _extract(c)
    assert result["discount_amount"]["value"] == 13.5
    assert not result["number_of_line_items"]["validation_problem"]


def test_allowance_and_charge_column_and_wrapped_item_details() -> None:
    c = Canvas()
    _letterhead(c)
    heading = [(60, "Pos.", "left"), (90, "Produkt", "left"), (300, "Menge", "right"),
               (370, "Einzelpreis", "right"), (385, "Nachlässe /", "left"),
               (490, "Steuer", "right"), (550, "Gesamtpreis", "right")]
    _table(c, 290, heading, [
        [(60, "1", "left"), (90, "Industrial Grade Fasteners", "left"), (300, "5 kg", "right"),
         (370, "20,00 €", "right"), (385, "Volume Discount", "left"), (490, "19 %", "right"),
         (550, "90,00 €", "right")],
        [(385, "Special Handling", "left")],
        [(90, "Produktklassifikationen:", "left"), (205, "UNSPSC: 27111708; Liste der", "left")],
        [(205, "Hauptgefahrklasse: 9", "left")],
        [(60, "2", "left"), (90, "Premium Filter Cartridges", "left"), (300, "2 kg", "right"),
         (370, "15,00 €", "right"), (385, "Processing Fee:", "left"), (490, "19 %", "right"),
         (550, "45,00 €", "right")],
    ])
    c.text(385, 300, "Zuschläge", size=9, bold=True)
    items = _extract(c)["line_item"]
    assert [_values(i, "pos_id", "total_price") for i in items] == [("1", 90.0), ("2", 45.0)]
    assert items[1]["description"]["value"] == "Premium Filter Cartridges"


def test_heading_words_broken_over_two_lines() -> None:
    c = Canvas()
    _letterhead(c)
    for x, text, align in ((80, "Unsere", "left"), (330, "Menge", "right"),
                           (345, "Meng.-", "left"), (455, "Preis/", "right")):
        c.text(x, 290, text, size=8, bold=True, align=align)
    heading = [(60, "Pos", "left"), (80, "Art.Nr.", "left"), (190, "Artikelbeschreibung", "left"),
               (345, "einheit", "left"), (455, "Einheit", "right"), (530, "Betrag", "right"),
               (560, "USt. %", "right")]
    _table(c, 301, heading, [
        [(60, "1", "left"), (80, "TB100A4", "left"), (190, "Trennblätter A4", "left"),
         (330, "20", "right"), (345, "Stk.", "left"), (455, "9,90", "right"),
         (530, "198,00", "right"), (560, "19", "right")],
        [(190, "GTIN: 4012345001235", "left")],
        [(60, "2", "left"), (80, "ARNR2", "left"), (190, "Joghurt Banane", "left"),
         (330, "50", "right"), (345, "Stk.", "left"), (455, "5,50", "right"),
         (530, "275,00", "right"), (560, "7", "right")],
    ])
    items = _extract(c)["line_item"]
    assert [_values(i, "description", "quantity", "unit_of_measure", "unit_price", "total_price")
            for i in items] == [("Trennblätter A4 GTIN: 4012345001235", 20.0, "Stk.", 9.9, 198.0),
                                ("Joghurt Banane", 50.0, "Stk.", 5.5, 275.0)]


def test_item_discount_row_with_a_percentage_is_no_item_and_gp_is_the_total() -> None:
    c = Canvas()
    _letterhead(c)
    heading = [(60, "Pos.", "left"), (90, "Menge", "left"), (140, "Bezeichnung", "left"),
               (450, "EP", "right"), (530, "GP", "right")]
    _table(c, 290, heading, [
        [(60, "1", "left"), (90, "1,00", "left"), (140, "Toller Artikel", "left"),
         (450, "10,0000", "right"), (530, "10,00", "right")],
        [(450, "1,00 %", "right"), (530, "0,10", "right")],
        [(60, "2", "left"), (90, "2,00", "left"), (140, "Zweiter Artikel", "left"),
         (450, "5,0000", "right"), (530, "10,00", "right")],
    ])
    items = _extract(c)["line_item"]
    assert [_values(i, "description", "quantity", "unit_price", "total_price") for i in items] == [
        ("Toller Artikel", 1.0, 10.0, 10.0), ("Zweiter Artikel", 2.0, 5.0, 10.0)]


def test_ocr_marks_in_the_heading_margin_and_after_a_total() -> None:
    c = Canvas()
    _letterhead(c)
    heading = [(90, "Amount", "left"), (150, "[Product", "left"), (330, "[Price", "right"),
               (430, "Total", "right"), (470, "USt.%", "right")]
    _table(c, 290, heading, [
        [(40, "3", "left"), (90, "1.00", "left"), (150, "Design (hours)", "left"),
         (330, "160.00 €", "right"), (430, "160.00 €", "right"), (470, "7", "right")],
        [(40, "z", "left"), (90, "800.00", "left"), (150, "Hot air (litres)", "left"),
         (330, "0.025 €", "right"), (430, "20.00 €", "right"), (433, "1", "left"),
         (470, "19", "right")],
        [(40, ";", "left"), (150, "Net total", "left"), (430, "180.00 €", "right")],
    ])
    items = _extract(c, "en")["line_item"]
    assert [_values(i, "quantity", "unit_price", "total_price", "tax_rate") for i in items] == [
        (1.0, 160.0, 160.0, 7.0), (800.0, 0.025, 20.0, 19.0)]


def test_item_row_whose_description_sits_a_little_lower_on_a_skewed_scan() -> None:
    c = Canvas()
    _letterhead(c)
    heading = [(60, "Art-Nr.", "left"), (130, "Beschreibung", "left"), (330, "Nettopreis", "right"),
               (400, "Menge", "right"), (460, "USt.", "right"), (530, "Betrag", "right")]
    _table(c, 290, heading, [
        [(330, "1,0000", "right"), (380, "-5", "right"), (385, "Stk", "left"),
         (460, "19 %", "right"), (530, "-5,00", "right")],
        [(60, "1", "left"), (130, "Zitronensäure 100ml", "left")],
        [(330, "1,4500", "right"), (380, "-2", "right"), (385, "Stk", "left"),
         (460, "7 %", "right"), (530, "-2,90", "right")],
        [(60, "2", "left"), (130, "Gelierzucker Extra 250g", "left")],
    ], pitch=11)
    items = _extract(c)["line_item"]
    assert [_values(i, "description", "total_price") for i in items] == [
        ("Zitronensäure 100ml", -5.0), ("Gelierzucker Extra 250g", -2.9)]


def test_payment_terms_section_ends_the_item_table() -> None:
    c = Canvas()
    _letterhead(c)
    y = _table(c, 280, [(60, "Pos", "left"), (100, "Beschreibung", "left"),
                        (520, "Entgelt", "right")],
               [[(60, "1", "left"), (100, "Trennblätter A4", "left"), (520, "198,00", "right")]])
    c.text(100, y, "Zahlungsbedingungen:", size=9, bold=True)  # in the description column
    c.text(100, y + 14, "Beschreibung", size=9)
    c.text(300, y + 14, "Fälligkeit", size=9)
    c.text(300, y + 28, "13.07.2024", size=9)
    result = extract_invoice(pdf_to_pages(c.to_pdf()), "de")
    assert [i["description"]["value"] for i in result["line_item"]] == ["Trennblätter A4"]
    assert result["due_date"]["value"] == "2024-07-13"
