"""Finding/installing the measured tools, running processes, and wrk."""

from __future__ import annotations

import contextlib
import os
import re
import shutil
import signal
import socket
import subprocess
import time
from dataclasses import dataclass, field
from pathlib import Path

import httpx

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
WORK = HERE / ".work"
LOGS = WORK / "logs"
VENV_BIN = REPO / ".venv" / "bin"
THUMBOR_VENV = WORK / "thumbor-venv"


def say(msg: str) -> None:
    print(f"[bench {time.strftime('%H:%M:%S')}] {msg}", flush=True)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _apt_install(packages: list[str]) -> bool:
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    cmd = ["apt-get", "install", "-y", "--no-install-recommends", *packages]
    if subprocess.run(cmd, env=env, capture_output=True).returncode == 0:
        return True
    subprocess.run(["apt-get", "update"], env=env, capture_output=True)
    return subprocess.run(cmd, env=env, capture_output=True).returncode == 0


def ensure_binary(binary: str, candidates: list[list[str]]) -> str | None:
    """Path of `binary`, installing it from Debian packages if it is missing."""
    found = shutil.which(binary) or shutil.which(binary, path="/usr/sbin:/usr/bin")
    if found:
        return found
    for packages in candidates:
        say(f"installing {' '.join(packages)} with apt-get")
        if _apt_install(packages):
            found = shutil.which(binary, path="/usr/sbin:/usr/bin:" + os.environ["PATH"])
            if found:
                return found
    return None


def ensure_thumbor() -> tuple[Path | None, str]:
    """thumbor in its own venv; returns (thumbor executable, note on how it went)."""
    exe = THUMBOR_VENV / "bin" / "thumbor"
    if exe.exists():
        return exe, "found"
    python = shutil.which("python3") or "python3"
    say(f"installing thumbor from PyPI into {THUMBOR_VENV}")
    subprocess.run([python, "-m", "venv", str(THUMBOR_VENV)], check=True)
    pip = str(THUMBOR_VENV / "bin" / "pip")
    errors = []
    for spec in ("thumbor", "thumbor==7.7.4", "thumbor==7.5.2", "thumbor==7.0.10"):
        proc = subprocess.run([pip, "install", "-q", spec], capture_output=True, text=True)
        if proc.returncode == 0 and exe.exists():
            return exe, f"installed {spec}"
        errors.append(f"{spec}: {proc.stderr.strip().splitlines()[-1:]}")
    return None, "thumbor could not be installed: " + "; ".join(errors)


@dataclass
class Proc:
    name: str
    args: list[str]
    env: dict[str, str] | None = None
    cwd: Path | None = None
    popen: subprocess.Popen[bytes] | None = field(default=None, repr=False)

    def start(self) -> Proc:
        LOGS.mkdir(parents=True, exist_ok=True)
        log = open(LOGS / f"{self.name}.log", "wb")  # noqa: SIM115 -- lives as long as the child
        self.popen = subprocess.Popen(self.args, env=self.env, cwd=self.cwd, stdout=log,
                                      stderr=subprocess.STDOUT, start_new_session=True)
        log.close()
        return self

    @property
    def pid(self) -> int:
        assert self.popen is not None
        return self.popen.pid

    def alive(self) -> bool:
        return self.popen is not None and self.popen.poll() is None

    def stop(self) -> None:
        """SIGTERM to the child's own process group (it was started in a new session)."""
        if self.popen is None:
            return
        if self.popen.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.popen.pid, signal.SIGTERM)
            try:
                self.popen.wait(15)
            except subprocess.TimeoutExpired:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(self.popen.pid, signal.SIGKILL)
                self.popen.wait(5)
        self.popen = None

    def log_tail(self, n: int = 20) -> str:
        path = LOGS / f"{self.name}.log"
        if not path.exists():
            return ""
        return "\n".join(path.read_text(errors="replace").splitlines()[-n:])


def wait_http(url: str, proc: Proc | None = None, timeout: float = 40.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc is not None and not proc.alive():
            raise RuntimeError(f"{proc.name} exited during start-up:\n{proc.log_tail()}")
        try:
            if httpx.get(url, timeout=2).status_code < 500:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.2)
    raise RuntimeError(f"{url} did not come up in {timeout:.0f}s")


def process_tree(pid: int) -> list[int]:
    found = [pid]
    for child in children(pid):
        found += process_tree(child)
    return found


def tree_cpu_seconds(pid: int) -> float:
    total = 0.0
    for p in process_tree(pid):
        with contextlib.suppress(OSError, IndexError):
            total += cpu_seconds(p)
    return total


def wait_settled(pid: int, timeout: float = 20.0, window: float = 0.5,
                 busy: float = 0.05) -> float:
    """Wait until the process and its children have gone quiet; the seconds waited.

    `folio serve` answers /healthz while its job workers (spawned processes, each
    starting a page pool) are still importing: a second or more of CPU that would
    otherwise land on the first measured run, always folio's side of a pair.
    Quiet = less than `busy` CPU seconds over `window` seconds.
    """
    start = time.monotonic()
    before = tree_cpu_seconds(pid)
    while time.monotonic() - start < timeout:
        time.sleep(window)
        now = tree_cpu_seconds(pid)
        if now - before < busy:
            break
        before = now
    return time.monotonic() - start


@dataclass
class WrkResult:
    rps: float
    requests: int
    non2xx: int
    errors: int
    latency_p50: str
    latency_p99: str
    raw: str
    cpu_us: float = 0.0  # CPU time of the measured server process per request, when asked

    @property
    def ok(self) -> bool:
        return self.requests > 0 and self.non2xx == 0 and self.errors == 0


_UNIT = {"": 1, "k": 1e3, "K": 1e3, "M": 1e6}


def _num(text: str) -> float:
    m = re.fullmatch(r"([\d.]+)([kKM]?)", text)
    return float(m.group(1)) * _UNIT[m.group(2)] if m else float("nan")


def parse_wrk(out: str) -> WrkResult:
    rps = re.search(r"Requests/sec:\s+([\d.]+[kKM]?)", out)
    reqs = re.search(r"(\d+) requests in", out)
    non2xx = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", out)
    sock = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", out)
    p50 = re.search(r"\s50%\s+(\S+)", out)
    p99 = re.search(r"\s99%\s+(\S+)", out)
    return WrkResult(
        rps=_num(rps.group(1)) if rps else 0.0,
        requests=int(reqs.group(1)) if reqs else 0,
        non2xx=int(non2xx.group(1)) if non2xx else 0,
        # read errors on a 304 (no body) are not failures; connect/write/timeout are
        errors=sum(int(sock.group(i)) for i in (1, 3, 4)) if sock else 0,
        latency_p50=p50.group(1) if p50 else "?",
        latency_p99=p99.group(1) if p99 else "?",
        raw=out,
    )


_TIME = {"us": 1e-3, "ms": 1.0, "s": 1e3, "m": 60e3}


def latency_ms(result: WrkResult) -> tuple[float, float] | None:
    """wrk's p50 and p99 (`--latency`, e.g. "812.00us", "1.20ms") in milliseconds."""
    out = []
    for text in (result.latency_p50, result.latency_p99):
        m = re.fullmatch(r"([\d.]+)(us|ms|s|m)", text)
        if m is None:
            return None
        out.append(float(m.group(1)) * _TIME[m.group(2)])
    return out[0], out[1]


def wrk(url: str, seconds: float, *, connections: int = 32, threads: int = 2,
        headers: list[str] | None = None, script: Path | None = None) -> WrkResult:
    cmd = ["wrk", f"-t{threads}", f"-c{connections}", f"-d{max(1, round(seconds))}s",
           "--latency", "--timeout", "30s"]
    for h in headers or []:
        cmd += ["-H", h]
    if script is not None:
        cmd += ["-s", str(script)]
    cmd.append(url)
    out = subprocess.run(cmd, capture_output=True, text=True, timeout=seconds + 60)
    return parse_wrk(out.stdout + out.stderr)


def cpu_seconds(pid: int) -> float:
    """User + system CPU time the process has used so far (all its threads)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def rss_mb(pid: int) -> float:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return float("nan")


def children(pid: int) -> list[int]:
    try:
        text = Path(f"/proc/{pid}/task/{pid}/children").read_text()
    except OSError:
        return []
    return [int(p) for p in text.split()]


def tree_cpu(pid: int) -> float:
    """CPU seconds used by `pid` and everything under it, including children that
    have exited and been waited for (tesseract runs): less sensitive to the load
    of other work on the machine than wall time."""
    total = 0
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        total = sum(int(f) for f in fields[11:15])  # utime stime cutime cstime
    except (OSError, ValueError, IndexError):
        return 0.0
    return total / os.sysconf("SC_CLK_TCK") + sum(tree_cpu(c) for c in children(pid))


def version_of(cmd: list[str]) -> str:
    try:
        proc = subprocess.run(cmd, capture_output=True, text=True, timeout=20)
    except (OSError, subprocess.TimeoutExpired):
        return "not available"
    text = (proc.stdout + proc.stderr).strip().splitlines()
    return text[0].strip() if text else "?"


def cpu_model() -> str:
    for line in Path("/proc/cpuinfo").read_text().splitlines():
        if line.startswith("model name"):
            return line.split(":", 1)[1].strip()
    return "unknown"
