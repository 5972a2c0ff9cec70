"""The result of one solve, in domain terms: what a planner reads, what the API returns.

Every table is a list of flat rows (one pydantic model per row) so it maps 1:1 onto CSV.
Shadow prices are ∂objective/∂limit in 亿元 per unit of the limit (ha unless said): the value of
relaxing that rule by one unit. Raw constraint indices never appear.
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, Field, PrivateAttr

Status = Literal["optimal", "infeasible", "unbounded", "time_limit", "not_solved", "error"]


class ProvinceRow(BaseModel):
    code: str = Field(description="GB/T 2260 province code, e.g. '510000'.")
    name: str = Field(description="Province name from the scenario.")
    pool_ha_per_year: float = Field(
        description="The province's given annual new-land plan quota pool (input), ha per year: its quota under "
        "`provincial_pools`; under `national` allocation only the default base of its band.")
    new_land_ha: float = Field(description="New construction land over the horizon, ha.")
    pool_used_ha: float = Field(description="New land drawn from plan quota (its pool or its allocation), ha.")
    land_quota_bought_ha: float = Field(description=(
        "Cross-regional construction-land quota bought over the horizon, ha."))
    land_quota_sold_ha: float = Field(description="Surplus construction-land quota sold over the horizon, ha.")
    arable_occupied_ha: float = Field(description=(
        "Arable land (PBF and other arable) the plan occupies over the horizon, ha."))
    supplementary_reserve_ha: float = Field(description="Own supplementary arable reserve (input), ha.")
    farmland_quota_bought_ha: float = Field(description="Supplementary-farmland quota bought from other provinces, ha.")
    farmland_quota_sold_ha: float = Field(description="Supplementary-farmland quota sold to other provinces, ha.")
    tilted_share: float | None = Field(description="Share of new land in centre and key-cluster cities (weighted by "
                                       "key_cluster_share), 0–1; null without new land.")
    reward_fund_cny_100m: float = Field(description="Citizenisation reward fund, 亿元 per year.")
    approval_entrusted: bool = Field(description=(
        "True if the province is entrusted with State-Council-level approval (国发〔2020〕4号) in plan year 1 "
        "(entrustment may vary by year: the approvals table gives each year)."))
    projects_state_council: int = Field(description=(
        "Projects (selected or not) whose land the State Council approves (gating authority, plan year 1), count."))
    projects_province_entrusted: int = Field(description="Projects the province approves under entrustment, count.")
    projects_province: int = Field(description="Projects the province approves in its own right, count.")
    financing_cny_100m: float = Field(0.0, description="Money raised for the selected projects, 亿元.")
    new_government_debt_cny_100m: float = Field(0.0, description=(
        "New legal government debt (general and special bonds) over the horizon, 亿元."))
    debt_ratio_before: float | None = Field(None, description=(
        "Legal debt balance ÷ comprehensive fiscal capacity now (1 = 100%); null without fiscal figures."))
    debt_ratio_after: float | None = Field(None, description="The same after the plan's new legal debt (1 = 100%).")
    new_platform_debt_cny_100m: float = Field(0.0, description=(
        "New platform debt (enterprise bonds, loans to platform companies) over the horizon, 亿元."))
    broad_debt_ratio_before: float | None = Field(None, description=(
        "(Legal + platform debt balance) ÷ comprehensive fiscal capacity now (1 = 100%); null without fiscal figures."))
    broad_debt_ratio_after: float | None = Field(None, description=(
        "The same after the plan's new legal and platform debt (1 = 100%)."))
    quota_allocated_ha: float = Field(
        0.0, description="Plan quota the province receives over the horizon, ha: its allocation under `national` "
        "allocation (policy.quota_allocation), else its pool × years.")
    linked_ha: float = Field(
        0.0, description="Land linked to the migrants its cities settle over the horizon (人地挂钩), ha: settlers × "
        "per-settler standard × linkage strength.")
    allocation_floor_ha_per_year: float | None = Field(
        None, description="`national` allocation: linked land + band floor share × base, ha per year; null otherwise.")
    allocation_ceiling_ha_per_year: float | None = Field(
        None, description="`national` allocation: linked land + band ceiling share × base, ha per year; null otherwise.")
    band_edge: Literal["floor", "ceiling", "fixed"] | None = Field(
        None, description="`national` allocation: 'floor' or 'ceiling' when the allocation sits at that edge of its "
        "band in every year; 'fixed' when the band has width 0 (base 0: the allocation is its linked land); null "
        "otherwise.")


class CityRow(BaseModel):
    code: str = Field(description="GB/T 2260 city code, or '<province>-REST' for the rest of a province.")
    name: str = Field(description="City name from the scenario.")
    province_code: str = Field(description="GB/T 2260 code of its province.")
    tilted: bool = Field(description="True for a centre city or key-cluster member (item (20) tilt).")
    settlers_per_year: int = Field(description="Migrants the city settles per year (input), persons per year.")
    per_settler_m2: float = Field(description=(
        "Land standard per eligible settler after tier and provincial flex, m² per person."))
    linkage_need_ha: float = Field(description="Settler land floor over the horizon, ha.")
    new_land_ha: float = Field(description="New construction land over the horizon (projects + general use), ha.")
    project_land_ha: float = Field(description="New land of selected projects (their selected shares), ha.")
    general_land_ha: float = Field(description="New quota for general urban use (housing and services), ha.")
    stock_revitalised_ha: float = Field(description="Inefficient stock land revitalised, ha.")
    settler_shortfall_ha: float = Field(description="Settler land floor missed over the horizon (a priced slack), ha.")
    per_capita_before_m2: float = Field(description="Urban construction land per resident now, m².")
    per_capita_after_m2: float = Field(description=(
        "Urban construction land per projected resident after the plan's new land, m²; regional infrastructure "
        "projects (not urban construction land, GB 50137) left out."))
    per_capita_cap_m2: float = Field(description=(
        "The per-capita cap that applies to this city, m² per resident. A city whose current land already exceeds "
        "this cap × its projected residents gets no new urban land; its per_capita_after_m2 can then exceed the cap "
        "because its residents shrink."))
    settler_public_cost_cny_100m: float = Field(0.0, description=(
        "Settlers' public cost (education, health, social security, housing), 亿元 per year."))
    settler_cost_central_transfers_cny_100m: float = Field(0.0, description=(
        "Part of it met by central transfers that follow settlers, 亿元 per year."))
    settler_cost_reward_fund_cny_100m: float = Field(0.0, description=(
        "Part of it met by the city's part of the reward fund, 亿元 per year."))
    settler_cost_own_budget_cny_100m: float = Field(0.0, description=(
        "Part of it met by the city's own budget, 亿元 per year."))
    new_government_debt_cny_100m: float | None = Field(None, description=(
        "New legal debt of the city's projects over the horizon, 亿元; null unless the city has fiscal figures."))
    new_platform_debt_cny_100m: float | None = Field(None, description=(
        "New platform debt of the city's projects over the horizon, 亿元; null unless the city has fiscal figures."))
    debt_ratio_before: float | None = Field(None, description=(
        "The city's legal debt balance ÷ its fiscal capacity now (1 = 100%); null without its figures."))
    debt_ratio_after: float | None = Field(None, description="The same after its new legal debt (1 = 100%).")
    broad_debt_ratio_before: float | None = Field(None, description=(
        "The city's (legal + platform debt) ÷ its fiscal capacity now (1 = 100%); null without its figures."))
    broad_debt_ratio_after: float | None = Field(None, description=(
        "The same after its new legal and platform debt (1 = 100%)."))


class ProvinceYearRow(BaseModel):
    """One province in one plan year: the rules of the land plan can be checked year by year."""

    province_code: str = Field(description="GB/T 2260 province code.")
    year: int = Field(description="Plan year (1 = the first).")
    quota_allocated_ha: float = Field(description="Plan quota allocated (national mode) or the pool, ha.")
    allocation_floor_ha: float | None = Field(description="Linked land + band floor, ha (national mode; else null).")
    allocation_ceiling_ha: float | None = Field(description="Linked land + band ceiling, ha (national mode; else null).")
    linked_ha: float = Field(description="Land linked to settled migrants (人地挂钩), ha.")
    new_land_ha: float = Field(description="New construction land of its units, ha.")
    quota_used_ha: float = Field(description="New land drawn from plan quota (new land − bought), ha.")
    bought_ha: float = Field(description="Cross-regional construction-land quota bought, ha.")
    sold_ha: float = Field(description="Surplus construction-land quota sold, ha.")
    stock_revitalised_ha: float = Field(description="Inefficient stock land revitalised, ha.")
    settler_shortfall_ha: float = Field(description="Settler land floors its units miss (a priced slack), ha.")
    tilted_share: float | None = Field(description="Share of new land in centre and key-cluster units (weighted by "
                                       "key_cluster_share), 0–1; null without new land.")
    tilt_shortfall_ha: float = Field(description="Tilt shortfall, ha (province-level tilt; 0 when tilt is national).")


class CityYearRow(BaseModel):
    """One city unit in one plan year."""

    city_code: str = Field(description="GB/T 2260 city code, or '<province>-REST'.")
    province_code: str = Field(description="GB/T 2260 code of its province.")
    year: int = Field(description="Plan year (1 = the first).")
    linked_ha: float = Field(description="Land its settlers earn (its settler floor), ha.")
    new_land_ha: float = Field(description="New construction land (projects + general use), ha.")
    project_land_ha: float = Field(description="New land of selected projects started this year, ha.")
    regional_land_ha: float = Field(description="Of it, land of regional infrastructure projects (not under the "
                                    "per-capita cap), ha.")
    general_land_ha: float = Field(description="New quota for general urban use, ha.")
    stock_revitalised_ha: float = Field(description="Inefficient stock land revitalised, ha.")
    settler_shortfall_ha: float = Field(description="Settler land floor missed (a priced slack), ha.")


class NationalYearRow(BaseModel):
    """The national plan in one year: what is allocated against the total, and its price."""

    year: int = Field(description="Plan year (1 = the first).")
    quota_allocation: str = Field(description="'national' or 'provincial_pools' (policy.quota_allocation).")
    national_total_ha: float | None = Field(description="The national plan total, ha; null = none.")
    quota_allocated_ha: float = Field(description="Σ provinces' allocations (national mode) or pools, ha.")
    quota_used_ha: float = Field(description="Σ new land drawn from plan quota, ha.")
    linked_ha: float = Field(description="Σ linked land, ha.")
    shadow_price_cny_100m_per_ha: float = Field(
        description="Shadow price of the national total: what one more ha of it is worth, 亿元/ha (0 when it does not bind).")
    binds: bool = Field(description="Whether the national total binds this year.")


class NationalSummary(BaseModel):
    """The national plan over the horizon (issue 13)."""

    quota_allocation: str = Field(description="'national' or 'provincial_pools' (policy.quota_allocation).")
    national_total_ha: float | None = Field(description="The national total over the horizon, ha; null = none.")
    quota_allocated_ha: float = Field(description="Allocated (national mode) or pooled quota over the horizon, ha.")
    quota_used_ha: float = Field(description="New land drawn from plan quota over the horizon, ha.")
    linked_ha: float = Field(description="Linked land over the horizon, ha.")
    settlers: float = Field(description="Settlers over the horizon, persons (all, central districts included).")
    linked_m2_per_settler: float | None = Field(description="Linked land per settler, m² (national average).")
    shadow_price_cny_100m_per_ha: list[float] = Field(description="The national total's shadow price by year, 亿元/ha.")
    binds: bool = Field(description="Whether the national total binds in every year.")
    provinces_at_floor: list[str] = Field(default_factory=list, description="Provinces at their allocation floor every year.")
    provinces_at_ceiling: list[str] = Field(default_factory=list, description="Provinces at their allocation ceiling every year.")
    provinces_fixed: list[str] = Field(default_factory=list, description=(
        "Provinces whose band has width 0 (base 0): their allocation is their linked land."))
    note_en: str = Field("", description="Why the national total binds or does not.")
    note_zh: str = Field("", description="The same in Chinese.")


class ProjectRow(BaseModel):
    id: str = Field(description="Project id from the scenario.")
    city_code: str = Field(description="City (or rest-of-province unit) code.")
    province_code: str = Field(description="GB/T 2260 province code.")
    category: str = Field(description="Project category (e.g. 'new_urbanisation', 'public_service_gap').")
    area_ha: float = Field(description="Land of the whole project, ha.")
    selected_share: float = Field(description=(
        "Share of the project selected over the horizon, 0–1 (1 = built in full)."))
    start_year: int | None = Field(description="Year in which most of it starts; null if not selected.")
    started_share_by_year: list[float] = Field(default_factory=list, description=(
        "Share of the project started in each plan year (year 1 first), 0–1 each; they add up to "
        "selected_share."))
    financing_group: str | None = Field(None, description=(
        "The financing group whose rows fund it (models.finance: projects of one region the financing rules "
        "cannot tell apart), as Binding.region names it for funding_balance, capital_ratio, bond_share and "
        "special_bond_capital_use; null if the project needs no money."))
    value_cny_100m: float = Field(description="Value of the whole project (input), 亿元.")
    approval_authority: str = Field(description=(
        "Gating authority, the higher of its two approvals in its start year (year 1 if not selected): "
        "'state_council', 'province_entrusted', 'province' or 'none'."))
    approval_reason: str = Field(description="Why that authority, in words (the approval that decides it).")
    legal_basis: str = Field(description="The article or document the gating approval rests on.")
    conversion_authority: str = Field("", description="Who approves converting its agricultural land (Art. 44); "
                                      "'none' if it has none.")
    conversion_reason: str = Field("", description="Why, in words.")
    conversion_legal_basis: str = Field("", description="The article or document the conversion route rests on.")
    expropriation_authority: str = Field("", description="Who approves expropriating its collective land (Art. 46); "
                                         "'none' if all of it is state-owned.")
    expropriation_reason: str = Field("", description="Why, in words (35/70 ha on the land expropriated).")
    expropriation_legal_basis: str = Field("", description="The article or document the expropriation route rests on.")


class ApprovalRow(BaseModel):
    """Approvals by authority, kind and year (issue 14), over the selected projects and general-use batches.

    ``kind``: ``application`` — what the capacities count (one application per project or batch, at its
    gating authority; Art. 46 para. 3: conversion and expropriation filed together); ``conversion`` and
    ``expropriation`` — each approval at its own authority (informative; no capacity). A selected share
    of a project is that share of a case; a batch of general-use land is g ÷ batch size cases."""

    authority: Literal["state_council", "province_entrusted", "province"] = Field(description=(
        "Who approves: the State Council, a pilot province under entrustment, or a province on its own powers."))
    region: str = Field(description="Province code (GB/T 2260), or 'national' for the State Council.")
    kind: Literal["application", "conversion", "expropriation"] = Field(description=(
        "'application' (what capacities count), 'conversion' (Art. 44) or 'expropriation' (Art. 46)."))
    year: int = Field(description="Plan year (1 = first).")
    cases: float = Field(description="Applications approved (shares of projects and batches), cases.")
    area_ha: float = Field(description="Land approved, ha.")
    general_use_area_ha: float = Field(0.0, description="Of which general-use batches, ha.")
    capacity_ha: float | None = Field(None, description="Capacity in ha (application rows; null = unlimited). "
                                      "A province's capacity counts its own and its entrusted applications.")
    capacity_cases: float | None = Field(None, description="Capacity in cases (application rows; null = unlimited).")
    shadow_price_cny_100m_per_ha: float = Field(0.0, description="Value of one more ha of capacity, 亿元/ha.")
    shadow_price_cny_100m_per_case: float = Field(0.0, description="Value of one more case of capacity, 亿元/case.")
    lead_months: float = Field(0.0, description="Lead time of this authority, months (application rows).")
    lead_time_loss_cny_100m: float = Field(0.0, description="Value lost to the lead time, 亿元 (application rows).")
    lead_time_price_cny_100m_per_month: float = Field(
        0.0, description="∂objective/∂lead_months from these applications at the current plan, 亿元 per month "
        "(≤ 0: one more month of lead time costs this much).")


class TradeRow(BaseModel):
    market: Literal["construction_land", "supplementary_farmland"] = Field(description=(
        "'construction_land' (增减挂钩 surplus quota) or 'supplementary_farmland' (补充耕地 quota)."))
    province_code: str = Field(description="GB/T 2260 code of the trading province.")
    side: Literal["buy", "sell"] = Field(description="'buy' or 'sell'.")
    year: int | None = Field(description="Plan year; null for farmland quota (traded over the horizon).")
    area_ha: float = Field(description="Quota traded, ha.")
    price_cny_10k_per_mu: float = Field(description="State-set price the province pays or receives, 万元 per 亩.")
    amount_cny_100m: float = Field(description="Money paid or received, undiscounted, 亿元.")


class FinancingRow(BaseModel):
    """Money from one source for one project in one start year (item (21))."""

    project_id: str = Field(description="Project funded.")
    city_code: str = Field(description="Its city code.")
    province_code: str = Field(description="Its province code.")
    source_id: str = Field(description="Funding source id (a row of scenario.funding_sources).")
    source_kind: str = Field(description=(
        "Kind of source: enterprise_bond, loan, grant, special_bond, general_bond or own_capital."))
    year: int = Field(description="Plan year in which this share of the project starts.")
    amount_cny_100m: float = Field(description="Money from this source, 亿元.")
    share_of_investment: float = Field(description="Amount ÷ the project's whole investment, 0–1.")
    cost_cny_100m: float = Field(description="What this money costs in the objective, 亿元.")
    counts_as_capital: bool = Field(description=(
        "True if some of this money counts as project capital (own capital, grants; special bonds in the "
        "listed sectors up to the published share); other borrowed money never does."))
    government_debt: bool = Field(description="True if this money is new legal debt (general or special bonds).")
    platform_debt: bool = Field(False, description=(
        "True if this money is platform debt (enterprise bonds, loans to platform companies)."))
    capital_cny_100m: float = Field(0.0, description="Part of the amount that counts as project capital, 亿元.")


class LimitRow(BaseModel):
    """Use of a money limit: a credit line, a quota, an allocation or a debt-ratio room."""

    limit: Literal["credit_line", "national_total", "enterprise_bond_volume", "reward_fund", "special_bond",
                   "general_bond", "special_bond_capital", "debt_ratio_province", "debt_ratio_city",
                   "broad_debt_ratio_province", "broad_debt_ratio_city"] = Field(description=(
        "Which money limit: a credit line per bank and province, a national total per year, the national "
        "enterprise-bond volume per year, a city's part of the reward fund (used: the part of settlers' cost "
        "it pays), a special- or general-bond quota, special bonds usable as capital per province and year, or "
        "the legal or broad debt-ratio room of a province or city."))
    source_id: str | None = Field(description="Funding source the limit applies to; null for the others.")
    region: str = Field(description="Province or city code, or 'national'.")
    year: int | None = Field(description="Plan year; null for limits over the whole horizon.")
    used_cny_100m: float = Field(description="What the plan uses of it, 亿元.")
    limit_cny_100m: float = Field(description="The limit, 亿元.")


class Shortfall(BaseModel):
    """A soft target the plan misses (a non-zero priced slack)."""

    rule: str = Field(description="The soft rule missed: 'settler_land_floor' or 'tilt_share'.")
    policy_item: str = Field(description="Policy item, e.g. '(6) linkage'.")
    region: str = Field(description="City code (settler floor) or province code (tilt).")
    year: int = Field(description="Plan year.")
    amount_ha: float = Field(description="How much of the target is missed, ha.")


class Binding(BaseModel):
    """A rule at its limit, with its shadow price in domain units."""

    rule: str = Field(description="Rule name, e.g. 'provincial_pool'.")
    policy_item: str = Field(description="Policy item it implements, e.g. '(20) land plan'.")
    region: str = Field(description="Province, city or project it applies to (code or id), or 'national'.")
    year: int | None = Field(description="Plan year; null for rules over the whole horizon.")
    limit: float = Field(description="The right-hand side: the limit as the rule states it, in ha, 亿元 or projects (see `unit`).")
    shadow_price: float = Field(description="∂objective/∂limit, 亿元 per unit of the limit.")
    unit: str = Field(description="Unit of the shadow price: '亿元/ha', '亿元/亿元' or '亿元/project'.")
    description: str = Field(description="What one more unit of the limit is, in words (English).")
    source_id: str | None = Field(None, description=(
        "The funding source of a per-source rule (credit_line, national_funding_total): its id in "
        "`funding_sources`; null for other rules."))

    _key: tuple | None = PrivateAttr(None)
    """(rule name, constraint index) of the row, set by ``solvers.duals``: how an explanation finds the
    row behind this Binding (never by its text). Not serialised."""


class Headline(BaseModel):
    """The figures a planner compares across what-ifs (the batch KPIs), over the whole horizon.

    Computed from the solution arrays (``solvers.extract.headline``), so a batch gets them without
    building the result tables; a full result carries the same numbers."""

    new_land_ha: float = Field(description="New construction land, all provinces, ha.")
    settlers_covered: float = Field(
        description="Settlers (persons) whose land floor (item (6)) the plan meets: Σ_cities settlers × years × "
        "(1 − shortfall ÷ need).")
    state_council_approvals: int = Field(description="Selected projects the State Council must approve (35/70 ha).")
    arable_occupied_ha: float = Field(description="Arable land occupied, all provinces, ha.")
    financing_cost_cny_100m: float = Field(description="Discounted cost of the money raised (item (21)), 亿元.")
    max_debt_ratio_after: float | None = Field(
        description="Highest provincial debt ratio after the plan's new government debt, 0–1 and more "
        "(1 = 100%); null without fiscal data.")
    unmet_targets_ha: float = Field(description="Soft targets missed: settler floors and tilt shares, ha.")
    new_land_by_province: dict[str, float] = Field(description="New construction land by province code, ha.")
    quota_allocated_by_province: dict[str, float] = Field(
        default_factory=dict,
        description="Plan quota by province code over the horizon, ha: the LP's allocation under `national` "
        "allocation, else the pools.")


class SolveStats(BaseModel):
    variables: int = Field(0, description="Columns of the LP, count.")
    constraints: int = Field(0, description="Rows of the LP, count.")
    nonzeros: int = Field(0, description="Nonzeros of the constraint matrix, count.")
    build_s: float = Field(0.0, description="Time to build the Pyomo model (or update it for a what-if), seconds.")
    solve_s: float = Field(0.0, description="Time to hand the model to HiGHS and solve it, seconds.")
    extract_s: float = Field(0.0, description="Time to read the solution into the result tables, seconds.")
    solver: str = Field("", description="Solver and versions, e.g. 'HiGHS 1.16.0 via Pyomo 6.10.1'.")
    termination: str = Field("", description=(
        "Termination condition as Pyomo names it, e.g. 'convergenceCriteriaSatisfied'."))
    mip: bool = Field(False, description="True when projects were selected whole (a MIP).")
    mip_gap: float | None = Field(None, description="Relative MIP gap at the end, 0–1; null for an LP.")
    scenario_sha256: str | None = Field(
        None, description="SHA-256 (hex) of the effective scenario's canonical JSON (service.scenario_file), the "
        "bytes of the scenario.json written beside the result (CLI) or served for the job; null when not computed.")


class Result(BaseModel):
    scenario: str = Field(description="Scenario name.")
    status: Status = Field(description="optimal, infeasible, unbounded, time_limit, not_solved or error.")
    message: str = Field("", description="Why there is no optimal answer, in words; empty when optimal.")
    objective_cny_100m: float | None = Field(None, description=(
        "Objective (discounted value of the plan net of costs and priced shortfalls), 亿元; null without "
        "a solution."))
    objective_terms_cny_100m: dict[str, float] = Field(default_factory=dict, description=(
        "The objective by term, 亿元; the terms add up to the objective: projects, general_land (value of "
        "general-use land and revitalised stock), linkage_shortfall_penalty (priced settler-floor shortfalls), "
        "revitalisation_and_tilt_penalty (revitalisation cost and priced tilt shortfalls), allocation_tie_break "
        "(national allocation only: policy.unused_allocation_cost_cny_10k_per_ha × quota allocated, discounted; "
        "else 0), trading_and_farmland_cost, financing_cost, settler_public_cost (own budgets), "
        "approval_lead_time (value lost to approval lead times)."))
    provinces: list[ProvinceRow] = Field(default_factory=list, description="One row per province.")
    cities: list[CityRow] = Field(default_factory=list, description="One row per city or rest-of-province unit.")
    projects: list[ProjectRow] = Field(default_factory=list, description="One row per project.")
    trades: list[TradeRow] = Field(default_factory=list, description=(
        "Quota trades (construction land per year, farmland over the horizon)."))
    financing: list[FinancingRow] = Field(default_factory=list, description=(
        "Money raised, per project, source and start year."))
    limits: list[LimitRow] = Field(default_factory=list, description="Use of each money limit.")
    shortfalls: list[Shortfall] = Field(default_factory=list, description="Soft targets missed (priced slacks).")
    binding: list[Binding] = Field(default_factory=list, description=(
        "Every rule at its limit with a non-zero shadow price (亿元 per unit of the limit)."))
    approvals: list[ApprovalRow] = Field(
        default_factory=list, description="Approvals by authority × kind × year: cases, ha, capacity, shadow price.")
    province_years: list[ProvinceYearRow] = Field(default_factory=list, description=(
        "One row per province and plan year: allocation, linked land, new land, trades, stock, shortfalls."))
    city_years: list[CityYearRow] = Field(default_factory=list, description="One row per city unit and plan year.")
    national_years: list[NationalYearRow] = Field(default_factory=list, description=(
        "One row per plan year: quota allocated against the national total, with its shadow price."))
    national: NationalSummary | None = Field(
        None, description="The national plan: allocated against the total, its shadow price, linked land per settler.")
    headline: Headline | None = Field(None, description="The figures compared across what-ifs; null without a solution.")
    stats: SolveStats = Field(default_factory=SolveStats, description="Size of the LP and time spent.")
    explain: Explanation | None = Field(
        None, description="Why this answer: binding rules by policy item with shadow prices and ranges, "
        "value ranges, unmet targets, a summary (solvers.explain). null when solved with explain off.")
    diagnosis: Diagnosis | None = Field(
        None, description="For an infeasible scenario: the minimal sets of rules in conflict and how much the "
        "data would have to change (solvers.diagnosis).")

    def table(self, name: str) -> list[BaseModel]:
        return {
            "provinces": self.provinces, "cities": self.cities, "projects": self.projects,
            "trades": self.trades, "financing": self.financing, "limits": self.limits,
            "shortfalls": self.shortfalls, "binding": self.binding, "approvals": self.approvals,
            "province_years": self.province_years, "city_years": self.city_years,
            "national_years": self.national_years,
        }[name]


TABLES = ("provinces", "cities", "projects", "trades", "financing", "limits", "shortfalls", "binding", "approvals",
          "province_years", "city_years", "national_years")


# ---- Explanations (issue 5; built by solvers.explain and solvers.diagnosis) ---------------------


class OwnPrice(BaseModel):
    """What one more ha of a quota market is worth to one trading province itself, counting what it
    pays or receives (issue 13 item 7): the national price of a clearing row nets payments out."""

    province_code: str = Field(description="GB/T 2260 code of the trading province.")
    province_name: str = Field(description="Its name from the scenario.")
    side: Literal["buy", "sell"] = Field(description="'buy' or 'sell'.")
    traded_ha: float = Field(description="Quota the province buys or sells in this market (and year), ha.")
    payment_cny_10k_per_ha: float = Field(
        description="What it pays (buy) or receives (sell) per ha, 万元/ha, discounted to plan year 1 as in "
        "the objective.")
    own_price_cny_100m: float = Field(
        description="Value to the province of one more ha traded, 亿元/ha: its own marginal value of the land "
        "or reserve the quota adds (buy) or takes (sell), with every trade held as it is, less what it pays "
        "or plus what it receives.")
    own_price_cny_10k: float = Field(description="The same in 万元/ha.")


class BindingExplained(BaseModel):
    """A rule at its limit, in words, with the range of the limit over which its price holds."""

    rule: str = Field(description="Rule name, e.g. 'provincial_pool'.")
    policy_item: str = Field(description="Policy item, e.g. '(20) land plan'.")
    region: str = Field(description="Province or city code, project id, or 'national'.")
    region_name: str = Field(description="The region's name from the scenario, e.g. '四川'; '' for national.")
    year: int | None = Field(description="Plan year; null for rules over the whole horizon.")
    subject_en: str = Field(description="What the limit is, e.g. \"Sichuan (四川, 510000)'s year-1 new-land quota pool\".")
    subject_zh: str = Field(description="The same in Chinese.")
    limit: float = Field(description="The limit as the rule states it, in `limit_unit`.")
    limit_unit: str = Field(description="Unit of the limit: 'ha', '亿元' or 'project'.")
    shadow_price_cny_100m: float = Field(
        description="∂objective/∂limit, 亿元 per limit unit: positive when more of the limit is worth something.")
    shadow_price_cny_10k: float = Field(description="The same in 万元 per limit unit (× 10,000).")
    limit_low: float | None = Field(
        description="Lowest limit for which this shadow price still holds (HiGHS ranging), in `limit_unit`; "
        "null = no lower end.")
    limit_high: float | None = Field(
        description="Highest limit for which this shadow price still holds, in `limit_unit`; null = no upper end.")
    range_exact: bool = Field(
        True, description="False when a degenerate end could not be confirmed within the explain budget: "
        "the price then holds at least over [limit_low, limit_high].")
    price_of_more_cny_100m: float | None = Field(
        None, description="Value of one more unit of the limit, 亿元. Equals the shadow price unless the plan "
        "sits on a corner at the current limit (limit_high = limit); null when more is infeasible or unknown.")
    price_of_less_cny_100m: float | None = Field(
        None, description="Objective change per unit the limit is lowered, 亿元 (positive: lowering it costs); "
        "equals the shadow price unless limit_low = limit; null when less is infeasible or unknown.")
    marginal_projects: list[str] = Field(
        default_factory=list, description="Partly selected projects under this limit: they set its price.")
    price_source: Literal["allocation", "shortfall_penalty", "national_market"] = Field(
        "allocation", description="What sets the shadow price: 'allocation' (the marginal use of land or "
        "money, e.g. a partly selected project); 'shortfall_penalty' (a soft target is missed, so the "
        "price is the priced slack's penalty, discounted, and names no project); 'national_market' (a "
        "quota market's clearing row: payments between provinces cancel, see own_prices).")
    own_prices: list[OwnPrice] = Field(
        default_factory=list, description="For a quota market's clearing row: each trading province's own "
        "price of one more ha, counting what it pays or receives.")
    sentence_en: str = Field(description="The rule, its price and the range over which the price holds, in English.")
    sentence_zh: str = Field(description="The same in Chinese.")


class BindingGroup(BaseModel):
    """The binding rules of one policy item."""

    policy_item: str = Field(description="Policy item, e.g. '(20) land plan'.", examples=["(20) land plan"])
    title_en: str = Field(description="Heading of the item, in English.")
    title_zh: str = Field(description="Heading of the item, in Chinese.")
    rules: list[BindingExplained] = Field(description="The item's binding rules, largest shadow price first.")
    omitted: int = Field(
        0, description="Binding rules (a count) of this item not explained here (smaller shadow prices, beyond the "
        "explain limit per item); every one is in Result.binding.")


class ValueRange(BaseModel):
    """How far a value in the data may move before the allocation changes (HiGHS cost ranging)."""

    kind: Literal["project_value", "city_land_value"] = Field(
        description="project_value: a project's value_cny_100m (亿元); city_land_value: a city's "
        "new_land_value_cny_10k_per_ha (万元/ha), which prices its general-use and revitalised land.")
    id: str = Field(description="Project id or city code.")
    name: str = Field(description="City name (for a project, its city's).")
    province_code: str = Field(description="GB/T 2260 code of the province.")
    value: float = Field(description="The value in the scenario, in `unit`.")
    unit: str = Field(description="'亿元' or '万元/ha'.")
    low: float | None = Field(
        description="Lowest value with the same allocation, in `unit`; null = none down to 0 (values are ≥ 0).")
    high: float | None = Field(description="Highest value with the same allocation, in `unit`; null = no upper end.")
    range_exact: bool = Field(
        True, description="False when a degenerate end could not be confirmed within the explain budget.")
    use: str = Field(description="What the plan does with it now, e.g. 'selected 95%' or '50 ha general, 30 ha stock'.")
    sentence_en: str = Field(description="The range in words, English.")
    sentence_zh: str = Field(description="The same in Chinese.")


class UnmetTarget(BaseModel):
    """A soft target the plan misses: a non-zero priced slack, in words."""

    rule: str = Field(description="The soft rule missed: 'settler_land_floor' or 'tilt_share'.")
    policy_item: str = Field(description="Policy item, e.g. '(6) linkage'.")
    region: str = Field(description="City code (settler floor) or province code (tilt).")
    region_name: str = Field(description="Its name from the scenario.")
    year: int = Field(description="Plan year.")
    amount_ha: float = Field(description="How much of the target is missed, ha.")
    penalty_cny_100m: float = Field(description="What the miss costs in the objective, 亿元 (discounted).")
    sentence_en: str = Field(description="The miss in words, English.")
    sentence_zh: str = Field(description="The same in Chinese.")


class Explanation(BaseModel):
    """Why the plan is what it is: binding rules and their prices, ranges, unmet targets, a summary."""

    summary_en: str = Field(description=(
        "A few sentences on the answer: objective, scarcest land and money, pools, unmet targets, marginal "
        "projects (English)."))
    summary_zh: str = Field(description="The same in Chinese.")
    binding_groups: list[BindingGroup] = Field(default_factory=list, description=(
        "Binding rules by policy item, (6) before (20) before (21)."))
    value_ranges: list[ValueRange] = Field(default_factory=list, description=(
        "How far project and land values may move before the allocation changes."))
    unmet_targets: list[UnmetTarget] = Field(default_factory=list, description=(
        "Soft targets the plan misses, with their cost."))
    notes: list[str] = Field(default_factory=list, description="What could not be explained, and why.")
    method: str = Field("", description="How shadow prices and ranges were obtained, with sign conventions.")
    elapsed_s: float = Field(0.0, description="Time spent building the explanation, seconds.")


class ConflictRule(BaseModel):
    """One rule of a minimal conflicting set, with the change of its data that alone would resolve it."""

    kind: Literal["limit", "committed_project", "balance", "eligibility", "other"] = Field(
        description="limit: a data limit (pool, cap, reserve, capacity …); committed_project: a project that "
        "must be built in full; balance: a market-clearing or funding balance (not data); eligibility: "
        "a region barred from a market; other: anything else in the model.")
    rule: str = Field(description="Rule name, e.g. 'per_capita_cap' or 'committed_project'.")
    policy_item: str = Field(description="Policy item, e.g. '(20) per-capita cap'.")
    region: str = Field(description="Province or city code, project id, or 'national'.")
    region_name: str = Field(description="Its name from the scenario.")
    year: int | None = Field(description="Plan year; null for rules over the whole horizon.")
    limit: float | None = Field(description="The limit as the rule states it now, in `unit` (committed: 1 = in full).")
    unit: str = Field(description=(
        "Unit of limit, required and change_needed: 'ha', '亿元', or 'share' (a committed project)."))
    required: float | None = Field(
        description="What the other rules of the conflict force through this one: the limit it would need, in `unit`, "
        "all else unchanged (committed project: the largest share that fits). null when no change of this "
        "rule alone resolves the scenario.")
    change_needed: float | None = Field(description="required − limit, in `unit`.")
    sentence_en: str = Field(description="The rule's part in the conflict, in English.")
    sentence_zh: str = Field(description="The same in Chinese.")


class Conflict(BaseModel):
    """A minimal set of rules that cannot all hold (an irreducible infeasible subsystem)."""

    regions: list[str] = Field(description="Province codes involved.")
    rules: list[ConflictRule] = Field(description="The rules of the conflict, committed projects and limits first.")
    headline_en: str = Field(description="The conflict in one sentence, English.")
    headline_zh: str = Field(description="The same in Chinese.")


class Diagnosis(BaseModel):
    """Why a scenario is infeasible, in domain terms."""

    summary_en: str = Field(description="The conflicts in a few sentences, English.")
    summary_zh: str = Field(description="The same in Chinese.")
    conflicts: list[Conflict] = Field(default_factory=list, description="Minimal sets of rules that cannot all hold.")
    complete: bool = Field(
        description="True when relaxing the listed conflicts makes the scenario feasible (all conflicts found).")
    method: str = Field("", description="How the conflicts and amounts were found.")
    elapsed_s: float = Field(0.0, description="Time spent diagnosing, seconds.")


Result.model_rebuild()
