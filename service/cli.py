"""The ``landquota`` command line.

    landquota datasets
    landquota validate PATH
    landquota solve --dataset demo|china-2020|PATH [--set path=value ...] [--out DIR] [--whole-projects] [--no-explain]
    landquota export --dataset ... --mps FILE
    landquota generate --cities N --projects M [--years Y] [--seed S] --out FILE
    landquota route --province CODE --parcel TYPE:HA[:OWNERSHIP] [--parcel ...]
    landquota serve [--host --port --workers]
    landquota keys create [--scope read|solve|admin ...] [--name NAME]; keys list; keys revoke ID
"""

from __future__ import annotations

import argparse
import csv
import json
import sys
from pathlib import Path

from landquota.models.scenario import Scenario, ScenarioInvalid, load_scenario


def _load(spec: str, sets: list[str] | None = None) -> Scenario:
    from landquota.datasets import DATASETS, dataset_dict
    from landquota.models.overrides import apply_overrides, parse_assignment

    if spec in DATASETS:
        data = dataset_dict(spec)
    else:
        path = Path(spec)
        if not path.is_file():
            raise SystemExit(f"error: {spec!r} is neither a bundled dataset ({', '.join(DATASETS)}) nor a file")
        data = _read_file(path)
    if sets:
        return apply_overrides(data, dict(parse_assignment(s) for s in sets))
    return load_scenario(data)


def _read_file(path: Path) -> dict:
    text = path.read_text(encoding="utf-8")
    if path.suffix in (".yaml", ".yml"):
        import yaml

        return yaml.safe_load(text)
    return json.loads(text)


def _print_problems(e: ScenarioInvalid) -> None:
    print(f"invalid scenario: {len(e.problems)} problem(s)", file=sys.stderr)
    for p in e.problems:
        print(f"  {'.'.join(map(str, p.loc))}: [{p.rule}] {p.message}", file=sys.stderr)


def cmd_datasets(args) -> int:
    from landquota.datasets import list_datasets, load_dataset

    for name in list_datasets():
        s = load_dataset(name)
        print(f"{name:12s} {len(s.provinces):3d} provinces {len(s.cities):4d} cities {len(s.projects):5d} projects  "
              f"{s.years} year(s)  {s.description[:60]}")
    return 0


def cmd_validate(args) -> int:
    s = _load(args.path)
    print(f"valid: {s.name}: {len(s.provinces)} provinces, {len(s.cities)} cities, {len(s.projects)} projects")
    return 0


def cmd_solve(args) -> int:
    from landquota.solvers.highs import SolveOptions, solve_scenario

    s = _load(args.dataset, args.set)
    opts = SolveOptions(time_limit_s=args.time_limit, whole_projects=args.whole_projects, explain=args.explain)
    r = solve_scenario(s, opts)
    print(summary(r))
    if r.explain:
        from landquota.solvers.explain import format_explanation

        print(format_explanation(r.explain))
    if r.diagnosis:
        from landquota.solvers.diagnosis import format_diagnosis

        print(format_diagnosis(r.diagnosis))
    if args.out:
        write_outputs(r, Path(args.out))
        print(f"\nwrote {args.out}/result.json and CSV tables")
    return 0 if r.status in ("optimal", "infeasible", "time_limit") else 1


def summary(r) -> str:
    lines = [f"scenario {r.scenario}: {r.status}" + (f" — {r.message}" if r.message else "")]
    if r.objective_cny_100m is None:
        return "\n".join(lines)
    lines.append(f"objective {r.objective_cny_100m:,.2f} 亿元  ("
                 + ", ".join(f"{k} {v:,.2f}" for k, v in r.objective_terms_cny_100m.items()) + ")")
    st = r.stats
    lines.append(f"{st.variables} variables, {st.constraints} constraints, {st.nonzeros} nonzeros; "
                 f"build {st.build_s:.2f}s solve {st.solve_s:.2f}s extract {st.extract_s:.2f}s; {st.solver}")
    lines.append("")
    lines.append(f"{'province':8s} {'name':6s} {'pool/yr ha':>11s} {'new ha':>10s} {'bought':>8s} {'sold':>8s} "
                 f"{'arable occ':>10s} {'tilt %':>7s} {'fund 亿':>8s} {'SC/ent/prov':>11s}")
    for p in r.provinces:
        tilt = f"{100 * p.tilted_share:6.1f}" if p.tilted_share is not None else "     -"
        lines.append(f"{p.code:8s} {p.name:6s} {p.pool_ha_per_year:11,.0f} {p.new_land_ha:10,.1f} "
                     f"{p.land_quota_bought_ha:8,.1f} {p.land_quota_sold_ha:8,.1f} {p.arable_occupied_ha:10,.1f} "
                     f"{tilt:>7s} {p.reward_fund_cny_100m:8.2f} "
                     f"{p.projects_state_council:3d}/{p.projects_province_entrusted:3d}/{p.projects_province:3d}")
    tot_new = sum(p.new_land_ha for p in r.provinces)
    lines.append(f"{'total':15s} {sum(p.pool_ha_per_year for p in r.provinces):11,.0f} {tot_new:10,.1f}")
    sel = [p for p in r.projects if p.selected_share > 1e-6]
    lines.append(f"\nprojects selected: {len(sel)} of {len(r.projects)} "
                 f"({sum(1 for p in sel if p.selected_share < 1 - 1e-6)} partly)")
    if r.shortfalls:
        lines.append("unmet targets:")
        for sh in r.shortfalls:
            lines.append(f"  {sh.rule} {sh.region} year {sh.year}: short by {sh.amount_ha:,.1f} ha")
    limits = [b for b in r.binding if b.rule not in ("funding_balance", "project_whole")]
    if limits and r.explain is None:  # the explanation, when there is one, says this better
        top = sorted(limits, key=lambda b: -abs(b.shadow_price))[:10]
        lines.append("most valuable binding rules (shadow price, 亿元 per unit):")
        for b in top:
            lines.append(f"  {b.shadow_price:10.4f}  {b.policy_item:22s} {b.description}")
    return "\n".join(lines)


def write_outputs(r, out: Path) -> None:
    from landquota.solvers.result import TABLES

    out.mkdir(parents=True, exist_ok=True)
    (out / "result.json").write_text(r.model_dump_json(indent=1), encoding="utf-8")
    for name in TABLES:
        write_csv(r.table(name), out / f"{name}.csv", type(r).model_fields[name].annotation.__args__[0])


def write_csv(rows, path: Path, row_model) -> None:
    fields = list(row_model.model_fields)
    with path.open("w", newline="", encoding="utf-8") as f:
        w = csv.DictWriter(f, fieldnames=fields)
        w.writeheader()
        for row in rows:
            w.writerow(row.model_dump())


def cmd_export(args) -> int:
    from landquota.solvers.highs import ScenarioSolver, SolveOptions

    s = _load(args.dataset, args.set)
    ScenarioSolver(s, SolveOptions(whole_projects=args.whole_projects)).export_mps(args.mps)
    print(f"wrote {args.mps}")
    return 0


def cmd_generate(args) -> int:
    from landquota.models.generate import generate, write

    data = generate(args.cities, args.projects, args.years, args.seed)
    if args.validate:
        load_scenario(data)
    write(data, args.out)
    n_committed = sum(p["committed"] for p in data["projects"])
    print(f"wrote {args.out}: {len(data['provinces'])} provinces, {len(data['cities'])} cities, "
          f"{len(data['projects'])} projects ({n_committed} committed), {data['years']} year(s), seed {args.seed}")
    return 0


def cmd_route(args) -> int:
    from landquota.models.approval import route
    from landquota.models.policy import PolicyParameters
    from landquota.models.regions import province_code

    code = province_code(args.province)  # a code, or a name: 四川, 四川省, traditional 雲南, Sichuan
    if code is None:
        raise SystemExit(f"error: {args.province} is not a GB/T 2260 province code or name")
    args.province = code
    parcels = []
    types = ("permanent_basic_farmland", "arable", "other", "construction", "unused")
    for spec in args.parcel:
        parts = spec.split(":")
        try:
            if len(parts) not in (2, 3):
                raise ValueError
            lt, ha, own = parts[0], float(parts[1]), parts[2] if len(parts) == 3 else "collective"
        except ValueError:
            raise SystemExit(f"error: --parcel {spec!r} must be TYPE:HA[:OWNERSHIP], e.g. arable:20 or "
                             "other:30:state") from None
        if lt not in types or own not in ("collective", "state") or not ha > 0:
            raise SystemExit(f"error: --parcel {spec!r}: TYPE is {'|'.join(types)}, HA > 0, "
                             "OWNERSHIP is collective (default) or state")
        parcels.append({"land_type": lt, "area_ha": ha, "ownership": own})
    pol = PolicyParameters()
    r = route(parcels, args.province in pol.entrusted_province_codes, pol)
    print(f"authority:   {r.authority}\nreason:      {r.reason}\nlegal basis: {r.legal_basis}")
    for kind, a in (("conversion", r.conversion), ("expropriation", r.expropriation)):
        print(f"{kind}:\n  authority:   {a.authority}\n  reason:      {a.reason}\n  legal basis: {a.legal_basis}")
    return 0


def cmd_delegation(args) -> int:
    """Issue 14: what each province's entrustment (国发〔2020〕4号) is worth; who to entrust next."""
    from landquota.solvers.delegation import delegation

    try:
        rep = delegation(_load(args.dataset, args.set))
    except ValueError as e:  # the base scenario has no optimal plan to compare with
        raise SystemExit(f"error: {e}") from None
    if args.json:
        print(rep.model_dump_json(indent=1))
        return 0
    print(f"{'rank':>4}  {'province':<14}{'change':<10}{'objective 亿元':>16}{'worth 亿元':>12}")
    for rows in (rep.pilots, rep.candidates):
        for x in rows:
            print(f"{x.rank or '-':>4}  {x.province_code} {x.name:<7}{x.change:<10}"
                  f"{x.objective_cny_100m if x.objective_cny_100m is not None else float('nan'):>16,.2f}"
                  f"{x.worth_cny_100m if x.worth_cny_100m is not None else float('nan'):>12,.3f}")
    print(rep.summary_en)
    print(rep.summary_zh)
    return 0


def cmd_batch(args) -> int:
    import hashlib

    from landquota.service.batches.run import run_batch
    from landquota.service.batches.report import plots, table, to_csv
    from landquota.service.batches.spec import BatchSpec, expand
    from landquota.service.batches.store import BatchStore

    spec = BatchSpec.model_validate(_read_file(Path(args.file)))
    out = Path(args.out or f"out/{spec.name}")
    out.mkdir(parents=True, exist_ok=True)
    store = BatchStore(f"sqlite:///{out / 'batch.sqlite'}")
    # the same spec in the same directory is the same batch: re-running resumes it
    bid = hashlib.sha256(spec.model_dump_json().encode()).hexdigest()[:32]
    total = len(expand(spec))
    if store.get(bid) is None:
        store.create(spec.name, spec.model_dump_json(), args.backend, total, batch_id=bid)
    done = store.done(bid)
    if done:
        print(f"resuming: {len(done)} of {total} variants already solved")
    store.set_status(bid, "running")
    count = [len(done)]
    t0 = __import__("time").perf_counter()

    def progress(row):
        store.save(bid, row)
        count[0] += 1
        frac = count[0] / total
        bar = "#" * int(30 * frac) + "-" * (30 - int(30 * frac))
        mark = "" if row.get("ok") else f"  FAILED {row['name']}: {row.get('error', '')[:60]}"
        print(f"\r[{bar}] {count[0]}/{total} {__import__('time').perf_counter() - t0:6.1f}s{mark}",
              end="\n" if mark else "", flush=True)

    run_batch(spec, backend=args.backend, workers=args.workers, done=done, on_result=progress)
    print()
    rows = store.rows(bid)
    order = {n: i for i, (n, _) in enumerate(expand(spec))}
    rows.sort(key=lambda r: order.get(r["name"], 1e9))
    failed = [r for r in rows if not r.get("ok")]
    store.set_status(bid, "succeeded" if not failed else "failed",
                     error=f"{len(failed)} variant(s) failed" if failed else None)
    flat = table(rows, spec.kpis)
    (out / "comparison.csv").write_text(to_csv(flat), encoding="utf-8")
    pngs = plots(spec, rows, out)
    print(f"{len(rows) - len(failed)} solved, {len(failed)} failed; wrote {out}/comparison.csv and {len(pngs)} plot(s)")
    for r in flat[:20]:
        print(f"  {r['variant'][:40]:40s} {r['status']:10s} " + " ".join(
            f"{k}={r[k]:.4g}" if isinstance(r.get(k), (int, float)) else f"{k}=-" for k in spec.kpis[:3]))
    return 0 if not failed else 1


def cmd_serve(args) -> int:
    from landquota.service.server import run

    return run(host=args.host, port=args.port, workers=args.workers) or 0


def cmd_keys(args) -> int:
    """API keys in the service's database (LANDQUOTA_DATABASE_URL / LANDQUOTA_DATA_DIR, as `serve`)."""
    from landquota.service.auth import KeyStore
    from landquota.service.db import make_engine
    from landquota.service.settings import Settings

    store = KeyStore(make_engine(Settings().db_url))
    try:
        if args.keys_command == "create":
            info, key = store.create(args.name or "", args.scope or ["read", "solve"])
            print(key)  # stdout holds the key alone: KEY=$(landquota keys create ...)
            print(f"id {info.id}, scopes {' '.join(info.scopes)}; the key above is shown this once "
                  "(only its hash is stored)", file=sys.stderr)
        elif args.keys_command == "list":
            print(f"{'id':14s} {'scopes':18s} {'created (UTC)':17s} {'last used':17s} {'status':8s} name")
            for k in store.list():
                when = lambda t: t.strftime("%Y-%m-%d %H:%M") if t else "-"  # noqa: E731
                print(f"{k.id:14s} {' '.join(k.scopes):18s} {when(k.created_at):17s} {when(k.last_used_at):17s} "
                      f"{'revoked' if k.revoked_at else 'active':8s} {k.name}")
        else:
            if not store.revoke(args.id):
                print(f"error: no active key {args.id!r}", file=sys.stderr)
                return 1
            print(f"revoked {args.id}")
        return 0
    finally:
        store.engine.dispose()


def build_parser() -> argparse.ArgumentParser:
    ap = argparse.ArgumentParser(prog="landquota", description=__doc__.split("\n\n")[0])
    sub = ap.add_subparsers(dest="command", required=True)

    sub.add_parser("datasets", help="list bundled datasets").set_defaults(func=cmd_datasets)

    p = sub.add_parser("validate", help="validate a scenario file or dataset")
    p.add_argument("path")
    p.set_defaults(func=cmd_validate)

    def scenario_args(p):
        p.add_argument("--dataset", default="demo", help="bundled dataset name or a JSON/YAML scenario file")
        p.add_argument("--set", action="append", metavar="PATH=VALUE",
                       help="override, e.g. policy.per_capita_cap_m2=90, provinces[510000].new_land_pool_ha_per_year=250 "
                       "or, to scale what is there, 'provinces[*].new_land_pool_ha_per_year=*0.9'")
        p.add_argument("--whole-projects", action="store_true", help="select projects whole (MIP)")

    p = sub.add_parser("solve", help="solve a scenario and print a summary")
    scenario_args(p)
    p.add_argument("--out", help="directory for result.json and CSV tables")
    p.add_argument("--time-limit", type=float, default=300.0, help="seconds (default 300)")
    p.add_argument("--explain", action=argparse.BooleanOptionalAction, default=True,
                   help="explain the answer (binding rules, shadow prices, ranges, unmet targets) or, if "
                   "infeasible, the conflicting rules (default: on; --no-explain for speed)")
    p.set_defaults(func=cmd_solve)

    p = sub.add_parser("export", help="write the exact LP as MPS")
    scenario_args(p)
    p.add_argument("--mps", required=True)
    p.set_defaults(func=cmd_export)

    p = sub.add_parser("generate", help="write a synthetic national scenario of any size (models.generate)")
    p.add_argument("--cities", type=int, required=True, help="units (cities/counties) spread over the provinces")
    p.add_argument("--projects", type=int, required=True)
    p.add_argument("--years", type=int, default=5, help="plan years (default 5)")
    p.add_argument("--seed", type=int, default=0, help="random seed (same seed, same scenario)")
    p.add_argument("--out", required=True, help="JSON file to write")
    p.add_argument("--validate", action=argparse.BooleanOptionalAction, default=True,
                   help="validate before writing (default on)")
    p.set_defaults(func=cmd_generate)

    p = sub.add_parser("route", help="who approves a project: conversion (Art. 44) and expropriation (Art. 46)")
    p.add_argument("--province", required=True, help="GB/T 2260 code or name (四川, 四川省, 雲南, Sichuan)")
    p.add_argument("--parcel", action="append", required=True, metavar="TYPE:HA[:OWNERSHIP]",
                   help="TYPE permanent_basic_farmland|arable|other|construction|unused; OWNERSHIP collective "
                   "(default) or state")
    p.set_defaults(func=cmd_route)

    p = sub.add_parser("delegation", help="what each province's entrustment is worth (国发〔2020〕4号): "
                       "pilots by the loss if withdrawn, others by the gain if entrusted")
    p.add_argument("--dataset", default="demo", help="bundled dataset name or a JSON/YAML scenario file")
    p.add_argument("--set", action="append", metavar="PATH=VALUE", help="override, as for solve")
    p.add_argument("--json", action="store_true", help="print the report as JSON")
    p.set_defaults(func=cmd_delegation)

    p = sub.add_parser("batch", help="run a batch of what-if variants (JSON/YAML spec)")
    p.add_argument("file")
    p.add_argument("--backend", choices=["local", "ray"], default="local")
    p.add_argument("--workers", type=int, default=None, help="parallel workers (default: CPU count)")
    p.add_argument("--out", help="output directory (default out/<batch name>); re-running resumes")
    p.set_defaults(func=cmd_batch)

    p = sub.add_parser("serve", help="serve the HTTP API")
    p.add_argument("--host", default=None, help="address (default LANDQUOTA_HOST, else 127.0.0.1)")
    p.add_argument("--port", type=int, default=None, help="port (default LANDQUOTA_PORT, else 8000)")
    p.add_argument("--workers", type=int, default=None, help="solver worker processes (default: CPU count)")
    p.set_defaults(func=cmd_serve)

    p = sub.add_parser("keys", help="API keys of the service (its database: LANDQUOTA_DATABASE_URL / _DATA_DIR)")
    ks = p.add_subparsers(dest="keys_command", required=True)
    k = ks.add_parser("create", help="make a key and print it (once)")
    k.add_argument("--scope", action="extend", nargs="+", choices=["read", "solve", "admin"], metavar="SCOPE",
                   help="read, solve or admin; several: --scope read solve (default: read and solve; solve "
                   "includes read, admin both)")
    k.add_argument("--name", help="who or what the key is for")
    ks.add_parser("list", help="list keys (never the keys themselves)")
    k = ks.add_parser("revoke", help="revoke a key at once")
    k.add_argument("id")
    p.set_defaults(func=cmd_keys)
    return ap


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        return args.func(args)
    except ScenarioInvalid as e:
        _print_problems(e)
        return 2


if __name__ == "__main__":
    sys.exit(main())
