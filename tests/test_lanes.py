"""Small jobs do not wait behind large ones (service.jobs.Lanes; the dispatcher's reservation)."""

from __future__ import annotations

import pytest
from sqlalchemy import text

from landquota.service.db import make_engine
from landquota.service.jobs import JobStore, Lanes, size_columns
from tests.test_service_support import ServerThread, blocked, poll_job, settings_for, wait_until


@pytest.fixture(params=["sqlite", "postgresql"])
def db_url(request, tmp_path):
    """Each store test runs on both databases the service supports (the lane order is SQL)."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'jobs.db'}"
        return
    url = request.getfixturevalue("postgres_url")
    engine = make_engine(url)

    def clean():  # the server is shared by the session: each test starts and leaves the table empty
        with engine.begin() as c:
            c.execute(text("DELETE FROM jobs"))

    clean()
    yield url
    clean()
    engine.dispose()


@pytest.fixture
def make_store(db_url):
    stores = []

    def make(**lanes) -> JobStore:
        stores.append(JobStore(make_engine(db_url), 100, Lanes(**{"small_columns": 100, **lanes})))
        return stores[-1]

    yield make
    for s in stores:
        s.engine.dispose()


def _queue(store, jobs: list[tuple[str, int | None]]) -> None:
    for job_id, size in jobs:
        store.create(job_id, request={}, scenario={}, scenario_name=job_id, dataset=None, options={}, size_columns=size)


JOBS = [("L1", 5_000), ("S1", 60), ("L2", 120_000), ("old", None), ("S2", 100)]


def test_small_jobs_are_claimed_first_oldest_first_in_each_lane(make_store):
    store = make_store()
    _queue(store, JOBS)
    assert [store.queue_position(store.get(j)) for j, _ in JOBS] == [4, 1, 5, 2, 3]
    order = [store.claim_next() for _ in JOBS]
    assert [(c[0], c[3]) for c in order] == [("S1", False), ("old", False), ("S2", False), ("L1", True), ("L2", True)]
    assert store.claim_next() is None


def test_without_room_for_large_jobs_only_small_ones_are_claimed(make_store):
    store = make_store()
    _queue(store, JOBS)
    assert [store.claim_next(large_ok=False)[0] for _ in range(3)] == ["S1", "old", "S2"]
    assert store.claim_next(large_ok=False) is None  # only large jobs wait: they stay queued
    assert store.get("L1").status == "queued"
    assert store.claim_next()[0] == "L1"


def test_a_large_job_that_waited_long_enough_queues_with_the_small_ones(make_store):
    store = make_store(max_wait_s=0.0)  # every large job has waited its time
    _queue(store, JOBS)
    assert [store.claim_next()[0] for _ in JOBS] == [j for j, _ in JOBS]  # plain submission order


def test_size_estimate():
    assert size_columns(projects=396, cities=65, years=1) == 461  # china-2020
    assert size_columns(projects=21_000, cities=3_000, years=5) == 120_000


@pytest.mark.slow
def test_a_small_job_runs_while_large_ones_hold_the_queue(tmp_path):
    """Two workers: one large job runs, the next large one waits (the last worker is kept for small
    jobs), and a small job submitted after both starts and finishes at once."""
    gate = tmp_path / "gate"
    with ServerThread(settings_for(tmp_path, workers=2, small_job_columns=100)) as s:
        c = s.client
        wait_until(lambda: c.get("/healthz").json()["workers"]["ready"] == 2, 60, "two workers ready")
        large = {"dataset": "china-2020", "overrides": blocked(gate)["overrides"]}
        first = c.post("/v1/jobs", json=large).json()["id"]
        wait_until(lambda: c.get(f"/v1/jobs/{first}").json()["status"] == "running", 30, "first large job running")
        second = c.post("/v1/jobs", json=large).json()["id"]
        small = c.post("/v1/jobs", json={"dataset": "demo"}).json()["id"]
        done = poll_job(c, small, timeout=60)
        assert done["status"] == "succeeded"
        view = c.get(f"/v1/jobs/{second}").json()
        assert view["status"] == "queued" and view["progress"]["queue_position"] == 1
        assert view["progress"]["lane"] == "large" and done["progress"]["lane"] == "small"
        assert c.get(f"/v1/jobs/{first}").json()["status"] == "running"  # the small one did not wait for it
        gate.unlink()
        a, b = poll_job(c, first, timeout=120), poll_job(c, second, timeout=120)
        assert a["status"] == b["status"] == "succeeded"
        assert b["timings"]["started_at"] >= a["timings"]["finished_at"]  # the two large jobs never ran side by side
