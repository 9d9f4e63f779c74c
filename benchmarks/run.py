"""Side-by-side benchmark of folio against nginx, thumbor, bare Starlette and direct pyvips.

    .venv/bin/python -m benchmarks.run           # short mode, ~4 minutes
    .venv/bin/python -m benchmarks.run --full    # longer runs, 10 min memory soak

Everything measured is started here on loopback (free ports) and stopped at
the end. Prints a table and writes benchmarks/RESULTS.md. See benchmarks/README.md.
"""

from __future__ import annotations

import argparse
import asyncio
import dataclasses
import datetime as dt
import importlib.metadata as md
import itertools
import os
import platform
import random
import re
import resource
import shutil
import statistics
import subprocess
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

import httpx

from benchmarks import fixtures, iiif_zoom, servers
from benchmarks.tools import (
    HERE,
    REPO,
    VENV_BIN,
    WORK,
    Proc,
    WrkResult,
    children,
    cpu_model,
    cpu_seconds,
    ensure_binary,
    ensure_thumbor,
    free_port,
    latency_ms,
    rss_mb,
    say,
    tree_cpu,
    version_of,
    wait_http,
    wait_settled,
    wrk,
)

API_KEY = "benchsecret"
AUTH = f"Authorization: ApiKey {API_KEY}"
HEADERS = {"Authorization": f"ApiKey {API_KEY}"}
P1_WIDTH = 800
P7_SCAN_PAGES = 4


@dataclass
class Row:
    scenario: str
    folio: float | None
    reference: str
    ref: float | None
    unit: str
    target: str  # e.g. ">=0.5" (ratio folio/ref), "<=250" (absolute), "==1"
    note: str = ""
    # wrk scenarios: every run's req/s, and the medians of the runs' p50/p99 (ms)
    folio_runs: list[float] = field(default_factory=list)
    ref_runs: list[float] = field(default_factory=list)
    folio_lat: tuple[float, float] | None = None
    ref_lat: tuple[float, float] | None = None
    load: str = ""  # 1-minute load average when the figure was taken

    @property
    def ratio(self) -> float | None:
        if self.folio is None or self.ref in (None, 0):
            return None
        return self.folio / self.ref

    @property
    def met(self) -> str:
        m = re.fullmatch(r"(>=|<=|==)([\d.]+)(x?)", self.target)
        if not m:
            return "-"
        value = self.ratio if m.group(3) == "x" else self.folio
        if value is None:
            return "n/a"
        goal = float(m.group(2))
        ok = {">=": value >= goal, "<=": value <= goal, "==": value == goal}[m.group(1)]
        return "yes" if ok else "NO"


class Bench:
    def __init__(self, full: bool, seconds: float | None, profile: bool = False) -> None:
        self.full = full
        self.profile = profile
        self.profiled: list[str] = []
        self.seconds = seconds or (15.0 if full else 3.0)
        self.warmup = 3.0 if full else 1.0
        self.rounds = 5 if full else 3
        self.only: str | None = None
        self.p5_retried = 0
        self.soak: float | None = None
        self.repeat = 3  # P7 alone
        self.against: Path | None = None  # P7 alone: the checkout to alternate with
        self.workflow = "ocr"  # P7 alone: the workflow the documents are posted to
        self.p6_samples: list[tuple[float, float]] = []
        self.rows: list[Row] = []
        self.notes: list[str] = []
        self.procs: list[Proc] = []
        self.data = WORK / "data"
        self.static = WORK / "static"
        self.thumbor_images = WORK / "thumbor-images"
        self.versions: dict[str, str] = {}
        self.redis_url = ""
        self.thumbor_exe: Path | None = None

    # -- process helpers -------------------------------------------------

    def start(self, proc: Proc, health: str | None) -> Proc:
        self.procs.append(proc.start())
        if health:
            wait_http(health, proc)
        return proc

    def stop(self, proc: Proc) -> None:
        proc.stop()
        if proc in self.procs:
            self.procs.remove(proc)

    def stop_all(self) -> None:
        for proc in reversed(self.procs):
            proc.stop()
        self.procs.clear()

    def folio(self, name: str, workers: int = 1, server: str = "uvicorn",
              checkout: Path | None = None, **env: str) -> tuple[Proc, str]:
        """Start `folio serve`, of this checkout or of `checkout` (its own .venv)."""
        port = free_port()
        full_env = {
            **os.environ,
            "FOLIO_DATA_DIR": str(self.data),
            "FOLIO_API_KEYS": f"bench:{API_KEY}",
            "FOLIO_ACCESS_LOG": "false",
            "FOLIO_LOG_LEVEL": "warning",
            "FOLIO_RATE_LIMIT_RPS": "1e9",
            "FOLIO_RATE_LIMIT_BURST": "1000000000",
            **env,
        }
        exe = VENV_BIN / "folio" if checkout is None else checkout / ".venv/bin/folio"
        args = [str(exe), "serve", "--port", str(port), "--workers", str(workers)]
        if server != "uvicorn":
            args += ["--server", server]
        base = f"http://127.0.0.1:{port}"
        proc = self.start(Proc(name, args, env=full_env, cwd=checkout or REPO),
                          f"{base}/healthz")
        waited = wait_settled(proc.pid)
        say(f"  {name}: start-up work settled {waited:.1f} s after /healthz")
        return proc, base

    def bare(self, body: Path, etag: str, redis_key: str) -> str:
        port = free_port()
        env = {**os.environ, "BENCH_FILE": str(body), "BENCH_ETAG": etag,
               "BENCH_REDIS_URL": self.redis_url, "BENCH_REDIS_KEY": redis_key}
        args = [sys.executable, "-m", "uvicorn", "benchmarks.bare_app:app", "--host",
                "127.0.0.1", "--port", str(port), "--workers", "1", "--loop", "uvloop",
                "--http", "httptools", "--no-access-log", "--log-level", "warning"]
        base = f"http://127.0.0.1:{port}"
        self.start(Proc("bare", args, env=env, cwd=REPO), f"{base}/bytes")
        return base

    def nginx(self, workers: int = 1, open_file_cache: bool = False) -> str | None:
        """nginx serving `self.static` (sendfile on); `open_file_cache`: keep open file
        descriptors and their stat, as a tuned static server does (the matrix)."""
        exe = shutil.which("nginx", path="/usr/sbin:/usr/bin")
        if exe is None:
            return None
        port = free_port()
        prefix = WORK / "nginx" / str(port)
        prefix.mkdir(parents=True, exist_ok=True)
        user = "user root;\n" if os.geteuid() == 0 else ""
        temps = "\n".join(f"  {t}_temp_path {prefix}/{t}_temp;"
                          for t in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi"))
        cache = ("  open_file_cache max=1000 inactive=60s;\n  open_file_cache_valid 60s;\n"
                 if open_file_cache else "")
        (prefix / "nginx.conf").write_text(f"""{user}worker_processes {workers};
daemon off;
pid {prefix}/nginx.pid;
error_log {prefix}/error.log warn;
events {{ worker_connections 4096; }}
http {{
  access_log off;
  sendfile on;
  tcp_nopush on;
  keepalive_requests 100000000;
  keepalive_timeout 120s;
{cache}{temps}
  types {{ image/jpeg jpg; application/json json; application/pdf pdf; text/html html; }}
  server {{
    listen 127.0.0.1:{port};
    root {self.static};
    gzip_static on;
    location / {{ add_header Cache-Control "public, max-age=31536000, immutable"; }}
  }}
}}
""")
        args = [exe, "-p", str(prefix), "-c", str(prefix / "nginx.conf"),
                "-e", str(prefix / "error.log")]
        base = f"http://127.0.0.1:{port}"
        self.start(Proc("nginx", args), f"{base}/p1.jpg")
        return base

    def thumbor(self) -> str | None:
        if self.thumbor_exe is None:
            return None
        port = free_port()
        conf = WORK / "thumbor.conf"
        results = WORK / "thumbor-results"
        shutil.rmtree(results, ignore_errors=True)
        conf.write_text(f"""LOADER = 'thumbor.loaders.file_loader'
FILE_LOADER_ROOT_PATH = {str(self.thumbor_images)!r}
STORAGE = 'thumbor.storages.no_storage'
RESULT_STORAGE = 'thumbor.result_storages.file_storage'
RESULT_STORAGE_FILE_STORAGE_ROOT_PATH = {str(results)!r}
RESULT_STORAGE_STORES_UNSAFE = True
RESULT_STORAGE_EXPIRATION_SECONDS = 0
ALLOW_UNSAFE_URL = True
QUALITY = 85
RESPECT_ORIENTATION = False
PRESERVE_EXIF_INFO = False
MAX_AGE = 31536000
""")
        args = [str(self.thumbor_exe), "-i", "127.0.0.1", "-p", str(port), "-c", str(conf),
                "-l", "warning"]
        base = f"http://127.0.0.1:{port}"
        self.start(Proc("thumbor", args), f"{base}/healthcheck")
        return base

    def redis(self) -> None:
        exe = shutil.which("redis-server")
        if exe is None:
            self.redis_url = os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/0")
            self.notes.append(f"redis-server not found; used the running Redis at "
                              f"{self.redis_url}.")
            return
        port = free_port()
        args = [exe, "--port", str(port), "--bind", "127.0.0.1", "--save", "",
                "--appendonly", "no", "--dir", str(WORK)]
        self.start(Proc("redis", args), None)
        self.redis_url = f"redis://127.0.0.1:{port}/0"
        import redis

        client = redis.Redis(port=port)
        for _ in range(100):
            try:
                client.ping()
                break
            except redis.ConnectionError:
                time.sleep(0.1)

    # -- measurement helpers ---------------------------------------------

    def wrk(self, url: str, headers: list[str] | None = None, *, warm: bool = True,
            script: Path | None = None, connections: int = 32,
            seconds: float | None = None, cpu_pid: int | None = None) -> WrkResult:
        if warm:
            wrk(url, self.warmup, headers=headers, script=script, connections=connections)
        cpu_before = cpu_seconds(cpu_pid) if cpu_pid is not None else 0.0
        result = wrk(url, seconds or self.seconds, headers=headers, script=script,
                     connections=connections)
        if cpu_pid is not None and result.requests:
            result.cpu_us = (cpu_seconds(cpu_pid) - cpu_before) / result.requests * 1e6
        if not result.ok:
            self.notes.append(f"wrk {url}: {result.requests} requests, "
                              f"{result.non2xx} non-2xx/3xx, {result.errors} socket errors.")
        say(f"  {url} -> {result.rps:,.0f} req/s (p50 {result.latency_p50}, "
            f"p99 {result.latency_p99})")
        return result

    def paired(self, folio: tuple[str, list[str] | None],
               ref: tuple[str, list[str] | None], *,
               cpu_pid: int | tuple[int, int] | None = None,
               rounds: int | None = None) -> tuple[float, float, str]:
        """Folio and its reference measured in alternation (F R R F F R ...), medians.

        On a shared 2-core machine a single run of each moves by 10-35 % with
        whatever else runs; alternating and taking medians makes the ratio honest.
        The runs and latencies are kept for the next `add` (`self.last_pair`).
        `cpu_pid`: the process serving both URLs, or (folio's, the reference's): its
        CPU time per request is noted for each side too. Unlike req/s, that barely
        depends on what else the machine runs.
        """
        f_res: list[WrkResult] = []
        r_res: list[WrkResult] = []
        rounds = rounds or self.rounds
        pids = (cpu_pid, cpu_pid) if not isinstance(cpu_pid, tuple) else cpu_pid
        for i in range(rounds):
            order = ((folio, f_res, pids[0]), (ref, r_res, pids[1]))
            for (url, headers), runs, pid in order if i % 2 == 0 else order[::-1]:
                runs.append(self.wrk(url, headers, cpu_pid=pid))
        f_runs = [r.rps for r in f_res]
        r_runs = [r.rps for r in r_res]
        self.last_pair = (f_runs, r_runs, median_latency(f_res), median_latency(r_res))
        note = (f"{rounds} alternating runs each; folio "
                + "/".join(f"{x:,.0f}" for x in f_runs) + ", reference "
                + "/".join(f"{x:,.0f}" for x in r_runs))
        if cpu_pid is not None:
            f_cpu = statistics.median(r.cpu_us for r in f_res)
            r_cpu = statistics.median(r.cpu_us for r in r_res)
            note += (f"; server CPU per request (median) {f_cpu:.1f} us vs {r_cpu:.1f} us "
                     f"(reference/folio {r_cpu / f_cpu:.2f}x)")
        return statistics.median(f_runs), statistics.median(r_runs), note

    def add_paired(self, row: Row) -> None:
        """`add` with the runs and latencies of the last `paired` call."""
        row.folio_runs, row.ref_runs, row.folio_lat, row.ref_lat = self.last_pair
        self.add(row)

    def profile_run(self, name: str, pid: int, url: str, headers: list[str] | None = None,
                    script: Path | None = None, subprocesses: bool = False) -> None:
        """An extra wrk run (not the measured one) with py-spy attached to `pid`."""
        if not self.profile:
            return
        from benchmarks import profile

        spy = profile.record(pid, self.seconds, name, subprocesses=subprocesses)
        if spy is None:
            self.notes.append("py-spy not found; no profiles taken.")
            self.profile = False
            return
        time.sleep(0.5)
        wrk(url, self.seconds, headers=headers, script=script)
        spy.wait(60)
        self.profiled.append(name)

    def add(self, row: Row) -> None:
        row.load = loadavg()[0]
        self.rows.append(row)
        ratio = f"{row.ratio:.2f}x" if row.ratio is not None else "-"
        say(f"{row.scenario}: folio {fmt(row.folio)} vs {row.reference} {fmt(row.ref)} "
            f"{row.unit} -> {ratio} [{row.met}]")

    # -- the run -----------------------------------------------------------

    def run(self) -> None:
        t0 = time.monotonic()
        self.setup()
        try:
            if self.only == "p6":
                say("P6 memory (alone)")
                self.p6()
            elif self.only == "iiif":
                iiif_zoom.run(self, AUTH, HEADERS)
            elif self.only == "p8":
                say("P8 signed URLs (alone)")
                self.p8()
            elif self.only == "server":
                servers.run(self, AUTH, HEADERS)
            elif self.only == "p7":
                say("P7 processing (alone)")
                self.p7_alone()
            else:
                self.scenarios()
        finally:
            self.stop_all()
        self.elapsed = time.monotonic() - t0
        print_table(self.rows)
        if self.profiled:
            from benchmarks import profile

            summary = profile.write_summary(self.profiled)
            print(summary.read_text())
            say(f"profiles in {WORK}/profile-*.txt, summary in {summary}")
        write_results(self)

    def setup(self) -> None:
        WORK.mkdir(parents=True, exist_ok=True)
        for d in (self.data, self.static, self.thumbor_images):
            shutil.rmtree(d, ignore_errors=True)
            d.mkdir(parents=True)
        for binary, packages in (("wrk", [["wrk"]]),
                                 ("nginx", [["nginx-light"], ["nginx"]]),
                                 ("varnishd", [["varnish"]])):
            if ensure_binary(binary, packages) is None:
                raise SystemExit(f"{binary} is missing and apt-get could not install it")
        if self.only not in ("p1", "p7", "p8", "iiif", "server"):  # the scenarios without thumbor
            self.thumbor_exe, how = ensure_thumbor()
            if self.thumbor_exe is None:
                self.notes.append(how)
        say("generating inputs")
        self.page = fixtures.page_jpeg(1)
        self.ocr = fixtures.ocr_json(50)
        self.redis()
        self.collect_versions()

    def processing(self, *, pages: int = 1, ocr: bool = False) -> str:
        from service.artifacts.catalogue import page_file, write_full_body
        from service.artifacts.store import FileStore

        store = FileStore(self.data)
        rec = store.create("bench", "ocr")
        pid = rec.processing_id
        for n in range(1, pages + 1):
            store.write_artifact(pid, page_file(n), self.page)
        results = ["page-images"]
        if ocr:
            store.write_artifact(pid, "ocr.json", self.ocr, compress=True)
            results.insert(0, "ocr")
        done = store.succeed(pid, pages=[(fixtures.PAGE_W, fixtures.PAGE_H)] * pages,
                             results=results)
        write_full_body(store, done, "OCR")
        return pid

    def scenarios(self) -> None:
        p1 = self.processing()
        p4 = self.processing()
        pj = self.processing(ocr=True)
        (self.thumbor_images / "p1.jpg").write_bytes(self.page)
        (self.thumbor_images / "p4.jpg").write_bytes(self.page)

        say("folio (memory cache, embedded workers)")
        folio, base = self.folio("folio-mem")
        self.folio_pid = folio.pid
        url1 = f"{base}/processing/results/{p1}/page-images/1?width={P1_WIDTH}"
        first = httpx.get(url1, headers=HEADERS)
        second = httpx.get(url1, headers=HEADERS)
        assert first.status_code == 200, first.text
        self.notes.append(f"P1 image: {len(second.content):,} bytes, "
                          f"{second.headers.get('content-type')}; X-Cache first "
                          f"{first.headers.get('x-cache')}, then {second.headers.get('x-cache')}.")
        etag = second.headers["etag"]
        body = self.static / "p1.jpg"
        body.write_bytes(second.content)
        (self.static / "ocr.json").write_bytes(self.ocr)
        from service.artifacts.store import FileStore

        shutil.copyfile(FileStore(self.data).artifact(pj, "ocr.json.gz"),
                        self.static / "ocr.json.gz")
        redis_key = "bench:p2:body"
        import redis

        redis.Redis.from_url(self.redis_url).set(redis_key, second.content)
        bare = self.bare(body, etag, redis_key)
        nginx = self.nginx()
        thumbor = self.thumbor()

        if self.only in (None, "p1"):
            # P1 hot hit
            say("P1 hot hit")
            if nginx:
                f1, n1, note = self.paired((url1, [AUTH]), (f"{nginx}/p1.jpg", None))
                self.add_paired(Row("P1 hot hit 800px vs nginx static", f1, "nginx", n1,
                             "req/s", ">=0.6x", note))
            if thumbor:
                turl = f"{thumbor}/unsafe/{P1_WIDTH}x0/p1.jpg"
                httpx.get(turl, timeout=60)
                f1, t1, note = self.paired((url1, [AUTH]), (turl, None))
                self.add_paired(Row("P1 hot hit 800px vs thumbor result storage", f1, "thumbor",
                             t1, "req/s", ">=10x", note))
            elif self.only is None:
                self.add(Row("P1 hot hit 800px vs thumbor result storage", None, "thumbor",
                             None, "req/s", ">=10x", "thumbor not installable"))
            self.profile_run("p1-hot-hit", folio.pid, url1, [AUTH])
            f1, b1, note = self.paired((url1, [AUTH]), (f"{bare}/bytes", None))
            self.add_paired(Row("P1 hot hit 800px vs bare Starlette bytes", f1, "bare Starlette",
                         b1, "req/s", "info", note))

            # P3 304
            say("P3 304 revalidation")
            inm = f"If-None-Match: {etag}"
            check = httpx.get(url1, headers={**HEADERS, "If-None-Match": etag})
            if check.status_code != 304:
                self.notes.append(f"P3: folio answered {check.status_code} to If-None-Match.")
            f3, b3, note = self.paired((url1, [AUTH, inm]), (f"{bare}/etag", [inm]))
            self.profile_run("p3-304", folio.pid, url1, [AUTH, inm])
            self.add_paired(Row("P3 304 If-None-Match vs bare Starlette 304", f3, "bare Starlette",
                         b3, "req/s", ">=0.8x", note))

        if self.only is None:
            # P4 miss
            say("P4 miss (every request a new width)")
            self.p4(base, p4, thumbor)

            # JSON
            say("JSON: 50-page OCR JSON")
            self.json_scenario(base, pj, nginx)

            # P7 processing (embedded workers of this folio)
            say("P7 processing")
            self.p7(base)

        self.stop(folio)
        if self.only == "p1":
            say("P1 with two processes")
            self.two_processes(p1)
            return

        # P2 Redis tier
        say("P2 Redis-tier hit")
        folio, base = self.folio("folio-redis", FOLIO_REDIS_URL=self.redis_url,
                                 FOLIO_MEMORY_CACHE_BYTES="1")
        url2 = f"{base}/processing/results/{p1}/page-images/1?width={P1_WIDTH}"
        httpx.get(url2, headers=HEADERS)
        xc = httpx.get(url2, headers=HEADERS).headers.get("x-cache")
        if xc != "hit-redis":
            self.notes.append(f"P2: expected X-Cache hit-redis, got {xc}.")
        bare_pid = next(p.pid for p in self.procs if p.name == "bare")
        f2, b2, note = self.paired((url2, [AUTH]), (f"{bare}/redis", None),
                                   cpu_pid=(folio.pid, bare_pid))
        self.profile_run("p2-redis-hit", folio.pid, url2, [AUTH])
        self.add_paired(Row("P2 Redis-tier hit vs bare Starlette + redis GET", f2,
                     "bare Starlette", b2, "req/s", ">=0.9x", f"X-Cache {xc}; {note}"))
        self.stop(folio)

        if self.only is None:
            say("P1 with two processes")
            self.two_processes(p1)
            say("--server granian")
            servers.run(self, AUTH, HEADERS, uvicorn_two=False)
            iiif_zoom.run(self, AUTH, HEADERS)
            say("P5 thundering herd")
            self.p5()
            say("P6 memory")
            self.p6()
            say("P8 signed URLs")
            self.p8()

    def p8(self) -> None:
        """A signed URL's hot hit against a keyed one (what verification costs), and a
        signed URL through Varnish (contrib/varnish.vcl) against a static file through
        the same Varnish (whether Varnish keeps folio's signed answers as it keeps a file).
        """
        from service.access.signing import Signer, load_or_create_key

        pid = self.processing()
        folio, base = self.folio("folio-signed")
        path = f"/processing/results/{pid}/page-images/1?width={P1_WIDTH}"
        signer = Signer([load_or_create_key(self.data)])
        signed = signer.sign(path, ttl=3600)
        keyed = httpx.get(base + path, headers=HEADERS)
        check = httpx.get(base + signed)
        assert check.status_code == 200, check.text
        self.notes.append(f"P8: signed answer Cache-Control {check.headers['cache-control']!r}; "
                          f"keyed {keyed.headers['cache-control']!r}, Vary "
                          f"{keyed.headers.get('vary')!r}.")
        httpx.get(base + signed)
        fs, fk, note = self.paired((base + signed, None), (base + path, [AUTH]),
                                   cpu_pid=folio.pid)
        self.add_paired(Row("P8 signed hot hit vs keyed hot hit (verification cost)", fs,
                     "keyed hot hit", fk, "req/s", ">=0.9x", note))
        (self.static / "p8.jpg").write_bytes(keyed.content)
        nginx = self.nginx()
        started = self.varnish(int(base.rsplit(":", 1)[1]), int(nginx.rsplit(":", 1)[1])
                               if nginx else None)
        if started is None or nginx is None:
            self.notes.append("P8: varnishd or nginx missing; no Varnish comparison.")
        else:
            varnish, proc, work = started
            first = httpx.get(varnish + signed)
            hit = httpx.get(varnish + signed)
            self.notes.append(f"P8 through Varnish: {first.status_code}, then X-Varnish "
                              f"{hit.headers.get('x-varnish')!r} (two ids: a cache hit).")
            fv, nv, note = self.paired((varnish + signed, None), (varnish + "/p8.jpg", None))
            self.add_paired(Row("P8 signed URL through Varnish vs nginx static through the same "
                         "Varnish", fv, "Varnish + nginx", nv, "req/s", ">=0.9x", note))
            self.stop(proc)
            shutil.rmtree(work, ignore_errors=True)
        self.stop(folio)

    def varnish(self, folio_port: int, static_port: int | None
                ) -> tuple[str, Proc, Path] | None:
        exe = shutil.which("varnishd", path="/usr/sbin:/usr/bin")
        if exe is None or static_port is None:
            return None
        import tempfile

        # the VCL compiler runs unprivileged: its files must be world-readable
        work = Path(tempfile.mkdtemp(prefix="folio-bench-varnish-"))
        work.chmod(0o755)
        # contrib/varnish.vcl as shipped, plus a second backend for the static file;
        # VCL runs several definitions of one subroutine in order
        vcl = (REPO / "contrib" / "varnish.vcl").read_text().replace(
            '.port = "8000"', f'.port = "{folio_port}"') + f"""
backend static {{
    .host = "127.0.0.1";
    .port = "{static_port}";
}}

sub vcl_recv {{
    if (req.url == "/p8.jpg") {{
        set req.backend_hint = static;
    }}
}}
"""
        (work / "bench.vcl").write_text(vcl)
        port = free_port()
        args = [exe, "-F", "-a", f"127.0.0.1:{port}", "-f", str(work / "bench.vcl"),
                "-n", str(work / "state"), "-s", "malloc,64m"]
        base = f"http://127.0.0.1:{port}"
        proc = self.start(Proc("varnish", args), f"{base}/p8.jpg")
        return base, proc, work

    def p4(self, base: str, pid: str, thumbor: str | None) -> None:
        lo, span = 200, 1601
        def script(name: str, template: str) -> Path:
            path = WORK / f"{name}.lua"
            path.write_text(f"""local n = 0
local counter = 0
function setup(thread) thread:set("offset", n); n = n + 1 end
function request()
  local w = {lo} + ((offset or 0) + 2 * counter) % {span}
  counter = counter + 1
  return wrk.format(nil, string.format("{template}", w))
end
""")
            return path

        fs = script("miss-folio", f"/processing/results/{pid}/page-images/1?width=%d")
        before = renders(base)
        seconds = max(self.seconds, 5.0)
        f4 = self.wrk(base, [AUTH], warm=False, script=fs, seconds=seconds)
        made = quiet(base) - before
        note = (f"{made:.0f} renders for {f4.requests} completed requests (the rest were "
                "in flight when wrk stopped)")
        if f4.requests > span:
            note += " (widths wrapped: some were hits)"
        if thumbor:
            ts = script("miss-thumbor", "/unsafe/%dx0/p4.jpg")
            t4 = self.wrk(thumbor, warm=False, script=ts, seconds=seconds)
            time.sleep(3)  # let thumbor finish what wrk left in flight
            self.add(Row("P4 miss (new width each request) vs thumbor", f4.rps, "thumbor",
                         t4.rps, "req/s", ">=2x", note, [f4.rps], [t4.rps],
                         latency_ms(f4), latency_ms(t4)))
        else:
            self.add(Row("P4 miss (new width each request) vs thumbor", f4.rps, "thumbor",
                         None, "req/s", ">=2x", "thumbor not installable"))
        direct, threads = direct_pyvips(self.data, pid, seconds, lo, span)
        self.add(Row(f"P4 miss vs direct pyvips render ({threads} threads)", f4.rps,
                     "pyvips loop", direct, "renders/s", f">={1 / 1.15:.3f}x",
                     "target: per-render time within 1.15x of direct pyvips"))
        if self.profile:
            pid2 = self.processing()
            ps = script("miss-folio-profile", f"/processing/results/{pid2}/page-images/1?width=%d")
            self.profile_run("p4-miss", self.folio_pid, base, [AUTH], script=ps)
            quiet(base)

    def json_scenario(self, base: str, pid: str, nginx: str | None) -> None:
        url = f"{base}/processing/results/{pid}/ocr"
        plain = httpx.get(url, headers={**HEADERS, "Accept-Encoding": "identity"})
        gz = httpx.get(url, headers={**HEADERS, "Accept-Encoding": "gzip"})
        self.notes.append(
            f"JSON: {len(self.ocr):,} bytes plain; folio plain answer "
            f"{plain.headers.get('content-length')} bytes, gzip answer "
            f"Content-Encoding={gz.headers.get('content-encoding')} "
            f"{gz.headers.get('content-length')} bytes.")
        self.profile_run("json-plain", self.folio_pid, url, [AUTH])
        self.profile_run("json-gzip", self.folio_pid, url, [AUTH, "Accept-Encoding: gzip"])
        if not nginx:
            return
        ng = httpx.get(f"{nginx}/ocr.json", headers={"Accept-Encoding": "gzip"})
        if ng.headers.get("content-encoding") != "gzip":
            self.notes.append("JSON: nginx did not answer gzip with gzip_static on.")
        identity = "Accept-Encoding: identity"
        fp, np_, note = self.paired((url, [AUTH, identity]), (f"{nginx}/ocr.json", [identity]))
        self.add_paired(Row("JSON 50-page OCR plain vs nginx", fp, "nginx", np_,
                            "req/s", ">=0.5x", note))
        accept_gzip = "Accept-Encoding: gzip"
        fg, ngz, note = self.paired((url, [AUTH, accept_gzip]),
                                    (f"{nginx}/ocr.json", [accept_gzip]))
        self.add_paired(Row("JSON 50-page OCR gzip vs nginx gzip_static", fg, "nginx", ngz,
                            "req/s", ">=0.5x", note))

    def two_processes(self, p1: str, server: str = "uvicorn") -> None:
        """P1 with two server processes: folio --workers 2 against nginx with 2 workers,
        and against folio --workers 1 (how far a second process scales on this machine);
        under `server` (the rows name granian when it is)."""
        who = "folio" if server == "uvicorn" else server
        tag = "folio" if server == "uvicorn" else f"folio-{server}"
        folio2, base2 = self.folio(f"{tag}-2proc", workers=2, server=server)
        folio1, base1 = self.folio(f"{tag}-1proc", server=server)
        url2 = f"{base2}/processing/results/{p1}/page-images/1?width={P1_WIDTH}"
        url1 = f"{base1}/processing/results/{p1}/page-images/1?width={P1_WIDTH}"
        for _ in range(8):  # both workers render once and keep it
            httpx.get(url2, headers=HEADERS)
        httpx.get(url1, headers=HEADERS)
        nginx2 = self.nginx(workers=2)
        if nginx2:
            f, n, note = self.paired((url2, [AUTH]), (f"{nginx2}/p1.jpg", None))
            self.add_paired(Row(f"P1 hot hit, 2 processes: {who} --workers 2 vs nginx 2 workers",
                                f, "nginx x2", n, "req/s", ">=0.5x", note))
        f2, f1, note = self.paired((url2, [AUTH]), (url1, [AUTH]))
        self.add_paired(Row(f"P1 hot hit: {who} --workers 2 vs {who} --workers 1", f2,
                            f"{who} x1", f1, "req/s", ">=1.6x",
                            note + f"; needs >=2 free cores, load average {loadavg()[0]} "
                            f"on {os.cpu_count()} CPUs"))
        nginx1 = self.nginx() if nginx2 and server == "uvicorn" else None
        if nginx2 and nginx1:
            # the same question asked of nginx: what a second process adds on this machine
            n2, n1, note = self.paired((f"{nginx2}/p1.jpg", None), (f"{nginx1}/p1.jpg", None))
            self.add_paired(Row("P1 hot hit: nginx 2 workers vs nginx 1 worker (the machine)",
                                n2, "nginx x1", n1, "req/s", "info", note))
        self.stop(folio1)
        self.stop(folio2)

    def p7_inputs(self) -> tuple[Path, Path, list[Path]]:
        """The 20-page digital PDF, the 4-page scan as one TIFF and as 4 PNGs."""
        pdf = WORK / "digital.pdf"
        fixtures.digital_pdf(pdf, 20)
        images = []
        for i in range(P7_SCAN_PAGES):
            path = WORK / f"scan-{i}.png"
            fixtures.page_png(path, 100 + i)
            images.append(path)
        tiff = WORK / f"scan-{P7_SCAN_PAGES}.tif"
        fixtures.scan_tiff(tiff, [100 + i for i in range(P7_SCAN_PAGES)])
        return pdf, tiff, images

    def p7_post(self, client: httpx.Client, path: Path, media_type: str,
                data: dict[str, str] | None = None) -> float:
        """Seconds for one POST /processing/<workflow> to answer 201 (the processing done)."""
        t = time.monotonic()
        r = client.post(f"/processing/{self.workflow}?wait_for=180",
                        files={"file": (path.name, path.read_bytes(), media_type)}, data=data)
        took = time.monotonic() - t
        if r.status_code != 201:
            self.notes.append(f"P7 {path.name}: status {r.status_code}: {r.text[:200]}")
        return took

    def p7_scan(self, client: httpx.Client, tiff: Path) -> float:
        return self.p7_post(client, tiff, "image/tiff", {"parameters": '{"language": "de"}'})

    @staticmethod
    def p7_tesseract(images: list[Path], extra: dict[str, str], lang: str = "deu") -> float:
        """Seconds for tesseract on the scan's pages one after another."""
        env = {**os.environ, **extra}
        t = time.monotonic()
        for path in images:
            subprocess.run(["tesseract", str(path), "stdout", "-l", lang, "tsv"],
                           capture_output=True, check=True, env=env)
        return time.monotonic() - t

    def p7(self, base: str) -> None:
        """Each POST `rounds` times (medians; every run in the notes), once the server
        has settled from the wrk runs before."""
        pdf, tiff, images = self.p7_inputs()
        n = P7_SCAN_PAGES
        wait_settled(self.folio_pid)
        with httpx.Client(base_url=base, headers=HEADERS, timeout=300) as client:
            runs = [self.p7_post(client, pdf, "application/pdf") for _ in range(self.rounds)]
            took = statistics.median(runs)
            self.add(Row("P7 20-page digital PDF through POST /processing/ocr", 20 / took,
                         "", None, "pages/s", ">=20",
                         f"{took:.2f}s for 20 pages (median of "
                         + "/".join(f"{r:.2f}" for r in runs) + " s)"))
            if self.profile and (spy := _profile_post(self, client, pdf)):
                self.profiled.append(spy)
            load = loadavg()[0]
            scans = [self.p7_scan(client, tiff) for _ in range(self.rounds)]
            folio_s = statistics.median(scans)
        for label, extra, target in (
                ("one page at a time, OMP_THREAD_LIMIT=1 as folio runs it",
                 {"OMP_THREAD_LIMIT": "1"}, ">=1.7x"),
                ("one page at a time, default OpenMP threads", {}, "info")):
            tess_s = self.p7_tesseract(images, extra)
            self.add(Row(f"P7 {n}-page scan (one multi-page TIFF POST) vs tesseract {label}",
                         n / folio_s, "tesseract", n / tess_s, "pages/s", target,
                         f"folio {folio_s:.1f}s (median of "
                         + "/".join(f"{x:.1f}" for x in scans)
                         + f"; load {load} when posted), tesseract {tess_s:.1f}s"))

    def p7_alone(self) -> None:
        """P7 `repeat` times, alternating with the folio of `against` (if given) and
        with tesseract; the rows give the medians, the notes every run."""
        pdf, tiff, images = self.p7_inputs()
        n = P7_SCAN_PAGES
        folios = [("this", None)]
        if self.against is not None:
            folios.append((str(self.against), self.against))
        bases, pids = {}, {}
        for label, checkout in folios:
            # its own data directory: the embedded workers claim jobs from it
            data = self.data if checkout is None else WORK / "data-against"
            proc, bases[label] = self.folio(f"folio-p7-{len(bases)}", checkout=checkout,
                                            FOLIO_DATA_DIR=str(data))
            assert proc.popen is not None
            pids[label] = proc.popen.pid
        pdf_s: dict[str, list[float]] = {label: [] for label, _ in folios}
        scan_s: dict[str, list[float]] = {label: [] for label, _ in folios}
        tess_s: list[float] = []
        both_s: list[float] = []
        tess_env = {"OMP_THREAD_LIMIT": "1"}
        for round_no in range(self.repeat):
            order = folios if round_no % 2 == 0 else folios[::-1]
            for label, _ in order:
                # CPU seconds of folio's whole process tree (web, job worker, page
                # processes, tesseract) per POST, beside the wall time
                with httpx.Client(base_url=bases[label], headers=HEADERS, timeout=300) as c:
                    cpu = tree_cpu(pids[label])
                    pdf_s[label].append(self.p7_post(c, pdf, "application/pdf"))
                    pdf_cpu = tree_cpu(pids[label]) - cpu
                    load = loadavg()[0]
                    scan_s[label].append(self.p7_scan(c, tiff))
                    scan_cpu = tree_cpu(pids[label]) - cpu - pdf_cpu
                self.notes.append(f"P7 round {round_no + 1} {label}: PDF "
                                  f"{pdf_s[label][-1]:.2f}s ({pdf_cpu:.2f} CPU-s), scan "
                                  f"{scan_s[label][-1]:.2f}s ({scan_cpu:.2f} CPU-s) "
                                  f"(load {load})")
            used = resource.getrusage(resource.RUSAGE_CHILDREN)
            tess_s.append(self.p7_tesseract(images, tess_env))
            after = resource.getrusage(resource.RUSAGE_CHILDREN)
            tess_cpu = after.ru_utime + after.ru_stime - used.ru_utime - used.ru_stime
            self.notes.append(f"P7 round {round_no + 1} tesseract: {tess_s[-1]:.2f}s "
                              f"({tess_cpu:.2f} CPU-s) (load {loadavg()[0]})")
            # like for like (info): the languages folio reads a German page in
            used = resource.getrusage(resource.RUSAGE_CHILDREN)
            both_s.append(self.p7_tesseract(images, tess_env, "deu+eng"))
            after = resource.getrusage(resource.RUSAGE_CHILDREN)
            tess_cpu = after.ru_utime + after.ru_stime - used.ru_utime - used.ru_stime
            self.notes.append(f"P7 round {round_no + 1} tesseract -l deu+eng: {both_s[-1]:.2f}s "
                              f"({tess_cpu:.2f} CPU-s) (load {loadavg()[0]})")
        tess = statistics.median(tess_s)
        for label, _ in folios:
            name = "" if label == "this" else f" [{label}]"
            if self.workflow != "ocr":
                name += f" ({self.workflow})"
            took = statistics.median(pdf_s[label])
            self.add(Row(f"P7 20-page digital PDF through POST /processing/{self.workflow}{name}",
                         20 / took, "", None, "pages/s", ">=20",
                         f"median of {self.repeat}: {took:.2f}s for 20 pages"))
            folio_s = statistics.median(scan_s[label])
            self.add(Row(f"P7 {n}-page scan (one multi-page TIFF POST) vs tesseract one page "
                         f"at a time, OMP_THREAD_LIMIT=1{name}", n / folio_s, "tesseract",
                         n / tess, "pages/s", ">=1.7x",
                         f"medians of {self.repeat}: folio {folio_s:.1f}s, tesseract "
                         f"{tess:.1f}s"))
            both = statistics.median(both_s)
            self.add(Row(f"P7 {n}-page scan vs tesseract -l deu+eng (folio's languages for "
                         f"German) one page at a time, OMP_THREAD_LIMIT=1{name}", n / folio_s,
                         "tesseract", n / both, "pages/s", "info",
                         f"medians of {self.repeat}: folio {folio_s:.1f}s, tesseract "
                         f"{both:.1f}s"))

    def p5(self) -> None:
        pid = self.processing()
        a, base_a = self.folio("folio-herd-a", FOLIO_REDIS_URL=self.redis_url)
        b, base_b = self.folio("folio-herd-b", FOLIO_REDIS_URL=self.redis_url)
        bases = [base_a, base_b]
        before = sum(renders(x) for x in bases)
        path = f"/processing/results/{pid}/page-images/1?width=777"

        async def herd() -> list[tuple[int, str]]:
            limits = httpx.Limits(max_connections=400, max_keepalive_connections=400)
            async with httpx.AsyncClient(headers=HEADERS, timeout=120, limits=limits) as c:
                # open the connections first, so the 200 requests really arrive together
                await asyncio.gather(*(c.get(f"{bases[i % 2]}/healthz") for i in range(200)))
                rs = await asyncio.gather(*(c.get(bases[i % 2] + path) for i in range(200)),
                                          return_exceptions=True)
                # uvicorn under a 200-connection burst now and then drops one keep-alive
                # connection (a bare Starlette app does the same): such a GET is sent again
                for i, r in enumerate(rs):
                    if isinstance(r, httpx.TransportError):
                        self.p5_retried += 1
                        rs[i] = await c.get(bases[i % 2] + path)
            return [(r.status_code, r.headers.get("x-cache", "")) for r in rs
                    if isinstance(r, httpx.Response)]

        results = asyncio.run(herd())
        made = sum(renders(x) for x in bases) - before
        statuses = {s for s, _ in results}
        kinds: dict[str, int] = {}
        for _, k in results:
            kinds[k] = kinds.get(k, 0) + 1
        self.add(Row("P5 thundering herd: renders for 200 concurrent requests, 2 processes",
                     made, "", None, "renders", "==1",
                     f"statuses {sorted(statuses)}; X-Cache {kinds}; "
                     f"{self.p5_retried} dropped connection(s) retried"))
        self.stop(a)
        self.stop(b)

    def p6(self) -> None:
        pid = self.processing(pages=2)
        folio, base = self.folio("folio-rss")
        sizes = 2000 if self.full else 300
        soak = self.soak if self.soak is not None else (600.0 if self.full else 0.0)
        targets = [(page, w) for w in range(100, 1100) for page in (1, 2)][:sizes]
        samples: list[tuple[float, float]] = []
        stop = threading.Event()

        def sample() -> None:
            t0 = time.monotonic()
            while not stop.is_set():
                samples.append((time.monotonic() - t0, rss_mb(folio.pid)))
                stop.wait(0.25)

        async def drive() -> int:
            queue = list(targets)
            t0 = time.monotonic()
            done = 0

            async def worker(c: httpx.AsyncClient) -> None:
                nonlocal done
                while queue or time.monotonic() - t0 < soak:
                    page, w = queue.pop() if queue else random.choice(targets)
                    r = await c.get(f"{base}/processing/results/{pid}/page-images/{page}"
                                    f"?width={w}")
                    if r.status_code == 200:
                        done += 1

            async with httpx.AsyncClient(headers=HEADERS, timeout=120) as c:
                await asyncio.gather(*(worker(c) for _ in range(8)))
            return done

        baseline = rss_mb(folio.pid)
        thread = threading.Thread(target=sample, daemon=True)
        thread.start()
        t = time.monotonic()
        done = asyncio.run(drive())
        took = time.monotonic() - t
        stop.set()
        thread.join()
        kids = sum(rss_mb(p) for p in children(folio.pid))
        self.p6_samples = list(samples)
        values = [v for _, v in samples]
        tail = values[len(values) * 3 // 4:] or values
        plateau = statistics.median(tail)
        self.add(Row(f"P6 RSS serving {sizes} distinct sizes ({took:.0f}s, {done} responses)",
                     round(plateau, 1), "", None, "MB", "<=250",
                     f"start {baseline:.0f} MB, max {max(values):.0f} MB, plateau = median "
                     f"of last quarter; embedded job workers (separate processes) "
                     f"{kids:.0f} MB more"))
        self.stop(folio)

    def collect_versions(self) -> None:
        import pyvips

        v = self.versions
        v["python"] = platform.python_version()
        for dist in ("folio", "starlette", "uvicorn", "uvloop", "httptools", "pyvips",
                     "pyvips-binary", "redis", "hiredis", "orjson", "aiofiles", "httpx"):
            try:
                v[dist] = md.version(dist)
            except md.PackageNotFoundError:
                v[dist] = "not installed"
        v["libvips"] = ".".join(str(pyvips.version(i)) for i in range(3))
        v["nginx"] = version_of(["nginx", "-v"])
        v["varnish"] = version_of(["varnishd", "-V"])
        v["wrk"] = version_of(["wrk", "-v"])
        v["redis-server"] = version_of(["redis-server", "--version"])
        v["tesseract"] = version_of(["tesseract", "--version"])
        v["thumbor"] = (version_of([str(self.thumbor_exe), "--version"])
                        if self.thumbor_exe else "not installed")


def _profile_post(b: Bench, client: httpx.Client, pdf: Path) -> str | None:
    """The PDF POST once more with py-spy on folio and its job-worker processes."""
    from benchmarks import profile

    spy = profile.record(b.folio_pid, 8, "p7-pdf", subprocesses=True)
    if spy is None:
        return None
    time.sleep(0.5)
    client.post("/processing/ocr?wait_for=180",
                files={"file": ("digital.pdf", pdf.read_bytes(), "application/pdf")})
    spy.wait(60)
    return "p7-pdf"


def renders(base: str) -> float:
    text = httpx.get(f"{base}/metrics", headers=HEADERS).text
    total = 0.0
    for line in text.splitlines():
        if line.startswith("folio_renders_total"):
            total += float(line.rsplit(" ", 1)[1])
    return total


def quiet(base: str) -> float:
    """Wait until folio has finished the renders wrk left in flight; the final count."""
    last = renders(base)
    while True:
        time.sleep(0.5)
        now = renders(base)
        if now == last:
            return now
        last = now


def direct_pyvips(data: Path, pid: str, seconds: float, lo: int, span: int
                  ) -> tuple[float, int]:
    """Renders/s of service.images.imaging.render in as many threads as folio's render pool."""
    from service.artifacts.catalogue import page_file
    from service.artifacts.store import FileStore
    from service.config import Settings
    from service.images import imaging

    threads = Settings().render_threads
    imaging.configure_vips()
    path = str(FileStore(data).artifact(pid, page_file(1)))
    widths = itertools.count()
    lock = threading.Lock()
    deadline = time.monotonic() + seconds
    counts = [0] * threads

    def loop(i: int) -> None:
        while time.monotonic() < deadline:
            with lock:
                w = lo + next(widths) % span
            out_w, out_h = imaging.output_size(fixtures.PAGE_W, fixtures.PAGE_H, w, None)
            imaging.render(path, out_w, out_h, "jpeg", 85)
            counts[i] += 1

    t = time.monotonic()
    with ThreadPoolExecutor(threads) as pool:
        list(pool.map(loop, range(threads)))
    rate = sum(counts) / (time.monotonic() - t)
    say(f"  direct pyvips: {rate:.1f} renders/s in {threads} threads")
    return rate, threads


def fmt(x: float | None) -> str:
    if x is None:
        return "-"
    if abs(x) >= 100:
        return f"{x:,.0f}"
    return f"{x:.2f}" if x != int(x) else f"{int(x)}"


def table(rows: list[Row]) -> list[str]:
    out = ["| scenario | folio | reference | ref value | unit | ratio | target | met "
           "| folio p50 / p99 ms | ref p50 / p99 ms | p99 ratio | load | note |",
           "|---|---:|---|---:|---|---:|---|---|---:|---:|---:|---:|---|"]
    for r in rows:
        ratio = f"{r.ratio:.2f}x" if r.ratio is not None else "-"
        p99 = (f"{r.folio_lat[1] / r.ref_lat[1]:.2f}x" if r.folio_lat and r.ref_lat
               and r.ref_lat[1] > 0 else "-")
        out.append(f"| {r.scenario} | {fmt(r.folio)} | {r.reference or '-'} | {fmt(r.ref)} | "
                   f"{r.unit} | {ratio} | {r.target} | {r.met} | {fmt_lat(r.folio_lat)} | "
                   f"{fmt_lat(r.ref_lat)} | {p99} | {r.load} | {r.note} |")
    return out


def fmt_lat(lat: tuple[float, float] | None) -> str:
    if lat is None:
        return "-"
    return f"{lat[0]:.2f} / {lat[1]:.2f}"


def median_latency(results: list[WrkResult]) -> tuple[float, float] | None:
    """Medians over runs of each run's p50 and p99, in ms."""
    pairs = [lat for lat in (latency_ms(r) for r in results) if lat is not None]
    if not pairs:
        return None
    return (statistics.median(p for p, _ in pairs), statistics.median(q for _, q in pairs))


def print_table(rows: list[Row]) -> None:
    print()
    for r in rows:
        ratio = f"{r.ratio:.2f}x" if r.ratio is not None else "-"
        print(f"{r.scenario[:62]:62} {fmt(r.folio):>9} {(r.reference or '-')[:14]:14} "
              f"{fmt(r.ref):>9} {r.unit:9} {ratio:>7} {r.target:9} {r.met}")


def write_plots(b: Bench, mode: str) -> str:
    """results.json and results.svg; the Markdown that embeds the plot (or says why not)."""
    import orjson

    from benchmarks import plots

    stem = f"results-{b.only}" if b.only else "results"
    data = {"when": f"{dt.datetime.now().astimezone():%Y-%m-%d %H:%M %Z}", "mode": mode,
            "load": " ".join(loadavg()), "cpus": os.cpu_count(),
            "rows": [dataclasses.asdict(r) for r in b.rows], "p6_samples": b.p6_samples}
    (HERE / f"{stem}.json").write_bytes(orjson.dumps(data, option=orjson.OPT_INDENT_2))
    try:
        svg = plots.draw(data, HERE / f"{stem}.svg")
    except ImportError:
        return "(no plots: matplotlib is missing; `.venv/bin/pip install -e '.[bench]'`)"
    return f"![throughput, latency and memory of this run]({svg.name})"


def write_results(b: Bench) -> None:
    mode = "full" if b.full else "short"
    plot = write_plots(b, mode)
    lines = [
        "# folio benchmark results",
        "",
        f"Generated by `.venv/bin/python -m benchmarks.run{' --full' if b.full else ''}` "
        f"({mode} mode, {b.seconds:.0f} s wrk runs after {b.warmup:.0f} s warm-up, "
        f"wrk -t2 -c32) on {dt.datetime.now().astimezone():%Y-%m-%d %H:%M %Z}; "
        f"the whole run took {b.elapsed:.0f} s.",
        "",
        f"Machine: {os.cpu_count()} CPUs (`nproc` = {version_of(['nproc'])}), {cpu_model()}, "
        f"{platform.platform()}. wrk, the server under test and the reference all share "
        "these CPUs, so absolute numbers are low; the ratios are what counts.",
        "",
        "Ratio = folio / reference (higher is better for throughput). Every server runs as "
        "one process (folio `--workers 1`, nginx `worker_processes 1`, thumbor one process, "
        "bare Starlette under uvicorn with uvloop + httptools, 1 worker), except the rows "
        "that say 2 processes. Latency columns: medians over the alternating runs of wrk's "
        "p50 and p99 (`--latency`) at 32 connections; p99 ratio = folio / reference "
        "(goal <= 2x). Load = the 1-minute load average when the figure was taken: above "
        "~2 on these 2 CPUs other work competed with the measurement, and a figure taken "
        "above ~6 says more about the machine than about folio.",
        "",
        plot,
        "",
        *table(b.rows),
        "",
        "## Versions",
        "",
        *[f"- {k}: {v}" for k, v in b.versions.items()],
        "",
        "## Notes from this run",
        "",
        *[f"- {n}" for n in b.notes],
        f"- Load average at the end of the run: {' '.join(loadavg())} (other work on the "
        "machine adds noise; short-mode figures vary by 10-35 % between runs).",
        "",
    ]
    analysis = HERE / "ANALYSIS.md"
    if analysis.exists():
        lines += [analysis.read_text().strip(), ""]
    name = f"RESULTS-{b.only}.md" if b.only else "RESULTS.md"
    (HERE / name).write_text("\n".join(lines))
    say(f"wrote {HERE / name}")


def loadavg() -> list[str]:
    try:
        return Path("/proc/loadavg").read_text().split()[:3]
    except OSError:
        return ["?"]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--full", action="store_true", help="long runs and a 10 min soak")
    parser.add_argument("--seconds", type=float, help="length of each wrk run")
    parser.add_argument("--profile", action="store_true",
                        help="extra runs under py-spy (needs py-spy in .venv)")
    parser.add_argument("--only", choices=["p1", "p2", "p6", "p7", "p8", "iiif", "server"],
                        help="run one scenario alone (writes RESULTS-<name>.md)")
    parser.add_argument("--soak", type=float, help="P6 soak seconds (full: 600)")
    parser.add_argument("--rounds", type=int,
                        help="alternating runs of each side per row (short 3, full 5)")
    parser.add_argument("--repeat", type=int, default=3, help="P7 alone: rounds (default 3)")
    parser.add_argument("--against", type=Path,
                        help="P7 alone: another checkout (with its .venv) to alternate with")
    parser.add_argument("--workflow", default="ocr",
                        help="P7 alone: the workflow to post to (default ocr; "
                             "invoice_extraction adds the extraction's time per page)")
    args = parser.parse_args()
    bench = Bench(args.full, args.seconds, args.profile)
    if args.rounds:
        bench.rounds = args.rounds
    bench.only = args.only
    bench.soak = args.soak
    bench.repeat = args.repeat
    bench.against = args.against
    bench.workflow = args.workflow
    bench.run()


if __name__ == "__main__":
    main()
