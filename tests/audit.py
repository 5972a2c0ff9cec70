"""An independent auditor: re-derive every rule from ``scenario.json`` and ``result.json`` alone.

Nothing here imports the model (``landquota.models``, ``landquota.solvers``): each rule is written
again from the law as ``shared/POLICY.md``, the README and the Block modules' docstrings state it,
with the numbers of the effective scenario (``landquota solve --out DIR`` writes both files).

An :class:`Audit` runs checks; each check records how many rows it covered and every row that
breaks its rule (``Audit.failures[check]``: (row, expected, got, note)). Tests assert both: no
failure, and at least one row covered (a check never passes vacuously).
"""

from __future__ import annotations

import json
import math
import os
import subprocess
import sys
from collections import defaultdict
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

REL_TOL = 1e-6
"""LP tolerance, relative to the larger of 1 and the magnitudes compared."""

M2_PER_HA = 10_000.0
MU_PER_HA = 15.0
CNY_10K_PER_100M = 10_000.0

PILOTS_2020 = {"110000", "120000", "310000", "320000", "330000", "340000", "440000", "500000"}
"""国发〔2020〕4号 item 2: the eight pilot provinces (POLICY.md [V])."""

RANK = {"none": 0, "province": 1, "province_entrusted": 2, "state_council": 3}


def cli(*args: str, timeout: int = 300) -> subprocess.CompletedProcess:
    env = dict(os.environ, PYTHONIOENCODING="utf-8")
    return subprocess.run([sys.executable, "-m", "landquota.service.cli", *args], cwd=ROOT, env=env,
                          capture_output=True, text=True, encoding="utf-8", timeout=timeout)


def solve(dataset: str, out: Path, *sets: str) -> tuple[dict, dict]:
    """``landquota solve --dataset X --out DIR [--set ...]``; return (scenario.json, result.json)."""
    args = ["solve", "--dataset", str(dataset), "--out", str(out), "--quiet"]
    for s in sets:
        args += ["--set", s]
    p = cli(*args)
    assert p.returncode == 0, (p.returncode, p.stdout[-2000:], p.stderr[-2000:])
    return (json.loads((out / "scenario.json").read_text(encoding="utf-8")),
            json.loads((out / "result.json").read_text(encoding="utf-8")))


def close(a: float, b: float, rel: float = REL_TOL) -> bool:
    return abs(a - b) <= rel * max(1.0, abs(a), abs(b))


def per_year(v, t: int):
    """A PerYear field: one number for every year, or a list with one per plan year; None = none."""
    if isinstance(v, list):
        return v[min(max(t, 1), len(v)) - 1]
    return v


class Audit:
    """The scenario and the result of one solve, and the checks re-derived from them."""

    def __init__(self, scenario: dict, result: dict | None):
        """``result=None``: the scenario's derived quantities only (e.g. for an infeasible answer)."""
        self.s, self.r = scenario, result
        self.T = scenario["years"]
        self.pol = scenario["policy"]
        self.prov = {p["code"]: p for p in scenario["provinces"]}
        self.city = {c["code"]: c for c in scenario["cities"]}
        self.proj = {p["id"]: p for p in scenario["projects"]}
        self.src = {f["id"]: f for f in scenario["funding_sources"]}
        self.years = range(1, self.T + 1)
        self.national = self.pol["quota_allocation"] == "national"
        self.counts: dict[str, int] = defaultdict(int)
        self.failures: dict[str, list] = defaultdict(list)
        self.gaps: dict[str, list] = defaultdict(list)
        if result is None:
            return
        assert result["status"] == "optimal", result.get("message")
        self.rp = {p["code"]: p for p in result["provinces"]}
        self.rc = {c["code"]: c for c in result["cities"]}
        self.rj = {p["id"]: p for p in result["projects"]}
        self.py = {(r["province_code"], r["year"]): r for r in result["province_years"]}
        self.cy = {(r["city_code"], r["year"]): r for r in result["city_years"]}

    # ---- recording ----------------------------------------------------------------------------
    def row(self, check: str, ok: bool, where, expected, got, note: str = "") -> None:
        self.counts[check] += 1
        if not ok:
            self.failures[check].append((where, expected, got, note))

    def leq(self, check, where, lhs, rhs, note=""):
        self.row(check, lhs <= rhs + REL_TOL * max(1.0, abs(lhs), abs(rhs)), where, f"≤ {rhs!r}", lhs, note)

    def geq(self, check, where, lhs, rhs, note=""):
        self.row(check, lhs >= rhs - REL_TOL * max(1.0, abs(lhs), abs(rhs)), where, f"≥ {rhs!r}", lhs, note)

    def eq(self, check, where, lhs, rhs, note="", rel=REL_TOL):
        self.row(check, close(lhs, rhs, rel), where, rhs, lhs, note)

    def same(self, check, where, got, expected, note=""):
        self.row(check, got == expected, where, expected, got, note)

    # ---- derived quantities, each from its documented rule ------------------------------------
    def disc(self, t: int) -> float:
        """Plan year t's value is discounted by (1 + discount_rate_per_year)^-(t-1)."""
        return (1.0 + self.pol["discount_rate_per_year"]) ** -(t - 1)

    def entrusted(self, p: str, t: int = 1) -> bool:
        """国发〔2020〕4号: a province's own ``approval_entrusted`` (a value or a per-year list), else
        ``policy.entrusted_province_codes``."""
        e = self.prov[p]["approval_entrusted"]
        if isinstance(e, list) and e:
            return bool(per_year(e, t))
        if isinstance(e, bool):
            return e
        return p in self.pol["entrusted_province_codes"]

    def current_pc(self, c: dict) -> float:
        """Per-capita urban construction land now: land ÷ resident population (GB 50137)."""
        return c["urban_construction_land_ha"] * M2_PER_HA / c["resident_population"] if c["resident_population"] else 0.0

    def per_settler(self, c: dict) -> float:
        """国土资发〔2016〕123号 tiers by current per-capita land × (1 + the province's flex)."""
        pc = self.current_pc(c)
        std = None
        for tier in self.pol["linkage_tiers"]:
            up = tier["upper_per_capita_m2"]
            if up is None or pc < up or (pc == up and tier["upper_inclusive"]):
                std = tier["new_land_per_settler_m2"]
                break
        assert std is not None
        return std * (1.0 + self.prov[c["province_code"]]["linkage_adjustment"])

    def linked(self, c: dict) -> float:
        """Linked land per year, ha: standard × eligible settlers × linkage strength; settlers in the
        central districts of super-large and mega cities earn none."""
        eligible = float(c["settlers_per_year"])
        if self.pol["zero_land_for_central_districts"] and c["size_class"] in ("super_large", "mega"):
            eligible *= 1.0 - c["settlers_central_district_share"]
        return self.per_settler(c) * eligible * self.pol["linkage_strength"] / M2_PER_HA

    def final_pop(self, c: dict) -> float:
        return max(0, c["resident_population"] + self.T * c["resident_population_growth_per_year"])

    def eff_cap(self, c: dict) -> float:
        """National cap (≤ 100 m²), cities above it may not rise, GB 50137 rise ≤ +20 m²."""
        cur = self.current_pc(c)
        return min(max(self.pol["per_capita_cap_m2"], cur), cur + self.pol["per_capita_max_increase_m2"])

    def tilt_weight(self, c: dict) -> float:
        if c["key_cluster_share"] is not None:
            return c["key_cluster_share"]
        centre = c["tier"] in ("municipality", "provincial_capital", "separately_listed")
        return 1.0 if (centre or c["key_cluster"]) else 0.0

    def cities_of(self, p: str) -> list[str]:
        return [c for c, v in self.city.items() if v["province_code"] == p]

    def province_of_project(self, j: str) -> str:
        return self.city[self.proj[j]["city_code"]]["province_code"]

    def x(self) -> dict[tuple[str, int], float]:
        """Share of each project started in each year (``ProjectRow.started_share_by_year``), so the
        financing table is checked against it, not read back from it."""
        return {(j, t): v for j, p in self.rj.items() for t, v in zip(self.years, p["started_share_by_year"])}

    def city_batch(self, city: dict) -> tuple[list[dict], float, float]:
        """(parcels, batch size ha, collective share) of the city's annual general-use batch: its own
        batch size and collective share, else the policy's."""
        bsize = city["general_land_batch_ha"] or self.pol["general_land_batch_ha"]
        coll = city["general_land_collective_share"]
        coll = self.pol["general_land_collective_share"] if coll is None else coll
        return batch_parcels(bsize, city["general_land_arable_share"], coll), bsize, coll

    def bought(self, market: str) -> dict:
        out: dict = defaultdict(float)
        for tr in self.r["trades"]:
            if tr["market"] == market:
                out[tr["province_code"], tr["side"], tr["year"]] += tr["area_ha"]
        return out

    def reward_fund(self) -> tuple[dict[str, float], dict[str, float]]:
        """财预〔2016〕162号 as the README states it: weighted settlers (cross-province weight 1,
        within-province 0.5, × (1 + tilt) for fiscally weak provinces) over the national base (or the
        scenario's own weighted settlers when larger, or when the base is null); a province passes its
        part to its cities by the same weights. Returns (province fund, city fund), 亿元 per year."""
        pol = self.pol
        wc = {}
        for code, c in self.city.items():
            w = c["settlers_per_year"] * (c["settlers_cross_province_share"] * pol["reward_weight_cross_province"]
                                          + (1 - c["settlers_cross_province_share"]) * pol["reward_weight_within_province"])
            if self.prov[c["province_code"]]["fiscally_weak"]:
                w *= 1.0 + pol["reward_tilt_fiscally_weak"]
            wc[code] = w
        total_w = sum(wc.values())
        base = pol["reward_fund_national_weighted_settlers_per_year"]
        denom = total_w if base is None else max(base, total_w)
        city_f = {c: pol["reward_fund_total_cny_100m"] * w / denom if denom else 0.0 for c, w in wc.items()}
        prov_f: dict[str, float] = defaultdict(float)
        for c, v in city_f.items():
            prov_f[self.city[c]["province_code"]] += v
        return prov_f, city_f


# ---- approval routes (Land Administration Law 2019 Art. 44/46, 国发〔2020〕4号) -----------------

AGRICULTURAL = ("permanent_basic_farmland", "arable", "other")


def route(parcels: list[dict], entrusted: bool, pol: dict) -> dict:
    """Conversion (Art. 44: agricultural land of any ownership; PBF at the State Council, the rest
    authorised to every province, item 1), expropriation (Art. 46: collective land only; State
    Council if any PBF, non-PBF arable > 35 ha or other land (other agricultural, construction,
    unused) > 70 ha, on the whole project), State-Council-level approvals entrusted to pilots (item 2);
    the gating authority is the higher. Returns authorities and the application area."""
    def area(types, owners=("collective", "state")):
        return round(sum(p["area_ha"] for p in parcels
                         if p["land_type"] in types and p.get("ownership", "collective") in owners), 6)
    pbf = area(("permanent_basic_farmland",), ("collective",))
    arable = area(("arable",), ("collective",))
    other = area(("other", "construction", "unused"), ("collective",))
    converted, conv_pbf = area(AGRICULTURAL), area(("permanent_basic_farmland",))
    up = "province_entrusted" if entrusted else "state_council"
    sc_level = (pbf > 0 or arable > pol["state_council_arable_threshold_ha"]
                or other > pol["state_council_other_threshold_ha"]
                or (pol["combined_area_rule"] and arable + other > pol["state_council_other_threshold_ha"]))
    exp = "none" if pbf + arable + other <= 0 else up if sc_level else "province"
    conv = "none" if converted <= 0 else up if conv_pbf > 0 else "province"
    gate = exp if RANK[exp] >= RANK[conv] else conv
    application = round(sum(p["area_ha"] for p in parcels
                            if p["land_type"] in AGRICULTURAL or p.get("ownership", "collective") == "collective"), 6)
    return {"authority": gate, "conversion": conv, "expropriation": exp, "application_ha": application,
            "converted_ha": converted, "expropriated_ha": round(pbf + arable + other, 6)}


def batch_parcels(batch_ha: float, arable_share: float, collective_share: float) -> list[dict]:
    """A city's annual batch of general-use land (Art. 44 batches): non-PBF arable and other
    agricultural land by the arable share, collective by the collective share; no PBF."""
    out = []
    for lt, a in (("arable", arable_share), ("other", 1.0 - arable_share)):
        for own, k in (("collective", collective_share), ("state", 1.0 - collective_share)):
            if a * k * batch_ha > 0:
                out.append({"land_type": lt, "area_ha": a * k * batch_ha, "ownership": own})
    return out


# ---- money ----------------------------------------------------------------------------------


def crf(rate: float, n: int) -> float:
    return 1.0 / n if rate == 0 else rate / (1 - (1 + rate) ** -n)


def annuity(rate: float, n: int) -> float:
    return float(n) if rate == 0 else (1 - (1 + rate) ** -n) / rate


def unit_cost(src: dict, pol: dict) -> float:
    """models/funding.py docstring: each 亿元 costs max(0, CRF(rate, tenor) × AF(d, tenor) − 1), d =
    policy.finance_discount_rate_pct; grants (and the reward fund) cost nothing; a commercial loan's
    rate is the 5-year LPR + its spread."""
    if src["kind"] in ("grant", "reward_fund"):
        return 0.0
    rate = src["rate_pct"]
    if src.get("spread_over_lpr_pct") is not None:
        rate = pol["lpr_5y_pct"] + src["spread_over_lpr_pct"]
    n = src["tenor_years"]
    return max(0.0, crf(rate / 100, n) * annuity(pol["finance_discount_rate_pct"] / 100, n) - 1.0)


def is_platform(src: dict) -> bool:
    """Platform debt: enterprise bonds and loans unless the source says otherwise."""
    if src.get("platform_debt") is not None:
        return bool(src["platform_debt"])
    return src["kind"] in ("enterprise_bond", "loan")


def eligible(src: dict, proj: dict, province: str) -> bool:
    if src["eligible_provinces"] is not None and province not in src["eligible_provinces"]:
        return False
    if src["limit_per_province_cny_100m"] is not None and province not in src["limit_per_province_cny_100m"]:
        return False
    if src["eligible_categories"] is None:
        return True
    return proj["category"] in src["eligible_categories"] or (src["eligible_county_seat"] and proj["county_seat"])


# ---- the checks ----------------------------------------------------------------------------
# Each takes an Audit and records rows under its own name.

CHECKS: dict[str, Callable[[Audit], None]] = {}


def check(fn):
    CHECKS[fn.__name__.removeprefix("check_")] = fn
    return fn


@check
def check_city_land_adds_up(a: Audit):
    """city_years: new land = project land + general land; Σ_t project land = Σ its projects' area ×
    selected share; Σ_t regional land = the same over regional-infrastructure projects; province_years
    new land = Σ its cities'; per year, project land = Σ area × x[j, t] (x from the financing table)."""
    k = "city_land_adds_up"
    proj_land, regional = defaultdict(float), defaultdict(float)
    for j, p in a.rj.items():
        proj_land[p["city_code"]] += p["area_ha"] * p["selected_share"]
        if a.proj[j]["category"] == "regional_infrastructure":
            regional[p["city_code"]] += p["area_ha"] * p["selected_share"]
        a.eq(k, f"project {j} area", p["area_ha"], sum(q["area_ha"] for q in a.proj[j]["parcels"]))
    for c in a.city:
        for t in a.years:
            r = a.cy[c, t]
            a.eq(k, f"city {c} y{t} new = project + general", r["new_land_ha"], r["project_land_ha"] + r["general_land_ha"])
        a.eq(k, f"city {c} Σ project land", sum(a.cy[c, t]["project_land_ha"] for t in a.years), proj_land[c])
        a.eq(k, f"city {c} Σ regional land", sum(a.cy[c, t]["regional_land_ha"] for t in a.years), regional[c])
    for p in a.prov:
        for t in a.years:
            a.eq(k, f"province {p} y{t} new land", a.py[p, t]["new_land_ha"],
                 sum(a.cy[c, t]["new_land_ha"] for c in a.cities_of(p)))
    if a.T > 1:
        x = a.x()
        per_ct = defaultdict(float)
        for (j, t), v in x.items():
            per_ct[a.proj[j]["city_code"], t] += sum(q["area_ha"] for q in a.proj[j]["parcels"]) * v
        for c in a.city:
            for t in a.years:
                a.eq(k, f"city {c} y{t} project land = Σ area × x[j,t] (x from financing)",
                     a.cy[c, t]["project_land_ha"], per_ct[c, t])


@check
def check_quota_pool(a: Audit):
    """provincial_pools: per province and year, new land − bought (plan quota used) ≤ its pool;
    national total: Σ plan quota used ≤ policy.national_new_land_total_ha."""
    k = "quota_pool"
    buy = a.bought("construction_land")
    for t in a.years:
        used_t = 0.0
        for p, prov in a.prov.items():
            used = a.py[p, t]["new_land_ha"] - buy[p, "buy", t]
            used_t += used
            a.eq(k, f"{p} y{t} quota_used_ha", a.py[p, t]["quota_used_ha"], used)
            a.leq(k, f"{p} y{t} used ≤ pool", used, prov["new_land_pool_ha_per_year"])
        if a.pol["national_new_land_total_ha"] is not None:
            a.leq(k, f"national y{t} Σ used ≤ total", used_t, a.pol["national_new_land_total_ha"])


@check
def check_quota_national(a: Audit):
    """national allocation: per province and year, plan quota used ≤ allocation; allocation within
    [linked + floor share × base, linked + ceiling share × base]; Σ allocations ≤ national total."""
    k = "quota_national"
    buy = a.bought("construction_land")
    for t in a.years:
        tot = 0.0
        for p, prov in a.prov.items():
            r = a.py[p, t]
            q = r["quota_allocated_ha"]
            tot += q
            used = r["new_land_ha"] - buy[p, "buy", t]
            linked = sum(a.linked(a.city[c]) for c in a.cities_of(p))
            base = prov["allocation_base_ha_per_year"]
            base = prov["new_land_pool_ha_per_year"] if base is None else base
            lo = prov["allocation_band_floor_share"]
            lo = a.pol["allocation_band_floor_share"] if lo is None else lo
            hi = prov["allocation_band_ceiling_share"]
            hi = a.pol["allocation_band_ceiling_share"] if hi is None else hi
            a.leq(k, f"{p} y{t} used ≤ allocation", used, q)
            a.geq(k, f"{p} y{t} allocation ≥ floor", q, linked + lo * base)
            a.leq(k, f"{p} y{t} allocation ≤ ceiling", q, linked + hi * base)
            a.eq(k, f"{p} y{t} reported linked", r["linked_ha"], linked)
            a.eq(k, f"{p} y{t} reported floor", r["allocation_floor_ha"], linked + lo * base)
            a.eq(k, f"{p} y{t} reported ceiling", r["allocation_ceiling_ha"], linked + hi * base)
        a.leq(k, f"national y{t} Σ allocations ≤ total", tot, a.pol["national_new_land_total_ha"])
        nat = next(n for n in a.r["national_years"] if n["year"] == t)
        a.eq(k, f"national y{t} reported allocated", nat["quota_allocated_ha"], tot)


@check
def check_land_market(a: Audit):
    """国办发〔2018〕16号: per year quota bought = sold; only buyers buy, only sellers sell, sold ≤ the
    seller's surplus; bought quota ≤ the buyer's own new land (landplan: bought quota is used)."""
    k = "land_market"
    tr = a.bought("construction_land")
    for t in a.years:
        b = sum(v for (p, side, y), v in tr.items() if side == "buy" and y == t)
        s_ = sum(v for (p, side, y), v in tr.items() if side == "sell" and y == t)
        a.eq(k, f"y{t} bought = sold", b, s_)
        for p, prov in a.prov.items():
            bp, sp = tr[p, "buy", t], tr[p, "sell", t]
            if not prov["land_quota_buyer"]:
                a.leq(k, f"{p} y{t} not a buyer", bp, 0.0)
            if not prov["land_quota_seller"]:
                a.leq(k, f"{p} y{t} not a seller", sp, 0.0)
            a.leq(k, f"{p} y{t} sold ≤ surplus", sp, prov["surplus_land_quota_ha_per_year"])
            a.leq(k, f"{p} y{t} bought ≤ own new land", bp, a.py[p, t]["new_land_ha"])
            a.eq(k, f"{p} y{t} reported bought", a.py[p, t]["bought_ha"], bp)
            a.eq(k, f"{p} y{t} reported sold", a.py[p, t]["sold_ha"], sp)


@check
def check_farmland(a: Audit):
    """Art. 30 占多少，垦多少: per province over the horizon, arable occupied (PBF and other arable land
    of selected projects, whoever owns it, + the arable share of general-use land) ≤ own reserve +
    farmland quota bought − sold; the farmland market clears; only eligible provinces trade."""
    k = "farmland"
    occ = defaultdict(float)
    for j, p in a.rj.items():
        ar = sum(q["area_ha"] for q in a.proj[j]["parcels"] if q["land_type"] in ("permanent_basic_farmland", "arable"))
        occ[p["province_code"]] += ar * p["selected_share"]
    for c, city in a.city.items():
        occ[city["province_code"]] += sum(a.cy[c, t]["general_land_ha"] for t in a.years) * city["general_land_arable_share"]
    tr = a.bought("supplementary_farmland")
    a.eq(k, "farmland market bought = sold", sum(v for (p, s, y), v in tr.items() if s == "buy"),
         sum(v for (p, s, y), v in tr.items() if s == "sell"))
    for p, prov in a.prov.items():
        b, s_ = tr[p, "buy", None], tr[p, "sell", None]
        a.eq(k, f"{p} reported arable occupied", a.rp[p]["arable_occupied_ha"], occ[p])
        a.leq(k, f"{p} occupied ≤ reserve + bought − sold", occ[p], prov["supplementary_arable_reserve_ha"] + b - s_)
        if not prov["farmland_quota_buyer"]:
            a.leq(k, f"{p} not a farmland buyer", b, 0.0)
        if not prov["farmland_quota_seller"]:
            a.leq(k, f"{p} not a farmland seller", s_, 0.0)


@check
def check_per_capita_cap(a: Audit):
    """Per city over the horizon: current urban construction land + new urban land (regional
    infrastructure left out; revitalised stock is already construction land) ≤ effective cap ×
    projected residents, effective cap = min(max(cap, current), current + rise limit); a city whose
    current land already exceeds that gets no new urban land (room max(0, ·))."""
    k = "per_capita_cap"
    for c, city in a.city.items():
        urban = sum(a.cy[c, t]["new_land_ha"] - a.cy[c, t]["regional_land_ha"] for t in a.years)
        cap = a.eff_cap(city)
        room = max(0.0, cap * a.final_pop(city) / M2_PER_HA - city["urban_construction_land_ha"])
        a.leq(k, f"{c} new urban land ≤ cap room", urban, room)
        a.eq(k, f"{c} reported per_capita_cap_m2", a.rc[c]["per_capita_cap_m2"], cap)
        a.eq(k, f"{c} reported per_capita_before_m2", a.rc[c]["per_capita_before_m2"], a.current_pc(city))
        fp = a.final_pop(city)
        if fp > 0:
            a.eq(k, f"{c} reported per_capita_after_m2", a.rc[c]["per_capita_after_m2"],
                 (city["urban_construction_land_ha"] + urban) * M2_PER_HA / fp)


@check
def check_stock(a: Audit):
    """Stock first: Σ_t revitalised ≤ the city's inefficient stock; with policy.stock_first, general-use
    new land ≤ max(0, linked land × years + new residents × current per-capita land − stock)."""
    k = "stock"
    for c, city in a.city.items():
        st = sum(a.cy[c, t]["stock_revitalised_ha"] for t in a.years)
        a.leq(k, f"{c} revitalised ≤ stock", st, city["stock_land_available_ha"])
        a.eq(k, f"{c} reported stock", a.rc[c]["stock_revitalised_ha"], st)
        if a.pol["stock_first"]:
            growth = a.current_pc(city) * max(0, city["resident_population_growth_per_year"]) * a.T / M2_PER_HA
            room = max(0.0, a.linked(city) * a.T + growth - city["stock_land_available_ha"])
            a.leq(k, f"{c} general land ≤ stock-first room", sum(a.cy[c, t]["general_land_ha"] for t in a.years), room)


@check
def check_settler_floor(a: Audit):
    """人地挂钩 (soft): per city and year, new land + revitalised stock + shortfall ≥ linked land; the
    reported per-settler standard and linked land match the 123号 tiers, flex and central-district rule."""
    k = "settler_floor"
    for c, city in a.city.items():
        a.eq(k, f"{c} per_settler_m2", a.rc[c]["per_settler_m2"], a.per_settler(city))
        a.eq(k, f"{c} linkage_need_ha", a.rc[c]["linkage_need_ha"], a.linked(city) * a.T)
        for t in a.years:
            r = a.cy[c, t]
            a.eq(k, f"{c} y{t} linked_ha", r["linked_ha"], a.linked(city))
            a.geq(k, f"{c} y{t} new + stock + shortfall ≥ linked",
                  r["new_land_ha"] + r["stock_revitalised_ha"] + r["settler_shortfall_ha"], a.linked(city))
            a.geq(k, f"{c} y{t} shortfall ≥ 0", r["settler_shortfall_ha"], 0.0)


@check
def check_tilt(a: Audit):
    """Tilt (soft): tilted units (weighted by key_cluster_share) get ≥ tilt_min_share of new land, in
    each province with both tilted and other units (tilt_level province) or nationally; a shortfall
    (province_years.tilt_shortfall_ha, province level) makes up the difference."""
    k = "tilt"
    m = a.pol["tilt_min_share"]
    for t in a.years:
        if a.pol["tilt_level"] == "province":
            for p in a.prov:
                cs = a.cities_of(p)
                ws = [a.tilt_weight(a.city[c]) for c in cs]
                if not (any(w > 0 for w in ws) and any(w < 1 for w in ws)):
                    continue
                new = sum(a.cy[c, t]["new_land_ha"] for c in cs)
                tilted = sum(a.tilt_weight(a.city[c]) * a.cy[c, t]["new_land_ha"] for c in cs)
                a.geq(k, f"{p} y{t} tilted + shortfall ≥ share × new", tilted + a.py[p, t]["tilt_shortfall_ha"], m * new)
        else:
            new = sum(a.cy[c, t]["new_land_ha"] for c in a.city)
            tilted = sum(a.tilt_weight(a.city[c]) * a.cy[c, t]["new_land_ha"] for c in a.city)
            short = sum(s["amount_ha"] for s in a.r["shortfalls"] if s["rule"] == "tilt_share" and s["year"] == t)
            a.geq(k, f"national y{t} tilted + shortfall ≥ share × new", tilted + short, m * new)


@check
def check_projects(a: Audit):
    """Σ_t share ≤ 1 (0 ≤ selected_share ≤ 1); committed projects are built in full."""
    k = "projects"
    for j, p in a.rj.items():
        a.geq(k, f"{j} share ≥ 0", p["selected_share"], 0.0)
        a.leq(k, f"{j} share ≤ 1", p["selected_share"], 1.0)
        if a.proj[j]["committed"]:
            a.eq(k, f"{j} committed = 1", p["selected_share"], 1.0)
    if a.T > 1:
        tot = defaultdict(float)
        for (j, t), v in a.x().items():
            tot[j] += v
        x = a.x()
        for j, p in a.rj.items():
            if a.proj[j]["investment_cny_100m"] > 0:
                a.eq(k, f"{j} Σ_t x[j,t] (financing) = selected_share", tot[j], p["selected_share"])
                if p["selected_share"] > 1e-9:
                    most = max(x.get((j, t), 0.0) for t in a.years)
                    a.geq(k, f"{j} start_year is a year in which most of it starts",
                          x.get((j, p["start_year"]), 0.0), most)
            if p["selected_share"] <= 1e-9:
                a.same(k, f"{j} start_year null when not selected", p["start_year"], None)


@check
def check_approval_routes(a: Audit):
    """Each project's conversion, expropriation and gating authority, recomputed from its parcels
    (Art. 44/46, 35/70 ha on the whole project, no splitting; pilots entrusted) with the province's
    entrustment in its start year (year 1 if not selected); the provinces table's counts (plan year 1)."""
    k = "approval_routes"
    count = defaultdict(int)
    for j, p in a.rj.items():
        prov = a.province_of_project(j)
        t = p["start_year"] or 1
        r = route(a.proj[j]["parcels"], a.entrusted(prov, t), a.pol)
        a.same(k, f"{j} gating authority", p["approval_authority"], r["authority"])
        a.same(k, f"{j} conversion authority", p["conversion_authority"], r["conversion"])
        a.same(k, f"{j} expropriation authority", p["expropriation_authority"], r["expropriation"])
        r1 = route(a.proj[j]["parcels"], a.entrusted(prov, 1), a.pol)
        count[prov, r1["authority"]] += 1
    for p in a.prov:
        a.same(k, f"{p} projects_state_council", a.rp[p]["projects_state_council"], count[p, "state_council"])
        a.same(k, f"{p} projects_province_entrusted", a.rp[p]["projects_province_entrusted"],
               count[p, "province_entrusted"])
        a.same(k, f"{p} projects_province", a.rp[p]["projects_province"], count[p, "province"])
        a.same(k, f"{p} approval_entrusted (year 1)", a.rp[p]["approval_entrusted"], a.entrusted(p, 1))


def applications(a: Audit) -> tuple[dict, dict]:
    """Applications per (gating authority, region, year): ha and cases (projects and batches)."""
    ha, cases = defaultdict(float), defaultdict(float)
    for (j, t), v in a.x().items():
        if v <= 0:
            continue
        prov = a.province_of_project(j)
        r = route(a.proj[j]["parcels"], a.entrusted(prov, t), a.pol)
        if r["authority"] == "none":
            continue
        region = "national" if r["authority"] == "state_council" else prov
        ha[r["authority"], region, t] += r["application_ha"] * v
        cases[r["authority"], region, t] += v
    for c, city in a.city.items():
        bsize = city["general_land_batch_ha"] or a.pol["general_land_batch_ha"]
        coll = city["general_land_collective_share"]
        coll = a.pol["general_land_collective_share"] if coll is None else coll
        parcels = batch_parcels(bsize, city["general_land_arable_share"], coll)
        for t in a.years:
            g = a.cy[c, t]["general_land_ha"]
            if g <= 0:
                continue
            r = route(parcels, a.entrusted(city["province_code"], t), a.pol)
            region = "national" if r["authority"] == "state_council" else city["province_code"]
            ha[r["authority"], region, t] += g
            cases[r["authority"], region, t] += g / bsize
    return ha, cases


@check
def check_approval_capacity(a: Audit):
    """Applications (projects: their share of the application area and of one case; general-use
    batches: g ha and g ÷ batch size cases) per gating authority and year, recomputed, against the
    approvals table and the capacities in the scenario: State Council ≤ its capacity; a province's own
    + entrusted ≤ its capacity; entrusted ≤ its entrusted capacity (ha and cases)."""
    k = "approval_capacity"
    ha, cases = applications(a)
    table = {(r["authority"], r["region"], r["year"]): r for r in a.r["approvals"] if r["kind"] == "application"}
    for key in set(ha) | set(table):
        got = table.get(key)
        a.eq(k, f"{key} area_ha", got["area_ha"] if got else 0.0, ha[key])
        a.eq(k, f"{key} cases", got["cases"] if got else 0.0, cases[key])
    for t in a.years:
        cap_ha = per_year(a.pol["state_council_capacity_ha_per_year"], t)
        cap_n = per_year(a.pol["state_council_capacity_cases_per_year"], t)
        if cap_ha is not None:
            a.leq(k, f"State Council y{t} ha ≤ capacity", ha["state_council", "national", t], cap_ha)
        if cap_n is not None:
            a.leq(k, f"State Council y{t} cases ≤ capacity", cases["state_council", "national", t], cap_n)
        for p, prov in a.prov.items():
            own_ha = ha["province", p, t] + ha["province_entrusted", p, t]
            own_n = cases["province", p, t] + cases["province_entrusted", p, t]
            for field, v in (("approval_capacity_ha_per_year", own_ha), ("approval_capacity_cases_per_year", own_n),
                             ("entrusted_capacity_ha_per_year", ha["province_entrusted", p, t]),
                             ("entrusted_capacity_cases_per_year", cases["province_entrusted", p, t])):
                cap = per_year(prov[field], t)
                if cap is not None:
                    a.leq(k, f"{p} y{t} {field}", v, cap)


@check
def check_financing_projects(a: Audit):
    """Item (21) per project (and year): money only from eligible sources; Σ sources = investment ×
    share started; enterprise bonds ≤ 60% (70% in the 2015 special categories) of it; capital (own
    capital, grants, special bonds in the listed sectors) ≥ the minimum capital ratio (20%, public-
    service gap 5 points lower, or the project's own) of it; borrowed money other than those special
    bonds never counts as capital; the row's share_of_investment and flags agree with its source."""
    k = "financing_projects"
    pol = a.pol
    amt, bonds, cap = defaultdict(float), defaultdict(float), defaultdict(float)
    for f in a.r["financing"]:
        j, t = f["project_id"], f["year"]
        proj, src = a.proj[j], a.src[f["source_id"]]
        prov = a.province_of_project(j)
        a.row(k, eligible(src, proj, prov), f"{j} y{t} {src['id']} eligible", True, False)
        a.same(k, f"{j} y{t} {src['id']} kind", f["source_kind"], src["kind"])
        a.row(k, src["kind"] != "reward_fund", f"{j} y{t} {src['id']}", "the reward fund funds no project", src["kind"])
        a.same(k, f"{j} y{t} {src['id']} government_debt", f["government_debt"],
               src["kind"] in ("special_bond", "general_bond"))
        a.same(k, f"{j} y{t} {src['id']} platform_debt", f["platform_debt"], is_platform(src))
        a.eq(k, f"{j} y{t} {src['id']} share_of_investment", f["share_of_investment"],
             f["amount_cny_100m"] / proj["investment_cny_100m"])
        a.geq(k, f"{j} y{t} {src['id']} amount ≥ 0", f["amount_cny_100m"], 0.0)
        a.geq(k, f"{j} y{t} {src['id']} capital ≥ 0", f["capital_cny_100m"], 0.0)
        if src["kind"] in ("own_capital", "grant"):
            a.eq(k, f"{j} y{t} {src['id']} capital = amount", f["capital_cny_100m"], f["amount_cny_100m"])
        elif src["kind"] == "special_bond" and proj["category"] in pol["special_bond_capital_categories"]:
            a.leq(k, f"{j} y{t} special bond capital ≤ amount", f["capital_cny_100m"], f["amount_cny_100m"])
        else:
            a.leq(k, f"{j} y{t} {src['id']} never capital", f["capital_cny_100m"], 0.0)
        amt[j, t] += f["amount_cny_100m"]
        cap[j, t] += f["capital_cny_100m"]
        if src["kind"] == "enterprise_bond":
            bonds[j, t] += f["amount_cny_100m"]
    x = a.x()
    horizon = defaultdict(float)
    for (j, t), v in amt.items():
        horizon[j] += v
    for j, p in a.rj.items():
        proj = a.proj[j]
        inv = proj["investment_cny_100m"]
        if inv <= 0:
            continue
        a.eq(k, f"{j} Σ_t Σ sources = investment × selected_share", horizon[j], inv * p["selected_share"])
        b = pol["bond_max_share_special"] if proj["category"] in pol["bond_special_categories"] else pol["bond_max_share"]
        r = proj["min_capital_ratio"]
        if r is None:
            r = pol["min_capital_ratio"] - (pol["public_service_gap_capital_reduction"]
                                            if proj["category"] == "public_service_gap" else 0.0)
        for t in a.years:
            need = inv * x.get((j, t), 0.0)
            if a.T == 1:
                a.eq(k, f"{j} y{t} Σ sources = investment × share", amt[j, t], need)
            a.leq(k, f"{j} y{t} enterprise bonds ≤ bond share", bonds[j, t], b * need)
            a.geq(k, f"{j} y{t} capital ≥ capital ratio", cap[j, t], r * need)


@check
def check_financing_limits(a: Audit):
    """Item (21) aggregates: special and general bonds per province and year ≤ its quotas; special
    bonds as capital ≤ special_bond_capital_share × the special quota; enterprise bonds per year ≤ the
    national volume; a source's national total per year; credit lines per province over the horizon."""
    k = "financing_limits"
    pol = a.pol
    by_kind = defaultdict(float)
    sb_cap = defaultdict(float)
    by_src_t = defaultdict(float)
    by_src_p = defaultdict(float)
    for f in a.r["financing"]:
        p = f["province_code"]
        a.same(k, f"{f['project_id']} province", p, a.province_of_project(f["project_id"]))
        by_kind[f["source_kind"], p, f["year"]] += f["amount_cny_100m"]
        by_kind[f["source_kind"], "national", f["year"]] += f["amount_cny_100m"]
        if f["source_kind"] == "special_bond":
            sb_cap[p, f["year"]] += f["capital_cny_100m"]
        by_src_t[f["source_id"], f["year"]] += f["amount_cny_100m"]
        by_src_p[f["source_id"], p] += f["amount_cny_100m"]
    for p, prov in a.prov.items():
        for t in a.years:
            a.leq(k, f"{p} y{t} special bonds ≤ quota", by_kind["special_bond", p, t],
                  prov["special_bond_limit_cny_100m_per_year"])
            a.leq(k, f"{p} y{t} general bonds ≤ quota", by_kind["general_bond", p, t],
                  prov["general_bond_limit_cny_100m_per_year"])
            a.leq(k, f"{p} y{t} special bonds as capital ≤ share × quota", sb_cap[p, t],
                  pol["special_bond_capital_share"] * prov["special_bond_limit_cny_100m_per_year"])
    vol = pol["enterprise_bond_national_volume_cny_100m_per_year"]
    for t in a.years:
        if vol is not None:
            a.leq(k, f"national y{t} enterprise bonds ≤ volume", by_kind["enterprise_bond", "national", t], vol)
    for sid, src in a.src.items():
        if src["limit_total_cny_100m_per_year"] is not None:
            for t in a.years:
                a.leq(k, f"{sid} y{t} ≤ national total", by_src_t[sid, t], src["limit_total_cny_100m_per_year"])
        if src["limit_per_province_cny_100m"] is not None:
            for p in a.prov:
                a.leq(k, f"{sid} {p} ≤ credit line", by_src_p[sid, p], src["limit_per_province_cny_100m"].get(p, 0.0))


def _debt(a: Audit, region: str, fig: dict, legal_new: float, platform_new: float, k: str, is_prov: bool,
          reported: dict):
    """Legal debt ratio (line 100%: below it, new legal debt may not cross it; a province at or over it
    keeps over_line_new_debt_share × its yearly bond quotas × years; a city over its line none) and
    broad ratio ((legal + platform balance + new legal + new platform) ÷ capacity ≤ limit)."""
    pol = a.pol
    cap, bal = fig["fiscal_capacity_cny_100m"], fig["debt_balance_cny_100m"]
    line = pol["debt_ratio_limit"]
    if bal / cap < line:
        room = line * cap - bal
    elif is_prov:
        room = pol["over_line_new_debt_share"] * (fig["special_bond_limit_cny_100m_per_year"]
                                                  + fig["general_bond_limit_cny_100m_per_year"]) * a.T
    else:
        room = 0.0
    a.leq(k, f"{region} new legal debt ≤ room", legal_new, room)
    a.eq(k, f"{region} reported new legal debt", reported["new_government_debt_cny_100m"], legal_new)
    a.eq(k, f"{region} reported new platform debt", reported["new_platform_debt_cny_100m"], platform_new)
    a.eq(k, f"{region} debt_ratio_before", reported["debt_ratio_before"], bal / cap)
    a.eq(k, f"{region} debt_ratio_after", reported["debt_ratio_after"], (bal + legal_new) / cap)
    broad0 = bal + fig["platform_debt_balance_cny_100m"]
    a.eq(k, f"{region} broad_debt_ratio_before", reported["broad_debt_ratio_before"], broad0 / cap)
    a.eq(k, f"{region} broad_debt_ratio_after", reported["broad_debt_ratio_after"],
         (broad0 + legal_new + platform_new) / cap)
    if pol["broad_debt_ratio_limit"] is not None:
        a.leq(k, f"{region} broad ratio after ≤ limit", (broad0 + legal_new + platform_new) / cap,
              pol["broad_debt_ratio_limit"])


@check
def check_debt_ratios(a: Audit):
    """Legal and broad debt ratios after the plan's new debt, per province and per city with fiscal
    figures, from the financing rows (government_debt: general and special bonds; platform_debt:
    enterprise bonds and loans) and the scenario's fiscal figures."""
    k = "debt_ratios"
    legal, plat = defaultdict(float), defaultdict(float)
    for f in a.r["financing"]:
        src = a.src[f["source_id"]]
        for region in (f["province_code"], f["city_code"]):
            if src["kind"] in ("special_bond", "general_bond"):
                legal[region] += f["amount_cny_100m"]
            if is_platform(src):
                plat[region] += f["amount_cny_100m"]
    for p, prov in a.prov.items():
        if prov["fiscal_capacity_cny_100m"]:
            _debt(a, p, prov, legal[p], plat[p], k, True, a.rp[p])
    for c, city in a.city.items():
        if city["fiscal_capacity_cny_100m"]:
            _debt(a, c, city, legal[c], plat[c], k, False, a.rc[c])


@check
def check_settler_cost(a: Audit):
    """人钱挂钩: per city, public cost = settlers × (education + health + social security + housing);
    central transfers = settlers × transfer; the city's part of the reward fund (weighted settlers over
    the national base, tilt to weak provinces, passed to cities by the same weights) ≥ what it pays
    from the fund; own budget = cost − transfers − fund part (≥ 0)."""
    k = "settler_cost"
    pol = a.pol
    per = (pol["settler_cost_education_cny_10k"] + pol["settler_cost_health_cny_10k"]
           + pol["settler_cost_social_security_cny_10k"] + pol["settler_cost_housing_cny_10k"])
    prov_f, city_f = a.reward_fund()
    for p in a.prov:
        a.eq(k, f"{p} reward fund", a.rp[p]["reward_fund_cny_100m"], prov_f[p])
    for c, city in a.city.items():
        r = a.rc[c]
        cost = city["settlers_per_year"] * per / CNY_10K_PER_100M
        tr = min(cost, city["settlers_per_year"] * pol["settler_central_transfer_cny_10k"] / CNY_10K_PER_100M)
        a.eq(k, f"{c} public cost", r["settler_public_cost_cny_100m"], cost)
        a.eq(k, f"{c} central transfers", r["settler_cost_central_transfers_cny_100m"], tr)
        a.leq(k, f"{c} fund part ≤ its share of the fund", r["settler_cost_reward_fund_cny_100m"], city_f[c])
        a.eq(k, f"{c} own budget = cost − transfers − fund", r["settler_cost_own_budget_cny_100m"],
             max(0.0, cost - tr - city_f[c]))
        a.eq(k, f"{c} parts add up", r["settler_cost_central_transfers_cny_100m"] + r["settler_cost_reward_fund_cny_100m"]
             + r["settler_cost_own_budget_cny_100m"], cost)


@check
def check_objective(a: Audit):
    """The objective's terms recomputed from the tables (discount (1 + r)^-(t-1)): project values,
    general and revitalised land at the city's land value, the settler-floor penalty, revitalisation
    cost + tilt penalty, quota trades at state-set prices (+ the own-pool-first tie-break) and farmland
    trades and occupation (arable 10万元/亩, PBF 20万元/亩), each financing row's cost from its source's
    rate and tenor, settlers' own-budget cost; and Σ terms = objective."""
    k = "objective"
    pol, r = a.pol, a.r
    terms = r["objective_terms_cny_100m"]
    d = a.disc
    x = a.x()
    lead = terms.get("approval_lead_time", 0.0)
    a.eq(k, "projects", terms["projects"], sum(a.proj[j]["value_cny_100m"] * v * d(t) for (j, t), v in x.items()))
    a.eq(k, "general_land", terms["general_land"],
         sum((cy["general_land_ha"] + cy["stock_revitalised_ha"]) * a.city[cy["city_code"]]["new_land_value_cny_10k_per_ha"]
             / CNY_10K_PER_100M * d(cy["year"]) for cy in r["city_years"]))
    pen = pol["shortfall_penalty_cny_10k_per_ha"] / CNY_10K_PER_100M
    a.eq(k, "linkage_shortfall_penalty", terms["linkage_shortfall_penalty"],
         -sum(cy["settler_shortfall_ha"] * pen * d(cy["year"]) for cy in r["city_years"]))
    tilt_short = [(py["tilt_shortfall_ha"], py["year"]) for py in r["province_years"]]
    if pol["tilt_level"] == "national":
        tilt_short = [(s["amount_ha"], s["year"]) for s in r["shortfalls"] if s["rule"] == "tilt_share"]
    revit = (sum(cy["stock_revitalised_ha"] * a.city[cy["city_code"]]["stock_revitalisation_cost_cny_10k_per_ha"]
                 / CNY_10K_PER_100M * d(cy["year"]) for cy in r["city_years"])
             + sum(v * pen * d(t) for v, t in tilt_short))
    # trades and farmland
    cost = 0.0
    for tr in r["trades"]:
        if tr["market"] == "construction_land":
            if tr["side"] == "buy":
                price = pol["land_quota_buyer_price_cny_10k_per_mu"].get(
                    tr["province_code"], pol["land_quota_buyer_price_default_cny_10k_per_mu"])
                cost += tr["area_ha"] * (price * MU_PER_HA + pol["own_pool_first_cny_10k_per_ha"]) / CNY_10K_PER_100M * d(tr["year"])
            else:
                price = pol["land_quota_seller_price_cny_10k_per_mu"]
                cost -= tr["area_ha"] * price * MU_PER_HA / CNY_10K_PER_100M * d(tr["year"])
            a.eq(k, f"trade {tr['province_code']} {tr['side']} y{tr['year']} price", tr["price_cny_10k_per_mu"], price)
        else:
            g = pol["grain_capacity_kg_per_mu"] / 100.0
            if tr["side"] == "buy":
                price = pol["farmland_buyer_base_cny_10k_per_mu"] + g * pol["farmland_buyer_per_100kg_cny_10k_per_mu"]
                cost += tr["area_ha"] * price * MU_PER_HA / CNY_10K_PER_100M
            else:
                price = pol["farmland_seller_base_cny_10k_per_mu"] + g * pol["farmland_seller_per_100kg_cny_10k_per_mu"]
                cost -= tr["area_ha"] * price * MU_PER_HA / CNY_10K_PER_100M
            a.eq(k, f"farmland trade {tr['province_code']} {tr['side']} price", tr["price_cny_10k_per_mu"], price)
        a.eq(k, f"trade {tr['province_code']} {tr['market']} {tr['side']} y{tr['year']} amount",
             tr["amount_cny_100m"], tr["area_ha"] * MU_PER_HA * tr["price_cny_10k_per_mu"] / CNY_10K_PER_100M)
    occ = 0.0
    for (j, t), v in x.items():
        for q in a.proj[j]["parcels"]:
            per_mu = {"arable": pol["arable_occupation_cost_cny_10k_per_mu"],
                      "permanent_basic_farmland": pol["pbf_occupation_cost_cny_10k_per_mu"]}.get(q["land_type"], 0.0)
            occ += q["area_ha"] * v * per_mu * MU_PER_HA / CNY_10K_PER_100M * d(t)
    for cy in r["city_years"]:
        occ += (cy["general_land_ha"] * a.city[cy["city_code"]]["general_land_arable_share"]
                * pol["arable_occupation_cost_cny_10k_per_mu"] * MU_PER_HA / CNY_10K_PER_100M * d(cy["year"]))
    alloc = 0.0
    if a.national:
        alloc = sum(py["quota_allocated_ha"] * pol["unused_allocation_cost_cny_10k_per_ha"] / CNY_10K_PER_100M
                    * d(py["year"]) for py in r["province_years"])
    a.eq(k, "trading_and_farmland_cost", terms["trading_and_farmland_cost"], -(cost + occ),
         note="trades at state-set prices (+ own-pool-first tie-break) + farmland trades + occupation")
    a.eq(k, "allocation_tie_break", terms["allocation_tie_break"], -alloc,
         note="policy.unused_allocation_cost_cny_10k_per_ha × quota allocated (national mode), discounted")
    a.eq(k, "revitalisation_and_tilt_penalty + trading_and_farmland_cost",
         terms["revitalisation_and_tilt_penalty"] + terms["trading_and_farmland_cost"], -(revit + cost + occ),
         note="stock cost + tilt penalty + trading + farmland (revitalisation_and_tilt_penalty alone: test_audit)")
    # financing: each row's cost from its source
    tie = pol["platform_debt_tie_break_cny_100m"]
    for f in r["financing"]:
        src = a.src[f["source_id"]]
        exp = f["amount_cny_100m"] * d(f["year"]) * (unit_cost(src, pol) + (tie if is_platform(src) else 0.0))
        a.eq(k, f"financing {f['project_id']} {f['source_id']} y{f['year']} cost", f["cost_cny_100m"], exp)
    a.eq(k, "financing_cost", terms["financing_cost"], -sum(f["cost_cny_100m"] for f in r["financing"]))
    a.eq(k, "settler_public_cost", terms["settler_public_cost"],
         -sum(c["settler_cost_own_budget_cny_100m"] for c in r["cities"]) * sum(d(t) for t in a.years))
    a.eq(k, "approval_lead_time ≤ 0", min(lead, 0.0), lead)
    a.eq(k, "Σ terms = objective", sum(terms.values()), r["objective_cny_100m"])


@check
def check_lead_time(a: Audit):
    """Lead times (approval_capacity docstring): an application approved by authority A delays its
    land's value by lead_A months, i.e. value × (1 − (1 + r)^(−lead/12)) is lost; per authority,
    region and year against the approvals table, and in total against objective term
    approval_lead_time."""
    k = "lead_time"
    pol = a.pol
    lead = {"state_council": pol["state_council_lead_months"], "province_entrusted": pol["province_entrusted_lead_months"],
            "province": pol["province_lead_months"]}
    rate = pol["discount_rate_per_year"]
    loss, value0 = defaultdict(float), defaultdict(float)
    for (j, t), v in a.x().items():
        prov = a.province_of_project(j)
        au = route(a.proj[j]["parcels"], a.entrusted(prov, t), pol)["authority"]
        if au == "none" or v <= 0:
            continue
        f = 1 - (1 + rate) ** (-lead[au] / 12)
        loss[au, "national" if au == "state_council" else prov, t] += a.proj[j]["value_cny_100m"] * v * a.disc(t) * f
        value0[au, "national" if au == "state_council" else prov, t] += a.proj[j]["value_cny_100m"] * v * a.disc(t)
    for c, city in a.city.items():
        parcels = a.city_batch(city)[0]
        for t in a.years:
            g = a.cy[c, t]["general_land_ha"]
            au = route(parcels, a.entrusted(city["province_code"], t), pol)["authority"]
            if g <= 0 or au == "none":
                continue
            f = 1 - (1 + rate) ** (-lead[au] / 12)
            loss[au, "national" if au == "state_council" else city["province_code"], t] += (
                g * city["new_land_value_cny_10k_per_ha"] / CNY_10K_PER_100M * a.disc(t) * f)
            value0[au, "national" if au == "state_council" else city["province_code"], t] += (
                g * city["new_land_value_cny_10k_per_ha"] / CNY_10K_PER_100M * a.disc(t))
    rows = {(r["authority"], r["region"], r["year"]): r for r in a.r["approvals"] if r["kind"] == "application"}
    for key, r in rows.items():
        a.eq(k, f"{key} lead_months", r["lead_months"], lead[key[0]])
        a.eq(k, f"{key} lead_time_loss", r["lead_time_loss_cny_100m"], loss[key])
        # ∂/∂months of −value × (1 − (1 + r)^(−m/12)) = −value × (1 + r)^(−m/12) × ln(1 + r) / 12
        a.eq(k, f"{key} lead_time_price", r["lead_time_price_cny_100m_per_month"],
             -value0[key] * (1 + rate) ** (-lead[key[0]] / 12) * math.log(1 + rate) / 12)
    a.eq(k, "objective term approval_lead_time", a.r["objective_terms_cny_100m"].get("approval_lead_time", 0.0),
         -sum(loss.values()))


@check
def check_limits_table(a: Audit):
    """The limits table states each money limit as the scenario sets it, and its use as the financing
    rows add up: credit lines, special-bond quotas, special bonds as capital, national totals, the
    enterprise-bond volume, the legal and broad debt-ratio rooms (province and city) and each city's
    part of the reward fund; used ≤ limit on every row."""
    k = "limits_table"
    pol = a.pol
    use = defaultdict(float)
    for f in a.r["financing"]:
        use["credit_line", f["source_id"], f["province_code"], None] += f["amount_cny_100m"]
        use["national_total", f["source_id"], "national", f["year"]] += f["amount_cny_100m"]
        if f["source_kind"] == "special_bond":
            use["special_bond", f["source_id"], f["province_code"], f["year"]] += f["amount_cny_100m"]
            use["special_bond_capital", None, f["province_code"], f["year"]] += f["capital_cny_100m"]
        if f["source_kind"] == "general_bond":
            use["general_bond", f["source_id"], f["province_code"], f["year"]] += f["amount_cny_100m"]
        if f["source_kind"] == "enterprise_bond":
            use["enterprise_bond_volume", None, "national", f["year"]] += f["amount_cny_100m"]
    _, city_f = a.reward_fund()
    sides = binding_sides(a)
    debt: dict = defaultdict(dict)
    names = {"debt_ratio": "debt_ratio_province", "debt_ratio_city": "debt_ratio_city",
             "broad_debt_ratio": "broad_debt_ratio_province", "broad_debt_ratio_city": "broad_debt_ratio_city"}
    for (rule, reg, _), (limit, lhs, _) in sides.items():
        if rule in names:
            debt[names[rule]][reg] = (limit, lhs)
    for row in a.r["limits"]:
        kind, sid, reg, t = row["limit"], row["source_id"], row["region"], row["year"]
        where = f"{kind} {sid} {reg} y{t}"
        a.leq(k, where + " used ≤ limit", row["used_cny_100m"], row["limit_cny_100m"])
        if kind == "credit_line":
            a.eq(k, where + " limit", row["limit_cny_100m"], a.src[sid]["limit_per_province_cny_100m"][reg])
        elif kind == "national_total":
            a.eq(k, where + " limit", row["limit_cny_100m"], a.src[sid]["limit_total_cny_100m_per_year"])
        elif kind in ("special_bond", "general_bond"):
            a.eq(k, where + " limit", row["limit_cny_100m"], a.prov[reg][f"{kind}_limit_cny_100m_per_year"])
        elif kind == "special_bond_capital":
            a.eq(k, where + " limit", row["limit_cny_100m"],
                 pol["special_bond_capital_share"] * a.prov[reg]["special_bond_limit_cny_100m_per_year"])
        elif kind == "enterprise_bond_volume":
            a.eq(k, where + " limit", row["limit_cny_100m"], pol["enterprise_bond_national_volume_cny_100m_per_year"])
        elif kind in debt:
            a.eq(k, where + " limit", row["limit_cny_100m"], debt[kind][reg][0])
            a.eq(k, where + " used", row["used_cny_100m"], debt[kind][reg][1])
            continue
        elif kind == "reward_fund":
            a.eq(k, where + " limit", row["limit_cny_100m"], city_f[reg])
            a.eq(k, where + " used", row["used_cny_100m"], a.rc[reg]["settler_cost_reward_fund_cny_100m"])
            continue
        else:
            a.row(k, False, where, "a limit kind the auditor knows", kind)
            continue
        a.eq(k, where + " used", row["used_cny_100m"], use[kind, sid if kind not in ("special_bond_capital", "enterprise_bond_volume") else None, reg, t])


@check
def check_headline(a: Audit):
    """The headline (batch KPIs) agrees with the tables it summarises."""
    k = "headline"
    h = a.r["headline"]
    a.eq(k, "new_land_ha", h["new_land_ha"], sum(cy["new_land_ha"] for cy in a.r["city_years"]))
    a.eq(k, "arable_occupied_ha", h["arable_occupied_ha"], sum(p["arable_occupied_ha"] for p in a.r["provinces"]))
    a.eq(k, "financing_cost", h["financing_cost_cny_100m"], sum(f["cost_cny_100m"] for f in a.r["financing"]))
    a.eq(k, "unmet_targets_ha", h["unmet_targets_ha"], sum(s["amount_ha"] for s in a.r["shortfalls"]))
    sc = sum(1 for j, p in a.rj.items() if p["selected_share"] > 1e-9 and p["approval_authority"] == "state_council")
    a.same(k, "state_council_approvals", h["state_council_approvals"], sc)
    for p in a.prov:
        a.eq(k, f"new_land_by_province {p}", h["new_land_by_province"][p],
             sum(a.cy[c, t]["new_land_ha"] for c in a.cities_of(p) for t in a.years))
        a.eq(k, f"quota_allocated_by_province {p}", h["quota_allocated_by_province"][p],
             sum(a.py[p, t]["quota_allocated_ha"] for t in a.years))
    ratios = [p["debt_ratio_after"] for p in a.r["provinces"] if p["debt_ratio_after"] is not None]
    a.eq(k, "max_debt_ratio_after", h["max_debt_ratio_after"], max(ratios))
    covered = 0.0
    for c, city in a.city.items():
        need = a.linked(city) * a.T
        short = sum(a.cy[c, t]["settler_shortfall_ha"] for t in a.years)
        covered += city["settlers_per_year"] * a.T * ((1 - short / need) if need > 0 else 1.0)
    a.eq(k, "settlers_covered", h["settlers_covered"], covered)
    # explain.unmet_targets: every shortfall, its cost = amount × penalty, discounted
    if a.r.get("explain"):
        pen = a.pol["shortfall_penalty_cny_10k_per_ha"] / CNY_10K_PER_100M
        unmet = {(u["rule"], u["region"], u["year"]): u for u in a.r["explain"]["unmet_targets"]}
        for x in a.r["shortfalls"]:
            u = unmet.get((x["rule"], x["region"], x["year"]))
            a.row(k, u is not None, f"unmet target {x['rule']} {x['region']} y{x['year']}", "explained", None)
            if u:
                a.eq(k, f"unmet {x['region']} y{x['year']} amount", u["amount_ha"], x["amount_ha"])
                a.eq(k, f"unmet {x['region']} y{x['year']} penalty", u["penalty_cny_100m"],
                     x["amount_ha"] * pen * a.disc(x["year"]))
        a.same(k, "unmet targets: as many as shortfalls", len(unmet), len(a.r["shortfalls"]))


@check
def check_approval_kinds(a: Audit):
    """The approvals table's conversion and expropriation rows (each approval at its own authority,
    Art. 44 and Art. 46): agricultural land converted (any ownership) and collective land expropriated,
    × the share started, and that share of a case; a general-use batch converts all its g ha (g ÷ batch
    size cases) and expropriates its collective share. Application rows: the general-use part."""
    k = "approval_kinds"
    pol = a.pol
    ha, cases, gen = defaultdict(float), defaultdict(float), defaultdict(float)

    def add(r, prov, t, share, conv_ha, exp_ha, batch):
        for kind, au, area in (("conversion", r["conversion"], conv_ha), ("expropriation", r["expropriation"], exp_ha),
                               ("application", r["authority"], None)):
            if au == "none":
                continue
            key = (au, "national" if au == "state_council" else prov, kind, t)
            cases[key] += share
            if batch and area is not None:
                gen[key] += area
    for (j, t), v in a.x().items():
        if v <= 0:
            continue
        prov = a.province_of_project(j)
        r = route(a.proj[j]["parcels"], a.entrusted(prov, t), pol)
        add(r, prov, t, v, None, None, False)
        for kind, au, area in (("conversion", r["conversion"], r["converted_ha"]),
                               ("expropriation", r["expropriation"], r["expropriated_ha"])):
            if au != "none":
                ha[au, "national" if au == "state_council" else prov, kind, t] += area * v
    for c, city in a.city.items():
        parcels, bsize, coll = a.city_batch(city)
        for t in a.years:
            g = a.cy[c, t]["general_land_ha"]
            if g <= 0:
                continue
            prov = city["province_code"]
            r = route(parcels, a.entrusted(prov, t), pol)
            for kind, au, area in (("conversion", r["conversion"], g), ("expropriation", r["expropriation"], g * coll),
                                   ("application", r["authority"], g)):
                if au == "none":
                    continue
                key = (au, "national" if au == "state_council" else prov, kind, t)
                cases[key] += g / bsize
                gen[key] += area
                if kind != "application":
                    ha[key] += area
    table = {(r["authority"], r["region"], r["kind"], r["year"]): r for r in a.r["approvals"]}
    for key in set(cases) | set(table):
        row = table.get(key)
        if key[2] != "application":
            a.eq(k, f"{key} area_ha", row["area_ha"] if row else 0.0, ha[key])
            a.eq(k, f"{key} cases", row["cases"] if row else 0.0, cases[key])
        a.eq(k, f"{key} general_use_area_ha", row["general_use_area_ha"] if row else 0.0, gen[key])


GROUP_RULES = ("funding_balance", "capital_ratio", "bond_share", "special_bond_capital_use")
"""Rules on financing groups ('510000:1'): the result does not say which projects a group holds."""
SOURCE_RULES = ("credit_line", "national_funding_total")
"""Rules per funding source whose Binding row names the source only in its description text."""


def binding_sides(a: Audit) -> dict:
    """For each rule the auditor can re-derive: (rule, region, year) → (limit, lhs, sense), where the
    rule reads lhs ≤ limit ('upper') or lhs ≥ limit ('lower'), from the scenario and the tables."""
    out = {}
    pol = a.pol
    buy, far = a.bought("construction_land"), a.bought("supplementary_farmland")
    ha, cases = applications(a)
    legal, plat, kind_pt, sbcap, ebv = (defaultdict(float) for _ in range(5))
    for f in a.r["financing"]:
        src = a.src[f["source_id"]]
        for reg in (f["province_code"], f["city_code"]):
            legal[reg] += f["amount_cny_100m"] if src["kind"] in ("special_bond", "general_bond") else 0.0
            plat[reg] += f["amount_cny_100m"] if is_platform(src) else 0.0
        kind_pt[src["kind"], f["province_code"], f["year"]] += f["amount_cny_100m"]
        sbcap[f["province_code"], f["year"]] += f["capital_cny_100m"] if src["kind"] == "special_bond" else 0.0
        if src["kind"] == "enterprise_bond":
            ebv[f["year"]] += f["amount_cny_100m"]
    m = pol["tilt_min_share"]
    for t in a.years:
        used_t = alloc_t = 0.0
        out["land_quota_clearing", "national", t] = (0.0, sum(v for (p, s, y), v in buy.items() if y == t and s == "buy")
                                                     - sum(v for (p, s, y), v in buy.items() if y == t and s == "sell"), "eq")
        ebl = pol["enterprise_bond_national_volume_cny_100m_per_year"]
        if ebl is not None:
            out["enterprise_bond_volume", "national", t] = (ebl, ebv[t], "upper")
        for rule, key, n in (("state_council_capacity", "state_council_capacity_ha_per_year", ha),
                             ("state_council_capacity_cases", "state_council_capacity_cases_per_year", cases)):
            cap = per_year(pol[key], t)
            if cap is not None:
                out[rule, "national", t] = (cap, n["state_council", "national", t], "upper")
        for p, prov in a.prov.items():
            r = a.py[p, t]
            used = r["new_land_ha"] - buy[p, "buy", t]
            used_t += used
            alloc_t += r["quota_allocated_ha"]
            out["provincial_pool", p, t] = (prov["new_land_pool_ha_per_year"], used, "upper")
            out["tradeable_surplus", p, t] = (prov["surplus_land_quota_ha_per_year"], buy[p, "sell", t], "upper")
            out["bought_quota_used", p, t] = (0.0, buy[p, "buy", t] - r["new_land_ha"], "upper")
            if a.national:
                linked = sum(a.linked(a.city[c]) for c in a.cities_of(p))
                base = prov["allocation_base_ha_per_year"]
                base = prov["new_land_pool_ha_per_year"] if base is None else base
                lo = prov["allocation_band_floor_share"]
                lo = pol["allocation_band_floor_share"] if lo is None else lo
                hi = prov["allocation_band_ceiling_share"]
                hi = pol["allocation_band_ceiling_share"] if hi is None else hi
                out["allocated_quota", p, t] = (0.0, used - r["quota_allocated_ha"], "upper")
                out["allocation_floor", p, t] = (linked + lo * base, r["quota_allocated_ha"], "lower")
                out["allocation_ceiling", p, t] = (linked + hi * base, r["quota_allocated_ha"], "upper")
            for rule, key, n in (("province_approval_capacity", "approval_capacity_ha_per_year", ha),
                                 ("province_approval_capacity_cases", "approval_capacity_cases_per_year", cases)):
                cap = per_year(prov[key], t)
                if cap is not None:
                    out[rule, p, t] = (cap, n["province", p, t] + n["province_entrusted", p, t], "upper")
            for rule, key, n in (("entrusted_approval_capacity", "entrusted_capacity_ha_per_year", ha),
                                 ("entrusted_approval_capacity_cases", "entrusted_capacity_cases_per_year", cases)):
                cap = per_year(prov[key], t)
                if cap is not None:
                    out[rule, p, t] = (cap, n["province_entrusted", p, t], "upper")
            out["special_bond_quota", p, t] = (prov["special_bond_limit_cny_100m_per_year"], kind_pt["special_bond", p, t], "upper")
            out["general_bond_quota", p, t] = (prov["general_bond_limit_cny_100m_per_year"], kind_pt["general_bond", p, t], "upper")
            out["special_bond_capital", p, t] = (pol["special_bond_capital_share"] * prov["special_bond_limit_cny_100m_per_year"],
                                                 sbcap[p, t], "upper")
            if pol["tilt_level"] == "province":
                cs = a.cities_of(p)
                new = sum(a.cy[c, t]["new_land_ha"] for c in cs)
                tilted = sum(a.tilt_weight(a.city[c]) * a.cy[c, t]["new_land_ha"] for c in cs)
                out["tilt_share", p, t] = (0.0, tilted + r["tilt_shortfall_ha"] - m * new, "lower")
        if pol["national_new_land_total_ha"] is not None:
            out["national_total", "national", t] = (pol["national_new_land_total_ha"], alloc_t if a.national else used_t, "upper")
        if pol["tilt_level"] == "national":
            new = sum(a.cy[c, t]["new_land_ha"] for c in a.city)
            tilted = sum(a.tilt_weight(a.city[c]) * a.cy[c, t]["new_land_ha"] for c in a.city)
            short = sum(s["amount_ha"] for s in a.r["shortfalls"] if s["rule"] == "tilt_share" and s["year"] == t)
            out["tilt_share", "national", t] = (0.0, tilted + short - m * new, "lower")
        for c, city in a.city.items():
            r = a.cy[c, t]
            out["settler_land_floor", c, t] = (a.linked(city), r["new_land_ha"] + r["stock_revitalised_ha"]
                                               + r["settler_shortfall_ha"], "lower")
    out["farmland_quota_clearing", "national", None] = (0.0, sum(v for (p, s, y), v in far.items() if s == "buy")
                                                       - sum(v for (p, s, y), v in far.items() if s == "sell"), "eq")
    prov_f, city_f = a.reward_fund()
    per = (pol["settler_cost_education_cny_10k"] + pol["settler_cost_health_cny_10k"]
           + pol["settler_cost_social_security_cny_10k"] + pol["settler_cost_housing_cny_10k"])
    for c, city in a.city.items():
        urban = sum(a.cy[c, t]["new_land_ha"] - a.cy[c, t]["regional_land_ha"] for t in a.years)
        room = max(0.0, a.eff_cap(city) * a.final_pop(city) / M2_PER_HA - city["urban_construction_land_ha"])
        out["per_capita_cap", c, None] = (room, urban, "upper")
        out["stock_available", c, None] = (city["stock_land_available_ha"],
                                           sum(a.cy[c, t]["stock_revitalised_ha"] for t in a.years), "upper")
        growth = a.current_pc(city) * max(0, city["resident_population_growth_per_year"]) * a.T / M2_PER_HA
        out["stock_first", c, None] = (max(0.0, a.linked(city) * a.T + growth - city["stock_land_available_ha"]),
                                       sum(a.cy[c, t]["general_land_ha"] for t in a.years), "upper")
        cost = city["settlers_per_year"] * (per - pol["settler_central_transfer_cny_10k"]) / CNY_10K_PER_100M
        out["settler_public_cost", c, None] = (cost - city_f[c], a.rc[c]["settler_cost_own_budget_cny_100m"], "lower")
        if city["fiscal_capacity_cny_100m"]:
            cap, bal = city["fiscal_capacity_cny_100m"], city["debt_balance_cny_100m"]
            room = pol["debt_ratio_limit"] * cap - bal if bal / cap < pol["debt_ratio_limit"] else 0.0
            out["debt_ratio_city", c, None] = (room, legal[c], "upper")
            if pol["broad_debt_ratio_limit"] is not None:
                out["broad_debt_ratio_city", c, None] = (pol["broad_debt_ratio_limit"] * cap - bal
                                                         - city["platform_debt_balance_cny_100m"], legal[c] + plat[c], "upper")
    for p, prov in a.prov.items():
        occ = a.rp[p]["arable_occupied_ha"]
        out["farmland_balance", p, None] = (prov["supplementary_arable_reserve_ha"],
                                            occ - far[p, "buy", None] + far[p, "sell", None], "upper")
        if prov["fiscal_capacity_cny_100m"]:
            cap, bal = prov["fiscal_capacity_cny_100m"], prov["debt_balance_cny_100m"]
            if bal / cap < pol["debt_ratio_limit"]:
                room = pol["debt_ratio_limit"] * cap - bal
            else:
                room = pol["over_line_new_debt_share"] * (prov["special_bond_limit_cny_100m_per_year"]
                                                          + prov["general_bond_limit_cny_100m_per_year"]) * a.T
            out["debt_ratio", p, None] = (room, legal[p], "upper")
            if pol["broad_debt_ratio_limit"] is not None:
                out["broad_debt_ratio", p, None] = (pol["broad_debt_ratio_limit"] * cap - bal
                                                    - prov["platform_debt_balance_cny_100m"], legal[p] + plat[p], "upper")
    for j, pr in a.rj.items():
        # Σ_t x ≤ 1, = 1 for a committed project (an equality: its price may take either sign)
        out["project_whole", j, None] = (1.0, pr["selected_share"], "eq" if a.proj[j]["committed"] else "upper")
    return out


@check
def check_binding(a: Audit):
    """Every Binding row of a rule the auditor can re-derive: its limit is the scenario's (as the rule
    states it), the rule is really at that limit in the result, and the shadow price's sign follows
    the rule's sense (positive for a limit, negative for a floor). Rules on financing groups and rows
    that name their funding source only in words are counted apart (Audit.gaps)."""
    k = "binding"
    sides = binding_sides(a)
    for b in a.r["binding"]:
        key = (b["rule"], b["region"], b["year"])
        if b["rule"] in GROUP_RULES:
            a.gaps["group rule (members not exposed)"].append(key)
            continue
        if b["rule"] in SOURCE_RULES:
            a.gaps["source named only in the description"].append(key)
            continue
        if key not in sides:
            a.row(k, False, key, "a rule the auditor can re-derive", b["rule"])
            continue
        limit, lhs, sense = sides[key]
        a.eq(k, f"{key} limit", b["limit"], limit)
        a.eq(k, f"{key} at its limit", lhs, limit)
        if sense == "upper":
            a.geq(k, f"{key} price ≥ 0 (a limit)", b["shadow_price"], 0.0)
        elif sense == "lower":
            a.leq(k, f"{key} price ≤ 0 (a floor)", b["shadow_price"], 0.0)


@check
def check_summaries(a: Audit):
    """The per-horizon tables and summaries agree with the per-year tables and the scenario: provinces
    (new land, plan quota used, trades, allocation and its band, linked land, band edge, tilted share,
    money raised), cities (land by use, shortfall), shortfalls, the national summary (allocated, used,
    linked, settlers, provinces at band edges, shadow prices against Binding), the approvals rows'
    capacities and prices against the scenario and Binding."""
    k = "summaries"
    pol, r = a.pol, a.r
    buy = a.bought("construction_land")
    far = a.bought("supplementary_farmland")
    money = defaultdict(float)
    for f in r["financing"]:
        money[f["province_code"]] += f["amount_cny_100m"]
    at_floor, at_ceiling, fixed = [], [], []
    for p, prov in a.prov.items():
        rp = a.rp[p]
        ys = [a.py[p, t] for t in a.years]
        a.eq(k, f"{p} new_land_ha", rp["new_land_ha"], sum(y["new_land_ha"] for y in ys))
        a.eq(k, f"{p} pool_used_ha", rp["pool_used_ha"], sum(y["quota_used_ha"] for y in ys))
        a.eq(k, f"{p} land_quota_bought_ha", rp["land_quota_bought_ha"], sum(buy[p, "buy", t] for t in a.years))
        a.eq(k, f"{p} land_quota_sold_ha", rp["land_quota_sold_ha"], sum(buy[p, "sell", t] for t in a.years))
        a.eq(k, f"{p} farmland_quota_bought_ha", rp["farmland_quota_bought_ha"], far[p, "buy", None])
        a.eq(k, f"{p} farmland_quota_sold_ha", rp["farmland_quota_sold_ha"], far[p, "sell", None])
        a.eq(k, f"{p} supplementary_reserve_ha", rp["supplementary_reserve_ha"], prov["supplementary_arable_reserve_ha"])
        a.eq(k, f"{p} pool_ha_per_year", rp["pool_ha_per_year"], prov["new_land_pool_ha_per_year"])
        a.eq(k, f"{p} financing_cny_100m", rp["financing_cny_100m"], money[p])
        linked = sum(a.linked(a.city[c]) for c in a.cities_of(p))
        a.eq(k, f"{p} linked_ha", rp["linked_ha"], linked * a.T)
        a.eq(k, f"{p} quota_allocated_ha", rp["quota_allocated_ha"], sum(y["quota_allocated_ha"] for y in ys))
        if not a.national:
            for y in ys:
                a.eq(k, f"{p} y{y['year']} pool as allocation", y["quota_allocated_ha"], prov["new_land_pool_ha_per_year"])
        new = sum(a.cy[c, t]["new_land_ha"] for c in a.cities_of(p) for t in a.years)
        if new > 1e-9:
            tilted = sum(a.tilt_weight(a.city[c]) * a.cy[c, t]["new_land_ha"] for c in a.cities_of(p) for t in a.years)
            a.eq(k, f"{p} tilted_share", rp["tilted_share"], tilted / new)
        if a.national:
            lo_edge = all(close(y["quota_allocated_ha"], y["allocation_floor_ha"]) for y in ys)
            hi_edge = all(close(y["quota_allocated_ha"], y["allocation_ceiling_ha"]) for y in ys)
            width0 = all(close(y["allocation_floor_ha"], y["allocation_ceiling_ha"]) for y in ys)
            edge = "fixed" if width0 else "floor" if lo_edge else "ceiling" if hi_edge else None
            a.same(k, f"{p} band_edge", rp["band_edge"], edge)
            a.eq(k, f"{p} allocation_floor_ha_per_year", rp["allocation_floor_ha_per_year"], ys[0]["allocation_floor_ha"])
            a.eq(k, f"{p} allocation_ceiling_ha_per_year", rp["allocation_ceiling_ha_per_year"], ys[0]["allocation_ceiling_ha"])
            {"fixed": fixed, "floor": at_floor, "ceiling": at_ceiling}.get(edge, []).append(p)
    for c in a.city:
        rc = a.rc[c]
        for field in ("new_land_ha", "project_land_ha", "general_land_ha", "settler_shortfall_ha"):
            a.eq(k, f"{c} {field}", rc[field], sum(a.cy[c, t][field] for t in a.years))
        a.same(k, f"{c} tilted", rc["tilted"], a.tilt_weight(a.city[c]) > 0)
    short = {(x["rule"], x["region"], x["year"]): x["amount_ha"] for x in r["shortfalls"]}
    for c in a.city:
        for t in a.years:
            a.eq(k, f"shortfall {c} y{t}", short.get(("settler_land_floor", c, t), 0.0), a.cy[c, t]["settler_shortfall_ha"])
    if pol["tilt_level"] == "province":
        for p in a.prov:
            for t in a.years:
                a.eq(k, f"tilt shortfall {p} y{t}", short.get(("tilt_share", p, t), 0.0), a.py[p, t]["tilt_shortfall_ha"])
    nat = r["national"]
    ny = {n["year"]: n for n in r["national_years"]}
    prices = {b["year"]: b["shadow_price"] for b in r["binding"] if b["rule"] == "national_total"}
    for t in a.years:
        n = ny[t]
        a.eq(k, f"national y{t} quota_used_ha", n["quota_used_ha"], sum(a.py[p, t]["quota_used_ha"] for p in a.prov))
        a.eq(k, f"national y{t} linked_ha", n["linked_ha"], sum(a.linked(c) for c in a.city.values()))
        a.eq(k, f"national y{t} quota_allocated_ha", n["quota_allocated_ha"], sum(a.py[p, t]["quota_allocated_ha"] for p in a.prov))
        a.eq(k, f"national y{t} shadow price = Binding", n["shadow_price_cny_100m_per_ha"], prices.get(t, 0.0))
        a.same(k, f"national y{t} binds", n["binds"], abs(prices.get(t, 0.0)) > 0)
    a.eq(k, "national settlers", nat["settlers"], sum(c["settlers_per_year"] for c in a.city.values()) * a.T)
    a.eq(k, "national quota_allocated_ha", nat["quota_allocated_ha"], sum(ny[t]["quota_allocated_ha"] for t in a.years))
    a.eq(k, "national quota_used_ha", nat["quota_used_ha"], sum(ny[t]["quota_used_ha"] for t in a.years))
    a.eq(k, "national linked_ha", nat["linked_ha"], sum(a.linked(c) for c in a.city.values()) * a.T)
    a.eq(k, "national linked_m2_per_settler", nat["linked_m2_per_settler"],
         nat["linked_ha"] * M2_PER_HA / nat["settlers"])
    for p in a.prov:
        for t in a.years:
            cs = a.cities_of(p)
            new = sum(a.cy[c, t]["new_land_ha"] for c in cs)
            if new > 1e-9:
                a.eq(k, f"{p} y{t} tilted_share", a.py[p, t]["tilted_share"],
                     sum(a.tilt_weight(a.city[c]) * a.cy[c, t]["new_land_ha"] for c in cs) / new)
            a.eq(k, f"{p} y{t} stock_revitalised_ha", a.py[p, t]["stock_revitalised_ha"],
                 sum(a.cy[c, t]["stock_revitalised_ha"] for c in cs))
            a.eq(k, f"{p} y{t} settler_shortfall_ha", a.py[p, t]["settler_shortfall_ha"],
                 sum(a.cy[c, t]["settler_shortfall_ha"] for c in cs))
    if a.national:
        a.same(k, "provinces_at_floor", sorted(nat["provinces_at_floor"]), sorted(at_floor))
        a.same(k, "provinces_at_ceiling", sorted(nat["provinces_at_ceiling"]), sorted(at_ceiling))
        a.same(k, "provinces_fixed", sorted(nat["provinces_fixed"]), sorted(fixed))
    caps = {}
    for b in r["binding"]:
        caps[b["rule"], b["region"], b["year"]] = b["shadow_price"]
    for row in r["approvals"]:
        if row["kind"] != "application":
            continue
        t, au, reg = row["year"], row["authority"], row["region"]
        if au == "state_council":
            a.eq(k, f"approvals {reg} y{t} capacity_ha", row["capacity_ha"] or 0.0,
                 per_year(pol["state_council_capacity_ha_per_year"], t) or 0.0)
            a.eq(k, f"approvals {reg} y{t} price", row["shadow_price_cny_100m_per_ha"],
                 caps.get(("state_council_capacity", "national", t), 0.0))
        elif au == "province":
            a.eq(k, f"approvals {reg} y{t} capacity_ha", row["capacity_ha"] or 0.0,
                 per_year(a.prov[reg]["approval_capacity_ha_per_year"], t) or 0.0)
            a.eq(k, f"approvals {reg} y{t} price", row["shadow_price_cny_100m_per_ha"],
                 caps.get(("province_approval_capacity", reg, t), 0.0))
        else:
            a.eq(k, f"approvals {reg} y{t} capacity_ha", row["capacity_ha"] or 0.0,
                 per_year(a.prov[reg]["entrusted_capacity_ha_per_year"], t) or 0.0)
            a.eq(k, f"approvals {reg} y{t} price", row["shadow_price_cny_100m_per_ha"],
                 caps.get(("entrusted_approval_capacity", reg, t), 0.0))
