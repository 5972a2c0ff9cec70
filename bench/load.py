"""Load test: many clients against a real ``landquota serve`` on loopback; latency, errors, lost jobs, memory.

    .venv/bin/python bench/load.py [--clients 50] [--seconds 60] [--workers 2] [--json report.json]
                                   [--set LANDQUOTA_SMALL_JOB_COLUMNS=100 ...]

It starts ``landquota serve`` (a subprocess, API keys on, default limits) on a free loopback port
with a fresh data directory, makes one API key per client with ``landquota keys create`` (each
client is a team), and runs ``--clients`` asyncio clients for ``--seconds``. Each client loops,
with a short random pause, over a mix of

* ``demo_solve``: ``POST /v1/solve`` on the demo dataset (waits for the answer; 202 if it takes long);
* ``national_solve``: ``POST /v1/jobs`` on ``china-2020`` (31 provinces, 396 projects);
* ``status``: ``GET /v1/jobs/{id}`` of one of its jobs; ``result``: ``GET .../result`` of a finished one;
* ``route``: ``POST /v1/approval-route``; ``datasets``: ``GET /v1/datasets``; ``healthz``.

A client submits a solve only while it has fewer than two unfinished (a closed loop, as a person
with a planning tool would). Then it stops, waits for every accepted job to finish and fetches
every result. It prints p50/p95/p99 latency per kind, the errors, the jobs, and the memory (RSS)
of the server and its solver workers: when ready, after a warm-up (one solve of each dataset),
at the peak, and after the run. It exits 1 if a check fails:

* no 5xx and no other unexpected answer (429, the documented back-pressure, is counted apart);
* no lost job: every accepted job reaches a final state and its result can be fetched;
* memory after the run at most 1.5 × the warm figure (it plateaus: repeated runs end at the same).

Traffic goes to 127.0.0.1 only; every loop is bounded in time and stops by itself.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import signal
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

import httpx

from landquota.service.procs import free_port

ROOT = Path(__file__).resolve().parents[1]
KINDS = ("demo_solve", "national_solve", "status", "result", "route", "datasets", "healthz")
WEIGHTS = {"demo_solve": 6, "national_solve": 1, "status": 40, "result": 10, "route": 25, "datasets": 10, "healthz": 8}
EXPECTED = {  # status codes that are answers, not errors (429 = back-pressure, counted apart)
    "demo_solve": {200, 202, 429}, "national_solve": {202, 429}, "status": {200, 429}, "result": {200, 429},
    "route": {200, 429}, "datasets": {200, 429}, "healthz": {200},
}
FINAL = ("succeeded", "failed", "cancelled")


# ---- the server ------------------------------------------------------------------------------------


def rss_mb(pid: int, own_only: bool = False) -> float:
    """Resident memory of ``pid`` and all its descendants (or of ``pid`` alone), MB (from /proc)."""
    total, todo, seen = 0, [pid], set()
    while todo:
        p = todo.pop()
        if p in seen:
            continue
        seen.add(p)
        try:
            with open(f"/proc/{p}/status") as f:
                for line in f:
                    if line.startswith("VmRSS:"):
                        total += int(line.split()[1])
            if own_only:
                break
            for task in os.listdir(f"/proc/{p}/task"):
                with open(f"/proc/{p}/task/{task}/children") as f:
                    todo.extend(int(c) for c in f.read().split())
        except (FileNotFoundError, ProcessLookupError):
            continue
    return total / 1024


def cpu_s(pid: int) -> tuple[float, float]:
    """CPU seconds (user + system) used so far by ``pid`` itself and by its live descendants."""
    tick = os.sysconf("SC_CLK_TCK")

    def own(p: int) -> float:
        try:
            with open(f"/proc/{p}/stat") as f:
                fields = f.read().rsplit(")", 1)[1].split()
            return (int(fields[11]) + int(fields[12])) / tick
        except (FileNotFoundError, ProcessLookupError, IndexError):
            return 0.0

    kids, todo = [], [pid]
    while todo:
        p = todo.pop()
        try:
            for task in os.listdir(f"/proc/{p}/task"):
                with open(f"/proc/{p}/task/{task}/children") as f:
                    for c in f.read().split():
                        kids.append(int(c))
                        todo.append(int(c))
        except (FileNotFoundError, ProcessLookupError):
            continue
    return own(pid), sum(own(k) for k in kids)


class Server:
    """``landquota serve`` in a subprocess, with keys made by ``landquota keys create``."""

    def __init__(self, workers: int, data_dir: Path, env: dict | None = None):
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.data_dir = data_dir
        self.env = {k: v for k, v in os.environ.items() if not k.startswith("LANDQUOTA_")}
        self.env.update(LANDQUOTA_DATA_DIR=str(data_dir), LANDQUOTA_AUTH="on", PYTHONUNBUFFERED="1", **(env or {}))
        self.workers = workers
        self.proc: subprocess.Popen | None = None

    def make_key(self, name: str) -> str:
        p = subprocess.run([sys.executable, "-m", "landquota.service.cli", "keys", "create", "--scope", "solve", "--name", name],
                           cwd=ROOT, env=self.env, capture_output=True, text=True, timeout=60, check=True)
        return p.stdout.strip()

    def start(self, timeout: float = 90.0) -> None:
        self.log = open(self.data_dir / "serve.log", "w")
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "landquota.service.cli", "serve", "--host", "127.0.0.1", "--port", str(self.port),
             "--workers", str(self.workers)], cwd=ROOT, env=self.env, stdout=self.log, stderr=subprocess.STDOUT)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"landquota serve exited: {(self.data_dir / 'serve.log').read_text()[-2000:]}")
            try:
                h = httpx.get(f"{self.url}/healthz", timeout=2).json()
                if h["workers"]["ready"] == self.workers:
                    return
            except (httpx.TransportError, KeyError, ValueError):
                pass
            time.sleep(0.2)
        raise RuntimeError("landquota serve did not become ready")

    def stop(self) -> int | None:
        if self.proc and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(60)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(10)
        if getattr(self, "log", None):
            self.log.close()
        return self.proc.returncode if self.proc else None

    def errors_logged(self) -> list[str]:
        text = (self.data_dir / "serve.log").read_text(errors="replace")
        return [line for line in text.splitlines() if " ERROR " in line or "Traceback" in line]


# ---- the clients -----------------------------------------------------------------------------------

@dataclass
class Stats:
    latency: dict[str, list[float]] = field(default_factory=lambda: {k: [] for k in KINDS})
    codes: dict[str, dict[int, int]] = field(default_factory=lambda: {k: {} for k in KINDS})
    errors: list[str] = field(default_factory=list)
    accepted: dict[str, str] = field(default_factory=dict)  # job id -> key

    def record(self, kind: str, status: int, seconds: float, detail: str = "") -> None:
        self.latency[kind].append(seconds)
        self.codes[kind][status] = self.codes[kind].get(status, 0) + 1
        if status not in EXPECTED[kind]:
            self.errors.append(f"{kind}: {status} {detail[:200]}")


PARCELS = [("arable", 20.0), ("arable", 16.0), ("other", 71.0), ("permanent_basic_farmland", 0.5), ("other", 30.0)]
PROVINCES = ["510000", "440000", "320000", "110000", "620000"]


async def client(n: int, key: str, url: str, stop_at: float, stats: Stats, rng: random.Random) -> None:
    headers = {"Authorization": f"Bearer {key}"}
    mine: dict[str, str] = {}  # job id -> last status seen
    async with httpx.AsyncClient(base_url=url, headers=headers, timeout=60) as c:
        while time.monotonic() < stop_at:
            await asyncio.sleep(rng.uniform(0.05, 0.45))
            unfinished = [j for j, s in mine.items() if s not in FINAL]
            finished = [j for j, s in mine.items() if s == "succeeded"]
            kind = rng.choices(KINDS, weights=[WEIGHTS[k] for k in KINDS])[0]
            if kind in ("demo_solve", "national_solve") and len(unfinished) >= 2:
                kind = "status"
            if kind == "status" and not mine:
                kind = "datasets"
            if kind == "result" and not finished:
                kind = "route"
            t0 = time.perf_counter()
            try:
                if kind == "demo_solve":
                    r = await c.post("/v1/solve", json={"dataset": "demo"})
                    job = r.headers.get("x-job-id") or (r.json().get("id") if r.status_code == 202 else None)
                    if job:
                        mine[job] = "succeeded" if r.status_code == 200 else "queued"
                        stats.accepted[job] = key
                elif kind == "national_solve":
                    r = await c.post("/v1/jobs", json={"dataset": "china-2020"})
                    if r.status_code == 202:
                        mine[r.json()["id"]] = "queued"
                        stats.accepted[r.json()["id"]] = key
                elif kind == "status":
                    job = rng.choice(unfinished or list(mine))
                    r = await c.get(f"/v1/jobs/{job}")
                    if r.status_code == 200:
                        mine[job] = r.json()["status"]
                elif kind == "result":
                    r = await c.get(f"/v1/jobs/{rng.choice(finished)}/result")
                elif kind == "route":
                    parcels = rng.sample(PARCELS, rng.randint(1, 3))
                    r = await c.post("/v1/approval-route", json={
                        "province_code": rng.choice(PROVINCES),
                        "parcels": [{"land_type": t, "area_ha": a} for t, a in parcels]})
                elif kind == "datasets":
                    r = await c.get("/v1/datasets")
                else:
                    r = await c.get("/healthz")
                stats.record(kind, r.status_code, time.perf_counter() - t0, r.text if r.status_code >= 300 else "")
            except httpx.HTTPError as e:
                stats.record(kind, 0, time.perf_counter() - t0, f"{type(e).__name__}: {e}")


async def drain(url: str, stats: Stats, timeout: float) -> tuple[dict, dict]:
    """Wait for every accepted job to finish, then fetch each result. Returns the job counts and,
    per dataset, the jobs' queue and run times."""
    deadline = time.monotonic() + timeout
    final: dict[str, str] = {}
    times: dict[str, dict[str, list[float]]] = {}
    sem = asyncio.Semaphore(8)
    async with httpx.AsyncClient(base_url=url, timeout=60) as c:
        async def one(job: str, key: str) -> None:
            h = {"Authorization": f"Bearer {key}"}
            async with sem:
                while time.monotonic() < deadline:
                    r = await c.get(f"/v1/jobs/{job}", headers=h)
                    if r.status_code == 200 and r.json()["status"] in FINAL:
                        status = r.json()["status"]
                        t = times.setdefault(r.json()["dataset"] or "inline", {"queued_s": [], "run_s": []})
                        for k in ("queued_s", "run_s"):
                            if r.json()["timings"][k] is not None:
                                t[k].append(r.json()["timings"][k])
                        res = await c.get(f"/v1/jobs/{job}/result", headers=h)
                        ok = res.status_code == 200 and "status" in res.json()
                        final[job] = status if ok else f"result {res.status_code}"
                        return
                    if r.status_code != 200:
                        final[job] = f"status {r.status_code}"
                        return
                    await asyncio.sleep(0.5)
                final[job] = "unfinished"

        await asyncio.gather(*(one(j, k) for j, k in stats.accepted.items()))
    counts: dict[str, int] = {}
    for s in final.values():
        counts[s] = counts.get(s, 0) + 1
    summary = {ds: {f"{k}_p{q}": round(percentile(v, q), 2) for k, v in t.items() if v for q in (50, 95)}
               for ds, t in times.items()}
    return counts, summary


def percentile(xs: list[float], q: float) -> float | None:
    if not xs:
        return None
    xs = sorted(xs)
    return xs[min(len(xs) - 1, int(round(q / 100 * (len(xs) - 1))))]


# ---- the run ---------------------------------------------------------------------------------------

def run(clients: int = 50, seconds: float = 60.0, workers: int = 2, seed: int = 1, drain_s: float = 240.0,
        data_dir: Path | None = None, quiet: bool = False, settings: dict | None = None) -> dict:
    """One load run; returns the report (``report["ok"]`` says whether every check passed).
    ``settings``: extra LANDQUOTA_* environment for the server (the caller's own are not passed on)."""
    say = (lambda *a: None) if quiet else (lambda *a: print(*a, flush=True))
    tmp = Path(data_dir or tempfile.mkdtemp(prefix="landquota-load-"))
    server = Server(workers, tmp, settings)
    keys = [server.make_key(f"team-{i}") for i in range(clients)]
    server.start()
    try:
        mem = {"ready_mb": rss_mb(server.proc.pid), "server_ready_mb": rss_mb(server.proc.pid, own_only=True)}
        with httpx.Client(base_url=server.url, headers={"Authorization": f"Bearer {keys[0]}"}, timeout=120) as c:
            for ds in ("demo", "china-2020"):  # warm-up: lazy imports, first model of each size
                r = c.post("/v1/solve", json={"dataset": ds}, params={"wait_s": 60})
                assert r.status_code == 200, r.text
        time.sleep(2)
        mem["warm_mb"] = rss_mb(server.proc.pid)
        mem["server_warm_mb"] = rss_mb(server.proc.pid, own_only=True)
        say(f"server pid {server.proc.pid} on {server.url}: {workers} worker(s); {clients} clients for {seconds:g} s; "
            f"RSS ready {mem['ready_mb']:.0f} MB, warm {mem['warm_mb']:.0f} MB")
        stats = Stats()
        peak = [mem["warm_mb"]]

        async def main() -> dict:
            stop_at = time.monotonic() + seconds

            async def sample() -> None:
                while time.monotonic() < stop_at:
                    peak.append(rss_mb(server.proc.pid))
                    await asyncio.sleep(1.0)

            rng = random.Random(seed)
            t0, cpu0 = time.monotonic(), cpu_s(server.proc.pid)
            await asyncio.gather(sample(), *(client(i, keys[i], server.url, stop_at, stats,
                                                    random.Random(rng.random())) for i in range(clients)))
            elapsed, cpu1 = time.monotonic() - t0, cpu_s(server.proc.pid)
            jobs, times = await drain(server.url, stats, drain_s)
            return {"elapsed_s": elapsed, "jobs": jobs, "job_times_s": times,
                    "cpu_s": {"server": round(cpu1[0] - cpu0[0], 1), "workers": round(cpu1[1] - cpu0[1], 1)}}

        out = asyncio.run(main())
        time.sleep(3)  # let workers give memory back
        mem["peak_mb"] = max(peak)
        mem["after_mb"] = rss_mb(server.proc.pid)
        mem["server_after_mb"] = rss_mb(server.proc.pid, own_only=True)
        health = httpx.get(f"{server.url}/healthz", timeout=10).json()
    finally:
        rc = server.stop()
    logged = server.errors_logged()

    kinds = {}
    for k in KINDS:
        xs = stats.latency[k]
        kinds[k] = {"requests": len(xs), "codes": stats.codes[k],
                    **{f"p{q}_ms": (round(1000 * v, 1) if (v := percentile(xs, q)) is not None else None)
                       for q in (50, 95, 99)}}
    total = sum(len(v) for v in stats.latency.values())
    server_errors = sum(n for k in KINDS for code, n in stats.codes[k].items() if code >= 500)
    throttled = sum(stats.codes[k].get(429, 0) for k in KINDS)
    jobs = out["jobs"]
    lost = sum(n for s, n in jobs.items() if s not in FINAL)
    limit = 1.5 * mem["warm_mb"]
    report = {
        "clients": clients, "seconds": seconds, "workers": workers, "elapsed_s": round(out["elapsed_s"], 1),
        "requests": total, "requests_per_s": round(total / out["elapsed_s"], 1), "kinds": kinds,
        "server_errors_5xx": server_errors, "unexpected": stats.errors[:20], "unexpected_count": len(stats.errors),
        "throttled_429": throttled, "jobs_accepted": len(stats.accepted), "jobs": jobs, "jobs_lost": lost,
        "job_times_s": out["job_times_s"], "cpu_s": out["cpu_s"],
        "memory_mb": {k: round(v) for k, v in mem.items()}, "memory_limit_mb": round(limit),
        "health_after": health["status"], "server_exit": rc, "server_log_errors": logged[:20],
    }
    report["checks"] = {
        "no_5xx": server_errors == 0,
        "no_unexpected_answers": not stats.errors,
        "no_lost_jobs": lost == 0 and len(stats.accepted) > 0,
        "memory_back": mem["after_mb"] <= limit,
        "healthy_after": health["status"] == "ok",
        "clean_shutdown": rc in (0, -signal.SIGTERM),
    }
    report["ok"] = all(report["checks"].values())
    say(format_report(report))
    return report


def format_report(r: dict) -> str:
    lines = [f"\n{r['requests']} requests in {r['elapsed_s']} s ({r['requests_per_s']}/s) from {r['clients']} clients, "
             f"{r['workers']} solver worker(s)",
             f"{'kind':15s} {'requests':>8s} {'p50 ms':>8s} {'p95 ms':>8s} {'p99 ms':>8s}  status codes"]
    for k, v in r["kinds"].items():
        fmt = lambda x: f"{x:8.1f}" if x is not None else "       -"  # noqa: E731
        codes = " ".join(f"{c}×{n}" for c, n in sorted(v["codes"].items()))
        lines.append(f"{k:15s} {v['requests']:8d} {fmt(v['p50_ms'])} {fmt(v['p95_ms'])} {fmt(v['p99_ms'])}  {codes}")
    m = r["memory_mb"]
    lines += [
        f"5xx: {r['server_errors_5xx']}; unexpected answers: {r['unexpected_count']}; 429 (back-pressure): "
        f"{r['throttled_429']}",
        f"jobs accepted: {r['jobs_accepted']}; final: {r['jobs']}; lost: {r['jobs_lost']}",
        *(f"  {ds}: " + ", ".join(f"{k} {v}" for k, v in t.items()) for ds, t in r["job_times_s"].items()),
        f"CPU seconds during the run: server {r['cpu_s']['server']}, workers {r['cpu_s']['workers']} "
        f"(of {2 * r['elapsed_s']:.0f} on 2 cores)" if (os.cpu_count() or 1) == 2 else
        f"CPU seconds during the run: server {r['cpu_s']['server']}, workers {r['cpu_s']['workers']}",
        f"memory (server + workers, RSS MB): ready {m['ready_mb']}, warm {m['warm_mb']}, peak {m['peak_mb']}, "
        f"after {m['after_mb']} (limit {r['memory_limit_mb']}); of which the HTTP server process: ready "
        f"{m['server_ready_mb']}, warm {m['server_warm_mb']}, after {m['server_after_mb']}",
        f"health after: {r['health_after']}; server exit: {r['server_exit']}; "
        f"errors logged: {len(r['server_log_errors'])}",
        "checks: " + ", ".join(f"{k} {'ok' if v else 'FAILED'}" for k, v in r["checks"].items()),
    ]
    for e in r["unexpected"][:5]:
        lines.append(f"  unexpected: {e}")
    return "\n".join(lines)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--clients", type=int, default=50)
    ap.add_argument("--seconds", type=float, default=60.0)
    ap.add_argument("--workers", type=int, default=2, help="solver worker processes of the server (default 2)")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--json", help="also write the report to this file")
    ap.add_argument("--set", action="append", default=[], metavar="NAME=VALUE",
                    help="a server setting, e.g. LANDQUOTA_SMALL_JOB_COLUMNS=100 (repeatable)")
    args = ap.parse_args()
    settings = dict(s.split("=", 1) for s in args.set)
    report = run(args.clients, args.seconds, args.workers, args.seed, settings=settings)
    if args.json:
        Path(args.json).write_text(json.dumps(report, indent=1), encoding="utf-8")
    return 0 if report["ok"] else 1


if __name__ == "__main__":
    sys.exit(main())
