"""Item (21): fund the selected projects without breaching debt-risk limits.

Variables ``f[j, k, t]`` — 亿元 of source *k* (a row of ``scenario.funding_sources``, see
:mod:`models.funding`) for project *j* started in year *t*, only for eligible pairs.

Rules (the project share ``x[j, t]`` is the land block's variable, so land and money are one LP):

* **Funding balance** — Σ_k f[j, k, t] = investment_j × x[j, t]: a share proceeds only if it is
  fully funded; a project no source may fund is never selected.
* **Bond share** — enterprise-bond proceeds ≤ 60% of investment (70% for utility tunnels,
  parking and elderly care: 發改辦財金〔2015〕755號 [V]).
* **Capital** — own capital + public funds (grants, reward fund) ≥ the minimum capital ratio ×
  investment (20%; public-service-gap projects 15%: 國發〔2019〕26號 [V]). Borrowed money never
  counts (the kinds in :data:`models.funding.CAPITAL_KINDS` exclude all borrowing).
* **Credit lines** — a bank's comprehensive credit line per province, over the horizon.
* **National totals** — e.g. central budget investment per year.
* **Reward fund** — per province and year ≤ its allocation by settlers (item (6),
  :func:`models.linkage.reward_fund_allocation`): money follows people.
* **Special bonds** — per province and year ≤ its special-bond quota.
* **Debt ratio** — (debt balance + new government debt over the horizon) ÷ comprehensive fiscal
  capacity ≤ 100% [V], per province and per city where the city's figures are given. A region
  already over the line gets zero room: no new government debt.

Cost: each 亿元 of source *k* costs ``models.funding.cost_per_cny_100m`` in the objective.
"""

from __future__ import annotations

from collections import defaultdict

import numpy as np
import pyomo.environ as pyo

from landquota.models.build_util import block_param, set_values
from landquota.models.funding import CAPITAL_KINDS, GOVERNMENT_DEBT_KINDS, cost_per_cny_100m
from landquota.models.linkage import reward_fund_allocation
from landquota.models.memo import Memo
from landquota.models.rules import PolicyItem, Rule

NAME = "finance"

FINANCE = PolicyItem("(21) finance", "Item (21): funding of projects", "第(21)项：项目资金平衡")
BONDS = PolicyItem("(21) bonds", "Item (21): enterprise bonds", "第(21)项：企业债券")
CAPITAL = PolicyItem("(21) capital", "Item (21): minimum project capital", "第(21)项：项目资本金")
CREDIT_LINES = PolicyItem("(21) credit lines", "Item (21): development-bank credit lines", "第(21)项：开发性金融综合授信")
PUBLIC_FUNDS = PolicyItem("(21) public funds", "Item (21): public funds", "第(21)项：财政资金")
REWARD_FUND = PolicyItem("(6) reward fund", "Item (6): money follows settled migrants (reward fund)",
                         "第(6)项：人钱挂钩（市民化奖励资金）")
SPECIAL_BONDS = PolicyItem("(21) special bonds", "Item (21): local government special bonds", "第(21)项：地方政府专项债券")
DEBT_RISK = PolicyItem("(21) debt risk", "Item (21): debt-risk limits", "第(21)项：债务风险")

FUNDING_BALANCE = Rule(
    path="finance.funding_balance", name="funding_balance", item=FINANCE, sense="equal", unit="亿元",
    describe="value of one more 亿元 of investment need in project {r}, year {t}",
    noun_en="investment need of {r} in year {t}", noun_zh="{r}第{t}年的投资需求",
)
BOND_SHARE = Rule(
    path="finance.bond_share_cap", name="bond_share", item=BONDS, sense="upper", unit="亿元",
    describe="one more 亿元 of enterprise bonds allowed for project {r}, year {t}",
    noun_en="enterprise bonds allowed for {r} in year {t}", noun_zh="{r}第{t}年可用的企业债额度",
    source="發改辦財金〔2015〕755號 [V]",
)
CAPITAL_MIN = Rule(
    path="finance.capital_min", name="capital_ratio", item=CAPITAL, sense="lower", unit="亿元",
    describe="one more 亿元 of project capital required for project {r}, year {t}",
    noun_en="project capital required for {r} in year {t}", noun_zh="{r}第{t}年的最低资本金",
    source="國發〔2015〕51號, 國發〔2019〕26號 [V]",
)
CREDIT_LINE = Rule(
    path="finance.credit_line", name="credit_line", item=CREDIT_LINES, sense="upper", unit="亿元",
    describe="one more 亿元 of comprehensive credit line in {r}",
    noun_en="{r}'s credit line from {d}", noun_zh="{r}的{d}综合授信额度", index=("source", "region"),
)
NATIONAL_FUNDING_TOTAL = Rule(
    path="finance.national_total", name="national_funding_total", item=PUBLIC_FUNDS, sense="upper", unit="亿元",
    describe="one more 亿元 of the national total in year {t}",
    noun_en="the national total of {d} in year {t}", noun_zh="第{t}年{d}全国总额", index=("source", "year"),
)
REWARD_FUND_CAP = Rule(
    path="finance.reward_fund", name="reward_fund_allocation", item=REWARD_FUND, sense="upper", unit="亿元",
    describe="one more 亿元 of {r}'s citizenisation reward fund in year {t}",
    noun_en="{r}'s citizenisation reward fund in year {t}", noun_zh="{r}第{t}年农业转移人口市民化奖励资金",
    index=("skip", "region", "year"), source="財預〔2016〕162號 [V]",
)
SPECIAL_BOND = Rule(
    path="finance.special_bond", name="special_bond_quota", item=SPECIAL_BONDS, sense="upper", unit="亿元",
    describe="one more 亿元 of {r}'s special-bond quota in year {t}",
    noun_en="{r}'s special-bond quota in year {t}", noun_zh="{r}第{t}年专项债券额度",
    index=("skip", "region", "year"),
)
DEBT_RATIO_PROVINCE = Rule(
    path="finance.debt_ratio_province", name="debt_ratio", item=DEBT_RISK, sense="upper", unit="亿元",
    describe="one more 亿元 of new government debt allowed under {r}'s debt-ratio line",
    noun_en="new government debt allowed under {r}'s debt-ratio line", noun_zh="{r}债务率警戒线下可新增的政府债务",
    index=("region",), source="debt-risk warning line [V]",
)
DEBT_RATIO_CITY = Rule(
    path="finance.debt_ratio_city", name="debt_ratio_city", item=DEBT_RISK, sense="upper", unit="亿元",
    describe="one more 亿元 of new government debt allowed under city {r}'s debt-ratio line",
    noun_en="new government debt allowed under {r}'s debt-ratio line", noun_zh="{r}债务率警戒线下可新增的政府债务",
    index=("region",), source="debt-risk warning line [V]",
)

RULES = [FUNDING_BALANCE, BOND_SHARE, CAPITAL_MIN, CREDIT_LINE, NATIONAL_FUNDING_TOTAL, REWARD_FUND_CAP,
         SPECIAL_BOND, DEBT_RATIO_PROVINCE, DEBT_RATIO_CITY]


_PAIRS = Memo()
_FUNDED = Memo()


def funding_pairs(s) -> tuple[tuple[str, str], ...]:
    """Eligible (project id, source id) pairs for projects that need money (remembered for the
    project, city and source lists they come from, models.memo)."""
    return _PAIRS.get((s.projects, s.cities, s.funding_sources), lambda: _funding_pairs(s))


def _funding_pairs(s) -> tuple[tuple[str, str], ...]:
    pairs = []
    for p in s.projects:
        if p.investment_cny_100m <= 0:
            continue
        prov = s.city(p.city_code).province_code
        for f in s.funding_sources:
            if f.eligible(p.category, p.county_seat, prov):
                pairs.append((p.id, f.id))
    return tuple(pairs)


def finance_structure(s) -> tuple:
    """What decides the finance block's shape (see models.build.structure_key)."""
    return (
        funding_pairs(s),
        # a project that needs money has a funding balance row even when no source is eligible
        _FUNDED.get((s.projects,), lambda: tuple(p.investment_cny_100m > 0 for p in s.projects)),
        tuple((f.id, f.kind, f.limit_per_province_cny_100m is None, f.limit_total_cny_100m_per_year is None)
              for f in s.funding_sources),
        tuple(p.fiscal_capacity_cny_100m is None for p in s.provinces),
        tuple(c.fiscal_capacity_cny_100m is None for c in s.cities),
    )


def capital_ratio(s, p) -> float:
    if p.min_capital_ratio is not None:
        return p.min_capital_ratio
    base = s.policy.min_capital_ratio
    if p.category == "public_service_gap":
        base -= s.policy.public_service_gap_capital_reduction
    return max(0.0, base)


def bond_share(s, p) -> float:
    pol = s.policy
    return pol.bond_max_share_special if p.category in pol.bond_special_categories else pol.bond_max_share


def debt_room(limit: float, capacity: float | None, balance: float) -> float | None:
    """New government debt allowed before the debt ratio reaches its limit (0 if already over)."""
    if capacity is None:
        return None
    return max(0.0, limit * capacity - balance)


def add_block(m, d):
    b = m.finance = pyo.Block()
    s = d.scenario
    kind = {f.id: f.kind for f in s.funding_sources}
    pairs = funding_pairs(s)
    position = {j: i for i, j in enumerate(d.projects)}  # (list.index here was quadratic in projects)
    funded = sorted({j for j, _ in pairs} | {p.id for p in s.projects if p.investment_cny_100m > 0},
                    key=position.__getitem__)
    sources_of: dict[str, list[str]] = defaultdict(list)
    for j, k in pairs:
        sources_of[j].append(k)
    b.pairs = pairs
    b.funded = funded
    b.funded_set = frozenset(funded)

    # indexed by (pair, year) as a product of two sets: the (j, k, t) keys without storing a third,
    # 580,000-element index set at 3,000 units
    b.pair_set = pyo.Set(initialize=pairs, dimen=2, ordered=True, doc="eligible (project, source) pairs")
    b.f = pyo.Var(b.pair_set, d.years, domain=pyo.NonNegativeReals,
                  doc="亿元 of source k for project j started in year t")
    block_param(b, "investment", funded, doc="亿元")
    block_param(b, "bond_share", funded)
    block_param(b, "capital_ratio", funded)
    block_param(b, "cost", [f.id for f in s.funding_sources], doc="objective cost per 亿元")

    def balance(b, j, t):
        return sum(b.f[j, k, t] for k in sources_of[j]) == b.investment[j] * m.x[j, t]

    b.funding_balance = pyo.Constraint(funded, d.years, rule=balance, doc="fully funded share")

    def bonds(b, j, t):
        ks = [k for k in sources_of[j] if kind[k] == "enterprise_bond"]
        if not ks:
            return pyo.Constraint.Skip
        return sum(b.f[j, k, t] for k in ks) <= b.bond_share[j] * b.investment[j] * m.x[j, t]

    b.bond_share_cap = pyo.Constraint(funded, d.years, rule=bonds, doc="bond proceeds ≤ 60/70% of investment")

    def capital(b, j, t):
        ks = [k for k in sources_of[j] if kind[k] in CAPITAL_KINDS]
        return sum(b.f[j, k, t] for k in ks) >= b.capital_ratio[j] * b.investment[j] * m.x[j, t]

    b.capital_min = pyo.Constraint(funded, d.years, rule=capital, doc="minimum project capital")

    prov_of_project = {j: d.province_of_city[d.city_of_project[j]] for j in d.projects}
    by_source_prov: dict[tuple[str, str], list[str]] = defaultdict(list)
    by_source: dict[str, list[str]] = defaultdict(list)
    for j, k in pairs:
        by_source_prov[k, prov_of_project[j]].append(j)
        by_source[k].append(j)

    lines = [(f.id, p) for f in s.funding_sources if f.limit_per_province_cny_100m is not None
             for p in f.limit_per_province_cny_100m if by_source_prov.get((f.id, p))]
    block_param(b, "line", lines, doc="credit line over the horizon, 亿元")
    b.credit_line = pyo.Constraint(
        lines, rule=lambda b, k, p: sum(b.f[j, k, t] for j in by_source_prov[k, p] for t in d.years) <= b.line[k, p],
        doc="comprehensive credit line per bank and province",
    )

    totals = [f.id for f in s.funding_sources if f.limit_total_cny_100m_per_year is not None and by_source.get(f.id)]
    block_param(b, "total", totals, doc="national total per year, 亿元")
    b.national_total = pyo.Constraint(
        totals, d.years, rule=lambda b, k, t: sum(b.f[j, k, t] for j in by_source[k]) <= b.total[k],
        doc="national total of a source per year",
    )

    def per_province(kinds):
        return [(k, p) for k in {f.id for f in s.funding_sources if f.kind in kinds} for p in d.provinces
                if by_source_prov.get((k, p))]

    rf = per_province({"reward_fund"})
    block_param(b, "reward_cap", rf, doc="reward-fund allocation per year, 亿元")
    b.reward_fund = pyo.Constraint(
        rf, d.years, rule=lambda b, k, p, t: sum(b.f[j, k, t] for j in by_source_prov[k, p]) <= b.reward_cap[k, p],
        doc="reward fund ≤ the province's allocation by settlers",
    )
    sb = per_province({"special_bond"})
    block_param(b, "special_cap", sb, doc="special-bond quota per year, 亿元")
    b.special_bond = pyo.Constraint(
        sb, d.years, rule=lambda b, k, p, t: sum(b.f[j, k, t] for j in by_source_prov[k, p]) <= b.special_cap[k, p],
        doc="special bonds ≤ the province's quota",
    )

    gov = [(j, k) for j, k in pairs if kind[k] in GOVERNMENT_DEBT_KINDS]
    # province position of each pair that raises government debt, -1 for the others: how the
    # solution's new government debt is summed by province (solvers.extract), without a Python loop
    prov_pos = {p: i for i, p in enumerate(d.provinces)}
    b.gov_pair_province = np.fromiter(
        (prov_pos[prov_of_project[j]] if kind[k] in GOVERNMENT_DEBT_KINDS else -1 for j, k in pairs),
        np.int64, len(pairs))
    gov_by_prov: dict[str, list] = defaultdict(list)
    gov_by_city: dict[str, list] = defaultdict(list)
    for j, k in gov:
        gov_by_prov[prov_of_project[j]].append((j, k))
        gov_by_city[d.city_of_project[j]].append((j, k))
    dr_p = [p.code for p in s.provinces if p.fiscal_capacity_cny_100m is not None and gov_by_prov.get(p.code)]
    dr_c = [c.code for c in s.cities if c.fiscal_capacity_cny_100m is not None and gov_by_city.get(c.code)]
    block_param(b, "debt_room_province", dr_p, doc="new government debt allowed, 亿元")
    block_param(b, "debt_room_city", dr_c, doc="new government debt allowed, 亿元")
    b.debt_ratio_province = pyo.Constraint(
        dr_p, rule=lambda b, p: sum(b.f[j, k, t] for j, k in gov_by_prov[p] for t in d.years) <= b.debt_room_province[p],
        doc="debt ratio ≤ limit after new government debt (province)",
    )
    b.debt_ratio_city = pyo.Constraint(
        dr_c, rule=lambda b, c: sum(b.f[j, k, t] for j, k in gov_by_city[c] for t in d.years) <= b.debt_room_city[c],
        doc="debt ratio ≤ limit after new government debt (city)",
    )

    # Σ_{j,k,t} discount_t · cost_k · f[j,k,t], grouped by source and year: the same coefficients
    # (cost_k × discount_t, bit for bit) with one mutable factor per group instead of one per variable
    # (at 3,000 units: 35 products instead of 580,000 — a fifth of the model's memory, bench/README.md).
    b.financing_cost = pyo.Expression(
        expr=sum(b.cost[k] * d.discount[t] * pyo.quicksum(b.f[j, k, t] for j in by_source[k])
                 for k in by_source for t in d.years)
    )
    b.objective_term = pyo.Expression(expr=-b.financing_cost)
    set_params(b, d)
    return b


def set_params(b, d) -> None:
    s = d.scenario
    pol = s.policy
    funded = [p for p in s.projects if p.id in b.funded_set]
    set_values(b.investment, {p.id: p.investment_cny_100m for p in funded})
    set_values(b.bond_share, {p.id: bond_share(s, p) for p in funded})
    set_values(b.capital_ratio, {p.id: capital_ratio(s, p) for p in funded})
    src = {f.id: f for f in s.funding_sources}
    set_values(b.cost, {f.id: cost_per_cny_100m(f, pol.finance_discount_rate_pct) for f in s.funding_sources})
    set_values(b.total, {k: src[k].limit_total_cny_100m_per_year for k in b.total})
    set_values(b.line, {(k, p): src[k].limit_per_province_cny_100m[p] for k, p in b.line})
    fund = reward_fund_allocation(s)
    set_values(b.reward_cap, {(k, p): fund.get(p, 0.0) for k, p in b.reward_cap})
    set_values(b.special_cap, {(k, p): s.province(p).special_bond_limit_cny_100m_per_year for k, p in b.special_cap})
    limit = pol.debt_ratio_limit
    set_values(b.debt_room_province, {p: debt_room(limit, s.province(p).fiscal_capacity_cny_100m,
                                                   s.province(p).debt_balance_cny_100m) for p in b.debt_room_province})
    set_values(b.debt_room_city, {c: debt_room(limit, s.city(c).fiscal_capacity_cny_100m, s.city(c).debt_balance_cny_100m)
                                  for c in b.debt_room_city})
