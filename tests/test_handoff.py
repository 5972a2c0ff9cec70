"""The direct hand-off (solvers.handoff) solves the same LP as Pyomo's persistent HiGHS interface."""

import highspy
import pytest

from landquota.datasets import load_dataset
from landquota.models.generate import generate_scenario
from landquota.models.overrides import apply_overrides
from landquota.solvers.handoff import DirectHighs
from landquota.solvers.highs import ScenarioSolver, SolveOptions, solve_scenario

FAST = dict(explain=False)


def both(scenario, **kw):
    return [solve_scenario(scenario, SolveOptions(handoff=h, **FAST, **kw)) for h in ("direct", "pyomo")]


def test_same_lp_same_answer_on_the_demo():
    direct, pyomo = both(load_dataset("demo"))
    assert direct.objective_cny_100m == pytest.approx(pyomo.objective_cny_100m, rel=1e-12)
    assert direct.stats.variables == pyomo.stats.variables
    assert direct.stats.constraints == pyomo.stats.constraints
    assert direct.stats.nonzeros == pyomo.stats.nonzeros
    assert direct.objective_terms_cny_100m == pytest.approx(pyomo.objective_terms_cny_100m, rel=1e-9, abs=1e-9)
    key = lambda b: (b.rule, b.region, b.year, b.description)  # noqa: E731
    assert sorted((key(b), round(b.shadow_price, 9)) for b in direct.binding) == \
        sorted((key(b), round(b.shadow_price, 9)) for b in pyomo.binding)
    for table in ("provinces", "cities", "projects", "financing", "trades", "limits", "shortfalls"):
        a, b = direct.table(table), pyomo.table(table)
        assert len(a) == len(b), table
        for x, y in zip(a, b):
            x, y = x.model_dump(), y.model_dump()
            assert x.keys() == y.keys()
            for k in x:
                if isinstance(x[k], float) and isinstance(y[k], float):
                    assert x[k] == pytest.approx(y[k], rel=1e-9, abs=1e-9), (table, k)
                else:
                    assert x[k] == y[k], (table, k)


def test_same_optimum_on_a_generated_scenario():
    s = generate_scenario(40, 200, 3, seed=5)
    direct, pyomo = both(s)
    assert direct.status == pyomo.status == "optimal"
    assert direct.objective_cny_100m == pytest.approx(pyomo.objective_cny_100m, rel=1e-9)
    assert (direct.stats.variables, direct.stats.constraints, direct.stats.nonzeros) == \
        (pyomo.stats.variables, pyomo.stats.constraints, pyomo.stats.nonzeros)


@pytest.mark.parametrize("overrides", [
    {"provinces[*].new_land_pool_ha_per_year": 120},         # row bounds
    {"projects[SC-01].investment_cny_100m": 40},             # constraint coefficients
    {"policy.min_capital_ratio": 0.3},                       # coefficients through a product of Params
    {"policy.finance_discount_rate_pct": 5.0},               # objective coefficients
    {"policy.shortfall_penalty_cny_10k_per_ha": 1.0, "cities[520000-REST].settlers_per_year": 10_000},
])
def test_warm_resolve_pushes_every_kind_of_number(overrides):
    base = load_dataset("demo")
    variant = apply_overrides(base, overrides)
    sv = ScenarioSolver(base, SolveOptions(**FAST))
    sv.solve()
    built = sv.model
    warm = sv.resolve(variant)
    assert sv.model is built and sv.direct
    cold = solve_scenario(variant, SolveOptions(**FAST))
    assert warm.objective_cny_100m == pytest.approx(cold.objective_cny_100m, rel=1e-9, abs=1e-9)
    back = sv.resolve(base)
    assert back.objective_cny_100m == pytest.approx(solve_scenario(base, SolveOptions(**FAST)).objective_cny_100m,
                                                    rel=1e-9, abs=1e-9)


def test_only_changed_components_are_recompiled():
    sv = ScenarioSolver(load_dataset("demo"), SolveOptions(**FAST))
    sv.solve()
    h: DirectHighs = sv.highs
    calls = []
    h._update_rows = lambda block_no, _f=h._update_rows: (calls.append(h.lp.rows[block_no].component.name),
                                                          _f(block_no))
    h._update_objective = lambda _f=h._update_objective: (calls.append("objective"), _f())
    sv.resolve(apply_overrides(sv.scenario, {"provinces[*].new_land_pool_ha_per_year": 100}))
    assert calls == []  # a pool is a row bound: no row or objective is recompiled
    sv.resolve(apply_overrides(sv.scenario, {"projects[SC-01].investment_cny_100m": 21}))
    assert "objective" not in calls and set(calls) <= {"finance.funding_balance", "finance.bond_share_cap",
                                                      "finance.capital_min"}


def test_exported_mps_is_the_lp_solved(tmp_path):
    s = generate_scenario(31, 100, 2, seed=3)
    sv = ScenarioSolver(s, SolveOptions(**FAST))
    r = sv.solve()
    path = tmp_path / "lp.mps"
    sv.export_mps(str(path), writer="highs")
    h = highspy.Highs()
    h.setOptionValue("output_flag", False)
    h.readModel(str(path))
    h.setOptionValue("solver", "simplex")
    h.run()
    assert h.getInfo().objective_function_value == pytest.approx(r.objective_cny_100m, rel=1e-9)
    assert h.getInfo().simplex_iteration_count == sv.highs_model.getInfo().simplex_iteration_count
    names = h.getLp().col_names_
    assert names[0].startswith("x(") and len(names) == r.stats.variables


def test_a_coefficient_that_becomes_zero_and_back():
    base = load_dataset("demo")
    sv = ScenarioSolver(base, SolveOptions(**FAST))
    sv.solve()
    built = sv.model
    for overrides in ({"policy.bond_max_share": 0.0, "policy.min_capital_ratio": 0.0},  # coefficients → 0
                      {"policy.bond_max_share": 0.5}, {}):
        variant = apply_overrides(base, overrides)
        warm = sv.resolve(variant)
        assert sv.model is built
        cold = solve_scenario(variant, SolveOptions(**FAST))
        assert warm.objective_cny_100m == pytest.approx(cold.objective_cny_100m, rel=1e-9, abs=1e-9), overrides


def test_no_highs_banner_on_the_terminal_and_a_log_file_on_request(tmp_path):
    """A solve, its explanation and a diagnosis print nothing of HiGHS's (the banner is printed once a
    process, so this runs in a fresh one); LANDQUOTA_HIGHS_LOG sends the log, banner included, to a file."""
    import os
    import subprocess
    import sys

    code = ("from landquota.datasets import load_dataset\n"
            "from landquota.models.overrides import apply_overrides\n"
            "from landquota.solvers.highs import solve_scenario\n"
            "s = load_dataset('demo')\n"
            "assert solve_scenario(s).explain is not None\n"
            "assert solve_scenario(apply_overrides(s, {'projects[GZ-03].committed': True})).diagnosis is not None\n")
    env = {k: v for k, v in os.environ.items() if k != "LANDQUOTA_HIGHS_LOG"}
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, timeout=300)
    assert out.returncode == 0, out.stderr
    assert "HiGHS" not in out.stdout + out.stderr
    log = tmp_path / "highs.log"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=300,
                         env={**env, "LANDQUOTA_HIGHS_LOG": str(log)})
    assert out.returncode == 0, out.stderr
    assert "HiGHS" not in out.stdout + out.stderr
    assert "Running HiGHS" in log.read_text()


def test_presolve_off_only_for_large_simplex_solves_and_the_same_optimum():
    """Cold dual-simplex solves of LPs with ≥ PRESOLVE_OFF_FROM_NONZEROS nonzeros run without HiGHS's
    presolve; the demo keeps it; a MIP and an interior-point solve keep it. Either way the optimum
    of the large LP is the one found with presolve on, and a warm re-solve after it is the cold one."""
    from landquota.solvers.highs import PRESOLVE_OFF_FROM_NONZEROS, choose_presolve

    def presolve(sv):
        return sv.highs_model.getOptionValue("presolve")[1]

    small = ScenarioSolver(load_dataset("demo"), SolveOptions(explain=False))
    small.solve()
    assert small.highs.lp.nonzeros < PRESOLVE_OFF_FROM_NONZEROS and presolve(small) == "on"

    s = generate_scenario(200, 1400, 5, seed=2)
    large = ScenarioSolver(s, SolveOptions(explain=False))
    r_off = large.solve()
    assert large.highs.lp.nonzeros >= PRESOLVE_OFF_FROM_NONZEROS and presolve(large) == "off"
    on = ScenarioSolver(s, SolveOptions(explain=False, presolve="on"))
    r_on = on.solve()
    assert presolve(on) == "on"
    assert r_off.status == r_on.status == "optimal"
    assert r_off.objective_cny_100m == pytest.approx(r_on.objective_cny_100m, rel=1e-9)
    big = 10 * PRESOLVE_OFF_FROM_NONZEROS
    assert choose_presolve("ipm", False, big) == choose_presolve("simplex", True, big) == "on"
    assert choose_presolve("simplex", False, big, requested="on") == "on"
    variant = apply_overrides(s, {"policy.finance_discount_rate_pct": 5.0})
    warm = large.resolve(variant)
    cold = ScenarioSolver(variant, SolveOptions(explain=False)).solve()
    assert warm.objective_cny_100m == pytest.approx(cold.objective_cny_100m, rel=1e-9)
