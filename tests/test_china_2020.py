"""The bundled national dataset: real figures where they are real, a credible optimal plan."""

from importlib import resources

import pytest

from landquota.datasets import load_dataset
from landquota.models.policy import PILOT_PROVINCES_2020
from landquota.models.regions import MUNICIPALITIES, PROVINCES
from landquota.solvers.highs import SolveOptions, solve_scenario

# 7th census (2020-11-01), POLICY.md: national total of the 31 provinces, and three rows
CENSUS_TOTAL = 1_409_778_724
CENSUS = {"510000": 83_674_866, "440000": 126_012_510, "540000": 3_648_100}
CAPITALS = {"130100", "140100", "150100", "210100", "220100", "230100", "320100", "330100", "340100", "350100",
            "360100", "370100", "410100", "420100", "430100", "440100", "450100", "460100", "510100", "520100",
            "530100", "540100", "610100", "620100", "630100", "640100", "650100"}
SEPARATELY_LISTED = {"210200", "370200", "330200", "350200", "440300"}


@pytest.fixture(scope="module")
def scenario():
    return load_dataset("china-2020")


@pytest.fixture(scope="module")
def result(scenario):
    r = solve_scenario(scenario)
    assert r.status == "optimal", r.message
    return r


def test_census_figures_and_pilots(scenario):
    assert {p.code for p in scenario.provinces} == set(PROVINCES)
    assert sum(p.census_population for p in scenario.provinces) == CENSUS_TOTAL
    pop = {p.code: p.census_population for p in scenario.provinces}
    assert {k: pop[k] for k in CENSUS} == CENSUS
    assert {p.code for p in scenario.provinces if scenario.entrusted(p.code)} == set(PILOT_PROVINCES_2020)


def test_every_centre_city_and_a_rest_unit(scenario):
    codes = {c.code for c in scenario.cities}
    assert CAPITALS <= codes and SEPARATELY_LISTED <= codes
    assert sum(1 for c in scenario.cities if c.tier == "municipality") == 4
    for p in PROVINCES:
        rest = f"{p}-REST" in codes
        assert rest == (p not in MUNICIPALITIES), p
    assert {c.code for c in scenario.cities if c.tier == "provincial_capital"} == CAPITALS


def test_provenance_covers_estimates(scenario):
    text = resources.files("landquota.datasets").joinpath("china-2020.provenance.md").read_text(encoding="utf-8")
    for field in ("urban_construction_land_ha", "settlers_per_year", "new_land_pool_ha_per_year",
                  "fiscal_capacity_cny_100m", "debt_balance_cny_100m", "investment_cny_100m"):
        assert field in text, field
    assert "estimate" in text.lower()
    assert scenario.sources


def test_national_plan_is_credible(scenario, result):
    pol = scenario.policy
    pools = {p.code: p.new_land_pool_ha_per_year for p in scenario.provinces}
    new = sum(p.new_land_ha for p in result.provinces)
    bought = sum(p.land_quota_bought_ha for p in result.provinces)
    assert 100_000 < new - bought <= pol.national_new_land_total_ha + 1e-6
    for p in result.provinces:
        assert p.pool_used_ha <= p.quota_allocated_ha + 1e-6  # national allocation: its plan quota
        assert p.arable_occupied_ha <= p.supplementary_reserve_ha + p.farmland_quota_bought_ha - p.farmland_quota_sold_ha + 1e-6
    assert sum(t.area_ha for t in result.trades if t.side == "buy" and t.market == "construction_land") == pytest.approx(
        sum(t.area_ha for t in result.trades if t.side == "sell" and t.market == "construction_land"))
    growth = {c.code: c.resident_population_growth_per_year for c in scenario.cities}
    for c in result.cities:
        if growth[c.code] >= 0:
            assert c.per_capita_after_m2 <= max(c.per_capita_cap_m2, c.per_capita_before_m2) + 1e-6, c.code
        else:  # a shrinking unit (吉林 黑龙江 rest, own 2010–20 trend) gains per-capita land by shrinking alone
            assert c.new_land_ha == pytest.approx(0.0, abs=1e-6) or c.per_capita_after_m2 <= c.per_capita_cap_m2 + 1e-6
    used = sum(p.pool_used_ha for p in result.provinces) / sum(pools.values())
    assert used > 0.8  # most of the urban quota the pools estimate is put to use
    auth = {p.approval_authority for p in result.projects if p.selected_share > 0}
    assert auth == {"state_council", "province_entrusted", "province"}
    # A shortfall is the settler-land floor of a rest-of-province unit above 100 m² that the census says is
    # shrinking (黑龙江其他, 205 ha): the per-capita cap leaves it no room while its settlers still earn land
    # (123号). Small against the national new land.
    assert {x.rule for x in result.shortfalls} <= {"settler_land_floor"}
    assert all("-REST" in x.region for x in result.shortfalls)
    assert sum(x.amount_ha for x in result.shortfalls) < 0.03 * (new - bought)


def test_no_province_buys_quota_while_its_own_pool_lies_unused(scenario, result):
    """Most buyers pay what sellers receive (30万元/亩), so a purchase is a pure transfer: without
    the own-pool-first tie-break the solver returned 山东 buying 18,879 ha with 19,356 ha of its own
    pool unused. Now a province buys only once its pool is used up."""
    buyers = [p for p in result.provinces if p.land_quota_bought_ha > 1e-6]
    assert buyers  # the case still trades
    for p in buyers:  # (national allocation: it has used all the allocation its band allows)
        assert p.pool_used_ha == pytest.approx(p.quota_allocated_ha, rel=1e-9), p.code
        assert p.band_edge in ("ceiling", "fixed"), p.code
    sold = sum(t.area_ha for t in result.trades if t.side == "sell" and t.market == "construction_land")
    assert sold == pytest.approx(sum(p.land_quota_bought_ha for p in buyers))


def test_financing_is_complete_and_within_limits(scenario, result):
    inv = {p.id: p.investment_cny_100m for p in scenario.projects}
    funded = {}
    for f in result.financing:
        funded[f.project_id] = funded.get(f.project_id, 0.0) + f.amount_cny_100m
    for p in result.projects:
        assert funded.get(p.id, 0.0) == pytest.approx(inv[p.id] * p.selected_share, abs=1e-5)
    for lim in result.limits:
        assert lim.used_cny_100m <= lim.limit_cny_100m + 1e-6
    pol = scenario.policy
    for p in result.provinces:  # regions over the debt line keep only a reduced share of their bond quotas
        if p.debt_ratio_before is not None and p.debt_ratio_before >= pol.debt_ratio_limit:
            prov = scenario.province(p.code)
            quotas = prov.special_bond_limit_cny_100m_per_year + prov.general_bond_limit_cny_100m_per_year
            assert p.new_government_debt_cny_100m <= pol.over_line_new_debt_share * quotas * scenario.years + 1e-6
        elif p.debt_ratio_after is not None:
            assert p.debt_ratio_after <= scenario.policy.debt_ratio_limit + 1e-9
    assert sum(f.amount_cny_100m for f in result.financing) > 0


def test_explanation_and_whole_projects(scenario, result):
    assert result.explain is not None and result.explain.summary_en and result.explain.summary_zh
    whole = solve_scenario(scenario, SolveOptions(whole_projects=True, explain=False, time_limit_s=120))
    assert whole.status in ("optimal", "time_limit")
    assert {p.selected_share for p in whole.projects} <= {0.0, 1.0}
    assert whole.objective_cny_100m <= result.objective_cny_100m + 1e-6


# ---- issue 13: the national quota is allocated by the LP -------------------------------------

def test_national_allocation_done_means(scenario, result):
    """china-2020 runs in `national` mode: every province inside its band; linked land ≈ 80 m² per
    settler nationally (123号's 100 m² at ≤ 100 m²/resident, lower tiers above, none in the central
    districts of super-large and mega cities); the national total binds, or the summary says why not."""
    assert scenario.policy.quota_allocation == "national"
    n = result.national
    assert n.quota_allocation == "national"
    assert 75.0 <= n.linked_m2_per_settler <= 100.0
    for p in result.provinces:
        assert p.allocation_floor_ha_per_year - 1e-6 <= p.quota_allocated_ha <= p.allocation_ceiling_ha_per_year + 1e-6
        assert p.quota_allocated_ha >= p.linked_ha - 1e-6
    assert n.quota_allocated_ha <= n.national_total_ha + 1e-6
    if n.binds:
        assert n.shadow_price_cny_100m_per_ha[0] > 0
    else:
        assert n.shadow_price_cny_100m_per_ha == [0.0]
        assert "does not bind" in n.note_en and "per-capita cap" in n.note_en
        assert n.note_en in result.explain.notes  # the explanation says why
    assert result.headline.quota_allocated_by_province == pytest.approx(
        {p.code: p.quota_allocated_ha for p in result.provinces})
    assert len(result.province_years) == 31 and len(result.city_years) == len(scenario.cities)


def test_doubling_a_citys_settlers_raises_its_provinces_allocation(scenario, result):
    from landquota.models.overrides import apply_overrides
    code = "520100"  # 贵阳
    settlers = next(c.settlers_per_year for c in scenario.cities if c.code == code)
    more = solve_scenario(apply_overrides(scenario, {f"cities[{code}].settlers_per_year": 2 * settlers}),
                          SolveOptions(explain=False))
    before = {p.code: p.quota_allocated_ha for p in result.provinces}
    after = {p.code: p.quota_allocated_ha for p in more.provinces}
    assert after["520000"] > before["520000"] + 1.0
