"""Logging set-up, the same in the `folio` process and in every uvicorn worker.

uvicorn starts its `--workers N` processes fresh (spawn), so logging set up in
the parent alone never reaches them: the access log lines, written by the
workers, went nowhere. `log_config` is handed to uvicorn, which applies it in
each worker process (and in the parent with one worker).

libvips reports routine events (e.g. "VIPS: threadpool completed") at GLib's
info level, which pyvips logs at INFO: thousands of lines an hour of serving.
They are demoted to DEBUG; libvips' warnings and errors stay as they are.
"""

from __future__ import annotations

import logging
import logging.config
from typing import Any

PLAIN = "%(message)s"


class VipsInfoToDebug(logging.Filter):
    """On the `pyvips` logger: INFO becomes DEBUG, shown only when DEBUG is on."""

    def filter(self, record: logging.LogRecord) -> bool:
        if record.levelno == logging.INFO:
            record.levelno, record.levelname = logging.DEBUG, "DEBUG"
            return logging.getLogger("pyvips").isEnabledFor(logging.DEBUG)
        return True


def log_config(level: str) -> dict[str, Any]:
    """A `logging.config.dictConfig` dictionary: folio's lines plain on stderr."""
    level = level.upper()
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "filters": {"vips": {"()": f"{__name__}.VipsInfoToDebug"}},
        "formatters": {
            "plain": {"format": PLAIN},
            "uvicorn": {"()": "uvicorn.logging.DefaultFormatter",
                        "fmt": "%(levelprefix)s %(message)s", "use_colors": None},
        },
        "handlers": {
            "stderr": {"class": "logging.StreamHandler", "formatter": "plain",
                       "stream": "ext://sys.stderr"},
            "uvicorn": {"class": "logging.StreamHandler", "formatter": "uvicorn",
                        "stream": "ext://sys.stderr"},
        },
        "loggers": {
            "uvicorn": {"handlers": ["uvicorn"], "level": level, "propagate": False},
            # folio writes its own access line (folio.access)
            "uvicorn.access": {"handlers": [], "level": "WARNING", "propagate": False},
            "pyvips": {"filters": ["vips"]},
        },
        "root": {"handlers": ["stderr"], "level": level},
    }


def setup_logging(level: str) -> None:
    logging.config.dictConfig(log_config(level))
