"""Make a PDF folio wrote (page images + glyphless text layer) a PDF/A-2b file.

What PDF/A-2b asks of such a file, and where it is met:
  - every font embedded, widths consistent, no .notdef shown: `pdf_font`;
  - device colour (DeviceRGB/DeviceGray JPEGs) only with a PDF/A output intent:
    an sRGB one, its ICC profile the one libvips carries (ICC v4, allowed from
    PDF/A-2 on);
  - XMP metadata in the catalog, unfiltered, naming the part and conformance
    (pdfaid:part 2, pdfaid:conformance B), consistent with the Info dictionary;
  - a file identifier (pikepdf writes /ID), no encryption, no active content,
    no embedded files (`active_content`), no transparency groups (none drawn).
"""

from __future__ import annotations

import functools
from datetime import UTC, datetime
from xml.sax.saxutils import escape

import pikepdf
import pyvips

PART = "2"
CONFORMANCE = "B"
PRODUCER = "folio"


@functools.cache
def srgb_profile() -> bytes:
    """libvips' built-in sRGB ICC profile, read off a one-pixel image tagged with it."""
    pixel = pyvips.Image.black(1, 1, bands=3).copy(interpretation="srgb")
    tagged = pixel.icc_transform("srgb", input_profile="srgb", embedded=False)
    return bytes(tagged.get("icc-profile-data"))


def make_pdfa(pdf: pikepdf.Pdf, created: float, title: str | None = None) -> None:
    """Add the output intent and the metadata; `created` (epoch seconds) dates the file.

    The date is an argument, not the clock, so that the same input always gives
    the same bytes (served files are cached and answered in byte ranges).
    """
    profile = pdf.make_stream(srgb_profile())
    profile.N = 3
    intent = pikepdf.Dictionary(
        Type=pikepdf.Name.OutputIntent,
        S=pikepdf.Name.GTS_PDFA1,  # the subtype every PDF/A part uses
        OutputConditionIdentifier=pikepdf.String("sRGB IEC61966-2.1"),
        Info=pikepdf.String("sRGB IEC61966-2.1"),
        DestOutputProfile=profile,
    )
    pdf.Root.OutputIntents = pikepdf.Array([intent])
    when = datetime.fromtimestamp(created, tz=UTC).replace(microsecond=0)
    metadata = pdf.make_stream(xmp_packet(when, title))
    metadata.Type = pikepdf.Name.Metadata
    metadata.Subtype = pikepdf.Name.XML
    pdf.Root.Metadata = metadata
    # the Info dictionary must say what the XMP says
    info = pikepdf.Dictionary(
        Producer=pikepdf.String(PRODUCER),
        Creator=pikepdf.String(PRODUCER),
        CreationDate=pikepdf.String(_pdf_date(when)),
        ModDate=pikepdf.String(_pdf_date(when)),
    )
    if title:
        info.Title = pikepdf.String(title)
    pdf.trailer.Info = pdf.make_indirect(info)


def xmp_packet(when: datetime, title: str | None) -> bytes:
    # namespaces declared on rdf:Description, the layout every PDF/A validator reads
    stamp = when.isoformat()
    title_xml = ("" if not title else
                 "<dc:title><rdf:Alt><rdf:li xml:lang=\"x-default\">"
                 f"{escape(title)}</rdf:li></rdf:Alt></dc:title>\n")
    return (
        '<?xpacket begin="\ufeff" id="W5M0MpCehiHzreSzNTczkc9d"?>\n'
        '<x:xmpmeta xmlns:x="adobe:ns:meta/">\n'
        '<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">\n'
        '<rdf:Description rdf:about=""\n'
        ' xmlns:pdfaid="http://www.aiim.org/pdfa/ns/id/"\n'
        ' xmlns:pdf="http://ns.adobe.com/pdf/1.3/"\n'
        ' xmlns:xmp="http://ns.adobe.com/xap/1.0/"\n'
        ' xmlns:dc="http://purl.org/dc/elements/1.1/">\n'
        f"<pdfaid:part>{PART}</pdfaid:part>\n"
        f"<pdfaid:conformance>{CONFORMANCE}</pdfaid:conformance>\n"
        f"<pdf:Producer>{PRODUCER}</pdf:Producer>\n"
        f"<xmp:CreatorTool>{PRODUCER}</xmp:CreatorTool>\n"
        f"<xmp:CreateDate>{stamp}</xmp:CreateDate>\n"
        f"<xmp:ModifyDate>{stamp}</xmp:ModifyDate>\n"
        f"{title_xml}"
        "</rdf:Description>\n"
        "</rdf:RDF>\n"
        "</x:xmpmeta>\n"
        '<?xpacket end="w"?>'
    ).encode()


def _pdf_date(when: datetime) -> str:
    return when.strftime("D:%Y%m%d%H%M%S+00'00'")
