"""The compact financing groups (models.finance) against the per-project formulation they replace.

The module docstring proves the two LPs have the same optimum; here the optimum is compared on the demo,
on china-2020 and on a generated 300-unit scenario (objective within 1e-9 relative), and the per-project
financing table the compact model gives back (the proportional split) is checked against every
project's own rules.
"""

from __future__ import annotations

from collections import defaultdict

import pytest

from landquota.datasets import load_dataset
from landquota.models.finance import bond_share, capital_ratio
from landquota.models.generate import generate_scenario
from landquota.solvers.highs import SolveOptions, solve_scenario

FAST = dict(explain=False)


def _scenarios():
    yield "demo", load_dataset("demo")
    yield "china-2020", load_dataset("china-2020")
    yield "generated-300", generate_scenario(300, 2100, 5, seed=1)


@pytest.fixture(scope="module", params=["demo", "china-2020", "generated-300"])
def pair(request):
    s = dict(_scenarios())[request.param]
    compact = solve_scenario(s, SolveOptions(**FAST))
    oracle = solve_scenario(s, SolveOptions(finance_per_project=True, duals=False, **FAST))
    return s, compact, oracle


def test_same_optimum_as_the_per_project_formulation(pair):
    s, compact, oracle = pair
    assert compact.status == oracle.status == "optimal"
    assert compact.objective_cny_100m == pytest.approx(oracle.objective_cny_100m, rel=1e-9)
    # and the compact LP is smaller wherever projects share a group
    assert compact.stats.variables <= oracle.stats.variables


def test_the_split_back_keeps_every_projects_rules(pair):
    s, compact, _ = pair
    share = {p.id: p.selected_share for p in compact.projects}
    got = defaultdict(lambda: defaultdict(float))
    for f in compact.financing:
        got[f.project_id, f.year]["total"] += f.amount_cny_100m
        got[f.project_id, f.year]["capital"] += f.capital_cny_100m
        if f.source_kind == "enterprise_bond":
            got[f.project_id, f.year]["bonds"] += f.amount_cny_100m
    funded = defaultdict(float)
    for (j, _), v in got.items():
        funded[j] += v["total"]
    for p in s.projects:
        if p.investment_cny_100m > 0:
            assert funded[p.id] == pytest.approx(p.investment_cny_100m * share[p.id], abs=1e-6)
    proj = {p.id: p for p in s.projects}
    for (j, _), v in got.items():
        assert v["capital"] >= capital_ratio(s, proj[j]) * v["total"] - 1e-6
        assert v["bonds"] <= bond_share(s, proj[j]) * v["total"] + 1e-6
