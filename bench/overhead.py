"""How much the modelling layer costs over HiGHS itself (issue 7), in one command:

    .venv/bin/python bench/overhead.py                       # 300, 3,000 and 30,000 units
    .venv/bin/python bench/overhead.py --sizes 300,3000      # the quick run
    .venv/bin/python bench/overhead.py --sizes 300 --finance-per-project   # issue 15's oracle formulation

For each size N (units = cities; 5 plan years; projects = 7 × N; ``models.generate``, seed 1):

1. **end to end** (fresh process): read and validate the JSON, build the Pyomo model, hand it to
   HiGHS, solve, extract the result tables (explanations off: they are a separate feature);
   variables, constraints, nonzeros, the seconds of each step and the peak RSS;
2. **what-if**: in the same process, every provincial pool × 0.95 through
   ``ScenarioSolver.resolve`` (a Param update and a hot-started dual simplex), against the cold
   build-and-solve of step 1;
3. **bare HiGHS** (fresh process): the same LP — ``ScenarioSolver.export_mps(writer="highs")``,
   which writes exactly the matrix the hand-off passed, in the same row and column order — read
   by highspy and solved with the same options (algorithm, presolve, time limit); seconds and peak RSS;
4. **memory attribution** (fresh processes): peak RSS after validating only and after building
   only, so each step's share of the end-to-end peak is visible.

Peak RSS is ``resource.getrusage(RUSAGE_SELF).ru_maxrss`` of each process (it includes the
Python interpreter and its imports). Results go to ``bench/results/overhead-<time>.json`` after
every step (nothing is lost if a large size is interrupted) and a table is printed at the end.
The benchmark is not a test: run it on a quiet machine; it records the load average.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
RESULTS = ROOT / "bench" / "results"


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0


def emit(d: dict) -> None:
    print("RESULT " + json.dumps(d), flush=True)


# ---- stages (each runs in its own process) ---------------------------------------------------------


def stage_generate(a) -> dict:
    from landquota.models.generate import generate, write

    t0 = time.perf_counter()
    data = generate(a.n, a.n * a.projects_per_unit, a.years, a.seed)
    write(data, a.scenario)
    return {"generate_s": time.perf_counter() - t0, "projects": len(data["projects"]),
            "bytes": os.path.getsize(a.scenario)}


def _validate(path: str):
    from landquota.models.scenario import load_scenario

    t0 = time.perf_counter()
    with open(path, encoding="utf-8") as f:
        data = json.load(f)
    s = load_scenario(data)
    return s, time.perf_counter() - t0


def stage_validate(a) -> dict:
    _, dt = _validate(a.scenario)
    return {"validate_s": dt, "peak_rss_mb": peak_rss_mb()}


def stage_build(a) -> dict:
    from pyomo.common.gc_manager import PauseGC

    from landquota.models.build import LandModel

    s, dv = _validate(a.scenario)
    t0 = time.perf_counter()
    with PauseGC():
        LandModel(s)
    return {"validate_s": dv, "build_s": time.perf_counter() - t0, "peak_rss_mb": peak_rss_mb()}


def stage_e2e(a) -> dict:
    from landquota.solvers.highs import ScenarioSolver, SolveOptions

    t_all = time.perf_counter()
    s, dv = _validate(a.scenario)
    opts = SolveOptions(time_limit_s=a.time_limit, explain=False, handoff=a.handoff, algorithm=a.algorithm,
                        presolve=a.presolve, finance_per_project=a.finance_per_project)
    sv = ScenarioSolver(s, opts)
    r = sv.solve()
    e2e = time.perf_counter() - t_all
    out = {
        "validate_s": dv, "build_s": sv.build_s, "status": r.status, "objective": r.objective_cny_100m,
        "variables": r.stats.variables, "constraints": r.stats.constraints, "nonzeros": r.stats.nonzeros,
        "solve_s": r.stats.solve_s, "extract_s": r.stats.extract_s, "e2e_s": e2e,
        "peak_rss_mb": peak_rss_mb(), "handoff": a.handoff,
        "rows_out": {k: len(r.table(k)) for k in ("projects", "financing", "binding")},
    }
    if sv.direct:
        h = sv.highs_model
        info = h.getInfo()
        out.update(compile_s=sv.highs.compile_s, pass_s=sv.highs.pass_s, highs_s=sv.highs.run_s,
                   algorithm=h.getOptionValue("solver")[1], presolve=h.getOptionValue("presolve")[1],
                   simplex_iterations=int(info.simplex_iteration_count),
                   ipm_iterations=int(info.ipm_iteration_count), crossover_iterations=int(info.crossover_iteration_count))
    emit(out)  # the cold numbers survive whatever follows
    if a.mps:
        t0 = time.perf_counter()
        sv.export_mps(a.mps, writer="highs")
        out["export_mps_s"] = time.perf_counter() - t0
    if a.whatif and r.status == "optimal":
        pools = {p.code: p.new_land_pool_ha_per_year * 0.95 for p in s.provinces}
        t0 = time.perf_counter()
        variant = s.model_copy(update={"provinces": [p.model_copy(update={"new_land_pool_ha_per_year": pools[p.code]})
                                                     for p in s.provinces]})
        t1 = time.perf_counter()
        w = sv.resolve(variant)
        out["whatif"] = {
            "make_variant_s": t1 - t0, "resolve_s": time.perf_counter() - t1, "status": w.status,
            "objective": w.objective_cny_100m, "update_s": sv.build_s, "solve_s": w.stats.solve_s,
            "extract_s": w.stats.extract_s, "rebuilt": sv.model.scenario is not variant,
        }
        if sv.direct:
            info = sv.highs_model.getInfo()
            out["whatif"].update(highs_s=sv.highs.run_s, push_s=sv.highs.update_s,
                                 simplex_iterations=int(info.simplex_iteration_count))
    return out


def stage_bare(a) -> dict:
    import highspy

    h = highspy.Highs()
    h.setOptionValue("output_flag", False)
    t0 = time.perf_counter()
    h.readModel(a.mps)
    read_s = time.perf_counter() - t0
    h.setOptionValue("solver", a.algorithm)
    h.setOptionValue("presolve", "choose" if a.presolve == "auto" else a.presolve)
    h.setOptionValue("time_limit", float(a.time_limit))
    h.setOptionValue("mip_rel_gap", 1e-4)
    t0 = time.perf_counter()
    h.run()
    run_s = time.perf_counter() - t0
    info = h.getInfo()
    return {"read_s": read_s, "run_s": run_s, "bare_s": read_s + run_s,
            "status": h.modelStatusToString(h.getModelStatus()),
            "objective": float(info.objective_function_value), "simplex_iterations": int(info.simplex_iteration_count),
            "ipm_iterations": int(info.ipm_iteration_count), "peak_rss_mb": peak_rss_mb()}


STAGES = {"generate": stage_generate, "validate": stage_validate, "build": stage_build, "e2e": stage_e2e,
          "bare": stage_bare}


def run_stage(name: str, timeout: float, **kw) -> dict:
    cmd = [sys.executable, str(Path(__file__).resolve()), "--stage", name]
    for k, v in kw.items():
        if v is None or v is False:
            continue
        cmd.append("--" + k.replace("_", "-"))
        if v is not True:
            cmd.append(str(v))
    t0 = time.perf_counter()
    try:
        p = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout, cwd=ROOT)
    except subprocess.TimeoutExpired as e:
        out = (e.stdout or b"").decode() if isinstance(e.stdout, bytes) else (e.stdout or "")
        last = _last_result(out)
        return {**(last or {}), "error": f"timeout after {timeout:.0f}s", "wall_s": time.perf_counter() - t0}
    last = _last_result(p.stdout)
    if p.returncode != 0 or last is None:
        return {**(last or {}), "error": (p.stderr or "")[-2000:], "returncode": p.returncode,
                "wall_s": time.perf_counter() - t0}
    last["wall_s"] = time.perf_counter() - t0
    return last


def _last_result(text: str) -> dict | None:
    lines = [ln for ln in text.splitlines() if ln.startswith("RESULT ")]
    return json.loads(lines[-1][7:]) if lines else None


# ---- the driver ------------------------------------------------------------------------------------


def machine() -> dict:
    info = {"python": platform.python_version(), "platform": platform.platform(), "cpus": os.cpu_count()}
    try:
        with open("/proc/cpuinfo") as f:
            models = [ln.split(":", 1)[1].strip() for ln in f if ln.startswith("model name")]
        info["cpu"] = models[0] if models else ""
        with open("/proc/meminfo") as f:
            info["mem_gb"] = round(int(f.readline().split()[1]) / 1024 / 1024, 1)
    except OSError:
        pass
    try:
        import highspy
        import pyomo.version

        info["highs"] = f"{highspy.HIGHS_VERSION_MAJOR}.{highspy.HIGHS_VERSION_MINOR}.{highspy.HIGHS_VERSION_PATCH}"
        info["pyomo"] = pyomo.version.version
    except ImportError:
        pass
    return info


def bench_size(n: int, a, save, row: dict) -> dict:
    work = Path(a.workdir)
    work.mkdir(parents=True, exist_ok=True)
    scen = str(work / f"scenario-{n}.json")
    mps = str(work / f"lp-{n}.mps")
    row["load_before"] = os.getloadavg()
    common = dict(n=n, years=a.years, projects_per_unit=a.projects_per_unit, seed=a.seed, scenario=scen)
    row["generate"] = run_stage("generate", a.stage_timeout, **common)
    save()
    row["e2e"] = run_stage("e2e", a.stage_timeout, **common, time_limit=a.time_limit, algorithm=a.algorithm,
                           handoff=a.handoff, mps=mps, whatif=not a.no_whatif,
                           finance_per_project=a.finance_per_project)
    save()
    algorithm = row["e2e"].get("algorithm") or "simplex"
    presolve = row["e2e"].get("presolve") or "on"
    if not a.no_bare and os.path.exists(mps):
        row["bare"] = run_stage("bare", a.stage_timeout, mps=mps, algorithm=algorithm, presolve=presolve,
                                time_limit=a.time_limit)
        save()
    row["validate"] = run_stage("validate", a.stage_timeout, **common)
    row["build"] = run_stage("build", a.stage_timeout, **common)
    row["load_after"] = os.getloadavg()
    save()
    if not a.keep:
        for f in (scen, mps):
            if os.path.exists(f):
                os.remove(f)
    return row


def ratios(row: dict) -> dict:
    e, b = row.get("e2e", {}), row.get("bare", {})
    out = {}
    if e.get("e2e_s") and b.get("bare_s"):
        out["e2e_over_bare"] = e["e2e_s"] / b["bare_s"]
        out["e2e_over_bare_run"] = e["e2e_s"] / b["run_s"]
        if e.get("highs_s"):
            # HiGHS's own time varies by ±10% between identical runs; the modelling overhead does not:
            # (overhead + bare HiGHS) / bare HiGHS is the ratio without that noise
            out["overhead_s"] = e["e2e_s"] - e["highs_s"]
            out["overhead_plus_bare_over_bare"] = (out["overhead_s"] + b["bare_s"]) / b["bare_s"]
    w = e.get("whatif")
    if w and e.get("e2e_s"):
        cold = e["e2e_s"] - e.get("validate_s", 0.0)
        out["cold_over_resolve"] = cold / w["resolve_s"]
    if e.get("peak_rss_mb") and b.get("peak_rss_mb"):
        out["mem_over_bare"] = e["peak_rss_mb"] / b["peak_rss_mb"]
    return out


GOALS = {3000: {"columns": 250_000, "e2e_s": 60.0}, 30000: {"e2e_s": 600.0}}
"""Issue 15's goals by size (columns, end-to-end seconds); for every size (overhead + bare) / bare ≤ 1.1
and peak memory ≤ 1.3 × bare."""


def goals(row: dict) -> list[str]:
    """Each of issue 15's goals for this size, met or not, with the figure."""
    e, q = row.get("e2e", {}), ratios(row)
    g = GOALS.get(row["n"], {})
    out = []

    def check(name, value, limit, fmt):
        if value is not None:
            out.append(f"{name} {fmt.format(value)} (goal ≤ {fmt.format(limit)}): {'met' if value <= limit else 'NOT met'}")

    if "columns" in g:
        check("columns", e.get("variables"), g["columns"], "{:,}")
    if "e2e_s" in g:
        check("end to end s", e.get("e2e_s"), g["e2e_s"], "{:.1f}")
    check("(overhead + bare) / bare", q.get("overhead_plus_bare_over_bare"), 1.1, "{:.2f}")
    check("peak memory / bare", q.get("mem_over_bare"), 1.3, "{:.2f}")
    return [f"{row['n']:,} units: {x}" for x in out]


def table(rows: list[dict]) -> str:
    def f(x, fmt="{:.2f}"):
        return "–" if x is None else fmt.format(x)

    head = ["units", "vars", "cons", "nonzeros", "alg", "validate s", "build s", "hand-off s", "HiGHS s",
            "extract s", "end-to-end s", "bare read s", "bare run s", "e2e/bare", "e2e/bare run",
            "(overhead+bare)/bare", "what-if s", "cold/what-if", "peak MB", "bare MB", "mem/bare", "status"]
    lines = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    for r in rows:
        e, b, q = r.get("e2e", {}), r.get("bare", {}), ratios(r)
        w = e.get("whatif") or {}
        hand = (e.get("compile_s") or 0) + (e.get("pass_s") or 0) if "compile_s" in e else None
        lines.append("| " + " | ".join([
            f"{r['n']:,}", f(e.get("variables"), "{:,}"), f(e.get("constraints"), "{:,}"), f(e.get("nonzeros"), "{:,}"),
            f'{e.get("algorithm", "–")}, presolve {e.get("presolve", "–")}', f(e.get("validate_s")),
            f(e.get("build_s")), f(hand), f(e.get("highs_s")),
            f(e.get("extract_s")), f(e.get("e2e_s")), f(b.get("read_s")), f(b.get("run_s")),
            f(q.get("e2e_over_bare")), f(q.get("e2e_over_bare_run")), f(q.get("overhead_plus_bare_over_bare")),
            f(w.get("resolve_s")),
            f(q.get("cold_over_resolve"), "{:.1f}"), f(e.get("peak_rss_mb"), "{:,.0f}"),
            f(b.get("peak_rss_mb"), "{:,.0f}"), f(q.get("mem_over_bare")),
            f"{e.get('status', e.get('error', '?')[:40] if e.get('error') else '?')}/{b.get('status', '–')}",
        ]) + " |")
    return "\n".join(lines)


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--sizes", default="300,3000,30000", help="comma-separated unit counts")
    ap.add_argument("--years", type=int, default=5)
    ap.add_argument("--projects-per-unit", type=int, default=7)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--time-limit", type=float, default=3600.0, help="HiGHS time limit per solve, s")
    ap.add_argument("--stage-timeout", type=float, default=7200.0, help="wall limit per stage process, s")
    ap.add_argument("--algorithm", default="auto", help="auto|simplex|ipm|choose (SolveOptions.algorithm)")
    ap.add_argument("--presolve", default="auto", help="auto|on|off (SolveOptions.presolve)")
    ap.add_argument("--handoff", default="direct", help="direct|pyomo (SolveOptions.handoff)")
    ap.add_argument("--finance-per-project", action="store_true",
                    help="financing per project × source × year (the oracle of models.finance), not per group")
    ap.add_argument("--no-whatif", action="store_true")
    ap.add_argument("--no-bare", action="store_true")
    ap.add_argument("--keep", action="store_true", help="keep the generated JSON and MPS files")
    ap.add_argument("--workdir", default=str(ROOT / "bench" / "work"))
    ap.add_argument("--out", default=None, help="results JSON (default bench/results/overhead-<time>.json)")
    # stage-only arguments
    ap.add_argument("--stage", choices=sorted(STAGES))
    ap.add_argument("--n", type=int)
    ap.add_argument("--scenario")
    ap.add_argument("--mps")
    ap.add_argument("--whatif", action="store_true")
    a = ap.parse_args(argv)
    if a.stage:
        emit(STAGES[a.stage](a))
        return 0

    RESULTS.mkdir(parents=True, exist_ok=True)
    out = Path(a.out) if a.out else RESULTS / f"overhead-{time.strftime('%Y%m%d-%H%M%S')}.json"
    report = {"machine": machine(), "args": vars(a), "rows": []}

    def save():
        out.write_text(json.dumps(report, indent=1), encoding="utf-8")

    for n in [int(x) for x in a.sizes.split(",") if x.strip()]:
        row = {"n": n}
        report["rows"].append(row)
        bench_size(n, a, save, row)
        row["ratios"] = ratios(row)
        save()
        print(table([row]), flush=True)
    print(f"\nmachine: {report['machine']}")
    print(table(report["rows"]))
    for row in report["rows"]:
        print("\n".join(goals(row)))
    print(f"\nwrote {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
