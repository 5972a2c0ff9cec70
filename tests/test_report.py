"""Issue 18: the HTML reports, rendered by a real headless browser (Debian's chromium; .ci/run
installs it). The page's text, the 31-province map, the map's measure switch (its JavaScript), and
a screenshot that is not blank."""

from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from landquota.service.report import NAMES_ZH, TILES, render_batch_report, render_solve_report

ROOT = Path(__file__).resolve().parents[1]
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
needs_browser = pytest.mark.skipif(CHROMIUM is None, reason="no chromium (.ci/run installs Debian's chromium)")
pytestmark = pytest.mark.slow  # a national solve and a browser


def cli(*args: str) -> subprocess.CompletedProcess:
    p = subprocess.run([sys.executable, "-m", "landquota.service.cli", *args], cwd=ROOT, capture_output=True,
                       text=True, encoding="utf-8", env=dict(os.environ, PYTHONIOENCODING="utf-8"), timeout=300)
    assert p.returncode == 0, (p.stdout, p.stderr)
    return p


def browser(url: str, tmp: Path, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([CHROMIUM, "--headless=new", "--no-sandbox", "--disable-gpu", "--hide-scrollbars",
                           "--no-first-run", f"--user-data-dir={tmp / 'profile'}", "--virtual-time-budget=3000",
                           *args, url], capture_output=True, text=True, timeout=120)


def dom(path: Path, tmp: Path, fragment: str = "") -> str:
    p = browser(path.as_uri() + fragment, tmp, "--dump-dom")
    assert p.returncode == 0 and "</html>" in p.stdout, p.stderr[-2000:]
    return p.stdout


def screenshot(path: Path, png: Path, tmp: Path, height: int = 1600) -> None:
    p = browser(path.as_uri(), tmp, f"--screenshot={png}", f"--window-size=1280,{height}")
    assert p.returncode == 0 and png.is_file(), p.stderr[-2000:]


def assert_not_blank(png: Path) -> None:
    from PIL import Image

    im = Image.open(png).convert("RGB")
    assert im.size[0] >= 1000
    colours = im.getcolors(maxcolors=1 << 20)
    assert colours is not None and len(colours) > 100, "too few colours: blank page?"
    white = sum(n for n, c in colours if min(c) >= 250)
    assert white < 0.97 * im.size[0] * im.size[1]


@pytest.fixture(scope="module")
def national(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("cn")
    cli("solve", "--dataset", "china-2020", "--out", str(out), "--quiet")
    return out


def tiles(html: str) -> dict[str, str]:
    """Province code → the value text shown on its tile."""
    found = re.findall(r'<g class="tile" data-code="(\d{6})".*?<text class="val"[^>]*>([^<]*)</text>', html, re.S)
    return dict(found)


@needs_browser
def test_solve_report_in_a_browser(national, tmp_path):
    report = national / "report.html"
    html = report.read_text(encoding="utf-8")
    assert not re.search(r'(src|href)=["\']?(https?:)?//', html), "a report must not load anything from a network"
    result = json.loads((national / "result.json").read_text(encoding="utf-8"))
    page = dom(report, tmp_path)
    # the map: all 31 provinces, by name and GB/T 2260 code, each with its new land on the tile
    shown = tiles(page)
    assert sorted(shown) == sorted(TILES) and len(shown) == 31
    for code, name in NAMES_ZH.items():
        assert f">{name}</text>" in page
    sichuan = next(p for p in result["provinces"] if p["code"] == "510000")
    assert shown["510000"] == f"{sichuan['new_land_ha']:,.0f}"
    # the text: scenario, status, link to scenario.json and its checksum, the reasons in both languages
    text = re.sub(r"<[^>]+>", " ", page)
    assert "china-2020" in text and "optimal" in text
    sha = hashlib.sha256((national / "scenario.json").read_bytes()).hexdigest()
    assert result["stats"]["scenario_sha256"] == sha and sha in text
    assert 'href="scenario.json"' in page
    assert result["explain"]["summary_zh"][:30] in page and result["explain"]["summary_en"][:30] in page
    rule = result["explain"]["binding_groups"][0]["rules"][0]
    assert rule["sentence_en"] in page and rule["sentence_zh"] in page
    for u in result["explain"]["unmet_targets"]:  # highlighted
        assert re.search(r'class="unmet".{0,400}' + re.escape(u["sentence_en"][:40]), page, re.S)
    assert "Financing mix by source" in text and "Approvals by authority" in text and "国务院" in text
    # the allocation bars: new land split into the settler floors its cities meet and the rest
    met = sum(c["linkage_need_ha"] - c["settler_shortfall_ha"] for c in result["cities"] if c["province_code"] == "510000")
    assert 0 < met < sichuan["new_land_ha"]
    assert f"四川 510000 — linked to settlers / 人地挂钩: {met:,.0f} ha" in page
    assert f"四川 510000 — other / 其他: {sichuan['new_land_ha'] - met:,.0f} ha" in page
    n_sc = sum(p["projects_state_council"] for p in result["provinces"])
    assert f"State Council / 国务院 — projects: {n_sc:,} projects" in page
    # the measure switch (inline JavaScript): #measure=debt shows each province's debt ratio
    page = dom(report, tmp_path, "#measure=debt")
    shown = tiles(page)
    assert shown["510000"] == f"{100 * sichuan['debt_ratio_after']:.4g}"
    png = tmp_path / "report.png"
    screenshot(report, png, tmp_path)
    assert_not_blank(png)


@needs_browser
def test_infeasible_report_says_why(tmp_path):
    out = tmp_path / "o"
    p = subprocess.run([sys.executable, "-m", "landquota.service.cli", "solve", "--dataset", "demo", "--set",
                        "projects[GZ-03].committed=true", "--out", str(out), "--quiet"], cwd=ROOT,
                       capture_output=True, text=True, encoding="utf-8", timeout=120)
    assert p.returncode == 3, p.stderr
    result = json.loads((out / "result.json").read_text(encoding="utf-8"))
    page = dom(out / "report.html", tmp_path)
    assert "infeasible" in page and result["diagnosis"]["conflicts"][0]["headline_en"] in page
    assert "不可行原因" in page and result["diagnosis"]["conflicts"][0]["headline_zh"] in page
    assert not tiles(page)  # no allocation, no map


def test_report_survives_missing_and_extra_sections(national):
    """A result with no tables, no explanation and fields this version does not know still renders;
    an allocated quota, when the result has it, becomes the map's first measure."""
    result = json.loads((national / "result.json").read_text(encoding="utf-8"))
    bare = {"scenario": "x", "status": "time_limit", "message": "no allocation"}
    html = render_solve_report(bare, None)
    assert "time_limit" in html and "no allocation" in html and "<svg" not in html
    for p in result["provinces"]:
        p["quota_allocated_ha"] = p["pool_ha_per_year"] * 2
        p["linked_ha"] = p["pool_ha_per_year"] / 2
    result["explain"] = None
    result["financing"] = []
    result["national"] = {"quota_allocation": "national", "national_total_ha": 400000.0,
                          "quota_allocated_ha": 400000.0, "quota_used_ha": 390000.0, "linked_ha": 300000.0,
                          "settlers": 3.5e7, "linked_m2_per_settler": 85.7, "shadow_price_cny_100m_per_ha": [0.0123],
                          "binds": True, "provinces_at_floor": ["540000"], "provinces_at_ceiling": [],
                          "note_en": "The national total binds.", "note_zh": "全国总量起约束。", "a_new_field": 1}
    html = render_solve_report(result, None)
    assert '<option value="quota" selected>' in html and html.count('class="tile"') == 31
    assert "National plan · 全国计划" in html and "The national total binds." in html and "西藏 540000" in html
    assert ">123<" in html  # 0.0123 亿元/ha = 123 万元/ha
    assert "Linked land per settler / 人均挂钩用地" in html
    # without an explanation the report lists the 100 largest shadow prices of a long binding table
    b0 = result["binding"][0]
    result["binding"] = [dict(b0, region=f"R{k}", shadow_price=float(k)) for k in range(250)]
    html = render_solve_report(result, None)
    assert "150 more in result.json and binding.csv" in html
    assert ">R249<" in html and ">R150<" in html and ">R149<" not in html
    # many unmet targets: a highlighted table, largest first, 25 of them
    result["shortfalls"] = [{"rule": "tilt_share", "policy_item": "(20)", "region": "510000", "year": 1,
                             "amount_ha": float(k)} for k in range(1, 31)]
    html = render_solve_report(result, None)
    assert "30</b> targets missed" in html and "5 more in result.json and shortfalls.csv" in html
    first = html.index('data-v="30.0"')
    assert first < html.index('data-v="6.0"') and 'data-v="5.0"' not in html
    assert "Allocation by province: Allocated quota" in html
    sc = next(p for p in result["provinces"] if p["code"] == "510000")
    assert f"四川 510000 — linked to settlers / 人地挂钩: {sc['pool_ha_per_year'] / 2:,.0f} ha" in html
    assert f"四川 510000 — other / 其他: {1.5 * sc['pool_ha_per_year']:,.0f} ha" in html
    shown = tiles(html)
    assert shown["510000"] == f"{2 * next(p for p in result['provinces'] if p['code'] == '510000')['pool_ha_per_year']:,.0f}"


@needs_browser
def test_batch_report_in_a_browser(tmp_path):
    out = tmp_path / "b"
    cli("batch", str(ROOT / "examples" / "quota-sweep.yaml"), "--out", str(out), "--workers", "1", "--quiet")
    report = out / "report.html"
    page = dom(report, tmp_path)
    text = re.sub(r"<[^>]+>", " ", page)
    with (out / "comparison.csv").open(encoding="utf-8") as f:
        variants = [line.split(",")[0] for line in f.read().splitlines()[1:]]
    assert len(variants) == 10
    for v in variants:  # the comparison table and the heat map's columns
        assert v in text
    for code in ("510000", "440000", "520000"):  # the demo's provinces, with their names
        assert f"{NAMES_ZH[code]} {code}" in text
    assert "New land by province and variant" in text and "Comparison" in text
    assert page.count("<circle") + page.count("<rect") > 30  # KPI charts and the heat map drawn
    png = tmp_path / "batch.png"
    screenshot(report, png, tmp_path, height=1400)
    assert_not_blank(png)


def test_batch_report_from_rows_directly():
    from landquota.service.batches.spec import BatchSpec

    spec = BatchSpec.model_validate({"name": "s", "base": {"dataset": "demo"},
                                     "grid": {"parameters": {"policy.per_capita_cap_m2": [90, 100]}}})
    rows = [{"name": "base", "ok": True, "status": "optimal", "objective_cny_100m": 1.0,
             "new_land_by_province": {"510000": 5.0}},
            {"name": "bad", "ok": False, "error": "invalid variant: x"}]
    html = render_batch_report(spec, rows)
    assert "1 failed" in html and "四川 510000" in html and "invalid variant: x" in html
