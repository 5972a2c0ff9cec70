"""Policy parameters: every number the model rests on, with its source as the default.

Each field's default is the value in ``shared/POLICY.md``; the description names the document
it comes from and its confidence tag: **[V]** confirmed in a published copy of the text,
**[M]** widely reported but not confirmed against the gazette, **[A]** a modelling assumption
with no published figure (tunable, and said so). Nothing here is a literal buried in a
constraint: the model reads these fields, and a scenario may override any of them.

Units: 1 ha = 15 mu (亩); 1 亿元 = ``cny_100m``; 1 万元 = ``cny_10k``.
"""

from __future__ import annotations

import math
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, PlainValidator, WithJsonSchema, model_validator
from pydantic_core import PydanticCustomError

from landquota.models.units import M2_PER_HA, MU_PER_HA  # noqa: F401  (re-exported: older imports)

PILOT_PROVINCES_2020 = ["110000", "120000", "310000", "320000", "330000", "340000", "440000", "500000"]
"""国发〔2020〕4号 [V]: provinces entrusted with State-Council-level expropriation and PBF conversion:
北京, 天津, 上海, 江苏, 浙江, 安徽, 广东, 重庆."""

NonNeg = Annotated[float, Field(ge=0, allow_inf_nan=False)]
Share = Annotated[float, Field(ge=0, le=1, allow_inf_nan=False)]


def _per_year(v):
    """One number ≥ 0 for every plan year, or a list with one per year (checked against the horizon by
    ``models.scenario.check_scenario``); one problem at the field, whichever form is wrong."""
    if v is None:
        return None
    for x in v if isinstance(v, list) else [v]:
        if isinstance(x, bool) or not isinstance(x, (int, float)) or not math.isfinite(x):
            raise PydanticCustomError("float_type", "a finite number, or a list of them (one per plan year), is needed")
        if x < 0:
            raise PydanticCustomError("greater_than_equal", "Input should be greater than or equal to 0")
    return [float(x) for x in v] if isinstance(v, list) else float(v)


PerYear = Annotated[
    float | list[float] | None, PlainValidator(_per_year),
    WithJsonSchema({"anyOf": [{"type": "number", "minimum": 0}, {"type": "array", "items": {"type": "number", "minimum": 0}},
                              {"type": "null"}]}),
]
"""A limit per year (≥ 0): one value for every plan year, a list with one per year, or null (no limit)."""


class LinkageTier(BaseModel):
    """One row of the per-settler land standard (国土资发〔2016〕123号): cities whose current
    per-capita urban construction land is at most ``upper_per_capita_m2`` (below it, when
    ``upper_inclusive`` is false) and above the previous row's bound get ``new_land_per_settler_m2``."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    upper_per_capita_m2: float | None = Field(
        description="Upper bound of current per-capita urban construction land for this tier, m² per "
        "resident; null for the last, open-ended tier.",
        examples=[120.0],
    )
    upper_inclusive: bool = Field(True, description="Whether a city exactly at the bound is in this tier.")
    new_land_per_settler_m2: NonNeg = Field(
        description="New construction land granted per settled migrant in this tier, m².", examples=[88.0]
    )

    def contains_below(self, per_capita_m2: float) -> bool:
        if self.upper_per_capita_m2 is None:
            return True
        if self.upper_inclusive:
            return per_capita_m2 <= self.upper_per_capita_m2
        return per_capita_m2 < self.upper_per_capita_m2


def _default_tiers() -> list[LinkageTier]:
    # 国土资发〔2016〕123号 [V]: <=100 m² -> 100 m²; above that "appropriately lower", tiers as used by
    # Anhui [V]: 100-119 -> 88, 120-150 -> 80, >150 -> 50.
    return [
        LinkageTier(upper_per_capita_m2=100.0, upper_inclusive=True, new_land_per_settler_m2=100.0),
        LinkageTier(upper_per_capita_m2=120.0, upper_inclusive=False, new_land_per_settler_m2=88.0),
        LinkageTier(upper_per_capita_m2=150.0, upper_inclusive=True, new_land_per_settler_m2=80.0),
        LinkageTier(upper_per_capita_m2=None, new_land_per_settler_m2=50.0),
    ]


class PolicyParameters(BaseModel):
    """All policy numbers, defaults from POLICY.md. Override any field in a scenario's ``policy``."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    # ---- Item (6): people-land-money linkage --------------------------------------------------
    linkage_tiers: list[LinkageTier] = Field(
        default_factory=_default_tiers,
        min_length=1,
        description="Per-settler new-land standard by the city's current per-capita urban construction "
        "land, ascending. Default 国土资发〔2016〕123号 [V] with Anhui's tiers [V]: ≤100 m² → 100 m²; "
        "100–119 → 88; 120–150 → 80; >150 → 50.",
    )
    linkage_province_flex_max: Share = Field(
        0.10,
        description="Largest adjustment a province may make to the per-settler standard (±10%, "
        "国土资发〔2016〕123号 [V]). A province's `linkage_adjustment` must lie within ± this.",
    )
    zero_land_for_central_districts: bool = Field(
        True,
        description="Settlers in the central districts of super-large and mega cities earn no new land "
        "(国土资发〔2016〕123号 [V]).",
    )
    reward_fund_total_cny_100m: NonNeg = Field(
        350.0,
        description="Central citizenisation reward fund for the plan year, 亿元. 2020: 350 [M] "
        "(2019: 300 [V]; 2022: 400 [V]); 财预〔2016〕162号, revised 财预〔2022〕60号.",
    )
    reward_weight_cross_province: NonNeg = Field(
        1.0,
        description="Reward-fund weight of one settler who came from another province [A]: the rule "
        "(财预〔2016〕162号 [V]) sets different rates for cross-province and within-province settlers "
        "but publishes no ratio.",
    )
    reward_weight_within_province: NonNeg = Field(
        0.5, description="Reward-fund weight of one settler from within the province [A] (see above)."
    )
    reward_tilt_fiscally_weak: NonNeg = Field(
        0.2,
        description="Extra weight (share) for fiscally weak provinces in the reward fund [A]: the rule "
        "tilts to them [V] without a published factor.",
    )

    # ---- Item (20): construction-land plan ---------------------------------------------------
    national_new_land_total_ha: NonNeg | None = Field(
        400_000.0,
        description="National annual new construction-land plan quota, ha. Default 600万亩 = 400,000 ha, "
        "the 2022 national land-use plan [V] (the nearest confirmed figure; 2023: 650万亩 [V]). "
        "null = no national cap beyond the provincial pools.",
    )
    per_capita_cap_m2: NonNeg = Field(
        100.0,
        description="Cap on per-capita urban construction land after the plan, m² per resident "
        "(National New Urbanisation Plan 2014–2020 [V]). Cities already above it may not raise their "
        "per-capita land.",
    )
    per_capita_max_increase_m2: NonNeg = Field(
        20.0,
        description="Largest rise of per-capita urban construction land over the plan, m² "
        "(GB 50137-2011 [V]: change −25 to +20 m²).",
    )
    quota_allocation: Literal["provincial_pools", "national"] = Field(
        "provincial_pools",
        description="How the new construction-land plan quota reaches provinces. `provincial_pools`: each "
        "province plans with the pool it has been given (`provinces[].new_land_pool_ha_per_year`). `national`: the "
        "LP allocates the national total (`national_new_land_total_ha`, which must then be set) across provinces, "
        "each province's allocation = the land linked to the migrants its cities settle (人地挂钩, 国土资发〔2016〕123号 "
        "[V]: the national plan takes account of settlers when it is handed down [M]) + a share allocated by value "
        "within the province's stability band (`allocation_band_*`), and each province shares its allocation "
        "across its units.",
    )
    linkage_strength: float = Field(
        1.0,
        ge=0,
        le=10,
        allow_inf_nan=False,
        description="Strength of the land–settler linkage (加大挂钩力度, item (6)) [A]: a multiplier on the "
        "per-settler standard (1 = the 国土资发〔2016〕123号 standard [V]; 1.2 = 20% more land per settled migrant). It "
        "scales both the land each city's settlers earn (the settler floor, models.linkage) and, in `national` "
        "allocation, the linked land each province's allocation must include.",
    )
    allocation_band_floor_share: NonNeg = Field(
        0.8,
        description="`national` allocation: the value-allocated part of a province's quota (its allocation minus its "
        "linked land) is at least this share of its base (`provinces[].allocation_base_ha_per_year`) [A]: "
        "stability (a province's plan does not collapse from one year to the next); no published figure. A "
        "province's own `allocation_band_floor_share` overrides it.",
    )
    allocation_band_ceiling_share: NonNeg = Field(
        1.2,
        description="`national` allocation: the value-allocated part of a province's quota is at most this share "
        "of its base [A], so the national quota is never handed to one province; no published figure. A "
        "province's own `allocation_band_ceiling_share` overrides it.",
    )
    unused_allocation_cost_cny_10k_per_ha: NonNeg = Field(
        0.01,
        description="`national` allocation tie-break [A]: a notional cost per ha of quota allocated, 万元/ha, in the "
        "objective only, so that a province is allocated the quota it uses (or its band floor and linked land), "
        "not an arbitrary amount between its floor and ceiling. 0.01万元/ha is 0.002% of the lowest land value in "
        "the bundled data: it never decides a use. 0 turns it off.",
    )
    tilt_level: Literal["province", "national"] = Field(
        "province",
        description="Where the tilt to centre cities and key clusters (item (20)) is measured [A, a documented "
        "choice: the text says 'tilt' without a level]. `province`: in each province that has both tilted and "
        "other units, tilted units get ≥ `tilt_min_share` of the province's new land (provinces take "
        "responsibility for their plans). `national`: tilted units get ≥ `tilt_min_share` of the nation's new "
        "land (one row per year), leaving the split across provinces to the allocation.",
    )
    tilt_min_share: Share = Field(
        0.5,
        description="Minimum share of new construction land going to centre cities and key-cluster cities [A]: "
        "item (20) asks for the tilt without a number. Measured in each province that has any (or nationally: "
        "`tilt_level`); a unit partly inside a key cluster counts with its `key_cluster_share`. A soft target: a "
        "shortfall is priced and reported.",
    )
    stock_first: bool = Field(
        True,
        description="Revitalised inefficient stock land is counted before new land (item (20)): a city "
        "gets new general-use quota only for the land its settlers and new residents need beyond what "
        "its available inefficient stock can supply.",
    )

    # ---- Item (20): approval routing (Land Administration Law Art. 44, 46; 国发〔2020〕4号) -----
    state_council_arable_threshold_ha: NonNeg = Field(
        35.0,
        description="Non-PBF arable land above this (ha) in one project needs State Council approval "
        "(Land Administration Law 2019 Art. 46 [V]).",
    )
    state_council_other_threshold_ha: NonNeg = Field(
        70.0, description="Other land above this (ha) needs State Council approval (Art. 46 [V])."
    )
    combined_area_rule: bool = Field(
        False,
        description="Also send up a project whose arable + other land together exceed the other-land "
        "threshold. Reported practice [M], not in the text of Art. 46, so off by default.",
    )
    entrusted_province_codes: list[str] = Field(
        default_factory=lambda: list(PILOT_PROVINCES_2020),
        description="Provinces entrusted with State-Council-level expropriation and PBF conversion "
        "(国发〔2020〕4号 [V], one-year trial). A province's own `approval_entrusted` overrides this.",
    )
    state_council_capacity_ha_per_year: PerYear = Field(
        None,
        description="Land area the State Council can approve per year, ha: one value for every year or a list "
        "with one per plan year; null = unlimited (no published figure).",
    )
    state_council_capacity_cases_per_year: PerYear = Field(
        None,
        description="Applications (projects and general-use batches) the State Council can approve per year, "
        "cases; null = unlimited (no published figure [A]). A selected share of a project counts as that "
        "share of a case.",
    )
    state_council_lead_months: NonNeg = Field(
        0.0,
        description="Months from application to State Council approval [A]: the land's value is delayed by "
        "this much, i.e. discounted by (1 + discount_rate_per_year)^(−months/12). Default 0 (not modelled); "
        "no published figure, china-2020 assumes 6 [A].",
    )
    province_entrusted_lead_months: NonNeg = Field(
        0.0,
        description="Months from application to approval by an entrusted pilot province (国发〔2020〕4号 item 2) "
        "[A]; default 0 (not modelled), china-2020 assumes 3 [A].",
    )
    province_lead_months: NonNeg = Field(
        0.0,
        description="Months from application to provincial approval [A]; default 0 (not modelled), "
        "china-2020 assumes 3 [A].",
    )
    general_land_batch_ha: float = Field(
        50.0, gt=0, allow_inf_nan=False,
        description="Default size of one annual batch of a city's general-use new land (Art. 44 batches), ha "
        "[A]: it routes the batch (35/70 ha on its collective land). A city's `general_land_batch_ha` overrides it.",
    )
    general_land_collective_share: Share = Field(
        0.7,
        description="Default share of general-use new land that is collectively owned and so expropriated "
        "(Art. 46) [A]; the rest is state-owned (converted, not expropriated). A city's own share overrides it.",
    )

    # ---- Item (20): cross-regional quota trading (国办发〔2018〕16号 [M]) -----------------------
    land_quota_seller_price_cny_10k_per_mu: NonNeg = Field(
        30.0, description="Price a deep-poverty seller receives for surplus 增减挂钩 quota, 万元/亩 [M]."
    )
    land_quota_buyer_price_cny_10k_per_mu: dict[str, NonNeg] = Field(
        default_factory=lambda: {"110000": 70.0, "310000": 70.0, "120000": 50.0, "320000": 50.0,
                                 "330000": 50.0, "440000": 50.0},
        description="Price a buyer province pays, 万元/亩, by GB/T 2260 code; provinces not listed pay "
        "`land_quota_buyer_price_default_cny_10k_per_mu` (国办发〔2018〕16号 [M]: 北京 上海 70; 天津 江苏 "
        "浙江 广东 50; others 30).",
    )
    land_quota_buyer_price_default_cny_10k_per_mu: NonNeg = Field(
        30.0, description="Buyer price for provinces not listed above, 万元/亩 [M]."
    )
    own_pool_first_cny_10k_per_ha: NonNeg = Field(
        0.1,
        description="Tie-break: a notional cost per ha of bought construction-land quota, 万元/ha, added to "
        "the buyer's price in the objective only (trades are reported at their real prices). Where the "
        "buyer's price equals the seller's (most provinces: 30万元/亩 each side) a purchase is a pure transfer "
        "that changes nothing for the nation, and without this the plan may buy quota while the buyer's "
        "own pool lies unused; with it a province uses its own pool first and buys only to build beyond "
        "it. 0.1万元/ha is 0.02% of the lowest quota price: it never decides whether a project is worth "
        "building. 0 turns the tie-break off [A].",
    )
    farmland_buyer_base_cny_10k_per_mu: NonNeg = Field(
        10.0, description="Supplementary-farmland quota: buyer's base price, 万元/亩 (paddy 20) [M]."
    )
    farmland_buyer_per_100kg_cny_10k_per_mu: NonNeg = Field(
        2.0, description="Buyer's price per 100 kg of grain capacity, 万元/亩 [M]."
    )
    farmland_seller_base_cny_10k_per_mu: NonNeg = Field(
        5.0, description="Seller's base receipt, 万元/亩 (paddy 10) [M]."
    )
    farmland_seller_per_100kg_cny_10k_per_mu: NonNeg = Field(
        1.0, description="Seller's receipt per 100 kg of grain capacity, 万元/亩 [M]."
    )
    grain_capacity_kg_per_mu: NonNeg = Field(
        382.0,
        description="Grain capacity of traded farmland, kg/亩. Default: 2020 national average grain "
        "yield 5,734 kg/ha ≈ 382 kg/亩 (NBS, Dec 2020) [M], used as a proxy for standard capacity.",
    )

    # ---- Farmland occupation cost (Land Administration Law Art. 30 [V]) ------------------------
    arable_occupation_cost_cny_10k_per_mu: NonNeg = Field(
        10.0,
        description="Cost charged in the objective per mu of arable land occupied, 万元/亩 [A]: the "
        "supplementary-farmland base price (10万/亩 [M]) as a proxy for the reclamation duty of Art. 30.",
    )
    pbf_occupation_cost_cny_10k_per_mu: NonNeg = Field(
        20.0,
        description="Cost per mu of permanent basic farmland occupied, 万元/亩 [A]: the paddy price "
        "(20万/亩 [M]) as a proxy for PBF's higher quality.",
    )

    # ---- Item (21): investment and financing ---------------------------------------------------
    bond_max_share: Share = Field(
        0.60, description="Enterprise-bond proceeds ≤ this share of project investment [V]."
    )
    bond_max_share_special: Share = Field(
        0.70,
        description="Bond cap for the 2015 special-bond categories (utility tunnels 发改办财金〔2015〕755号 [V]; "
        "parking, elderly care [M]).",
    )
    bond_special_categories: list[str] = Field(
        default_factory=lambda: ["utility_tunnel", "parking", "elderly_care"],
        description="Project categories with the higher bond cap.",
    )
    min_capital_ratio: Share = Field(
        0.20, description="Minimum project capital, share of investment (国发〔2015〕51号, 〔2019〕26号 [V])."
    )
    public_service_gap_capital_reduction: Share = Field(
        0.05, description="Public-service-gap projects may go this much lower (5 points) [V]."
    )
    debt_ratio_limit: NonNeg = Field(
        1.00,
        description="Legal debt ratio (债务率 = general + special bond balance ÷ comprehensive fiscal capacity) "
        "warning line after new legal debt: 100% [V]. New legal debt may not carry a region over it, except "
        "that a province at or over the line keeps `over_line_new_debt_share` of its new-bond quotas.",
    )
    over_line_new_debt_share: Share = Field(
        0.5,
        description="Share of its yearly general- and special-bond quotas a province at or over the legal "
        "warning line may still issue as new debt (refinancing bonds, which add no debt, are outside the "
        "model). 财预〔2017〕35号 (新增地方政府债务限额分配管理暂行办法) allocates new limits by fiscal capacity "
        "and debt risk (Art. 3: 立足财力水平、防范债务风险 [V], text as reprinted at "
        "m.zhpxw.com/articleDetails_id_1422.html); its formula scales a province's new limit by a debt-risk "
        "coefficient that falls as the debt ratio rises [M], and 国办函〔2016〕88号 grades risk events up to "
        "fiscal restructuring [V], rather than banning new debt at the line. The factor 0.5 is an assumption "
        "[A]. 0 = an outright ban.",
    )
    broad_debt_ratio_limit: NonNeg | None = Field(
        3.00,
        description="Limit of the broad debt ratio ((legal + platform debt) ÷ comprehensive fiscal capacity) after "
        "the plan's new legal and platform debt. Analysts and rating agencies publish the broad ratio [M]; "
        "post-2020 colour ratings put a region at red from 300% (orange 200–300%, yellow 120–200%) [M]. "
        "Default: stay out of red (300%) [A]. null = no broad limit.",
    )
    platform_debt_tie_break_cny_100m: NonNeg = Field(
        1e-4,
        description="Tie-break: a notional cost per 亿元 of platform debt (enterprise bonds, loans to platform "
        "companies), 亿元 per 亿元, added to those sources' financing cost. Money cheaper than the discount rate "
        "costs nothing (models.funding), so a CDB loan and a special bond may cost the same; the tie-break then "
        "prefers the legal bond, as 中发〔2018〕27号's 'open the front door, close the back door' asks (stop "
        "hidden debt) [M]. 0.01% of the money: it never decides whether a project is worth building. 0 turns it "
        "off [A].",
    )
    lpr_5y_pct: float = Field(
        4.65, ge=0, le=50, allow_inf_nan=False,
        description="5-year Loan Prime Rate, %: 4.65% (2020-04-20) [M, high confidence]. Commercial loans are "
        "priced at this plus their spread.",
    )
    enterprise_bond_national_volume_cny_100m_per_year: NonNeg | None = Field(
        3_900.0,
        description="National yearly volume of enterprise bonds (企业债, all enterprise_bond sources together), 亿元. "
        "2020 issuance ≈ 3,900亿元 (NDRC-registered enterprise bonds, market data as widely reported) [M]. "
        "null = no national volume.",
    )
    special_bond_capital_share: Share = Field(
        0.25,
        description="Special bonds used as project capital may be at most this share of a province's special-bond "
        "quota per year: 厅字〔2019〕33号 allows it in listed sectors (about 20% in 2019), raised to 25% in 2020 "
        "[M] (POLICY.md: about a quarter [M]).",
    )
    special_bond_capital_categories: list[str] = Field(
        default_factory=lambda: ["infrastructure", "utility_tunnel", "parking"],
        description="Project categories in the sectors where special bonds may serve as project capital. "
        "厅字〔2019〕33号 lists railways, toll roads, airports, ports, urban parking, gas, power grids, water, "
        "sewage and waste [M]; which of this model's categories fall in them is an assumption [A].",
    )

    # ---- Item (6) money: the public cost of settlers ---------------------------------------------
    settler_cost_education_cny_10k: NonNeg = Field(
        1.3, description="Public cost of one settler for education (随迁子女义务教育), 万元 [A]; see below.")
    settler_cost_health_cny_10k: NonNeg = Field(
        0.4, description="Public cost of one settler for health (medical insurance, public health), 万元 [A].")
    settler_cost_social_security_cny_10k: NonNeg = Field(
        2.3, description="Public cost of one settler for social security (pension and minimum-income), 万元 [A].")
    settler_cost_housing_cny_10k: NonNeg = Field(
        4.0,
        description="Public cost of one settler for housing (保障性住房), 万元 [A]. The four parts add up to 8万元, "
        "the per-person cost of citizenising a migrant estimated by the State Council Development Research "
        "Centre (2011) [M]; the split is an assumption [A].",
    )
    settler_central_transfer_cny_10k: NonNeg = Field(
        0.5,
        description="Central transfers (other than the reward fund) that follow each settler, e.g. per-pupil "
        "funds that move with migrant children (钱随人走), 万元 per settler [A].",
    )
    reward_fund_national_weighted_settlers_per_year: NonNeg | None = Field(
        9_100_000.0,
        description="The national base over which the reward fund is split: weighted settlers per year in the "
        "whole country. 13 million settlers a year in 2016–2020 (国办发〔2016〕72号 target [M]) × (0.4 × "
        "cross-province weight 1 + 0.6 × within-province weight 0.5), the 0.4 cross-province share being an "
        "assumption [A]. A scenario whose own weighted settlers exceed it splits the whole fund among its "
        "provinces. null = the scenario is the whole country.",
    )
    finance_discount_rate_pct: float = Field(
        3.85,
        ge=0,
        le=50,
        allow_inf_nan=False,
        description="Rate at which financing cash flows are discounted to price money, %: the 1-year LPR of "
        "2020-04-20 [M] (a modelling choice [A]).",
    )

    # ---- Objective and soft targets ------------------------------------------------------------
    discount_rate_per_year: Share = Field(
        0.0465,
        description="Rate at which later plan years are discounted [A]: the 5-year LPR of 2020-04-20, "
        "4.65% [M].",
    )
    shortfall_penalty_cny_10k_per_ha: NonNeg = Field(
        10_000.0,
        description="Price of missing a soft target by one ha (settler land floor, tilt share), 万元/ha "
        "[A]: 1亿元/ha, far above any land value, so a target is missed only when no allocation can "
        "meet it; the result then reports which target, where, and by how much.",
    )

    @model_validator(mode="after")
    def _check(self) -> "PolicyParameters":
        bounds = [t.upper_per_capita_m2 for t in self.linkage_tiers]
        if any(b is None for b in bounds[:-1]):
            raise ValueError("linkage_tiers: only the last tier may have no upper bound")
        finite = [b for b in bounds if b is not None]
        if finite != sorted(finite) or len(set(finite)) != len(finite):
            raise ValueError("linkage_tiers: upper_per_capita_m2 must be strictly ascending")
        return self

    # ---- derived helpers (pure functions of the fields) -------------------------------------
    def new_land_per_settler_m2(self, current_per_capita_m2: float) -> float:
        """The tier standard for a city with this current per-capita land (国土资发〔2016〕123号)."""
        for tier in self.linkage_tiers:
            if tier.contains_below(current_per_capita_m2):
                return tier.new_land_per_settler_m2
        return self.linkage_tiers[-1].new_land_per_settler_m2

    def land_buyer_price_cny_10k_per_ha(self, province_code: str) -> float:
        per_mu = self.land_quota_buyer_price_cny_10k_per_mu.get(
            province_code, self.land_quota_buyer_price_default_cny_10k_per_mu
        )
        return per_mu * MU_PER_HA

    def land_seller_price_cny_10k_per_ha(self) -> float:
        return self.land_quota_seller_price_cny_10k_per_mu * MU_PER_HA

    def farmland_buyer_price_cny_10k_per_ha(self) -> float:
        per_mu = self.farmland_buyer_base_cny_10k_per_mu + self.farmland_buyer_per_100kg_cny_10k_per_mu * (
            self.grain_capacity_kg_per_mu / 100.0
        )
        return per_mu * MU_PER_HA

    def farmland_seller_price_cny_10k_per_ha(self) -> float:
        per_mu = self.farmland_seller_base_cny_10k_per_mu + self.farmland_seller_per_100kg_cny_10k_per_mu * (
            self.grain_capacity_kg_per_mu / 100.0
        )
        return per_mu * MU_PER_HA
