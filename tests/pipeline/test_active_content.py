"""Active content never reaches a PDF folio serves: one hostile upload carrying each kind."""

from __future__ import annotations

from pathlib import Path

import pikepdf
import pytest

from service.pipeline.active_content import safe_action, strip_active_content
from service.pipeline.subpdf import sub_pdf_from_pdf
from tests.pipeline.conftest import INVOICE, make_text_pdf


def js() -> pikepdf.Dictionary:
    return pikepdf.Dictionary(S=pikepdf.Name.JavaScript, JS=pikepdf.String("app.alert('x')"))


def launch() -> pikepdf.Dictionary:
    return pikepdf.Dictionary(S=pikepdf.Name.Launch, F=pikepdf.String("calc.exe"))


def _link(pdf: pikepdf.Pdf, action: pikepdf.Dictionary) -> pikepdf.Object:
    return pdf.make_indirect(pikepdf.Dictionary(
        Type=pikepdf.Name.Annot, Subtype=pikepdf.Name.Link, Rect=[10, 10, 100, 40],
        A=action))


def hostile_pdf(path: Path) -> Path:
    make_text_pdf(path, [INVOICE[:1], INVOICE[5:6], INVOICE[6:7]])
    with pikepdf.open(path, allow_overwriting_input=True) as pdf:
        root = pdf.Root
        root.OpenAction = pdf.make_indirect(js())
        root.AA = pikepdf.Dictionary(WC=js())
        attached = pdf.make_stream(b"<Invoice/>")
        attached.Type = pikepdf.Name.EmbeddedFile
        spec = pdf.make_indirect(pikepdf.Dictionary(
            Type=pikepdf.Name.Filespec, F=pikepdf.String("factur-x.xml"),
            EF=pikepdf.Dictionary(F=attached)))
        root.Names = pikepdf.Dictionary(
            JavaScript=pikepdf.Dictionary(Names=[pikepdf.String("x"), pdf.make_indirect(js())]),
            EmbeddedFiles=pikepdf.Dictionary(Names=[pikepdf.String("factur-x.xml"), spec]))
        root.AF = pikepdf.Array([spec])
        first, second, third = (p.obj for p in pdf.pages)
        first.AA = pikepdf.Dictionary(O=js(), C=launch())
        field = pdf.make_indirect(pikepdf.Dictionary(
            FT=pikepdf.Name.Tx, T=pikepdf.String("total"), AA=pikepdf.Dictionary(K=js())))
        widget = pdf.make_indirect(pikepdf.Dictionary(
            Type=pikepdf.Name.Annot, Subtype=pikepdf.Name.Widget, Rect=[10, 50, 100, 70],
            Parent=field, AA=pikepdf.Dictionary(Fo=js())))
        other_widget = pdf.make_indirect(pikepdf.Dictionary(
            Type=pikepdf.Name.Annot, Subtype=pikepdf.Name.Widget, Rect=[10, 50, 100, 70],
            Parent=field, P=third))
        field.Kids = [widget, other_widget]
        third.Annots = [other_widget]
        root.AcroForm = pikepdf.Dictionary(Fields=[field], XFA=pdf.make_stream(b"<xdp/>"))
        first.Annots = [
            _link(pdf, js()),
            _link(pdf, launch()),
            _link(pdf, pikepdf.Dictionary(S=pikepdf.Name.URI,
                                          URI=pikepdf.String("https://example.com/"))),
            _link(pdf, pikepdf.Dictionary(S=pikepdf.Name.URI,
                                          URI=pikepdf.String("javascript:alert(1)"))),
            _link(pdf, pikepdf.Dictionary(S=pikepdf.Name.GoTo, D=[second, pikepdf.Name.Fit])),
            _link(pdf, pikepdf.Dictionary(S=pikepdf.Name.GoTo, D=[third, pikepdf.Name.Fit])),
            _link(pdf, pikepdf.Dictionary(S=pikepdf.Name.GoTo, D=[second, pikepdf.Name.Fit],
                                          Next=js())),
            pdf.make_indirect(pikepdf.Dictionary(
                Type=pikepdf.Name.Annot, Subtype=pikepdf.Name.FileAttachment,
                Rect=[10, 80, 30, 100], FS=spec)),
            widget,
        ]
        pdf.save(path)
    return path


def _collect(obj: pikepdf.Object, found: set[str]) -> None:
    # direct objects only: every indirect one is visited from pdf.objects
    if isinstance(obj, pikepdf.Name):
        found.add(str(obj))
    elif isinstance(obj, pikepdf.Dictionary | pikepdf.Stream):
        for key, value in obj.items():
            found.add(key)
            if not (isinstance(value, pikepdf.Object) and value.is_indirect):
                _collect(value, found)
    elif isinstance(obj, pikepdf.Array):
        for value in obj:
            if not (isinstance(value, pikepdf.Object) and value.is_indirect):
                _collect(value, found)


def names_in(path: Path) -> set[str]:
    """Every dictionary key and name value anywhere in the file."""
    found: set[str] = set()
    with pikepdf.open(path) as pdf:
        for obj in pdf.objects:
            _collect(obj, found)
        _collect(pdf.trailer, found)
    return found


@pytest.fixture
def hostile(tmp_path: Path) -> Path:
    return hostile_pdf(tmp_path / "hostile.pdf")


def test_the_hostile_fixture_carries_every_kind(hostile: Path) -> None:
    found = names_in(hostile)
    assert {"/JavaScript", "/Launch", "/AA", "/EmbeddedFile", "/FileAttachment",
            "/OpenAction", "/XFA"} <= found


def test_sub_pdf_keeps_no_script_action_or_attachment(hostile: Path, tmp_path: Path) -> None:
    out = tmp_path / "sub.pdf"
    sub_pdf_from_pdf(hostile, [1, 2], out)
    found = names_in(out)
    for bad in ("/JavaScript", "/JS", "/Launch", "/AA", "/OpenAction", "/EmbeddedFile",
                "/EmbeddedFiles", "/FileAttachment", "/AF", "/XFA"):
        assert bad not in found, bad
    with pikepdf.open(out) as pdf:
        raw = b"".join(obj.read_bytes() for obj in pdf.objects
                       if isinstance(obj, pikepdf.Stream))
        assert b"<Invoice/>" not in raw


def test_sub_pdf_keeps_the_harmless_links(hostile: Path, tmp_path: Path) -> None:
    out = tmp_path / "sub.pdf"
    sub_pdf_from_pdf(hostile, [1, 2], out)
    with pikepdf.open(out) as pdf:
        actions = [a.A for a in pdf.pages[0].Annots if "/A" in a]
        uris = [str(a.URI) for a in actions if a.S == "/URI"]
        assert uris == ["https://example.com/"]
        goto = [a for a in actions if a.S == "/GoTo"]
        assert len(goto) == 1 and goto[0].D[0].objgen == pdf.pages[1].obj.objgen
        assert sum(1 for a in pdf.pages[0].Annots if "/A" not in a) == 4  # inert now


def test_sub_pdf_drags_no_other_page_along(hostile: Path, tmp_path: Path) -> None:
    # a link to page 3 and the form field listing page 3's widget would make the
    # copy carry page 3 (its content and image) unseen
    out = tmp_path / "sub.pdf"
    sub_pdf_from_pdf(hostile, [1, 2], out)
    with pikepdf.open(out) as pdf:
        pages = [o for o in pdf.objects
                 if isinstance(o, pikepdf.Dictionary) and o.get("/Type") == "/Page"]
        assert len(pages) == len(pdf.pages) == 2


def test_strip_cleans_a_whole_document(hostile: Path, tmp_path: Path) -> None:
    out = tmp_path / "clean.pdf"
    with pikepdf.open(hostile) as pdf:
        strip_active_content(pdf)
        pdf.save(out)
    found = names_in(out)
    for bad in ("/JavaScript", "/Launch", "/AA", "/OpenAction", "/EmbeddedFiles",
                "/FileAttachment", "/XFA"):
        assert bad not in found, bad


def test_a_next_chain_that_loops_is_not_safe() -> None:
    pdf = pikepdf.new()
    action = pdf.make_indirect(pikepdf.Dictionary(S=pikepdf.Name.Named,
                                                  N=pikepdf.Name.NextPage))
    action.Next = action
    assert not safe_action(action)
    assert safe_action(pikepdf.Dictionary(S=pikepdf.Name.Named, N=pikepdf.Name.NextPage))
