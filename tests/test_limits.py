"""Limits on input: each a setting with a documented default, each answered with a 413 or 422 that
names the field, the rule and the setting."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from landquota.datasets import dataset_dict
from landquota.service.settings import Settings
from tests.test_service_support import ServerThread, settings_for

pytestmark = pytest.mark.slow

README = Path(__file__).resolve().parents[1] / "README.md"
LIMITS = dict(max_cities=10, max_projects=13, max_parcels=17, max_years=2, max_body_bytes=200_000,
              max_time_limit_s=30.0, max_wait_s=5.0, max_batch_variants=3)


@pytest.fixture(scope="module")
def srv(tmp_path_factory):
    with ServerThread(settings_for(tmp_path_factory.mktemp("limits"), workers=1, **LIMITS)) as s:
        yield s


def problems(r, status=422) -> list[tuple[tuple, str, str]]:
    assert r.status_code == status, r.text
    body = r.json()
    assert set(body) == {"detail", "problems"}
    return [(tuple(p["loc"]), p["rule"], p["message"]) for p in body["problems"]]


def test_the_demo_fits(srv):
    r = srv.client.post("/v1/solve", json={"dataset": "demo"})  # 8 cities, 12 projects, 16 parcels, 1 year
    assert r.status_code == 200 and r.json()["status"] == "optimal"
    # the default time limit (60 s) is capped at the service's limit, not refused
    job = srv.client.get(f"/v1/jobs/{r.headers['x-job-id']}").json()
    assert job["options"]["time_limit_s"] == 30.0


def test_scenario_size_limits_name_field_rule_and_setting(srv):
    d = dataset_dict("demo")
    extra = dict(d["cities"][-1])
    for i in range(3):  # 11 cities
        d["cities"].append(dict(extra, code=f"{extra['code'][:2]}99{i:02d}", name=f"extra{i}"))
    p = dict(d["projects"][0])
    d["projects"].append(dict(p, id="X-1", parcels=p["parcels"] * 3))  # 13 projects, more parcels
    d["projects"].append(dict(p, id="X-2", parcels=p["parcels"] * 3))  # 14 projects
    d["years"] = 3
    got = problems(srv.client.post("/v1/solve", json={"scenario": d}))
    by_rule = {rule: (loc, msg) for loc, rule, msg in got}
    assert set(by_rule) == {"too_many_cities", "too_many_projects", "too_many_parcels", "too_many_years"}
    assert by_rule["too_many_cities"] == (("body", "scenario", "cities"),
                                          "11 city units; this service solves at most 10 per scenario "
                                          "(LANDQUOTA_MAX_CITIES)")
    assert by_rule["too_many_projects"][0] == ("body", "scenario", "projects")
    assert "LANDQUOTA_MAX_PROJECTS" in by_rule["too_many_projects"][1]
    assert "LANDQUOTA_MAX_PARCELS" in by_rule["too_many_parcels"][1]
    assert by_rule["too_many_years"][0] == ("body", "scenario", "years")
    assert "at most 2" in by_rule["too_many_years"][1] and "LANDQUOTA_MAX_YEARS" in by_rule["too_many_years"][1]
    # the same through /v1/jobs, and on a dataset that is too large for this service
    assert problems(srv.client.post("/v1/jobs", json={"scenario": d}))
    got = problems(srv.client.post("/v1/jobs", json={"dataset": "china-2020"}))
    assert {(loc, rule) for loc, rule, _ in got} >= {(("body", "dataset", "cities"), "too_many_cities"),
                                                     (("body", "dataset", "projects"), "too_many_projects")}
    # an override that makes it too large
    got = problems(srv.client.post("/v1/solve", json={"dataset": "demo", "overrides": {"years": 3}}))
    assert [(loc, rule) for loc, rule, _ in got] == [(("body", "overrides", "years"), "too_many_years")]


def test_solver_time_limit_and_wait(srv):
    got = problems(srv.client.post("/v1/jobs", json={"dataset": "demo", "options": {"time_limit_s": 31}}))
    assert got[0][:2] == (("body", "options", "time_limit_s"), "less_than_equal")
    assert "30" in got[0][2] and "LANDQUOTA_MAX_TIME_LIMIT_S" in got[0][2]
    got = problems(srv.client.post("/v1/solve", params={"wait_s": 6}, json={"dataset": "demo"}))
    assert got[0][:2] == (("query", "wait_s"), "less_than_equal") and "LANDQUOTA_MAX_WAIT_S" in got[0][2]


def test_body_size_is_413_naming_the_setting(srv):
    big = b'{"dataset": "demo", "pad": "' + b"x" * LIMITS["max_body_bytes"] + b'"}'
    r = srv.client.post("/v1/jobs", content=big, headers={"content-type": "application/json"})
    assert r.status_code == 413
    assert "200000 bytes" in r.json()["detail"] and "LANDQUOTA_MAX_BODY_BYTES" in r.json()["detail"]


def test_batch_limits(srv):
    c = srv.client
    spec = {"base": {"dataset": "demo"}, "grid": {"parameters": {"policy.per_capita_cap_m2": [90, 95, 100, 105]}}}
    got = problems(c.post("/v1/batches", json=spec))
    assert got[0][:2] == (("body", "variants"), "too_many_variants")
    assert "5 variants; at most 3" in got[0][2] and "LANDQUOTA_MAX_BATCH_VARIANTS" in got[0][2]
    got = problems(c.post("/v1/batches", json={"base": {"dataset": "demo"}, "time_limit_s": 60}))
    assert got[0][:2] == (("body", "time_limit_s"), "less_than_equal")
    d = dataset_dict("demo")
    d["years"] = 3
    got = problems(c.post("/v1/batches", json={"base": {"scenario": d}}))
    assert got[0][:2] == (("body", "base", "scenario", "years"), "too_many_years")


def test_every_setting_is_documented_with_its_default():
    text = README.read_text(encoding="utf-8")
    section = text[text.index("## Operations"):]
    for name, field in Settings.model_fields.items():
        var = f"LANDQUOTA_{name.upper()}"
        assert field.description, name
        row = re.search(rf"^\| `{var}` \|([^\n]*)$", section, re.M)
        assert row, f"{var} is not in README's settings table"
