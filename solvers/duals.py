"""Map constraint duals back onto the rules and regions they belong to (PyPSA's ``mu`` idea).

Convention: ``shadow_price`` = ∂objective/∂limit, for the limit *as the rule states it*: positive
for a binding upper limit (more pool is worth something), negative for a binding floor (a higher
settler floor or capital requirement costs something). Units: 亿元 per unit of the limit.

With Pyomo's HiGHS interface and a maximised objective, the dual of a row is ∂objective/∂bound
of the row as Pyomo stored it. Pyomo moves every variable to the body, so a floor written
``a ≥ b·x`` may be stored as the upper bound ``b·x − a ≤ 0``: each rule therefore declares its
``sense`` and the sign is corrected where Pyomo flipped it (checked by finite differences in
``tests/test_rules_bind.py`` and ``tests/test_finance.py``).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

import numpy as np
import pyomo.environ as pyo

from landquota.solvers.result import Binding

BINDING_TOL = 1e-7


@dataclass(frozen=True)
class RuleSpec:
    path: str
    """Dotted path of the Constraint on the model, e.g. 'landplan.pool'."""
    rule: str
    policy_item: str
    unit: str
    describe: Callable[[str, int | None], str]
    region_year: Callable[[object], tuple[str, int | None]]
    detail: Callable[[object], str] | None = None
    """For rules whose index carries more than region and year (e.g. a funding source)."""
    sense: str = "upper"
    """'upper' (a limit), 'lower' (a floor) or 'equal' (a balance)."""

    def sign(self, has_lower: bool, has_upper: bool) -> float:
        """−1 where Pyomo stored this rule flipped (a floor with variables on both sides becomes
        ``b·x − a ≤ 0``), so that dual and bound read as the rule states them; else 1."""
        flipped = (self.sense == "lower" and not has_lower) or (self.sense == "upper" and not has_upper)
        return -1.0 if flipped else 1.0

    def description(self, idx) -> str:
        region, year = self.region_year(idx)
        return self.describe(region, year) + (f" ({self.detail(idx)})" if self.detail else "")


def _p_t(idx):
    return str(idx[0]), int(idx[1])


def _r(idx):
    return str(idx), None


def _t(idx):
    return "national", int(idx)


def _none(idx):
    return "national", None


RULES: list[RuleSpec] = [
    RuleSpec("landplan.pool", "provincial_pool", "(20) land plan", "亿元/ha",
             lambda r, t: f"one more ha of {r}'s year-{t} quota pool", _p_t),
    RuleSpec("landplan.bought_used", "bought_quota_used", "(20) trading", "亿元/ha",
             lambda r, t: f"one more ha of bought quota {r} may hold beyond its own new land in year {t}", _p_t),
    RuleSpec("landplan.national_total", "national_total", "(20) land plan", "亿元/ha",
             lambda r, t: f"one more ha of the national plan total in year {t}", _t),
    RuleSpec("landplan.per_capita_cap", "per_capita_cap", "(20) per-capita cap", "亿元/ha",
             lambda r, t: f"one more ha of room under {r}'s per-capita land cap", _r),
    RuleSpec("landplan.stock_available", "stock_available", "(20) stock land", "亿元/ha",
             lambda r, t: f"one more ha of inefficient stock land in {r}", _r),
    RuleSpec("landplan.stock_first", "stock_first", "(20) stock land", "亿元/ha",
             lambda r, t: f"one more ha of general-use new land allowed in {r} before its stock is used", _r),
    RuleSpec("landplan.tilt", "tilt_share", "(20) tilt", "亿元/ha",
             lambda r, t: f"one more ha of centre/key-cluster land required in {r}, year {t}", _p_t, sense="lower"),
    RuleSpec("linkage.settler_floor", "settler_land_floor", "(6) linkage", "亿元/ha",
             lambda r, t: f"one more ha of settler land required in {r}, year {t}", _p_t, sense="lower"),
    RuleSpec("approval.state_council", "state_council_capacity", "(20) approval", "亿元/ha",
             lambda r, t: f"one more ha of State Council approval capacity in year {t}", _t),
    RuleSpec("approval.province", "province_approval_capacity", "(20) approval", "亿元/ha",
             lambda r, t: f"one more ha of {r}'s approval capacity in year {t}", _p_t),
    # ---- issue 14: approvals in cases, entrusted capacity (models.approval_capacity) ------------
    RuleSpec("approval.state_council_cases", "state_council_capacity_cases", "(20) approval", "亿元/case",
             lambda r, t: f"one more case of State Council approval capacity in year {t}", _t),
    RuleSpec("approval.province_cases", "province_approval_capacity_cases", "(20) approval", "亿元/case",
             lambda r, t: f"one more case of {r}'s approval capacity in year {t}", _p_t),
    RuleSpec("approval.entrusted", "entrusted_approval_capacity", "(20) approval", "亿元/ha",
             lambda r, t: f"one more ha of {r}'s entrusted (国发〔2020〕4号) approval capacity in year {t}", _p_t),
    RuleSpec("approval.entrusted_cases", "entrusted_approval_capacity_cases", "(20) approval", "亿元/case",
             lambda r, t: f"one more case of {r}'s entrusted approval capacity in year {t}", _p_t),
    RuleSpec("trading.surplus", "tradeable_surplus", "(20) trading", "亿元/ha",
             lambda r, t: f"one more ha of surplus quota {r} may sell in year {t}", _p_t),
    RuleSpec("trading.land_clearing", "land_quota_clearing", "(20) trading", "亿元/ha",
             lambda r, t: f"clearing value of one ha of construction-land quota in year {t}", _t, sense="equal"),
    RuleSpec("trading.farmland_balance", "farmland_balance", "(20) farmland balance", "亿元/ha",
             lambda r, t: f"one more ha of {r}'s supplementary arable reserve", _r),
    RuleSpec("trading.farmland_clearing", "farmland_quota_clearing", "(20) trading", "亿元/ha",
             lambda r, t: "clearing value of one ha of supplementary-farmland quota", _none, sense="equal"),
    RuleSpec("project_once", "project_whole", "(20) projects", "亿元/project",
             lambda r, t: f"value of being able to build more of project {r} (it is fully selected)", _r),
    RuleSpec("finance.funding_balance", "funding_balance", "(21) finance", "亿元/亿元",
             lambda r, t: f"value of one more 亿元 of investment need in project {r}, year {t}", _p_t,
             sense="equal"),
    RuleSpec("finance.bond_share_cap", "bond_share", "(21) bonds", "亿元/亿元",
             lambda r, t: f"one more 亿元 of enterprise bonds allowed for project {r}, year {t}", _p_t),
    RuleSpec("finance.capital_min", "capital_ratio", "(21) capital", "亿元/亿元",
             lambda r, t: f"one more 亿元 of project capital required for project {r}, year {t}", _p_t,
             sense="lower"),
    RuleSpec("finance.credit_line", "credit_line", "(21) credit lines", "亿元/亿元",
             lambda r, t: f"one more 亿元 of comprehensive credit line in {r}",
             lambda idx: (str(idx[1]), None), detail=lambda idx: f"source {idx[0]}"),
    RuleSpec("finance.national_total", "national_funding_total", "(21) public funds", "亿元/亿元",
             lambda r, t: f"one more 亿元 of the national total in year {t}",
             lambda idx: ("national", int(idx[1])), detail=lambda idx: f"source {idx[0]}"),
    RuleSpec("finance.reward_fund", "reward_fund_allocation", "(6) reward fund", "亿元/亿元",
             lambda r, t: f"one more 亿元 of {r}'s citizenisation reward fund in year {t}",
             lambda idx: (str(idx[1]), int(idx[2]))),
    RuleSpec("finance.special_bond", "special_bond_quota", "(21) special bonds", "亿元/亿元",
             lambda r, t: f"one more 亿元 of {r}'s special-bond quota in year {t}",
             lambda idx: (str(idx[1]), int(idx[2]))),
    RuleSpec("finance.debt_ratio_province", "debt_ratio", "(21) debt risk", "亿元/亿元",
             lambda r, t: f"one more 亿元 of new government debt allowed under {r}'s debt-ratio line", _r),
    RuleSpec("finance.debt_ratio_city", "debt_ratio_city", "(21) debt risk", "亿元/亿元",
             lambda r, t: f"one more 亿元 of new government debt allowed under city {r}'s debt-ratio line", _r),
]


def rule_rows(m, con_map: dict):
    """(spec, index, ConstraintData, HiGHS row) of every row of every rule in the catalogue that
    the solver holds: the one walk from rules to rows that explanations and diagnoses share."""
    for spec in RULES:
        con = component(m, spec.path)
        if con is None:
            continue
        for idx, cd in con.items():
            row = con_map.get(cd)
            if row is not None:
                yield spec, idx, cd, row


def component(m, path: str):
    obj = m
    for part in path.split("."):
        obj = getattr(obj, part, None)
        if obj is None:
            return None
    return obj


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
    """Every constraint with a non-zero dual, as a domain-level Binding row."""
    out: list[Binding] = []
    for spec in RULES:
        con = component(m, spec.path)
        if con is None:
            continue
        for idx, cd, dual, lower, upper in _nonzero_duals(con, duals):
            region, year = spec.region_year(idx)
            sign = spec.sign(lower is not None, upper is not None)
            bound = upper if upper is not None else lower
            limit = sign * pyo.value(bound) + 0.0  # no -0.0
            dual = sign * dual
            out.append(make_row(
                Binding, rule=spec.rule, policy_item=spec.policy_item, region=region, year=year,
                limit=float(limit), shadow_price=float(dual), unit=spec.unit,
                description=spec.description(idx),
            ))
    return out
