"""A solved model, as the analyses read it: the live highspy model, its row and column maps, and the
model data. :mod:`solvers.explain`, :mod:`solvers.ranging` (through ``highs``) and
:mod:`solvers.diagnosis` take a :class:`Solved`, never the solver adapter, so they import neither
:mod:`solvers.highs` nor each other.

    solved = Solved.of(scenario_solver)     # right after ScenarioSolver.solve()
    solved.highs                            # highspy.Highs holding the LP, its basis and solution
    solved.rows()                           # (rule, index, ConstraintData, row) from the registry
    solved.row_by_key[rule_name, index]     # the same, by (rule, index): how a Binding finds its row
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property
from typing import Any, Callable, Mapping

import highspy
import numpy as np

from landquota.models.build import REGISTRY, LandModel
from landquota.models.rules import Registry, Rule, component


@dataclass
class Solved:
    model: LandModel
    highs: highspy.Highs
    """The live HiGHS model: the LP as solved, its basis and solution (read it; copy to change it)."""
    row_of: Mapping[Any, int]
    """ConstraintData → HiGHS row."""
    col_of: Mapping[int, int]
    """id(VarData) → HiGHS column."""
    var_at: Callable[[int], Any]
    """HiGHS column → VarData."""
    whole_projects: bool = False
    solve_s: float = 0.0
    registry: Registry = field(default=REGISTRY)

    @classmethod
    def of(cls, solver) -> "Solved":
        """From a :class:`solvers.highs.ScenarioSolver` that has just solved."""
        h = solver.highs
        if hasattr(h, "row_of"):  # solvers.handoff.DirectHighs: our own maps
            return cls(solver.model, h.highs_model, h.row_of, h.col_of, h.var_at,
                       solver.options.whole_projects, getattr(solver, "solve_s", 0.0))
        # Pyomo's persistent HiGHS interface (SolveOptions(handoff="pyomo")): its maps are private
        # attributes, read here and nowhere else (pyomo is pinned in constraints.txt for this).
        return cls(solver.model, live_highs(h), h._pyomo_con_to_solver_con_map,
                   h._pyomo_var_to_solver_var_map, _pyomo_var_at(h),
                   solver.options.whole_projects, getattr(solver, "solve_s", 0.0))

    # ---- rows by rule ------------------------------------------------------------------------------
    def rows(self):
        """(rule, index, ConstraintData, row) of every row of every rule the solver holds."""
        return self.registry.rows(self.model.m, self.row_of)

    @cached_property
    def row_by_key(self) -> dict[tuple[str, Any], tuple[Rule, Any, int]]:
        """(rule name, index) → (rule, ConstraintData, row): the key a ``Binding`` carries."""
        return {(rule.name, idx): (rule, cd, row) for rule, idx, cd, row in self.rows()}

    def row_of_binding(self, b) -> tuple[Rule, Any, Any, int] | None:
        """(rule, index, ConstraintData, row) of a ``Binding`` of this solve (by its rule and index)."""
        key = getattr(b, "_key", None)
        got = self.row_by_key.get(key) if key is not None else None
        return None if got is None else (got[0], key[1], got[1], got[2])

    # ---- columns -----------------------------------------------------------------------------------
    def col(self, var) -> int | None:
        return self.col_of.get(id(var))

    def cols(self, path: str) -> dict:
        """index → column of every variable of the Var component at ``path`` the solver holds."""
        comp = component(self.model.m, path)
        if comp is None:
            return {}
        return {idx: self.col_of[id(v)] for idx, v in comp.items() if id(v) in self.col_of}

    @cached_property
    def col_value(self) -> np.ndarray:
        return np.asarray(self.highs.getSolution().col_value)

    @cached_property
    def row_dual(self) -> np.ndarray:
        return np.asarray(self.highs.getSolution().row_dual)


def live_highs(adapter) -> highspy.Highs:
    """The highspy model behind a solver adapter: :class:`solvers.handoff.DirectHighs` or Pyomo's
    persistent HiGHS interface (whose private ``_solver_model`` is read here only)."""
    own = getattr(adapter, "highs_model", None)
    return own if own is not None else adapter._solver_model


def _pyomo_var_at(h) -> Callable[[int], Any]:
    """Column → VarData for Pyomo's persistent interface (built on first use)."""
    inverse: dict[int, Any] = {}

    def at(j: int):
        if not inverse:
            inverse.update({col: h._vars[vid][0] for vid, col in h._pyomo_var_to_solver_var_map.items()})
        return inverse[j]

    return at
