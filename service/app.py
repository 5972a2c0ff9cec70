"""The HTTP API (FastAPI): datasets, solves, jobs, approval routing. Versioned under ``/v1``.

``create_app(settings)`` builds the app; uvicorn runs it (``service.server.run``). Routes hold no
mathematics: they validate, store a job, and read what the solver pool wrote. Blocking work
(database, scenario validation) runs in the thread pool, solves in worker processes, so the event
loop only waits.
"""

from __future__ import annotations

import asyncio
import os
from contextlib import asynccontextmanager
from datetime import datetime
from importlib import metadata
from typing import Annotated, Any, Literal, get_args

from fastapi import Body, FastAPI, Path, Query, Response
from fastapi.concurrency import run_in_threadpool
from fastapi.middleware.gzip import GZipMiddleware
from fastapi.openapi.docs import get_swagger_ui_html
from fastapi.responses import JSONResponse, RedirectResponse
from fastapi.staticfiles import StaticFiles

from landquota.models.approval import route
from landquota.models.policy import PolicyParameters
from landquota.models.scenario import Problem, Scenario
from landquota.service.auth import Auth, Reader, Solver
from landquota.service.batch_routes import batch_router
from landquota.service.db import utcnow
from landquota.service.errors import ApiError, BodySizeLimit, install, invalid
from landquota.service.export import table_csv
from landquota.service.jobs import JobInfo
from landquota.service.keys_routes import keys_router
from landquota.service.runtime import Service
from landquota.service.schemas import (
    SOLVE_EXAMPLES, ApprovalRequest, ApprovalResponse, DatasetList, ExplainView, Health, JobLinks, JobList, JobStatus,
    JobView, Problems, Progress, SolveRequest, Timings,
)
from landquota.service.settings import Settings
from landquota.service.worker import SolveFn, solve_payload
from landquota.solvers.result import TABLES, Result

TableName = Literal[TABLES]
PHASES = get_args(Progress.model_fields["phase"].annotation)
SolveBody = Annotated[SolveRequest, Body(openapi_examples=SOLVE_EXAMPLES)]
JobIdPath = Annotated[str, Path(description="Job id.", max_length=64, examples=["4f7c0d2e9b8a4c1e8a6f3b2d1c0e9f8a"])]

DESCRIPTION = """
Land-quota optimisation (NDRC 發改規劃〔2020〕532號, items 6, 20, 21) as a service.

**Quick start**: open `POST /v1/solve`, *Try it out*, *Execute*: the demo dataset is solved and the
allocation returned. To solve your own scenario, `GET /v1/datasets/demo`, edit it, and send it as
`{"scenario": ...}`; or send `{"dataset": "demo", "overrides": {"policy.per_capita_cap_m2": 105}}`.

**Jobs**: `POST /v1/solve` waits up to `wait_s` for the answer, then answers `202` with a job id and
a `Location` to poll. `POST /v1/jobs` always answers `202` at once. Results stay until deleted.

**Access**: send an API key as `Authorization: Bearer <key>` (*Authorize*, top right; an operator
makes keys with `landquota keys create`). Scopes: `read` (datasets, approval routing, your own jobs
and batches), `solve` (submit and cancel), `admin` (keys). Jobs and batches belong to the key that
submitted them: to any other key they do not exist. A service run for local use
(`LANDQUOTA_AUTH=off`) also answers requests without a key.

**Errors** all have one shape: `{"detail": "...", "problems": [{"loc", "rule", "message"}]}`.
`422` invalid input or over a limit (every problem listed, with the field, the rule and the setting),
`401` no or bad key, `403` scope missing, `404` unknown dataset or job, `409` no result (yet),
`413` body too large, `429` queue full, too many active jobs for your key, or rate limit (see
`Retry-After`), `503` the database cannot be written or reached (see `Retry-After`). An infeasible
scenario is not an error: `200` with `status: infeasible`; nor is a solve that failed inside its
worker: its result has `status: error` and the reason in `message` (the job's `status` is `failed`).
A solve that reaches its time limit answers `status: time_limit` with the best allocation found.
"""

SWAGGER_UI = {"tryItOutEnabled": True, "displayRequestDuration": True, "defaultModelsExpandDepth": 0,
              "persistAuthorization": True}
"""Swagger UI opens each operation ready to run: on POST /v1/solve, *Execute* solves the example; the
key given with *Authorize* is kept across reloads."""

_ERRORS = {
    404: {"model": Problems, "description": "Unknown dataset or job."},
    422: {"model": Problems, "description": "Invalid input: every problem with its field path and rule."},
}
DB_DOWN = {503: {"model": Problems, "description": "The database cannot be written or reached (read-only, disk "
                 "full, down): the reason in `detail`; retry after `Retry-After` seconds."}}
AUTH_ERRORS = {
    401: {"model": Problems, "description": "No API key, or an invalid or revoked one."},
    403: {"model": Problems, "description": "The key lacks the scope this operation needs."},
    429: {"model": Problems, "description": "Too many requests for this key (rate limit), too many of its jobs "
          "active, or the queue is full: retry after `Retry-After` seconds."},
    **DB_DOWN,
}


def _version() -> str:
    try:
        return metadata.version("landquota")
    except metadata.PackageNotFoundError:
        return "unknown"


def create_app(settings: Settings | None = None, solve_fn: SolveFn | None = None) -> FastAPI:
    """The app. ``solve_fn`` (a picklable module-level function ``(payload, progress) -> dict``)
    replaces the solver in the workers; the default is ``service.worker.solve_payload``."""
    settings = settings or Settings()
    svc = Service(settings, solve_fn or solve_payload)
    auth = Auth(settings.auth != "off", lambda: svc.keys, settings.rate_limit_per_minute, settings.rate_limit_burst)
    from landquota.solvers.highs import highs_version

    solver_version = f"HiGHS {highs_version()}"

    @asynccontextmanager
    async def lifespan(app: FastAPI):
        await run_in_threadpool(svc.start)
        try:
            yield
        finally:
            await run_in_threadpool(svc.stop)

    assets = _swagger_assets()
    app = FastAPI(
        title="landquota",
        version=_version(),
        description=DESCRIPTION,
        lifespan=lifespan,
        docs_url=None if assets else "/docs",
        redoc_url=None,
        swagger_ui_parameters=SWAGGER_UI,
        openapi_tags=[
            {"name": "solve", "description": "Solve a scenario and manage the jobs that do."},
            {"name": "datasets", "description": "The bundled scenarios."},
            {"name": "approval", "description": "Who approves a project's land (Art. 46, 國發〔2020〕4號)."},
            {"name": "batches", "description": "What-if sweeps: many variants of one base, compared."},
            {"name": "keys", "description": "API keys (scope admin)."},
            {"name": "service", "description": "Liveness."},
        ],
    )
    app.state.service = svc
    app.state.auth = auth
    install(app, settings.db_retry_after_s)
    app.include_router(batch_router(lambda request: svc.batches, lambda request: settings),
                       responses=AUTH_ERRORS)
    app.include_router(keys_router(lambda: svc.keys), responses=AUTH_ERRORS)
    if assets:
        _local_docs(app, assets)
    app.add_middleware(BodySizeLimit, max_bytes=settings.max_body_bytes)
    # a national result is 1.5 MB of JSON, about 130 kB gzipped, for clients that accept it
    app.add_middleware(GZipMiddleware, minimum_size=4096)

    # ---- views ---------------------------------------------------------------------------------
    def job_view(info: JobInfo) -> JobView:
        now = utcnow()
        started = info.started_at
        queued_until = started or info.finished_at or now
        lane = None if info.size_columns is None else "large" if svc.store.lanes.is_large(info.size_columns) else "small"
        progress = Progress(phase="finished", lane=lane)
        if info.status == "queued":
            progress = Progress(phase="queued", queue_position=svc.store.queue_position(info), lane=lane)
        elif info.status == "running":
            phase = svc.pool.phase(info.id) or "starting"
            progress = Progress(phase=phase if phase in PHASES else "solving", lane=lane,
                                solver=svc.pool.solver_progress(info.id))
        return JobView(
            id=info.id, status=info.status, scenario=info.scenario_name, dataset=info.dataset,
            options=info.options, progress=progress, attempts=info.attempts, error=info.error, note=info.note,
            result_status=info.result_status, objective_cny_100m=info.objective_cny_100m,
            timings=Timings(
                created_at=info.created_at, started_at=started, finished_at=info.finished_at,
                queued_s=_seconds(info.created_at, queued_until),
                run_s=_seconds(started, info.finished_at or now) if started else None,
            ),
            links=JobLinks(self=f"/v1/jobs/{info.id}", result=f"/v1/jobs/{info.id}/result"),
        )

    def accepted(info: JobInfo) -> JSONResponse:
        return JSONResponse(job_view(info).model_dump(mode="json"), status_code=202,
                            headers={"Location": f"/v1/jobs/{info.id}"})

    def result_data(info: JobInfo) -> dict:
        """The result of a finished job; ApiError 409 if there is none."""
        if info.status == "succeeded":
            data = svc.store.result(info.id)
            if data is not None:
                return data
        if info.status == "failed":
            return Result(scenario=info.scenario_name, status="error",
                          message=f"the job failed: {info.error}").model_dump(mode="json")
        if info.status in ("queued", "running"):
            raise ApiError(409, f"job {info.id} is {info.status}; poll /v1/jobs/{info.id} until it has finished",
                           headers={"Retry-After": "1"})
        raise ApiError(409, f"job {info.id} was cancelled; it has no result")

    # ---- service ---------------------------------------------------------------------------------
    @app.get("/", include_in_schema=False)
    async def root():
        return RedirectResponse("/docs")

    @app.get("/healthz", tags=["service"], response_model=Health, summary="Liveness and solver version",
             responses={503: {"model": Health, "description": "Degraded: the database does not answer or "
                              "cannot be written, or the dispatcher has stopped."}})
    def healthz(response: Response):
        """Liveness, the solver's version, the workers and the queue. Public (no key needed)."""
        workers = svc.pool.stats()
        try:
            svc.store.ping()
            jobs, db, status = svc.store.counts(), f"{svc.backend}: ok", "ok"
        except Exception as e:
            jobs, db, status = {}, f"{svc.backend}: {type(e).__name__}", "degraded"
        failed = svc.store.write_failure(settings.db_retry_after_s)
        if failed and status == "ok":
            db, status = f"{svc.backend}: cannot write: {failed}", "degraded"
        if status != "ok" or not workers["dispatcher"]:
            status = "degraded"
            response.status_code = 503
        return Health(status=status, version=app.version, solver=solver_version, database=db,
                      auth="on" if auth.enabled else "off", workers=workers, jobs=jobs,
                      datasets=svc.datasets.loaded())

    # ---- datasets --------------------------------------------------------------------------------
    @app.get("/v1/datasets", tags=["datasets"], response_model=DatasetList, summary="List the bundled datasets",
             responses=AUTH_ERRORS)
    def datasets(who: Reader):
        """The bundled datasets (those present in this installation and valid)."""
        return DatasetList(datasets=svc.datasets.summaries())

    @app.get("/v1/datasets/{id}", tags=["datasets"], summary="Fetch a bundled scenario",
             responses={200: {"model": Scenario, "description": "The scenario, as bundled."}, 404: _ERRORS[404],
                        **AUTH_ERRORS})
    def dataset(id: Annotated[str, Path(description="Dataset id.", examples=["demo"], max_length=100)], who: Reader):
        """A bundled scenario as JSON: edit it and send it back as `scenario` to POST /v1/solve."""
        return JSONResponse(svc.datasets.raw(id))

    # ---- solve and jobs --------------------------------------------------------------------------
    @app.post(
        "/v1/solve", tags=["solve"], status_code=200, summary="Solve (waits up to wait_s, else 202)",
        responses={
            200: {"model": Result, "description": "Finished within wait_s: the result (check its `status`)."},
            202: {"model": JobView, "description": "Still running: poll `Location`."},
            409: {"model": Problems, "description": "The job was cancelled while this request waited."},
            413: {"model": Problems, "description": "Body too large."},
            **_ERRORS, **AUTH_ERRORS,
        },
    )
    async def solve(
        req: SolveBody,
        who: Solver,
        wait_s: Annotated[float | None, Query(
            ge=0, allow_inf_nan=False,
            description="How long to wait for the result before answering 202, seconds (0 ≤ wait_s ≤ "
            "LANDQUOTA_MAX_WAIT_S, default 120). Default: LANDQUOTA_DEFAULT_WAIT_S (10).",
            examples=[10])] = None,
    ):
        """Solve now: the result if it is ready within `wait_s`, else `202` and a job to poll."""
        wait = min(settings.default_wait_s, settings.max_wait_s) if wait_s is None else wait_s
        if wait > settings.max_wait_s:
            raise invalid([Problem(loc=["query", "wait_s"], rule="less_than_equal",
                                   message=f"Input should be less than or equal to {settings.max_wait_s:g} "
                                   "(LANDQUOTA_MAX_WAIT_S)")])
        job_id = svc.new_id()
        event = svc.waiters.register(job_id)  # before the job exists: its end cannot be missed
        try:
            await run_in_threadpool(svc.submit, req, job_id, who.owner)
            if wait > 0:
                try:
                    await asyncio.wait_for(event.wait(), wait)
                except asyncio.TimeoutError:
                    pass
        finally:
            svc.waiters.unregister(job_id, event)
        return await run_in_threadpool(answer, job_id, who.owner)

    def answer(job_id: str, owner: str | None) -> Response:
        info = svc.job(job_id, owner)
        if info.status in ("queued", "running"):
            return accepted(info)
        return JSONResponse(result_data(info),
                            headers={"Content-Location": f"/v1/jobs/{job_id}/result", "X-Job-Id": job_id})

    @app.post("/v1/jobs", tags=["solve"], status_code=202, response_model=JobView, summary="Submit a solve job",
              responses={202: {"description": "Accepted: poll `Location`.", "model": JobView},
                         413: {"model": Problems, "description": "Body too large."}, **_ERRORS, **AUTH_ERRORS})
    def submit_job(req: SolveBody, who: Solver):
        """Submit a solve and return at once (`202`, a job id and its `Location`)."""
        return accepted(svc.submit(req, svc.new_id(), who.owner))

    @app.get("/v1/jobs", tags=["solve"], response_model=JobList, summary="List your jobs",
             responses={422: _ERRORS[422], **AUTH_ERRORS})
    def list_jobs(
        who: Reader,
        status: Annotated[JobStatus | None, Query(description="Only jobs with this status.")] = None,
        limit: Annotated[int, Query(ge=1, le=500, description="At most this many, newest first.")] = 50,
        offset: Annotated[int, Query(ge=0, le=10_000_000, description="Skip this many.")] = 0,
    ):
        """The jobs of the calling key (anonymous: those submitted without a key), newest first."""
        return JobList(jobs=[job_view(i) for i in svc.store.list(status, limit, offset, owner=who.owner)])

    @app.get("/v1/jobs/{job_id}", tags=["solve"], response_model=JobView, summary="A job's status",
             responses={404: _ERRORS[404], 422: _ERRORS[422], **AUTH_ERRORS})
    def get_job(job_id: JobIdPath, who: Reader):
        """A job's status, progress and timings."""
        return job_view(svc.job(job_id, who.owner))

    @app.get(
        "/v1/jobs/{job_id}/result", tags=["solve"], summary="A job's result (JSON or CSV)",
        responses={200: {"model": Result | list[dict[str, Any]],
                         "description": "The result (JSON); with `table`, that table's rows (a JSON array); "
                         "with `format=csv`, that table as CSV.",
                         "content": {"text/csv": {"schema": {"type": "string"},
                                                  "example": "code,name,province_code,...\n"}}},
                   409: {"model": Problems, "description": "Not finished, or cancelled."}, **_ERRORS, **AUTH_ERRORS},
    )
    def job_result(
        job_id: JobIdPath,
        who: Reader,
        format: Annotated[Literal["json", "csv"], Query(description="json (default) or csv.")] = "json",
        table: Annotated[TableName | None, Query(
            description=f"One table of the result: {', '.join(TABLES)}. Required for csv; with json, "
            "only that table's rows.")] = None,
    ):
        """The result of a finished job: JSON, or one table as CSV."""
        info = svc.job(job_id, who.owner)
        data = result_data(info)
        if format == "csv":
            if table is None:
                raise invalid([Problem(loc=["query", "table"], rule="missing",
                                       message=f"format=csv needs table, one of: {', '.join(TABLES)}")])
            return Response(table_csv(data, table), media_type="text/csv; charset=utf-8",
                            headers={"Content-Disposition": f'attachment; filename="{job_id}-{table}.csv"'})
        if table is not None:
            return JSONResponse(data.get(table) or [])
        return JSONResponse(data)

    @app.get("/v1/jobs/{job_id}/explain", tags=["solve"], summary="Why: binding rules, ranges, diagnosis",
             responses={200: {"model": ExplainView, "description": "The explanation (or the diagnosis)."},
                        409: {"model": Problems, "description": "Not finished, or cancelled."},
                        **_ERRORS, **AUTH_ERRORS})
    def job_explain(job_id: JobIdPath, who: Reader):
        """The explanation of a finished job: binding rules grouped by policy item with shadow prices
        and their ranges, value ranges, unmet targets and a summary (English and Chinese); for an
        infeasible scenario, the diagnosis: the conflicting rules, regions and amounts."""
        from landquota.solvers.explain import explanation_section

        return JSONResponse(explanation_section(result_data(svc.job(job_id, who.owner))))

    @app.delete("/v1/jobs/{job_id}", tags=["solve"], status_code=200, response_model=JobView,
                summary="Cancel a job, or delete a finished one",
                responses={200: {"description": "Cancelled (it was queued or running).", "model": JobView},
                           204: {"description": "Deleted (it had finished), with its result."},
                           404: _ERRORS[404], 422: _ERRORS[422], **AUTH_ERRORS})
    def delete_job(job_id: JobIdPath, who: Solver):
        """Cancel a queued or running job (its worker is stopped); delete a finished one."""
        svc.job(job_id, who.owner)  # 404 unless it is the caller's
        was = svc.store.cancel(job_id)
        if was is None:
            raise ApiError(404, f"no job {job_id!r} (never submitted, or deleted)")
        if was == "finished":
            if not svc.store.delete(job_id):
                raise ApiError(404, f"no job {job_id!r} (never submitted, or deleted)")
            return Response(status_code=204)
        if was == "running":
            svc.pool.cancel(job_id)
        svc.waiters.notify(job_id)
        return job_view(svc.job(job_id))

    # ---- approval --------------------------------------------------------------------------------
    @app.post("/v1/approval-route", tags=["approval"], response_model=ApprovalResponse,
              summary="Who approves a project's land",
              responses={422: _ERRORS[422], 413: {"model": Problems, "description": "Body too large."},
                         **AUTH_ERRORS})
    def approval_route(req: ApprovalRequest, who: Reader):
        """Who approves a whole project's land expropriation: the State Council, an entrusted pilot
        province, or the provincial government (the 35/70-hectare rule, the model's own routing)."""
        policy = PolicyParameters()
        entrusted = req.entrusted if req.entrusted is not None else req.province_code in policy.entrusted_province_codes
        r = route(req.parcels, entrusted, policy)
        return ApprovalResponse(**r.model_dump(), province_code=req.province_code, entrusted=entrusted)

    default_openapi = app.openapi

    def openapi() -> dict:
        if app.openapi_schema is None:
            _problems_for_422(default_openapi())
        return app.openapi_schema

    app.openapi = openapi
    return app


def _problems_for_422(schema: dict) -> None:
    """FastAPI documents its own 422 body (HTTPValidationError); ours is Problems, like every error."""
    for item in schema.get("paths", {}).values():
        for op in item.values():
            r = op.get("responses", {}).get("422")
            if r is None:
                continue
            content = r.setdefault("content", {}).setdefault("application/json", {})
            if content.get("schema", {}).get("$ref", "").endswith("/HTTPValidationError"):
                content["schema"] = {"$ref": "#/components/schemas/Problems"}
                r["description"] = _ERRORS[422]["description"]
    comps = schema.get("components", {}).get("schemas", {})
    for name in ("HTTPValidationError", "ValidationError"):
        comps.pop(name, None)


def _swagger_assets() -> str | None:
    """Swagger UI's files from the ``swagger-ui-bundle-v2`` package, so /docs works offline;
    None = FastAPI's default (a CDN)."""
    try:
        from swagger_ui_bundle import swagger_ui_path
    except ImportError:
        return None
    return swagger_ui_path if os.path.isfile(os.path.join(swagger_ui_path, "swagger-ui-bundle.js")) else None


def _local_docs(app: FastAPI, assets: str) -> None:
    app.mount("/docs-assets", StaticFiles(directory=assets), name="docs-assets")

    @app.get("/docs", include_in_schema=False)
    async def docs():
        return get_swagger_ui_html(
            openapi_url=app.openapi_url, title=f"{app.title} - Swagger UI",
            swagger_js_url="/docs-assets/swagger-ui-bundle.js", swagger_css_url="/docs-assets/swagger-ui.css",
            swagger_favicon_url="/docs-assets/favicon-32x32.png", swagger_ui_parameters=app.swagger_ui_parameters,
        )


def _seconds(a: datetime | None, b: datetime | None) -> float | None:
    if a is None or b is None:
        return None
    return max(0.0, (b - a).total_seconds())
