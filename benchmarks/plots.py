"""benchmarks/results.svg from benchmarks/results.json (written by `benchmarks.run`).

    .venv/bin/python -m benchmarks.plots     # redraw from the last run's results.json

Three panels: throughput of folio and its reference per scenario, relative to
the reference's median (bars = medians, whiskers = the slowest and fastest run,
the target as a tick); p50 and p99 latency of both; and the P6 memory curve.
matplotlib comes from the `bench` extra (`pip install -e '.[bench]'`), never
from folio's runtime dependencies.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import orjson

HERE = Path(__file__).resolve().parent
DATA = HERE / "results.json"
SVG = HERE / "results.svg"
FOLIO, REF = "#1f77b4", "#bbbbbb"
XMAX = 2.5


def pyplot() -> Any:
    """matplotlib's pyplot, drawing to files only, with reproducible SVG ids
    (ImportError without the `bench` extra)."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    plt.rcParams["svg.hashsalt"] = "folio"  # the same SVG for the same figures
    return plt


def draw(data: dict[str, Any], out: Path = SVG) -> Path:
    plt = pyplot()
    rows = [r for r in data["rows"] if r["folio_runs"] and r["ref_runs"]]
    n = max(1, len(rows))
    fig = plt.figure(figsize=(15, 1.0 + 0.55 * n + 3.2))
    grid = fig.add_gridspec(2, 2, height_ratios=[0.55 * n + 0.6, 3.0], hspace=0.35,
                            wspace=0.45, width_ratios=[1.25, 1])
    tput = fig.add_subplot(grid[0, 0])
    lat = fig.add_subplot(grid[0, 1])
    mem = fig.add_subplot(grid[1, :])

    throughput_panel(tput, rows)
    latency_panel(lat, rows)

    samples = data.get("p6_samples") or []
    if samples:
        mem.plot([t for t, _ in samples], [v for _, v in samples], color=FOLIO, lw=1)
        mem.axhline(250, color="red", lw=1, ls="--")
        mem.text(0, 252, "target 250 MB", color="red", fontsize=7, va="bottom")
        mem.set_ylim(0, max(270, max(v for _, v in samples) * 1.1))
    else:
        mem.text(0.5, 0.5, "no P6 samples in this run", ha="center", transform=mem.transAxes)
    mem.set_xlabel("seconds since the first request", fontsize=8)
    mem.set_ylabel("VmRSS, MB", fontsize=8)
    mem.set_title("P6: RSS of one folio process serving distinct sizes", fontsize=9)
    fig.suptitle(f"folio benchmarks, {data.get('when', '')} ({data.get('mode', '')} mode, "
                 f"load average {data.get('load', '?')} on {data.get('cpus', '?')} CPUs)",
                 fontsize=10)
    fig.savefig(out, format="svg", bbox_inches="tight", metadata={"Date": None})
    plt.close(fig)
    return out


def throughput_panel(tput: Any, rows: list[dict[str, Any]], xmax: float = XMAX) -> None:
    """Folio and its reference per row, relative to the reference's median: bars are
    medians, whiskers the slowest and fastest run, the target a red tick."""
    n = max(1, len(rows))
    labels = [_label(r) for r in rows]
    ys = list(range(n))
    for i, r in enumerate(rows):
        ref_med = _median(r["ref_runs"])
        f = [x / ref_med for x in r["folio_runs"]]
        g = [x / ref_med for x in r["ref_runs"]]
        for offset, runs, colour in ((-0.2, f, FOLIO), (0.2, g, REF)):
            mid = _median(runs)
            tput.barh(i + offset, mid, height=0.38, color=colour)
            tput.errorbar(mid, i + offset, xerr=[[mid - min(runs)], [max(runs) - mid]],
                          fmt="none", ecolor="black", capsize=2, lw=0.8)
        tput.text(min(max(_median(f), 1.0), xmax - 0.9) + 0.05, i - 0.2,
                  f"{_median(f):.2f}x  ({r['folio']:,.0f} vs {r['ref']:,.0f} {r['unit']})",
                  va="center", fontsize=7)
        goal = re.fullmatch(r">=([\d.]+)x", r["target"])
        if goal:
            tput.plot([float(goal.group(1))] * 2, [i - 0.45, i + 0.05], color="red", lw=1.5)
    tput.axvline(1.0, color="grey", lw=0.6, ls=":")
    tput.set_xlim(0, xmax)  # a 10x bar would squash every other; its label says it
    tput.set_yticks(ys, labels, fontsize=7)
    tput.invert_yaxis()
    tput.set_xlabel("throughput relative to the reference's median "
                    "(blue folio, grey reference, red tick = target)", fontsize=8)
    tput.set_title("Throughput (median of alternating runs, whiskers = run range)",
                   fontsize=9)


def latency_panel(lat: Any, rows: list[dict[str, Any]]) -> None:
    """p50 (dot) to p99 (bar end) of folio and its reference per row, log scale."""
    import matplotlib.ticker

    n = max(1, len(rows))
    ys = list(range(n))
    for i, r in enumerate(rows):
        for offset, key, colour in ((-0.2, "folio_lat", FOLIO), (0.2, "ref_lat", REF)):
            value = r.get(key)
            if not value:
                continue
            p50, p99 = value
            lat.plot([p50, p99], [i + offset] * 2, color=colour, lw=3, solid_capstyle="butt")
            lat.plot([p50], [i + offset], "o", color=colour, ms=4, mec="black", mew=0.5)
            lat.plot([p99], [i + offset], "|", color="black", ms=8)
    lat.set_xscale("log")
    lat.xaxis.set_minor_formatter(matplotlib.ticker.NullFormatter())
    lat.xaxis.set_major_formatter(matplotlib.ticker.FuncFormatter(lambda v, _: f"{v:g}"))
    lat.set_yticks(ys, [""] * n)
    lat.invert_yaxis()
    lat.set_xlabel("latency, ms (dot = p50, bar end = p99; log scale)", fontsize=8)
    lat.set_title("Latency at wrk -c32 (median over runs)", fontsize=9)


def _label(row: dict[str, Any]) -> str:
    name = str(row["scenario"])
    return name if len(name) <= 58 else name[:56] + "…"


def _median(values: list[float]) -> float:
    ordered = sorted(values)
    mid = len(ordered) // 2
    return ordered[mid] if len(ordered) % 2 else (ordered[mid - 1] + ordered[mid]) / 2


def main() -> None:
    print(draw(orjson.loads(DATA.read_bytes())))


if __name__ == "__main__":
    main()
