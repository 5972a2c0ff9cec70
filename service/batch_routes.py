"""``/v1/batches``: what-if sweeps over HTTP (submit, poll, compare, cancel)."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Body, Path, Query, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import JSONResponse, Response
from pydantic import BaseModel, Field, ValidationError

from models.scenario import Problem
from service.batch_report import table, to_csv
from service.batch_spec import BatchSpec, expand
from service.errors import ApiError, invalid

BATCH_EXAMPLE = {
    "name": "demo-pool-sweep",
    "base": {"dataset": "demo"},
    "variants": [
        {"name": "low-standard", "overrides": {"policy.linkage_tiers[0].new_land_per_settler_m2": 80}},
        {"name": "all-entrusted", "overrides": {"provinces[*].approval_entrusted": True}},
        {"name": "both", "compose": ["low-standard", "all-entrusted"]},
    ],
    "grid": {"mode": "cartesian", "parameters": {"provinces[510000].new_land_pool_ha_per_year": [200, 300, 400]}},
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


BatchIdPath = Annotated[str, Path(max_length=64, description="Batch id.")]


def batch_router(runner_of, max_variants_of) -> APIRouter:
    """``runner_of(request)`` gives the BatchRunner; ``max_variants_of(request)`` the variant limit."""
    r = APIRouter(prefix="/v1/batches", tags=["batches"])

    def view(request: Request, b: dict) -> BatchView:
        runner = runner_of(request)
        rows = runner.store.rows(b["id"])
        done, failed = len(rows), sum(1 for x in rows if not x.get("ok"))
        return BatchView(
            id=b["id"], name=b["name"], status=b["status"], backend=b["backend"], total=b["total"], done=done,
            failed=failed, eta_s=runner.eta_s(b["id"], done, b["total"]) if b["status"] == "running" else None,
            error=b["error"], created_at=b["created_at"], started_at=b["started_at"], finished_at=b["finished_at"],
            links={"self": f"/v1/batches/{b['id']}", "results": f"/v1/batches/{b['id']}/results"},
        )

    def get(request: Request, batch_id: str) -> dict:
        b = runner_of(request).store.get(batch_id)
        if b is None:
            raise ApiError(404, f"no batch {batch_id!r}")
        return b

    @r.post("", status_code=202, response_model=BatchView, summary="Submit a batch of what-if variants",
            description="A base scenario plus named variants (composable) and/or a grid. Answers 202 at once; "
                        "poll the `Location`. Every finished variant is stored as it finishes.")
    async def submit(request: Request, body: Annotated[dict[str, Any], Body(examples=[BATCH_EXAMPLE])]):
        try:
            spec = BatchSpec.model_validate(body)
            n = len(expand(spec))
        except ValidationError as e:
            raise invalid([Problem(loc=["body", *x["loc"]], rule=x["type"], message=x["msg"])
                           for x in e.errors(include_url=False)]) from None
        except ValueError as e:
            raise invalid([Problem(loc=["body"], rule="batch_spec", message=str(e))]) from None
        limit = max_variants_of(request)
        if n > limit:
            raise invalid([Problem(loc=["body"], rule="too_many_variants",
                                   message=f"{n} variants; at most {limit} per batch (LANDQUOTA_MAX_BATCH_VARIANTS)")])
        if spec.base.dataset is not None:
            from datasets import DATASETS

            if spec.base.dataset not in DATASETS:
                raise ApiError(404, f"no dataset {spec.base.dataset!r}")
        runner = runner_of(request)
        bid = await run_in_threadpool(runner.submit, spec)
        b = await run_in_threadpool(get, request, bid)
        return JSONResponse(view(request, b).model_dump(mode="json"), status_code=202,
                            headers={"Location": f"/v1/batches/{bid}"})

    @r.get("", response_model=list[BatchView], summary="List batches")
    async def list_batches(request: Request):
        runner = runner_of(request)
        rows = await run_in_threadpool(runner.store.all)
        return [view(request, b) for b in rows]

    @r.get("/{batch_id}", response_model=BatchView, summary="A batch's progress")
    async def status(request: Request, batch_id: BatchIdPath):
        b = await run_in_threadpool(get, request, batch_id)
        return view(request, b)

    @r.get("/{batch_id}/results", summary="The comparison table: one row per variant, KPI columns",
           responses={200: {"content": {"application/json": {}, "text/csv": {}}}})
    async def results(request: Request, batch_id: BatchIdPath,
                      format: Annotated[Literal["json", "csv"], Query(description="json or csv")] = "json"):
        b = await run_in_threadpool(get, request, batch_id)
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

    @r.delete("/{batch_id}", response_model=BatchView | dict, summary="Cancel a batch, or delete a finished one")
    async def cancel(request: Request, batch_id: BatchIdPath):
        runner = runner_of(request)
        b = await run_in_threadpool(get, request, batch_id)
        if b["status"] in ("queued", "running"):
            await run_in_threadpool(runner.cancel, batch_id)
            return view(request, await run_in_threadpool(get, request, batch_id))
        await run_in_threadpool(runner.store.delete, batch_id)
        return {"id": batch_id, "deleted": True}

    return r
