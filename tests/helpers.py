"""Small scenario builders and result lookups shared by the policy tests.

Every builder returns plain dicts (the JSON a planner would send), so a test can tweak any field
before validation. Defaults are chosen so that no rule binds unless a test makes it bind:

* a city has 1,000,000 residents and 9,000 ha of urban land (90 m² per resident, tier 100 m²),
  so the per-capita cap (100 m²) leaves 1,000 ha of room; no settlers, no stock, no value for
  general-use land and none of it on arable land;
* a province's pool is 1,000 ha, it is not a pilot (510000 四川 by default) and has no reserve;
* projects are on "other" land unless said (no farmland-occupation cost, no farmland balance).
"""

from __future__ import annotations

import copy
import math
from typing import Any, Callable

from landquota.models.scenario import Scenario, load_scenario
from landquota.solvers.highs import SolveOptions, solve_scenario
from landquota.solvers.result import Binding, Result

HA_PER_MU = 1 / 15


def province(code: str = "510000", pool: float = 1000.0, **kw: Any) -> dict:
    d = {"code": code, "name": f"P{code}", "new_land_pool_ha_per_year": pool}
    d.update(kw)
    return d


def city(code: str, province_code: str | None = None, *, pop: int = 1_000_000, land_ha: float = 9_000.0,
         settlers: int = 0, **kw: Any) -> dict:
    d = {
        "code": code,
        "name": f"C{code}",
        "province_code": province_code or code[:2] + "0000",
        "resident_population": pop,
        "urban_construction_land_ha": land_ha,
        "settlers_per_year": settlers,
        "new_land_value_cny_10k_per_ha": 0.0,
        "general_land_arable_share": 0.0,
    }
    d.update(kw)
    return d


def project(pid: str, city_code: str, value: float, parcels: dict[str, float] | list[tuple[str, float]],
            **kw: Any) -> dict:
    items = parcels.items() if isinstance(parcels, dict) else parcels
    d = {
        "id": pid,
        "city_code": city_code,
        "value_cny_100m": value,
        "parcels": [{"land_type": lt, "area_ha": ha} for lt, ha in items],
    }
    d.update(kw)
    return d


NO_SETTLER_COST = {"settler_cost_education_cny_10k": 0.0, "settler_cost_health_cny_10k": 0.0,
                   "settler_cost_social_security_cny_10k": 0.0, "settler_cost_housing_cny_10k": 0.0}
"""The land tests price no public cost of settlers (item (6) money, a constant for given settlers; tested in
tests/test_finance_limits.py), so their objectives are the land plan's alone."""


def scenario(provinces: list[dict], cities: list[dict], projects: list[dict] | None = None,
             policy: dict | None = None, years: int = 1, name: str = "tiny") -> dict:
    policy = {**NO_SETTLER_COST, **(policy or {})}
    return {
        "name": name,
        "years": years,
        "provinces": provinces,
        "cities": cities,
        "projects": projects or [],
        "policy": policy or {},
    }


def solve(data: dict | Scenario, **options: Any) -> Result:
    s = data if isinstance(data, Scenario) else load_scenario(copy.deepcopy(data))
    r = solve_scenario(s, SolveOptions(**options))
    assert r.status == "optimal", (r.status, r.message)
    return r


def objective(data: dict | Scenario, **options: Any) -> float:
    return solve(data, **options).objective_cny_100m


def bindings(r: Result, rule: str, region: str | None = None, year: int | None = None) -> list[Binding]:
    return [b for b in r.binding if b.rule == rule and (region is None or b.region == region)
            and (year is None or b.year == year)]


def shadow(r: Result, rule: str, region: str | None = None, year: int | None = None) -> float:
    """The one binding row's shadow price; 0 when the rule is not listed as binding."""
    rows = bindings(r, rule, region, year)
    assert len(rows) <= 1, rows
    return rows[0].shadow_price if rows else 0.0


def row(rows: list, key: str, value: Any):
    hits = [x for x in rows if getattr(x, key) == value]
    assert len(hits) == 1, (key, value, hits)
    return hits[0]


def fd_slope(make: Callable[[float], dict], delta: float, **options: Any) -> float:
    """(objective(limit + δ) − objective(limit)) / δ, each from a cold solve of ``make(δ)``."""
    return (objective(make(delta), **options) - objective(make(0.0), **options)) / delta


def close(a: float, b: float, rel: float = 1e-6, abs_: float = 1e-9) -> bool:
    return math.isclose(a, b, rel_tol=rel, abs_tol=abs_)
