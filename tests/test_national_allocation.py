"""Issue 13: the LP allocates the national quota (``policy.quota_allocation = "national"``).

Each new rule is tightened until it binds, its shadow price is checked against a hand-computed value
and a finite difference (the pattern of ``tests/test_rules_bind.py``); the demo gets a ``national``
case whose optimum is derived by hand from the hand-checked ``provincial_pools`` optimum
(``tests/test_demo_optimum.py``).

Tiny two-province case (helpers' defaults: 1,000,000 residents on 9,000 ha, i.e. 90 m² per resident,
tier 100 m² per settler, 1,000 ha of cap room; projects on "other" land, no costs):

* 四川 510000: city 510100 with 1,000 settlers → linked land 1,000 × 100 m² = 10 ha a year;
  project P, 30 ha worth 9 亿元 (0.3 亿元/ha); base 10 ha.
* 贵州 520000: city 520100, no settlers (linked land 0); project Q, 20 ha worth 4 亿元 (0.2/ha); base 10 ha.
* National total 25 ha; band floor share 0, ceiling share 1: 四川 ∈ [10, 20], 贵州 ∈ [0, 10].

By hand: 四川's P is worth more, so 四川 gets its ceiling 20 (P at 20/30) and 贵州 the remaining 5
(Q at 5/20). Each ha allocated costs the tie-break ε = 0.01万元/ha = 1e-6 亿元/ha. Objective
6 + 4 × 5/20 − 25 ε = 7 − 25e-6. Prices: national total 0.2 − ε (贵州's marginal use, net of ε);
四川's ceiling 0.3 − 0.2 = 0.1 (one more ha moves a hectare from Q to P); the row that ties a
province's use to its allocation ("allocated_quota") carries the province's own marginal use: 0.3 in
四川, 0.2 in 贵州.
"""

from __future__ import annotations

import copy

import pytest

from landquota.datasets import load_dataset
from landquota.models.overrides import apply_overrides
from landquota.models.scenario import ScenarioInvalid, load_scenario
from landquota.solvers.highs import solve_scenario
from tests.helpers import bindings, city, close, fd_slope, project, province, row, scenario, shadow, solve

REL = 1e-9
EPS_ALLOC = 0.01 / 1e4   # policy.unused_allocation_cost_cny_10k_per_ha, in 亿元/ha
PENALTY = 1.0


def assert_fd(make, delta, expected):
    slope = fd_slope(make, delta)
    assert close(slope, expected, rel=1e-6), (slope, expected)


def two_case(total=25.0, sc_ceiling=1.0, gz_floor=0.0, settlers=1_000, **policy):
    pol = {"quota_allocation": "national", "national_new_land_total_ha": total,
           "allocation_band_floor_share": 0.0, "allocation_band_ceiling_share": 1.0, **policy}
    return scenario(
        [province("510000", pool=10.0, allocation_band_ceiling_share=sc_ceiling),
         province("520000", pool=10.0, allocation_band_floor_share=gz_floor)],
        [city("510100", settlers=settlers), city("520100")],
        [project("P", "510100", 9.0, {"other": 30.0}), project("Q", "520100", 4.0, {"other": 20.0})],
        policy=pol)


def test_national_allocation_by_hand():
    r = solve(two_case())
    assert r.objective_cny_100m == pytest.approx(7.0 - 25 * EPS_ALLOC, rel=REL)
    sc, gz = row(r.provinces, "code", "510000"), row(r.provinces, "code", "520000")
    assert sc.quota_allocated_ha == pytest.approx(20.0, rel=REL) and gz.quota_allocated_ha == pytest.approx(5.0, rel=REL)
    assert sc.linked_ha == pytest.approx(10.0) and gz.linked_ha == 0.0
    assert (sc.allocation_floor_ha_per_year, sc.allocation_ceiling_ha_per_year) == pytest.approx((10.0, 20.0))
    assert sc.band_edge == "ceiling" and gz.band_edge is None
    assert r.headline.quota_allocated_by_province == pytest.approx({"510000": 20.0, "520000": 5.0})
    n = r.national
    assert n.binds and n.quota_allocated_ha == pytest.approx(25.0) and n.national_total_ha == 25.0
    assert n.shadow_price_cny_100m_per_ha == pytest.approx([0.2 - EPS_ALLOC], rel=1e-9)
    assert n.linked_m2_per_settler == pytest.approx(100.0)
    assert n.provinces_at_ceiling == ["510000"]
    assert shadow(r, "allocated_quota", "510000", 1) == pytest.approx(0.3, rel=1e-9)
    assert shadow(r, "allocated_quota", "520000", 1) == pytest.approx(0.2, rel=1e-9)
    # the pool rule is gone in national mode
    assert not bindings(r, "provincial_pool")


def test_national_total_binds_in_national_mode():
    b = bindings(solve(two_case()), "national_total", "national", 1)
    assert len(b) == 1 and b[0].limit == 25.0 and b[0].shadow_price > 0
    assert b[0].shadow_price == pytest.approx(0.2 - EPS_ALLOC, rel=1e-9)
    assert_fd(lambda d: two_case(total=25.0 + d), 0.5, b[0].shadow_price)
    assert_fd(lambda d: two_case(total=25.0 + d), -0.5, b[0].shadow_price)


def test_allocation_ceiling_binds():
    b = bindings(solve(two_case()), "allocation_ceiling", "510000", 1)
    assert len(b) == 1 and b[0].limit == pytest.approx(20.0)
    assert b[0].shadow_price > 0 and b[0].shadow_price == pytest.approx(0.1, rel=1e-9)
    # a ceiling share of 1 + δ/10 moves the ceiling by δ ha (base 10 ha), and δ ha between P and Q
    assert_fd(lambda d: two_case(sc_ceiling=1.0 + d / 10.0), 0.5, b[0].shadow_price)
    assert_fd(lambda d: two_case(sc_ceiling=1.0 + d / 10.0), -0.5, b[0].shadow_price)
    # the row tying 四川's use to its allocation has no data of its own (its limit is 0): its price is what
    # the allocation is worth to 四川, i.e. its ceiling's price + the national price + the tie-break ε
    r = solve(two_case())
    assert shadow(r, "allocated_quota", "510000", 1) == pytest.approx(
        b[0].shadow_price + shadow(r, "national_total", "national", 1) + EPS_ALLOC, rel=1e-9)


def test_allocation_floor_binds():
    # 贵州's floor share 0.8 → 贵州 ≥ 8 ha, so 四川 gets 17 (< its 20 ceiling): 四川's P sets the national price
    r = solve(two_case(gz_floor=0.8))
    assert row(r.provinces, "code", "520000").quota_allocated_ha == pytest.approx(8.0, rel=REL)
    assert row(r.provinces, "code", "510000").quota_allocated_ha == pytest.approx(17.0, rel=REL)
    assert r.objective_cny_100m == pytest.approx(17 * 0.3 + 8 * 0.2 - 25 * EPS_ALLOC, rel=REL)
    assert row(r.provinces, "code", "520000").band_edge == "floor"
    b = bindings(r, "allocation_floor", "520000", 1)
    assert len(b) == 1 and b[0].limit == pytest.approx(8.0)
    # a floor: one more ha required in 贵州 moves a hectare from P (0.3) to Q (0.2)
    assert b[0].shadow_price < 0 and b[0].shadow_price == pytest.approx(-0.1, rel=1e-9)
    assert_fd(lambda d: two_case(gz_floor=0.8 + d / 10.0), 0.5, b[0].shadow_price)
    assert shadow(r, "national_total", "national", 1) == pytest.approx(0.3 - EPS_ALLOC, rel=1e-9)


def test_more_settlers_more_quota():
    """Linked land comes on top of the band: 贵州's city settling 1,000 migrants (10 ha linked) takes
    its allocation from 5 to 10 ha; 四川 keeps its 10 ha linked land + the 5 ha left, by value."""
    d = two_case()
    d["cities"][1]["settlers_per_year"] = 1_000
    r = solve(d)
    assert row(r.provinces, "code", "520000").quota_allocated_ha == pytest.approx(10.0, rel=REL)
    assert row(r.provinces, "code", "510000").quota_allocated_ha == pytest.approx(5.0 + 10.0, rel=REL)


def test_linkage_strength_scales_linked_land_and_the_floor():
    r = solve(two_case(linkage_strength=1.5, gz_floor=0.0))
    sc = row(r.provinces, "code", "510000")
    assert sc.linked_ha == pytest.approx(15.0)
    assert sc.allocation_ceiling_ha_per_year == pytest.approx(25.0)
    assert row(r.cities, "code", "510100").linkage_need_ha == pytest.approx(15.0)


def strength_case(delta=0.0):
    # a city with no room (100 m² now, no growth) settling 1,000 migrants: 10 ha × strength short, at 1 亿元/ha
    return scenario([province(pool=100.0)], [city("510100", land_ha=10_000.0, settlers=1_000)],
                    policy={"linkage_strength": 1.0 + delta})


def test_linkage_strength_moves_the_settler_floor():
    r = solve(strength_case())
    assert r.objective_cny_100m == pytest.approx(-10.0 * PENALTY, rel=REL)
    b = bindings(r, "settler_land_floor", "510100", 1)
    assert len(b) == 1 and b[0].limit == pytest.approx(10.0) and b[0].shadow_price == pytest.approx(-PENALTY)
    # strength 1 + δ raises the floor by 10 δ ha
    assert_fd(strength_case, 0.1, b[0].shadow_price * 10.0)


def test_national_total_below_linked_land_and_floors_is_infeasible_with_a_diagnosis():
    d = two_case(total=15.0, gz_floor=0.8)   # 四川 needs 10 linked, 贵州 8 band floor: 18 > 15
    r = solve_scenario(load_scenario(copy.deepcopy(d)))
    assert r.status == "infeasible"
    rules = {(x.rule, x.region) for c in r.diagnosis.conflicts for x in c.rules}
    assert {("allocation_floor", "510000"), ("allocation_floor", "520000"), ("national_total", "national")} <= rules
    nat = next(x for c in r.diagnosis.conflicts for x in c.rules if x.rule == "national_total")
    assert nat.change_needed == pytest.approx(3.0, rel=1e-6)


@pytest.mark.parametrize("where, value, loc", [
    ("policy", {"allocation_band_floor_share": 1.5, "allocation_band_ceiling_share": 1.2},
     ["policy", "allocation_band_floor_share"]),
    ("province", {"allocation_band_floor_share": 1.3}, ["provinces", 1, "allocation_band_floor_share"]),
    ("policy", {"quota_allocation": "national", "national_new_land_total_ha": None},
     ["policy", "national_new_land_total_ha"]),
])
def test_band_contradictions_are_named(where, value, loc):
    d = two_case()
    if where == "policy":
        d["policy"].update(value)
    else:
        d["provinces"][1].update(value)
    with pytest.raises(ScenarioInvalid) as e:
        load_scenario(d)
    assert loc in [p.loc for p in e.value.problems]


def test_band_contradiction_is_a_422_naming_the_field():
    from landquota.service.errors import scenario_invalid
    d = two_case()
    d["provinces"][0]["allocation_band_ceiling_share"] = 0.5
    d["provinces"][0]["allocation_band_floor_share"] = 0.7
    with pytest.raises(ScenarioInvalid) as e:
        load_scenario(d)
    err = scenario_invalid(e.value, ("body", "scenario"))
    assert err.status == 422
    assert [(p.loc, p.rule) for p in err.problems] == [
        (["body", "scenario", "provinces", 0, "allocation_band_floor_share"], "band_floor_above_ceiling")]


# ---- per-capita cap counts urban construction land only -------------------------------------

def regional_case(delta=0.0, category="regional_infrastructure"):
    # cap room 10 ha (99.9 m² now, cap 100): U (urban, 0.3 亿元/ha) and R (0.2 亿元/ha) both 20 ha
    return scenario([province(pool=100.0)], [city("510100", land_ha=9_990.0 - delta)],
                    [project("U", "510100", 6.0, {"other": 20.0}),
                     project("R", "510100", 4.0, {"other": 20.0}, category=category)])


def test_regional_infrastructure_is_outside_the_per_capita_cap():
    r = solve(regional_case())
    share = {p.id: p.selected_share for p in r.projects}
    assert share == pytest.approx({"U": 0.5, "R": 1.0}, rel=REL)
    assert r.objective_cny_100m == pytest.approx(3.0 + 4.0, rel=REL)
    b = bindings(r, "per_capita_cap", "510100")
    assert len(b) == 1 and b[0].shadow_price == pytest.approx(0.3, rel=1e-9)
    assert_fd(regional_case, 1.0, 0.3 * (1 + 0.0))  # 1 ha less current land = 1 ha more room (cap stays 100)
    assert row(r.cities, "code", "510100").per_capita_after_m2 == pytest.approx(100.0, rel=1e-12)
    cy = row(r.city_years, "city_code", "510100")
    assert cy.regional_land_ha == pytest.approx(20.0) and cy.new_land_ha == pytest.approx(30.0)


def test_urban_infrastructure_counts_under_the_cap():
    r = solve(regional_case(category="infrastructure"))
    share = {p.id: p.selected_share for p in r.projects}
    assert share == pytest.approx({"U": 0.5, "R": 0.0}, abs=1e-9)


# ---- tilt at the policy's level ---------------------------------------------------------------

def national_tilt_case(delta=0.0):
    # 四川 has only its capital (no room: 100 m² now, no growth); 贵州 only its rest-of-province unit
    # with a 10 ha project worth 200 亿元. No province has both kinds of unit, so a provincial tilt has
    # no row; measured nationally, tilted land must be ≥ 50% of 10 ha: 5 ha short at 1 亿元/ha.
    return scenario([province("510000", pool=100.0), province("520000", pool=100.0)],
                    [city("510100", land_ha=10_000.0, tier="provincial_capital"), city("520000-REST", "520000")],
                    [project("P", "520000-REST", 200.0, {"other": 10.0})],
                    policy={"tilt_min_share": 0.5 + delta, "tilt_level": "national"})


def test_national_tilt_binds():
    r = solve(national_tilt_case())
    assert r.objective_cny_100m == pytest.approx(200.0 - 5.0 * PENALTY, rel=REL)
    assert [(s.rule, s.region) for s in r.shortfalls] == [("tilt_share", "national")]
    b = bindings(r, "tilt_share", "national", 1)
    assert len(b) == 1 and b[0].shadow_price == pytest.approx(-PENALTY, rel=1e-9)
    assert_fd(national_tilt_case, 0.01, b[0].shadow_price * 10.0)
    d = national_tilt_case()
    d["policy"]["tilt_level"] = "province"
    assert solve(d).shortfalls == []


def test_key_cluster_share_counts_part_of_a_unit():
    # province-level tilt; the rest-of-province unit is 30% inside a key cluster: 3 of its 10 ha count,
    # so 2 ha short of the 50% share
    d = scenario([province(pool=100.0)],
                 [city("510100", land_ha=10_000.0, tier="provincial_capital"),
                  city("510000-REST", "510000", key_cluster_share=0.3)],
                 [project("P", "510000-REST", 200.0, {"other": 10.0})])
    r = solve(d)
    assert r.objective_cny_100m == pytest.approx(200.0 - 2.0 * PENALTY, rel=REL)
    assert row(r.provinces, "code", "510000").tilted_share == pytest.approx(0.3)
    assert row(r.province_years, "province_code", "510000").tilt_shortfall_ha == pytest.approx(2.0)


# ---- the demo in national mode, by hand -------------------------------------------------------

DEMO_NATIONAL = {
    "projects[*].investment_cny_100m": 0,
    "policy.quota_allocation": "national",
    "policy.national_new_land_total_ha": 610.0,
    "policy.allocation_band_floor_share": 0.0,
    "policy.allocation_band_ceiling_share": 10.0,
}


def test_demo_national_optimum_by_hand():
    """The demo (land only) with the national plan allocated by the LP: 610 ha, band floors 0 and
    ceilings far away (10 × each province's pool as base).

    Linked land per year (settlers × standard; see tests/test_demo_optimum.py): 四川 成都 80 + 绵阳 44 +
    rest 10,000 × 80 m² (120 m²/resident: tier 80) = 204; 广东 广州 100 + 汕头 30 + rest 10,000 × 88 m²
    (110 m²) = 218; 贵州 贵阳 6,000 × 100 m² = 60 + rest 5,000 × 100 m² = 50, i.e. 110. Σ 532 ha; so
    78 ha of the 610 go by value.

    Each province's value of its quota near the provincial optimum (test_demo_optimum.py):
      四川 0.0425 亿元/ha (绵阳 general land) on [180, 360] ha (绵阳's cap leaves 220 ha: SC-03's 40 +
        180 general), 广东 0.0925 − 0.5 × 0.01323 = 0.085885 (广州 general land, thousands of ha of
        room; it still buys the sellers' 50 ha, worth more than their 0.075 price), 贵州 4.475/105 =
        0.04262 (GZ-02) on [77, 182].
    So 广东 takes all 78 ha: allocations 四川 204 (its linked land, down 96 from its 300 pool),
    广东 218 + 78 = 296 (up 146 from 150), 贵州 110 (up 10 from 100); every ha allocated costs the
    tie-break ε. Objective = the provincial optimum − 96 × 0.0425 + 146 × 0.085885 + 10 × 4.475/105
    − 610 ε. Prices: national total 0.085885 − ε; 四川's floor −(0.085885 − 0.0425), 贵州's floor
    −(0.085885 − 4.475/105).
    """
    from tests.test_demo_optimum import GUANGDONG, GUIZHOU, SICHUAN
    r = solve_scenario(apply_overrides(load_dataset("demo"), DEMO_NATIONAL))
    assert r.status == "optimal"
    gd, gz = 0.0925 - 0.5 * 132.3 / 1e4, 4.475 / 105
    expected = SICHUAN + GUANGDONG + GUIZHOU - 96 * 0.0425 + 146 * gd + 10 * gz - 610 * EPS_ALLOC
    # settlers' public cost (models.finance) is fixed by the settlers, not by the land plan (test_demo_optimum)
    land = r.objective_cny_100m - r.objective_terms_cny_100m["settler_public_cost"]
    assert land == pytest.approx(expected, rel=1e-9)
    alloc = {p.code: p.quota_allocated_ha for p in r.provinces}
    assert alloc == pytest.approx({"510000": 204.0, "440000": 296.0, "520000": 110.0}, abs=1e-6)
    assert {p.code: p.linked_ha for p in r.provinces} == pytest.approx({"510000": 204, "440000": 218, "520000": 110})
    assert r.national.binds
    assert r.national.shadow_price_cny_100m_per_ha == pytest.approx([gd - EPS_ALLOC], rel=1e-9)
    assert shadow(r, "allocation_floor", "510000", 1) == pytest.approx(-(gd - 0.0425), rel=1e-9)
    assert shadow(r, "allocation_floor", "520000", 1) == pytest.approx(-(gd - gz), rel=1e-9)
    assert sorted(r.national.provinces_at_floor) == ["510000", "520000"]
    share = {p.id: p.selected_share for p in r.projects}
    assert share["GZ-02"] == pytest.approx(33 / 105, abs=1e-9)
    assert share["SC-04"] == pytest.approx(0.0, abs=1e-9)
    # the per-year tables add up to the horizon tables
    for p in r.provinces:
        py = [x for x in r.province_years if x.province_code == p.code]
        assert sum(x.new_land_ha for x in py) == pytest.approx(p.new_land_ha)
        assert sum(x.quota_allocated_ha for x in py) == pytest.approx(p.quota_allocated_ha)


def test_demo_doubling_a_citys_settlers_raises_its_provinces_allocation():
    """绵阳 settling 10,000 instead of 5,000 adds 5,000 × 88 m² = 44 ha of linked land to 四川's floor,
    taken from 广东's value share."""
    base = apply_overrides(load_dataset("demo"), DEMO_NATIONAL)
    more = apply_overrides(base, {"cities[510700].settlers_per_year": 10_000})
    a = {p.code: p.quota_allocated_ha for p in solve_scenario(base).provinces}
    b = {p.code: p.quota_allocated_ha for p in solve_scenario(more).provinces}
    assert b["510000"] == pytest.approx(a["510000"] + 44.0, abs=1e-6)
    assert b["440000"] == pytest.approx(a["440000"] - 44.0, abs=1e-6)


def test_province_years_in_csv_export():
    from landquota.service.export import table_csv
    r = solve(two_case(), explain=False)
    text = table_csv(r.model_dump(), "province_years")
    header = text.splitlines()[0].split(",")
    for col in ("year", "quota_allocated_ha", "linked_ha", "new_land_ha", "bought_ha", "sold_ha",
                "stock_revitalised_ha", "settler_shortfall_ha"):
        assert col in header
    assert len(text.splitlines()) == 1 + 2
    assert "national_years" in r.model_dump() and len(r.national_years) == 1


def test_committed_project_beyond_the_allocation_ceiling_is_named():
    # 四川 can get at most 10 linked + 1.0 × 10 = 20 ha a year and may not buy: a committed 30 ha P cannot fit
    d = two_case()
    d["projects"][0]["committed"] = True
    with pytest.raises(ScenarioInvalid) as e:
        load_scenario(d)
    assert [(p.loc, p.rule) for p in e.value.problems] == [
        (["provinces", 0, "new_land_pool_ha_per_year"], "committed_exceeds_ceiling")]
    d["provinces"][0]["allocation_band_ceiling_share"] = 2.0   # 10 + 20 = 30 ha: fits the band ...
    assert solve_scenario(load_scenario(copy.deepcopy(d))).status == "infeasible"  # ... not the 25 ha total
    d["policy"]["national_new_land_total_ha"] = 30.0
    r = solve(d)
    assert row(r.projects, "id", "P").selected_share == pytest.approx(1.0)


def test_batch_compares_allocation_by_province(tmp_path):
    from landquota.service.batches.run import run_batch
    from landquota.service.batches.report import plots
    from landquota.service.batches.spec import BatchSpec
    spec = BatchSpec.model_validate({
        "name": "alloc", "base": {"dataset": "demo", "overrides": DEMO_NATIONAL}, "include_base": False,
        "grid": {"parameters": {"policy.national_new_land_total_ha": [600.0, 650.0]}}})
    rows = run_batch(spec, workers=1)
    assert all(r["ok"] for r in rows)
    # each extra national ha goes to 广东 (the highest value share)
    gd = [r["quota_allocated_by_province"]["440000"] for r in rows]
    assert gd == pytest.approx([286.0, 336.0], abs=1e-6)
    written = {p.name for p in plots(spec, rows, tmp_path)}
    assert {"heatmap_new_land_by_province.png", "heatmap_quota_allocated_by_province.png"} <= written


def test_buyers_own_price_reads_its_allocation_in_national_mode():
    """Under national allocation a buyer's quota is its allocation, not a pool: 广东's own price of one
    more ha bought is what one more ha of allocation is worth to it (0.085885, 广州's general land net
    of its farmland quota) less what it pays (750万元/ha + the 0.1万元 tie-break)."""
    r = solve_scenario(apply_overrides(load_dataset("demo"), DEMO_NATIONAL))
    clearing = [e for g in r.explain.binding_groups for e in g.rules if e.rule == "land_quota_clearing"]
    assert len(clearing) == 1
    own = {o.province_code: o for o in clearing[0].own_prices}
    gd_value = 0.0925 - 0.5 * 132.3 / 1e4
    assert own["440000"].own_price_cny_100m == pytest.approx(gd_value - 0.07501, rel=1e-6)
    assert shadow(r, "allocated_quota", "440000", 1) == pytest.approx(gd_value, rel=1e-9)
