"""``/v1/batches``: what-if sweeps over HTTP (submit, poll, compare, cancel or delete).

A batch is checked whole when it is submitted, as ``POST /v1/solve`` checks one request: its
variants are counted first (without making them) against LANDQUOTA_MAX_BATCH_VARIANTS, then the base
and every variant are resolved (``service.requests.resolve_request``: overrides applied, the changed
scenario validated, the service's limits applied). A mistake is a 422 naming the variant in ``loc``
(``["body", "variants", "<name>", "overrides", "<path>"]``, ``["body", "grid", "<name>", ...]``),
never an accepted batch that fails later.

A batch belongs to the API key that submitted it (``owner``; null = anonymous): any other key gets
404 for it and does not see it listed. Submitting needs scope ``solve``, reading ``read``.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Body, Path, Query
from fastapi.responses import HTMLResponse, JSONResponse, Response
from pydantic import BaseModel, Field

from landquota.models.scenario import Problem, ScenarioInvalid
from landquota.service.auth import Principal, Reader, Solver
from landquota.service.batches.report import table, to_csv
from landquota.service.batches.spec import BatchSpec, count, expand, override_counts, variants
from landquota.service.db import as_utc
from landquota.service.errors import ApiError, invalid
from landquota.service.report import render_batch_report
from landquota.service.requests import Limits, resolve_request
from landquota.service.routers.common import AUTH_ERRORS, TOO_LARGE, Limit, Offset, Svc
from landquota.service.runtime import Service
from landquota.service.schemas import Problems

BatchStatus = Literal["queued", "running", "succeeded", "failed", "cancelled"]

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

MAX_PROBLEMS = 50
"""A batch with more bad variants than this lists the first ones (and says how many it checked)."""
MAX_OVERRIDES_PER_VARIANT = 10_000
"""As many as one POST /v1/solve may send."""


class BatchView(BaseModel):
    id: str = Field(description="Batch id (the same format as a job id).", examples=["9b1e4c2a7d3f4e5b8a6c0d1e2f3a4b5c"])
    name: str
    status: BatchStatus
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


class BatchList(BaseModel):
    batches: list[BatchView]


class BatchResults(BaseModel):
    """The comparison table of a batch."""

    id: str
    status: BatchStatus
    kpis: list[str] = Field(description="The KPI columns, in order.")
    rows: list[dict[str, Any]] = Field(description="One row per finished variant: variant, status, error, the KPIs.")
    new_land_by_province: dict[str, dict[str, float]] = Field(
        description="Variant -> province code -> new land, ha (for the heat map).")


class BatchDeleted(BaseModel):
    id: str
    deleted: Literal[True]


BatchIdPath = Annotated[str, Path(max_length=64, description="Batch id.")]
_404 = {404: {"model": Problems, "description": "No such batch (or not yours)."}}
_422 = {422: {"model": Problems, "description": "Invalid batch, or over a limit: every problem listed, the variant "
              "named in `loc`."}}

router = APIRouter(prefix="/v1/batches", tags=["batches"], responses=AUTH_ERRORS)


def view(svc: Service, b: dict) -> BatchView:
    runner = svc.batches
    done, failed = runner.store.progress(b["id"])
    return BatchView(
        id=b["id"], name=b["name"], status=b["status"], backend=b["backend"], total=b["total"], done=done,
        failed=failed, eta_s=runner.eta_s(b["id"], done, b["total"]) if b["status"] == "running" else None,
        error=b["error"], created_at=as_utc(b["created_at"]), started_at=as_utc(b["started_at"]),
        finished_at=as_utc(b["finished_at"]),  # SQLite hands them back naive; they were written in UTC
        links={"self": f"/v1/batches/{b['id']}", "results": f"/v1/batches/{b['id']}/results",
               "report": f"/v1/batches/{b['id']}/report"},
    )


def _get(svc: Service, batch_id: str, who: Principal) -> dict:
    b = svc.batches.store.get(batch_id)
    if b is None or not who.owns(b.get("owner")):
        raise ApiError(404, f"no batch {batch_id!r}")
    return b


def check(svc: Service, spec: BatchSpec, who: Principal) -> int:
    """Everything :func:`submit` checks before it stores the batch; returns the number of variants."""
    st = svc.settings
    n = count(spec)  # before any variant is made: a few KB may describe millions
    if n > st.max_batch_variants:
        raise invalid([Problem(loc=["body", "variants"], rule="too_many_variants",
                               message=f"{n:,} variants; at most {st.max_batch_variants:,} per batch "
                               "(LANDQUOTA_MAX_BATCH_VARIANTS)")])
    big = {k: m for k, m in override_counts(spec).items() if m > MAX_OVERRIDES_PER_VARIANT}
    if big:
        raise invalid([Problem(loc=["body", "variants", k], rule="too_many_overrides",
                               message=f"up to {m:,} overrides once composed; at most {MAX_OVERRIDES_PER_VARIANT:,}")
                       for k, m in list(big.items())[:MAX_PROBLEMS]])
    try:
        expand(spec)  # names must be unique (n is within the limit: making them is cheap)
    except ValueError as e:
        raise invalid([Problem(loc=["body"], rule="batch_spec", message=str(e))]) from None
    limits = Limits.of(st)
    base = spec.base
    source = base.dataset if base.dataset is not None else base.scenario
    try:
        scenario, _ = resolve_request(source, base.overrides, {"time_limit_s": spec.time_limit_s}
                                      if "time_limit_s" in spec.model_fields_set else None, limits,
                                      dataset=svc.datasets.scenario)
    except ScenarioInvalid as e:
        raise invalid([Problem(loc=_base_loc(p.loc), rule=p.rule, message=p.message) for p in e.problems]) from None
    if "time_limit_s" not in spec.model_fields_set:
        spec.time_limit_s = min(spec.time_limit_s, st.max_time_limit_s)  # the default, capped: not the client's error
    probs: list[Problem] = []
    checked = 0
    for section, name, overrides in variants(spec):
        if not overrides:
            continue
        checked += 1
        try:
            resolve_request(scenario, overrides, None, limits)
        except ScenarioInvalid as e:
            probs += [Problem(loc=["body", section, name, *p.loc], rule=p.rule, message=p.message) for p in e.problems]
            if len(probs) >= MAX_PROBLEMS:
                probs = probs[:MAX_PROBLEMS]
                probs.append(Problem(loc=["body"], rule="too_many_problems",
                                     message=f"stopped after {MAX_PROBLEMS} problems ({checked} of {n} variants checked)"))
                break
    if probs:
        raise invalid(probs)
    active = svc.batches.store.active(who.owner)
    if active >= st.max_active_jobs_per_key:
        raise ApiError(429, f"this key already has {active} batches queued or running, its limit "
                            "(LANDQUOTA_MAX_ACTIVE_JOBS_PER_KEY); retry when one has finished",
                       headers={"Retry-After": str(st.retry_after_s)})
    return n


def _base_loc(loc: list) -> list:
    """A problem of the base, from resolve_request's loc (relative to a request) to the batch body's."""
    if loc and loc[0] == "options":
        return ["body", *loc[1:]]
    return ["body", "base", *loc]


@router.post("", status_code=202, response_model=BatchView, summary="Submit a batch of what-if variants",
             description="A base scenario plus named variants (composable) and/or a grid. The variants are "
                         "counted, then every one is checked as POST /v1/solve checks a request; a mistake is a "
                         "422 naming the variant. Answers 202 at once; poll the `Location`. Every finished "
                         "variant is stored as it finishes.",
             responses={**_404, **_422, **TOO_LARGE})
def submit(spec: Annotated[BatchSpec, Body(examples=[BATCH_EXAMPLE])], who: Solver, svc: Svc):
    n = check(svc, spec, who)
    bid = svc.batches.submit(spec, svc.new_id(), n, who.owner)
    return JSONResponse(view(svc, _get(svc, bid, who)).model_dump(mode="json"), status_code=202,
                        headers={"Location": f"/v1/batches/{bid}"})


@router.get("", response_model=BatchList, summary="List your batches", responses=_422)
def list_batches(
    who: Reader,
    svc: Svc,
    status: Annotated[BatchStatus | None, Query(description="Only batches with this status.")] = None,
    limit: Limit = 50,
    offset: Offset = 0,
):
    """The batches of the calling key (anonymous: those submitted without a key), newest first."""
    return BatchList(batches=[view(svc, b) for b in svc.batches.store.all(limit, who.owner, offset=offset,
                                                                           status=status)])


@router.get("/{batch_id}", response_model=BatchView, summary="A batch's progress", responses={**_404, **_422})
def status(batch_id: BatchIdPath, who: Reader, svc: Svc):
    return view(svc, _get(svc, batch_id, who))


@router.get("/{batch_id}/results", summary="The comparison table: one row per variant, KPI columns",
            response_model=BatchResults,
            responses={200: {"content": {"text/csv": {"schema": {"type": "string"}}}}, **_404, **_422})
def results(batch_id: BatchIdPath, who: Reader, svc: Svc,
            format: Annotated[Literal["json", "csv"], Query(description="json or csv")] = "json"):
    b = _get(svc, batch_id, who)
    spec = BatchSpec.model_validate_json(b["spec_json"])
    rows = svc.batches.store.rows(batch_id)
    order = {n: i for i, (_, n, _) in enumerate(variants(spec))}
    rows.sort(key=lambda x: order.get(x["name"], 1e9))
    flat = table(rows, spec.kpis)
    if format == "csv":
        return Response(to_csv(flat), media_type="text/csv",
                        headers={"Content-Disposition": f'attachment; filename="batch-{batch_id}.csv"'})
    return {"id": batch_id, "status": b["status"], "kpis": spec.kpis, "rows": flat,
            "new_land_by_province": {x["name"]: x.get("new_land_by_province", {}) for x in rows}}


@router.get("/{batch_id}/report", summary="The batch's report: KPIs, heat map, comparison (HTML)",
            responses={200: {"content": {"text/html": {"schema": {"type": "string"}}},
                             "description": "One self-contained page (inline SVG, CSS and script; no network)."},
                       **_404, **_422})
def report(batch_id: BatchIdPath, who: Reader, svc: Svc):
    """Each KPI against the swept parameter (or by variant), the provinces × variants heat map of new
    land with province names, and the comparison table, of the variants solved so far
    (``service.report``)."""
    b = _get(svc, batch_id, who)
    spec = BatchSpec.model_validate_json(b["spec_json"])
    rows = svc.batches.store.rows(batch_id)
    order = {n: i for i, (_, n, _) in enumerate(variants(spec))}
    rows.sort(key=lambda x: order.get(x["name"], 1e9))
    return HTMLResponse(render_batch_report(spec, rows))


@router.delete("/{batch_id}", response_model=BatchView | BatchDeleted,
               summary="Cancel a batch, or delete a finished one",
               responses={200: {"description": "Queued or running: cancelled (the variants in flight are stopped, "
                                "no more start; those done are kept) and answered as a BatchView with status "
                                "`cancelled`; DELETE it again to delete it. Finished (succeeded, failed or "
                                "cancelled): deleted with its results, answered `{\"id\", \"deleted\": true}`; "
                                "its id now answers 404."}, **_404, **_422})
def cancel(batch_id: BatchIdPath, who: Solver, svc: Svc):
    b = _get(svc, batch_id, who)
    if b["status"] in ("queued", "running"):
        svc.batches.cancel(batch_id)
        return view(svc, _get(svc, batch_id, who))
    svc.batches.store.delete(batch_id)
    return {"id": batch_id, "deleted": True}
