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
from landquota.models.funding import CAPITAL_KINDS, GOVERNMENT_DEBT_KINDS
from landquota.models.landplan import TILT_SHARE
from landquota.models.linkage import SETTLER_FLOOR, reward_fund_allocation
from landquota.models.units import MU_PER_HA, cny_100m
from landquota.solvers.approvals import approvals_table
from landquota.solvers.duals import binding_rules, make_row
from landquota.solvers.result import (
    CityRow, FinancingRow, Headline, LimitRow, ProjectRow, ProvinceRow, Result, Shortfall, SolveStats, TradeRow,
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
        self.general = val(m.g, nc).sum(axis=1)                 # per city
        self.stock = val(m.s, nc).sum(axis=1)
        self.shortfall = val(m.linkage.shortfall_ha, nc)        # (cities, years)
        tilt = m.landplan.tilt_provinces
        self.tilt_shortfall = val(m.landplan.tilt_shortfall_ha, len(tilt)) if tilt else np.zeros((0, len(d.years)))
        new = self.project_land + self.general
        self.new_land = dict(zip(d.cities, new.tolist()))       # per city
        prov_pos = {p: i for i, p in enumerate(d.provinces)}
        city_prov = np.fromiter((prov_pos[d.province_of_city[c]] for c in d.cities), np.int64, nc)
        self.new_land_by_province = dict(zip(d.provinces, np.bincount(city_prov, new, len(d.provinces)).tolist()))
        self.arable_occupied = {p: val.expr(m.trading.arable_occupied_ha[p]) for p in d.provinces}


def government_debt_by_province(lm: LandModel, val: Values) -> dict[str, float]:
    """New government debt (special bonds and the like) the plan raises, by province, 亿元."""
    fb, d = lm.m.finance, lm.data
    if not fb.pairs:
        return dict.fromkeys(d.provinces, 0.0)
    raised = val(fb.f, len(fb.pairs)).sum(axis=1)  # per pair, over the years
    where, gov = fb.gov_pair_province, fb.gov_pair_province >= 0
    return dict(zip(d.provinces, np.bincount(where[gov], raised[gov], len(d.provinces)).tolist()))


def objective_terms(m, val: Values) -> dict[str, float]:
    terms = {
        "projects": val.expr(m.value_projects),
        "general_land": val.expr(m.value_general_land),
        "linkage_shortfall_penalty": val.expr(m.linkage.objective_term),
        "revitalisation_and_tilt_penalty": val.expr(m.landplan.objective_term),
        "trading_and_farmland_cost": val.expr(m.trading.objective_term),
        "financing_cost": val.expr(m.finance.objective_term),
        "approval_lead_time": val.expr(m.approval.objective_term),
    }
    return {k: float(v) for k, v in terms.items()}


def headline(lm: LandModel, land: Land, gov_debt: dict[str, float], terms: dict[str, float]) -> Headline:
    """The batch KPIs (see :class:`solvers.result.Headline`), from the solution arrays."""
    d, s = lm.data, lm.scenario
    short = land.shortfall.sum(axis=1).tolist()
    covered = 0.0
    for c, sh in zip(s.cities, short):
        need = d.coeffs[c.code].linkage_need_ha_per_year * s.years
        covered += c.settlers_per_year * s.years * (1.0 if need <= 0 else max(0.0, 1.0 - sh / need))
    ratios = [_ratio(p.debt_balance_cny_100m + gov_debt[p.code], p.fiscal_capacity_cny_100m) for p in s.provinces]
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
    gov_debt = government_debt_by_province(lm, val)
    terms = objective_terms(m, val)
    head = headline(lm, land, gov_debt, terms)
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

    cities = []
    for c in s.cities:
        k = d.coeffs[c.code]
        new = land.new_land[c.code]
        cities.append(make_row(
            CityRow, code=c.code, name=c.name, province_code=c.province_code, tilted=k.tilted,
            settlers_per_year=c.settlers_per_year, per_settler_m2=k.per_settler_m2,
            linkage_need_ha=k.linkage_need_ha_per_year * s.years, new_land_ha=new,
            project_land_ha=project_land[c.code], general_land_ha=general[c.code],
            stock_revitalised_ha=stock[c.code], settler_shortfall_ha=short[c.code],
            per_capita_before_m2=k.current_per_capita_m2,
            per_capita_after_m2=land_per_capita_after_m2(c.urban_construction_land_ha, new, k.final_resident_population),
            per_capita_cap_m2=k.effective_cap_per_capita_m2,
        ))

    financing = _financing(lm, val)
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
    provinces = []
    for p in s.provinces:
        cs = d.cities_of.get(p.code, [])
        new = land.new_land_by_province[p.code]
        tilted = sum(land.new_land[c] for c in cs if d.coeffs[c].tilted)
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
        ))

    projects = []
    start_of = np.asarray(years)[x.argmax(axis=1)].tolist() if len(x) else []  # first year of the largest share
    for i, p in enumerate(s.projects):
        start = start_of[i] if share[p.id] > EPS else None
        prov_code = d.province_of_city[p.city_code]
        r = d.routes[p.id]  # year 1's; the route in its start year where entrustment differs (per-year list)
        if start and start > 1 and s.entrusted(prov_code, start) != s.entrusted(prov_code, 1):
            r = route(p.parcels, s.entrusted(prov_code, start), s.policy)
        projects.append(make_row(
            ProjectRow, id=p.id, city_code=p.city_code, province_code=prov_code,
            category=p.category, area_ha=p.area_ha, selected_share=share[p.id], start_year=start,
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
    return Result(
        scenario=s.name, status=status, objective_cny_100m=objective,
        objective_terms_cny_100m=terms, headline=head,
        provinces=provinces, cities=cities, projects=projects, trades=trades, shortfalls=shortfalls,
        financing=financing, limits=_limits(lm, financing),
        binding=binding, approvals=approvals_table(lm, x, val(m.g, len(d.cities)), binding), stats=stats,
    )


def _ratio(debt: float, capacity: float | None) -> float | None:
    return debt / capacity if capacity else None


def _financing(lm: LandModel, val: Values) -> list[FinancingRow]:
    m, d, s = lm.m, lm.data, lm.scenario
    fb = m.finance
    src = {f.id: f for f in s.funding_sources}
    inv = {p.id: p.investment_cny_100m for p in s.projects}
    rows = []
    if not fb.pairs:
        return rows
    f = val(fb.f, len(fb.pairs))                         # (pairs, years), pairs in fb.pairs order
    cost = {k: pyo.value(fb.cost[k]) for k in fb.cost}
    for pi, ti in zip(*np.nonzero(f)):                   # only the money actually raised
        j, k = fb.pairs[pi]
        t = d.years[ti]
        v = float(f[pi, ti])
        city = d.city_of_project[j]
        rows.append(make_row(
            FinancingRow, project_id=j, city_code=city, province_code=d.province_of_city[city], source_id=k,
            source_kind=src[k].kind, year=t, amount_cny_100m=v, share_of_investment=v / inv[j],
            cost_cny_100m=d.discount[t] * cost[k] * v,
            counts_as_capital=src[k].kind in CAPITAL_KINDS,
            government_debt=src[k].kind in GOVERNMENT_DEBT_KINDS,
        ))
    return rows


def _limits(lm: LandModel, financing: list[FinancingRow]) -> list[LimitRow]:
    """How much of each money limit the plan uses (every limit present in the model)."""
    fb, d = lm.m.finance, lm.data
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
