"""Item (20), the construction-land plan: pools, national total, per-capita cap, stock, tilt.

Rules (all per plan year ``t`` unless said otherwise):

* **Provincial pool** — provinces manage their own pools (item (20)): new land of a province's
  cities ≤ its pool + quota it buys (:mod:`models.trading`).
* **National total** — new land from provincial pools (bought surplus quota excluded, it is not
  plan quota) ≤ ``policy.national_new_land_total_ha`` (600万亩 in 2022 [V]).
* **Per-capita cap** (whole horizon) — current land + new land ≤ effective cap × projected
  resident population (national plan ≤ 100 m² [V]; GB 50137 rise ≤ +20 m² [V]; a city above
  the cap may not raise its per-capita land). Revitalised stock is already construction land and
  does not count.
* **Stock first** (whole horizon) — revitalised stock ≤ the city's inefficient stock; and, when
  ``policy.stock_first``, general-use new land ≤ the land settlers and new residents need (new
  residents at today's per-capita level) minus what the city's inefficient stock can supply.
* **Bought quota is used** — a buyer's bought quota ≤ its own new land, so buying can never free
  pool or national-total room.
* **Tilt** — in each province that has both centre or key-cluster cities and others, the tilted
  cities get at least ``policy.tilt_min_share`` of the province's new land. Soft: a shortfall is
  priced like the settler floor and reported.
"""

from __future__ import annotations

import pyomo.environ as pyo

from landquota.models.build_util import block_param, set_values


def add_block(m, d):
    b = m.landplan = pyo.Block()
    s = d.scenario
    buyers = {p.code for p in s.provinces if p.land_quota_buyer}
    block_param(b, "pool_ha", d.provinces, doc="provincial pool per year, ha")
    block_param(b, "cap_room_ha", d.cities, doc="new land the per-capita cap leaves, ha")
    block_param(b, "stock_ha", d.cities, doc="inefficient stock land available, ha")
    b.national_total_ha = pyo.Param(mutable=True, initialize=0.0)
    b.tilt_share = pyo.Param(mutable=True, initialize=0.0)
    b.penalty = pyo.Param(mutable=True, initialize=0.0)


    def prov_new(p, t):
        return sum(m.new_land[c, t] for c in d.cities_of.get(p, ()))

    def pool(b, p, t):
        return prov_new(p, t) - m.buy_land[p, t] <= b.pool_ha[p]

    b.pool = pyo.Constraint(d.provinces, d.years, rule=pool, doc="provincial pool")
    # Bought quota is for the buyer's own construction: it can never free pool or national room.
    b.bought_used = pyo.Constraint(
        [p for p in d.provinces if p in buyers], d.years,
        rule=lambda b, p, t: m.buy_land[p, t] <= prov_new(p, t), doc="bought quota ≤ the buyer's new land",
    )

    if s.policy.national_new_land_total_ha is not None:
        def national(b, t):
            return sum(prov_new(p, t) - m.buy_land[p, t] for p in d.provinces) <= b.national_total_ha

        b.national_total = pyo.Constraint(d.years, rule=national, doc="national plan total")

    def cap(b, c):
        return sum(m.new_land[c, t] for t in d.years) <= b.cap_room_ha[c]

    b.per_capita_cap = pyo.Constraint(d.cities, rule=cap, doc="per-capita urban construction land cap")

    def stock(b, c):
        return sum(m.s[c, t] for t in d.years) <= b.stock_ha[c]

    b.stock_available = pyo.Constraint(d.cities, rule=stock, doc="inefficient stock available")

    if s.policy.stock_first:
        block_param(b, "general_room_ha", d.cities, doc="stock-first room for general-use land, ha")

        def first(b, c):
            return sum(m.g[c, t] for t in d.years) <= b.general_room_ha[c]

        b.stock_first = pyo.Constraint(d.cities, rule=first, doc="stock land counted before new land")

    tilt_provinces = [
        p for p in d.provinces
        if any(d.coeffs[c].tilted for c in d.cities_of.get(p, ()))
        and any(not d.coeffs[c].tilted for c in d.cities_of.get(p, ()))
    ]
    b.tilt_provinces = tilt_provinces
    b.tilt_shortfall_ha = pyo.Var(tilt_provinces, d.years, domain=pyo.NonNegativeReals)

    def tilt(b, p, t):
        tilted = sum(m.new_land[c, t] for c in d.cities_of[p] if d.coeffs[c].tilted)
        return tilted + b.tilt_shortfall_ha[p, t] >= b.tilt_share * prov_new(p, t)

    b.tilt = pyo.Constraint(tilt_provinces, d.years, rule=tilt, doc="tilt to centre cities and key clusters")

    revit_cost = sum(
        d.discount[t] * c.stock_revitalisation_cost_cny_10k_per_ha / 1e4 * m.s[c.code, t]
        for c in s.cities for t in d.years
    )
    b.objective_term = pyo.Expression(
        expr=-revit_cost
        - b.penalty / 1e4 * sum(d.discount[t] * b.tilt_shortfall_ha[p, t] for p in tilt_provinces for t in d.years)
    )
    set_params(b, d)
    return b


def set_params(b, d) -> None:
    s = d.scenario
    set_values(b.pool_ha, {p.code: p.new_land_pool_ha_per_year for p in s.provinces})
    set_values(b.cap_room_ha, {c: d.coeffs[c].cap_room_ha for c in d.cities})
    set_values(b.stock_ha, {c.code: c.stock_land_available_ha for c in s.cities})
    if s.policy.stock_first:
        set_values(b.general_room_ha, {c: d.coeffs[c].general_room_ha for c in d.cities})
    if s.policy.national_new_land_total_ha is not None:
        set_values(b.national_total_ha, s.policy.national_new_land_total_ha)
    set_values(b.tilt_share, s.policy.tilt_min_share)
    set_values(b.penalty, s.policy.shortfall_penalty_cny_10k_per_ha)
