"""/v1/batches and /v1/jobs/{id}/explain on a real server; a batch survives a killed server."""

import os
import signal
import sqlite3

import pytest

from landquota.datasets import load_dataset
from landquota.models.overrides import apply_overrides
from landquota.solvers.highs import solve_scenario
from tests.test_service_support import Serve, ServerThread, poll_job, settings_for, wait_until

POOLS = [200, 250, 300, 350]
SPEC = {
    "name": "pools",
    "base": {"dataset": "demo"},
    "variants": [{"name": "low-standard", "overrides": {"policy.linkage_tiers[0].new_land_per_settler_m2": 80}}],
    "grid": {"parameters": {"provinces[510000].new_land_pool_ha_per_year": POOLS}},
}


def poll_batch(client, bid, timeout=120):
    last = {}

    def done():
        nonlocal last
        last = client.get(f"/v1/batches/{bid}").json()
        return last["status"] in ("succeeded", "failed", "cancelled")

    wait_until(done, timeout, f"batch {bid}")
    return last


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    with ServerThread(settings_for(tmp_path_factory.mktemp("batches"), max_batch_variants=50)) as s:
        yield s


def test_batch_round_trip(server):
    c = server.client
    r = c.post("/v1/batches", json=SPEC)
    assert r.status_code == 202, r.text
    bid = r.json()["id"]
    assert r.headers["Location"] == f"/v1/batches/{bid}"
    assert r.json()["total"] == 2 + len(POOLS)
    view = poll_batch(c, bid)
    assert view["status"] == "succeeded" and view["done"] == view["total"] and view["failed"] == 0
    res = c.get(f"/v1/batches/{bid}/results").json()
    rows = {row["variant"]: row for row in res["rows"]}
    assert list(rows) == ["base", "low-standard"] + [f"new_land_pool_ha_per_year={p}" for p in POOLS]
    demo = load_dataset("demo")
    assert rows["base"]["objective_cny_100m"] == pytest.approx(solve_scenario(demo).objective_cny_100m, rel=1e-7)
    low = apply_overrides(demo, {"policy.linkage_tiers[0].new_land_per_settler_m2": 80})
    assert rows["low-standard"]["objective_cny_100m"] == pytest.approx(solve_scenario(low).objective_cny_100m, rel=1e-7)
    assert set(res["new_land_by_province"]["base"]) == {"510000", "440000", "520000"}
    csv = c.get(f"/v1/batches/{bid}/results", params={"format": "csv"})
    assert csv.headers["content-type"].startswith("text/csv")
    lines = csv.text.strip().splitlines()
    assert lines[0].startswith("variant,status,objective_cny_100m") and len(lines) == 1 + len(rows)
    assert c.delete(f"/v1/batches/{bid}").json() == {"id": bid, "deleted": True}
    assert c.get(f"/v1/batches/{bid}").status_code == 404


def test_batch_errors(server):
    c = server.client
    r = c.post("/v1/batches", json={"name": "x", "base": {"dataset": "demo"}, "variants": [{"name": "a", "compose": ["b"]}]})
    assert r.status_code == 422 and "must be defined before" in r.text
    r = c.post("/v1/batches", json={"base": {"dataset": "demo"}, "kpis": ["nope"]})
    assert r.status_code == 422 and r.json()["problems"]
    big = dict(SPEC, grid={"parameters": {"years": list(range(1, 11)), "policy.per_capita_cap_m2": [90, 95, 100, 105, 110]}})
    r = c.post("/v1/batches", json=big)
    assert r.status_code == 422 and r.json()["problems"][0]["rule"] == "too_many_variants"
    assert c.post("/v1/batches", json=dict(SPEC, base={"dataset": "atlantis"})).status_code == 404
    assert c.get("/v1/batches/nope").status_code == 404
    assert c.delete("/v1/batches/nope").status_code == 404


def test_a_bad_variant_is_refused_at_submission_naming_it(server, caplog):
    """As POST /v1/solve refuses the same override: 422 with the variant's name in `loc`, nothing stored,
    no traceback logged (a variant that fails while solving is still reported, not fatal: test_batch.py)."""
    c = server.client
    before = len(c.get("/v1/batches").json()["batches"])
    spec = dict(SPEC, variants=[{"name": "bad", "overrides": {"provinces[510000].new_land_pool_ha_per_year": -5}},
                                {"name": "typo", "overrides": {"policy.no_such_knob": 1}}],
                grid={"parameters": {"provinces[*].new_land_pool_ha_per_year": ["*0.9", "*nan"]}})
    r = c.post("/v1/batches", json=spec)
    assert r.status_code == 422, r.text
    got = {(tuple(p["loc"][:3]), p["rule"]) for p in r.json()["problems"]}
    assert (("body", "variants", "bad"), "greater_than_equal") in got
    assert (("body", "variants", "typo"), "bad_override") in got
    assert (("body", "grid", "new_land_pool_ha_per_year=*nan"), "bad_override") in got
    assert len(got) == 3  # the good grid variant and the base are not reported
    nan = [p for p in r.json()["problems"] if p["loc"][1] == "grid"][0]
    assert "'*nan'" in nan["message"] and "scale factor" in nan["message"]
    r = c.post("/v1/batches", json=dict(SPEC, base={"dataset": "demo", "overrides": {"policy.nope": 1}}))
    assert r.status_code == 422 and r.json()["problems"][0]["loc"] == ["body", "base", "overrides", "policy.nope"]
    assert len(c.get("/v1/batches").json()["batches"]) == before
    assert "Traceback" not in caplog.text


def test_explain_endpoint(server):
    c = server.client
    job = c.post("/v1/solve", json={"dataset": "demo"}).json()
    assert job["status"] == "optimal"
    jobs = c.get("/v1/jobs").json()
    job_id = jobs["jobs"][0]["id"] if "jobs" in jobs else jobs[0]["id"]
    poll_job(c, job_id)
    e = c.get(f"/v1/jobs/{job_id}/explain").json()
    assert e["status"] == "optimal" and e["explain"]["summary_en"] and e["explain"]["summary_zh"]
    items = {g["policy_item"] for g in e["explain"]["binding_groups"]}
    assert "(20) land plan" in items
    assert c.get("/v1/jobs/nope/explain").status_code == 404


@pytest.mark.slow
def test_batch_resumes_after_the_server_is_killed(tmp_path):
    """SIGKILL the real `landquota serve` in the middle of a batch; restart it: the batch resumes and
    every variant finished before the kill is kept as it was (not solved again)."""
    spec = dict(SPEC, variants=[], grid={"parameters": {"provinces[510000].new_land_pool_ha_per_year":
                                                         list(range(150, 450, 5))}})  # 60 variants + base
    with Serve(tmp_path, workers=1) as a:
        bid = a.client.post("/v1/batches", json=spec).json()["id"]
        wait_until(lambda: a.client.get(f"/v1/batches/{bid}").json()["done"] >= 3, 120, "first variants")
        a.proc.send_signal(signal.SIGKILL)
        a.proc.wait(10)
    db = tmp_path / "var" / "landquota.db"
    with sqlite3.connect(db) as con:
        before = dict(con.execute("SELECT name, finished_at FROM batch_variants WHERE batch_id = ?", (bid,)))
    assert 3 <= len(before) < 61
    with Serve(tmp_path, workers=1) as b:
        view = poll_batch(b.client, bid, timeout=300)
        assert view["status"] == "succeeded" and view["done"] == 61 and view["failed"] == 0
        b.stop()
    with sqlite3.connect(db) as con:
        after = dict(con.execute("SELECT name, finished_at FROM batch_variants WHERE batch_id = ?", (bid,)))
    assert len(after) == 61
    assert {k: after[k] for k in before} == before  # finished variants untouched: none re-solved
    assert os.path.getsize(db) > 0


def test_swaggers_batch_example_runs_and_its_scaled_variant_matches_explicit_lines(server):
    from landquota.service.routers.batches import BATCH_EXAMPLE

    c = server.client
    spec = c.get("/openapi.json").json()["paths"]["/v1/batches"]["post"]["requestBody"]["content"][
        "application/json"]["schema"]["examples"][0]
    assert spec == BATCH_EXAMPLE
    bid = c.post("/v1/batches", json=spec).json()["id"]
    b = poll_batch(c, bid)
    assert b["status"] == "succeeded" and b["done"] == b["total"] == 1 + 4 + 3 and b["failed"] == 0
    rows = {r["variant"]: r for r in c.get(f"/v1/batches/{bid}/results").json()["rows"]}
    demo = load_dataset("demo")
    lines = next(f for f in demo.funding_sources if f.id == "cdb_loan").limit_per_province_cny_100m
    explicit = apply_overrides(demo, {"funding_sources[cdb_loan].limit_per_province_cny_100m":
                                      {k: v * 0.8 for k, v in lines.items()}})
    assert rows["cdb-cut-20pct"]["objective_cny_100m"] == pytest.approx(
        solve_scenario(explicit).objective_cny_100m, rel=1e-9)
