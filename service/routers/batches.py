"""``/v1/batches``: what-if sweeps over HTTP (submit, poll, compare, cancel).

A batch belongs to the API key that submitted it (``owner``; null = anonymous): any other key gets
404 for it and does not see it listed. Submitting needs scope ``solve``, reading ``read``.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Body, Path, Query, Request
from fastapi.responses import JSONResponse, Response
from pydantic import BaseModel, Field

from landquota.models.scenario import Problem, ScenarioInvalid, load_scenario
from landquota.service.auth import Principal, Reader, Solver
from landquota.service.batches.report import table, to_csv
from landquota.service.batches.spec import BatchSpec, expand
from landquota.service.db import as_utc
from landquota.service.errors import ApiError, invalid
from landquota.service.schemas import Problems

BATCH_EXAMPLE = {
    "name": "demo-pool-sweep",
    "base": {"dataset": "demo"},
    "variants": [
        {"name": "low-standard", "overrides": {"policy.linkage_tiers[0].new_land_per_settler_m2": 80}},
        {"name": "all-entrusted", "overrides": {"provinces[*].approval_entrusted": True}},
        {"name": "both", "compose": ["low-standard", "all-entrusted"]},
        {"name": "cdb-cut-20pct", "overrides": {"funding_sources[cdb_loan].limit_per_province_cny_100m": "*0.8"}},
    ],
    "grid": {"mode": "cartesian", "parameters": {"provinces[*].new_land_pool_ha_per_year": ["*0.8", "*1.0", "*1.2"]}},
}


class BatchView(BaseModel):
    id: str
    name: str
    status: Literal["queued", "running", "succeeded", "failed", "cancelled"]
    backend: str
    total: int = Field(description="Variants in the batch.")
    done: int = Field(description="Variants finished (solved or failed).")
    failed: int = Field(description="Variants that failed (each reported in the results).")
    eta_s: float | None = Field(None, description="Estimated seconds to finish, at the current rate.")
    error: str | None = None
    created_at: datetime
    started_at: datetime | None = None
    finished_at: datetime | None = None
    links: dict[str, str]


class BatchResults(BaseModel):
    """The comparison table of a batch."""

    id: str
    status: Literal["queued", "running", "succeeded", "failed", "cancelled"]
    kpis: list[str] = Field(description="The KPI columns, in order.")
    rows: list[dict[str, Any]] = Field(description="One row per finished variant: variant, status, error, the KPIs.")
    new_land_by_province: dict[str, dict[str, float]] = Field(
        description="Variant -> province code -> new land, ha (for the heat map).")


class BatchDeleted(BaseModel):
    id: str
    deleted: Literal[True]


BatchIdPath = Annotated[str, Path(max_length=64, description="Batch id.")]
_404 = {404: {"model": Problems, "description": "No such batch (or not yours)."}}
_422 = {422: {"model": Problems, "description": "Invalid batch, or over a limit: every problem listed."}}


def batch_router(runner_of, settings_of) -> APIRouter:
    """``runner_of(request)`` gives the BatchRunner; ``settings_of(request)`` the service's Settings
    (variant, time-limit and scenario-size limits, active batches per key)."""
    r = APIRouter(prefix="/v1/batches", tags=["batches"])

    def view(request: Request, b: dict) -> BatchView:
        runner = runner_of(request)
        rows = runner.store.rows(b["id"])
        done, failed = len(rows), sum(1 for x in rows if not x.get("ok"))
        return BatchView(
            id=b["id"], name=b["name"], status=b["status"], backend=b["backend"], total=b["total"], done=done,
            failed=failed, eta_s=runner.eta_s(b["id"], done, b["total"]) if b["status"] == "running" else None,
            error=b["error"], created_at=as_utc(b["created_at"]), started_at=as_utc(b["started_at"]),
            finished_at=as_utc(b["finished_at"]),  # SQLite hands them back naive; they were written in UTC
            links={"self": f"/v1/batches/{b['id']}", "results": f"/v1/batches/{b['id']}/results"},
        )

    def get(request: Request, batch_id: str, who: Principal) -> dict:
        b = runner_of(request).store.get(batch_id)
        if b is None or not who.owns(b.get("owner")):
            raise ApiError(404, f"no batch {batch_id!r}")
        return b

    def check(request: Request, spec: BatchSpec, n: int, who: Principal) -> None:
        """The service's limits on a batch: variants, time limit, size of an inline base, active batches."""
        st = settings_of(request)
        probs = []
        if n > st.max_batch_variants:
            probs.append(Problem(loc=["body", "variants"], rule="too_many_variants",
                                 message=f"{n} variants; at most {st.max_batch_variants} per batch "
                                 "(LANDQUOTA_MAX_BATCH_VARIANTS)"))
        if "time_limit_s" not in spec.model_fields_set and spec.time_limit_s > st.max_time_limit_s:
            spec.time_limit_s = st.max_time_limit_s  # the default, capped by the service's limit
        if spec.time_limit_s > st.max_time_limit_s:
            probs.append(Problem(loc=["body", "time_limit_s"], rule="less_than_equal",
                                 message=f"Input should be less than or equal to {st.max_time_limit_s:g} (the "
                                 "service's limit, LANDQUOTA_MAX_TIME_LIMIT_S)"))
        if probs:
            raise invalid(probs)
        if spec.base.scenario is not None:
            try:
                base = load_scenario(spec.base.scenario)
            except ScenarioInvalid as e:
                raise invalid(e.problems, ["body", "base", "scenario"]) from None
            request.app.state.service.check_size(base, ["body", "base", "scenario"])
        elif spec.base.dataset is not None:
            from landquota.datasets import DATASETS

            if spec.base.dataset not in DATASETS:
                raise ApiError(404, f"no dataset {spec.base.dataset!r}")
        active = runner_of(request).store.active(who.owner)
        if active >= st.max_active_jobs_per_key:
            raise ApiError(429, f"this key already has {active} batches queued or running, its limit "
                                "(LANDQUOTA_MAX_ACTIVE_JOBS_PER_KEY); retry when one has finished",
                           headers={"Retry-After": str(st.retry_after_s)})

    @r.post("", status_code=202, response_model=BatchView, summary="Submit a batch of what-if variants",
            description="A base scenario plus named variants (composable) and/or a grid. Answers 202 at once; "
                        "poll the `Location`. Every finished variant is stored as it finishes.",
            responses={**_404, **_422, 413: {"model": Problems, "description": "Body too large."}})
    def submit(request: Request, spec: Annotated[BatchSpec, Body(examples=[BATCH_EXAMPLE])], who: Solver):
        try:
            n = len(expand(spec))
        except ValueError as e:
            raise invalid([Problem(loc=["body"], rule="batch_spec", message=str(e))]) from None
        check(request, spec, n, who)
        bid = runner_of(request).submit(spec, who.owner)
        b = get(request, bid, who)
        return JSONResponse(view(request, b).model_dump(mode="json"), status_code=202,
                            headers={"Location": f"/v1/batches/{bid}"})

    @r.get("", response_model=list[BatchView], summary="List your batches")
    def list_batches(request: Request, who: Reader):
        """The batches of the calling key, newest first (at most 200)."""
        return [view(request, b) for b in runner_of(request).store.all(200, who.owner)]

    @r.get("/{batch_id}", response_model=BatchView, summary="A batch's progress", responses={**_404, **_422})
    def status(request: Request, batch_id: BatchIdPath, who: Reader):
        return view(request, get(request, batch_id, who))

    @r.get("/{batch_id}/results", summary="The comparison table: one row per variant, KPI columns",
           response_model=BatchResults,
           responses={200: {"content": {"text/csv": {"schema": {"type": "string"}}}}, **_404, **_422})
    def results(request: Request, batch_id: BatchIdPath, who: Reader,
                format: Annotated[Literal["json", "csv"], Query(description="json or csv")] = "json"):
        b = get(request, batch_id, who)
        spec = BatchSpec.model_validate_json(b["spec_json"])
        rows = runner_of(request).store.rows(batch_id)
        order = {n: i for i, (n, _) in enumerate(expand(spec))}
        rows.sort(key=lambda x: order.get(x["name"], 1e9))
        flat = table(rows, spec.kpis)
        if format == "csv":
            return Response(to_csv(flat), media_type="text/csv",
                            headers={"Content-Disposition": f'attachment; filename="batch-{batch_id}.csv"'})
        return {"id": batch_id, "status": b["status"], "kpis": spec.kpis, "rows": flat,
                "new_land_by_province": {x["name"]: x.get("new_land_by_province", {}) for x in rows}}

    @r.delete("/{batch_id}", response_model=BatchView | BatchDeleted,
              summary="Cancel a batch, or delete a finished one", responses={**_404, **_422})
    def cancel(request: Request, batch_id: BatchIdPath, who: Solver):
        runner = runner_of(request)
        b = get(request, batch_id, who)
        if b["status"] in ("queued", "running"):
            runner.cancel(batch_id)
            return view(request, get(request, batch_id, who))
        runner.store.delete(batch_id)
        return {"id": batch_id, "deleted": True}

    return r
