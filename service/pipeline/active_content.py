"""Remove active content from a PDF folio serves: scripts, actions, attachments.

A served PDF is opened by viewers folio does not control, so nothing in it
may run or launch anything. Kept: the page content, annotations' appearances,
and the harmless actions — GoTo within the file, Named (next page, ...) and
http(s)/mailto URI links. Removed:
  - the catalog's /OpenAction (when it is an action), /AA, /Names /JavaScript,
    /Names /EmbeddedFiles, /AF and the form's XFA;
  - every page's /AA and /AF;
  - annotations that carry files or media (FileAttachment, Sound, Movie,
    Screen, RichMedia, 3D);
  - every other annotation's /AA, and its /A when any action in the /Next chain
    is not one of the harmless kinds (JavaScript, Launch, SubmitForm,
    ImportData, GoToR, GoToE, Rendition, ...).
Embedded files are dropped too, even an e-invoice's XML: a sub-PDF is a range
of pages, and the invoice data is served by the extraction result.
"""

from __future__ import annotations

import pikepdf

SAFE_ACTIONS = frozenset({"/GoTo", "/Named", "/URI"})
SAFE_SCHEMES = ("http://", "https://", "mailto:")
DROPPED_ANNOTATIONS = frozenset(
    {"/FileAttachment", "/Sound", "/Movie", "/Screen", "/RichMedia", "/3D"})
MAX_CHAIN = 64  # an action's /Next chain longer than this is treated as hostile


def strip_active_content(pdf: pikepdf.Pdf) -> None:
    root = pdf.Root
    opener = root.get("/OpenAction")
    if isinstance(opener, pikepdf.Dictionary):
        del root.OpenAction  # an action; a plain destination (an array) is kept
    for key in ("/AA", "/AF"):
        if key in root:
            del root[key]
    names = root.get("/Names")
    if isinstance(names, pikepdf.Dictionary):
        for key in ("/JavaScript", "/EmbeddedFiles"):
            if key in names:
                del names[key]
    form = root.get("/AcroForm")
    if isinstance(form, pikepdf.Dictionary) and "/XFA" in form:
        del form.XFA
    for page in pdf.pages:
        clean_page(page.obj)


def clean_page(page: pikepdf.Dictionary) -> None:
    for key in ("/AA", "/AF"):
        if key in page:
            del page[key]
    annots = page.get("/Annots")
    if not isinstance(annots, pikepdf.Array):
        return
    kept = pikepdf.Array()
    for annot in annots:
        if not isinstance(annot, pikepdf.Dictionary):
            continue
        if str(annot.get("/Subtype", "")) in DROPPED_ANNOTATIONS:
            continue
        _clean_annotation(annot)
        kept.append(annot)
    page.Annots = kept


def _clean_annotation(annot: pikepdf.Dictionary) -> None:
    node: pikepdf.Object | None = annot
    seen = 0
    # a widget's form field (its /Parent chain) carries the field's actions too
    while isinstance(node, pikepdf.Dictionary) and seen < MAX_CHAIN:
        if "/AA" in node:
            del node.AA
        if "/A" in node and not safe_action(node.A):
            del node.A
        node = node.get("/Parent")
        seen += 1


def safe_action(action: pikepdf.Object, depth: int = 0) -> bool:
    node: pikepdf.Object | None = action
    for _ in range(MAX_CHAIN - depth):
        if not isinstance(node, pikepdf.Dictionary):
            return node is None
        kind = str(node.get("/S", ""))
        if kind not in SAFE_ACTIONS:
            return False
        if kind == "/URI" and not str(node.get("/URI", "")).lower().startswith(SAFE_SCHEMES):
            return False
        nxt = node.get("/Next")
        if isinstance(nxt, pikepdf.Array):
            return all(safe_action(item, depth + 1) for item in nxt)
        node = nxt
    return False
