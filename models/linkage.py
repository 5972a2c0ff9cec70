"""Item (6), 人地钱挂钩: new land and the reward fund follow the migrants a city settles.

Land (人地挂钩, 国土资发〔2016〕123号 [V]): in every plan year each city's new construction land
plus revitalised stock must reach its *linked land*, ``per-settler standard × eligible settlers ×
policy.linkage_strength`` (see :mod:`models.coefficients` for the tier, the province's ±10% flex and
the zero-land rule for the central districts of super-large and mega cities; the strength knob is
加大挂钩力度, 1 = the 123号 standard). The floor is a *soft* target: a shortfall
``shortfall_ha[c, t]`` is allowed at ``policy.shortfall_penalty_cny_10k_per_ha`` so that an
unreachable floor is reported (where, by how much) instead of making the plan infeasible.

Under ``policy.quota_allocation = "national"`` the same linked land is also a hard part of the
province's allocation (:mod:`models.landplan`, ``allocation_floor``): the nation hands it down, and
this floor is its earmark: the province must pass it on to the cities whose settlers earned it. One
figure, two steps of one mechanism (allocation, then use), not two rules on the same land.

Settled migrants keep their land-contract, homestead and collective-income rights; no term of
this model turns a settler's rural land into supply (tradeable quota comes only from voluntary,
paid exit: see :mod:`models.trading`).

Money (人钱挂钩, 财预〔2016〕162号, revised 财预〔2022〕60号 [V]): :func:`reward_fund_allocation`
splits the central citizenisation reward fund across provinces by weighted settlers.
"""

from __future__ import annotations

import pyomo.environ as pyo

from landquota.models.build_util import block_param, set_values
from landquota.models.rules import PolicyItem, PricedSlack, Rule
from landquota.models.scenario import Scenario
from landquota.models.units import cny_100m

NAME = "linkage"
"""The Block's name on the model (``m.linkage``)."""

LINKAGE = PolicyItem("(6) linkage", "Item (6): land follows settled migrants (人地挂钩)", "第(6)项：人地挂钩")

SETTLER_FLOOR = Rule(
    path="linkage.settler_floor", name="settler_land_floor", item=LINKAGE, sense="lower", unit="ha",
    describe="one more ha of settler land required in {r}, year {t}",
    noun_en="settler land required in {r}, year {t}", noun_zh="{r}第{t}年落户人口用地下限",
    index=("region", "year"),
    priced_slack=PricedSlack("linkage.shortfall_ha", "linkage.penalty",
                             "settler land floor (人地挂钩)", "落户人口用地下限（人地挂钩）"),
    source="国土资发〔2016〕123号 [V]",
)
"""new land + revitalised stock + shortfall ≥ per-settler standard × eligible settlers, per city and year."""

RULES = [SETTLER_FLOOR]


def add_block(m, d):
    b = m.linkage = pyo.Block()
    block_param(b, "need_ha", d.cities, mutable=True, doc="settler land floor per year, ha")
    b.penalty = pyo.Param(mutable=True, initialize=0.0, doc="万元 per ha of shortfall")
    b.shortfall_ha = pyo.Var(d.cities, d.years, domain=pyo.NonNegativeReals)

    def floor(b, c, t):
        return m.new_land[c, t] + m.s[c, t] + b.shortfall_ha[c, t] >= b.need_ha[c]

    b.settler_floor = pyo.Constraint(d.cities, d.years, rule=floor)
    set_params(b, d)
    b.objective_term = pyo.Expression(
        expr=-cny_100m(b.penalty) * sum(d.discount[t] * b.shortfall_ha[c, t] for c in d.cities for t in d.years)
    )
    return b


def set_params(b, d) -> None:
    set_values(b.need_ha, {c: d.coeffs[c].linkage_need_ha_per_year for c in d.cities})
    set_values(b.penalty, d.scenario.policy.shortfall_penalty_cny_10k_per_ha)


def reward_fund_by_city(s: Scenario) -> dict[str, float]:
    """Each city's part of its province's reward fund, 亿元 per year: the province passes its
    allocation on by the same settler weights (财预〔2016〕162号 asks provinces to allocate by settlers
    too [M]; the same weights are an assumption [A])."""
    pol = s.policy
    fund = reward_fund_allocation(s)
    w = {c.code: c.settlers_per_year * (c.settlers_cross_province_share * pol.reward_weight_cross_province
                                        + (1 - c.settlers_cross_province_share) * pol.reward_weight_within_province)
         for c in s.cities}
    total: dict[str, float] = {}
    for c in s.cities:
        total[c.province_code] = total.get(c.province_code, 0.0) + w[c.code]
    return {c.code: fund.get(c.province_code, 0.0) * w[c.code] / total[c.province_code]
            if total[c.province_code] > 0 else 0.0 for c in s.cities}


def reward_fund_allocation(s: Scenario) -> dict[str, float]:
    """Citizenisation reward fund per province, 亿元 per year.

    weight(province) = Σ_cities settlers × (cross share × w_cross + (1 − cross share) × w_within),
    × (1 + tilt) for fiscally weak provinces. The fund is split over the whole country: a province
    gets fund × weight ÷ max(national base, Σ weights of the scenario), the national base being
    ``policy.reward_fund_national_weighted_settlers_per_year`` (null: the scenario's own total), so a
    scenario with a few provinces gets their share, not the national total.
    """
    pol = s.policy
    weight: dict[str, float] = {p.code: 0.0 for p in s.provinces}
    for c in s.cities:
        w = c.settlers_per_year * (
            c.settlers_cross_province_share * pol.reward_weight_cross_province
            + (1 - c.settlers_cross_province_share) * pol.reward_weight_within_province
        )
        weight[c.province_code] += w
    for p in s.provinces:
        if p.fiscally_weak:
            weight[p.code] *= 1 + pol.reward_tilt_fiscally_weak
    total = sum(weight.values())
    if pol.reward_fund_national_weighted_settlers_per_year is not None:
        total = max(total, pol.reward_fund_national_weighted_settlers_per_year)
    if total <= 0:
        return {k: 0.0 for k in weight}
    return {k: pol.reward_fund_total_cny_100m * w / total for k, w in weight.items()}
