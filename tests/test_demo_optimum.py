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
  成都 general land ≤ 50 (settler need 80 − stock 30; no resident growth): (800 − 75)/1e4 = 0.0725 /ha
  绵阳 general land ≤ 264 (settler need 88 m² × 5,000 = 44 ha, plus 20,000 new residents × 110
       m² = 220 ha, no stock): (500 − 75)/1e4 = 0.0425 /ha
  SC-04 other 80         3                   = 3.00   (0.0375/ha)
  30 + 60 + 40 + 50 = 180 ha, so 绵阳 gets the remaining 120 ha and SC-04 nothing: the pool's
  shadow price is 绵阳's 0.0425 亿元/ha (425万元).
  Stock (no pool): 成都 30 × (800 − 300)/1e4 = 1.5; rest 100 × (300 − 100)/1e4 = 2.0 (covers its
  settler need of 80 ha; its general land, worth (300 − 75)/1e4 = 0.0225, loses to 绵阳's).
  Sum: 5.55 + 8.7 + 3.4 + 50 × 0.0725 + 120 × 0.0425 + 1.5 + 2.0 = 29.875

广东 (pool 150, buyer at 50万/亩 = 0.075/ha; the seller receives 30万/亩 = 0.045/ha, so one
bought ha costs the nation 0.03; pilot province, so State-Council-level projects are entrusted):
  GD-02 PBF 5 + arable 15  5 − 0.15 − 0.225  = 4.625  (0.23125/ha)
  GD-01 arable 20 + other 30  8 − 0.30       = 7.70   (0.154 /ha)
  广州 general land ≤ 2,050 (need 100 after the central-district rule, + 200,000 new residents ×
       100 m², − stock 50) at 0.0925/ha: worth more than bought quota, so it takes all the pool
       and all 50 ha of sellers' surplus that the others leave.
  汕头 must get its settler land, 30 ha (3,000 × 100 m²): the best 汕头 use per ha is GD-04
       (arable 36: (3 − 0.54)/36 = 0.0683, or 0.0551 after buying farmland quota for it) over
       GD-03 (0.05) and 汕头 general land (0.0275), so GD-04 is built at 30/36.
  New land 20 + 50 + 30 + 广州 100 = 200 = pool 150 + 50 bought.
  Stock: 广州 50 × (1000 − 400)/1e4 = 3.0; rest 100 × (250 − 100)/1e4 = 1.5 (covers need 88).
  Arable occupied 20 + 20 + 30 + 0.5 × 100 = 120 > reserve 80: buy 40 ha of farmland quota at
  (10 + 2 × 3.82)万/亩 × 15 = 264.6万/ha; the seller receives (5 + 3.82) × 15 = 132.3万/ha.
  Sum: 4.625 + 7.7 + 100 × 0.0925 + 2.46 × 30/36 + 3.0 + 1.5 − 50 × (0.075 + 0.00001) − 40 × 0.02646
  (0.00001 亿元/ha = 0.1万元/ha is the own-pool-first tie-break on bought quota,
  `policy.own_pool_first_cny_10k_per_ha`; 广东 buys only what its pool cannot carry anyway.)

贵州 (pool 100, seller; non-pilot):
  GZ-04 PBF 2            0.5 − 0.06          = 0.44   (0.22  /ha)
  GZ-01 other 75         4                   = 4.00   (0.0533/ha)
  GZ-02 arable 35 + other 70  5 − 0.525      = 4.475  (0.04262/ha)
  贵阳 general land at (300 − 75)/1e4 = 0.0225/ha; GZ-03 is in the rest of the province, whose
  per-capita cap leaves 0 ha (no population growth).
  2 + 75 = 77, so GZ-02 gets 23 of 105 ha.
  Stock: 贵阳 10 × 0.01 + rest 60 × 0.01 = 0.7.  Sales: 50 × 0.045 + 40 × 0.01323.
  Sum: 0.44 + 4 + 4.475 × 23/105 + 0.7 + 2.25 + 0.5292 = 8.899438…
"""

import pytest

from landquota.datasets import load_dataset
from landquota.models.overrides import apply_overrides
from landquota.solvers.highs import solve_scenario

SICHUAN = 5.55 + 8.7 + 3.4 + 50 * 0.0725 + 120 * 0.0425 + 1.5 + 2.0
TIE_BREAK = 0.1 / 1e4  # policy.own_pool_first_cny_10k_per_ha, 亿元/ha
GUANGDONG = 4.625 + 7.7 + 100 * 0.0925 + 2.46 * 30 / 36 + 3.0 + 1.5 - 50 * (0.075 + TIE_BREAK) - 40 * 264.6 / 1e4
GUIZHOU = 0.44 + 4 + 4.475 * 23 / 105 + 0.7 + 50 * 0.045 + 40 * 132.3 / 1e4


@pytest.fixture(scope="module")
def result():
    land_only = apply_overrides(load_dataset("demo"), {"projects[*].investment_cny_100m": 0})
    return solve_scenario(land_only)


def test_objective_matches_hand_computation(result):
    assert result.status == "optimal"
    # settlers' public cost (item (6) money, models.finance) is fixed by the settlers, not by the land plan:
    # it is its own objective term, checked by hand in tests/test_finance.py
    land = result.objective_cny_100m - result.objective_terms_cny_100m["settler_public_cost"]
    assert land == pytest.approx(SICHUAN + GUANGDONG + GUIZHOU, rel=1e-9)


def test_project_selection(result):
    share = {p.id: p.selected_share for p in result.projects}
    expected = {"SC-01": 1, "SC-02": 1, "SC-03": 1, "SC-04": 0, "GD-01": 1, "GD-02": 1, "GD-03": 0,
                "GD-04": 30 / 36, "GZ-01": 1, "GZ-02": 23 / 105, "GZ-03": 0, "GZ-04": 1}
    assert share == pytest.approx(expected, abs=1e-7)


def test_land_by_city(result):
    by = {c.code: c for c in result.cities}
    general = {"510100": 50, "510700": 120, "510000-REST": 0, "440100": 100, "440500": 0, "440000-REST": 0,
               "520100": 0, "520000-REST": 0}
    stock = {"510100": 30, "510700": 0, "510000-REST": 100, "440100": 50, "440500": 0, "440000-REST": 100,
             "520100": 10, "520000-REST": 60}
    assert {k: by[k].general_land_ha for k in general} == pytest.approx(general, abs=1e-6)
    assert {k: by[k].stock_revitalised_ha for k in stock} == pytest.approx(stock, abs=1e-6)
    # settler needs: 成都 16,000 × (1 − 0.5 central) × 100 m²; 绵阳 5,000 × 88 m² (110 m²/cap tier)
    assert by["510100"].linkage_need_ha == pytest.approx(80)
    assert by["510700"].linkage_need_ha == pytest.approx(44)
    assert not result.shortfalls


def test_trades(result):
    trades = {(t.market, t.province_code, t.side): t.area_ha for t in result.trades}
    assert trades == pytest.approx({
        ("construction_land", "440000", "buy"): 50, ("construction_land", "520000", "sell"): 50,
        ("supplementary_farmland", "440000", "buy"): 40, ("supplementary_farmland", "520000", "sell"): 40,
    }, abs=1e-6)


def test_pool_shadow_prices(result):
    pool = {b.region: b.shadow_price for b in result.binding if b.rule == "provincial_pool"}
    # 四川: 绵阳's general land; 广东: 广州's general land net of the farmland quota its arable half
    # needs (0.5 × (264.6 − 132.3)万/ha); 贵州: GZ-02.
    assert pool == pytest.approx({"510000": 0.0425, "440000": 0.0925 - 0.5 * 132.3 / 1e4,
                                  "520000": 4.475 / 105}, rel=1e-9)
    # the sellers' surplus binds: one more ha sold lets 广州 build one more ha, worth its pool price,
    # at the buyer's cost 0.075 (plus the tie-break), while the seller receives 0.045
    surplus = [b.shadow_price for b in result.binding if b.rule == "tradeable_surplus"]
    assert surplus == pytest.approx([0.0925 - 0.5 * 132.3 / 1e4 - 0.075 - TIE_BREAK + 0.045], rel=1e-9)


def test_routes(result):
    auth = {p.id: p.approval_authority for p in result.projects}
    assert auth == {
        "SC-01": "province", "SC-02": "state_council", "SC-03": "state_council", "SC-04": "state_council",
        "GD-01": "province", "GD-02": "province_entrusted", "GD-03": "province", "GD-04": "province_entrusted",
        "GZ-01": "state_council", "GZ-02": "province", "GZ-03": "province", "GZ-04": "state_council",
    }
