"""What every router shares: the running service as a dependency, and the documented error answers."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Query, Request

from landquota.service.runtime import Service
from landquota.service.schemas import Problems


def service(request: Request) -> Service:
    """The running service of the app serving ``request`` (``app.state.service``)."""
    return request.app.state.service


Svc = Annotated[Service, Depends(service)]

Limit = Annotated[int, Query(ge=1, le=500, description="At most this many, newest first.")]
"""The page size of a list (jobs, batches)."""
Offset = Annotated[int, Query(ge=0, le=10_000_000, description="Skip this many.")]
"""How many of a list to skip (jobs, batches)."""
"""Route parameter type: ``svc: Svc`` is the running Service."""

NOT_FOUND = {404: {"model": Problems, "description": "Unknown dataset or job."}}
INVALID = {422: {"model": Problems, "description": "Invalid input: every problem with its field path and rule."}}
TOO_LARGE = {413: {"model": Problems, "description": "Body too large (LANDQUOTA_MAX_BODY_BYTES)."}}
DB_DOWN = {503: {"model": Problems, "description": "The database cannot be written or reached (read-only, disk "
                 "full, down): the reason in `detail`; retry after `Retry-After` seconds."}}
AUTH_ERRORS = {
    401: {"model": Problems, "description": "No API key, or an invalid or revoked one."},
    403: {"model": Problems, "description": "The key lacks the scope this operation needs."},
    429: {"model": Problems, "description": "Too many requests for this key (rate limit), too many of its jobs "
          "active, or the queue is full: retry after `Retry-After` seconds."},
    **DB_DOWN,
}
"""Every /v1 operation may answer these."""
