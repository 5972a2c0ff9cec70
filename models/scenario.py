"""The scenario schema: what a planner sends, validated field by field.

A ``Scenario`` holds provinces (GB/T 2260 codes), cities (centre cities and a rest-of-province
unit per province), projects with their parcels, policy parameters (``models.policy``) and the
planning horizon. Field names carry their units; every field has a description, bounds and an
example, so that this module *is* the API documentation (it is what Swagger UI shows).

Validation has two layers, both reported the same way (one problem per entry, each with the
field path and the rule broken):

1. per-field rules, by pydantic (types, bounds, NaN/inf, enumerations);
2. cross-references and totals, by :func:`check_scenario` (unknown province or city, duplicate
   ids, shares that do not add up, committed projects that no allocation could ever carry).

Use :func:`load_scenario` to run both; it raises :class:`ScenarioInvalid`.

Scenarios are immutable (frozen models): a variant is made with ``models.overrides`` or
``model_copy(update=...)``, never by assigning to a field, so what is derived from a scenario
(its routes, its model's structure key) can be remembered safely.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from landquota.models.funding import FundingSource, default_funding_sources
from landquota.models.policy import PerYear, PolicyParameters
from landquota.models.units import M2_PER_HA
from landquota.models.regions import PROVINCES

NonNeg = Annotated[float, Field(ge=0, allow_inf_nan=False)]
Share = Annotated[float, Field(ge=0, le=1, allow_inf_nan=False)]
Persons = Annotated[int, Field(ge=0)]

LandType = Literal["permanent_basic_farmland", "arable", "other", "construction", "unused"]
Ownership = Literal["collective", "state"]
CityTier = Literal["municipality", "provincial_capital", "separately_listed", "node_city", "other"]
SizeClass = Literal["super_large", "mega", "other"]
REGIONAL_CATEGORIES = frozenset({"regional_infrastructure"})
"""Project categories whose land is not urban construction land (城市建设用地) in GB 50137-2011 [V]: its land
classification puts regional transport (H2 区域交通设施用地: railways, highways, ports, airports and their
facilities outside the city), regional utilities (H3) and the like under construction land (H) but outside
H11 城市建设用地, the base of per-capita urban construction land. Such land still needs plan quota (新增建设用地
计划指标 covers all new construction land), so it counts in pools, allocations and the national total, but not
under the per-capita cap. Every other category (housing, industry, urban roads and utilities, public
services, parking, utility tunnels ...) is urban construction land and counts."""

ProjectCategory = Literal[
    "new_urbanisation",
    "urban_rural_integration",
    "characteristic_town",
    "land_consolidation",
    "resettlement_housing",
    "public_service_gap",
    "industrial",
    "infrastructure",
    "regional_infrastructure",
    "utility_tunnel",
    "parking",
    "elderly_care",
]

_STRICT = ConfigDict(extra="forbid", str_strip_whitespace=True, frozen=True)


class Province(BaseModel):
    """A province-level division, which manages its own construction-land pool (item (20))."""

    model_config = _STRICT
    code: str = Field(pattern=r"^\d{6}$", description="GB/T 2260 province code.", examples=["510000"])
    name: str = Field(min_length=1, description="Province name (GB/T 2260 short name).", examples=["四川"])
    full_name: str | None = Field(None, description="GB/T 2260 full name; informative.", examples=["四川省"])
    new_land_pool_ha_per_year: NonNeg = Field(
        description="Annual new construction-land plan quota the province allocates to its cities, ha.",
        examples=[20000.0],
    )
    allocation_base_ha_per_year: NonNeg | None = Field(
        None,
        description="`national` allocation (policy.quota_allocation): the base of the province's stability band, "
        "ha per year: the quota it received by value (beyond linked land) in the base year. Its allocation minus "
        "its linked land stays within [floor share, ceiling share] × this. null = `new_land_pool_ha_per_year`. "
        "Data: cite its provenance in the scenario's `sources`.",
        examples=[15000.0],
    )
    allocation_band_floor_share: NonNeg | None = Field(
        None, description="This province's band floor share; null = `policy.allocation_band_floor_share`.")
    allocation_band_ceiling_share: NonNeg | None = Field(
        None, description="This province's band ceiling share; null = `policy.allocation_band_ceiling_share`.")
    approval_entrusted: bool | list[bool] | None = Field(
        None,
        description="Whether State-Council-level expropriation and PBF conversion approval is entrusted to "
        "this province (国发〔2020〕4号 pilot): one value for the whole horizon, or a list with one value "
        "per plan year (the trial is reviewed every year and may be withdrawn). null = follow "
        "`policy.entrusted_province_codes`.",
        examples=[True, [True, True, False]],
    )
    supplementary_arable_reserve_ha: NonNeg = Field(
        0.0,
        description="Supplementary arable land the province has reclaimed and may set against arable "
        "land occupied over the horizon (Land Administration Law Art. 30), ha.",
        examples=[8000.0],
    )
    land_quota_seller: bool = Field(
        False, description="May sell surplus 增减挂钩 construction-land quota (deep-poverty areas, 国办发〔2018〕16号)."
    )
    land_quota_buyer: bool = Field(False, description="May buy cross-regional construction-land quota.")
    surplus_land_quota_ha_per_year: NonNeg = Field(
        0.0,
        description="Surplus 增减挂钩 quota a seller may sell per year, ha. It comes from reclaiming rural "
        "construction land by voluntary, paid exit only: settled migrants keep their rural land rights "
        "(item (6)), so no settler's land is ever assumed to be here.",
    )
    farmland_quota_seller: bool = Field(
        False, description="May sell supplementary-farmland quota (跨省域补充耕地国家统筹)."
    )
    farmland_quota_buyer: bool = Field(False, description="May buy supplementary-farmland quota.")
    linkage_adjustment: float = Field(
        0.0,
        ge=-1,
        le=1,
        allow_inf_nan=False,
        description="The province's adjustment to the per-settler land standard, as a share (+0.05 = 5% "
        "more); must lie within ± `policy.linkage_province_flex_max` (±10%, 国土资发〔2016〕123号).",
    )
    fiscally_weak: bool = Field(
        False, description="Fiscally weak province: its settlers weigh more in the reward fund (财预〔2016〕162号)."
    )
    approval_capacity_ha_per_year: PerYear = Field(
        None, description="Land area the provincial government can approve per year (its own and entrusted "
        "approvals, projects and general-use batches), ha: one value for every year or a list with one per plan "
        "year; null = unlimited."
    )
    approval_capacity_cases_per_year: PerYear = Field(
        None, description="Applications (projects and batches) the provincial government can approve per "
        "year, cases; null = unlimited. A selected share of a project counts as that share of a case."
    )
    entrusted_capacity_ha_per_year: PerYear = Field(
        None, description="Of that, land the province can approve per year under the State Council's "
        "entrustment (国发〔2020〕4号 item 2), ha; null = unlimited."
    )
    entrusted_capacity_cases_per_year: PerYear = Field(
        None, description="Entrusted applications the province can approve per year, cases; null = unlimited."
    )
    fiscal_capacity_cny_100m: NonNeg | None = Field(
        None,
        description="Comprehensive fiscal capacity (综合财力) per year, 亿元: the denominator of the debt "
        "ratio. null = no debt-ratio rule for this province.",
        examples=[9000.0],
    )
    debt_balance_cny_100m: NonNeg = Field(0.0, description="Existing local government debt balance, 亿元.")
    debt_service_cny_100m_per_year: NonNeg = Field(0.0, description="Existing debt service per year, 亿元 (reported).")
    special_bond_limit_cny_100m_per_year: NonNeg = Field(
        0.0, description="Local government special-bond quota available to these projects per year, 亿元."
    )
    general_bond_limit_cny_100m_per_year: NonNeg = Field(
        0.0, description="Local government general-bond quota available to these projects per year, 亿元."
    )
    platform_debt_balance_cny_100m: NonNeg = Field(
        0.0,
        description="Existing debt of the province's local financing platforms (hidden debt: enterprise bonds, "
        "bank loans), 亿元; with the legal debt balance it makes the broad debt ratio [M].",
    )
    census_population: Persons | None = Field(
        None, description="7th-census population (2020-11-01), persons; informative.", examples=[83674866]
    )
    urbanisation_rate_pct: float | None = Field(
        None, ge=0, le=100, allow_inf_nan=False, description="Urban share of the population, %; informative."
    )
    general_budget_revenue_cny_100m: NonNeg | None = Field(
        None, description="General public budget revenue (一般公共预算收入) of the base year, 亿元; informative "
        "(part of `fiscal_capacity_cny_100m`).", examples=[4258.0]
    )
    built_up_area_km2: NonNeg | None = Field(
        None, description="Urban built-up area (城市建成区面积), km²; informative.", examples=[3412.0]
    )


class City(BaseModel):
    """A centre city, or the aggregate of the rest of a province: the unit land is allocated to."""

    model_config = _STRICT
    code: str = Field(
        pattern=r"^\d{6}(-[A-Z]+)?$",
        description="GB/T 2260 code of the city (e.g. 510100 成都); a rest-of-province unit is the "
        "province code with the suffix -REST (e.g. 510000-REST).",
        examples=["510100"],
    )
    name: str = Field(min_length=1, examples=["成都"])
    full_name: str | None = Field(None, description="GB/T 2260 full name; informative.", examples=["成都市"])
    census_population: Persons | None = Field(
        None, description="7th-census (2020-11-01) resident population of the whole unit, urban and rural, "
        "persons; informative.", examples=[20_937_757]
    )
    province_code: str = Field(pattern=r"^\d{6}$", description="GB/T 2260 code of its province.", examples=["510000"])
    tier: CityTier = Field(
        "other",
        description="Administrative tier: municipality, provincial_capital, separately_listed (计划单列市), "
        "node_city, other. The first three are centre cities for the tilt rule.",
    )
    key_cluster: bool = Field(False, description="Member of a key city cluster (item (20) tilt).")
    key_cluster_share: Share | None = Field(
        None,
        description="Share of the unit's new land that lies inside a key city cluster, for a unit partly inside one "
        "(e.g. a rest-of-province unit some of whose counties belong to a cluster) [A: new land assumed to fall "
        "in the cluster part in proportion]. Its new land counts towards the tilt (item (20)) with this weight. "
        "null = 1 for a centre city or `key_cluster` unit, else 0. For an exact split, make the cluster and "
        "non-cluster parts separate units.",
    )
    size_class: SizeClass = Field(
        "other",
        description="super_large (城区常住人口 ≥ 10 million), mega (5–10 million) or other. Settlers in the "
        "central districts of super-large and mega cities earn no new land (国土资发〔2016〕123号).",
    )
    resident_population: Persons = Field(
        description="Resident (常住) urban population now, persons: the base of per-capita land (GB 50137).",
        examples=[16_000_000],
    )
    registered_population: Persons = Field(
        0, description="Registered (户籍) urban population now, persons; informative.", examples=[11_000_000]
    )
    resident_population_growth_per_year: int = Field(
        0,
        description="Projected change of resident population per year, persons (may be negative). "
        "Settling moves people from resident-only to registered status and does not by itself add "
        "residents (POLICY.md), so this is a separate projection.",
    )
    settlers_per_year: Persons = Field(
        description="Migrants expected to settle (落户) per year, persons (item (6)).", examples=[200_000]
    )
    settlers_central_district_share: Share = Field(
        0.0,
        description="Share of settlers settling in the city's central districts; matters only for "
        "super-large and mega cities, whose central districts earn no land.",
    )
    settlers_cross_province_share: Share = Field(
        0.0, description="Share of settlers who came from another province (reward-fund weight)."
    )
    urban_construction_land_ha: NonNeg = Field(
        description="Current urban construction land, ha.", examples=[150_000.0]
    )
    stock_land_available_ha: NonNeg = Field(
        0.0, description="Inefficient stock construction land that can be revitalised over the horizon, ha."
    )
    stock_revitalisation_cost_cny_10k_per_ha: NonNeg = Field(
        0.0, description="Cost of revitalising one ha of stock land, 万元/ha.", examples=[300.0]
    )
    new_land_value_cny_10k_per_ha: NonNeg = Field(
        description="Value of one ha of general urban land (housing and services for residents and "
        "settlers) put to use, 万元/ha.",
        examples=[600.0],
    )
    general_land_arable_share: Share = Field(
        0.5, description="Share of general-use new land that occupies arable land (the rest is other land)."
    )
    general_land_batch_ha: float | None = Field(
        None, gt=0, allow_inf_nan=False,
        description="Size of one annual batch in which the city's general-use new land is converted and "
        "expropriated (Land Administration Law Art. 44), ha; it decides the batch's approval route (35/70 ha "
        "on its collective land). null = `policy.general_land_batch_ha`.",
    )
    general_land_collective_share: Share | None = Field(
        None, description="Share of general-use new land that is collectively owned (and so expropriated); "
        "null = `policy.general_land_collective_share`."
    )
    fiscal_capacity_cny_100m: NonNeg | None = Field(
        None, description="The city's own comprehensive fiscal capacity, 亿元 per year, where given (debt ratio)."
    )
    debt_balance_cny_100m: NonNeg = Field(0.0, description="The city's existing government debt balance, 亿元.")
    platform_debt_balance_cny_100m: NonNeg = Field(
        0.0, description="Existing debt of the city's financing platforms (hidden debt), 亿元, where given (broad "
        "debt ratio).")

    @property
    def is_centre(self) -> bool:
        return self.tier in ("municipality", "provincial_capital", "separately_listed")

    @property
    def current_per_capita_m2(self) -> float:
        """Urban construction land ÷ resident population now, m² (GB 50137 measures on residents)."""
        return self.urban_construction_land_ha * M2_PER_HA / self.resident_population if self.resident_population else 0.0

    def linked_land(self, policy: PolicyParameters, linkage_adjustment: float) -> tuple[float, float, float]:
        """(per-settler standard m², eligible settlers per year, linked land ha per year) under 国土资发〔2016〕123号:
        the tier of its current per-capita land × (1 + the province's flex); settlers in the central districts of
        super-large and mega cities earn none; × ``policy.linkage_strength``. The one place this is computed
        (models.coefficients and the scenario checks read it)."""
        per_settler = policy.new_land_per_settler_m2(self.current_per_capita_m2) * (1.0 + linkage_adjustment)
        eligible = float(self.settlers_per_year)
        if policy.zero_land_for_central_districts and self.size_class in ("super_large", "mega"):
            eligible *= 1.0 - self.settlers_central_district_share
        return per_settler, eligible, per_settler * eligible * policy.linkage_strength / M2_PER_HA

    @property
    def tilt_weight(self) -> float:
        """Share of its new land that counts as tilted (centre city or key cluster)."""
        if self.key_cluster_share is not None:
            return self.key_cluster_share
        return 1.0 if (self.is_centre or self.key_cluster) else 0.0


class Parcel(BaseModel):
    model_config = _STRICT
    land_type: LandType = Field(
        description="permanent_basic_farmland (永久基本农田), arable (other arable land), other (other "
        "agricultural land), construction or unused land. The first three need conversion (Art. 44).",
        examples=["arable"],
    )
    ownership: Ownership = Field(
        "collective",
        description="collective (expropriated under Art. 46, counted against the 35/70 ha thresholds) or "
        "state (state-owned: converted if agricultural, never expropriated).",
        examples=["collective"],
    )
    area_ha: float = Field(gt=0, allow_inf_nan=False, description="Parcel area, ha.", examples=[20.0])


class Project(BaseModel):
    """A construction project: one approval application, whatever share of it is built."""

    model_config = _STRICT
    id: str = Field(min_length=1, max_length=64, description="Unique project id.", examples=["SC-001"])
    city_code: str = Field(description="Code of the city it is in.", examples=["510100"])
    category: ProjectCategory = Field(
        "new_urbanisation",
        description="Project category. `regional_infrastructure` (airports, highways, railways, ports and other "
        "regional transport or utility facilities outside the city: GB 50137-2011 H2/H3, not 城市建设用地) needs plan "
        "quota but is left out of the per-capita urban construction land cap; every other category counts.")
    parcels: list[Parcel] = Field(
        min_length=1, description="The project's land: what it converts (agricultural land) and expropriates "
        "(collective land). Its approval route is decided on all of it together (no splitting).")
    value_cny_100m: NonNeg = Field(description="Net value of the whole project when built, 亿元.", examples=[12.0])
    committed: bool = Field(
        False, description="Already decided: must be built in full within the horizon (a hard rule)."
    )
    investment_cny_100m: NonNeg = Field(
        0.0,
        description="Total investment, 亿元; the selected share must be fully funded (item (21)). 0 = the "
        "project needs no funding in this scenario (land only).",
        examples=[30.0],
    )
    county_seat: bool = Field(False, description="In a county seat (县城): eligible for county-seat bonds and ADBC.")
    min_capital_ratio: Share | None = Field(
        None,
        description="Minimum project capital ratio; null = the policy default for its category "
        "(20%, public-service-gap projects 15%: 国发〔2019〕26号).",
    )

    @property
    def area_ha(self) -> float:
        return sum(p.area_ha for p in self.parcels)

    def area_of(self, land_type: str) -> float:
        return sum(p.area_ha for p in self.parcels if p.land_type == land_type)

    @property
    def urban_land(self) -> bool:
        """Whether its land is urban construction land under GB 50137 (counts under the per-capita cap)."""
        return self.category not in REGIONAL_CATEGORIES


class Scenario(BaseModel):
    """A whole planning scenario: the input of one solve."""

    model_config = _STRICT
    name: str = Field("scenario", min_length=1, max_length=200, examples=["demo"])
    description: str = Field("", max_length=10_000)
    years: int = Field(1, ge=1, le=10, description="Planning horizon, years (1 = the annual plan).")
    provinces: list[Province] = Field(min_length=1)
    cities: list[City] = Field(min_length=1)
    projects: list[Project] = Field(default_factory=list)
    policy: PolicyParameters = Field(default_factory=PolicyParameters)
    funding_sources: list[FundingSource] = Field(
        default_factory=default_funding_sources,
        description="Funding sources of item (21), as data rows (default: models.funding.default_funding_sources).",
    )
    sources: dict[str, str] = Field(
        default_factory=dict, description="Where the figures come from (field or group → source)."
    )

    # ---- lookups ------------------------------------------------------------------------------
    def province(self, code: str) -> Province:
        return self._index("provinces", "code")[code]

    def city(self, code: str) -> City:
        return self._index("cities", "code")[code]

    def _index(self, attr: str, key: str) -> dict[str, Any]:
        # Kept with the list it indexes, one entry per list: ``model_copy`` copies ``__dict__``, and a
        # copy whose list was replaced must build its own index, not read (or overwrite) the base's.
        items = getattr(self, attr)
        cached = self.__dict__.get(f"_index_{attr}")
        if cached is None or cached[0] is not items:
            cached = self.__dict__[f"_index_{attr}"] = (items, {getattr(x, key): x for x in items})
        return cached[1]

    def band_shares(self, province_code: str) -> tuple[float, float]:
        """(floor, ceiling) share of the province's stability band (``national`` allocation)."""
        prov, pol = self.province(province_code), self.policy
        lo = prov.allocation_band_floor_share
        hi = prov.allocation_band_ceiling_share
        return (pol.allocation_band_floor_share if lo is None else lo,
                pol.allocation_band_ceiling_share if hi is None else hi)

    def allocation_base_ha(self, province_code: str) -> float:
        prov = self.province(province_code)
        return prov.new_land_pool_ha_per_year if prov.allocation_base_ha_per_year is None else prov.allocation_base_ha_per_year

    def by_year(self, value, year: int):
        """A field given as one value or a per-year list, read at plan year ``year`` (1-based)."""
        if isinstance(value, list):
            return value[min(max(year, 1), len(value)) - 1] if value else None
        return value

    def entrusted(self, province_code: str, year: int = 1) -> bool:
        """Whether the province holds entrusted State-Council-level approval (国发〔2020〕4号) in plan
        year ``year`` (1-based; a per-year list is read at that year)."""
        prov = self.province(province_code)
        e = prov.approval_entrusted
        if isinstance(e, list):
            return e[min(max(year, 1), len(e)) - 1] if e else province_code in self.policy.entrusted_province_codes
        if e is not None:
            return e
        return province_code in self.policy.entrusted_province_codes


# ---- validation -------------------------------------------------------------------------------


class Problem(BaseModel):
    """One thing wrong with the input: where, which rule, and a sentence a person can act on."""

    loc: list[str | int] = Field(description="Path of the offending field, e.g. ['cities', 3, 'province_code'].")
    rule: str = Field(description="Short name of the rule broken, e.g. 'unknown_province'.")
    message: str


class ScenarioInvalid(ValueError):
    """The scenario breaks one or more rules; ``problems`` lists each."""

    def __init__(self, problems: list[Problem]):
        self.problems = problems
        super().__init__("; ".join(f"{'.'.join(map(str, p.loc))}: {p.message}" for p in problems))


def problems_from_pydantic(err: ValidationError, prefix: tuple = ()) -> list[Problem]:
    out = []
    for e in err.errors(include_url=False):
        out.append(Problem(loc=[*prefix, *e["loc"]], rule=e["type"], message=e["msg"]))
    return out


def check_scenario(s: Scenario, positions: dict[str, list[int]] | None = None) -> list[Problem]:
    """Cross-reference and total checks that per-field validation cannot see.

    ``positions`` maps a list section to the original index of each item, when ``s`` holds only the
    items that passed field validation (see :func:`load_scenario`), so paths name the input's items.
    """
    probs: list[Problem] = []

    def add(loc, rule, msg):
        loc = list(loc)
        if positions and len(loc) > 1 and loc[0] in positions and isinstance(loc[1], int):
            loc[1] = positions[loc[0]][loc[1]]
        probs.append(Problem(loc=loc, rule=rule, message=msg))

    for i, n in _dupes([p.code for p in s.provinces]):
        add(("provinces", i, "code"), "duplicate_id", f"province code {n} appears more than once")
    for i, n in _dupes([c.code for c in s.cities]):
        add(("cities", i, "code"), "duplicate_id", f"city code {n} appears more than once")
    for i, n in _dupes([p.id for p in s.projects]):
        add(("projects", i, "id"), "duplicate_id", f"project id {n} appears more than once")

    prov_codes = {p.code for p in s.provinces}
    for i, p in enumerate(s.provinces):
        if p.code not in PROVINCES:
            add(("provinces", i, "code"), "unknown_province", f"{p.code} is not a GB/T 2260 province code")
        flex = s.policy.linkage_province_flex_max
        if abs(p.linkage_adjustment) > flex + 1e-12:
            add(("provinces", i, "linkage_adjustment"), "linkage_flex",
                f"{p.linkage_adjustment:+.3f} is outside the ±{flex:.2f} a province may adjust (国土资发〔2016〕123号)")
        for name in ("approval_capacity_ha_per_year", "approval_capacity_cases_per_year",
                     "entrusted_capacity_ha_per_year", "entrusted_capacity_cases_per_year"):
            v = getattr(p, name)
            if isinstance(v, list) and len(v) != s.years:
                add(("provinces", i, name), "capacity_years",
                    f"a per-year list needs one value per plan year: {len(v)} given, {s.years} year(s)")
        if isinstance(p.approval_entrusted, list) and len(p.approval_entrusted) != s.years:
            add(("provinces", i, "approval_entrusted"), "entrusted_years",
                f"a per-year list needs one value per plan year: {len(p.approval_entrusted)} given, "
                f"{s.years} year(s)")
        if p.surplus_land_quota_ha_per_year > 0 and not p.land_quota_seller:
            add(("provinces", i, "surplus_land_quota_ha_per_year"), "not_a_seller",
                "only a province with land_quota_seller=true can hold surplus quota for sale")
    for name in ("state_council_capacity_ha_per_year", "state_council_capacity_cases_per_year"):
        v = getattr(s.policy, name)
        if isinstance(v, list) and len(v) != s.years:
            add(("policy", name), "capacity_years",
                f"a per-year list needs one value per plan year: {len(v)} given, {s.years} year(s)")
    pol = s.policy
    if pol.quota_allocation == "national" and pol.national_new_land_total_ha is None:
        add(("policy", "national_new_land_total_ha"), "national_total_missing",
            "quota_allocation 'national' allocates the national total: national_new_land_total_ha must be set")
    if pol.allocation_band_floor_share > pol.allocation_band_ceiling_share:
        add(("policy", "allocation_band_floor_share"), "band_floor_above_ceiling",
            f"the stability band's floor share {pol.allocation_band_floor_share} exceeds its ceiling share "
            f"{pol.allocation_band_ceiling_share}")
    for i, p in enumerate(s.provinces):
        lo = pol.allocation_band_floor_share if p.allocation_band_floor_share is None else p.allocation_band_floor_share
        hi = pol.allocation_band_ceiling_share if p.allocation_band_ceiling_share is None else p.allocation_band_ceiling_share
        if lo > hi and (p.allocation_band_floor_share is not None or p.allocation_band_ceiling_share is not None):
            field = "allocation_band_floor_share" if p.allocation_band_floor_share is not None else "allocation_band_ceiling_share"
            add(("provinces", i, field), "band_floor_above_ceiling",
                f"{p.code}'s stability band floor share {lo} exceeds its ceiling share {hi}")
    for j, code in enumerate(s.policy.entrusted_province_codes):
        if code not in PROVINCES:
            add(("policy", "entrusted_province_codes", j), "unknown_province", f"{code} is not a GB/T 2260 province code")
    for code in s.policy.land_quota_buyer_price_cny_10k_per_mu:
        if code not in PROVINCES:
            add(("policy", "land_quota_buyer_price_cny_10k_per_mu", code), "unknown_province",
                f"{code} is not a GB/T 2260 province code")

    for i, n in _dupes([f.id for f in s.funding_sources]):
        add(("funding_sources", i, "id"), "duplicate_id", f"funding source id {n} appears more than once")
    for i, f in enumerate(s.funding_sources):
        for code in list(f.eligible_provinces or []) + list(f.limit_per_province_cny_100m or {}):
            if code not in PROVINCES:
                add(("funding_sources", i), "unknown_province", f"{f.id}: {code} is not a GB/T 2260 province code")
    if sum(f.kind == "reward_fund" for f in s.funding_sources) > 1:
        add(("funding_sources",), "one_reward_fund", "at most one source may be the citizenisation reward fund")

    city_codes = {c.code for c in s.cities}
    cities_per_province = Counter(c.province_code for c in s.cities)
    for i, c in enumerate(s.cities):
        if c.province_code not in prov_codes:
            add(("cities", i, "province_code"), "unknown_province",
                f"city {c.code} names province {c.province_code}, which is not in the scenario")
        elif not c.code.startswith(c.province_code[:2]):
            add(("cities", i, "code"), "code_mismatch",
                f"city code {c.code} does not belong to province {c.province_code} (GB/T 2260 prefix)")
        if c.stock_land_available_ha > c.urban_construction_land_ha:
            add(("cities", i, "stock_land_available_ha"), "stock_exceeds_land",
                "inefficient stock land cannot exceed the city's urban construction land")
        final_pop = c.resident_population + s.years * c.resident_population_growth_per_year
        if final_pop <= 0:
            add(("cities", i, "resident_population_growth_per_year"), "population_vanishes",
                f"projected resident population after {s.years} year(s) is {final_pop} ≤ 0")
    for i, p in enumerate(s.provinces):
        if p.code in prov_codes and cities_per_province[p.code] == 0:
            add(("provinces", i, "code"), "province_without_city",
                f"province {p.code} has no city unit; add at least its rest-of-province unit")

    committed_area: dict[str, float] = defaultdict(float)
    for i, pr in enumerate(s.projects):
        if pr.city_code not in city_codes:
            add(("projects", i, "city_code"), "unknown_city", f"project {pr.id} names city {pr.city_code}, which is not in the scenario")
        elif pr.committed:
            committed_area[s.city(pr.city_code).province_code] += pr.area_ha
    # Committed projects must fit in what the province could ever get: its pool over the horizon
    # plus, if it may buy, every seller's surplus. Under `national` allocation the most it can get is its
    # allocation ceiling (linked land + ceiling share × base) over the horizon, plus the same surplus.
    surplus = sum(p.surplus_land_quota_ha_per_year for p in s.provinces) * s.years
    national = s.policy.quota_allocation == "national"
    linked: dict[str, float] = {}
    if national and committed_area and not probs:
        for c in s.cities:
            need = c.linked_land(s.policy, s.province(c.province_code).linkage_adjustment)[2]
            linked[c.province_code] = linked.get(c.province_code, 0.0) + need
    for i, p in enumerate(s.provinces):
        need = committed_area.get(p.code, 0.0)
        if need <= 0 or (national and not linked):
            continue
        buy = surplus if p.land_quota_buyer else 0.0
        if not national:
            room = p.new_land_pool_ha_per_year * s.years + buy
            if need > room + 1e-6:
                add(("provinces", i, "new_land_pool_ha_per_year"), "committed_exceeds_pool",
                    f"committed projects in {p.code} need {need:.1f} ha but the pool and all tradeable quota "
                    f"give at most {room:.1f} ha over {s.years} year(s)")
            continue
        ceiling = linked.get(p.code, 0.0) + s.band_shares(p.code)[1] * s.allocation_base_ha(p.code)
        room = ceiling * s.years + buy
        if need > room + 1e-6:
            field = "new_land_pool_ha_per_year" if p.allocation_base_ha_per_year is None else "allocation_base_ha_per_year"
            add(("provinces", i, field), "committed_exceeds_ceiling",
                f"committed projects in {p.code} need {need:.1f} ha but its allocation ceiling (linked land "
                f"{linked.get(p.code, 0.0):.1f} + band ceiling) and all tradeable quota give at most {room:.1f} ha "
                f"over {s.years} year(s)")
    return probs


def _dupes(values: list[str]):
    seen = set()
    for i, v in enumerate(values):
        if v in seen:
            yield i, v
        seen.add(v)


def load_scenario(data: dict | Scenario) -> Scenario:
    """Validate raw data (or an already parsed scenario) completely; raise ScenarioInvalid."""
    if isinstance(data, Scenario):
        s = data
    else:
        try:
            s = Scenario.model_validate(data)
        except ValidationError as e:
            # Report every problem at once: the field problems, and the cross-reference problems of
            # the items that are themselves valid.
            raise ScenarioInvalid(problems_from_pydantic(e) + _check_valid_part(data)) from None
    probs = check_scenario(s)
    if probs:
        raise ScenarioInvalid(probs)
    return s


_SECTIONS = {"provinces": (Province, "code"), "cities": (City, "code"), "projects": (Project, "id"),
             "funding_sources": (FundingSource, "id")}


def _check_valid_part(data: Any) -> list[Problem]:
    """Cross-reference checks on the items that pass field validation on their own."""
    if not isinstance(data, dict):
        return []
    parts: dict[str, Any] = {}
    positions: dict[str, list[int]] = {}
    for section, (model, _) in _SECTIONS.items():
        items = data.get(section)
        if not isinstance(items, list):
            continue
        kept, where = [], []
        for i, item in enumerate(items):
            try:
                kept.append(model.model_validate(item))
                where.append(i)
            except ValidationError:
                pass
        parts[section], positions[section] = kept, where
        if len(kept) < len(items) and section in ("provinces", "cities"):
            return []  # a reference to an invalid province or city would be misreported as unknown
    try:
        policy = PolicyParameters.model_validate(data.get("policy", {}))
        years = int(data.get("years", 1))
    except (ValidationError, TypeError, ValueError):
        return []
    if not parts.get("provinces") or not parts.get("cities") or not 1 <= years <= 10:
        return []
    s = Scenario.model_construct(
        name=str(data.get("name", "scenario")), description="", years=years, policy=policy, sources={},
        provinces=parts["provinces"], cities=parts["cities"], projects=parts.get("projects", []),
        funding_sources=parts.get("funding_sources", default_funding_sources()),
    )
    try:
        return check_scenario(s, positions)
    except Exception:  # a partial scenario may be too broken to check further: report what we have
        return []
