"""The answer planner: one decision per request, with no web framework in it.

Request facts in (`facts`), the answer out: bytes (`hot`), a file range
(`preconditions`, `ranges`), an error, or a hand-over to a handler named in the
URL table (`urls`). The ASGI front (`service.web.fastpath`), the answers written
from uvicorn's parser (`service.web.http_protocol`) and the handlers all ask it;
none of them parses URLs, negotiates, evaluates preconditions or shapes CORS
and errors on its own. Nothing here imports Starlette or uvicorn.
"""
