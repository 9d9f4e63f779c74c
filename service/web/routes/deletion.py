"""DELETE /processing/results/{id}: folio's extension, the owning tenant's key only.

    401 no or bad key → 422 not a UUID → 404 unknown → 403 another tenant's
    → 409 still pending or running → 204 gone from the store, the records and the
    image cache (then 404 everywhere)
"""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response

from service.artifacts.record import CorruptRecord
from service.errors import Failed, Forbidden, NotFound, ValidationFailed
from service.web.checks import CORRUPT, NO_PROCESSING, check_id, services, tenant_of
from service.wire.media import NO_STORE


async def delete_result(request: Request) -> Response:
    tenant = await tenant_of(request)
    errors: list[dict[str, object]] = []
    processing_id = check_id(request, errors)
    if errors:
        raise ValidationFailed(errors)
    svc = services(request)
    try:
        record = await svc.records.get(processing_id)
    except CorruptRecord:
        raise Failed(CORRUPT) from None
    if record is None:
        raise NotFound(NO_PROCESSING)
    if record.tenant != tenant:
        raise Forbidden()
    await svc.deleter.delete(record)
    return Response(status_code=204, headers={"cache-control": NO_STORE})


handlers = {"delete": delete_result}
