"""Map constraint duals back onto the rules and regions they belong to (PyPSA's ``mu`` idea).

Convention: ``shadow_price`` = ∂objective/∂limit, for the limit *as the rule states it*: positive
for a binding upper limit (more pool is worth something), negative for a binding floor (a higher
settler floor or capital requirement costs something). Units: 亿元 per unit of the limit.

With Pyomo's HiGHS interface and a maximised objective, the dual of a row is ∂objective/∂bound
of the row as Pyomo stored it. Pyomo moves every variable to the body, so a floor written
``a ≥ b·x`` may be stored as the upper bound ``b·x − a ≤ 0``: each rule therefore declares its
``sense`` (:class:`models.rules.Rule`, declared beside its constraint in the Block module and
collected in ``models.build.REGISTRY``) and the sign is corrected where Pyomo flipped it (checked by finite differences in
``tests/test_rules_bind.py`` and ``tests/test_finance.py``).
"""

from __future__ import annotations

import numpy as np
import pyomo.environ as pyo

from landquota.models.build import REGISTRY
from landquota.models.rules import component
from landquota.solvers.result import Binding

BINDING_TOL = 1e-7


def stated_side(rule, cd) -> tuple[str, float]:
    """Which bound of the Pyomo row states the rule ('upper'/'lower') and the sign that turns the
    stored bound into the stated limit (:meth:`models.rules.Rule.sign`)."""
    side = "upper" if cd.upper is not None else "lower"
    return side, rule.sign(cd.lower is not None, cd.upper is not None)


_FIELDS: dict = {}


def make_row(cls, **values):
    """``cls(**values)`` for values this package computed itself (right types already), without
    re-validating them and with one field set shared by every row of a class: a third of the memory
    (≈ 380 instead of 1,100 bytes a row; 245,000 rows at 3,000 units). Falls back to validation
    when a required field is missing, so a schema change still fails loudly."""
    known = _FIELDS.get(cls)
    if known is None:
        known = _FIELDS[cls] = (set(cls.model_fields), {k for k, f in cls.model_fields.items() if f.is_required()})
    if not known[1] <= values.keys():
        return cls(**values)
    return cls.model_construct(_fields_set=known[0], **values)


def _nonzero_duals(con, duals):
    """(index, ConstraintData, dual, lower, upper) of the rows of ``con`` whose dual is not ~0, in
    index order; ``lower``/``upper`` are the row's bounds as the rule states them (None = none).
    ``duals`` is a dict, or a :class:`solvers.handoff.DualView` whose per-component arrays are
    scanned without a Python loop over non-binding rows (and which knows the bounds already)."""
    rows = getattr(duals, "rows", None)
    if rows is not None:
        got = rows(con)
        if got is None:
            return
        data, values, lower, upper = got
        for i in np.flatnonzero(np.abs(values) >= BINDING_TOL).tolist():
            cd, lo, up = data[i], float(lower[i]), float(upper[i])
            yield cd.index(), cd, float(values[i]), (None if lo == -np.inf else lo), (None if up == np.inf else up)
        return
    for idx, cd in con.items():
        dual = duals.get(cd)
        if dual is None or abs(dual) < BINDING_TOL:
            continue
        lower, _, upper = cd.to_bounded_expression()
        yield idx, cd, dual, lower, upper


def binding_rules(m, duals: dict) -> list[Binding]:
    """Every constraint with a non-zero dual, as a domain-level Binding row. Each row keeps its
    (rule name, index) as the private ``_key``: how the explanation finds the row behind it."""
    out: list[Binding] = []
    for rule in REGISTRY.row_rules:
        con = component(m, rule.path)
        if con is None:
            continue
        for idx, cd, dual, lower, upper in _nonzero_duals(con, duals):
            region, year = rule.region_year(idx)
            sign = rule.sign(lower is not None, upper is not None)
            bound = upper if upper is not None else lower
            limit = sign * pyo.value(bound) + 0.0  # no -0.0
            dual = sign * dual
            row = make_row(
                Binding, rule=rule.name, policy_item=rule.policy_item, region=region, year=year,
                limit=float(limit), shadow_price=float(dual), unit=rule.price_unit,
                description=rule.description(idx, fixed=lower is not None and lower == upper),
                source_id=rule.detail_id(idx),
            )
            row._key = (rule.name, idx)
            out.append(row)
    return out
