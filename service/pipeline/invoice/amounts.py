"""Amounts and currencies as invoices print them."""

from __future__ import annotations

import re

_AMOUNT = re.compile(
    r"[-\u2212]?\d{1,3}(?:[.,' ]\d{3})*(?:[.,]\d{1,2})?(?!\d)|[-\u2212]?\d+(?:[.,]\d{1,2})?"
)


# Arabic-Indic and Persian digits, the Arabic decimal and thousands separators
_DIGITS = str.maketrans("٠١٢٣٤٥٦٧٨٩۰۱۲۳۴۵۶۷۸۹\u066b\u066c", "01234567890123456789.,")
_MONEY_MARKS = re.compile(r"[€$£¥₹﷼]|ر\.?س\.?|\b(?:EUR|USD|GBP|CHF|INR|SAR|AED|Rs\.?)(?![a-z])")


def western_digits(text: str) -> str:
    return text.translate(_DIGITS)


def _grouped(groups: list[str]) -> bool:
    """'1.234.567' groups thousands; '1,23,456' is the Indian lakh grouping."""
    if len(groups) == 1:
        return True
    if 1 <= len(groups[0]) <= 3 and all(len(g) == 3 for g in groups[1:]):
        return True
    return (len(groups) > 2 and 1 <= len(groups[0]) <= 2 and len(groups[-1]) == 3
            and all(len(g) == 2 for g in groups[1:-1]))


def parse_amount(text: str) -> float | None:
    """A number from '1.234,56', '1,234.56', '1234.5', '-12,00 €', "1'234.00", '1 234,56',
    '1,23,456.78' and Arabic-Indic digits.

    A single separator followed by exactly three digits is read as thousands
    ('1.234' = 1234), which is what invoices mean far more often than not.
    """
    cleaned = western_digits(text.strip()).replace("\u2212", "-")
    cleaned = _MONEY_MARKS.sub("", cleaned)
    cleaned = re.sub(r"(?<=\d)[\s\u202f]+(?=\d{3}\b)", "", cleaned).strip()
    negative = cleaned.startswith("-") or cleaned.endswith("-") or cleaned.startswith("(")
    digits = re.sub(r"[^\d.,'\u2019]", "", cleaned)
    if not digits or not re.fullmatch(r"[\d.,'\u2019]+", digits) or not digits[0].isdigit():
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
    groups = re.split(r"[.,'\u2019]", integer)
    if not _grouped(groups):
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
    "₹": "INR",
    "inr": "INR",
    "rs.": "INR",
    "rs": "INR",
    "sar": "SAR",
    "ر.س": "SAR",
    "﷼": "SAR",
    "aed": "AED",
    "nzd": "NZD",
    "sgd": "SGD",
    "zar": "ZAR",
}


def normalize_currency(text: str) -> str | None:
    token = text.strip().lower()
    if token in CURRENCIES:
        return CURRENCIES[token]
    for symbol in ("€", "$", "£", "¥", "₹", "﷼"):
        if symbol in token:
            return CURRENCIES[symbol]
    return None


def find_amounts(text: str) -> list[str]:
    """Substrings of text that look like one amount each."""
    return [m.group(0) for m in _AMOUNT.finditer(text)]


def parse_number(text: str, decimal_comma: bool | None = None) -> float | None:
    """A table cell's number: an amount, or a unit price or quantity with three or four
    decimals ('3,3333', '5,500'), read with the document's decimal mark where one
    separator and three digits could be either."""
    cleaned = western_digits(text)
    cleaned = re.sub(r"[^\d.,'\u2019\s\-\u2212]", " ", _MONEY_MARKS.sub("", cleaned)).strip()
    match = re.fullmatch(r"([-\u2212]?\d+)([.,])(\d{3,4})", cleaned)
    if match:
        whole, mark, fraction = match.groups()
        if len(fraction) == 4 or (decimal_comma is not None and (mark == ",") == decimal_comma):
            return float(f"{whole.replace(chr(0x2212), '-')}.{fraction}")
    return parse_amount(cleaned)


def decimal_comma(texts: list[str]) -> bool | None:
    """Whether the document writes decimals after a comma, from its two-decimal amounts."""
    comma = sum(len(re.findall(r"\d,\d{2}(?![\d,.])", t)) for t in texts)
    dot = sum(len(re.findall(r"\d\.\d{2}(?![\d,.])", t)) for t in texts)
    return None if comma == dot else comma > dot
