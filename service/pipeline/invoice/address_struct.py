"""A party's address as its parts: street, postcode, city and country.

The parties step reads an address as a street line and a city line ('Musterstraße 1,
10115 Berlin'); here the city line is taken apart by the postcode formats the address
blocks know (blocks.CITY_LINE), each part keeping the boxes of its own words. The country
comes from what the postcode shows (a 'D-' or 'F-' prefix, a British, Dutch, Irish, US or
Indian postcode), never guessed from the language of the page.
"""

from __future__ import annotations

import re
from typing import Any

from service.pipeline.invoice.blocks import is_city_line
from service.pipeline.invoice.layout import Layout, Tok
from service.pipeline.invoice.values import Extraction, ex

_PREFIX_COUNTRY = {"D": "DE", "DE": "DE", "A": "AT", "AT": "AT", "CH": "CH", "F": "FR",
                   "FR": "FR", "B": "BE", "BE": "BE", "L": "LU", "LU": "LU", "I": "IT",
                   "IT": "IT", "E": "ES", "ES": "ES", "NL": "NL"}  # fmt: skip
_UK = r"[A-Z]{1,2}\d[A-Z\d]?\s?\d[A-Z]{2}"
# (pattern, country or None): the postcode in group "zip", the place in group "city"
_CITY_FORMS: tuple[tuple[re.Pattern[str], str | None], ...] = (
    # 10115 Berlin, D-10115 Berlin, DE 80333 München (the country code and a space)
    (re.compile(r"^(?:(?P<prefix>[A-Z]{1,2})-|(?P<code>[A-Z]{2})\s)?(?P<zip>\d{4,5})\s+"
                r"(?P<city>[^\W\d_][^\d]*)$"), None),
    (re.compile(r"^(?:NL-)?(?P<zip>\d{4}\s?[A-Z]{2})\s+(?P<city>[A-Z].*)$"), "NL"),
    (re.compile(rf"^(?P<city>[A-Z][A-Za-z' .\-]+?)\s+(?P<zip>{_UK})$"), "GB"),
    (re.compile(rf"^(?P<zip>{_UK})\s+(?P<city>[A-Z][A-Za-z' .\-]+)$"), "GB"),
    (re.compile(r"^(?P<zip>[A-Z]\d{2}\s?[A-Z\d]{4})\s+(?P<city>[A-Z][A-Za-z' .\-]+)$"), "IE"),
    (re.compile(r"^(?P<city>[A-Z][A-Za-z .'\-]+,\s*[A-Z]{2})\s+(?P<zip>\d{5}(?:-\d{4})?)$"),
     "US"),
    (re.compile(r"^(?P<city>[A-Z][A-Za-z .'\-]+?)\s*[-\u2013]?\s*(?P<zip>\d{6})$"), "IN"),
)


def _split_city_line(text: str) -> tuple[str, str, str | None] | None:
    """(postcode, city, country) of a city line, or None when it has no known form."""
    for pattern, country in _CITY_FORMS:
        m = pattern.match(text.strip())
        if m is None:
            continue
        groups = m.groupdict()
        prefix = groups.get("prefix") or groups.get("code")
        if prefix is not None and prefix not in _PREFIX_COUNTRY:
            continue
        found = _PREFIX_COUNTRY.get(prefix or "", country)
        city = re.sub(r",\s*[A-Z]{2}$", "", groups["city"]).strip(" ,")  # 'Austin, TX'
        return groups["zip"], city, found
    return None


_ADDRESS_LABEL = re.compile(r"^(anschrift|adresse|address|indirizzo|dirección|adres)\s*:\s*",
                            re.I)


def _lines(toks: list[Tok]) -> list[list[Tok]]:
    """The words of a section as its printed lines, top to bottom; a line ends at a gap
    wider than two letters' height (what follows is another column's: 'Date of issue')."""
    lines: list[list[Tok]] = []
    for tok in sorted(toks, key=lambda t: (t.page, t.y1, t.x1)):
        last = lines[-1][-1] if lines else None
        if last is not None and last.page == tok.page and abs(tok.y1 - last.y1) < 0.5 * max(
                tok.height, 1e-6):
            lines[-1].append(tok)
        else:
            lines.append([tok])
    out = []
    for line in lines:
        line.sort(key=lambda t: t.x1)
        end = next((k for k in range(1, len(line))
                    if line[k].x1 - line[k - 1].x2 > 2 * line[k].height
                    and not line[k - 1].text.endswith(":")), len(line))  # 'Anschrift:  …'
        out.append(line[:end])
    return out


def _unlabelled(line: list[Tok]) -> list[Tok]:
    """The line without an 'Anschrift:' label in front."""
    text = " ".join(t.text for t in line)
    m = _ADDRESS_LABEL.match(text)
    if m is None:
        return line
    used = 0
    for k, tok in enumerate(line):
        used += len(tok.text) + 1
        if used >= m.end():
            return line[k + 1:]
    return []


def section_address(toks: list[Tok], confidence: float = 0.85) -> Extraction | None:
    """'street, city line' from a party's section ('Anschrift: Lieferantenstraße 20' above
    'DE 80333 München'): the first line that is a city line, and the line above it when
    that is no labelled value of another kind."""
    lines = [_unlabelled(line) for line in _lines(toks)]
    for k, line in enumerate(lines):
        text = " ".join(t.text for t in line)
        bare = re.sub(r"^[A-Z]{2}\s(?=\d)", "", text)  # 'DE 80333 München'
        if not line or not is_city_line(bare) or _split_city_line(text) is None:
            continue  # '7871 Oak Avenue' is a street, not a postcode and a city
        street = lines[k - 1] if k else []
        text = " ".join(t.text for t in street)
        if not street or ":" in text or not re.search(r"\d|[^\W\d_]{3}", text):
            street = []
        city = " ".join(t.text for t in line)
        value = f"{text}, {city}" if street else city
        return ex(value, confidence, street + line)
    return None


def _tokens(layout: Layout) -> dict[tuple[int, int], Tok]:
    return {(t.page, t.bbox_id): t for row in layout.rows for t in row.toks}


def _part(value: str, confidence: float, toks: list[Tok]) -> Extraction:
    want = set(re.findall(r"\w+", value.casefold()))
    mine = [t for t in toks if set(re.findall(r"\w+", t.text.casefold())) & want]
    return ex(value, confidence, mine)


def address_struct(address: Extraction | None,
                   by_ref: dict[tuple[int, int], Tok]) -> dict[str, Any] | None:
    """The parts of an address the parties step read as 'street, city line'."""
    if not address or not isinstance(address.get("value"), str):
        return None
    # the city line is the last part that has a known form ('Austin, TX 78701' has a comma)
    pieces = address["value"].split(", ")
    for k in range(len(pieces) - 1, -1, -1):
        street, city_line = ", ".join(pieces[:k]), ", ".join(pieces[k:])
        parts = _split_city_line(city_line)
        if parts is not None:
            break
    else:
        return None
    zip_code, city, country = parts
    toks = [t for r in address.get("bbox_refs", [])
            if (t := by_ref.get((r["page_num"], r["bbox_id"]))) is not None]
    street_words = set(re.findall(r"\w+", street.casefold()))
    city_toks = [t for t in toks if not set(re.findall(r"\w+", t.text.casefold())) <= street_words]
    confidence = float(address.get("confidence", 0.5))
    return {
        "address_line_1": _part(street, confidence, toks) if street else None,
        "address_line_2": None,
        "zip": _part(zip_code, confidence, city_toks),
        "city": _part(city, confidence, city_toks),
        "country": ex(country, 0.6 * confidence, []) if country else None,
    }


def add_address_structs(parties: tuple[dict[str, Any], ...], layout: Layout) -> None:
    """Each party's `address_struct` from its `address`, where that has a known form."""
    by_ref = _tokens(layout)
    for party in parties:
        party["address_struct"] = address_struct(party.get("address"), by_ref)
