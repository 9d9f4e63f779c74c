"""Net, tax and gross totals and the VAT breakdown, chosen so that net + tax = gross."""

from __future__ import annotations

import itertools
import re
from dataclasses import dataclass
from typing import Any

from service.pipeline.invoice.amounts import parse_amount
from service.pipeline.invoice.columns import find_in_column
from service.pipeline.invoice.layout import Layout, Segment, Tok, norm
from service.pipeline.invoice.parsers import AMOUNTISH, find_labeled, parse_money
from service.pipeline.invoice.table import Table, upright
from service.pipeline.invoice.tax_table import exemption, tax_table_rows
from service.pipeline.invoice.values import Candidate, Extraction, cand_ex, ex

_PERCENT = re.compile(r"(\d{1,2}(?:[.,]\d{1,2})?)\s*%")


@dataclass(slots=True)
class TaxLine:
    rate: float
    tax: Candidate | None
    net: Candidate | None


def tax_calculation(layout: Layout, skip: set[int], tables: list[Table]) -> list[TaxLine]:
    lines: dict[float, TaxLine] = {}
    tax_label = re.compile(
        r"^(?:zzgl\.?\s+|inkl\.?\s+|enth\.?\s+|plus\s+)?(?:\d{1,2}(?:[.,]\d{1,2})?\s*%\s*)?"
        r"(?:ust|mwst|umsatzs?steuer|mehrwertsteuer|versicherungs?steuer|value\s+added\s+tax|"
        r"taxe\s+sur\s+la\s+valeur\s+ajout[ée]e|omzetbelasting|"
        r"vat|tax|sales\s+tax|gst|hst|tva|btw|iva)\b"
    )
    for each in layout.rows:
        row = upright(each)  # without a margin note printed sideways
        if id(each) in skip or row is None:
            continue
        text = row.text
        pct = _PERCENT.search(text)
        if pct is None:
            continue
        rate = float(pct.group(1).replace(",", "."))
        amounts = [
            (m, v)
            for m in AMOUNTISH.finditer(text)
            if not re.match(r"\s*%", text[m.end() :]) and m.start() > pct.start()
            and (v := parse_amount(m.group(0))) is not None
        ]
        first_text = norm(row.segments[0].text)
        seg = Segment([t for s in row.segments for t in s.toks])
        if tax_label.match(first_text) and amounts:
            m, value = amounts[-1]
            line = lines.setdefault(rate, TaxLine(rate, None, None))
            line.tax = Candidate(value, seg.span(m.start(), m.end()), 0.9, row)
            if len(amounts) >= 2:
                m2, v2 = amounts[-2]
                line.net = Candidate(v2, seg.span(m2.start(), m2.end()), 0.9, row)
        elif (len(amounts) >= 2 and _TAX_WORD.search(first_text)
              and abs(amounts[-2][1] * rate / 100 - amounts[-1][1]) <= 0.011):
            # 'Steuerbasisbetrag USt. 7%  275,00  19,25': base and tax that agree
            (m2, v2), (m3, v3) = amounts[-2], amounts[-1]
            line = lines.setdefault(rate, TaxLine(rate, None, None))
            line.net = Candidate(v2, seg.span(m2.start(), m2.end()), 0.85, row)
            line.tax = Candidate(v3, seg.span(m3.start(), m3.end()), 0.85, row)
        elif _PERCENT.fullmatch(first_text):
            # a VAT breakdown row: "7 %  1.508,82  105,62", maybe with the totals block beside it
            cells = []
            for cell in row.segments[1:]:
                amount = (parse_amount(cell.text) if re.search(r"\d[.,]\d{2}\b", cell.text)
                          else None)
                if amount is None:
                    break
                cells.append(Candidate(amount, list(cell.toks), 0.9, row))
            for a, b in itertools.pairwise(cells):
                if abs(a.value * rate / 100 - b.value) <= 0.011:
                    line = lines.setdefault(rate, TaxLine(rate, None, None))
                    line.net = line.net or a
                    line.tax = line.tax or b
                    break
    for found in tax_table_rows(layout):  # checked rows of a printed VAT breakdown win
        line = lines.setdefault(found.rate, TaxLine(found.rate, None, None))
        line.net, line.tax = found.net, found.tax
    if not lines and (none := exemption(layout, skip)) is not None:
        lines[0.0] = TaxLine(0.0, none, None)  # 'Umsatzsteuerbefreit nach §19 UStG'
    return sorted(lines.values(), key=lambda t: -t.rate)


def totals(
    layout: Layout, skip: set[int], tax_calc: list[TaxLine], tables: list[Table]
) -> dict[str, Extraction | None]:
    def cands(field: str) -> list[Candidate]:
        found = list(find_labeled(layout, field, parse_money, skip, same_row=True))[:6]
        # then the amounts under their labels in a totals table, the more specific first
        under = sorted(find_in_column(layout, field, parse_money, skip), key=lambda c: c.rank)
        return found + under[:2]

    nets, grosses, dues = cands("net_amount"), cands("gross_amount"), cands("due_payable_amount")
    taxes = cands("tax_amount")
    tax_rows = [t.tax for t in tax_calc if t.tax is not None]
    if len(tax_rows) > 1:
        total = round(sum(c.value for c in tax_rows), 2)
        taxes.insert(
            0, Candidate(total, [t for c in tax_rows for t in c.toks], 0.9, tax_rows[0].row)
        )
    # the printed VAT breakdown's sums, after every labelled candidate
    tax_nets = [t.net for t in tax_calc if t.net is not None]
    if tax_nets and len(tax_nets) == len(tax_calc):
        nets.append(Candidate(round(sum(c.value for c in tax_nets), 2),
                              [t for c in tax_nets for t in c.toks], 0.85, tax_nets[0].row))
    if len(tax_rows) == 1:
        taxes.append(tax_rows[0])
    due_ids = {id(c.row) for c in dues}
    grosses = [g for g in grosses if id(g.row) not in due_ids] or grosses
    item_sum = round(sum(num(i.cells.get("total")) or 0.0 for t in tables for i in t.items), 2)

    best: tuple[Candidate | None, Candidate | None, Candidate | None] = (
        nets[0] if nets else None,
        taxes[0] if taxes else None,
        grosses[0] if grosses else None,
    )
    consistent = False
    for n in nets[:4]:
        for t in taxes[:4]:
            for g in grosses[:4] + dues[:2]:
                adding_up = _adding_up(n, t, g)
                if adding_up is not None:
                    best, consistent = adding_up, True
                    break
            if consistent:
                break
        if consistent:
            break
    if not consistent and nets and grosses:
        # no tax label read, but an amount on a VAT row that closes net + tax = gross
        for n in nets[:2]:
            found = _printed_difference(layout, skip, n, grosses[0])
            if found is not None:
                best, consistent = (n, found, grosses[0]), True
                break
    net, tax, gross = best
    out: dict[str, Extraction | None] = {}
    if consistent:
        boost = 0.05 if item_sum and abs(item_sum - net.value) <= 0.011 else 0.0  # type: ignore[union-attr]
        for key, c in (("net_amount", net), ("tax_amount", tax), ("gross_amount", gross)):
            assert c is not None
            out[key] = ex(c.value, min(0.99, c.confidence + 0.05 + boost), c.toks)
    else:
        note = ""
        if net and tax and gross:
            note = "net + tax does not equal gross"
        out["net_amount"] = cand_ex(net, problem=bool(note), note=note)
        out["tax_amount"] = cand_ex(tax, problem=bool(note), note=note)
        out["gross_amount"] = cand_ex(gross, problem=bool(note), note=note)
        if gross is None and net is not None and tax is not None:
            out["gross_amount"] = ex(round(net.value + tax.value, 2), 0.6, [], note="net + tax")
        if tax is None and net is not None and gross is not None:
            out["tax_amount"] = ex(round(gross.value - net.value, 2), 0.6, [], note="gross - net")
        if net is None and gross is not None and tax is not None and tax.value == 0:
            out["net_amount"] = ex(gross.value, 0.6, gross.toks, note="gross; no tax charged")
        elif net is None and item_sum:
            out["net_amount"] = ex(item_sum, 0.6, [], note="sum of line items")
    gross_ex = out.get("gross_amount")
    due = next((d for d in dues if gross is None or d.row is not gross.row or len(dues) == 1), None)
    if due is not None:
        out["due_payable_amount"] = cand_ex(due)
    elif gross_ex is not None:
        out["due_payable_amount"] = dict(gross_ex, note="no amount due printed; equals gross")
    else:
        out["due_payable_amount"] = None
    return out


def _adding_up(n: Candidate, t: Candidate, g: Candidate
               ) -> tuple[Candidate, Candidate, Candidate] | None:
    """Net, tax and gross if net + tax = gross. On a credit note one of the three may have
    lost its thin minus sign to OCR: it is restored when the other two are negative and
    then it adds up."""
    if n.value == 0:
        return None
    if abs(n.value + t.value - g.value) <= 0.011:
        return n, t, g
    three = [n, t, g]
    for i, c in enumerate(three):
        others = [o.value for j, o in enumerate(three) if j != i]
        if c.value > 0 and all(v < 0 for v in others):
            values = [-o.value if j == i else o.value for j, o in enumerate(three)]
            if abs(values[0] + values[1] - values[2]) <= 0.011:
                three[i] = Candidate(-c.value, c.toks, c.confidence - 0.1, c.row, c.rank)
                return three[0], three[1], three[2]
    return None


_TAX_WORD = re.compile(r"\b(?:ust|mwst|umsatzsteuer|vat|tax|tva|btw|gst)\b", re.I)


def _printed_difference(layout: Layout, skip: set[int], net: Candidate, gross: Candidate
                        ) -> Candidate | None:
    want = round(gross.value - net.value, 2)
    if not want:
        return None
    for row in layout.rows:
        if id(row) in skip or not _TAX_WORD.search(row.text):
            continue
        seg = Segment(list(row.toks))
        for m in AMOUNTISH.finditer(seg.text):
            value = parse_amount(m.group(0))
            if value is not None and abs(value - want) <= 0.011:
                return Candidate(value, seg.span(m.start(), m.end()), 0.8, row)
    return None


def num(toks: list[Tok] | None) -> float | None:
    if not toks:
        return None
    text = " ".join(t.text for t in toks)
    text = re.sub(r"[€£$]|EUR|GBP|USD|CHF", "", text).strip()
    return parse_amount(text)


def tax_calc_out(
    tax_calc: list[TaxLine], result: dict[str, Any], tables: list[Table]
) -> list[Extraction | dict[str, Any]]:
    out: list[Extraction | dict[str, Any]] = []
    net_total = result.get("net_amount")
    if not tax_calc:
        net, tax = result.get("net_amount"), result.get("tax_amount")
        if net and tax and net["value"]:
            rate = round(tax["value"] / net["value"] * 100, 1)
            if rate in (0, 2.5, 5, 7, 7.7, 8.1, 10, 13, 19, 20, 21, 22, 25):
                out.append(
                    {
                        "tax_rate": ex(rate, 0.6, [], note="tax / net"),
                        "tax_amount": tax,
                        "net_amount": net,
                    }
                )
        return out
    by_rate: dict[float, float] = {}
    for table in tables:
        for item in table.items:
            rate = rate_of(item.cells.get("tax"))
            total = num(item.cells.get("total"))
            if rate is not None and total is not None:
                by_rate[rate] = round(by_rate.get(rate, 0.0) + total, 2)
    for line in tax_calc:
        tax_total = result.get("tax_amount")
        if line.rate == 0 and line.net is None and tax_total and tax_total["value"]:
            continue  # 'no tax charged', but the invoice sums a tax: not the one rate
        entry: dict[str, Any] = {
            "tax_rate": ex(line.rate, 0.9, line.tax.toks[:0] if line.tax else [])
        }
        entry["tax_amount"] = cand_ex(line.tax)
        if line.net is not None:
            entry["net_amount"] = cand_ex(line.net)
        elif len(tax_calc) == 1 and net_total is not None:
            entry["net_amount"] = net_total
        elif line.rate in by_rate:
            entry["net_amount"] = ex(
                by_rate[line.rate], 0.8, [], note="sum of line items at this rate"
            )
        elif line.tax is not None and line.rate:
            entry["net_amount"] = ex(
                round(line.tax.value * 100 / line.rate, 2), 0.5, [], note="tax / rate"
            )
        else:
            entry["net_amount"] = None
        net_v = entry["net_amount"]["value"] if entry["net_amount"] else None
        if (
            net_v is not None
            and line.tax is not None
            and abs(net_v * line.rate / 100 - line.tax.value) > 0.02
        ):
            entry["tax_amount"] = ex(
                line.tax.value,
                0.5,
                line.tax.toks,
                problem=True,
                note="tax does not match rate x net",
            )
        out.append(entry)
    return out


def rate_of(toks: list[Tok] | None) -> float | None:
    if not toks:
        return None
    m = re.search(r"(\d{1,2}(?:[.,]\d{1,2})?)", " ".join(t.text for t in toks))
    return float(m.group(1).replace(",", ".")) if m else None

