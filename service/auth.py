"""API keys, scopes, per-key rate limits: who may call what, and whose jobs they see.

A key is ``lq_`` + 43 random URL-safe characters (256 bits). Only its SHA-256 is stored (table
``api_keys``); the key itself is printed once, when it is made (``landquota keys create`` or
``POST /v1/keys``). A client sends it as ``Authorization: Bearer <key>``.

Scopes: ``read`` (datasets, approval routing, its own jobs and batches), ``solve`` (submit and
cancel solves and batches; includes read), ``admin`` (manage keys; includes solve and read). Jobs
and batches belong to the key that submitted them: for any other key they do not exist (404), and
an admin key is no exception.

Routes declare what they need with a parameter type: ``who: Reader`` (or ``Solver``, ``Admin``).
``LANDQUOTA_AUTH=off`` serves requests that send no key anonymously (scopes read and solve; their
jobs belong to no key and are seen only by anonymous requests); a key that is sent is still checked
and used. Each key (and anonymous access as a whole) has a token bucket: ``rate_limit_per_minute``
requests a minute, ``rate_limit_burst`` at once; beyond it ``429`` with ``Retry-After``.
"""

from __future__ import annotations

import hashlib
import math
import secrets
import threading
import time
from dataclasses import dataclass
from datetime import datetime
from typing import Annotated, Callable, Iterable

from fastapi import Depends, Request, Security
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from sqlalchemy import select, update
from sqlalchemy.engine import Engine
from sqlalchemy.orm import sessionmaker

from landquota.service.db import ApiKeyRow, as_utc, utcnow
from landquota.service.errors import ApiError

SCOPES = ("read", "solve", "admin")
IMPLIES = {"read": {"read"}, "solve": {"read", "solve"}, "admin": {"read", "solve", "admin"}}
ANONYMOUS_SCOPES = frozenset({"read", "solve"})
PREFIX = "lq_"

bearer = HTTPBearer(
    auto_error=False,
    scheme_name="bearer",
    description="An API key: `landquota keys create` prints one. Send it as `Authorization: Bearer <key>`.",
)


def digest(key: str) -> str:
    return hashlib.sha256(key.encode("utf-8")).hexdigest()


def expand_scopes(scopes: Iterable[str]) -> frozenset[str]:
    """The scopes a key holds, with what each implies; ValueError for an unknown one."""
    out: set[str] = set()
    for s in scopes:
        if s not in IMPLIES:
            raise ValueError(f"unknown scope {s!r}; choose from {', '.join(SCOPES)}")
        out |= IMPLIES[s]
    return frozenset(out)


@dataclass(frozen=True)
class KeyInfo:
    id: str
    name: str
    scopes: tuple[str, ...]
    created_at: datetime
    last_used_at: datetime | None
    revoked_at: datetime | None

    @classmethod
    def of(cls, r: ApiKeyRow) -> "KeyInfo":
        return cls(id=r.id, name=r.name, scopes=tuple(r.scopes.split()), created_at=as_utc(r.created_at),
                   last_used_at=as_utc(r.last_used_at), revoked_at=as_utc(r.revoked_at))


class KeyStore:
    """The ``api_keys`` table: create, list, revoke, look up by key."""

    TOUCH_EVERY_S = 60.0

    def __init__(self, engine: Engine):
        self.engine = engine
        self._session = sessionmaker(engine, expire_on_commit=False)
        self._touched: dict[str, float] = {}

    def create(self, name: str = "", scopes: Iterable[str] = ("read", "solve")) -> tuple[KeyInfo, str]:
        """A new key: (its info, the key itself, which is not stored and cannot be shown again)."""
        held = expand_scopes(scopes or ("read", "solve"))
        key = PREFIX + secrets.token_urlsafe(32)
        row = ApiKeyRow(id="k" + secrets.token_hex(6), key_sha256=digest(key), name=(name or "")[:200],
                        scopes=" ".join(s for s in SCOPES if s in held), created_at=utcnow())
        with self._session.begin() as s:
            s.add(row)
        return KeyInfo.of(row), key

    def list(self) -> list[KeyInfo]:
        with self._session() as s:
            return [KeyInfo.of(r) for r in s.scalars(select(ApiKeyRow).order_by(ApiKeyRow.created_at))]

    def get(self, key_id: str) -> KeyInfo | None:
        with self._session() as s:
            row = s.get(ApiKeyRow, key_id)
            return KeyInfo.of(row) if row else None

    def revoke(self, key_id: str) -> bool:
        """Revoke a key at once (its jobs stay, owned by no usable key); False if there is no such
        active key."""
        with self._session.begin() as s:
            return bool(s.execute(update(ApiKeyRow).where(ApiKeyRow.id == key_id, ApiKeyRow.revoked_at.is_(None))
                                  .values(revoked_at=utcnow())).rowcount)

    def lookup(self, key: str) -> KeyInfo | None:
        """The active key ``key`` is, or None (unknown or revoked)."""
        if not key.startswith(PREFIX) or len(key) > 200:
            return None
        with self._session() as s:
            row = s.scalar(select(ApiKeyRow).where(ApiKeyRow.key_sha256 == digest(key)))
            if row is None or row.revoked_at is not None:
                return None
            info = KeyInfo.of(row)
        self._touch(info.id)
        return info

    def _touch(self, key_id: str) -> None:
        """Record last use, at most once a minute per key; best effort (never fails a request)."""
        now = time.monotonic()
        if now - self._touched.get(key_id, -1e9) < self.TOUCH_EVERY_S:
            return
        self._touched[key_id] = now
        try:
            with self._session.begin() as s:
                s.execute(update(ApiKeyRow).where(ApiKeyRow.id == key_id).values(last_used_at=utcnow()))
        except Exception:  # a read-only or full database must not turn a read into an error
            pass


class RateLimiter:
    """A token bucket per caller: ``per_minute`` a minute, ``burst`` at once."""

    def __init__(self, per_minute: int, burst: int):
        self.rate = per_minute / 60.0
        self.burst = float(burst)
        self._lock = threading.Lock()
        self._buckets: dict[str, tuple[float, float]] = {}  # caller -> (tokens, monotonic time)

    def take(self, caller: str) -> float:
        """0 if the request may go ahead, else the seconds until it may."""
        if self.rate <= 0:
            return 0.0
        now = time.monotonic()
        with self._lock:
            tokens, t = self._buckets.get(caller, (self.burst, now))
            tokens = min(self.burst, tokens + (now - t) * self.rate)
            if tokens >= 1.0:
                self._buckets[caller] = (tokens - 1.0, now)
                return 0.0
            self._buckets[caller] = (tokens, now)
            return (1.0 - tokens) / self.rate


@dataclass(frozen=True)
class Principal:
    """Who is calling: a key (``key_id``) or anonymous (None)."""

    key_id: str | None
    scopes: frozenset[str]

    @property
    def owner(self) -> str | None:
        return self.key_id

    def owns(self, owner: str | None) -> bool:
        return owner == self.key_id


class Auth:
    """The access rules of one app: ``auth.require("solve")`` is a FastAPI dependency."""

    def __init__(self, enabled: bool, keys: Callable[[], KeyStore], per_minute: int, burst: int):
        self.enabled = enabled
        self.keys = keys
        self.limiter = RateLimiter(per_minute, burst)
        self.per_minute = per_minute

    def principal(self, request: Request, creds: HTTPAuthorizationCredentials | None) -> Principal:
        header = request.headers.get("authorization")
        if header is None:
            if self.enabled:
                raise _unauthorized("this request needs an API key: send `Authorization: Bearer <key>` "
                                    "(`landquota keys create` makes one)")
            return Principal(None, ANONYMOUS_SCOPES)
        if creds is None or not creds.credentials:
            raise _unauthorized("the Authorization header must be `Bearer <key>`")
        info = self.keys().lookup(creds.credentials.strip())
        if info is None:
            raise _unauthorized("invalid or revoked API key")
        return Principal(info.id, expand_scopes(info.scopes))

    def check(self, request: Request, creds: HTTPAuthorizationCredentials | None, scope: str) -> Principal:
        """The caller, if it holds ``scope`` and is within its rate limit; else ApiError 401/403/429."""
        who = self.principal(request, creds)
        if scope not in who.scopes:
            raise ApiError(403, f"this {'key' if who.key_id else 'anonymous access'} lacks the "
                                f"`{scope}` scope that {request.method} {request.url.path} needs")
        wait = self.limiter.take(who.key_id or "anonymous")
        if wait > 0:
            raise ApiError(429, f"rate limit: {self.per_minute} requests a minute per key "
                                "(LANDQUOTA_RATE_LIMIT_PER_MINUTE); retry after the Retry-After seconds",
                           headers={"Retry-After": str(max(1, math.ceil(wait)))})
        return who


def require(scope: str):
    """A FastAPI dependency admitting a caller that holds ``scope`` (the app's ``state.auth`` decides)."""
    assert scope in SCOPES

    def dependency(request: Request, creds: HTTPAuthorizationCredentials | None = Security(bearer)) -> Principal:
        return request.app.state.auth.check(request, creds, scope)

    dependency.__name__ = f"require_{scope}"
    return dependency


Reader = Annotated[Principal, Depends(require("read"))]
Solver = Annotated[Principal, Depends(require("solve"))]
Admin = Annotated[Principal, Depends(require("admin"))]
"""Route parameter types: ``who: Solver`` admits a caller with scope solve and says who it is."""


def _unauthorized(detail: str) -> ApiError:
    return ApiError(401, detail, headers={"WWW-Authenticate": "Bearer"})
