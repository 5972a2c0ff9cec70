"""Faults and load on real servers: a solver worker killed mid-solve, a real HiGHS time limit, a
read-only database, a full disk, and a short run of ``bench/load.py`` (many clients against
``landquota serve``: no 5xx, no lost job, memory back near its start).

A server killed in the middle of a batch and restarted is in
``tests/test_service_batches.py::test_batch_resumes_after_the_server_is_killed``; a killed server's
jobs re-run or failed with the reason in ``tests/test_service_lifecycle.py``.
"""

from __future__ import annotations

import errno
import importlib.util
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from landquota.service.worker import solve_payload
from tests.test_service_support import ServerThread, blocked, poll_job, settings_for, wait_until

pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parents[1]
NATIONAL_MIP = {"dataset": "china-2020", "options": {"whole_projects": True, "mip_rel_gap": 0.0, "time_limit_s": 120}}


def assert_503(r, reason: str) -> dict:
    assert r.status_code == 503, r.text
    body = r.json()
    assert set(body) == {"detail", "problems"} and reason in body["detail"], body
    assert int(r.headers["retry-after"]) >= 1
    return body


# ---- a solver worker killed in the middle of a real solve -------------------------------------------

def _kill_when_solving(s: ServerThread, job_id: str) -> int:
    """SIGKILL the worker of ``job_id`` once HiGHS is running it; returns the attempt it killed."""
    def solving():
        j = s.client.get(f"/v1/jobs/{job_id}").json()
        return j["status"] == "running" and j["progress"]["phase"] == "solving" and j

    job = wait_until(solving, 120, "the solve to start", every=0.02)
    pid = s.service.pool.worker_pid(job_id)
    assert pid
    os.kill(pid, signal.SIGKILL)
    return job["attempts"]


def test_a_worker_killed_mid_solve_is_retried_then_failed_with_the_reason(tmp_path):
    with ServerThread(settings_for(tmp_path, workers=1, max_attempts=2), solve_fn=solve_payload) as s:
        wait_until(lambda: s.client.get("/healthz").json()["workers"]["ready"] == 1, 60, "worker ready")
        # killed once: re-queued, and the second attempt solves it
        job_id = s.client.post("/v1/jobs", json={**NATIONAL_MIP, "options": {"whole_projects": True}}).json()["id"]
        assert _kill_when_solving(s, job_id) == 1
        job = poll_job(s.client, job_id, timeout=120)
        assert job["status"] == "succeeded" and job["attempts"] == 2 and job["result_status"] == "optimal"
        assert "died (exit code -9" in job["note"] and "re-queued" in job["note"]
        res = s.client.get(f"/v1/jobs/{job_id}/result").json()
        assert res["status"] == "optimal" and all(p["selected_share"] in (0.0, 1.0) for p in res["projects"])
        # killed on every attempt: failed, with the reason; the server keeps serving meanwhile
        job_id = s.client.post("/v1/jobs", json=NATIONAL_MIP).json()["id"]
        assert _kill_when_solving(s, job_id) == 1
        assert s.client.get("/v1/datasets").status_code == 200
        assert _kill_when_solving(s, job_id) == 2
        job = poll_job(s.client, job_id, timeout=60)
        assert job["status"] == "failed" and job["attempts"] == 2
        assert "solver worker died (exit code -9" in job["error"] and "not retried" in job["error"]
        r = s.client.get(f"/v1/jobs/{job_id}/result")
        assert r.status_code == 200 and r.json()["status"] == "error" and "worker died" in r.json()["message"]
        wait_until(lambda: s.client.get("/healthz").json()["workers"]["ready"] == 1, 60, "worker replaced")
        assert s.client.post("/v1/solve", json={"dataset": "demo"}).json()["status"] == "optimal"


# ---- a real time limit ---------------------------------------------------------------------------

def test_a_solve_at_its_time_limit_returns_what_it_has(tmp_path):
    """The national MIP solved to a zero gap takes seconds; with a 0.2 s limit HiGHS stops and the
    answer is 200 with status time_limit and, when HiGHS has an incumbent, its allocation."""
    with ServerThread(settings_for(tmp_path, workers=1), solve_fn=solve_payload) as s:
        req = {**NATIONAL_MIP, "options": {**NATIONAL_MIP["options"], "time_limit_s": 0.2}}
        r = s.client.post("/v1/solve", json=req, params={"wait_s": 60})
        assert r.status_code == 200, r.text
        res = r.json()
        assert res["status"] == "time_limit"
        job = s.client.get(f"/v1/jobs/{r.headers['x-job-id']}").json()
        assert job["status"] == "succeeded" and job["result_status"] == "time_limit"
        if res["objective_cny_100m"] is not None:  # an incumbent: the allocation found so far
            chosen = [p for p in res["projects"] if p["selected_share"] > 0.5]
            assert chosen and all(p["selected_share"] in (0.0, 1.0) for p in res["projects"])
            assert sum(p["new_land_ha"] for p in res["provinces"]) > 0
            assert job["objective_cny_100m"] == pytest.approx(res["objective_cny_100m"])
        else:
            assert res["message"]


# ---- the database will not take writes ---------------------------------------------------------------

def test_a_read_only_database_is_503_with_the_reason(tmp_path):
    st = settings_for(tmp_path, workers=1)
    with ServerThread(st) as s:
        job_id = s.client.post("/v1/solve", json={"dataset": "demo"}).headers["x-job-id"]
    path = tmp_path / "landquota.db"
    ro = settings_for(tmp_path, workers=1, database_url=f"sqlite:///file:{path}?mode=ro&uri=true")
    with ServerThread(ro) as s:
        c = s.client
        assert c.get("/healthz").json()["status"] == "ok"
        assert c.get(f"/v1/jobs/{job_id}/result").json()["status"] == "optimal"  # reads still work
        for method, path_, body in (("POST", "/v1/jobs", {"dataset": "demo"}),
                                    ("POST", "/v1/solve", {"dataset": "demo"}),
                                    ("POST", "/v1/batches", {"base": {"dataset": "demo"}}),
                                    ("DELETE", f"/v1/jobs/{job_id}", None)):
            assert_503(c.request(method, path_, json=body), "the database is read-only")
        h = c.get("/healthz")
        assert h.status_code == 503 and h.json()["status"] == "degraded" and "read-only" in h.json()["database"]
        assert c.get(f"/v1/jobs/{job_id}").json()["status"] == "succeeded"  # still serving; nothing lost


@pytest.fixture
def small_disk(tmp_path):
    """A 6 MB tmpfs (mounting needs root; skipped elsewhere)."""
    mnt = tmp_path / "disk"
    mnt.mkdir()
    if os.geteuid() != 0 or not shutil.which("mount"):
        pytest.skip("mounting a small tmpfs needs root")
    p = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=6m", "tmpfs", str(mnt)], capture_output=True, text=True)
    if p.returncode:
        pytest.skip(f"cannot mount a tmpfs here: {p.stderr.strip()}")
    try:
        yield mnt
    finally:
        subprocess.run(["umount", "-l", str(mnt)], capture_output=True)


def fill(path: Path) -> Path:
    """Fill the file system of ``path`` (a file of zeros until ENOSPC)."""
    filler = path / "filler"
    fd = os.open(filler, os.O_WRONLY | os.O_CREAT)  # unbuffered: nothing left to flush on close
    try:
        while True:
            os.write(fd, b"\0" * 65536)
    except OSError as e:
        assert e.errno == errno.ENOSPC
    finally:
        os.close(fd)
    return filler


def test_a_full_disk_is_503_and_nothing_is_lost(tmp_path, small_disk):
    st = settings_for(small_disk, workers=1, db_retry_after_s=7)
    with ServerThread(st) as s:
        c = s.client
        done = c.post("/v1/solve", json={"dataset": "demo"}).headers["x-job-id"]
        gate = tmp_path / "gate"
        running = c.post("/v1/jobs", json=blocked(gate)).json()["id"]
        wait_until(lambda: c.get(f"/v1/jobs/{running}").json()["status"] == "running", 30, "running")
        filler = fill(small_disk)
        # new work is refused with the reason; the server keeps answering what it has
        body = assert_503(c.post("/v1/jobs", json={"dataset": "demo"}), "disk is full")
        assert c.post("/v1/jobs", json={"dataset": "demo"}).headers["retry-after"] == "7"
        assert "database" in body["detail"]
        assert c.get(f"/v1/jobs/{done}/result").json()["status"] == "optimal"
        h = c.get("/healthz")
        assert h.status_code == 503 and "disk is full" in h.json()["database"]
        # the running job finishes while the disk is full: its answer is kept, not lost
        gate.unlink()
        time.sleep(1.5)
        assert c.get(f"/v1/jobs/{running}").json()["status"] == "running"
        filler.unlink()
        job = poll_job(c, running, timeout=30)
        assert job["status"] == "succeeded" and job["result_status"] == "optimal"
        assert c.post("/v1/solve", json={"dataset": "demo"}).json()["status"] == "optimal"
        assert c.get("/healthz").json()["status"] == "ok"


# ---- load ------------------------------------------------------------------------------------------------

def _load_module():
    spec = importlib.util.spec_from_file_location("bench_load", ROOT / "bench" / "load.py")
    mod = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = mod  # its dataclasses look their module up
    spec.loader.exec_module(mod)
    return mod


def test_short_load_run(tmp_path):
    """bench/load.py with 10 clients for 10 s (the full run is 50 for 60 s): the same checks."""
    report = _load_module().run(clients=10, seconds=10, workers=2, drain_s=120, data_dir=tmp_path, quiet=True)
    assert report["server_errors_5xx"] == 0, report
    assert report["unexpected_count"] == 0, report["unexpected"]
    assert report["jobs_accepted"] > 0 and report["jobs_lost"] == 0, report["jobs"]
    assert report["checks"]["memory_back"], report["memory_mb"]
    assert report["ok"], report["checks"]
    assert not report["server_log_errors"], report["server_log_errors"]
    kinds = report["kinds"]
    assert all(kinds[k]["requests"] > 0 for k in ("demo_solve", "status", "route", "datasets"))
