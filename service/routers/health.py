"""Liveness and readiness: ``GET /healthz`` (public), and ``/`` sending a browser to the docs."""

from __future__ import annotations

from fastapi import APIRouter, Request, Response
from fastapi.responses import RedirectResponse

from landquota.service.routers.common import Svc
from landquota.service.schemas import Health

router = APIRouter(tags=["service"])


@router.get("/", include_in_schema=False)
async def root():
    return RedirectResponse("/docs")


@router.get("/healthz", response_model=Health, summary="Liveness, readiness and solver version",
            responses={503: {"model": Health, "description": "`starting`: the solver workers are not all ready yet "
                             "(retry after `Retry-After` seconds); `degraded`: the database does not answer or "
                             "cannot be written, or the dispatcher has stopped."}})
def healthz(request: Request, response: Response, svc: Svc):
    """`ok` (200) once every solver worker is ready; `starting` (503, with `Retry-After`) until then, so
    a load balancer or container health check sends no work to a server that cannot solve yet (jobs
    submitted meanwhile are accepted and queued); `degraded` (503) when the database does not answer or
    cannot be written, or the dispatcher has stopped. Public (no key needed)."""
    st = svc.settings
    workers = svc.pool.stats()
    try:
        svc.store.ping()
        jobs, db, status = svc.store.counts(), f"{svc.backend}: ok", "ok"
    except Exception as e:
        jobs, db, status = {}, f"{svc.backend}: {type(e).__name__}", "degraded"
    failed = svc.store.write_failure(st.db_retry_after_s)
    if failed and status == "ok":
        db, status = f"{svc.backend}: cannot write: {failed}", "degraded"
    if status != "ok" or not workers["dispatcher"]:
        status = "degraded"
    elif not svc.pool.warm.is_set():
        status = "starting"
        response.headers["Retry-After"] = "1"
    if status != "ok":
        response.status_code = 503
    return Health(status=status, version=request.app.version, solver=svc.solver_version, database=db,
                  auth="on" if request.app.state.auth.enabled else "off", workers=workers, jobs=jobs,
                  datasets=svc.datasets.loaded())
