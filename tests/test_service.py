"""The HTTP service against a real uvicorn server on a loopback port (one per module, two solver
workers), with a scripted solve function that can hold a job (see ``test_service_support``)."""

from __future__ import annotations

import csv
import io
import time

import httpx
import pytest

from landquota.datasets import dataset_dict, load_dataset
from landquota.models.approval import route
from landquota.models.overrides import apply_overrides
from landquota.models.policy import PolicyParameters
from landquota.models.scenario import load_scenario
from landquota.solvers.highs import highs_version, solve_scenario
from landquota.solvers.result import TABLES, Result
from tests.test_service_support import ServerThread, blocked, poll_job, settings_for, wait_until

pytestmark = pytest.mark.slow

MAX_BODY = 1_000_000


@pytest.fixture(scope="module")
def srv(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("service")
    with ServerThread(settings_for(tmp, workers=2, max_body_bytes=MAX_BODY)) as s:
        yield s


@pytest.fixture(scope="module")
def demo_objective() -> float:
    r = solve_scenario(load_dataset("demo"))
    assert r.status == "optimal"
    return r.objective_cny_100m


def assert_error_shape(r: httpx.Response, status: int) -> dict:
    assert r.status_code == status, r.text
    body = r.json()
    assert set(body) == {"detail", "problems"} and isinstance(body["detail"], str) and body["detail"]
    for p in body["problems"]:
        assert set(p) == {"loc", "rule", "message"} and p["loc"] and p["rule"]
    return body


# ---- liveness, datasets, docs ------------------------------------------------------------------

def test_healthz_reports_solver_and_workers(srv):
    h = srv.client.get("/healthz").json()
    assert h["status"] == "ok"
    assert h["solver"] == f"HiGHS {highs_version()}"
    assert h["database"] == "sqlite: ok"
    assert "demo" in h["datasets"]
    assert h["workers"]["configured"] == 2 and h["workers"]["dispatcher"] == 1
    wait_until(lambda: srv.client.get("/healthz").json()["workers"]["ready"] == 2, 60, "two ready workers")


def test_datasets_list_and_fetch(srv):
    body = srv.client.get("/v1/datasets").json()
    by_id = {d["id"]: d for d in body["datasets"]}
    demo = load_dataset("demo")
    assert by_id["demo"]["cities"] == len(demo.cities) and by_id["demo"]["projects"] == len(demo.projects)
    assert by_id["demo"]["href"] == "/v1/datasets/demo"
    r = srv.client.get("/v1/datasets/demo")
    assert r.status_code == 200 and r.json() == dataset_dict("demo")
    body = assert_error_shape(srv.client.get("/v1/datasets/no-such-set"), 404)
    assert "no-such-set" in body["detail"]


def test_swagger_example_solves_the_demo_in_one_click(srv, demo_objective):
    """Take the example Swagger UI pre-fills for POST /v1/solve and send it as it is."""
    spec = srv.client.get("/openapi.json").json()
    media = spec["paths"]["/v1/solve"]["post"]["requestBody"]["content"]["application/json"]
    example = next(iter(media["examples"].values()))["value"]
    r = srv.client.post("/v1/solve", json=example)
    assert r.status_code == 200, r.text
    res = r.json()
    assert res["status"] == "optimal"
    assert res["objective_cny_100m"] == pytest.approx(demo_objective, rel=1e-9)
    # the result is kept: Content-Location gives it back
    again = srv.client.get(r.headers["content-location"]).json()
    assert again["objective_cny_100m"] == res["objective_cny_100m"]


def test_docs_page_is_served_with_its_assets(srv):
    page = srv.client.get("/docs")
    assert page.status_code == 200 and "swagger-ui" in page.text
    assert '"tryItOutEnabled": true' in page.text
    js = [part.split('"')[0] for part in page.text.split('src="')[1:]]
    assert js, "no script in /docs"
    for src in js:
        if src.startswith("/"):  # served locally: works offline
            assert srv.client.get(src).status_code == 200


def test_openapi_documents_every_request_field(srv):
    spec = srv.client.get("/openapi.json").json()
    schemas = spec["components"]["schemas"]
    for name in ("SolveRequest", "SolveOptionsIn", "ApprovalRequest"):
        for field, prop in schemas[name]["properties"].items():
            assert prop.get("description"), f"{name}.{field} has no description"
    opts = schemas["SolveOptionsIn"]["properties"]
    assert opts["time_limit_s"]["exclusiveMinimum"] == 0 and opts["time_limit_s"]["maximum"] > 0
    assert opts["mip_rel_gap"]["minimum"] == 0 and opts["mip_rel_gap"]["maximum"] == 1
    for path, item in spec["paths"].items():
        for method, op in item.items():
            assert op.get("description") or op.get("summary"), f"{method} {path} undocumented"


# ---- the sync path ---------------------------------------------------------------------------

def test_solve_an_edited_scenario(srv, demo_objective):
    """Fetch a dataset, edit it, send it back: the answer is the edited scenario's optimum."""
    d = srv.client.get("/v1/datasets/demo").json()
    d["provinces"][0]["new_land_pool_ha_per_year"] *= 0.5
    r = srv.client.post("/v1/solve", json={"scenario": d})
    assert r.status_code == 200, r.text
    expected = solve_scenario(load_scenario(d))
    assert r.json()["objective_cny_100m"] == pytest.approx(expected.objective_cny_100m, rel=1e-9)
    assert r.json()["objective_cny_100m"] != pytest.approx(demo_objective, rel=1e-6)


def test_solve_with_overrides_and_whole_projects(srv):
    overrides = {"policy.per_capita_cap_m2": 105, "provinces[510000].new_land_pool_ha_per_year": 350}
    r = srv.client.post("/v1/solve", json={"dataset": "demo", "overrides": overrides,
                                           "options": {"whole_projects": True}})
    assert r.status_code == 200, r.text
    res = Result.model_validate(r.json())
    from landquota.solvers.highs import SolveOptions

    expected = solve_scenario(apply_overrides(dataset_dict("demo"), overrides), SolveOptions(whole_projects=True))
    assert res.status == expected.status == "optimal"
    assert res.objective_cny_100m == pytest.approx(expected.objective_cny_100m, rel=1e-6)
    assert all(p.selected_share in (0.0, 1.0) or abs(p.selected_share - round(p.selected_share)) < 1e-6
               for p in res.projects)


def test_infeasible_is_an_answer_not_an_error(srv):
    r = srv.client.post("/v1/solve", json={"dataset": "demo", "overrides": {
        "cities[510100].urban_construction_land_ha": 40000, "projects[SC-01].committed": True}})
    assert r.status_code == 200, r.text
    assert r.json()["status"] == "infeasible"
    job = srv.client.get(f"/v1/jobs/{r.headers['x-job-id']}").json()
    assert job["status"] == "succeeded" and job["result_status"] == "infeasible"


# ---- the async path ----------------------------------------------------------------------------

def test_solve_answers_202_then_the_job_finishes(srv, tmp_path, demo_objective):
    gate = tmp_path / "gate"
    t0 = time.monotonic()
    r = srv.client.post("/v1/solve", params={"wait_s": 0.3}, json=blocked(gate))
    assert r.status_code == 202, r.text
    assert 0.3 <= time.monotonic() - t0 < 5
    loc = r.headers["location"]
    job = r.json()
    assert loc == f"/v1/jobs/{job['id']}" and job["status"] in ("queued", "running")
    running = wait_until(lambda: (j := srv.client.get(loc).json())["status"] == "running" and j, 30, "running")
    assert running["progress"]["phase"] == "solving" and running["attempts"] == 1
    assert_error_shape(srv.client.get(f"{loc}/result"), 409)
    gate.unlink()
    done = poll_job(srv.client, job["id"])
    assert done["status"] == "succeeded" and done["result_status"] == "optimal"
    t = done["timings"]
    assert t["created_at"] <= t["started_at"] <= t["finished_at"] and t["run_s"] > 0
    assert t["created_at"].endswith("Z")
    res = srv.client.get(f"{loc}/result").json()
    assert res["objective_cny_100m"] == pytest.approx(demo_objective, rel=1e-9)


def test_jobs_endpoint_is_always_async_and_listed(srv):
    r = srv.client.post("/v1/jobs", json={"dataset": "demo"})
    assert r.status_code == 202 and r.headers["location"] == f"/v1/jobs/{r.json()['id']}"
    done = poll_job(srv.client, r.json()["id"])
    assert done["result_status"] == "optimal" and done["dataset"] == "demo"
    listed = srv.client.get("/v1/jobs", params={"status": "succeeded", "limit": 500}).json()["jobs"]
    assert r.json()["id"] in [j["id"] for j in listed]


def test_api_stays_responsive_while_every_worker_is_busy(srv, tmp_path):
    gates = [tmp_path / f"g{i}" for i in range(3)]
    ids = [srv.client.post("/v1/jobs", json=blocked(g)).json()["id"] for g in gates]
    wait_until(lambda: srv.client.get("/healthz").json()["workers"]["busy"] == 2, 30, "both workers busy")
    third = srv.client.get(f"/v1/jobs/{ids[2]}").json()
    assert third["status"] == "queued" and third["progress"]["queue_position"] >= 1
    for _ in range(5):
        t0 = time.monotonic()
        assert srv.client.get("/healthz").status_code == 200
        assert srv.client.get("/v1/datasets").status_code == 200
        assert time.monotonic() - t0 < 0.5
    for g in gates:
        g.unlink()
    for i in ids:
        assert poll_job(srv.client, i)["status"] == "succeeded"


# ---- cancel and delete -----------------------------------------------------------------------

def test_cancel_a_running_solve_then_delete_it(srv, tmp_path):
    gate = tmp_path / "gate"
    job_id = srv.client.post("/v1/jobs", json=blocked(gate)).json()["id"]
    wait_until(lambda: srv.client.get(f"/v1/jobs/{job_id}").json()["status"] == "running", 30, "running")
    r = srv.client.delete(f"/v1/jobs/{job_id}")
    assert r.status_code == 200 and r.json()["status"] == "cancelled"
    # its worker is stopped and replaced; the job stays cancelled
    wait_until(lambda: srv.client.get("/healthz").json()["workers"]["busy"] == 0, 30, "worker freed")
    wait_until(lambda: srv.client.get("/healthz").json()["workers"]["ready"] == 2, 60, "worker replaced")
    assert srv.client.get(f"/v1/jobs/{job_id}").json()["status"] == "cancelled"
    assert "cancelled" in assert_error_shape(srv.client.get(f"/v1/jobs/{job_id}/result"), 409)["detail"]
    gate.unlink()
    # still serving
    assert srv.client.post("/v1/solve", json={"dataset": "demo"}).json()["status"] == "optimal"
    assert srv.client.delete(f"/v1/jobs/{job_id}").status_code == 204
    assert_error_shape(srv.client.get(f"/v1/jobs/{job_id}"), 404)
    assert_error_shape(srv.client.delete(f"/v1/jobs/{job_id}"), 404)


def test_delete_a_finished_job_removes_its_result(srv):
    r = srv.client.post("/v1/solve", json={"dataset": "demo"})
    job_id = r.headers["x-job-id"]
    assert srv.client.delete(f"/v1/jobs/{job_id}").status_code == 204
    assert_error_shape(srv.client.get(f"/v1/jobs/{job_id}/result"), 404)


# ---- failures inside the worker --------------------------------------------------------------

def test_a_solver_exception_fails_the_job_cleanly(srv):
    r = srv.client.post("/v1/solve", json={"dataset": "demo", "overrides": {"description": "raise"}})
    assert r.status_code == 200, r.text
    assert r.json()["status"] == "error" and "scripted failure" in r.json()["message"]
    job = srv.client.get(f"/v1/jobs/{r.headers['x-job-id']}").json()
    assert job["status"] == "failed" and "RuntimeError: scripted failure" in job["error"]


def test_a_crashing_worker_is_retried_then_failed_and_replaced(srv):
    r = srv.client.post("/v1/jobs", json={"dataset": "demo", "overrides": {"description": "crash"}})
    job = poll_job(srv.client, r.json()["id"])
    assert job["status"] == "failed" and job["attempts"] == 2
    assert "exit code 3" in job["error"] and "not retried" in job["error"]
    wait_until(lambda: srv.client.get("/healthz").json()["workers"]["ready"] == 2, 60, "workers replaced")
    assert srv.client.post("/v1/solve", json={"dataset": "demo"}).json()["status"] == "optimal"


# ---- CSV export ------------------------------------------------------------------------------

def test_csv_export_of_every_table(srv):
    r = srv.client.post("/v1/solve", json={"dataset": "demo"})
    job_id, res = r.headers["x-job-id"], r.json()
    for table in TABLES:
        c = srv.client.get(f"/v1/jobs/{job_id}/result", params={"format": "csv", "table": table})
        assert c.status_code == 200, (table, c.text)
        assert c.headers["content-type"].startswith("text/csv")
        assert f"{job_id}-{table}.csv" in c.headers["content-disposition"]
        rows = list(csv.DictReader(io.StringIO(c.text)))
        row_model = Result.model_fields[table].annotation.__args__[0]
        assert c.text.splitlines()[0].split(",") == list(row_model.model_fields)
        assert len(rows) == len(res[table])
        as_json = srv.client.get(f"/v1/jobs/{job_id}/result", params={"table": table}).json()
        assert as_json == res[table]
    cities = list(csv.DictReader(io.StringIO(
        srv.client.get(f"/v1/jobs/{job_id}/result", params={"format": "csv", "table": "cities"}).text)))
    assert [c["code"] for c in cities] == [c["code"] for c in res["cities"]]
    assert float(cities[0]["new_land_ha"]) == pytest.approx(res["cities"][0]["new_land_ha"])
    body = assert_error_shape(srv.client.get(f"/v1/jobs/{job_id}/result", params={"format": "csv"}), 422)
    assert body["problems"][0]["loc"] == ["query", "table"]
    body = assert_error_shape(srv.client.get(f"/v1/jobs/{job_id}/result",
                                             params={"format": "csv", "table": "nope"}), 422)
    assert body["problems"][0]["loc"] == ["query", "table"] and body["problems"][0]["rule"] == "literal_error"
    assert_error_shape(srv.client.get(f"/v1/jobs/{job_id}/result", params={"format": "xml"}), 422)


# ---- approval routing ------------------------------------------------------------------------

@pytest.mark.parametrize("province,parcels,entrusted,authority", [
    ("510000", [("arable", 20), ("arable", 20)], None, "state_council"),      # 40 ha > 35 together
    ("510000", [("arable", 35), ("other", 70)], None, "province"),            # at both thresholds
    ("320000", [("arable", 36)], None, "province_entrusted"),                 # pilot province
    ("320000", [("arable", 36)], False, "state_council"),                     # entrustment overridden
    ("510000", [("permanent_basic_farmland", 0.1)], True, "province_entrusted"),
    ("440000", [("other", 71)], None, "province_entrusted"),
])
def test_approval_route(srv, province, parcels, entrusted, authority):
    body = {"province_code": province, "parcels": [{"land_type": t, "area_ha": a} for t, a in parcels]}
    if entrusted is not None:
        body["entrusted"] = entrusted
    r = srv.client.post("/v1/approval-route", json=body)
    assert r.status_code == 200, r.text
    got = r.json()
    pol = PolicyParameters()
    ent = entrusted if entrusted is not None else province in pol.entrusted_province_codes
    expected = route(body["parcels"], ent, pol)
    assert got["authority"] == expected.authority == authority
    assert got["reason"] == expected.reason and got["legal_basis"] == expected.legal_basis
    assert got["entrusted"] == ent and got["province_code"] == province


def test_approval_route_lists_every_problem(srv):
    r = srv.client.post("/v1/approval-route", json={
        "province_code": "990000", "parcels": [{"land_type": "swamp", "area_ha": 0}], "extra": 1})
    body = assert_error_shape(r, 422)
    got = {(tuple(p["loc"]), p["rule"]) for p in body["problems"]}
    assert got == {
        (("body", "province_code"), "unknown_province"),
        (("body", "parcels", 0, "land_type"), "literal_error"),
        (("body", "parcels", 0, "area_ha"), "greater_than"),
        (("body", "extra"), "extra_forbidden"),
    }
    assert_error_shape(srv.client.post("/v1/approval-route", json={"province_code": "510000", "parcels": []}), 422)


# ---- input errors --------------------------------------------------------------------------------

def test_request_validation_errors_list_every_problem(srv):
    r = srv.client.post("/v1/solve", json={"dataset": "demo", "scenario": None,
                                           "options": {"time_limit_s": -1, "mip_rel_gap": 2, "bogus": True}})
    body = assert_error_shape(r, 422)
    got = {(tuple(p["loc"]), p["rule"]) for p in body["problems"]}
    assert got == {
        (("body", "options", "time_limit_s"), "greater_than"),
        (("body", "options", "mip_rel_gap"), "less_than_equal"),
        (("body", "options", "bogus"), "extra_forbidden"),
    }
    body = assert_error_shape(srv.client.post("/v1/solve", json={}), 422)
    assert body["problems"][0]["rule"] == "dataset_or_scenario"
    body = assert_error_shape(srv.client.post("/v1/solve", content=b"{not json",
                                              headers={"content-type": "application/json"}), 422)
    assert body["problems"][0]["rule"] == "json_invalid"
    body = assert_error_shape(srv.client.post("/v1/solve", params={"wait_s": 10_000}, json={"dataset": "demo"}), 422)
    assert body["problems"][0]["loc"] == ["query", "wait_s"]
    body = assert_error_shape(srv.client.post("/v1/solve", json={"dataset": "demo",
                                                                 "options": {"time_limit_s": 80_000}}), 422)
    assert body["problems"][0]["loc"] == ["body", "options", "time_limit_s"]


def test_scenario_rules_come_back_in_the_same_shape(srv):
    d = dataset_dict("demo")
    d["cities"][1]["province_code"] = "110000"          # not in the scenario
    d["projects"][0]["city_code"] = "999999"            # unknown city
    d["projects"][1]["id"] = d["projects"][2]["id"]     # duplicate id
    body = assert_error_shape(srv.client.post("/v1/solve", json={"scenario": d}), 422)
    got = {(tuple(p["loc"]), p["rule"]) for p in body["problems"]}
    assert (("body", "scenario", "cities", 1, "province_code"), "unknown_province") in got
    assert (("body", "scenario", "projects", 0, "city_code"), "unknown_city") in got
    assert (("body", "scenario", "projects", 2, "id"), "duplicate_id") in got
    # per-field rules of the scenario, found by request validation, have the same shape
    d = dataset_dict("demo")
    d["cities"][0]["resident_population"] = -1
    body = assert_error_shape(srv.client.post("/v1/solve", json={"scenario": d}), 422)
    assert body["problems"][0]["loc"] == ["body", "scenario", "cities", 0, "resident_population"]


def test_override_errors(srv):
    body = assert_error_shape(srv.client.post("/v1/solve", json={"dataset": "demo", "overrides": {
        "policy.no_such_field": 1, "cities[000000].settlers_per_year": 5}}), 422)
    got = {(tuple(p["loc"]), p["rule"]) for p in body["problems"]}
    assert got == {(("body", "overrides", "policy.no_such_field"), "bad_override"),
                   (("body", "overrides", "cities[000000].settlers_per_year"), "bad_override")}
    body = assert_error_shape(srv.client.post("/v1/jobs", json={"dataset": "demo", "overrides": {
        "provinces[510000].new_land_pool_ha_per_year": -5}}), 422)
    assert body["problems"][0]["loc"][:2] == ["body", "overrides"]
    assert body["problems"][0]["rule"] == "greater_than_equal"


def test_unknown_dataset_and_job_are_404(srv):
    assert "no-such" in assert_error_shape(srv.client.post("/v1/solve", json={"dataset": "no-such"}), 404)["detail"]
    assert_error_shape(srv.client.post("/v1/jobs", json={"dataset": "no-such"}), 404)
    for method, path in [("GET", "/v1/jobs/abc"), ("GET", "/v1/jobs/abc/result"), ("DELETE", "/v1/jobs/abc")]:
        assert_error_shape(srv.client.request(method, path), 404)
    assert_error_shape(srv.client.get("/v1/nothing-here"), 404)
    assert_error_shape(srv.client.put("/v1/solve"), 405)


def test_oversized_body_is_413_before_parsing(srv):
    big = b'{"dataset": "demo", "pad": "' + b"x" * (MAX_BODY + 10) + b'"}'
    body = assert_error_shape(srv.client.post("/v1/solve", content=big, headers={"content-type": "application/json"}), 413)
    assert str(MAX_BODY) in body["detail"]

    def chunks():  # no Content-Length: the limit is enforced on the bytes received
        for i in range(0, len(big), 65536):
            yield big[i:i + 65536]

    assert_error_shape(srv.client.post("/v1/jobs", content=chunks(), headers={"content-type": "application/json"}), 413)
    # a body just under the limit is parsed (and refused for its content, not its size)
    ok = b'{"dataset": "demo", "pad": "' + b"x" * (MAX_BODY - 100) + b'"}'
    body = assert_error_shape(srv.client.post("/v1/solve", content=ok, headers={"content-type": "application/json"}), 422)
    assert body["problems"][0]["rule"] == "extra_forbidden"


def test_an_unexpected_error_is_a_clean_json_500(srv, caplog):
    """The catch-all: logged with a reference, answered in the one error shape, no traceback."""
    datasets = srv.service.datasets
    original = datasets.summaries

    def boom():
        raise RuntimeError("secret internals")

    datasets.summaries = boom
    try:
        r = srv.client.get("/v1/datasets")
    finally:
        datasets.summaries = original
    body = assert_error_shape(r, 500)
    assert "logged as" in body["detail"] and "secret" not in r.text and "Traceback" not in r.text
    assert srv.client.get("/v1/datasets").status_code == 200


def test_large_results_are_gzipped_for_clients_that_accept_it(srv):
    job_id = srv.client.post("/v1/jobs", json={"dataset": "china-2020"}).json()["id"]
    assert poll_job(srv.client, job_id, timeout=120)["status"] == "succeeded"
    url = f"/v1/jobs/{job_id}/result"
    with srv.client.stream("GET", url, headers={"Accept-Encoding": "gzip"}) as z:
        body = z.read()
        assert z.headers["content-encoding"] == "gzip"
        assert z.num_bytes_downloaded * 5 < len(body)  # sent compressed, at least five-fold
    plain = srv.client.get(url, headers={"Accept-Encoding": "identity"})
    assert "content-encoding" not in plain.headers
    assert Result.model_validate_json(body).model_dump(mode="json") == plain.json()  # the same answer either way
    assert plain.json()["status"] == "optimal"
