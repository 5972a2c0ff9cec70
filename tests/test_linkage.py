"""Item (6) 人地钱挂钩: the reward fund follows settlers; settlers never create land supply."""

from __future__ import annotations

import pyomo.environ as pyo
import pytest

from landquota.datasets import dataset_dict, load_dataset
from landquota.models.build import LandModel
from landquota.models.coefficients import all_city_coefficients
from landquota.models.linkage import reward_fund_allocation
from landquota.models.overrides import apply_overrides
from landquota.models.scenario import load_scenario
from tests.helpers import city, province, row, scenario, solve


WHOLE_COUNTRY = {"reward_fund_national_weighted_settlers_per_year": None}
"""These cases split the fund among their own provinces (the scenario is the whole country); the national
base is tested on its own below."""


def fund_case(**policy) -> dict:
    policy = {**WHOLE_COUNTRY, **policy}
    return scenario(
        [province("510000", fiscally_weak=True), province("440000"), province("520000", fiscally_weak=True)],
        [
            city("510100", settlers=1000, settlers_cross_province_share=1.0),
            city("510000-REST", "510000", settlers=2000, settlers_cross_province_share=0.0),
            city("440100", settlers=3000, settlers_cross_province_share=0.5),
            city("520100", settlers=500, settlers_cross_province_share=0.2),
        ],
        policy=policy,
    )


def test_reward_fund_split_by_hand():
    # weights (cross 1.0, within 0.5, weak +20%):
    #   四川 (weak): 1000 × 1.0 + 2000 × 0.5 = 2000, × 1.2 = 2400
    #   广东:        3000 × (0.5 × 1.0 + 0.5 × 0.5) = 2250
    #   贵州 (weak): 500 × (0.2 × 1.0 + 0.8 × 0.5) = 300, × 1.2 = 360
    #   total 5010; fund 350 亿元 (2020 default)
    s = load_scenario(fund_case())
    got = reward_fund_allocation(s)
    expected = {"510000": 350 * 2400 / 5010, "440000": 350 * 2250 / 5010, "520000": 350 * 360 / 5010}
    assert got == pytest.approx(expected, rel=1e-12)
    assert sum(got.values()) == pytest.approx(350.0, rel=1e-12)


def test_reward_fund_weights_are_parameters():
    # cross 2, within 1, no tilt: 四川 1000×2 + 2000×1 = 4000; 广东 3000×1.5 = 4500; 贵州 500×1.2 = 600
    s = load_scenario(fund_case(reward_weight_cross_province=2.0, reward_weight_within_province=1.0,
                                reward_tilt_fiscally_weak=0.0, reward_fund_total_cny_100m=400.0))
    got = reward_fund_allocation(s)
    assert got == pytest.approx({"510000": 400 * 4000 / 9100, "440000": 400 * 4500 / 9100,
                                 "520000": 400 * 600 / 9100}, rel=1e-12)
    assert sum(got.values()) == pytest.approx(400.0, rel=1e-12)


def test_cross_province_settlers_weigh_more():
    s = load_scenario(fund_case())
    before = reward_fund_allocation(s)["440000"]
    s2 = apply_overrides(s, {"cities[440100].settlers_cross_province_share": 1.0})
    assert reward_fund_allocation(s2)["440000"] > before


def test_fiscally_weak_tilt():
    # same settlers, one weak: 1.2 : 1
    d = scenario([province("510000", fiscally_weak=True), province("520000")],
                 [city("510100", settlers=1000), city("520100", settlers=1000)], policy=WHOLE_COUNTRY)
    got = reward_fund_allocation(load_scenario(d))
    assert got["510000"] / got["520000"] == pytest.approx(1.2, rel=1e-12)
    assert got["510000"] == pytest.approx(350 * 1.2 / 2.2, rel=1e-12)


def test_no_settlers_no_fund_and_no_error():
    d = scenario([province("510000"), province("520000")], [city("510100"), city("520100")])
    assert reward_fund_allocation(load_scenario(d)) == {"510000": 0.0, "520000": 0.0}


def test_reward_fund_in_the_result_sums_to_the_total():
    r = solve(fund_case())
    assert sum(p.reward_fund_cny_100m for p in r.provinces) == pytest.approx(350.0, rel=1e-12)
    assert row(r.provinces, "code", "440000").reward_fund_cny_100m == pytest.approx(350 * 2250 / 5010, rel=1e-12)


def test_demo_fund_sums_to_total():
    s = apply_overrides(load_dataset("demo"), {"policy.reward_fund_national_weighted_settlers_per_year": None})
    assert sum(reward_fund_allocation(s).values()) == pytest.approx(s.policy.reward_fund_total_cny_100m, rel=1e-12)


def test_a_few_provinces_get_their_share_of_the_national_fund():
    # the default national base: 9.1 million weighted settlers a year. 四川 alone, weak, 1,000 cross-province
    # and 2,000 within-province settlers: weight (1000 + 1000) × 1.2 = 2400 → 350 × 2400 / 9.1e6 亿元
    d = scenario([province("510000", fiscally_weak=True)],
                 [city("510100", settlers=1000, settlers_cross_province_share=1.0),
                  city("510000-REST", "510000", settlers=2000)])
    got = reward_fund_allocation(load_scenario(d))
    assert got == pytest.approx({"510000": 350 * 2400 / 9.1e6}, rel=1e-12)
    # a scenario heavier than the national base splits the whole fund
    d["policy"] = {"reward_fund_national_weighted_settlers_per_year": 1000.0}
    assert reward_fund_allocation(load_scenario(d)) == pytest.approx({"510000": 350.0}, rel=1e-12)


# ---- settlers never create supply ------------------------------------------------------------

def _param_values(lm: LandModel) -> dict:
    m = lm.m
    out = {}
    for path in ("landplan.pool_ha", "landplan.stock_ha", "landplan.cap_room_ha", "landplan.national_total_ha",
                 "trading.surplus_ha", "trading.reserve_ha"):
        blk, name = path.split(".")
        comp = getattr(getattr(m, blk), name)
        out[path] = {k: pyo.value(v) for k, v in comp.items()} if comp.is_indexed() else pyo.value(comp)
    out["buy_land bounds"] = {k: v.bounds for k, v in m.buy_land.items()}
    out["sell_land bounds"] = {k: v.bounds for k, v in m.trading.sell_land.items()}
    out["stock bounds"] = {k: v.bounds for k, v in m.s.items()}
    return out


@pytest.mark.parametrize("city_code", ["510100", "510700", "510000-REST", "440100", "440500", "440000-REST",
                                       "520100", "520000-REST"])
def test_more_settlers_never_increase_supply(city_code):
    """No rule may assume settlers give up rural land (item (6)): raising a city's settlers leaves
    every pool, stock, cap room, surplus, reserve and trading bound unchanged, and can only raise
    that city's settler land need."""
    base = load_dataset("demo")
    more = apply_overrides(base, {f"cities[{city_code}].settlers_per_year":
                                  base.city(city_code).settlers_per_year + 50_000})
    lm0, lm1 = LandModel(base), LandModel(more)
    assert _param_values(lm1) == _param_values(lm0)
    need0 = {c: pyo.value(v) for c, v in lm0.m.linkage.need_ha.items()}
    need1 = {c: pyo.value(v) for c, v in lm1.m.linkage.need_ha.items()}
    for c in need0:
        if c == city_code:
            assert need1[c] > need0[c]
        else:
            assert need1[c] == need0[c]
    k0, k1 = all_city_coefficients(base), all_city_coefficients(more)
    for c in k0:
        assert k1[c].cap_room_ha == k0[c].cap_room_ha          # settlers are already residents
        assert k1[c].final_resident_population == k0[c].final_resident_population


def test_more_settlers_never_increase_quota_sold_or_stock_used():
    base = load_dataset("demo")
    r0 = solve(base)
    more = apply_overrides(base, {"cities[*].settlers_per_year": 100_000})
    r1 = solve(more)
    for p in more.provinces:
        row1 = row(r1.provinces, "code", p.code)
        assert row1.land_quota_sold_ha <= p.surplus_land_quota_ha_per_year * more.years + 1e-6
    for c in more.cities:
        assert row(r1.cities, "code", c.code).stock_revitalised_ha <= c.stock_land_available_ha + 1e-6
    assert sum(p.land_quota_sold_ha for p in r1.provinces) <= sum(
        p.surplus_land_quota_ha_per_year for p in base.provinces) * base.years + 1e-6
    assert r0.status == r1.status == "optimal"


def test_linkage_need_by_hand_and_over_the_horizon():
    # 90 m² now → 100 m² per settler; 2,500 settlers → 25 ha a year, 75 ha over 3 years
    r = solve(scenario([province(pool=100.0)], [city("510100", settlers=2_500)], years=3))
    c = row(r.cities, "code", "510100")
    assert c.per_settler_m2 == 100.0
    assert c.linkage_need_ha == pytest.approx(75.0, rel=1e-12)


def test_registered_population_does_not_change_land():
    """Per-capita land is measured on residents (GB 50137); registered population is informative."""
    d = scenario([province()], [city("510100", settlers=1000, registered_population=100)])
    d2 = scenario([province()], [city("510100", settlers=1000, registered_population=900_000)])
    k, k2 = all_city_coefficients(load_scenario(d)), all_city_coefficients(load_scenario(d2))
    assert k == k2


def test_settlers_in_demo_rest_units_earn_land():
    """Rest-of-province units are not super-large or mega: all settlers count."""
    s = apply_overrides(dataset_dict("demo"), {"cities[440000-REST].settlers_central_district_share": 0.9})
    k = all_city_coefficients(s)["440000-REST"]
    assert k.eligible_settlers_per_year == s.city("440000-REST").settlers_per_year
