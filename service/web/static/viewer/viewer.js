// folio's document viewer: plain browser JavaScript, no build step.
//
// The page carries no credentials of its own. It is opened as
// /viewer/<processing id>?token=<share token> and every URL it fetches --
// JSON, page images, IIIF tiles, PDFs -- gets the same access parameters, so
// whatever let the page in lets its requests in.
"use strict";

(function () {
  const ACCESS_PARAMS = ["token"];
  const WIDTHS = [480, 960, 1440];  // srcset steps; the page's own width is the last
  const $ = (id) => document.getElementById(id);

  const processingId = decodeURIComponent(location.pathname.split("/").filter(Boolean).pop());
  const access = new URLSearchParams();
  const opened = new URLSearchParams(location.search);
  for (const name of ACCESS_PARAMS) {
    for (const value of opened.getAll(name)) access.append(name, value);
  }

  // `path` is root-relative, as folio's result bodies give them
  function url(path, extra) {
    const params = new URLSearchParams(extra || {});
    for (const [k, v] of access) params.append(k, v);
    const query = params.toString();
    return path + (query ? (path.includes("?") ? "&" : "?") + query : "");
  }

  async function getJson(path) {
    const response = await fetch(url(path), { headers: { Accept: "application/json" } });
    if (response.status === 202) return null;
    if (!response.ok) {
      let detail = response.statusText;
      try { detail = (await response.json()).detail; } catch (e) { /* not JSON */ }
      throw new Error(`${response.status}: ${typeof detail === "string" ? detail : "error"}`);
    }
    return response.json();
  }

  const state = { result: null, page: 1, osd: null, hits: new Set() };

  function status(text) { $("status").textContent = text; }

  async function load() {
    let result = await getJson(`/processing/results/${processingId}?wait_for=0`);
    while (result === null) {
      status("processing…");
      result = await getJson(`/processing/results/${processingId}?wait_for=20`);
    }
    state.result = result;
    $("title").textContent = result.workflow_name || "folio";
    status(`${(result.page_images || []).length} pages`);
    if (result.pdf) {
      const link = $("download");
      link.href = url(result.pdf);
      link.setAttribute("download", "");
      link.hidden = false;
    }
    thumbnails();
    splitting();
    fields();
    showPage(Number(new URLSearchParams(location.hash.slice(1)).get("page")) || 1);
    $("show-words").addEventListener("change", (e) => {
      document.body.classList.toggle("show-words", e.target.checked);
    });
    if (window.OpenSeadragon) {
      $("zoom").hidden = false;
      $("zoom").addEventListener("click", toggleDeepZoom);
    }
  }

  function pageUrl(n, width) {
    const path = state.result.page_images[n - 1];
    return width ? url(path, { width: String(width) }) : url(path);
  }

  function groupStarts() {
    const groups = (state.result.document_splitting || {}).sub_documents || [];
    return new Set(groups.slice(1).map((g) => g.pages[0]));
  }

  function thumbnails() {
    const nav = $("pages");
    const starts = groupStarts();
    state.result.page_images.forEach((_, i) => {
      const n = i + 1;
      const link = document.createElement("a");
      link.href = `#page=${n}`;
      link.dataset.page = String(n);
      if (starts.has(n)) link.className = "group-start";
      const img = document.createElement("img");
      img.loading = "lazy";
      img.alt = `page ${n}`;
      img.src = pageUrl(n, 160);
      link.append(img, document.createTextNode(String(n)));
      link.addEventListener("click", (e) => { e.preventDefault(); showPage(n); });
      nav.append(link);
    });
  }

  function showPage(n) {
    const count = state.result.page_images.length;
    state.page = Math.min(Math.max(1, n), count);
    history.replaceState(null, "", `#page=${state.page}`);
    for (const link of $("pages").children) {
      if (Number(link.dataset.page) === state.page) link.setAttribute("aria-current", "page");
      else link.removeAttribute("aria-current");
    }
    const size = pageSize(state.page);
    const img = $("page-image");
    // the browser picks the smallest width that fills the column at its pixel density
    const widths = WIDTHS.filter((w) => !size || w < size.width);
    img.srcset = widths.map((w) => `${pageUrl(state.page, w)} ${w}w`)
      .concat(size ? [`${pageUrl(state.page)} ${size.width}w`] : []).join(", ");
    img.sizes = "calc(100vw - 480px)";
    img.src = pageUrl(state.page);
    if (size) $("page").style.aspectRatio = `${size.width} / ${size.height}`;
    words();
    if (state.osd) openDeepZoom();
  }

  function pageSize(n) {
    const page = ((state.result.ocr || {}).pages || [])[n - 1];
    return page ? { width: page.width, height: page.height } : null;
  }

  // word boxes in percent of the page, so they follow whatever size the image has
  function words() {
    const overlay = $("overlay");
    overlay.replaceChildren();
    const page = ((state.result.ocr || {}).pages || [])[state.page - 1];
    if (!page) return;
    for (const box of page.bboxes) {
      const el = document.createElement("div");
      el.className = "word";
      el.dataset.bbox = String(box.id);
      el.style.left = `${(100 * box.x1) / page.width}%`;
      el.style.top = `${(100 * box.y1) / page.height}%`;
      el.style.width = `${(100 * (box.x2 - box.x1)) / page.width}%`;
      el.style.height = `${(100 * (box.y2 - box.y1)) / page.height}%`;
      const tip = document.createElement("span");
      tip.className = "tip";
      tip.textContent = box.text;
      el.append(tip);
      if (state.hits.has(`${state.page}:${box.id}`)) el.classList.add("hit");
      overlay.append(el);
    }
  }

  function splitting() {
    const groups = (state.result.document_splitting || {}).sub_documents;
    if (!groups) return;
    const subPdfs = state.result.sub_pdfs || [];
    const list = $("groups");
    groups.forEach((group, i) => {
      const item = document.createElement("li");
      const pages = group.pages;
      const label = pages.length > 1 ? `pages ${pages[0]}–${pages[pages.length - 1]}`
        : `page ${pages[0]}`;
      const jump = document.createElement("a");
      jump.href = `#page=${pages[0]}`;
      jump.textContent = `${group.name} (${label})`;
      jump.addEventListener("click", (e) => { e.preventDefault(); showPage(pages[0]); });
      item.append(jump);
      if (subPdfs[i]) {
        const pdf = document.createElement("a");
        pdf.href = url(subPdfs[i]);
        pdf.textContent = " PDF";
        pdf.className = "sub-pdf";
        item.append(pdf);
      }
      list.append(item);
    });
    $("splitting").hidden = false;
  }

  // every Extraction leaf ({value, bbox_refs, ...}) with its dotted path
  function leaves(node, path, out) {
    if (Array.isArray(node)) {
      node.forEach((item, i) => leaves(item, `${path}[${i}]`, out));
    } else if (node && typeof node === "object") {
      if ("value" in node && "bbox_refs" in node) out.push({ path, leaf: node });
      else for (const [k, v] of Object.entries(node)) leaves(v, path ? `${path}.${k}` : k, out);
    }
    return out;
  }

  function fields() {
    const extractions = state.result.extractions;
    if (!extractions) return;
    const list = $("field-list");
    for (const { path, leaf } of leaves(extractions, "", [])) {
      const dt = document.createElement("dt");
      dt.textContent = path;
      const dd = document.createElement("dd");
      dd.textContent = leaf.value === null ? "—" : String(leaf.value);
      const refs = leaf.bbox_refs || [];
      const select = () => highlight(refs, [dt, dd]);
      dt.addEventListener("click", select);
      dd.addEventListener("click", select);
      list.append(dt, dd);
    }
    $("fields").hidden = false;
  }

  function highlight(refs, elements) {
    for (const el of document.querySelectorAll("#field-list .active")) el.classList.remove("active");
    for (const el of elements) el.classList.add("active");
    state.hits = new Set(refs.map((r) => `${r.page_num}:${r.bbox_id}`));
    if (refs.length && refs[0].page_num !== state.page) showPage(refs[0].page_num);
    else words();
  }

  // -- deep zoom: OpenSeadragon on folio's IIIF Image API ----------------------

  function toggleDeepZoom() {
    if (state.osd) {
      state.osd.destroy();
      state.osd = null;
      $("deep").hidden = true;
      return;
    }
    openDeepZoom();
  }

  async function openDeepZoom() {
    const infoPath = `/iiif/3/${processingId}~${state.page}/info.json`;
    const info = await getJson(infoPath);
    // configure() is what OpenSeadragon runs on a fetched info.json (it reads the version)
    const source = new OpenSeadragon.IIIFTileSource(
      OpenSeadragon.IIIFTileSource.prototype.configure(info, infoPath, null));
    // IIIF clients build tile URLs from the info.json id alone; ours must carry
    // the access parameters too
    const tileUrl = source.getTileUrl.bind(source);
    source.getTileUrl = (level, x, y) => {
      const u = new URL(tileUrl(level, x, y), location.href);
      return url(u.pathname);
    };
    $("deep").hidden = false;
    if (state.osd) {
      state.osd.open(source);
      return;
    }
    state.osd = OpenSeadragon({
      element: $("deep"), tileSources: source, prefixUrl: "vendor/openseadragon/images/",
      showNavigator: true, maxZoomPixelRatio: 2,
    });
    window.folioDeepZoom = state.osd;  // for tests and the console
  }

  load().catch((err) => { status(String(err.message || err)); document.body.dataset.error = "1"; })
    .finally(() => { document.body.dataset.ready = "1"; });
})();
