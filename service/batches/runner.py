"""Batches inside the service: one runner thread, batches from the database, resumable.

A submitted batch is written to the database (``batches`` table) before it is acknowledged. The
runner thread takes queued batches oldest first and runs them with :func:`service.batches.run.run_batch`
on ``LANDQUOTA_BATCH_BACKEND`` (``local`` process pool by default, or ``ray``); each finished
variant is written at once. After a restart every batch left ``queued`` or ``running`` resumes,
skipping the variants already stored. ``cancel`` stops a batch after the variants in flight.
"""

from __future__ import annotations

import logging
import threading
import time

from sqlalchemy.exc import OperationalError

from landquota.service.batches.run import run_batch
from landquota.service.batches.spec import BatchSpec
from landquota.service.batches.store import BatchStore

log = logging.getLogger("landquota.batches")


class BatchRunner:
    def __init__(self, store: BatchStore, backend: str = "local", workers: int = 1):
        self.store = store
        self.backend = backend
        self.workers = max(1, workers)
        self._wake = threading.Event()
        self._stop = threading.Event()
        self._cancelled: set[str] = set()
        self._current: str | None = None
        self._started: dict[str, tuple[float, int]] = {}  # batch id -> (start time, variants done then)
        self._thread: threading.Thread | None = None

    # ---- life ------------------------------------------------------------------------------------
    def start(self) -> None:
        left = self.store.unfinished()
        if left:
            log.warning("resuming %d unfinished batch(es)", len(left))
        self._thread = threading.Thread(target=self._loop, name="landquota-batches", daemon=True)
        self._thread.start()
        self._wake.set()

    def stop(self, timeout: float = 10.0) -> None:
        self._stop.set()
        self._wake.set()
        if self._thread:
            self._thread.join(timeout)

    # ---- requests --------------------------------------------------------------------------------
    def submit(self, spec: BatchSpec, batch_id: str, total: int, owner: str | None = None) -> str:
        """Store a checked batch of ``total`` variants (committed before it is acknowledged) and wake the thread."""
        bid = self.store.create(spec.name, spec.model_dump_json(), self.backend, total, owner=owner, batch_id=batch_id)
        self._wake.set()
        return bid

    def cancel(self, batch_id: str) -> None:
        self._cancelled.add(batch_id)
        self.store.set_status(batch_id, "cancelled")

    def eta_s(self, batch_id: str, done: int, total: int) -> float | None:
        """Seconds left at the rate this run has solved variants so far."""
        if batch_id not in self._started or done >= total:
            return None
        t0, done0 = self._started[batch_id]
        rate = (done - done0) / max(1e-9, time.monotonic() - t0)
        return (total - done) / rate if rate > 0 else None

    # ---- the thread ------------------------------------------------------------------------------
    def _loop(self) -> None:
        last = ""
        while not self._stop.is_set():
            self._wake.wait(1.0)
            self._wake.clear()
            try:
                for b in self.store.unfinished():
                    if self._stop.is_set():
                        return
                    self._run(b)
                last = ""
            except Exception as e:  # the database is down or full: the batch stays unfinished, retried
                if repr(e) != last:
                    log.exception("batch runner: could not read or record batches; retrying every second")
                    last = repr(e)

    def _run(self, b: dict) -> None:
        bid = b["id"]
        try:
            spec = BatchSpec.model_validate_json(b["spec_json"])
            done = self.store.done(bid)
            self.store.set_status(bid, "running")
            self._current = bid
            self._started[bid] = (time.monotonic(), len(done))
            run_batch(
                spec, backend=b["backend"], workers=self.workers, done=done,
                on_result=lambda row: self.store.save(bid, row),
                should_stop=lambda: self._stop.is_set() or bid in self._cancelled,
                in_process=False,
            )
            if self._stop.is_set():
                return  # left 'running': the next start resumes it
            if bid in self._cancelled:
                return
            rows = self.store.rows(bid)
            failed = sum(1 for r in rows if not r.get("ok"))
            self.store.set_status(bid, "succeeded", error=f"{failed} variant(s) failed" if failed else None)
        except OperationalError:
            raise  # the database, not the batch: left unfinished, resumed when the database answers
        except Exception as e:  # a broken batch is reported, never kills the runner
            log.exception("batch %s failed", bid)
            self.store.set_status(bid, "failed", error=f"{type(e).__name__}: {e}"[:2000])
        finally:
            self._current = None
