"""Synthetic national scenarios of any size, for scale tests and benchmarks (issue 7).

    landquota generate --cities 3000 --projects 21000 --years 5 --seed 1 --out big.json

The scenario always covers the whole country: ``cities`` is the *granularity* (31 ≈ provinces,
≈ 330 prefectures, ≈ 2,800 counties, ≈ 30,000 townships), so national totals stay at their
real magnitudes whatever the size and each unit gets its share. Calibration (tags as in
``shared/POLICY.md``; **[G]** = a rule of this generator, chosen to match ``datasets/china-2020``):

* provinces: 7th-census population [V] and urbanisation rate [M]; units per province ∝ urban
  population (every province gets at least one, its capital, coded ``PP0100``); with fewer
  than 31 units, the most populous provinces;
* urban residents ≈ 900 million and urban construction land ≈ 6.07 million ha (built-up area
  60,721 km² [V]), so per-capita land is ≈ 67 m² on average, spread ±25% across units [G];
* settlers ≈ 16.7 million a year (100 million 2015–2020 [V]), super-large and mega cities less
  open [G], as in china-2020;
* provincial pools sum to 102% of the national plan total (600万亩 = 400,000 ha [V]) [G], split
  by settler land need and urban population; candidate project land = 1.25 × (pool − general-use
  room) over the horizon (1.5 for quota buyers), as china-2020 does, so every plan must choose;
* project values = area × the unit's land value × category factor × U(0.75, 1.7) [G];
  investment = value ÷ a value/investment ratio drawn around 0.35 [G]; funding rows are
  :func:`models.funding.default_funding_sources` with credit lines, a central-budget total,
  special-bond quotas, fiscal capacity and debt (national capacity ≈ 25万亿元, debt ≈ 93% of it,
  a few provinces over the 100% line [G]).

Always feasible under the default policy: committed projects are accepted only while they fit
in half of every hard limit they touch (city per-capita room, provincial pool, national total,
approval capacity), and each province's supplementary arable reserve covers its committed
arable land with margin; own capital is an unlimited funding source, so every committed project
can be funded. Deterministic for a seed (one ``numpy.random.Generator``; no global state).

Synthetic city codes are GB/T 2260-shaped: six digits starting with the province's two, unique
(``PP0100`` is the capital, then ``PP0200`` … ``PP9900``, then ``PP0101`` …): at most 9,900 units
per province. Names are the province name and a number. ILLUSTRATIVE NUMBERS, NOT STATISTICS.
"""

from __future__ import annotations

import json
import math
from pathlib import Path

import numpy as np

from landquota.models.coefficients import all_city_coefficients
from landquota.models.funding import default_funding_sources
from landquota.models.policy import PILOT_PROVINCES_2020, PolicyParameters
from landquota.models.regions import MUNICIPALITIES, PROVINCE_FULL_NAMES, province_table
from landquota.models.scenario import Scenario, load_scenario
from landquota.models.units import M2_PER_HA, cny_100m

# ---- provinces: code, name, population (7th census [V]), urban % [M] -------------------------
PROVINCES = [(r["code"], r["name"], int(r["census_population_2020"]), float(r["urbanisation_rate_pct_2020"]))
             for r in province_table()]
"""The one province table, ``datasets/provinces.csv`` (shared with the china-2020 builder)."""
CAPITAL_SIZE = {"110000": "super_large", "120000": "super_large", "310000": "super_large",
                "500000": "super_large", "440000": "super_large", "510000": "super_large",
                "420000": "mega", "610000": "mega", "330000": "mega", "320000": "mega", "210000": "mega",
                "370000": "mega", "430000": "mega", "230000": "mega", "410000": "mega", "530000": "mega"}
"""Size class of each province's capital unit (国土资发〔2016〕123号 lists [V]; POLICY.md)."""
SEPARATELY_LISTED = {"210200": "mega", "370200": "mega", "330200": "other", "350200": "other",
                     "440300": "super_large"}
"""大连 青岛 宁波 厦门 深圳: their real codes are the second or third unit of their province here."""
LAND_SELLERS = {"540000", "510000", "530000", "620000", "630000", "650000", "520000", "640000"}
LAND_BUYERS = {"110000", "310000", "120000", "320000", "330000", "440000", "350000", "370000"}
FARMLAND_SELLERS = LAND_SELLERS | {"230000", "150000", "220000"}
FARMLAND_BUYERS = LAND_BUYERS
FISCALLY_WEAK = {"150000", "450000", "500000", "510000", "520000", "530000", "540000", "610000", "620000",
                 "630000", "640000", "650000", "210000", "220000", "230000"}
"""Trading roles and fiscal weakness as in ``datasets/build_china_2020.py`` (三区三州 sellers, coastal
buyers, western and north-eastern provinces fiscally weak)."""

# ---- national magnitudes ---------------------------------------------------------------------
NAT_URBAN_LAND_HA = 6_072_100.0
"""Urban built-up area 2020, 60,721 km² [V]."""
NAT_SETTLERS_PER_YEAR = 100_000_000 / 6
"""≈ 100 million settlers 2015–2020 [V] over six plan years."""
POOL_OVER_NATIONAL = 1.02
"""[G] provincial pools sum to 102% of the national plan total, so the national total can bind."""
PROJECT_DEMAND = {"buyer": 1.5, "other": 1.25}
"""[G] candidate project area = factor × (pool × years − general-use room), as china-2020."""
NAT_FISCAL_CAPACITY = 250_000.0
"""[G] local comprehensive fiscal capacity (综合财力), 亿元 per year (≈ 25万亿元)."""
NAT_SPECIAL_BONDS = 37_500.0 * 0.3
"""[G] new special bonds 2020 ≈ 3.75万亿元 [M]; 30% assumed available to these projects, 亿元/yr."""
LAND_VALUE = {"super_large": 2400.0, "mega": 1500.0, "centre": 1000.0, "rest": 450.0}
"""[G] value of general urban land put to use, 万元/ha, by class (china-2020's rule)."""
CATEGORIES = ["new_urbanisation", "urban_rural_integration", "characteristic_town", "land_consolidation",
              "resettlement_housing", "public_service_gap", "industrial", "infrastructure", "utility_tunnel",
              "parking", "elderly_care"]
CATEGORY_WEIGHT = [0.18, 0.12, 0.06, 0.05, 0.08, 0.08, 0.18, 0.15, 0.03, 0.03, 0.04]
CATEGORY_VALUE = [1.2, 1.0, 0.9, 0.8, 0.9, 1.1, 1.3, 1.0, 1.1, 1.0, 1.0]
"""[G] value multiplier by category (china-2020's, land consolidation 0.8)."""
COMMIT_PROBABILITY = 0.05
MAX_UNITS_PER_PROVINCE = 9_900


def unit_code(province_code: str, i: int) -> str:
    """The i-th unit of a province: PP0100 (capital), PP0200, …, PP9900, PP0101, …"""
    if not 0 <= i < MAX_UNITS_PER_PROVINCE:
        raise ValueError(f"at most {MAX_UNITS_PER_PROVINCE} units per province")
    return f"{province_code[:2]}{i % 99 + 1:02d}{i // 99:02d}"


def _largest_remainder(weights: np.ndarray, total: int, minimum: int) -> np.ndarray:
    """Integers ≥ minimum summing to total, proportional to weights beyond the minimum."""
    extra = total - minimum * len(weights)
    share = weights / weights.sum() * extra
    out = np.floor(share).astype(int)
    rest = extra - out.sum()
    order = np.argsort(-(share - out), kind="stable")
    out[order[:rest]] += 1
    return out + minimum


def generate(cities: int, projects: int, years: int = 5, seed: int = 0, name: str | None = None) -> dict:
    """A valid, feasible scenario as plain JSON-ready data (see the module docstring)."""
    if cities < 1 or projects < 0 or not 1 <= years <= 10:
        raise ValueError("need cities ≥ 1, projects ≥ 0 and 1 ≤ years ≤ 10")
    rng = np.random.default_rng(seed)
    pol = PolicyParameters()

    # ---- provinces and how many units each gets ---------------------------------------------
    provs = sorted(PROVINCES, key=lambda p: -p[2])[:cities] if cities < 31 else list(PROVINCES)
    provs.sort(key=lambda p: p[0])
    urban = np.array([p[2] * p[3] / 100.0 for p in provs])
    n_units = _largest_remainder(urban, cities, 1)
    if n_units.max() > MAX_UNITS_PER_PROVINCE:
        raise ValueError(f"{cities} units put more than {MAX_UNITS_PER_PROVINCE} in one province")
    nat_urban = urban.sum() / sum(p[2] * p[3] / 100.0 for p in PROVINCES)  # share of the nation covered

    # ---- units (vectorised per province) --------------------------------------------------------
    city_rows: list[dict] = []
    unit_prov: list[int] = []
    for pi, (pcode, pname, _, _) in enumerate(provs):
        n = int(n_units[pi])
        w = rng.lognormal(0.0, 0.8, n)
        w[0] *= 4.0  # the capital is the biggest unit
        pop = np.maximum(20_000, np.round(urban[pi] * w / w.sum())).astype(int)
        per_capita = np.clip(67.0 * rng.lognormal(0.0, 0.25, n), 30.0, 180.0)
        growth = rng.uniform(-0.004, 0.025, n)
        key = rng.random(n) < 0.25
        arable_share = np.round(rng.uniform(0.3, 0.65, n), 2)
        stock_share = rng.uniform(0.0, 0.01, n) * years
        cross = rng.uniform(0.05, 0.4, n)
        rng.uniform(0.6, 1.4, n)  # unused; drawn so every generated scenario (and bench result) stays as it was
        registered = rng.uniform(0.55, 0.85, n)
        value_draw = rng.uniform(0.8, 1.25, n)
        for i in range(n):
            code = unit_code(pcode, i)
            size = "other"
            tier = "other"
            if i == 0:
                tier = "municipality" if pcode in MUNICIPALITIES else "provincial_capital"
                size = CAPITAL_SIZE.get(pcode, "other")
            elif code in SEPARATELY_LISTED:
                tier, size = "separately_listed", SEPARATELY_LISTED[code]
            elif i % 10 == 1:
                tier = "node_city"
            centre = tier in ("municipality", "provincial_capital", "separately_listed")
            land = pop[i] * per_capita[i] / M2_PER_HA
            cls = size if size != "other" else ("centre" if centre else "rest")
            value = LAND_VALUE[cls] * value_draw[i]
            city_rows.append(dict(
                code=code, name=f"{pname}{i + 1:04d}", province_code=pcode, tier=tier,
                key_cluster=bool(centre or key[i]), size_class=size,
                resident_population=int(pop[i]), registered_population=int(pop[i] * registered[i]),
                resident_population_growth_per_year=int(pop[i] * growth[i]),
                settlers_per_year=0,  # set below, nationally
                settlers_central_district_share=0.5 if size != "other" else 0.0,
                settlers_cross_province_share=round(float(cross[i]), 3),
                urban_construction_land_ha=round(float(land), 1),
                stock_land_available_ha=round(float(land * stock_share[i]), 1),
                stock_revitalisation_cost_cny_10k_per_ha=round(0.35 * value, 1),
                new_land_value_cny_10k_per_ha=round(value, 1),
                general_land_arable_share=float(arable_share[i]),
            ))
            unit_prov.append(pi)
    unit_prov_arr = np.array(unit_prov)
    pops = np.array([c["resident_population"] for c in city_rows], dtype=float)
    # scale land so the nation (or the part covered) holds 6.07 million ha
    land = np.array([c["urban_construction_land_ha"] for c in city_rows])
    land_scale = NAT_URBAN_LAND_HA * nat_urban / land.sum()
    openness = np.array([{"super_large": 0.35, "mega": 0.7}.get(c["size_class"], 1.0) for c in city_rows])
    sw = pops * openness * rng.uniform(0.6, 1.4, len(city_rows))
    settlers = np.round(NAT_SETTLERS_PER_YEAR * nat_urban * sw / sw.sum()).astype(int)
    for k, c in enumerate(city_rows):
        c["urban_construction_land_ha"] = round(c["urban_construction_land_ha"] * land_scale, 1)
        c["stock_land_available_ha"] = round(min(c["stock_land_available_ha"] * land_scale,
                                                 c["urban_construction_land_ha"]), 1)
        c["settlers_per_year"] = int(settlers[k])

    # ---- provinces ---------------------------------------------------------------------------------
    prov_rows = []
    for pi, (pcode, pname, census, rate) in enumerate(provs):
        prov_rows.append(dict(
            code=pcode, name=pname, full_name=PROVINCE_FULL_NAMES[pcode], new_land_pool_ha_per_year=0.0,
            supplementary_arable_reserve_ha=0.0,
            land_quota_seller=pcode in LAND_SELLERS, land_quota_buyer=pcode in LAND_BUYERS,
            surplus_land_quota_ha_per_year=0.0,
            farmland_quota_seller=pcode in FARMLAND_SELLERS, farmland_quota_buyer=pcode in FARMLAND_BUYERS,
            linkage_adjustment=round(float(rng.uniform(-0.1, 0.1)), 2),
            fiscally_weak=pcode in FISCALLY_WEAK,
            census_population=census, urbanisation_rate_pct=rate,
        ))
    if not any(p["farmland_quota_buyer"] or p["farmland_quota_seller"] for p in prov_rows):
        prov_rows[0]["farmland_quota_buyer"] = True  # the model needs a farmland market (see tests/helpers.py)

    # coefficients of the units (settler need, per-capita room) by the model's own rules
    base = Scenario(years=years, provinces=prov_rows, cities=city_rows, policy=pol, funding_sources=[])
    coeffs = all_city_coefficients(base)
    need = np.array([coeffs[c["code"]].linkage_need_ha_per_year for c in city_rows])
    room = np.array([coeffs[c["code"]].cap_room_ha for c in city_rows])
    general_room = np.array([coeffs[c["code"]].general_room_ha or 0.0 for c in city_rows])
    n_prov = len(provs)
    need_p = np.bincount(unit_prov_arr, need, n_prov)
    pop_p = np.bincount(unit_prov_arr, pops, n_prov)
    national = (pol.national_new_land_total_ha or 400_000.0) * nat_urban
    pool_w = 0.5 * need_p / need_p.sum() + 0.5 * pop_p / pop_p.sum()
    pools = np.round(national * POOL_OVER_NATIONAL * pool_w / 10.0) * 10.0
    for pi, p in enumerate(prov_rows):
        p["new_land_pool_ha_per_year"] = float(pools[pi])

    # ---- projects -----------------------------------------------------------------------------------
    groom_p = np.bincount(unit_prov_arr, np.minimum(general_room, room), n_prov)
    target_p = np.array([
        max(0.0, pools[pi] * years - groom_p[pi]) * PROJECT_DEMAND["buyer" if provs[pi][0] in LAND_BUYERS else "other"]
        for pi in range(n_prov)])
    unit_w = land / land.sum()
    owner = np.sort(rng.choice(len(city_rows), size=projects, p=unit_w)) if projects else np.zeros(0, int)
    raw = rng.lognormal(math.log(40.0), 1.0, projects)
    raw_p = np.bincount(unit_prov_arr[owner], raw, n_prov) if projects else np.zeros(n_prov)
    area = np.clip(raw * target_p[unit_prov_arr[owner]] / np.maximum(raw_p[unit_prov_arr[owner]], 1e-9), 1.0, 4000.0)
    cat = rng.choice(len(CATEGORIES), size=projects, p=CATEGORY_WEIGHT)
    has_pbf = rng.random(projects) < 0.12
    pbf_share = rng.uniform(0.03, 0.25, projects)
    arable_share = rng.uniform(0.0, 0.7, projects)
    value_draw = rng.uniform(0.75, 1.7, projects)
    ratio = rng.lognormal(math.log(0.35), 0.5, projects)
    county_seat = rng.random(projects) < 0.35
    commit_draw = rng.random(projects) < COMMIT_PROBABILITY
    unit_value = np.array([c["new_land_value_cny_10k_per_ha"] for c in city_rows])

    proj_rows = []
    committed_city = np.zeros(len(city_rows))
    committed_prov = np.zeros(n_prov)
    committed_nat = 0.0
    for j in range(projects):
        u = int(owner[j])
        a = float(area[j])
        pbf = round(a * pbf_share[j], 2) if has_pbf[j] else 0.0
        arable = round((a - pbf) * arable_share[j], 2)
        other = round(a - pbf - arable, 2)
        parcels = [dict(land_type=t, area_ha=x) for t, x in
                   (("permanent_basic_farmland", pbf), ("arable", arable), ("other", other)) if x >= 0.01]
        total = sum(p["area_ha"] for p in parcels)
        value = cny_100m(total * unit_value[u]) * CATEGORY_VALUE[cat[j]] * value_draw[j]
        row = dict(id=f"P{j + 1:07d}", city_code=city_rows[u]["code"], category=CATEGORIES[cat[j]],
                   parcels=parcels, value_cny_100m=round(value, 3), committed=False,
                   investment_cny_100m=round(value / ratio[j], 3),
                   county_seat=bool(county_seat[j] and city_rows[u]["tier"] == "other"))
        pi = unit_prov[u]
        if (commit_draw[j] and committed_city[u] + total <= 0.5 * room[u]
                and committed_prov[pi] + total <= 0.5 * pools[pi] * years and total <= 0.5 * pools[pi]
                and committed_nat + total <= 0.5 * national * years):
            row["committed"] = True
            committed_city[u] += total
            committed_prov[pi] += total
            committed_nat += total
        proj_rows.append(row)

    # ---- reserves, surplus, approval capacity (after projects, so they cover what is committed) ----
    arable_of = np.array([sum(q["area_ha"] for q in r["parcels"] if q["land_type"] != "other") for r in proj_rows])
    area_of = np.array([sum(q["area_ha"] for q in r["parcels"]) for r in proj_rows])
    committed = np.array([r["committed"] for r in proj_rows], dtype=bool)
    prov_of_proj = unit_prov_arr[owner] if projects else np.zeros(0, int)
    cand_arable_p = np.bincount(prov_of_proj, arable_of, n_prov)
    cand_area_p = np.bincount(prov_of_proj, area_of, n_prov)
    committed_arable_p = np.bincount(prov_of_proj, arable_of * committed, n_prov)
    g_arable_p = np.bincount(unit_prov_arr, general_room * np.array([c["general_land_arable_share"] for c in city_rows]),
                             n_prov)
    # arable land the province would occupy if its pool were filled in proportion to its candidates
    fill = np.minimum(1.0, pools * years / np.maximum(cand_area_p + groom_p, 1e-9))
    expected = fill * (cand_arable_p + g_arable_p)
    routes_of = _provincial_route(proj_rows, prov_rows, pol)
    surplus_w = np.array([pop_p[pi] * (provs[pi][0] in LAND_SELLERS) for pi in range(n_prov)])
    for pi, p in enumerate(prov_rows):
        code = p["code"]
        factor = 1.8 if p["farmland_quota_seller"] else (0.6 if p["farmland_quota_buyer"] else 1.2)
        reserve = max(factor * expected[pi] * rng.uniform(0.85, 1.15), 1.25 * committed_arable_p[pi])
        p["supplementary_arable_reserve_ha"] = float(math.ceil(reserve / 10.0) * 10.0)
        if p["land_quota_seller"] and surplus_w.sum() > 0:
            p["surplus_land_quota_ha_per_year"] = float(round(20_000.0 * nat_urban * surplus_w[pi] / surplus_w.sum()))
        # fiscal capacity, debt, special bonds
        rate = provs[pi][3]
        cap = NAT_FISCAL_CAPACITY * nat_urban * pop_p[pi] / pop_p.sum() * (rate / 64.0) * rng.uniform(0.85, 1.15)
        p["fiscal_capacity_cny_100m"] = round(float(cap), 1)
        p["debt_balance_cny_100m"] = round(float(cap * rng.uniform(0.6, 1.25)), 1)
        p["debt_service_cny_100m_per_year"] = round(p["debt_balance_cny_100m"] * 0.1, 1)
        p["special_bond_limit_cny_100m_per_year"] = round(float(NAT_SPECIAL_BONDS * nat_urban * pop_p[pi] / pop_p.sum()), 1)
        # a third of the provinces publish an approval capacity: 80% of their provincial-route
        # candidates a year, never less than twice what their committed projects need; general-use
        # land is approved in provincial batches too (issue 14: 50 ha default batches are provincial)
        prov_area, prov_committed, prov_committed_max = routes_of.get(code, (0.0, 0.0, 0.0))
        prov_area += float(groom_p[pi])
        if pi % 3 == 0 and prov_area > 0:
            cap_ha = max(0.8 * prov_area / years, 2.0 * prov_committed / years, 2.0 * prov_committed_max)
            p["approval_capacity_ha_per_year"] = float(math.ceil(cap_ha))

    # some units publish their own fiscal capacity and debt
    for k, c in enumerate(city_rows):
        if rng.random() < 0.2:
            pr = prov_rows[unit_prov[k]]
            share = pops[k] / pop_p[unit_prov[k]]
            c["fiscal_capacity_cny_100m"] = round(float(pr["fiscal_capacity_cny_100m"] * share * rng.uniform(0.6, 1.4)), 2)
            c["debt_balance_cny_100m"] = round(float(c["fiscal_capacity_cny_100m"] * rng.uniform(0.5, 1.4)), 2)

    # ---- funding sources: the default rows with lines and totals scaled to the candidates ------
    inv = np.array([r["investment_cny_100m"] for r in proj_rows])
    inv_p = np.bincount(prov_of_proj, inv, n_prov)
    sources = []
    for f in default_funding_sources():
        d = f.model_dump(mode="json")
        if f.id == "cdb_loan":
            d["limit_per_province_cny_100m"] = {p["code"]: round(float(inv_p[pi] * rng.uniform(0.15, 0.35)), 1)
                                                for pi, p in enumerate(prov_rows)}
        elif f.id == "adbc_loan":
            d["limit_per_province_cny_100m"] = {p["code"]: round(float(inv_p[pi] * rng.uniform(0.03, 0.10)), 1)
                                                for pi, p in enumerate(prov_rows)}
        elif f.id == "central_budget":
            d["limit_total_cny_100m_per_year"] = round(float(0.02 * inv.sum() / years), 1)
        sources.append(d)

    policy = {}
    if pol.national_new_land_total_ha is not None:
        policy["national_new_land_total_ha"] = round(national, 1)
    policy["reward_fund_total_cny_100m"] = round(pol.reward_fund_total_cny_100m * nat_urban, 2)
    return dict(
        name=name or f"generated-c{cities}-p{projects}-y{years}-s{seed}",
        description=f"Synthetic national scenario from models.generate (cities={cities}, projects={projects}, "
                    f"years={years}, seed={seed}). ILLUSTRATIVE NUMBERS, NOT STATISTICS: calibrated to national "
                    "magnitudes (see models/generate.py).",
        years=years, provinces=prov_rows, cities=city_rows, projects=proj_rows, policy=policy,
        funding_sources=sources,
        sources={"all": "models/generate.py (synthetic; national magnitudes from shared/POLICY.md and "
                        "datasets/china-2020)"},
    )


def _provincial_route(proj_rows: list[dict], prov_rows: list[dict], pol: PolicyParameters) -> dict:
    """Per province: candidate area approved by the province (province or entrusted), the committed
    part of it and its largest committed project — the same routing as models.approval."""
    from landquota.models.approval import route

    entrusted = {p["code"]: p["code"] in PILOT_PROVINCES_2020 for p in prov_rows}
    out: dict[str, list[float]] = {}
    for r in proj_rows:
        pcode = r["city_code"][:2] + "0000"
        authority = route(r["parcels"], entrusted[pcode], pol).authority
        if authority == "state_council":
            continue
        a = sum(q["area_ha"] for q in r["parcels"])
        acc = out.setdefault(pcode, [0.0, 0.0, 0.0])
        acc[0] += a
        if r["committed"]:
            acc[1] += a
            acc[2] = max(acc[2], a)
    return {k: tuple(v) for k, v in out.items()}


def generate_scenario(cities: int, projects: int, years: int = 5, seed: int = 0) -> Scenario:
    """:func:`generate`, validated."""
    return load_scenario(generate(cities, projects, years, seed))


def write(data: dict, path: str | Path) -> None:
    Path(path).write_text(json.dumps(data, ensure_ascii=False, separators=(",", ":")), encoding="utf-8")
