"""The HTTP API (FastAPI): datasets, solves, jobs, approval routing, batches, keys. Versioned under ``/v1``.

``create_app(settings)`` builds the app from one router per resource (``service.routers``); uvicorn
runs it (``service.server.run``). Routes hold no mathematics: they validate (``service.requests``),
store a job, and read what the solver pool wrote. Blocking work (database, scenario validation) runs
in the thread pool, solves in worker processes, so the event loop only waits.

The OpenAPI document says what this server does with these settings: with LANDQUOTA_AUTH=off every
operation also admits anonymous calls; the largest ``time_limit_s`` and ``wait_s`` are the service's
own; every 422 is the one error shape (``Problems``).
"""

from __future__ import annotations

import os
from contextlib import asynccontextmanager
from importlib import metadata

from fastapi import FastAPI
from fastapi.concurrency import run_in_threadpool
from fastapi.middleware.gzip import GZipMiddleware
from fastapi.openapi.docs import get_swagger_ui_html
from fastapi.staticfiles import StaticFiles

from landquota.service.auth import Auth
from landquota.service.errors import BodySizeLimit, install
from landquota.service.examples import JOB_QUEUED, solve_200
from landquota.service.routers import approval, batches, datasets, health, jobs, keys
from landquota.service.routers.common import INVALID
from landquota.service.runtime import Service
from landquota.service.settings import Settings
from landquota.service.worker import SolveFn, solve_payload

DESCRIPTION = """
Land-quota optimisation (NDRC 发改规划〔2020〕532号, items 6, 20, 21) as a service.

**Quick start**: open `POST /v1/solve`, *Try it out*, *Execute*: the demo dataset is solved and the
allocation returned. To solve your own scenario, `GET /v1/datasets/demo`, edit it, and send it as
`{"scenario": ...}`; or send `{"dataset": "demo", "overrides": {"policy.per_capita_cap_m2": 105}}`.

**Jobs**: `POST /v1/solve` answers with the result when it is ready soon enough, else `202` with a
job id and a `Location` to poll; `POST /v1/jobs` always answers `202` at once. Results stay until
deleted. While a job runs, its `progress.solver` shows HiGHS's own figures. Once it has finished,
open `GET /v1/jobs/{id}/report` in a browser: a map of the provinces, charts and the reasons
(batches: `GET /v1/batches/{id}/report`); `GET /v1/jobs/{id}/scenario` is the scenario it solved.

**Access**: send an API key as `Authorization: Bearer <key>` (*Authorize*, top right; an operator
makes keys with `landquota keys create`). Scopes: `read` (datasets, approval routing, your own jobs
and batches), `solve` (submit and cancel), `admin` (keys). Jobs and batches belong to the key that
submitted them: to any other key they do not exist. A service run for local use
(`LANDQUOTA_AUTH=off`) also answers requests without a key.

**Errors** all have one shape: `{"detail": "...", "problems": [{"loc", "rule", "message"}]}`.
`422` invalid input or over a limit (every problem listed, with the field, the rule and the setting),
`401` no or bad key, `403` scope missing, `404` unknown dataset, job or batch, `405` method not
allowed (see `Allow`), `409` no result (yet),
`413` body too large, `429` queue full, too many active jobs for your key, or rate limit (see
`Retry-After`), `503` the database cannot be written or reached (see `Retry-After`). `GET /healthz`
says `starting` (503) until the solver workers are ready. An infeasible
scenario is not an error: `200` with `status: infeasible`; nor is a solve that failed inside its
worker: its result has `status: error` and the reason in `message` (the job's `status` is `failed`).
A solve that reaches its time limit answers `status: time_limit` with the best allocation found.
"""

SWAGGER_UI = {"tryItOutEnabled": True, "displayRequestDuration": True, "defaultModelsExpandDepth": 0,
              "persistAuthorization": True}
"""Swagger UI opens each operation ready to run: on POST /v1/solve, *Execute* solves the example; the
key given with *Authorize* is kept across reloads."""

def _version() -> str:
    try:
        return metadata.version("landquota")
    except metadata.PackageNotFoundError:
        return "unknown"


def create_app(settings: Settings | None = None, solve_fn: SolveFn | None = None) -> FastAPI:
    """The app. ``solve_fn`` (a picklable module-level function ``(payload, progress) -> dict``)
    replaces the solver in the workers; the default is ``service.worker.solve_payload``."""
    settings = settings or Settings()
    svc = Service(settings, solve_fn or solve_payload)
    auth = Auth(settings.auth != "off", lambda: svc.keys, settings.rate_limit_per_minute, settings.rate_limit_burst)

    @asynccontextmanager
    async def lifespan(app: FastAPI):
        await run_in_threadpool(svc.start)
        try:
            yield
        finally:
            await run_in_threadpool(svc.stop)

    assets = _swagger_assets()
    app = FastAPI(
        title="landquota",
        version=_version(),
        description=DESCRIPTION,
        lifespan=lifespan,
        docs_url=None if assets else "/docs",
        redoc_url=None,
        swagger_ui_parameters=SWAGGER_UI,
        openapi_tags=[
            {"name": "solve", "description": "Solve a scenario and manage the jobs that do."},
            {"name": "datasets", "description": "The bundled scenarios."},
            {"name": "approval", "description": "Who approves a project's land (Art. 46, 国发〔2020〕4号)."},
            {"name": "batches", "description": "What-if sweeps: many variants of one base, compared."},
            {"name": "keys", "description": "API keys (scope admin)."},
            {"name": "service", "description": "Liveness and readiness."},
        ],
    )
    app.state.service = svc
    app.state.auth = auth
    install(app, settings.db_retry_after_s)
    for r in (health.router, datasets.router, jobs.router, approval.router, batches.router, keys.router):
        app.include_router(r)
    if assets:
        _local_docs(app, assets)
    app.add_middleware(BodySizeLimit, max_bytes=settings.max_body_bytes)
    # a national result is 1.5 MB of JSON, about 130 kB gzipped, for clients that accept it
    app.add_middleware(GZipMiddleware, minimum_size=4096)

    default_openapi = app.openapi

    def openapi() -> dict:
        if app.openapi_schema is None:
            schema = default_openapi()
            _problems_for_422(schema)
            _settings_into_schema(schema, settings, auth.enabled)
            openapi_examples(schema)
            openapi_links(schema)
        return app.openapi_schema

    app.openapi = openapi
    return app


def _problems_for_422(schema: dict) -> None:
    """FastAPI documents its own 422 body (HTTPValidationError); ours is Problems, like every error."""
    for item in schema.get("paths", {}).values():
        for op in item.values():
            r = op.get("responses", {}).get("422")
            if r is None:
                continue
            content = r.setdefault("content", {}).setdefault("application/json", {})
            if content.get("schema", {}).get("$ref", "").endswith("/HTTPValidationError"):
                content["schema"] = {"$ref": "#/components/schemas/Problems"}
                r["description"] = INVALID[422]["description"]
    comps = schema.get("components", {}).get("schemas", {})
    for name in ("HTTPValidationError", "ValidationError"):
        comps.pop(name, None)


def _settings_into_schema(schema: dict, settings: Settings, auth_on: bool) -> None:
    """What the document says follows this server's settings: anonymous calls are allowed when auth is
    off (an empty security requirement beside the bearer key); the largest time limit is
    LANDQUOTA_MAX_TIME_LIMIT_S and its default no more than that; ``wait_s`` is bounded by
    LANDQUOTA_MAX_WAIT_S and defaults to LANDQUOTA_DEFAULT_WAIT_S."""
    for item in schema.get("paths", {}).values():
        for op in item.values():
            if not auth_on and op.get("security"):
                op["security"] = [{}, *op["security"]]
            for p in op.get("parameters", []):
                if p.get("name") == "wait_s" and p.get("in") == "query":
                    s = p["schema"] = {k: v for k, v in p["schema"].items() if k not in ("anyOf", "description")}
                    s["type"] = "number"
                    s.update(minimum=0, maximum=settings.max_wait_s,
                             default=min(settings.default_wait_s, settings.max_wait_s))
                    p["description"] = (f"How long to wait for the result before answering 202, seconds: 0 to "
                                        f"{settings.max_wait_s:g} (LANDQUOTA_MAX_WAIT_S); default "
                                        f"{min(settings.default_wait_s, settings.max_wait_s):g} "
                                        "(LANDQUOTA_DEFAULT_WAIT_S).")
    comps = schema.get("components", {}).get("schemas", {})
    top = settings.max_time_limit_s
    for name in ("SolveOptionsIn", "BatchSpec"):
        prop = comps.get(name, {}).get("properties", {}).get("time_limit_s")
        if prop is None:
            continue
        prop["maximum"] = min(prop.get("maximum", top), top)
        if prop.get("default", 0) > prop["maximum"]:
            prop["default"] = prop["maximum"]
        if "examples" in prop:
            prop["examples"] = [min(x, prop["maximum"]) for x in prop["examples"]]


def openapi_examples(schema: dict) -> None:
    """The examples made from real answers (``service.examples``), put in after FastAPI has written the
    document (it would drop their nulls): the 200 of POST /v1/solve, the 202 of both submissions."""
    paths = schema.get("paths", {})
    for path, code, example in (("/v1/solve", "200", solve_200()), ("/v1/solve", "202", JOB_QUEUED),
                                ("/v1/jobs", "202", JOB_QUEUED)):
        response = paths.get(path, {}).get("post", {}).get("responses", {}).get(code)
        if response is not None:
            response.setdefault("content", {}).setdefault("application/json", {})["example"] = example


_LOCATION = {"Location": {"description": "Where to poll: the job's (or batch's) own URL.",
                           "schema": {"type": "string"}}}
_JOB_LINKS = (("GetJob", "/v1/jobs/{job_id}", "get"), ("GetJobResult", "/v1/jobs/{job_id}/result", "get"),
              ("GetJobExplanation", "/v1/jobs/{job_id}/explain", "get"))
_BATCH_LINKS = (("GetBatch", "/v1/batches/{batch_id}", "get"),
                ("GetBatchResults", "/v1/batches/{batch_id}/results", "get"))


def openapi_links(schema: dict) -> None:
    """What a submission's answer leads to: OpenAPI links from the id it returns to the operations that
    read it (Swagger shows them; schemathesis's stateful phase follows them), and the headers that
    carry it (`Location`; `X-Job-Id` and `Content-Location` beside a result of POST /v1/solve)."""
    paths = schema.get("paths", {})

    def op_id(path: str, method: str) -> str | None:
        return paths.get(path, {}).get(method, {}).get("operationId")

    def link(targets, param: str, source: str) -> dict:
        return {name: {"operationId": op_id(path, method), "parameters": {param: source},
                       "description": f"{method.upper()} {path} with the `{param}` this answer gives."}
                for name, path, method in targets if op_id(path, method)}

    for path, code, targets, param, source, headers in (
        ("/v1/solve", "200", _JOB_LINKS, "job_id", "$response.header.X-Job-Id", {
            "X-Job-Id": {"description": "The job that solved it.", "schema": {"type": "string"}},
            "Content-Location": {"description": "Where the result stays until deleted.",
                                 "schema": {"type": "string"}}}),
        ("/v1/solve", "202", _JOB_LINKS, "job_id", "$response.body#/id", _LOCATION),
        ("/v1/jobs", "202", _JOB_LINKS, "job_id", "$response.body#/id", _LOCATION),
        ("/v1/batches", "202", _BATCH_LINKS, "batch_id", "$response.body#/id", _LOCATION),
    ):
        response = paths.get(path, {}).get("post", {}).get("responses", {}).get(code)
        if response is not None:
            response["links"] = link(targets, param, source)
            response["headers"] = {**response.get("headers", {}), **headers}


def _swagger_assets() -> str | None:
    """Swagger UI's files from the ``swagger-ui-bundle-v2`` package, so /docs works offline;
    None = FastAPI's default (a CDN)."""
    try:
        from swagger_ui_bundle import swagger_ui_path
    except ImportError:
        return None
    return swagger_ui_path if os.path.isfile(os.path.join(swagger_ui_path, "swagger-ui-bundle.js")) else None


def _local_docs(app: FastAPI, assets: str) -> None:
    app.mount("/docs-assets", StaticFiles(directory=assets), name="docs-assets")

    @app.get("/docs", include_in_schema=False)
    async def docs():
        return get_swagger_ui_html(
            openapi_url=app.openapi_url, title=f"{app.title} - Swagger UI",
            swagger_js_url="/docs-assets/swagger-ui-bundle.js", swagger_css_url="/docs-assets/swagger-ui.css",
            swagger_favicon_url="/docs-assets/favicon-32x32.png", swagger_ui_parameters=app.swagger_ui_parameters,
        )
