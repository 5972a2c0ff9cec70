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
  left, else failed with the reason.

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

from service.jobs import JobStore
from service.worker import SolveFn, solve_payload, worker_main

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
        self._wake_r, self._wake_w = socket.socketpair()
        self._wake_r.setblocking(False)
        self._wake_w.setblocking(False)  # a wake never blocks a request thread
        self._stopping = False
        self._stop_deadline = 0.0
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
        return self._phase.get(job_id)

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
        try:
            while True:
                try:
                    if self._step():
                        break
                except Exception:
                    log.exception("dispatcher step failed; retrying")
                    time.sleep(self.poll_s)
        finally:
            self._shutdown_workers()

    def _step(self) -> bool:
        now = time.monotonic()
        self._handle_kills()
        if self._stopping:
            if not any(w.job_id for w in self._workers) or now >= self._stop_deadline:
                return True
        else:
            self._top_up(now)
            self._assign(now)
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
            claimed = self.store.claim_next()
            if claimed is None:
                return
            job_id, scenario, options = claimed
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
        elif kind == "progress" and msg[1] == w.job_id:
            self._phase[w.job_id] = msg[2]
        elif kind in ("done", "error") and msg[1] == w.job_id:
            job_id, w.job_id = w.job_id, None
            self._phase.pop(job_id, None)
            if kind == "done":
                changed = self.store.succeed(job_id, msg[2])
            else:
                log.warning("job %s failed: %s\n%s", job_id, msg[2], msg[3])
                changed = self.store.fail(job_id, msg[2])
            log.info("job %s %s", job_id, kind if changed else "answered after it was cancelled")
            self.on_finish(job_id)

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
            info = self.store.get(job_id)
            attempts = info.attempts if info else 0
            why = f"its solver worker died (exit code {code}: out of memory or a crash) on attempt {attempts}"
            if attempts < self.max_attempts:
                self.store.requeue(job_id, f"{why}; re-queued")
            else:
                self.store.fail(job_id, f"{why}; not retried")
            log.error("job %s: %s", job_id, why)
            self.on_finish(job_id)

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
                self.store.fail(job_id, f"still running {self.grace_s:g} s after its time limit; stopped")
                log.warning("job %s stopped: past its time limit plus grace", job_id)
                self.on_finish(job_id)

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
