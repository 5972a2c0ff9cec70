"""Service configuration: environment variables with the prefix ``LANDQUOTA_``, documented defaults.

Every setting below can be set as ``LANDQUOTA_<NAME>`` (case-insensitive), e.g.::

    LANDQUOTA_DATABASE_URL=postgresql+psycopg://user:pw@localhost/landquota
    LANDQUOTA_WORKERS=4
    LANDQUOTA_MAX_QUEUED_JOBS=100

The defaults give a zero-set-up service: jobs in a SQLite file under ``./var``, one solver worker
process per CPU core.
"""

from __future__ import annotations

import os
from pathlib import Path

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict


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
    batch_backend: str = Field(
        "local", pattern="^(local|ray)$",
        description="Where batch variants run: local (a process pool) or ray (Ray actors; a cluster at "
        "LANDQUOTA_RAY_ADDRESS, else a local Ray instance).",
    )
    batch_workers: int = Field(1, ge=1, le=256, description="Processes (or Ray actors) a running batch uses.")
    max_batch_variants: int = Field(1000, ge=1, description="Most variants one batch may have (422 beyond).")

    @property
    def worker_count(self) -> int:
        return self.workers if self.workers is not None else (os.cpu_count() or 1)

    @property
    def db_url(self) -> str:
        if self.database_url:
            return self.database_url
        return f"sqlite:///{(self.data_dir / 'landquota.db').resolve()}"
