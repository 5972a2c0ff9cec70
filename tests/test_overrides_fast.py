"""Overrides on a validated Scenario: only what they touch is validated again, the rest is shared.

Every result (and every error) is compared with the way overrides were applied before: dump the
whole base, edit the dump, validate it all again (:func:`full_path` below), which is still what
``apply_overrides`` does with a dict base.
"""

from __future__ import annotations

import pytest

from landquota.datasets import load_dataset
from landquota.models.overrides import apply_overrides
from landquota.models.scenario import Scenario, ScenarioInvalid

SECTIONS = ["provinces", "cities", "projects", "funding_sources"]


def full_path(base: Scenario, overrides: dict) -> Scenario:
    """The reference: the whole scenario as data, edited, validated in full (a dict base)."""
    return apply_overrides(base.model_dump(mode="json"), overrides)


def outcome(base: Scenario, overrides: dict, apply) -> tuple:
    try:
        return "ok", apply(base, overrides).model_dump()
    except ScenarioInvalid as e:
        return "invalid", [(p.loc, p.rule, p.message) for p in e.problems]


def china() -> Scenario:
    return load_dataset("china-2020")


def demo() -> Scenario:
    return load_dataset("demo")


def _pools(s: Scenario) -> dict:
    return {f"provinces[{p.code}].new_land_pool_ha_per_year": p.new_land_pool_ha_per_year * 1.1 for p in s.provinces}


def _committed_beyond_pool(s: Scenario) -> dict:
    """Commit a project of a province that cannot buy quota, and empty that province's pool."""
    sellers = {p.code for p in s.provinces if p.land_quota_buyer}
    pr = next(pr for pr in s.projects if s.city(pr.city_code).province_code not in sellers)
    return {f"projects[{pr.id}].committed": True, "policy.quota_allocation": "provincial_pools",
            f"provinces[{s.city(pr.city_code).province_code}].new_land_pool_ha_per_year": 0}


VALID = {
    "31 pools": _pools,
    "one pool": lambda s: {f"provinces[{s.provinces[2].code}].new_land_pool_ha_per_year": 123.5},
    "all entrusted": lambda s: {"provinces[*].approval_entrusted": True},
    "one city": lambda s: {f"cities[{s.cities[1].code}].settlers_per_year": 20_000},
    "all cities": lambda s: {"cities[*].settlers_per_year": 1_000},
    "project": lambda s: {f"projects[{s.projects[3].id}].value_cny_100m": 7.5,
                          f"projects[{s.projects[3].id}].county_seat": True},  # two edits, one item
    "parcel": lambda s: {f"projects[{s.projects[0].id}].parcels[0].area_ha": 1.25},
    "funding": lambda s: {"funding_sources[cdb_loan].limit_total_cny_100m_per_year": 500},
    "policy scalar": lambda s: {"policy.per_capita_cap_m2": 95},
    "policy tier": lambda s: {"policy.linkage_tiers[0].new_land_per_settler_m2": 90},
    "policy dict key": lambda s: {"policy.land_quota_buyer_price_cny_10k_per_mu.510000": 55},
    "policy list": lambda s: {"policy.entrusted_province_codes": ["510000", "440000"]},
    "years": lambda s: {"years": 3},
    "name": lambda s: {"name": "variant", "description": "what if"},
    "sources": lambda s: {"sources.extra": "a note"},
    "whole list": lambda s: {"funding_sources": [f.model_dump(mode="json") for f in s.funding_sources[:3]]},
    "mixed": lambda s: {**_pools(s), "cities[*].settlers_per_year": 500, "policy.tilt_min_share": 0.5,
                        f"projects[{s.projects[-1].id}].committed": True, "years": 2,
                        f"provinces[{s.provinces[0].code}].approval_entrusted": False},
    "nothing": lambda s: {},
}


@pytest.mark.parametrize("make", VALID.values(), ids=VALID.keys())
@pytest.mark.parametrize("dataset", [china, demo], ids=["china-2020", "demo"])
def test_same_result_as_full_validation(dataset, make):
    base = dataset()
    overrides = make(base)
    fast = outcome(base, overrides, apply_overrides)
    assert fast == outcome(base, overrides, full_path)
    assert fast[0] == "ok"


def _bad(s: Scenario) -> dict[str, dict]:
    p, c, pr = s.provinces[1], s.cities[2], s.projects[1]
    return {
        "negative pool": {f"provinces[{p.code}].new_land_pool_ha_per_year": -1},
        "share above 1": {f"cities[{c.code}].settlers_central_district_share": 1.5},
        "nan": {"policy.per_capita_cap_m2": float("nan")},
        "unknown id": {"provinces[999999].name": "x", "projects[NOPE].committed": True},
        "bad field": {f"provinces[{p.code}].nope": 1, "policy.nope": 2, "yeers": 3},
        "selects items": {f"provinces[{p.code}]": 1},
        "below a scalar": {f"cities[{c.code}].name.x": 1},
        "unset dict": {"funding_sources[enterprise_bond].limit_per_province_cny_100m.510000": 1},
        "committed beyond pool": _committed_beyond_pool(s),
        "linkage flex": {f"provinces[{p.code}].linkage_adjustment": 0.2},
        "unknown city": {f"projects[{pr.id}].city_code": "999999"},
        "field and cross errors": {f"projects[{pr.id}].value_cny_100m": -1,
                                   f"projects[{s.projects[2].id}].city_code": "999999",
                                   f"provinces[{p.code}].linkage_adjustment": -0.3},
        "province field error hides cross errors": {f"provinces[{p.code}].name": "",
                                                    f"projects[{pr.id}].city_code": "999999"},
        "tiers not ascending": {"policy.linkage_tiers[0].upper_per_capita_m2": 500},
        "bad funding row": {"funding_sources[cdb_loan].rate_pct": 80,
                            "funding_sources[central_budget].eligible_provinces": ["999999"]},
        "years": {"years": 0},
        "duplicate id": {f"cities[{c.code}].code": s.cities[0].code},
        "renamed, then selected by the new id": {f"cities[{c.code}].code": s.cities[0].code,
                                                 f"cities[{s.cities[0].code}].name": "x"},
    }


BAD = list(_bad(load_dataset("demo")))


@pytest.mark.parametrize("case", BAD)
@pytest.mark.parametrize("dataset", [china, demo], ids=["china-2020", "demo"])
def test_same_problems_as_full_validation(dataset, case):
    base = dataset()
    overrides = _bad(base)[case]
    fast = outcome(base, overrides, apply_overrides)
    assert fast[0] == "invalid"
    assert fast == outcome(base, overrides, full_path)


def test_field_error_carries_the_position_in_the_whole_list():
    s = china()
    i = 3
    with pytest.raises(ScenarioInvalid) as e:
        apply_overrides(s, {f"provinces[{s.provinces[i].code}].new_land_pool_ha_per_year": -1})
    assert [(p.loc, p.rule) for p in e.value.problems] == [
        (["provinces", i, "new_land_pool_ha_per_year"], "greater_than_equal")]
    assert e.value.problems[0].message.startswith("after overrides: ")


# ---- what the overrides leave alone is shared -----------------------------------------------

def test_untouched_items_and_sections_are_the_base_objects():
    s = china()
    i = 5
    v = apply_overrides(s, {f"provinces[{s.provinces[i].code}].new_land_pool_ha_per_year": 1.0})
    assert v.provinces is not s.provinces and v.provinces[i] is not s.provinces[i]
    assert v.provinces[i].new_land_pool_ha_per_year == 1.0
    assert all(a is b for j, (a, b) in enumerate(zip(v.provinces, s.provinces)) if j != i)
    for f in ["cities", "projects", "funding_sources", "policy", "sources"]:
        assert getattr(v, f) is getattr(s, f), f


def test_policy_override_shares_every_list():
    s = china()
    v = apply_overrides(s, {"policy.per_capita_cap_m2": 95})
    assert v.policy is not s.policy and v.policy.per_capita_cap_m2 == 95
    assert all(getattr(v, f) is getattr(s, f) for f in SECTIONS)


def test_star_touches_the_whole_section_only():
    s = china()
    v = apply_overrides(s, {"cities[*].settlers_per_year": 7})
    assert not any(a is b for a, b in zip(v.cities, s.cities))
    assert v.provinces is s.provinces and v.projects is s.projects and v.policy is s.policy


def test_years_override_shares_every_section():
    s = china()
    v = apply_overrides(s, {"years": 2})
    assert v.years == 2
    assert all(getattr(v, f) is getattr(s, f) for f in [*SECTIONS, "policy"])


def test_base_is_left_alone():
    s = china()
    before = s.model_dump()
    overrides = {**VALID["mixed"](s), "sources.extra": "x", "policy.linkage_tiers[0].new_land_per_settler_m2": 1}
    apply_overrides(s, overrides)
    with pytest.raises(ScenarioInvalid):
        apply_overrides(s, {**overrides, "provinces[110000].new_land_pool_ha_per_year": -5})
    assert s.model_dump() == before


def test_variant_lookups_see_the_variant():
    s = china()
    code = s.provinces[4].code
    s.province(code), s.city(s.cities[0].code)  # the base's indexes are built
    v = apply_overrides(s, {f"provinces[{code}].new_land_pool_ha_per_year": 1.0,
                            f"cities[{s.cities[0].code}].settlers_per_year": 3})
    assert v.province(code) is v.provinces[4] and v.province(code).new_land_pool_ha_per_year == 1.0
    assert v.city(s.cities[0].code).settlers_per_year == 3
    assert s.province(code) is s.provinces[4]


# ---- Scenario._index follows the list it indexes ---------------------------------------------

def test_index_is_not_stale_after_model_copy():
    s = china()
    code = s.provinces[0].code
    old = s.province(code)  # cached in s.__dict__, which model_copy copies
    new_p = old.model_copy(update={"new_land_pool_ha_per_year": 1.0})
    c = s.model_copy(update={"provinces": [new_p, *s.provinces[1:]]})
    assert c.province(code) is new_p
    assert s.province(code) is old  # the base keeps its own index
    assert c.province(code) is new_p  # and neither overwrote the other's
    deep = s.model_copy(update={"provinces": [new_p, *s.provinces[1:]]}, deep=True)
    assert deep.province(code) is new_p
    city = s.cities[0]
    s.city(city.code)
    c2 = s.model_copy(update={"cities": [city.model_copy(update={"settlers_per_year": 1}), *s.cities[1:]]})
    assert c2.city(city.code) is c2.cities[0] and c2.city(city.code).settlers_per_year == 1


def test_index_of_a_constructed_scenario():
    s = china()
    s.province(s.provinces[0].code)
    provinces = [p.model_copy() for p in s.provinces]
    c = Scenario.model_construct(**{f: getattr(s, f) for f in Scenario.model_fields} | {"provinces": provinces})
    assert c.province(s.provinces[0].code) is provinces[0]
