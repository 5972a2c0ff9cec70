"""Progress of one solve: the phase it is in and, while HiGHS runs, HiGHS's own progress.

A :class:`SolveProgress` is handed to :class:`solvers.highs.ScenarioSolver` (``progress=``). The
solver calls :meth:`SolveProgress.phase` at each step (validate, build, handoff, solve, extract,
explain) and, around ``Highs.run``, :meth:`SolveProgress.attach` / :meth:`SolveProgress.detach`.
While attached it listens to highspy's callbacks:

* ``cbLogging`` — HiGHS's log lines (with ``output_flag`` on and ``log_to_console`` off, so nothing
  reaches the terminal); the simplex iteration lines give the objective and the primal and dual
  infeasibilities (count and sum); with ``log_file`` the whole log is also kept in that file;
* ``cbSimplexInterrupt`` — the simplex iteration count between log lines, only with
  ``iterations=True``: HiGHS calls them at every iteration, which costs up to some 10% of a fast
  simplex solve (300 generated units: 28k calls), so only a terminal someone watches asks for them;
* ``cbMipInterrupt`` — primal and dual bounds, the MIP gap and the node count.

HiGHS writes a simplex log line every few seconds, so without ``iterations`` the figures change at
that pace; the interior-point solver logs every iteration (its interrupt callback carries no count).

Every change is folded into one snapshot (a plain dict, see :meth:`SolveProgress.snapshot`) and
passed to ``on_update`` at most every ``every_s`` seconds (and at once on a phase change), so a
caller can draw it on a terminal, print a line to a log, or send it to a job view. This module
knows nothing about rules or the terminal.
"""

from __future__ import annotations

import math
import re
import threading
import time
from typing import Any, Callable

PHASES = ("validate", "build", "handoff", "solve", "extract", "explain", "done")

# "      27929    -9.9098390062e+04 Pr: 0(0); Du: 0(1.41526e-13) 3.1s"
# "          0    -9.0576934022e+03 Ph1: 4871(56453.1); Du: 7541(9057.69) 0.4s"
_SIMPLEX = re.compile(
    r"^\s*(?P<it>\d+)\s+(?P<obj>[-+0-9.eE]+|[-+]?inf)\s+(?:Ph1|Pr):\s*(?P<pn>\d+)\((?P<ps>[^)]*)\);?"
    r"(?:\s*Du:\s*(?P<dn>\d+)\((?P<ds>[^)]*)\))?")
# interior point: " Iter       primal obj         dual obj       pinf       dinf       gap      time"
#                 "   7    1.03674914e+06  -5.22094549e+06   7.90e-04   1.45e-03  2.99e+00       4.8"
_NUM = r"[-+]?(?:\d+\.?\d*(?:[eE][-+]?\d+)?|inf|nan)"
_IPM = re.compile(rf"^\s*(?P<it>\d+)\*?\s+(?P<pobj>{_NUM})\s+(?P<dobj>{_NUM})\s+(?P<pinf>{_NUM})\s+"
                  rf"(?P<dinf>{_NUM})\s+(?P<gap>{_NUM})\s+{_NUM}s?$")


def _float(text: str | None) -> float | None:
    try:
        return float(text) if text is not None else None
    except ValueError:
        return None


def _finite(x: float | None) -> float | None:
    return x if x is not None and math.isfinite(x) and abs(x) < 1e30 else None


class SolveProgress:
    """Phases and solver progress of one solve, reported as snapshots to ``on_update``."""

    def __init__(self, on_update: Callable[[dict], None] | None = None, *, log_file: str | None = None,
                 every_s: float = 0.5, iterations: bool = False):
        self.on_update = on_update
        self.iterations = iterations
        self.log_file = log_file
        self.every_s = every_s
        self.t0 = time.perf_counter()
        self.state: dict[str, Any] = {"phase": "validate"}
        self._phase_t0 = self.t0
        self._last_sent = 0.0
        self._h = None
        self._subs: list = []
        self._maximise = False
        self._lock = threading.Lock()
        self._saved: dict = {}

    # ---- phases ---------------------------------------------------------------------------------
    def phase(self, name: str, **info: Any) -> None:
        """Enter a phase (one of :data:`PHASES`); ``info`` adds fields (e.g. columns, rows)."""
        with self._lock:
            self._phase_t0 = time.perf_counter()
            self.state["phase"] = name
            self.state.update(info)
        self._send(force=True)

    def update(self, **info: Any) -> None:
        """Add fields to the snapshot (e.g. the LP's size once known)."""
        with self._lock:
            self.state.update(info)
        self._send(force=True)

    def snapshot(self) -> dict:
        """The current state: ``phase``, ``elapsed_s`` (since start), ``phase_s`` (in this phase) and,
        during the solve, what HiGHS has said: ``iterations``, ``objective`` (in the model's sense),
        ``primal_infeasibilities`` / ``primal_infeasibility_sum``, ``dual_infeasibilities`` /
        ``dual_infeasibility_sum``, and for a MIP ``mip_gap`` (a share), ``mip_primal_bound``,
        ``mip_dual_bound``, ``mip_nodes``; interior point: ``ipm_iterations``, ``objective``, the residuals
        as ``primal_infeasibility_sum`` / ``dual_infeasibility_sum`` (no counts) and ``ipm_gap``;
        ``log_line``: HiGHS's last log line, and ``note``: that line when it carries no figures
        (e.g. "Presolving model", a crossover step)."""
        now = time.perf_counter()
        with self._lock:
            s = dict(self.state)
        s["elapsed_s"] = now - self.t0
        s["phase_s"] = now - self._phase_t0
        return s

    def _send(self, force: bool = False) -> None:
        if self.on_update is None:
            return
        now = time.perf_counter()
        if not force and now - self._last_sent < self.every_s:
            return
        self._last_sent = now
        self.on_update(self.snapshot())

    # ---- HiGHS ----------------------------------------------------------------------------------
    def attach(self, h) -> None:
        """Listen to a ``highspy.Highs`` until :meth:`detach` (HiGHS logs to callbacks, not the console)."""
        import highspy

        self._h = h
        self._maximise = h.getLp().sense_ == highspy.ObjSense.kMaximize
        self._saved = {k: h.getOptionValue(k)[1] for k in ("output_flag", "log_to_console", "log_file")}
        h.setOptionValue("log_to_console", False)
        h.setOptionValue("output_flag", True)
        if self.log_file:
            h.setOptionValue("log_file", str(self.log_file))
        events = [(h.cbLogging, self._on_log), (h.cbMipInterrupt, self._on_mip)]
        if self.iterations:
            events.append((h.cbSimplexInterrupt, self._on_iteration))
        for event, fn in events:
            event.subscribe(fn)
            self._subs.append((event, fn))

    def detach(self) -> None:
        h, self._h = self._h, None
        if h is None:
            return
        for event, fn in self._subs:
            event.unsubscribe(fn)
        self._subs.clear()
        saved = self._saved
        if self.log_file:
            h.setOptionValue("log_file", saved["log_file"])  # closes ours (and reopens a file set before)
        h.setOptionValue("log_to_console", saved["log_to_console"])
        h.setOptionValue("output_flag", saved["output_flag"])  # as before: silent unless a log was kept

    def _sign(self, x: float | None) -> float | None:
        """HiGHS's simplex logs the objective it minimises; the model maximises value."""
        x = _finite(x)
        return -x if x is not None and self._maximise else x

    def _on_log(self, e) -> None:
        line = e.message.rstrip()
        if not line:
            return
        m = _SIMPLEX.match(line)
        ipm = None if m else _IPM.match(line)
        with self._lock:
            self.state["log_line"] = line.strip()
            self.state["note"] = None if m or ipm else line.strip().split("\n")[0][:60]
            if ipm:
                self.state.update(
                    ipm_iterations=int(ipm["it"]), objective=self._sign(_float(ipm["pobj"])),
                    primal_infeasibilities=None, primal_infeasibility_sum=_float(ipm["pinf"]),
                    dual_infeasibilities=None, dual_infeasibility_sum=_float(ipm["dinf"]),
                    ipm_gap=_float(ipm["gap"]))
            if m:
                self.state.update(
                    iterations=int(m["it"]), objective=self._sign(_float(m["obj"])),
                    primal_infeasibilities=int(m["pn"]), primal_infeasibility_sum=_float(m["ps"]),
                    dual_infeasibilities=int(m["dn"]) if m["dn"] is not None else None,
                    dual_infeasibility_sum=_float(m["ds"]),
                    primal_phase=1 if "Ph1:" in line else 2)
        self._send()

    def _on_iteration(self, e) -> None:
        n = int(e.data_out.simplex_iteration_count)
        if n >= 0 and n != self.state.get("iterations"):
            self.state["iterations"] = n
            self._send()

    def _on_mip(self, e) -> None:
        d = e.data_out
        gap = _finite(float(d.mip_gap))
        with self._lock:
            self.state.update(mip_gap=gap, mip_primal_bound=_finite(float(d.mip_primal_bound)),
                              mip_dual_bound=_finite(float(d.mip_dual_bound)), mip_nodes=int(d.mip_node_count))
        self._send()
