"""``/v1/approval-route``: who approves a whole project's land (the 35/70-hectare rule)."""

from __future__ import annotations

from fastapi import APIRouter

from landquota.models.approval import route
from landquota.models.policy import PolicyParameters
from landquota.service.auth import Reader
from landquota.service.routers.common import AUTH_ERRORS, INVALID, TOO_LARGE
from landquota.service.schemas import ApprovalRequest, ApprovalResponse

router = APIRouter(tags=["approval"], responses=AUTH_ERRORS)


@router.post("/v1/approval-route", response_model=ApprovalResponse,
             summary="Who approves a project's land",
             responses={**INVALID, **TOO_LARGE})
def approval_route(req: ApprovalRequest, who: Reader):
    """Who approves a whole project's land expropriation: the State Council, an entrusted pilot
    province, or the provincial government (the 35/70-hectare rule, the model's own routing)."""
    policy = PolicyParameters()
    entrusted = req.entrusted if req.entrusted is not None else req.province_code in policy.entrusted_province_codes
    r = route(req.parcels, entrusted, policy)
    return ApprovalResponse(**r.model_dump(), province_code=req.province_code, entrusted=entrusted)
