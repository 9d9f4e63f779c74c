"""Marks on a page that tell a document's first page from a later one.

Real invoices rarely print "page 1 of 2", but almost all print a title with the
document's number near the top of their first page ("Rechnung Nr. 42",
"Handelsrechnung Nr. 471102 vom ...", "Facture FA-2017-0009") or a labelled
number ("Rechnungsnummer 471102", "Invoice No: 7"). The splitter reads only
these strict forms: a number read from any "Nr." (customer, order, supplier)
would split a document at its own references.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from service.pipeline.invoice.layout import Layout, norm

# the share of the page height a first page prints its title in
TITLE_ZONE = 0.6

_TYPE = (
    r"(?:keine\s+|pro-?forma-?\s?)?(?:[a-zäöüß]+-?)?(?:rechnung|gutschrift)|buchungshilfe|"
    r"rechnungs-?\s?kor\s?rektur|"
    r"(?:tax\s+|commercial\s+)?invoice|credit\s+note|facture|avoir|factuur|creditnota"
)
_IDENT = r"(?=[a-z0-9./_-]*\d)[a-z0-9][a-z0-9./_-]*"
_DATE = re.compile(r"\d{1,4}[./-]\d{1,2}[./-]\d{1,4}\.?")
# "Rechnung", "KOSTENRECHNUNG", "Invoice" alone in their phrase
_TITLE_ONLY = re.compile(rf"^({_TYPE})(?:\s+(?:seite|page)\s*\d.*)?$")
# "Rechnung Nr. 42", "Rechnung des Versicherers Nr. 01.234", "Gutschrift (...) (389) Nr. 4711"
_TITLE_NUMBER = re.compile(
    rf"^({_TYPE})\b.{{0,50}}?(?:\b(?:nr|no|nummer|number|num)\b\.?|n°|#)\s*:?\s*({_IDENT})"
)
# "Facture FA-2017-0009", "Invoice #123 of 3 Aug 2014"
_TITLE_IDENT = re.compile(
    rf"^({_TYPE})\s*(?:#|n°)?\s*:?\s*({_IDENT})(?:\s+(?:vom|du|of|dated|from|van)\b.*)?$"
)
_LABEL = re.compile(
    r"^(?:rechnungs-?(?:nummer|nr)|rechnung\s*nr|invoice\s*(?:no|number|#)|"
    r"n°\s*(?:de\s*)?facture|facture\s*n°|num[ée]ro\s*de\s*facture|factuur\s*(?:nummer|nr)|"
    r"factuurnummer|beleg-?(?:nr|nummer))(?!\w)\.?\s*:?\s*"
)
_VALUE = re.compile(rf"^({_IDENT})")
# order documents (Order-X, EDI printouts), read only where a page has no invoice title:
# "PURCHASE ORDER: PO123456789", "ORDER CHANGE: PO123456789-C02", "Bestellung Nr. 4711"
ORDER_ZONE = 0.2
_ORDER_TYPE = (
    r"purchase\s+order|order\s+(?:change|response|confirmation|cancellation)|"
    r"bestellung|auftragsbest[äa]tigung|bon\s+de\s+commande"
)
_ORDER_TITLE = re.compile(
    rf"^({_ORDER_TYPE})\s*(?:(?:nr|no|nummer|number)\b\.?)?\s*:?\s*({_IDENT})$"
)
# who issued the page: VAT ids, e-mail domains and web hosts (not IBANs: a direct debit
# prints the buyer's)
_VAT_ID = re.compile(r"\b[A-Z]{2}U? ?[0-9A-Z]{0,2}\d{8,11}(?:B\d{2})?\b")
_MAIL_OR_WEB = re.compile(r"@([\w-]+(?:\.[\w-]+)+)|(?:https?://|\bwww\.)(?:www\.)?([\w-]+(?:\.[\w-]+)+)")
# "W A R E N R E C H N U N G": letters printed apart for emphasis
_SPACED = re.compile(r"\b(?:\w ){3,}\w\b")


@dataclass(frozen=True, slots=True)
class Marks:
    title: str | None  # the document type of a title in the top part of the page ("rechnung")
    number: str | None  # the document's own number, as printed with its title or label
    senders: frozenset[str] = frozenset()  # identifiers of the parties printed on the page


NO_MARKS = Marks(title=None, number=None)


def _ident(text: str) -> str | None:
    m = _VALUE.match(text)
    if m is None:
        return None
    value = m.group(1).rstrip("./-")
    return None if _DATE.fullmatch(value) else value


def parties(text: str) -> frozenset[str]:
    found = {m.group(0).replace(" ", "") for m in _VAT_ID.finditer(text)}
    found |= {(m.group(1) or m.group(2)).lower() for m in _MAIL_OR_WEB.finditer(text)}
    return frozenset(found)


def page_marks(layout: Layout, height: int) -> Marks:
    title: str | None = None
    number: str | None = None
    for row in layout.rows:
        if row.y1 > height * TITLE_ZONE:
            continue
        # producers space words widely: a row's phrases are read together from each one on
        raw = [s.text for s in row.segments]
        segments = [_SPACED.sub(lambda m: m.group(0).replace(" ", ""), norm(t)) for t in raw]
        whole = " ".join(segments)
        if m := _TITLE_ONLY.match(whole):
            title = title or m.group(1)
        for text, original in zip(segments, raw, strict=True):
            if original.isupper() and (m := _TITLE_ONLY.match(text)):
                title = title or m.group(1)
        for k in range(len(segments)):
            rest = " ".join(segments[k:])
            m = _TITLE_NUMBER.match(rest) or _TITLE_IDENT.match(rest)
            if m and (value := _ident(m.group(2))):
                title = title or m.group(1)
                number = number or value
                break
            if number is None and (m := _LABEL.match(rest)):
                number = _ident(rest[m.end():])
    if title is None and number is None:
        title, number = _order_marks(layout, height)
    text = "\n".join(row.text for row in layout.rows)
    return Marks(title=title, number=number, senders=parties(text))


def is_order(title: str | None) -> bool:
    return title is not None and re.fullmatch(_ORDER_TYPE, title) is not None


def _order_marks(layout: Layout, height: int) -> tuple[str | None, str | None]:
    """The type and number of an order document, from a phrase at the top of the page."""
    for row in layout.rows:
        if row.y1 > height * ORDER_ZONE:
            continue
        segments = [norm(s.text) for s in row.segments]
        for k in range(len(segments)):
            if (m := _ORDER_TITLE.match(" ".join(segments[k:]))) and (value := _ident(m.group(2))):
                return re.sub(r"\s+", " ", m.group(1)), value
    return None, None
