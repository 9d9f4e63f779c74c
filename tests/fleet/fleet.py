"""A folio fleet on one machine, for the fleet test and benchmarks/fleet.py: `folio serve`
nodes and `folio worker` processes, each on directories of its own, sharing one S3
bucket (SeaweedFS), one PostgreSQL database and one Redis, with nginx round-robin in
front. Every process runs in a session of its own, so a test can kill one as a lost
machine would go: the process and everything it started."""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import httpx

from tests.helpers import ROOT, free_port, secret_from

TENANT = "acme"


def nginx_binary() -> str | None:
    found = shutil.which("nginx")
    if found is None and Path("/usr/sbin/nginx").exists():
        found = "/usr/sbin/nginx"
    return found


def _wait_for(url: str, process: subprocess.Popen[bytes], log: Path,
              timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    while True:
        if process.poll() is not None:
            raise RuntimeError(f"{url} exited: {log.read_text(errors='replace')[-3000:]}")
        try:
            if httpx.get(url, timeout=1).status_code == 200:
                return
        except httpx.TransportError:
            pass
        if time.monotonic() > deadline:
            raise RuntimeError(f"{url} did not answer in {timeout} s")
        time.sleep(0.05)


def _stop(process: subprocess.Popen[bytes] | None, sig: int = signal.SIGTERM,
          timeout: float = 15.0) -> None:
    if process is None or process.poll() is not None:
        return
    with contextlib.suppress(ProcessLookupError):
        os.killpg(process.pid, sig)
    try:
        process.wait(timeout)
    except subprocess.TimeoutExpired:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGKILL)
        process.wait()


class Member:
    """One `folio serve` node or `folio worker`: its own data and cache directories,
    a fixed port (a node restarted keeps its place in nginx's upstream)."""

    def __init__(self, fleet: Fleet, name: str, command: str) -> None:
        self.fleet = fleet
        self.name = name
        self.command = command
        self.home = fleet.root / name
        self.data_dir = self.home / "data"
        self.cache_dir = self.home / "cache"
        self.log = fleet.root / f"{name}.log"
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.process: subprocess.Popen[bytes] | None = None

    def env(self) -> dict[str, str]:
        return {**self.fleet.env(), "FOLIO_DATA_DIR": str(self.data_dir),
                "FOLIO_CACHE_DIR": str(self.cache_dir)}

    def start(self, wait: bool = True) -> None:
        args = [sys.executable, "-m", "service.cli", self.command]
        env = self.env()
        if self.command == "serve":
            args += ["--port", str(self.port)]
            env.update(self.fleet.node_env)
        else:
            env.update(self.fleet.worker_env)
        with open(self.log, "ab") as log:
            self.process = subprocess.Popen(args, cwd=ROOT, env=env, stdout=log,
                                            stderr=subprocess.STDOUT, start_new_session=True)
        if wait:
            self.wait()

    def wait(self) -> None:
        """Until a node answers (a worker has nothing to ask)."""
        if self.command == "serve" and self.process is not None:
            _wait_for(self.url + "/healthz", self.process, self.log)

    def stop(self) -> None:
        _stop(self.process)
        self.process = None

    def kill(self) -> None:
        """SIGKILL to the process and everything it started, as a lost machine."""
        _stop(self.process, signal.SIGKILL)
        self.process = None

    def wipe(self) -> None:
        shutil.rmtree(self.home, ignore_errors=True)

    def client(self, secret: str | None = None) -> httpx.Client:
        return self.fleet.client(self.url, secret)

    def holding(self, processing_id: str) -> list[Path]:
        """What of the processing is on this member's disk."""
        return [path for path in self.home.rglob("*") if processing_id in path.name
                or (path.is_file() and processing_id in str(path.relative_to(self.home)))]

    def holds(self, processing_id: str) -> bool:
        return bool(self.holding(processing_id))


class Fleet:
    def __init__(self, root: Path, store_env: dict[str, str], database_url: str,
                 redis_url: str, nodes: int = 2, workers: int = 2,
                 node_env: dict[str, str] | None = None,
                 worker_env: dict[str, str] | None = None) -> None:
        self.root = root
        self.store_env = store_env
        self.database_url = database_url
        self.redis_url = redis_url
        self.node_env = {"FOLIO_JOB_WORKERS": "0", **(node_env or {})}
        self.worker_env = {"FOLIO_JOB_WORKERS": "1", "FOLIO_PAGE_WORKERS": "1",
                           **(worker_env or {})}
        self.nodes = [Member(self, f"node-{i + 1}", "serve") for i in range(nodes)]
        self.workers = [Member(self, f"worker-{i + 1}", "worker") for i in range(workers)]
        self.nginx_port = free_port()
        self.url = f"http://127.0.0.1:{self.nginx_port}"
        self.nginx: subprocess.Popen[bytes] | None = None
        self._clients: list[httpx.Client] = []

    def env(self) -> dict[str, str]:
        return {**os.environ, **self.store_env, "FOLIO_DATABASE_URL": self.database_url,
                "FOLIO_DATABASE_TIMEOUT": "1", "FOLIO_REDIS_URL": self.redis_url,
                "FOLIO_RATE_LIMIT_RPS": "1000000", "FOLIO_RATE_LIMIT_BURST": "1000000",
                "FOLIO_ACCESS_LOG": "false", "FOLIO_LOG_LEVEL": "warning"}

    def folio(self, *args: str) -> subprocess.CompletedProcess[str]:
        """A `folio` command on a machine of the fleet (its own empty data directory)."""
        env = {**self.env(), "FOLIO_DATA_DIR": str(self.root / "cli")}
        return subprocess.run([sys.executable, "-m", "service.cli", *args], cwd=ROOT, env=env,
                              capture_output=True, text=True, timeout=60)

    def create_key(self, tenant: str = TENANT) -> tuple[str, str]:
        """(key id, secret) of a key made with `folio keys create` in the database."""
        made = self.folio("keys", "create", "--tenant", tenant)
        assert made.returncode == 0, made.stderr
        key_id = next(line.split()[-1] for line in made.stdout.splitlines()
                      if line.startswith("key id:"))
        return key_id, secret_from(made.stdout)

    def start(self) -> None:
        self.root.mkdir(parents=True, exist_ok=True)
        for member in self.nodes + self.workers:  # all at once: each takes seconds
            member.start(wait=False)
        for member in self.nodes:
            member.wait()
        self.start_nginx()

    def start_nginx(self) -> None:
        binary = nginx_binary()
        if binary is None:
            raise RuntimeError("nginx is not installed (scripts/run test installs it)")
        work = self.root / "nginx"
        work.mkdir(exist_ok=True)
        temp = " ".join(f"{name}_temp_path {work / name};"
                        for name in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi"))
        upstream = " ".join(f"server 127.0.0.1:{node.port} max_fails=0;" for node in self.nodes)
        # round robin; a node's error answer goes to the client as it is (no retry on
        # another node), so the test sees every 5xx any node gave
        (work / "nginx.conf").write_text(
            f"daemon off; pid {work / 'nginx.pid'}; error_log {work / 'error.log'} warn;\n"
            "worker_processes 1;\nevents { worker_connections 1024; }\n"
            f"http {{ access_log off; {temp}\n"
            f"  upstream folio {{ {upstream} keepalive 32; }}\n"
            f"  server {{ listen 127.0.0.1:{self.nginx_port}; client_max_body_size 200m;\n"
            "    location / { proxy_pass http://folio; proxy_http_version 1.1;\n"
            "      proxy_set_header Connection \"\"; proxy_set_header Host $host;\n"
            "      proxy_read_timeout 300s; proxy_next_upstream off;\n"
            # nothing through temporary files: nginx's workers run as nobody, who
            # cannot enter a test's private temporary directory
            "      proxy_request_buffering off; proxy_buffering off; } } }\n")
        log = self.root / "nginx.log"
        with open(log, "ab") as out:
            self.nginx = subprocess.Popen(
                [binary, "-p", str(work), "-c", str(work / "nginx.conf"),
                 "-e", str(work / "error.log")],
                stdout=out, stderr=subprocess.STDOUT, start_new_session=True)
        _wait_for(self.url + "/healthz", self.nginx, log, 15)

    def stop(self) -> None:
        for client in self._clients:
            client.close()
        _stop(self.nginx)
        for member in self.nodes + self.workers:
            member.stop()

    def client(self, url: str | None = None, secret: str | None = None) -> httpx.Client:
        headers = {"Authorization": f"ApiKey {secret}"} if secret else {}
        client = httpx.Client(base_url=url or self.url, headers=headers, timeout=120)
        self._clients.append(client)
        return client

    def logs(self) -> str:
        """The tail of every member's log, for an assertion message."""
        parts = []
        for member in self.nodes + self.workers:
            if member.log.exists():
                parts.append(f"--- {member.name}\n"
                             + member.log.read_text(errors="replace")[-2000:])
        return "\n".join(parts)
