"""The ``approvals`` result table (issue 14): who approves how much, against which capacity, at what price.

Read from the solution arrays and the approval levels (:mod:`models.approval_capacity` states the
rules): per authority (State Council, each province, each province under entrustment), kind
(application: what the capacities count; conversion; expropriation) and year, the cases and hectares
approved, the capacity, its shadow price (from the binding rows), and what the lead time costs.
"""

from __future__ import annotations

from collections import defaultdict

import numpy as np

from landquota.models.approval import authority_of
from landquota.models.approval_capacity import lead_loss, lead_loss_slope
from landquota.models.coefficients import batch_levels, batch_size_ha, project_levels
from landquota.models.units import cny_100m
from landquota.solvers.duals import make_row
from landquota.solvers.result import ApprovalRow, Binding

KINDS = ("application", "conversion", "expropriation")
RULES = {("state_council", "ha"): "state_council_capacity", ("state_council", "cases"): "state_council_capacity_cases",
         ("province", "ha"): "province_approval_capacity", ("province", "cases"): "province_approval_capacity_cases",
         ("province_entrusted", "ha"): "entrusted_approval_capacity",
         ("province_entrusted", "cases"): "entrusted_approval_capacity_cases"}


def approvals_table(lm, x: np.ndarray, g: np.ndarray, binding: list[Binding]) -> list[ApprovalRow]:
    """``x``: (projects, years) shares started; ``g``: (cities, years) general-use land, ha."""
    d, s = lm.data, lm.scenario
    pol = s.policy
    lv, bl = project_levels(s), batch_levels(s)
    value = {p.id: p.value_cny_100m for p in s.projects}
    city = {c.code: c for c in s.cities}
    acc: dict = defaultdict(lambda: [0.0, 0.0, 0.0, 0.0])  # cases, ha, general-use ha, discounted value
    for ti, t in enumerate(d.years):
        ent = {p: s.entrusted(p, t) for p in d.provinces}
        for ji, j in enumerate(d.projects):
            share = float(x[ji, ti])
            if share <= 0:
                continue
            p, L = d.province_of_city[d.city_of_project[j]], lv[j]
            for kind, level, ha in (("application", L.gating, L.application_ha), ("conversion", L.conversion, L.converted_ha),
                                    ("expropriation", L.expropriation, L.expropriated_ha)):
                a = authority_of(level, ent[p])
                if a == "none":
                    continue
                row = acc[a, "national" if a == "state_council" else p, kind, t]
                row[0] += share
                row[1] += share * ha
                if kind == "application":
                    row[3] += d.discount[t] * value[j] * share
        for ci, c in enumerate(d.cities):
            ha = float(g[ci, ti])
            if ha <= 0:
                continue
            p, L, cobj = d.province_of_city[c], bl[c], city[c]
            size = batch_size_ha(s, cobj)
            k = cobj.general_land_collective_share
            k = pol.general_land_collective_share if k is None else k
            for kind, level, part in (("application", L.gating, 1.0), ("conversion", L.conversion, 1.0),
                                      ("expropriation", L.expropriation, k)):
                a = authority_of(level, ent[p])
                if a == "none":
                    continue
                row = acc[a, "national" if a == "state_council" else p, kind, t]
                row[0] += ha / size
                row[1] += ha * part
                row[2] += ha * part
                if kind == "application":
                    row[3] += d.discount[t] * cny_100m(cobj.new_land_value_cny_10k_per_ha) * ha
    # capacities and their rows, also where nothing was approved
    prov = {p.code: p for p in s.provinces}
    for t in d.years:
        if pol.state_council_capacity_ha_per_year is not None or pol.state_council_capacity_cases_per_year is not None:
            acc["state_council", "national", "application", t]
        for p in s.provinces:
            if p.approval_capacity_ha_per_year is not None or p.approval_capacity_cases_per_year is not None:
                acc["province", p.code, "application", t]
            if p.entrusted_capacity_ha_per_year is not None or p.entrusted_capacity_cases_per_year is not None:
                acc["province_entrusted", p.code, "application", t]
    price = {(b.rule, b.region, b.year): b.shadow_price for b in binding}
    r = pol.discount_rate_per_year
    lead = {"state_council": pol.state_council_lead_months, "province_entrusted": pol.province_entrusted_lead_months,
            "province": pol.province_lead_months}
    rows = []
    order = {"state_council": 0, "province_entrusted": 1, "province": 2}
    for (a, region, kind, t), (cases, ha, gha, dval) in sorted(
            acc.items(), key=lambda kv: (kv[0][3], order[kv[0][0]], kv[0][1], KINDS.index(kv[0][2]))):
        extra = {}
        if kind == "application":
            if a == "state_council":
                cap_ha, cap_cases = pol.state_council_capacity_ha_per_year, pol.state_council_capacity_cases_per_year
            else:
                field = "approval_capacity" if a == "province" else "entrusted_capacity"
                cap_ha = getattr(prov[region], f"{field}_ha_per_year")
                cap_cases = getattr(prov[region], f"{field}_cases_per_year")
            cap_ha, cap_cases = s.by_year(cap_ha, t), s.by_year(cap_cases, t)
            L = lead[a]
            extra = dict(
                capacity_ha=cap_ha, capacity_cases=cap_cases,
                shadow_price_cny_100m_per_ha=price.get((RULES[a, "ha"], region, t), 0.0),
                shadow_price_cny_100m_per_case=price.get((RULES[a, "cases"], region, t), 0.0),
                lead_months=L, lead_time_loss_cny_100m=dval * lead_loss(L, r),
                lead_time_price_cny_100m_per_month=-dval * lead_loss_slope(L, r),
            )
        rows.append(make_row(ApprovalRow, authority=a, region=region, kind=kind, year=t, cases=cases, area_ha=ha,
                             general_use_area_ha=gha, **extra))
    return rows
