"""Item (21): fund the selected projects without breaching debt-risk limits; item (6): meet the
public cost of settlers.

Sources are data rows (:mod:`models.funding`): enterprise bonds, policy-bank loans (CDB, ADBC),
commercial-bank loans at LPR + spread, central budget grants, general and special local
government bonds, the sponsor's own capital.

**Compact formulation: financing groups.** Money is not decided per project but per *financing
group*: the funded projects (investment > 0) of one region that share

* the eligible sources (which depend on category, county seat and province only; a government-bond
  kind whose provincial quota is 0 is not offered there),
* the capital-ratio class (a project's own ratio, or the policy's ratio for its category:
  public-service-gap or standard),
* the bond-share class (the 2015 special categories or not),
* whether special bonds may count as its capital (the listed sectors),

where the region is the project's city when the city has its own fiscal figures (city debt
ratios) and its province otherwise. Variables ``f[g, k, t]``: 亿元 of source *k* for the projects
of group *g* started in year *t*; ``sb_capital[g, t]``: the part of the group's special bonds
counted as project capital. Every project rule is written for the group with the group's
need ``N[g, t] = Σ_{j∈g} investment_j · x[j, t]``.

*Exactness.* Per project, today's rules read: Σ_k f_jk = I_j x_j (balance), Σ_bonds f_jk ≤ b·I_j x_j
(bond share), Σ_capital f_jk + c_j ≥ r·I_j x_j, c_j ≤ Σ_special f_jk, and every other rule (credit
lines, quotas, national totals, debt ratios) reads only sums of f over projects of one province or
one city, over sources and years; the cost is linear in f with a coefficient per (k, t). (i) Any
per-project solution summed over the members of each group satisfies the group rules (sums of
the project rows, since all members share b, r and the eligible sources) and every aggregate rule
(same sums), at the same cost. (ii) Conversely, from any group solution the *proportional split*
``f[j, k, t] = f[g, k, t] · I_j x[j, t] / N[g, t]`` (and c likewise; nothing where N = 0, in which
case the balance forces f[g, ·, t] = 0) satisfies each project's balance, bond share and capital
rows exactly (each is the group row times I_j x_j / N ≥ 0), uses only sources eligible for j, sums
back to the group's amounts (so every province, city and national rule holds), and costs the same.
Hence the two LPs have the same optimal value and (i)/(ii) map optimal solutions onto each other;
:func:`disaggregate` applies (ii) to give the per-project financing table. ``per_project=True``
makes every project its own group: today's formulation, kept as the test oracle.

Rules:

* **Funding balance** — Σ_k f[g, k, t] = N[g, t]: a share proceeds only if fully funded.
* **Bond share** — enterprise-bond proceeds ≤ 60% of investment (70% for utility tunnels, parking
  and elderly care: 发改办财金〔2015〕755号 [V]).
* **Capital** — own capital + grants + special bonds counted as capital ≥ the minimum capital ratio
  × investment (20%; public-service-gap 15%: 国发〔2019〕26号 [V]). Other borrowed money never counts.
* **Special bonds as capital** — only in the listed sectors (厅字〔2019〕33号), only out of the group's
  own special bonds, and per province and year at most ``policy.special_bond_capital_share`` (25%
  in 2020 [M]) of its special-bond quota.
* **Credit lines** — a bank's comprehensive credit line per province, over the horizon.
* **National totals** — a source's national total per year (e.g. central budget investment), and
  the national yearly volume of enterprise bonds (``policy.enterprise_bond_national_volume_...``).
* **Bond quotas** — special and general bonds per province and year ≤ the province's quotas.
* **Legal debt ratio** — (legal debt balance + new general and special bonds) ÷ comprehensive fiscal
  capacity ≤ 100% [V], per province and per city where its figures are given; a province at or over
  the line may still issue ``policy.over_line_new_debt_share`` of its new-bond quotas (the new-limit
  formula of 财预〔2017〕35号 reduces, rather than bans, high-risk regions' new debt [M]; share [A]).
  Below the line the room is line × capacity − balance (new debt may not cross it); at or over the
  line it is share × quotas × years (a province just over the line may so get more room than one
  just under it: the rule as stated, not smoothed). A city over its line gets no new legal debt
  (the quotas are the province's).
* **Broad debt ratio** — (legal + platform debt balance + new legal debt + new platform debt:
  enterprise bonds and loans to platform companies) ÷ capacity ≤ ``policy.broad_debt_ratio_limit``
  (300%, the red rating [M]), per province and per city where its figures are given.
* **Settlers' public cost** (item (6), 人钱挂钩) — each city pays settlers × public cost per settler
  (education, health, social security, housing) from central transfers that follow each settler,
  its part of the province's reward fund (the province passes its allocation on by the same settler
  weights) and its own budget: own budget ≥ cost − transfers − fund. Own-budget money costs its face
  value in the objective; a binding row's price is what one more 亿元 of cost (or one less of the
  fund) is worth. The fund is a transfer for settlers' public services (财预〔2016〕162号
  [V]), never project capital. Settlers and the fund are the same every plan year, so one row per
  city stands for every year (its price is the sum over the years, discounted).

Cost: each 亿元 of source *k* in year *t* costs ``discount_t × models.funding.cost_per_cny_100m``, plus
``policy.platform_debt_tie_break_cny_100m`` for platform debt (legal bonds first where money costs the same).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

import numpy as np
import pyomo.environ as pyo

from landquota.models.build_util import block_param, set_values
from landquota.models.funding import CAPITAL_KINDS, GOVERNMENT_DEBT_KINDS, PROVINCE_QUOTA_KINDS, cost_per_cny_100m
from landquota.models.linkage import reward_fund_by_city
from landquota.models.memo import Memo
from landquota.models.rules import PolicyItem, Rule
from landquota.models.units import cny_100m

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

# Rules on financing groups are indexed (group label 'region:n', year): the label is the row's region.
FUNDING_BALANCE = Rule(
    path="finance.funding_balance", name="funding_balance", item=FINANCE, sense="equal", unit="亿元",
    describe="value of one more 亿元 of investment need in project group {r}, year {t}",
    noun_en="investment need of project group {r} in year {t}", noun_zh="项目组{r}第{t}年的投资需求",
)
BOND_SHARE = Rule(
    path="finance.bond_share_cap", name="bond_share", item=BONDS, sense="upper", unit="亿元",
    describe="one more 亿元 of enterprise bonds allowed for project group {r}, year {t}",
    noun_en="enterprise bonds allowed for project group {r} in year {t}", noun_zh="项目组{r}第{t}年可用的企业债额度",
    source="发改办财金〔2015〕755号 [V]",
)
CAPITAL_MIN = Rule(
    path="finance.capital_min", name="capital_ratio", item=CAPITAL, sense="lower", unit="亿元",
    describe="one more 亿元 of project capital required for project group {r}, year {t}",
    noun_en="project capital required for project group {r} in year {t}", noun_zh="项目组{r}第{t}年的最低资本金",
    source="国发〔2015〕51号, 国发〔2019〕26号 [V]",
)
SPECIAL_BOND_CAPITAL_USE = Rule(
    path="finance.special_bond_capital_use", name="special_bond_capital_use", item=SPECIAL_BONDS, sense="upper",
    unit="亿元", describe="one more 亿元 of special bonds counted as capital in project group {r}, year {t}",
    noun_en="special bonds counted as capital for project group {r} in year {t}",
    noun_zh="项目组{r}第{t}年可作资本金的专项债券", source="厅字〔2019〕33号 [M]",
)
SPECIAL_BOND_CAPITAL = Rule(
    path="finance.special_bond_capital", name="special_bond_capital", item=SPECIAL_BONDS, sense="upper",
    unit="亿元", describe="one more 亿元 of {r}'s special bonds usable as project capital in year {t}",
    noun_en="{r}'s special bonds usable as project capital in year {t}", noun_zh="{r}第{t}年可用作项目资本金的专项债券",
    source="厅字〔2019〕33号; 25% of the quota in 2020 [M]",
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
ENTERPRISE_BOND_VOLUME = Rule(
    path="finance.enterprise_bond_volume", name="enterprise_bond_volume", item=BONDS, sense="upper", unit="亿元",
    describe="one more 亿元 of the national enterprise-bond volume in year {t}",
    noun_en="the national enterprise-bond volume in year {t}", noun_zh="第{t}年全国企业债券发行规模",
    index=("year",), source="2020 issuance ≈ 3,900亿元 [M]",
)
SPECIAL_BOND = Rule(
    path="finance.special_bond", name="special_bond_quota", item=SPECIAL_BONDS, sense="upper", unit="亿元",
    describe="one more 亿元 of {r}'s special-bond quota in year {t}",
    noun_en="{r}'s special-bond quota in year {t}", noun_zh="{r}第{t}年专项债券额度",
    index=("skip", "region", "year"),
)
GENERAL_BOND = Rule(
    path="finance.general_bond", name="general_bond_quota", item=DEBT_RISK, sense="upper", unit="亿元",
    describe="one more 亿元 of {r}'s general-bond quota in year {t}",
    noun_en="{r}'s general-bond quota in year {t}", noun_zh="{r}第{t}年一般债券额度",
    index=("skip", "region", "year"),
)
DEBT_RATIO_PROVINCE = Rule(
    path="finance.debt_ratio_province", name="debt_ratio", item=DEBT_RISK, sense="upper", unit="亿元",
    describe="one more 亿元 of new legal debt allowed under {r}'s debt-ratio line",
    noun_en="new legal debt (general and special bonds) allowed under {r}'s debt-ratio line",
    noun_zh="{r}债务率警戒线下可新增的法定债务（一般债券和专项债券）",
    index=("region",), source="debt-risk warning line [V]; over the line a reduced quota: 财预〔2017〕35号 [M]",
)
DEBT_RATIO_CITY = Rule(
    path="finance.debt_ratio_city", name="debt_ratio_city", item=DEBT_RISK, sense="upper", unit="亿元",
    describe="one more 亿元 of new legal debt allowed under city {r}'s debt-ratio line",
    noun_en="new legal debt (general and special bonds) allowed under {r}'s debt-ratio line",
    noun_zh="{r}债务率警戒线下可新增的法定债务（一般债券和专项债券）",
    index=("region",), source="debt-risk warning line [V]",
)
BROAD_DEBT_RATIO_PROVINCE = Rule(
    path="finance.broad_debt_ratio_province", name="broad_debt_ratio", item=DEBT_RISK, sense="upper", unit="亿元",
    describe="one more 亿元 of new legal + platform debt allowed under {r}'s broad debt-ratio limit",
    noun_en="new legal and platform debt allowed under {r}'s broad debt-ratio limit",
    noun_zh="{r}广义债务率上限下可新增的政府及平台债务", index=("region",),
    source="analysts' broad debt ratio; red rating from 300% [M]",
)
BROAD_DEBT_RATIO_CITY = Rule(
    path="finance.broad_debt_ratio_city", name="broad_debt_ratio_city", item=DEBT_RISK, sense="upper", unit="亿元",
    describe="one more 亿元 of new legal + platform debt allowed under city {r}'s broad debt-ratio limit",
    noun_en="new legal and platform debt allowed under {r}'s broad debt-ratio limit",
    noun_zh="{r}广义债务率上限下可新增的政府及平台债务", index=("region",),
    source="analysts' broad debt ratio; red rating from 300% [M]",
)
SETTLER_PUBLIC_COST = Rule(
    path="finance.settler_public_cost", name="settler_public_cost", item=REWARD_FUND, sense="lower", unit="亿元",
    describe="one more 亿元 a year of settlers' public cost not met by transfers or the reward fund in {r} "
    "(every plan year)",
    noun_en="settlers' public cost left to {r}'s own budget (each year)",
    noun_zh="{r}每年由本级财政承担的农业转移人口市民化公共成本", index=("region",),
    source="财预〔2016〕162号 [V]; cost per settler: State Council DRC (2011) [M], split [A]",
)

RULES = [FUNDING_BALANCE, BOND_SHARE, CAPITAL_MIN, SPECIAL_BOND_CAPITAL_USE, SPECIAL_BOND_CAPITAL, CREDIT_LINE,
         NATIONAL_FUNDING_TOTAL, ENTERPRISE_BOND_VOLUME, SPECIAL_BOND, GENERAL_BOND, DEBT_RATIO_PROVINCE,
         DEBT_RATIO_CITY, BROAD_DEBT_RATIO_PROVINCE, BROAD_DEBT_RATIO_CITY, SETTLER_PUBLIC_COST]


@dataclass(frozen=True)
class FinanceGroup:
    """Funded projects that the financing rules cannot tell apart (see the module docstring)."""

    label: str
    """``region:n`` (``region:project id`` in the per-project formulation)."""
    region: str
    province: str
    city: str | None
    """The city, when the group's region is a city with its own fiscal figures."""
    sources: tuple[str, ...]
    capital_class: tuple
    bond_special: bool
    sb_capital: bool
    projects: tuple[str, ...]


_GROUPS = Memo()
_PAIRS = Memo()


def finance_groups(s, per_project: bool = False) -> tuple[FinanceGroup, ...]:
    """The financing groups of a scenario (remembered for the parts they come from, models.memo)."""
    pol = s.policy
    key = (s.projects, s.cities, s.funding_sources, tuple(pol.bond_special_categories),
           tuple(pol.special_bond_capital_categories), _quota_flags(s), (per_project,))
    return _GROUPS.get(key, lambda: _finance_groups(s, per_project))


def _quota_flags(s) -> tuple:
    """Which provinces have a positive quota of each government-bond kind: a bond kind whose quota is 0
    is not offered there (like a bank without a credit line in the province)."""
    return tuple((p.code, p.special_bond_limit_cny_100m_per_year > 0, p.general_bond_limit_cny_100m_per_year > 0)
                 for p in s.provinces)


def _offered(f, quota: dict) -> bool:
    return f.kind not in PROVINCE_QUOTA_KINDS or quota[f.kind]


def _finance_groups(s, per_project: bool) -> tuple[FinanceGroup, ...]:
    pol = s.policy
    province_of = {c.code: c.province_code for c in s.cities}
    fiscal_city = {c.code for c in s.cities if c.fiscal_capacity_cny_100m is not None}
    special_bond_ids = {f.id for f in s.funding_sources if f.kind == "special_bond"}
    bond_special = set(pol.bond_special_categories)
    sb_sectors = set(pol.special_bond_capital_categories)
    sources = [f for f in s.funding_sources if f.kind != "reward_fund"]
    quota = {code: {"special_bond": sb, "general_bond": gb} for code, sb, gb in _quota_flags(s)}
    eligible: dict[tuple, tuple[str, ...]] = {}
    members: dict[tuple, list[str]] = {}
    for p in s.projects:
        if p.investment_cny_100m <= 0:
            continue
        prov = province_of[p.city_code]
        ek = (p.category, p.county_seat, prov)
        srcs = eligible.get(ek)
        if srcs is None:
            srcs = eligible[ek] = tuple(f.id for f in sources if f.eligible(*ek) and _offered(f, quota[prov]))
        region = p.city_code if p.city_code in fiscal_city else prov
        if p.min_capital_ratio is not None:
            cap = ("explicit", p.min_capital_ratio)
        else:
            cap = ("gap",) if p.category == "public_service_gap" else ("standard",)
        sbc = p.category in sb_sectors and any(k in special_bond_ids for k in srcs)
        key = (region, srcs, cap, p.category in bond_special, sbc, p.id if per_project else None)
        members.setdefault(key, []).append(p.id)
    count: dict[str, int] = defaultdict(int)
    out = []
    for (region, srcs, cap, bs, sbc, pid), js in members.items():
        count[region] += 1
        out.append(FinanceGroup(
            label=f"{region}:{pid if per_project else count[region]}", region=region,
            province=province_of.get(region, region), city=region if region in fiscal_city else None,
            sources=srcs, capital_class=cap, bond_special=bs, sb_capital=sbc, projects=tuple(js)))
    return tuple(out)


def funding_pairs(s) -> tuple[tuple[str, str], ...]:
    """Eligible (project id, source id) pairs of the projects that need money (remembered)."""
    return _PAIRS.get((s.projects, s.cities, s.funding_sources, _quota_flags(s)), lambda: _funding_pairs(s))


def _funding_pairs(s) -> tuple[tuple[str, str], ...]:
    pairs = []
    quota = {code: {"special_bond": sb, "general_bond": gb} for code, sb, gb in _quota_flags(s)}
    for p in s.projects:
        if p.investment_cny_100m <= 0:
            continue
        prov = s.city(p.city_code).province_code
        for f in s.funding_sources:
            if f.kind != "reward_fund" and f.eligible(p.category, p.county_seat, prov) and _offered(f, quota[prov]):
                pairs.append((p.id, f.id))
    return tuple(pairs)


def finance_structure(s, per_project: bool = False) -> tuple:
    """What decides the finance block's shape (see models.build.structure_key)."""
    pol = s.policy
    return (
        finance_groups(s, per_project),
        tuple((f.id, f.kind, f.counts_as_platform_debt(), f.limit_per_province_cny_100m is None,
               f.limit_total_cny_100m_per_year is None) for f in s.funding_sources),
        tuple(p.fiscal_capacity_cny_100m is None for p in s.provinces),
        tuple(c.fiscal_capacity_cny_100m is None for c in s.cities),
        pol.enterprise_bond_national_volume_cny_100m_per_year is None,
        pol.broad_debt_ratio_limit is None,
    )


def capital_ratio(s, p) -> float:
    if p.min_capital_ratio is not None:
        return p.min_capital_ratio
    return _class_capital_ratio(s.policy, ("gap",) if p.category == "public_service_gap" else ("standard",))


def _class_capital_ratio(pol, cls: tuple) -> float:
    if cls[0] == "explicit":
        return cls[1]
    base = pol.min_capital_ratio
    if cls[0] == "gap":
        base -= pol.public_service_gap_capital_reduction
    return max(0.0, base)


def bond_share(s, p) -> float:
    pol = s.policy
    return pol.bond_max_share_special if p.category in pol.bond_special_categories else pol.bond_max_share


def debt_room(limit: float, capacity: float | None, balance: float) -> float | None:
    """New debt allowed before a debt ratio reaches its limit (0 if already over)."""
    if capacity is None:
        return None
    return max(0.0, limit * capacity - balance)


def legal_debt_room_province(s, prov) -> float | None:
    """New legal debt a province may add over the horizon (see the module docstring)."""
    pol = s.policy
    cap = prov.fiscal_capacity_cny_100m
    if cap is None:
        return None
    line = pol.debt_ratio_limit * cap
    if prov.debt_balance_cny_100m < line:
        return line - prov.debt_balance_cny_100m
    quotas = prov.special_bond_limit_cny_100m_per_year + prov.general_bond_limit_cny_100m_per_year
    return pol.over_line_new_debt_share * quotas * s.years


def broad_debt_room(s, region) -> float | None:
    """New legal + platform debt a province or city may add before its broad ratio reaches the limit."""
    limit = s.policy.broad_debt_ratio_limit
    if limit is None:
        return None
    return debt_room(limit, region.fiscal_capacity_cny_100m,
                     region.debt_balance_cny_100m + region.platform_debt_balance_cny_100m)


def settler_public_cost_cny_100m(pol, settlers: int) -> tuple[float, float]:
    """(public cost, central transfers) of a year's settlers, 亿元."""
    per = (pol.settler_cost_education_cny_10k + pol.settler_cost_health_cny_10k
           + pol.settler_cost_social_security_cny_10k + pol.settler_cost_housing_cny_10k)
    transfer = min(per, pol.settler_central_transfer_cny_10k)
    return cny_100m(settlers * per), cny_100m(settlers * transfer)


def add_block(m, d, per_project: bool = False):
    b = m.finance = pyo.Block()
    s = d.scenario
    pol = s.policy
    src = {f.id: f for f in s.funding_sources}
    kind = {f.id: f.kind for f in s.funding_sources}
    groups = finance_groups(s, per_project)
    b.groups = groups
    b.per_project = per_project
    labels = [g.label for g in groups]
    gpairs = [(g.label, k) for g in groups for k in g.sources]
    b.pairs = gpairs
    b.funded = [j for g in groups for j in g.projects]
    b.funded_set = frozenset(b.funded)

    b.pair_set = pyo.Set(initialize=gpairs, dimen=2, ordered=True, doc="(financing group, eligible source)")
    b.f = pyo.Var(b.pair_set, d.years, domain=pyo.NonNegativeReals,
                  doc="亿元 of source k for the projects of group g started in year t")
    sbc = [g.label for g in groups if g.sb_capital]
    b.sb_capital = pyo.Var(sbc, d.years, domain=pyo.NonNegativeReals,
                           doc="special bonds of group g counted as project capital, 亿元")
    block_param(b, "investment", b.funded, doc="亿元")
    block_param(b, "bond_share", labels)
    block_param(b, "capital_ratio", labels)
    block_param(b, "cost", [f.id for f in s.funding_sources], doc="objective cost per 亿元")
    ginfo = {g.label: g for g in groups}

    def need(g, t, factor=None):
        # Σ_j investment_j·x[j, t]; with a factor (a group's Param), factor·(Σ_j ...): one product per row
        total = sum(b.investment[j] * m.x[j, t] for j in ginfo[g].projects)
        return total if factor is None else factor * total

    def balance(b, g, t):
        return sum(b.f[g, k, t] for k in ginfo[g].sources) == need(g, t)

    b.funding_balance = pyo.Constraint(labels, d.years, rule=balance, doc="fully funded share")

    def bonds(b, g, t):
        ks = [k for k in ginfo[g].sources if kind[k] == "enterprise_bond"]
        if not ks:
            return pyo.Constraint.Skip
        return sum(b.f[g, k, t] for k in ks) <= need(g, t, b.bond_share[g])

    b.bond_share_cap = pyo.Constraint(labels, d.years, rule=bonds, doc="bond proceeds ≤ 60/70% of investment")

    def capital(b, g, t):
        ks = [k for k in ginfo[g].sources if kind[k] in CAPITAL_KINDS]
        own = sum(b.f[g, k, t] for k in ks) + (b.sb_capital[g, t] if ginfo[g].sb_capital else 0)
        return own >= need(g, t, b.capital_ratio[g])

    b.capital_min = pyo.Constraint(labels, d.years, rule=capital, doc="minimum project capital")

    b.special_bond_capital_use = pyo.Constraint(
        sbc, d.years, rule=lambda b, g, t: b.sb_capital[g, t] <= sum(
            b.f[g, k, t] for k in ginfo[g].sources if kind[k] == "special_bond"),
        doc="special bonds counted as capital ≤ the group's special bonds",
    )

    by_source_prov: dict[tuple[str, str], list[str]] = defaultdict(list)
    by_source: dict[str, list[str]] = defaultdict(list)
    for g, k in gpairs:
        by_source_prov[k, ginfo[g].province].append(g)
        by_source[k].append(g)

    sbc_prov: dict[str, list[str]] = defaultdict(list)
    for g in sbc:
        sbc_prov[ginfo[g].province].append(g)
    sbc_p = [p for p in d.provinces if sbc_prov.get(p)]
    block_param(b, "sb_capital_cap", sbc_p, doc="special bonds usable as capital per year, 亿元")
    b.special_bond_capital = pyo.Constraint(
        sbc_p, d.years, rule=lambda b, p, t: sum(b.sb_capital[g, t] for g in sbc_prov[p]) <= b.sb_capital_cap[p],
        doc="special bonds as project capital ≤ the published share of the province's quota",
    )

    lines = [(f.id, p) for f in s.funding_sources if f.limit_per_province_cny_100m is not None
             for p in f.limit_per_province_cny_100m if by_source_prov.get((f.id, p))]
    block_param(b, "line", lines, doc="credit line over the horizon, 亿元")
    b.credit_line = pyo.Constraint(
        lines, rule=lambda b, k, p: sum(b.f[g, k, t] for g in by_source_prov[k, p] for t in d.years) <= b.line[k, p],
        doc="comprehensive credit line per bank and province",
    )

    totals = [f.id for f in s.funding_sources if f.limit_total_cny_100m_per_year is not None and by_source.get(f.id)]
    block_param(b, "total", totals, doc="national total per year, 亿元")
    b.national_total = pyo.Constraint(
        totals, d.years, rule=lambda b, k, t: sum(b.f[g, k, t] for g in by_source[k]) <= b.total[k],
        doc="national total of a source per year",
    )

    eb = [(g, k) for g, k in gpairs if kind[k] == "enterprise_bond"]
    b.eb_volume = pyo.Param(mutable=True, initialize=0.0, doc="national enterprise-bond volume per year, 亿元")
    eb_years = d.years if eb and pol.enterprise_bond_national_volume_cny_100m_per_year is not None else []
    b.enterprise_bond_volume = pyo.Constraint(
        eb_years, rule=lambda b, t: sum(b.f[g, k, t] for g, k in eb) <= b.eb_volume,
        doc="enterprise bonds, all sources, ≤ the national yearly volume",
    )

    def per_province(k_kind):
        return [(k, p) for k in [f.id for f in s.funding_sources if f.kind == k_kind] for p in d.provinces
                if by_source_prov.get((k, p))]

    sb = per_province("special_bond")
    block_param(b, "special_cap", sb, doc="special-bond quota per year, 亿元")
    b.special_bond = pyo.Constraint(
        sb, d.years, rule=lambda b, k, p, t: sum(b.f[g, k, t] for g in by_source_prov[k, p]) <= b.special_cap[k, p],
        doc="special bonds ≤ the province's quota",
    )
    gb = per_province("general_bond")
    block_param(b, "general_cap", gb, doc="general-bond quota per year, 亿元")
    b.general_bond = pyo.Constraint(
        gb, d.years, rule=lambda b, k, p, t: sum(b.f[g, k, t] for g in by_source_prov[k, p]) <= b.general_cap[k, p],
        doc="general bonds ≤ the province's quota",
    )

    # debt: which pairs raise legal and platform debt, and where
    legal = np.fromiter((kind[k] in GOVERNMENT_DEBT_KINDS for _, k in gpairs), bool, len(gpairs))
    platform = np.fromiter((src[k].counts_as_platform_debt() for _, k in gpairs), bool, len(gpairs))
    prov_pos = {p: i for i, p in enumerate(d.provinces)}
    city_pos = {c: i for i, c in enumerate(d.cities)}
    b.pair_province = np.fromiter((prov_pos[ginfo[g].province] for g, _ in gpairs), np.int64, len(gpairs))
    b.pair_city = np.fromiter((city_pos[ginfo[g].city] if ginfo[g].city else -1 for g, _ in gpairs), np.int64,
                              len(gpairs))
    b.pair_legal, b.pair_platform = legal, platform
    legal_prov, legal_city, broad_prov, broad_city = (defaultdict(list) for _ in range(4))
    for i, (g, k) in enumerate(gpairs):
        grp = ginfo[g]
        if legal[i]:
            legal_prov[grp.province].append((g, k))
            if grp.city:
                legal_city[grp.city].append((g, k))
        if legal[i] or platform[i]:
            broad_prov[grp.province].append((g, k))
            if grp.city:
                broad_city[grp.city].append((g, k))

    def total_of(pairs):
        return sum(b.f[g, k, t] for g, k in pairs for t in d.years)

    dr_p = [p.code for p in s.provinces if p.fiscal_capacity_cny_100m is not None and legal_prov.get(p.code)]
    dr_c = [c.code for c in s.cities if c.fiscal_capacity_cny_100m is not None and legal_city.get(c.code)]
    block_param(b, "debt_room_province", dr_p, doc="new legal debt allowed, 亿元")
    block_param(b, "debt_room_city", dr_c, doc="new legal debt allowed, 亿元")
    b.debt_ratio_province = pyo.Constraint(
        dr_p, rule=lambda b, p: total_of(legal_prov[p]) <= b.debt_room_province[p],
        doc="legal debt ratio ≤ the warning line after new legal debt (province)",
    )
    b.debt_ratio_city = pyo.Constraint(
        dr_c, rule=lambda b, c: total_of(legal_city[c]) <= b.debt_room_city[c],
        doc="legal debt ratio ≤ the warning line after new legal debt (city)",
    )
    broad_on = pol.broad_debt_ratio_limit is not None
    bd_p = [p.code for p in s.provinces if broad_on and p.fiscal_capacity_cny_100m is not None
            and broad_prov.get(p.code)]
    bd_c = [c.code for c in s.cities if broad_on and c.fiscal_capacity_cny_100m is not None
            and broad_city.get(c.code)]
    block_param(b, "broad_room_province", bd_p, doc="new legal + platform debt allowed, 亿元")
    block_param(b, "broad_room_city", bd_c, doc="new legal + platform debt allowed, 亿元")
    b.broad_debt_ratio_province = pyo.Constraint(
        bd_p, rule=lambda b, p: total_of(broad_prov[p]) <= b.broad_room_province[p],
        doc="broad debt ratio ≤ its limit after new legal and platform debt (province)",
    )
    b.broad_debt_ratio_city = pyo.Constraint(
        bd_c, rule=lambda b, c: total_of(broad_city[c]) <= b.broad_room_city[c],
        doc="broad debt ratio ≤ its limit after new legal and platform debt (city)",
    )

    # settlers' public cost (item (6)), per city: own budget ≥ cost − central transfers − the city's part of
    # the reward fund (the fund and transfers are spent first: they are free). One column and one row a city.
    b.settler_own_budget = pyo.Var(d.cities, domain=pyo.NonNegativeReals, doc="own budget spent on settlers, 亿元/yr")
    block_param(b, "settler_net_cost", d.cities, doc="settlers' public cost less central transfers per year, 亿元")
    block_param(b, "reward_cap", d.cities, doc="the city's part of the reward fund per year, 亿元")
    b.settler_public_cost = pyo.Constraint(
        d.cities, rule=lambda b, c: b.settler_own_budget[c] >= b.settler_net_cost[c] - b.reward_cap[c],
        doc="settlers' public cost met each year from central transfers, the reward fund and the own budget",
    )

    # Σ_{g,k,t} discount_t · cost_k · f[g,k,t], grouped by source and year (one mutable factor per group
    # of terms, not per variable)
    b.financing_cost = pyo.Expression(
        expr=sum(b.cost[k] * d.discount[t] * pyo.quicksum(b.f[g, k, t] for g in by_source[k])
                 for k in by_source for t in d.years)
    )
    years_weight = sum(d.discount[t] for t in d.years)
    b.settler_budget_cost = pyo.Expression(expr=years_weight * pyo.quicksum(b.settler_own_budget[c] for c in d.cities))
    b.objective_term = pyo.Expression(expr=-b.financing_cost - b.settler_budget_cost)
    set_params(b, d)
    return b


def set_params(b, d) -> None:
    s = d.scenario
    pol = s.policy
    set_values(b.investment, {p.id: p.investment_cny_100m for p in s.projects if p.id in b.funded_set})
    set_values(b.bond_share, {g.label: pol.bond_max_share_special if g.bond_special else pol.bond_max_share
                              for g in b.groups})
    set_values(b.capital_ratio, {g.label: _class_capital_ratio(pol, g.capital_class) for g in b.groups})
    src = {f.id: f for f in s.funding_sources}
    set_values(b.cost, {f.id: cost_per_cny_100m(f, pol.finance_discount_rate_pct, pol.lpr_5y_pct)
                        + (pol.platform_debt_tie_break_cny_100m if f.counts_as_platform_debt() else 0.0)
                        for f in s.funding_sources})
    set_values(b.total, {k: src[k].limit_total_cny_100m_per_year for k in b.total})
    set_values(b.line, {(k, p): src[k].limit_per_province_cny_100m[p] for k, p in b.line})
    set_values(b.eb_volume, pol.enterprise_bond_national_volume_cny_100m_per_year or 0.0)
    set_values(b.special_cap, {(k, p): s.province(p).special_bond_limit_cny_100m_per_year for k, p in b.special_cap})
    set_values(b.general_cap, {(k, p): s.province(p).general_bond_limit_cny_100m_per_year for k, p in b.general_cap})
    set_values(b.sb_capital_cap, {p: pol.special_bond_capital_share * s.province(p).special_bond_limit_cny_100m_per_year
                                  for p in b.sb_capital_cap})
    set_values(b.debt_room_province, {p: legal_debt_room_province(s, s.province(p)) for p in b.debt_room_province})
    limit = pol.debt_ratio_limit
    set_values(b.debt_room_city, {c: debt_room(limit, s.city(c).fiscal_capacity_cny_100m, s.city(c).debt_balance_cny_100m)
                                  for c in b.debt_room_city})
    set_values(b.broad_room_province, {p: broad_debt_room(s, s.province(p)) for p in b.broad_room_province})
    set_values(b.broad_room_city, {c: broad_debt_room(s, s.city(c)) for c in b.broad_room_city})
    net = {}
    for c in s.cities:
        cost, transfer = settler_public_cost_cny_100m(pol, c.settlers_per_year)
        net[c.code] = cost - transfer
    set_values(b.settler_net_cost, net)
    set_values(b.reward_cap, reward_fund_by_city(s))


def disaggregate(b, d, f: np.ndarray, x: np.ndarray, sbc: np.ndarray | None = None):
    """The per-project financing of a group solution, by the proportional split of the module
    docstring: yields (project id, source id, year index, amount, capital part) for every non-zero
    amount. ``f``: (pairs, years) values of ``b.f``; ``x``: (projects, years) of ``m.x`` in
    ``d.projects`` order; ``sbc``: (sb-capital groups, years) values of ``b.sb_capital``."""
    pos = {j: i for i, j in enumerate(d.projects)}
    inv = {j: float(pyo.value(b.investment[j])) for j in b.funded}
    kinds = {f_.id: f_.kind for f_ in d.scenario.funding_sources}
    sbc_row = {g.label: i for i, g in enumerate(gr for gr in b.groups if gr.sb_capital)}
    pair_row = 0
    for g in b.groups:
        rows = np.array([pos[j] for j in g.projects], np.int64)
        need = np.array([inv[j] for j in g.projects])[:, None] * x[rows]        # (members, years)
        total = need.sum(axis=0)
        share = np.divide(need, total, out=np.zeros_like(need), where=total > 1e-12)
        fg = f[pair_row:pair_row + len(g.sources)]
        pair_row += len(g.sources)
        special = sum(fg[i] for i, k in enumerate(g.sources) if kinds[k] == "special_bond") if g.sb_capital else None
        cap_frac = None
        if g.sb_capital and sbc is not None:
            cap_frac = np.divide(sbc[sbc_row[g.label]], special, out=np.zeros(len(d.years)), where=special > 1e-12)
        for ki, k in enumerate(g.sources):
            for ti in np.flatnonzero(fg[ki]).tolist():
                amount = fg[ki, ti] * share[:, ti]
                part = cap_frac[ti] if cap_frac is not None and kinds[k] == "special_bond" else (
                    1.0 if kinds[k] in CAPITAL_KINDS else 0.0)
                for mi in np.flatnonzero(amount > 1e-12).tolist():
                    a = float(amount[mi])
                    yield g.projects[mi], k, ti, a, float(a * part)

