"""At start of `folio serve` and `folio worker`: the object store answers, or folio
exits with status 2 naming FOLIO_STORE_URL (a node that cannot reach its store
would only answer 503)."""

from __future__ import annotations

import os
import sys

from service.config import Settings
from service.objects.configure import check_store


def store_ready(settings: Settings) -> None:
    problem = check_store(settings)
    if problem is not None:
        print(f"folio: {problem}", file=sys.stderr, flush=True)
        # at once: obstore's runtime threads, torn down by the interpreter's exit,
        # can abort the process (SIGABRT) instead of letting it exit with 2
        os._exit(2)
