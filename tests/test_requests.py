"""``service.requests.resolve_request``: one place turns a request into (Scenario, SolveOptions), with
every refusal's ``loc`` relative to the request. Fast: no server, no solve."""

from __future__ import annotations

import math

import pytest

from landquota.datasets import dataset_dict, load_dataset
from landquota.models.overrides import apply_overrides
from landquota.models.scenario import ScenarioInvalid
from landquota.service.requests import Limits, resolve_request
from landquota.solvers.highs import SolveOptions


def refused(*args, **kw) -> list[tuple[tuple, str]]:
    with pytest.raises(ScenarioInvalid) as e:
        resolve_request(*args, **kw)
    return [(tuple(p.loc), p.rule) for p in e.value.problems]


def test_a_dataset_with_overrides_is_what_apply_overrides_makes():
    ov = {"policy.per_capita_cap_m2": 95, "provinces[*].new_land_pool_ha_per_year": "*0.9"}
    s, opts = resolve_request("demo", ov, {"whole_projects": True})
    assert s.model_dump() == apply_overrides(load_dataset("demo"), ov).model_dump()
    assert opts == SolveOptions(whole_projects=True)
    assert resolve_request("demo")[0] is load_dataset("demo")  # a bundled dataset as loaded (validated once)


def test_options_and_the_time_limit():
    limits = Limits(max_time_limit_s=100.0, default_time_limit_s=60.0)
    assert resolve_request("demo", None, None, limits)[1].time_limit_s == 60.0
    assert resolve_request("demo", None, None, Limits(max_time_limit_s=5.0, default_time_limit_s=60.0))[1] \
        .time_limit_s == 5.0  # a default above the limit is lowered, not refused
    assert resolve_request("demo", None, {"time_limit_s": 100.0}, limits)[1].time_limit_s == 100.0
    assert refused("demo", None, {"time_limit_s": 100.5}, limits) == [(("options", "time_limit_s"), "less_than_equal")]
    assert resolve_request("demo")[1].time_limit_s == SolveOptions.time_limit_s  # no limits: SolveOptions' default


def test_refusals_name_where_in_the_request():
    d = dataset_dict("demo")
    d["cities"][0]["province_code"] = "110000"
    assert (("scenario", "cities", 0, "province_code"), "unknown_province") in refused(d)
    assert refused("demo", {"policy.nope": 1}) == [(("overrides", "policy.nope"), "bad_override")]
    assert refused("demo", {"provinces[510000].new_land_pool_ha_per_year": -1})[0][0][0] == "overrides"
    assert refused("demo", None, None, Limits(max_cities=3)) == [(("dataset", "cities"), "too_many_cities")]
    assert refused(dataset_dict("demo"), None, None, Limits(max_projects=2)) == [(("scenario", "projects"),
                                                                                   "too_many_projects")]
    assert refused("demo", {"years": 3}, None, Limits(max_years=2)) == [(("overrides", "years"), "too_many_years")]
    with pytest.raises(KeyError):
        resolve_request("atlantis")


def test_control_characters_and_overflowing_sums():
    assert refused("demo", {"cities[510100].name": "成\t都"}) == [(("overrides", "cities", 0, "name"),
                                                                  "control_character")]
    assert refused("demo", {"name": "x\u0085y"}) == [(("overrides", "name"), "control_character")]
    resolve_request("demo", {"description": "two\nlines", "cities[510100].name": "成都 (天府)"})  # allowed
    d = dataset_dict("demo")
    d["projects"][0]["parcels"] = [{"land_type": "other", "area_ha": 1e308}, {"land_type": "other", "area_ha": 1e308}]
    assert refused(d) == [(("scenario", "projects", 0, "parcels"), "sum_overflow")]
    d = dataset_dict("demo")
    for p in d["provinces"]:
        p["new_land_pool_ha_per_year"] = 1e308
    assert refused(d) == [(("scenario", "provinces", "new_land_pool_ha_per_year"), "sum_overflow")]
    assert math.isfinite(sum(p.new_land_pool_ha_per_year for p in resolve_request("demo")[0].provinces))


def test_a_variant_of_a_checked_base_is_still_checked_where_it_changed():
    base, _ = resolve_request("china-2020")
    city = base.cities[0].code
    assert refused(base, {f"cities[{city}].name": "x\x1b[2J"}) == [(("overrides", "cities", 0, "name"),
                                                                    "control_character")]
    s, _ = resolve_request(base, {"policy.per_capita_cap_m2": 95})
    assert s.cities is base.cities  # shared, and not checked again
