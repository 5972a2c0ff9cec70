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
from typing import Annotated, Literal, get_args

from fastapi import Body, FastAPI, Path, Query, Response
from fastapi.concurrency import run_in_threadpool
from fastapi.openapi.docs import get_swagger_ui_html
from fastapi.responses import JSONResponse, RedirectResponse
from fastapi.staticfiles import StaticFiles

from models.approval import route
from models.policy import PolicyParameters
from models.scenario import Problem, Scenario
from service.batch_routes import batch_router
from service.db import utcnow
from service.errors import ApiError, BodySizeLimit, install, invalid
from service.export import table_csv
from service.jobs import JobInfo
from service.runtime import Service
from service.schemas import (
    SOLVE_EXAMPLES, ApprovalRequest, ApprovalResponse, DatasetList, Health, JobLinks, JobList, JobStatus,
    JobView, Problems, Progress, SolveRequest, Timings,
)
from service.settings import Settings
from service.worker import SolveFn, solve_payload
from solvers.result import TABLES, Result

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

**Errors** all have one shape: `{"detail": "...", "problems": [{"loc", "rule", "message"}]}`.
`422` invalid input (every problem listed), `404` unknown dataset or job, `409` no result (yet),
`413` body too large, `429` queue full (see `Retry-After`). An infeasible scenario is not an
error: `200` with `status: infeasible`; nor is a solve that failed inside its worker: its result
has `status: error` and the reason in `message` (the job's `status` is `failed`).
"""

SWAGGER_UI = {"tryItOutEnabled": True, "displayRequestDuration": True, "defaultModelsExpandDepth": 0}
"""Swagger UI opens each operation ready to run: on POST /v1/solve, *Execute* solves the example."""

_ERRORS = {
    404: {"model": Problems, "description": "Unknown dataset or job."},
    422: {"model": Problems, "description": "Invalid input: every problem with its field path and rule."},
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
    from solvers.highs import highs_version

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
            {"name": "service", "description": "Liveness."},
        ],
    )
    app.state.service = svc
    install(app)
    app.include_router(batch_router(lambda request: svc.batches, lambda request: settings.max_batch_variants))
    if assets:
        _local_docs(app, assets)
    app.add_middleware(BodySizeLimit, max_bytes=settings.max_body_bytes)

    # ---- views ---------------------------------------------------------------------------------
    def job_view(info: JobInfo) -> JobView:
        now = utcnow()
        started = info.started_at
        queued_until = started or info.finished_at or now
        progress = Progress(phase="finished")
        if info.status == "queued":
            progress = Progress(phase="queued", queue_position=svc.store.queue_position(info.seq))
        elif info.status == "running":
            phase = svc.pool.phase(info.id) or "starting"
            progress = Progress(phase=phase if phase in PHASES else "solving")
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
             responses={503: {"model": Health, "description": "The database does not answer."}})
    def healthz(response: Response):
        """Liveness, the solver's version, the workers and the queue."""
        workers = svc.pool.stats()
        try:
            svc.store.ping()
            jobs, db, status = svc.store.counts(), f"{svc.backend}: ok", "ok"
        except Exception as e:
            jobs, db, status = {}, f"{svc.backend}: {type(e).__name__}", "degraded"
        if status != "ok" or not workers["dispatcher"]:
            status = "degraded"
            response.status_code = 503
        return Health(status=status, version=app.version, solver=solver_version, database=db,
                      workers=workers, jobs=jobs, datasets=svc.datasets.loaded())

    # ---- datasets --------------------------------------------------------------------------------
    @app.get("/v1/datasets", tags=["datasets"], response_model=DatasetList, summary="List the bundled datasets")
    def datasets():
        """The bundled datasets (those present in this installation and valid)."""
        return DatasetList(datasets=svc.datasets.summaries())

    @app.get("/v1/datasets/{id}", tags=["datasets"], summary="Fetch a bundled scenario",
             responses={200: {"model": Scenario, "description": "The scenario, as bundled."}, 404: _ERRORS[404]})
    def dataset(id: Annotated[str, Path(description="Dataset id.", examples=["demo"], max_length=100)]):
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
            429: {"model": Problems, "description": "Queue full; retry after `Retry-After` seconds."},
            **_ERRORS,
        },
    )
    async def solve(
        req: SolveBody,
        wait_s: Annotated[float | None, Query(
            ge=0, allow_inf_nan=False,
            description="How long to wait for the result before answering 202, seconds (0 ≤ wait_s ≤ "
            "LANDQUOTA_MAX_WAIT_S, default 120). Default: LANDQUOTA_DEFAULT_WAIT_S (10).",
            examples=[10])] = None,
    ):
        """Solve now: the result if it is ready within `wait_s`, else `202` and a job to poll."""
        wait = settings.default_wait_s if wait_s is None else wait_s
        if wait > settings.max_wait_s:
            raise invalid([Problem(loc=["query", "wait_s"], rule="less_than_equal",
                                   message=f"Input should be less than or equal to {settings.max_wait_s:g}")])
        job_id = svc.new_id()
        event = svc.waiters.register(job_id)  # before the job exists: its end cannot be missed
        try:
            await run_in_threadpool(svc.submit, req, job_id)
            if wait > 0:
                try:
                    await asyncio.wait_for(event.wait(), wait)
                except asyncio.TimeoutError:
                    pass
        finally:
            svc.waiters.unregister(job_id, event)
        return await run_in_threadpool(answer, job_id)

    def answer(job_id: str) -> Response:
        info = svc.job(job_id)
        if info.status in ("queued", "running"):
            return accepted(info)
        return JSONResponse(result_data(info),
                            headers={"Content-Location": f"/v1/jobs/{job_id}/result", "X-Job-Id": job_id})

    @app.post("/v1/jobs", tags=["solve"], status_code=202, response_model=JobView, summary="Submit a solve job",
              responses={202: {"description": "Accepted: poll `Location`.", "model": JobView},
                         413: {"model": Problems}, 429: {"model": Problems}, **_ERRORS})
    def submit_job(req: SolveBody):
        """Submit a solve and return at once (`202`, a job id and its `Location`)."""
        return accepted(svc.submit(req, svc.new_id()))

    @app.get("/v1/jobs", tags=["solve"], response_model=JobList, summary="List jobs")
    def list_jobs(
        status: Annotated[JobStatus | None, Query(description="Only jobs with this status.")] = None,
        limit: Annotated[int, Query(ge=1, le=500, description="At most this many, newest first.")] = 50,
        offset: Annotated[int, Query(ge=0, description="Skip this many.")] = 0,
    ):
        """Jobs, newest first."""
        return JobList(jobs=[job_view(i) for i in svc.store.list(status, limit, offset)])

    @app.get("/v1/jobs/{job_id}", tags=["solve"], response_model=JobView, summary="A job's status",
             responses={404: _ERRORS[404]})
    def get_job(job_id: JobIdPath):
        """A job's status, progress and timings."""
        return job_view(svc.job(job_id))

    @app.get(
        "/v1/jobs/{job_id}/result", tags=["solve"], summary="A job's result (JSON or CSV)",
        responses={200: {"model": Result, "description": "The result (JSON), or one table as CSV.",
                         "content": {"text/csv": {"example": "code,name,province_code,...\n"}}},
                   409: {"model": Problems, "description": "Not finished, or cancelled."}, **_ERRORS},
    )
    def job_result(
        job_id: JobIdPath,
        format: Annotated[Literal["json", "csv"], Query(description="json (default) or csv.")] = "json",
        table: Annotated[TableName | None, Query(
            description=f"One table of the result: {', '.join(TABLES)}. Required for csv; with json, "
            "only that table's rows.")] = None,
    ):
        """The result of a finished job: JSON, or one table as CSV."""
        info = svc.job(job_id)
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
             responses={409: {"model": Problems, "description": "Not finished, or cancelled."}, **_ERRORS})
    def job_explain(job_id: JobIdPath):
        """The explanation of a finished job: binding rules grouped by policy item with shadow prices
        and their ranges, value ranges, unmet targets and a summary (English and Chinese); for an
        infeasible scenario, the diagnosis: the conflicting rules, regions and amounts."""
        from solvers.explain import explanation_section

        return JSONResponse(explanation_section(result_data(svc.job(job_id))))

    @app.delete("/v1/jobs/{job_id}", tags=["solve"], status_code=200, response_model=JobView,
                summary="Cancel a job, or delete a finished one",
                responses={200: {"description": "Cancelled (it was queued or running).", "model": JobView},
                           204: {"description": "Deleted (it had finished), with its result."},
                           404: _ERRORS[404]})
    def delete_job(job_id: JobIdPath):
        """Cancel a queued or running job (its worker is stopped); delete a finished one."""
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
              responses={422: _ERRORS[422]})
    def approval_route(req: ApprovalRequest):
        """Who approves a whole project's land expropriation: the State Council, an entrusted pilot
        province, or the provincial government (the 35/70-hectare rule, the model's own routing)."""
        policy = PolicyParameters()
        entrusted = req.entrusted if req.entrusted is not None else req.province_code in policy.entrusted_province_codes
        r = route(req.parcels, entrusted, policy)
        return ApprovalResponse(**r.model_dump(), province_code=req.province_code, entrusted=entrusted)

    return app


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
