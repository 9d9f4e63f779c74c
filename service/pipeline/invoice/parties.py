"""Vendor and customer: names, addresses, VAT ids, bank accounts, contacts."""

from __future__ import annotations

import re
from typing import Any

from service.pipeline.invoice.address_struct import section_address
from service.pipeline.invoice.banking import bank_accounts
from service.pipeline.invoice.blocks import (
    CUSTOMER_LABEL,
    LEGAL_FORM,
    SHIP_LABEL,
    VENDOR_LABEL,
    Block,
    customer_score,
    find_blocks,
    find_inline_addresses,
    letterhead_names,
)
from service.pipeline.invoice.layout import Layout, Tok, norm
from service.pipeline.invoice.misreads import Repaired, repair_vat_id
from service.pipeline.invoice.parsers import (
    find_labeled,
    first,
    parse_ident,
    parse_phone,
    parse_tax_number,
)
from service.pipeline.invoice.party_sections import SALUTATION, sections
from service.pipeline.invoice.validators import normalize_vat_id, saudi_vat_number
from service.pipeline.invoice.values import Candidate, Extraction, cand_ex, ex, seg_value


def parties(layout: Layout, skip: set[int]) -> tuple[dict[str, Any], dict[str, Any]]:
    inline = [a for a in find_inline_addresses(layout) if a.row.page == 1]
    senders = {norm(seg_value(a.name)) for a in inline if a.name}
    blocks = [b for b in find_blocks(layout, 1) if b.city_index >= 2 or b.label]
    # a block under the name of a sender line ('Bei Spiel GmbH · Ecke 12 · ...') is the
    # issuer's own address, never the addressee's
    scored = sorted((b for b in blocks if norm(b.name.text) not in senders),
                    key=lambda b: -customer_score(b, layout))
    customer_block = scored[0] if scored and customer_score(scored[0], layout) > 1 else None
    if customer_block is not None and VENDOR_LABEL.match(customer_block.label):
        customer_block = None
    customer_toks = {id(t) for t in customer_block.toks()} if customer_block else set()
    vendor_section, customer_section = sections(layout)
    if customer_section is not None:
        customer_toks |= {id(t) for t in customer_section.toks}

    vendor_name = _vendor_name(layout, blocks, customer_block, inline)
    named_vendor = vendor_section.name if vendor_section else None
    named_customer = customer_section.name if customer_section else None
    if named_vendor:
        vendor_name = ex(seg_value(named_vendor), 0.9, named_vendor)
    vendor_addr = _vendor_address(layout, blocks, customer_block, inline, vendor_name)

    vat_vendor, vat_customer = _vat_ids(layout, customer_toks, repair=False)
    if vat_vendor is None or vat_customer is None:  # none as printed: one read with look-alikes
        vendor_fix, customer_fix = _vat_ids(layout, customer_toks, repair=True)
        vat_vendor, vat_customer = vat_vendor or vendor_fix, vat_customer or customer_fix

    banking = bank_accounts(layout, skip, customer_toks)
    emails = [
        Candidate(t.text.strip(".,;:<>()"), [t], 0.9, row)
        for row in layout.rows
        for t in row.toks
        if re.fullmatch(r"[\w.+-]+@[\w-]+(\.[\w-]+)+", t.text.strip(".,;:<>()"))
        and id(t) not in customer_toks
    ]
    urls = [
        Candidate(t.text.strip(".,;:<>()|"), [t], 0.85, row)
        for row in layout.rows
        for t in row.toks
        if re.fullmatch(
            r"(https?://)?www\.[\w-]+(\.[\w-]+)+(/\S*)?|https?://\S+", t.text.strip(".,;:<>()|")
        )
        and id(t) not in customer_toks
    ]
    phone = next(
        (
            c
            for c in find_labeled(layout, "phone", parse_phone, skip, same_row=True)
            if not any(id(t) in customer_toks for t in c.toks)
        ),
        None,
    )
    if phone is None:
        phone = _bare_phone(layout, customer_toks)
    tax_number = first(find_labeled(layout, "tax_number", parse_tax_number, skip, same_row=True))

    vendor = {
        "name": vendor_name,
        "address": vendor_addr,
        "vat_id": _vat_ex(vat_vendor),
        "tax_number": cand_ex(tax_number),
        "banking_information": banking,
        "e_mail": cand_ex(emails[0] if emails else None),
        "phone": cand_ex(phone),
        "url": cand_ex(urls[0] if urls else None),
    }
    customer: dict[str, Any] = {
        "name": None,
        "address": None,
        "vat_id": _vat_ex(vat_customer),
        "tax_number": None,
        "customer_number": cand_ex(
            first(find_labeled(layout, "customer_number", parse_ident, skip))
        ),
    }
    if customer["customer_number"] is None and customer_section and customer_section.number:
        number = customer_section.number
        customer["customer_number"] = ex(number[0].text.strip(":"), 0.8, number)
    if customer_block is not None:
        conf = 0.6 + 0.1 * min(3, customer_score(customer_block, layout))
        name = customer_block.name
        if SALUTATION.match(norm(name.text)) and customer_block.city_index >= 3:
            name = customer_block.lines[1]  # 'Herrn' above 'Max Mustermann'
        customer["name"] = ex(seg_value(name.toks), conf, name.toks)
        street = customer_block.street
        if street is not None and customer_block.city_index >= 1:
            toks = street.toks + customer_block.city.toks
            customer["address"] = ex(f"{street.text}, {customer_block.city.text}", conf, toks)
    if named_customer:
        customer["name"] = ex(seg_value(named_customer), 0.9, named_customer)
    # an address printed in a party's own section is that party's, whatever block was
    # taken for it above (a section layout prints the seller's address in a footer too)
    for party, section in ((vendor, vendor_section), (customer, customer_section)):
        found = section_address(section.toks) if section is not None else None
        if found is not None:
            party["address"] = found
    if customer["name"] and vendor_name and norm(customer["name"]["value"]) == norm(
        vendor_name["value"]
    ):
        customer["name"] = None  # the issuer is never the addressee
    return vendor, customer


VatCandidate = tuple[Candidate, Repaired | None]
_THEIR_LABEL = re.compile(
    r"\b(ihre|your|customer|kunde|käufer|buyer|client|acheteur|destinataire|klant|afnemer|"
    r"cliente|comprador|committente|المشتري|العميل)"
)


def _vat_ids(
    layout: Layout, customer_toks: set[int], repair: bool
) -> tuple[VatCandidate | None, VatCandidate | None]:
    """The first vendor and customer VAT ids, as printed or (repair) with look-alikes."""
    vendor: VatCandidate | None = None
    customer: VatCandidate | None = None
    for row, seg in layout.segments():
        for i in range(len(seg.toks)):
            for j in range(i + 1, min(i + 5, len(seg.toks)) + 1):
                toks = seg.toks[i:j]
                text = "".join(t.text for t in toks).strip(".,;:")
                if repair:
                    text = text.rsplit(":", 1)[-1]  # a label stuck to it: 'USt-IdNr.:DE...'
                    fixed = repair_vat_id(text)
                    vat = fixed.value if fixed else None
                else:
                    fixed, vat = None, normalize_vat_id(text)
                label = [t.text for t in row.toks if t.x2 <= toks[0].x1][-5:]
                if vat is None and not repair:
                    # a bare Saudi number, its label on its left or (Arabic) its right
                    vat = saudi_vat_number(text, " ".join(t.text for t in row.toks))
                elif vat is not None and not re.match(r"[A-Za-z]{2}", text):
                    continue
                if vat is None:
                    continue
                theirs = id(toks[0]) in customer_toks or _THEIR_LABEL.search(
                    norm(" ".join(label) + " " + seg.text))
                cand = (Candidate(vat, toks, 0.75 if fixed else 0.9, row), fixed)
                if theirs:
                    customer = customer or cand
                else:
                    vendor = vendor or cand
                break
    return vendor, customer


def _vat_ex(found: VatCandidate | None) -> Extraction | None:
    if found is None:
        return None
    cand, fixed = found
    return cand_ex(cand, note=fixed.note) if fixed else cand_ex(cand)


def _bare_phone(layout: Layout, customer_toks: set[int]) -> Candidate | None:
    """An unlabelled phone number in the letterhead: '+44 20 7946 0958', '(415) 555-0100'."""
    height = layout.page_sizes[1][1]
    for row, seg in layout.segments():
        if row.page != 1 or row.y1 > 0.3 * height or any(id(t) in customer_toks for t in seg.toks):
            continue
        if re.fullmatch(r"(?:\+\d{1,3}|\(\d{2,5}\))[\d ()/\-]{6,}\d", seg.text):
            return Candidate(seg.text, list(seg.toks), 0.7, row)
    return None


def _vendor_name(
    layout: Layout, blocks: list[Block], customer: Block | None, inline: list[Any]
) -> Extraction | None:
    scores: dict[str, tuple[float, list[Tok]]] = {}
    customer_lines = {norm(line.text) for line in customer.lines} if customer else set()

    def add(toks: list[Tok], prior: float) -> None:
        text = seg_value(toks)
        key = norm(text)
        if not key or key in customer_lines or CUSTOMER_LABEL.match(key) or SHIP_LABEL.match(key):
            return
        bonus = 2.0 if LEGAL_FORM.search(text) else 0.0
        old = scores.get(key)
        scores[key] = ((old[0] + 1.0) if old else prior + bonus, old[1] if old else toks)

    for block in blocks:
        if VENDOR_LABEL.match(block.label) and block.city_index >= 2:
            add(block.name.toks, 4.0)
    for address in inline:
        if address.name:
            add(address.name, 2.5)
    for block in blocks:
        if block.sender:  # the issuer's name right above the addressee's 'Herrn'
            add(block.sender[0].toks, 3.0)
    heads = [toks for _, toks in letterhead_names(layout)
             if norm(seg_value(toks)) not in customer_lines
             and not SHIP_LABEL.match(norm(seg_value(toks)))]
    for rank, toks in enumerate(heads[:3]):
        add(toks, 3.0 - rank)
    height = layout.page_sizes[1][1]
    for block in blocks:
        if block is not customer and block.city_index >= 2 and block.y1 > 0.75 * height:
            add(block.name.toks, 1.0)
    for block in blocks:
        if block is not customer and block.city_index >= 2 and not SHIP_LABEL.match(block.label):
            add(block.name.toks, 0.5)
    if not scores:
        return None
    # a name printed again elsewhere (footer, sender line) is more surely the sender
    for key in list(scores):
        hits = sum(1 for row in layout.rows if key in norm(row.text))
        if hits > 1:
            score, toks = scores[key]
            scores[key] = (score + 0.5 * min(hits - 1, 3), toks)
    best_key = max(scores, key=lambda k: scores[k][0])
    score, toks = scores[best_key]
    return ex(seg_value(toks), min(0.95, 0.5 + 0.08 * score), toks)


def _vendor_address(
    layout: Layout,
    blocks: list[Block],
    customer: Block | None,
    inline: list[Any],
    name: Extraction | None,
) -> Extraction | None:
    key = norm(name["value"]) if name else None
    height = layout.page_sizes[1][1]
    options: list[tuple[float, list[Tok], list[Tok]]] = []
    for block in blocks:
        if block is customer or SHIP_LABEL.match(block.label) or block.street is None:
            continue
        prior = 1.0
        if key and norm(block.name.text) == key:
            prior = 4.0
        elif block.city_index == 1 and block.y1 < 0.25 * height:
            prior = 2.5  # street and city printed under or beside the letterhead
        options.append((prior, block.street.toks, block.city.toks))
    for address in inline:
        prior = 2.0
        if key and address.name and norm(seg_value(address.name)) == key:
            prior = 3.5
        elif address.row.y1 < 0.25 * height:
            prior = 3.0
        options.append((prior, address.street, address.city))
    if not options:
        return None
    prior, street, city = max(options, key=lambda o: o[0])
    return ex(
        f"{seg_value(street)}, {seg_value(city)}", min(0.9, 0.5 + 0.1 * prior), street + city
    )
