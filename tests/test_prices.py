"""Prices that mean what they say (issue 13 item 7).

* A soft rule (settler floor, tilt) whose target is missed is priced by its slack: its shadow price
  *is* the shortfall penalty (discounted), and the explanation says so and names no marginal
  project. Where the target is met, the price comes from the allocation as before.
* A quota market's clearing row nets out what buyers pay and sellers receive: the explanation says
  so and gives each trading province's own price.

Hand facts (demo, ``tests/test_demo_optimum.py``): 广东 (440000) buys 50 ha of construction-land quota
from 贵州 (520000), whose 50 ha of surplus is all there is. 广东 pays 50万元/亩 × 15 = 750万元/ha plus
the 0.1万元/ha own-pool-first tie-break = 750.1万元/ha; one more ha of land is worth 858.85万元 to it
(its pool's shadow price: 广州's general land, see tests/test_explain.py), so one more ha bought is
worth 858.85 − 750.1 = 108.75万元 to 广东. 贵州 receives 30万元/亩 × 15 = 450万元/ha and has no
other use for surplus quota: 450万元 per ha.
"""

from __future__ import annotations

import highspy
import pytest

from landquota.datasets import load_dataset
from landquota.models.overrides import apply_overrides
from landquota.models.scenario import load_scenario
from landquota.solvers.highs import ScenarioSolver, SolveOptions
from tests.helpers import city, project, province, scenario

REL = 1e-7


def explained(r):
    return [e for g in r.explain.binding_groups for e in g.rules]


def one(r, rule, region, year=1):
    hits = [e for e in explained(r) if (e.rule, e.region, e.year) == (rule, region, year)]
    assert len(hits) == 1, (rule, region, year)
    return hits[0]


@pytest.fixture(scope="module")
def demo():
    sv = ScenarioSolver(load_dataset("demo"))
    return sv, sv.solve()


def test_land_market_says_payments_cancel_and_gives_own_prices(demo):
    _, r = demo
    e = one(r, "land_quota_clearing", "national")
    assert e.price_source == "national_market"
    assert "cancel in the national objective" in e.sentence_en and "相互抵消" in e.sentence_zh
    own = {o.province_code: o for o in e.own_prices}
    assert set(own) == {"440000", "520000"}
    gd, gz = own["440000"], own["520000"]
    assert (gd.side, gz.side) == ("buy", "sell")
    assert gd.traded_ha == pytest.approx(50.0) and gz.traded_ha == pytest.approx(50.0)
    assert gd.payment_cny_10k_per_ha == pytest.approx(750.1, rel=REL)
    assert gz.payment_cny_10k_per_ha == pytest.approx(450.0, rel=REL)
    assert gd.own_price_cny_10k == pytest.approx(858.85 - 750.1, rel=1e-6)
    assert gz.own_price_cny_10k == pytest.approx(450.0, rel=REL)
    # the buyer's own price is its pool's shadow price less what it pays
    pool = one(r, "provincial_pool", "440000")
    assert gd.own_price_cny_100m == pytest.approx(pool.shadow_price_cny_100m - 0.07501, rel=1e-6)
    assert "108.8 万元" in e.sentence_en or "108.7 万元" in e.sentence_en


def test_farmland_own_price_by_finite_difference(demo):
    """On a copy of the LP with every farmland trade fixed, relax the buyer's reserve (and tighten the
    seller's) by 0.01 ha: the objective change per ha plus the payment is the own price (the LP is
    linear over that step; the explanation probes with a smaller one)."""
    sv, r = demo
    e = one(r, "farmland_quota_clearing", "national", None)
    assert e.price_source == "national_market" and len(e.own_prices) == 2
    solved = sv.solved()
    lp = solved.highs.getLp()
    m = sv.model.m
    cols = [solved.col(v) for comp in (m.trading.buy_farmland, m.trading.sell_farmland) for v in comp.values()]
    x = solved.col_value
    base = _fixed(lp, cols, x, None, 0.0)
    step = 1e-2
    for o in e.own_prices:
        _, cd, row = solved.row_by_key["farmland_balance", o.province_code]
        delta = step if o.side == "buy" else -step
        moved = _fixed(lp, cols, x, row, delta)
        value = (moved - base) / step
        c = lp.col_cost_[solved.col(getattr(m.trading, f"{o.side}_farmland")[o.province_code])]
        assert o.own_price_cny_100m == pytest.approx(c + value, rel=1e-4, abs=1e-9), o.province_code


def _fixed(lp, cols, x, row, delta):
    h = highspy.Highs()
    h.setOptionValue("output_flag", False)
    h.passModel(lp)
    for j in cols:
        h.changeColBounds(j, x[j], x[j])
    if row is not None:
        h.changeRowBounds(row, lp.row_lower_[row], lp.row_upper_[row] + delta)
    h.run()
    assert h.getModelStatus() == highspy.HighsModelStatus.kOptimal
    return h.getInfo().objective_function_value


def test_settler_floor_priced_by_its_penalty_names_no_project():
    """广东 with a pool of 20 ha, no buying, two years: its cities miss their settler floors, so
    each floor's price is the penalty (10,000万元/ha = 1 亿元/ha, ÷ 1.0465 in year 2)."""
    s = apply_overrides(load_dataset("demo"), {"provinces[440000].new_land_pool_ha_per_year": 20,
                                               "provinces[440000].land_quota_buyer": False, "years": 2})
    r = ScenarioSolver(s).solve()
    short = {(x.region, x.year): x.amount_ha for x in r.shortfalls}
    for year, price in ((1, -1.0), (2, -1.0 / 1.0465)):
        e = one(r, "settler_land_floor", "440100", year)
        assert short[("440100", year)] > 0
        assert e.shadow_price_cny_100m == pytest.approx(price, rel=REL)
        assert e.price_source == "shortfall_penalty" and e.marginal_projects == []
        assert "shortfall penalty" in e.sentence_en and "Marginal" not in e.sentence_en
        assert "罚金" in e.sentence_zh and "边际项目：" not in e.sentence_zh
    # a floor that is met is priced by the allocation (since issue 15 the reward fund is no project capital,
    # so SC-04 is not funded here and 绵阳's general land, not a project, is at the margin)
    e = one(r, "settler_land_floor", "510000-REST", 1)
    assert e.price_source == "allocation" and e.marginal_projects == []


def test_met_floor_keeps_its_marginal_project(demo):
    _, r = demo
    e = one(r, "settler_land_floor", "440500")
    assert e.price_source == "allocation" and e.marginal_projects == ["GD-03"]
    assert "penalty" not in e.sentence_en


def test_tilt_priced_by_its_penalty():
    """One province: a centre city with no room under its per-capita cap (100 m² already) and a
    project of 10 亿元 on 100 ha in the rest of the province. With a tilt share of 50% and a penalty of
    100万元/ha, building the project misses the tilt by 50 ha at 0.01 亿元 each: objective 10 − 0.5,
    and the tilt's shadow price is −0.01 亿元/ha (the penalty), with no marginal project."""
    s = load_scenario(scenario(
        [province()],
        [city("510100", land_ha=10_000.0, tier="provincial_capital"), city("510000-REST", "510000")],
        [project("P", "510000-REST", 10.0, {"other": 100.0})],
        policy={"tilt_min_share": 0.5, "shortfall_penalty_cny_10k_per_ha": 100.0},
    ))
    r = ScenarioSolver(s).solve()
    assert r.objective_cny_100m == pytest.approx(9.5, rel=REL)
    e = one(r, "tilt_share", "510000")
    assert e.shadow_price_cny_100m == pytest.approx(-0.01, rel=REL)
    assert e.price_source == "shortfall_penalty" and e.marginal_projects == []
    assert "missed by 50 ha" in e.sentence_en
    # the dual agrees with a finite difference: a 1 ha lower required tilt land saves the penalty
    s2 = load_scenario(scenario(
        [province()],
        [city("510100", land_ha=10_000.0, tier="provincial_capital"), city("510000-REST", "510000")],
        [project("P", "510000-REST", 10.0, {"other": 100.0})],
        policy={"tilt_min_share": 0.49, "shortfall_penalty_cny_10k_per_ha": 100.0},
    ))
    r2 = ScenarioSolver(s2, SolveOptions(explain=False)).solve()
    assert (r2.objective_cny_100m - r.objective_cny_100m) / -1.0 == pytest.approx(e.shadow_price_cny_100m, rel=1e-6)
