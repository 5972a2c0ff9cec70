"""Request and response bodies of the HTTP API: these models *are* the Swagger documentation.

Every field says its unit, its bounds and has an example; the first example of
``POST /v1/solve`` is the one Swagger UI pre-fills, and it solves the demo dataset as it stands.
The scenario schema itself is ``models.scenario.Scenario`` and the result ``solvers.result.Result``.
"""

from __future__ import annotations

import math
from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator
from pydantic_core import PydanticCustomError

from landquota.models.approval import Route, route
from landquota.models.regions import PROVINCES
from landquota.models.regions import province_code as _province_code
from landquota.models.scenario import Parcel, Problem, Scenario
from landquota.solvers.result import Diagnosis, Explanation, Status

JobStatus = Literal["queued", "running", "succeeded", "failed", "cancelled"]
_STRICT = ConfigDict(extra="forbid")


class SolveOptionsIn(BaseModel):
    """How to solve: the solver's limits and the kind of selection."""

    model_config = _STRICT
    time_limit_s: float = Field(
        60.0,
        gt=0,
        le=86_400,
        allow_inf_nan=False,
        description="Wall-clock limit for HiGHS, seconds, above 0 and at most this service's "
        "LANDQUOTA_MAX_TIME_LIMIT_S (the `maximum` here). When it is reached the best allocation found so far "
        "is returned with status `time_limit`. Default 60 (or that maximum, if lower).",
        examples=[60.0],
    )
    whole_projects: bool = Field(
        False,
        description="Select projects whole (a 0/1 choice per project, solved as a MIP) instead of as shares "
        "in [0, 1] (phasing, an LP). No shadow prices for a MIP. Default false.",
        examples=[False],
    )
    mip_rel_gap: float = Field(
        1e-4,
        ge=0,
        le=1,
        allow_inf_nan=False,
        description="Relative optimality gap at which a whole-project (MIP) solve stops, share "
        "(0 ≤ gap ≤ 1; 1e-4 = 0.01%). Ignored for the LP. Default 1e-4.",
        examples=[1e-4],
    )
    duals: bool = Field(
        True,
        description="Report binding rules with their shadow prices (LP only). Default true.",
        examples=[True],
    )


class SolveRequest(BaseModel):
    """What to solve: a bundled dataset with optional overrides, or a whole scenario."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "description": "Give `dataset` (with optional `overrides`) or `scenario` (fetch one with "
            "GET /v1/datasets/{id}, edit it, send it here), not both."
        },
    )
    dataset: str | None = Field(
        None,
        min_length=1,
        max_length=100,
        description="Id of a bundled dataset (see GET /v1/datasets), e.g. `demo` or `china-2020`.",
        examples=["demo"],
    )
    overrides: dict[str, Any] = Field(
        default_factory=dict,
        max_length=10_000,
        description="What-if changes, `path: value`, applied to the dataset (or to `scenario`) before "
        "solving: `policy.per_capita_cap_m2`, `provinces[510000].new_land_pool_ha_per_year`, "
        "`cities[510100].settlers_per_year`, `projects[SC-01].committed`, `provinces[*].approval_entrusted`, "
        "`years`. Units are those of the field named. A path that does not exist is an error (rule "
        "`bad_override` at `body.overrides.<path>`); a rule the changed scenario breaks is reported at "
        "`body.overrides.<field path in the scenario>`. At most 10,000 entries.",
        examples=[{"policy.per_capita_cap_m2": 105, "provinces[510000].new_land_pool_ha_per_year": 350}],
    )
    scenario: Scenario | None = Field(
        None, description="A whole scenario (the schema of GET /v1/datasets/{id}), instead of `dataset`."
    )
    options: SolveOptionsIn = Field(default_factory=SolveOptionsIn, description="Solver options.")

    @model_validator(mode="after")
    def _one_source(self) -> "SolveRequest":
        if (self.dataset is None) == (self.scenario is None):
            raise PydanticCustomError(
                "dataset_or_scenario", "give exactly one of `dataset` and `scenario`"
            )
        return self


SOLVE_EXAMPLES = {
    "demo": {
        "summary": "Solve the demo dataset (one click)",
        "description": "Three provinces, eight cities, twelve projects; answers in well under a second.",
        "value": {"dataset": "demo", "options": {"time_limit_s": 60, "whole_projects": False}},
    },
    "what-if": {
        "summary": "The demo dataset with two overrides",
        "value": {
            "dataset": "demo",
            "overrides": {"policy.per_capita_cap_m2": 105, "provinces[510000].new_land_pool_ha_per_year": 350},
            "options": {"time_limit_s": 60},
        },
    },
    "national-allocation": {
        "summary": "The national quota allocated by the LP (issue 13)",
        "description": "The demo with `policy.quota_allocation: national`: each province's allocation = the land "
        "linked to the migrants its cities settle (× `policy.linkage_strength`) + a value share within its "
        "stability band; see the result's `national`, `province_years` and `city_years`.",
        "value": {
            "dataset": "demo",
            "overrides": {"policy.quota_allocation": "national", "policy.national_new_land_total_ha": 610,
                          "policy.allocation_band_floor_share": 0, "policy.allocation_band_ceiling_share": 10,
                          "policy.linkage_strength": 1.2},
            "options": {"time_limit_s": 60},
        },
    },
    "whole-projects": {
        "summary": "The demo dataset, projects selected whole (MIP)",
        "value": {"dataset": "demo", "options": {"time_limit_s": 60, "whole_projects": True}},
    },
}


class SolveOptionsOut(SolveOptionsIn):
    """The options a job runs with."""

    model_config = ConfigDict(extra="ignore")


class Timings(BaseModel):
    created_at: datetime = Field(description="When the job was accepted (UTC).")
    started_at: datetime | None = Field(description="When its current or last attempt started (UTC).")
    finished_at: datetime | None = Field(description="When it finished (UTC).")
    queued_s: float | None = Field(description="Time spent waiting for a worker, seconds.", examples=[0.01])
    run_s: float | None = Field(description="Time spent running (so far, while running), seconds.", examples=[0.4])


class SolverProgress(BaseModel):
    """What the solver is doing in a running job (solvers.progress; refreshed about every second)."""

    step: str = Field(description="build, handoff, solve, extract or explain.", examples=["solve"])
    elapsed_s: float | None = Field(None, description="Since the model build started, seconds.")
    iterations: int | None = Field(None, description="HiGHS simplex iterations so far.")
    ipm_iterations: int | None = Field(None, description="HiGHS interior-point iterations so far.")
    objective: float | None = Field(None, description="Objective of the current simplex basis, 亿元 (not final).")
    primal_infeasibilities: int | None = Field(None, description="Primal infeasibilities of the current basis.")
    primal_infeasibility_sum: float | None = None
    dual_infeasibilities: int | None = Field(None, description="Dual infeasibilities of the current basis.")
    dual_infeasibility_sum: float | None = None
    mip_gap: float | None = Field(None, description="Relative MIP gap, a share (whole-project solves).")
    mip_nodes: int | None = Field(None, description="Branch-and-bound nodes so far.")


class Progress(BaseModel):
    phase: Literal["queued", "starting", "validating", "building", "solving", "finished"] = Field(
        description="Where the job is: queued; starting, validating, building (the LP/MIP model), solving "
        "(HiGHS, then reading the answer); finished."
    )
    queue_position: int | None = Field(
        None, ge=1, description="Place in the queue while queued (1 = next).", examples=[1]
    )
    lane: Literal["small", "large"] | None = Field(
        None, description="Small jobs start before large ones, and large ones never hold the last free worker "
        "(LANDQUOTA_SMALL_JOB_COLUMNS); null for a job from an earlier version.", examples=["small"],
    )
    solver: SolverProgress | None = Field(
        None, description="While running: the solver's step and HiGHS's own figures; null otherwise.")


class JobLinks(BaseModel):
    self: str = Field(examples=["/v1/jobs/4f7c0d2e9b8a4c1e8a6f3b2d1c0e9f8a"])
    result: str = Field(examples=["/v1/jobs/4f7c0d2e9b8a4c1e8a6f3b2d1c0e9f8a/result"])
    report: str | None = Field(None, description="The HTML report (map, charts, reasons) once finished.",
                               examples=["/v1/jobs/4f7c0d2e9b8a4c1e8a6f3b2d1c0e9f8a/report"])
    scenario: str | None = Field(None, description="The scenario it solves, as canonical JSON.",
                                 examples=["/v1/jobs/4f7c0d2e9b8a4c1e8a6f3b2d1c0e9f8a/scenario"])


class JobView(BaseModel):
    """A job: its status, progress and timings. The result is at `links.result` once succeeded."""

    id: str = Field(description="Job id.", examples=["4f7c0d2e9b8a4c1e8a6f3b2d1c0e9f8a"])
    status: JobStatus = Field(
        description="queued (waiting for a worker), running, succeeded (a result exists, whatever its own "
        "`status`: optimal, infeasible, time_limit, ...), failed (no result: see `error`), cancelled."
    )
    scenario: str = Field(description="Scenario name.", examples=["demo"])
    dataset: str | None = Field(description="Bundled dataset it started from, if any.", examples=["demo"])
    options: SolveOptionsOut = Field(description="Solver options it runs with.")
    progress: Progress
    timings: Timings
    attempts: int = Field(ge=0, description="Times a worker started it (a re-run after a restart counts).")
    error: str | None = Field(None, description="Why it failed.")
    note: str | None = Field(None, description="The last event worth knowing (re-queued after a restart, ...).")
    result_status: str | None = Field(
        None, description="The solver's status once succeeded: optimal, infeasible, unbounded, time_limit, "
        "not_solved, error.", examples=["optimal"],
    )
    objective_cny_100m: float | None = Field(None, description="Objective value, 亿元.", examples=[59.87])
    links: JobLinks


class JobList(BaseModel):
    jobs: list[JobView]


class Problems(BaseModel):
    """Every error has this shape; `problems` lists each thing wrong with the input."""

    detail: str = Field(description="What went wrong, in a sentence.", examples=["2 problems in the request"])
    problems: list[Problem] = Field(
        default_factory=list,
        description="One entry per problem: `loc` is the path of the field (starting with body, query or "
        "path), `rule` the rule broken, `message` what to do.",
        examples=[[{"loc": ["body", "options", "time_limit_s"], "rule": "greater_than",
                    "message": "Input should be greater than 0"}]],
    )


class DatasetSummary(BaseModel):
    id: str = Field(examples=["demo"])
    name: str = Field(examples=["demo"])
    description: str
    years: int = Field(description="Planning horizon, years.", examples=[1])
    provinces: int = Field(description="Number of provinces.", examples=[3])
    cities: int = Field(description="Number of city units.", examples=[8])
    projects: int = Field(description="Number of projects.", examples=[12])
    href: str = Field(description="Where to fetch the whole scenario.", examples=["/v1/datasets/demo"])


class DatasetList(BaseModel):
    datasets: list[DatasetSummary]


class ApprovalRequest(BaseModel):
    """One whole project's land, to route to the authorities that approve its conversion (Art. 44)
    and its expropriation (Art. 46)."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={"examples": [{"province_code": "510000", "parcels": [
            {"land_type": "arable", "area_ha": 20.0, "ownership": "collective"},
            {"land_type": "arable", "area_ha": 20.0, "ownership": "collective"},
            {"land_type": "other", "area_ha": 15.0, "ownership": "state"}]}]},
    )
    province_code: str = Field(
        pattern=r"^\d{6}$", description="GB/T 2260 code of the province the project is in (a name such as 四川, 四川省 or the traditional 雲南 is accepted and turned into the code).", examples=["510000"]
    )
    parcels: list[Parcel] = Field(
        min_length=1,
        max_length=10_000,
        description="The project's parcels (land type, area in ha > 0, ownership collective (default) or "
        "state); parcels of one type are added up, since one application crosses a threshold as a whole. "
        "Only collective land is expropriated; construction and unused land need no conversion.",
    )
    entrusted: bool | None = Field(
        None,
        description="Whether the province holds entrusted State-Council-level approval (国发〔2020〕4号). "
        "null = as in the policy defaults (北京 天津 上海 江苏 浙江 安徽 广东 重庆).",
        examples=[None],
    )

    @field_validator("province_code", mode="before")
    @classmethod
    def _known(cls, v: str) -> str:
        if not isinstance(v, str):
            return v  # the field's own type check reports it
        v = _province_code(v) or v  # names and traditional aliases too: 四川, 四川省, 雲南, Sichuan
        if v not in PROVINCES:
            raise PydanticCustomError("unknown_province", "{code} is not a GB/T 2260 province code", {"code": v})
        return v

    @field_validator("parcels")
    @classmethod
    def _finite_total(cls, v: list[Parcel]) -> list[Parcel]:
        if math.isinf(sum(p.area_ha for p in v)):  # as service.requests does for a scenario's projects
            raise PydanticCustomError("sum_overflow", "the parcels' areas add up beyond the largest number "
                                      "(about 1.8e308 ha); give areas in ha")
        return v


class ApprovalResponse(Route):
    """The gating authority (the higher of the two approvals) and each approval with its reason and legal basis."""

    model_config = ConfigDict(json_schema_extra={"examples": [{
        **route(ApprovalRequest.model_json_schema()["examples"][0]["parcels"], False).model_dump(),
        "province_code": "510000", "entrusted": False}]})  # the request example's real answer
    province_code: str = Field(examples=["510000"])
    entrusted: bool = Field(description="Whether the entrustment applied to this province.")


class Health(BaseModel):
    status: Literal["ok", "starting", "degraded"] = Field(
        description="ok (200): ready to solve; starting (503, with Retry-After): the solver workers are not all "
        "ready yet (submissions are accepted and queued meanwhile); degraded (503): the database does not "
        "answer or cannot be written, or the dispatcher has stopped."
    )
    version: str = Field(description="landquota version.", examples=["0.1.0"])
    solver: str = Field(description="Solver and version.", examples=["HiGHS 1.16.0"])
    database: str = Field(description="Database backend and whether it answers and takes writes.",
                          examples=["sqlite: ok"])
    auth: Literal["on", "off"] = Field(description="on: /v1 needs an API key; off: anonymous requests are served too.")
    workers: dict[str, int] = Field(
        description="Solver worker processes: configured, alive, ready (started and idle or busy), busy; "
        "dispatcher = 1 while the thread that feeds them runs."
    )
    jobs: dict[str, int] = Field(description="Jobs by status.")
    datasets: list[str] = Field(description="Bundled datasets loaded and validated at start-up.")


class ExplainView(BaseModel):
    """Why a finished job's answer is what it is."""

    scenario: str = Field(description="Scenario name.", examples=["demo"])
    status: Status = Field(description="The solver's status.")
    explain: Explanation | None = Field(description="Binding rules, ranges, unmet targets, summary; null if none.")
    diagnosis: Diagnosis | None = Field(description="For an infeasible scenario: the rules in conflict.")


Scope = Literal["read", "solve", "admin"]


class KeyCreate(BaseModel):
    """A new API key."""

    model_config = ConfigDict(extra="forbid")
    name: str = Field("", max_length=200, pattern=r"^[^\x00-\x1f\x7f-\x9f]*$",
                      description="Who or what the key is for (no control characters).", examples=["planning-sichuan"])
    scopes: list[Scope] = Field(
        default_factory=lambda: ["read", "solve"], min_length=1, max_length=3,
        description="read: datasets, approval routing, own jobs and batches; solve: submit and cancel (includes "
        "read); admin: manage keys (includes solve). Default read and solve.",
        examples=[["read", "solve"]],
    )


class KeyView(BaseModel):
    """An API key as listed: never the key itself."""

    id: str = Field(description="Public id: revoke with it.", examples=["k3f9a1c0d2b7e"])
    name: str = Field(examples=["planning-sichuan"])
    scopes: list[Scope] = Field(description="Scopes held (with those they include).")
    created_at: datetime
    last_used_at: datetime | None = Field(None, description="Last request with it (to the minute).")
    revoked_at: datetime | None = Field(None, description="When it was revoked; null while active.")


class KeyCreated(KeyView):
    key: str = Field(description="The key. Shown this once: only its hash is stored.",
                     examples=["lq_2b9cY0q1vJm4Wx7TtZr8kP3nA6sDfGhJkL9QwErTyUi"])


class KeyList(BaseModel):
    keys: list[KeyView]
