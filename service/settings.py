"""Service configuration: environment variables with the prefix ``LANDQUOTA_``, documented defaults.

Every setting below can be set as ``LANDQUOTA_<NAME>`` (case-insensitive), e.g.::

    LANDQUOTA_DATABASE_URL=postgresql+psycopg://user:pw@localhost/landquota
    LANDQUOTA_WORKERS=4
    LANDQUOTA_MAX_QUEUED_JOBS=100

The defaults give a zero-set-up service: jobs in a SQLite file under ``./var``, one solver worker
process per CPU core, anonymous access on the loopback address only (``LANDQUOTA_AUTH``).
README.md ("Operations") has the table of every setting with its default.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Literal

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

from landquota.service.jobs import Lanes


class Settings(BaseSettings):
    """Service settings; the field descriptions are the documentation of each variable."""

    model_config = SettingsConfigDict(env_prefix="LANDQUOTA_", extra="ignore")

    data_dir: Path = Field(
        Path("var"),
        description="Directory for the default SQLite database (created if missing). Default ./var.",
    )
    database_url: str | None = Field(
        None,
        description="SQLAlchemy URL of the job database. Default: sqlite:///<data_dir>/landquota.db. "
        "PostgreSQL: postgresql+psycopg://user:password@host/dbname.",
    )
    workers: int | None = Field(
        None,
        ge=0,
        le=256,
        description="Solver worker processes. Default: the number of CPU cores. 0 = accept and store "
        "jobs but run none (they run when the service is restarted with workers).",
    )
    solver_threads: int | None = Field(
        1, ge=1, le=256, description="HiGHS threads per worker (default 1: the workers are the parallelism)."
    )
    max_queued_jobs: int = Field(
        64, ge=1, description="Jobs that may wait for a worker; beyond this a submission gets 429."
    )
    retry_after_s: int = Field(10, ge=1, description="Retry-After sent with 429, seconds.")
    max_body_bytes: int = Field(
        20 * 1024 * 1024, ge=1024, description="Largest request body, bytes (default 20 MiB); larger gets 413."
    )
    default_wait_s: float = Field(
        10.0, ge=0, description="How long POST /v1/solve waits for the result before answering 202, seconds."
    )
    max_wait_s: float = Field(120.0, ge=0, description="Largest wait_s a client may ask of POST /v1/solve, seconds.")
    max_time_limit_s: float = Field(3600.0, gt=0, description="Largest solver time limit a client may ask, seconds.")
    solve_grace_s: float = Field(
        300.0,
        ge=0,
        description="A job still running this long after its time limit (model building is not covered by "
        "the solver's limit) is stopped: its worker is terminated and the job fails, seconds.",
    )
    max_attempts: int = Field(
        2,
        ge=1,
        description="Times a job is started before it is failed when its worker dies or the service stops "
        "abruptly while it runs.",
    )
    shutdown_grace_s: float = Field(
        10.0,
        ge=0,
        description="On shutdown, how long running solves may finish before their workers are stopped and "
        "the jobs re-queued for the next start, seconds.",
    )
    preload_datasets: list[str] | None = Field(
        None, description="Bundled datasets validated at start-up. Default: all that are present."
    )
    poll_s: float = Field(1.0, gt=0, le=60, description="How often the dispatcher looks for queued jobs, seconds.")
    small_job_columns: int = Field(
        Lanes.small_columns, ge=0,
        description="A job of at most this many estimated LP columns ((projects + city units) × years) is small: "
        "small jobs are started before large ones, and with two or more workers large ones never hold the last "
        "free worker. china-2020 is 461; a 3,000-unit national scenario 120,000.",
    )
    large_job_max_wait_s: float = Field(
        Lanes.max_wait_s, ge=0, description="A large job queued this long is started in turn with the small ones, seconds.")
    batch_backend: str = Field(
        "local", pattern="^(local|ray)$",
        description="Where batch variants run: local (a process pool) or ray (Ray actors; a cluster at "
        "LANDQUOTA_RAY_ADDRESS, else a local Ray instance).",
    )
    batch_workers: int = Field(1, ge=1, le=256, description="Processes (or Ray actors) a running batch uses.")
    max_batch_variants: int = Field(1000, ge=1, description="Most variants one batch may have (422 beyond).")

    # ---- serving and access ----------------------------------------------------------------------
    host: str = Field("127.0.0.1", description="Address `landquota serve` binds (--host overrides). Default 127.0.0.1.")
    port: int = Field(
        8000, ge=1, le=65535, description="Port `landquota serve` listens on (--port overrides). Default 8000."
    )
    auth: Literal["on", "off"] | None = Field(
        None,
        description="on: every /v1 request needs an API key (`Authorization: Bearer ...`); off: requests "
        "without a key are served anonymously (local use; a key that is sent is still checked and used). "
        "Default: off when `landquota serve` binds a loopback address, on for any other address (and on "
        "for an app built by service.app.create_app without this setting).",
    )
    rate_limit_per_minute: int = Field(
        600, ge=0,
        description="Requests per minute one API key (or all anonymous clients together) may make to /v1; "
        "beyond it 429 with Retry-After. 0 = no limit. Default 600 (a sustained 10 per second).",
    )
    rate_limit_burst: int = Field(
        120, ge=1, description="Requests one key may make at once above its per-minute rate (token bucket size). "
        "Default 120.",
    )
    max_active_jobs_per_key: int = Field(
        16, ge=1,
        description="Jobs one API key (or anonymous access) may have queued or running at once, and likewise "
        "batches; beyond it 429 with Retry-After. Default 16.",
    )
    db_retry_after_s: int = Field(
        30, ge=1, description="Retry-After sent with a 503 when the database cannot be written (read-only, disk "
        "full, unreachable), seconds. Default 30.",
    )

    # ---- size of a scenario ------------------------------------------------------------------------
    max_cities: int = Field(5000, ge=1, description="Most city units one scenario may have (422 beyond). Default 5000.")
    max_projects: int = Field(
        20_000, ge=1, description="Most projects one scenario may have (422 beyond). Default 20000."
    )
    max_parcels: int = Field(
        100_000, ge=1, description="Most parcels one scenario may have, all projects together (422 beyond). "
        "Default 100000.",
    )
    max_years: int = Field(
        10, ge=1, le=10, description="Longest planning horizon a scenario may have, years (422 beyond; the "
        "scenario schema's own bound is 10). Default 10.",
    )

    @property
    def worker_count(self) -> int:
        return self.workers if self.workers is not None else (os.cpu_count() or 1)

    @property
    def db_url(self) -> str:
        if self.database_url:
            return self.database_url
        return f"sqlite:///{(self.data_dir / 'landquota.db').resolve()}"
