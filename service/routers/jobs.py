"""``/v1/solve`` and ``/v1/jobs``: solve now or submit, poll, fetch the result or its explanation,
cancel or delete.

A job belongs to the API key that submitted it (``owner``; null = anonymous): to any other key it
does not exist (404). Submitting and cancelling need scope ``solve``, reading ``read``. The stored
result is answered as stored, or sliced (one table, the explanation): never validated again whole.
"""

from __future__ import annotations

import asyncio
from datetime import datetime
from typing import Annotated, Any, Literal, get_args

from fastapi import APIRouter, Body, Path, Query, Response
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import HTMLResponse, JSONResponse

from landquota.models.scenario import Problem, load_scenario
from landquota.service.auth import Reader, Solver
from landquota.service.db import utcnow
from landquota.service.errors import ApiError, invalid
from landquota.service.export import table_csv
from landquota.service.jobs import JobInfo
from landquota.service.report import render_solve_report
from landquota.service.routers.common import AUTH_ERRORS, INVALID, NOT_FOUND, TOO_LARGE, Limit, Offset, Svc
from landquota.service.runtime import Service
from landquota.service.scenario_file import scenario_bytes
from landquota.service.schemas import (
    SOLVE_EXAMPLES, ExplainView, JobLinks, JobList, JobStatus, JobView, Problems, Progress, SolveRequest, Timings,
)
from landquota.solvers.result import TABLES, Result

router = APIRouter(tags=["solve"], responses=AUTH_ERRORS)

TableName = Literal[TABLES]
PHASES = get_args(Progress.model_fields["phase"].annotation)
SolveBody = Annotated[SolveRequest, Body(openapi_examples=SOLVE_EXAMPLES)]
JobIdPath = Annotated[str, Path(description="Job id.", max_length=64, examples=["4f7c0d2e9b8a4c1e8a6f3b2d1c0e9f8a"])]
ACCEPTED = {"model": JobView}
"""A 202: the example (``examples.JOB_QUEUED``) is put in by ``app.openapi_examples``, which keeps its nulls."""
NOT_DONE = {409: {"model": Problems, "description": "Not finished (retry after `Retry-After`), or cancelled."}}


# ---- views ----------------------------------------------------------------------------------------
def job_view(svc: Service, info: JobInfo) -> JobView:
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
        links=JobLinks(self=f"/v1/jobs/{info.id}", result=f"/v1/jobs/{info.id}/result",
                       report=f"/v1/jobs/{info.id}/report", scenario=f"/v1/jobs/{info.id}/scenario"),
    )


def accepted(svc: Service, info: JobInfo) -> JSONResponse:
    return JSONResponse(job_view(svc, info).model_dump(mode="json"), status_code=202,
                        headers={"Location": f"/v1/jobs/{info.id}"})


def result_data(svc: Service, info: JobInfo) -> dict:
    """The stored result of a finished job, as stored; ApiError 409 if there is none."""
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


def _seconds(a: datetime | None, b: datetime | None) -> float | None:
    if a is None or b is None:
        return None
    return max(0.0, (b - a).total_seconds())


# ---- solve and jobs ---------------------------------------------------------------------------------
@router.post(
    "/v1/solve", status_code=200, summary="Solve a scenario (the result, or 202 and a job to poll)",
    responses={
        200: {"model": Result, "description": "Finished within `wait_s`: the result (check its `status`). The "
              "example is a real result of the demo dataset, abridged to two items per list."},
        202: {**ACCEPTED, "description": "Not finished within `wait_s`: poll `Location`."},
        409: {"model": Problems, "description": "The job was cancelled while this request waited."},
        **TOO_LARGE, **NOT_FOUND, **INVALID,
    },
)
async def solve(
    req: SolveBody,
    who: Solver,
    svc: Svc,
    wait_s: Annotated[float | None, Query(
        ge=0, allow_inf_nan=False, description="How long to wait for the result before answering 202, seconds.",
        examples=[10])] = None,
):
    """Solve now: the result if it is ready within `wait_s`, else `202` and a job to poll."""
    settings = svc.settings
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
    return await run_in_threadpool(_answer, svc, job_id, who.owner)


def _answer(svc: Service, job_id: str, owner: str | None) -> Response:
    info = svc.job(job_id, owner)
    if info.status in ("queued", "running"):
        return accepted(svc, info)
    return JSONResponse(result_data(svc, info),
                        headers={"Content-Location": f"/v1/jobs/{job_id}/result", "X-Job-Id": job_id})


@router.post("/v1/jobs", status_code=202, response_model=JobView, summary="Submit a solve job",
             responses={202: {**ACCEPTED, "description": "Accepted: poll `Location`."},
                        **TOO_LARGE, **NOT_FOUND, **INVALID})
def submit_job(req: SolveBody, who: Solver, svc: Svc):
    """Submit a solve and return at once (`202`, a job id and its `Location`)."""
    return accepted(svc, svc.submit(req, svc.new_id(), who.owner))


@router.get("/v1/jobs", response_model=JobList, summary="List your jobs", responses=INVALID)
def list_jobs(
    who: Reader,
    svc: Svc,
    status: Annotated[JobStatus | None, Query(description="Only jobs with this status.")] = None,
    limit: Limit = 50,
    offset: Offset = 0,
):
    """The jobs of the calling key (anonymous: those submitted without a key), newest first."""
    return JobList(jobs=[job_view(svc, i) for i in svc.store.list(status, limit, offset, owner=who.owner)])


@router.get("/v1/jobs/{job_id}", response_model=JobView, summary="A job's status",
            responses={**NOT_FOUND, **INVALID})
def get_job(job_id: JobIdPath, who: Reader, svc: Svc):
    """A job's status, progress and timings."""
    return job_view(svc, svc.job(job_id, who.owner))


@router.get(
    "/v1/jobs/{job_id}/result", summary="A job's result (JSON or CSV)",
    responses={200: {"model": Result | list[dict[str, Any]],
                     "description": "The result (JSON); with `table`, that table's rows (a JSON array); "
                     "with `format=csv`, that table as CSV.",
                     "content": {"text/csv": {"schema": {"type": "string"},
                                              "example": "code,name,province_code,...\n"}}},
               **NOT_DONE, **NOT_FOUND, **INVALID},
)
def job_result(
    job_id: JobIdPath,
    who: Reader,
    svc: Svc,
    format: Annotated[Literal["json", "csv"], Query(description="json (default) or csv.")] = "json",
    table: Annotated[TableName | None, Query(
        description=f"One table of the result: {', '.join(TABLES)}. Required for csv; with json, "
        "only that table's rows.")] = None,
):
    """The result of a finished job: JSON, or one table as CSV."""
    info = svc.job(job_id, who.owner)
    data = result_data(svc, info)
    if format == "csv":
        if table is None:
            raise invalid([Problem(loc=["query", "table"], rule="missing",
                                   message=f"format=csv needs table, one of: {', '.join(TABLES)}")])
        return Response(table_csv(data, table), media_type="text/csv; charset=utf-8",
                        headers={"Content-Disposition": f'attachment; filename="{job_id}-{table}.csv"'})
    if table is not None:
        return JSONResponse(data.get(table) or [])
    return JSONResponse(data)


@router.get("/v1/jobs/{job_id}/explain", summary="Why: binding rules, ranges, diagnosis",
            responses={200: {"model": ExplainView, "description": "The explanation (or the diagnosis)."},
                       **NOT_DONE, **NOT_FOUND, **INVALID})
def job_explain(job_id: JobIdPath, who: Reader, svc: Svc):
    """The explanation of a finished job: binding rules grouped by policy item with shadow prices
    and their ranges, value ranges, unmet targets and a summary (English and Chinese); for an
    infeasible scenario, the diagnosis: the conflicting rules, regions and amounts."""
    data = result_data(svc, svc.job(job_id, who.owner))
    return JSONResponse({k: data.get(k) for k in ExplainView.model_fields})  # a slice of the stored result


# ---- a job's report and scenario (issues 18 and 13) ------------------------------------------------


@router.get("/v1/jobs/{job_id}/report", summary="The report: a province map, charts and the reasons (HTML)",
            responses={200: {"content": {"text/html": {"schema": {"type": "string"}}},
                             "description": "One self-contained page (inline SVG, CSS and script; no network)."},
                       **NOT_DONE, **NOT_FOUND, **INVALID})
def job_report(job_id: JobIdPath, who: Reader, svc: Svc):
    """The report of a finished job, to open in a browser: the 31 provinces as a tile map coloured by
    a chosen measure, with a sortable table; allocation, financing and approval charts; the binding
    rules with their prices and ranges in English and Chinese; unmet targets; the scenario's checksum
    and a link to it (``service.report``)."""
    data = result_data(svc, svc.job(job_id, who.owner))
    return HTMLResponse(render_solve_report(data, svc.store.scenario(job_id), scenario_href="scenario"))


@router.get("/v1/jobs/{job_id}/scenario", summary="The scenario a job solves (canonical JSON)",
            responses={200: {"content": {"application/json": {"schema": {"type": "object"}}},
                             "description": "The scenario after the dataset and overrides were applied."},
                       **NOT_FOUND, **INVALID})
def job_scenario(job_id: JobIdPath, who: Reader, svc: Svc):
    """The effective scenario of a job, as the canonical JSON bytes whose SHA-256 its result carries
    (`stats.scenario_sha256`): save it and `landquota solve --dataset FILE` solves the same scenario."""
    svc.job(job_id, who.owner)  # 404 unless it is the caller's
    return Response(scenario_bytes(load_scenario(svc.store.scenario(job_id))), media_type="application/json")


@router.delete("/v1/jobs/{job_id}", status_code=200, response_model=JobView,
               summary="Cancel a job, or delete a finished one",
               responses={200: {"description": "It was queued or running: it is cancelled (its worker stopped) and "
                                "kept, with status `cancelled`; DELETE it again to delete it.", "model": JobView},
                          204: {"description": "It had finished (succeeded, failed or cancelled): it is deleted, "
                                "with its result; its id now answers 404."},
                          **NOT_FOUND, **INVALID})
def delete_job(job_id: JobIdPath, who: Solver, svc: Svc):
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
    return job_view(svc, svc.job(job_id))
