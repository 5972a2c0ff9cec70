"""The result of one solve, in domain terms: what a planner reads, what the API returns.

Every table is a list of flat rows (one pydantic model per row) so it maps 1:1 onto CSV.
Shadow prices are ∂objective/∂limit in 亿元 per unit of the limit (ha unless said): the value of
relaxing that rule by one unit. Raw constraint indices never appear.
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, Field

Status = Literal["optimal", "infeasible", "unbounded", "time_limit", "not_solved", "error"]


class ProvinceRow(BaseModel):
    code: str
    name: str
    pool_ha_per_year: float
    new_land_ha: float = Field(description="New construction land over the horizon, ha.")
    pool_used_ha: float = Field(description="New land drawn from the provincial pool, ha.")
    land_quota_bought_ha: float
    land_quota_sold_ha: float
    arable_occupied_ha: float
    supplementary_reserve_ha: float
    farmland_quota_bought_ha: float
    farmland_quota_sold_ha: float
    tilted_share: float | None = Field(description="Share of new land in centre and key-cluster cities.")
    reward_fund_cny_100m: float = Field(description="Citizenisation reward fund, 亿元 per year.")
    approval_entrusted: bool
    projects_state_council: int
    projects_province_entrusted: int
    projects_province: int
    financing_cny_100m: float = Field(0.0, description="Money raised for the selected projects, 亿元.")
    new_government_debt_cny_100m: float = Field(0.0, description="New government debt (special bonds), 亿元.")
    debt_ratio_before: float | None = Field(None, description="Debt balance ÷ comprehensive fiscal capacity now.")
    debt_ratio_after: float | None = Field(None, description="The same after the plan's new government debt.")


class CityRow(BaseModel):
    code: str
    name: str
    province_code: str
    tilted: bool
    settlers_per_year: int
    per_settler_m2: float
    linkage_need_ha: float = Field(description="Settler land floor over the horizon, ha.")
    new_land_ha: float
    project_land_ha: float
    general_land_ha: float
    stock_revitalised_ha: float
    settler_shortfall_ha: float
    per_capita_before_m2: float
    per_capita_after_m2: float
    per_capita_cap_m2: float


class ProjectRow(BaseModel):
    id: str
    city_code: str
    province_code: str
    category: str
    area_ha: float
    selected_share: float
    start_year: int | None = Field(description="Year in which most of it starts; null if not selected.")
    value_cny_100m: float
    approval_authority: str = Field(description="Gating authority (the higher of the two approvals) in its start "
                                    "year (year 1 if not selected).")
    approval_reason: str
    legal_basis: str
    conversion_authority: str = Field("", description="Who approves converting its agricultural land (Art. 44).")
    conversion_reason: str = ""
    conversion_legal_basis: str = ""
    expropriation_authority: str = Field("", description="Who approves expropriating its collective land (Art. 46).")
    expropriation_reason: str = ""
    expropriation_legal_basis: str = ""


class ApprovalRow(BaseModel):
    """Approvals by authority, kind and year (issue 14), over the selected projects and general-use batches.

    ``kind``: ``application`` — what the capacities count (one application per project or batch, at its
    gating authority; Art. 46 para. 3: conversion and expropriation filed together); ``conversion`` and
    ``expropriation`` — each approval at its own authority (informative; no capacity). A selected share
    of a project is that share of a case; a batch of general-use land is g ÷ batch size cases."""

    authority: Literal["state_council", "province_entrusted", "province"]
    region: str = Field(description="Province code, or 'national' for the State Council.")
    kind: Literal["application", "conversion", "expropriation"]
    year: int
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
    market: Literal["construction_land", "supplementary_farmland"]
    province_code: str
    side: Literal["buy", "sell"]
    year: int | None = Field(description="Plan year; null for farmland quota (traded over the horizon).")
    area_ha: float
    price_cny_10k_per_mu: float
    amount_cny_100m: float


class FinancingRow(BaseModel):
    """Money from one source for one project in one start year (item (21))."""

    project_id: str
    city_code: str
    province_code: str
    source_id: str
    source_kind: str
    year: int
    amount_cny_100m: float
    share_of_investment: float
    cost_cny_100m: float = Field(description="What this money costs in the objective, 亿元.")
    counts_as_capital: bool
    government_debt: bool


class LimitRow(BaseModel):
    """Use of a money limit: a credit line, a quota, an allocation or a debt-ratio room."""

    limit: Literal["credit_line", "national_total", "reward_fund", "special_bond", "debt_ratio_province",
                   "debt_ratio_city"]
    source_id: str | None
    region: str
    year: int | None
    used_cny_100m: float
    limit_cny_100m: float


class Shortfall(BaseModel):
    """A soft target the plan misses (a non-zero priced slack)."""

    rule: str
    policy_item: str
    region: str
    year: int
    amount_ha: float


class Binding(BaseModel):
    """A rule at its limit, with its shadow price in domain units."""

    rule: str = Field(description="Rule name, e.g. 'provincial_pool'.")
    policy_item: str = Field(description="Policy item it implements, e.g. '(20) land plan'.")
    region: str = Field(description="Province, city or project it applies to (code or id), or 'national'.")
    year: int | None
    limit: float = Field(description="The right-hand side: the limit as the rule states it.")
    shadow_price: float = Field(description="∂objective/∂limit, 亿元 per unit of the limit.")
    unit: str
    description: str


class Headline(BaseModel):
    """The figures a planner compares across what-ifs (the batch KPIs), over the whole horizon.

    Computed from the solution arrays (``solvers.extract.headline``), so a batch gets them without
    building the result tables; a full result carries the same numbers."""

    new_land_ha: float = Field(description="New construction land, all provinces, ha.")
    settlers_covered: float = Field(
        description="Settlers whose land floor (item (6)) the plan meets: Σ_cities settlers × years × "
        "(1 − shortfall ÷ need).")
    state_council_approvals: int = Field(description="Selected projects the State Council must approve (35/70 ha).")
    arable_occupied_ha: float = Field(description="Arable land occupied, all provinces, ha.")
    financing_cost_cny_100m: float = Field(description="Discounted cost of the money raised (item (21)), 亿元.")
    max_debt_ratio_after: float | None = Field(
        description="Highest provincial debt ratio after the plan's new government debt; null without fiscal data.")
    unmet_targets_ha: float = Field(description="Soft targets missed: settler floors and tilt shares, ha.")
    new_land_by_province: dict[str, float] = Field(description="New construction land by province code, ha.")


class SolveStats(BaseModel):
    variables: int = 0
    constraints: int = 0
    nonzeros: int = 0
    build_s: float = 0.0
    solve_s: float = 0.0
    extract_s: float = 0.0
    solver: str = ""
    termination: str = ""
    mip: bool = False
    mip_gap: float | None = None


class Result(BaseModel):
    scenario: str
    status: Status
    message: str = ""
    objective_cny_100m: float | None = None
    objective_terms_cny_100m: dict[str, float] = Field(default_factory=dict)
    provinces: list[ProvinceRow] = Field(default_factory=list)
    cities: list[CityRow] = Field(default_factory=list)
    projects: list[ProjectRow] = Field(default_factory=list)
    trades: list[TradeRow] = Field(default_factory=list)
    financing: list[FinancingRow] = Field(default_factory=list)
    limits: list[LimitRow] = Field(default_factory=list)
    shortfalls: list[Shortfall] = Field(default_factory=list)
    binding: list[Binding] = Field(default_factory=list)
    approvals: list[ApprovalRow] = Field(
        default_factory=list, description="Approvals by authority × kind × year: cases, ha, capacity, shadow price.")
    headline: Headline | None = Field(None, description="The figures compared across what-ifs; null without a solution.")
    stats: SolveStats = Field(default_factory=SolveStats)
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
        }[name]


TABLES = ("provinces", "cities", "projects", "trades", "financing", "limits", "shortfalls", "binding", "approvals")


# ---- Explanations (issue 5; built by solvers.explain and solvers.diagnosis) ---------------------


class BindingExplained(BaseModel):
    """A rule at its limit, in words, with the range of the limit over which its price holds."""

    rule: str = Field(description="Rule name, e.g. 'provincial_pool'.")
    policy_item: str = Field(description="Policy item, e.g. '(20) land plan'.")
    region: str = Field(description="Province or city code, project id, or 'national'.")
    region_name: str = Field(description="The region's name from the scenario, e.g. '四川'; '' for national.")
    year: int | None = Field(description="Plan year; null for rules over the whole horizon.")
    subject_en: str = Field(description="What the limit is, e.g. \"Sichuan (四川, 510000)'s year-1 new-land quota pool\".")
    subject_zh: str
    limit: float = Field(description="The limit as the rule states it, in `limit_unit`.")
    limit_unit: str = Field(description="Unit of the limit: 'ha', '亿元' or 'project'.")
    shadow_price_cny_100m: float = Field(
        description="∂objective/∂limit, 亿元 per limit unit: positive when more of the limit is worth something.")
    shadow_price_cny_10k: float = Field(description="The same in 万元 per limit unit (× 10,000).")
    limit_low: float | None = Field(
        description="Lowest limit for which this shadow price still holds (HiGHS ranging); null = no lower end.")
    limit_high: float | None = Field(
        description="Highest limit for which this shadow price still holds; null = no upper end.")
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
    sentence_en: str
    sentence_zh: str


class BindingGroup(BaseModel):
    """The binding rules of one policy item."""

    policy_item: str = Field(examples=["(20) land plan"])
    title_en: str
    title_zh: str
    rules: list[BindingExplained] = Field(description="The item's binding rules, largest shadow price first.")
    omitted: int = Field(
        0, description="Binding rules of this item not explained here (smaller shadow prices, beyond the "
        "explain limit per item); every one is in Result.binding.")


class ValueRange(BaseModel):
    """How far a value in the data may move before the allocation changes (HiGHS cost ranging)."""

    kind: Literal["project_value", "city_land_value"] = Field(
        description="project_value: a project's value_cny_100m (亿元); city_land_value: a city's "
        "new_land_value_cny_10k_per_ha (万元/ha), which prices its general-use and revitalised land.")
    id: str = Field(description="Project id or city code.")
    name: str = Field(description="City name (for a project, its city's).")
    province_code: str
    value: float = Field(description="The value in the scenario, in `unit`.")
    unit: str = Field(description="'亿元' or '万元/ha'.")
    low: float | None = Field(
        description="Lowest value with the same allocation; null = none down to 0 (values are ≥ 0).")
    high: float | None = Field(description="Highest value with the same allocation; null = no upper end.")
    range_exact: bool = Field(
        True, description="False when a degenerate end could not be confirmed within the explain budget.")
    use: str = Field(description="What the plan does with it now, e.g. 'selected 95%' or '50 ha general, 30 ha stock'.")
    sentence_en: str
    sentence_zh: str


class UnmetTarget(BaseModel):
    """A soft target the plan misses: a non-zero priced slack, in words."""

    rule: str
    policy_item: str
    region: str
    region_name: str
    year: int
    amount_ha: float = Field(description="How much of the target is missed, ha.")
    penalty_cny_100m: float = Field(description="What the miss costs in the objective, 亿元 (discounted).")
    sentence_en: str
    sentence_zh: str


class Explanation(BaseModel):
    """Why the plan is what it is: binding rules and their prices, ranges, unmet targets, a summary."""

    summary_en: str
    summary_zh: str
    binding_groups: list[BindingGroup] = Field(default_factory=list)
    value_ranges: list[ValueRange] = Field(default_factory=list)
    unmet_targets: list[UnmetTarget] = Field(default_factory=list)
    notes: list[str] = Field(default_factory=list, description="What could not be explained, and why.")
    method: str = Field("", description="How shadow prices and ranges were obtained, with sign conventions.")
    elapsed_s: float = Field(0.0, description="Time spent building the explanation, seconds.")


class ConflictRule(BaseModel):
    """One rule of a minimal conflicting set, with the change of its data that alone would resolve it."""

    kind: Literal["limit", "committed_project", "balance", "eligibility", "other"] = Field(
        description="limit: a data limit (pool, cap, reserve, capacity …); committed_project: a project that "
        "must be built in full; balance: a market-clearing or funding balance (not data); eligibility: "
        "a region barred from a market; other: anything else in the model.")
    rule: str
    policy_item: str
    region: str
    region_name: str
    year: int | None
    limit: float | None = Field(description="The limit as the rule states it now (committed: 1 = in full).")
    unit: str
    required: float | None = Field(
        description="What the other rules of the conflict force through this one: the limit it would need, "
        "all else unchanged (committed project: the largest share that fits). null when no change of this "
        "rule alone resolves the scenario.")
    change_needed: float | None = Field(description="required − limit, in `unit`.")
    sentence_en: str
    sentence_zh: str


class Conflict(BaseModel):
    """A minimal set of rules that cannot all hold (an irreducible infeasible subsystem)."""

    regions: list[str] = Field(description="Province codes involved.")
    rules: list[ConflictRule]
    headline_en: str
    headline_zh: str


class Diagnosis(BaseModel):
    """Why a scenario is infeasible, in domain terms."""

    summary_en: str
    summary_zh: str
    conflicts: list[Conflict] = Field(default_factory=list)
    complete: bool = Field(
        description="True when relaxing the listed conflicts makes the scenario feasible (all conflicts found).")
    method: str = ""
    elapsed_s: float = 0.0


Result.model_rebuild()
