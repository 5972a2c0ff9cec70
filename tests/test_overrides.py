"""Named overrides (``path = value``) and warm re-solves of variants."""

from __future__ import annotations

import pytest

from landquota.datasets import dataset_dict, load_dataset
from landquota.models.overrides import apply_overrides, parse_assignment, parse_value
from landquota.models.scenario import Scenario, ScenarioInvalid
from landquota.solvers.highs import ScenarioSolver, solve_scenario
from tests.helpers import city, project, province, scenario


def tiny() -> dict:
    return scenario(
        [province("510000", pool=100.0), province("520000", pool=50.0)],
        [city("510100"), city("510000-REST", "510000"), city("520100")],
        [project("A", "510100", 4.0, {"other": 20.0}), project("B", "520100", 2.0, {"other": 30.0})],
    )


def bad_override(base, overrides) -> list:
    with pytest.raises(ScenarioInvalid) as e:
        apply_overrides(base, overrides)
    return e.value.problems


# ---- paths --------------------------------------------------------------------------------

def test_dotted_policy_path():
    s = apply_overrides(tiny(), {"policy.per_capita_cap_m2": 90})
    assert s.policy.per_capita_cap_m2 == 90.0


def test_top_level_field():
    assert apply_overrides(tiny(), {"years": 3}).years == 3


@pytest.mark.parametrize("as_scenario", [False, True], ids=["dict base", "Scenario base"])
def test_id_selector(as_scenario):
    base = tiny()
    if as_scenario:
        base = Scenario.model_validate(base)
    s = apply_overrides(base, {"provinces[520000].new_land_pool_ha_per_year": 37.5,
                               "cities[510000-REST].settlers_per_year": 1234,
                               "projects[B].committed": True})
    assert s.province("520000").new_land_pool_ha_per_year == 37.5
    assert s.province("510000").new_land_pool_ha_per_year == 100.0
    assert s.city("510000-REST").settlers_per_year == 1234
    assert s.city("510100").settlers_per_year == 0
    assert [p.committed for p in s.projects] == [False, True]


def test_star_selector():
    s = apply_overrides(tiny(), {"provinces[*].approval_entrusted": True, "cities[*].settlers_per_year": 10})
    assert all(p.approval_entrusted for p in s.provinces)
    assert [c.settlers_per_year for c in s.cities] == [10, 10, 10]


def test_nested_selectors():
    s = apply_overrides(tiny(), {"projects[A].parcels[*].area_ha": 12.5})
    assert s.projects[0].area_ha == 12.5 and s.projects[1].area_ha == 30.0


def test_optional_field_absent_from_the_dict_is_known():
    d = tiny()
    assert "approval_capacity_ha_per_year" not in d["provinces"][0]
    s = apply_overrides(d, {"provinces[510000].approval_capacity_ha_per_year": 40})
    assert s.province("510000").approval_capacity_ha_per_year == 40.0


def test_base_is_not_modified():
    d = tiny()
    apply_overrides(d, {"provinces[510000].new_land_pool_ha_per_year": 1})
    assert d["provinces"][0]["new_land_pool_ha_per_year"] == 100.0
    s = load_dataset("demo")
    pool = s.province("510000").new_land_pool_ha_per_year
    apply_overrides(s, {"provinces[510000].new_land_pool_ha_per_year": pool + 1})
    assert load_dataset("demo").province("510000").new_land_pool_ha_per_year == pool


@pytest.mark.parametrize("text, path, value", [
    ("policy.per_capita_cap_m2=90", "policy.per_capita_cap_m2", 90),
    ("projects[SC-01].committed = true", "projects[SC-01].committed", True),
    ("policy.national_new_land_total_ha=null", "policy.national_new_land_total_ha", None),
    ("cities[510100].name=成都市", "cities[510100].name", "成都市"),
    ("policy.entrusted_province_codes=[\"510000\"]", "policy.entrusted_province_codes", ["510000"]),
    ("description=a=b", "description", "a=b"),
])
def test_parse_assignment(text, path, value):
    assert parse_assignment(text) == (path, value)


def test_parse_value_falls_back_to_string():
    assert parse_value("abc") == "abc" and parse_value("1.5") == 1.5 and parse_value("false") is False


def test_assignment_without_equals_is_an_error():
    with pytest.raises(ValueError):
        parse_assignment("policy.per_capita_cap_m2")


# ---- unknown paths are rejected clearly ------------------------------------------------------

@pytest.mark.parametrize("path", [
    "policy.per_capita_cap",              # typo in a field
    "yeers",                              # typo at the top
    "provinces[999999].name",             # no such id
    "cities[510100].approval_capacity_ha_per_year",  # a province field on a city
    "provinces[510000]",                  # selects items, names no field
    "provinces.code",                     # a list used as an object
    "provinces[510000].name.x",           # below a scalar
    "a..b",                               # empty segment
])
def test_unknown_paths_rejected(path):
    ps = bad_override(tiny(), {path: 1})
    assert len(ps) == 1
    assert ps[0].loc == ["overrides", path] and ps[0].rule == "bad_override" and ps[0].message


def test_every_bad_path_reported():
    ps = bad_override(tiny(), {"policy.nope": 1, "provinces[510000].new_land_pool_ha_per_year": 5, "yeers": 2})
    assert sorted(p.loc[1] for p in ps) == ["policy.nope", "yeers"]


def test_selector_on_a_list_of_scalars_is_a_clear_problem():
    """Regression: selecting by id in a list of strings once raised AttributeError."""
    ps = bad_override(load_dataset("demo"), {"policy.entrusted_province_codes[110000].x": 1})
    assert [(p.loc, p.rule) for p in ps] == [(["overrides", "policy.entrusted_province_codes[110000].x"],
                                              "bad_override")]


def test_positional_selector_for_lists_without_ids():
    s = apply_overrides(load_dataset("demo"), {"policy.linkage_tiers[1].new_land_per_settler_m2": 85})
    assert [t.new_land_per_settler_m2 for t in s.policy.linkage_tiers] == [100.0, 85.0, 80.0, 50.0]
    ps = bad_override(load_dataset("demo"), {"policy.linkage_tiers[4].new_land_per_settler_m2": 85})
    assert ps[0].rule == "bad_override"


def test_list_default_field_selectable_on_dict_base():
    d = dataset_dict("demo")
    s = apply_overrides(d, {"policy.linkage_tiers[*].new_land_per_settler_m2": 70})
    assert {t.new_land_per_settler_m2 for t in s.policy.linkage_tiers} == {70.0}


# ---- overrides are re-validated ------------------------------------------------------------

def test_override_result_is_validated_field_rules():
    ps = bad_override(tiny(), {"provinces[520000].new_land_pool_ha_per_year": -1})
    assert [(p.loc, p.rule) for p in ps] == [(["provinces", 1, "new_land_pool_ha_per_year"], "greater_than_equal")]
    assert "after overrides" in ps[0].message


def test_override_result_is_validated_cross_references():
    ps = bad_override(tiny(), {"projects[B].city_code": "530100", "provinces[510000].linkage_adjustment": 0.2})
    assert sorted((tuple(p.loc), p.rule) for p in ps) == sorted([
        (("projects", 1, "city_code"), "unknown_city"),
        (("provinces", 0, "linkage_adjustment"), "linkage_flex"),
    ])


def test_override_nan_rejected():
    ps = bad_override(tiny(), {"policy.per_capita_cap_m2": float("nan")})
    assert ps[0].loc == ["policy", "per_capita_cap_m2"] and ps[0].rule == "finite_number"


def test_override_committed_beyond_pool_rejected():
    ps = bad_override(tiny(), {"projects[A].committed": True, "provinces[510000].new_land_pool_ha_per_year": 10})
    assert [(p.loc, p.rule) for p in ps] == [(["provinces", 0, "new_land_pool_ha_per_year"], "committed_exceeds_pool")]


def test_override_can_repair_an_invalid_base():
    d = scenario([province("510000", pool=10.0)], [city("510100")],
                 [project("P", "510100", 4.0, {"other": 20.0}, committed=True)])
    s = apply_overrides(d, {"provinces[510000].new_land_pool_ha_per_year": 30})
    assert s.province("510000").new_land_pool_ha_per_year == 30.0


# ---- warm re-solve = cold solve -------------------------------------------------------------

NUMBERS_ONLY = [
    {"provinces[510000].new_land_pool_ha_per_year": 200},
    {"policy.tilt_min_share": 0.9},
    {"policy.per_capita_cap_m2": 95},
    {"cities[520000-REST].settlers_per_year": 10_000},
    {"policy.land_quota_seller_price_cny_10k_per_mu": 10},
    {"policy.arable_occupation_cost_cny_10k_per_mu": 100},
    {"provinces[440000].linkage_adjustment": 0.1},
    {"policy.zero_land_for_central_districts": False},
    {"policy.national_new_land_total_ha": 500},
    {"policy.shortfall_penalty_cny_10k_per_ha": 1.0, "cities[520000-REST].settlers_per_year": 10_000},
    {"provinces[520000].surplus_land_quota_ha_per_year": 10, "provinces[440000].supplementary_arable_reserve_ha": 0},
]


@pytest.mark.parametrize("overrides", NUMBERS_ONLY, ids=lambda o: ",".join(o))
def test_resolve_numbers_only_equals_cold_solve(overrides):
    base = load_dataset("demo")
    variant = apply_overrides(base, overrides)
    solver = ScenarioSolver(base)
    first = solver.solve()
    built = solver.model
    warm = solver.resolve(variant)
    assert solver.model is built, "a numbers-only variant must not rebuild"
    cold = solve_scenario(variant)
    assert warm.status == cold.status == first.status == "optimal"
    assert warm.objective_cny_100m == pytest.approx(cold.objective_cny_100m, rel=1e-9, abs=1e-9)
    # and back again
    again = solver.resolve(base)
    assert again.objective_cny_100m == pytest.approx(first.objective_cny_100m, rel=1e-9, abs=1e-9)


def test_resolve_structural_variant_rebuilds():
    base = load_dataset("demo")
    d = base.model_dump(mode="json")
    d["projects"].append(project("NEW-01", "510700", 50.0, {"other": 10.0}))
    variant = apply_overrides(d, {})
    solver = ScenarioSolver(base)
    solver.solve()
    built = solver.model
    warm = solver.resolve(variant)
    assert solver.model is not built
    cold = solve_scenario(variant)
    assert warm.objective_cny_100m == pytest.approx(cold.objective_cny_100m, rel=1e-9)
    assert "NEW-01" in {p.id for p in warm.projects}


@pytest.mark.parametrize("overrides", [
    {"years": 2},
    {"policy.state_council_capacity_ha_per_year": 100},
    {"policy.combined_area_rule": True},       # GZ-02 moves to the State Council
    {"projects[GZ-03].value_cny_100m": 3},     # an objective coefficient
    {"provinces[510000].approval_entrusted": True},
])
def test_resolve_other_variants_match_cold_solve(overrides):
    base = load_dataset("demo")
    variant = apply_overrides(base, overrides)
    solver = ScenarioSolver(base)
    solver.solve()
    warm = solver.resolve(variant)
    cold = solve_scenario(variant)
    assert warm.status == cold.status
    assert warm.objective_cny_100m == pytest.approx(cold.objective_cny_100m, rel=1e-9, abs=1e-9)


# ---- scaling ("*f") -------------------------------------------------------------------------

@pytest.mark.parametrize("as_scenario", [False, True])
def test_scale_every_selected_number(as_scenario):
    base = load_dataset("demo") if as_scenario else dataset_dict("demo")
    s = apply_overrides(base, {"provinces[*].new_land_pool_ha_per_year": "*0.9",
                               "cities[510100].settlers_per_year": "×1.5",
                               "policy.per_capita_cap_m2": "* 1.1"})
    demo = load_dataset("demo")
    assert [p.new_land_pool_ha_per_year for p in s.provinces] == pytest.approx(
        [p.new_land_pool_ha_per_year * 0.9 for p in demo.provinces], rel=1e-12)
    before = next(c for c in demo.cities if c.code == "510100").settlers_per_year
    after = next(c for c in s.cities if c.code == "510100").settlers_per_year
    assert after == round(before * 1.5) and isinstance(after, int)  # whole numbers stay whole
    assert s.policy.per_capita_cap_m2 == pytest.approx(demo.policy.per_capita_cap_m2 * 1.1, rel=1e-12)


def test_scale_a_table_of_numbers():
    """'CDB credit cut by 20%' in one line: every province's credit line × 0.8."""
    demo = load_dataset("demo")
    s = apply_overrides(demo, {"funding_sources[cdb_loan].limit_per_province_cny_100m": "*0.8"})
    lines = lambda x: next(f for f in x.funding_sources if f.id == "cdb_loan").limit_per_province_cny_100m  # noqa: E731
    assert lines(s) == pytest.approx({k: v * 0.8 for k, v in lines(demo).items()}, rel=1e-12)
    assert lines(s).keys() == lines(demo).keys()


def test_what_cannot_be_scaled_is_a_clear_problem():
    demo = load_dataset("demo")
    probs = bad_override(demo, {"provinces[510000].approval_capacity_ha_per_year": "*0.5",  # unset
                                "provinces[510000].land_quota_buyer": "*2"})                # a flag
    assert [(p.loc, p.rule) for p in probs] == [
        (["overrides", "provinces[510000].approval_capacity_ha_per_year"], "bad_override"),
        (["overrides", "provinces[510000].land_quota_buyer"], "bad_override")]
    assert "only a number" in probs[0].message
    # a text field takes the text as it is
    assert apply_overrides(demo, {"description": "*0.5"}).description == "*0.5"


def test_a_scale_sweep_solves_warm_and_matches_explicit_values():
    from landquota.service.batches.run import run_batch
    from landquota.service.batches.report import swept_parameter
    from landquota.service.batches.spec import BatchSpec

    spec = BatchSpec.model_validate({"base": {"dataset": "demo"}, "include_base": False,
                                     "grid": {"parameters": {"provinces[*].new_land_pool_ha_per_year": ["*0.8", "*1.2"]}}})
    rows = run_batch(spec, workers=1)
    assert [r["warm"] for r in rows] == [True, True]
    demo = load_dataset("demo")
    for f, row in zip((0.8, 1.2), rows):
        explicit = {f"provinces[{p.code}].new_land_pool_ha_per_year": p.new_land_pool_ha_per_year * f for p in demo.provinces}
        assert row["objective_cny_100m"] == pytest.approx(solve_scenario(apply_overrides(demo, explicit)).objective_cny_100m,
                                                          rel=1e-9)
    label, xs = swept_parameter(spec)
    assert label.endswith("(× factor)") and sorted(xs.values()) == [0.8, 1.2]
