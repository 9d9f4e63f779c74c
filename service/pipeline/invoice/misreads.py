"""IBANs and VAT ids as OCR misreads them, repaired only where the result validates.

OCR confuses letters and digits that look alike (O and 0, I, l, | and 1, S and 5, B and 8,
Z and 2, G and 6) and splits a long number with spaces. Where the kind of character a
position must hold is known (the IBAN's country letters and check digits, its country's
BBAN structure, a country's VAT id format), the look-alike is read as that kind. A
repair is kept only when the whole value then validates: the IBAN's registry length and
mod-97 checksum, the VAT id's country format. Where several repairs would validate, none
is kept. A value needing more repairs than a misread allows is not read as one at all.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Callable
from dataclasses import dataclass

from service.pipeline.invoice.validators import IBAN_LENGTHS, VAT_FORMATS, normalize_iban

AS_DIGIT = {
    "O": "0", "o": "0", "D": "0", "Q": "0", "I": "1", "l": "1", "i": "1", "|": "1", "!": "1",
    "L": "1", "S": "5", "s": "5", "B": "8", "Z": "2", "z": "2", "G": "6", "b": "6", "g": "9",
    "q": "9", "T": "7",
}  # fmt: skip
AS_LETTER = {
    "0": "O", "1": "I", "5": "S", "8": "B", "2": "Z", "6": "G", "4": "A", "7": "T", "3": "E",
}  # fmt: skip
# a country code read with a digit: 0E is DE as often as OE
COUNTRY_LETTERS = {"0": "DO", "1": "IL", "5": "S", "8": "B", "2": "Z", "6": "G", "4": "A"}

# BBAN structure after the check digits (ISO 13616 registry): n digits, a letters,
# c either. Countries not listed are taken as all c.
BBAN: dict[str, str] = {
    "AT": "16n", "BE": "12n", "BG": "4a6n8c", "CH": "5n12c", "CY": "8n16c", "CZ": "20n",
    "DE": "18n", "DK": "14n", "EE": "16n", "ES": "20n", "FI": "14n", "FR": "10n11c2n",
    "GB": "4a14n", "GR": "7n16c", "HR": "17n", "HU": "24n", "IE": "4a14n", "IS": "22n",
    "IT": "1a10n12c", "LI": "5n12c", "LT": "16n", "LU": "3n13c", "LV": "4a13c",
    "MC": "10n11c2n", "MT": "4a5n18c", "NL": "4a10n", "NO": "11n", "PL": "24n", "PT": "21n",
    "RO": "4a16c", "SE": "20n", "SI": "15n", "SK": "20n", "SM": "1a10n12c",
}  # fmt: skip

# at most this share of an identifier's characters may be misread for it to count as one
MAX_MISREAD_SHARE = 0.25
# at most this many look-alikes are tried for another character at positions that may
# hold either kind (a mod-97 check passes one wrong reading in 97: few tries, few of those)
MAX_OPEN = 2
_SEPARATORS = " .-"


@dataclass(frozen=True)
class Repaired:
    value: str
    end: int  # the text's characters [start, end) the value was read from
    changes: tuple[str, ...]  # 'O→0', ...

    @property
    def note(self) -> str:
        return "OCR misreading repaired: " + ", ".join(self.changes) if self.changes else ""


def _classes(country: str, length: int) -> str:
    """The kind of each BBAN position: 'n', 'a' or 'c'."""
    spec = BBAN.get(country, f"{length - 4}c")
    return "".join(kind * int(count) for count, kind in re.findall(r"(\d+)([nac])", spec))


def _chars(text: str, start: int, count: int) -> tuple[str, int] | None:
    """count characters from text[start:], separators skipped, and where they end."""
    out: list[str] = []
    pos = start
    while len(out) < count and pos < len(text):
        ch = text[pos]
        if ch.isalnum() or ch == "|" or ch == "!":
            out.append(ch)
        elif ch not in _SEPARATORS:
            return None
        pos += 1
    return ("".join(out), pos) if len(out) == count else None


def _as_kind(ch: str, kind: str) -> str | None:
    """The character a read character must stand for at a position of this kind ('c' keeps
    it as read), or None when it can stand for nothing there."""
    if kind == "n":
        return ch if ch.isdigit() else AS_DIGIT.get(ch)
    if kind == "a":
        return ch.upper() if ch.isascii() and ch.isalpha() else AS_LETTER.get(ch)
    if ch.isascii() and ch.isalnum():
        return ch.upper()
    return AS_DIGIT.get(ch)


def _alternative(ch: str) -> str | None:
    """What a character read at a position that may hold either kind may also stand for."""
    if ch.isdigit():
        return AS_LETTER.get(ch)
    return AS_DIGIT.get(ch)


def _fewest(read: str, kinds: str, valid: Callable[[str], bool]) -> Repaired | None:
    """The reading of read that validates with the fewest look-alikes taken for another
    character; None when there is none, when two differ, or when it takes too many."""
    forced = [_as_kind(ch, kind) for ch, kind in zip(read, kinds, strict=True)]
    if any(ch is None for ch in forced):
        return None
    base = [ch for ch in forced if ch is not None]
    budget = int(MAX_MISREAD_SHARE * len(read))
    changed = sum(1 for r, b in zip(read, base, strict=True) if r.upper() != b)
    if sum(1 for r, k in zip(read, kinds, strict=True) if k != "a" and not r.isdigit()) > budget:
        return None  # mostly letters where digits belong: a word, not a misread number
    open_at = [i for i, k in enumerate(kinds) if k == "c" and _alternative(read[i])]
    for extra in range(0, min(MAX_OPEN, budget - changed) + 1):
        found = set()
        for positions in itertools.combinations(open_at, extra):
            chars = list(base)
            for i in positions:
                chars[i] = (_alternative(read[i]) or chars[i]).upper()
            if valid("".join(chars)):
                found.add("".join(chars))
        if len(found) > 1:
            return None
        if found:
            value = found.pop()
            changes = tuple(
                f"{r}→{v}" for r, v in zip(read, value, strict=True) if r.upper() != v
            )
            return Repaired(value, 0, changes)
    return None


def repair_iban(text: str, start: int) -> Repaired | None:
    """The IBAN starting at text[start], read with look-alike characters repaired."""
    head = _chars(text, start, 2)
    if head is None:
        return None
    for country in _countries(head[0]):
        length = IBAN_LENGTHS[country]
        got = _chars(text, start, length)
        kinds = "aann" + _classes(country, length)
        if got is None or len(kinds) != length:
            continue
        read, end = got
        found = _fewest(country + read[2:], kinds, lambda v: normalize_iban(v) == v)
        if found is not None:
            head_changes = tuple(f"{r}→{c}" for r, c in zip(read[:2], country, strict=True)
                                 if r.upper() != c)
            changes = head_changes + found.changes
            if len(changes) <= MAX_MISREAD_SHARE * length:
                return Repaired(found.value, end, changes)
    return None


def _countries(head: str) -> list[str]:
    firsts = [head[0].upper()] if head[0].isalpha() else list(COUNTRY_LETTERS.get(head[0], ""))
    seconds = [head[1].upper()] if head[1].isalpha() else list(COUNTRY_LETTERS.get(head[1], ""))
    return [a + b for a in firsts for b in seconds if a + b in IBAN_LENGTHS]


_LETTER_FORMAT = re.compile(r"[A-Z]|\[A-Z")


def repair_vat_id(text: str) -> Repaired | None:
    """A VAT id (country prefix as printed, then the number) with look-alikes repaired."""
    compact = re.sub(r"[\s.\-]", "", text)
    if len(compact) < 4 or not (compact[:2].isascii() and compact[:2].isalpha()):
        return None
    country = compact[:2].upper()
    pattern = VAT_FORMATS.get(country)
    if pattern is None:
        return None
    body = compact[2:]
    kinds = ("c" if _LETTER_FORMAT.search(pattern.replace(r"\d", "")) else "n") * len(body)
    found = _fewest(body, kinds, lambda v: re.fullmatch(pattern, v) is not None)
    if found is None or not found.changes:
        return None
    return Repaired(country + found.value, len(text), found.changes)
