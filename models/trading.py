"""Item (20): cross-regional quota trading and the arable-land occupation–compensation balance.

Construction-land quota (国办发〔2018〕16号 [M]): deep-poverty sellers sell surplus 增减挂钩 quota
(reclaimed rural construction land, from voluntary paid exit only) at a state-set price
(30万元/亩); buyer provinces pay their own state-set price (北京 上海 70, 天津 江苏 浙江 广东 50,
others 30万元/亩). Per year, quota sold = quota bought (the state clears it); sold ≤ surplus.
Bought quota adds to the buyer's pool (:mod:`models.landplan`).

Supplementary farmland (跨省域补充耕地国家统筹 [M]): over the horizon, for each province,
arable land occupied (PBF and other arable land in selected projects, plus the arable share of
general-use land) ≤ own supplementary reserve + farmland quota bought − sold (Land
Administration Law Art. 30 [V]: 占多少，垦多少). Buyers pay base + grain-capacity price, sellers
receive theirs; the state keeps the difference.

The objective is charged what provinces pay minus what sellers receive (inter-provincial
transfers net out; the state's margin remains) and the farmland-occupation cost.
"""

from __future__ import annotations

import pyomo.environ as pyo

from landquota.models.build_util import block_param, set_values
from landquota.models.rules import PolicyItem, Rule, TradeSide
from landquota.models.units import MU_PER_HA, cny_100m

NAME = "trading"

TRADING = PolicyItem("(20) trading", "Item (20): cross-regional quota trading", "第(20)项：跨区域指标交易")
FARMLAND_BALANCE = PolicyItem("(20) farmland balance", "Item (20): arable-land occupation–compensation balance",
                              "第(20)项：耕地占补平衡")

SURPLUS = Rule(
    path="trading.surplus", name="tradeable_surplus", item=TRADING, sense="upper", unit="ha",
    describe="one more ha of surplus quota {r} may sell in year {t}",
    noun_en="surplus quota {r} may sell in year {t}", noun_zh="{r}第{t}年可出售的节余指标",
    source="国办发〔2018〕16号 [M]",
)
LAND_CLEARING = Rule(
    path="trading.land_clearing", name="land_quota_clearing", item=TRADING, sense="equal", unit="ha",
    describe="clearing value of one ha of construction-land quota in year {t}",
    noun_en="construction-land quota brought to the cross-regional market in year {t}",
    noun_zh="第{t}年跨区域建设用地指标市场的供给", index=("year",), payments_cancel=True,
    market=(TradeSide("buy_land", "buy", ("landplan.pool", "landplan.allocation_used")), TradeSide("trading.sell_land", "sell", None)),
    source="国办发〔2018〕16号 [M]: the state clears the market",
)
FARMLAND_BALANCE_RULE = Rule(
    path="trading.farmland_balance", name="farmland_balance", item=FARMLAND_BALANCE, sense="upper", unit="ha",
    describe="one more ha of {r}'s supplementary arable reserve",
    noun_en="{r}'s supplementary arable reserve", noun_zh="{r}的补充耕地储备", index=("region",),
    source="Land Administration Law Art. 30 [V]",
)
FARMLAND_CLEARING = Rule(
    path="trading.farmland_clearing", name="farmland_quota_clearing", item=TRADING, sense="equal", unit="ha",
    describe="clearing value of one ha of supplementary-farmland quota",
    noun_en="supplementary-farmland quota brought to the national market", noun_zh="跨省补充耕地指标市场的供给",
    index=(), payments_cancel=True, source="跨省域补充耕地国家统筹 [M]",
    market=(TradeSide("trading.buy_farmland", "buy", "trading.farmland_balance", ("region",)),
            TradeSide("trading.sell_farmland", "sell", "trading.farmland_balance", ("region",))),
)
BUYER = Rule(
    path="buy_land", name="land_quota_buyer", item=TRADING, sense="upper", unit="ha", on="column",
    describe="one more ha of construction-land quota {r} may buy in year {t}",
    noun_en="construction-land quota {r} may buy in year {t}", noun_zh="{r}第{t}年可购买的建设用地指标",
    words={"conflict_en": "{r} is not a buyer of cross-regional construction-land quota (国办发〔2018〕16号)",
           "conflict_zh": "{r}不是跨区域建设用地指标的购买方",
           "need_en": "; it would have to buy {n} ha in year {t}.", "need_zh": "；第{t}年需购买{n}公顷。"},
    source="国办发〔2018〕16号 [M]: only the listed provinces buy",
)
"""Eligibility: ``buy_land[p, t]`` is fixed at 0 for a province that is not a buyer (``models.build``)."""

RULES = [SURPLUS, LAND_CLEARING, FARMLAND_BALANCE_RULE, FARMLAND_CLEARING, BUYER]


def add_block(m, d):
    b = m.trading = pyo.Block()
    s = d.scenario
    sellers = [p.code for p in s.provinces if p.land_quota_seller]
    fl_buyers = [p.code for p in s.provinces if p.farmland_quota_buyer]
    fl_sellers = [p.code for p in s.provinces if p.farmland_quota_seller]
    block_param(b, "surplus_ha", sellers, doc="surplus quota for sale per year, ha")
    block_param(b, "land_buy_price", d.provinces, doc="万元/ha")
    block_param(b, "reserve_ha", d.provinces, doc="own supplementary arable reserve, ha")
    b.land_sell_price = pyo.Param(mutable=True, initialize=0.0)
    b.farmland_buy_price = pyo.Param(mutable=True, initialize=0.0)
    b.farmland_sell_price = pyo.Param(mutable=True, initialize=0.0)
    b.arable_cost = pyo.Param(mutable=True, initialize=0.0, doc="万元/ha of non-PBF arable occupied")
    b.pbf_cost = pyo.Param(mutable=True, initialize=0.0, doc="万元/ha of PBF occupied")

    b.sell_land = pyo.Var(sellers, d.years, domain=pyo.NonNegativeReals)
    b.buy_farmland = pyo.Var(fl_buyers, domain=pyo.NonNegativeReals)
    b.sell_farmland = pyo.Var(fl_sellers, domain=pyo.NonNegativeReals)

    b.surplus = pyo.Constraint(sellers, d.years, rule=lambda b, p, t: b.sell_land[p, t] <= b.surplus_ha[p])
    b.land_clearing = pyo.Constraint(
        d.years,
        rule=lambda b, t: sum(b.sell_land[p, t] for p in sellers) == sum(m.buy_land[p, t] for p in d.provinces),
        doc="quota sold = quota bought",
    )
    b.farmland_clearing = pyo.Constraint(
        rule=lambda b: sum(b.sell_farmland[p] for p in fl_sellers) == sum(b.buy_farmland[p] for p in fl_buyers)
        if fl_sellers or fl_buyers else pyo.Constraint.Skip,
        doc="farmland quota sold = bought",
    )

    arable_share = {c.code: c.general_land_arable_share for c in s.cities}

    def arable_occupied(p):
        return sum(
            (d.arable_ha[j] + d.pbf_ha[j]) * m.x[j, t]
            for c in d.cities_of.get(p, ())
            for j in d.projects_of.get(c, ())
            for t in d.years
        ) + sum(arable_share[c] * m.g[c, t] for c in d.cities_of.get(p, ()) for t in d.years)

    b.arable_occupied_ha = pyo.Expression(d.provinces, rule=lambda b, p: arable_occupied(p))

    def balance(b, p):
        bought = b.buy_farmland[p] if p in fl_buyers else 0
        sold = b.sell_farmland[p] if p in fl_sellers else 0
        return b.arable_occupied_ha[p] + sold - bought <= b.reserve_ha[p]

    b.farmland_balance = pyo.Constraint(d.provinces, rule=balance, doc="占补平衡: occupied ≤ reserve + bought − sold")

    land_cost = sum(
        d.discount[t] * b.land_buy_price[p] * m.buy_land[p, t] for p in d.provinces for t in d.years
    ) - sum(d.discount[t] * b.land_sell_price * b.sell_land[p, t] for p in sellers for t in d.years)
    farmland_cost = b.farmland_buy_price * sum(b.buy_farmland[p] for p in fl_buyers) - b.farmland_sell_price * sum(
        b.sell_farmland[p] for p in fl_sellers
    )
    # Σ discount·(arable cost·arable + PBF cost·PBF)·x + Σ discount·arable cost·share·g, written as each Param
    # times one sum of plain monomials (one product per Param, not one per term: faster to build and compile)
    arable_terms = [d.discount[t] * d.arable_ha[j] * m.x[j, t] for j in d.projects if d.arable_ha[j] for t in d.years]
    arable_terms += [d.discount[t] * arable_share[c] * m.g[c, t] for c in d.cities if arable_share[c] for t in d.years]
    pbf_terms = [d.discount[t] * d.pbf_ha[j] * m.x[j, t] for j in d.projects if d.pbf_ha[j] for t in d.years]
    occupation_cost = b.arable_cost * pyo.quicksum(arable_terms) + b.pbf_cost * pyo.quicksum(pbf_terms)
    b.objective_term = pyo.Expression(expr=-cny_100m(land_cost + farmland_cost + occupation_cost))
    set_params(b, d)
    return b


def set_params(b, d) -> None:
    s = d.scenario
    pol = s.policy
    set_values(b.surplus_ha, {p.code: p.surplus_land_quota_ha_per_year for p in s.provinces if p.land_quota_seller})
    set_values(b.land_buy_price, {p.code: pol.land_buyer_price_cny_10k_per_ha(p.code) + pol.own_pool_first_cny_10k_per_ha
                                  for p in s.provinces})
    set_values(b.reserve_ha, {p.code: p.supplementary_arable_reserve_ha for p in s.provinces})
    set_values(b.land_sell_price, pol.land_seller_price_cny_10k_per_ha())
    set_values(b.farmland_buy_price, pol.farmland_buyer_price_cny_10k_per_ha())
    set_values(b.farmland_sell_price, pol.farmland_seller_price_cny_10k_per_ha())
    set_values(b.arable_cost, pol.arable_occupation_cost_cny_10k_per_mu * MU_PER_HA)
    set_values(b.pbf_cost, pol.pbf_occupation_cost_cny_10k_per_mu * MU_PER_HA)
