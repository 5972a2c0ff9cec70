"""china-2020's cited figures against their source tables, and the rules issue 16 asked for.

The CSV tables under datasets/ hold every cited figure with its source; the JSON must carry those figures
(within 0.5%), the builder must regenerate the JSON byte for byte, and the estimates must follow the rules
the provenance file states (own census trend, item (2) settlers, GB 50137 floor, debt-line count).
"""

import csv
import json
from importlib import resources

import pytest

from landquota.datasets import build_china_2020 as builder
from landquota.datasets import dataset_dict
from landquota.models.regions import MUNICIPALITIES, PROVINCE_FULL_NAMES, PROVINCES, to_simplified

REL = 0.005  # every cited figure within 0.5% of its source


def table(name: str) -> list[dict]:
    text = resources.files("landquota.datasets").joinpath(name).read_text(encoding="utf-8")
    return list(csv.DictReader(text.splitlines()))


@pytest.fixture(scope="module")
def data():
    return dataset_dict("china-2020")


@pytest.fixture(scope="module")
def prov(data):
    return {p["code"]: p for p in data["provinces"]}


@pytest.fixture(scope="module")
def city(data):
    return {c["code"]: c for c in data["cities"]}


def test_the_builder_regenerates_the_json_byte_for_byte(tmp_path):
    bundled = resources.files("landquota.datasets").joinpath("china-2020.json").read_bytes()
    out = tmp_path / "china-2020.json"
    out.write_text(builder.render(builder.build()), encoding="utf-8")
    assert out.read_bytes() == bundled


def test_every_table_row_has_a_source():
    for name, cols in (("provinces.csv", ("census_2020_source", "census_2010_source", "revenue_source",
                                          "built_up_source")),
                       ("cities.csv", ("source",)), ("clusters.csv", ("source",)),
                       ("cluster_members.csv", ("source",))):
        for row in table(name):
            for col in cols:
                assert row[col].startswith("["), (name, row.get("code") or row.get("cluster"), col)


def test_province_figures_match_the_province_table(prov):
    rows = table("provinces.csv")
    assert [r["code"] for r in rows] == list(prov)
    for r in rows:
        p = prov[r["code"]]
        assert p["census_population"] == pytest.approx(int(r["census_population_2020"]), rel=REL)
        assert p["urbanisation_rate_pct"] == pytest.approx(float(r["urbanisation_rate_pct_2020"]), rel=REL)
        assert p["general_budget_revenue_cny_100m"] == pytest.approx(float(r["general_revenue_2020_cny_100m"]), rel=REL)
        if r["built_up_area_2022_km2"]:
            assert p["built_up_area_km2"] == pytest.approx(float(r["built_up_area_2022_km2"]), rel=REL)
        else:
            assert p["built_up_area_km2"] is None  # 北京: no row in the 2022 table, none invented
        assert p["fiscal_capacity_cny_100m"] > p["general_budget_revenue_cny_100m"]  # revenue is part of capacity
        assert p["name"] == r["name"] and p["full_name"] == r["full_name"]


def test_the_province_table_adds_up_to_the_census_totals():
    rows = table("provinces.csv")
    assert sum(int(r["census_population_2020"]) for r in rows) == 1_409_778_724  # 7th census, 31 provinces
    assert sum(int(r["census_population_2010"]) for r in rows) == 1_332_810_869  # 6th census, 31 provinces
    # the revenue corrections of issue 16 (final accounts, not the pdsen.cn list)
    rev = {r["code"]: float(r["general_revenue_2020_cny_100m"]) for r in rows}
    assert rev["130000"] == pytest.approx(3826.46) and rev["430000"] == pytest.approx(3008.66)
    assert rev["650000"] == pytest.approx(1477.21)


def test_city_census_figures_match_the_city_table(prov, city):
    rows = table("cities.csv")
    for r in rows:
        assert city[r["code"]]["census_population"] == pytest.approx(int(r["census_population_2020"]), rel=REL)
        assert city[r["code"]]["full_name"] == r["full_name"]
    # a province's units add up to its census population: the rest units are the residual
    for code, p in prov.items():
        units = [c for c in city.values() if c["province_code"] == code]
        assert sum(c["census_population"] for c in units) == pytest.approx(p["census_population"], abs=len(units))


def test_cluster_parts_come_from_the_member_table(city):
    members = table("cluster_members.csv")
    for pc in ("520000", "530000"):  # 黔中, 滇中: the members are tabled
        rows = [m for m in members if m["province_code"] == pc]
        assert {m["role"] for m in rows} == {"member"}
        want = sum(int(m["census_population_2020"]) * builder.county_share(m["county_share"]) for m in rows)
        assert city[f"{pc}-RESTC"]["census_population"] == pytest.approx(want, rel=REL)
        assert city[f"{pc}-RESTC"]["key_cluster"] and not city[f"{pc}-REST"]["key_cluster"]
    # 成渝 (四川) and 长江中游 (江西): the prefectures outside the cluster are tabled; the cluster part is the rest
    for pc, n in (("510000", 4), ("360000", 1)):
        out = [m for m in members if m["province_code"] == pc]
        assert {m["role"] for m in out} == {"outside"} and len(out) == n
        assert city[f"{pc}-REST"]["census_population"] == pytest.approx(
            sum(int(m["census_population_2020"]) for m in out), rel=REL)
        assert city[f"{pc}-RESTC"]["key_cluster"] and not city[f"{pc}-REST"]["key_cluster"]
        assert city[f"{pc}-RESTC"]["census_population"] > 3 * city[f"{pc}-REST"]["census_population"]
    # 赣州 has its own 2010 figure and urban rate: it grew (+0.70 %/yr) while the rest of 江西 outside 南昌 shrank
    gz = city["360000-REST"]
    assert gz["resident_population"] == pytest.approx(8_970_014 * 0.5531, rel=REL)
    assert gz["resident_population_growth_per_year"] / gz["resident_population"] > \
        city["360000-RESTC"]["resident_population_growth_per_year"] / city["360000-RESTC"]["resident_population"]


def test_names_are_gb_t_2260_in_simplified_characters(data):
    for p in data["provinces"]:
        assert p["name"] == PROVINCES[p["code"]] and p["full_name"] == PROVINCE_FULL_NAMES[p["code"]]
    for c in data["cities"]:
        assert to_simplified(c["name"]) == c["name"] and to_simplified(c["full_name"]) == c["full_name"], c["code"]


def test_rest_units_follow_their_own_provinces_trend(city):
    """Item (15): the north-east shrinks. Before, every rest unit grew at one national residual rate."""
    prov2010 = {r["code"]: int(r["census_population_2010"]) for r in table("provinces.csv")}
    prov2020 = {r["code"]: int(r["census_population_2020"]) for r in table("provinces.csv")}
    for pc in ("220000", "230000"):  # 吉林 黑龙江 lost a tenth of their people 2010–20
        assert prov2020[pc] < 0.9 * prov2010[pc]
        assert city[f"{pc}-REST"]["resident_population_growth_per_year"] < 0
    for pc in ("440000", "330000"):  # 广东 浙江 grew fast: so do their rest units
        assert city[f"{pc}-REST"]["resident_population_growth_per_year"] > 0.01 * city[f"{pc}-REST"]["resident_population"]


def test_beijing_and_shanghai_settle_by_their_points_schemes(city):
    """Item (2): the largest cities are exempt from easing; 北京 积分落户 ≈ 6,000 in 2020."""
    assert city["110100"]["settlers_per_year"] == builder.BJ_SETTLERS_PER_YEAR == 6000
    assert 5000 < city["310100"]["settlers_per_year"] < 10_000
    for code in ("440100", "440300"):  # 广州 深圳 stay far more open
        assert city[code]["settlers_per_year"] > 10 * city["310100"]["settlers_per_year"]
    assert sum(c["settlers_per_year"] for c in city.values()) == pytest.approx(100_000_000 / 6, rel=1e-5)


def test_key_clusters_include_the_missing_ones(city):
    clusters = {r["cluster"] for r in table("clusters.csv")}
    assert len(clusters) == 19 and {"山东半岛", "黔中", "滇中", "天山北坡"} <= clusters
    for code in ("370100", "370200", "520100", "530100", "650100"):  # 济南 青岛 贵阳 昆明 乌鲁木齐
        assert city[code]["key_cluster"], code
    assert city["370000-REST"]["key_cluster"]  # 山东半岛 covers the whole province
    assert not city["540100"]["key_cluster"]  # 拉萨: in no cluster


def test_no_centre_city_starts_below_gb_50137_without_a_source(city):
    cited = {"310100"}  # 上海: its own built-up area and city-district population are cited
    for c in city.values():
        pc = c["urban_construction_land_ha"] * 1e4 / c["resident_population"]
        if c["code"] not in cited:
            assert pc >= builder.GB50137_MIN_M2 - 0.2, (c["code"], pc)  # land is floored to 10 ha
    # no 150 m² bound: 西藏 keeps what its figures give, so it earns the > 150 m² settler tier
    xz = city["540000-REST"]
    assert xz["urban_construction_land_ha"] * 1e4 / xz["resident_population"] > 150


def test_nine_provinces_over_the_debt_line(data):
    """Local Government Bond Blue Book 2021: nine provinces over 100% in 2020 (贵州 内蒙古 named)."""
    over = {p["code"] for p in data["provinces"]
            if p["debt_balance_cny_100m"] / p["fiscal_capacity_cny_100m"] > 1.0}
    assert len(over) == 9 and {"520000", "150000"} <= over


def test_financing_volumes_are_2020_figures(data):
    cdb = next(f for f in data["funding_sources"] if f["id"] == "cdb_loan")
    assert sum(cdb["limit_per_province_cny_100m"].values()) == pytest.approx(2992.0 * 12 / 10, rel=REL)
    assert "2020" in cdb["source"] and "2024" not in cdb["source"]


def test_municipalities_have_one_unit_and_no_rest(city):
    for pc in MUNICIPALITIES:
        assert not any(c["province_code"] == pc and "REST" in c["code"] for c in city.values())


def test_provenance_names_the_tables():
    text = resources.files("landquota.datasets").joinpath("china-2020.provenance.md").read_text(encoding="utf-8")
    for name in ("provinces.csv", "cities.csv", "clusters.csv", "cluster_members.csv", "[E]", "[S]", "[M]"):
        assert name in text, name
    assert json.loads(resources.files("landquota.datasets").joinpath("china-2020.json").read_text(encoding="utf-8"))


def test_extra_fields_hook_adds_fields_last(monkeypatch):
    """Features add their fields through EXTRA_FIELDS (one function each), after everything is assembled."""
    def pools_twice(provinces, cities, work):
        for p in provinces:
            p["twice_pool_ha"] = 2 * work["prov"][p["code"]]["pool"]
        for c in cities:
            c["unit_kind"] = "rest" if "REST" in c["code"] else "centre"

    monkeypatch.setattr(builder, "EXTRA_FIELDS", [pools_twice])
    d = builder.build()
    assert all(p["twice_pool_ha"] == 2 * p["new_land_pool_ha_per_year"] for p in d["provinces"])
    assert {c["unit_kind"] for c in d["cities"]} == {"rest", "centre"}


def test_data_steps_run_last_inside_build(monkeypatch):
    """Whole-dataset steps (a feature's policy fields and sources) run inside build(), so what is written is
    what build() returns and the byte-for-byte test covers them."""
    def note(data):
        data["sources"]["test_step"] = f"{len(data['cities'])} units"

    def replace(data):
        return {**data, "name": "china-2020-variant"}

    monkeypatch.setattr(builder, "DATA_STEPS", [note, replace])
    d = builder.build()
    assert d["name"] == "china-2020-variant" and d["sources"]["test_step"] == f"{len(d['cities'])} units"
