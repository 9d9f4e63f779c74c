"""The names folio uses from its dependencies that they do not document.

folio reaches into uvicorn's HTTP protocol, Starlette's form parser and Response,
and arq's worker and Redis layout; docs/dependencies.md says where and why.
pyproject.toml holds each of those dependencies to the minor release checked here,
and each test below fails when a name folio uses is gone, changes kind, or stops
doing what folio relies on: a version bump is then a deliberate change, made with
these tests, not a surprise in production.
"""

from __future__ import annotations

import ast
import asyncio
import inspect
import socket
import sys
import textwrap
import tomllib
from collections import deque
from collections.abc import AsyncGenerator, Callable, Iterator, MutableMapping
from importlib.metadata import version
from pathlib import Path
from typing import Any

import pytest
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name
from packaging.version import Version

ROOT = Path(__file__).resolve().parent.parent
# the dependencies whose undocumented names folio uses; each is held below its next minor
PINNED = ("starlette", "uvicorn", "arq")


def folio_source() -> str:
    return "\n".join(path.read_text() for path in sorted((ROOT / "service").rglob("*.py")))


def used(name: str) -> bool:
    """Whether folio's code still mentions `name` (some uses are being replaced)."""
    return name in folio_source()


# -- pins ------------------------------------------------------------------------


def requirements() -> dict[str, Requirement]:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    found: dict[str, Requirement] = {}
    for line in project["dependencies"]:
        requirement = Requirement(line)
        found[canonicalize_name(requirement.name)] = requirement
    return found


@pytest.mark.parametrize("dist", PINNED)
def test_each_dependency_with_private_names_is_held_to_the_minor_installed(dist: str) -> None:
    requirement = requirements()[dist]
    installed = Version(version(dist))
    assert installed in requirement.specifier, (dist, str(installed), str(requirement))
    uppers = [spec.version for spec in requirement.specifier if spec.operator == "<"]
    assert uppers == [f"{installed.major}.{installed.minor + 1}"], (dist, str(requirement))


# -- uvicorn: the HTTP protocol folio subclasses ----------------------------------

# the protocol methods folio's subclasses override (connection_limits, http_protocol)
PROTOCOL_HOOKS = {
    "connection_made": ["transport"], "connection_lost": ["exc"], "data_received": ["data"],
    "on_message_begin": [], "on_headers_complete": [], "on_body": ["body"],
    "on_message_complete": [], "on_response_complete": [], "send_400_response": ["msg"],
}


# what folio's subclasses read or call on uvicorn's protocol, besides the hooks
PROTOCOL_NAMES = {"app", "loop", "transport", "flow", "cycle", "pipeline", "limit_concurrency",
                  "parser", "headers", "url", "scope", "root_path", "server_state",
                  "_unset_keepalive_if_required"}
# what they read or set on a request's RequestResponseCycle
CYCLE_NAMES = {"response_started", "response_complete", "disconnected", "message_event",
               "waiting_for_100_continue", "transport", "scope", "expected_content_length"}


def uvicorn_names(klass: type) -> set[str]:
    """Every name a uvicorn class has: its attributes and those its code sets on self."""
    names = set(dir(klass))
    for node in ast.walk(ast.parse(textwrap.dedent(inspect.getsource(klass)))):
        if isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name) \
                and node.value.id == "self":
            names.add(node.attr)
    return names


def folio_protocols() -> list[type]:
    """The protocol classes `folio serve` may hand uvicorn (service.cli.servers)."""
    from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol

    import service.cli.servers  # noqa: F401  (imports every protocol it may choose)

    found, todo = [], [HttpToolsProtocol]
    while todo:
        for sub in todo.pop().__subclasses__():
            todo.append(sub)
            if sub.__module__.startswith("service."):
                found.append(sub)
    assert found
    return found


class Recorder:
    """A cycle's transport as folio replaces it (`http_protocol._HeadWithBody`): only
    write, close and is_closing, so uvicorn calling anything else fails here."""

    def __init__(self, transport: asyncio.Transport, cycle: Any,
                 writes: list[tuple[bytes, bool]]) -> None:
        self._transport = transport
        self._cycle = cycle
        self._writes = writes

    def write(self, data: bytes) -> None:
        self._writes.append((data, self._cycle.response_started))
        self._transport.write(data)

    def close(self) -> None:
        self._transport.close()

    def is_closing(self) -> bool:
        return self._transport.is_closing()


def probe_class() -> type[Any]:
    from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol

    class Probe(HttpToolsProtocol):
        """uvicorn's protocol, read where folio's subclass reads it."""

        def __init__(self, *args: Any, **kwargs: Any) -> None:
            super().__init__(*args, **kwargs)
            self.seen: dict[str, Any] = {}
            self.cycles: list[dict[str, Any]] = []
            self.writes: list[tuple[bytes, bool]] = []
            self.completed = 0

        def on_headers_complete(self) -> None:
            self.seen.update(
                url=self.url, headers=list(self.headers), scope=self.scope,
                method=self.parser.get_method(), version=self.parser.get_http_version(),
                keep_alive=self.parser.should_keep_alive(),
                upgrade=self.parser.should_upgrade(), root_path=self.root_path,
                pipeline=self.pipeline, limit=self.limit_concurrency,
                read_paused=self.flow.read_paused, write_paused=self.flow.write_paused,
                default_headers=self.server_state.default_headers, app=self.app,
                loop=self.loop, transport=self.transport)
            previous = self.cycle
            super().on_headers_complete()
            cycle = self.cycle
            assert cycle is not None and cycle is not previous
            self.cycles.append({
                "cycle": cycle, "transport": cycle.transport,
                "response_started": cycle.response_started,
                "response_complete": cycle.response_complete,
                "disconnected": cycle.disconnected, "message_event": cycle.message_event,
                "waiting_for_100_continue": cycle.waiting_for_100_continue})
            cycle.transport = Recorder(self.transport, cycle, self.writes)  # type: ignore[assignment]

        def on_response_complete(self) -> None:
            self.completed += 1
            super().on_response_complete()

    return Probe


async def serve_one(app: Callable[..., Any], data: bytes, done: Callable[[Any], bool],
                    after: Callable[[Any], None] | None = None) -> tuple[Any, bytes]:
    """One connection to uvicorn's protocol made as uvicorn makes it; `data` is sent
    and the connection held until `done(protocol)`, then `after(protocol)` runs;
    returns the protocol and what the client got."""
    from uvicorn.config import Config
    from uvicorn.server import ServerState

    loop = asyncio.get_running_loop()
    config = Config(app=app, lifespan="off", log_config=None, access_log=False)
    config.load()
    state = ServerState()
    state.default_headers = [(b"date", b"Thu, 01 Jan 2026 00:00:00 GMT"), (b"server", b"uvicorn")]
    protocol = probe_class()(config=config, server_state=state, app_state={}, _loop=loop)
    ours, theirs = socket.socketpair()
    theirs.setblocking(False)
    try:
        await loop.connect_accepted_socket(lambda: protocol, ours)
        await loop.sock_sendall(theirs, data)
        async with asyncio.timeout(10):
            while not done(protocol):
                await asyncio.sleep(0.005)
        if after is not None:
            after(protocol)
        received = b""
        while True:
            try:
                chunk = theirs.recv(65536)
            except BlockingIOError:
                break
            if not chunk:
                break
            received += chunk
    finally:
        protocol.transport.close()
        theirs.close()
        await asyncio.sleep(0)
    return protocol, received


async def hello(scope: dict[str, Any], receive: Any, send: Any) -> None:
    await send({"type": "http.response.start", "status": 200,
                "headers": [(b"content-length", b"2")]})
    await send({"type": "http.response.body", "body": b"ok"})


def test_uvicorn_protocol_has_what_folio_reads_on_a_parsed_head() -> None:
    from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol, RequestResponseCycle

    keep_alive: list[bool] = []

    def unset_keep_alive(protocol: Any) -> None:
        """connection_limits: a head begun after an answer takes the keep-alive
        timer uvicorn armed off (`_unset_keepalive_if_required`)."""
        timer = protocol.timeout_keep_alive_task
        protocol._unset_keepalive_if_required()
        keep_alive.extend([isinstance(timer, asyncio.TimerHandle), timer.cancelled(),
                           protocol.timeout_keep_alive_task is None])

    request = b"GET /a%20b?x=1 HTTP/1.1\r\nHost: h\r\nX-Two: 2\r\n\r\n"
    protocol, _ = asyncio.run(serve_one(hello, request, lambda p: p.completed == 1,
                                        unset_keep_alive))
    assert keep_alive == [True, True, True]
    unset = inspect.getattr_static(HttpToolsProtocol, "_unset_keepalive_if_required")
    assert inspect.isfunction(unset) and list(inspect.signature(unset).parameters) == ["self"]
    for name in PROTOCOL_NAMES:
        assert hasattr(protocol, name), name
    seen = protocol.seen
    assert seen["url"] == b"/a%20b?x=1"
    assert seen["headers"] == [(b"host", b"h"), (b"x-two", b"2")]
    assert isinstance(seen["scope"], dict) and seen["scope"]["type"] == "http"
    assert (seen["method"], seen["version"], seen["keep_alive"], seen["upgrade"]) == (
        b"GET", "1.1", True, False)
    assert seen["root_path"] == ""
    assert isinstance(seen["pipeline"], deque) and not seen["pipeline"]
    assert seen["limit"] is None
    assert (seen["read_paused"], seen["write_paused"]) == (False, False)
    assert seen["default_headers"] is protocol.server_state.default_headers
    assert callable(seen["app"]) and isinstance(seen["loop"], asyncio.AbstractEventLoop)
    assert isinstance(seen["transport"], asyncio.Transport)
    for name, parameters in PROTOCOL_HOOKS.items():
        hook = inspect.getattr_static(HttpToolsProtocol, name)
        assert inspect.isfunction(hook), name
        assert list(inspect.signature(hook).parameters)[1:] == parameters, name
    (cycle,) = protocol.cycles
    assert isinstance(cycle["cycle"], RequestResponseCycle)
    assert cycle["transport"] is seen["transport"]  # the transport folio replaces
    assert (cycle["response_started"], cycle["response_complete"], cycle["disconnected"],
            cycle["waiting_for_100_continue"]) == (False, False, False, False)
    assert isinstance(cycle["message_event"], asyncio.Event)
    assert cycle["cycle"].response_complete is True


def test_uvicorn_cycle_writes_its_head_once_as_the_response_starts() -> None:
    """What `_HeadWithBody` holds back: one write, just after `response_started`, made
    of STATUS_LINE, the server's default headers and the answer's; then the body."""
    from uvicorn.protocols.http.httptools_impl import STATUS_LINE

    request = b"GET / HTTP/1.1\r\nHost: h\r\n\r\n"
    protocol, received = asyncio.run(serve_one(hello, request, lambda p: p.completed == 1))
    head = (STATUS_LINE[200] + b"date: Thu, 01 Jan 2026 00:00:00 GMT\r\n"
            b"server: uvicorn\r\ncontent-length: 2\r\n\r\n")
    assert protocol.writes == [(head, True), (b"ok", True)]
    assert received == head + b"ok"


def test_uvicorn_status_lines_are_the_ones_folio_writes() -> None:
    from uvicorn.protocols.http.httptools_impl import STATUS_LINE

    assert STATUS_LINE[200] == b"HTTP/1.1 200 OK\r\n"
    assert STATUS_LINE[304] == b"HTTP/1.1 304 Not Modified\r\n"
    for status in range(100, 600):
        line = STATUS_LINE[status]
        assert line.startswith(b"HTTP/1.1 %d " % status) and line.endswith(b"\r\n"), status


def test_uvicorn_cycle_flags_folio_sets_and_reads() -> None:
    """connection_limits: a client waiting for `100 Continue` is not idle; a refused
    request's handler is told `disconnected` through `message_event`."""
    got: list[dict[str, Any]] = []
    proceed = asyncio.Event()

    async def app(scope: dict[str, Any], receive: Any, send: Any) -> None:
        got.append(await receive())
        await proceed.wait()
        got.append(await receive())

    def refuse_once_read(protocol: Any) -> bool:
        if len(got) == 1 and not proceed.is_set():
            cycle = protocol.cycle
            cycle.disconnected = True  # what connection_limits' _refuse does
            cycle.message_event.set()
            proceed.set()
        return len(got) == 2

    request = (b"POST / HTTP/1.1\r\nHost: h\r\nExpect: 100-continue\r\n"
               b"Content-Length: 5\r\n\r\nab")
    protocol, received = asyncio.run(serve_one(app, request, refuse_once_read))
    (cycle,) = protocol.cycles
    assert cycle["waiting_for_100_continue"] is True
    assert protocol.cycle.waiting_for_100_continue is False  # the first receive() sent it
    assert received == b"HTTP/1.1 100 Continue\r\n\r\n"
    assert got == [{"type": "http.request", "body": b"ab", "more_body": True},
                   {"type": "http.disconnect"}]


def test_uvicorn_replaces_its_default_headers_list_on_each_tick() -> None:
    """http_protocol caches the joined Date/Server lines by the list's identity."""
    from uvicorn.config import Config
    from uvicorn.server import Server

    config = Config(app=hello, log_config=None)
    config.load()  # as Server.startup does: the Server header joins the defaults
    server = Server(config)

    async def ticks() -> tuple[Any, Any]:
        await server.on_tick(0)
        first = server.server_state.default_headers
        await server.on_tick(10)
        return first, server.server_state.default_headers

    first, second = asyncio.run(ticks())
    assert first is not second
    assert [name for name, _ in second] == [b"date", b"server"]


def folio_names(cls: type) -> set[str]:
    """The methods a folio class defines and the attributes it assigns on self."""
    names = set(vars(cls))
    for node in ast.walk(ast.parse(textwrap.dedent(inspect.getsource(cls)))):
        targets: list[ast.expr] = []
        if isinstance(node, ast.Assign):
            targets = list(node.targets)
        elif isinstance(node, ast.AnnAssign | ast.AugAssign):
            targets = [node.target]
        for target in targets:
            for part in target.elts if isinstance(target, ast.Tuple | ast.List) else [target]:
                if (isinstance(part, ast.Attribute) and isinstance(part.value, ast.Name)
                        and part.value.id == "self"):
                    names.add(part.attr)
    return {name for name in names if not (name.startswith("__") and name.endswith("__"))}


def folio_classes(cls: type) -> Iterator[type]:
    return (klass for klass in cls.__mro__ if klass.__module__.startswith("service."))


def test_folios_protocols_add_no_name_uvicorns_protocol_has() -> None:
    """A name folio adds to its subclass that uvicorn also uses (today, or after a
    rename in a later release) silently replaces uvicorn's: only the hooks may."""
    from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol

    theirs = uvicorn_names(HttpToolsProtocol)
    for protocol in folio_protocols():
        for klass in folio_classes(protocol):
            assert (folio_names(klass) - set(PROTOCOL_HOOKS)) & theirs == set(), klass


def test_every_uvicorn_name_folio_uses_is_checked_here() -> None:
    """The lists above are complete: a uvicorn name folio's protocol code reads on
    itself or on a cycle and that these tests do not check fails here."""
    from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol, RequestResponseCycle

    protocol_names = uvicorn_names(HttpToolsProtocol)
    cycle_names = uvicorn_names(RequestResponseCycle)
    unchecked = set()
    modules = {klass.__module__ for protocol in folio_protocols()
               for klass in folio_classes(protocol)}
    modules.add("service.web.zero_copy")  # handed each request's cycle by the protocol
    for module in modules:
        for node in ast.walk(ast.parse(inspect.getsource(sys.modules[module]))):
            if not isinstance(node, ast.Attribute):
                continue
            owner = node.value
            if isinstance(owner, ast.Name) and owner.id == "self" \
                    and node.attr in protocol_names:
                if node.attr not in PROTOCOL_NAMES | set(PROTOCOL_HOOKS):
                    unchecked.add(f"self.{node.attr}")
            elif ((isinstance(owner, ast.Name) and owner.id == "cycle")
                  or (isinstance(owner, ast.Attribute) and owner.attr in ("cycle", "_cycle"))) \
                    and node.attr in cycle_names and node.attr not in CYCLE_NAMES:
                unchecked.add(f"cycle.{node.attr}")
    assert unchecked == set()


# -- Starlette ----------------------------------------------------------------------

# the callbacks folio's upload parser extends (service/web/multipart.py)
FORM_HOOKS = ("on_part_begin", "on_header_field", "on_header_value", "on_header_end",
              "on_headers_finished", "on_part_data", "on_part_end")
BOUNDARY = "b0undary"
FORM = (f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="workflow"\r\n\r\nocr\r\n'
        f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="file"; filename="a.pdf"\r\n'
        f"Content-Type: application/pdf\r\n\r\n%PDF-1.4\r\n--{BOUNDARY}--\r\n").encode()


async def form_stream() -> AsyncGenerator[bytes, None]:
    yield FORM


def test_starlettes_form_parser_calls_the_callbacks_folio_extends() -> None:
    from starlette.datastructures import Headers, UploadFile
    from starlette.formparsers import MultiPartException, MultiPartParser

    calls: list[str] = []

    def recording(name: str) -> Callable[..., None]:
        def hook(self: MultiPartParser, *args: Any) -> None:
            calls.append(name)
            getattr(MultiPartParser, name)(self, *args)
        return hook

    recorder = type("Recorder", (MultiPartParser,), {name: recording(name) for name in FORM_HOOKS})
    parameters = inspect.signature(MultiPartParser.__init__).parameters
    assert {"headers", "stream", "max_files", "max_fields", "max_part_size"} <= set(parameters)
    headers = Headers({"content-type": f"multipart/form-data; boundary={BOUNDARY}"})
    parser = recorder(headers, form_stream(), max_files=1, max_fields=float("inf"),
                      max_part_size=1024)
    form = asyncio.run(parser.parse())
    squeezed = [name for i, name in enumerate(calls) if i == 0 or calls[i - 1] != name]
    part = ["on_part_begin", "on_header_field", "on_header_value", "on_header_end"]
    assert squeezed == [
        *part, "on_headers_finished", "on_part_data", "on_part_end",
        *part, "on_header_field", "on_header_value", "on_header_end",
        "on_headers_finished", "on_part_data", "on_part_end"]
    assert form["workflow"] == "ocr"
    assert MultiPartException("too long").message == "too long"  # read by read_upload
    upload = form["file"]
    assert isinstance(upload, UploadFile) and upload.filename == "a.pdf"
    asyncio.run(form.close())


def test_folios_upload_parser_adds_no_name_starlettes_parser_has() -> None:
    from starlette.datastructures import Headers
    from starlette.formparsers import MultiPartParser

    from service.web.multipart import _UploadParser

    parser = MultiPartParser(Headers({}), form_stream())
    starlette_names = set(dir(MultiPartParser)) | set(vars(parser))
    for klass in folio_classes(_UploadParser):
        assert (folio_names(klass) - set(FORM_HOOKS)) & starlette_names == set(), klass


def test_python_multipart_parses_options_headers() -> None:
    from python_multipart.multipart import parse_options_header

    assert parse_options_header('form-data; name="file"; filename="a b.pdf"') == (
        b"form-data", {b"name": b"file", b"filename": b"a b.pdf"})
    assert parse_options_header(None) == (b"", {})


@pytest.mark.skipif(not used(".raw_headers = "), reason="folio no longer sets it")
def test_starlettes_response_sends_the_raw_headers_set_on_it() -> None:
    """`web.error_response` and `web.conditional` set a Response's `raw_headers`."""
    from starlette.responses import Response

    response = Response(b"{}", status_code=404)
    response.raw_headers = [(b"content-type", b"application/json"), (b"content-length", b"2")]
    sent: list[MutableMapping[str, Any]] = []

    async def receive() -> dict[str, Any]:
        return {"type": "http.request"}

    async def send(message: MutableMapping[str, Any]) -> None:
        sent.append(message)

    asyncio.run(response({"type": "http", "method": "GET", "headers": []}, receive, send))
    assert sent[0] == {"type": "http.response.start", "status": 404,
                       "headers": [(b"content-type", b"application/json"),
                                   (b"content-length", b"2")]}
    assert sent[1]["body"] == b"{}"


# -- arq: its API folio calls, and its Redis layout the reconciler reads ------------


def test_arq_api_folio_calls_has_its_shape() -> None:
    from arq import create_pool
    from arq.worker import Worker

    worker = set(inspect.signature(Worker.__init__).parameters)
    assert {"functions", "redis_pool", "queue_name", "ctx", "max_jobs", "job_timeout",
            "keep_result", "poll_delay", "burst", "handle_signals"} <= worker
    assert "default_queue_name" in inspect.signature(create_pool).parameters
    assert inspect.iscoroutinefunction(Worker.main)


def test_arq_redis_layout_is_the_one_the_reconciler_reads(tmp_path: Path,
                                                          spare_redis: Any) -> None:
    """`jobs.reconcile`: a waiting job is a member of the queue's sorted set with no
    in-progress key; a started one has its in-progress key (and its task in the
    worker's `tasks`, which `arq_queue._drop` cancels); deleting the job, in-progress
    and retry keys and the queue entry lets the same id be queued again."""
    import redis.asyncio as aioredis
    from arq import create_pool
    from arq.connections import RedisSettings
    from arq.constants import in_progress_key_prefix, job_key_prefix, retry_key_prefix
    from arq.worker import Worker, func

    from service.artifacts.store import FileStore
    from service.jobs.reconcile import ARQ_QUEUE, Reconciler

    job_id = "a" * 32
    during: dict[str, Any] = {}
    held: dict[str, Any] = {}

    async def probe(ctx: dict[str, Any], job_id: str) -> None:
        redis = ctx["redis"]
        during["queued"] = await redis.zscore(ARQ_QUEUE, job_id)
        during["in progress"] = await redis.exists(in_progress_key_prefix + job_id)
        during["retry"] = await redis.get(retry_key_prefix + job_id)
        during["alive"] = await held["reconciler"]._alive([job_id])
        during["tasks"] = dict(held["worker"].tasks)

    async def enqueue(pool: Any) -> Any:
        return await pool.enqueue_job("probe", job_id, _job_id=job_id, _queue_name=ARQ_QUEUE)

    async def main() -> None:
        pool = await create_pool(RedisSettings.from_dsn(spare_redis.url),
                                 default_queue_name=ARQ_QUEUE)
        redis = aioredis.Redis.from_url(spare_redis.url)
        reconciler = held["reconciler"] = Reconciler(FileStore(tmp_path), redis, None)
        try:
            assert await enqueue(pool) is not None
            assert await redis.zscore(ARQ_QUEUE, job_id) is not None
            assert await redis.exists(job_key_prefix + job_id)
            assert await reconciler._alive([job_id]) == {job_id}  # waiting
            assert await enqueue(pool) is None  # an id is queued once
            worker = held["worker"] = Worker(
                functions=[func(probe, name="probe")], redis_pool=pool, queue_name=ARQ_QUEUE,
                keep_result=0, poll_delay=0.05, burst=True, handle_signals=False)
            await worker.main()
            assert during["queued"] is not None and during["in progress"] == 1
            assert during["retry"] == b"1"
            assert during["alive"] == set()  # started: folio's own running mark decides
            assert len(during["tasks"]) == 1
            assert all(isinstance(task, asyncio.Task) for task in during["tasks"].values())
            await reconciler._forget(job_id)
            for prefix in (job_key_prefix, in_progress_key_prefix, retry_key_prefix):
                assert not await redis.exists(prefix + job_id)
            assert await redis.zscore(ARQ_QUEUE, job_id) is None
            assert await enqueue(pool) is not None  # queued anew
        finally:
            await redis.aclose()
            await pool.aclose()

    asyncio.run(main())


# -- no other private names ------------------------------------------------------


def test_folio_imports_and_getattrs_no_other_private_library_name() -> None:
    """`from lib import _x` and `getattr(obj, "_x")` are the plain signs of a library's
    private name; folio has none (the attribute uses above are listed by hand)."""
    found = []
    for path in sorted((ROOT / "service").rglob("*.py")) + sorted((ROOT / "cache").rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(), str(path))):
            if isinstance(node, ast.ImportFrom) and not (node.level or (
                    node.module or "").split(".")[0] in ("service", "cache")):
                found += [f"{path.name}: {node.module}.{alias.name}" for alias in node.names
                          if alias.name.startswith("_") and alias.name != "__future__"]
            elif (isinstance(node, ast.Call) and isinstance(node.func, ast.Name)
                  and node.func.id in ("getattr", "setattr", "hasattr") and len(node.args) > 1
                  and isinstance(node.args[1], ast.Constant)
                  and str(node.args[1].value).startswith("_")):
                found.append(f"{path.name}: {node.func.id}(..., {node.args[1].value!r})")
    assert found == []


def test_every_cycle_name_folio_uses_is_uvicorns() -> None:
    """`expected_content_length` (service/web/zero_copy.py) and the flags above: a
    renamed attribute of uvicorn's cycle fails here, not as a broken answer."""
    from uvicorn.protocols.http.httptools_impl import RequestResponseCycle

    assert CYCLE_NAMES - uvicorn_names(RequestResponseCycle) == set()
