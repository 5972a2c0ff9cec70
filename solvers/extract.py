"""Read a solved model back into domain tables (``solvers.result.Result``).

Values are read per *component* as numpy arrays in index order (:class:`Values`): from the
solver's column slices when the model was handed to HiGHS by :mod:`solvers.handoff` (no
per-variable Python work, and the Pyomo variables are never loaded), else from the Pyomo
variables. Python loops remain only where a row of a result table is made.
"""

from __future__ import annotations

from collections import defaultdict

import numpy as np
import pyomo.environ as pyo

from landquota.models.build import LandModel, land_per_capita_after_m2
from landquota.models.approval import STATE_COUNCIL_LEVEL, route
from landquota.models.coefficients import project_levels
from landquota.models.finance import disaggregate, settler_public_cost_cny_100m
from landquota.models.funding import CAPITAL_KINDS, GOVERNMENT_DEBT_KINDS
from landquota.models.landplan import TILT_SHARE
from landquota.models.linkage import SETTLER_FLOOR, reward_fund_allocation
from landquota.models.landplan import linked_by_province
from landquota.models.units import M2_PER_HA, MU_PER_HA, cny_10k, cny_100m
from landquota.solvers.approvals import approvals_table
from landquota.solvers.duals import binding_rules, make_row
from landquota.solvers.result import (
    CityRow, CityYearRow, FinancingRow, Headline, LimitRow, NationalSummary, NationalYearRow, ProjectRow, ProvinceRow,
    ProvinceYearRow, Result, Shortfall, SolveStats, TradeRow,
)

EPS = 1e-6


def _v(var) -> float:
    x = var.value
    return 0.0 if x is None or abs(x) < EPS else float(x)


class Values:
    """Solution values of whole Var components, as arrays in index order, each cleaned like
    :func:`_v` (``|x| < EPS`` → 0). ``solution`` is a :class:`solvers.handoff.DirectHighs` that has
    just solved ``lm`` (or None: read the Pyomo variables)."""

    def __init__(self, lm: LandModel, solution=None):
        self.lm, self.solution = lm, solution
        self.col = None
        if solution is not None:
            self.col = solution.col_value
            if lm.whole_projects:  # binaries come back within the MIP tolerance of 0 or 1: report them exactly
                self.col = self.col.copy()
                b = solution.lp.column_block(lm.m.x)
                self.col[b.start:b.stop] = np.round(self.col[b.start:b.stop])
        elif lm.whole_projects:
            for var in lm.m.x.values():
                if var.value is not None:
                    var.set_value(float(round(var.value)), skip_validation=True)

    def __call__(self, comp, rows: int | None = None) -> np.ndarray:
        if self.solution is not None:
            b = self.solution.lp.column_block(comp)
            a = self.col[b.start:b.stop].copy()
        else:
            a = np.fromiter((0.0 if v.value is None else v.value for v in comp.values()), np.float64, len(comp))
        a[np.abs(a) < EPS] = 0.0
        if rows is None:
            return a
        return a.reshape(rows, len(a) // rows if rows else len(self.lm.data.years))

    def by_region(self, comp) -> dict:
        """A small component indexed by (region, year): region → values by year."""
        out: dict = {}
        for (region, _), v in zip(comp.keys(), self(comp).tolist()):
            out.setdefault(region, []).append(v)
        return {k: np.array(v) for k, v in out.items()}

    def expr(self, e) -> float:
        """Value of a (linear) expression at the solution."""
        if self.solution is not None:
            return self.solution.expression_value(e, self.col)
        return float(pyo.value(e))


class Land:
    """Where the new land goes, as arrays: what the headline figures and the tables both read."""

    def __init__(self, lm: LandModel, val: Values):
        m, d = lm.m, lm.data
        nc = len(d.cities)
        self.x = val(m.x, len(d.projects))                      # (projects, years)
        self.share = self.x.sum(axis=1)                         # per project
        area = np.fromiter((d.area_ha[j] for j in d.projects), np.float64, len(d.projects))
        city_pos = {c: i for i, c in enumerate(d.cities)}
        proj_city = np.fromiter((city_pos[d.city_of_project[j]] for j in d.projects), np.int64, len(d.projects))
        self.project_land = np.bincount(proj_city, area * self.share, nc) if len(proj_city) else np.zeros(nc)
        ny = len(d.years)
        # per city and year (cities, years): project land, of it regional infrastructure, general, stock
        self.project_land_y = np.zeros((nc, ny))
        self.regional_land_y = np.zeros((nc, ny))
        if len(proj_city):
            regional = np.fromiter((j in d.regional_projects for j in d.projects), bool, len(d.projects))
            for ti in range(ny):
                self.project_land_y[:, ti] = np.bincount(proj_city, area * self.x[:, ti], nc)
                if regional.any():
                    self.regional_land_y[:, ti] = np.bincount(proj_city[regional], (area * self.x[:, ti])[regional], nc)
        self.general_y = val(m.g, nc)
        self.stock_y = val(m.s, nc)
        self.general = self.general_y.sum(axis=1)                 # per city
        self.stock = self.stock_y.sum(axis=1)
        self.new_land_y = self.project_land_y + self.general_y
        self.shortfall = val(m.linkage.shortfall_ha, nc)        # (cities, years)
        tilt = m.landplan.tilt_provinces
        self.tilt_shortfall = val(m.landplan.tilt_shortfall_ha, len(tilt)) if tilt else np.zeros((0, len(d.years)))
        new = self.project_land + self.general
        self.new_land = dict(zip(d.cities, new.tolist()))       # per city
        prov_pos = {p: i for i, p in enumerate(d.provinces)}
        city_prov = np.fromiter((prov_pos[d.province_of_city[c]] for c in d.cities), np.int64, nc)
        self.new_land_by_province = dict(zip(d.provinces, np.bincount(city_prov, new, len(d.provinces)).tolist()))
        self.arable_occupied = {p: val.expr(m.trading.arable_occupied_ha[p]) for p in d.provinces}
        self.city_prov = city_prov
        self.buy_y = val(m.buy_land, len(d.provinces))          # (provinces, years)
        lp = m.landplan
        if lp.national_mode:
            self.allocated_y = val(lp.q, len(d.provinces))      # (provinces, years)
        else:
            pools = np.array([d.scenario.province(p).new_land_pool_ha_per_year for p in d.provinces])
            self.allocated_y = np.repeat(pools[:, None], ny, axis=1)
        self.allocated = dict(zip(d.provinces, self.allocated_y.sum(axis=1).tolist()))


class Debt:
    """New debt the plan raises, 亿元 over the horizon: legal (general + special bonds) and platform
    (enterprise bonds, loans to platform companies), by province and by city with fiscal figures."""

    def __init__(self, lm: LandModel, val: Values):
        fb, d = lm.m.finance, lm.data
        np_, nc = len(d.provinces), len(d.cities)
        raised = val(fb.f, len(fb.pairs)).sum(axis=1) if fb.pairs else np.zeros(0)  # per pair, over the years
        self.raised = raised

        def by(where, mask, n):
            ok = mask & (where >= 0)
            return np.bincount(where[ok], raised[ok], n) if len(raised) else np.zeros(n)

        self.legal_province = dict(zip(d.provinces, by(fb.pair_province, fb.pair_legal, np_).tolist()))
        self.platform_province = dict(zip(d.provinces, by(fb.pair_province, fb.pair_platform, np_).tolist()))
        self.legal_city = dict(zip(d.cities, by(fb.pair_city, fb.pair_legal, nc).tolist()))
        self.platform_city = dict(zip(d.cities, by(fb.pair_city, fb.pair_platform, nc).tolist()))


def government_debt_by_province(lm: LandModel, val: Values) -> dict[str, float]:
    """New legal government debt (general and special bonds) the plan raises, by province, 亿元."""
    return Debt(lm, val).legal_province


def objective_terms(m, val: Values) -> dict[str, float]:
    terms = {
        "projects": val.expr(m.value_projects),
        "general_land": val.expr(m.value_general_land),
        "linkage_shortfall_penalty": val.expr(m.linkage.objective_term),
        "revitalisation_and_tilt_penalty": val.expr(m.landplan.revitalisation_and_tilt),
        "allocation_tie_break": val.expr(m.landplan.allocation_tie_break),
        "trading_and_farmland_cost": val.expr(m.trading.objective_term),
        "financing_cost": -val.expr(m.finance.financing_cost),
        "settler_public_cost": -val.expr(m.finance.settler_budget_cost),
        "approval_lead_time": val.expr(m.approval.objective_term),
    }
    return {k: float(v) for k, v in terms.items()}


def headline(lm: LandModel, land: Land, debt: Debt, terms: dict[str, float]) -> Headline:
    """The batch KPIs (see :class:`solvers.result.Headline`), from the solution arrays."""
    d, s = lm.data, lm.scenario
    short = land.shortfall.sum(axis=1).tolist()
    covered = 0.0
    for c, sh in zip(s.cities, short):
        need = d.coeffs[c.code].linkage_need_ha_per_year * s.years
        covered += c.settlers_per_year * s.years * (1.0 if need <= 0 else max(0.0, 1.0 - sh / need))
    ratios = [_ratio(p.debt_balance_cny_100m + debt.legal_province[p.code], p.fiscal_capacity_cny_100m)
              for p in s.provinces]
    ratios = [r for r in ratios if r is not None]
    lv = project_levels(s)
    start = land.x.argmax(axis=1).tolist() if len(land.x) else []
    sc = sum(1 for j, v, ti in zip(d.projects, land.share.tolist(), start)
             if v > EPS and lv[j].gating == STATE_COUNCIL_LEVEL
             and not s.entrusted(d.province_of_city[d.city_of_project[j]], d.years[ti]))
    return Headline(
        new_land_ha=sum(land.new_land_by_province.values()),
        settlers_covered=covered,
        state_council_approvals=sc,
        arable_occupied_ha=sum(land.arable_occupied.values()),
        financing_cost_cny_100m=-terms["financing_cost"],
        max_debt_ratio_after=max(ratios) if ratios else None,
        unmet_targets_ha=float(land.shortfall.sum() + land.tilt_shortfall.sum()),
        new_land_by_province=land.new_land_by_province,
        quota_allocated_by_province=land.allocated,
    )


def extract(lm: LandModel, objective: float | None, status: str, duals: dict, stats: SolveStats,
            solution=None, tables: bool = True) -> Result:
    """``solution``: the :class:`solvers.handoff.DirectHighs` that solved ``lm``, if any; then
    ``duals`` may be empty and row duals are read from it. ``tables=False``: only the objective
    terms and the headline figures (what a batch compares), no tables."""
    m, d, s = lm.m, lm.data, lm.scenario
    years = d.years
    val = Values(lm, solution)
    land = Land(lm, val)
    debt = Debt(lm, val)
    gov_debt = debt.legal_province
    terms = objective_terms(m, val)
    head = headline(lm, land, debt, terms)
    if not tables:
        return Result(scenario=s.name, status=status, objective_cny_100m=objective, objective_terms_cny_100m=terms,
                      headline=head, stats=stats)

    x = land.x
    share = dict(zip(d.projects, land.share.tolist()))
    project_land = dict(zip(d.cities, land.project_land.tolist()))
    general = dict(zip(d.cities, land.general.tolist()))
    stock = dict(zip(d.cities, land.stock.tolist()))
    short_a = land.shortfall
    short = dict(zip(d.cities, short_a.sum(axis=1).tolist()))
    regional = dict(zip(d.cities, land.regional_land_y.sum(axis=1).tolist()))

    fb = m.finance
    fund_of = {c: pyo.value(fb.reward_cap[c]) for c in d.cities}
    cities = []
    for c in s.cities:
        k = d.coeffs[c.code]
        new = land.new_land[c.code]
        cost, transfer = settler_public_cost_cny_100m(s.policy, c.settlers_per_year)
        from_fund = min(fund_of[c.code], max(0.0, cost - transfer))
        broad_balance = c.debt_balance_cny_100m + c.platform_debt_balance_cny_100m
        new_legal, new_platform = debt.legal_city[c.code], debt.platform_city[c.code]
        cities.append(make_row(
            CityRow, code=c.code, name=c.name, province_code=c.province_code, tilted=k.tilted,
            settlers_per_year=c.settlers_per_year, per_settler_m2=k.per_settler_m2,
            linkage_need_ha=k.linkage_need_ha_per_year * s.years, new_land_ha=new,
            project_land_ha=project_land[c.code], general_land_ha=general[c.code],
            stock_revitalised_ha=stock[c.code], settler_shortfall_ha=short[c.code],
            per_capita_before_m2=k.current_per_capita_m2,
            per_capita_after_m2=land_per_capita_after_m2(  # urban construction land only (GB 50137)
                c.urban_construction_land_ha, new - regional[c.code], k.final_resident_population),
            per_capita_cap_m2=k.effective_cap_per_capita_m2,
            settler_public_cost_cny_100m=cost, settler_cost_central_transfers_cny_100m=min(cost, transfer),
            settler_cost_reward_fund_cny_100m=from_fund,
            settler_cost_own_budget_cny_100m=max(0.0, cost - min(cost, transfer) - from_fund),
            new_government_debt_cny_100m=new_legal if c.fiscal_capacity_cny_100m is not None else None,
            new_platform_debt_cny_100m=new_platform if c.fiscal_capacity_cny_100m is not None else None,
            debt_ratio_before=_ratio(c.debt_balance_cny_100m, c.fiscal_capacity_cny_100m),
            debt_ratio_after=_ratio(c.debt_balance_cny_100m + new_legal, c.fiscal_capacity_cny_100m),
            broad_debt_ratio_before=_ratio(broad_balance, c.fiscal_capacity_cny_100m),
            broad_debt_ratio_after=_ratio(broad_balance + new_legal + new_platform, c.fiscal_capacity_cny_100m),
        ))

    financing = _financing(lm, val, x)
    money = defaultdict(float)
    for row in financing:
        money[row.province_code] += row.amount_cny_100m
    fund = reward_fund_allocation(s)
    tr = m.trading
    route_count: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for p in s.projects:
        route_count[d.province_of_city[p.city_code]][d.routes[p.id].authority] += 1
    buy_land = dict(zip(d.provinces, val(m.buy_land, len(d.provinces))))          # province → (years,)
    sell_land = val.by_region(tr.sell_land)                                        # seller → (years,)
    buy_farmland = dict(zip(tr.buy_farmland.keys(), val(tr.buy_farmland).tolist()))
    sell_farmland = dict(zip(tr.sell_farmland.keys(), val(tr.sell_farmland).tolist()))
    national_mode = m.landplan.national_mode
    linked = linked_by_province(d)                                                 # per year
    bounds = {}
    if national_mode:
        for p in d.provinces:
            bounds[p] = (pyo.value(m.landplan.floor_ha[p]), pyo.value(m.landplan.ceiling_ha[p]))
    alloc_y = dict(zip(d.provinces, land.allocated_y))

    def edge(p):
        if not national_mode:
            return None
        a = alloc_y[p]
        lo, hi = bounds[p]
        if hi - lo <= 1e-9 * max(1.0, hi):
            return "fixed"  # a band of width 0 (base 0): the allocation is its linked land
        if np.all(np.abs(a - lo) <= 1e-6 * max(1.0, lo)):
            return "floor"
        if np.all(np.abs(a - hi) <= 1e-6 * max(1.0, hi)):
            return "ceiling"
        return None

    provinces = []
    for p in s.provinces:
        cs = d.cities_of.get(p.code, [])
        new = land.new_land_by_province[p.code]
        tilted = sum(land.new_land[c] * d.coeffs[c].tilt_weight for c in cs)
        bought = float(buy_land[p.code].sum())
        sold = float(sell_land[p.code].sum()) if p.land_quota_seller else 0.0
        provinces.append(ProvinceRow(
            code=p.code, name=p.name, pool_ha_per_year=p.new_land_pool_ha_per_year,
            new_land_ha=new, pool_used_ha=new - bought, land_quota_bought_ha=bought, land_quota_sold_ha=sold,
            arable_occupied_ha=land.arable_occupied[p.code],
            supplementary_reserve_ha=p.supplementary_arable_reserve_ha,
            farmland_quota_bought_ha=buy_farmland[p.code] if p.farmland_quota_buyer else 0.0,
            farmland_quota_sold_ha=sell_farmland[p.code] if p.farmland_quota_seller else 0.0,
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
            new_platform_debt_cny_100m=debt.platform_province[p.code],
            broad_debt_ratio_before=_ratio(p.debt_balance_cny_100m + p.platform_debt_balance_cny_100m,
                                           p.fiscal_capacity_cny_100m),
            broad_debt_ratio_after=_ratio(p.debt_balance_cny_100m + p.platform_debt_balance_cny_100m
                                          + gov_debt[p.code] + debt.platform_province[p.code],
                                          p.fiscal_capacity_cny_100m),
            quota_allocated_ha=land.allocated[p.code], linked_ha=linked[p.code] * s.years,
            allocation_floor_ha_per_year=bounds[p.code][0] if national_mode else None,
            allocation_ceiling_ha_per_year=bounds[p.code][1] if national_mode else None,
            band_edge=edge(p.code),
        ))

    projects = []
    start_of = np.asarray(years)[x.argmax(axis=1)].tolist() if len(x) else []  # first year of the largest share
    started = x.tolist()
    group_of = {j: g.label for g in lm.m.finance.groups for j in g.projects}
    for i, p in enumerate(s.projects):
        start = start_of[i] if share[p.id] > EPS else None
        prov_code = d.province_of_city[p.city_code]
        r = d.routes[p.id]  # year 1's; the route in its start year where entrustment differs (per-year list)
        if start and start > 1 and s.entrusted(prov_code, start) != s.entrusted(prov_code, 1):
            r = route(p.parcels, s.entrusted(prov_code, start), s.policy)
        projects.append(make_row(
            ProjectRow, id=p.id, city_code=p.city_code, province_code=prov_code,
            category=p.category, area_ha=p.area_ha, selected_share=share[p.id], start_year=start,
            started_share_by_year=started[i], financing_group=group_of.get(p.id),
            value_cny_100m=p.value_cny_100m, approval_authority=r.authority,
            approval_reason=r.reason, legal_basis=r.legal_basis,
            conversion_authority=r.conversion.authority, conversion_reason=r.conversion.reason,
            conversion_legal_basis=r.conversion.legal_basis,
            expropriation_authority=r.expropriation.authority, expropriation_reason=r.expropriation.reason,
            expropriation_legal_basis=r.expropriation.legal_basis,
        ))

    pol = s.policy
    trades = []
    for p in s.provinces:
        buy_price = pol.land_buyer_price_cny_10k_per_ha(p.code) / MU_PER_HA
        for ti, t in enumerate(years):
            b = float(buy_land[p.code][ti])
            if b:
                trades.append(TradeRow(market="construction_land", province_code=p.code, side="buy", year=t,
                                       area_ha=b, price_cny_10k_per_mu=buy_price,
                                       amount_cny_100m=cny_100m(b * MU_PER_HA * buy_price)))
            if p.land_quota_seller:
                v = float(sell_land[p.code][ti])
                if v:
                    price = pol.land_quota_seller_price_cny_10k_per_mu
                    trades.append(TradeRow(market="construction_land", province_code=p.code, side="sell", year=t,
                                           area_ha=v, price_cny_10k_per_mu=price,
                                           amount_cny_100m=cny_100m(v * MU_PER_HA * price)))
        for side, flag, var, price in (
            ("buy", p.farmland_quota_buyer, "buy_farmland", pol.farmland_buyer_price_cny_10k_per_ha() / MU_PER_HA),
            ("sell", p.farmland_quota_seller, "sell_farmland", pol.farmland_seller_price_cny_10k_per_ha() / MU_PER_HA),
        ):
            if flag:
                v = (buy_farmland if var == "buy_farmland" else sell_farmland)[p.code]
                if v:
                    trades.append(TradeRow(market="supplementary_farmland", province_code=p.code, side=side,
                                           year=None, area_ha=v, price_cny_10k_per_mu=price,
                                           amount_cny_100m=cny_100m(v * MU_PER_HA * price)))

    shortfalls = []
    for ci, ti in zip(*np.nonzero(short_a)):
        shortfalls.append(Shortfall(rule=SETTLER_FLOOR.name, policy_item=SETTLER_FLOOR.policy_item, region=d.cities[ci],
                                    year=years[ti], amount_ha=float(short_a[ci, ti])))
    tilt_a = land.tilt_shortfall
    for pi, ti in zip(*np.nonzero(tilt_a)):
        shortfalls.append(Shortfall(rule=TILT_SHARE.name, policy_item=TILT_SHARE.policy_item,
                                    region=m.landplan.tilt_provinces[pi],
                                    year=years[ti], amount_ha=float(tilt_a[pi, ti])))

    binding = binding_rules(m, duals) if duals else []
    province_years, city_years = _year_tables(lm, land, sell_land, linked, bounds)
    national_years, national = _national(lm, land, linked, binding, provinces)
    return Result(
        scenario=s.name, status=status, objective_cny_100m=objective,
        objective_terms_cny_100m=terms, headline=head,
        provinces=provinces, cities=cities, projects=projects, trades=trades, shortfalls=shortfalls,
        financing=financing, limits=_limits(lm, financing, val),
        binding=binding, approvals=approvals_table(lm, x, val(m.g, len(d.cities)), binding), stats=stats,
        province_years=province_years, city_years=city_years, national_years=national_years, national=national,
    )


def _year_tables(lm: LandModel, land: Land, sell_land: dict, linked: dict, bounds: dict):
    """The per-year tables (issue 13): every land-plan rule can be checked year by year."""
    m, d, s = lm.m, lm.data, lm.scenario
    ny, npv = len(d.years), len(d.provinces)
    cp = land.city_prov

    def by_prov(a):  # (cities, years) → (provinces, years)
        return np.stack([np.bincount(cp, a[:, ti], npv) for ti in range(ny)], axis=1) if len(cp) else np.zeros((npv, ny))

    new_p, stock_p, short_p = by_prov(land.new_land_y), by_prov(land.stock_y), by_prov(land.shortfall)
    w = np.array([d.coeffs[c].tilt_weight for c in d.cities])
    tilted_p = by_prov(land.new_land_y * w[:, None])
    tilt_rows = dict(zip(m.landplan.tilt_provinces, land.tilt_shortfall))
    province_years = []
    for pi, p in enumerate(d.provinces):
        seller = s.province(p).land_quota_seller
        for ti, t in enumerate(d.years):
            new = float(new_p[pi, ti])
            bought = float(land.buy_y[pi, ti])
            province_years.append(make_row(
                ProvinceYearRow, province_code=p, year=t, quota_allocated_ha=float(land.allocated_y[pi, ti]),
                allocation_floor_ha=bounds[p][0] if bounds else None,
                allocation_ceiling_ha=bounds[p][1] if bounds else None,
                linked_ha=linked[p], new_land_ha=new, quota_used_ha=new - bought, bought_ha=bought,
                sold_ha=float(sell_land[p][ti]) if seller else 0.0,
                stock_revitalised_ha=float(stock_p[pi, ti]), settler_shortfall_ha=float(short_p[pi, ti]),
                tilted_share=float(tilted_p[pi, ti]) / new if new > EPS else None,
                tilt_shortfall_ha=float(tilt_rows[p][ti]) if p in tilt_rows else 0.0,
            ))
    city_years = []
    for ci, c in enumerate(s.cities):
        need = d.coeffs[c.code].linkage_need_ha_per_year
        for ti, t in enumerate(d.years):
            city_years.append(make_row(
                CityYearRow, city_code=c.code, province_code=c.province_code, year=t, linked_ha=need,
                new_land_ha=float(land.new_land_y[ci, ti]), project_land_ha=float(land.project_land_y[ci, ti]),
                regional_land_ha=float(land.regional_land_y[ci, ti]), general_land_ha=float(land.general_y[ci, ti]),
                stock_revitalised_ha=float(land.stock_y[ci, ti]), settler_shortfall_ha=float(land.shortfall[ci, ti]),
            ))
    return province_years, city_years


def _national(lm: LandModel, land: Land, linked: dict, binding: list, provinces: list):
    """The national plan: allocated against the total, the total's shadow price, and why it binds or not."""
    d, s = lm.data, lm.scenario
    pol = s.policy
    total = pol.national_new_land_total_ha
    price = {b.year: b.shadow_price for b in binding if b.rule == "national_total"}
    alloc_t = land.allocated_y.sum(axis=0)
    used_t = land.new_land_y.sum(axis=0) - land.buy_y.sum(axis=0)
    linked_total = sum(linked.values())
    rows = []
    for ti, t in enumerate(d.years):
        # the limit is on allocations (national mode) or on pool use (provincial pools)
        measured = alloc_t[ti] if pol.quota_allocation == "national" else used_t[ti]
        binds = total is not None and measured >= total - 1e-6 * max(1.0, total)
        rows.append(NationalYearRow(
            year=t, quota_allocation=pol.quota_allocation, national_total_ha=total,
            quota_allocated_ha=float(alloc_t[ti]), quota_used_ha=float(used_t[ti]), linked_ha=linked_total,
            shadow_price_cny_100m_per_ha=float(price.get(t, 0.0)), binds=bool(binds)))
    settlers = float(sum(c.settlers_per_year for c in s.cities)) * s.years
    at_floor = [p.code for p in provinces if p.band_edge == "floor"]
    fixed = [p.code for p in provinces if p.band_edge == "fixed"]
    at_ceiling = [p.code for p in provinces if p.band_edge == "ceiling"]
    all_bind = bool(rows) and all(r.binds for r in rows)
    if total is None:
        en, zh = "No national total is set: provinces plan with their pools only.", "未设全国总量：各省仅按指标池规划。"
    elif all_bind:
        en = (f"The national total ({total:,.0f} ha a year) binds: one more ha of it is worth "
              f"{cny_10k(rows[0].shadow_price_cny_100m_per_ha):,.2f}万元 in year 1.")
        zh = f"全国计划总量（每年{total:,.0f}公顷）为紧约束：第1年每增加1公顷价值{cny_10k(rows[0].shadow_price_cny_100m_per_ha):,.2f}万元。"
    elif pol.quota_allocation == "national":
        urban = land.new_land_y.sum(axis=1) - land.regional_land_y.sum(axis=1)
        capped = sum(1 for ci, c in enumerate(d.cities)
                     if d.coeffs[c].cap_room_ha <= urban[ci] + 1e-6 * max(1.0, d.coeffs[c].cap_room_ha))
        en = (f"The national total ({total:,.0f} ha a year) does not bind: {alloc_t.min():,.0f} ha is allocated in "
              f"the leanest year and {used_t.min():,.0f} ha used, because no province can use more quota worth its "
              f"cost: {len(at_ceiling)} provinces are at their band ceilings, {capped} of {len(d.cities)} units are "
              f"at their per-capita cap (GB 50137, urban land only), and in the others the stock-first rule and "
              f"project values leave no further use worth its cost. {len(at_floor)} provinces are held at their band floors "
              f"and {len(fixed)} have a band of width 0 (allocated their linked land). The "
              f"national total covers all new construction land, the units here only urban land and regional "
              f"infrastructure projects.")
        zh = (f"全国计划总量（每年{total:,.0f}公顷）未达上限：分配最少的年份分配{alloc_t.min():,.0f}公顷、使用{used_t.min():,.0f}"
              f"公顷。没有省份能以正收益使用更多指标：{len(at_ceiling)}个省已达稳定区间上限，{len(d.cities)}个单元中"
              f"{capped}个已达人均城镇建设用地上限（GB 50137，仅计城镇建设用地），其余单元受存量优先规则和项目价值限制，无更多值得使用的用地；"
              f"{len(at_floor)}个省处于稳定区间下限，{len(fixed)}个省稳定区间宽度为零（分配额即挂钩用地）。全国总量涵盖全部新增建设用地，本情景的单元只含城镇用地和区域基础设施项目。")
    else:
        en = (f"The national total ({total:,.0f} ha a year) does not bind: the provincial pools, "
              f"{alloc_t.min():,.0f} ha, are below it or unused.")
        zh = f"全国计划总量（每年{total:,.0f}公顷）未达上限：各省指标池合计{alloc_t.min():,.0f}公顷，低于总量或未用完。"
    summary = NationalSummary(
        quota_allocation=pol.quota_allocation, national_total_ha=None if total is None else total * s.years,
        quota_allocated_ha=float(alloc_t.sum()), quota_used_ha=float(used_t.sum()), linked_ha=linked_total * s.years,
        settlers=settlers, linked_m2_per_settler=(linked_total * s.years * M2_PER_HA / settlers) if settlers else None,
        shadow_price_cny_100m_per_ha=[r.shadow_price_cny_100m_per_ha for r in rows], binds=all_bind,
        provinces_at_floor=at_floor, provinces_at_ceiling=at_ceiling, provinces_fixed=fixed, note_en=en, note_zh=zh)
    return rows, summary


def _ratio(debt: float, capacity: float | None) -> float | None:
    return debt / capacity if capacity else None


def _financing(lm: LandModel, val: Values, x: np.ndarray) -> list[FinancingRow]:
    """The per-project financing table: the group solution split in proportion to each member's
    funded need (models.finance.disaggregate)."""
    m, d, s = lm.m, lm.data, lm.scenario
    fb = m.finance
    if not fb.pairs:
        return []
    src = {f.id: f for f in s.funding_sources}
    inv = {p.id: p.investment_cny_100m for p in s.projects}
    f = val(fb.f, len(fb.pairs))                         # (pairs, years), pairs in fb.pairs order
    sbc = val(fb.sb_capital, len(fb.sb_capital) // len(d.years)) if len(fb.sb_capital) else None
    cost = {k: pyo.value(fb.cost[k]) for k in fb.cost}
    rows = []
    for j, k, ti, v, capital in disaggregate(fb, d, f, x, sbc):
        t = d.years[ti]
        city = d.city_of_project[j]
        kind = src[k].kind
        rows.append(make_row(
            FinancingRow, project_id=j, city_code=city, province_code=d.province_of_city[city], source_id=k,
            source_kind=kind, year=t, amount_cny_100m=v, share_of_investment=v / inv[j],
            cost_cny_100m=d.discount[t] * cost[k] * v,
            counts_as_capital=bool(kind in CAPITAL_KINDS or capital > 0),
            government_debt=kind in GOVERNMENT_DEBT_KINDS,
            platform_debt=src[k].counts_as_platform_debt(), capital_cny_100m=capital,
        ))
    return rows


def _limits(lm: LandModel, financing: list[FinancingRow], val: Values) -> list[LimitRow]:
    """How much of each money limit the plan uses (every limit present in the model)."""
    fb, d, s = lm.m.finance, lm.data, lm.scenario
    kind = {f.id: f.kind for f in s.funding_sources}
    by = defaultdict(float)
    for r in financing:
        by["src_prov", r.source_id, r.province_code] += r.amount_cny_100m
        by["src_prov_year", r.source_id, r.province_code, r.year] += r.amount_cny_100m
        by["src_year", r.source_id, r.year] += r.amount_cny_100m
        if r.source_kind == "enterprise_bond":
            by["eb_year", r.year] += r.amount_cny_100m
        if r.source_kind == "special_bond":
            by["sbc_prov_year", r.province_code, r.year] += r.capital_cny_100m
        if r.government_debt:
            by["gov_prov", r.province_code] += r.amount_cny_100m
            by["gov_city", r.city_code] += r.amount_cny_100m
        if r.government_debt or r.platform_debt:
            by["broad_prov", r.province_code] += r.amount_cny_100m
            by["broad_city", r.city_code] += r.amount_cny_100m
    out = []
    for k, p in fb.line:
        out.append(LimitRow(limit="credit_line", source_id=k, region=p, year=None,
                            used_cny_100m=by["src_prov", k, p], limit_cny_100m=pyo.value(fb.line[k, p])))
    for k in fb.total:
        for t in d.years:
            out.append(LimitRow(limit="national_total", source_id=k, region="national", year=t,
                                used_cny_100m=by["src_year", k, t], limit_cny_100m=pyo.value(fb.total[k])))
    for t in fb.enterprise_bond_volume:
        out.append(LimitRow(limit="enterprise_bond_volume", source_id=None, region="national", year=t,
                            used_cny_100m=by["eb_year", t], limit_cny_100m=pyo.value(fb.eb_volume)))
    for name, param in (("special_bond", fb.special_cap), ("general_bond", fb.general_cap)):
        for k, p in param:
            for t in d.years:
                out.append(LimitRow(limit=name, source_id=k, region=p, year=t,
                                    used_cny_100m=by["src_prov_year", k, p, t], limit_cny_100m=pyo.value(param[k, p])))
    for p in fb.sb_capital_cap:
        for t in d.years:
            out.append(LimitRow(limit="special_bond_capital", source_id=None, region=p, year=t,
                                used_cny_100m=by["sbc_prov_year", p, t], limit_cny_100m=pyo.value(fb.sb_capital_cap[p])))
    for c in d.cities:
        fund, net = pyo.value(fb.reward_cap[c]), pyo.value(fb.settler_net_cost[c])
        out.append(LimitRow(limit="reward_fund", source_id=None, region=c, year=None,
                            used_cny_100m=min(fund, max(0.0, net)), limit_cny_100m=fund))
    for name, param, key in (("debt_ratio_province", fb.debt_room_province, "gov_prov"),
                             ("debt_ratio_city", fb.debt_room_city, "gov_city"),
                             ("broad_debt_ratio_province", fb.broad_room_province, "broad_prov"),
                             ("broad_debt_ratio_city", fb.broad_room_city, "broad_city")):
        for r in param:
            out.append(LimitRow(limit=name, source_id=None, region=r, year=None,
                                used_cny_100m=by[key, r], limit_cny_100m=pyo.value(param[r])))
    return out
