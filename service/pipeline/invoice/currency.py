"""The invoice's currency: the code or symbol printed most, read with its context.

A bare '$' is the US dollar unless the page places the sender in another dollar country
(Canada, Australia, New Zealand, Singapore, Hong Kong); 'kr' is the krona or krone of the
country the page names.
"""

from __future__ import annotations

import re

from service.pipeline.invoice.amounts import normalize_currency
from service.pipeline.invoice.layout import Layout, Tok

_SYMBOLS = re.compile(r"[€£$₹﷼]")
_DOLLAR_COUNTRIES = [
    (re.compile(r"\b(canada|ontario|qu[ée]bec|british columbia|alberta|gst/hst|hst)\b", re.I),
     "CAD"),
    (re.compile(r"\b(australia|abn|new south wales|nsw|queensland)\b", re.I), "AUD"),
    (re.compile(r"\b(new zealand|nzbn|auckland|wellington)\b", re.I), "NZD"),
    (re.compile(r"\b(singapore|uen)\b", re.I), "SGD"),
    (re.compile(r"\bhong kong\b", re.I), "HKD"),
]
_KRONA_COUNTRIES = [
    (re.compile(r"\b(sverige|sweden|moms)\b", re.I), "SEK"),
    (re.compile(r"\b(norge|norway|mva)\b", re.I), "NOK"),
    (re.compile(r"\b(danmark|denmark)\b", re.I), "DKK"),
]


def _code(tok: Tok) -> str | None:
    text = tok.text.strip(".,:;()")
    code = normalize_currency(text) if len(text) <= 4 and not text.isdigit() else None
    if code is None and _SYMBOLS.search(tok.text):
        code = normalize_currency(tok.text)
    if code is not None and (len(text) <= 3 or _SYMBOLS.search(text)):
        return code
    if text.lower() == "kr":
        return "kr"
    return None


def _in_context(code: str, toks: list[Tok], fulltext: str) -> str:
    if code == "USD" and all("$" in t.text and "US" not in t.text for t in toks):
        return next((c for p, c in _DOLLAR_COUNTRIES if p.search(fulltext)), code)
    if code == "kr":
        return next((c for p, c in _KRONA_COUNTRIES if p.search(fulltext)), "SEK")
    return code


def find_currency(layout: Layout) -> tuple[str | None, float, list[Tok]]:
    counts: dict[str, list[Tok]] = {}
    for row in layout.rows:
        for tok in row.toks:
            code = _code(tok)
            if code is not None:
                counts.setdefault(code, []).append(tok)
    if not counts:
        return None, 0.0, []
    code, toks = max(counts.items(), key=lambda kv: len(kv[1]))
    total = sum(len(v) for v in counts.values())
    fulltext = "\n".join(r.text for r in layout.rows)
    return _in_context(code, toks, fulltext), 0.6 + 0.35 * len(toks) / total, toks[:3]
