"""Synthetic invoices with known truth, as digital PDFs and as degraded scans.

    python -m benchmarks.invoices.generate OUT_DIR --layout 3 --count 5 --seed 1 [--scan]

Layouts 1-6 are for development; 7-10 are held out and only ever measured.
Everything is a pure function of (layout, seed).
"""

from __future__ import annotations

import argparse
import datetime as dt
import io
import itertools
import json
import random
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pikepdf

from benchmarks.invoices.pdfcanvas import PAGE_W, Canvas

DEV_LAYOUTS = [1, 2, 3, 4, 5, 6]
HELDOUT_LAYOUTS = [7, 8, 9, 10]
ALL_LAYOUTS = DEV_LAYOUTS + HELDOUT_LAYOUTS

MONTHS_DE = [
    "Januar",
    "Februar",
    "März",
    "April",
    "Mai",
    "Juni",
    "Juli",
    "August",
    "September",
    "Oktober",
    "November",
    "Dezember",
]
MONTHS_EN = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
]

DE_SURNAMES = [
    "Müller",
    "Schäfer",
    "Bergmann",
    "Köhler",
    "Weiß",
    "Grünwald",
    "Hoffmann",
    "Krüger",
    "Becker",
    "Lehmann",
    "Schröder",
    "Vogel",
    "Zimmermann",
    "Hartmann",
]
DE_TRADES = [
    "Haustechnik",
    "Büroservice",
    "Software",
    "Elektro",
    "Druck",
    "Logistik",
    "Gebäudereinigung",
    "Metallbau",
    "Beratung",
    "Medien",
    "Feinkost",
    "IT-Systeme",
]
DE_FORMS = ["GmbH", "GmbH & Co. KG", "AG", "e.K.", "KG", "UG (haftungsbeschränkt)"]
DE_STREETS = [
    "Hauptstraße",
    "Bahnhofstr.",
    "Lindenweg",
    "Goethestraße",
    "Industriestraße",
    "Am Markt",
    "Schillerplatz",
    "Gartenstraße",
    "Mühlenweg",
    "Königsallee",
]
DE_CITIES = [
    "Berlin",
    "München",
    "Köln",
    "Hamburg",
    "Frankfurt am Main",
    "Stuttgart",
    "Leipzig",
    "Nürnberg",
    "Bremen",
    "Düsseldorf",
    "Würzburg",
    "Lüneburg",
]
DE_BANKS = [
    ("Commerzbank", "COBADEFFXXX"),
    ("Deutsche Bank", "DEUTDEDBXXX"),
    ("Sparkasse KölnBonn", "COLSDE33XXX"),
    ("Postbank", "PBNKDEFFXXX"),
    ("GLS Bank", "GENODEM1GLS"),
    ("Volksbank Mittelhessen", "VBMHDE5FXXX"),
]
EN_NAMES = [
    "Harper",
    "Brightwater",
    "Oakfield",
    "Northgate",
    "Kingsley",
    "Ashford",
    "Redwood",
    "Bluestone",
    "Whitfield",
    "Marlow",
    "Greenway",
    "Sterling",
]
EN_TRADES = [
    "Digital",
    "Consulting",
    "Supplies",
    "Systems",
    "Facilities",
    "Print",
    "Logistics",
    "Engineering",
    "Media",
    "Analytics",
]
UK_FORMS = ["Ltd", "Limited", "PLC", "LLP"]
US_FORMS = ["Inc.", "LLC", "Corp."]
UK_STREETS = [
    "High Street",
    "Station Road",
    "Church Lane",
    "Victoria Road",
    "Mill Lane",
    "Park Avenue",
    "Queen Street",
    "King's Road",
]
UK_CITIES = [
    ("London", "EC1A 1BB"),
    ("Manchester", "M1 1AE"),
    ("Leeds", "LS1 4AP"),
    ("Bristol", "BS1 4DJ"),
    ("Birmingham", "B1 1AA"),
    ("Oxford", "OX1 2JD"),
]
UK_BANKS = [
    ("Barclays", "BARCGB22"),
    ("HSBC UK", "HBUKGB4B"),
    ("Lloyds Bank", "LOYDGB2L"),
    ("NatWest", "NWBKGB2L"),
]
US_STREETS = ["Market Street", "Main St", "Oak Avenue", "Elm Street", "Broadway"]
US_CITIES = [
    ("San Francisco", "CA", "94103"),
    ("Austin", "TX", "78701"),
    ("Chicago", "IL", "60601"),
    ("Denver", "CO", "80202"),
]
DE_ITEMS = [
    ("Beratung Projektphase 1", 19),
    ("Wartung Heizungsanlage", 19),
    ("Druckerpapier A4, 500 Blatt", 19),
    ("Toner schwarz HP 305A", 19),
    ("Montage vor Ort", 19),
    ("Softwarelizenz Jahresabo", 19),
    ("Fahrtkosten Pauschale", 19),
    ("Bio-Äpfel Kiste 10 kg", 7),
    ("Fachbuch Steuerrecht", 7),
    ("Schulung Mitarbeiter (Tagessatz)", 19),
    ("Netzwerkkabel Cat6 5 m", 19),
    ("Büroregal Buche", 19),
    ("Entsorgung Altgeräte", 19),
    ("Kaffeebohnen Röstung Süd", 7),
    ("Zeitschrift Abonnement", 7),
    ("Reparatur Türschloss", 19),
]
EN_ITEMS = [
    ("Consulting services", 20),
    ("Website maintenance (monthly)", 20),
    ("Printer paper A4, 500 sheets", 20),
    ("Black toner cartridge", 20),
    ("On-site installation", 20),
    ("Software licence, annual", 20),
    ("Travel expenses", 20),
    ("Training day", 20),
    ("Network cable Cat6 5m", 20),
    ("Office chair, ergonomic", 20),
    ("Cloud hosting", 20),
    ("Printed brochures", 20),
    ("Children's books", 0),
    ("Design workshop", 20),
]


@dataclass
class Party:
    name: str
    street: str
    city_line: str
    vat_id: str | None = None
    tax_number: str | None = None
    iban: str | None = None
    bic: str | None = None
    bank: str | None = None
    email: str | None = None
    phone: str | None = None
    url: str | None = None

    @property
    def address(self) -> str:
        return f"{self.street}, {self.city_line}"


@dataclass
class Item:
    pos: str
    description: str
    quantity: float
    unit_price: float
    tax_rate: float
    unit: str

    @property
    def total(self) -> float:
        return round(self.quantity * self.unit_price, 2)


@dataclass
class Invoice:
    layout: int
    lang: str  # "de" or "en"
    currency: str
    vendor: Party
    customer: Party
    number: str
    date: dt.date
    due_date: dt.date
    customer_number: str
    order_number: str
    payment_reference: str
    items: list[Item]
    prepaid: float = 0.0
    printed: set[str] = field(default_factory=set)  # optional fields the layout shows
    payment_methods: list[str] = field(default_factory=list)

    def tax_groups(self) -> list[tuple[float, float, float]]:
        """(rate, net, tax) per rate, highest rate first."""
        nets: dict[float, float] = {}
        for item in self.items:
            nets[item.tax_rate] = round(nets.get(item.tax_rate, 0.0) + item.total, 2)
        return [(r, n, round(n * r / 100 + 1e-9, 2)) for r, n in sorted(nets.items(), reverse=True)]

    @property
    def net(self) -> float:
        return round(sum(n for _, n, _ in self.tax_groups()), 2)

    @property
    def tax(self) -> float:
        return round(sum(t for _, _, t in self.tax_groups()), 2)

    @property
    def gross(self) -> float:
        return round(self.net + self.tax, 2)

    @property
    def due_payable(self) -> float:
        return round(self.gross - self.prepaid, 2)

    def money(self, value: float, symbol: str | None = None) -> str:
        text = f"{value:,.2f}"
        if self.lang == "de":
            text = text.replace(",", "X").replace(".", ",").replace("X", ".")
        if symbol is None:
            return text
        if symbol in ("€", "EUR", "GBP", "USD") and (self.lang == "de" or symbol != "€"):
            return f"{text} {symbol}"
        return f"{symbol}{text}"

    def qty(self, value: float) -> str:
        text = f"{value:g}"
        return text.replace(".", ",") if self.lang == "de" else text

    def rate(self, value: float) -> str:
        return self.qty(value) + " %" if self.lang == "de" else self.qty(value) + "%"

    def truth(self) -> dict[str, Any]:
        p = self.printed
        vendor, customer = self.vendor, self.customer
        groups = self.tax_groups()
        return {
            "layout": self.layout,
            "language": self.lang,
            "number": self.number,
            "date": self.date.isoformat(),
            "due_date": self.due_date.isoformat() if "due_date" in p else None,
            "currency": self.currency,
            "net_amount": self.net,
            "tax_amount": self.tax,
            "gross_amount": self.gross,
            "due_payable_amount": self.due_payable,
            "payment_reference": self.payment_reference if "payment_reference" in p else None,
            "order_numbers": [self.order_number] if "order_number" in p else [],
            "payment_methods": sorted(self.payment_methods),
            "vendor": {
                "name": vendor.name,
                "address": vendor.address,
                "vat_id": vendor.vat_id if "vendor_vat" in p else None,
                "tax_number": vendor.tax_number if "vendor_tax_number" in p else None,
                "banking_information": (
                    [{"iban": vendor.iban, "bic": vendor.bic}] if "bank" in p else []
                ),
                "e_mail": vendor.email if "email" in p else None,
                "phone": vendor.phone if "phone" in p else None,
                "url": vendor.url if "url" in p else None,
            },
            "customer": {
                "name": customer.name,
                "address": customer.address,
                "vat_id": customer.vat_id if "customer_vat" in p else None,
                "customer_number": self.customer_number if "customer_number" in p else None,
            },
            "tax_calculation": [
                {"tax_rate": r, "net_amount": n, "tax_amount": t} for r, n, t in groups
            ],
            "line_item": [
                {
                    "pos_id": it.pos if "pos" in p else None,
                    "description": it.description,
                    "quantity": it.quantity,
                    "unit_price": it.unit_price,
                    "total_price": it.total,
                    "tax_rate": it.tax_rate if "item_tax" in p else None,
                }
                for it in self.items
            ],
        }


# --- random data ---------------------------------------------------------------------------


def _iban(rng: random.Random, country: str) -> str:
    if country == "DE":
        bban = "".join(rng.choice("0123456789") for _ in range(18))
    else:
        bban = rng.choice(["BARC", "HBUK", "LOYD", "NWBK"]) + "".join(
            rng.choice("0123456789") for _ in range(14)
        )
    digits = "".join(str(int(c, 36)) for c in bban + country + "00")
    return f"{country}{98 - int(digits) % 97:02d}{bban}"


def _slug(name: str) -> str:
    first = name.split()[0].lower()
    return "".join(
        {"ä": "ae", "ö": "oe", "ü": "ue", "ß": "ss"}.get(c, c) for c in first if c.isalnum()
    )


def _party(rng: random.Random, country: str, vendor: bool) -> Party:
    if country == "DE":
        name = f"{rng.choice(DE_SURNAMES)} {rng.choice(DE_TRADES)} {rng.choice(DE_FORMS)}"
        street = f"{rng.choice(DE_STREETS)} {rng.randint(1, 140)}{rng.choice(['', '', '', 'a'])}"
        city_line = f"{rng.randint(1067, 99998):05d} {rng.choice(DE_CITIES)}"
        vat = "DE" + "".join(rng.choice("0123456789") for _ in range(9))
        taxno = f"{rng.randint(10, 99)}/{rng.randint(100, 999)}/{rng.randint(10000, 99999)}"
        bank, bic = rng.choice(DE_BANKS)
        tld, phone = "de", f"+49 {rng.randint(30, 999)} {rng.randint(100000, 9999999)}"
    elif country == "GB":
        name = f"{rng.choice(EN_NAMES)} {rng.choice(EN_TRADES)} {rng.choice(UK_FORMS)}"
        street = f"{rng.randint(1, 220)} {rng.choice(UK_STREETS)}"
        city, postcode = rng.choice(UK_CITIES)
        city_line = f"{city} {postcode}"
        vat = "GB" + "".join(rng.choice("0123456789") for _ in range(9))
        taxno = None
        bank, bic = rng.choice(UK_BANKS)
        tld, phone = (
            "co.uk",
            f"+44 {rng.randint(20, 161)} {rng.randint(1000, 9999)} {rng.randint(1000, 9999)}",
        )
    else:
        name = f"{rng.choice(EN_NAMES)} {rng.choice(EN_TRADES)} {rng.choice(US_FORMS)}"
        street = f"{rng.randint(100, 9800)} {rng.choice(US_STREETS)}"
        city, state, zipcode = rng.choice(US_CITIES)
        city_line = f"{city}, {state} {zipcode}"
        vat, taxno, bank, bic = None, None, None, None
        tld, phone = (
            "com",
            f"({rng.randint(201, 989)}) {rng.randint(200, 999)}-{rng.randint(1000, 9999)}",
        )
    party = Party(name, street, city_line, vat_id=vat, tax_number=taxno)
    if vendor:
        party.bank, party.bic = bank, bic
        party.iban = _iban(rng, country) if country in ("DE", "GB") else None
        slug = _slug(name)
        party.email = f"{rng.choice(['info', 'rechnung', 'billing', 'accounts'])}@{slug}.{tld}"
        party.url = f"www.{slug}.{tld}"
        party.phone = phone
    return party


def _number(rng: random.Random, year: int) -> str:
    n = rng.randint(1, 99999)
    return rng.choice(
        [
            f"RE-{year}-{n:05d}",
            f"{year}-{n:05d}",
            f"INV-{n:05d}",
            f"R{year % 100}{n:05d}",
            f"{rng.randint(10000000, 99999999)}",
            f"{year}/{n:04d}",
        ]
    )


def make_invoice(layout: int, seed: int) -> Invoice:
    rng = random.Random(layout * 1_000_003 + seed)
    country = {2: "GB", 4: "US", 8: "GB", 10: "GB"}.get(layout, "DE")
    lang = "de" if country == "DE" and layout not in (6, 9) else "en"
    currency = {"DE": "EUR", "GB": "GBP", "US": "USD"}[country]
    vendor = _party(rng, country, vendor=True)
    customer = _party(rng, country, vendor=False)
    date = dt.date(2023, 1, 1) + dt.timedelta(days=rng.randint(0, 900))
    due = date + dt.timedelta(days=rng.choice([7, 10, 14, 30]))
    number = _number(rng, date.year)
    pool = DE_ITEMS if lang == "de" else EN_ITEMS
    mixed = layout in (3, 7, 9)  # only layouts that print a per-item tax column
    count = rng.randint(14, 34) if rng.random() < 0.15 else rng.randint(1, 7)
    items = []
    for i in range(count):
        desc, rate = rng.choice(pool)
        if country == "US":
            rate = 8.25
        elif country == "GB":
            rate = 20
        elif not mixed:
            rate = 19
        elif rate not in (7, 19):
            rate = 19 if rate else 7
        qty = rng.choice([1, 1, 2, 3, 5, 10, 12, 25, 0.5, 2.5, 7.5])
        price = round(rng.choice([rng.uniform(1, 60), rng.uniform(50, 1500)]), 2)
        items.append(
            Item(
                str(i + 1), desc, float(qty), price, float(rate), rng.choice(["Stk", "Std", "psch"])
            )
        )
    return Invoice(
        layout=layout,
        lang=lang,
        currency=currency,
        vendor=vendor,
        customer=customer,
        number=number,
        date=date,
        due_date=due,
        customer_number=rng.choice(["KD-", "C-", "", "K"]) + str(rng.randint(1000, 99999)),
        order_number=rng.choice(["PO-", "B-", "45", "A-"]) + str(rng.randint(10000, 999999)),
        payment_reference=number,
        items=items,
    )


# --- drawing helpers -----------------------------------------------------------------------


@dataclass
class Col:
    key: str  # pos, desc, qty, unit, price, total, tax
    header: str
    x1: float
    x2: float
    align: str = "left"


def _cell(inv: Invoice, item: Item, key: str, symbol: str | None) -> str:
    return {
        "pos": item.pos,
        "desc": item.description,
        "qty": inv.qty(item.quantity),
        "unit": item.unit,
        "price": inv.money(item.unit_price, symbol),
        "total": inv.money(item.total, symbol),
        "tax": inv.rate(item.tax_rate),
    }[key]


Header = Callable[[Canvas, Invoice], float]


def draw_table(
    c: Canvas,
    inv: Invoice,
    cols: list[Col],
    y: float,
    style: str,
    continuation: Header,
    symbol: str | None = None,
    row_h: float = 15,
    size: float = 9,
) -> float:
    """Draw the item table, breaking pages as needed; returns y below the table."""
    edges = [cols[0].x1 - 4] + [(a.x2 + b.x1) / 2 for a, b in itertools.pairwise(cols)]
    edges.append(cols[-1].x2 + 4)

    def header(y: float) -> float:
        if style == "shaded":
            c.rect(edges[0], y - 11, edges[-1] - edges[0], row_h, fill=0.85)
        for col in cols:
            x = col.x2 if col.align == "right" else col.x1
            c.text(x, y, col.header, size=size, bold=True, align=col.align)
        if style == "grid":
            for a, b in itertools.pairwise(edges):
                c.rect(a, y - 11, b - a, row_h)
        elif style in ("lines", "shaded"):
            c.line(edges[0], y + 4, edges[-1], y + 4)
        return y + row_h

    y = header(y)
    for item in inv.items:
        if y > 730:
            c.new_page()
            y = header(continuation(c, inv))
        for col in cols:
            x = col.x2 if col.align == "right" else col.x1
            c.text(x, y, _cell(inv, item, col.key, symbol), size=size, align=col.align)
        if style == "grid":
            for a, b in itertools.pairwise(edges):
                c.rect(a, y - 11, b - a, row_h)
        elif style == "lines":
            c.line(edges[0], y + 4, edges[-1], y + 4, width=0.3)
        y += row_h
    if style in ("lines", "shaded", "plain"):
        c.line(edges[0], y - 11, edges[-1], y - 11)
    return y + 8


def ensure_room(c: Canvas, inv: Invoice, y: float, need: float, continuation: Header) -> float:
    if y + need <= 760:
        return y
    c.new_page()
    return continuation(c, inv) + 10


def draw_pairs(
    c: Canvas,
    pairs: list[tuple[str, str]],
    x_label: float,
    x_value: float,
    y: float,
    step: float = 13,
    size: float = 9,
    value_align: str = "left",
    bold_last: bool = False,
) -> float:
    for i, (label, value) in enumerate(pairs):
        bold = bold_last and i == len(pairs) - 1
        c.text(x_label, y, label, size=size, bold=bold)
        c.text(x_value, y, value, size=size, bold=bold, align=value_align)
        y += step
    return y


def number_pages(c: Canvas, fmt: Callable[[int, int], str], x: float, align: str) -> None:
    for i in range(c.page_count):
        c.text(x, 822, fmt(i + 1, c.page_count), size=8, align=align, page=i)


def de_long_date(d: dt.date) -> str:
    return f"{d.day}. {MONTHS_DE[d.month - 1]} {d.year}"


def en_long_date(d: dt.date) -> str:
    return f"{d.day} {MONTHS_EN[d.month - 1]} {d.year}"


def de_short_date(d: dt.date) -> str:
    return d.strftime("%d.%m.%Y")


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
    inv.payment_methods = ["bank_transfer"]
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
    inv.payment_methods = ["check", "credit_card"]
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
    inv.payment_methods = ["bank_transfer", "paypal"]
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
    inv.payment_methods = ["bank_transfer", "credit_card"]
    number_pages(c, lambda i, n: f"Page {i}/{n}", 545, "right")


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
    inv.payment_methods = ["direct_debit"]
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
    inv.payment_methods = ["bank_transfer"]
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
    inv.payment_methods = ["bank_transfer"]
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
    inv.payment_methods = ["bank_transfer", "credit_card"]
    if c.page_count > 1:
        number_pages(c, lambda i, n: f"Page {i} of {n}", 545, "right")


LAYOUTS: dict[int, Callable[[Canvas, Invoice], None]] = {
    1: layout_1,
    2: layout_2,
    3: layout_3,
    4: layout_4,
    5: layout_5,
    6: layout_6,
    7: layout_7,
    8: layout_8,
    9: layout_9,
    10: layout_10,
}


def generate_document(layout: int, seed: int) -> tuple[bytes, dict[str, Any]]:
    inv = make_invoice(layout, seed)
    canvas = Canvas()
    LAYOUTS[layout](canvas, inv)
    truth = inv.truth()
    truth["pages"] = canvas.page_count
    return canvas.to_pdf(), truth


# --- scans and bundles ---------------------------------------------------------------------


def render_scan(pdf_bytes: bytes, seed: int, dpi: int | None = None) -> list[bytes]:
    """Each page as a PNG that looks scanned: grey, noisy, slightly rotated."""
    import pypdfium2 as pdfium
    import pyvips

    rng = random.Random(seed)
    dpi = dpi or rng.choice([200, 240, 300])
    doc = pdfium.PdfDocument(pdf_bytes)
    pages = []
    for index in range(len(doc)):
        bitmap = doc[index].render(scale=dpi / 72, grayscale=True)
        pil = bitmap.to_pil().convert("L")
        image = pyvips.Image.new_from_memory(pil.tobytes(), pil.width, pil.height, 1, "uchar")
        image = image.gaussblur(0.6 + rng.random() * 0.4)
        noise = pyvips.Image.gaussnoise(image.width, image.height, sigma=18, mean=0)
        image = (image + noise).cast("uchar")
        angle = rng.uniform(-1.0, 1.0)
        image = image.rotate(angle, background=[255])
        image = (image * rng.uniform(0.85, 1.0) + rng.uniform(0, 25)).cast("uchar")
        pages.append(image.pngsave_buffer())
    doc.close()
    return list(pages)


def blank_pdf_page() -> bytes:
    return Canvas().to_pdf()


def concat_pdfs(parts: list[bytes]) -> bytes:
    out = pikepdf.new()
    for part in parts:
        src = pikepdf.open(io.BytesIO(part))
        out.pages.extend(src.pages)
    buf = io.BytesIO()
    out.save(buf, deterministic_id=True)
    return buf.getvalue()


def generate_bundle(layouts: list[int], seed: int) -> tuple[bytes, list[list[int]]]:
    """2-6 documents (sometimes with blank separator pages) and their 1-based page groups."""
    rng = random.Random(seed)
    parts: list[bytes] = []
    groups: list[list[int]] = []
    page = 1
    for i in range(rng.randint(2, 6)):
        if i and rng.random() < 0.2:
            parts.append(blank_pdf_page())
            page += 1
        pdf, truth = generate_document(rng.choice(layouts), rng.randint(0, 10**6))
        parts.append(pdf)
        groups.append(list(range(page, page + truth["pages"])))
        page += truth["pages"]
    return concat_pdfs(parts), groups


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("out", type=Path)
    parser.add_argument("--layout", type=int, action="append")
    parser.add_argument("--count", type=int, default=3)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--scan", action="store_true")
    args = parser.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    for layout in args.layout or ALL_LAYOUTS:
        for n in range(args.count):
            seed = args.seed + n
            pdf, truth = generate_document(layout, seed)
            stem = args.out / f"layout{layout}_{seed}"
            stem.with_suffix(".pdf").write_bytes(pdf)
            stem.with_suffix(".json").write_text(json.dumps(truth, indent=1, ensure_ascii=False))
            if args.scan:
                for i, png in enumerate(render_scan(pdf, seed)):
                    (args.out / f"layout{layout}_{seed}_p{i + 1}.png").write_bytes(png)


if __name__ == "__main__":
    main()
