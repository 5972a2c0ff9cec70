"""The solver side has no import cycles (issue 12 item 3): the analyses (explain, ranging,
diagnosis) read a solvers.solved.Solved and import neither solvers.highs nor each other, and nothing
outside solvers.solved reads Pyomo's private HiGHS attributes."""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def _imports(path: Path) -> set[str]:
    """landquota modules a file imports, at module level or inside functions."""
    out = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("landquota."):
            out.add(node.module)
        elif isinstance(node, ast.Import):
            out |= {a.name for a in node.names if a.name.startswith("landquota.")}
    return out


def _graph(folder: str) -> dict[str, set[str]]:
    return {f"landquota.{folder}.{p.stem}": _imports(p) for p in (ROOT / folder).glob("*.py")}


def test_no_import_cycle_among_models_and_solvers():
    graph = {**_graph("models"), **_graph("solvers")}
    state: dict[str, int] = {}

    def visit(node, stack):
        state[node] = 1
        for nxt in graph.get(node, ()):
            if nxt not in graph:
                continue
            assert state.get(nxt) != 1, "import cycle: " + " → ".join([*stack, node, nxt])
            if nxt not in state:
                visit(nxt, [*stack, node])
        state[node] = 2

    for node in graph:
        if node not in state:
            visit(node, [])


def test_analyses_do_not_import_the_solver_adapter():
    for name in ("explain", "ranging", "diagnosis", "solved", "wording", "duals", "extract"):
        assert "landquota.solvers.highs" not in _imports(ROOT / "solvers" / f"{name}.py"), name
    assert "landquota.solvers.explain" not in _imports(ROOT / "solvers" / "diagnosis.py")


def test_pyomo_private_names_only_in_solved():
    for p in list((ROOT / "solvers").glob("*.py")) + list((ROOT / "service").rglob("*.py")):
        text = p.read_text(encoding="utf-8")
        for private in ("_pyomo_con_to_solver_con_map", "_pyomo_var_to_solver_var_map", "._solver_model"):
            assert private not in text or p.name == "solved.py", (p.name, private)


def test_no_bare_unit_conversions():
    """万元 → 亿元 is written with models.units, never as a bare / 1e4 (issue 12 item 5)."""
    for folder in ("models", "solvers"):
        for p in (ROOT / folder).glob("*.py"):
            if p.name == "units.py":
                continue
            text = p.read_text(encoding="utf-8")
            assert "/ 1e4" not in text and "* 1e4" not in text and "CNY_10K_PER_100M =" not in text, p.name
