"""Sensitivity ranges from HiGHS, read from the live highspy model.

Pyomo does not expose HiGHS ranging, so this module talks to the highspy model that solved the LP
(``solvers.solved.Solved.highs``: the one :mod:`solvers.handoff` passed the compiled LP to, or the
one Pyomo's persistent interface keeps) and the caller maps rows and columns back with the maps of
:class:`solvers.solved.Solved`. ``constraints.txt`` pins pyomo and highspy, and
``tests/test_explain.py`` checks every number here against re-solves. Reading the live model costs
one ``getRanging()`` call; nothing is solved twice.

Sign conventions (checked by finite differences in ``tests/test_explain.py``):

* Pyomo hands HiGHS the objective as it is written, ``ObjSense.kMaximize`` (it does not negate
  it), and HiGHS reports everything in that sense: ``row_dual[i]`` = ∂objective/∂(bound of row i)
  — positive for a binding upper limit, negative for a binding floor; ``col_dual[j]`` =
  c_j − a_jᵀy (positive for a column held at its upper bound, negative at its lower bound).
* ``getRanging().row_bound_up/dn.value_`` are *bound values* (not changes) between which the
  current basis, hence the row's dual, stays optimal; ``objective_`` is the (maximised) objective
  at that end. ``col_cost_up/dn.value_`` are *cost values* between which the current basis, hence
  the allocation, stays optimal.
* A Pyomo constraint ``body ≤ limit`` reaches HiGHS as ``body − constant ≤ limit − constant``, and
  a floor written with variables on both sides (``a ≥ b·x``) is stored as the upper bound
  ``b·x − a ≤ 0``. :mod:`solvers.explain` recovers the constant (Pyomo's bound minus HiGHS's) and
  the flip (the rule's declared ``sense``, as :mod:`solvers.duals` does), so ranges are reported
  on the limit as the rule states it.

A domain parameter can touch several columns (a city's land value prices general-use land *and*
revitalised stock, in every plan year, with discount factors). HiGHS ranges one cost at a time,
which is not the same as moving all of them together, so :meth:`HighsRanging.cost_direction_range`
ranges the cost vector along a direction ``d`` exactly: with the optimal basis B, moving costs by
θ·d moves the row duals by θ·Δy where Bᵀ Δy = d_B (one ``getBasisTransposeSolve``), the reduced
costs of nonbasic columns by θ·(d_j − a_jᵀ Δy), and those of nonbasic rows by θ·Δy_i; the basis
stays optimal while every nonbasic reduced cost keeps its sign. For a single column this gives
exactly HiGHS's ``col_cost_up/dn`` (tested). Past a time budget, :meth:`cost_direction_range_100`
gives the 100% rule's guaranteed-inside interval from the single-column ranges (no solve).

Degeneracy. HiGHS ranges are those of the current *basis*. At a degenerate vertex the basis can
change while the price (or the plan) does not, and at a corner the dual is only one subgradient:
the value of *one more* unit can differ from it (e.g. a pool that a fully selected project already
fills). :class:`RangeExtender` probes just past each finite end with a warm re-solve of a copy of
the LP (the solver's own model is untouched): the same dual there means the range goes on (range
again from there); a different one is the true end and the price beyond it. Ends are exact to
within one probing step (:meth:`RangeExtender.step`). A time budget bounds the probes; ranges it
could not confirm are flagged.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

import highspy
import numpy as np

from landquota.solvers.handoff import new_highs

_BS = highspy.HighsBasisStatus
_TOL = 1e-9
INF = float("inf")


class RangingUnavailable(RuntimeError):
    """No optimal simplex basis (a MIP, an interior-point solve without crossover, no solution)."""


@dataclass(frozen=True)
class RowRange:
    low: float
    """Lowest value of the row's bound for which its dual holds (−inf: no limit)."""
    high: float
    objective_low: float
    objective_high: float


def _need_signs(status: np.ndarray, lower: np.ndarray, upper: np.ndarray, maximise: bool) -> np.ndarray:
    """Sign each nonbasic reduced cost must keep for the basis to stay optimal.

    +1: must stay ≥ 0; −1: ≤ 0; 0: must stay exactly 0 (a free nonbasic); 2: anything goes
    (basic, or a fixed variable / equality row, whose dual may take either sign).
    For a minimisation a variable at its lower bound needs a reduced cost ≥ 0; maximising flips it.
    """
    flip = -1 if maximise else 1
    need = np.full(status.shape, 2, dtype=np.int8)
    need[status == int(_BS.kLower)] = flip
    need[status == int(_BS.kUpper)] = -flip
    need[status == int(_BS.kZero)] = 0
    with np.errstate(invalid="ignore"):
        fixed = np.isfinite(lower) & np.isfinite(upper) & (np.abs(upper - lower) <= _TOL * (1 + np.abs(lower)))
    need[fixed] = 2
    return need


class HighsRanging:
    """Ranging data of the model a highspy ``Highs`` object has just solved to optimality."""

    def __init__(self, h: highspy.Highs):
        self.h = h
        if h.getModelStatus() != highspy.HighsModelStatus.kOptimal:
            raise RangingUnavailable("the model is not solved to optimality")
        info = h.getInfo()
        if self._is_mip(h):
            raise RangingUnavailable("ranging needs an LP; this is a MIP (whole projects)")
        basis = h.getBasis()
        sol = h.getSolution()
        if not basis.valid or not sol.dual_valid:
            raise RangingUnavailable("no optimal basis (solve with simplex, or IPM with crossover)")
        status, rg = h.getRanging()
        if status != highspy.HighsStatus.kOk or not rg.valid:
            raise RangingUnavailable("HiGHS could not compute ranging data")
        self.rg = rg
        # pybind copies a whole list on every attribute access: read each once
        self.row_up = np.asarray(rg.row_bound_up.value_, dtype=float)
        self.row_dn = np.asarray(rg.row_bound_dn.value_, dtype=float)
        self.row_up_obj = np.asarray(rg.row_bound_up.objective_, dtype=float)
        self.row_dn_obj = np.asarray(rg.row_bound_dn.objective_, dtype=float)
        self.cost_up = np.asarray(rg.col_cost_up.value_, dtype=float)
        self.cost_dn = np.asarray(rg.col_cost_dn.value_, dtype=float)
        # the variable entering the basis at each end (column j, or row n + i; −1: none)
        self.row_up_in = np.asarray(rg.row_bound_up.in_var_, dtype=np.int64)
        self.row_dn_in = np.asarray(rg.row_bound_dn.in_var_, dtype=np.int64)
        # the variable leaving the basis at each end of a cost range
        self.cost_up_out = np.asarray(rg.col_cost_up.ou_var_, dtype=np.int64)
        self.cost_dn_out = np.asarray(rg.col_cost_dn.ou_var_, dtype=np.int64)
        lp = h.getLp()
        self.lp = lp
        self.maximise = h.getObjectiveSense()[1] == highspy.ObjSense.kMaximize
        self.n, self.m = lp.num_col_, lp.num_row_
        self.col_cost = np.asarray(lp.col_cost_, dtype=float)
        self.col_lower = np.asarray(lp.col_lower_, dtype=float)
        self.col_upper = np.asarray(lp.col_upper_, dtype=float)
        self.row_lower = np.asarray(lp.row_lower_, dtype=float)
        self.row_upper = np.asarray(lp.row_upper_, dtype=float)
        self.basis = basis
        self.col_value = np.asarray(sol.col_value, dtype=float)
        self.row_value = np.asarray(sol.row_value, dtype=float)
        self.col_dual = np.asarray(sol.col_dual, dtype=float)
        self.row_dual = np.asarray(sol.row_dual, dtype=float)
        self.objective = float(info.objective_function_value)
        col_status = np.array([int(s) for s in basis.col_status], dtype=np.int8)
        row_status = np.array([int(s) for s in basis.row_status], dtype=np.int8)
        self.col_need = _need_signs(col_status, self.col_lower, self.col_upper, self.maximise)
        self.row_need = _need_signs(row_status, self.row_lower, self.row_upper, self.maximise)
        _, self.basic = h.getBasicVariables()
        self.basic = np.asarray(self.basic)
        self._csr = None

    @staticmethod
    def _is_mip(h: highspy.Highs) -> bool:
        integrality = h.getLp().integrality_
        return any(int(t) != int(highspy.HighsVarType.kContinuous) for t in integrality)

    # ---- limits (row bounds) -------------------------------------------------------------------
    def row_range(self, i: int) -> RowRange:
        return RowRange(low=float(self.row_dn[i]), high=float(self.row_up[i]),
                        objective_low=float(self.row_dn_obj[i]), objective_high=float(self.row_up_obj[i]))

    def row_end_changes_price(self, i: int, direction: int) -> bool:
        """True when, at HiGHS's end of row i's range, the row's dual certainly changes: the variable
        entering the basis there has a non-zero reduced cost, so the dual simplex step is not zero (or
        nothing can enter: no feasible plan beyond). False: a degenerate end, the price may go on."""
        q = int((self.row_up_in if direction > 0 else self.row_dn_in)[i])
        if q < 0:
            return True
        rc = self.col_dual[q] if q < self.n else self.row_dual[q - self.n]
        return abs(rc) > 1e-9

    def cost_end_changes_plan(self, j: int, direction: int) -> bool:
        """True when, at HiGHS's end of column j's cost range, the plan certainly changes: the variable
        leaving the basis there is strictly inside its bounds, so the primal step is not zero."""
        q = int((self.cost_up_out if direction > 0 else self.cost_dn_out)[j])
        if q < 0:
            return True
        if q < self.n:
            v, lo, up = self.col_value[q], self.col_lower[q], self.col_upper[q]
        else:
            v, lo, up = self.row_value[q - self.n], self.row_lower[q - self.n], self.row_upper[q - self.n]
        tol = 1e-7 * (1 + abs(v))
        return v - lo > tol and up - v > tol

    def row_bound(self, i: int) -> float:
        """The bound of row i that is binding (upper if finite and its dual says so, else lower)."""
        lo, up = self.row_lower[i], self.row_upper[i]
        if np.isfinite(up) and (not np.isfinite(lo) or (self.row_dual[i] >= 0) == self.maximise):
            return float(up)
        return float(lo)

    # ---- costs ---------------------------------------------------------------------------------
    def col_cost_range(self, j: int) -> tuple[float, float]:
        """HiGHS's own cost range of one column: (lowest, highest) cost keeping the basis optimal."""
        return float(self.cost_dn[j]), float(self.cost_up[j])

    def cost_direction_range(self, direction: dict[int, float], single_by_highs: bool = True) -> tuple[float, float]:
        """Interval [θlo, θhi] (θlo ≤ 0 ≤ θhi, ±inf when unlimited) such that the basis, and so the
        allocation, stays optimal for costs c + θ·d. ``direction`` maps column → d_j.
        A single column is read from HiGHS's own ranging unless ``single_by_highs`` is False (the
        tests use that to check this computation against HiGHS)."""
        cols = np.fromiter(direction.keys(), dtype=np.int64, count=len(direction))
        d = np.zeros(self.n)
        d[cols] = np.fromiter(direction.values(), dtype=float, count=len(direction))
        if len(cols) == 1 and single_by_highs:
            # One column: HiGHS's own ranging is exact and already computed.
            j, dj = int(cols[0]), float(d[cols[0]])
            lo, hi = self.col_cost_range(j)
            c = self.col_cost[j]
            if dj < 0:
                lo, hi = -(hi - c), -(lo - c)
                return lo / -dj, hi / -dj
            return (lo - c) / dj, (hi - c) / dj
        d_basic = np.where(self.basic >= 0, d[np.clip(self.basic, 0, None)], 0.0)
        if np.any(d_basic):
            _, dy = self.h.getBasisTransposeSolve(d_basic)
            dy = np.asarray(dy, dtype=float)
        else:
            dy = np.zeros(self.m)
        rows = np.flatnonzero(np.abs(dy) > 0.0)
        touched, aty = self._at_times(dy, rows)
        cols_all = np.union1d(touched, cols)
        aty_all = np.zeros(len(cols_all))
        aty_all[np.searchsorted(cols_all, touched)] = aty  # touched ⊆ cols_all
        slope = d[cols_all] - aty_all
        lo, hi = self._bounds(self.col_dual[cols_all], slope, self.col_need[cols_all])
        a, b = self._bounds(self.row_dual[rows], dy[rows], self.row_need[rows])
        return max(lo, a), min(hi, b)

    def cost_direction_range_100(self, direction: dict[int, float]) -> tuple[float, float]:
        """A guaranteed-inside (possibly narrower) interval for c + θ·d from the single-column ranges
        alone (the 100% rule: the basis stays optimal while Σ_j |θ·d_j| / allowance_j ≤ 1). No solve:
        used when the time for exact joint ranges is spent."""
        up = down = 0.0
        for j, dj in direction.items():
            if dj == 0:
                continue
            c = self.col_cost[j]
            room_up = (self.cost_up[j] - c) if dj > 0 else (c - self.cost_dn[j])  # θ > 0 moves c_j by θ·d_j
            room_dn = (c - self.cost_dn[j]) if dj > 0 else (self.cost_up[j] - c)
            up += abs(dj) / room_up if room_up > 0 else INF
            down += abs(dj) / room_dn if room_dn > 0 else INF
        hi = INF if up == 0 else (0.0 if up == INF else 1.0 / up)
        lo = -INF if down == 0 else (0.0 if down == INF else -1.0 / down)
        return lo, hi

    @staticmethod
    def _bounds(r: np.ndarray, s: np.ndarray, need: np.ndarray) -> tuple[float, float]:
        """θ interval keeping need·(r + θ·s) ≥ 0 for every entry with need ∈ {−1, +1}, and r + θ·s = 0
        where need = 0."""
        lo, hi = -INF, INF
        moving = np.abs(s) > _TOL
        zero = moving & (need == 0)
        if np.any(zero):
            return 0.0, 0.0
        sel = moving & ((need == 1) | (need == -1))
        if not np.any(sel):
            return lo, hi
        nk, rk, sk = need[sel].astype(float), r[sel], s[sel]
        rk = np.where(nk * rk > 0, rk, 0.0)  # a reduced cost a hair on the wrong side counts as 0
        t = -rk / sk
        up = nk * sk < 0  # need·r shrinks as θ grows: an upper limit on θ
        if np.any(up):
            hi = float(np.min(t[up]))
        if np.any(~up):
            lo = float(np.max(t[~up]))
        return lo, hi

    def _row_wise(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """(row starts, column of each entry, value of each entry) of A by rows, built once."""
        if self._csr is None:
            a = self.lp.a_matrix_
            start = np.asarray(a.start_, dtype=np.int64)
            col_of = np.repeat(np.arange(self.n), np.diff(start))
            index = np.asarray(a.index_, dtype=np.int64)
            order = np.argsort(index, kind="stable")
            row_start = np.zeros(self.m + 1, dtype=np.int64)
            np.cumsum(np.bincount(index, minlength=self.m), out=row_start[1:])
            self._csr = (row_start, col_of[order], np.asarray(a.value_, dtype=float)[order])
        return self._csr

    def row_columns(self, i: int) -> list[int]:
        """Columns with a non-zero in row i."""
        row_start, col_of, _ = self._row_wise()
        return [int(j) for j in col_of[row_start[i]:row_start[i + 1]]]

    def _at_times(self, y: np.ndarray, rows: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """(columns, (Aᵀy)[columns]) for the columns that meet a row where y ≠ 0 (``rows``), using a
        row-wise copy of HiGHS's column-wise matrix built once."""
        row_start, col_of, value = self._row_wise()
        if len(rows) == 0:
            return np.zeros(0, dtype=np.int64), np.zeros(0)
        lengths = row_start[rows + 1] - row_start[rows]
        total = int(lengths.sum())
        if total == 0:
            return np.zeros(0, dtype=np.int64), np.zeros(0)
        # positions of every entry of the selected rows, without a Python loop
        seg_first = np.repeat(row_start[rows] - np.cumsum(lengths) + lengths, lengths)
        pos = seg_first + np.arange(total)
        contrib = value[pos] * np.repeat(y[rows], lengths)
        touched, inverse = np.unique(col_of[pos], return_inverse=True)
        aty = np.zeros(len(touched))
        np.add.at(aty, inverse, contrib)
        return touched, aty


class RangeExtender:
    """Confirm or widen basis ranges where the LP is degenerate, by warm re-solves of a copy.

    HiGHS ranges are those of the *current basis*. At a degenerate vertex the basis can change while
    the shadow price (or the allocation) does not, so a basis range can be narrower than the interval
    the planner asks about. For each finite end this probes just beyond it (one warm re-solve of a
    copy of the LP, the solver's own model untouched): if the price (or allocation) is still the
    same, it ranges again from there and moves the end; otherwise the end is exact. ``budget`` caps
    the number of re-solves; ends left unconfirmed are reported as such.
    """

    def __init__(self, r: HighsRanging, budget: int = 200, seconds: float = 2.0):
        self.r = r
        self.maximise = r.maximise
        self.budget = budget
        self.deadline = time.perf_counter() + seconds
        self.used = 0
        self.h = new_highs()
        self.h.passModel(r.lp)
        self.h.setBasis(r.basis)

    def renew(self, seconds: float) -> None:
        """A fresh time allowance (the re-solve count budget carries on)."""
        self.deadline = time.perf_counter() + seconds

    def exhausted(self) -> bool:
        return self.used >= self.budget or time.perf_counter() > self.deadline

    def _solve(self) -> bool:
        self.used += 1
        self.h.run()
        return self.h.getModelStatus() == highspy.HighsModelStatus.kOptimal

    @staticmethod
    def step(size: float) -> float:
        """How far past an end to probe: 1e-4 × max(1, |size|), size being the limit's or the value's
        current size (1 m² of land, 1 万元 of money at unit scale). Pieces shorter than this are stepped
        over; an end is under-reported by at most this much."""
        return 1e-4 * max(1.0, abs(size))

    # ---- limits ---------------------------------------------------------------------------------
    def row_end(self, i: int, end: float, direction: int,
                need_beyond: bool = False) -> tuple[float, bool, float | None]:
        """(end, exact, beyond): the farthest bound value of row i, in ``direction`` (+1 up, −1 down)
        from the current bound, over which the row's dual stays what it is now; ``exact`` is False when
        the budget ran out before the end was confirmed; ``beyond`` is the row's dual just past the end
        (None: no feasible plan there, or not probed). ``need_beyond``: probe even when HiGHS's own
        ranging shows the end is exact, to learn the price beyond it (a corner)."""
        r = self.r
        if not np.isfinite(end):
            return end, True, None
        # HiGHS's entering variable having a non-zero reduced cost moves the duals, but not always this
        # row's (its component of the dual step can be zero): probe once to confirm while the budget lasts
        changes = r.row_end_changes_price(i, direction)
        if self.exhausted():
            return end, changes and not need_beyond, None
        lo0, up0 = r.row_lower[i], r.row_upper[i]
        y = r.row_dual[i]
        equality = np.isfinite(lo0) and np.isfinite(up0) and abs(up0 - lo0) <= _TOL * (1 + abs(lo0))
        upper_side = r.row_bound(i) == up0
        e = end
        step = self.step(r.row_bound(i))
        try:
            while np.isfinite(e):
                if self.exhausted():
                    return e, False, None
                b = e + direction * step
                if equality:
                    self.h.changeRowBounds(i, b, b)
                elif upper_side:
                    self.h.changeRowBounds(i, lo0, b)
                else:
                    self.h.changeRowBounds(i, b, up0)
                if not self._solve():
                    return e, True, None  # beyond the end there is no feasible plan
                y2 = float(self.h.getSolution().row_dual[i])
                if abs(y2 - y) > 1e-7 * (1 + abs(y)):
                    return e, True, y2
                _, rg = self.h.getRanging()
                new = float((rg.row_bound_up if direction > 0 else rg.row_bound_dn).value_[i])
                e = new if (new - b) * direction > 0 else b  # another degenerate corner: step on
            return e, True, None
        finally:
            self.h.changeRowBounds(i, lo0, up0)
            self.h.setBasis(r.basis)

    # ---- costs ----------------------------------------------------------------------------------
    def cost_end(self, direction: dict[int, float], theta_end: float, sign: int,
                 scale: float = 1.0) -> tuple[float, bool]:
        """(θ end, exact): how far costs may move by θ·d (``sign`` +1: θ up, −1: θ down) with the plan
        as it is still optimal. "Still optimal" is judged by the objective (the plan's value at the new
        costs equals the re-solved optimum), so ties between equally good plans do not end a range.
        ``scale`` is the size of the parameter (its value), which sets the probing step."""
        r = self.r
        if not np.isfinite(theta_end):
            return theta_end, True
        if len(direction) == 1:
            (j, dj), = direction.items()
            if r.cost_end_changes_plan(j, sign if dj > 0 else -sign):
                return theta_end, True
        if self.exhausted():
            return theta_end, False
        cols = np.fromiter(direction.keys(), dtype=np.int32, count=len(direction))
        d = np.fromiter(direction.values(), dtype=float, count=len(direction))
        dx = float(d @ r.col_value[cols])
        tol = 1e-8 * (1 + abs(r.objective))
        e = theta_end
        try:
            while np.isfinite(e):
                if self.exhausted():
                    return e, False
                theta = e + sign * self.step(scale)
                self.h.changeColsCost(len(cols), cols, r.col_cost[cols] + theta * d)
                if not self._solve():
                    return e, True
                gain = self.h.getInfo().objective_function_value - (r.objective + theta * dx)
                if (gain > tol) if self.maximise else (gain < -tol):
                    return e, True
                # the re-solve may have found a different plan that ties with ours at θ, and the new basis's
                # range below is that plan's, not ours: if it gains faster along the direction, ours falls
                # behind by more than tol at θ + tol/ahead, so the range may reach no farther than that
                dx_new = float(d @ np.asarray(self.h.getSolution().col_value)[cols])
                ahead = (dx_new - dx) * sign * (1 if self.maximise else -1)
                limit = theta + sign * tol / ahead if ahead > 1e-12 else None
                try:
                    lo, hi = HighsRanging(self.h).cost_direction_range(direction)
                except RangingUnavailable:
                    return e, False
                new = theta + (hi if sign > 0 else lo)
                if limit is not None:
                    new = min(new, limit) if sign > 0 else max(new, limit)
                e = float(new) if (new - theta) * sign > 0 else theta
            return e, True
        finally:
            self.h.changeColsCost(len(cols), cols, r.col_cost[cols])
            self.h.setBasis(r.basis)
