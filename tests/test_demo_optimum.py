"""The demo's land optimum, worked out by hand from the rules (not copied from a solver run).

This checks items (6) and (20): the demo's financing (item (21)) is switched off by setting every
project's investment to 0, and is checked by hand in ``tests/test_finance.py``.

With one plan year every discount factor is 1 and each province decouples except through the
quota and farmland markets, so the LP is a knapsack per province: rank every use of pool land by
its net value per ha and fill the pool. All values in 亿元; 万元/ha ÷ 10,000 = 亿元/ha.

Costs per ha: arable occupation 10万/亩 × 15 = 150万/ha = 0.015; PBF 20万/亩 × 15 = 0.03.
General-use land occupies 50% arable, so its net value is (value − 75万) / 1e4 per ha.

四川 (pool 300, no trading; non-pilot so every trigger goes to the State Council):
  SC-01 arable 30        6 − 0.45            = 5.55   (0.185 /ha)
  SC-02 PBF 10 + other 50  9 − 0.30          = 8.70   (0.145 /ha)
  SC-03 arable 40        4 − 0.60            = 3.40   (0.085 /ha)
  SC-04 other 80         3                   = 3.00   (0.0375/ha)
  成都 general land ≤ 50 (need 80 − stock 30): (800 − 75)/1e4 = 0.0725 /ha
  綿陽 general land ≤ 44 (need 88 m² × 5,000 = 44 ha, no stock): (500 − 75)/1e4 = 0.0425 /ha
  Demand 30 + 60 + 40 + 80 + 50 + 44 = 304 > 300: the cheapest use, SC-04, loses 4 ha → 0.95.
  Stock (no pool): 成都 30 × (800 − 300)/1e4 = 1.5; rest 100 × (300 − 100)/1e4 = 2.0.
  Sum: 5.55 + 8.7 + 3.4 + 0.95 × 3 + 50 × 0.0725 + 44 × 0.0425 + 1.5 + 2.0 = 29.495

廣東 (pool 150, buyer at 50万/亩 = 0.075/ha; the seller receives 30万/亩 = 0.045/ha, so one
bought ha costs the nation 0.03; pilot province, so State-Council-level projects are entrusted):
  GD-02 PBF 5 + arable 15  5 − 0.15 − 0.225  = 4.625  (0.23125/ha)
  GD-01 arable 20 + other 30  8 − 0.30       = 7.70   (0.154 /ha)
  廣州 general land ≤ 50 (need 100 after the central-district rule, stock 50) at 0.0925/ha
  GD-04 arable 36        3 − 0.54            = 2.46   (0.0683/ha)
  GD-03 other 40         2                   = 2.00   (0.05  /ha)
  汕頭 general land at (350 − 75)/1e4 = 0.0275 < 0.03: not worth buying quota for.
  20 + 50 + 50 + 36 + 40 = 196 ha = pool 150 + 46 ha bought (surplus 50: not binding).
  Stock: 廣州 50 × (1000 − 400)/1e4 = 3.0; rest 100 × (250 − 100)/1e4 = 1.5 (covers need 88).
  Arable occupied 20 + 20 + 36 + 0.5 × 50 = 101 > reserve 80: buy 21 ha of farmland quota at
  (10 + 2 × 3.82)万/亩 × 15 = 264.6万/ha; the seller receives (5 + 3.82) × 15 = 132.3万/ha.
  Sum: 4.625 + 7.7 + 4.625 + 2.46 + 2.0 + 3.0 + 1.5 − 46 × 0.075 − 21 × 0.02646 = 21.90434

貴州 (pool 100, seller; non-pilot):
  GZ-04 PBF 2            0.5 − 0.06          = 0.44   (0.22  /ha)
  GZ-01 other 75         4                   = 4.00   (0.0533/ha)
  GZ-02 arable 35 + other 70  5 − 0.525      = 4.475  (0.04262/ha)
  貴陽 general land at (300 − 75)/1e4 = 0.0225/ha; GZ-03 is in the rest of the province, whose
  per-capita cap leaves 0 ha (no population growth).
  2 + 75 = 77, so GZ-02 gets 23 of 105 ha.
  Stock: 貴陽 10 × 0.01 + rest 60 × 0.01 = 0.7.  Sales: 46 × 0.045 + 21 × 0.01323.
  Sum: 0.44 + 4 + 4.475 × 23/105 + 0.7 + 2.07 + 0.27783 = 8.468068…
"""

import pytest

from datasets import load_dataset
from models.overrides import apply_overrides
from solvers.highs import solve_scenario

SICHUAN = 5.55 + 8.7 + 3.4 + 0.95 * 3 + 50 * 0.0725 + 44 * 0.0425 + 1.5 + 2.0
GUANGDONG = 4.625 + 7.7 + 4.625 + 2.46 + 2.0 + 3.0 + 1.5 - 46 * 0.075 - 21 * 264.6 / 1e4
GUIZHOU = 0.44 + 4 + 4.475 * 23 / 105 + 0.7 + 46 * 0.045 + 21 * 132.3 / 1e4


@pytest.fixture(scope="module")
def result():
    land_only = apply_overrides(load_dataset("demo"), {"projects[*].investment_cny_100m": 0})
    return solve_scenario(land_only)


def test_objective_matches_hand_computation(result):
    assert result.status == "optimal"
    assert result.objective_cny_100m == pytest.approx(SICHUAN + GUANGDONG + GUIZHOU, rel=1e-9)


def test_project_selection(result):
    share = {p.id: p.selected_share for p in result.projects}
    expected = {"SC-01": 1, "SC-02": 1, "SC-03": 1, "SC-04": 0.95, "GD-01": 1, "GD-02": 1, "GD-03": 1,
                "GD-04": 1, "GZ-01": 1, "GZ-02": 23 / 105, "GZ-03": 0, "GZ-04": 1}
    assert share == pytest.approx(expected, abs=1e-7)


def test_land_by_city(result):
    by = {c.code: c for c in result.cities}
    general = {"510100": 50, "510700": 44, "510000-REST": 0, "440100": 50, "440500": 0, "440000-REST": 0,
               "520100": 0, "520000-REST": 0}
    stock = {"510100": 30, "510700": 0, "510000-REST": 100, "440100": 50, "440500": 0, "440000-REST": 100,
             "520100": 10, "520000-REST": 60}
    assert {k: by[k].general_land_ha for k in general} == pytest.approx(general, abs=1e-6)
    assert {k: by[k].stock_revitalised_ha for k in stock} == pytest.approx(stock, abs=1e-6)
    # settler needs: 成都 16,000 × (1 − 0.5 central) × 100 m²; 綿陽 5,000 × 88 m² (110 m²/cap tier)
    assert by["510100"].linkage_need_ha == pytest.approx(80)
    assert by["510700"].linkage_need_ha == pytest.approx(44)
    assert not result.shortfalls


def test_trades(result):
    trades = {(t.market, t.province_code, t.side): t.area_ha for t in result.trades}
    assert trades == pytest.approx({
        ("construction_land", "440000", "buy"): 46, ("construction_land", "520000", "sell"): 46,
        ("supplementary_farmland", "440000", "buy"): 21, ("supplementary_farmland", "520000", "sell"): 21,
    }, abs=1e-6)


def test_pool_shadow_prices(result):
    pool = {b.region: b.shadow_price for b in result.binding if b.rule == "provincial_pool"}
    assert pool == pytest.approx({"510000": 3 / 80, "440000": 0.03, "520000": 4.475 / 105}, rel=1e-9)


def test_routes(result):
    auth = {p.id: p.approval_authority for p in result.projects}
    assert auth == {
        "SC-01": "province", "SC-02": "state_council", "SC-03": "state_council", "SC-04": "state_council",
        "GD-01": "province", "GD-02": "province_entrusted", "GD-03": "province", "GD-04": "province_entrusted",
        "GZ-01": "state_council", "GZ-02": "province", "GZ-03": "province", "GZ-04": "state_council",
    }
