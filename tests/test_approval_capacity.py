"""Approval capacities, lead times, general-use batches and entrustment by year (issue 14).

Each new rule, on a tiny scenario solved by hand: it binds when tightened, its shadow price has the
convention's sign (positive for a limit) and equals a finite difference of the objective. Prices are
in 亿元 per ha or per case. 四川 (510000) is not a pilot, 广东 (440000) is. Projects on collective
"other" land: 80 ha and 100 ha are State-Council level (> 70 ha), 20–60 ha provincial.
"""

from __future__ import annotations

import math

import numpy as np

import pytest

from landquota.datasets import load_dataset
from landquota.models.build import structure_key
from landquota.models.overrides import apply_overrides
from landquota.models.scenario import ScenarioInvalid, load_scenario
from landquota.solvers.delegation import delegation
from landquota.solvers.highs import ScenarioSolver, SolveOptions, solve_scenario
from tests.helpers import city, close, fd_slope, objective, project, province, row, scenario, shadow, solve

REL = 1e-9
R = 0.0465  # policy.discount_rate_per_year


def assert_fd(make, delta, expected):
    slope = fd_slope(make, delta)
    assert close(slope, expected, rel=1e-6), (slope, expected)


def app_rows(r, authority, region, year=1):
    return [a for a in r.approvals if a.kind == "application" and a.authority == authority
            and a.region == region and a.year == year]


# ---- State Council capacity in cases --------------------------------------------------------------

def sc_cases_case(delta=0.0):
    # A: 80 ha, 8 亿元 (8 per case); B: 100 ha, 5 亿元 (5 per case); 1.5 cases → A whole, B half
    return scenario([province("510000")], [city("510100")],
                    [project("A", "510100", 8.0, {"other": 80.0}), project("B", "510100", 5.0, {"other": 100.0})],
                    policy={"state_council_capacity_cases_per_year": 1.5 + delta})


def test_state_council_cases_capacity_binds():
    r = solve(sc_cases_case())
    assert r.objective_cny_100m == pytest.approx(8.0 + 2.5, rel=REL)
    assert row(r.projects, "id", "B").selected_share == pytest.approx(0.5, rel=REL)
    price = shadow(r, "state_council_capacity_cases", "national", 1)
    assert price == pytest.approx(5.0, rel=1e-9) and price > 0
    assert_fd(sc_cases_case, 0.1, 5.0)
    (a,) = app_rows(r, "state_council", "national")
    assert a.cases == pytest.approx(1.5) and a.capacity_cases == pytest.approx(1.5)
    assert a.area_ha == pytest.approx(130.0) and a.shadow_price_cny_100m_per_case == pytest.approx(5.0)


def test_entrusted_province_does_not_use_state_council_cases():
    d = sc_cases_case()
    d["provinces"][0]["approval_entrusted"] = True
    r = solve(d)
    assert r.objective_cny_100m == pytest.approx(13.0, rel=REL)
    assert shadow(r, "state_council_capacity_cases", "national", 1) == 0.0


# ---- provincial capacity in cases -----------------------------------------------------------------

def prov_cases_case(delta=0.0):
    # P1: 20 ha, 1 亿元; P2: 30 ha, 3 亿元 (both provincial); 1.5 cases → P2 whole, P1 half
    return scenario([province("510000", approval_capacity_cases_per_year=1.5 + delta)], [city("510100")],
                    [project("P1", "510100", 1.0, {"other": 20.0}), project("P2", "510100", 3.0, {"other": 30.0})])


def test_province_cases_capacity_binds():
    r = solve(prov_cases_case())
    assert r.objective_cny_100m == pytest.approx(3.5, rel=REL)
    price = shadow(r, "province_approval_capacity_cases", "510000", 1)
    assert price == pytest.approx(1.0, rel=1e-9) and price > 0
    assert_fd(prov_cases_case, 0.1, 1.0)


# ---- entrusted capacity (ha and cases) ------------------------------------------------------------

def entrusted_ha_case(delta=0.0):
    # 广东 (pilot): E 80 ha, 8 亿元 (entrusted); P 20 ha, 1 亿元 (its own, not counted here); 40 ha
    return scenario([province("440000", entrusted_capacity_ha_per_year=40.0 + delta)], [city("440100")],
                    [project("E", "440100", 8.0, {"other": 80.0}), project("P", "440100", 1.0, {"other": 20.0})])


def test_entrusted_ha_capacity_binds():
    r = solve(entrusted_ha_case())
    assert r.objective_cny_100m == pytest.approx(4.0 + 1.0, rel=REL)
    assert row(r.projects, "id", "E").approval_authority == "province_entrusted"
    price = shadow(r, "entrusted_approval_capacity", "440000", 1)
    assert price == pytest.approx(0.1, rel=1e-9) and price > 0
    assert_fd(entrusted_ha_case, 2.0, 0.1)


def entrusted_cases_case(delta=0.0):
    return scenario([province("440000", entrusted_capacity_cases_per_year=1.5 + delta)], [city("440100")],
                    [project("A", "440100", 8.0, {"other": 80.0}), project("B", "440100", 5.0, {"other": 100.0})])


def test_entrusted_cases_capacity_binds():
    r = solve(entrusted_cases_case())
    assert r.objective_cny_100m == pytest.approx(10.5, rel=REL)
    assert shadow(r, "entrusted_approval_capacity_cases", "440000", 1) == pytest.approx(5.0, rel=1e-9)
    assert_fd(entrusted_cases_case, 0.1, 5.0)


def test_withdrawing_entrustment_moves_the_project_to_the_state_council_capacity():
    d = entrusted_ha_case()
    d["provinces"][0]["approval_entrusted"] = False
    d["policy"] = {"state_council_capacity_ha_per_year": 20.0}
    r = solve(d)
    assert r.objective_cny_100m == pytest.approx(2.0 + 1.0, rel=REL)  # 20 of E's 80 ha
    assert row(r.projects, "id", "E").approval_authority == "state_council"
    assert shadow(r, "entrusted_approval_capacity", "440000", 1) == 0.0
    assert shadow(r, "state_council_capacity", "national", 1) == pytest.approx(0.1, rel=1e-9)


# ---- general-use land is approved in batches --------------------------------------------------------

def batch_case(delta=0.0, batch_ha=100.0, code="510000", **policy):
    # general-use land worth 500万元/ha = 0.05 亿元/ha, all collective other land; stock-first off so
    # that only the approval capacity limits it. A 100 ha batch has 100 > 70 ha of other land:
    # State-Council level; a 60 ha batch is provincial.
    pc = code[:2] + "0100"
    pol = {"stock_first": False, "general_land_collective_share": 1.0, **policy}
    for k, v in pol.items():
        if isinstance(v, float) and k.endswith("_per_year"):
            pol[k] = v + delta
    return scenario([province(code)], [city(pc, new_land_value_cny_10k_per_ha=500.0, general_land_batch_ha=batch_ha)],
                    policy=pol)


def test_state_council_level_batch_counts_against_state_council_ha():
    make = lambda delta=0.0: batch_case(delta, state_council_capacity_ha_per_year=30.0)  # noqa: E731
    r = solve(make())
    assert r.objective_cny_100m == pytest.approx(30 * 0.05, rel=REL)
    assert shadow(r, "state_council_capacity", "national", 1) == pytest.approx(0.05, rel=1e-9)
    assert_fd(make, 1.0, 0.05)
    (a,) = app_rows(r, "state_council", "national")
    assert a.general_use_area_ha == pytest.approx(30.0) and a.cases == pytest.approx(0.3)


def test_state_council_level_batch_counts_in_cases():
    make = lambda delta=0.0: batch_case(delta, state_council_capacity_cases_per_year=0.2)  # noqa: E731
    r = solve(make())
    assert r.objective_cny_100m == pytest.approx(20 * 0.05, rel=REL)  # 0.2 × 100 ha
    assert shadow(r, "state_council_capacity_cases", "national", 1) == pytest.approx(5.0, rel=1e-9)
    assert_fd(make, 0.01, 5.0)


def test_small_batch_is_provincial_and_a_pilot_batch_is_entrusted():
    r = solve(batch_case(batch_ha=60.0, state_council_capacity_ha_per_year=0.0))
    assert r.objective_cny_100m == pytest.approx(1000 * 0.05, rel=REL)  # the whole pool
    assert app_rows(r, "province", "510000")[0].general_use_area_ha == pytest.approx(1000.0)
    r = solve(batch_case(code="440000", state_council_capacity_ha_per_year=0.0))
    assert r.objective_cny_100m == pytest.approx(1000 * 0.05, rel=REL)
    assert app_rows(r, "province_entrusted", "440000")[0].cases == pytest.approx(10.0)  # 1000 ha / 100


def test_lead_times_on_or_off_is_a_shape_question():
    """No lead time anywhere (the default): no lead-time term is built; any lead time: the term is
    built and every lead time is a warm knob."""
    base = load_scenario(lead_case())
    assert structure_key(apply_overrides(base, {"policy.state_council_lead_months": 1.0}), False) == \
        structure_key(base, False)
    off = apply_overrides(base, {"policy.state_council_lead_months": 0, "policy.province_entrusted_lead_months": 0})
    assert structure_key(off, False) != structure_key(base, False)


def test_batch_data_change_the_shape_only_when_the_route_moves():
    a = load_scenario(batch_case(batch_ha=100.0))
    assert structure_key(load_scenario(batch_case(batch_ha=90.0)), False) == structure_key(a, False)
    assert structure_key(load_scenario(batch_case(batch_ha=60.0)), False) != structure_key(a, False)


# ---- lead times ------------------------------------------------------------------------------------------

def lead_case(delta=0.0, code="510000"):
    pc = code[:2] + "0100"
    return scenario([province(code)], [city(pc)], [project("A", pc, 8.0, {"other": 80.0})],
                    policy={"state_council_lead_months": 6.0 + delta, "province_entrusted_lead_months": 3.0 + delta})


@pytest.mark.parametrize("code, months", [("510000", 6.0), ("440000", 3.0)])
def test_lead_time_delays_value_and_its_price_is_the_derivative(code, months):
    r = solve(lead_case(code=code))
    assert r.objective_cny_100m == pytest.approx(8.0 * (1 + R) ** (-months / 12), rel=REL)
    assert r.objective_terms_cny_100m["approval_lead_time"] == pytest.approx(8.0 * ((1 + R) ** (-months / 12) - 1))
    authority = "state_council" if code == "510000" else "province_entrusted"
    (a,) = app_rows(r, authority, "national" if code == "510000" else code)
    expected = -8.0 * math.log1p(R) / 12 * (1 + R) ** (-months / 12)
    assert a.lead_time_price_cny_100m_per_month == pytest.approx(expected, rel=1e-12) and expected < 0
    # the loss is 1 − (1 + r)^(−months/12), not linear in months: a central difference
    central = (objective(lead_case(0.01, code)) - objective(lead_case(-0.01, code))) / 0.02
    assert close(central, expected, rel=1e-6), (central, expected)


def test_lead_time_moves_a_share_to_where_approval_is_faster():
    """A 40 ha pool, two 80 ha projects worth 8 亿元: one in a pilot (3 months), one not (6): the
    pool goes to the pilot's project, whose value arrives sooner."""
    d = scenario([province("440000", pool=40.0)], [city("440100"), city("440000-REST", "440000")],
                 [project("F", "440100", 8.0, {"other": 80.0})], policy={"state_council_lead_months": 6.0,
                                                                         "province_entrusted_lead_months": 3.0})
    d["projects"].append(project("S", "440000-REST", 8.0, {"other": 80.0}))
    d["provinces"][0]["approval_entrusted"] = True
    assert objective(d) == pytest.approx(4.0 * (1 + R) ** (-0.25), rel=REL)
    d["provinces"][0]["approval_entrusted"] = False
    assert objective(d) == pytest.approx(4.0 * (1 + R) ** (-0.5), rel=REL)


# ---- entrustment by year -----------------------------------------------------------------------------------

@pytest.mark.parametrize("years_entrusted, value", [([True, False], 8.0), ([False, True], 8.0 / (1 + R)),
                                                    ([False, False], 0.0)])
def test_entrustment_by_year_decides_when_a_project_can_start(years_entrusted, value):
    """No State Council capacity: the State-Council-level project can start only in a year its
    province is entrusted (国发〔2020〕4号 is reviewed every year)."""
    d = scenario([province("440000", approval_entrusted=years_entrusted)], [city("440100")],
                 [project("E", "440100", 8.0, {"other": 80.0})],
                 policy={"state_council_capacity_ha_per_year": 0.0}, years=2)
    r = solve(d)
    assert r.objective_cny_100m == pytest.approx(value, rel=REL, abs=1e-9)
    if value:
        p = row(r.projects, "id", "E")
        assert p.start_year == years_entrusted.index(True) + 1 and p.approval_authority == "province_entrusted"


def test_a_per_year_list_needs_one_value_per_year():
    d = scenario([province("440000", approval_entrusted=[True])], [city("440100")], years=2)
    with pytest.raises(ScenarioInvalid) as e:
        load_scenario(d)
    (p,) = e.value.problems
    assert p.loc == ["provinces", 0, "approval_entrusted"] and p.rule == "entrusted_years"


# ---- bad input ---------------------------------------------------------------------------------------------

@pytest.mark.parametrize("change, loc, rule", [
    (lambda d: d["policy"].update(state_council_lead_months=-1), ["policy", "state_council_lead_months"],
     "greater_than_equal"),
    (lambda d: d["projects"][0]["parcels"][0].update(ownership="private"),
     ["projects", 0, "parcels", 0, "ownership"], "literal_error"),
    (lambda d: d["projects"][0]["parcels"][0].update(land_type="forest"),
     ["projects", 0, "parcels", 0, "land_type"], "literal_error"),
    (lambda d: d["cities"][0].update(general_land_batch_ha=0), ["cities", 0, "general_land_batch_ha"],
     "greater_than"),
    (lambda d: d["provinces"][0].update(entrusted_capacity_cases_per_year=-2),
     ["provinces", 0, "entrusted_capacity_cases_per_year"], "greater_than_equal"),
])
def test_bad_input_names_the_field(change, loc, rule):
    d = lead_case()
    change(d)
    with pytest.raises(ScenarioInvalid) as e:
        load_scenario(d)
    assert [(p.loc, p.rule) for p in e.value.problems] == [(loc, rule)]


def test_committed_project_above_the_capacity_is_infeasible_with_a_diagnosis():
    d = sc_cases_case()
    d["projects"][0]["committed"] = True
    d["policy"]["state_council_capacity_cases_per_year"] = 0.5
    r = solve_scenario(load_scenario(d))
    assert r.status == "infeasible"
    rules = {(x.rule, x.region) for c in r.diagnosis.conflicts for x in c.rules}
    assert ("state_council_capacity_cases", "national") in rules and ("committed_project", "A") in rules


# ---- warm equals cold for the new knobs -------------------------------------------------------------------

def test_entrustment_switch_is_warm_and_equals_cold():
    d = entrusted_ha_case()
    d["policy"] = {"state_council_lead_months": 6.0, "province_entrusted_lead_months": 3.0}
    s = load_scenario(d)
    sv = ScenarioSolver(s, SolveOptions(explain=False))
    sv.solve()
    for over in ({"provinces[440000].approval_entrusted": False}, {"provinces[440000].approval_entrusted": True},
                 {"policy.state_council_lead_months": 4.0}, {"provinces[440000].entrusted_capacity_ha_per_year": 10}):
        v = apply_overrides(s, over)
        assert structure_key(v, False) == sv.model.key
        warm = sv.resolve(v).objective_cny_100m
        assert warm == pytest.approx(solve_scenario(v).objective_cny_100m, rel=1e-9, abs=1e-12), over


# ---- china-2020 ------------------------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def china():
    return load_dataset("china-2020")


def test_china_withdrawing_every_pilot_lowers_the_objective(china):
    base = solve_scenario(china, SolveOptions(explain=False))
    off = apply_overrides(china, {f"provinces[{p}].approval_entrusted": False
                                  for p in china.policy.entrusted_province_codes})
    assert solve_scenario(off, SolveOptions(explain=False)).objective_cny_100m < base.objective_cny_100m - 1.0
    # the State Council's hectares bind, with a price in 亿元 per ha
    b = [x for x in base.binding if x.rule == "state_council_capacity"]
    assert len(b) == 1 and b[0].unit == "亿元/ha" and b[0].shadow_price > 0
    (a,) = app_rows(base, "state_council", "national")
    assert a.area_ha == pytest.approx(a.capacity_ha, rel=1e-9)
    assert a.shadow_price_cny_100m_per_ha == pytest.approx(b[0].shadow_price)


def test_china_delegation_ranking(china):
    rep = delegation(china)
    assert {p.province_code for p in rep.pilots} == set(china.policy.entrusted_province_codes)
    assert len(rep.pilots) + len(rep.candidates) == len(china.provinces)
    assert all(x.warm for x in rep.pilots + rep.candidates)
    worth = [x.worth_cny_100m for x in rep.candidates]
    assert worth == sorted(worth, reverse=True) and worth[0] > 0
    assert rep.next_to_entrust == rep.candidates[0].province_code
    assert rep.all_withdrawn_loss_cny_100m > 0
    assert all(x.worth_cny_100m >= -1e-6 for x in rep.pilots)
    top = rep.candidates[0]
    assert top.name in rep.summary_en and top.name in rep.summary_zh
    assert "Entrust next" in rep.summary_en and "下一步建议委托" in rep.summary_zh
    # one row checked against a cold solve of the same variant
    v = apply_overrides(china, {f"provinces[{top.province_code}].approval_entrusted": True})
    assert solve_scenario(v, SolveOptions(explain=False)).objective_cny_100m == pytest.approx(
        top.objective_cny_100m, rel=1e-9)


CHINA_KNOBS = [
    {"provinces[440000].approval_entrusted": False},
    {"provinces[370000].approval_entrusted": True},
    {"provinces[*].approval_entrusted": False},
    {"policy.state_council_capacity_ha_per_year": 60000.0},
    {"policy.state_council_capacity_cases_per_year": 300.0},
    {"policy.state_council_lead_months": 9.0},
    {"policy.province_entrusted_lead_months": 1.0},
    {"policy.province_lead_months": 4.0},
    {"cities[370100].general_land_batch_ha": 120.0},
    {"provinces[320000].approval_entrusted": [False]},
    {"policy.state_council_capacity_ha_per_year": [70000.0]},
    {"provinces[*].new_land_pool_ha_per_year": "*0.9", "provinces[440000].approval_entrusted": False},
]


@pytest.fixture(scope="module")
def china_solver(china):
    sv = ScenarioSolver(china, SolveOptions(explain=False, duals=False, tables=False))
    sv.solve()
    return sv


@pytest.mark.parametrize("over", CHINA_KNOBS, ids=[next(iter(o)) for o in CHINA_KNOBS])
def test_china_knobs_warm_hold_the_fresh_lp(china, china_solver, over):
    from tests.test_warm_equals_cold import _lp

    v = apply_overrides(china, over)
    assert structure_key(v, False) == china_solver.model.key  # a warm update, not a rebuild
    warm = china_solver.resolve(v)
    cold_solver = ScenarioSolver(v, SolveOptions(explain=False, duals=False, tables=False))
    cold = cold_solver.solve()
    assert warm.objective_cny_100m == pytest.approx(cold.objective_cny_100m, rel=1e-9)
    got, want = _lp(china_solver), _lp(cold_solver)
    for k in want:
        np.testing.assert_allclose(got[k], want[k], rtol=1e-12, atol=1e-12, err_msg=k)


def test_entrustment_batch_preset_has_every_province_once():
    from pathlib import Path

    import yaml

    from landquota.service.batches.spec import BatchSpec

    spec = BatchSpec.model_validate(yaml.safe_load(Path(__file__).parent.parent.joinpath(
        "examples", "entrustment.yaml").read_text(encoding="utf-8")))
    names = [v.name for v in spec.variants]
    china = load_dataset("china-2020")
    pilots = set(china.policy.entrusted_province_codes)
    assert names[0] == "all-pilots-withdrawn"
    assert sorted(names[1:]) == sorted(f"{'withdraw' if p.code in pilots else 'entrust'}-{p.code}"
                                       for p in china.provinces)


# ---- capacity by year ------------------------------------------------------------------------------------------

def yearly_case(delta=0.0):
    # SC-level project A (80 ha, 8 亿元) in 四川; the State Council approves 0 ha in year 1, 40 + δ in year 2
    return scenario([province("510000")], [city("510100")], [project("A", "510100", 8.0, {"other": 80.0})],
                    policy={"state_council_capacity_ha_per_year": [0.0, 40.0 + delta]}, years=2)


def test_capacity_by_year_binds_in_its_year():
    r = solve(yearly_case())
    assert r.objective_cny_100m == pytest.approx(4.0 / (1 + R), rel=REL)  # half of A, in year 2
    assert shadow(r, "state_council_capacity", "national", 2) == pytest.approx(0.1 / (1 + R), rel=1e-9)
    assert_fd(yearly_case, 1.0, 0.1 / (1 + R))
    caps = {a.year: a.capacity_ha for a in r.approvals if a.authority == "state_council" and a.kind == "application"}
    assert caps == {1: 0.0, 2: 40.0}


def test_capacity_list_needs_one_value_per_year():
    d = yearly_case()
    d["policy"]["state_council_capacity_ha_per_year"] = [10.0]
    d["provinces"][0]["approval_capacity_cases_per_year"] = [1.0, 2.0, 3.0]
    with pytest.raises(ScenarioInvalid) as e:
        load_scenario(d)
    assert sorted((tuple(p.loc), p.rule) for p in e.value.problems) == [
        (("policy", "state_council_capacity_ha_per_year"), "capacity_years"),
        (("provinces", 0, "approval_capacity_cases_per_year"), "capacity_years")]


def test_capacity_by_year_is_a_warm_knob():
    s = load_scenario(yearly_case())
    sv = ScenarioSolver(s, SolveOptions(explain=False))
    sv.solve()
    for over in ({"policy.state_council_capacity_ha_per_year": [40.0, 0.0]},
                 {"policy.state_council_capacity_ha_per_year": 30.0}):
        v = apply_overrides(s, over)
        assert structure_key(v, False) == sv.model.key
        assert sv.resolve(v).objective_cny_100m == pytest.approx(solve_scenario(v).objective_cny_100m, rel=1e-9)


def test_delegation_needs_an_optimal_base(capsys):
    from landquota.service.cli import main as cli_main

    d = sc_cases_case()
    d["projects"][0]["committed"] = True
    d["policy"]["state_council_capacity_cases_per_year"] = 0.5
    with pytest.raises(ValueError, match="infeasible"):
        delegation(load_scenario(d))
    assert cli_main(["delegation", "--dataset", "demo"]) == 0
    out = capsys.readouterr().out
    assert "withdraw" in out and "grant" in out and "均无收益" in out  # the demo has no approval limits
