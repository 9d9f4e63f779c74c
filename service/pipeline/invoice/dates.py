"""Calendar dates from the forms invoices print them in."""

from __future__ import annotations

import datetime as dt
import re

from service.pipeline.invoice.amounts import western_digits

MONTHS: dict[str, int] = {}
for _number, _names in enumerate(
    [
        # English, German, French, Dutch, Spanish, Italian
        "january januar jan jänner jän janvier janv januari enero ene gennaio genn gen",
        "february februar feb février fevrier févr fevr februari febrero febbraio febb",
        "march märz maerz mar mär mrz mars maart mrt marzo",
        "april apr avril avr abril abr aprile",
        "may mai mei mayo maggio mag",
        "june juni jun juin junio giugno giu",
        "july juli jul juillet juil julio luglio lug",
        "august aug août aout augustus agosto ago",
        "september sept sep septembre septiembre setiembre settembre set",
        "october oktober oct okt octobre oktober octubre ottobre ott",
        "november nov novembre noviembre",
        "december dezember dec dez décembre decembre déc diciembre dic dicembre",
    ],
    start=1,
):
    for _name in _names.split():
        MONTHS[_name] = _number

_MONTH_RE = "|".join(sorted(MONTHS, key=len, reverse=True))
_NUMERIC_DATE = re.compile(r"(\d{1,4})([./-])(\d{1,2})\2(\d{2,4})")
_DAY_MONTH_YEAR = re.compile(
    rf"(\d{{1,2}})(?:er|st|nd|rd|th|º|°)?\.?\s*(?:de\s+)?({_MONTH_RE})(?![^\W\d_])\.?,?\s*"
    rf"(?:de\s+|del\s+)?(\d{{4}})", re.I
)
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
    text = western_digits(text.strip())
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

