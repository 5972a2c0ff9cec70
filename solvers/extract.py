"""Read a solved model back into domain tables (``solvers.result.Result``)."""

from __future__ import annotations

from collections import defaultdict

import pyomo.environ as pyo

from models.build import LandModel, land_per_capita_after_m2
from models.funding import CAPITAL_KINDS, GOVERNMENT_DEBT_KINDS
from models.linkage import reward_fund_allocation
from models.policy import MU_PER_HA
from solvers.duals import binding_rules
from solvers.result import (
    CityRow, FinancingRow, LimitRow, ProjectRow, ProvinceRow, Result, Shortfall, SolveStats, TradeRow,
)

EPS = 1e-6


def _v(var) -> float:
    x = var.value
    return 0.0 if x is None or abs(x) < EPS else float(x)


def extract(lm: LandModel, objective: float | None, status: str, duals: dict, stats: SolveStats) -> Result:
    m, d, s = lm.m, lm.data, lm.scenario
    years = d.years

    if lm.whole_projects:  # binaries come back within the MIP tolerance of 0 or 1: report them exactly
        for var in m.x.values():
            if var.value is not None:
                var.set_value(float(round(var.value)), skip_validation=True)
    share = {j: sum(_v(m.x[j, t]) for t in years) for j in d.projects}
    project_land = {c: sum(d.area_ha[j] * share[j] for j in d.projects_of.get(c, ())) for c in d.cities}
    general = {c: sum(_v(m.g[c, t]) for t in years) for c in d.cities}
    stock = {c: sum(_v(m.s[c, t]) for t in years) for c in d.cities}
    short = {c: sum(_v(m.linkage.shortfall_ha[c, t]) for t in years) for c in d.cities}

    cities = []
    for c in s.cities:
        k = d.coeffs[c.code]
        new = project_land[c.code] + general[c.code]
        cities.append(CityRow(
            code=c.code, name=c.name, province_code=c.province_code, tilted=k.tilted,
            settlers_per_year=c.settlers_per_year, per_settler_m2=k.per_settler_m2,
            linkage_need_ha=k.linkage_need_ha_per_year * s.years, new_land_ha=new,
            project_land_ha=project_land[c.code], general_land_ha=general[c.code],
            stock_revitalised_ha=stock[c.code], settler_shortfall_ha=short[c.code],
            per_capita_before_m2=k.current_per_capita_m2,
            per_capita_after_m2=land_per_capita_after_m2(c.urban_construction_land_ha, new, k.final_resident_population),
            per_capita_cap_m2=k.effective_cap_per_capita_m2,
        ))

    financing = _financing(lm)
    money = defaultdict(float)
    gov_debt = defaultdict(float)
    for row in financing:
        money[row.province_code] += row.amount_cny_100m
        if row.government_debt:
            gov_debt[row.province_code] += row.amount_cny_100m

    fund = reward_fund_allocation(s)
    tr = m.trading
    route_count: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for p in s.projects:
        route_count[d.province_of_city[p.city_code]][d.routes[p.id].authority] += 1
    provinces = []
    for p in s.provinces:
        cs = d.cities_of.get(p.code, [])
        new = sum(project_land[c] + general[c] for c in cs)
        tilted = sum(project_land[c] + general[c] for c in cs if d.coeffs[c].tilted)
        bought = sum(_v(m.buy_land[p.code, t]) for t in years)
        sold = sum(_v(tr.sell_land[p.code, t]) for t in years) if p.land_quota_seller else 0.0
        provinces.append(ProvinceRow(
            code=p.code, name=p.name, pool_ha_per_year=p.new_land_pool_ha_per_year,
            new_land_ha=new, pool_used_ha=new - bought, land_quota_bought_ha=bought, land_quota_sold_ha=sold,
            arable_occupied_ha=float(pyo.value(tr.arable_occupied_ha[p.code])),
            supplementary_reserve_ha=p.supplementary_arable_reserve_ha,
            farmland_quota_bought_ha=_v(tr.buy_farmland[p.code]) if p.farmland_quota_buyer else 0.0,
            farmland_quota_sold_ha=_v(tr.sell_farmland[p.code]) if p.farmland_quota_seller else 0.0,
            tilted_share=(tilted / new) if new > EPS else None,
            reward_fund_cny_100m=fund.get(p.code, 0.0),
            approval_entrusted=s.entrusted(p.code),
            projects_state_council=route_count[p.code]["state_council"],
            projects_province_entrusted=route_count[p.code]["province_entrusted"],
            projects_province=route_count[p.code]["province"],
            financing_cny_100m=money[p.code],
            new_government_debt_cny_100m=gov_debt[p.code],
            debt_ratio_before=_ratio(p.debt_balance_cny_100m, p.fiscal_capacity_cny_100m),
            debt_ratio_after=_ratio(p.debt_balance_cny_100m + gov_debt[p.code], p.fiscal_capacity_cny_100m),
        ))

    projects = []
    for p in s.projects:
        by_year = {t: _v(m.x[p.id, t]) for t in years}
        start = max(by_year, key=by_year.get) if share[p.id] > EPS else None
        r = d.routes[p.id]
        projects.append(ProjectRow(
            id=p.id, city_code=p.city_code, province_code=d.province_of_city[p.city_code],
            category=p.category, area_ha=p.area_ha, selected_share=share[p.id], start_year=start,
            value_cny_100m=p.value_cny_100m, approval_authority=r.authority,
            approval_reason=r.reason, legal_basis=r.legal_basis,
        ))

    pol = s.policy
    trades = []
    for p in s.provinces:
        buy_price = pol.land_buyer_price_cny_10k_per_ha(p.code) / MU_PER_HA
        for t in years:
            b = _v(m.buy_land[p.code, t])
            if b:
                trades.append(TradeRow(market="construction_land", province_code=p.code, side="buy", year=t,
                                       area_ha=b, price_cny_10k_per_mu=buy_price,
                                       amount_cny_100m=b * MU_PER_HA * buy_price / 1e4))
            if p.land_quota_seller:
                v = _v(tr.sell_land[p.code, t])
                if v:
                    price = pol.land_quota_seller_price_cny_10k_per_mu
                    trades.append(TradeRow(market="construction_land", province_code=p.code, side="sell", year=t,
                                           area_ha=v, price_cny_10k_per_mu=price,
                                           amount_cny_100m=v * MU_PER_HA * price / 1e4))
        for side, flag, var, price in (
            ("buy", p.farmland_quota_buyer, "buy_farmland", pol.farmland_buyer_price_cny_10k_per_ha() / MU_PER_HA),
            ("sell", p.farmland_quota_seller, "sell_farmland", pol.farmland_seller_price_cny_10k_per_ha() / MU_PER_HA),
        ):
            if flag:
                v = _v(getattr(tr, var)[p.code])
                if v:
                    trades.append(TradeRow(market="supplementary_farmland", province_code=p.code, side=side,
                                           year=None, area_ha=v, price_cny_10k_per_mu=price,
                                           amount_cny_100m=v * MU_PER_HA * price / 1e4))

    shortfalls = []
    for c in d.cities:
        for t in years:
            v = _v(m.linkage.shortfall_ha[c, t])
            if v:
                shortfalls.append(Shortfall(rule="settler_land_floor", policy_item="(6) linkage", region=c, year=t, amount_ha=v))
    for p in m.landplan.tilt_provinces:
        for t in years:
            v = _v(m.landplan.tilt_shortfall_ha[p, t])
            if v:
                shortfalls.append(Shortfall(rule="tilt_share", policy_item="(20) tilt", region=p, year=t, amount_ha=v))

    terms = {
        "projects": pyo.value(m.value_projects),
        "general_land": pyo.value(m.value_general_land),
        "linkage_shortfall_penalty": pyo.value(m.linkage.objective_term),
        "revitalisation_and_tilt_penalty": pyo.value(m.landplan.objective_term),
        "trading_and_farmland_cost": pyo.value(m.trading.objective_term),
        "financing_cost": pyo.value(m.finance.objective_term),
    }
    return Result(
        scenario=s.name, status=status, objective_cny_100m=objective,
        objective_terms_cny_100m={k: float(v) for k, v in terms.items()},
        provinces=provinces, cities=cities, projects=projects, trades=trades, shortfalls=shortfalls,
        financing=financing, limits=_limits(lm, financing),
        binding=binding_rules(m, duals) if duals else [], stats=stats,
    )


def _ratio(debt: float, capacity: float | None) -> float | None:
    return debt / capacity if capacity else None


def _financing(lm: LandModel) -> list[FinancingRow]:
    m, d, s = lm.m, lm.data, lm.scenario
    fb = m.finance
    src = {f.id: f for f in s.funding_sources}
    inv = {p.id: p.investment_cny_100m for p in s.projects}
    rows = []
    for j, k in fb.pairs:
        for t in d.years:
            v = _v(fb.f[j, k, t])
            if not v:
                continue
            city = d.city_of_project[j]
            rows.append(FinancingRow(
                project_id=j, city_code=city, province_code=d.province_of_city[city], source_id=k,
                source_kind=src[k].kind, year=t, amount_cny_100m=v, share_of_investment=v / inv[j],
                cost_cny_100m=d.discount[t] * pyo.value(fb.cost[k]) * v,
                counts_as_capital=src[k].kind in CAPITAL_KINDS,
                government_debt=src[k].kind in GOVERNMENT_DEBT_KINDS,
            ))
    return rows


def _limits(lm: LandModel, financing: list[FinancingRow]) -> list[LimitRow]:
    """How much of each money limit the plan uses (every limit present in the model)."""
    fb, d, s = lm.m.finance, lm.data, lm.scenario
    by = defaultdict(float)
    for r in financing:
        by["src_prov", r.source_id, r.province_code] += r.amount_cny_100m
        by["src_prov_year", r.source_id, r.province_code, r.year] += r.amount_cny_100m
        by["src_year", r.source_id, r.year] += r.amount_cny_100m
        if r.government_debt:
            by["gov_prov", r.province_code] += r.amount_cny_100m
            by["gov_city", r.city_code] += r.amount_cny_100m
    out = []
    for k, p in fb.line:
        out.append(LimitRow(limit="credit_line", source_id=k, region=p, year=None,
                            used_cny_100m=by["src_prov", k, p], limit_cny_100m=pyo.value(fb.line[k, p])))
    for k in fb.total:
        for t in d.years:
            out.append(LimitRow(limit="national_total", source_id=k, region="national", year=t,
                                used_cny_100m=by["src_year", k, t], limit_cny_100m=pyo.value(fb.total[k])))
    for name, param in (("reward_fund", fb.reward_cap), ("special_bond", fb.special_cap)):
        for k, p in param:
            for t in d.years:
                out.append(LimitRow(limit=name, source_id=k, region=p, year=t,
                                    used_cny_100m=by["src_prov_year", k, p, t], limit_cny_100m=pyo.value(param[k, p])))
    for p in fb.debt_room_province:
        out.append(LimitRow(limit="debt_ratio_province", source_id=None, region=p, year=None,
                            used_cny_100m=by["gov_prov", p], limit_cny_100m=pyo.value(fb.debt_room_province[p])))
    for c in fb.debt_room_city:
        out.append(LimitRow(limit="debt_ratio_city", source_id=None, region=c, year=None,
                            used_cny_100m=by["gov_city", c], limit_cny_100m=pyo.value(fb.debt_room_city[c])))
    return out
