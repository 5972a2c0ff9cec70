"""HiGHS adapter: build → solve → extract, with a persistent model for warm re-solves.

Uses Pyomo's persistent HiGHS interface (``pyomo.contrib.solver.solvers.highs.Highs``). It never
raises on a non-optimal outcome: the termination condition is read and mapped onto
:data:`solvers.result.Status`, so an infeasible scenario is a normal answer.

    solver = ScenarioSolver(scenario, SolveOptions(time_limit_s=60))
    result = solver.solve()                 # cold
    result = solver.resolve(other_scenario) # warm if only numbers changed, rebuild otherwise
"""

from __future__ import annotations

import functools
import time
from dataclasses import dataclass

import pyomo.version
from pyomo.common.gc_manager import PauseGC
from pyomo.contrib.solver.common.results import TerminationCondition as TC
from pyomo.contrib.solver.solvers.highs import Highs

from landquota.models.build import LandModel, structure_key
from landquota.models.scenario import Scenario
from landquota.solvers.diagnosis import diagnose
from landquota.solvers.explain import explain
from landquota.solvers.extract import extract
from landquota.solvers.handoff import DirectHighs, write_mps
from landquota.solvers.result import Result, SolveStats
from landquota.solvers.solved import Solved, live_highs

_STATUS = {
    TC.convergenceCriteriaSatisfied: "optimal",
    TC.provenInfeasible: "infeasible",
    TC.locallyInfeasible: "infeasible",
    TC.infeasibleOrUnbounded: "infeasible",
    TC.unbounded: "unbounded",
    TC.maxTimeLimit: "time_limit",
    TC.iterationLimit: "time_limit",
    TC.interrupted: "not_solved",
}


@dataclass(frozen=True)
class SolveOptions:
    time_limit_s: float = 300.0
    """Wall-clock limit for HiGHS, seconds."""
    whole_projects: bool = False
    """Select projects whole (binary; a MIP) instead of as shares in [0, 1] (phasing)."""
    mip_rel_gap: float = 1e-4
    threads: int | None = None
    duals: bool = True
    """Map duals onto rules (LP only)."""
    explain: bool = True
    """Explain the answer (solvers.explain: binding rules, ranges, unmet targets, summary) and, when
    infeasible, diagnose the conflicting rules (solvers.diagnosis). Off for speed in batches."""
    tables: bool = True
    """Build the result tables (provinces, cities, projects, financing, ...). Off in batches: the
    result then carries the objective, its terms and the headline figures only."""
    finance_per_project: bool = False
    """Financing variables per project × source × year (the formulation before the compact financing
    groups of models.finance; the same optimum, kept as a test oracle)."""
    handoff: str = "direct"
    """How the model reaches HiGHS: "direct" (solvers.handoff: compiled once, one passModel; see
    bench/README.md) or "pyomo" (Pyomo's persistent HiGHS interface). Same LP, same optimum."""
    algorithm: str = "auto"
    """HiGHS algorithm for a cold solve: "auto" (by size, see :func:`choose_algorithm`), "simplex",
    "ipm" (interior point, with crossover so duals and ranging have a basis) or "choose" (HiGHS's
    own rule). A warm re-solve always hot-starts the dual simplex from the last basis."""
    presolve: str = "auto"
    """HiGHS presolve for a cold solve: "auto" (see :func:`choose_presolve`), "on" or "off"."""


IPM_FROM_NONZEROS = 8_000_000
"""Cold solves of LPs with at least this many nonzeros use interior point + crossover; smaller ones
the dual simplex. Measured (bench/README.md): 300 units (0.26M nonzeros) simplex 2.7 s, IPM 13 s;
3,000 units (2.7M) simplex 389–422 s, IPM + crossover 471 s; simplex time grows about with the
square of the size, IPM's about linearly, so the switch sits between 3,000 and 30,000 units."""


def choose_algorithm(nonzeros: int, whole_projects: bool, requested: str = "auto") -> str:
    """The HiGHS ``solver`` option for a cold solve."""
    if requested != "auto":
        return requested
    if whole_projects:
        return "choose"  # branch and bound; HiGHS picks the LP solver for its nodes
    return "ipm" if nonzeros >= IPM_FROM_NONZEROS else "simplex"


PRESOLVE_OFF_FROM_NONZEROS = 100_000
"""Cold dual-simplex solves of LPs with at least this many nonzeros skip HiGHS's presolve. Measured
(bench/README.md, 2026-11-30, quiet machine; same optimum, about the same iterations): 300 units
(178k nonzeros) 1.0 → 0.73 s; 1,000 units (557k) 4.9 → 3.1 s; 3,000 units (1.58M) 32.0 → 20.9 s.
Smaller LPs (the demo, china-2020) keep HiGHS's default: nothing to gain, and their bases (so their
duals at degenerate corners) stay as they were."""


def choose_presolve(algorithm: str, whole_projects: bool, nonzeros: int, requested: str = "auto") -> str:
    """The HiGHS ``presolve`` option for a cold solve: off for the dual simplex on a large LP (see
    :data:`PRESOLVE_OFF_FROM_NONZEROS`); on for interior point and branch and bound, which rely on it."""
    if requested != "auto":
        return requested
    large_lp = algorithm == "simplex" and not whole_projects and nonzeros >= PRESOLVE_OFF_FROM_NONZEROS
    return "off" if large_lp else "on"


@functools.cache
def highs_version() -> str:
    return ".".join(map(str, Highs().version()))


class ScenarioSolver:
    """Holds one built model and its persistent HiGHS instance."""

    def __init__(self, scenario: Scenario, options: SolveOptions | None = None, progress=None):
        self.options = options or SolveOptions()
        self.progress = progress
        """A :class:`solvers.progress.SolveProgress` (or None): told each phase and HiGHS's own progress."""
        self._build(scenario)

    def _phase(self, name: str) -> None:
        if self.progress is not None:
            self.progress.phase(name)

    def _build(self, scenario: Scenario) -> None:
        self._phase("build")
        t0 = time.perf_counter()
        with PauseGC():  # millions of new objects and no garbage: the cyclic GC only costs time here
            self.model = LandModel(scenario, whole_projects=self.options.whole_projects,
                                   finance_per_project=self.options.finance_per_project)
        self.build_s = time.perf_counter() - t0
        self.highs = DirectHighs() if self.options.handoff == "direct" else Highs()
        self._loaded = False

    @property
    def direct(self) -> bool:
        return isinstance(self.highs, DirectHighs)

    @property
    def scenario(self) -> Scenario:
        return self.model.scenario

    @property
    def highs_model(self):
        """The live highspy model (either hand-off)."""
        return live_highs(self.highs)

    def solved(self) -> Solved:
        """The solved model as explanations, ranging and diagnoses read it (after :meth:`solve`)."""
        return Solved.of(self)

    def solve(self) -> Result:
        opts = self.options
        solver_options = {"mip_rel_gap": opts.mip_rel_gap}
        if opts.threads:
            solver_options["threads"] = opts.threads
        if self.direct:
            if self._loaded and not opts.whole_projects:
                solver_options["solver"] = "simplex"  # warm: hot start from the basis HiGHS holds
            else:
                if not self._loaded:
                    self._phase("handoff")
                    self.highs.set_instance(self.model.m)
                    if self.progress is not None:
                        lp = self.highs.lp
                        self.progress.update(columns=lp.num_col, rows=lp.num_row, nonzeros=lp.nonzeros)
                solver_options["solver"] = choose_algorithm(self.highs.lp.nonzeros, opts.whole_projects,
                                                            opts.algorithm)
                solver_options["presolve"] = choose_presolve(solver_options["solver"], opts.whole_projects,
                                                             self.highs.lp.nonzeros, opts.presolve)
        self._phase("solve")
        watch = self.progress if self.progress is not None and self.direct else None
        if watch is not None:
            watch.attach(self.highs_model)
        t0 = time.perf_counter()
        try:
            res = self.highs.solve(
                self.model.m,
                time_limit=opts.time_limit_s,
                load_solutions=False,
                raise_exception_on_nonoptimal_result=False,
                solver_options=solver_options,
            )
        finally:
            if watch is not None:
                watch.detach()
        solve_s = time.perf_counter() - t0
        self._loaded = True
        status = _STATUS.get(res.termination_condition, "error")
        stats = SolveStats(
            build_s=self.build_s,
            solve_s=solve_s,
            solver=f"HiGHS {highs_version()} via Pyomo {pyomo.version.version}",
            termination=res.termination_condition.name,
            mip=opts.whole_projects,
        )
        h = self.highs_model
        stats.variables = h.getNumCol()
        stats.constraints = h.getNumRow()
        stats.nonzeros = h.getNumNz()
        has_solution = res.solution_status.name in ("optimal", "feasible")
        if status == "time_limit" and not has_solution:
            return Result(scenario=self.scenario.name, status=status, stats=stats,
                          message="time limit reached before any feasible allocation was found")
        if status not in ("optimal", "time_limit"):
            result = Result(scenario=self.scenario.name, status=status, stats=stats,
                            message=_MESSAGES.get(status, res.termination_condition.name))
            if status == "infeasible" and opts.explain:
                self._phase("explain")
                result.diagnosis = diagnose(self.solved())
            return result
        self._phase("extract")
        t1 = time.perf_counter()
        if not self.direct:  # the direct hand-off reads values from its arrays (solvers.extract.Values)
            res.solution_loader.load_vars()
        duals = {}
        if opts.duals and not opts.whole_projects and status == "optimal":
            duals = res.solution_loader.get_duals()
        if opts.whole_projects:
            info = h.getInfo()
            stats.mip_gap = float(info.mip_gap)
        with PauseGC():  # many small result rows: no point scanning the model's objects for cycles
            result = extract(self.model, res.incumbent_objective, status, duals, stats,
                             solution=self.highs if self.direct else None, tables=opts.tables)
        result.stats.extract_s = time.perf_counter() - t1
        if opts.explain and opts.tables:  # an explanation reads the tables
            self._phase("explain")
            result.explain = explain(self.solved(), result)
            nat = result.national  # issue 13: whether the national total binds, and why not
            if nat is not None and nat.national_total_ha is not None and nat.note_en:
                result.explain.notes.append(nat.note_en)
        return result

    def resolve(self, scenario: Scenario) -> Result:
        """Solve a variant: update mutable Params and warm-start if the structure matches,
        else rebuild. The answer is the same either way."""
        with PauseGC():  # see _build: a full collection would walk every object of the built model
            same = structure_key(scenario, self.options.whole_projects) == self.model.key  # never for the oracle
        if same:
            t0 = time.perf_counter()
            with PauseGC():
                self.model.update(scenario)
            self.build_s = time.perf_counter() - t0
            if not self.direct and self._loaded:
                # Pyomo's persistent interface: only Param values changed, so skip its scans for new
                # or changed components (≈3× faster update, shared/PYOMO-HIGHS.md)
                au = self.highs.config.auto_updates
                for name in ("check_for_new_or_removed_constraints", "check_for_new_or_removed_vars",
                             "check_for_new_or_removed_params", "check_for_new_objective", "update_constraints",
                             "update_vars", "update_named_expressions", "update_objective"):
                    setattr(au, name, False)
                au.update_parameters = True
        else:
            self._build(scenario)
        return self.solve()

    def export_mps(self, path: str, writer: str = "pyomo") -> None:
        """Write the exact LP as MPS (symbolic names) so anyone can re-solve it with another tool.

        ``writer="pyomo"``: Pyomo's MPS writer. ``writer="highs"``: the LP the direct hand-off passes
        to HiGHS, written by HiGHS itself, rows and columns in the order solved, with the same
        symbolic names (much faster at scale; what ``bench/overhead.py`` solves with bare highspy)."""
        if writer == "pyomo":
            self.model.m.write(path, format="mps", io_options={"symbolic_solver_labels": True})
            return
        if not (self.direct and self._loaded):
            self.highs = DirectHighs()
            self.highs.set_instance(self.model.m)
            self._loaded = True
        write_mps(self.highs, path)


_MESSAGES = {
    "infeasible": "no allocation satisfies every hard rule (pools, caps, farmland balance, committed "
    "projects); see the diagnosis",
    "unbounded": "the objective is unbounded: a value has no limiting rule (a data error)",
    "error": "the solver reported an error",
}


def solve_scenario(scenario: Scenario, options: SolveOptions | None = None) -> Result:
    """Build and solve once."""
    return ScenarioSolver(scenario, options).solve()
