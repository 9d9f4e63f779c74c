"""PDF/A checks for the tests: Apache PDFBox Preflight (Debian's libpdfbox2-java) and the
PDF/A-2 rules Preflight does not know.

Preflight validates PDF/A-1b only; no PDF/A-2 validator is installable from the
registries this project uses (veraPDF is in none of them). So a PDF/A-2b file
is checked by running Preflight on a copy that claims part 1 — every PDF/A-1b
rule our files meet is a PDF/A-2b rule too — with exactly one PDF/A-1-only
finding expected: the ICC v4 output profile (PDF/A-1 wants ICC v2; PDF/A-2,
ISO 19005-2 6.2.3, allows ICC.1:2004, i.e. v4). The PDF/A-2 specifics are then
checked structurally here.
"""

from __future__ import annotations

import subprocess
from pathlib import Path

import pikepdf

JARS = ("preflight", "pdfbox2", "fontbox2", "xmpbox", "commons-logging", "javax.activation",
        "jaxb-api")
PDFA1_ONLY = {"2.1.6 : Invalid graphics object, Invalid version of the ICCProfile"}


def preflight(path: Path) -> list[str]:
    """Preflight's findings as 'code : message' lines; [] for a valid PDF/A-1b file."""
    classpath = ":".join(f"/usr/share/java/{jar}.jar" for jar in JARS)
    done = subprocess.run(
        ["java", "-cp", classpath, "org.apache.pdfbox.preflight.Validator_A1b", str(path)],
        capture_output=True, text=True, timeout=120, check=False)
    out = done.stdout + done.stderr
    if "is a valid PDF/A-1b file" in out:
        return []
    assert "is not a valid PDF/A-1b file" in out, out  # Preflight itself ran
    return [line.strip() for line in out.splitlines()[1:] if " : " in line]


def as_part_one(path: Path, out: Path) -> Path:
    with pikepdf.open(path) as pdf:
        meta = pdf.Root.Metadata.read_bytes()
        assert meta.count(b"<pdfaid:part>2</pdfaid:part>") == 1
        pdf.Root.Metadata = pdf.make_stream(
            meta.replace(b"<pdfaid:part>2</pdfaid:part>", b"<pdfaid:part>1</pdfaid:part>"))
        pdf.Root.Metadata.Type = pikepdf.Name.Metadata
        pdf.Root.Metadata.Subtype = pikepdf.Name.XML
        pdf.save(out)
    return out


def pdfa2_findings(path: Path) -> list[str]:
    """The PDF/A-2b rules specific to part 2, and those Preflight is lenient on."""
    problems = []
    with pikepdf.open(path) as pdf:
        if not pdf.trailer.get("/ID"):
            problems.append("no file identifier")
        if pdf.is_encrypted:
            problems.append("encrypted")
        meta = pdf.Root.get("/Metadata")
        if meta is None or "/Filter" in meta:
            problems.append("metadata missing or filtered")
        else:
            xmp = meta.read_bytes()
            for needed in (b"<pdfaid:part>2</pdfaid:part>",
                           b"<pdfaid:conformance>B</pdfaid:conformance>"):
                if needed not in xmp:
                    problems.append(f"XMP lacks {needed.decode()}")
        intents = pdf.Root.get("/OutputIntents", [])
        profiles = {intent.DestOutputProfile.objgen for intent in intents}
        if len(intents) < 1 or len(profiles) != 1:
            problems.append("not exactly one output profile")
        for intent in intents:
            icc = intent.DestOutputProfile.read_bytes()
            if intent.S != "/GTS_PDFA1" or icc[16:20] != b"RGB " or icc[8] not in (2, 4):
                problems.append("output intent is not an RGB ICC v2/v4 GTS_PDFA1 one")
        for key in ("/OpenAction", "/AA", "/Names", "/AF"):
            if key in pdf.Root:
                problems.append(f"catalog has {key}")
        for page in pdf.pages:
            if "/AA" in page.obj or "/Group" in page.obj:
                problems.append("page with actions or a transparency group")
            for name, image in page.Resources.get("/XObject", {}).items():
                if image.get("/Interpolate") is True or "/SMask" in image:
                    problems.append(f"image {name} interpolated or transparent")
            for font in page.Resources.get("/Font", {}).values():
                for cid_font in font.get("/DescendantFonts", []):
                    if "/FontFile2" not in cid_font.FontDescriptor or \
                            "/CIDToGIDMap" not in cid_font:
                        problems.append("CID font not embedded or without CIDToGIDMap")
    return problems
