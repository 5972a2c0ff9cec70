"""The ``landquota`` command line.

    landquota datasets
    landquota validate PATH
    landquota solve --dataset demo|china-2020|PATH [--set path=value ...] [--out DIR] [--format text|json]
                    [--time-limit S] [--log FILE] [--quiet] [--whole-projects] [--no-explain]
    landquota export --dataset ... --mps FILE
    landquota generate --cities N --projects M [--years Y] [--seed S] --out FILE
    landquota route --province CODE --parcel TYPE:HA[:OWNERSHIP] [--parcel ...]
    landquota delegation --dataset ... [--set path=value ...] [--json]
    landquota batch SPEC [--out DIR] [--backend local|ray] [--workers N]
    landquota serve [--host --port --workers]
    landquota keys create [--scope read|solve|admin ...] [--name NAME]; keys list; keys revoke ID

Progress, warnings and errors go to stderr; stdout carries only the answer (the summary, or with
``--format json`` the result JSON alone), so ``landquota solve ... --format json | jq .headline`` works.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import math
import os
import sys
import threading
import time
from pathlib import Path

from landquota.models.scenario import Scenario, ScenarioInvalid, load_scenario

# ---- exit codes (documented in --help and the README; tests/test_cli_exit.py ends each way) ------

EXIT_OK = 0
"""solve: optimal (a MIP: within the requested gap); batch: every variant solved."""
EXIT_ERROR = 1
"""Anything else went wrong: an output could not be written, the solver failed, or a bug (the
message, with a traceback under LANDQUOTA_DEBUG=1, is on stderr)."""
EXIT_INVALID = 2
"""Invalid input: the scenario, an override, the batch spec or a command-line argument."""
EXIT_INFEASIBLE = 3
"""The scenario is infeasible (or unbounded). The answer, with its diagnosis, is still written."""
EXIT_TIME_LIMIT = 4
"""The time limit was reached with an allocation (HiGHS's best); it is written, not proven optimal."""
EXIT_TIME_LIMIT_NO_SOLUTION = 5
"""The time limit was reached before any allocation was found; the (empty) answer is written."""
EXIT_BATCH_FAILED = 6
"""batch: at least one variant failed (invalid or crashed); the others are written and the count
is printed."""
EXIT_INTERRUPTED = 130
"""Interrupted (Ctrl-C)."""

EXIT_CODES_HELP = """exit codes:
  0    optimal (a MIP: within the requested gap); batch: every variant solved
  1    error: an output could not be written, the solver failed, or a bug (LANDQUOTA_DEBUG=1 for the traceback)
  2    invalid input: scenario, override (--set), batch spec or argument; every problem is listed
  3    infeasible or unbounded: the answer and its diagnosis are still printed and written
  4    time limit reached with an allocation (HiGHS's best so far, not proven optimal): written
  5    time limit reached before any allocation was found: the empty answer is written
  6    batch: at least one variant failed (the count is printed; the others are written)
  130  interrupted (Ctrl-C)"""

LARGE_LP_NONZEROS = 1_000_000
"""An LP at least this large gets a warning that the solve may take minutes. Measured on the 2-core
machine, shared, with generated national scenarios (``landquota generate --cities N --projects 7N
--years 5``): 1,000 units, 0.55M nonzeros, 11 s end to end; 3,000 units, 1.63M nonzeros, 145 s
(README, speed)."""


class InputError(Exception):
    """Invalid input that is not a scenario rule (an unknown dataset, an unreadable file)."""


def exit_code(status: str, has_allocation: bool) -> int:
    """The exit code of a solve's answer (see EXIT_CODES_HELP)."""
    if status == "optimal":
        return EXIT_OK
    if status in ("infeasible", "unbounded"):
        return EXIT_INFEASIBLE
    if status == "time_limit":
        return EXIT_TIME_LIMIT if has_allocation else EXIT_TIME_LIMIT_NO_SOLUTION
    return EXIT_ERROR


def _load(spec: str, sets: list[str] | None = None) -> Scenario:
    """The scenario a command names: a bundled dataset or a JSON/YAML file, with ``--set`` overrides,
    resolved as every other entry point resolves a request (``service.requests.resolve_request``)."""
    from landquota.datasets import DATASETS
    from landquota.models.overrides import parse_assignment
    from landquota.service.requests import resolve_request

    if spec in DATASETS:
        source: str | dict = spec
    else:
        path = Path(spec)
        if not path.is_file():
            raise InputError(f"{spec!r} is neither a bundled dataset ({', '.join(DATASETS)}) nor a file")
        source = _read_file(path)
    try:
        assignments = dict(parse_assignment(s) for s in sets or ())
    except ValueError as e:
        raise InputError(f"--set: {e}") from None
    scenario, _ = resolve_request(source, assignments)
    return scenario


def _read_file(path: Path) -> dict:
    try:
        text = path.read_text(encoding="utf-8")
        if path.suffix in (".yaml", ".yml"):
            import yaml

            data = yaml.safe_load(text)
        else:
            data = json.loads(text)
    except (OSError, UnicodeDecodeError, ValueError) as e:  # json and yaml errors are ValueErrors
        raise InputError(f"{path}: cannot read it as {'YAML' if path.suffix in ('.yaml', '.yml') else 'JSON'}: "
                         f"{e}") from None
    except Exception as e:  # yaml.YAMLError
        raise InputError(f"{path}: cannot read it as YAML: {e}") from None
    if not isinstance(data, dict):
        raise InputError(f"{path}: a scenario is a JSON/YAML object, found {type(data).__name__}")
    return data


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


# ---- live progress on stderr -------------------------------------------------------------------


def format_progress(snap: dict) -> str:
    """One line: elapsed time, phase and, while HiGHS runs, its own figures."""
    parts = [f"[{snap['elapsed_s']:7.1f}s] {snap['phase']:8s} {snap['phase_s']:6.1f}s"]
    if snap["phase"] == "solve":
        if snap.get("ipm_iterations"):
            parts.append(f"ipm it {snap['ipm_iterations']:,}")
        if snap.get("iterations") is not None:
            parts.append(f"simplex it {snap['iterations']:,}")
        if snap.get("objective") is not None:
            parts.append(f"objective {snap['objective']:.6g}")
        for side in ("primal", "dual"):
            count, total = snap.get(f"{side}_infeasibilities"), snap.get(f"{side}_infeasibility_sum")
            if count is not None:
                ph1 = " (phase 1)" if side == "primal" and snap.get("primal_phase") == 1 else ""
                parts.append(f"{side} inf {count:,} sum {total if total is not None else float('nan'):.3g}{ph1}")
            elif total is not None:  # interior point: residuals, no counts
                parts.append(f"{side} inf {total:.3g}")
        if snap.get("ipm_gap") is not None:
            parts.append(f"ipm gap {snap['ipm_gap']:.3g}")
        if snap.get("mip_gap") is not None:
            parts.append(f"MIP gap {100 * snap['mip_gap']:.3g}%")
        if snap.get("mip_nodes"):
            parts.append(f"nodes {snap['mip_nodes']:,}")
        if snap.get("note"):
            parts.append(f"· {snap['note']}")
    return "  ".join(parts)


class Terminal:
    """Progress and messages on stderr. On a terminal one line is redrawn in place (and kept ticking
    by a timer while a phase is silent); otherwise plain lines: each phase once, then solver figures
    at most every ``plain_every_s`` seconds. ``quiet``: nothing but errors."""

    def __init__(self, quiet: bool = False, stream=None, plain_every_s: float = 10.0):
        self.stream = stream or sys.stderr
        self.quiet = quiet
        self.tty = self.stream.isatty()
        self.plain_every_s = plain_every_s
        self._lock = threading.Lock()
        self._drawn = False
        self._last_phase = None
        self._last_plain = 0.0
        self._source = None
        self._stop = threading.Event()
        self._ticker: threading.Thread | None = None

    def follow(self, progress) -> None:
        """Draw ``progress`` (a SolveProgress) until :meth:`close`; redraw every 0.5 s on a terminal."""
        self._source = progress
        if self.tty and not self.quiet:
            def tick():
                while not self._stop.wait(0.5):
                    self.update(progress.snapshot(), tick=True)

            self._ticker = threading.Thread(target=tick, daemon=True, name="progress-ticker")
            self._ticker.start()

    def update(self, snap: dict, tick: bool = False) -> None:
        if self.quiet:
            return
        with self._lock:
            line = format_progress(snap)
            if self.tty:
                width = max(40, _terminal_width() - 1)
                self.stream.write("\r\x1b[2K" + line[:width])
                self._drawn = True
            elif snap["phase"] != self._last_phase or (
                    time.monotonic() - self._last_plain >= self.plain_every_s and not tick):
                self.stream.write(line + "\n")
                self._last_plain = time.monotonic()
            self._last_phase = snap["phase"]
            self.stream.flush()

    def say(self, text: str, error: bool = False) -> None:
        """A message line (warnings, what was written); errors are printed even when quiet."""
        if self.quiet and not error:
            return
        with self._lock:
            if self._drawn:
                self.stream.write("\r\x1b[2K")
                self._drawn = False
            self.stream.write(text + "\n")
            self.stream.flush()

    def close_now(self) -> None:
        """End the line drawn in place (when the process is about to exit)."""
        self._stop.set()
        if self._drawn:
            self.stream.write("\n")
            self.stream.flush()

    def close(self) -> None:
        self._stop.set()
        if self._ticker is not None:
            self._ticker.join()
        with self._lock:
            if self._drawn:  # leave the last state on screen
                self.stream.write("\n")
                self._drawn = False
            self.stream.flush()


def _terminal_width() -> int:
    import shutil

    return shutil.get_terminal_size((100, 20)).columns


@contextlib.contextmanager
def _stdout_kept_clean():
    """While solving, anything written straight to file descriptor 1 (HiGHS's banner, native
    libraries) goes to /dev/null, so stdout carries only the answer (``--format json | jq``)."""
    try:
        sys.stdout.flush()
        saved = os.dup(1)
    except (OSError, ValueError):  # no real stdout: nothing to protect
        yield
        return
    devnull = os.open(os.devnull, os.O_WRONLY)
    try:
        os.dup2(devnull, 1)
        yield
    finally:
        sys.stdout.flush()
        os.dup2(saved, 1)
        os.close(saved)
        os.close(devnull)


@contextlib.contextmanager
def _ctrl_c_stops_at_once(term: "Terminal"):
    """Ctrl-C ends the run at once, even inside HiGHS. Python runs a signal's handler only when the
    main thread next runs Python code, which inside HiGHS is at its next callback, possibly many
    seconds later (and a KeyboardInterrupt there makes HiGHS report an error). So SIGINT gets a
    handler that does nothing, and Python's C-level handler writes the signal to a wake-up pipe at
    once, from whichever thread the signal reaches; a helper thread reading that pipe says so on
    stderr and exits with 130. Outside the main thread Python's default applies."""
    import signal

    if threading.current_thread() is not threading.main_thread():
        yield
        return
    done = threading.Event()
    r, w = os.pipe()
    os.set_blocking(w, False)
    old_fd = signal.set_wakeup_fd(w, warn_on_full_buffer=False)
    old_handler = signal.signal(signal.SIGINT, lambda signum, frame: None)

    def wait() -> None:
        while True:
            data = os.read(r, 1)
            if done.is_set() or not data:
                return
            if data[0] == signal.SIGINT:
                term.close_now()
                sys.stderr.write("\ninterrupted (Ctrl-C): stopped, nothing written\n")
                sys.stderr.flush()
                os._exit(EXIT_INTERRUPTED)

    waiter = threading.Thread(target=wait, daemon=True, name="ctrl-c")
    waiter.start()
    try:
        yield
    finally:
        done.set()
        signal.set_wakeup_fd(old_fd)
        signal.signal(signal.SIGINT, old_handler)
        os.write(w, b"\0")  # wakes the waiter, which returns
        waiter.join()
        os.close(r)
        os.close(w)


def cmd_solve(args) -> int:
    from landquota.solvers.highs import ScenarioSolver, SolveOptions
    from landquota.solvers.progress import SolveProgress

    term = Terminal(quiet=args.quiet)
    if args.log:
        try:
            open(args.log, "w").close()  # HiGHS appends to its log file: start it afresh
        except OSError as e:
            term.say(f"error: cannot write the log file {args.log}: {e}", error=True)
            return EXIT_ERROR
    progress = SolveProgress(term.update, log_file=args.log, every_s=0.25 if term.tty else 1.0,
                             iterations=term.tty and not args.quiet)  # live counts cost time: only when watched
    out = Path(args.out) if args.out else None
    if out is not None:
        try:  # before a long solve, not after it
            out.mkdir(parents=True, exist_ok=True)
        except OSError as e:
            term.say(f"error: cannot create the output directory {out}: {e}", error=True)
            return EXIT_ERROR
    time_limit = math.inf if args.time_limit is None else args.time_limit
    opts = SolveOptions(time_limit_s=time_limit, whole_projects=args.whole_projects, explain=args.explain)
    try:
        with _ctrl_c_stops_at_once(term), _stdout_kept_clean():
            term.follow(progress)
            progress.phase("validate")
            s = _load(args.dataset, args.set)
            solver = ScenarioSolver(s, opts, progress=_SizeWarning(progress, term, time_limit))
            r = solver.solve()
            progress.phase("done")
    finally:
        term.close()
    from landquota.service.scenario_file import scenario_bytes, sha256_hex

    data = scenario_bytes(s)
    r.stats.scenario_sha256 = sha256_hex(data)
    if args.format == "json":
        sys.stdout.write(r.model_dump_json(indent=1) + "\n")
    elif not args.quiet:
        print(summary(r))
        if r.explain:
            from landquota.service.cli_text import format_explanation

            print(format_explanation(r.explain))
        if r.diagnosis:
            from landquota.service.cli_text import format_diagnosis

            print(format_diagnosis(r.diagnosis))
    if out is not None:
        write_outputs(r, out, scenario=s, scenario_json=data)
        term.say(f"wrote {out}/result.json, scenario.json (sha256 {r.stats.scenario_sha256[:12]}…), "
                 "report.html and CSV tables")
    code = exit_code(r.status, r.objective_cny_100m is not None)
    if code != EXIT_OK:
        term.say(f"exit {code}: {r.status}" + (f" — {r.message}" if r.message else ""))
    return code


class _SizeWarning:
    """Passes phases on to a SolveProgress and, once the LP's size is known, prints it (and a
    warning for a large LP) as a message line."""

    def __init__(self, progress, term: Terminal, time_limit: float):
        self._p, self._term, self._limit = progress, term, time_limit

    def __getattr__(self, name):
        return getattr(self._p, name)

    def update(self, **info) -> None:
        self._p.update(**info)
        if "nonzeros" in info:
            cols, rows, nnz = info["columns"], info["rows"], info["nonzeros"]
            self._term.say(f"LP: {cols:,} columns, {rows:,} rows, {nnz:,} nonzeros; time limit "
                           + ("none" if math.isinf(self._limit) else f"{self._limit:g} s"))
            if nnz >= LARGE_LP_NONZEROS:
                self._term.say(f"warning: a large LP ({nnz / 1e6:.2f}M nonzeros): the solve may take minutes "
                               "(measured on a quiet 2-core machine, bench/README.md: 3,000 generated units, "
                               "1.6M nonzeros, 30 s end to end; 30,000 units, 15.6M, not solved in 15 minutes)")


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
    national = r.national is not None and r.national.quota_allocation == "national"
    lines.append(f"{'province':8s} {'name':6s} {'alloc ha' if national else 'pool/yr ha':>11s} {'new ha':>10s} "
                 f"{'bought':>8s} {'sold':>8s} "
                 f"{'arable occ':>10s} {'tilt %':>7s} {'fund 亿':>8s} {'SC/ent/prov':>11s}")
    for p in r.provinces:
        tilt = f"{100 * p.tilted_share:6.1f}" if p.tilted_share is not None else "     -"
        quota = p.quota_allocated_ha if national else p.pool_ha_per_year
        lines.append(f"{p.code:8s} {p.name:6s} {quota:11,.0f} {p.new_land_ha:10,.1f} "
                     f"{p.land_quota_bought_ha:8,.1f} {p.land_quota_sold_ha:8,.1f} {p.arable_occupied_ha:10,.1f} "
                     f"{tilt:>7s} {p.reward_fund_cny_100m:8.2f} "
                     f"{p.projects_state_council:3d}/{p.projects_province_entrusted:3d}/{p.projects_province:3d}")
    tot_new = sum(p.new_land_ha for p in r.provinces)
    tot_quota = sum(p.quota_allocated_ha if national else p.pool_ha_per_year for p in r.provinces)
    lines.append(f"{'total':15s} {tot_quota:11,.0f} {tot_new:10,.1f}")
    if r.national is not None and r.national.note_en:
        lines.append(r.national.note_en)
    sel = [p for p in r.projects if p.selected_share > 1e-6]
    lines.append(f"\nprojects selected: {len(sel)} of {len(r.projects)} "
                 f"({sum(1 for p in sel if p.selected_share < 1 - 1e-6)} partly)")
    if r.shortfalls:
        lines.append("unmet targets:")
        for sh in r.shortfalls:
            lines.append(f"  {sh.rule} {sh.region} year {sh.year}: short by {sh.amount_ha:,.1f} ha")
    limits = [b for b in r.binding if _is_limit(b.rule)]
    if limits and r.explain is None:  # the explanation, when there is one, says this better
        top = sorted(limits, key=lambda b: -abs(b.shadow_price))[:10]
        lines.append("most valuable binding rules (shadow price, 亿元 per unit):")
        for b in top:
            lines.append(f"  {b.shadow_price:10.4f}  {b.policy_item:22s} {b.description}")
    return "\n".join(lines)


def _is_limit(rule_name: str) -> bool:
    """Whether a binding rule belongs in the CLI's table of limits: a limit set by data or a market's
    clearing (whose price is the quota's), not an accounting identity (the funding balance) or the
    one-project rows (their prices are the projects' own margins)."""
    from landquota.models.build import REGISTRY

    rule = REGISTRY.by_name.get(rule_name)
    return rule is None or rule.kind in ("limit", "eligibility") or rule.payments_cancel


def write_outputs(r, out: Path, scenario: Scenario | None = None, scenario_json: bytes | None = None) -> None:
    """result.json, one CSV per table and, given the scenario, scenario.json (its canonical bytes,
    whose SHA-256 the result carries) and report.html."""
    from landquota.solvers.result import TABLES

    out.mkdir(parents=True, exist_ok=True)
    if scenario is not None:
        from landquota.service.scenario_file import scenario_bytes

        (out / "scenario.json").write_bytes(scenario_json if scenario_json is not None else scenario_bytes(scenario))
    (out / "result.json").write_text(r.model_dump_json(indent=1), encoding="utf-8")
    for name in TABLES:
        write_csv(r.table(name), out / f"{name}.csv", type(r).model_fields[name].annotation.__args__[0])
    if scenario is not None:
        from landquota.service.report import render_solve_report

        (out / "report.html").write_text(render_solve_report(r, scenario), encoding="utf-8")


def write_csv(rows, path: Path, row_model) -> None:
    from landquota.service.export import write_csv as write

    write(rows, list(row_model.model_fields), path)


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
        raise InputError(f"{args.province} is not a GB/T 2260 province code or name")
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
            raise InputError(f"--parcel {spec!r} must be TYPE:HA[:OWNERSHIP], e.g. arable:20 or "
                             "other:30:state") from None
        if lt not in types or own not in ("collective", "state") or not ha > 0:
            raise InputError(f"--parcel {spec!r}: TYPE is {'|'.join(types)}, HA > 0, "
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
        print(f"error: {e}", file=sys.stderr)
        return EXIT_INFEASIBLE
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


class BatchBar:
    """The batch's progress on stderr: on a terminal a rich progress bar (done/total, elapsed, time
    left), failed variants printed above it; otherwise plain lines, one at least every
    ``plain_every_s`` seconds or 10% of the variants, and one per failed variant."""

    def __init__(self, total: int, already: int, quiet: bool = False, stream=None, plain_every_s: float = 10.0):
        self.stream = stream or sys.stderr
        self.total, self.count, self.quiet = total, already, quiet
        self.tty = self.stream.isatty()
        self.failed = 0
        self.t0 = time.monotonic()
        self._last_line, self._last_count = self.t0, already
        self._start_count = already
        self.plain_every_s = plain_every_s
        self._bar = None
        if self.tty and not quiet:
            from rich.console import Console
            from rich.progress import (BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn,
                                       TimeRemainingColumn)

            self._bar = Progress(TextColumn("batch"), BarColumn(), MofNCompleteColumn(), TextColumn("elapsed"),
                                 TimeElapsedColumn(), TextColumn("left"), TimeRemainingColumn(),
                                 TextColumn("{task.fields[failed]}"), console=Console(file=self.stream),
                                 transient=False)
            self._task = self._bar.add_task("batch", total=total, completed=already, failed="")
            self._bar.start()

    def add(self, row: dict) -> None:
        self.count += 1
        ok = bool(row.get("ok"))
        if not ok:
            self.failed += 1
        if self.quiet:
            return
        if self._bar is not None:
            if not ok:
                self._bar.console.print(f"FAILED {row['name']}: {row.get('error', '')}", markup=False,
                                        highlight=False)
            self._bar.update(self._task, advance=1, failed=f"{self.failed} failed" if self.failed else "")
            return
        now = time.monotonic()
        if not ok:
            self.stream.write(f"FAILED {row['name']}: {row.get('error', '')}\n")
        step = max(1, self.total // 10)
        if (now - self._last_line >= self.plain_every_s or self.count - self._last_count >= step
                or self.count == self.total):
            self.stream.write(self.line(now) + "\n")
            self._last_line, self._last_count = now, self.count
        self.stream.flush()

    def line(self, now: float) -> str:
        elapsed = now - self.t0
        left = ""
        solved_here = self.count - self._start_count
        if 0 < solved_here and self.count < self.total:
            left = f", about {elapsed / solved_here * (self.total - self.count):.0f}s left"
        failed = f", {self.failed} failed" if self.failed else ""
        return f"batch {self.count}/{self.total} ({100 * self.count / max(1, self.total):.0f}%), {elapsed:.1f}s elapsed{left}{failed}"

    def close(self) -> None:
        if self._bar is not None:
            self._bar.stop()


def cmd_batch(args) -> int:
    import hashlib

    from pydantic import ValidationError

    from landquota.service.batches.run import run_batch
    from landquota.service.batches.report import plots, table, to_csv
    from landquota.service.batches.spec import BatchSpec, expand
    from landquota.service.batches.store import BatchStore

    try:
        spec = BatchSpec.model_validate(_read_file(Path(args.file)))
    except ValidationError as e:
        print(f"invalid batch spec {args.file}: {e.error_count()} problem(s)", file=sys.stderr)
        for err in e.errors(include_url=False):
            print(f"  {'.'.join(map(str, err['loc']))}: [{err['type']}] {err['msg']}", file=sys.stderr)
        return EXIT_INVALID
    out = Path(args.out or f"out/{spec.name}")
    out.mkdir(parents=True, exist_ok=True)
    store = BatchStore(f"sqlite:///{out / 'batch.sqlite'}")
    # the same spec in the same directory is the same batch: re-running resumes it
    bid = hashlib.sha256(spec.model_dump_json().encode()).hexdigest()[:32]
    variants = expand(spec)
    total = len(variants)
    if store.get(bid) is None:
        store.create(spec.name, spec.model_dump_json(), args.backend, total, batch_id=bid)
    done = store.done(bid)
    if done and not args.quiet:
        print(f"resuming: {len(done)} of {total} variants already solved", file=sys.stderr)
    store.set_status(bid, "running")
    bar = BatchBar(total, len(done), quiet=args.quiet)

    def progress(row):
        store.save(bid, row)
        bar.add(row)

    try:
        with _stdout_kept_clean():
            run_batch(spec, backend=args.backend, workers=args.workers, done=done, on_result=progress)
    finally:
        bar.close()
    rows = store.rows(bid)
    order = {n: i for i, (n, _) in enumerate(variants)}
    rows.sort(key=lambda r: order.get(r["name"], 1e9))
    failed = [r for r in rows if not r.get("ok")]
    store.set_status(bid, "succeeded" if not failed else "failed",
                     error=f"{len(failed)} variant(s) failed" if failed else None)
    flat = table(rows, spec.kpis)
    (out / "comparison.csv").write_text(to_csv(flat), encoding="utf-8")
    pngs = plots(spec, rows, out)
    from landquota.service.report import render_batch_report

    (out / "report.html").write_text(render_batch_report(spec, rows), encoding="utf-8")
    written = f"{out}/comparison.csv, report.html and {len(pngs)} plot(s)"
    if not args.quiet:
        statuses: dict[str, int] = {}
        for r in rows:
            if r.get("ok"):
                statuses[r.get("status", "?")] = statuses.get(r.get("status", "?"), 0) + 1
        detail = ", ".join(f"{n} {st}" for st, n in sorted(statuses.items()))
        print(f"{len(rows) - len(failed)} of {total} variants solved ({detail or 'none'}); wrote {written}")
        for r in flat[:20]:
            print(f"  {r['variant'][:40]:40s} {r['status']:10s} " + " ".join(
                f"{k}={r[k]:.4g}" if isinstance(r.get(k), (int, float)) else f"{k}=-" for k in spec.kpis[:3]))
    if failed:
        print(f"error: {len(failed)} of {total} variants failed: "
              + ", ".join(r["name"] for r in failed[:10]) + (" …" if len(failed) > 10 else ""), file=sys.stderr)
        return EXIT_BATCH_FAILED
    return EXIT_OK


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
    ap = argparse.ArgumentParser(prog="landquota", description=__doc__.split("\n\n")[0], epilog=EXIT_CODES_HELP,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
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

    p = sub.add_parser("solve", help="solve a scenario and print a summary",
                       description="Solve a scenario. Progress (phases, LP size, HiGHS's iterations, objective, "
                       "infeasibilities, MIP gap) goes to stderr, redrawn in place on a terminal and as plain lines "
                       "otherwise; stdout carries only the answer.",
                       epilog=EXIT_CODES_HELP, formatter_class=argparse.RawDescriptionHelpFormatter)
    scenario_args(p)
    p.add_argument("--out", help="directory for result.json, scenario.json (the effective scenario; the result "
                   "carries its SHA-256), report.html and one CSV per table")
    p.add_argument("--time-limit", type=float, default=None, metavar="SECONDS",
                   help="stop HiGHS after this many seconds and keep its best allocation (default: none; "
                   "the HTTP service has its own limits)")
    p.add_argument("--format", choices=["text", "json"], default="text",
                   help="stdout: a summary (text, default) or the result JSON and nothing else (json)")
    p.add_argument("--quiet", "-q", action="store_true", help="no progress and no summary: only errors "
                   "(and, with --format json, the JSON)")
    p.add_argument("--log", metavar="FILE", help="keep HiGHS's full log in FILE")
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
    p.add_argument("--province", required=True, help="GB/T 2260 code or name (四川, 四川省, 云南, Sichuan)")
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

    p = sub.add_parser("batch", help="run a batch of what-if variants (JSON/YAML spec)",
                       description="Run a batch of what-if variants. A progress bar (done, elapsed, time left) "
                       "goes to stderr on a terminal, plain lines otherwise. Exits 6 when any variant failed.",
                       epilog=EXIT_CODES_HELP, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("file")
    p.add_argument("--backend", choices=["local", "ray"], default="local")
    p.add_argument("--workers", type=int, default=None, help="parallel workers (default: CPU count)")
    p.add_argument("--out", help="output directory (default out/<batch name>); re-running resumes")
    p.add_argument("--quiet", "-q", action="store_true", help="no progress bar and no summary: only errors")
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
    args = build_parser().parse_args(argv)  # bad arguments: argparse exits with 2 (EXIT_INVALID)
    try:
        return args.func(args)
    except ScenarioInvalid as e:
        _print_problems(e)
        return EXIT_INVALID
    except InputError as e:
        print(f"error: {e}", file=sys.stderr)
        return EXIT_INVALID
    except KeyboardInterrupt:
        print("\ninterrupted", file=sys.stderr)
        return EXIT_INTERRUPTED
    except Exception as e:  # a bug or an environment failure: say so, exit 1
        if os.environ.get("LANDQUOTA_DEBUG"):
            import traceback

            traceback.print_exc()
        print(f"error: {type(e).__name__}: {e}" + ("" if os.environ.get("LANDQUOTA_DEBUG") else
              "  (LANDQUOTA_DEBUG=1 shows the traceback)"), file=sys.stderr)
        return EXIT_ERROR


if __name__ == "__main__":
    sys.exit(main())
