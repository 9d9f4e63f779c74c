"""Checks and normalisers for the values an invoice carries.

Every parser returns None when the text is not a valid value of its kind, so a
caller can try candidates in order and keep the first that parses.
"""

from __future__ import annotations

import datetime as dt
import re

# ISO 13616 registry lengths (SEPA countries and the common others).
IBAN_LENGTHS: dict[str, int] = {
    "AD": 24,
    "AE": 23,
    "AL": 28,
    "AT": 20,
    "AZ": 28,
    "BA": 20,
    "BE": 16,
    "BG": 22,
    "BH": 22,
    "BR": 29,
    "CH": 21,
    "CR": 22,
    "CY": 28,
    "CZ": 24,
    "DE": 22,
    "DK": 18,
    "DO": 28,
    "EE": 20,
    "EG": 29,
    "ES": 24,
    "FI": 18,
    "FO": 18,
    "FR": 27,
    "GB": 22,
    "GE": 22,
    "GI": 23,
    "GL": 18,
    "GR": 27,
    "GT": 28,
    "HR": 21,
    "HU": 28,
    "IE": 22,
    "IL": 23,
    "IS": 26,
    "IT": 27,
    "JO": 30,
    "KW": 30,
    "KZ": 20,
    "LB": 28,
    "LI": 21,
    "LT": 20,
    "LU": 20,
    "LV": 21,
    "MC": 27,
    "MD": 24,
    "ME": 22,
    "MK": 19,
    "MR": 27,
    "MT": 31,
    "MU": 30,
    "NL": 18,
    "NO": 15,
    "PK": 24,
    "PL": 28,
    "PS": 29,
    "PT": 25,
    "QA": 29,
    "RO": 24,
    "RS": 22,
    "SA": 24,
    "SE": 24,
    "SI": 19,
    "SK": 24,
    "SM": 27,
    "TN": 24,
    "TR": 26,
    "UA": 29,
    "VG": 24,
    "XK": 20,
}


def normalize_iban(text: str) -> str | None:
    """The IBAN without spaces if its length and mod-97 checksum are right."""
    iban = re.sub(r"[\s-]", "", text).upper()
    if not re.fullmatch(r"[A-Z]{2}\d{2}[A-Z0-9]{8,30}", iban):
        return None
    if IBAN_LENGTHS.get(iban[:2]) != len(iban):
        return None
    digits = "".join(str(int(c, 36)) for c in iban[4:] + iban[:4])
    return iban if int(digits) % 97 == 1 else None


_BIC = re.compile(r"[A-Z]{4}([A-Z]{2})[A-Z2-9][A-NP-Z0-9]([A-Z0-9]{3})?")


def normalize_bic(text: str) -> str | None:
    bic = re.sub(r"\s", "", text).upper()
    match = _BIC.fullmatch(bic)
    if match is None or (match.group(1) not in IBAN_LENGTHS and match.group(1) not in _BIC_ONLY):
        return None
    return bic


_BIC_ONLY = {"US", "CA", "JP", "CN", "AU", "IN", "SG", "HK", "NZ", "ZA", "MX"}

# EU VAT identification numbers after the two-letter prefix (Greece uses EL).
VAT_FORMATS: dict[str, str] = {
    "AT": r"U\d{8}",
    "BE": r"[01]\d{9}",
    "BG": r"\d{9,10}",
    "CY": r"\d{8}[A-Z]",
    "CZ": r"\d{8,10}",
    "DE": r"\d{9}",
    "DK": r"\d{8}",
    "EE": r"\d{9}",
    "EL": r"\d{9}",
    "ES": r"[A-Z0-9]\d{7}[A-Z0-9]",
    "FI": r"\d{8}",
    "FR": r"[A-HJ-NP-Z0-9]{2}\d{9}",
    "HR": r"\d{11}",
    "HU": r"\d{8}",
    "IE": r"\d{7}[A-W][A-I]?|\d[A-Z+*]\d{5}[A-W]",
    "IT": r"\d{11}",
    "LT": r"\d{9}|\d{12}",
    "LU": r"\d{8}",
    "LV": r"\d{11}",
    "MT": r"\d{8}",
    "NL": r"\d{9}B\d{2}",
    "PL": r"\d{10}",
    "PT": r"\d{9}",
    "RO": r"\d{2,10}",
    "SE": r"\d{10}01",
    "SI": r"\d{8}",
    "SK": r"\d{10}",
    "XI": r"\d{9}|\d{12}|GD\d{3}|HA\d{3}",
    "GB": r"\d{9}|\d{12}|GD\d{3}|HA\d{3}",
    "CH": r"E\d{9}(MWST|TVA|IVA)?",
}


def normalize_vat_id(text: str) -> str | None:
    vat = re.sub(r"[\s.\-]", "", text).upper()
    if vat.startswith("CHE"):
        vat = "CH" + vat[2:]
    pattern = VAT_FORMATS.get(vat[:2])
    if pattern is None or not re.fullmatch(pattern, vat[2:]):
        return None
    return vat


MONTHS: dict[str, int] = {}
for _number, _names in enumerate(
    [
        "january januar jan jänner jän",
        "february februar feb",
        "march märz maerz mar mär mrz",
        "april apr",
        "may mai",
        "june juni jun",
        "july juli jul",
        "august aug",
        "september sept sep",
        "october oktober oct okt",
        "november nov",
        "december dezember dec dez",
    ],
    start=1,
):
    for _name in _names.split():
        MONTHS[_name] = _number

_MONTH_RE = "|".join(sorted(MONTHS, key=len, reverse=True))
_NUMERIC_DATE = re.compile(r"(\d{1,4})([./-])(\d{1,2})\2(\d{2,4})")
_DAY_MONTH_YEAR = re.compile(rf"(\d{{1,2}})\.?\s*({_MONTH_RE})\.?,?\s*(\d{{4}})", re.I)
_MONTH_DAY_YEAR = re.compile(rf"({_MONTH_RE})\.?\s*(\d{{1,2}})(?:st|nd|rd|th)?,?\s*(\d{{4}})", re.I)


def _make_date(year: int, month: int, day: int) -> dt.date | None:
    if year < 100:
        year += 2000
    try:
        return dt.date(year, month, day)
    except ValueError:
        return None


def parse_date(text: str, language: str = "de") -> dt.date | None:
    """A calendar date from the first date-like run in text.

    Slashes mean month/day/year in English text unless the first number cannot
    be a month; dots and dashes (and slashes in German) mean day/month/year.
    """
    text = text.strip()
    match = _NUMERIC_DATE.search(text)
    if match:
        a, sep, b, c = match.group(1), match.group(2), match.group(3), match.group(4)
        if len(a) == 4:
            return _make_date(int(a), int(b), int(c)) if sep == "-" or sep == "/" else None
        if len(c) == 3:
            return None
        day, month = int(a), int(b)
        if sep == "/" and language.startswith("en") and int(a) <= 12:
            day, month = month, day
        return _make_date(int(c), month, day)
    match = _DAY_MONTH_YEAR.search(text)
    if match:
        return _make_date(int(match.group(3)), MONTHS[match.group(2).lower()], int(match.group(1)))
    match = _MONTH_DAY_YEAR.search(text)
    if match:
        return _make_date(int(match.group(3)), MONTHS[match.group(1).lower()], int(match.group(2)))
    return None


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
