"""One request's decisions as they are taken, kept in the ASGI scope under one key.

The planner fills it (facts, the endpoint and its parameters, the gate's
access, the negotiated format, a tier's miss, an artifact read by a step); the
handler, the cache policy and the access log read it. Nothing is decided twice.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, MutableMapping
from dataclasses import dataclass, field
from typing import Any, NamedTuple

from service.access.gate import Access
from service.artifacts.bodies import Body
from service.web.planner.facts import Facts
from service.web.planner.urls import Endpoint

EXCHANGE = "folio"  # the scope key
RawHeaders = list[tuple[bytes, bytes]]


class Reply(NamedTuple):
    """A whole answer in bytes; `body` is empty for HEAD."""

    status: int
    headers: RawHeaders
    body: bytes


class _Again:
    """A step's answer: plan again (what it waited for is in the exchange)."""


AGAIN = _Again()
# What the planner gives: the answer, an awaitable step, or None: the handler answers.
# A step gives the answer, None, or AGAIN.
Step = Callable[[], Awaitable["Reply | _Again | None"]]


@dataclass(slots=True)
class Exchange:
    facts: Facts
    start: float  # perf_counter when the request's head was read
    endpoint: Endpoint | None = None
    params: dict[str, str] = field(default_factory=dict)
    access: Access | None = None
    negotiated: bool = False  # the image format was chosen from Accept
    missed: str | None = None  # cache key both tiers just missed: render without looking
    hit: Body | None = None  # the artifact body a step read, for the next plan
    pending: Any = None  # what the planner gave the parser lane, for the app's call
    asked: bool = False  # `pending` holds an answer of the planner's


def exchange_of(scope: MutableMapping[str, Any]) -> Exchange:
    found: Exchange = scope[EXCHANGE]
    return found
