"""``GET /v1/datasets/{id}/delegation``: what each province's entrustment is worth (issue 14).

Not yet included in the app: the lead wires it in ``service/app.py`` with
``app.include_router(delegation_router(lambda: svc.datasets))`` (next to the other routers). It solves
in the HTTP process (one build and about one warm re-solve per province: ≈ 1–2 s on china-2020).
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path
from fastapi.concurrency import run_in_threadpool

from landquota.service.auth import Solver
from landquota.service.errors import ApiError
from landquota.service.schemas import Problems
from landquota.solvers.delegation import DelegationReport, delegation


def delegation_router(datasets_of) -> APIRouter:
    """``datasets_of()`` gives the service's ``runtime.Datasets``."""
    r = APIRouter(prefix="/v1", tags=["approval"])

    @r.get("/datasets/{id}/delegation", response_model=DelegationReport,
           summary="What entrustment is worth: which province to entrust next",
           responses={404: {"model": Problems, "description": "No such dataset."},
                      409: {"model": Problems, "description": "The dataset has no optimal plan to compare with."}})
    async def get_delegation(id: Annotated[str, Path(description="Dataset id.", examples=["china-2020"],
                                                     max_length=100)], who: Solver):
        """For each pilot province (国发〔2020〕4号), the objective lost if its entrustment were
        withdrawn; for each other province, the objective gained if it were entrusted; ranked, with a
        summary in English and Chinese. Warm re-solves of one model (solvers.delegation)."""
        s = datasets_of().scenario(id)
        try:
            return await run_in_threadpool(delegation, s)
        except ValueError as e:  # no optimal base plan to compare with
            raise ApiError(409, str(e)) from None

    return r
