"""Amounts and currencies as invoices print them."""

from __future__ import annotations

import re

_AMOUNT = re.compile(
    r"[-\u2212]?\d{1,3}(?:[.,' ]\d{3})*(?:[.,]\d{1,2})?(?!\d)|[-\u2212]?\d+(?:[.,]\d{1,2})?"
)


def parse_amount(text: str) -> float | None:
    """A number from '1.234,56', '1,234.56', '1234.5', '-12,00 €', "1'234.00".

    A single separator followed by exactly three digits is read as thousands
    ('1.234' = 1234), which is what invoices mean far more often than not.
    """
    cleaned = text.strip().replace("\u2212", "-")
    cleaned = re.sub(r"[€$£¥]|EUR|USD|GBP|CHF|\s(?=\d{3}\b)", "", cleaned).strip()
    negative = cleaned.startswith("-") or cleaned.endswith("-") or cleaned.startswith("(")
    digits = re.sub(r"[^\d.,']", "", cleaned)
    if not digits or not re.fullmatch(r"[\d.,']+", digits) or not digits[0].isdigit():
        return None
    if not digits[-1].isdigit():
        return None
    last_dot, last_comma = digits.rfind("."), digits.rfind(",")
    decimal_at = max(last_dot, last_comma)
    if decimal_at >= 0 and len(digits) - decimal_at - 1 == 3:
        # '1.234' or '1,234,567': every separator groups thousands
        if last_dot >= 0 and last_comma >= 0:
            return None
        decimal_at = -1
    if decimal_at >= 0:
        integer, fraction = digits[:decimal_at], digits[decimal_at + 1 :]
        if not re.fullmatch(r"\d{1,2}", fraction):
            return None
    else:
        integer, fraction = digits, ""
    groups = re.split(r"[.,']", integer)
    if len(groups) > 1 and (not 1 <= len(groups[0]) <= 3 or any(len(g) != 3 for g in groups[1:])):
        return None
    value = float("".join(groups) + ("." + fraction if fraction else ""))
    return -value if negative else value


CURRENCIES: dict[str, str] = {
    "€": "EUR",
    "eur": "EUR",
    "euro": "EUR",
    "euros": "EUR",
    "$": "USD",
    "usd": "USD",
    "us$": "USD",
    "dollar": "USD",
    "dollars": "USD",
    "£": "GBP",
    "gbp": "GBP",
    "pound": "GBP",
    "pounds": "GBP",
    "chf": "CHF",
    "fr.": "CHF",
    "sfr": "CHF",
    "¥": "JPY",
    "jpy": "JPY",
    "sek": "SEK",
    "nok": "NOK",
    "dkk": "DKK",
    "pln": "PLN",
    "czk": "CZK",
    "huf": "HUF",
    "cad": "CAD",
    "aud": "AUD",
}


def normalize_currency(text: str) -> str | None:
    token = text.strip().lower()
    if token in CURRENCIES:
        return CURRENCIES[token]
    for symbol in ("€", "$", "£", "¥"):
        if symbol in token:
            return CURRENCIES[symbol]
    return None


def find_amounts(text: str) -> list[str]:
    """Substrings of text that look like one amount each."""
    return [m.group(0) for m in _AMOUNT.finditer(text)]
