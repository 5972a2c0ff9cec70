"""API keys on a real server: hashes only, scopes, per-key isolation of jobs and batches, rate and
concurrency limits (429 + Retry-After), public liveness and docs, `landquota keys`, and when
`landquota serve` asks for keys."""

from __future__ import annotations

import hashlib
import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from landquota.service.auth import RateLimiter
from tests.test_service_support import ServerThread, blocked, poll_job, settings_for, wait_until

pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parents[1]


def cli(tmp_path: Path, *args: str, ok: bool = True) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if not k.startswith("LANDQUOTA_")}
    env.update(LANDQUOTA_DATA_DIR=str(tmp_path), PYTHONIOENCODING="utf-8")
    p = subprocess.run([sys.executable, "-m", "landquota.service.cli", "keys", *args], cwd=ROOT, env=env,
                       capture_output=True, text=True, timeout=60)
    if ok:
        assert p.returncode == 0, (p.stdout, p.stderr)
    return p


def bearer(key: str) -> dict:
    return {"Authorization": f"Bearer {key}"}


@pytest.fixture(scope="module")
def srv(tmp_path_factory):
    """Keys required; generous rate limit (its own test has a server of its own); two active jobs per key."""
    st = settings_for(tmp_path_factory.mktemp("auth"), auth="on", workers=1, max_active_jobs_per_key=2,
                      rate_limit_per_minute=0)
    with ServerThread(st) as s:
        keys = s.service.keys
        s.a = keys.create("team-a", ["solve"])[1]
        s.b = keys.create("team-b", ["solve"])[1]
        s.reader = keys.create("reader", ["read"])[1]
        s.admin = keys.create("ops", ["admin"])[1]
        yield s


# ---- the command line and the database -------------------------------------------------------------

def test_keys_cli_prints_the_key_once_and_stores_only_its_hash(tmp_path):
    made = cli(tmp_path, "create", "--scope", "solve", "--name", "planning-sichuan")
    key = made.stdout.strip()
    assert key.startswith("lq_") and len(key) > 40 and "\n" not in key
    assert "shown this once" in made.stderr
    key_id = made.stderr.split()[1].rstrip(",")
    listed = cli(tmp_path, "list").stdout
    assert key_id in listed and "read solve" in listed and "planning-sichuan" in listed and "active" in listed
    assert key not in listed
    db = tmp_path / "landquota.db"
    with sqlite3.connect(db) as con:
        rows = con.execute("SELECT id, key_sha256, scopes FROM api_keys").fetchall()
    assert rows == [(key_id, hashlib.sha256(key.encode()).hexdigest(), "read solve")]
    blob = b"".join(p.read_bytes() for p in tmp_path.glob("landquota.db*"))
    assert key.encode() not in blob and key[3:].encode() not in blob

    # the server on the same data directory accepts it; revoked, it does not
    with ServerThread(settings_for(tmp_path, auth="on", workers=0)) as s:
        assert s.client.get("/v1/datasets", headers=bearer(key)).status_code == 200
        assert cli(tmp_path, "revoke", key_id).stdout.strip() == f"revoked {key_id}"
        r = s.client.get("/v1/datasets", headers=bearer(key))
        assert r.status_code == 401 and "revoked" in r.json()["detail"]
    assert "revoked" in cli(tmp_path, "list").stdout
    p = cli(tmp_path, "revoke", key_id, ok=False)
    assert p.returncode == 1 and "no active key" in p.stderr
    p = cli(tmp_path, "create", "--scope", "root", ok=False)
    assert p.returncode == 2 and "invalid choice" in p.stderr


# ---- who may call what -------------------------------------------------------------------------------

def test_requests_without_a_valid_key_are_401(srv):
    c = srv.client
    for path in ("/v1/datasets", "/v1/jobs", "/v1/batches", "/v1/keys"):
        r = c.get(path)
        assert r.status_code == 401 and r.headers["www-authenticate"] == "Bearer"
        assert "API key" in r.json()["detail"] and r.json()["problems"] == []
    assert c.post("/v1/solve", json={"dataset": "demo"}).status_code == 401
    for header in ("Bearer lq_not-a-key", "Bearer", "Basic dXNlcjpwdw==", "lq_raw-key"):
        r = c.get("/v1/datasets", headers={"Authorization": header})
        assert r.status_code == 401, header


def test_liveness_and_docs_stay_public_with_an_authorize_button(srv):
    c = srv.client
    h = c.get("/healthz")
    assert h.status_code == 200 and h.json()["auth"] == "on"
    assert c.get("/docs").status_code == 200
    spec = c.get("/openapi.json").json()
    scheme = spec["components"]["securitySchemes"]["bearer"]
    assert list(spec["components"]["securitySchemes"]) == ["bearer"]
    assert scheme["type"] == "http" and scheme["scheme"] == "bearer" and "keys create" in scheme["description"]
    ops = {(m.upper(), p): op for p, item in spec["paths"].items() for m, op in item.items()}
    assert "security" not in ops[("GET", "/healthz")]
    for key, op in ops.items():
        if key[1].startswith("/v1/"):
            assert op.get("security") == [{"bearer": []}], key
            assert {"401", "403", "429", "503"} <= set(op["responses"]), key


def test_scopes(srv):
    c = srv.client
    assert c.get("/v1/datasets", headers=bearer(srv.reader)).status_code == 200
    route = {"province_code": "510000", "parcels": [{"land_type": "arable", "area_ha": 40}]}
    assert c.post("/v1/approval-route", headers=bearer(srv.reader), json=route).status_code == 200
    r = c.post("/v1/jobs", headers=bearer(srv.reader), json={"dataset": "demo"})
    assert r.status_code == 403 and "`solve` scope" in r.json()["detail"]
    assert c.post("/v1/batches", headers=bearer(srv.reader), json={"base": {"dataset": "demo"}}).status_code == 403
    assert c.get("/v1/keys", headers=bearer(srv.a)).status_code == 403
    # admin: make, list and revoke keys over HTTP
    r = c.post("/v1/keys", headers=bearer(srv.admin), json={"name": "temp", "scopes": ["read"]})
    assert r.status_code == 201, r.text
    made = r.json()
    assert made["key"].startswith("lq_") and made["scopes"] == ["read"] and made["revoked_at"] is None
    listed = c.get("/v1/keys", headers=bearer(srv.admin)).json()["keys"]
    assert made["id"] in [k["id"] for k in listed] and all("key" not in k for k in listed)
    assert c.get("/v1/datasets", headers=bearer(made["key"])).status_code == 200
    r = c.delete(f"/v1/keys/{made['id']}", headers=bearer(srv.admin))
    assert r.status_code == 200 and r.json()["revoked_at"]
    assert c.get("/v1/datasets", headers=bearer(made["key"])).status_code == 401
    assert c.delete(f"/v1/keys/{made['id']}", headers=bearer(srv.admin)).status_code == 404
    assert c.post("/v1/keys", headers=bearer(srv.admin), json={"scopes": ["root"]}).status_code == 422


# ---- isolation -----------------------------------------------------------------------------------

def test_another_key_never_sees_a_job_or_a_batch(srv):
    c = srv.client
    r = c.post("/v1/solve", headers=bearer(srv.a), json={"dataset": "demo"})
    assert r.status_code == 200 and r.json()["status"] == "optimal"
    job = r.headers["x-job-id"]
    batch = c.post("/v1/batches", headers=bearer(srv.a), json={"base": {"dataset": "demo"}}).json()["id"]
    for path in (f"/v1/jobs/{job}", f"/v1/jobs/{job}/result", f"/v1/jobs/{job}/explain", f"/v1/batches/{batch}",
                 f"/v1/batches/{batch}/results"):
        assert c.get(path, headers=bearer(srv.a)).status_code == 200, path
        for other in (srv.b, srv.admin):
            r = c.get(path, headers=bearer(other))
            assert r.status_code == 404, path
            assert "demo" not in r.text and "objective" not in r.text
    csv = {"format": "csv", "table": "cities"}
    assert c.get(f"/v1/jobs/{job}/result", headers=bearer(srv.b), params=csv).status_code == 404
    assert job in [j["id"] for j in c.get("/v1/jobs", headers=bearer(srv.a)).json()["jobs"]]
    assert job not in [j["id"] for j in c.get("/v1/jobs", headers=bearer(srv.b), params={"limit": 500}).json()["jobs"]]
    assert batch in [b["id"] for b in c.get("/v1/batches", headers=bearer(srv.a)).json()["batches"]]
    assert batch not in [b["id"] for b in c.get("/v1/batches", headers=bearer(srv.b)).json()["batches"]]
    # nor can it cancel or delete them
    assert c.delete(f"/v1/jobs/{job}", headers=bearer(srv.b)).status_code == 404
    assert c.delete(f"/v1/batches/{batch}", headers=bearer(srv.b)).status_code == 404
    assert c.get(f"/v1/jobs/{job}", headers=bearer(srv.a)).json()["status"] == "succeeded"
    wait_until(lambda: c.get(f"/v1/batches/{batch}", headers=bearer(srv.a)).json()["status"] == "succeeded", 120,
               "batch")
    assert c.delete(f"/v1/jobs/{job}", headers=bearer(srv.a)).status_code == 204


def test_anonymous_access_sees_only_anonymous_jobs(tmp_path):
    """LANDQUOTA_AUTH=off serves requests without a key, but keyed jobs stay their key's."""
    with ServerThread(settings_for(tmp_path, auth="off", workers=1)) as s:
        c = s.client
        _, key = s.service.keys.create("team", ["solve"])
        assert c.get("/healthz").json()["auth"] == "off"
        keyed = c.post("/v1/solve", headers=bearer(key), json={"dataset": "demo"}).headers["x-job-id"]
        anon = c.post("/v1/solve", json={"dataset": "demo"}).headers["x-job-id"]
        assert c.get(f"/v1/jobs/{keyed}").status_code == 404
        assert c.get(f"/v1/jobs/{anon}").status_code == 200
        assert c.get(f"/v1/jobs/{anon}", headers=bearer(key)).status_code == 404
        assert [j["id"] for j in c.get("/v1/jobs").json()["jobs"]] == [anon]
        assert c.get("/v1/datasets", headers=bearer("lq_wrong")).status_code == 401  # a key sent is checked
        assert c.get("/v1/keys").status_code == 403  # key management needs an admin key, even locally


# ---- limits -------------------------------------------------------------------------------------------

def test_concurrent_job_limit_per_key_is_429_with_retry_after(srv, tmp_path):
    c = srv.client
    gate = tmp_path / "gate"
    held = [c.post("/v1/jobs", headers=bearer(srv.a), json=blocked(gate)).json()["id"] for _ in range(2)]
    r = c.post("/v1/jobs", headers=bearer(srv.a), json={"dataset": "demo"})
    assert r.status_code == 429 and int(r.headers["retry-after"]) >= 1
    assert "LANDQUOTA_MAX_ACTIVE_JOBS_PER_KEY" in r.json()["detail"]
    assert c.post("/v1/solve", headers=bearer(srv.a), json={"dataset": "demo"}).status_code == 429
    # another key is not held back by this one
    other = c.post("/v1/jobs", headers=bearer(srv.b), json={"dataset": "demo"})
    assert other.status_code == 202
    gate.unlink()
    for job_id in held:
        assert poll_job(c, job_id, headers=bearer(srv.a))["status"] == "succeeded"
    assert c.post("/v1/jobs", headers=bearer(srv.a), json={"dataset": "demo"}).status_code == 202
    assert poll_job(c, other.json()["id"], headers=bearer(srv.b))["status"] == "succeeded"


def test_batch_limit_per_key(tmp_path):
    with ServerThread(settings_for(tmp_path, auth="on", workers=0, max_active_jobs_per_key=1,
                                   batch_backend="local")) as s:
        s.service.batches.stop(0.1)  # the runner takes nothing: the first batch stays queued
        _, key = s.service.keys.create("t", ["solve"])
        spec = {"base": {"dataset": "demo"}}
        assert s.client.post("/v1/batches", headers=bearer(key), json=spec).status_code == 202
        r = s.client.post("/v1/batches", headers=bearer(key), json=spec)
        assert r.status_code == 429 and r.headers["retry-after"] and "batches" in r.json()["detail"]


def test_rate_limit_per_key_is_429_with_retry_after(tmp_path):
    with ServerThread(settings_for(tmp_path, auth="on", workers=0, rate_limit_per_minute=30,
                                   rate_limit_burst=5)) as s:
        _, a = s.service.keys.create("a", ["read"])
        _, b = s.service.keys.create("b", ["read"])
        codes = [s.client.get("/v1/datasets", headers=bearer(a)).status_code for _ in range(6)]
        assert codes == [200] * 5 + [429]
        r = s.client.get("/v1/datasets", headers=bearer(a))
        assert r.status_code == 429 and 1 <= int(r.headers["retry-after"]) <= 2
        assert "LANDQUOTA_RATE_LIMIT_PER_MINUTE" in r.json()["detail"]
        assert s.client.get("/v1/datasets", headers=bearer(b)).status_code == 200  # per key
        assert s.client.get("/healthz").status_code == 200  # liveness is never limited


def test_token_bucket_refills():
    lim = RateLimiter(per_minute=60, burst=2)
    assert lim.take("k") == 0 and lim.take("k") == 0
    wait = lim.take("k")
    assert 0 < wait <= 1.0
    lim._buckets["k"] = (0.0, lim._buckets["k"][1] - 1.0)  # a second later
    assert lim.take("k") == 0
    assert RateLimiter(per_minute=0, burst=1).take("k") == 0  # 0 = no limit


# ---- `landquota serve` ----------------------------------------------------------------------------

@pytest.mark.parametrize("host,env,expected", [
    ("127.0.0.1", {}, "off"),
    ("localhost", {}, "off"),
    ("::1", {}, "off"),
    ("0.0.0.0", {}, "on"),
    ("192.0.2.7", {}, "on"),
    ("127.0.0.1", {"LANDQUOTA_AUTH": "on"}, "on"),
    ("0.0.0.0", {"LANDQUOTA_AUTH": "off"}, "off"),
])
def test_serve_requires_keys_off_loopback(monkeypatch, tmp_path, host, env, expected):
    """`landquota serve` decides (nothing is bound here: uvicorn.run is replaced)."""
    import landquota.service.server as server

    for k in list(os.environ):
        if k.startswith("LANDQUOTA_"):
            monkeypatch.delenv(k)
    monkeypatch.setenv("LANDQUOTA_DATA_DIR", str(tmp_path))
    for k, v in env.items():
        monkeypatch.setenv(k, v)
    seen = {}
    monkeypatch.setattr(server.uvicorn, "run", lambda app, host, port, **kw: seen.update(app=app, host=host, port=port))
    assert server.run(host=host, port=8123, workers=0) == 0
    assert seen["host"] == host and seen["port"] == 8123
    assert seen["app"].state.auth.enabled == (expected == "on")


def test_serve_honours_landquota_host_and_port(monkeypatch, tmp_path):
    import landquota.service.server as server

    monkeypatch.setenv("LANDQUOTA_DATA_DIR", str(tmp_path))
    monkeypatch.setenv("LANDQUOTA_HOST", "0.0.0.0")
    monkeypatch.setenv("LANDQUOTA_PORT", "8765")
    monkeypatch.delenv("LANDQUOTA_AUTH", raising=False)
    seen = {}
    monkeypatch.setattr(server.uvicorn, "run", lambda app, host, port, **kw: seen.update(app=app, host=host, port=port))
    assert server.run(workers=0) == 0
    assert (seen["host"], seen["port"], seen["app"].state.auth.enabled) == ("0.0.0.0", 8765, True)
    monkeypatch.setenv("LANDQUOTA_PORT", "99999")
    assert server.run(workers=0) == 2


def test_a_database_from_before_keys_gains_the_owner_column(tmp_path):
    """Jobs written by an earlier version (no owner or size column) stay readable; they belong to no key."""
    from landquota.service.db import make_engine
    from landquota.service.jobs import JobStore

    url = f"sqlite:///{tmp_path / 'old.db'}"
    engine = make_engine(url)
    JobStore(engine, 10).create("old", request={}, scenario={}, scenario_name="x", dataset=None, options={})
    engine.dispose()
    with sqlite3.connect(tmp_path / "old.db") as con:
        con.execute("DROP INDEX ix_jobs_owner")
        con.execute("ALTER TABLE jobs DROP COLUMN owner")
        con.execute("ALTER TABLE jobs DROP COLUMN size_columns")
        assert not {"owner", "size_columns"} & {r[1] for r in con.execute("PRAGMA table_info(jobs)")}
    store = JobStore(make_engine(url), 10)
    assert store.get("old").owner is None and store.get("old").size_columns is None  # it counts as small
    store.create("new", request={}, scenario={}, scenario_name="y", dataset=None, options={}, owner="k1")
    assert [j.id for j in store.list(owner="k1")] == ["new"] and [j.id for j in store.list(owner=None)] == ["old"]
    store.engine.dispose()
