"""What runs inside a solver worker process: plain data in, plain data out.

A worker receives ``(job_id, payload)`` over a pipe, where ``payload`` is
``{"scenario": <scenario dict>, "options": {time_limit_s, whole_projects, mip_rel_gap, duals,
threads}}``, and answers ``("done", job_id, <Result as JSON data>)`` or ``("error", job_id,
message, traceback)``. Solver objects never cross the pipe (they cannot be pickled). Progress
messages ``("progress", job_id, phase, figures)`` say which step is running and, while HiGHS
runs, its own figures (``job_progress``; ``figures`` may be None).
"""

from __future__ import annotations

import ctypes
import gc
import os
import signal
import traceback
from typing import Callable

from landquota.service.procs import exit_with_parent

Progress = Callable[[str], None]
SolveFn = Callable[[dict, Progress], dict]


def solve_payload(payload: dict, progress: Progress) -> dict:
    """The default solve function: resolve (``service.requests.resolve_request``), build, solve, extract."""
    from landquota.service.requests import resolve_request
    from landquota.solvers.highs import ScenarioSolver

    progress("validating")
    opts = payload.get("options") or {}
    scenario, options = resolve_request(payload["scenario"], None, {
        "time_limit_s": float(opts.get("time_limit_s", 300.0)), "whole_projects": bool(opts.get("whole_projects", False)),
        "mip_rel_gap": float(opts.get("mip_rel_gap", 1e-4)), "threads": opts.get("threads"),
        "duals": bool(opts.get("duals", True))})
    progress("building")
    solver = ScenarioSolver(scenario, options, progress=job_progress(progress))
    progress("solving")
    result = solver.solve()
    from landquota.service.scenario_file import scenario_sha256

    result.stats.scenario_sha256 = scenario_sha256(scenario)  # of the bytes GET /v1/jobs/{id}/scenario serves
    return result.model_dump(mode="json")


SOLVER_FIELDS = ("elapsed_s", "iterations", "ipm_iterations", "objective", "primal_infeasibilities",
                 "primal_infeasibility_sum", "dual_infeasibilities", "dual_infeasibility_sum", "mip_gap", "mip_nodes")


def job_progress(progress: Progress, every_s: float = 1.0):
    """A solvers.progress.SolveProgress that reports the solver's step and HiGHS's own figures to the
    job view (``progress(phase, figures)``, at most every ``every_s`` seconds)."""
    from landquota.solvers.progress import SolveProgress

    def send(snap: dict) -> None:
        figures = {k: snap.get(k) for k in SOLVER_FIELDS}
        figures["step"] = snap["phase"]
        progress("building" if snap["phase"] in ("build", "handoff") else "solving", figures)

    return SolveProgress(send, every_s=every_s)


def worker_main(conn, solve_fn: SolveFn) -> None:
    """Entry point of a worker process: serve jobs until told to stop or the parent goes away."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the server's to handle: it stops us
    exit_with_parent()  # a worker whose server died (even by SIGKILL) must not solve on as an orphan
    import landquota.solvers.highs  # noqa: F401  (warm: import Pyomo and HiGHS before the first job)

    conn.send(("ready", os.getpid()))
    while True:
        try:
            msg = conn.recv()
        except (EOFError, OSError):
            return
        if msg is None:
            return
        job_id, payload = msg

        def progress(phase: str, solver: dict | None = None, job_id=job_id) -> None:
            conn.send(("progress", job_id, phase, solver))

        try:
            result = solve_fn(payload, progress)
            reply = ("done", job_id, result)
        except Exception as e:  # the job fails; the worker lives on
            reply = ("error", job_id, f"{type(e).__name__}: {e}", traceback.format_exc())
        try:
            conn.send(reply)
        except (BrokenPipeError, OSError):
            return
        except Exception as e:  # e.g. a result that cannot be pickled
            conn.send(("error", job_id, f"result could not be returned: {type(e).__name__}: {e}", ""))
        msg = payload = result = reply = None  # noqa: F841  (drop the last job before trimming)
        _give_back_memory()


def _give_back_memory() -> None:
    """Return the memory of the last model to the system, so an idle worker shrinks back (a national
    model is some hundred MB): collect cycles (Pyomo models have many), then trim the heap."""
    gc.collect()
    trim_heap()


def trim_heap() -> None:
    """glibc's malloc_trim: give freed heap pages back to the system (a no-op elsewhere)."""
    try:
        ctypes.CDLL("libc.so.6").malloc_trim(0)
    except (OSError, AttributeError):  # not glibc
        pass
