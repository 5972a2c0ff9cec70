"""Item (21) financing, checked by hand on one-project scenarios.

Every case funds one project (10 亿元 of investment, value 10 亿元, 10 ha of other land, ample
pool) from a few sources whose costs we know. The LP must pick the cheapest mix the rules allow;
each rule is made to bind in turn, and its shadow price must equal the saving one more 亿元 of
that limit brings — checked by re-solving with the limit moved (finite difference).
"""

import pytest

from landquota.datasets import load_dataset
from landquota.models.funding import annuity_factor, cost_per_cny_100m, crf, default_funding_sources
from landquota.models.scenario import load_scenario
from landquota.solvers.highs import solve_scenario

I = 10.0  # investment, 亿元


def src(id, kind, rate=0.0, tenor=20, **kw):
    return dict(id=id, kind=kind, rate_pct=rate, tenor_years=tenor, **kw)


BOND = src("bond", "enterprise_bond", 5.5, 7)
LOAN = src("cdb", "loan", 4.65, 20)
OWN = src("own", "own_capital", 8.0, 20)
GRANT = src("grant", "grant")
SPECIAL = src("sb", "special_bond", 3.7, 15)


def cost(s):
    from landquota.models.funding import FundingSource

    return cost_per_cny_100m(FundingSource(**s), 3.85)


def scenario(sources, category="new_urbanisation", province=None, project=None, policy=None):
    prov = dict(code="510000", name="四川", new_land_pool_ha_per_year=1000, special_bond_limit_cny_100m_per_year=100)
    prov.update(province or {})
    proj = dict(id="P", city_code="510100", category=category, value_cny_100m=10,
                parcels=[dict(land_type="other", area_ha=10)], investment_cny_100m=I)
    proj.update(project or {})
    return load_scenario(dict(
        name="finance-case", provinces=[prov],
        cities=[dict(code="510100", name="成都", province_code="510000", resident_population=1_000_000,
                     urban_construction_land_ha=5_000, settlers_per_year=0, new_land_value_cny_10k_per_ha=0)],
        projects=[proj], funding_sources=sources, policy=policy or {},
    ))


def solve(sc):
    r = solve_scenario(sc)
    assert r.status == "optimal"
    return r


def mix(r):
    return {f.source_id: f.amount_cny_100m for f in r.financing}


def dual(r, rule):
    rows = [b for b in r.binding if b.rule == rule]
    assert len(rows) == 1, f"{rule}: {rows}"
    return rows[0].shadow_price


def test_cost_formula_by_hand():
    # CRF(5.5%, 7) = 0.055·1.055^7 / (1.055^7 − 1); AF(3.85%, 7) = (1 − 1.0385^−7) / 0.0385
    g = 1.055 ** 7
    assert crf(0.055, 7) == pytest.approx(0.055 * g / (g - 1))
    assert annuity_factor(0.0385, 7) == pytest.approx((1 - 1.0385 ** -7) / 0.0385)
    assert cost(BOND) == pytest.approx(0.055 * g / (g - 1) * (1 - 1.0385 ** -7) / 0.0385 - 1)
    assert cost(SPECIAL) == 0.0  # 3.7% < 3.85%: cheaper than the discount rate, floored at 0
    assert cost(GRANT) == 0.0
    assert 0 < cost(BOND) < cost(LOAN) < cost(OWN)


def test_bond_share_binds():
    # bond (cheap) + own capital: bonds at their 60% cap, the rest own capital.
    r = solve(scenario([BOND, OWN]))
    assert mix(r) == pytest.approx({"bond": 0.6 * I, "own": 0.4 * I})
    assert r.objective_cny_100m == pytest.approx(10 - 0.6 * I * cost(BOND) - 0.4 * I * cost(OWN))
    # one more 亿元 of bond room replaces one 亿元 of own capital
    assert dual(r, "bond_share") == pytest.approx(cost(OWN) - cost(BOND))
    r2 = solve(scenario([BOND, OWN], policy={"bond_max_share": 0.61}))
    assert r2.objective_cny_100m - r.objective_cny_100m == pytest.approx(0.01 * I * (cost(OWN) - cost(BOND)))


def test_special_bond_categories_allow_seventy_percent():
    r = solve(scenario([BOND, OWN], category="utility_tunnel"))
    assert mix(r)["bond"] == pytest.approx(0.7 * I)


def test_capital_ratio_binds_and_borrowing_never_counts():
    # bond + loan + own: bonds 60%, capital exactly 20% (own), loan the other 20%.
    r = solve(scenario([BOND, LOAN, OWN]))
    assert mix(r) == pytest.approx({"bond": 6, "cdb": 2, "own": 2})
    assert dual(r, "capital_ratio") == pytest.approx(-(cost(OWN) - cost(LOAN)))
    # public-service-gap projects: 15%
    r = solve(scenario([BOND, LOAN, OWN], category="public_service_gap",
                       project={"parcels": [dict(land_type="other", area_ha=10)]}))
    assert mix(r)["own"] == pytest.approx(1.5)
    # with no capital source at all the project cannot be funded, however cheap the loans
    r = solve(scenario([BOND, LOAN]))
    assert r.projects[0].selected_share == pytest.approx(0)


def test_credit_line_binds():
    loan = dict(LOAN, limit_per_province_cny_100m={"510000": 1.0})
    r = solve(scenario([loan, OWN]))  # loans up to the line, capital for the rest
    assert mix(r) == pytest.approx({"cdb": 1.0, "own": 9.0})
    assert dual(r, "credit_line") == pytest.approx(cost(OWN) - cost(LOAN))
    used = [l for l in r.limits if l.limit == "credit_line"][0]
    assert (used.used_cny_100m, used.limit_cny_100m) == pytest.approx((1.0, 1.0))
    loan2 = dict(LOAN, limit_per_province_cny_100m={"510000": 1.5})
    r2 = solve(scenario([loan2, OWN]))
    assert r2.objective_cny_100m - r.objective_cny_100m == pytest.approx(0.5 * (cost(OWN) - cost(LOAN)))


def test_central_budget_total_binds():
    grant = dict(GRANT, limit_total_cny_100m_per_year=3.0)
    r = solve(scenario([grant, LOAN, OWN]))
    # grant is free and counts as capital: 3 of grant, the rest loans (capital already ≥ 20%)
    assert mix(r) == pytest.approx({"grant": 3.0, "cdb": 7.0})
    assert dual(r, "national_funding_total") == pytest.approx(cost(LOAN))


def test_debt_ratio_binds():
    # fiscal capacity 100, debt 98: room 2 亿元 of new government debt at a 100% line.
    prov = {"fiscal_capacity_cny_100m": 100, "debt_balance_cny_100m": 98}
    r = solve(scenario([SPECIAL, LOAN, OWN], province=prov))
    assert mix(r) == pytest.approx({"sb": 2.0, "cdb": 6.0, "own": 2.0})
    assert dual(r, "debt_ratio") == pytest.approx(cost(LOAN))
    p = r.provinces[0]
    assert (p.debt_ratio_before, p.debt_ratio_after) == pytest.approx((0.98, 1.00))


def test_region_over_the_line_gets_no_new_government_debt():
    prov = {"fiscal_capacity_cny_100m": 100, "debt_balance_cny_100m": 120}
    r = solve(scenario([SPECIAL, LOAN, OWN], province=prov))
    assert "sb" not in mix(r)
    assert r.provinces[0].new_government_debt_cny_100m == 0
    assert r.provinces[0].debt_ratio_after == pytest.approx(1.2)


def test_city_debt_ratio():
    sc = scenario([SPECIAL, LOAN, OWN]).model_dump()
    sc["cities"][0].update(fiscal_capacity_cny_100m=10, debt_balance_cny_100m=9.5)
    r = solve(load_scenario(sc))
    assert mix(r)["sb"] == pytest.approx(0.5)


def test_reward_fund_follows_settlers():
    # the reward fund (free, counts as capital) is capped by the province's allocation: the whole
    # fund when it is the only province with settlers.
    sc = scenario([src("rf", "reward_fund"), LOAN, OWN], policy={"reward_fund_total_cny_100m": 1.5}).model_dump()
    sc["cities"][0]["settlers_per_year"] = 1000
    r = solve(load_scenario(sc))
    assert mix(r) == pytest.approx({"rf": 1.5, "cdb": 8.0, "own": 0.5})
    sc["cities"][0]["settlers_per_year"] = 0  # no settlers → no allocation → no reward money
    r = solve(load_scenario(sc))
    assert "rf" not in mix(r)


def test_unfundable_project_is_not_selected():
    # industrial projects are not eligible for enterprise bonds; nothing else is offered
    r = solve(scenario([BOND], category="industrial"))
    assert r.projects[0].selected_share == 0
    assert r.objective_cny_100m == pytest.approx(0)


def test_financing_too_dear_drops_project():
    # own capital only: cost 10 × c_own; value 3 < that → not built
    r = solve(scenario([OWN], project={"value_cny_100m": 0.9 * I * cost(OWN)}))
    assert r.projects[0].selected_share == 0
    r = solve(scenario([OWN], project={"value_cny_100m": 1.1 * I * cost(OWN)}))
    assert r.projects[0].selected_share == pytest.approx(1)


def test_funding_balance_holds_on_demo():
    r = solve_scenario(load_dataset("demo"))
    assert r.status == "optimal"
    inv = {p.id: p.investment_cny_100m for p in load_dataset("demo").projects}
    for p in r.projects:
        funded = sum(f.amount_cny_100m for f in r.financing if f.project_id == p.id)
        assert funded == pytest.approx(inv[p.id] * p.selected_share, abs=1e-6)
        capital = sum(f.amount_cny_100m for f in r.financing if f.project_id == p.id and f.counts_as_capital)
        assert capital >= 0.15 * funded - 1e-6
    for lim in r.limits:
        assert lim.used_cny_100m <= lim.limit_cny_100m + 1e-6
    # 貴州 is over the debt line (3,600 / 3,000): no special bonds there
    gz = [p for p in r.provinces if p.code == "520000"][0]
    assert gz.new_government_debt_cny_100m == 0


def test_default_sources_cover_the_item_21_channels():
    kinds = {s.id: s.kind for s in default_funding_sources()}
    assert kinds == {"enterprise_bond": "enterprise_bond", "cdb_loan": "loan", "adbc_loan": "loan",
                     "central_budget": "grant", "reward_fund": "reward_fund", "special_bond": "special_bond",
                     "own_capital": "own_capital"}
