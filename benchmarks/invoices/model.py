"""A generated invoice: its parties, items and totals, and the truth it scores against."""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass, field
from typing import Any

from benchmarks.invoices.vocab import (
    DE_BANKS,
    DE_CITIES,
    DE_FORMS,
    DE_ITEMS,
    DE_STREETS,
    DE_SURNAMES,
    DE_TRADES,
    EN_ITEMS,
    EN_NAMES,
    EN_TRADES,
    UK_BANKS,
    UK_CITIES,
    UK_FORMS,
    UK_STREETS,
    US_CITIES,
    US_FORMS,
    US_STREETS,
)


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
