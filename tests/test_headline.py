"""The headline figures (batch KPIs) are read from the solution arrays; here they are checked
against the same figures added up from the result tables, and a table-less solve must give them
unchanged."""

import pytest

from landquota.datasets import load_dataset
from landquota.models.overrides import apply_overrides
from landquota.solvers.highs import ScenarioSolver, SolveOptions


def from_tables(r, s) -> dict:
    need = {c.code: c.linkage_need_ha for c in r.cities}
    covered = sum(c.settlers_per_year * s.years * (1.0 if need[c.code] <= 0 else 1 - c.settler_shortfall_ha / need[c.code])
                  for c in r.cities)
    ratios = [p.debt_ratio_after for p in r.provinces if p.debt_ratio_after is not None]
    return dict(
        new_land_ha=sum(p.new_land_ha for p in r.provinces),
        settlers_covered=covered,
        state_council_approvals=sum(1 for p in r.projects
                                    if p.selected_share > 1e-6 and p.approval_authority == "state_council"),
        arable_occupied_ha=sum(p.arable_occupied_ha for p in r.provinces),
        financing_cost_cny_100m=sum(f.cost_cny_100m for f in r.financing),
        max_debt_ratio_after=max(ratios) if ratios else None,
        unmet_targets_ha=sum(x.amount_ha for x in r.shortfalls),
        new_land_by_province={p.code: p.new_land_ha for p in r.provinces},
    )


CASES = [
    ("demo", {}),
    ("china-2020", {}),
    # tighter pools and a per-settler standard that leaves settler floors unmet: shortfalls appear
    ("china-2020", {"provinces[*].new_land_pool_ha_per_year": 3000, "policy.linkage_tiers[0].new_land_per_settler_m2": 120}),
]


@pytest.mark.parametrize("dataset,overrides", CASES)
def test_headline_equals_the_tables_and_needs_no_tables(dataset, overrides):
    s = load_dataset(dataset)
    if overrides:
        s = apply_overrides(s, overrides)
    full = ScenarioSolver(s, SolveOptions(explain=False)).solve()
    assert full.status == "optimal"
    want = from_tables(full, s)
    head = full.headline.model_dump()
    for k, v in want.items():
        if isinstance(v, dict):
            assert head[k].keys() == v.keys()
            assert list(head[k].values()) == pytest.approx(list(v.values()), rel=1e-9, abs=1e-6)
        else:
            assert head[k] == pytest.approx(v, rel=1e-9, abs=1e-6), k
    if overrides:
        assert head["unmet_targets_ha"] > 1.0  # the case really exercises the shortfall sum

    bare = ScenarioSolver(s, SolveOptions(explain=False, duals=False, tables=False)).solve()
    assert bare.provinces == [] and bare.financing == [] and bare.explain is None
    assert bare.objective_cny_100m == pytest.approx(full.objective_cny_100m, rel=1e-9)
    for k, v in bare.headline.model_dump().items():
        if isinstance(v, dict):
            assert list(v.values()) == pytest.approx(list(head[k].values()), rel=1e-9, abs=1e-6)
        else:
            assert v == pytest.approx(head[k], rel=1e-9, abs=1e-6), k
