"""Held-out layouts 7-10: measured only, never tuned on.

Kept in their own file so that the boundary is a file boundary: read this file
only to find out why a held-out number changed, never to add a rule for it.
"""

from __future__ import annotations

from benchmarks.invoices.drawing import (
    Col,
    draw_pairs,
    draw_table,
    en_long_date,
    ensure_room,
    number_pages,
)
from benchmarks.invoices.layouts import _spaced
from benchmarks.invoices.model import Invoice
from benchmarks.invoices.pdfcanvas import PAGE_W, Canvas

# --- held-out layouts: never tune the extractor on these --------------------------------------


def layout_7(c: Canvas, inv: Invoice) -> None:
    """German, labelled address, bordered key/value box, unbordered table, prepayment."""
    v, k = inv.vendor, inv.customer
    inv.printed |= {
        "due_date",
        "customer_number",
        "vendor_vat",
        "vendor_tax_number",
        "bank",
        "phone",
        "email",
        "pos",
        "item_tax",
    }
    if inv.date.day % 3 == 0:
        inv.prepaid = round(inv.gross * 0.3, 2)
    c.text(50, 45, v.name, size=11, bold=True)
    c.text(50, 57, f"{v.street} | {v.city_line}", size=8)
    c.text(50, 120, "Rechnungsanschrift:", size=8, bold=True)
    for i, text in enumerate([k.name, k.street, k.city_line]):
        c.text(50, 135 + i * 12, text, size=9)
    short = "%d.%m.%y"
    rows = [
        ("Beleg-Nr.", inv.number),
        ("Belegdatum", inv.date.strftime(short)),
        ("Kunden-Nr.", inv.customer_number),
        (
            "Leistungszeitraum",
            f"{(inv.date.replace(day=1)).strftime(short)} - {inv.date.strftime(short)}",
        ),
        ("Fälligkeitsdatum", inv.due_date.strftime(short)),
    ]
    for i, (label, value) in enumerate(rows):
        c.rect(330, 120 + i * 15, 90, 15)
        c.rect(420, 120 + i * 15, 125, 15)
        c.text(334, 131 + i * 15, label, size=8)
        c.text(424, 131 + i * 15, value, size=8)
    c.text(50, 235, "RECHNUNG", size=16, bold=True)

    def cont(c: Canvas, inv: Invoice) -> float:
        c.text(50, 45, v.name, size=9, bold=True)
        c.text(330, 45, f"Beleg-Nr. {inv.number}", size=8)
        return 80

    cols = [
        Col("pos", "Nr.", 52, 70),
        Col("desc", "Leistung", 78, 270),
        Col("qty", "Menge", 275, 315, "right"),
        Col("unit", "Einheit", 322, 355),
        Col("price", "E-Preis", 360, 420, "right"),
        Col("tax", "USt", 425, 455, "right"),
        Col("total", "Gesamt", 460, 541, "right"),
    ]
    y = draw_table(c, inv, cols, 265, "plain", cont)
    groups = inv.tax_groups()
    y = ensure_room(c, inv, y + 10, 110, cont)
    pairs = [("Zwischensumme", inv.money(inv.net, "EUR"))]
    pairs += [
        (f"zzgl. USt. {inv.rate(r)} auf {inv.money(n)}", inv.money(t, "EUR")) for r, n, t in groups
    ]
    pairs.append(("Endbetrag", inv.money(inv.gross, "EUR")))
    if inv.prepaid:
        pairs += [
            ("abzgl. Anzahlung", inv.money(-inv.prepaid, "EUR")),
            ("Offener Betrag", inv.money(inv.due_payable, "EUR")),
        ]
    c.rect(300, y - 12, 245, 14 * len(pairs) + 6)
    draw_pairs(c, pairs, 305, 541, y, 14, 8.5, "right", bold_last=True)
    y += 14 * len(pairs) + 20
    c.text(50, y, "Der Betrag wird per SEPA-Lastschrift von Ihrem Konto eingezogen.", size=9)
    inv.payment_methods = ["bank_collection"]
    for page in range(c.page_count):
        for col, lines in enumerate(
            [
                [v.name, v.street, v.city_line],
                [f"Tel. {v.phone}", v.email or ""],
                [v.bank or "", f"IBAN {_spaced(v.iban)}", f"BIC {v.bic}"],
                [f"USt-ID {v.vat_id}", f"St.-Nr. {v.tax_number}"],
            ]
        ):
            for i, text in enumerate(lines):
                c.text(50 + col * 125, 790 + i * 8, text, size=6.5, page=page)
    number_pages(c, lambda i, n: f"Seite {i}", 545, "right")


def layout_8(c: Canvas, inv: Invoice) -> None:
    """UK tax invoice: centred title, vendor top-left, Invoice to right, unit cost before qty."""
    v, k = inv.vendor, inv.customer
    inv.printed |= {
        "due_date",
        "customer_number",
        "vendor_vat",
        "bank",
        "payment_reference",
        "phone",
        "url",
    }
    c.text(PAGE_W / 2, 50, "TAX INVOICE", size=18, bold=True, align="center")
    for i, text in enumerate(
        [v.name, v.street, v.city_line, f"VAT Reg. No: {v.vat_id}", f"Tel: {v.phone}", v.url or ""]
    ):
        c.text(50, 90 + i * 12, text, size=9, bold=i == 0)
    c.text(330, 90, "Invoice to:", size=9, bold=True)
    for i, text in enumerate([k.name, k.street, k.city_line]):
        c.text(330, 104 + i * 12, text, size=9)
    short = "%d %b %Y"
    for x, label, value in [
        (50, "Reference:", inv.number),
        (180, "Issued:", inv.date.strftime(short)),
        (310, "Payment due:", inv.due_date.strftime(short)),
        (440, "Account No.:", inv.customer_number),
    ]:
        c.text(x, 200, label, size=8, bold=True)
        c.text(x, 212, value, size=9)

    def cont(c: Canvas, inv: Invoice) -> float:
        c.text(50, 50, f"{v.name} · Tax invoice {inv.number} · continued", size=9)
        return 80

    cols = [
        Col("desc", "Description", 52, 300),
        Col("price", "Unit Cost", 310, 390, "right"),
        Col("qty", "Qty", 400, 440, "right"),
        Col("total", "Line Total (GBP)", 455, 541, "right"),
    ]
    y = draw_table(c, inv, cols, 250, "lines", cont)
    y = ensure_room(c, inv, y + 10, 120, cont)
    draw_pairs(
        c,
        [
            ("Net total", inv.money(inv.net)),
            ("VAT @ 20%", inv.money(inv.tax)),
            ("Amount due (GBP)", inv.money(inv.gross)),
        ],
        380,
        541,
        y,
        14,
        9,
        "right",
        bold_last=True,
    )
    y += 60
    c.text(50, y, f"Please pay by bank transfer quoting reference {inv.payment_reference}.", size=9)
    c.text(50, y + 13, f"{v.bank} · IBAN {v.iban} · SWIFT {v.bic}", size=9)
    inv.payment_methods = ["money_transfer"]
    number_pages(c, lambda i, n: f"{i}/{n}", PAGE_W / 2, "center")


def layout_9(c: Canvas, inv: Invoice) -> None:
    """English from a German seller, all details in a right column, totals at the left."""
    v, k = inv.vendor, inv.customer
    inv.printed |= {
        "due_date",
        "order_number",
        "vendor_vat",
        "vendor_tax_number",
        "bank",
        "email",
        "url",
        "item_tax",
    }
    c.text(50, 55, v.name.upper(), size=15, bold=True)
    c.text(50, 70, f"{v.street}, {v.city_line}, Germany", size=8)
    c.text(50, 80, f"{v.email} | {v.url}", size=8)
    c.line(50, 90, 545, 90, 1.2)
    c.text(50, 125, "Billed to", size=8, bold=True)
    for i, text in enumerate([k.name, k.street, k.city_line, "Germany"]):
        c.text(50, 138 + i * 12, text, size=9)
    pairs = [
        ("Invoice no.", inv.number),
        ("Date of issue", inv.date.strftime("%B %d, %Y")),
        ("Order no.", inv.order_number),
        ("Payable by", inv.due_date.strftime("%B %d, %Y")),
    ]
    for i, (label, value) in enumerate(pairs):
        c.text(360, 125 + i * 24, label, size=8, bold=True)
        c.text(360, 136 + i * 24, value, size=9)

    def cont(c: Canvas, inv: Invoice) -> float:
        c.text(50, 55, v.name.upper(), size=12, bold=True)
        c.text(545, 55, f"Invoice no. {inv.number}", size=8, align="right")
        return 85

    cols = [
        Col("desc", "Service", 52, 280),
        Col("qty", "Units", 290, 330, "right"),
        Col("price", "Price/unit", 340, 420, "right"),
        Col("tax", "Tax", 430, 460, "right"),
        Col("total", "Net", 470, 541, "right"),
    ]
    y = draw_table(c, inv, cols, 250, "grid", cont, symbol="EUR")
    groups = inv.tax_groups()
    y = ensure_room(c, inv, y + 10, 100 + 14 * len(groups), cont)
    pairs = [("Total net", inv.money(inv.net, "EUR"))]
    pairs += [(f"VAT {inv.rate(r)}", inv.money(t, "EUR")) for r, _, t in groups]
    pairs.append(("Invoice total", inv.money(inv.gross, "EUR")))
    draw_pairs(c, pairs, 50, 250, y, 14, 9, "right", bold_last=True)
    y += 14 * len(pairs) + 16
    c.text(50, y, f"Bank details: {v.bank}, IBAN: {v.iban}, BIC: {v.bic}", size=8)
    c.text(50, y + 11, f"VAT ID {v.vat_id} · Tax no. {v.tax_number}", size=8)
    inv.payment_methods = ["money_transfer"]
    number_pages(c, lambda i, n: f"Page {i} of {n}", 545, "right")


def layout_10(c: Canvas, inv: Invoice) -> None:
    """UK, letterhead band, details as a two-column table, totals row inside the table."""
    v, k = inv.vendor, inv.customer
    inv.printed |= {
        "due_date",
        "customer_number",
        "order_number",
        "vendor_vat",
        "bank",
        "email",
        "phone",
        "pos",
    }
    c.rect(0, 0, PAGE_W, 70, fill=0.9)
    c.text(50, 40, v.name, size=18, bold=True)
    c.text(545, 32, f"{v.street}, {v.city_line}", size=8, align="right")
    c.text(545, 44, f"{v.phone} · {v.email}", size=8, align="right")
    c.text(50, 110, "Invoice", size=14, bold=True)
    draw_pairs(
        c,
        [
            ("Number", inv.number),
            ("Date", en_long_date(inv.date)),
            ("Due", en_long_date(inv.due_date)),
            ("Customer No", inv.customer_number),
            ("Purchase Order", inv.order_number),
        ],
        50,
        140,
        130,
        13,
    )
    c.text(340, 130, "Customer", size=9, bold=True)
    for i, text in enumerate([k.name, k.street, k.city_line, "United Kingdom"]):
        c.text(340, 144 + i * 12, text, size=9)

    def cont(c: Canvas, inv: Invoice) -> float:
        c.text(50, 40, f"{v.name}    Invoice {inv.number}", size=10, bold=True)
        return 90

    cols = [
        Col("pos", "Line", 52, 75),
        Col("desc", "Product / Service", 85, 310),
        Col("qty", "Quantity", 315, 365, "right"),
        Col("price", "Price", 370, 450, "right"),
        Col("total", "Value", 455, 541, "right"),
    ]
    y = draw_table(c, inv, cols, 240, "grid", cont)
    y = ensure_room(c, inv, y + 4, 110, cont)
    draw_pairs(
        c,
        [
            ("Goods total", inv.money(inv.net, "£")),
            ("VAT 20%", inv.money(inv.tax, "£")),
            ("Invoice total", inv.money(inv.gross, "£")),
        ],
        370,
        541,
        y,
        14,
        9,
        "right",
        bold_last=True,
    )
    y += 55
    c.text(50, y, f"BACS payments to {v.bank}, IBAN {_spaced(v.iban)}, BIC {v.bic}.", size=8)
    c.text(50, y + 11, f"VAT number {v.vat_id}. Payment by card is also accepted.", size=8)
    inv.payment_methods = ["money_transfer", "credit_card"]
    if c.page_count > 1:
        number_pages(c, lambda i, n: f"Page {i} of {n}", 545, "right")
