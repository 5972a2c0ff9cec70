"""Funding sources for item (21): data rows, not code.

NDRC 532号 item (21): while preventing local government debt risk, finance new-urbanisation,
urban–rural-integration and characteristic-town projects with enterprise bonds, comprehensive
credit and medium/long-term loans from China Development Bank (CDB) and Agricultural Development
Bank of China (ADBC), and public money. Each source is a row with a ``kind`` (what the money *is*:
borrowed, capital, a grant, government debt), a cost (rate and tenor), eligibility (project
categories, county seats, provinces) and limits. The default rows are
:func:`default_funding_sources`; a scenario may replace or edit them.

Cost in the objective. Project values are net of investment and before financing, so the LP
charges each 亿元 of a source the present value, at ``policy.finance_discount_rate_pct``, of the
level debt service on that 亿元 over the source's tenor, minus the 亿元 itself:
``max(0, CRF(rate, tenor) × AF(d, tenor) − 1)``. Grants cost nothing; own capital is priced at its
opportunity cost the same way. Money cheaper than the discount rate costs nothing (the floor), so
borrowing is never itself a reason to build.
"""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field

NonNeg = Annotated[float, Field(ge=0, allow_inf_nan=False)]

FundingKind = Literal["enterprise_bond", "loan", "grant", "reward_fund", "special_bond", "general_bond",
                      "own_capital"]

BORROWED_KINDS = {"enterprise_bond", "loan", "special_bond", "general_bond"}
"""Borrowed money never counts as project capital (国发〔2015〕51号, 国发〔2019〕26号 [V]); the one
exception, special bonds in the listed sectors up to a share (厅字〔2019〕33号), is a rule of its own
(:mod:`models.finance`)."""
CAPITAL_KINDS = {"own_capital", "grant"}
"""Money that may count as project capital: the sponsor's own funds and public (non-repayable) funds.
The citizenisation reward fund is not among them: it pays settlers' public services
(:mod:`models.finance`, settler public cost), never project capital."""
GOVERNMENT_DEBT_KINDS = {"special_bond", "general_bond"}
"""Legal local government debt (general + special bonds): enters the legal debt ratio (债务率)."""
PLATFORM_DEBT_KINDS = {"enterprise_bond", "loan"}
"""Borrowing by local financing platforms (enterprise bonds, bank loans to platform companies): hidden
debt, counted with legal debt in the broad debt ratio [M] unless a source says ``platform_debt: false``."""
PROVINCE_QUOTA_KINDS = {"special_bond": "special_bond_limit_cny_100m_per_year",
                        "general_bond": "general_bond_limit_cny_100m_per_year"}
"""Government-bond kinds capped per province and year by a Province field (the new-bond quota)."""


class FundingSource(BaseModel):
    """One source of money (a data row)."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True, frozen=True)
    id: str = Field(min_length=1, max_length=64, examples=["cdb_loan"])
    name: str = Field("", examples=["国家开发银行 medium/long-term loan"])
    kind: FundingKind = Field(
        description="enterprise_bond (企业债, share capped by the bond rule), loan (bank credit), grant "
        "(central budget investment: public money, may count as capital), reward_fund (the item (6) "
        "citizenisation reward fund: accepted in old scenarios but funds no project, since the fund pays "
        "settlers' public costs, models.finance), special_bond (local government special bonds: legal debt, "
        "capped per province; project capital in the listed sectors up to a share), general_bond "
        "(general-purpose local government bonds: legal debt, capped per province), own_capital (the sponsor's).",
    )
    rate_pct: float = Field(0.0, ge=0, le=50, allow_inf_nan=False, description="Annual interest or required return, %.")
    spread_over_lpr_pct: float | None = Field(
        None, ge=0, le=20, allow_inf_nan=False,
        description="Commercial-bank pricing: the rate is `policy.lpr_5y_pct` + this spread, percentage points "
        "(replaces rate_pct); null = use rate_pct. Must not be negative.", examples=[0.6])
    platform_debt: bool | None = Field(
        None,
        description="Whether this borrowing is by local financing platforms (hidden debt, counted in the broad "
        "debt ratio [M]). null = by kind: enterprise bonds and loans yes, everything else no.")
    tenor_years: int = Field(20, ge=1, le=50, description="Repayment period (or project life for capital), years.")
    eligible_categories: list[str] | None = Field(
        None, description="Project categories this source may fund; null = all."
    )
    eligible_county_seat: bool = Field(
        False, description="Also eligible for any county-seat project, whatever its category."
    )
    eligible_provinces: list[str] | None = Field(None, description="GB/T 2260 codes; null = every province.")
    limit_per_province_cny_100m: dict[str, NonNeg] | None = Field(
        None,
        description="Comprehensive credit line per province over the horizon, 亿元 (综合授信); provinces "
        "not listed have no line from this source. null = no per-province limit.",
    )
    limit_total_cny_100m_per_year: NonNeg | None = Field(
        None, description="National total per year, 亿元 (e.g. central budget investment); null = none."
    )
    source: str = Field("", description="Where the rate, tenor and eligibility come from.")

    def counts_as_platform_debt(self) -> bool:
        return self.kind in PLATFORM_DEBT_KINDS if self.platform_debt is None else self.platform_debt

    def effective_rate_pct(self, lpr_pct: float) -> float:
        return self.rate_pct if self.spread_over_lpr_pct is None else lpr_pct + self.spread_over_lpr_pct

    def eligible(self, category: str, county_seat: bool, province_code: str) -> bool:
        if self.eligible_provinces is not None and province_code not in self.eligible_provinces:
            return False
        if self.limit_per_province_cny_100m is not None and province_code not in self.limit_per_province_cny_100m:
            return False
        if self.eligible_categories is None:
            return True
        return category in self.eligible_categories or (self.eligible_county_seat and county_seat)


def crf(rate: float, years: int) -> float:
    """Capital recovery factor: level annual payment per unit borrowed."""
    if rate == 0:
        return 1.0 / years
    return rate * (1 + rate) ** years / ((1 + rate) ** years - 1)


def annuity_factor(rate: float, years: int) -> float:
    """Present value of 1 per year for ``years`` years at ``rate``."""
    if rate == 0:
        return float(years)
    return (1 - (1 + rate) ** -years) / rate


def cost_per_cny_100m(src: FundingSource, discount_rate_pct: float, lpr_pct: float = 4.65) -> float:
    """Objective cost of one 亿元 from this source (see the module docstring); a commercial loan's rate
    is the LPR (``lpr_pct``, policy.lpr_5y_pct) plus its spread."""
    if src.kind in ("grant", "reward_fund"):
        return 0.0
    r, d = src.effective_rate_pct(lpr_pct) / 100.0, discount_rate_pct / 100.0
    return max(0.0, crf(r, src.tenor_years) * annuity_factor(d, src.tenor_years) - 1.0)


BOND_CATEGORIES = ["new_urbanisation", "urban_rural_integration", "characteristic_town",
                   "utility_tunnel", "parking", "elderly_care"]
ALL_BUT_INDUSTRIAL = ["new_urbanisation", "urban_rural_integration", "characteristic_town", "land_consolidation",
                      "resettlement_housing", "public_service_gap", "infrastructure", "utility_tunnel", "parking",
                      "elderly_care"]
"""Every project category (models.scenario.ProjectCategory) except ``industrial``."""
GENERAL_BOND_CATEGORIES = ["public_service_gap", "infrastructure", "land_consolidation", "resettlement_housing",
                           "elderly_care"]
"""Public-interest projects without revenue, which general bonds fund (国发〔2014〕43号 [M]; the mapping
to categories is an assumption [A])."""
ADBC_CATEGORIES = ["land_consolidation", "urban_rural_integration", "characteristic_town", "resettlement_housing"]


def default_funding_sources() -> list[FundingSource]:
    """The funding rows of item (21) with POLICY.md defaults; [A] marks an assumption."""
    return [
        FundingSource(
            id="enterprise_bond", name="企业债 (enterprise bonds)", kind="enterprise_bond", rate_pct=5.5, tenor_years=7,
            eligible_categories=BOND_CATEGORIES, eligible_county_seat=True,
            source="532号 item (21) [V]: bonds for new-urbanisation, urban-rural-integration and characteristic-town "
            "projects; county-seat special bonds 发改办财金规〔2020〕613号 [V]; special categories 发改办财金〔2015〕755号 "
            "[V]. Rate 5.5% and tenor 7 years are assumptions [A] (typical 2020 city-investment enterprise bonds).",
        ),
        FundingSource(
            id="cdb_loan", name="国家开发银行 loans", kind="loan", rate_pct=4.65, tenor_years=20,
            eligible_categories=ALL_BUT_INDUSTRIAL,
            source="532号 item (21) [V]: development-bank comprehensive credit, medium/long-term loans on market "
            "terms for new-urbanisation and urban-rural-integration projects, not industrial investment "
            "(eligibility by category [A]); priced near the 5-year LPR 4.65% (2020-04-20) [M], 20–25 years [M]. "
            "Loans to platform companies: platform debt in the broad debt ratio [M].",
        ),
        FundingSource(
            id="adbc_loan", name="中国农业发展银行 城乡一体化贷款", kind="loan", rate_pct=4.65, tenor_years=25,
            eligible_categories=ADBC_CATEGORIES, eligible_county_seat=True,
            source="ADBC urban-rural integration loans [V]: land consolidation, 增减挂钩, supplementary farmland, "
            "characteristic-town infrastructure, resettlement housing; county-level uses. Rate: 5-year LPR [M].",
        ),
        FundingSource(
            id="central_budget", name="中央预算内投资 (central budget investment)", kind="grant",
            eligible_categories=["public_service_gap", "urban_rural_integration", "resettlement_housing",
                                 "new_urbanisation", "utility_tunnel", "elderly_care"],
            source="Public funds (532号 item (21)); may serve as project capital. No national total is given "
            "in POLICY.md: set limit_total_cny_100m_per_year per scenario.",
        ),
        FundingSource(
            id="commercial_loan", name="商业银行贷款 (commercial-bank loans)", kind="loan", tenor_years=15,
            spread_over_lpr_pct=0.6,
            source="Commercial-bank medium/long-term loans at the 5-year LPR (4.65%, 2020-04-20 [M]) plus a spread; "
            "spread 0.6 points and tenor 15 years are assumptions [A]. Lent to platform companies: counted as "
            "platform debt in the broad debt ratio [A] (POLICY.md: hidden debt includes commercial-bank loans [M]).",
        ),
        FundingSource(
            id="general_bond", name="地方政府一般债券 (general-purpose local government bonds)", kind="general_bond",
            rate_pct=3.5, tenor_years=10, eligible_categories=GENERAL_BOND_CATEGORIES,
            source="Legal government debt for public-interest projects without revenue (国发〔2014〕43号 [M]), capped "
            "by each province's general_bond_limit_cny_100m_per_year and the legal debt ratio. Rate 3.5% and "
            "tenor 10 years are assumptions [A] (2020 issues priced near 3.3–3.6% [M]).",
        ),
        FundingSource(
            id="special_bond", name="地方政府专项债券 (local government special bonds)", kind="special_bond",
            rate_pct=3.7, tenor_years=15,
            eligible_categories=["new_urbanisation", "urban_rural_integration", "characteristic_town",
                                 "land_consolidation", "resettlement_housing", "public_service_gap",
                                 "infrastructure", "utility_tunnel", "parking", "elderly_care"],
            source="Government debt, capped by each province's special_bond_limit_cny_100m_per_year and the debt "
            "ratio. Rate 3.7% and tenor 15 years are assumptions [A].",
        ),
        FundingSource(
            id="own_capital", name="项目资本金 (sponsor's own capital)", kind="own_capital", rate_pct=8.0,
            tenor_years=20,
            source="Project capital (国发〔2015〕51号, 国发〔2019〕26号 [V]); 8% required return is an assumption [A].",
        ),
    ]
