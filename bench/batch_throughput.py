"""Batch throughput: warm re-solves vs a cold build-and-solve per variant; local vs Ray.

    .venv/bin/python bench/batch_throughput.py [--dataset china-2020] [--variants 200] [--workers 2]

Measured in one run on the same machine: the same sweep (each provincial pool scaled by a factor
in [0.80, 1.20], one factor per variant) is solved

1. cold: a fresh ScenarioSolver (apply the overrides, build, hand over, solve, read the KPIs) per
   variant, in-process, with the options a batch uses (headline KPIs only: no tables, duals or
   explanation), so both sides do the same work;
2. warm, local: one persistent model, each variant pushed as Param updates + warm HiGHS re-solve;
3. warm, local process pool with ``--workers`` processes;
4. warm, Ray with ``--workers`` actors (local Ray instance): once including ``ray.init``, once
   more with Ray already running (new actors, each building the base).

It prints variants per second and the ratios, and where a warm variant's time goes (median per
stage over the sweep), and writes them to ``bench/results/batch-throughput-<time>.json``. This is
a benchmark, not a test.
"""

from __future__ import annotations

import argparse
import json
import statistics
import time
from pathlib import Path

from landquota.datasets import load_dataset
from landquota.models.overrides import apply_overrides
from landquota.models.build import structure_key
from landquota.service.batches.run import VariantWorker, base_data, batch_options, kpis, run_batch
from landquota.service.batches.spec import BatchSpec
from landquota.solvers.highs import ScenarioSolver


def sweep_spec(dataset: str, n: int) -> BatchSpec:
    factors = [0.80 + 0.40 * i / max(1, n - 1) for i in range(n)]
    base = load_dataset(dataset)
    # the quota each province plans with: its pool, or (national allocation) the base of its band
    field = ("allocation_base_ha_per_year" if base.policy.quota_allocation == "national" else
             "new_land_pool_ha_per_year")
    pools = {p.code: base.allocation_base_ha(p.code) if field.startswith("allocation") else p.new_land_pool_ha_per_year
             for p in base.provinces}
    variants = [
        {"name": f"pool x{f:.4f}",
         "overrides": {f"provinces[{c}].{field}": round(v * f, 3) for c, v in pools.items()}}
        for f in factors
    ]
    return BatchSpec.model_validate({"name": "throughput", "base": {"dataset": dataset}, "variants": variants,
                                     "include_base": False})


def cold(spec: BatchSpec, dataset: str, limit: int) -> tuple[float, list[float]]:
    base = load_dataset(dataset)
    options = batch_options(spec)
    t0 = time.perf_counter()
    objs = []
    for v in spec.variants[:limit]:
        s = apply_overrides(base, v.overrides)
        objs.append(kpis(ScenarioSolver(s, options).solve())["objective_cny_100m"])
    return time.perf_counter() - t0, objs


def stages(spec: BatchSpec) -> dict[str, float]:
    """Median ms per stage of a warm variant, over the sweep (one persistent worker, in-process)."""
    w = VariantWorker(base_data(spec), batch_options(spec))
    solver, ms = w.solver, {k: [] for k in ("apply overrides", "structure key", "update Params",
                                            "push changes to HiGHS", "HiGHS run", "headline KPIs", "total")}
    for v in spec.variants:
        t0 = time.perf_counter()
        s = apply_overrides(w.base, v.overrides)
        t1 = time.perf_counter()
        assert structure_key(s, False) == w.key
        t2 = time.perf_counter()
        solver.model.update(s)
        t3 = time.perf_counter()
        r = solver.solve()
        kpis(r)
        t4 = time.perf_counter()
        h = solver.highs
        for k, x in (("apply overrides", t1 - t0), ("structure key", t2 - t1), ("update Params", t3 - t2),
                     ("push changes to HiGHS", h.update_s), ("HiGHS run", h.run_s),
                     ("headline KPIs", r.stats.extract_s), ("total", t4 - t0)):
            ms[k].append(1000 * x)
    return {k: statistics.median(v) for k, v in ms.items()}


def timed(spec, **kw) -> tuple[float, list[dict]]:
    t0 = time.perf_counter()
    rows = run_batch(spec, **kw)
    return time.perf_counter() - t0, rows


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--dataset", default="china-2020")
    ap.add_argument("--variants", type=int, default=200)
    ap.add_argument("--cold-sample", type=int, default=20, help="cold solves to time (rate extrapolated)")
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--no-ray", action="store_true")
    a = ap.parse_args()
    spec = sweep_spec(a.dataset, a.variants)
    n = len(spec.variants)
    k = min(a.cold_sample, n)

    t_cold, cold_objs = cold(spec, a.dataset, k)
    cold_rate = k / t_cold
    t_warm, rows = timed(spec, workers=1)
    warm_rate = n / t_warm
    for obj, row in zip(cold_objs, rows):
        assert abs(obj - row["objective_cny_100m"]) <= 1e-7 * max(1.0, abs(obj)), (obj, row)
    t_pool, _ = timed(spec, workers=a.workers)
    results = [
        ("cold build+solve per variant (in-process)", k, t_cold, cold_rate),
        ("warm re-solve, 1 process", n, t_warm, warm_rate),
        (f"warm re-solve, local pool x{a.workers}", n, t_pool, n / t_pool),
    ]
    if not a.no_ray:
        import ray

        t_ray, _ = timed(spec, backend="ray", workers=a.workers)
        t_ray_up, _ = timed(spec, backend="ray", workers=a.workers)  # Ray already running: actors only
        ray.shutdown()
        results.append((f"warm re-solve, Ray x{a.workers} (incl. start-up)", n, t_ray, n / t_ray))
        results.append((f"warm re-solve, Ray x{a.workers} (Ray running)", n, t_ray_up, n / t_ray_up))

    print(f"dataset {a.dataset}: {n} variants (provincial pools x0.80..x1.20)")
    print(f"{'mode':48s} {'variants':>8s} {'seconds':>9s} {'per s':>8s} {'ms each':>8s} {'vs cold':>8s}")
    for name, count, secs, rate in results:
        print(f"{name:48s} {count:8d} {secs:9.2f} {rate:8.2f} {1000 / rate:8.1f} {rate / cold_rate:7.1f}x")
    print(f"warm objectives equal cold ones (rel 1e-7) on the {k} variants solved both ways")
    breakdown = stages(spec)
    print("a warm variant, median ms per stage:")
    for name, v in breakdown.items():
        print(f"  {name:24s} {v:7.2f}")
    out = Path(__file__).parent / "results" / f"batch-throughput-{time.strftime('%Y%m%dT%H%M%S')}.json"
    out.write_text(json.dumps({
        "dataset": a.dataset, "variants": n, "workers": a.workers,
        "runs": [{"mode": m, "variants": c, "seconds": s, "per_s": r, "vs_cold": r / cold_rate} for m, c, s, r in results],
        "warm_stage_ms": breakdown,
    }, indent=1))
    print(f"written to {out}")


if __name__ == "__main__":
    main()
