"""Issue 19: the HTTP job view shows the solver's step and HiGHS's own figures while a job runs."""

from __future__ import annotations

import json
import time

import pytest

from landquota.models.generate import generate
from tests.test_service_support import ServerThread, settings_for

pytestmark = pytest.mark.slow


def test_running_job_shows_highs_progress(tmp_path):
    """A generated 1,000-unit LP (92k columns) takes some seconds of dual simplex: polled meanwhile,
    the job view names the step and, during the solve, HiGHS's iteration count."""
    data = json.loads(json.dumps(generate(1000, 7000, 5, 0)))
    with ServerThread(settings_for(tmp_path, workers=1, max_body_bytes=50_000_000)) as s:
        r = s.client.post("/v1/jobs", json={"scenario": data})
        assert r.status_code in (200, 201, 202), r.text
        job_id = r.json()["id"]
        seen, t0 = [], time.monotonic()
        while time.monotonic() - t0 < 240:
            view = s.client.get(f"/v1/jobs/{job_id}").json()
            if view["status"] == "running":
                seen.append(view["progress"])
            elif view["status"] in ("succeeded", "failed", "cancelled"):
                break
            time.sleep(0.1)
        assert view["status"] == "succeeded" and view["progress"]["solver"] is None  # only while running
        steps = [p["solver"]["step"] for p in seen if p.get("solver")]
        assert "build" in steps and "solve" in steps, steps
        # HiGHS's figures (from its log lines) reach the view during the solve or, for a solve shorter
        # than the refresh, with the step after it
        solving = [p["solver"] for p in seen if p.get("solver") and p["solver"]["step"] in ("solve", "extract",
                                                                                             "explain")]
        assert any((f.get("iterations") or 0) > 0 for f in solving), solving[-3:]
        assert all(p["phase"] == "building" for p in seen if p.get("solver") and p["solver"]["step"] == "build")
        assert all(p["phase"] == "solving" for p in seen if p.get("solver") and p["solver"]["step"] == "solve")
        result = s.client.get(f"/v1/jobs/{job_id}/result").json()
        last = max(f["iterations"] for f in solving if f.get("iterations"))
        assert last <= 10 * result["stats"]["variables"]  # a count of iterations, not something else


def test_result_carries_the_checksum_of_the_scenario_it_solved():
    """The worker's result names the canonical bytes of its scenario (service.scenario_file), the
    bytes a GET /v1/jobs/{id}/scenario route serves."""
    import hashlib

    from landquota.datasets import dataset_dict
    from landquota.models.scenario import load_scenario
    from landquota.service.scenario_file import scenario_bytes
    from landquota.service.worker import solve_payload

    phases = []
    data = dataset_dict("demo")
    r = solve_payload({"scenario": data, "options": {}}, lambda phase, figures=None: phases.append(phase))
    raw = scenario_bytes(load_scenario(data))
    assert r["stats"]["scenario_sha256"] == hashlib.sha256(raw).hexdigest()
    assert load_scenario(json.loads(raw)) == load_scenario(data)  # the bytes are the scenario
    assert phases[0] == "validating" and "building" in phases and phases[-1] == "solving"
