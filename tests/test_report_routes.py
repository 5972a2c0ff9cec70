"""GET /v1/jobs/{id}/report, /v1/jobs/{id}/scenario and /v1/batches/{id}/report on a real server."""

from __future__ import annotations

import hashlib
import json
import re

import pytest

from landquota.datasets import dataset_dict
from landquota.models.scenario import load_scenario
from landquota.service.report import TILES
from tests.test_service_support import ServerThread, poll_job, settings_for, wait_until

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    with ServerThread(settings_for(tmp_path_factory.mktemp("reports"))) as s:
        yield s


def test_job_report_and_scenario(server):
    c = server.client
    r = c.post("/v1/solve", json={"dataset": "demo", "overrides": {"provinces[510000].new_land_pool_ha_per_year": 250}})
    assert r.status_code == 200, r.text
    job_id = r.headers["x-job-id"]
    result = r.json()
    view = c.get(f"/v1/jobs/{job_id}").json()
    assert view["links"]["report"] == f"/v1/jobs/{job_id}/report"
    assert view["links"]["scenario"] == f"/v1/jobs/{job_id}/scenario"
    # the scenario: the canonical bytes whose checksum the result carries, with the override in it
    s = c.get(view["links"]["scenario"])
    assert s.status_code == 200 and s.headers["content-type"].startswith("application/json")
    assert hashlib.sha256(s.content).hexdigest() == result["stats"]["scenario_sha256"]
    data = json.loads(s.content)
    assert next(p for p in data["provinces"] if p["code"] == "510000")["new_land_pool_ha_per_year"] == 250
    base = dataset_dict("demo")
    assert load_scenario(data).model_dump() != load_scenario(base).model_dump()
    # the report: the page, its 31 tiles, the checksum and a link that resolves to the scenario
    h = c.get(view["links"]["report"])
    assert h.status_code == 200 and h.headers["content-type"].startswith("text/html")
    page = h.text
    assert page.count('<g class="tile"') == len(TILES) == 31
    assert result["stats"]["scenario_sha256"] in page and 'href="scenario"' in page
    assert result["explain"]["summary_en"][:40] in page
    assert not re.search(r'(src|href)=["\']?(https?:)?//', page)
    # someone else's job is not found; an unknown job neither
    assert c.get("/v1/jobs/nope/report").status_code == 404
    assert c.get("/v1/jobs/nope/scenario").status_code == 404
    # a finished job, deleted, takes its scenario and report with it
    assert c.delete(f"/v1/jobs/{job_id}").status_code == 204
    assert c.get(view["links"]["scenario"]).status_code == 404
    assert c.get(view["links"]["report"]).status_code == 404


def test_report_of_an_unfinished_job_is_409(server, tmp_path):
    from tests.test_service_support import blocked

    gate = tmp_path / "gate"
    c = server.client
    r = c.post("/v1/jobs", json=blocked(gate))
    job_id = r.json()["id"]
    wait_until(lambda: c.get(f"/v1/jobs/{job_id}").json()["status"] == "running", 30, "running")
    assert c.get(f"/v1/jobs/{job_id}/report").status_code == 409
    assert c.get(f"/v1/jobs/{job_id}/scenario").status_code == 200  # the scenario is known at once
    gate.unlink()
    poll_job(c, job_id)
    assert c.get(f"/v1/jobs/{job_id}/report").status_code == 200


def test_batch_report(server):
    c = server.client
    spec = {"name": "pools", "base": {"dataset": "demo"},
            "grid": {"parameters": {"provinces[510000].new_land_pool_ha_per_year": [200, 300, 400]}}}
    r = c.post("/v1/batches", json=spec)
    assert r.status_code == 202, r.text
    bid = r.json()["id"]
    wait_until(lambda: c.get(f"/v1/batches/{bid}").json()["status"] in ("succeeded", "failed"), 120, "batch")
    view = c.get(f"/v1/batches/{bid}").json()
    assert view["links"]["report"] == f"/v1/batches/{bid}/report"
    h = c.get(view["links"]["report"])
    assert h.status_code == 200 and h.headers["content-type"].startswith("text/html")
    res = c.get(f"/v1/batches/{bid}/results").json()
    rows, kpis = res["rows"], res["kpis"]
    text = re.sub(r"<[^>]+>", " ", h.text)
    for row in rows:
        assert row["variant"] in text
    assert "四川 510000" in text and "New land by province and variant" in text
    assert h.text.count("<circle") == 3 * len(kpis)  # each KPI plotted against the 3 pool sizes
    assert c.get("/v1/batches/nope/report").status_code == 404
