"""Every what-if knob, one at a time: a persistent model brought to the variant by a warm update
holds exactly the LP a fresh build of the variant holds, and solves to the same optimum.

This is the safety net under the warm path (Param updates, the structure key, the memoised
derivations): a field that changes the LP but is neither pushed into a Param nor part of the
structure key would leave the warm model stale, and fail here.
"""

import numpy as np
import pytest

from landquota.datasets import load_dataset
from landquota.models.build import structure_key
from landquota.models.funding import FundingSource
from landquota.models.overrides import apply_overrides
from landquota.models.policy import PolicyParameters
from landquota.models.scenario import City, Project, Province
from landquota.solvers.highs import ScenarioSolver, SolveOptions

SKIP = {"code", "name", "id", "province_code", "city_code", "source", "tier", "size_class", "category", "parcels",
        "kind", "census_population", "urbanisation_rate_pct", "linkage_tiers", "bond_special_categories",
        "entrusted_province_codes", "land_quota_buyer_price_cny_10k_per_mu", "eligible_categories",
        "eligible_provinces", "limit_per_province_cny_100m", "registered_population"}
"""Identifiers, labels and list/dict fields (covered by hand-written variants below)."""

SECTIONS = [("provinces[510000]", Province), ("cities[510100]", City), ("cities[440000-REST]", City),
            ("projects[SC-01]", Project), ("funding_sources[cdb_loan]", FundingSource),
            ("funding_sources[special_bond]", FundingSource), ("policy", PolicyParameters)]


EXPLICIT = {"linkage_adjustment": 0.05}  # within the ±10% flex
TOGETHER = {"surplus_land_quota_ha_per_year": {"land_quota_seller": True}}  # only a seller holds surplus


def _changed(value):
    if isinstance(value, bool):
        return not value
    if isinstance(value, int):
        return value + max(1, value // 10)
    if isinstance(value, float):
        return round(value * 0.8, 6) if value else 0.25
    return None


def _variants():
    base = load_dataset("demo")
    out = []
    for path, model in SECTIONS:
        obj = base.policy if path == "policy" else _item(base, path)
        for field in model.model_fields:
            new = EXPLICIT.get(field, _changed(getattr(obj, field)))
            if field in SKIP or new is None:
                continue
            out.append({f"{path}.{field}": new, **{f"{path}.{k}": v for k, v in TOGETHER.get(field, {}).items()}})
    out += [
        {"years": 3},
        {"policy.linkage_tiers[0].new_land_per_settler_m2": 80},
        {"policy.entrusted_province_codes": []},
        {"policy.land_quota_buyer_price_cny_10k_per_mu.440000": 35.0},
        {"funding_sources[cdb_loan].limit_per_province_cny_100m.510000": 1.0},
        {"funding_sources[cdb_loan].eligible_provinces": ["440000"]},
        {"funding_sources[enterprise_bond].eligible_categories": ["industrial"]},
        {"projects[SC-01].parcels": [{"land_type": "other", "area_ha": 80}]},
        {"provinces[510000].approval_capacity_ha_per_year": 25.0},
        {"policy.state_council_capacity_ha_per_year": 40.0},
        {"provinces[440000].fiscal_capacity_cny_100m": None},
        # issue 14: approvals (entrustment is a Param: warm; a new limit or a moved route: rebuilt)
        {"provinces[440000].approval_entrusted": False},
        {"provinces[510000].approval_entrusted": True},
        {"provinces[440000].approval_entrusted": [False]},
        {"provinces[510000].approval_capacity_cases_per_year": 2.0},
        {"provinces[440000].entrusted_capacity_ha_per_year": 10.0},
        {"provinces[440000].entrusted_capacity_cases_per_year": 0.5},
        {"policy.state_council_capacity_cases_per_year": 2.0},
        {"cities[510100].general_land_batch_ha": 200.0},
        {"cities[510100].general_land_batch_ha": 45.0},
        {"cities[510100].general_land_collective_share": 0.3},
        {"projects[SC-01].parcels": [{"land_type": "other", "area_ha": 80, "ownership": "state"}]},
        {"projects[SC-01].parcels": [{"land_type": "construction", "area_ha": 80}]},
        # issue 15's knobs whose defaults are null or lists (the numeric ones are swept above)
        {"funding_sources[cdb_loan].spread_over_lpr_pct": 0.3},
        {"funding_sources[cdb_loan].platform_debt": False},
        {"policy.enterprise_bond_national_volume_cny_100m_per_year": 2.0},
        {"policy.enterprise_bond_national_volume_cny_100m_per_year": None},
        {"policy.broad_debt_ratio_limit": 1.0},
        {"policy.broad_debt_ratio_limit": None},
        {"policy.special_bond_capital_categories": ["new_urbanisation", "infrastructure"]},
        {"policy.reward_fund_national_weighted_settlers_per_year": 50_000.0},  # the demo has null
        {"provinces[510000].platform_debt_balance_cny_100m": 20000.0},
        {"cities[510100].fiscal_capacity_cny_100m": 3000.0, "cities[510100].platform_debt_balance_cny_100m": 8000.0},
        # issue 13: mode, tilt level, partial cluster units, regional infrastructure (shape changes)
        {"policy.quota_allocation": "national", "policy.national_new_land_total_ha": 1200.0},
        {"policy.tilt_level": "national"},
        {"cities[440000-REST].key_cluster_share": 0.4},
        {"projects[SC-04].category": "regional_infrastructure"},
    ]
    return out


NATIONAL = {"policy.quota_allocation": "national", "policy.national_new_land_total_ha": 700.0,
            "policy.allocation_band_floor_share": 0.0, "policy.allocation_band_ceiling_share": 1.5}
"""The demo with the national quota allocated by the LP (issue 13): the national total binds."""

NATIONAL_VARIANTS = [
    {"policy.national_new_land_total_ha": 650.0},
    {"policy.linkage_strength": 1.2},
    {"policy.allocation_band_floor_share": 0.1},
    {"policy.allocation_band_ceiling_share": 1.0},
    {"policy.unused_allocation_cost_cny_10k_per_ha": 0.5},
    {"provinces[510000].allocation_base_ha_per_year": 250.0},
    {"provinces[510000].allocation_band_floor_share": 0.3},
    {"provinces[440000].allocation_band_ceiling_share": 0.5},
    {"provinces[520000].new_land_pool_ha_per_year": 150.0},
    {"cities[510700].settlers_per_year": 10_000},
    {"policy.linkage_tiers[0].new_land_per_settler_m2": 80},
    {"provinces[510000].linkage_adjustment": 0.05},
    {"policy.tilt_min_share": 0.7},
    {"policy.quota_allocation": "provincial_pools"},
    {"policy.tilt_level": "national"},
    {"cities[440000-REST].key_cluster_share": 0.4},
]


def _item(base, path):
    section, key = path[:-1].split("[")
    return next(x for x in getattr(base, section) if getattr(x, "code", getattr(x, "id", None)) == key)


def _lp(solver) -> dict:
    lp = solver.highs_model.getLp()
    a = np.zeros((lp.num_row_, lp.num_col_))
    m = lp.a_matrix_
    starts, index, value = np.asarray(m.start_), np.asarray(m.index_), np.asarray(m.value_)
    colwise = m.format_.name == "kColwise"
    for outer in range(len(starts) - 1):
        for k in range(starts[outer], starts[outer + 1]):
            if colwise:
                a[index[k], outer] = value[k]
            else:
                a[outer, index[k]] = value[k]
    return dict(cost=np.asarray(lp.col_cost_), col_lower=np.asarray(lp.col_lower_), col_upper=np.asarray(lp.col_upper_),
                row_lower=np.asarray(lp.row_lower_), row_upper=np.asarray(lp.row_upper_), a=a, offset=lp.offset_)


VARIANTS = _variants()
OPTIONS = SolveOptions(explain=False, duals=False, tables=False)


@pytest.fixture(scope="module")
def persistent():
    solver = ScenarioSolver(load_dataset("demo"), OPTIONS)
    solver.solve()
    return solver


@pytest.mark.parametrize("overrides", VARIANTS, ids=[next(iter(v)) for v in VARIANTS])
def test_warm_update_holds_the_fresh_lp_and_optimum(persistent, overrides):
    variant = apply_overrides(load_dataset("demo"), overrides)  # every variant here is valid
    warm_possible = structure_key(variant, False) == persistent.model.key
    warm = persistent.resolve(variant)
    cold_solver = ScenarioSolver(variant, OPTIONS)
    cold = cold_solver.solve()
    assert warm.status == cold.status
    if cold.objective_cny_100m is not None:
        assert warm.objective_cny_100m == pytest.approx(cold.objective_cny_100m, rel=1e-7, abs=1e-9)
    if warm_possible:
        got, want = _lp(persistent), _lp(cold_solver)
        for k in want:
            np.testing.assert_allclose(got[k], want[k], rtol=1e-12, atol=1e-12, err_msg=k)


def test_the_sweep_covers_warm_and_rebuilt_variants(persistent):
    base = load_dataset("demo")
    key = structure_key(base, False)
    kinds = {structure_key(apply_overrides(base, ov), False) == key for ov in VARIANTS}
    assert kinds == {True, False}
    assert len(VARIANTS) > 60


@pytest.fixture(scope="module")
def persistent_national():
    solver = ScenarioSolver(apply_overrides(load_dataset("demo"), NATIONAL), OPTIONS)
    solver.solve()
    return solver


@pytest.mark.parametrize("overrides", NATIONAL_VARIANTS, ids=[next(iter(v)) for v in NATIONAL_VARIANTS])
def test_national_allocation_knobs_warm_equal_cold(persistent_national, overrides):
    base = apply_overrides(load_dataset("demo"), NATIONAL)
    variant = apply_overrides(base, overrides)
    warm_possible = structure_key(variant, False) == persistent_national.model.key
    warm = persistent_national.resolve(variant)
    cold_solver = ScenarioSolver(variant, OPTIONS)
    cold = cold_solver.solve()
    assert cold.status == "optimal" and warm.status == cold.status
    assert warm.objective_cny_100m == pytest.approx(cold.objective_cny_100m, rel=1e-7, abs=1e-9)
    assert warm.headline.quota_allocated_by_province == pytest.approx(cold.headline.quota_allocated_by_province,
                                                                      rel=1e-7, abs=1e-7)
    if warm_possible:
        got, want = _lp(persistent_national), _lp(cold_solver)
        for k in want:
            np.testing.assert_allclose(got[k], want[k], rtol=1e-12, atol=1e-12, err_msg=k)


def test_national_knobs_are_mostly_warm():
    base = apply_overrides(load_dataset("demo"), NATIONAL)
    key = structure_key(base, False)
    warm = [ov for ov in NATIONAL_VARIANTS if structure_key(apply_overrides(base, ov), False) == key]
    assert len(warm) == len(NATIONAL_VARIANTS) - 3  # mode, tilt level and a partial cluster unit rebuild
