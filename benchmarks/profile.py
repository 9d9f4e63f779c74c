"""py-spy sampling of a running folio while wrk loads it (`benchmarks.run --profile`).

Writes benchmarks/.work/profile-<name>.txt (collapsed stacks) and a summary:
the functions with the most samples on top of the stack (self) and the folio /
Starlette / uvicorn functions with the most samples anywhere on the stack
(inclusive).
"""

from __future__ import annotations

import re
import shutil
import subprocess
from collections import Counter
from pathlib import Path

from benchmarks.tools import VENV_BIN, WORK

_FRAME = re.compile(r"^(?P<func>.*?) \((?P<file>[^:()]+)(?::\d+)?\)$")


def py_spy() -> str | None:
    exe = VENV_BIN / "py-spy"
    return str(exe) if exe.exists() else shutil.which("py-spy")


def record(pid: int, seconds: float, name: str, *, subprocesses: bool = False
           ) -> subprocess.Popen[bytes] | None:
    exe = py_spy()
    if exe is None:
        return None
    args = [exe, "record", "-d", str(max(1, round(seconds))), "-p", str(pid), "-f", "raw",
            "-r", "200", "--nonblocking", "-o", str(WORK / f"profile-{name}.txt")]
    if subprocesses:
        args.append("--subprocesses")
    return subprocess.Popen(args, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def _short(frame: str) -> str:
    m = _FRAME.match(frame.strip())
    if not m:
        return frame.strip()
    path = m.group("file")
    for marker in ("site-packages/", "/main/", "lib/python3.11/"):
        if marker in path:
            path = path.split(marker, 1)[1]
            break
    return f"{m.group('func')} ({path})"


def summarize(name: str, top: int = 12) -> str:
    path = WORK / f"profile-{name}.txt"
    if not path.exists():
        return f"(no profile for {name})"
    self_counts: Counter[str] = Counter()
    incl: Counter[str] = Counter()
    total = 0
    for line in path.read_text().splitlines():
        stack, _, count = line.rpartition(" ")
        if not stack or not count.isdigit():
            continue
        n = int(count)
        total += n
        frames = [_short(f) for f in stack.split(";") if f.strip()]
        if not frames:
            continue
        self_counts[frames[-1]] += n
        for f in set(frames):
            if any(k in f for k in ("service/", "starlette/", "uvicorn/", "cache/",
                                    "redis/", "aiofiles/", "gzip", "orjson")):
                incl[f] += n
    if total == 0:
        return f"(empty profile for {name})"
    out = [f"profile {name}: {total} samples",
           "  self (top of stack):"]
    out += [f"    {100 * c / total:5.1f}%  {f}" for f, c in self_counts.most_common(top)]
    out.append("  inclusive (folio, starlette, uvicorn, redis, aiofiles frames):")
    out += [f"    {100 * c / total:5.1f}%  {f}" for f, c in incl.most_common(top)]
    return "\n".join(out)


def write_summary(names: list[str]) -> Path:
    target = WORK / "profile-summary.txt"
    target.write_text("\n\n".join(summarize(n) for n in names) + "\n")
    return target
