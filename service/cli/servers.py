"""The HTTP servers `folio serve` can run the app under (`--server`, FOLIO_SERVER).

Both import the same ASGI app (`service.web.asgi:app`) in each of `--workers`
processes, run its lifespan, and apply folio's logging configuration in every
worker; access lines are folio's own (`folio.access`), the server's are off.

- uvicorn (the default): uvloop + httptools, with folio's connection limits
  (`service.web.connection_limits`: 431 past FOLIO_HEADER_MAX_BYTES, 408 for
  slow headers and stalled bodies) and, unless FOLIO_PARSER_LANE=false, the
  fast path's answers written straight from the parser
  (`service.web.http_protocol`). folio sets no `limit_concurrency` (the parser
  lane steps aside wherever it is set). With one worker the app runs in the
  `folio` process itself.
- granian (the `granian` extra): a Rust HTTP server, uvloop for the Python
  side. It advertises `http.response.pathsend`, so whole stored files (PDFs,
  large artifacts) are sent by the server from the path instead of being read
  and written through Python. Its limits are hyper's: the head must fit in
  max(FOLIO_HEADER_MAX_BYTES, 8 KiB) of buffer (else 431) and be read within
  FOLIO_HEADER_TIMEOUT (else the connection is closed, without a 408);
  FOLIO_BODY_TIMEOUT is not enforced. Even with one worker the app runs in a
  child process of `folio`.
"""

from __future__ import annotations

from service.cli.logs import log_config
from service.config import Settings
from service.web.connection_limits import IMPORT_PATH as LIMITS_PROTOCOL
from service.web.http_protocol import IMPORT_PATH as LANE_PROTOCOL

APP = "service.web.asgi:app"
HYPER_MIN_BUFFER = 8192  # hyper refuses a smaller read buffer


def run_uvicorn(settings: Settings) -> None:
    import uvicorn

    protocol = LANE_PROTOCOL if settings.parser_lane else LIMITS_PROTOCOL
    # log_config: uvicorn applies it in every worker process
    uvicorn.run(APP, host=settings.host, port=settings.port,
                workers=settings.workers, loop="uvloop", http=protocol,
                log_config=log_config(settings.log_level), log_level=settings.log_level,
                access_log=False, lifespan="on")


def run_granian(settings: Settings) -> None:
    try:
        from granian.constants import HTTPModes, Interfaces, Loops
        from granian.http import HTTP1Settings
        from granian.log import LogLevels
        from granian.server import Server
    except ImportError:
        raise SystemExit("folio: --server granian needs the granian extra: "
                         "pip install 'folio[granian]'") from None

    http1 = HTTP1Settings(
        header_read_timeout=max(1, round(settings.header_timeout * 1000)),
        max_buffer_size=max(HYPER_MIN_BUFFER, settings.header_max_bytes),
    )
    # ASGI with lifespan; HTTP/1.1 only, as under uvicorn; granian applies the
    # dictConfig in each worker (merged over its own, whose handlers write to stdout)
    Server(APP, address=settings.host, port=settings.port, interface=Interfaces.ASGI,
           workers=settings.workers, loop=Loops.uvloop, http=HTTPModes.http1,
           websockets=False, http1_settings=http1,
           log_level=LogLevels(settings.log_level), log_dictconfig=log_config(settings.log_level),
           log_access=False).serve()


RUNNERS = {"uvicorn": run_uvicorn, "granian": run_granian}
