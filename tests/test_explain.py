"""Explanations (issue 5): shadow prices, their ranges, value ranges, unmet targets, and the diagnosis
of an infeasible scenario — each checked against re-solves, never against the code's own numbers.

Hand facts, on the demo with financing switched off (every investment 0, as in
``tests/test_demo_optimum.py``, whose docstring derives the optimum):

* 贵州 (520000) pool: 75 + 2 ha of GZ-01 and GZ-04, then GZ-02 (arable 35 + other 70 = 105 ha,
  worth 5 − 35 ha × 150万/ha ÷ 1e4 = 4.475 亿元) gets the last 23 ha: the dual is 4.475 / 105
  = 0.0426190… 亿元/ha. It holds while GZ-02 is partly built: pool 77 (GZ-02 out) to 182 (GZ-02 in
  full).
* 四川 (510000) pool: 绵阳's general-use land is the marginal use, (500 − 75)万/ha = 0.0425 亿元/ha.
  Its range: up to 绵阳's per-capita room (110 m² × 2,020,000 residents − 22,000 ha = 220 ha, less
  SC-03's 40 ha = 180 ha of general land, now 120): pool 360; down to the 4 ha 绵阳 still needs for
  its settlers after SC-03 (44 − 40): pool 184.
* 广东 (440000) pool: 广州's general land, (1000 − 75)万/ha, less the farmland quota its arable half
  needs (0.5 × (264.6 − 132.3)万/ha): 0.0925 − 0.006615 = 0.085885 亿元/ha.
"""

from __future__ import annotations

import json
import math

import highspy
import numpy as np
import pytest

from landquota.datasets import load_dataset
from landquota.models.overrides import apply_overrides
from landquota.models.scenario import load_scenario
from landquota.service.cli import main as cli_main
from landquota.solvers.diagnosis import diagnose
from landquota.service.cli_text import format_explanation
from landquota.solvers.explain import explain, explanation_section
from landquota.solvers.highs import ScenarioSolver, SolveOptions, solve_scenario
from landquota.solvers.ranging import HighsRanging, RangeExtender
from landquota.solvers.result import Result
from tests.helpers import city, project, province, scenario

LAND_ONLY = {"projects[*].investment_cny_100m": 0}
GZ03 = {"projects[GZ-03].committed": True}
FARMLAND = {"projects[GD-01].committed": True, "projects[GD-02].committed": True, "projects[GD-04].committed": True,
            "provinces[440000].supplementary_arable_reserve_ha": 20,
            "provinces[520000].supplementary_arable_reserve_ha": 40}
EPS = 1e-3


def demo(overrides: dict | None = None):
    s = load_dataset("demo")
    return apply_overrides(s, overrides) if overrides else s


def solved(overrides: dict | None = None, **options):
    """The demo solved and explained. The explanation is made again with 10 s for its re-solves
    instead of the 0.25 s a 0.01-s solve gets: on a loaded machine the short allowance can run out
    and leave a range end unconfirmed (``range_exact`` false), which these tests would take for an
    error."""
    sv = ScenarioSolver(demo(overrides), SolveOptions(**options))
    r = sv.solve()
    if r.explain is not None and r.status == "optimal" and not options.get("whole_projects"):
        r.explain = explain(sv.solved(), r, seconds=10.0)
    return sv, r


@pytest.fixture(scope="module")
def land():
    return solved(LAND_ONLY)


@pytest.fixture(scope="module")
def full():
    return solved()


@pytest.fixture(scope="module")
def two_years():
    return solved({"years": 2})


def explained(r: Result):
    return [e for g in r.explain.binding_groups for e in g.rules]


def rule(r: Result, name: str, region: str, year: int | None = 1):
    hits = [e for e in explained(r) if e.rule == name and e.region == region and e.year == year]
    assert len(hits) == 1, (name, region, hits)
    return hits[0]


# ---- re-solving copies of the LP with one limit or value moved ---------------------------------


class Bumper:
    """Objective and allocation of copies of the solved LP with one rule's limit (in the rule's stated
    terms) or one value moved. Independent of solvers.explain: it moves the stored row bound by its
    own reading of how Pyomo stored the rule."""

    def __init__(self, sv: ScenarioSolver, r: Result):
        self.sv, self.r = sv, r
        self.solved = sv.solved()
        self.lp = self.solved.highs.getLp()
        self.var_map = self.solved.col_of

    def _run(self, h):
        h.run()
        if h.getModelStatus() != highspy.HighsModelStatus.kOptimal:
            return None
        return h.getInfo().objective_function_value, np.asarray(h.getSolution().col_value)

    def _copy(self):
        h = highspy.Highs()
        h.setOptionValue("output_flag", False)
        h.passModel(self.lp)
        return h

    def limit(self, e, delta: float):
        """(objective, allocation) with the stated limit of binding rule ``e`` moved by ``delta``."""
        b = next(b for b in self.r.binding if (b.rule, b.region, b.year) == (e.rule, e.region, e.year)
                 and b.shadow_price == e.shadow_price_cny_100m)
        spec, _, cd, i = self.solved.row_of_binding(b)
        lo, up = self.lp.row_lower_[i], self.lp.row_upper_[i]
        if cd.upper is not None and cd.lower is not None:  # a balance: both sides move
            lo, up = lo + delta, up + delta
        elif spec.sense == "lower" and cd.upper is not None:  # a floor Pyomo stored as −(…) ≤ −floor
            up -= delta
        elif spec.sense == "upper" and cd.lower is not None:
            lo -= delta
        elif cd.upper is not None:
            up += delta
        else:
            lo += delta
        h = self._copy()
        h.changeRowBounds(i, lo, up)
        return self._run(h)

    def direction(self, v) -> dict[int, float]:
        """Objective coefficient change per unit of the value: discount × (1 亿元, or 1 万元 = 1e-4 亿元
        per ha of the city's general-use and revitalised land)."""
        m, d = self.sv.model.m, self.sv.model.data
        if v.kind == "project_value":
            return {self.var_map[id(m.x[v.id, t])]: d.discount[t] for t in d.years}
        return {self.var_map[id(var)]: d.discount[t] / 1e4 for t in d.years for var in (m.g[v.id, t], m.s[v.id, t])}

    def value(self, v, theta: float):
        """(objective, allocation) with a project's or a city's value moved by ``theta``."""
        h = self._copy()
        for j, dj in self.direction(v).items():
            h.changeColCost(j, self.lp.col_cost_[j] + theta * dj)
        return self._run(h)


def slope(f, a: float, b: float) -> float | None:
    fa, fb = f(a), f(b)
    if fa is None or fb is None:
        return None
    return (fb[0] - fa[0]) / (b - a)


def same(x, y) -> bool:
    return x is not None and y is not None and np.allclose(x[1], y[1], rtol=1e-6, atol=1e-6)


# ---- hand-computed duals -------------------------------------------------------------------------


def test_hand_computed_pool_prices_and_ranges(land):
    _, r = land
    assert r.status == "optimal"
    gz, sc, gd = (rule(r, "provincial_pool", p) for p in ("520000", "510000", "440000"))
    assert gz.shadow_price_cny_100m == pytest.approx((5 - 35 * 150 / 1e4) / 105, rel=1e-9)
    assert sc.shadow_price_cny_100m == pytest.approx((500 - 75) / 1e4, rel=1e-9)
    assert gd.shadow_price_cny_100m == pytest.approx(0.0925 - 0.5 * 132.3 / 1e4, rel=1e-9)
    assert (gz.limit_low, gz.limit_high) == pytest.approx((77, 182))
    assert (sc.limit_low, sc.limit_high) == pytest.approx((184, 360))
    assert gz.marginal_projects == ["GZ-02"]
    # domain units and names: 万元 per ha, the scenario's name, the English name and the code
    assert gz.shadow_price_cny_10k == pytest.approx(426.190476, rel=1e-6)
    assert "426.2 万元" in gz.sentence_en and "Guizhou (贵州, 520000)" in gz.sentence_en
    assert "between 77 and 182 ha" in gz.sentence_en
    assert "贵州（520000）" in gz.sentence_zh and "426.2万元" in gz.sentence_zh
    assert gz.region_name == "贵州"


def test_pool_prices_by_finite_difference_through_the_scenario(land):
    """Bump each province's pool in the scenario, warm re-solve, compare with dual × change."""
    _, r = land
    sv = ScenarioSolver(demo(LAND_ONLY))
    base = sv.solve().objective_cny_100m
    for p in ("510000", "440000", "520000"):
        e = rule(r, "provincial_pool", p)
        for delta in (+1.0, -1.0):
            bumped = demo({**LAND_ONLY, f"provinces[{p}].new_land_pool_ha_per_year": e.limit + delta})
            obj = sv.resolve(bumped).objective_cny_100m
            assert obj - base == pytest.approx(e.shadow_price_cny_100m * delta, rel=1e-7, abs=1e-9), (p, delta)


def test_explain_rows_match_the_binding_table(full):
    _, r = full
    assert sorted((e.rule, e.region, e.year, e.shadow_price_cny_100m) for e in explained(r)) == sorted(
        (b.rule, b.region, b.year, b.shadow_price) for b in r.binding)


# ---- every binding rule, every range end, by re-solves ------------------------------------------


@pytest.mark.parametrize("case", ["land", "full", "two_years"])
def test_every_shadow_price_and_range_by_resolves(case, request):
    """For every binding rule: the dual is the objective's slope on each side of the limit where the
    range leaves room (and lies between the two one-sided slopes where it does not: a corner); just
    inside each finite end the slope is still the dual, just outside it is not."""
    sv, r = request.getfixturevalue(case)
    bump = Bumper(sv, r)
    checked_ends = 0
    for e in explained(r):
        if e.rule == "project_whole":
            continue
        y, lim = e.shadow_price_cny_100m, e.limit
        f = lambda dl, e=e: bump.limit(e, dl)  # noqa: E731
        tol = 1e-6 * (1 + abs(y))
        up_room = math.inf if e.limit_high is None else e.limit_high - lim
        dn_room = math.inf if e.limit_low is None else lim - e.limit_low
        right = slope(f, 0.0, min(EPS, up_room / 2)) if up_room > 1e-9 else slope(f, 0.0, EPS)
        left = slope(f, -min(EPS, dn_room / 2), 0.0) if dn_room > 1e-9 else slope(f, -EPS, 0.0)
        if up_room > 1e-9:
            assert right == pytest.approx(y, abs=tol), (e.rule, e.region, "right")
        if dn_room > 1e-9:
            assert left == pytest.approx(y, abs=tol), (e.rule, e.region, "left")
        # concave value function: left slope ≥ dual ≥ right slope
        if left is not None:
            assert left >= y - tol, (e.rule, e.region)
        if right is not None:
            assert right <= y + tol, (e.rule, e.region)
        if e.price_of_more_cny_100m is not None and right is not None:
            assert right == pytest.approx(e.price_of_more_cny_100m, abs=1e-4 * (1 + abs(y))), (e.rule, e.region)
        if not e.range_exact:
            continue
        step = 1.5 * RangeExtender.step(lim)  # ends are exact to within one probing step
        for end, d in ((e.limit_high, +1), (e.limit_low, -1)):
            if end is None or abs(end - lim) < 1e-9:
                continue
            off = end - lim
            inside = slope(f, off - d * 2 * EPS, off - d * EPS)
            outside = slope(f, off + d * step, off + d * 2 * step)
            assert inside == pytest.approx(y, abs=tol), (e.rule, e.region, end, "inside")
            assert outside is None or abs(outside - y) > tol, (e.rule, e.region, end, "outside")
            checked_ends += 1
    assert checked_ends >= 10


@pytest.mark.parametrize("case", ["land", "full", "two_years"])
def test_value_ranges_by_resolves(case, request):
    """Just inside each end of a value range the plan is still optimal (the re-solved optimum equals
    the plan's own value at the new prices: ties between equally good plans do not count as a
    change); just outside it a better plan exists. Checked on copies of the LP with the value's
    columns re-priced."""
    sv, r = request.getfixturevalue(case)
    bump = Bumper(sv, r)
    plan = np.asarray(sv.highs_model.getSolution().col_value)
    obj = r.objective_cny_100m
    tol = 1e-8 * (1 + abs(obj))
    checked = 0
    for v in r.explain.value_ranges:
        assert v.range_exact
        d = bump.direction(v)
        dx = sum(dj * plan[j] for j, dj in d.items())
        scale = 1.5 * RangeExtender.step(v.value)  # ends are exact to within one probing step
        for end, sign in ((v.high, +1), (v.low, -1)):
            if end is None:
                continue
            theta = end - v.value
            gain_in = bump.value(v, theta - sign * scale)[0] - (obj + (theta - sign * scale) * dx)
            gain_out = bump.value(v, theta + sign * scale)[0] - (obj + (theta + sign * scale) * dx)
            assert abs(gain_in) <= tol, (v.id, end, "inside")
            assert gain_out > tol, (v.id, end, "outside")
            checked += 1
    assert checked >= 5


def test_value_ranges_through_the_scenario(land):
    """The same at both ends of the marginal project's value range, by editing the scenario and
    solving from scratch (the value is a build constant, so this also checks the mapping)."""
    _, r = land
    gz02 = next(v for v in r.explain.value_ranges if v.id == "GZ-02")
    assert gz02.low < gz02.value < gz02.high

    def shares(value):
        res = solve_scenario(demo({**LAND_ONLY, "projects[GZ-02].value_cny_100m": value}), SolveOptions(explain=False))
        return [p.selected_share for p in res.projects] + [c.general_land_ha for c in res.cities]

    now = shares(gz02.value)
    for end, d in ((gz02.high, +1), (gz02.low, -1)):
        assert shares(end - d * 1e-3) == pytest.approx(now, abs=1e-7)
        assert shares(end + d * 1e-3) != pytest.approx(now, abs=1e-7)


def test_joint_range_matches_highs_for_one_column_and_contains_the_100_rule(full, two_years):
    for sv, _ in (full, two_years):
        rg = HighsRanging(sv.highs_model)
        for j in range(rg.n):
            for dj in (1.0, -2.5):
                assert rg.cost_direction_range({j: dj}, single_by_highs=False) == pytest.approx(
                    rg.cost_direction_range({j: dj}), rel=1e-7, abs=1e-9)
        # the 100% rule is a guaranteed-inside interval
        for j in range(0, rg.n - 1, 3):
            d = {j: 1.0, j + 1: 0.5}
            lo, hi = rg.cost_direction_range(d)
            lo100, hi100 = rg.cost_direction_range_100(d)
            assert lo - 1e-9 <= lo100 <= 0 <= hi100 <= hi + 1e-9


# ---- unmet targets, summary, options, JSON, CLI ---------------------------------------------------


def test_unmet_targets_are_explained():
    # 汕头 needs 300,000 settlers × 100 m² = 3,000 ha of land: more than Guangdong can ever get
    _, r = solved({**LAND_ONLY, "cities[440500].settlers_per_year": 300_000})
    assert r.shortfalls
    by = {(u.rule, u.region, u.year): u for u in r.explain.unmet_targets}
    for s in r.shortfalls:
        u = by[s.rule, s.region, s.year]
        assert u.amount_ha == pytest.approx(s.amount_ha)
        assert u.penalty_cny_100m == pytest.approx(s.amount_ha * 1.0)  # 10,000 万元/ha = 1 亿元/ha
    u = by["settler_land_floor", "440500", 1]
    assert "汕头" in u.sentence_en and "汕头" in u.sentence_zh and u.region_name == "汕头"
    assert "Unmet targets" in r.explain.summary_en and "未完成目标" in r.explain.summary_zh


def test_summary_and_groups(full):
    _, r = full
    e = r.explain
    assert e.summary_en.startswith("Scenario demo: optimal") and e.summary_zh.startswith("情景demo：最优")
    items = [g.policy_item for g in e.binding_groups]
    assert items[0].startswith("(6)") and any(i.startswith("(21)") for i in items)
    assert [int(i.split(")")[0][1:]) for i in items] == sorted(int(i.split(")")[0][1:]) for i in items)
    for g in e.binding_groups:
        assert g.rules and g.title_en and g.title_zh
        for x in g.rules:
            assert x.policy_item == g.policy_item and x.sentence_en and x.sentence_zh
            assert "[" not in x.sentence_en  # never a raw constraint index
    assert e.elapsed_s < 5


def test_explain_off_and_mip():
    _, r = solved(explain=False)
    assert r.explain is None and r.binding
    _, r = solved(GZ03, explain=False)
    assert r.status == "infeasible" and r.diagnosis is None
    _, r = solved(whole_projects=True)
    assert r.explain is not None and not r.explain.binding_groups and "MIP" in r.explain.notes[0]


def test_json_round_trip_and_section_for_stored_results(full):
    _, r = full
    stored = json.loads(r.model_dump_json())
    again = Result.model_validate(stored)
    assert again.explain == r.explain
    section = explanation_section(stored)
    assert section["status"] == "optimal" and section["diagnosis"] is None
    assert section["explain"]["summary_zh"] == r.explain.summary_zh
    assert explanation_section(r) == section
    assert "Why this plan" in format_explanation(r.explain)


def test_cli_prints_explanation_and_diagnosis(capsys):
    assert cli_main(["solve", "--dataset", "demo"]) == 0
    out = capsys.readouterr().out
    assert "Why this plan" in out and "Sichuan (四川, 510000)" in out and "情景demo" in out
    assert cli_main(["solve", "--dataset", "demo", "--no-explain"]) == 0
    assert "Why this plan" not in capsys.readouterr().out
    assert cli_main(["solve", "--dataset", "demo", "--set", "projects[GZ-03].committed=true"]) == 3  # infeasible
    out = capsys.readouterr().out
    assert "infeasible" in out and "Conflict 1" in out and "needs 10 ha" in out


# ---- infeasible scenarios: the diagnosis names exactly the rules in conflict ----------------------


def conflict_rules(c):
    return sorted((x.rule, x.region) for x in c.rules)


def test_committed_project_over_the_per_capita_cap():
    """GZ-03 (10 ha) is in the rest of Guizhou, whose per-capita cap leaves 0 ha (no population
    growth, already at 100 m²): committing it is infeasible, and nothing else is involved."""
    sv, r = solved(GZ03)
    assert r.status == "infeasible" and r.explain is None
    dg = r.diagnosis
    assert dg.complete and len(dg.conflicts) == 1
    c = dg.conflicts[0]
    assert conflict_rules(c) == [("committed_project", "GZ-03"), ("per_capita_cap", "520000-REST")]
    assert c.regions == ["520000"]
    cap = next(x for x in c.rules if x.rule == "per_capita_cap")
    assert (cap.limit, cap.required, cap.change_needed) == pytest.approx((0.0, 10.0, 10.0))
    assert "m² per resident" in cap.sentence_en
    gz = next(x for x in c.rules if x.rule == "committed_project")
    assert gz.required == pytest.approx(0.0)  # none of it fits
    assert c.headline_en == ("Guizhou: committed project GZ-03 needs 10 ha of room under the rest of Guizhou "
                             "(贵州其他, 520000-REST)'s per-capita land cap, but the limit is 0 ha.")
    assert "贵州" in c.headline_zh and "10公顷" in c.headline_zh
    # the same conflict by the deletion filter (no HiGHS IIS)
    assert [conflict_rules(k) for k in diagnose(sv, method="deletion").conflicts] == [conflict_rules(c)]
    # the change it names is enough: with the cap room raised by exactly that much the scenario solves
    m = sv.model.m
    m.landplan.cap_room_ha["520000-REST"] = cap.required
    assert sv.solve().status == "optimal"


def test_committed_projects_over_two_provinces_farmland_balance():
    """广东 commits GD-01, GD-02 and GD-04 (76 ha of arable land) with a 20 ha reserve; 贵州 can sell
    at most its 40 ha reserve: 16 ha short. The conflict spans both provinces and the farmland market."""
    sv, r = solved(FARMLAND)
    dg = r.diagnosis
    assert r.status == "infeasible" and dg.complete and len(dg.conflicts) == 1
    c = dg.conflicts[0]
    assert conflict_rules(c) == [("committed_project", "GD-01"), ("committed_project", "GD-02"),
                                 ("committed_project", "GD-04"), ("farmland_balance", "440000"),
                                 ("farmland_balance", "520000"), ("farmland_quota_clearing", "national")]
    assert c.regions == ["440000", "520000"]
    reserves = {x.region: x for x in c.rules if x.rule == "farmland_balance"}
    assert reserves["440000"].change_needed == pytest.approx(16)
    assert reserves["520000"].change_needed == pytest.approx(16)
    shares = {x.region: x.required for x in c.rules if x.rule == "committed_project"}
    # 16 ha of arable land too much: GD-01 has 20 (20% fits), GD-04 36 (20/36 fits)
    assert shares["GD-01"] == pytest.approx(0.2) and shares["GD-04"] == pytest.approx(20 / 36)
    assert [conflict_rules(k) for k in diagnose(sv, method="deletion").conflicts] == [conflict_rules(c)]


def test_two_independent_conflicts_are_both_found():
    sv, r = solved({**GZ03, **FARMLAND})
    dg = r.diagnosis
    assert dg.complete and len(dg.conflicts) == 2
    found = sorted(conflict_rules(c) for c in dg.conflicts)
    assert found == sorted([[("committed_project", "GZ-03"), ("per_capita_cap", "520000-REST")],
                            conflict_rules(solved(FARMLAND)[1].diagnosis.conflicts[0])])
    assert "2 conflicts" in dg.summary_en and "2处冲突" in dg.summary_zh
    assert sorted(conflict_rules(c) for c in diagnose(sv, method="deletion").conflicts) == found


def test_whole_projects_diagnosed_on_the_relaxation():
    """Approval capacity of 40 ha in 广东 with GD-01 (50 ha, provincial) committed: infeasible however
    it is split, so the LP relaxation is infeasible too and the diagnosis names the capacity."""
    sv, r = solved({"projects[GD-01].committed": True, "provinces[440000].approval_capacity_ha_per_year": 40},
                   whole_projects=True)
    assert r.status == "infeasible"
    c = r.diagnosis.conflicts[0]
    assert conflict_rules(c) == [("committed_project", "GD-01"), ("province_approval_capacity", "440000")]
    cap = next(x for x in c.rules if x.rule == "province_approval_capacity")
    assert cap.change_needed == pytest.approx(10)


def test_corner_price_of_more_differs_from_the_dual():
    """One project (worth 0.2 亿元/ha) fits the year-1 pool exactly and is already fully selected, so
    the pool's dual (0.2) is one-sided: one more ha of year-1 pool only moves 1 ha of the project
    from year 2 to year 1, worth 0.2 − 0.2/1.0465 (the discount of year 2). The explanation says so."""
    data = scenario([province("510000", pool=10.0)], [city("510100")],
                    [project("P", "510100", 4.0, {"other": 20.0})], years=2)
    sv = ScenarioSolver(load_scenario(data))
    r = sv.solve()
    e = rule(r, "provincial_pool", "510000", 1)
    assert e.shadow_price_cny_100m == pytest.approx(0.2)
    assert e.limit_high == pytest.approx(e.limit)
    assert e.price_of_more_cny_100m == pytest.approx(0.2 - 0.2 / 1.0465, rel=1e-6)
    assert "at a corner" in e.sentence_en and "88.87 万元" in e.sentence_en
    assert "Scarcest land" in r.explain.summary_en and "88.87 万元" in r.explain.summary_en
    more = Bumper(sv, r).limit(e, 0.5)[0] - r.objective_cny_100m
    assert more / 0.5 == pytest.approx(e.price_of_more_cny_100m, rel=1e-6)



def test_every_rule_has_words():
    """Each rule of the registry is phrased in both languages, and its policy item has titles in both."""
    from landquota.models.build import REGISTRY

    for rule in REGISTRY:
        assert rule.noun_en and rule.noun_zh and rule.describe, rule.name
        assert rule.item.title_en and rule.item.title_zh, rule.item.key


def test_infeasible_only_with_whole_projects():
    """Over two years 贵州's pool (100 ha a year) carries GZ-01 (75 ha) and GZ-02 (105 ha) in shares,
    but GZ-02 whole fits in no single year: the diagnosis says that whole projects are the cause."""
    _, r = solved({"years": 2, "projects[GZ-01].committed": True, "projects[GZ-02].committed": True},
                  whole_projects=True)
    assert r.status == "infeasible"
    assert not r.diagnosis.conflicts and "Only whole projects" in r.diagnosis.summary_en
    _, r = solved({"years": 2, "projects[GZ-01].committed": True, "projects[GZ-02].committed": True})
    assert r.status == "optimal"
