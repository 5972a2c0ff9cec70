"""Run a batch of what-if variants: build the base once per worker, warm re-solve each variant.

Each worker holds one persistent :class:`solvers.highs.ScenarioSolver` of the base scenario. A
variant that only changes numbers is pushed into the model's mutable Params and re-solved from
HiGHS's current basis; a variant that changes the model's shape (adds projects, cities, limits)
is built and solved on its own, transparently, and the base model stays for the next variant.

Backends behind one function, :func:`run_batch`:

* ``local`` (default): a process pool sized to the machine; this process solves variants too
  while the pool starts (all of them with ``workers=1``), unless told not to (the service);
* ``ray``: Ray actors, one persistent model each; ``ray.init()`` locally, or the cluster at
  ``LANDQUOTA_RAY_ADDRESS``.

Every finished variant is handed to the store at once, so an interrupted batch resumes where it
stopped, and a failing variant is recorded and does not stop the others.
"""

from __future__ import annotations

import json
import os
import signal
import tempfile
import time
from collections import deque
from concurrent.futures import FIRST_COMPLETED, ProcessPoolExecutor, wait
from multiprocessing import get_context
from typing import Any, Callable, Iterable

from landquota.models.build import structure_key
from landquota.models.scenario import ScenarioInvalid
from landquota.service.batches.spec import BatchSpec, expand
from landquota.service.procs import exit_with_parent
from landquota.service.requests import resolve_request
from landquota.solvers.highs import ScenarioSolver, SolveOptions
from landquota.solvers.result import Headline, Result


def base_data(spec: BatchSpec) -> dict:
    """The base scenario as plain data (what is shipped to workers)."""
    base = spec.base
    scenario, _ = resolve_request(base.dataset if base.dataset is not None else base.scenario, base.overrides)
    return scenario.model_dump(mode="json")


def batch_options(spec: BatchSpec) -> SolveOptions:
    """KPIs are the headline figures: no tables, duals or explanation (ranging, summaries) to pay for."""
    return SolveOptions(time_limit_s=spec.time_limit_s, whole_projects=spec.whole_projects,
                                   explain=False, duals=False, tables=False)


def kpis(result: Result) -> dict[str, Any]:
    """The comparison figures of one variant (its headline), plus new land by province (for the heat map)."""
    row: dict[str, Any] = {"status": result.status, "objective_cny_100m": result.objective_cny_100m}
    head = result.headline
    row.update(head.model_dump() if head else {k: None for k in Headline.model_fields})
    if not head:
        row["new_land_by_province"] = {}
    return row


class VariantWorker:
    """One persistent base model; solves variants warm where it can."""

    def __init__(self, base: dict, options: SolveOptions):
        # validated once; each variant is made from it, sharing every part its overrides leave alone
        # (models.overrides), so what is derived from those parts is not derived again (models.memo)
        self.base = resolve_request(base)[0]
        self.options = options
        self.solver = ScenarioSolver(self.base, options)
        self.key = self.solver.model.key

    def run(self, name: str, overrides: dict) -> dict[str, Any]:
        t0 = time.perf_counter()
        try:
            scenario = resolve_request(self.base, overrides)[0] if overrides else self.base
            if structure_key(scenario, self.options.whole_projects) == self.key:
                result, warm = self.solver.resolve(scenario), True
            else:
                result, warm = ScenarioSolver(scenario, self.options).solve(), False
            row = kpis(result)
            return {"name": name, "ok": True, "warm": warm, "seconds": time.perf_counter() - t0, **row}
        except ScenarioInvalid as e:  # a batch checked at submission never gets here; a CLI batch may
            msg = "; ".join(f"{'.'.join(map(str, p.loc))}: {p.message}" for p in e.problems)
            return {"name": name, "ok": False, "error": f"invalid variant: {msg}", "seconds": time.perf_counter() - t0}
        except Exception as e:  # one failing variant must not stop the batch
            return {"name": name, "ok": False, "error": f"{type(e).__name__}: {e}", "seconds": time.perf_counter() - t0}


_WORKER: VariantWorker | None = None


def _init_worker(base_path: str, options: SolveOptions) -> None:
    global _WORKER
    exit_with_parent()  # a pool worker whose parent is killed does not linger as an orphan
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is its parent's to handle: the parent stops the pool
    with open(base_path, encoding="utf-8") as f:
        _WORKER = VariantWorker(json.load(f), options)


def _run_in_worker(name: str, overrides: dict) -> dict[str, Any]:
    assert _WORKER is not None
    return _WORKER.run(name, overrides)


def _local(base, options, todo, workers, in_process, should_stop=None) -> Iterable[dict]:
    """A process pool of ``workers``. With ``in_process`` this process solves variants too: all of
    them when ``workers`` is 1, else those it can while the pool starts. Spawning, importing and
    building the base take a pool worker about a second, in which a warm worker here solves a couple
    of hundred china-2020 variants; so variants go to the pool only once a worker reports ready: a
    short batch costs about what it costs here alone, a long one gains the other workers."""
    pending = deque(todo)
    if workers <= 1 and in_process:
        here = VariantWorker(base, options)
        while pending:
            yield here.run(*pending.popleft())
        return
    # The base goes to the workers as a file: a spawned worker reads its start-up arguments only
    # after importing this module (half a second), and a big argument would block this process
    # writing it (a pipe holds 64 KiB) for as long; a file name does not.
    tmp = tempfile.TemporaryDirectory(prefix="landquota-batch-")
    base_path = os.path.join(tmp.name, "base.json")
    with open(base_path, "w", encoding="utf-8") as f:
        json.dump(base, f)
    pool = ProcessPoolExecutor(max_workers=workers, mp_context=get_context("spawn"), initializer=_init_worker,
                               initargs=(base_path, options))
    starting = {pool.submit(_ready) for _ in range(workers)} if in_process else set()
    here = None
    running: set = set()
    try:
        while pending or running:
            if starting and not any(f.done() for f in starting):
                if pending:  # the pool is not ready yet: solve one here
                    here = here or VariantWorker(base, options)
                    yield here.run(*pending.popleft())
                continue  # (nothing pending: nothing was submitted, and the loop ends)
            starting = set()
            while pending and len(running) < 2 * workers:  # submit lazily, so cancelling drops little
                running.add(pool.submit(_run_in_worker, *pending.popleft()))
            finished, running = wait(running, timeout=0.5, return_when=FIRST_COMPLETED)
            for f in finished:
                yield f.result()
            if should_stop and should_stop():
                return
    finally:  # on early exit (cancel, stop, interrupt) drop what has not started, stop what runs
        _close_pool(pool, now=bool(pending or running))
        tmp.cleanup()


def _close_pool(pool: ProcessPoolExecutor, now: bool) -> None:
    """Shut the pool down. ``now``: variants still run (the batch was cancelled or the service is
    stopping): stop its processes instead of waiting for them, so a stop takes no longer than the
    grace the service gives it and leaves no process, queue or semaphore behind."""
    procs = list((getattr(pool, "_processes", None) or {}).values())  # no public handle on them
    pool.shutdown(wait=not now, cancel_futures=True)
    if now:
        for p in procs:
            p.terminate()
        for p in procs:
            p.join(5)
        pool.shutdown(wait=True)  # the pool's own thread and queues, now that nothing runs


def _ready() -> bool:
    return _WORKER is not None


def _ray(base, options, todo, workers, in_process, should_stop=None) -> Iterable[dict]:
    import ray
    from ray.util import ActorPool

    if not ray.is_initialized():
        address = os.environ.get("LANDQUOTA_RAY_ADDRESS")
        if address:
            ray.init(address=address, ignore_reinit_error=True)
        else:
            ray.init(num_cpus=workers, include_dashboard=False, ignore_reinit_error=True,
                     log_to_driver=False, configure_logging=False)
    Actor = ray.remote(num_cpus=1)(VariantWorker)
    actors = [Actor.remote(base, options) for _ in range(max(1, workers))]
    pool = ActorPool(actors)
    yield from pool.map_unordered(lambda a, item: a.run.remote(item[0], item[1]), list(todo))
    for a in actors:
        ray.kill(a)


BACKENDS = {"local": _local, "ray": _ray}


def run_batch(
    spec: BatchSpec,
    backend: str = "local",
    workers: int | None = None,
    done: set[str] | None = None,
    on_result: Callable[[dict], None] | None = None,
    should_stop: Callable[[], bool] | None = None,
    in_process: bool = True,
) -> list[dict]:
    """Solve every variant of ``spec`` not in ``done``; call ``on_result`` as each finishes.

    ``should_stop`` is asked after each variant (cancellation). ``in_process`` (local backend): this
    process solves variants too — all of them with one worker, else those it can while the pool
    starts (the service says no: its process only serves requests). Returns the rows
    in the order the spec lists the variants.
    """
    if backend not in BACKENDS:
        raise ValueError(f"unknown backend {backend!r}; choose from {sorted(BACKENDS)}")
    variants = expand(spec)
    todo = [(n, ov) for n, ov in variants if not done or n not in done]
    workers = workers or max(1, min(os.cpu_count() or 1, len(todo)))
    options = batch_options(spec)
    rows: dict[str, dict] = {}
    if todo:
        base = base_data(spec)
        stream = BACKENDS[backend](base, options, todo, workers, in_process, should_stop)
        try:
            for row in stream:
                rows[row["name"]] = row
                if on_result:
                    on_result(row)
                if should_stop and should_stop():
                    break
        finally:
            stream.close()
    order = {n: i for i, (n, _) in enumerate(variants)}
    return sorted(rows.values(), key=lambda r: order[r["name"]])
