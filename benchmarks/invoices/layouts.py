"""Development layouts 1-6: the extractor may be tuned on these."""

from __future__ import annotations

from benchmarks.invoices.drawing import (
    Col,
    de_long_date,
    de_short_date,
    draw_pairs,
    draw_table,
    en_long_date,
    ensure_room,
    number_pages,
)
from benchmarks.invoices.model import Invoice
from benchmarks.invoices.pdfcanvas import PAGE_W, Canvas

# --- layouts ---------------------------------------------------------------------------------


def layout_1(c: Canvas, inv: Invoice) -> None:
    """German DIN 5008 letter: letterhead left, contact right, info block, grid table."""
    v, k = inv.vendor, inv.customer
    inv.printed |= {
        "due_date",
        "customer_number",
        "vendor_vat",
        "vendor_tax_number",
        "bank",
        "email",
        "phone",
        "url",
        "pos",
    }
    c.text(50, 62, v.name, size=16, bold=True)
    draw_pairs(
        c,
        [
            ("", v.street),
            ("", v.city_line),
            ("Tel.", v.phone or ""),
            ("E-Mail", v.email or ""),
            ("Web", v.url or ""),
        ],
        380,
        415,
        50,
        11,
        8,
    )
    c.text(50, 140, f"{v.name} · {v.street} · {v.city_line}", size=7)
    c.line(50, 143, 300, 143, 0.3)
    for i, text in enumerate([k.name, k.street, k.city_line]):
        c.text(50, 162 + i * 13, text, size=10)
    pairs = [
        ("Rechnungsnummer:", inv.number),
        ("Rechnungsdatum:", de_short_date(inv.date)),
        ("Kundennummer:", inv.customer_number),
    ]
    if inv.date.day % 2:
        pairs.append(("Bestellnummer:", inv.order_number))
        inv.printed.add("order_number")
    pairs.append(("Fällig am:", de_short_date(inv.due_date)))
    draw_pairs(c, pairs, 360, 460, 162)
    c.text(50, 290, "Rechnung", size=14, bold=True)

    def cont(c: Canvas, inv: Invoice) -> float:
        c.text(50, 50, v.name, size=10, bold=True)
        c.text(545, 50, f"Rechnung {inv.number}", size=9, align="right")
        return 90

    cols = [
        Col("pos", "Pos.", 52, 75),
        Col("desc", "Bezeichnung", 85, 300),
        Col("qty", "Menge", 310, 360, "right"),
        Col("price", "Einzelpreis", 370, 450, "right"),
        Col("total", "Gesamtpreis", 460, 541, "right"),
    ]
    y = draw_table(c, inv, cols, 320, "grid", cont)
    y = ensure_room(c, inv, y + 10, 90, cont)
    ((rate, _, _),) = inv.tax_groups()[:1]
    draw_pairs(
        c,
        [
            ("Nettobetrag", inv.money(inv.net, "€")),
            (f"zzgl. {inv.rate(rate)} MwSt.", inv.money(inv.tax, "€")),
            ("Gesamtbetrag", inv.money(inv.gross, "€")),
        ],
        360,
        541,
        y,
        14,
        9,
        "right",
        bold_last=True,
    )
    c.text(
        50,
        y + 60,
        f"Bitte überweisen Sie den Betrag bis zum {de_short_date(inv.due_date)} "
        "auf das unten genannte Konto.",
        size=9,
    )
    inv.payment_methods = ["money_transfer"]
    for page in range(c.page_count):
        c.pages[page].append(b"0.3 w 50 75 m 545 75 l S")
        for i, text in enumerate([v.name, v.street, v.city_line]):
            c.text(50, 780 + i * 9, text, size=7, page=page)
        for i, text in enumerate([v.bank or "", f"IBAN: {v.iban}", f"BIC: {v.bic}"]):
            c.text(220, 780 + i * 9, text, size=7, page=page)
        for i, text in enumerate(
            [
                f"USt-IdNr.: {v.vat_id}",
                f"Steuernummer: {v.tax_number}",
                "Amtsgericht Köln HRB 12345",
            ]
        ):
            c.text(390, 780 + i * 9, text, size=7, page=page)
    number_pages(c, lambda i, n: f"Seite {i} von {n}", 545, "right")


def layout_2(c: Canvas, inv: Invoice) -> None:
    """UK: big INVOICE title, vendor right, Bill To, stacked details, shaded table."""
    v, k = inv.vendor, inv.customer
    inv.printed |= {"due_date", "vendor_vat", "bank", "email", "phone", "payment_reference"}
    c.text(50, 75, "INVOICE", size=24, bold=True)
    for i, (text, bold) in enumerate(
        [
            (v.name, True),
            (v.street, False),
            (v.city_line, False),
            (v.phone or "", False),
            (v.email or "", False),
        ]
    ):
        c.text(545, 55 + i * 12, text, size=11 if bold else 9, bold=bold, align="right")
    c.text(50, 150, "Bill To", size=10, bold=True)
    for i, text in enumerate([k.name, k.street, k.city_line]):
        c.text(50, 165 + i * 12, text, size=9)
    for x, label, value in [
        (300, "Invoice No.", inv.number),
        (390, "Invoice Date", en_long_date(inv.date)),
        (475, "Due Date", en_long_date(inv.due_date)),
    ]:
        c.text(x, 150, label, size=8, bold=True)
        c.text(x, 163, value, size=9)

    def cont(c: Canvas, inv: Invoice) -> float:
        c.text(50, 50, f"Invoice {inv.number} (continued)", size=10, bold=True)
        return 85

    cols = [
        Col("desc", "Description", 55, 290),
        Col("qty", "Qty", 300, 340, "right"),
        Col("price", "Unit Price", 350, 440, "right"),
        Col("total", "Amount", 450, 540, "right"),
    ]
    y = draw_table(c, inv, cols, 250, "shaded", cont, symbol="£")
    y = ensure_room(c, inv, y + 6, 150, cont)
    draw_pairs(
        c,
        [
            ("Subtotal", inv.money(inv.net, "£")),
            ("VAT (20%)", inv.money(inv.tax, "£")),
            ("Total (GBP)", inv.money(inv.gross, "£")),
        ],
        370,
        540,
        y,
        14,
        9,
        "right",
        bold_last=True,
    )
    y += 60
    c.text(50, y, "Payment details", size=10, bold=True)
    draw_pairs(
        c,
        [
            ("Bank:", v.bank or ""),
            ("IBAN:", v.iban or ""),
            ("BIC:", v.bic or ""),
            ("Payment reference:", inv.payment_reference),
        ],
        50,
        150,
        y + 14,
    )
    c.text(
        297,
        800,
        f"VAT Registration No. {v.vat_id} · Registered in England and Wales",
        size=7,
        align="center",
    )
    if c.page_count > 1:
        number_pages(c, lambda i, n: f"Page {i} of {n}", 545, "right")


def layout_3(c: Canvas, inv: Invoice) -> None:
    """German, centred letterhead, boxed info row, per-item VAT and a VAT breakdown."""
    v, k = inv.vendor, inv.customer
    inv.printed |= {
        "due_date",
        "customer_number",
        "order_number",
        "vendor_vat",
        "bank",
        "email",
        "phone",
        "item_tax",
    }
    c.text(PAGE_W / 2, 50, v.name, size=14, bold=True, align="center")
    c.text(
        PAGE_W / 2,
        64,
        f"{v.street} · {v.city_line} · Tel. {v.phone} · {v.email}",
        size=8,
        align="center",
    )
    c.line(50, 72, 545, 72)
    for i, text in enumerate([k.name, k.street, k.city_line]):
        c.text(60, 135 + i * 13, text, size=10)
    boxes = [
        ("Rechnung Nr.", inv.number),
        ("Datum", de_long_date(inv.date)),
        ("Kunden-Nr.", inv.customer_number),
        ("Ihre Bestellung", inv.order_number),
    ]
    for i, (label, value) in enumerate(boxes):
        x = 50 + i * 124
        c.rect(x, 222, 120, 32)
        c.text(x + 5, 233, label, size=8, bold=True)
        c.text(x + 5, 248, value, size=9)

    def cont(c: Canvas, inv: Invoice) -> float:
        c.text(PAGE_W / 2, 50, v.name, size=12, bold=True, align="center")
        c.line(50, 58, 545, 58)
        return 90

    cols = [
        Col("pos", "Art.-Nr.", 52, 90),
        Col("desc", "Beschreibung", 100, 300),
        Col("qty", "Anzahl", 305, 345, "right"),
        Col("price", "Preis", 350, 420, "right"),
        Col("tax", "USt.", 425, 460, "right"),
        Col("total", "Betrag", 465, 541, "right"),
    ]
    inv.printed.add("pos")
    y = draw_table(c, inv, cols, 290, "lines", cont)
    groups = inv.tax_groups()
    y = ensure_room(c, inv, y + 6, 80 + 14 * len(groups), cont)
    c.text(52, y, "USt.-Satz", size=8, bold=True)
    c.text(180, y, "Netto", size=8, bold=True, align="right")
    c.text(250, y, "USt.", size=8, bold=True, align="right")
    for i, (rate, net, tax) in enumerate(groups):
        c.text(52, y + 12 + 12 * i, inv.rate(rate), size=8)
        c.text(180, y + 12 + 12 * i, inv.money(net), size=8, align="right")
        c.text(250, y + 12 + 12 * i, inv.money(tax), size=8, align="right")
    draw_pairs(
        c,
        [
            ("Summe netto", inv.money(inv.net, "EUR")),
            ("Summe USt.", inv.money(inv.tax, "EUR")),
            ("Gesamtbetrag", inv.money(inv.gross, "EUR")),
        ],
        360,
        541,
        y,
        13,
        9,
        "right",
        bold_last=True,
    )
    y += max(45, 14 + 12 * len(groups)) + 10
    c.text(
        52,
        y,
        f"Zahlungsziel: {(inv.due_date - inv.date).days} Tage netto, "
        f"zahlbar bis {de_short_date(inv.due_date)}.",
        size=9,
    )
    for page in range(c.page_count):
        c.text(
            PAGE_W / 2,
            790,
            f"Bankverbindung: {v.bank} · IBAN {_spaced(v.iban)} · BIC {v.bic}",
            size=7,
            align="center",
            page=page,
        )
        c.text(
            PAGE_W / 2,
            800,
            f"USt-IdNr. {v.vat_id} · Geschäftsführung: Anna Beispiel",
            size=7,
            align="center",
            page=page,
        )
    number_pages(c, lambda i, n: f"Seite {i}/{n}", PAGE_W / 2, "center")


def _spaced(iban: str | None) -> str:
    iban = iban or ""
    return " ".join(iban[i : i + 4] for i in range(0, len(iban), 4))


def layout_4(c: Canvas, inv: Invoice) -> None:
    """US: vendor top-left, right-aligned details, Bill To / Ship To, grid table."""
    v, k = inv.vendor, inv.customer
    inv.printed |= {"due_date", "order_number", "email", "phone", "url", "pos"}
    c.text(50, 60, v.name, size=16, bold=True)
    for i, text in enumerate([v.street, v.city_line, v.phone or "", v.email or "", v.url or ""]):
        c.text(50, 76 + i * 11, text, size=8)
    c.text(545, 62, "Invoice", size=24, bold=True, align="right")
    us = "%m/%d/%Y"
    pairs = [
        ("Invoice #:", inv.number),
        ("Date:", inv.date.strftime(us)),
        ("Due Date:", inv.due_date.strftime(us)),
        ("P.O. #:", inv.order_number),
    ]
    draw_pairs(c, pairs, 390, 545, 90, 12, 9, "right")
    c.text(50, 190, "BILL TO", size=9, bold=True)
    c.text(310, 190, "SHIP TO", size=9, bold=True)
    for i, text in enumerate([k.name, k.street, k.city_line]):
        c.text(50, 204 + i * 12, text, size=9)
        c.text(310, 204 + i * 12, [k.name, "Attn: Receiving Dock", "1 Warehouse Way"][i], size=9)

    def cont(c: Canvas, inv: Invoice) -> float:
        c.text(50, 50, v.name, size=11, bold=True)
        c.text(545, 50, f"Invoice # {inv.number}", size=9, align="right")
        return 85

    cols = [
        Col("pos", "Item", 52, 75),
        Col("desc", "Description", 85, 300),
        Col("qty", "Qty", 305, 340, "right"),
        Col("price", "Rate", 350, 440, "right"),
        Col("total", "Amount", 450, 541, "right"),
    ]
    y = draw_table(c, inv, cols, 270, "grid", cont, symbol="$")
    y = ensure_room(c, inv, y + 10, 120, cont)
    ((rate, _, _),) = inv.tax_groups()[:1]
    draw_pairs(
        c,
        [
            ("Subtotal", inv.money(inv.net, "$")),
            (f"Sales Tax ({inv.rate(rate)})", inv.money(inv.tax, "$")),
            ("Total", inv.money(inv.gross, "$")),
            ("Balance Due", inv.money(inv.gross, "$")),
        ],
        380,
        541,
        y,
        14,
        9,
        "right",
        bold_last=True,
    )
    c.text(50, y + 80, "Terms: Net 30. We accept checks and all major credit cards.", size=9)
    inv.payment_methods = ["credit_card", "other"]
    c.text(PAGE_W / 2, 800, "Thank you for your business!", size=9, align="center")


def layout_5(c: Canvas, inv: Invoice) -> None:
    """German, letterhead right, title sentence with number and date, shaded grid."""
    v, k = inv.vendor, inv.customer
    inv.printed |= {
        "due_date",
        "customer_number",
        "order_number",
        "payment_reference",
        "vendor_vat",
        "vendor_tax_number",
        "bank",
        "email",
        "phone",
        "url",
        "pos",
    }
    c.text(545, 55, v.name, size=13, bold=True, align="right")
    for i, text in enumerate(
        [v.street, v.city_line, f"Tel. {v.phone}", f"E-Mail: {v.email}", v.url or ""]
    ):
        c.text(545, 70 + i * 11, text, size=8, align="right")
    c.text(50, 137, f"{v.name}, {v.street}, {v.city_line}", size=6.5)
    for i, text in enumerate([k.name, k.street, k.city_line]):
        c.text(50, 155 + i * 13, text, size=10)
    c.text(50, 262, f"Rechnung Nr. {inv.number} vom {de_short_date(inv.date)}", size=12, bold=True)
    c.text(50, 280, f"Kundennummer: {inv.customer_number}", size=9)
    c.text(250, 280, f"Auftragsnummer: {inv.order_number}", size=9)

    def cont(c: Canvas, inv: Invoice) -> float:
        c.text(545, 50, v.name, size=10, bold=True, align="right")
        c.text(50, 70, f"Fortsetzung Rechnung {inv.number}", size=9)
        return 100

    cols = [
        Col("pos", "Pos.", 52, 75),
        Col("desc", "Artikel", 85, 280),
        Col("qty", "Menge", 285, 320, "right"),
        Col("unit", "Einheit", 328, 360),
        Col("price", "Einzelpreis", 365, 445, "right"),
        Col("total", "Summe", 455, 541, "right"),
    ]
    y = draw_table(c, inv, cols, 310, "shaded", cont)
    y = ensure_room(c, inv, y + 10, 130, cont)
    draw_pairs(
        c,
        [
            ("Summe netto", inv.money(inv.net, "€")),
            ("MwSt 19 %", inv.money(inv.tax, "€")),
            ("Rechnungsbetrag", inv.money(inv.gross, "€")),
        ],
        330,
        541,
        y,
        14,
        9,
        "right",
        bold_last=True,
    )
    c.text(50, y + 55, f"Zahlbar ohne Abzug bis {de_short_date(inv.due_date)}.", size=9)
    c.text(50, y + 68, f"Verwendungszweck: {inv.payment_reference}", size=9)
    c.text(50, y + 81, "Zahlung per Überweisung oder PayPal.", size=9)
    inv.payment_methods = ["money_transfer", "paypal"]
    for page in range(c.page_count):
        c.text(
            50,
            800,
            f"{v.bank}  IBAN: {v.iban}  BIC: {v.bic}  USt-IdNr.: {v.vat_id}  "
            f"St.-Nr.: {v.tax_number}",
            size=7,
            page=page,
        )


def layout_6(c: Canvas, inv: Invoice) -> None:
    """English from a German company: From/To blocks side by side, boxed details, ISO dates."""
    v, k = inv.vendor, inv.customer
    k.vat_id = k.vat_id or "DE123456788"
    inv.printed |= {
        "due_date",
        "customer_number",
        "vendor_vat",
        "customer_vat",
        "bank",
        "email",
        "pos",
        "item_tax",
    }
    c.text(50, 60, "Invoice", size=22, bold=True)
    c.text(50, 110, "From:", size=9, bold=True)
    c.text(310, 110, "To:", size=9, bold=True)
    for i, text in enumerate(
        [v.name, v.street, v.city_line, f"VAT ID: {v.vat_id}", f"Email: {v.email}"]
    ):
        c.text(50, 124 + i * 12, text, size=9)
    for i, text in enumerate([k.name, k.street, k.city_line, f"VAT ID: {k.vat_id}"]):
        c.text(310, 124 + i * 12, text, size=9)
    c.rect(45, 200, 500, 36, fill=0.92)
    draw_pairs(
        c, [("Invoice number:", inv.number), ("Customer ID:", inv.customer_number)], 55, 140, 214
    )
    draw_pairs(
        c,
        [("Invoice date:", inv.date.isoformat()), ("Due date:", inv.due_date.isoformat())],
        320,
        400,
        214,
    )

    def cont(c: Canvas, inv: Invoice) -> float:
        c.text(50, 50, f"{v.name} \u2013 Invoice {inv.number}", size=10, bold=True)
        return 85

    cols = [
        Col("pos", "#", 52, 70),
        Col("desc", "Item description", 80, 290),
        Col("qty", "Quantity", 295, 345, "right"),
        Col("price", "Unit price", 355, 430, "right"),
        Col("tax", "VAT", 440, 470, "right"),
        Col("total", "Total", 480, 541, "right"),
    ]
    y = draw_table(c, inv, cols, 270, "lines", cont, symbol="€")
    y = ensure_room(c, inv, y + 10, 130, cont)
    ((rate, _, _),) = inv.tax_groups()[:1]
    draw_pairs(
        c,
        [
            ("Net amount", inv.money(inv.net, "€")),
            (f"VAT {inv.rate(rate)}", inv.money(inv.tax, "€")),
            ("Total amount", inv.money(inv.gross, "€")),
            ("Amount due", inv.money(inv.gross, "€")),
        ],
        360,
        541,
        y,
        14,
        9,
        "right",
        bold_last=True,
    )
    c.text(50, y + 70, "Payment methods: Bank transfer, Credit card", size=9)
    c.text(50, y + 83, f"IBAN {v.iban} · BIC {v.bic} · {v.bank}", size=9)
    inv.payment_methods = ["money_transfer", "credit_card"]
    number_pages(c, lambda i, n: f"Page {i}/{n}", 545, "right")
