"""Issue 15's financing limits, each made to bind in turn on one- and two-project cases worked by hand.

Each case funds 10 亿元 projects (value 10 亿元, 10 ha of other land, ample pool) from sources whose
costs we know (tests/test_finance.py: ``cost``); the shadow price of the binding limit must equal the
hand-computed saving and a finite difference (re-solve with the limit moved). Shadow prices are
∂objective/∂limit in 亿元 per 亿元 of the limit as the rule states it (solvers.duals).
"""

from __future__ import annotations

import pytest

from landquota.models.finance import finance_groups
from landquota.models.funding import crf, annuity_factor, default_funding_sources
from landquota.models.scenario import ScenarioInvalid, load_scenario
from tests.test_finance import BOND, I, LOAN, OWN, SPECIAL, TIE_BREAK, cost, dual, mix, scenario, solve, src

COMM = src("bank", "loan", 0.0, 15, spread_over_lpr_pct=0.6)  # rate 4.65 + 0.6 = 5.25%
GENERAL = src("gb", "general_bond", 3.5, 10)


def fd(make, lo, hi):
    return (solve(make(hi)).objective_cny_100m - solve(make(lo)).objective_cny_100m) / (hi - lo)


# ---- broad debt ratio -------------------------------------------------------------------------------------

def broad_case(platform_balance=245.0, city=False, limit=None):
    # capacity 100, legal debt 50, platform debt 245: broad ratio 2.95 against the 300% limit → 5 亿元 of room
    # for new legal + platform debt. Bonds (platform debt, cheapest) take the room, own capital the rest;
    # CDB loans are platform debt too, so they cannot.
    figures = {"fiscal_capacity_cny_100m": 100, "debt_balance_cny_100m": 50,
               "platform_debt_balance_cny_100m": platform_balance}
    policy = {} if limit is None else {"broad_debt_ratio_limit": limit}
    if not city:
        return scenario([BOND, LOAN, OWN], province=figures, policy=policy)
    d = scenario([BOND, LOAN, OWN], policy=policy).model_dump()
    d["cities"][0].update(figures)
    return load_scenario(d)


def test_broad_debt_ratio_binds_for_a_province():
    r = solve(broad_case())
    assert mix(r) == pytest.approx({"bond": 5.0, "own": 5.0})
    p = r.provinces[0]
    assert p.new_platform_debt_cny_100m == pytest.approx(5.0)
    assert (p.broad_debt_ratio_before, p.broad_debt_ratio_after) == pytest.approx((2.95, 3.0))
    assert p.debt_ratio_after == pytest.approx(0.5)  # legal ratio untouched: bonds are platform debt
    price = cost(OWN) - cost(BOND)
    assert dual(r, "broad_debt_ratio") == pytest.approx(price, rel=1e-9)
    # one 亿元 less platform balance is one 亿元 more room; so is 0.01 more of the limit
    assert fd(lambda v: broad_case(platform_balance=v), 245.0, 244.0) * -1 == pytest.approx(price, rel=1e-9)
    assert fd(lambda v: broad_case(limit=v), 3.0, 3.01) / 100 == pytest.approx(price, rel=1e-9)


def test_broad_debt_ratio_binds_for_a_city_with_figures():
    r = solve(broad_case(city=True))
    assert mix(r) == pytest.approx({"bond": 5.0, "own": 5.0})
    c = r.cities[0]
    assert c.new_platform_debt_cny_100m == pytest.approx(5.0)
    assert (c.broad_debt_ratio_before, c.broad_debt_ratio_after) == pytest.approx((2.95, 3.0))
    assert dual(r, "broad_debt_ratio_city") == pytest.approx(cost(OWN) - cost(BOND), rel=1e-9)
    assert r.provinces[0].broad_debt_ratio_after is None  # the province has no figures here


def test_platform_debt_flag_takes_a_source_out_of_the_broad_ratio():
    r = solve(scenario([BOND, dict(LOAN, platform_debt=False), OWN],
                       province={"fiscal_capacity_cny_100m": 100, "debt_balance_cny_100m": 50,
                                 "platform_debt_balance_cny_100m": 245}))
    assert mix(r) == pytest.approx({"bond": 5.0, "cdb": 3.0, "own": 2.0})


# ---- enterprise-bond national volume ---------------------------------------------------------------------

def volume_case(volume=8.0):
    # two projects in two provinces, each would take 6 亿元 of bonds (60%); the nation may issue 8
    d = scenario([BOND, LOAN, OWN], policy={"enterprise_bond_national_volume_cny_100m_per_year": volume}).model_dump()
    d["provinces"].append(dict(d["provinces"][0], code="520000", name="贵州"))
    d["cities"].append(dict(d["cities"][0], code="520100", name="贵阳", province_code="520000"))
    d["projects"].append(dict(d["projects"][0], id="Q", city_code="520100"))
    return load_scenario(d)


def test_enterprise_bond_volume_binds():
    r = solve(volume_case())
    bonds = sum(f.amount_cny_100m for f in r.financing if f.source_id == "bond")
    assert bonds == pytest.approx(8.0)
    loans = sum(f.amount_cny_100m for f in r.financing if f.source_id == "cdb")
    assert loans == pytest.approx(2 * I - 8.0 - 2 * 2.0)  # capital 2 + 2
    assert r.objective_cny_100m == pytest.approx(20 - 8 * cost(BOND) - 8 * cost(LOAN) - 4 * cost(OWN), rel=1e-9)
    price = cost(LOAN) - cost(BOND)
    assert dual(r, "enterprise_bond_volume") == pytest.approx(price, rel=1e-9)
    assert fd(volume_case, 8.0, 9.0) == pytest.approx(price, rel=1e-9)
    lim = [x for x in r.limits if x.limit == "enterprise_bond_volume"][0]
    assert (lim.used_cny_100m, lim.limit_cny_100m) == pytest.approx((8.0, 8.0))


# ---- special bonds as project capital --------------------------------------------------------------------

def sbc_case(share=0.25, category="infrastructure"):
    # special bonds are free (3.7% < 3.85%); the quota is 4 亿元 a year, of which 25% = 1 亿元 may be capital
    # in the listed sectors. Capital 2: 1 from special bonds, 1 own; the rest 4 − 1... special bonds 4, loans 5.
    return scenario([SPECIAL, LOAN, OWN], category=category, province={"special_bond_limit_cny_100m_per_year": 4},
                    policy={"special_bond_capital_share": share})


def test_special_bonds_as_capital_bind():
    r = solve(sbc_case())
    assert mix(r) == pytest.approx({"sb": 4.0, "cdb": 5.0, "own": 1.0})
    sb_row = [f for f in r.financing if f.source_id == "sb"][0]
    assert sb_row.capital_cny_100m == pytest.approx(1.0) and sb_row.counts_as_capital
    # one more 亿元 of special-bond capital replaces own capital by a loan (special bonds are at their quota)
    price = cost(OWN) - cost(LOAN)
    assert dual(r, "special_bond_capital") == pytest.approx(price, rel=1e-9)
    assert fd(sbc_case, 0.25, 0.30) / 4 == pytest.approx(price, rel=1e-9)


def test_special_bonds_are_no_capital_outside_the_listed_sectors():
    r = solve(sbc_case(category="new_urbanisation"))
    assert mix(r) == pytest.approx({"sb": 4.0, "cdb": 4.0, "own": 2.0})
    assert not [b for b in r.binding if b.rule == "special_bond_capital"]


# ---- commercial loans ------------------------------------------------------------------------------------

def comm_case(line=3.0):
    return scenario([dict(COMM, limit_per_province_cny_100m={"510000": line}), OWN])


def test_commercial_loans_priced_at_lpr_plus_spread_and_their_line_binds():
    g = 1.0525 ** 15
    by_hand = 0.0525 * g / (g - 1) * (1 - 1.0385 ** -15) / 0.0385 - 1 + TIE_BREAK
    assert cost(COMM) == pytest.approx(by_hand, rel=1e-12)
    assert crf(0.0525, 15) * annuity_factor(0.0385, 15) - 1 + TIE_BREAK == pytest.approx(by_hand, rel=1e-12)
    r = solve(comm_case())
    assert mix(r) == pytest.approx({"bank": 3.0, "own": 7.0})
    assert r.objective_cny_100m == pytest.approx(10 - 3 * by_hand - 7 * cost(OWN), rel=1e-9)
    price = cost(OWN) - cost(COMM)
    assert dual(r, "credit_line") == pytest.approx(price, rel=1e-9)
    assert fd(comm_case, 3.0, 3.5) == pytest.approx(price, rel=1e-9)
    # the LPR is a policy knob: 5 points more make bank money dearer than own capital
    r2 = solve(scenario([dict(COMM, limit_per_province_cny_100m={"510000": 3.0}), OWN], policy={"lpr_5y_pct": 9.65}))
    assert mix(r2) == pytest.approx({"own": 10.0})


# ---- general bonds ---------------------------------------------------------------------------------------

def general_case(quota=3.0):
    return scenario([GENERAL, LOAN, OWN], category="public_service_gap",
                    province={"general_bond_limit_cny_100m_per_year": quota})


def test_general_bond_quota_binds_and_is_legal_debt():
    r = solve(general_case())
    assert mix(r) == pytest.approx({"gb": 3.0, "cdb": 5.5, "own": 1.5})  # capital 15% for a gap project
    assert r.provinces[0].new_government_debt_cny_100m == pytest.approx(3.0)
    assert dual(r, "general_bond_quota") == pytest.approx(cost(LOAN), rel=1e-9)
    assert fd(general_case, 3.0, 4.0) == pytest.approx(cost(LOAN), rel=1e-9)


# ---- eligibility -----------------------------------------------------------------------------------------

def test_cdb_does_not_fund_industrial_projects():
    defaults = {f.id: f for f in default_funding_sources()}
    cdb = defaults["cdb_loan"].model_dump()
    r = solve(scenario([cdb, OWN], category="industrial"))
    assert mix(r) == pytest.approx({"own": 10.0})
    r = solve(scenario([cdb, OWN], category="infrastructure"))
    assert mix(r) == pytest.approx({"cdb_loan": 8.0, "own": 2.0})
    adbc = defaults["adbc_loan"]
    assert not adbc.eligible("industrial", False, "510000") and adbc.eligible("land_consolidation", False, "510000")


# ---- settlers' public cost -------------------------------------------------------------------------------

PER_SETTLER = 1.3 + 0.4 + 2.3 + 4.0  # 万元: education, health, social security, housing (defaults)
TRANSFER = 0.5                      # 万元 per settler, central transfers


def settler_case(housing=4.0, fund=350.0, years=1):
    # 1,000 cross-province settlers in 成都, no projects. The city's part of the fund: 350 × 1000 / 9.1e6 亿元.
    d = scenario([OWN], policy={"settler_cost_housing_cny_10k": housing,
                                "reward_fund_total_cny_100m": fund}).model_dump()
    d["projects"] = []
    d["years"] = years
    d["cities"][0].update(settlers_per_year=1000, settlers_cross_province_share=1.0)
    return load_scenario(d)


def test_settler_public_cost_by_hand():
    r = solve(settler_case())
    cost_ = 1000 * PER_SETTLER / 1e4          # 0.8 亿元
    fund = 350 * 1000 / 9.1e6
    own = cost_ - 1000 * TRANSFER / 1e4 - fund
    c = r.cities[0]
    assert c.settler_public_cost_cny_100m == pytest.approx(cost_, rel=1e-12)
    assert c.settler_cost_reward_fund_cny_100m == pytest.approx(fund, rel=1e-9)
    assert c.settler_cost_own_budget_cny_100m == pytest.approx(own, rel=1e-9)
    assert r.objective_terms_cny_100m["settler_public_cost"] == pytest.approx(-own, rel=1e-9)
    # the floor binds at the own budget's face value: one more 亿元 of cost is one more of own budget
    assert dual(r, "settler_public_cost") == pytest.approx(-1.0, rel=1e-9)
    # finite differences: 0.1万元 more housing cost per settler is 0.01 亿元; 10 亿元 more national fund gives
    # 成都 10 × 1000 / 9.1e6 more
    assert fd(lambda v: settler_case(housing=v), 4.0, 4.1) == pytest.approx(-1000 / 1e4, rel=1e-9)
    assert fd(lambda v: settler_case(fund=v), 350.0, 360.0) == pytest.approx(1000 / 9.1e6, rel=1e-9)


def test_settler_public_cost_over_two_years_is_priced_in_both():
    r = solve(settler_case(years=2))
    assert dual(r, "settler_public_cost") == pytest.approx(-(1 + 1 / 1.0465), rel=1e-9)


# ---- compact groups ---------------------------------------------------------------------------------------

def test_two_projects_share_one_group_and_split_back_by_need():
    d = scenario([BOND, LOAN, OWN]).model_dump()
    d["projects"].append(dict(d["projects"][0], id="Q", investment_cny_100m=5.0, value_cny_100m=5.0))
    s = load_scenario(d)
    assert len(finance_groups(s)) == 1 and len(finance_groups(s, per_project=True)) == 2
    r = solve(s)
    for pid, inv in (("P", 10.0), ("Q", 5.0)):
        rows = {f.source_id: f.amount_cny_100m for f in r.financing if f.project_id == pid}
        assert rows == pytest.approx({"bond": 0.6 * inv, "cdb": 0.2 * inv, "own": 0.2 * inv})


# ---- bad input ---------------------------------------------------------------------------------------------

@pytest.mark.parametrize("change, field", [
    (lambda d: d["funding_sources"][0].update(spread_over_lpr_pct=-0.1), "spread_over_lpr_pct"),
    (lambda d: d["policy"].update(special_bond_capital_share=1.2), "special_bond_capital_share"),
    (lambda d: d["policy"].update(over_line_new_debt_share=1.5), "over_line_new_debt_share"),
    (lambda d: d["provinces"][0].update(platform_debt_balance_cny_100m=-1), "platform_debt_balance_cny_100m"),
])
def test_bad_financing_input_names_the_field(change, field):
    d = scenario([COMM, OWN]).model_dump()
    change(d)
    with pytest.raises(ScenarioInvalid) as e:
        load_scenario(d)
    assert any(field in p.loc for p in e.value.problems), e.value.problems


@pytest.mark.slow
def test_bad_financing_input_is_a_422_naming_the_field(tmp_path):
    from tests.test_service_support import ServerThread, settings_for

    d = scenario([COMM, OWN]).model_dump()
    d["funding_sources"][0]["spread_over_lpr_pct"] = -0.1
    d["policy"]["special_bond_capital_share"] = 1.2
    with ServerThread(settings_for(tmp_path, workers=0)) as srv:
        r = srv.client.post("/v1/solve", json={"scenario": d})
    assert r.status_code == 422, r.text
    locs = {tuple(p["loc"][-1:]) for p in r.json()["problems"]}
    assert {("spread_over_lpr_pct",), ("special_bond_capital_share",)} <= locs, r.json()
