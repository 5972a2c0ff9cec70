"""``/v1/approval-route``: who approves a whole project's land (conversion, Art. 44; expropriation, Art. 46);
``/v1/datasets/{id}/delegation``: what each province's entrustment (国发〔2020〕4号) is worth."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path
from fastapi.concurrency import run_in_threadpool

from landquota.models.approval import route
from landquota.models.policy import PolicyParameters
from landquota.service.auth import Reader, Solver
from landquota.service.errors import ApiError
from landquota.service.routers.common import AUTH_ERRORS, INVALID, NOT_FOUND, TOO_LARGE, Svc
from landquota.service.schemas import ApprovalRequest, ApprovalResponse, Problems
from landquota.solvers.delegation import DelegationReport, delegation

router = APIRouter(tags=["approval"], responses=AUTH_ERRORS)


@router.post("/v1/approval-route", response_model=ApprovalResponse,
             summary="Who approves a project's land",
             responses={**INVALID, **TOO_LARGE})
def approval_route(req: ApprovalRequest, who: Reader):
    """Who approves a whole project's land: its conversion (Art. 44: PBF by the State Council or an entrusted
    pilot, other agricultural land by the province) and the expropriation of its collective land (Art. 46:
    the 35/70-hectare rule on the land expropriated), and the gating authority, the higher of the two
    (the model's own routing). Parcels may be `construction` or `unused` land (no conversion) and
    `state`-owned (not expropriated)."""
    policy = PolicyParameters()
    entrusted = req.entrusted if req.entrusted is not None else req.province_code in policy.entrusted_province_codes
    r = route(req.parcels, entrusted, policy)
    return ApprovalResponse(**r.model_dump(), province_code=req.province_code, entrusted=entrusted)


@router.get("/v1/datasets/{id}/delegation", response_model=DelegationReport,
            summary="What entrustment is worth: which province to entrust next",
            responses={**NOT_FOUND, 409: {"model": Problems, "description": "The dataset has no optimal plan."}})
async def get_delegation(id: Annotated[str, Path(description="Dataset id.", examples=["china-2020"], max_length=100)],
                         who: Solver, svc: Svc):
    """For each pilot province (国发〔2020〕4号) the objective lost if its entrustment were withdrawn; for each
    other province the objective gained if it were entrusted; ranked, with a summary in English and Chinese.
    Warm re-solves of one built model in this process (solvers.delegation): about 1–2 s on china-2020."""
    s = svc.datasets.scenario(id)
    try:
        return await run_in_threadpool(delegation, s)
    except ValueError as e:  # no optimal base plan to compare with
        raise ApiError(409, str(e)) from None
