"""Item (20), the construction-land plan: quota allocation, national total, per-capita cap, stock, tilt.

Rules (all per plan year ``t`` unless said otherwise). How quota reaches a province depends on
``policy.quota_allocation``:

* ``provincial_pools`` — **provincial pool**: provinces manage pools they have been given (item (20)):
  new land of a province's cities ≤ its pool + quota it buys (:mod:`models.trading`). **National
  total**: new land from provincial pools (bought surplus quota excluded, it is not plan quota)
  ≤ ``policy.national_new_land_total_ha`` (600万亩 in 2022 [V]).
* ``national`` — the LP allocates the national plan (item (6) 加大新增建设用地计划指标与吸纳落户数量挂钩力度,
  item (20) provinces take responsibility for their plans). Variables ``q[p, t]``, the quota allocated to
  province *p* in year *t*, ha:

  - **allocated quota is the province's plan quota** (``allocation_used``): new land of its cities −
    quota it buys ≤ ``q[p, t]``; the province shares its allocation across its units by value;
  - **national total**: Σ_p ``q[p, t]`` ≤ ``policy.national_new_land_total_ha``;
  - **allocation floor** (``allocation_floor``): ``q[p, t]`` ≥ linked land + band floor. Linked land
    (人地挂钩, 国土资发〔2016〕123号 [V]) = Σ over the province's cities of settlers × per-settler standard
    (tiers, ±10% flex, none for central districts of super-large/mega cities) ×
    ``policy.linkage_strength`` (see :mod:`models.coefficients`); band floor = floor share × the
    province's base (``Province.allocation_base_ha_per_year``);
  - **allocation ceiling** (``allocation_ceiling``): ``q[p, t]`` ≤ linked land + ceiling share × base.
    Linked land comes on top of the band, so more settlers always mean more quota; the rest of the
    national total goes by value within the bands, never all to one province.

  Linked land is *one* figure with two uses, not two rules on the same thing: the national plan must
  hand it to the province (here, hard: a national total below Σ linked land + band floors is
  infeasible, and the diagnosis names the floors and the total), and the province must pass it on to
  the cities whose settlers earned it: that earmark is the settler floor of :mod:`models.linkage`
  (city new land + revitalised stock ≥ its linked land), soft because the per-capita cap may leave a
  city no room, in which case the shortfall is priced and reported. A notional cost per ha allocated
  (``policy.unused_allocation_cost_cny_10k_per_ha``, a tie-break) makes the allocation the quota a
  province uses, or its floor, instead of an arbitrary point of its band.

Rules in both modes:

* **Per-capita cap** (whole horizon) — current land + new *urban* construction land ≤ effective cap ×
  projected resident population (national plan ≤ 100 m² [V]; GB 50137 rise ≤ +20 m² [V]; a city above
  the cap may not raise its per-capita land). A city whose current land already exceeds effective cap ×
  projected residents (one at or above its cap whose residents shrink) gets **no new urban land**: its
  room is max(0, ·), since existing construction land is not taken away. Its per-capita land after the
  plan may then exceed the cap, by its shrinking population alone. Land of regional infrastructure
  projects (category ``regional_infrastructure``: airports, highways, railways, ports — GB 50137-2011's
  H2/H3 regional land, outside 城市建设用地 H11 [V]) does not count (it still needs plan quota); every
  other project category and all general-use land count. Revitalised stock is already construction land and does not
  count.
* **Stock first** (whole horizon) — revitalised stock ≤ the city's inefficient stock; and, when
  ``policy.stock_first``, general-use new land ≤ the land settlers and new residents need (new
  residents at today's per-capita level) minus what the city's inefficient stock can supply.
* **Bought quota is used** — a buyer's bought quota ≤ its own new land, so buying can never free
  pool, allocation or national-total room.
* **Tilt** — centre cities and key-cluster units get at least ``policy.tilt_min_share`` of new land,
  measured where ``policy.tilt_level`` says: in each province that has both tilted and other units
  (``province``), or over the nation (``national``, one row per year, region ``national``). A unit
  partly inside a key cluster counts with its ``key_cluster_share``. Soft: a shortfall is priced like
  the settler floor and reported.
"""

from __future__ import annotations

import pyomo.environ as pyo

from landquota.models.build_util import block_param, set_values
from landquota.models.rules import PolicyItem, PricedSlack, Rule
from landquota.models.trading import TRADING
from landquota.models.units import M2_PER_HA, cny_100m

NAME = "landplan"

LAND_PLAN = PolicyItem("(20) land plan", "Item (20): provincial quota pools and the national plan",
                       "第(20)项：省级指标池与全国计划")
PER_CAPITA_CAP = PolicyItem("(20) per-capita cap", "Item (20): per-capita urban construction land cap",
                            "第(20)项：人均城镇建设用地上限")
STOCK_LAND = PolicyItem("(20) stock land", "Item (20): revitalising inefficient stock land first",
                        "第(20)项：盘活低效存量用地")
TILT = PolicyItem("(20) tilt", "Item (20): tilt to centre cities and key clusters", "第(20)项：向中心城市和重点城市群倾斜")


def _cap_hint(d, city: str, required_ha: float) -> tuple[str, str] | None:
    """A required cap room, as the per-capita cap (m² per resident) it would take."""
    c = d.scenario.city(city)
    k = d.coeffs[city]
    pop = k.final_resident_population
    if pop <= 0:
        return None
    need_m2 = (c.urban_construction_land_ha + required_ha) * M2_PER_HA / pop
    return (f"i.e. a per-capita cap of {need_m2:.2f} m² per resident instead of "
            f"{k.effective_cap_per_capita_m2:.2f} "
            f"(projected residents {pop:,})",
            f"即人均用地上限需为{need_m2:.2f}平方米/人（现为{k.effective_cap_per_capita_m2:.2f}，规划常住人口{pop:,}）")


POOL = Rule(
    path="landplan.pool", name="provincial_pool", item=LAND_PLAN, sense="upper", unit="ha",
    describe="one more ha of {r}'s year-{t} quota pool",
    noun_en="{r}'s year-{t} new-land quota pool", noun_zh="{r}第{t}年新增建设用地指标池",
    words={"summary_en": "Quota pools", "summary_zh": "指标池"},
    source="item (20): provinces manage their own pools",
)
BOUGHT_USED = Rule(
    path="landplan.bought_used", name="bought_quota_used", item=TRADING, sense="upper", unit="ha",
    describe="one more ha of bought quota {r} may hold beyond its own new land in year {t}",
    noun_en="bought quota {r} may hold beyond its own new land in year {t}",
    noun_zh="{r}第{t}年购入指标超出自身新增用地的部分",
    source="[A] bought quota is for the buyer's own construction",
)
NATIONAL_TOTAL = Rule(
    path="landplan.national_total", name="national_total", item=LAND_PLAN, sense="upper", unit="ha",
    describe="one more ha of the national plan total in year {t}",
    noun_en="the national new-land plan total in year {t}", noun_zh="第{t}年全国新增建设用地计划总量",
    index=("year",), source="2022 national land-use plan [V]",
)
CAP = Rule(
    path="landplan.per_capita_cap", name="per_capita_cap", item=PER_CAPITA_CAP, sense="upper", unit="ha",
    describe="one more ha of room under {r}'s per-capita land cap",
    noun_en="room under {r}'s per-capita land cap", noun_zh="{r}人均城镇建设用地上限下的空间",
    index=("region",), hint=_cap_hint, source="National New Urbanisation Plan 2014–2020 [V]; GB 50137-2011 [V]",
)
STOCK_AVAILABLE = Rule(
    path="landplan.stock_available", name="stock_available", item=STOCK_LAND, sense="upper", unit="ha",
    describe="one more ha of inefficient stock land in {r}",
    noun_en="{r}'s inefficient stock land", noun_zh="{r}可盘活的低效存量建设用地", index=("region",),
)
STOCK_FIRST = Rule(
    path="landplan.stock_first", name="stock_first", item=STOCK_LAND, sense="upper", unit="ha",
    describe="one more ha of general-use new land allowed in {r} before its stock is used",
    noun_en="general-use new land {r} may take before its stock is used",
    noun_zh="{r}存量优先规则下可用的一般用途新增用地", index=("region",),
)
TILT_SHARE = Rule(
    path="landplan.tilt", name="tilt_share", item=TILT, sense="lower", unit="ha",
    describe="one more ha of centre/key-cluster land required in {r}, year {t}",
    noun_en="centre/key-cluster land required in {r}, year {t}", noun_zh="{r}第{t}年中心城市和重点城市群的最低用地",
    priced_slack=PricedSlack("landplan.tilt_shortfall_ha", "landplan.penalty",
                             "share of new land for centre cities and key clusters", "中心城市和重点城市群新增用地比例"),
    source="item (20); share [A]",
)

# ---- national allocation (issue 13; policy.quota_allocation = "national") ------------------------
ALLOCATED_QUOTA = Rule(
    path="landplan.allocation_used", name="allocated_quota", item=LAND_PLAN, sense="upper", unit="ha",
    describe="one more ha of plan quota {r} may use beyond its year-{t} allocation",
    noun_en="plan quota {r} may use beyond its year-{t} allocation",
    noun_zh="{r}第{t}年超出所分配指标可使用的新增建设用地",
    words={"summary_en": "Allocated quota", "summary_zh": "分配指标"},
    source="item (6) 加大新增建设用地计划指标与吸纳落户数量挂钩力度; item (20) [V]: the province's plan quota is its "
    "allocation (its price is what one more ha of allocation is worth to it)",
)
ALLOCATION_FLOOR = Rule(
    path="landplan.allocation_floor", name="allocation_floor", item=LAND_PLAN, sense="lower", unit="ha",
    describe="one more ha of {r}'s year-{t} allocation floor (linked land + band floor)",
    noun_en="{r}'s year-{t} allocation floor (linked land + band floor)",
    noun_zh="{r}第{t}年指标分配下限（挂钩用地+稳定区间下限）",
    source="国土资发〔2016〕123号 [V] (linked land); band floor share [A]",
)
ALLOCATION_CEILING = Rule(
    path="landplan.allocation_ceiling", name="allocation_ceiling", item=LAND_PLAN, sense="upper", unit="ha",
    describe="one more ha of {r}'s year-{t} allocation ceiling (linked land + band ceiling)",
    noun_en="{r}'s year-{t} allocation ceiling (linked land + band ceiling)",
    noun_zh="{r}第{t}年指标分配上限（挂钩用地+稳定区间上限）",
    source="国土资发〔2016〕123号 [V] (linked land); band ceiling share [A]",
)

RULES = [POOL, BOUGHT_USED, NATIONAL_TOTAL, CAP, STOCK_AVAILABLE, STOCK_FIRST, TILT_SHARE,
         ALLOCATED_QUOTA, ALLOCATION_FLOOR, ALLOCATION_CEILING]


def add_block(m, d):
    b = m.landplan = pyo.Block()
    s = d.scenario
    national_mode = s.policy.quota_allocation == "national"
    b.national_mode = national_mode
    buyers = {p.code for p in s.provinces if p.land_quota_buyer}
    block_param(b, "cap_room_ha", d.cities, doc="new land the per-capita cap leaves, ha")
    block_param(b, "stock_ha", d.cities, doc="inefficient stock land available, ha")
    b.national_total_ha = pyo.Param(mutable=True, initialize=0.0)
    b.tilt_share = pyo.Param(mutable=True, initialize=0.0)
    b.penalty = pyo.Param(mutable=True, initialize=0.0)

    def prov_new(p, t):
        return sum(m.new_land[c, t] for c in d.cities_of.get(p, ()))

    def bought_used():
        # Bought quota is for the buyer's own construction: it can never free pool or national room.
        b.bought_used = pyo.Constraint(
            [p for p in d.provinces if p in buyers], d.years,
            rule=lambda b, p, t: m.buy_land[p, t] <= prov_new(p, t), doc="bought quota ≤ the buyer's new land",
        )

    allocated = 0
    if national_mode:
        block_param(b, "floor_ha", d.provinces, doc="linked land + band floor per year, ha")
        block_param(b, "ceiling_ha", d.provinces, doc="linked land + band ceiling per year, ha")
        b.unused_cost = pyo.Param(mutable=True, initialize=0.0, doc="万元 per ha allocated (tie-break)")
        b.q = pyo.Var(d.provinces, d.years, domain=pyo.NonNegativeReals, doc="quota allocated to the province, ha")
        b.allocation_used = pyo.Constraint(
            d.provinces, d.years, rule=lambda b, p, t: prov_new(p, t) - m.buy_land[p, t] <= b.q[p, t],
            doc="new land from plan quota ≤ the province's allocation")
        bought_used()
        b.national_total = pyo.Constraint(
            d.years, rule=lambda b, t: sum(b.q[p, t] for p in d.provinces) <= b.national_total_ha,
            doc="national plan total: Σ allocations")
        b.allocation_floor = pyo.Constraint(
            d.provinces, d.years, rule=lambda b, p, t: b.q[p, t] >= b.floor_ha[p],
            doc="allocation ≥ linked land + band floor")
        b.allocation_ceiling = pyo.Constraint(
            d.provinces, d.years, rule=lambda b, p, t: b.q[p, t] <= b.ceiling_ha[p],
            doc="allocation ≤ linked land + band ceiling")
        allocated = cny_100m(b.unused_cost) * sum(d.discount[t] * b.q[p, t] for p in d.provinces for t in d.years)
    else:
        block_param(b, "pool_ha", d.provinces, doc="provincial pool per year, ha")

        def pool(b, p, t):
            return prov_new(p, t) - m.buy_land[p, t] <= b.pool_ha[p]

        b.pool = pyo.Constraint(d.provinces, d.years, rule=pool, doc="provincial pool")
        bought_used()  # (rows in the order they have always had: pool, bought quota, national total)
        if s.policy.national_new_land_total_ha is not None:
            def national(b, t):
                return sum(prov_new(p, t) - m.buy_land[p, t] for p in d.provinces) <= b.national_total_ha

            b.national_total = pyo.Constraint(d.years, rule=national, doc="national plan total")

    def cap(b, c):
        # urban construction land only: regional infrastructure projects (GB 50137 H2/H3) are left out
        if c not in d.regional_cities:
            return sum(m.new_land[c, t] for t in d.years) <= b.cap_room_ha[c]
        urban = [j for j in d.projects_of.get(c, ()) if j not in d.regional_projects]
        return sum(sum(d.area_ha[j] * m.x[j, t] for j in urban) + m.g[c, t] for t in d.years) <= b.cap_room_ha[c]

    b.per_capita_cap = pyo.Constraint(d.cities, rule=cap, doc="per-capita urban construction land cap")

    def stock(b, c):
        return sum(m.s[c, t] for t in d.years) <= b.stock_ha[c]

    b.stock_available = pyo.Constraint(d.cities, rule=stock, doc="inefficient stock available")

    if s.policy.stock_first:
        block_param(b, "general_room_ha", d.cities, doc="stock-first room for general-use land, ha")

        def first(b, c):
            return sum(m.g[c, t] for t in d.years) <= b.general_room_ha[c]

        b.stock_first = pyo.Constraint(d.cities, rule=first, doc="stock land counted before new land")

    w = {c: d.coeffs[c].tilt_weight for c in d.cities}
    if s.policy.tilt_level == "national":
        groups = {"national": d.cities} if any(v > 0 for v in w.values()) and any(v < 1 for v in w.values()) else {}
    else:
        groups = {p: d.cities_of[p] for p in d.provinces
                  if any(w[c] > 0 for c in d.cities_of.get(p, ())) and any(w[c] < 1 for c in d.cities_of.get(p, ()))}
    tilt_provinces = list(groups)
    b.tilt_provinces = tilt_provinces
    b.tilt_shortfall_ha = pyo.Var(tilt_provinces, d.years, domain=pyo.NonNegativeReals)

    def tilt(b, p, t):
        cs = groups[p]
        tilted = sum(w[c] * m.new_land[c, t] for c in cs if w[c] > 0)
        return tilted + b.tilt_shortfall_ha[p, t] >= b.tilt_share * sum(m.new_land[c, t] for c in cs)

    b.tilt = pyo.Constraint(tilt_provinces, d.years, rule=tilt, doc="tilt to centre cities and key clusters")

    revit_cost = sum(
        cny_100m(d.discount[t] * c.stock_revitalisation_cost_cny_10k_per_ha) * m.s[c.code, t]
        for c in s.cities for t in d.years
    )
    b.revitalisation_and_tilt = pyo.Expression(
        expr=-revit_cost
        - cny_100m(b.penalty) * sum(d.discount[t] * b.tilt_shortfall_ha[p, t] for p in tilt_provinces for t in d.years),
        doc="revitalisation cost and priced tilt shortfalls, 亿元")
    b.allocation_tie_break = pyo.Expression(
        expr=-allocated, doc="national mode: the notional cost per ha allocated (a tie-break), 亿元; else 0")
    b.objective_term = pyo.Expression(expr=b.revitalisation_and_tilt + b.allocation_tie_break)
    set_params(b, d)
    return b


def linked_by_province(d) -> dict[str, float]:
    """Linked land per province and year, ha: Σ of its cities' linked land (models.coefficients)."""
    return {p: sum(d.coeffs[c].linkage_need_ha_per_year for c in d.cities_of.get(p, ())) for p in d.provinces}


def set_params(b, d) -> None:
    s = d.scenario
    if b.national_mode:
        linked = linked_by_province(d)
        floor, ceiling = {}, {}
        for p in s.provinces:
            lo, hi = s.band_shares(p.code)
            base = s.allocation_base_ha(p.code)
            floor[p.code] = linked[p.code] + lo * base
            ceiling[p.code] = linked[p.code] + hi * base
        set_values(b.floor_ha, floor)
        set_values(b.ceiling_ha, ceiling)
        set_values(b.unused_cost, s.policy.unused_allocation_cost_cny_10k_per_ha)
    else:
        set_values(b.pool_ha, {p.code: p.new_land_pool_ha_per_year for p in s.provinces})
    set_values(b.cap_room_ha, {c: d.coeffs[c].cap_room_ha for c in d.cities})
    set_values(b.stock_ha, {c.code: c.stock_land_available_ha for c in s.cities})
    if s.policy.stock_first:
        set_values(b.general_room_ha, {c: d.coeffs[c].general_room_ha for c in d.cities})
    if s.policy.national_new_land_total_ha is not None:
        set_values(b.national_total_ha, s.policy.national_new_land_total_ha)
    set_values(b.tilt_share, s.policy.tilt_min_share)
    set_values(b.penalty, s.policy.shortfall_penalty_cny_10k_per_ha)
