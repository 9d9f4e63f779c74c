"""E-invoice XML examples rendered to PDF with the published XRechnung visualization.

    apt-get install fop libsaxonhe-java    # Debian: Apache FOP 2.8, Saxon-HE 9.9 (XSLT 3.0)
    python -m benchmarks.corpus.render_xml --viz /path/to/xrechnung-visualization \\
        --out /work/corpora/dev/rendered/en16931 SRC_DIR [SRC_DIR ...] \\
        [--layouts box-de,tabular-en] [--jobs 1]

Every UBL invoice / credit note and every CII invoice below the SRC_DIRs goes through the
chain of itplr-kosit/xrechnung-visualization's build.xml: ubl-invoice-xr.xsl,
ubl-creditnote-xr.xsl or cii-xr.xsl (XML -> XR model), then xr-pdf.xsl with foengine=fop
(XR -> XSL-FO), then fop with the repository's conf/fop.xconf (its fonts made absolute).
The source XML is then attached to the PDF (factur-x.xml for CII, xrechnung.xml for UBL),
so benchmarks.corpus.depth and .evaluate read its truth as for a ZUGFeRD PDF.

Layouts (xr-pdf.xsl's parameters): box-de (invoiceline-layout=normal, lang=de: the default,
invoice lines as labelled boxes), tabular-de, tabular-en (invoice lines as a table). Every
layout prints each field in labelled sections: a real published layout, but one family.

Examples the visualization rejects (no XR model, no FO, fop fails) are skipped and counted.
Inputs and outputs are third-party data on a local path; nothing here is committed but this
script.
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import subprocess
import sys
import tempfile
import xml.etree.ElementTree as ET
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import pikepdf

SAXON_JAR = Path("/usr/share/java/Saxon-HE.jar")
UBL = "urn:oasis:names:specification:ubl:schema:xsd:"
CII = "urn:un:unece:uncefact:data:standard:CrossIndustryInvoice:100"
STYLESHEETS = {"ubl-invoice": "ubl-invoice-xr.xsl", "ubl-creditnote": "ubl-creditnote-xr.xsl",
               "cii": "cii-xr.xsl"}
# short JVM runs: the client compiler and the serial collector spend a third less CPU
JVM_FLAGS = ["-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC"]
LAYOUTS = {"box-de": ("normal", "de"), "tabular-de": ("tabular", "de"),
           "tabular-en": ("tabular", "en")}


@dataclass(frozen=True)
class Example:
    source: Path
    kind: str  # a key of STYLESHEETS
    stem: str  # the output's file name without suffix, unique in one run


def kind_of(path: Path) -> str | None:
    """Which XR stylesheet reads this XML: a UBL invoice or credit note, a CII invoice."""
    try:
        for _, element in ET.iterparse(path, events=("start",)):
            tag = element.tag
            break
        else:
            return None
    except (ET.ParseError, OSError, UnicodeDecodeError):
        return None
    if tag == f"{{{UBL}Invoice-2}}Invoice":
        return "ubl-invoice"
    if tag == f"{{{UBL}CreditNote-2}}CreditNote":
        return "ubl-creditnote"
    return "cii" if tag == f"{{{CII}}}CrossIndustryInvoice" else None


def find_examples(roots: list[Path]) -> tuple[list[Example], int]:
    """The invoices below roots, with a stem made of their relative path; and how many
    other XML files were passed over."""
    found: list[Example] = []
    other = 0
    stems: set[str] = set()
    for root in roots:
        for path in sorted(p for p in root.rglob("*") if p.suffix.lower() == ".xml"):
            kind = kind_of(path)
            if kind is None:
                other += 1
                continue
            rel = path.relative_to(root).with_suffix("")
            stem = re.sub(r"[^\w.-]+", "_", "__".join(rel.parts))[-120:]
            while stem in stems:
                stem += "_"
            stems.add(stem)
            found.append(Example(path, kind, stem))
    return found, other


def saxon(jar: Path, source: Path, xsl: Path, out: Path, params: dict[str, str]) -> str:
    """One Saxon-HE run (a directory in, a directory out); its stderr tail on failure."""
    out.mkdir(parents=True, exist_ok=True)
    command = ["java", *JVM_FLAGS, "-cp", str(jar), "net.sf.saxon.Transform", f"-s:{source}",
               f"-xsl:{xsl}", f"-o:{out}", *(f"{k}={v}" for k, v in params.items())]
    done = subprocess.run(command, capture_output=True, text=True, timeout=3600)
    return "" if done.returncode == 0 else done.stderr[-400:]


def fop_config(viz: Path, work: Path) -> Path:
    """The visualization's fop.xconf with its font files named by absolute URL (fop
    resolves relative ones against the FO file, not the configuration)."""
    conf = viz / "conf"
    text = (conf / "fop.xconf").read_text()
    text = text.replace('embed-url="fonts/', f'embed-url="{(conf / "fonts").as_uri()}/')
    out = work / "fop.xconf"
    out.write_text(text)
    return out


def fop(config: Path, fo: Path, pdf: Path) -> bool:
    done = subprocess.run(["fop", "-q", "-c", str(config), "-fo", str(fo), "-pdf", str(pdf)],
                          capture_output=True, timeout=600,
                          env={**os.environ, "JAVA_ARGS": " ".join(JVM_FLAGS)})
    return done.returncode == 0 and pdf.is_file() and pdf.stat().st_size > 0


def attach(pdf_in: Path, xml: Path, kind: str, pdf_out: Path) -> None:
    """pdf_in with the source XML attached under the name a ZUGFeRD / XRechnung reader
    looks for first."""
    name = "factur-x.xml" if kind == "cii" else "xrechnung.xml"
    with pikepdf.open(pdf_in) as pdf:
        spec = pikepdf.AttachedFileSpec(pdf, xml.read_bytes(), description="source e-invoice",
                                        filename=name, mime_type="text/xml")
        pdf.attachments[name] = spec
        pdf_out.parent.mkdir(parents=True, exist_ok=True)
        pdf.save(pdf_out)


def _is_model(path: Path) -> bool:
    """An XR model the first stylesheet made (not the near-empty answer to a document it
    cannot read)."""
    if not path.is_file() or path.stat().st_size < 200:
        return False
    try:
        return bool(next(ET.iterparse(path, events=("start",)))[1].tag.endswith("}invoice"))
    except (ET.ParseError, StopIteration):
        return False


def render(examples: list[Example], viz: Path, jar: Path, out: Path, layouts: list[str],
           jobs: int, work: Path) -> Counter[str]:
    counts: Counter[str] = Counter()
    xsl = viz / "src" / "xsl"
    model = work / "xr"
    for kind, sheet in STYLESHEETS.items():
        chosen = [e for e in examples if e.kind == kind]
        if not chosen:
            continue
        staged = work / "in" / kind
        staged.mkdir(parents=True)
        for e in chosen:
            shutil.copyfile(e.source, staged / f"{e.stem}.xml")
        error = saxon(jar, staged, xsl / sheet, model, {})
        if error:
            print(f"{sheet}: {error}", file=sys.stderr)
    modelled = [e for e in examples if _is_model(model / f"{e.stem}.xml")]
    counts["no XR model"] = len(examples) - len(modelled)
    config = fop_config(viz, work)
    for layout in layouts:
        lines, lang = LAYOUTS[layout]
        fo_dir = work / f"fo-{layout}"
        error = saxon(jar, model, xsl / "xr-pdf.xsl", fo_dir,
                      {"foengine": "fop", "invoiceline-layout": lines, "lang": lang})
        if error:
            print(f"xr-pdf.xsl ({layout}): {error}", file=sys.stderr)

        def one(e: Example, layout: str = layout, fo_dir: Path = fo_dir) -> str:
            target = out / layout / f"{e.stem}.pdf"
            if target.is_file():  # rendered by an earlier run
                return "rendered"
            fo = fo_dir / f"{e.stem}.xml"
            if not fo.is_file() or fo.stat().st_size < 200:
                return "no FO"
            bare = work / f"pdf-{layout}" / f"{e.stem}.pdf"
            bare.parent.mkdir(exist_ok=True)
            if not fop(config, fo, bare):
                return "fop failed"
            attach(bare, e.source, e.kind, target)
            return "rendered"

        with ThreadPoolExecutor(jobs) as pool:
            for e, outcome in zip(modelled, pool.map(one, modelled), strict=True):
                counts[f"{layout}: {outcome}"] += 1
                if outcome != "rendered":
                    print(f"{layout}: {outcome}: {e.source}", file=sys.stderr)
    return counts


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("sources", type=Path, nargs="+", help="directories of XML examples")
    parser.add_argument("--viz", type=Path, required=True,
                        help="local checkout of itplr-kosit/xrechnung-visualization")
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--layouts", default="box-de,tabular-en",
                        help=f"comma-separated, of: {', '.join(LAYOUTS)}")
    parser.add_argument("--saxon", type=Path, default=SAXON_JAR)
    parser.add_argument("--jobs", type=int, default=1, help="fop runs at once")
    args = parser.parse_args()
    layouts = [x.strip() for x in args.layouts.split(",") if x.strip()]
    if unknown := [x for x in layouts if x not in LAYOUTS]:
        sys.exit(f"unknown layouts: {unknown}")
    for tool in ("java", "fop"):
        if shutil.which(tool) is None:
            sys.exit(f"{tool} is missing: apt-get install fop libsaxonhe-java")
    if not args.saxon.is_file():
        sys.exit(f"no Saxon-HE at {args.saxon}: apt-get install libsaxonhe-java")
    examples, other = find_examples([p.resolve() for p in args.sources])
    work = Path(tempfile.mkdtemp(prefix="folio-render-"))
    try:
        counts = render(examples, args.viz.resolve(), args.saxon, args.out.resolve(), layouts,
                        args.jobs, work)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    kinds = Counter(e.kind for e in examples)
    print(f"{len(examples)} invoices ({', '.join(f'{k} {n}' for k, n in sorted(kinds.items()))}),"
          f" {other} other XML files passed over")
    for key, n in sorted(counts.items()):
        print(f"  {key}: {n}")


if __name__ == "__main__":
    main()
