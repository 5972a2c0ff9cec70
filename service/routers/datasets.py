"""``/v1/datasets``: the bundled scenarios."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path
from fastapi.responses import JSONResponse

from landquota.models.scenario import Scenario
from landquota.service.auth import Reader
from landquota.service.routers.common import AUTH_ERRORS, NOT_FOUND, Svc
from landquota.service.schemas import DatasetList

router = APIRouter(prefix="/v1/datasets", tags=["datasets"], responses=AUTH_ERRORS)


@router.get("", response_model=DatasetList, summary="List the bundled datasets")
def datasets(who: Reader, svc: Svc):
    """The bundled datasets (those present in this installation and valid)."""
    return DatasetList(datasets=svc.datasets.summaries())


@router.get("/{id}", summary="Fetch a bundled scenario",
            responses={200: {"model": Scenario, "description": "The scenario, as bundled."}, **NOT_FOUND})
def dataset(id: Annotated[str, Path(description="Dataset id.", examples=["demo"], max_length=100)], who: Reader,
            svc: Svc):
    """A bundled scenario as JSON: edit it and send it back as `scenario` to POST /v1/solve."""
    return JSONResponse(svc.datasets.raw(id))
