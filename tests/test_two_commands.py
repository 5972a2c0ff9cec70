"""The README's two commands are what the project promises a fresh machine; `.ci/run` must run
exactly the second one (install and test), so the two can never drift apart."""

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def readme_commands() -> list[str]:
    section = ROOT.joinpath("README.md").read_text(encoding="utf-8").split("## Two commands", 1)[1]
    section = section.split("\n## ", 1)[0]
    return [b.strip() for b in re.findall(r"```sh\n(.*?)```", section, flags=re.S)]


def test_ci_runs_exactly_the_readme_test_command():
    serve, test = readme_commands()[:2]
    assert serve.endswith("landquota serve") and "pip install" in serve
    ci_lines = [line for line in ROOT.joinpath(".ci/run").read_text(encoding="utf-8").splitlines()
                if line and not line.startswith(("#", "set ", "cd "))]
    assert ci_lines == [test]
    assert test.endswith("python -m pytest -q")
