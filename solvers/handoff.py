"""A fast hand-off from a Pyomo LP to HiGHS: compile once, ``passModel`` once, map back by slices.

Pyomo's persistent HiGHS interface (``pyomo.contrib.solver.solvers.highs.Highs``) adds variables
and rows one Pyomo object at a time and keeps a Python helper object for every mutable
coefficient; at 3,000 units that hand-off costs more than building the model (``bench/README.md``).
:class:`DirectHighs` does the same job in three vectorised steps, and the Pyomo model stays the
single source of truth for the formulation (nothing here knows a rule):

1. **Columns** — every active ``Var`` component, in declaration order, each a *contiguous slice*
   of columns in its own index order (so ``col_value[start:stop]`` is the component's values,
   with no per-element mapping).
2. **Rows** — every active ``Constraint`` component, in declaration order, each a contiguous
   slice of rows; each body is compiled by Pyomo's own ``LinearRepnVisitor`` (the engine of
   its LP/MPS writers and standard-form compiler) into one CSR matrix. A row keeps both bounds
   (``lower ≤ body ≤ upper``), exactly as the persistent interface does, so row duals have the
   same meaning (∂objective/∂bound, HiGHS's convention, maximised as written).
3. **One ``passModel``** with numpy arrays.

Re-solves. While compiling, the visitor records which mutable ``Param`` components each
constraint component's *coefficients* and the objective depend on, and which rows have mutable
*bounds*. :meth:`DirectHighs.update` then pushes new numbers after ``LandModel.update``: all
mutable row bounds in one ``changeRowsBounds`` call; the objective (one ``changeColsCost``) and
the coefficient rows only of components whose Params actually changed (compared against a
snapshot; the old coefficients are read back from HiGHS with ``getRowsEntries``, no Python copy
of the matrix is kept). HiGHS keeps its basis, so the next ``run`` is a hot-started simplex.

Reading it back. :attr:`DirectHighs.highs_model` is the live highspy model; :attr:`DirectHighs.row_of`
(ConstraintData → row), :attr:`DirectHighs.col_of` (id of a VarData → column) and
:meth:`DirectHighs.var_at` (column → VarData) map rows and columns to the Pyomo model; they are
built lazily (only explanations pay for them). :class:`solvers.solved.Solved` wraps them for the
analyses. :meth:`DirectHighs.solve` returns an object with the fields of Pyomo's ``Results``
that ``solvers.highs`` reads.
"""

from __future__ import annotations

import os
import time
from array import array
from collections.abc import Mapping
from dataclasses import dataclass, field

import highspy
import numpy as np
import pyomo.environ as pyo
from pyomo.common.gc_manager import PauseGC
from pyomo.common.numeric_types import native_numeric_types, native_types
from pyomo.contrib.solver.common.results import SolutionStatus, TerminationCondition
from pyomo.core.base.param import ParamData, ScalarParam
from pyomo.core.expr.numeric_expr import MonomialTermExpression
from pyomo.repn.linear import LinearBeforeChildDispatcher, LinearRepnVisitor
from pyomo.repn.util import ExprType

_CONSTANT, _LINEAR = ExprType.CONSTANT, ExprType.LINEAR

INF = highspy.kHighsInf

HIGHS_LOG_ENV = "LANDQUOTA_HIGHS_LOG"
"""Environment variable: a file to which every HiGHS model the solvers create writes its log."""


def new_highs(log_file: str | None = None) -> highspy.Highs:
    """A highspy model that prints nothing on the terminal: its output is switched off *before*
    highspy's constructor would print the "Running HiGHS …" banner (highspy prints it when it sets up
    its callbacks with output on). ``log_file`` (default: ``$LANDQUOTA_HIGHS_LOG``) keeps the full log,
    banner included, in a file instead."""
    h = highspy.Highs.__new__(highspy.Highs)
    highspy._core._Highs.__init__(h)  # the C++ model, with its default options, silent so far
    h.setOptionValue("output_flag", False)
    highspy.Highs.__init__(h)  # highspy's own set-up (callbacks); the C++ model is kept as it is
    log_file = log_file or os.environ.get(HIGHS_LOG_ENV)
    if log_file:
        h.setOptionValue("log_to_console", False)
        h.setOptionValue("log_file", str(log_file))
        h.setOptionValue("output_flag", True)
    return h


# ---- the visitor: Pyomo's linear compiler, recording which Params it meets ----------------------


def _param_value(expr, log: list):
    """Value of a fixed (non-variable) expression, logging the Param components it reads. Fast
    for the shapes this model writes (a Param, or sums/products/quotients of Params and numbers)."""
    cls = expr.__class__
    if cls in native_numeric_types:
        return expr
    if cls is ParamData or cls is ScalarParam:
        log.append(expr.parent_component())
        return expr.value
    args = getattr(expr, "args", None)
    if args is not None:
        name = cls.__name__
        if name in ("NPV_ProductExpression", "ProductExpression") and len(args) == 2:
            return _param_value(args[0], log) * _param_value(args[1], log)
        if name in ("NPV_DivisionExpression", "DivisionExpression"):
            return _param_value(args[0], log) / _param_value(args[1], log)
        if name in ("NPV_SumExpression", "SumExpression"):
            return sum(_param_value(a, log) for a in args)
        if name in ("NPV_NegationExpression", "NegationExpression"):
            return -_param_value(args[0], log)
    # anything else: Pyomo's evaluator, and every mutable Param in it
    from pyomo.core.expr.visitor import identify_mutable_parameters

    log.extend(p.parent_component() for p in identify_mutable_parameters(expr))
    return pyo.value(expr)


class _Dispatcher(LinearBeforeChildDispatcher):
    """Pyomo's before-child dispatcher, with fast Param evaluation that logs what it reads."""

    @staticmethod
    def _before_param(visitor, child):
        visitor.param_log.append(child.parent_component())
        return False, (_CONSTANT, child.value)

    @staticmethod
    def _before_npv(visitor, child):
        return False, (_CONSTANT, _param_value(child, visitor.param_log))

    @staticmethod
    def _before_monomial(visitor, child):
        coef, var = child._args_
        if coef.__class__ not in native_types:
            coef = _param_value(coef, visitor.param_log)
        ans = visitor.Result()
        visitor.record_monomial(visitor, ans, coef, var)
        if ans.linear:
            return False, (_LINEAR, ans)
        return False, (_CONSTANT, ans.constant)

    @staticmethod
    def _before_linear(visitor, child):
        ans = visitor.Result()
        record = visitor.record_monomial
        log = visitor.param_log
        const = 0
        for arg in child.args:
            cls = arg.__class__
            if cls is MonomialTermExpression:
                coef, var = arg._args_
                if coef.__class__ not in native_types:
                    coef = _param_value(coef, log)
                record(visitor, ans, coef, var)
            elif cls in native_numeric_types:
                const += arg
            elif arg.is_variable_type():
                record(visitor, ans, 1, arg)
            else:
                const += _param_value(arg, log)
        ans.constant += const
        if ans.linear:
            return False, (_LINEAR, ans)
        return False, (_CONSTANT, ans.constant)

    @staticmethod
    def _before_named_expression(visitor, child):
        _id = id(child)
        cache = visitor.subexpression_cache
        if _id in cache:
            visitor.param_log.extend(cache.params[_id])
            _type, expr = cache[_id]
            return False, (_type, expr if _type is _CONSTANT else expr.duplicate())
        cache.entry[_id] = len(visitor.param_log)
        return True, None


class _NamedCache(dict):
    """Pyomo's subexpression cache, remembering the Params each named expression read."""

    def __init__(self):
        super().__init__()
        self.entry: dict[int, int] = {}
        self.params: dict[int, tuple] = {}
        self.log: list | None = None

    def __setitem__(self, key, value):
        start = self.entry.pop(key, len(self.log))
        self.params[key] = tuple({id(p): p for p in self.log[start:]}.values())
        super().__setitem__(key, value)


class _Recorder:
    """Columns are assigned up front; a Var met outside them is an error (it would not be solved)."""

    def __init__(self, var_map):
        self.var_map = var_map

    def add(self, var):
        raise ValueError(f"variable {var.name} is not part of the model being compiled")


class _Visitor(LinearRepnVisitor):
    before_child_dispatcher = _Dispatcher()

    def __init__(self, var_map: dict):
        cache = _NamedCache()
        super().__init__(cache, var_recorder=_Recorder(var_map))
        self.param_log: list = []
        cache.log = self.param_log

    def walk(self, expr):
        self.param_log.clear()
        return self.walk_expression(expr)


# ---- the compiled LP --------------------------------------------------------------------------


@dataclass
class Block:
    """One Pyomo component's slice of columns or rows."""

    component: object
    start: int
    stop: int
    data: list = field(repr=False)
    """The component's data objects, in slice order (rows: only the active, non-skipped ones)."""


@dataclass
class CompiledLP:
    columns: list[Block]
    rows: list[Block]
    col_lower: np.ndarray
    col_upper: np.ndarray
    integer: np.ndarray
    cost: np.ndarray
    offset: float
    maximise: bool
    row_lower: np.ndarray
    row_upper: np.ndarray
    row_const: np.ndarray
    """Constant of each row's body, moved into its bounds (``lower − c ≤ body − c ≤ upper − c``)."""
    a_start: np.ndarray | None
    a_index: np.ndarray | None
    a_value: np.ndarray | None
    """The CSR matrix as compiled; dropped once HiGHS holds it (``DirectHighs.set_instance``)."""
    nonzeros: int
    bound_rows: list[tuple[int, object]]
    """Rows whose bounds are mutable expressions: (row, ConstraintData)."""
    coef_params: dict[int, dict]
    """Constraint component (by row-block position) → {id: Param component} its coefficients read."""
    coef_rows: dict[int, np.ndarray]
    """Constraint component (by row-block position) → rows whose coefficients read a Param."""
    objective_params: dict
    objective: object
    _var_order: dict | None = field(repr=False)
    terms: dict = field(default_factory=dict, repr=False)
    """Named expressions inside the objective → (columns, coefficients, constant), so their values
    at a solution are dot products (``DirectHighs.expression_value``)."""

    @property
    def var_order(self) -> dict:
        """id(VarData) → column. Freed after compiling (it is the largest Python object the hand-off
        makes: ~90 MB at 3,000 units) and rebuilt on demand (re-compiling rows, the explain maps)."""
        if self._var_order is None:
            order: dict[int, int] = {}
            for b in self.columns:
                order.update(zip(map(id, b.data), range(b.start, b.stop)))
            self._var_order = order
        return self._var_order

    def release(self) -> None:
        self._var_order = None

    @property
    def num_col(self) -> int:
        return len(self.col_lower)

    @property
    def num_row(self) -> int:
        return len(self.row_lower)

    def column_block(self, component) -> Block:
        """The columns of a Var component (an empty slice if it has no data)."""
        try:
            return self._find(self.columns, component)
        except KeyError:
            if len(component):
                raise
            return Block(component, 0, 0, [])

    def row_block(self, component) -> Block | None:
        try:
            return self._find(self.rows, component)
        except KeyError:
            return None

    @staticmethod
    def _find(blocks, component):
        for b in blocks:
            if b.component is component:
                return b
        raise KeyError(getattr(component, "name", component))


def _bound(x, const: float, inf: float) -> float:
    if x is None:
        return inf
    if x.__class__ not in native_numeric_types:
        x = pyo.value(x)
    return x - const


def compile_lp(model) -> CompiledLP:
    """Compile the active LP of a Pyomo model (one objective; linear constraints only)."""
    with PauseGC():
        return _compile(model)


def _compile(model) -> CompiledLP:
    # ---- columns: every active Var component, contiguous, in index order ----
    columns: list[Block] = []
    var_order: dict[int, int] = {}
    lower: list = []
    upper: list = []
    integer: list = []
    n = 0
    for comp in model.component_objects(pyo.Var, active=True, descend_into=True):
        data = list(comp.values())
        if not data:
            continue
        columns.append(Block(comp, n, n + len(data), data))
        var_order.update(zip(map(id, data), range(n, n + len(data))))
        n += len(data)
        lb, ub, ints = _var_bounds(data)
        lower.append(lb)
        upper.append(ub)
        integer.append(ints)
    visitor = _Visitor(var_order)  # the visitor only tests membership in its var map

    # ---- objective ----
    objectives = list(model.component_data_objects(pyo.Objective, active=True, descend_into=True))
    if len(objectives) != 1:
        raise ValueError(f"expected one active objective, found {len(objectives)}")
    obj = objectives[0]
    repn = visitor.walk(obj.expr)
    _linear_only(repn, obj)
    cost = np.zeros(n)
    if repn.linear:
        cost[np.fromiter(map(var_order.__getitem__, repn.linear), np.int64, len(repn.linear))] = list(
            repn.linear.values())
    objective_params = {id(p): p for p in visitor.param_log}
    offset = float(pyo.value(repn.constant))
    terms = _terms(visitor, var_order)
    visitor = _Visitor(var_order)  # rows: a fresh cache (the objective's terms are kept as arrays)

    # ---- rows ----
    rows: list[Block] = []
    row_lo: list[float] = []
    row_up: list[float] = []
    row_c: list[float] = []
    starts = [0]
    a_index = array("i")  # filled row by row: no per-row dict outlives its row
    a_value = array("d")
    bound_rows: list[tuple[int, object]] = []
    coef_params: dict[int, dict] = {}
    coef_rows: dict[int, np.ndarray] = {}
    nnz = 0
    r = 0
    log = visitor.param_log
    get = var_order.__getitem__
    for comp in model.component_objects(pyo.Constraint, active=True, descend_into=True):
        data = []
        start = r
        block_no = len(rows)
        params: dict = {}
        flagged: list[int] = []
        for cd in comp.values():
            if not cd.active:
                continue
            lb, body, ub = cd.to_bounded_expression()
            if lb is None and ub is None:
                continue
            repn = visitor.walk(body)
            _linear_only(repn, cd)
            if log:
                for p in log:
                    params[id(p)] = p
                flagged.append(r)
            const = repn.constant
            if const.__class__ not in native_numeric_types:
                const = pyo.value(const)
            if (lb is not None and lb.__class__ not in native_numeric_types) or (
                    ub is not None and ub.__class__ not in native_numeric_types):
                bound_rows.append((r, cd))
            row_lo.append(_bound(lb, const, -INF))
            row_up.append(_bound(ub, const, INF))
            row_c.append(const)
            lin = repn.linear
            nnz += len(lin)
            starts.append(nnz)
            a_index.extend(map(get, lin))
            a_value.extend(lin.values())
            data.append(cd)
            r += 1
        if data:
            rows.append(Block(comp, start, r, data))
            if params:
                coef_params[block_no] = params
                coef_rows[block_no] = np.array(flagged, dtype=np.int64)
    return CompiledLP(
        columns=columns,
        rows=rows,
        col_lower=np.concatenate(lower) if lower else np.zeros(0),
        col_upper=np.concatenate(upper) if upper else np.zeros(0),
        integer=np.concatenate(integer) if integer else np.zeros(0, bool),
        cost=cost,
        offset=offset,
        maximise=obj.sense == pyo.maximize,
        row_lower=np.array(row_lo, dtype=np.float64),
        row_upper=np.array(row_up, dtype=np.float64),
        row_const=np.array(row_c, dtype=np.float64),
        a_start=np.array(starts, dtype=np.int32),
        a_index=np.frombuffer(a_index, dtype=np.int32) if nnz else np.zeros(0, np.int32),
        a_value=np.frombuffer(a_value, dtype=np.float64) if nnz else np.zeros(0),
        nonzeros=nnz,
        bound_rows=bound_rows,
        coef_params=coef_params,
        coef_rows=coef_rows,
        objective_params=objective_params,
        objective=obj,
        _var_order=var_order,
        terms={**_terms(visitor, var_order), **terms},  # every named expression met, as arrays
    )


def _terms(visitor: "_Visitor", var_order: dict) -> dict:
    """The named expressions a visitor has compiled, as (columns, coefficients, constant) arrays."""
    out = {}
    for key, (kind, repn) in visitor.subexpression_cache.items():
        if kind is _CONSTANT:
            out[key] = (np.zeros(0, np.int64), np.zeros(0), float(pyo.value(repn)))
            continue
        mult = repn.multiplier
        n = len(repn.linear)
        cols = np.fromiter(map(var_order.__getitem__, repn.linear), np.int64, n)
        coef = np.fromiter(repn.linear.values(), np.float64, n) * mult
        const = repn.constant if repn.constant.__class__ in native_numeric_types else pyo.value(repn.constant)
        out[key] = (cols, coef, float(mult * const))
    return out


def _linear_only(repn, owner) -> None:
    if repn.nonlinear is not None:
        raise ValueError(f"{owner.name} is not linear; HiGHS here solves LPs and MIPs only")


def _var_bounds(data: list) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Bounds and integrality of one Var component's data (fixed variables are fixed columns)."""
    n = len(data)
    lb = np.empty(n)
    ub = np.empty(n)
    ints = np.zeros(n, dtype=bool)
    for i, v in enumerate(data):
        lo, up = v.bounds
        if v.fixed:
            lo = up = v.value
        lb[i] = -INF if lo is None else lo
        ub[i] = INF if up is None else up
        if v.is_integer():
            ints[i] = True
    return lb, ub, ints


# ---- the solver ---------------------------------------------------------------------------------

_MS = highspy.HighsModelStatus
_TERMINATION = {
    _MS.kOptimal: TerminationCondition.convergenceCriteriaSatisfied,
    _MS.kInfeasible: TerminationCondition.provenInfeasible,
    _MS.kUnboundedOrInfeasible: TerminationCondition.infeasibleOrUnbounded,
    _MS.kUnbounded: TerminationCondition.unbounded,
    _MS.kTimeLimit: TerminationCondition.maxTimeLimit,
    _MS.kIterationLimit: TerminationCondition.iterationLimit,
    _MS.kSolutionLimit: TerminationCondition.iterationLimit,
    _MS.kObjectiveBound: TerminationCondition.objectiveLimit,
    _MS.kObjectiveTarget: TerminationCondition.objectiveLimit,
    _MS.kInterrupt: TerminationCondition.interrupted,
    _MS.kLoadError: TerminationCondition.error,
    _MS.kModelError: TerminationCondition.error,
    _MS.kPresolveError: TerminationCondition.error,
    _MS.kSolveError: TerminationCondition.error,
    _MS.kPostsolveError: TerminationCondition.error,
}
"""HiGHS model status → Pyomo termination condition, as Pyomo's own HiGHS interface maps it."""


class DualView(Mapping):
    """Row duals as a read-only mapping ConstraintData → dual (what Pyomo's ``get_duals`` returns),
    plus :meth:`rows` for whole components as arrays (``solvers.duals`` uses that)."""

    def __init__(self, owner: "DirectHighs"):
        self._owner = owner

    def rows(self, component):
        """(ConstraintData list, duals, lower bounds, upper bounds) of one component's rows; the
        bounds as the constraint states them (the body's constant added back), ±inf if absent."""
        got = self._owner.duals(component)
        if got is None:
            return None
        data, duals = got
        lp, b = self._owner.lp, self._owner.lp.row_block(component)
        return data, duals, _stated(lp.row_lower, lp.row_const, b), _stated(lp.row_upper, lp.row_const, b)

    def __getitem__(self, cd) -> float:
        return float(self._owner.row_dual[self._owner.row_of[cd]])

    def __iter__(self):
        return iter(self._owner.row_of)

    def __len__(self) -> int:
        return self._owner.lp.num_row


def _stated(bound: np.ndarray, const: np.ndarray, b: Block) -> np.ndarray:
    x, c = bound[b.start:b.stop], const[b.start:b.stop]
    return np.where(c == 0.0, x, x + c)  # ±inf: no bound


class _Loader:
    """The two calls of Pyomo's solution loader that ``solvers.highs`` makes."""

    def __init__(self, owner: "DirectHighs"):
        self._owner = owner

    def load_vars(self) -> None:
        self._owner.load_vars()

    def get_duals(self) -> Mapping:
        return DualView(self._owner) if self._owner.row_dual is not None else {}


@dataclass
class DirectResults:
    termination_condition: TerminationCondition
    solution_status: SolutionStatus
    incumbent_objective: float | None
    solution_loader: _Loader
    highs_s: float
    simplex_iterations: int
    ipm_iterations: int


class DirectHighs:
    """A persistent highspy model of a compiled Pyomo LP (see the module docstring)."""

    def __init__(self):
        self.highs_model: highspy.Highs | None = None
        self.model = None
        self.lp: CompiledLP | None = None
        self._snapshot: dict = {}
        self.col_value: np.ndarray | None = None
        self.row_dual: np.ndarray | None = None
        self._con_map = self._var_map = self._vars_map = None
        self._solved = False
        self.compile_s = self.pass_s = self.update_s = self.run_s = 0.0

    @staticmethod
    def version() -> tuple[int, int, int]:
        return highspy.HIGHS_VERSION_MAJOR, highspy.HIGHS_VERSION_MINOR, highspy.HIGHS_VERSION_PATCH

    # ---- loading and updating ------------------------------------------------------------------
    def set_instance(self, model) -> None:
        t0 = time.perf_counter()
        self.model = model
        self.lp = lp = compile_lp(model)
        self._snapshot = self._param_snapshot(self._tracked_params())
        t1 = time.perf_counter()
        h = new_highs()
        integrality = lp.integer.astype(np.int32)  # 0 continuous, 1 integer (HighsVarType)
        status = h.passModel(
            lp.num_col, lp.num_row, len(lp.a_value), int(highspy.MatrixFormat.kRowwise),
            int(highspy.ObjSense.kMaximize if lp.maximise else highspy.ObjSense.kMinimize), lp.offset,
            lp.cost, lp.col_lower, lp.col_upper, lp.row_lower, lp.row_upper,
            lp.a_start, lp.a_index, lp.a_value, integrality,
        )
        if status == highspy.HighsStatus.kError:
            raise RuntimeError("HiGHS rejected the compiled model")
        self.highs_model = h
        lp.release()  # the id map is rebuilt only if a re-solve must recompile rows, or for explanations
        lp.a_start = lp.a_index = lp.a_value = None  # HiGHS holds the matrix now (getRowsEntries)
        self._con_map = self._var_map = self._vars_map = None
        self.col_value = self.row_dual = None
        self._solved = False
        self.compile_s, self.pass_s = t1 - t0, time.perf_counter() - t1

    def _tracked_params(self) -> dict:
        lp = self.lp
        out = dict(lp.objective_params)
        for ps in lp.coef_params.values():
            out.update(ps)
        return out

    @staticmethod
    def _param_snapshot(params: dict) -> dict:
        return {k: (p, _values(p)) for k, p in params.items()}

    def update(self) -> None:
        """Push the model's current mutable Param values into HiGHS (structure unchanged)."""
        t0 = time.perf_counter()
        lp, h = self.lp, self.highs_model
        if lp.bound_rows:
            idx = np.fromiter((r for r, _ in lp.bound_rows), np.int32, len(lp.bound_rows))
            lo = np.empty(len(idx))
            up = np.empty(len(idx))
            for k, (r, cd) in enumerate(lp.bound_rows):
                lb, _, ub = cd.to_bounded_expression()
                c = lp.row_const[r]
                lo[k] = _bound(lb, c, -INF)
                up[k] = _bound(ub, c, INF)
            changed = (lo != lp.row_lower[idx]) | (up != lp.row_upper[idx])
            if changed.any():
                sel = idx[changed]
                h.changeRowsBounds(len(sel), sel, lo[changed], up[changed])
                lp.row_lower[sel] = lo[changed]
                lp.row_upper[sel] = up[changed]
        tracked, snap = self._tracked_params(), self._snapshot
        changed_params = {k for k, p in tracked.items() if k not in snap or not _same(_values(p), snap[k][1])}
        if changed_params:
            if changed_params & lp.objective_params.keys():
                self._update_objective()
            for block_no, params in lp.coef_params.items():
                if changed_params & params.keys():
                    self._update_rows(block_no)
            self._snapshot = self._param_snapshot(self._tracked_params())
        self.update_s = time.perf_counter() - t0

    def _update_objective(self) -> None:
        lp, h = self.lp, self.highs_model
        visitor = _Visitor(lp.var_order)
        repn = visitor.walk(lp.objective.expr)
        cost = np.zeros(lp.num_col)
        if repn.linear:
            cost[np.fromiter(map(lp.var_order.__getitem__, repn.linear), np.int64, len(repn.linear))] = list(
                repn.linear.values())
        lp.terms = _terms(visitor, lp.var_order)
        diff = np.flatnonzero(cost != lp.cost)
        if len(diff):
            h.changeColsCost(len(diff), diff.astype(np.int32), cost[diff])
            lp.cost = cost
        offset = float(pyo.value(repn.constant))
        if offset != lp.offset:
            h.changeObjectiveOffset(offset)
            lp.offset = offset

    def _update_rows(self, block_no: int) -> None:
        """Recompile the rows of one constraint component whose coefficients read a changed Param,
        and push every coefficient that differs from what HiGHS holds."""
        lp, h = self.lp, self.highs_model
        block = lp.rows[block_no]
        rows = lp.coef_rows[block_no]
        status, start, index, value = h.getRowsEntries(len(rows), rows.astype(np.int32))
        if status == highspy.HighsStatus.kError:
            raise RuntimeError("HiGHS could not return the rows to update")
        start = np.append(start, len(index)).tolist()
        index, value = index.tolist(), value.tolist()
        visitor = _Visitor(lp.var_order)
        get = lp.var_order.__getitem__
        for n, r in enumerate(rows.tolist()):
            cd = block.data[r - block.start]
            lb, body, ub = cd.to_bounded_expression()
            repn = visitor.walk(body)
            new = {get(k): v for k, v in repn.linear.items()}
            old = dict(zip(index[start[n]:start[n + 1]], value[start[n]:start[n + 1]]))
            for col in old.keys() | new.keys():
                v = new.get(col, 0.0)
                if old.get(col, 0.0) != v:
                    h.changeCoeff(r, col, v)  # 0 removes the entry, a new column adds one
            const = repn.constant if repn.constant.__class__ in native_numeric_types else pyo.value(repn.constant)
            if const != lp.row_const[r]:
                lp.row_const[r] = const
                lo, up = _bound(lb, const, -INF), _bound(ub, const, INF)
                h.changeRowBounds(r, lo, up)
                lp.row_lower[r], lp.row_upper[r] = lo, up
        lp.terms.update(_terms(visitor, lp.var_order))

    # ---- solving -------------------------------------------------------------------------------
    def solve(self, model=None, *, time_limit: float | None = None, solver_options: dict | None = None,
              **_ignored) -> DirectResults:
        """Solve (compiling ``model`` first if it is not the one loaded). Options as Pyomo's."""
        if model is not None and model is not self.model:
            self.set_instance(model)
        elif self._solved:
            self.update()  # like Pyomo's auto_updates: push any Param changed since the last solve
        self._solved = True
        h = self.highs_model
        if time_limit is not None:
            h.setOptionValue("time_limit", float(time_limit))
        for k, v in (solver_options or {}).items():
            h.setOptionValue(k, v)
        t0 = time.perf_counter()
        h.run()
        self.run_s = highs_s = time.perf_counter() - t0
        status = h.getModelStatus()
        info = h.getInfo()
        has_solution = info.primal_solution_status == 2
        sol = h.getSolution()
        self.col_value = np.asarray(sol.col_value) if sol.value_valid else None
        self.row_dual = np.asarray(sol.row_dual) if sol.dual_valid else None
        if status == highspy.HighsModelStatus.kOptimal:
            sstat = SolutionStatus.optimal
        elif has_solution:
            sstat = SolutionStatus.feasible
        else:
            sstat = SolutionStatus.noSolution
        return DirectResults(
            termination_condition=_TERMINATION.get(status, TerminationCondition.unknown),
            solution_status=sstat,
            incumbent_objective=float(info.objective_function_value) if has_solution else None,
            solution_loader=_Loader(self),
            highs_s=highs_s,
            simplex_iterations=int(info.simplex_iteration_count),
            ipm_iterations=int(info.ipm_iteration_count),
        )

    # ---- reading the answer --------------------------------------------------------------------
    def values(self, component) -> np.ndarray:
        """Primal values of one Var component, in its index order (``component.keys()``)."""
        b = self.lp.column_block(component)
        return self.col_value[b.start:b.stop]

    def duals(self, component) -> tuple[list, np.ndarray] | None:
        """(ConstraintData list, row duals) of one Constraint component; None if it has no rows."""
        b = self.lp.row_block(component)
        if b is None:
            return None
        return b.data, self.row_dual[b.start:b.stop]

    def expression_value(self, expr, col: np.ndarray | None = None) -> float:
        """Value of a linear Pyomo expression at the solution (or at ``col``), without loading the
        solution into the Pyomo variables; the objective's named terms are already compiled."""
        col = self.col_value if col is None else col
        term = self.lp.terms.get(id(expr))
        if term is not None:
            cols, coef, const = term
            return float(coef @ col[cols]) + const if len(cols) else const
        repn = _Visitor(self.lp.var_order).walk(expr)
        value = repn.constant if repn.constant.__class__ in native_numeric_types else pyo.value(repn.constant)
        if repn.linear:
            n = len(repn.linear)
            idx = np.fromiter(map(self.lp.var_order.__getitem__, repn.linear), np.int64, n)
            coef = np.fromiter(repn.linear.values(), np.float64, n)
            value += float(coef @ col[idx])
        return float(value)

    def load_vars(self) -> None:
        """Copy the primal values into the Pyomo variables (only for callers that read them)."""
        if self.col_value is None:
            return
        for b in self.lp.columns:
            for v, x in zip(b.data, self.col_value[b.start:b.stop].tolist()):
                v.set_value(x, skip_validation=True)

    # ---- rows and columns ↔ the Pyomo model (for solvers.solved.Solved) ----------------------
    @property
    def row_of(self) -> dict:
        """ConstraintData → HiGHS row."""
        if self._con_map is None:
            self._con_map = {}
            for b in self.lp.rows:
                self._con_map.update(zip(b.data, range(b.start, b.stop)))
        return self._con_map

    @property
    def col_of(self) -> dict:
        """id(VarData) → HiGHS column."""
        return self.lp.var_order

    def var_at(self, col: int):
        """The VarData of a HiGHS column."""
        if self._vars_map is None:
            self._vars_map = [v for b in self.lp.columns for v in b.data]
        return self._vars_map[col]


def write_mps(direct: DirectHighs, path: str) -> None:
    """Write the LP held by ``direct`` as MPS with Pyomo's symbolic names (as its MPS writer makes
    them with ``symbolic_solver_labels``), rows and columns in the order HiGHS solves them."""
    from pyomo.core.base.label import TextLabeler

    label = TextLabeler()
    lp = direct.highs_model.getLp()
    lp.col_names_ = [label(v) for b in direct.lp.columns for v in b.data]
    lp.row_names_ = [label(cd) for b in direct.lp.rows for cd in b.data]
    h = new_highs()
    h.passModel(lp)
    if h.writeModel(str(path)) == highspy.HighsStatus.kError:
        raise RuntimeError(f"HiGHS could not write {path}")


def _values(p) -> object:
    """Current values of a Param component (scalar or indexed), for change detection."""
    if p.is_indexed():
        return np.fromiter((v.value if hasattr(v, "value") else v for v in p.values()), np.float64, len(p))
    return p.value


def _same(a, b) -> bool:
    if isinstance(a, np.ndarray):
        return isinstance(b, np.ndarray) and a.shape == b.shape and bool(np.array_equal(a, b))
    return a == b
