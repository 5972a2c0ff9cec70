"""Issue 17 against real servers on loopback: a batch is counted before it is made and checked when it
is submitted; the OpenAPI document says what the server does (auth, limits, examples, DELETE, Allow);
hostile inputs get a 422 naming what is wrong; /healthz says `starting` until the workers are ready;
shutdown is clean; list endpoints and ids agree.

The memory test runs ``landquota serve`` in its own process and reads that process's resident memory
from /proc; the others use a uvicorn server in a thread of this process.
"""

from __future__ import annotations

import json
import math
import re
import signal
import subprocess
import sys
import time
import uuid
from pathlib import Path

import httpx
import pytest

from landquota.datasets import dataset_dict
from landquota.service.app import create_app
from landquota.service.examples import JOB_QUEUED, KEEP, VOLATILE, abridge, solve_200
from landquota.service.worker import solve_payload
from tests.test_service_support import Serve, ServerThread, poll_job, settings_for, wait_until

pytestmark = pytest.mark.slow

ID = re.compile(r"^[0-9a-f]{32}$")


@pytest.fixture(scope="module")
def srv(tmp_path_factory):
    st = settings_for(tmp_path_factory.mktemp("hardening"), workers=1, max_batch_variants=100, max_wait_s=30.0,
                      max_time_limit_s=600.0)
    with ServerThread(st, solve_fn=solve_payload) as s:
        yield s


def problems(r: httpx.Response, status: int = 422) -> list[dict]:
    assert r.status_code == status, r.text
    body = r.json()
    assert set(body) == {"detail", "problems"}
    return body["problems"]


def rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    raise AssertionError("no VmRSS")


# ---- 1. count before expanding --------------------------------------------------------------------------

def test_a_million_variant_grid_is_refused_at_once_without_memory(tmp_path):
    """A few KB describing 10^6 (and 10^12) variants: 422 in well under a second; the server process's
    resident memory grows by less than 50 MB (measured from /proc while it serves)."""
    with Serve(tmp_path, workers=0, LANDQUOTA_DATA_DIR=str(tmp_path / "var"), LANDQUOTA_AUTH="off") as s:
        pid = s.proc.pid
        s.client.get("/v1/datasets")  # the first request's own costs (imports, thread pool) are not the batch's
        r = s.client.post("/v1/batches", json={"base": {"dataset": "demo"}, "grid": {"parameters": {
            "policy.per_capita_cap_m2": [90, 100]}}})
        assert r.status_code == 202
        before = rss_mb(pid)
        for n_params, n_values in ((6, 10), (4, 1000)):  # 10^6 and 10^12 variants
            spec = {"name": "huge", "base": {"dataset": "demo"}, "grid": {"mode": "cartesian", "parameters": {
                f"provinces[*].new_land_pool_ha_per_year{'.x' * i}": [f"*{1 + j / 1000:.3f}" for j in range(n_values)]
                for i in range(n_params)}}}
            body = json.dumps(spec)
            t0 = time.perf_counter()
            r = s.client.post("/v1/batches", content=body, headers={"Content-Type": "application/json"})
            took = time.perf_counter() - t0
            p = problems(r)
            assert p[0]["rule"] == "too_many_variants" and f"{n_values ** n_params + 1:,} variants" in p[0]["message"]
            assert took < 1.0, took
            grew = rss_mb(pid) - before
            assert grew < 50, f"RSS grew {grew:.1f} MB on a {len(body) / 1024:.0f} KB request"
            print(f"{n_values ** n_params:.0e} variants, {len(body) / 1024:.1f} KB: 422 in {took * 1000:.0f} ms, "
                  f"RSS {before:.0f} -> {before + grew:.0f} MB")
        zipped = {"base": {"dataset": "demo"}, "grid": {"mode": "zipped", "parameters": {
            "policy.per_capita_cap_m2": list(range(1000)), "years": [1] * 1000}}}
        assert "1,001 variants" in problems(s.client.post("/v1/batches", json=zipped))[0]["message"]
        assert s.client.get("/healthz").status_code == 200
        assert s.stop()


# ---- 2. checked at submission (also tests/test_service_batches.py) ---------------------------------------

def test_batch_variants_are_checked_like_solve_requests(srv, caplog):
    c = srv.client
    bad = {"cities[510100].name": "成都\x1b[31m"}
    solve = problems(c.post("/v1/solve", json={"dataset": "demo", "overrides": bad}))
    batch = problems(c.post("/v1/batches", json={"base": {"dataset": "demo"}, "variants": [
        {"name": "ok", "overrides": {"policy.per_capita_cap_m2": 95}}, {"name": "esc", "overrides": bad}]}))
    assert [p["rule"] for p in solve] == [p["rule"] for p in batch] == ["control_character"]
    assert batch[0]["loc"][:4] == ["body", "variants", "esc", "overrides"] and solve[0]["loc"][:2] == ["body", "overrides"]
    assert batch[0]["loc"][4:] == solve[0]["loc"][2:]
    p = problems(c.post("/v1/batches", json={"base": {"dataset": "demo"}, "time_limit_s": 601}))
    assert p[0]["loc"] == ["body", "time_limit_s"] and "600" in p[0]["message"]
    p = problems(c.post("/v1/batches", json={"name": "tab\there", "base": {"dataset": "demo"}}))
    assert p[0]["loc"] == ["body", "name"]
    assert "Traceback" not in caplog.text


# ---- 3, 4. the OpenAPI document --------------------------------------------------------------------------

def _spec(**kw) -> dict:
    return create_app(settings_for("/nonexistent", **kw)).openapi()


def test_openapi_security_follows_auth():
    for auth, expected in (("off", [{}, {"bearer": []}]), ("on", [{"bearer": []}])):
        spec = _spec(auth=auth)
        ops = [(p, m, op) for p, item in spec["paths"].items() for m, op in item.items()]
        for path, method, op in ops:
            if path.startswith("/v1/"):
                assert op["security"] == expected, (auth, method, path)
            else:
                assert "security" not in op


def test_openapi_limits_follow_the_settings():
    spec = _spec(max_time_limit_s=42.0, max_wait_s=7.0, default_wait_s=3.0)
    comps = spec["components"]["schemas"]
    for model in ("SolveOptionsIn", "BatchSpec"):
        tl = comps[model]["properties"]["time_limit_s"]
        assert tl["maximum"] == 42.0 and tl["default"] <= 42.0, model
    (wait,) = [p for p in spec["paths"]["/v1/solve"]["post"]["parameters"] if p["name"] == "wait_s"]
    assert (wait["schema"]["maximum"], wait["schema"]["default"]) == (7.0, 3.0)
    assert wait["description"].count("wait") == 1 and "description" not in wait["schema"]  # said once
    assert _spec()["components"]["schemas"]["SolveOptionsIn"]["properties"]["time_limit_s"]["maximum"] == 3600.0


def test_openapi_examples_are_consistent():
    spec = _spec()
    solve = spec["paths"]["/v1/solve"]["post"]["responses"]
    queued = solve["202"]["content"]["application/json"]["example"]
    assert queued == JOB_QUEUED and queued["status"] == "queued" and queued["progress"]["phase"] == "queued"
    assert queued["timings"]["started_at"] is None and queued["timings"]["finished_at"] is None
    assert queued["result_status"] is None and queued["objective_cny_100m"] is None
    assert spec["paths"]["/v1/jobs"]["post"]["responses"]["202"]["content"]["application/json"]["example"] == queued
    ok = solve["200"]["content"]["application/json"]["example"]
    assert ok == solve_200() and ok["status"] == "optimal" and ok["scenario"] == "demo"
    for op in ("delete",):
        for path in ("/v1/jobs/{job_id}", "/v1/batches/{batch_id}", "/v1/keys/{key_id}"):
            r = spec["paths"][path][op]["responses"]
            assert all(len(r[c]["description"]) > 40 for c in r if c in ("200", "204")), path
    assert {"200", "204"} <= set(spec["paths"]["/v1/jobs/{job_id}"]["delete"]["responses"])


def test_submissions_link_to_what_reads_them(srv):
    spec = srv.client.get("/openapi.json").json()
    ops = {op["operationId"]: (m, p) for p, item in spec["paths"].items() for m, op in item.items()}
    for path, code, target in (("/v1/jobs", "202", ("get", "/v1/jobs/{job_id}")),
                               ("/v1/solve", "200", ("get", "/v1/jobs/{job_id}/result")),
                               ("/v1/batches", "202", ("get", "/v1/batches/{batch_id}/results"))):
        response = spec["paths"][path]["post"]["responses"][code]
        assert target in [ops[x["operationId"]] for x in response["links"].values()], (path, code)
    r = srv.client.post("/v1/solve", json={"dataset": "demo"}, params={"wait_s": 30})
    assert r.status_code == 200 and r.headers["x-job-id"] and r.headers["content-location"].endswith("/result")
    r = srv.client.post("/v1/jobs", json={"dataset": "demo"})
    assert r.headers["location"] == f"/v1/jobs/{r.json()['id']}"
    poll_job(srv.client, r.json()["id"])


def test_the_200_example_is_a_real_demo_result_abridged():
    """The checked-in example equals a real solve of the demo, abridged (timings aside). If this fails
    after a change to the model or its wording: `python -m landquota.service.examples`."""
    # in a process of its own, as a worker solves: HiGHS state left by other tests in this process (a bare
    # highspy.Highs() run before, tests/test_cli.py) can make an in-process solve report an error
    out = subprocess.run([sys.executable, "-c", "import json; from landquota.service.examples import demo_result; "
                          "print(json.dumps(demo_result()))"], capture_output=True, text=True, check=True)
    real, example = abridge(json.loads(out.stdout.strip().splitlines()[-1])), solve_200()

    def same(a, b, path=""):
        if isinstance(a, dict):
            assert isinstance(b, dict) and a.keys() == b.keys(), path
            for k in a:
                if k not in VOLATILE:
                    same(a[k], b[k], f"{path}.{k}")
        elif isinstance(a, list):
            assert isinstance(b, list) and len(a) == len(b) <= KEEP, path
            for i, (x, y) in enumerate(zip(a, b)):
                same(x, y, f"{path}[{i}]")
        elif isinstance(a, float) and isinstance(b, float):
            assert math.isclose(a, b, rel_tol=1e-6, abs_tol=1e-9), (path, a, b)
        else:
            assert a == b, (path, a, b)

    try:
        same(example, real)
    except AssertionError as e:
        raise AssertionError(f"{e}: the model or its wording changed; regenerate the example with "
                             "`python -m landquota.service.examples` and read the diff") from None


def test_allow_lists_every_method_of_the_path(srv):
    spec = srv.client.get("/openapi.json").json()
    ids = {"job_id": "0" * 32, "batch_id": "0" * 32, "key_id": "k0", "id": "demo"}
    for path, item in spec["paths"].items():
        documented = {m.upper() for m in item}
        url = path.format(**ids)
        for method in ("GET", "HEAD", "POST", "PUT", "PATCH", "DELETE"):
            if method in documented:
                continue
            r = srv.client.request(method, url)
            assert r.status_code == 405, (method, path, r.status_code)
            assert set(r.headers["allow"].split(", ")) == documented, (method, path, r.headers["allow"])
            if method != "HEAD":
                assert method in r.json()["detail"]


# ---- 5. inputs -------------------------------------------------------------------------------------------

def test_hostile_inputs_get_a_422_naming_the_problem(srv):
    c = srv.client
    d = dataset_dict("demo")
    d["projects"][0]["parcels"] = [{"land_type": "arable", "area_ha": 1.7e308}, {"land_type": "other", "area_ha": 1.7e308}]
    p = problems(c.post("/v1/solve", json={"scenario": d}))
    assert (p[0]["loc"], p[0]["rule"]) == (["body", "scenario", "projects", 0, "parcels"], "sum_overflow")
    d = dataset_dict("demo")
    for i in range(2):
        d["cities"][i]["urban_construction_land_ha"] = 1.7e308
    p = problems(c.post("/v1/solve", json={"scenario": d}))
    assert {(tuple(x["loc"]), x["rule"]) for x in p} >= {(("body", "scenario", "cities", "urban_construction_land_ha"),
                                                          "sum_overflow")}
    for factor in ("*nan", "*inf", "*1e999", "*-0.5", "×"):
        p = problems(c.post("/v1/solve", json={"dataset": "demo", "overrides": {
            "provinces[*].new_land_pool_ha_per_year": factor}}))
        assert p[0]["loc"] == ["body", "overrides", "provinces[*].new_land_pool_ha_per_year"], factor
        assert repr(factor) in p[0]["message"] and "scale factor" in p[0]["message"], p
    p = problems(c.post("/v1/solve", json={"dataset": "demo", "overrides": {"projects[SC-01].parcels[99].area_ha": 3}}))
    assert "None" not in p[0]["message"] and "parcels[99]" in p[0]["message"], p
    deep = '{"dataset": "demo", "overrides": {"description": ' + "[" * 100_000 + "]" * 100_000 + "}}"
    p = problems(c.post("/v1/solve", content=deep, headers={"Content-Type": "application/json"}))
    assert p[0]["rule"] == "json_too_deep" and "not JSON" not in p[0]["message"]
    p = problems(c.post("/v1/solve", content=b"\xff\xfe{}", headers={"Content-Type": "application/json"}))
    assert p[0]["rule"] == "json_invalid"
    for field, value in (("name", "demo\x00"), ("projects.0.id", "SC\n01"), ("cities.0.name", "成都\x7f"),
                         ("funding_sources.0.name", "CDB\x9b")):
        d = dataset_dict("demo")
        *parents, last = [int(x) if x.isdigit() else x for x in field.split(".")]
        target = d
        for k in parents:
            target = target[k]
        if field.startswith("funding_sources"):
            from landquota.models.funding import default_funding_sources

            d["funding_sources"] = [f.model_dump(mode="json") for f in default_funding_sources()]
            target = d["funding_sources"][0]
        target[last] = value
        p = problems(c.post("/v1/solve", json={"scenario": d}))
        assert p[0]["rule"] == "control_character" and p[0]["loc"][:2] == ["body", "scenario"], (field, p)
    assert c.post("/v1/solve", json={"dataset": "demo", "overrides": {"description": "line 1\nline 2"}}).status_code in (200, 202)


# ---- 6. health and shutdown --------------------------------------------------------------------------------

def test_healthz_says_starting_until_the_workers_are_ready(tmp_path):
    from tests.slow_start import DELAY_S, solve

    with ServerThread(settings_for(tmp_path, workers=1), solve_fn=solve, wait_ready=False) as s:
        t0 = time.monotonic()
        r = s.client.get("/healthz")
        assert r.status_code == 503 and r.json()["status"] == "starting" and r.headers["retry-after"] == "1"
        assert r.json()["workers"]["ready"] == 0
        job = s.client.post("/v1/jobs", json={"dataset": "demo"})
        assert job.status_code == 202  # accepted meanwhile, and run once a worker is ready
        wait_until(lambda: s.client.get("/healthz").status_code == 200, 60, "ready")
        assert time.monotonic() - t0 >= DELAY_S - 1.0
        h = s.client.get("/healthz").json()
        assert h["status"] == "ok" and h["workers"]["ready"] == 1
        assert poll_job(s.client, job.json()["id"])["status"] == "succeeded"


@pytest.mark.parametrize("how", ["SIGTERM", "Ctrl-C"])
def test_shutdown_mid_batch_is_clean(tmp_path, how):
    """Stopped while a batch solves national variants: a clean exit within the grace, no traceback, no
    leaked semaphore, no process left; the batch resumes after a restart and finishes."""
    env = dict(LANDQUOTA_DATA_DIR=str(tmp_path / "var"), LANDQUOTA_AUTH="off", LANDQUOTA_SHUTDOWN_GRACE_S="3",
               LANDQUOTA_RATE_LIMIT_PER_MINUTE="0")
    spec = {"name": "long", "base": {"dataset": "china-2020"}, "whole_projects": True, "include_base": False,
            "grid": {"parameters": {"policy.per_capita_cap_m2": [96 + i for i in range(5)]}}}
    with Serve(tmp_path, workers=1, **env) as s:
        bid = s.client.post("/v1/batches", json=spec).json()["id"]
        wait_until(lambda: s.client.get(f"/v1/batches/{bid}").json()["status"] == "running", 60, "batch running",
                   every=0.5)
        time.sleep(2.0)  # its pool is up and solving
        children = _descendants(s.proc.pid)
        assert children
        t0 = time.monotonic()
        assert s.stop(signal.SIGTERM if how == "SIGTERM" else signal.SIGINT, group=how == "Ctrl-C"), s.text()[-3000:]
        assert time.monotonic() - t0 < 20
        log = s.text()
        assert "Traceback" not in log and "leaked" not in log, log[-3000:]
        wait_until(lambda: not [p for p in children if Path(f"/proc/{p}").exists()
                                and "zombie" not in Path(f"/proc/{p}/status").read_text()], 10, "children gone")
    if how != "SIGTERM":
        return
    with Serve(tmp_path, workers=1, **env) as s:
        view = wait_until(lambda: (v := s.client.get(f"/v1/batches/{bid}").json())["status"] == "succeeded" and v,
                          300, "batch resumed", every=0.5)
        assert view["done"] == view["total"] == 5 and view["failed"] == 0
        assert s.stop()


def _descendants(pid: int) -> list[int]:
    out, todo = [], [pid]
    while todo:
        p = todo.pop()
        for t in Path(f"/proc/{p}/task").iterdir():
            try:
                kids = [int(x) for x in (t / "children").read_text().split()]
            except OSError:
                kids = []
            out += kids
            todo += kids
    return out


# ---- 7. consistency ---------------------------------------------------------------------------------------

def test_lists_answer_the_same_shape_and_ids_share_one_format(srv):
    c = srv.client
    job = c.post("/v1/jobs", json={"dataset": "demo"}).json()
    batch = c.post("/v1/batches", json={"base": {"dataset": "demo"}, "include_base": True}).json()
    assert ID.match(job["id"]) and ID.match(batch["id"])
    jobs, batches = c.get("/v1/jobs").json(), c.get("/v1/batches").json()
    assert list(jobs) == ["jobs"] and list(batches) == ["batches"]
    assert job["id"] in [j["id"] for j in jobs["jobs"]] and batch["id"] in [b["id"] for b in batches["batches"]]
    for path, key in (("/v1/jobs", "jobs"), ("/v1/batches", "batches")):
        assert len(c.get(path, params={"limit": 1}).json()[key]) == 1
        assert c.get(path, params={"status": "cancelled"}).status_code == 200
        assert problems(c.get(path, params={"limit": 0}))[0]["loc"] == ["query", "limit"]
    old = str(uuid.uuid4())  # a batch stored by an earlier version keeps its dashed id
    srv.service.batches.store.create("old", json.dumps({"base": {"dataset": "demo"}}), "local", 1, batch_id=old)
    srv.service.batches.store.set_status(old, "cancelled")
    assert c.get(f"/v1/batches/{old}").json()["id"] == old
    assert c.delete(f"/v1/batches/{old}").json() == {"id": old, "deleted": True}
    poll_job(c, job["id"])


def test_approval_area_overflow(srv):
    r = srv.client.post("/v1/approval-route", json={"province_code": "510000", "parcels": [
        {"land_type": "arable", "area_ha": 1.7e308}, {"land_type": "arable", "area_ha": 1.7e308}]})
    assert r.status_code == 422 and "parcels" in r.json()["problems"][0]["loc"]
