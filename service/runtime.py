"""The running service: settings, job store, solver pool, bundled datasets, waiting clients.

``Service.start`` opens the database, recovers jobs an abrupt stop left running, validates the
bundled datasets and starts the solver pool; ``Service.stop`` lets running solves finish for a
grace period and re-queues the rest. The routes (``service.app``) only call methods of this class.
Every job belongs to the API key that submitted it (``owner``; None = anonymous): ``job`` answers
404 for anyone else's.
"""

from __future__ import annotations

import asyncio
import logging
import threading
from typing import Any

from landquota.models.scenario import Scenario, ScenarioInvalid
from landquota.service.auth import KeyStore
from landquota.service.batches.runner import BatchRunner
from landquota.service.batches.store import BatchStore
from landquota.service.db import make_engine, new_id
from landquota.service.errors import ApiError, invalid
from landquota.service.jobs import ALL, JobInfo, JobStore, Lanes, QueueFull, TooManyActive, size_columns
from landquota.service.pool import SolverPool
from landquota.service.requests import Limits, resolve_request
from landquota.service.schemas import DatasetSummary, SolveOptionsIn, SolveOptionsOut, SolveRequest
from landquota.service.settings import Settings
from landquota.service.worker import SolveFn
from landquota.solvers.highs import SolveOptions, highs_version

log = logging.getLogger("landquota.service")


class Datasets:
    """The bundled datasets present in this installation, validated at start-up."""

    def __init__(self, preload: list[str] | None):
        from landquota.datasets import list_datasets

        self.names = list_datasets()
        self.preload = self.names if preload is None else [n for n in preload if n in self.names]
        self._ok: dict[str, DatasetSummary] = {}
        self._bad: dict[str, str] = {}
        self._lock = threading.Lock()

    def load_all(self) -> None:
        for name in self.preload:
            self._load(name)

    def _load(self, name: str) -> Scenario | None:
        from landquota.datasets import load_dataset

        with self._lock:
            try:
                s = load_dataset(name)
            except Exception as e:  # a broken bundled file must not stop the service
                self._bad[name] = f"{type(e).__name__}: {e}"[:2000]
                log.error("dataset %s is not usable: %s", name, self._bad[name])
                return None
            if name not in self._ok:
                self._ok[name] = DatasetSummary(
                    id=name, name=s.name, description=s.description, years=s.years,
                    provinces=len(s.provinces), cities=len(s.cities), projects=len(s.projects),
                    href=f"/v1/datasets/{name}",
                )
                log.info("dataset %s: %d provinces, %d cities, %d projects: valid", name,
                         len(s.provinces), len(s.cities), len(s.projects))
            return s

    def loaded(self) -> list[str]:
        return list(self._ok)

    def summaries(self) -> list[DatasetSummary]:
        for name in self.names:
            if name not in self._ok and name not in self._bad:
                self._load(name)
        return [self._ok[n] for n in self.names if n in self._ok]

    def scenario(self, name: str) -> Scenario:
        """The validated scenario; ApiError 404 if there is no such (usable) dataset."""
        s = self._load(name) if name in self.names else None
        if s is None:
            if name in self._bad:
                raise ApiError(404, f"dataset {name!r} is bundled but failed validation at start-up: "
                                    f"{self._bad[name]}")
            raise ApiError(404, f"unknown dataset {name!r}; available: {', '.join(self.loaded()) or 'none'}")
        return s

    def raw(self, name: str) -> dict:
        from landquota.datasets import dataset_dict

        self.scenario(name)
        return dataset_dict(name)


class Waiters:
    """Clients of POST /v1/solve waiting for their job; woken from the dispatcher thread."""

    def __init__(self):
        self._lock = threading.Lock()
        self._w: dict[str, list[tuple[asyncio.AbstractEventLoop, asyncio.Event]]] = {}

    def register(self, job_id: str) -> asyncio.Event:
        ev = asyncio.Event()
        with self._lock:
            self._w.setdefault(job_id, []).append((asyncio.get_running_loop(), ev))
        return ev

    def unregister(self, job_id: str, ev: asyncio.Event) -> None:
        with self._lock:
            left = [x for x in self._w.get(job_id, []) if x[1] is not ev]
            if left:
                self._w[job_id] = left
            else:
                self._w.pop(job_id, None)

    def notify(self, job_id: str) -> None:
        with self._lock:
            targets = list(self._w.get(job_id, []))
        for loop, ev in targets:
            try:
                loop.call_soon_threadsafe(ev.set)
            except RuntimeError:  # its loop has closed
                pass


class Service:
    def __init__(self, settings: Settings, solve_fn: SolveFn):
        self.settings = settings
        self.solve_fn = solve_fn
        self.waiters = Waiters()
        self.store: JobStore | None = None
        self.pool: SolverPool | None = None
        self.datasets: Datasets | None = None
        self.batches: BatchRunner | None = None
        self.keys: KeyStore | None = None
        self.solver_version = f"HiGHS {highs_version()}"

    # ---- life ------------------------------------------------------------------------------------
    def start(self) -> None:
        st = self.settings
        engine = make_engine(st.db_url)
        self.backend = engine.url.get_backend_name()
        self.store = JobStore(engine, st.max_queued_jobs, Lanes(st.small_job_columns, st.large_job_max_wait_s))
        self.keys = KeyStore(engine)
        requeued, failed = self.store.recover(st.max_attempts)
        if requeued or failed:
            log.warning("recovered jobs left running: %d re-queued, %d failed", len(requeued), len(failed))
        self.datasets = Datasets(st.preload_datasets)
        self.datasets.load_all()
        self.pool = SolverPool(
            self.store, st.worker_count, solve_fn=self.solve_fn, threads=st.solver_threads,
            grace_s=st.solve_grace_s, max_attempts=st.max_attempts, poll_s=st.poll_s,
            on_finish=self.waiters.notify,
        )
        self.pool.start()
        self.batches = BatchRunner(BatchStore(engine), st.batch_backend, st.batch_workers)
        self.batches.start()
        log.info("landquota service: %s database, %d solver worker(s), datasets %s", self.backend,
                 st.worker_count, ", ".join(self.datasets.loaded()) or "none")

    def stop(self) -> None:
        if self.batches is not None:
            self.batches.stop(self.settings.shutdown_grace_s)
        if self.pool is not None:
            self.pool.stop(self.settings.shutdown_grace_s)
        if self.store is not None:
            self.store.engine.dispose()

    # ---- jobs ------------------------------------------------------------------------------------
    new_id = staticmethod(new_id)

    def resolve(self, req: SolveRequest) -> tuple[Scenario, SolveOptions]:
        """The validated scenario and options a request asks for (``service.requests.resolve_request``
        with the service's limits); ApiError 422 (every problem at its ``body`` path) or 404 otherwise."""
        source = req.scenario if req.scenario is not None else req.dataset
        chosen = req.options.model_dump(include=req.options.model_fields_set)
        defaults = req.options.model_dump(exclude=req.options.model_fields_set | {"time_limit_s"})
        limits = Limits.of(self.settings, default_time_limit_s=SolveOptionsIn.model_fields["time_limit_s"].default)
        try:
            return resolve_request(source, req.overrides, {**defaults, **chosen}, limits,
                                   dataset=self.datasets.scenario)
        except ScenarioInvalid as e:
            raise invalid(e.problems, ["body"]) from None

    def submit(self, req: SolveRequest, job_id: str, owner: str | None = None) -> JobInfo:
        """Validate, then write the job (committed) and wake the dispatcher."""
        s, opts = self.resolve(req)
        try:
            info = self.store.create(
                job_id,
                request=req.model_dump(mode="json", exclude_none=True),
                scenario=s.model_dump(mode="json"),
                scenario_name=s.name,
                dataset=req.dataset,
                options={f: getattr(opts, f) for f in SolveOptionsOut.model_fields},
                owner=owner,
                max_active=self.settings.max_active_jobs_per_key,
                size_columns=size_columns(len(s.projects), len(s.cities), s.years),
            )
        except QueueFull as e:
            raise ApiError(429, f"the queue is full ({e.queued} jobs waiting); retry later",
                           headers={"Retry-After": str(self.settings.retry_after_s)}) from None
        except TooManyActive as e:
            raise ApiError(429, f"this key already has {e.active} jobs queued or running, its limit "
                                f"(LANDQUOTA_MAX_ACTIVE_JOBS_PER_KEY); retry when one has finished",
                           headers={"Retry-After": str(self.settings.retry_after_s)}) from None
        self.pool.wake()
        return info

    def job(self, job_id: str, owner: Any = ALL) -> JobInfo:
        """A job; 404 if there is none, or (``owner`` given: a key id or None for anonymous) it is
        someone else's: the same answer, so ids of other keys' jobs cannot be probed."""
        info = self.store.get(job_id)
        if info is None or (owner is not ALL and info.owner != owner):
            raise ApiError(404, f"no job {job_id!r} (never submitted, or deleted)")
        return info
