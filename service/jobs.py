"""The job store: every change of a job's life is one conditional UPDATE in the database.

A job moves ``queued → running → succeeded | failed``, or to ``cancelled`` from queued or running.
Each transition is guarded by the status it leaves (``UPDATE ... WHERE id = ? AND status = ?``), so
two actors racing (a worker finishing while a client cancels) cannot both win: whichever commits
first decides, the other sees zero rows changed and backs off. The database is the source of
truth; the dispatcher's memory only says which worker holds which job.
"""

from __future__ import annotations

import threading
import time
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import and_, case, delete, func, or_, select, update
from sqlalchemy.engine import Engine
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import sessionmaker

from landquota.service.db import FINISHED, JobRow, as_utc, finite, utcnow
from landquota.service.errors import db_reason


class QueueFull(Exception):
    """Too many jobs are waiting; the client should retry later."""

    def __init__(self, queued: int):
        self.queued = queued
        super().__init__(f"{queued} jobs are already waiting for a worker")


class TooManyActive(Exception):
    """The submitting key already has its limit of jobs queued or running."""

    def __init__(self, active: int):
        self.active = active
        super().__init__(f"{active} jobs of this key are already queued or running")


@dataclass(frozen=True)
class Lanes:
    """Small jobs do not wait behind large ones.

    A job whose scenario is at most ``small_columns`` estimated LP columns ((projects + city units)
    × years; china-2020 is 461, a 3,000-unit national scenario 120,000) is small. Queued small jobs
    are claimed before large ones, oldest first in each lane; a large job that has waited
    ``max_wait_s`` queues with the small ones, so a stream of small jobs cannot starve it. With two
    or more workers, large jobs never hold the last free worker (``SolverPool``), so a demo solve
    starts at once even while national scenarios take minutes."""

    small_columns: int = 20_000
    max_wait_s: float = 600.0

    def lane(self, now: datetime):
        """SQL: 1 for a job queued behind the small lane (large, and not yet waited out), else 0."""
        return case((and_(JobRow.size_columns > self.small_columns,
                          JobRow.created_at > now - timedelta(seconds=self.max_wait_s)), 1), else_=0)

    def lane_of(self, info: "JobInfo", now: datetime) -> int:
        """The same rule for one job in hand."""
        return int(self.is_large(info.size_columns) and as_utc(info.created_at) > now - timedelta(seconds=self.max_wait_s))

    def order(self, now: datetime):
        return self.lane(now), JobRow.seq

    def is_large(self, size_columns: int | None) -> bool:
        return size_columns is not None and size_columns > self.small_columns


def size_columns(projects: int, cities: int, years: int) -> int:
    """The estimate of a scenario's LP columns that decides its lane (see :class:`Lanes`)."""
    return (projects + cities) * years


ALL = object()
"""``owner=ALL``: jobs of every owner (the service's own view); an owner id or None (anonymous) filters."""


@dataclass(frozen=True)
class JobInfo:
    """A job's life, without its large columns (request, scenario, result)."""

    id: str
    seq: int
    owner: str | None
    status: str
    scenario_name: str
    dataset: str | None
    options: dict
    created_at: datetime
    started_at: datetime | None
    finished_at: datetime | None
    attempts: int
    error: str | None
    note: str | None
    result_status: str | None
    objective_cny_100m: float | None
    size_columns: int | None

    @classmethod
    def of(cls, r) -> "JobInfo":
        """From a JobRow or a row of the ``_LIGHT`` columns."""
        return cls(**{f: as_utc(getattr(r, f)) if f.endswith("_at") else getattr(r, f)
                      for f in cls.__dataclass_fields__})


_LIGHT = (
    JobRow.id, JobRow.seq, JobRow.owner, JobRow.status, JobRow.scenario_name, JobRow.dataset, JobRow.options,
    JobRow.created_at, JobRow.started_at, JobRow.finished_at, JobRow.attempts, JobRow.error, JobRow.note,
    JobRow.result_status, JobRow.objective_cny_100m, JobRow.size_columns,
)


class JobStore:
    def __init__(self, engine: Engine, max_queued: int, lanes: Lanes | None = None):
        self.engine = engine
        self.max_queued = max_queued
        self.lanes = lanes or Lanes()
        self._session = sessionmaker(engine, expire_on_commit=False)
        self._submit = threading.Lock()
        self._write_failed: tuple[str, float] | None = None  # (reason, monotonic time) of the last failed write

    @contextmanager
    def _write(self):
        """A write transaction; remembers whether the database took the last write (for /healthz)."""
        try:
            with self._session.begin() as s:
                yield s
        except OperationalError as e:
            self._write_failed = (db_reason(e), time.monotonic())
            raise
        self._write_failed = None

    def write_failure(self, within_s: float) -> str | None:
        """Why the last write failed, if it did within ``within_s`` seconds and none has succeeded since."""
        failed = self._write_failed
        if failed and time.monotonic() - failed[1] <= within_s:
            return failed[0]
        return None

    # ---- submit and read ----------------------------------------------------------------------
    def create(self, job_id: str, *, request: dict, scenario: dict, scenario_name: str,
               dataset: str | None, options: dict, owner: str | None = None,
               max_active: int | None = None, size_columns: int | None = None) -> JobInfo:
        """Write a queued job (committed before the caller acknowledges it); QueueFull if the
        queue is at its bound, TooManyActive if ``owner`` has ``max_active`` jobs queued or running."""
        with self._submit, self._write() as s:
            queued = s.scalar(select(func.count()).select_from(JobRow).where(JobRow.status == "queued"))
            if queued >= self.max_queued:
                raise QueueFull(queued)
            if max_active is not None:
                active = s.scalar(select(func.count()).select_from(JobRow).where(
                    _owned(owner), JobRow.status.in_(("queued", "running"))))
                if active >= max_active:
                    raise TooManyActive(active)
            row = JobRow(id=job_id, owner=owner, status="queued", scenario_name=scenario_name[:200],
                         dataset=dataset, options=options, created_at=utcnow(), attempts=0, size_columns=size_columns,
                         request=finite(request), scenario=finite(scenario))
            s.add(row)
            s.flush()
            return JobInfo.of(row)

    def get(self, job_id: str) -> JobInfo | None:
        with self._session() as s:
            row = s.execute(select(*_LIGHT).where(JobRow.id == job_id)).first()
            return JobInfo.of(row) if row else None

    def list(self, status: str | None = None, limit: int = 50, offset: int = 0, owner=ALL) -> list[JobInfo]:
        q = select(*_LIGHT).order_by(JobRow.seq.desc()).limit(limit).offset(offset)
        if status:
            q = q.where(JobRow.status == status)
        if owner is not ALL:
            q = q.where(_owned(owner))
        with self._session() as s:
            return [JobInfo.of(r) for r in s.execute(q)]

    def result(self, job_id: str) -> dict | None:
        with self._session() as s:
            return s.scalar(select(JobRow.result).where(JobRow.id == job_id))

    def request(self, job_id: str) -> dict | None:
        with self._session() as s:
            return s.scalar(select(JobRow.request).where(JobRow.id == job_id))

    def scenario(self, job_id: str) -> dict | None:
        """The scenario the job solves (resolved: dataset and overrides applied)."""
        with self._session() as s:
            return s.scalar(select(JobRow.scenario).where(JobRow.id == job_id))

    def queue_position(self, info: JobInfo) -> int:
        """1 for the next job to run (in lane order, see :class:`Lanes`)."""
        now = utcnow()
        lane, mine = self.lanes.lane(now), self.lanes.lane_of(info, now)
        with self._session() as s:
            ahead = s.scalar(
                select(func.count()).select_from(JobRow).where(
                    JobRow.status == "queued", or_(lane < mine, and_(lane == mine, JobRow.seq < info.seq)))
            )
            return ahead + 1

    def counts(self) -> dict[str, int]:
        with self._session() as s:
            rows = s.execute(select(JobRow.status, func.count()).group_by(JobRow.status))
            return {status: n for status, n in rows}

    def ping(self) -> None:
        with self._session() as s:
            s.execute(select(1))

    # ---- the dispatcher's transitions ------------------------------------------------------------
    def claim_next(self, large_ok: bool = True) -> tuple[str, dict, dict, bool] | None:
        """Take the next queued job in lane order (:class:`Lanes`; only small ones unless
        ``large_ok``): mark it running and return (id, scenario, options, whether it is large)."""
        while True:
            q = select(JobRow.id, JobRow.size_columns).where(JobRow.status == "queued")
            if not large_ok:
                q = q.where(or_(JobRow.size_columns.is_(None), JobRow.size_columns <= self.lanes.small_columns))
            with self._session() as s:  # a poll that finds nothing is a read: it must not say writes work again
                first = s.execute(q.order_by(*self.lanes.order(utcnow())).limit(1)).first()
            if first is None:
                return None
            job_id, size = first
            with self._write() as s:
                won = s.execute(
                    update(JobRow)
                    .where(JobRow.id == job_id, JobRow.status == "queued")
                    .values(status="running", started_at=utcnow(), finished_at=None,
                            attempts=JobRow.attempts + 1)
                ).rowcount
                if not won:
                    continue
                scenario, options = s.execute(
                    select(JobRow.scenario, JobRow.options).where(JobRow.id == job_id)
                ).one()
                return job_id, scenario, options, self.lanes.is_large(size)

    def succeed(self, job_id: str, result: dict) -> bool:
        result = finite(result)
        obj = result.get("objective_cny_100m")
        return self._move(job_id, "running", status="succeeded", finished_at=utcnow(), result=result,
                          result_status=str(result.get("status") or "error")[:16],
                          objective_cny_100m=obj if isinstance(obj, (int, float)) else None)

    def fail(self, job_id: str, error: str) -> bool:
        return self._move(job_id, "running", status="failed", finished_at=utcnow(), error=error[:10_000])

    def requeue(self, job_id: str, note: str, *, refund_attempt: bool = False) -> bool:
        """Put a running job back in the queue (its worker was stopped through no fault of its own,
        or died and it has attempts left)."""
        values: dict[str, Any] = dict(status="queued", started_at=None, note=note[:2000])
        if refund_attempt:
            values["attempts"] = JobRow.attempts - 1
        return self._move(job_id, "running", **values)

    def _move(self, job_id: str, from_status: str, **values) -> bool:
        with self._write() as s:
            return bool(
                s.execute(
                    update(JobRow).where(JobRow.id == job_id, JobRow.status == from_status).values(**values)
                ).rowcount
            )

    # ---- the client's transitions ---------------------------------------------------------------
    def cancel(self, job_id: str) -> str | None:
        """Cancel a queued or running job. Returns the status it was cancelled from, ``"finished"``
        if it had already finished, or None if there is no such job."""
        for from_status in ("queued", "running"):
            if self._move(job_id, from_status, status="cancelled", finished_at=utcnow(),
                          note="cancelled by the client"):
                return from_status
        info = self.get(job_id)
        if info is None:
            return None
        if info.status in FINISHED:
            return "finished"
        return self.cancel(job_id)  # it moved between our two attempts (queued → running): again

    def delete(self, job_id: str) -> bool:
        """Delete a finished job and its result."""
        with self._write() as s:
            return bool(
                s.execute(delete(JobRow).where(JobRow.id == job_id, JobRow.status.in_(FINISHED))).rowcount
            )

    # ---- start-up ------------------------------------------------------------------------------
    def recover(self, max_attempts: int) -> tuple[list[str], list[str]]:
        """Jobs left ``running`` by a service that stopped abruptly: re-queue those with attempts
        left, fail the others with the reason. Returns (requeued ids, failed ids)."""
        with self._write() as s:
            rows = s.execute(select(JobRow.id, JobRow.attempts).where(JobRow.status == "running")).all()
        requeued, failed = [], []
        for job_id, attempts in rows:
            if attempts < max_attempts:
                if self.requeue(job_id, f"the service stopped while attempt {attempts} ran; re-queued"):
                    requeued.append(job_id)
            elif self.fail(job_id, f"the service stopped while the job ran, {attempts} time(s) "
                                   f"(limit {max_attempts}); not retried"):
                failed.append(job_id)
        return requeued, failed


def _owned(owner: str | None):
    return JobRow.owner.is_(None) if owner is None else JobRow.owner == owner
