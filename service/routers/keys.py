"""``/v1/keys``: manage API keys over HTTP (scope ``admin``); ``landquota keys`` does the same locally."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import JSONResponse

from landquota.service.auth import Admin, KeyInfo
from landquota.service.errors import ApiError
from landquota.service.routers.common import AUTH_ERRORS, INVALID, Svc
from landquota.service.schemas import KeyCreate, KeyCreated, KeyList, KeyView, Problems

KeyIdPath = Annotated[str, Path(max_length=32, description="Key id (from GET /v1/keys).", examples=["k3f9a1c0d2b7e"])]


def view(k: KeyInfo) -> KeyView:
    return KeyView(id=k.id, name=k.name, scopes=list(k.scopes), created_at=k.created_at,
                   last_used_at=k.last_used_at, revoked_at=k.revoked_at)


router = APIRouter(prefix="/v1/keys", tags=["keys"], responses=AUTH_ERRORS)


@router.post("", status_code=201, response_model=KeyCreated, summary="Make an API key (shown once)",
             responses={201: {"description": "Made: the key is in `key`, shown this once."},
                        422: {"model": Problems, "description": "Invalid name or scopes."}})
async def create(body: KeyCreate, who: Admin, svc: Svc):
    """A new key with the scopes asked for. The answer is the only time the key is shown."""
    info, key = await run_in_threadpool(svc.keys.create, body.name, body.scopes)
    return JSONResponse(KeyCreated(**view(info).model_dump(), key=key).model_dump(mode="json"), status_code=201)


@router.get("", response_model=KeyList, summary="List API keys (never the keys themselves)")
async def list_keys(who: Admin, svc: Svc):
    """Every key, active or revoked, oldest first."""
    return KeyList(keys=[view(k) for k in await run_in_threadpool(svc.keys.list)])


@router.delete("/{key_id}", response_model=KeyView, summary="Revoke an API key",
               responses={200: {"description": "Revoked at once: the key, now with `revoked_at`. It stays listed; "
                                "its jobs and batches stay in the database, seen by no key."},
                          404: {"model": Problems, "description": "No such active key."}, **INVALID})
async def revoke(key_id: KeyIdPath, who: Admin, svc: Svc):
    """Revoke a key at once. Its jobs and batches stay in the database, seen by no key."""
    if not await run_in_threadpool(svc.keys.revoke, key_id):
        raise ApiError(404, f"no active key {key_id!r}")
    return view(await run_in_threadpool(svc.keys.get, key_id))
