"""Invalid input gives ScenarioInvalid, one problem per fault, each naming the field path and rule."""

from __future__ import annotations

import copy

import pytest

from landquota.models.scenario import ScenarioInvalid, load_scenario
from tests.helpers import city, project, province, scenario


def base() -> dict:
    """Two provinces (四川 non-seller, 贵州 seller), three cities, three projects; valid."""
    return scenario(
        [province("510000", pool=100.0),
         province("520000", pool=50.0, land_quota_seller=True, surplus_land_quota_ha_per_year=20.0)],
        [city("510100"), city("510000-REST", "510000"), city("520100")],
        [project("A", "510100", 1.0, {"other": 10.0}),
         project("B", "510000-REST", 1.0, {"arable": 5.0}),
         project("C", "520100", 1.0, {"other": 30.0})],
    )


def problems(data) -> list:
    with pytest.raises(ScenarioInvalid) as e:
        load_scenario(data)
    assert e.value.problems, "ScenarioInvalid must list its problems"
    return e.value.problems


def only(data, loc, rule):
    ps = problems(data)
    hits = [p for p in ps if p.loc == loc and p.rule == rule]
    assert len(hits) == 1, [(p.loc, p.rule) for p in ps]
    assert hits[0].message
    return ps


def test_base_is_valid():
    load_scenario(base())


def test_unknown_province_code():
    d = base()
    d["provinces"].append(province("990000"))
    d["cities"].append(city("990100", "990000"))  # keep it from also being a province with no city
    ps = only(d, ["provinces", 2, "code"], "unknown_province")
    assert len(ps) == 1


def test_province_code_must_have_six_digits():
    d = base()
    d["provinces"][0]["code"] = "5100"
    only(d, ["provinces", 0, "code"], "string_pattern_mismatch")


@pytest.mark.parametrize("where, loc, rule", [
    (lambda d: d["projects"][1]["parcels"][0].__setitem__("area_ha", -3.0),
     ["projects", 1, "parcels", 0, "area_ha"], "greater_than"),
    (lambda d: d["projects"][1]["parcels"][0].__setitem__("area_ha", 0.0),
     ["projects", 1, "parcels", 0, "area_ha"], "greater_than"),
    (lambda d: d["cities"][0].__setitem__("urban_construction_land_ha", -1.0),
     ["cities", 0, "urban_construction_land_ha"], "greater_than_equal"),
    (lambda d: d["provinces"][1].__setitem__("new_land_pool_ha_per_year", -0.5),
     ["provinces", 1, "new_land_pool_ha_per_year"], "greater_than_equal"),
    (lambda d: d["cities"][2].__setitem__("settlers_per_year", -10),
     ["cities", 2, "settlers_per_year"], "greater_than_equal"),
], ids=["parcel area < 0", "parcel area 0", "urban land < 0", "pool < 0", "settlers < 0"])
def test_negative_numbers(where, loc, rule):
    d = base()
    where(d)
    assert len(only(d, loc, rule)) == 1


@pytest.mark.parametrize("bad", [float("nan"), float("inf"), float("-inf")], ids=["nan", "inf", "-inf"])
@pytest.mark.parametrize("path", [
    ("projects", 0, "parcels", 0, "area_ha"),
    ("projects", 2, "value_cny_100m"),
    ("cities", 1, "urban_construction_land_ha"),
    ("cities", 0, "settlers_central_district_share"),
    ("provinces", 0, "new_land_pool_ha_per_year"),
    ("provinces", 1, "linkage_adjustment"),
    ("policy", "per_capita_cap_m2"),
    ("policy", "national_new_land_total_ha"),
], ids=lambda p: ".".join(map(str, p)))
def test_nan_and_inf(path, bad):
    d = base()
    target = d
    for k in path[:-1]:
        target = target[k]
    target[path[-1]] = bad
    ps = problems(d)
    assert [p.loc for p in ps] == [list(path)]
    assert ps[0].rule == "finite_number"


def test_city_in_a_province_not_in_the_scenario():
    d = base()
    d["cities"].append(city("530100", "530000"))  # 云南 is a real province, just not here
    assert len(only(d, ["cities", 3, "province_code"], "unknown_province")) == 1


def test_city_code_not_under_its_province():
    d = base()
    d["cities"][0]["province_code"] = "520000"  # 510100 is in 四川, not 贵州
    only(d, ["cities", 0, "code"], "code_mismatch")


def test_project_in_unknown_city():
    d = base()
    d["projects"][2]["city_code"] = "520300"
    assert len(only(d, ["projects", 2, "city_code"], "unknown_city")) == 1


@pytest.mark.parametrize("table, index_field, make_dupe, loc", [
    ("provinces", "code", lambda d: d["provinces"].append(province("510000")), ["provinces", 2, "code"]),
    ("cities", "code", lambda d: d["cities"].append(city("520100")), ["cities", 3, "code"]),
    ("projects", "id", lambda d: d["projects"].append(project("B", "520100", 1.0, {"other": 1.0})),
     ["projects", 3, "id"]),
], ids=["province", "city", "project"])
def test_duplicate_ids(table, index_field, make_dupe, loc):
    d = base()
    make_dupe(d)
    assert len(only(d, loc, "duplicate_id")) == 1


def test_committed_projects_that_no_pool_could_carry():
    # 四川 (not a buyer): pool 100 ha; committed 60 + 50 ha = 110 ha
    d = base()
    d["projects"][0]["committed"] = True
    d["projects"][0]["parcels"][0]["area_ha"] = 60.0
    d["projects"].append(project("D", "510100", 1.0, {"other": 50.0}, committed=True))
    assert len(only(d, ["provinces", 0, "new_land_pool_ha_per_year"], "committed_exceeds_pool")) == 1


def test_committed_projects_exactly_filling_the_pool_are_valid():
    d = base()
    d["projects"][0]["committed"] = True
    d["projects"][0]["parcels"][0]["area_ha"] = 60.0
    d["projects"].append(project("D", "510100", 1.0, {"other": 40.0}, committed=True))
    load_scenario(d)


def test_committed_projects_count_tradeable_surplus_for_buyers_and_the_horizon():
    # 四川 as a buyer: pool 100 + 贵州 surplus 20 = 120 ha a year.
    d = base()
    d["provinces"][0]["land_quota_buyer"] = True
    d["projects"][0].update(committed=True, parcels=[{"land_type": "other", "area_ha": 120.0}])
    load_scenario(d)
    d["projects"][0]["parcels"][0]["area_ha"] = 120.5
    only(d, ["provinces", 0, "new_land_pool_ha_per_year"], "committed_exceeds_pool")
    d["years"] = 2  # (100 + 20) × 2 = 240 ha over the horizon
    load_scenario(d)


@pytest.mark.parametrize("adj, ok", [(0.10, True), (-0.10, True), (0.0, True), (0.05, True),
                                     (0.1001, False), (-0.15, False), (0.5, False)])
def test_linkage_adjustment_within_ten_percent(adj, ok):
    d = base()
    d["provinces"][1]["linkage_adjustment"] = adj
    if ok:
        load_scenario(d)
    else:
        assert len(only(d, ["provinces", 1, "linkage_adjustment"], "linkage_flex")) == 1


def test_linkage_flex_is_a_policy_parameter():
    d = base()
    d["provinces"][1]["linkage_adjustment"] = 0.15
    d["policy"]["linkage_province_flex_max"] = 0.2
    load_scenario(d)


def test_surplus_only_for_sellers():
    d = base()
    d["provinces"][0]["surplus_land_quota_ha_per_year"] = 5.0
    only(d, ["provinces", 0, "surplus_land_quota_ha_per_year"], "not_a_seller")


def test_several_cross_reference_problems_reported_together():
    d = base()
    d["provinces"][1]["linkage_adjustment"] = 0.2                  # linkage_flex
    d["cities"].append(city("530100", "530000"))                   # unknown_province
    d["projects"][2]["city_code"] = "520300"                       # unknown_city
    d["projects"].append(project("A", "510100", 1.0, {"other": 1.0}))  # duplicate_id
    d["cities"][1]["stock_land_available_ha"] = 1e7                 # stock_exceeds_land
    ps = problems(d)
    got = sorted((tuple(p.loc), p.rule) for p in ps)
    assert got == sorted([
        (("provinces", 1, "linkage_adjustment"), "linkage_flex"),
        (("cities", 3, "province_code"), "unknown_province"),
        (("projects", 2, "city_code"), "unknown_city"),
        (("projects", 3, "id"), "duplicate_id"),
        (("cities", 1, "stock_land_available_ha"), "stock_exceeds_land"),
    ])


def test_several_field_problems_reported_together():
    d = base()
    d["projects"][0]["parcels"][0]["area_ha"] = float("nan")
    d["cities"][1]["urban_construction_land_ha"] = -5.0
    d["provinces"][0]["new_land_pool_ha_per_year"] = float("inf")
    d["cities"][2]["size_class"] = "huge"
    ps = problems(d)
    got = sorted((tuple(map(str, p.loc)), p.rule) for p in ps)
    assert got == sorted([
        (("projects", "0", "parcels", "0", "area_ha"), "finite_number"),
        (("cities", "1", "urban_construction_land_ha"), "greater_than_equal"),
        (("provinces", "0", "new_land_pool_ha_per_year"), "finite_number"),
        (("cities", "2", "size_class"), "literal_error"),
    ])


def test_field_and_cross_reference_problems_reported_together():
    d = base()
    d["projects"][0]["parcels"][0]["area_ha"] = float("nan")
    d["projects"][2]["city_code"] = "520300"
    rules = {p.rule for p in problems(d)}
    assert rules == {"finite_number", "unknown_city"}


def test_unknown_field_is_rejected():
    d = base()
    d["cities"][0]["setlers_per_year"] = 5
    only(d, ["cities", 0, "setlers_per_year"], "extra_forbidden")


def test_message_names_the_path():
    d = base()
    d["projects"][2]["city_code"] = "520300"
    with pytest.raises(ScenarioInvalid) as e:
        load_scenario(d)
    assert "projects.2.city_code" in str(e.value)


# ---- nothing raises anything but ScenarioInvalid ---------------------------------------------

def _mutations():
    def setp(*path_value):
        *path, value = path_value

        def f(d):
            t = d
            for k in path[:-1]:
                t = t[k]
            t[path[-1]] = value
        return f

    return {
        "None": lambda d: None,
        "list": lambda d: [],
        "string": lambda d: "scenario",
        "number": lambda d: 3,
        "empty dict": lambda d: {},
        "provinces not a list": setp("provinces", "x"),
        "province None": setp("provinces", 0, None),
        "no cities": setp("cities", []),
        "parcels empty": setp("projects", 0, "parcels", []),
        "parcel land type": setp("projects", 0, "parcels", 0, "land_type", "forest"),
        "area is a string": setp("projects", 0, "parcels", 0, "area_ha", "ten"),
        "population 0": setp("cities", 0, "resident_population", 0),
        "population fractional": setp("cities", 0, "resident_population", 1.5),
        "population shrinks to 0": setp("cities", 0, "resident_population_growth_per_year", -1_000_000),
        "years 0": setp("years", 0),
        "years nan": setp("years", float("nan")),
        "years 11": setp("years", 11),
        "tiers not ascending": setp("policy", "linkage_tiers",
                                    [{"upper_per_capita_m2": 120, "new_land_per_settler_m2": 88},
                                     {"upper_per_capita_m2": 100, "new_land_per_settler_m2": 100},
                                     {"upper_per_capita_m2": None, "new_land_per_settler_m2": 50}]),
        "entrusted code unknown": setp("policy", "entrusted_province_codes", ["999999"]),
        "buyer price code unknown": setp("policy", "land_quota_buyer_price_cny_10k_per_mu", {"999999": 1.0}),
        "share > 1": setp("cities", 0, "settlers_central_district_share", 1.5),
        "policy unknown field": setp("policy", "per_capita_cap", 90),
        "project id empty": setp("projects", 0, "id", ""),
        "city code with spaces": setp("cities", 0, "code", "51 0100"),
        "committed not bool": setp("projects", 0, "committed", "maybe"),
    }


@pytest.mark.parametrize("name", list(_mutations()))
def test_only_scenario_invalid_is_raised(name):
    d = base()
    out = _mutations()[name](d)
    data = d if out is None and name != "None" else out
    with pytest.raises(ScenarioInvalid) as e:
        load_scenario(copy.deepcopy(data))
    for p in e.value.problems:
        assert isinstance(p.loc, list) and p.rule and p.message
