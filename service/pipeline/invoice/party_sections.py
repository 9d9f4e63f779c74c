"""Party names under a section heading: 'Verkäufer' / 'Seller' / 'Vendeur' above the
issuer's details, 'Käufer' / 'Bill to' / 'Client' above the addressee's.

Under the heading, a 'Name:' label gives the name; without one the name is the first line
that is neither a labelled value ('Nummer: 549910'), a salutation ('Herrn', 'Mr.') nor a
number.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from service.pipeline.invoice.layout import Layout, Row, Segment, Tok, norm

_VENDOR_WORDS = (
    r"(verkäufer|lieferant|rechnungs(?:er)?steller|leistungserbringer|absender|seller|supplier|"
    r"vendor|from|issued by|vendeur|fournisseur|émetteur|prestataire|leverancier|verkoper|"
    r"afzender|proveedor|vendedor|emisor|fornitore|venditore|cedente(?: prestatore)?|"
    # XRechnung's visualisation: 'Informationen zum Verkäufer', 'Information about the seller'
    r"informationen zum verkäufer|information about the seller|البائع|المورد)"
)
_CUSTOMER_WORDS = (
    r"(käufer|leistungsempfänger|rechnungsempfänger|kunde|empfänger|buyer|customer|"
    r"bill(?:ed)? to|invoice to|sold to|acheteur|client|destinataire|factur[ée] à|"
    r"koper|klant|afnemer|factuuradres|cliente|comprador|destinatario|"
    r"cessionario(?: committente)?|informationen zum käufer|information about the buyer|"
    r"المشتري|العميل)"
)
# 'Käufer/Leistungsempfänger', and an Arabic heading beside its English one
_HEADING_END = r"(?:\s*/\s*[\w ]+|\s+[\u0600-\u06ff ]+)?\s*:?$"
VENDOR_HEADING = re.compile(rf"^{_VENDOR_WORDS}{_HEADING_END}")
CUSTOMER_HEADING = re.compile(rf"^{_CUSTOMER_WORDS}{_HEADING_END}")
# the heading and the name on one line: 'SELLER: DMBP NANTES', 'Bill to: Acme Corp'
_VENDOR_INLINE = re.compile(rf"^{_VENDOR_WORDS}\s*:\s*(?=.*[^\W\d_]{{3}})")
_CUSTOMER_INLINE = re.compile(rf"^{_CUSTOMER_WORDS}\s*:\s*(?=.*[^\W\d_]{{3}})")
_NAME_LABEL = re.compile(
    r"^(name|firma|firmenname|company|company name|raison sociale|nom|naam|bedrijfsnaam|nombre|"
    r"razón social|nome|"
    r"ragione sociale|denominazione)\s*:?$"
)
SALUTATION = re.compile(r"^(herrn?|frau|firma|mr\.?|mrs\.?|ms\.?|m\.|mme\.?|dhr\.?|mevr\.?|"
                         r"sr\.?|sra\.?|sig\.?(?:ra)?\.?|z\. ?hd\.?.*|attn\.?.*)$")
_NUMBER_LABEL = re.compile(
    r"^(?:kunden-?)?(?:nummer|nr\.?|number|no\.?|id|customer (?:no\.?|number|id)|"
    r"n° client|numéro(?: client)?|klantnummer|número(?: de cliente)?|codice cliente)"
    r"\s*:?\s*[\w-]*\d"
)
_ROWS = 8


@dataclass(slots=True)
class Section:
    """A party's block under its heading: its name and every word printed in it."""

    name: list[Tok] | None
    toks: list[Tok]
    number: list[Tok] | None  # the party's number there ('Nummer: GE2020211')


def sections(layout: Layout) -> tuple[Section | None, Section | None]:
    """The vendor's and the customer's sections, where a heading names them."""
    vendor = customer = None
    for page in sorted(layout.page_sizes)[:2]:
        rows = layout.page_rows(page)
        for r, row in enumerate(rows):
            for seg in row.segments:
                text = norm(seg.text).lstrip("[(|")  # OCR's '[' before a boxed heading
                if vendor is None and VENDOR_HEADING.match(text):
                    vendor = _section(rows, r, seg)
                elif customer is None and CUSTOMER_HEADING.match(text):
                    customer = _section(rows, r, seg)
                elif vendor is None and (m := _VENDOR_INLINE.match(text)):
                    vendor = _section(rows, r, seg, _after(seg, m.end()))
                elif customer is None and (m := _CUSTOMER_INLINE.match(text)):
                    customer = _section(rows, r, seg, _after(seg, m.end()))
    return vendor, customer


def _after(seg: Segment, end: int) -> list[Tok] | None:
    """The words of the phrase after its first `end` characters: the name after 'SELLER:'."""
    return seg.span(end, len(seg.text)) or None


def _section(rows: list[Row], r: int, heading: Segment, name: list[Tok] | None = None
             ) -> Section:
    """The words below the heading and right of its start, up to the next heading or
    gap, and left of a heading printed beside it; `name`: the name printed on the
    heading's own line."""
    right = min((s.x1 for s in rows[r].segments if s.x1 > heading.x2), default=float("inf"))
    left = heading.x1 - 2 * heading.height
    toks: list[Tok] = []
    number = None
    last = rows[r]
    for row in rows[r + 1 : r + 1 + _ROWS]:
        if row.y1 - last.y2 > 3 * heading.height:
            break
        mine = [t for t in row.toks if left <= t.x1 < right]
        text = norm(" ".join(t.text for t in mine))
        if VENDOR_HEADING.match(text) or CUSTOMER_HEADING.match(text):
            break
        if mine:
            last = row
        toks.extend(mine)
        labelled = _NUMBER_LABEL.match(text)
        if number is None and labelled:
            number = [t for t in mine if re.search(r"\d", t.text)][:1] or None
    return Section(name or _name_below(rows, r, heading), toks, number)


def _under(seg: Segment, heading: Segment) -> bool:
    return heading.x1 - 2 * heading.height <= seg.x1 <= heading.x2 + 2 * heading.height


def _name_below(rows: list[Row], r: int, heading: Segment) -> list[Tok] | None:
    for row in rows[r + 1 : r + 1 + _ROWS]:
        segs = [s for s in row.segments if s.x1 >= heading.x1 - 2 * heading.height]
        if not segs:
            continue
        first = segs[0]
        colon_apart = len(segs) > 1 and segs[1].text.startswith(":")  # 'Nummer' ':' '5499'
        label = norm(first.text + (" " + segs[1].text if colon_apart else ""))
        labelled = re.match(r"^([^\d:]{1,30}?)\s*:\s*(\S.*)?$", label)
        if labelled:
            if not _NAME_LABEL.match(labelled.group(1)):
                continue  # 'Nummer: 549910'
            colon = next(k for k, t in enumerate(first.toks) if ":" in t.text)
            name = first.toks[colon + 1 :] or (segs[1].toks if len(segs) > 1 else [])
            return list(name) or None
        if not _under(first, heading):
            continue
        cell = list(first.toks)
        for seg in segs[1:]:
            if seg.x1 - cell[-1].x2 > 2.5 * seg.height:
                break
            cell.extend(seg.toks)  # 'MUSTERLIEFERANT  GMBH'
        text = norm(" ".join(t.text for t in cell))
        if SALUTATION.match(text) or re.fullmatch(r"[\d\W]+", text) or re.search(r"\d{5,}", text):
            continue  # 'Herrn', '549910', 'GLN 4333741000005'
        if VENDOR_HEADING.match(text) or CUSTOMER_HEADING.match(text):
            return None  # the next section began: no name in this one
        return cell
    return None
