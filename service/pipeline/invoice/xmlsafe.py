"""E-invoice XML parsed with the standard library, safely, with namespaces dropped.

E-invoices (CII, UBL) never carry a DTD, so any document that declares one is
refused before parsing: that shuts out entity expansion ("billion laughs") and
external entities, which is what defusedxml's forbid_dtd does. The byte size is
bounded by the caller's setting before anything is parsed.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET

CII = "cii"  # CrossIndustryInvoice (ZUGFeRD 2.x, Factur-X, XRechnung) and ZUGFeRD 1.0
UBL = "ubl"  # UBL Invoice and CreditNote

_DECLARATIONS = re.compile(rb"<!(?:DOCTYPE|ENTITY)", re.I)


class XmlProblem(Exception):
    """The XML is not an e-invoice folio can read; the message says why, for a note."""


def parse(data: bytes, max_bytes: int) -> tuple[str, ET.Element]:
    """The flavour and root of an e-invoice XML, tags and attributes without namespaces."""
    if len(data) > max_bytes:
        raise XmlProblem(f"the e-invoice XML is larger than {max_bytes} bytes")
    if _DECLARATIONS.search(data):
        raise XmlProblem("the e-invoice XML declares a DTD or entities, which is not allowed")
    try:
        root = ET.fromstring(data)
    except ET.ParseError as exc:
        retried = _without_declaration(data)
        if retried is None:
            raise XmlProblem(f"the e-invoice XML is malformed ({exc})") from None
        root = retried
    for element in root.iter():
        element.tag = local(element.tag)
        if element.attrib:
            element.attrib = {local(k): v for k, v in element.attrib.items()}
    # the ZUGFeRD 1.0 release candidate's root is also called Invoice
    if root.tag in ("CrossIndustryInvoice", "CrossIndustryDocument") or (
        root.find("HeaderExchangedDocument") is not None
    ):
        return CII, root
    if root.tag in ("Invoice", "CreditNote"):
        return UBL, root
    raise XmlProblem(f"the XML is not a CII or UBL invoice (its root is {root.tag!r})")


def _without_declaration(data: bytes) -> ET.Element | None:
    """The document parsed as UTF-8 without its XML declaration (one that names a bogus
    encoding, say), or None when that does not parse either."""
    match = re.match(rb"\s*<\?xml[^>]*\?>", data)
    if match is None:
        return None
    try:
        return ET.fromstring(data[match.end() :].decode("utf-8"))
    except (ET.ParseError, UnicodeDecodeError):
        return None


def local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1] if isinstance(tag, str) else ""


def text(element: ET.Element | None, path: str = ".") -> str | None:
    """The stripped text at path below element, None when absent or empty."""
    if element is None:
        return None
    found = element.find(path)
    if found is None or found.text is None:
        return None
    value = " ".join(found.text.split())
    return value or None


def child(element: ET.Element | None, *names: str) -> ET.Element | None:
    """The first direct child whose tag is one of names (CII versions rename elements)."""
    if element is None:
        return None
    for name in names:
        found = element.find(name)
        if found is not None:
            return found
    return None


def amount(element: ET.Element | None, path: str = ".") -> float | None:
    value = text(element, path)
    if value is None:
        return None
    try:
        return float(value)
    except ValueError:
        return None


def xml_date(element: ET.Element | None, path: str = ".") -> str | None:
    """An ISO date from CII's format 102 (YYYYMMDD) or an ISO date string.

    A CII path ending in /DateTimeString also finds the date written straight
    into its parent, as ZUGFeRD 1.0's release candidate did.
    """
    value = text(element, path)
    if value is None and path.endswith("/DateTimeString"):
        value = text(element, path.rsplit("/", 1)[0])
    if value is None:
        return None
    digits = re.sub(r"\D", "", value)
    if len(digits) >= 8:
        return f"{digits[:4]}-{digits[4:6]}-{digits[6:8]}"
    return None
