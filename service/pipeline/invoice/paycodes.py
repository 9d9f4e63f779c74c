"""What a payment code says: an EPC QR code ('GiroCode') or a Swiss QR-bill.

Both are QR codes whose text is one field per line, in a fixed order:
  EPC069-12 (GiroCode): BCD / version / charset / SCT / BIC / name / IBAN / EUR12.34 /
    purpose / structured reference / unstructured text / note
  Swiss Payment Standards QR-bill: SPC / 0200 / 1 / IBAN / creditor address (type, name,
    5 lines) / ultimate creditor (7 lines) / amount / currency / debtor (7 lines) /
    reference type / reference / message / EPD ...
A payload that does not follow its standard's order gives nothing.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from service.pipeline.invoice.validators import normalize_iban
from service.pipeline.invoice.values import ex


@dataclass(frozen=True, slots=True)
class PaymentCode:
    kind: str  # "EPC QR code" or "Swiss QR-bill"
    iban: str | None
    bic: str | None
    name: str | None
    amount: float | None
    currency: str | None
    reference: str | None


def payment_code(text: str) -> PaymentCode | None:
    lines = [line.strip() for line in text.replace("\r\n", "\n").replace("\r", "\n").split("\n")]
    if lines and lines[0] == "BCD":
        return _epc(lines)
    if lines and lines[0] == "SPC":
        return _swiss(lines)
    return None


def _line(lines: list[str], index: int) -> str:
    return lines[index] if index < len(lines) else ""


_EPC_AMOUNT = re.compile(r"EUR(\d{1,9}(?:\.\d{1,2})?)")


def _epc(lines: list[str]) -> PaymentCode | None:
    if _line(lines, 1) not in ("001", "002") or _line(lines, 3) != "SCT":
        return None
    iban = normalize_iban(_line(lines, 6).replace(" ", ""))
    if iban is None:
        return None
    m = _EPC_AMOUNT.fullmatch(_line(lines, 7))
    amount = float(m.group(1)) if m else None
    # a structured (creditor) reference, else the unstructured remittance text
    reference = _line(lines, 9) or _line(lines, 10) or None
    return PaymentCode("EPC QR code", iban, _line(lines, 4) or None, _line(lines, 5) or None,
                       amount, "EUR" if amount is not None else None, reference)


def _swiss(lines: list[str]) -> PaymentCode | None:
    if not _line(lines, 1).startswith("02"):
        return None
    iban = normalize_iban(_line(lines, 3).replace(" ", ""))
    if iban is None:
        return None
    # 4: address type, 5: creditor name, 6-10: its address; 11-17: ultimate creditor
    amount_text, currency = _line(lines, 18), _line(lines, 19)
    try:
        amount = float(amount_text) if amount_text else None
    except ValueError:
        amount = None
    # 20-26: debtor; 27: reference type (QRR, SCOR, NON), 28: reference
    reference = _line(lines, 28) if _line(lines, 27) in ("QRR", "SCOR") else ""
    return PaymentCode("Swiss QR-bill", iban, None, _line(lines, 5) or None, amount,
                       currency if currency in ("CHF", "EUR") else None, reference or None)


# what a code's value fills when the page has none: the code is machine-read, but the
# print is what the issuer stated, so a filled value ranks below a printed one
FILLED = 0.9


def apply_payment_codes(result: dict[str, Any], texts: Sequence[str]) -> None:
    """Fill the fields the page left empty from the first payment code among `texts`, and
    mark the printed ones the code contradicts (`validation_problem` with a `note`); a
    printed value the code repeats is kept, its confidence raised."""
    code = next((c for c in map(payment_code, texts) if c is not None), None)
    if code is None:
        return
    src = f"the {code.kind}"
    if code.amount is not None:
        _check(result, "due_payable_amount", code.amount, src,
               lambda a, b: isinstance(a, int | float) and abs(a - b) < 0.005)
    if code.currency is not None:
        _check(result, "currency", code.currency, src, lambda a, b: a == b)
    if code.reference is not None:
        _check(result, "payment_reference", code.reference, src, _same_reference)
    vendor = result.setdefault("vendor", {})
    if code.name is not None and not vendor.get("name"):
        # not compared when printed: the account holder's name may be another form of it
        vendor["name"] = ex(code.name, FILLED, [], note=f"from {src}")
    _account(vendor, code, src)


def _check(result: dict[str, Any], key: str, value: Any, src: str,
           same: Callable[[Any, Any], bool]) -> None:
    printed = result.get(key)
    if not printed:
        result[key] = ex(value, FILLED, [], note=f"from {src}")
    elif same(printed["value"], value):
        printed["confidence"] = max(printed["confidence"], 0.95)
        printed["note"] = "; ".join(filter(None, [printed["note"], f"confirmed by {src}"]))
    else:
        printed["validation_problem"] = True
        printed["note"] = "; ".join(filter(None, [printed["note"], f"{src} says {value}"]))


def _compact(text: Any) -> str:
    return re.sub(r"[\W_]+", "", str(text)).casefold()


def _same_reference(printed: Any, coded: Any) -> bool:
    """One holds the other: the code's text often says more ('Rechnung 2024-17')."""
    a, b = _compact(printed), _compact(coded)
    return bool(a and b) and (a in b or b in a)


def _account(vendor: dict[str, Any], code: PaymentCode, src: str) -> None:
    accounts = vendor.setdefault("banking_information", [])
    for account in accounts:
        iban = account.get("iban")
        if iban and iban["value"] == code.iban:
            if code.bic is not None:
                _check(account, "bic", code.bic, src, lambda a, b: a == b)
            iban["confidence"] = max(iban["confidence"], 0.95)
            iban["note"] = "; ".join(filter(None, [iban["note"], f"confirmed by {src}"]))
            return
    # an account the page does not print: kept, and marked when the page prints another
    # (a code pointing elsewhere than the printed IBAN is how invoice fraud looks)
    other = any(a.get("iban") for a in accounts)
    note = f"from {src}" + ("; not the IBAN printed on the page" if other else "")
    accounts.append({
        "iban": ex(code.iban, FILLED, [], problem=other, note=note),
        "bic": None if code.bic is None else ex(code.bic, FILLED, [], note=f"from {src}"),
    })
