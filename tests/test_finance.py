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

    f = FundingSource(**s)
    return cost_per_cny_100m(f, 3.85, 4.65) + (TIE_BREAK if f.counts_as_platform_debt() else 0.0)


TIE_BREAK = 1e-4
"""policy.platform_debt_tie_break_cny_100m: platform debt (bonds, loans) costs 0.01% more in the objective."""


def scenario(sources, category="new_urbanisation", province=None, project=None, policy=None):
    """One project in 成都. The national enterprise-bond volume and the broad debt ratio are defaults that
    never bind here unless a test says so."""
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
    assert cost(BOND) == pytest.approx(0.055 * g / (g - 1) * (1 - 1.0385 ** -7) / 0.0385 - 1 + TIE_BREAK)
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


def over_line_case(share=0.5, quota=10.0):
    # 120 of debt on 100 of capacity: over the line. A province over the line keeps `share` of its
    # new-bond quotas (财预〔2017〕35号 reduces, not bans [M]): room 0.5 × 10 = 5 亿元 of special bonds.
    prov = {"fiscal_capacity_cny_100m": 100, "debt_balance_cny_100m": 120, "special_bond_limit_cny_100m_per_year": quota}
    return scenario([SPECIAL, LOAN, OWN], province=prov, policy={"over_line_new_debt_share": share})


def test_region_over_the_line_keeps_a_reduced_quota():
    r = solve(over_line_case())
    assert mix(r) == pytest.approx({"sb": 5.0, "cdb": 3.0, "own": 2.0})
    assert r.provinces[0].new_government_debt_cny_100m == pytest.approx(5.0)
    assert r.provinces[0].debt_ratio_after == pytest.approx(1.25)
    # the room binds: one more 亿元 of it replaces a 亿元 of CDB loan with a free special bond
    assert dual(r, "debt_ratio") == pytest.approx(cost(LOAN))
    # finite difference on the share: room moves by 0.1 × 10 = 1 亿元
    r2 = solve(over_line_case(share=0.6))
    assert r2.objective_cny_100m - r.objective_cny_100m == pytest.approx(1.0 * cost(LOAN), rel=1e-9)
    # share 0 is the outright ban
    assert "sb" not in mix(solve(over_line_case(share=0.0)))


def test_city_debt_ratio():
    sc = scenario([SPECIAL, LOAN, OWN]).model_dump()
    sc["cities"][0].update(fiscal_capacity_cny_100m=10, debt_balance_cny_100m=9.5)
    r = solve(load_scenario(sc))
    assert mix(r)["sb"] == pytest.approx(0.5)


def test_reward_fund_never_funds_projects():
    # a reward_fund row (old scenarios have one) is eligible for nothing: the fund pays settlers' public cost
    sc = scenario([src("rf", "reward_fund"), LOAN, OWN]).model_dump()
    sc["cities"][0]["settlers_per_year"] = 1000
    r = solve(load_scenario(sc))
    assert mix(r) == pytest.approx({"cdb": 8.0, "own": 2.0})


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
        capital = sum(f.capital_cny_100m for f in r.financing if f.project_id == p.id)
        assert capital >= 0.15 * funded - 1e-6
        bonds = sum(f.amount_cny_100m for f in r.financing if f.project_id == p.id and f.source_kind == "enterprise_bond")
        assert bonds <= 0.7 * funded + 1e-6
    for lim in r.limits:
        assert lim.used_cny_100m <= lim.limit_cny_100m + 1e-6
    # 贵州 is over the debt line (3,600 / 3,000): new special bonds only up to half its yearly quota
    gz = [p for p in r.provinces if p.code == "520000"][0]
    quota = load_dataset("demo").province("520000").special_bond_limit_cny_100m_per_year
    assert gz.new_government_debt_cny_100m <= 0.5 * quota + 1e-9


def test_default_sources_cover_the_item_21_channels():
    kinds = {s.id: s.kind for s in default_funding_sources()}
    assert kinds == {"enterprise_bond": "enterprise_bond", "cdb_loan": "loan", "adbc_loan": "loan",
                     "commercial_loan": "loan", "central_budget": "grant", "general_bond": "general_bond",
                     "special_bond": "special_bond", "own_capital": "own_capital"}
