"""The scenario generator (issue 7): valid, feasible, deterministic scenarios of the requested size.

Fast checks only; the scale benchmark is ``bench/overhead.py`` (not a test).
"""

import json

import pytest

from landquota.models.generate import MAX_UNITS_PER_PROVINCE, generate, unit_code
from landquota.models.regions import PROVINCES
from landquota.models.scenario import load_scenario
from landquota.service.cli import main
from landquota.solvers.highs import SolveOptions, solve_scenario

N, M, Y = 30, 210, 5


@pytest.fixture(scope="module")
def data():
    return generate(N, M, Y, seed=7)


@pytest.fixture(scope="module")
def result(data):
    return solve_scenario(load_scenario(data), SolveOptions(explain=False))


def test_valid_and_of_the_requested_size(data):
    s = load_scenario(data)
    assert (len(s.cities), len(s.projects), s.years) == (N, M, Y)
    assert len(s.provinces) == N  # fewer units than provinces: the N most populous provinces, one unit each


def test_units_spread_over_all_31_provinces_with_gb_t_2260_shaped_codes():
    s = load_scenario(generate(100, 50, 2, seed=1))
    assert {p.code for p in s.provinces} == set(PROVINCES)
    codes = [c.code for c in s.cities]
    assert len(set(codes)) == len(codes) == 100
    for c in s.cities:
        assert len(c.code) == 6 and c.code.isdigit() and c.code[:2] == c.province_code[:2]
        assert c.code != c.province_code
    # every province has its capital unit PP0100, the biggest units go to the most urban provinces
    assert {c.code for c in s.cities if c.tier in ("provincial_capital", "municipality")} == {
        p[:2] + "0100" for p in PROVINCES}
    per_province = {p.code: sum(c.province_code == p.code for c in s.cities) for p in s.provinces}
    assert per_province["440000"] > per_province["540000"] >= 1


def test_unit_codes_are_unique_up_to_the_limit():
    codes = [unit_code("510000", i) for i in range(MAX_UNITS_PER_PROVINCE)]
    assert len(set(codes)) == MAX_UNITS_PER_PROVINCE and codes[0] == "510100"
    with pytest.raises(ValueError):
        unit_code("510000", MAX_UNITS_PER_PROVINCE)


def test_deterministic_for_a_seed(data):
    again = generate(N, M, Y, seed=7)
    assert json.dumps(again, sort_keys=True) == json.dumps(data, sort_keys=True)
    assert json.dumps(generate(N, M, Y, seed=8), sort_keys=True) != json.dumps(data, sort_keys=True)


def test_finance_data_included(data):
    s = load_scenario(data)
    assert all(p.investment_cny_100m > 0 for p in s.projects)
    assert all(p.fiscal_capacity_cny_100m and p.debt_balance_cny_100m for p in s.provinces)
    assert any(c.fiscal_capacity_cny_100m for c in s.cities)
    lines = {f.id: f.limit_per_province_cny_100m for f in s.funding_sources}
    assert set(lines["cdb_loan"]) == {p.code for p in s.provinces}
    assert {f.id: f.limit_total_cny_100m_per_year for f in s.funding_sources}["central_budget"] > 0


def test_feasible_under_the_default_policy_with_committed_projects_built(data, result):
    assert result.status == "optimal"
    committed = [p["id"] for p in data["projects"] if p["committed"]]
    assert committed, "the generator should commit some projects"
    share = {p.id: p.selected_share for p in result.projects}
    assert all(share[j] == pytest.approx(1.0, abs=1e-6) for j in committed)
    # the plan has to choose: not every candidate fits
    assert any(p.selected_share < 1 - 1e-6 for p in result.projects)
    assert result.financing, "selected projects are funded"


def test_national_magnitudes_do_not_depend_on_granularity():
    small, big = generate(31, 0, 1, seed=2), generate(300, 0, 1, seed=2)
    for key in ("resident_population", "urban_construction_land_ha", "settlers_per_year"):
        a = sum(c[key] for c in small["cities"])
        b = sum(c[key] for c in big["cities"])
        assert a == pytest.approx(b, rel=0.02), key
    pools = [sum(p["new_land_pool_ha_per_year"] for p in d["provinces"]) for d in (small, big)]
    assert pools[0] == pytest.approx(pools[1], rel=0.02)
    assert 400_000 <= pools[0] <= 420_000  # 600万亩 national plan × 102%


def test_cli_generate_writes_a_valid_file(tmp_path, capsys):
    out = tmp_path / "g.json"
    assert main(["generate", "--cities", "35", "--projects", "70", "--years", "2", "--seed", "4",
                 "--out", str(out)]) == 0
    s = load_scenario(json.loads(out.read_text(encoding="utf-8")))
    assert (len(s.cities), len(s.projects), s.years) == (35, 70, 2)
    assert "35 cities" in capsys.readouterr().out


def test_provinces_come_from_the_one_province_table():
    """`landquota generate` and the china-2020 builder read the same table (datasets/provinces.csv)."""
    from landquota.models.regions import PROVINCE_FULL_NAMES, province_table

    d = generate(31, 0, 1, seed=3)
    rows = {r["code"]: r for r in province_table()}
    for p in d["provinces"]:
        r = rows[p["code"]]
        assert p["name"] == r["name"] and p["full_name"] == PROVINCE_FULL_NAMES[p["code"]]
        assert p["census_population"] == int(r["census_population_2020"])
        assert p["urbanisation_rate_pct"] == float(r["urbanisation_rate_pct_2020"])
    assert {c["name"][:2] for c in d["cities"]} >= {"云南", "广东"}  # simplified names in unit names too
