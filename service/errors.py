"""One error shape for every failure, and the guards that keep requests from ever causing a 500.

Every error answer is ``{"detail": "...", "problems": [{"loc": [...], "rule": "...", "message":
"..."}]}``: FastAPI's request validation errors and the scenario checks' ``ScenarioInvalid`` are
both turned into ``problems``. The body-size limit is enforced before anything is parsed: on the
``Content-Length`` header at once, and on the bytes actually received for a chunked body. A
database that cannot be written or reached (read-only, disk full, server down) is a ``503`` with
``Retry-After`` and the reason, never a 500.
"""

from __future__ import annotations

import logging
import uuid
from typing import Sequence

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from sqlalchemy.exc import OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeout
from starlette.exceptions import HTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from landquota.models.scenario import Problem, ScenarioInvalid

log = logging.getLogger("landquota.service")


class ApiError(Exception):
    """An answer other than success, with its status code, sentence and problems."""

    def __init__(self, status: int, detail: str, problems: Sequence[Problem] = (), headers: dict | None = None):
        self.status, self.detail, self.problems, self.headers = status, detail, list(problems), headers
        super().__init__(detail)


def invalid(problems: Sequence[Problem], prefix: Sequence[str | int] = ()) -> ApiError:
    """A 422 listing ``problems`` with ``prefix`` (e.g. ``("body", "scenario")``) before each loc."""
    probs = [Problem(loc=[*prefix, *p.loc], rule=p.rule, message=p.message) for p in problems]
    n = len(probs)
    return ApiError(422, f"{n} problem{'s' if n != 1 else ''} in the request", probs)


def scenario_invalid(e: ScenarioInvalid, prefix: Sequence[str | int]) -> ApiError:
    return invalid(e.problems, prefix)


def db_reason(exc: BaseException) -> str:
    """What is wrong with the database, in words, from a driver's OperationalError."""
    text = str(getattr(exc, "orig", None) or exc).strip().splitlines()[0][:300] if str(exc).strip() else ""
    low = text.lower()
    if "readonly" in low or "read-only" in low or "read only" in low:
        return f"the database is read-only ({text})"
    if "disk is full" in low or "no space" in low or "disk full" in low:
        return f"the database's disk is full ({text})"
    if "locked" in low or "busy" in low:
        return f"the database is busy ({text})"
    if isinstance(exc, PoolTimeout):
        return "no database connection became free in time"
    return f"the database is unavailable ({text or type(exc).__name__})"


DB_RETRY_AFTER_S = 30
"""Retry-After of a 503 for a database error (``install`` sets it from LANDQUOTA_DB_RETRY_AFTER_S)."""


def error_response(status: int, detail: str, problems: Sequence[Problem] = (), headers: dict | None = None):
    body = {"detail": detail, "problems": [p.model_dump() for p in problems]}
    return JSONResponse(body, status_code=status, headers=headers)


def _from_validation(exc: RequestValidationError) -> ApiError:
    probs = []
    for e in exc.errors():
        loc = [x if isinstance(x, (str, int)) else str(x) for x in e.get("loc", ())]
        probs.append(Problem(loc=loc, rule=str(e.get("type", "invalid")), message=str(e.get("msg", ""))))
    return invalid(probs)


def install(app: FastAPI, db_retry_after_s: int = DB_RETRY_AFTER_S) -> None:
    """Register the handlers that give every error the one shape."""

    @app.exception_handler(OperationalError)
    @app.exception_handler(PoolTimeout)
    async def _database(request: Request, exc: Exception):
        reason = db_reason(exc)
        log.error("database error in %s %s: %s", request.method, request.url.path, reason)
        return error_response(503, f"service unavailable: {reason}; retry later",
                              headers={"Retry-After": str(db_retry_after_s)})

    @app.exception_handler(ApiError)
    async def _api_error(request: Request, exc: ApiError):
        return error_response(exc.status, exc.detail, exc.problems, exc.headers)

    @app.exception_handler(RequestValidationError)
    async def _validation(request: Request, exc: RequestValidationError):
        e = _from_validation(exc)
        return error_response(e.status, e.detail, e.problems)

    @app.exception_handler(ScenarioInvalid)
    async def _scenario(request: Request, exc: ScenarioInvalid):  # a ScenarioInvalid a route did not prefix
        e = invalid(exc.problems)
        return error_response(e.status, e.detail, e.problems)

    @app.exception_handler(HTTPException)
    async def _http(request: Request, exc: HTTPException):
        if exc.status_code == 400 and exc.detail == "There was an error parsing the body":
            # FastAPI's answer to a body json.loads could not take for a reason other than bad syntax
            if isinstance(exc.__cause__, RecursionError):
                e = invalid([Problem(loc=["body"], rule="json_too_deep",
                                     message="the body is valid JSON but nests arrays and objects deeper than this "
                                     "server reads (about 1,000 levels); no request of this API needs more than "
                                     "a few")])
            else:  # not even text (not UTF-8): invalid JSON, like any other
                e = invalid([Problem(loc=["body"], rule="json_invalid",
                                     message="the body is not JSON text (it must be UTF-8 encoded JSON)")])
            return error_response(e.status, e.detail, e.problems)
        headers = getattr(exc, "headers", None)
        if exc.status_code == 405:  # Starlette names the methods of the first route matched, not of the path
            allow = allowed_methods(request)
            headers = {**(headers or {}), "Allow": ", ".join(allow)}
            return error_response(405, f"{request.method} is not allowed on {request.url.path}; allowed: "
                                  f"{', '.join(allow)}", headers=headers)
        return error_response(exc.status_code, str(exc.detail), headers=headers)

    @app.exception_handler(Exception)
    async def _anything(request: Request, exc: Exception):
        ref = uuid.uuid4().hex[:12]
        log.exception("unhandled error %s in %s %s", ref, request.method, request.url.path)
        return error_response(500, f"internal error (logged as {ref}); the request did not take effect")


METHODS = ("GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS")


def allowed_methods(request: Request) -> list[str]:
    """Every method some route of the app answers at the request's path (asked of every route, included
    routers too, as the router itself would ask)."""
    from starlette.routing import Match

    routes = request.app.router.routes
    return [m for m in METHODS if any(r.matches({**request.scope, "method": m})[0] == Match.FULL for r in routes)]


class BodyTooLarge(HTTPException):
    """Raised from ``receive`` when a body outgrows the limit; an HTTPException, so FastAPI's body
    parser passes it on as it is (413) instead of calling it a parse error."""

    def __init__(self, limit: int):
        super().__init__(413, f"request body larger than {limit} bytes (LANDQUOTA_MAX_BODY_BYTES)")


class BodySizeLimit:
    """ASGI middleware: 413 for a body over ``max_bytes``, checked before the app reads it."""

    def __init__(self, app: ASGIApp, max_bytes: int):
        self.app, self.max_bytes = app, max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        length = None
        for k, v in scope.get("headers", ()):
            if k == b"content-length":
                try:
                    length = int(v)
                except ValueError:
                    return await error_response(400, "invalid Content-Length header")(scope, receive, send)
        if length is not None and length > self.max_bytes:
            return await self._reject(scope, receive, send)

        received = 0
        started = False

        async def limited() -> Message:
            nonlocal received
            msg = await receive()
            if msg["type"] == "http.request":
                received += len(msg.get("body", b""))
                if received > self.max_bytes:
                    raise BodyTooLarge(self.max_bytes)
            return msg

        async def tracked(msg: Message) -> None:
            nonlocal started
            if msg["type"] == "http.response.start":
                started = True
            await send(msg)

        try:
            await self.app(scope, limited, tracked)
        except BodyTooLarge:
            if started:
                raise
            await self._reject(scope, receive, send)

    async def _reject(self, scope: Scope, receive: Receive, send: Send) -> None:
        e = BodyTooLarge(self.max_bytes)
        await error_response(413, e.detail)(scope, receive, send)
