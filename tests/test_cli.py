"""The ``landquota`` command line, run as a subprocess like a user would."""

from __future__ import annotations

import csv
import json
import math
import os
import subprocess
import sys
from pathlib import Path

import pytest

from landquota.datasets import dataset_dict
from tests.helpers import city, project, province, scenario

ROOT = Path(__file__).resolve().parents[1]


def run(*args: str, ok: bool | None = True) -> subprocess.CompletedProcess:
    env = dict(os.environ, PYTHONIOENCODING="utf-8")
    p = subprocess.run([sys.executable, "-m", "landquota.service.cli", *args], cwd=ROOT, env=env,
                       capture_output=True, text=True, encoding="utf-8", timeout=120)
    if ok is True:
        assert p.returncode == 0, (p.returncode, p.stdout, p.stderr)
    return p


def pool_file(tmp_path: Path) -> Path:
    """20 ha of other land worth 4 亿元 with a 10 ha pool: optimum 2 亿元 (half the project)."""
    d = scenario([province("510000", pool=10.0)], [city("510100")],
                 [project("P", "510100", 4.0, {"other": 20.0})], name="pool-case")
    f = tmp_path / "pool.json"
    f.write_text(json.dumps(d), encoding="utf-8")
    return f


@pytest.fixture(scope="module")
def demo_out(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("demo-out")
    run("solve", "--dataset", "demo", "--out", str(out))
    return out


def test_datasets_lists_demo():
    p = run("datasets")
    assert any(line.split()[0] == "demo" for line in p.stdout.splitlines() if line.strip())


def test_validate_bundled_and_file(tmp_path):
    assert "valid" in run("validate", "demo").stdout
    assert "valid" in run("validate", str(pool_file(tmp_path))).stdout


def test_validate_yaml(tmp_path):
    yaml = pytest.importorskip("yaml")
    f = tmp_path / "pool.yaml"
    f.write_text(yaml.safe_dump(json.loads(pool_file(tmp_path).read_text(encoding="utf-8")), allow_unicode=True),
                 encoding="utf-8")
    assert run("validate", str(f)).returncode == 0


def test_validate_invalid_file_exit_2_with_field_path(tmp_path):
    d = dataset_dict("demo")
    d["projects"][3]["city_code"] = "530100"
    d["provinces"][0]["linkage_adjustment"] = 0.2
    f = tmp_path / "bad.json"
    f.write_text(json.dumps(d, ensure_ascii=False), encoding="utf-8")
    p = run("validate", str(f), ok=None)
    assert p.returncode == 2
    assert "projects.3.city_code" in p.stderr and "unknown_city" in p.stderr
    assert "provinces.0.linkage_adjustment" in p.stderr and "linkage_flex" in p.stderr
    assert "2 problem" in p.stderr


def test_validate_nan_file(tmp_path):
    d = dataset_dict("demo")
    d["cities"][2]["urban_construction_land_ha"] = float("nan")
    f = tmp_path / "nan.json"
    f.write_text(json.dumps(d), encoding="utf-8")  # json writes NaN, Python's reader accepts it
    p = run("validate", str(f), ok=None)
    assert p.returncode == 2 and "cities.2.urban_construction_land_ha" in p.stderr


def test_unknown_dataset_is_an_error():
    p = run("validate", "no-such-dataset", ok=None)
    assert p.returncode != 0 and "no-such-dataset" in p.stderr


def _num(text: str):
    try:
        return float(text)
    except ValueError:
        return None


def test_solve_writes_json_and_csvs_that_agree(demo_out):
    result = json.loads((demo_out / "result.json").read_text(encoding="utf-8"))
    assert result["status"] == "optimal"
    assert math.isfinite(result["objective_cny_100m"])
    compared = 0
    for name in ("provinces", "cities", "projects", "trades", "binding", "shortfalls"):
        path = demo_out / f"{name}.csv"
        assert path.is_file(), name
        with path.open(encoding="utf-8", newline="") as fh:
            rows = list(csv.DictReader(fh))
        assert len(rows) == len(result[name]), name
        for crow, jrow in zip(rows, result[name]):
            for key, jval in jrow.items():
                if isinstance(jval, bool) or jval is None:
                    continue
                if isinstance(jval, (int, float)):
                    assert _num(crow[key]) == pytest.approx(jval, rel=1e-12, abs=1e-12), (name, key)
                    compared += 1
                elif isinstance(jval, str):
                    assert crow[key] == jval, (name, key)
    assert compared > 100
    # the projects' shares in the CSV reproduce the project land in the JSON city table
    with (demo_out / "projects.csv").open(encoding="utf-8", newline="") as fh:
        projects = list(csv.DictReader(fh))
    for c in result["cities"]:
        land = sum(float(p["area_ha"]) * float(p["selected_share"]) for p in projects if p["city_code"] == c["code"])
        assert land == pytest.approx(c["project_land_ha"], rel=1e-9, abs=1e-9)


def test_solve_pool_case_by_hand_and_set_changes_the_answer(tmp_path):
    f = pool_file(tmp_path)
    out1, out2 = tmp_path / "o1", tmp_path / "o2"
    run("solve", "--dataset", str(f), "--out", str(out1))
    run("solve", "--dataset", str(f), "--set", "provinces[510000].new_land_pool_ha_per_year=15", "--out", str(out2))
    r1 = json.loads((out1 / "result.json").read_text(encoding="utf-8"))
    r2 = json.loads((out2 / "result.json").read_text(encoding="utf-8"))
    assert r1["objective_cny_100m"] == pytest.approx(2.0, rel=1e-9)   # 10 of 20 ha × 0.2 亿元/ha
    assert r2["objective_cny_100m"] == pytest.approx(3.0, rel=1e-9)   # 15 of 20 ha
    assert r2["projects"][0]["selected_share"] == pytest.approx(0.75, rel=1e-9)
    assert r2["provinces"][0]["pool_ha_per_year"] == 15.0


def test_set_on_demo_changes_the_answer(demo_out, tmp_path):
    base = json.loads((demo_out / "result.json").read_text(encoding="utf-8"))
    pool = next(p for p in base["provinces"] if p["code"] == "510000")
    assert any(b["rule"] == "provincial_pool" and b["region"] == "510000" for b in base["binding"])
    out = tmp_path / "o"
    run("solve", "--dataset", "demo", "--set", f"provinces[510000].new_land_pool_ha_per_year={pool['pool_ha_per_year'] - 50}",
        "--out", str(out))
    r = json.loads((out / "result.json").read_text(encoding="utf-8"))
    assert r["objective_cny_100m"] < base["objective_cny_100m"] - 1e-6


def test_bad_set_path_exit_2(tmp_path):
    p = run("solve", "--dataset", str(pool_file(tmp_path)), "--set", "policy.per_capita_cap=90", ok=None)
    assert p.returncode == 2 and "policy.per_capita_cap" in p.stderr and "bad_override" in p.stderr


def _solve_mps(path: Path):
    highspy = pytest.importorskip("highspy")
    h = highspy.Highs()
    h.setOptionValue("output_flag", False)
    assert h.readModel(str(path)) == highspy.HighsStatus.kOk
    h.run()
    assert h.getModelStatus() == highspy.HighsModelStatus.kOptimal
    return h.getInfo().objective_function_value, h.getLp().sense_, highspy


def test_export_mps_pool_case_by_hand(tmp_path):
    mps = tmp_path / "pool.mps"
    run("export", "--dataset", str(pool_file(tmp_path)), "--mps", str(mps))
    text = mps.read_text(encoding="utf-8")
    lines = [ln.strip() for ln in text.splitlines()]
    assert "OBJSENSE" in lines
    assert lines[lines.index("OBJSENSE") + 1] == "MAX", "the objective is a value to maximise"
    obj, sense, highspy = _solve_mps(mps)
    assert sense == highspy.ObjSense.kMaximize
    assert obj == pytest.approx(2.0, rel=1e-9)


def test_export_mps_demo_matches_solve(tmp_path, demo_out):
    mps = tmp_path / "demo.mps"
    run("export", "--dataset", "demo", "--mps", str(mps))
    obj, sense, highspy = _solve_mps(mps)
    value = obj if sense == highspy.ObjSense.kMaximize else -obj
    expected = json.loads((demo_out / "result.json").read_text(encoding="utf-8"))["objective_cny_100m"]
    assert value == pytest.approx(expected, rel=1e-9)


@pytest.mark.parametrize("province_code, parcels, authority, basis", [
    ("510000", ["arable:20", "arable:16"], "state_council", "Art. 46"),
    ("510000", ["arable:35"], "province", "Art. 46"),
    ("440000", ["permanent_basic_farmland:0.01"], "province_entrusted", "国发〔2020〕4号"),
    ("520000", ["other:70.01"], "state_council", "Art. 46"),
])
def test_route(province_code, parcels, authority, basis):
    args = ["route", "--province", province_code]
    for p in parcels:
        args += ["--parcel", p]
    out = run(*args).stdout
    lines = dict(line.split(":", 1) for line in out.splitlines() if ":" in line)
    assert lines["authority"].strip() == authority
    assert basis in lines["legal basis"]
    assert lines["reason"].strip()


@pytest.mark.parametrize("args", [
    ["route", "--province", "990000", "--parcel", "arable:1"],
    ["route", "--province", "510000", "--parcel", "forest:1"],
    ["route", "--province", "510000", "--parcel", "arable:-1"],
    ["route", "--province", "510000", "--parcel", "arable"],
])
def test_route_bad_input(args):
    p = run(*args, ok=None)
    assert p.returncode != 0 and "error" in p.stderr


def test_limits_table_lists_limits_not_identities():
    """Without an explanation, the CLI's summary lists the most valuable binding *limits*: the demo's
    binding limits are there, never the funding balance (an identity) or a project's own row."""
    from landquota.models.scenario import load_scenario
    from landquota.service.cli import summary
    from landquota.solvers.highs import ScenarioSolver, SolveOptions

    r = ScenarioSolver(load_scenario(dataset_dict("demo")), SolveOptions(explain=False)).solve()
    assert "funding_balance" in {b.rule for b in r.binding}  # an identity: always "binding"
    text = summary(r)
    table = text.split("most valuable binding rules")[1].splitlines()[1:]
    assert table and not any("investment need" in ln or "fully selected" in ln for ln in table)
    limits = sorted((b for b in r.binding if b.rule not in ("funding_balance", "project_whole")),
                    key=lambda b: -abs(b.shadow_price))[:10]
    assert [ln.split(None, 1)[1].strip() for ln in table] == [f"{b.policy_item:22s} {b.description}".strip()
                                                              for b in limits]
