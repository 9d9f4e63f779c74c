"""The e-invoice XML a PDF carries as an attachment (ZUGFeRD, Factur-X, XRechnung).

Attachments are looked up in the document's EmbeddedFiles name tree and its
/AF (associated files) array. The standard names come first; any other *.xml
attachment is a candidate too, and the caller keeps the first that parses as
CII or UBL. Every stream is decompressed with a bound, so an attachment that
inflates past the limit is skipped rather than read whole.
"""

from __future__ import annotations

import zlib
from pathlib import Path

import pikepdf

# ZUGFeRD 1.0, ZUGFeRD 2.x / Factur-X, XRechnung (lower case: names are compared so)
STANDARD_NAMES = ("factur-x.xml", "zugferd-invoice.xml", "xrechnung.xml")


class TooBig(Exception):
    pass


def xml_attachments(path: Path, max_bytes: int) -> list[tuple[str, bytes | None]]:
    """(file name, bytes) of the PDF's XML attachments, standard names first.

    An attachment past max_bytes is listed with None, so the caller can say why.
    """
    found: dict[str, pikepdf.Object] = {}
    try:
        with pikepdf.open(path) as pdf:
            for name, spec in _specs(pdf):
                if name.lower().endswith(".xml") and name not in found:
                    found[name] = spec
            out: list[tuple[str, bytes | None]] = []
            for name, spec in found.items():
                try:
                    out.append((name, _read(spec, max_bytes)))
                except TooBig:
                    out.append((name, None))
    except (pikepdf.PdfError, pikepdf.PasswordError, ValueError, RuntimeError, OSError):
        return []

    def rank(item: tuple[str, bytes | None]) -> int:
        name = item[0].lower()
        return STANDARD_NAMES.index(name) if name in STANDARD_NAMES else len(STANDARD_NAMES)

    return sorted(out, key=rank)


def _specs(pdf: pikepdf.Pdf) -> list[tuple[str, pikepdf.Object]]:
    specs: list[tuple[str, pikepdf.Object]] = []
    names = pdf.Root.get("/Names")
    tree = names.get("/EmbeddedFiles") if isinstance(names, pikepdf.Dictionary) else None
    if isinstance(tree, pikepdf.Dictionary):
        specs += _walk(tree, depth=0)
    for spec in pdf.Root.get("/AF", pikepdf.Array()) or []:
        if isinstance(spec, pikepdf.Dictionary):
            specs.append((_file_name(spec), spec))
    return specs


def _walk(node: pikepdf.Dictionary, depth: int) -> list[tuple[str, pikepdf.Object]]:
    if depth > 16:  # a name tree deeper than this is a loop or an attack
        return []
    out: list[tuple[str, pikepdf.Object]] = []
    pairs = node.get("/Names", pikepdf.Array())
    for i in range(0, len(pairs) - 1, 2):
        spec = pairs[i + 1]
        if isinstance(spec, pikepdf.Dictionary):
            out.append((_file_name(spec) or str(pairs[i]), spec))
    for kid in node.get("/Kids", pikepdf.Array()):
        if isinstance(kid, pikepdf.Dictionary):
            out += _walk(kid, depth + 1)
    return out


def _file_name(spec: pikepdf.Dictionary) -> str:
    for key in ("/UF", "/F"):
        value = spec.get(key)
        if value is not None:
            return str(value).rsplit("/", 1)[-1]
    return ""


def _read(spec: pikepdf.Object, max_bytes: int) -> bytes:
    files = spec.get("/EF")
    if not isinstance(files, pikepdf.Dictionary):
        return b""
    stream = files.get("/UF") or files.get("/F")
    if not isinstance(stream, pikepdf.Stream):
        return b""
    filters = stream.get("/Filter")
    if filters is None:
        data = stream.read_raw_bytes()
    elif filters == pikepdf.Name.FlateDecode or (
        isinstance(filters, pikepdf.Array) and list(filters) == [pikepdf.Name.FlateDecode]
    ):
        inflate = zlib.decompressobj()
        data = inflate.decompress(stream.read_raw_bytes(), max_bytes + 1)
    else:
        if len(stream.read_raw_bytes()) > max_bytes:
            raise TooBig
        data = stream.read_bytes()
    if len(data) > max_bytes:
        raise TooBig
    return data
