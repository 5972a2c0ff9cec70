"""The service's life: a full queue, a runaway job, restarts (clean and abrupt), `landquota serve`
itself, configuration, and PostgreSQL (when a server can be started here)."""

from __future__ import annotations

import os
import time
from pathlib import Path

import pytest

from landquota.datasets import load_dataset
from landquota.service.db import make_engine
from landquota.service.jobs import JobStore
from landquota.service.settings import Settings
from landquota.solvers.highs import solve_scenario
from tests.test_service_support import Serve, ServerThread, blocked, poll_job, settings_for, wait_until

pytestmark = pytest.mark.slow


def _demo_objective() -> float:
    return solve_scenario(load_dataset("demo")).objective_cny_100m


# ---- a full queue and a runaway job -------------------------------------------------------------

@pytest.fixture(scope="module")
def small(tmp_path_factory):
    """One worker, room for two waiting jobs, one second of grace past a time limit."""
    tmp = tmp_path_factory.mktemp("small")
    with ServerThread(settings_for(tmp, workers=1, max_queued_jobs=2, retry_after_s=7, solve_grace_s=1.0)) as s:
        wait_until(lambda: s.client.get("/healthz").json()["workers"]["ready"] == 1, 60, "worker ready")
        yield s


def test_queue_full_is_429_with_retry_after(small, tmp_path):
    c = small.client
    gate = tmp_path / "gate"
    running = c.post("/v1/jobs", json=blocked(gate)).json()["id"]
    wait_until(lambda: c.get(f"/v1/jobs/{running}").json()["status"] == "running", 30, "running")
    waiting = [c.post("/v1/jobs", json=blocked(gate)).json()["id"] for _ in range(2)]
    assert [c.get(f"/v1/jobs/{i}").json()["progress"]["queue_position"] for i in waiting] == [1, 2]
    for path in ("/v1/jobs", "/v1/solve"):
        r = c.post(path, json={"dataset": "demo"})
        assert r.status_code == 429 and r.headers["retry-after"] == "7"
        assert "queue is full" in r.json()["detail"] and r.json()["problems"] == []
    # cancelling a queued job makes room
    r = c.delete(f"/v1/jobs/{waiting[0]}")
    assert r.status_code == 200 and r.json()["status"] == "cancelled"
    assert c.get(f"/v1/jobs/{waiting[1]}").json()["progress"]["queue_position"] == 1
    extra = c.post("/v1/jobs", json={"dataset": "demo"})
    assert extra.status_code == 202
    gate.unlink()
    for job_id in (running, waiting[1], extra.json()["id"]):
        assert poll_job(c, job_id)["status"] == "succeeded"
    assert poll_job(c, waiting[0])["status"] == "cancelled"


def test_a_job_past_its_time_limit_is_stopped(small, tmp_path):
    c = small.client
    req = blocked(tmp_path / "gate")
    req["options"] = {"time_limit_s": 0.5}
    job_id = c.post("/v1/jobs", json=req).json()["id"]
    t0 = time.monotonic()
    job = poll_job(c, job_id, timeout=30)
    assert job["status"] == "failed" and "after its time limit" in job["error"]
    assert 1.4 < time.monotonic() - t0 < 15
    wait_until(lambda: c.get("/healthz").json()["workers"]["ready"] == 1, 60, "worker replaced")
    assert c.post("/v1/solve", json={"dataset": "demo"}).json()["status"] == "optimal"


# ---- restarts ------------------------------------------------------------------------------------

def test_clean_restart_reruns_the_job_that_was_running(tmp_path):
    gate = tmp_path / "gate"
    st = settings_for(tmp_path, workers=1, shutdown_grace_s=0.3)
    with ServerThread(st) as a:
        job_id = a.client.post("/v1/jobs", json=blocked(gate)).json()["id"]
        wait_until(lambda: a.client.get(f"/v1/jobs/{job_id}").json()["status"] == "running", 30, "running")
        queued = a.client.post("/v1/jobs", json={"dataset": "demo"}).json()["id"]
    store = JobStore(make_engine(st.db_url), 10)
    left = store.get(job_id)
    assert left.status == "queued" and "stopped while it ran" in left.note
    assert store.get(queued).status == "queued"
    store.engine.dispose()
    gate.unlink()
    with ServerThread(st) as b:
        again = poll_job(b.client, job_id)
        assert again["status"] == "succeeded" and again["attempts"] == 2
        assert poll_job(b.client, queued)["status"] == "succeeded"
        res = b.client.get(f"/v1/jobs/{job_id}/result").json()
        assert res["objective_cny_100m"] == pytest.approx(_demo_objective(), rel=1e-9)


def test_abrupt_stop_reruns_or_fails_jobs_left_running(tmp_path):
    """What a killed service leaves behind (rows still `running`) is re-run while attempts are left,
    else failed with the reason."""
    st = settings_for(tmp_path, workers=1, max_attempts=2)
    store = JobStore(make_engine(st.db_url), 10)
    scenario = load_dataset("demo").model_dump(mode="json")
    options = {"time_limit_s": 60.0, "whole_projects": False, "mip_rel_gap": 1e-4, "duals": True}
    for job_id in ("once", "twice"):
        store.create(job_id, request={"dataset": "demo"}, scenario=scenario, scenario_name="demo",
                     dataset="demo", options=options)
    assert store.claim_next()[0] == "once"
    assert store.claim_next()[0] == "twice"
    assert store.requeue("twice", "test") and store.claim_next()[0] == "twice"   # its second attempt
    assert (store.get("once").attempts, store.get("twice").attempts) == (1, 2)
    store.engine.dispose()
    with ServerThread(st) as s:
        once = poll_job(s.client, "once")
        assert once["status"] == "succeeded" and once["attempts"] == 2 and "re-queued" in once["note"]
        twice = s.client.get("/v1/jobs/twice").json()
        assert twice["status"] == "failed" and "service stopped while the job ran, 2 time(s)" in twice["error"]
        res = s.client.get("/v1/jobs/twice/result")
        assert res.status_code == 200 and res.json()["status"] == "error"



def test_landquota_serve_keeps_jobs_across_a_restart(tmp_path):
    """Submit to a service with no workers, stop it, start it again with one: the job runs."""
    with Serve(tmp_path, workers=0) as a:
        h = a.client.get("/healthz").json()
        assert h["workers"]["configured"] == 0 and "demo" in h["datasets"]
        r = a.client.post("/v1/jobs", json={"dataset": "demo"})
        assert r.status_code == 202
        job_id = r.json()["id"]
        time.sleep(0.3)
        assert a.client.get(f"/v1/jobs/{job_id}").json()["status"] == "queued"
        assert a.stop()
    assert (tmp_path / "var" / "landquota.db").is_file()  # the documented default, under the cwd
    with Serve(tmp_path, workers=1) as b:
        job = poll_job(b.client, job_id)
        assert job["status"] == "succeeded"
        res = b.client.get(f"/v1/jobs/{job_id}/result").json()
        assert res["status"] == "optimal"
        assert res["objective_cny_100m"] == pytest.approx(_demo_objective(), rel=1e-9)
        # and the sync path of the real command
        assert b.client.post("/v1/solve", json={"dataset": "demo"}).json()["status"] == "optimal"
        assert b.stop()


# ---- configuration -------------------------------------------------------------------------------

def test_settings_from_environment(monkeypatch, tmp_path):
    for k in list(os.environ):
        if k.startswith("LANDQUOTA_"):
            monkeypatch.delenv(k)
    s = Settings()
    assert s.db_url == f"sqlite:///{Path('var/landquota.db').resolve()}"
    assert s.worker_count == (os.cpu_count() or 1) and s.max_queued_jobs == 64
    monkeypatch.setenv("LANDQUOTA_WORKERS", "3")
    monkeypatch.setenv("LANDQUOTA_DATA_DIR", str(tmp_path))
    monkeypatch.setenv("LANDQUOTA_MAX_BODY_BYTES", "5000")
    monkeypatch.setenv("LANDQUOTA_PRELOAD_DATASETS", '["demo"]')
    s = Settings()
    assert (s.worker_count, s.max_body_bytes, s.preload_datasets) == (3, 5000, ["demo"])
    assert s.db_url == f"sqlite:///{tmp_path / 'landquota.db'}"
    monkeypatch.setenv("LANDQUOTA_DATABASE_URL", "postgresql+psycopg://u@h/db")
    assert Settings().db_url == "postgresql+psycopg://u@h/db"
    monkeypatch.setenv("LANDQUOTA_WORKERS", "-1")
    with pytest.raises(ValueError):
        Settings()


# ---- PostgreSQL ------------------------------------------------------------------------------------

def test_postgresql_database(postgres_url, tmp_path):
    st = settings_for(tmp_path, database_url=postgres_url, workers=1)
    with ServerThread(st) as s:
        assert s.client.get("/healthz").json()["database"] == "postgresql: ok"
        r = s.client.post("/v1/solve", json={"dataset": "demo"})
        assert r.status_code == 200 and r.json()["status"] == "optimal"
        job_id = r.headers["x-job-id"]
        queued = s.client.post("/v1/jobs", json={"dataset": "demo", "options": {"whole_projects": True}}).json()["id"]
        assert poll_job(s.client, queued)["result_status"] == "optimal"
    with ServerThread(st) as s:  # kept across a restart
        res = s.client.get(f"/v1/jobs/{job_id}/result").json()
        assert res["objective_cny_100m"] == pytest.approx(_demo_objective(), rel=1e-9)
        assert s.client.delete(f"/v1/jobs/{job_id}").status_code == 204
        assert s.client.get(f"/v1/jobs/{job_id}").status_code == 404
