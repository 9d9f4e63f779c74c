"""Checks and normalisers for the values an invoice carries.

Every parser returns None when the text is not a valid value of its kind, so a
caller can try candidates in order and keep the first that parses.
"""

from __future__ import annotations

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
    # Saudi Arabia (ZATCA): 15 digits, the first and the last a 3
    "SA": r"3\d{13}3",
}
_SAUDI_VAT = re.compile(r"3\d{13}3")
# the labels a bare Saudi VAT number is printed under (English and Arabic)
_VAT_LABEL = re.compile(r"\b(?:vat|tax|trn)\b|ضريب", re.I)


def normalize_vat_id(text: str) -> str | None:
    vat = re.sub(r"[\s.\-]", "", text).upper()
    if vat.startswith("CHE"):
        vat = "CH" + vat[2:]
    pattern = VAT_FORMATS.get(vat[:2])
    if pattern is None or not re.fullmatch(pattern, vat[2:]):
        return None
    return vat



def saudi_vat_number(text: str, label: str) -> str | None:
    """A Saudi VAT number printed without its country code ('310122393500003'): only
    next to a VAT label ('VAT No.', 'TRN', 'الرقم الضريبي')."""
    digits = re.sub(r"[\s.\-]", "", text)
    if _SAUDI_VAT.fullmatch(digits) is None or _VAT_LABEL.search(label) is None:
        return None
    return digits
