"""The solver pool: worker processes fed by one dispatcher thread, never the event loop.

Each worker is a ``spawn``-ed process with its own pipe and solves one job at a time (see
``service.worker``). The dispatcher thread

* claims the oldest queued job from the database whenever a worker is free (woken at once on a
  submission, and every ``poll_s`` in any case, so jobs queued before a restart run too);
* stores each answer (``succeeded``/``failed``) and tells the API (``on_finish``) so a waiting
  ``POST /v1/solve`` can answer at once;
* terminates the worker of a cancelled job, of a job past its time limit plus grace, and of a job
  still running at shutdown (that job is re-queued), and starts a replacement;
* notices a worker that died (crash, out of memory): its job is re-queued while it has attempts
  left, else failed with the reason;
* keeps an answer the database would not take (read-only, disk full, down) and stores it again
  every ``poll_s`` until it is taken, so a finished solve is not lost to a passing database fault.

Cancellation by process termination is the only reliable way to stop HiGHS mid-solve from
outside, and it is why this is a small dispatcher rather than ``ProcessPoolExecutor`` (which can
neither cancel a running call nor lose a worker without breaking the whole pool).
"""

from __future__ import annotations

import logging
import multiprocessing as mp
import socket
import threading
import time
from multiprocessing.connection import wait as mp_wait
from typing import Callable

from landquota.service.jobs import JobStore
from landquota.service.worker import SolveFn, solve_payload, trim_heap, worker_main

log = logging.getLogger("landquota.pool")


class _Worker:
    def __init__(self, ctx, solve_fn: SolveFn, n: int):
        parent, child = ctx.Pipe()
        self.proc = ctx.Process(target=worker_main, args=(child, solve_fn), daemon=True,
                                name=f"landquota-solver-{n}")
        self.proc.start()
        child.close()
        self.conn = parent
        self.ready = False
        self.job_id: str | None = None
        self.large = False  # whether its job is in the large lane (service.jobs.Lanes)
        self.deadline = 0.0

    def kill(self) -> None:
        if self.proc.is_alive():
            self.proc.kill()
        self.proc.join(5)
        self.conn.close()


class SolverPool:
    def __init__(self, store: JobStore, size: int, *, solve_fn: SolveFn = solve_payload,
                 threads: int | None = None, grace_s: float = 300.0, max_attempts: int = 2,
                 poll_s: float = 1.0, on_finish: Callable[[str], None] = lambda job_id: None):
        self.store, self.size, self.solve_fn, self.threads = store, size, solve_fn, threads
        self.grace_s, self.max_attempts, self.poll_s, self.on_finish = grace_s, max_attempts, poll_s, on_finish
        self._ctx = mp.get_context("spawn")
        self._workers: list[_Worker] = []
        self._spawned = 0
        self._early_deaths = 0
        self._next_spawn = 0.0
        self._kill: set[str] = set()
        self._lock = threading.Lock()
        self._phase: dict[str, str] = {}
        self._unsaved: list[tuple[str, str, object]] = []  # (job id, "succeed" | "fail" | "requeue", argument)
        self._results_since_trim = 0
        self._wake_r, self._wake_w = socket.socketpair()
        self._wake_r.setblocking(False)
        self._wake_w.setblocking(False)  # a wake never blocks a request thread
        self._stopping = False
        self._stop_deadline = 0.0
        self.warm = threading.Event()
        """Set once every configured worker has been ready at the same time (at once with none):
        until then /healthz says ``starting``."""
        if size == 0:
            self.warm.set()
        self._thread = threading.Thread(target=self._loop, name="landquota-dispatcher", daemon=True)

    # ---- called from other threads ----------------------------------------------------------------
    def start(self) -> None:
        self._thread.start()

    def wake(self) -> None:
        try:
            self._wake_w.send(b"\0")
        except (BlockingIOError, OSError):
            pass  # already awake, or shutting down

    def cancel(self, job_id: str) -> None:
        """Stop the worker running ``job_id`` (the database already says cancelled)."""
        with self._lock:
            self._kill.add(job_id)
        self.wake()

    def phase(self, job_id: str) -> str | None:
        p = self._phase.get(job_id)
        return p[0] if isinstance(p, tuple) else p

    def solver_progress(self, job_id: str) -> dict | None:
        """HiGHS's latest figures for a running job (worker.solve_payload sends them with the phase)."""
        p = self._phase.get(job_id)
        return p[1] if isinstance(p, tuple) else None

    def worker_pid(self, job_id: str) -> int | None:
        """The process id of the worker running ``job_id`` (for operators and fault tests)."""
        for w in list(self._workers):
            if w.job_id == job_id:
                return w.proc.pid
        return None

    def stats(self) -> dict:
        ws = list(self._workers)
        return {"configured": self.size, "alive": sum(w.proc.is_alive() for w in ws),
                "ready": sum(w.ready for w in ws), "busy": sum(w.job_id is not None for w in ws),
                "dispatcher": int(self._thread.is_alive())}

    def stop(self, grace_s: float = 10.0) -> None:
        """Stop taking jobs; let running ones finish for ``grace_s``; then stop the workers and
        re-queue what still runs."""
        self._stop_deadline = time.monotonic() + grace_s
        self._stopping = True
        self.wake()
        self._thread.join(grace_s + 30)
        self._wake_r.close()
        self._wake_w.close()

    # ---- the dispatcher thread ----------------------------------------------------------------------
    def _loop(self) -> None:
        last = ""
        try:
            while True:
                try:
                    if self._step():
                        break
                    last = ""
                except Exception as e:
                    if repr(e) != last:  # a lasting fault (database down) is logged once, not every poll
                        log.exception("dispatcher step failed; retrying every %g s", self.poll_s)
                        last = repr(e)
                    time.sleep(self.poll_s)
        finally:
            self._shutdown_workers()
            for job_id, action, _ in self._unsaved:
                log.error("job %s: its %s was never stored; the next start re-runs it", job_id, action)

    def _step(self) -> bool:
        now = time.monotonic()
        self._retry_unsaved()
        self._handle_kills()
        if self._stopping:
            if not any(w.job_id for w in self._workers) or now >= self._stop_deadline:
                return True
        else:
            self._top_up(now)
            self._assign(now)
            if self._results_since_trim and not any(w.job_id for w in self._workers):
                trim_heap()  # idle: give the memory of the results just stored back to the system
                self._results_since_trim = 0
        self._check_deadlines(now)
        waitables: dict = {}
        for w in self._workers:
            waitables[w.conn] = w
            waitables[w.proc.sentinel] = w
        timeout = min(self.poll_s, max(0.05, self._next_spawn - now)) if len(self._workers) < self.size else self.poll_s
        if self._stopping:
            timeout = min(timeout, max(0.0, self._stop_deadline - now))
        for obj in mp_wait([*waitables, self._wake_r], timeout=timeout):
            if obj is self._wake_r:
                self._drain_wake()
                continue
            w = waitables[obj]
            if w not in self._workers:
                continue
            if obj is w.conn:
                self._read(w)
            else:
                self._died(w)
        return False

    def _drain_wake(self) -> None:
        try:
            while self._wake_r.recv(4096):
                pass
        except (BlockingIOError, OSError):
            pass

    def _top_up(self, now: float) -> None:
        while len(self._workers) < self.size and now >= self._next_spawn:
            self._spawned += 1
            self._workers.append(_Worker(self._ctx, self.solve_fn, self._spawned))

    def _assign(self, now: float) -> None:
        for w in self._workers:
            if not w.ready or w.job_id is not None:
                continue
            # large jobs never hold the last free worker (service.jobs.Lanes)
            large_ok = self.size == 1 or sum(1 for x in self._workers if x.job_id and x.large) < self.size - 1
            claimed = self.store.claim_next(large_ok)
            if claimed is None:
                if large_ok:
                    return
                continue  # only large jobs wait: this worker stays free for a small one
            job_id, scenario, options, w.large = claimed
            payload = {"scenario": scenario, "options": {**options, "threads": self.threads}}
            w.job_id = job_id
            w.deadline = now + float(options.get("time_limit_s", 300.0)) + self.grace_s
            self._phase[job_id] = "starting"
            try:
                w.conn.send((job_id, payload))
            except (BrokenPipeError, OSError):
                self.store.requeue(job_id, "its worker was lost before it started; re-queued", refund_attempt=True)
                self._remove(w)
            log.info("job %s started", job_id)

    def _read(self, w: _Worker) -> None:
        try:
            while w.conn.poll():
                self._handle(w, w.conn.recv())
        except (EOFError, OSError):
            self._died(w)

    def _handle(self, w: _Worker, msg: tuple) -> None:
        kind = msg[0]
        if kind == "ready":
            w.ready = True
            self._early_deaths = 0
            if sum(x.ready for x in self._workers) >= self.size:
                self.warm.set()
        elif kind == "progress" and msg[1] == w.job_id:
            self._phase[w.job_id] = (msg[2], msg[3]) if len(msg) > 3 and msg[3] else msg[2]
        elif kind in ("done", "error") and msg[1] == w.job_id:
            job_id, w.job_id = w.job_id, None
            self._phase.pop(job_id, None)
            self._results_since_trim += 1
            if kind == "error":
                log.warning("job %s failed: %s\n%s", job_id, msg[2], msg[3])
            self._save(job_id, "succeed" if kind == "done" else "fail", msg[2])

    def _died(self, w: _Worker) -> None:
        if w not in self._workers:
            return
        self._workers.remove(w)
        try:  # take an answer it sent just before it exited
            while w.conn.poll():
                self._handle(w, w.conn.recv())
        except (EOFError, OSError):
            pass
        w.kill()
        code = w.proc.exitcode
        if not w.ready:
            self._early_deaths += 1
            self._next_spawn = time.monotonic() + min(30.0, 0.5 * 2 ** self._early_deaths)
            log.error("solver worker %s died while starting (exit code %s)", w.proc.pid, code)
        if w.job_id is not None:
            job_id, w.job_id = w.job_id, None
            self._phase.pop(job_id, None)
            try:
                info = self.store.get(job_id)
            except Exception:  # the database does not answer: re-queue (the restart recovery counts attempts)
                info = None
            attempts = info.attempts if info else 0
            why = f"its solver worker died (exit code {code}: out of memory or a crash) on attempt {attempts}"
            log.error("job %s: %s", job_id, why)
            if attempts < self.max_attempts:
                self._save(job_id, "requeue", f"{why}; re-queued")
            else:
                self._save(job_id, "fail", f"{why}; not retried")

    def _save(self, job_id: str, action: str, arg) -> bool:
        """Store a job's end (or re-queue it) and tell waiting clients; if the database will not take
        it, keep it to try again at the next step."""
        try:
            changed = getattr(self.store, action)(job_id, arg)
        except Exception as e:
            log.error("job %s: could not store its %s (%s: %s); kept, retried every %g s", job_id, action,
                      type(e).__name__, str(e).splitlines()[0][:200] if str(e) else "", self.poll_s)
            self._unsaved.append((job_id, action, arg))
            return False
        if action != "requeue":
            log.info("job %s %s", job_id, ("succeeded" if action == "succeed" else "failed") if changed
                     else "answered after it was cancelled")
        self.on_finish(job_id)
        return True

    def _retry_unsaved(self) -> None:
        pending, self._unsaved = self._unsaved, []
        for i, (job_id, action, arg) in enumerate(pending):
            if not self._save(job_id, action, arg):
                self._unsaved.extend(pending[i + 1:])  # the database still refuses: wait for the next step
                return

    def _remove(self, w: _Worker) -> None:
        w.kill()
        if w in self._workers:
            self._workers.remove(w)

    def _handle_kills(self) -> None:
        with self._lock:
            kill, self._kill = self._kill, set()
        for w in list(self._workers):
            if w.job_id in kill:
                log.info("job %s cancelled: stopping its worker", w.job_id)
                self._phase.pop(w.job_id, None)
                w.job_id = None
                self._remove(w)

    def _check_deadlines(self, now: float) -> None:
        for w in list(self._workers):
            if w.job_id is not None and now > w.deadline:
                job_id, w.job_id = w.job_id, None
                self._phase.pop(job_id, None)
                self._remove(w)
                log.warning("job %s stopped: past its time limit plus grace", job_id)
                self._save(job_id, "fail", f"still running {self.grace_s:g} s after its time limit; stopped")

    def _shutdown_workers(self) -> None:
        for w in list(self._workers):
            if w.job_id is not None:
                job_id, w.job_id = w.job_id, None
                w.kill()
                try:
                    self.store.requeue(job_id, "the service stopped while it ran; re-queued")
                except Exception:
                    log.exception("could not re-queue job %s; it is re-queued at the next start", job_id)
            else:
                try:
                    w.conn.send(None)
                except (BrokenPipeError, OSError):
                    pass
        for w in self._workers:
            w.proc.join(2)
            w.kill()
        self._workers.clear()
