"""Approval routing: Land Administration Law (2019) Art. 46 and 国发〔2020〕4号.

Art. 46: the State Council approves an expropriation that includes any permanent basic farmland
(PBF), non-PBF arable land over 35 ha, or other land over 70 ha; the province approves the rest.
国发〔2020〕4号: State-Council-level approval is entrusted to eight pilot provinces only.
No splitting: the thresholds apply to the whole project, never to the selected share.
"""

from __future__ import annotations

import pytest

from landquota.datasets import dataset_dict
from landquota.models.approval import route
from landquota.models.coefficients import project_routes
from landquota.models.overrides import apply_overrides
from landquota.models.policy import PILOT_PROVINCES_2020, PolicyParameters
from landquota.models.scenario import load_scenario
from tests.helpers import city, project, province, row, scenario, solve

ART46 = "Art. 46"
ENTRUSTMENT = "国发〔2020〕4号"

PBF, ARABLE, OTHER = "permanent_basic_farmland", "arable", "other"


def parcels(*pairs):
    return [{"land_type": lt, "area_ha": ha} for lt, ha in pairs]


# (case id, parcels, entrusted (pilot province), policy overrides, expected authority)
CASES = [
    # non-PBF arable land: "over 35 ha" — exactly 35 stays with the province
    ("arable 35 -> province", [(ARABLE, 35.0)], False, {}, "province"),
    ("arable 35.01 -> State Council", [(ARABLE, 35.01)], False, {}, "state_council"),
    ("arable 35.01 pilot -> entrusted", [(ARABLE, 35.01)], True, {}, "province_entrusted"),
    ("arable 35 pilot -> province", [(ARABLE, 35.0)], True, {}, "province"),
    ("arable 0.01 -> province", [(ARABLE, 0.01)], False, {}, "province"),
    # any PBF at all
    ("PBF 0.01 -> State Council", [(PBF, 0.01)], False, {}, "state_council"),
    ("PBF 0.01 pilot -> entrusted", [(PBF, 0.01)], True, {}, "province_entrusted"),
    ("PBF 0.01 + small other -> State Council", [(PBF, 0.01), (OTHER, 1.0)], False, {}, "state_council"),
    # other land: "over 70 ha"
    ("other 70 -> province", [(OTHER, 70.0)], False, {}, "province"),
    ("other 70.01 -> State Council", [(OTHER, 70.01)], False, {}, "state_council"),
    ("other 70.01 pilot -> entrusted", [(OTHER, 70.01)], True, {}, "province_entrusted"),
    # several parcels of one project cross a threshold together
    ("arable 20 + 16 -> State Council", [(ARABLE, 20.0), (ARABLE, 16.0)], False, {}, "state_council"),
    ("arable 20 + 15 -> province", [(ARABLE, 20.0), (ARABLE, 15.0)], False, {}, "province"),
    ("other 40 + 30.5 -> State Council", [(OTHER, 40.0), (OTHER, 30.5)], False, {}, "state_council"),
    ("arable 20 + 16 pilot -> entrusted", [(ARABLE, 20.0), (ARABLE, 16.0)], True, {}, "province_entrusted"),
    # arable and other land are separate tests under Art. 46 ...
    ("arable 35 + other 70 -> province (combined rule off by default)",
     [(ARABLE, 35.0), (OTHER, 70.0)], False, {}, "province"),
    # ... unless the reported practice of adding them up is switched on
    ("arable 35 + other 70, combined rule on -> State Council",
     [(ARABLE, 35.0), (OTHER, 70.0)], False, {"combined_area_rule": True}, "state_council"),
    ("arable 30 + other 40 = 70, combined rule on -> province",
     [(ARABLE, 30.0), (OTHER, 40.0)], False, {"combined_area_rule": True}, "province"),
    ("arable 30 + other 40.01, combined rule on -> State Council",
     [(ARABLE, 30.0), (OTHER, 40.01)], False, {"combined_area_rule": True}, "state_council"),
    ("arable 30 + other 40.01, combined rule on, pilot -> entrusted",
     [(ARABLE, 30.0), (OTHER, 40.01)], True, {"combined_area_rule": True}, "province_entrusted"),
    # thresholds are parameters
    ("arable 32, threshold 35 -> province", [(ARABLE, 32.0)], False, {}, "province"),
    ("arable 32, threshold 30 -> State Council", [(ARABLE, 32.0)], False,
     {"state_council_arable_threshold_ha": 30.0}, "state_council"),
    ("arable 30, threshold 30 -> province", [(ARABLE, 30.0)], False,
     {"state_council_arable_threshold_ha": 30.0}, "province"),
    ("other 65, other threshold 60 -> State Council", [(OTHER, 65.0)], False,
     {"state_council_other_threshold_ha": 60.0}, "state_council"),
    ("other 75, other threshold 80 -> province", [(OTHER, 75.0)], False,
     {"state_council_other_threshold_ha": 80.0}, "province"),
]


@pytest.mark.parametrize("parcel_list, entrusted, policy, expected",
                         [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_route_table(parcel_list, entrusted, policy, expected):
    r = route(parcels(*parcel_list), entrusted, PolicyParameters(**policy))
    assert r.authority == expected
    assert ART46 in r.legal_basis
    assert (ENTRUSTMENT in r.legal_basis) == (expected == "province_entrusted")


def test_route_sums_areas_by_type():
    r = route(parcels((ARABLE, 20.0), (OTHER, 5.0), (ARABLE, 16.0), (PBF, 2.0), (OTHER, 7.5)), False)
    assert (r.pbf_ha, r.arable_ha, r.other_ha) == (2.0, 36.0, 12.5)


def test_route_reason_names_every_trigger():
    r = route(parcels((PBF, 1.0), (ARABLE, 36.0), (OTHER, 71.0)), False)
    assert r.authority == "state_council"
    assert "permanent basic farmland" in r.reason
    assert "36" in r.reason and "35" in r.reason
    assert "71" in r.reason and "70" in r.reason


def test_route_accepts_parcel_objects():
    s = load_scenario(scenario([province()], [city("510100")],
                               [project("A", "510100", 1.0, [(ARABLE, 20.0), (ARABLE, 16.0)])]))
    assert route(s.projects[0].parcels, False).authority == "state_council"


def test_parcels_adding_to_exactly_35_ha_stay_with_the_province():
    r = route(parcels((ARABLE, 12.3), (ARABLE, 20.1), (ARABLE, 2.6)), False)
    assert r.authority == "province"


# ---- pilot provinces (国发〔2020〕4号) ---------------------------------------------------------

def test_pilot_list_is_the_eight_provinces_of_the_2020_decision():
    # 北京 天津 上海 江苏 浙江 安徽 广东 重庆
    assert set(PILOT_PROVINCES_2020) == {"110000", "120000", "310000", "320000", "330000", "340000",
                                         "440000", "500000"}
    assert set(PolicyParameters().entrusted_province_codes) == set(PILOT_PROVINCES_2020)


def _one_pbf_project_in(code: str, **prov_kw):
    city_code = code[:2] + "0100"
    return scenario([province(code, **prov_kw)], [city(city_code)],
                    [project("X", city_code, 1.0, {PBF: 0.01})])


@pytest.mark.parametrize("code, expected", [
    ("440000", "province_entrusted"),  # 广东, pilot
    ("340000", "province_entrusted"),  # 安徽, pilot
    ("500000", "province_entrusted"),  # 重庆, pilot
    ("510000", "state_council"),       # 四川, not a pilot
    ("370000", "state_council"),       # 山东, not a pilot
])
def test_pilot_vs_non_pilot_in_a_scenario(code, expected):
    s = load_scenario(_one_pbf_project_in(code))
    assert project_routes(s)["X"].authority == expected


def test_province_flag_overrides_the_pilot_list():
    s = load_scenario(_one_pbf_project_in("510000", approval_entrusted=True))
    assert project_routes(s)["X"].authority == "province_entrusted"
    s = load_scenario(_one_pbf_project_in("440000", approval_entrusted=False))
    assert project_routes(s)["X"].authority == "state_council"


def test_pilot_list_is_a_policy_parameter():
    d = _one_pbf_project_in("510000")
    d["policy"]["entrusted_province_codes"] = ["510000"]
    assert project_routes(load_scenario(d))["X"].authority == "province_entrusted"
    d = _one_pbf_project_in("440000")
    d["policy"]["entrusted_province_codes"] = []
    assert project_routes(load_scenario(d))["X"].authority == "state_council"


# ---- no splitting: the selected share never changes the route -----------------------------

def test_partly_selected_state_council_project_keeps_its_route_and_capacity():
    """An 80 ha project on other land (State Council) with a 40 ha pool is half selected; 40 ha
    would be under the 70 ha threshold, yet the route stays State Council, and the province's own
    approval capacity of 0 ha does not block it (its area is not counted there)."""
    d = scenario([province("510000", pool=40.0, approval_capacity_ha_per_year=0.0)], [city("510100")],
                 [project("SC", "510100", 8.0, {OTHER: 80.0})])
    r = solve(d)
    p = row(r.projects, "id", "SC")
    assert p.selected_share == pytest.approx(0.5, rel=1e-9)
    assert p.approval_authority == "state_council"
    assert r.objective_cny_100m == pytest.approx(4.0, rel=1e-9)  # 0.5 × 8 亿元


def test_no_state_council_capacity_means_no_share_of_a_state_council_project():
    """With zero State Council capacity, not even a sub-threshold slice can go to the province."""
    d = scenario([province("510000", pool=40.0)], [city("510100")],
                 [project("SC", "510100", 8.0, {OTHER: 80.0})],
                 policy={"state_council_capacity_ha_per_year": 0.0})
    r = solve(d)
    assert row(r.projects, "id", "SC").selected_share == pytest.approx(0.0, abs=1e-9)
    assert r.objective_cny_100m == pytest.approx(0.0, abs=1e-9)


def test_demo_with_tight_pool_partial_selection_keeps_whole_project_route():
    """The demo with Sichuan's pool cut to 40 ha and SC-04 (80 ha other land, State Council) made
    the most valuable use of it: SC-04 is only partly selected, and every project's route in the
    result is the route of its whole parcel list."""
    base = dataset_dict("demo")
    s = apply_overrides(base, {"provinces[510000].new_land_pool_ha_per_year": 40,
                               "projects[SC-04].value_cny_100m": 100})
    r = solve(s)
    expected = project_routes(s)
    partial_sc = [p for p in r.projects
                  if 1e-6 < p.selected_share < 1 - 1e-6 and expected[p.id].authority == "state_council"]
    assert partial_sc, "expected a partly selected State-Council project"
    sc04 = row(r.projects, "id", "SC-04")
    assert 0 < sc04.selected_share * sc04.area_ha <= 40.0 + 1e-6 < 70.0
    assert sc04.approval_authority == "state_council"
    for p in r.projects:
        whole = route(s.projects[[q.id for q in s.projects].index(p.id)].parcels,
                      s.entrusted(p.province_code), s.policy)
        assert p.approval_authority == whole.authority
        assert p.legal_basis == whole.legal_basis


def test_combined_rule_via_policy_changes_the_route_in_the_model():
    """GZ-02 in the demo (35 ha arable + 70 ha other, 贵州 not a pilot): province by default,
    State Council when the combined-area rule is on."""
    base = dataset_dict("demo")
    off = load_scenario(base)
    on = apply_overrides(base, {"policy.combined_area_rule": True})
    assert project_routes(off)["GZ-02"].authority == "province"
    assert project_routes(on)["GZ-02"].authority == "state_council"
