"""Assemble the land-quota LP from one Block per policy item.

Shared decision variables live on the top-level model; each policy item is a Pyomo ``Block``
built by its own module, which adds its rules and hands back its contribution to the objective
(as oemof.solph does):

===================  ==========================================  =========================
Block                policy                                      module
===================  ==========================================  =========================
``m.linkage``        item (6) settler land floor (人地挂钩)         :mod:`models.linkage`
``m.landplan``       item (20) pools or national allocation,      :mod:`models.landplan`
                     national total, per-capita cap, stock
                     first, tilt
``m.approval``       item (20) approval capacity by authority     :mod:`models.approval_capacity`
                     (ha, cases; projects and general-use
                     batches), entrustment by year, lead times
``m.trading``        item (20) quota trading, farmland balance    :mod:`models.trading`
``m.finance``        item (21) funding, bonds, capital, credit,   :mod:`models.finance`
                     debt ratio
===================  ==========================================  =========================

Shared variables (all in ha, per city or project and plan year ``t``):

* ``x[j, t]`` share of project *j* started in year *t* (Σ_t ≤ 1; binary with ``whole_projects``);
* ``g[c, t]`` new quota for general urban use (housing and services) in city *c*;
* ``s[c, t]`` inefficient stock land revitalised in city *c*;
* ``buy_land[p, t]`` cross-regional construction-land quota bought by province *p* (0 unless
  it is an eligible buyer);
* expression ``new_land[c, t] = Σ_j area_j · x[j, t] + g[c, t]`` — new construction land.

Objective (亿元, maximised): discounted value of projects and of general land put to use, minus
revitalisation, farmland-occupation, trading and financing costs and priced target shortfalls.

Only what-if knobs are mutable Params (pools, totals, floors, caps, prices, capacities); see
:meth:`LandModel.update`.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

import pyomo.environ as pyo

from landquota.models import approval_capacity, finance, landplan, linkage, trading
from landquota.models.approval import Route
from landquota.models.coefficients import (
    CityCoefficients, all_city_coefficients, batch_levels, project_levels, project_routes,
)
from landquota.models.memo import Memo
from landquota.models.rules import PolicyItem, Registry, Rule
from landquota.models.scenario import Scenario
from landquota.models.units import M2_PER_HA, cny_100m

BLOCKS = (linkage, landplan, approval_capacity, trading, finance)
"""The policy Blocks, in build order (which is also the order of rows and columns HiGHS gets). Each
module has ``NAME`` (its Block on the model), ``add_block(m, d)`` (builds the Block, returns it with
its ``objective_term``), ``set_params(block, d)`` (writes its mutable Params: the what-if knobs) and
``RULES`` (its :class:`models.rules.Rule` declarations). :class:`LandModel` builds and updates from
this list only."""

PROJECTS = PolicyItem("(20) projects", "Item (20): projects", "第(20)项：项目")

PROJECT_ONCE = Rule(
    path="project_once", name="project_whole", item=PROJECTS, sense="upper", unit="project",
    describe="value of being able to build more of project {r} (it is fully selected)",
    noun_en="{r}", noun_zh="{r}", index=("region",), commitment=True,
    words={"describe_fixed": "value of building more of committed project {r} (negative: what building it in full "
                             "costs)",
           "price_en": "Project {r} is fully selected: it earns {price} more than its land and money would earn "
                       "elsewhere.",
           "price_zh": "项目{r}已全部选中：比其占用的土地和资金用于他处多创造{price}。",
           "price_fixed_en": "Project {r} is committed: building it in full costs the plan {price}, since its land "
                             "and money would earn more elsewhere.",
           "price_fixed_zh": "项目{r}为承诺项目：全部建成使目标值减少{price}，其占用的土地和资金用于他处可创造更多价值。",
           "conflict_en": "Project {r} in {city} is committed: it must be built in full ({area} ha)",
           "conflict_zh": "项目{r}（{city_zh}）为承诺项目，须全部建成（{area}公顷）"},
)
"""Σ_t x[j, t] ≤ 1 (= 1 for a committed project): a project is started at most once; its price is what
building more of a fully selected project would be worth."""

REGISTRY = Registry([*(r for mod in BLOCKS for r in mod.RULES), PROJECT_ONCE])
"""Every rule of the model (``models.rules``), read by ``solvers.duals``, ``solvers.explain`` and
``solvers.diagnosis``: the Blocks' rules in build order, then the project rule (the order of
``Result.binding``; explanations group by policy item, (6) before (20) before (21))."""


@dataclass
class ModelData:
    """Index sets and grouped lookups, computed once (never filter inside a Pyomo rule)."""

    scenario: Scenario
    years: list[int]
    provinces: list[str]
    cities: list[str]
    projects: list[str]
    cities_of: dict[str, list[str]]
    projects_of: dict[str, list[str]]
    province_of_city: dict[str, str]
    city_of_project: dict[str, str]
    area_ha: dict[str, float]
    arable_ha: dict[str, float]
    """Non-PBF arable land of each whole project."""
    pbf_ha: dict[str, float]
    regional_projects: frozenset
    """Projects whose land is regional infrastructure, not urban construction land (GB 50137)."""
    regional_cities: frozenset
    coeffs: dict[str, CityCoefficients]
    routes: dict[str, Route]
    discount: dict[int, float] = field(default_factory=dict)

    @classmethod
    def from_scenario(cls, s: Scenario) -> "ModelData":
        cities_of: dict[str, list[str]] = defaultdict(list)
        for c in s.cities:
            cities_of[c.province_code].append(c.code)
        years = list(range(1, s.years + 1))
        r = s.policy.discount_rate_per_year
        return cls(
            scenario=s,
            years=years,
            provinces=[p.code for p in s.provinces],
            cities=[c.code for c in s.cities],
            cities_of=dict(cities_of),
            province_of_city={c.code: c.province_code for c in s.cities},
            **_project_lookups(s.projects),
            coeffs=all_city_coefficients(s),
            routes=project_routes(s),
            discount={t: 1.0 / (1.0 + r) ** (t - 1) for t in years},
        )


_PROJECT_LOOKUPS = Memo()


def _project_lookups(projects: list) -> dict:
    """ModelData's project fields, remembered for the project list (a what-if rarely changes it)."""
    def make():
        projects_of: dict[str, list[str]] = defaultdict(list)
        for p in projects:
            projects_of[p.city_code].append(p.id)
        return dict(
            projects=[p.id for p in projects],
            projects_of=dict(projects_of),
            city_of_project={p.id: p.city_code for p in projects},
            area_ha={p.id: p.area_ha for p in projects},
            arable_ha={p.id: p.area_of("arable") for p in projects},
            pbf_ha={p.id: p.area_of("permanent_basic_farmland") for p in projects},
            regional_projects=frozenset(p.id for p in projects if not p.urban_land),
            regional_cities=frozenset(p.city_code for p in projects if not p.urban_land),
        )
    return _PROJECT_LOOKUPS.get((projects,), make)


_KEYS = Memo()
_PROJECT_SHAPES = Memo()


def structure_key(s: Scenario, whole_projects: bool) -> tuple:
    """Everything that decides the *shape* of the LP. Two scenarios with the same key differ only
    in numbers, so one can be solved by updating the other's built model. (A what-if asks for the
    same scenario's key several times: the last ones are remembered.)"""
    return _KEYS.get((s, (whole_projects,)), lambda: _structure_key(s, whole_projects))


def _projects_shape(s: Scenario) -> tuple:
    """The projects' part of the key, remembered for the project list and its approval levels
    (entrustment is not part of it: it is a mutable Param, models.approval_capacity)."""
    levels = project_levels(s)
    return _PROJECT_SHAPES.get((s.projects, levels), lambda: (
        tuple((p.id, p.city_code, p.committed, levels[p.id].gating, p.urban_land) for p in s.projects),
        # numbers the LP holds as plain constants (not what-if knobs): a change rebuilds
        tuple((p.value_cny_100m, tuple((q.land_type, q.area_ha, q.ownership) for q in p.parcels)) for p in s.projects),
    ))


def _structure_key(s: Scenario, whole_projects: bool) -> tuple:
    pol = s.policy
    return (
        whole_projects,
        s.years,
        tuple(p.code for p in s.provinces),
        tuple((c.code, c.province_code, c.tilt_weight) for c in s.cities),
        _projects_shape(s),
        tuple((p.land_quota_seller, p.land_quota_buyer, p.farmland_quota_seller, p.farmland_quota_buyer,
               p.approval_capacity_ha_per_year is None) for p in s.provinces),
        pol.national_new_land_total_ha is None,
        pol.quota_allocation,
        pol.tilt_level,
        pol.state_council_capacity_ha_per_year is None,
        # approval (models.approval_capacity): which limits exist, each batch's level
        pol.state_council_capacity_cases_per_year is None,
        tuple((p.approval_capacity_cases_per_year is None, p.entrusted_capacity_ha_per_year is None,
               p.entrusted_capacity_cases_per_year is None) for p in s.provinces),
        tuple(lv.gating for lv in batch_levels(s).values()),
        approval_capacity.lead_times_on(pol),
        pol.stock_first,
        finance.finance_structure(s),
        # Numbers the LP holds as plain constants (not what-if knobs): a change rebuilds.
        pol.discount_rate_per_year,
        tuple((c.new_land_value_cny_10k_per_ha, c.stock_revitalisation_cost_cny_10k_per_ha,
               c.general_land_arable_share) for c in s.cities),
    )


class LandModel:
    """A built, solvable Pyomo model of one scenario, with the data needed to read it back."""

    def __init__(self, scenario: Scenario, whole_projects: bool = False, finance_per_project: bool = False):
        self.scenario = scenario
        self.whole_projects = whole_projects
        self.finance_per_project = finance_per_project
        """Today's per-project financing variables (models.finance: the compact formulation's oracle)."""
        self.data = ModelData.from_scenario(scenario)
        self.key = structure_key(scenario, whole_projects) + (("finance_per_project",) if finance_per_project else ())
        self.m = self._build()

    def _build(self) -> pyo.ConcreteModel:
        d = self.data
        s = d.scenario
        m = pyo.ConcreteModel(name=s.name)
        domain = pyo.Binary if self.whole_projects else pyo.UnitInterval
        m.x = pyo.Var(d.projects, d.years, domain=domain, doc="share of project started in year t")
        m.g = pyo.Var(d.cities, d.years, domain=pyo.NonNegativeReals, doc="general-use new land, ha")
        m.s = pyo.Var(d.cities, d.years, domain=pyo.NonNegativeReals, doc="revitalised stock land, ha")

        buyers = {p.code for p in s.provinces if p.land_quota_buyer}
        m.buy_land = pyo.Var(
            d.provinces, d.years, domain=pyo.NonNegativeReals,
            bounds=lambda m, p, t: (0, None if p in buyers else 0),
            doc="cross-regional construction-land quota bought, ha",
        )

        def new_land(m, c, t):
            return sum(d.area_ha[j] * m.x[j, t] for j in d.projects_of.get(c, ())) + m.g[c, t]

        m.new_land = pyo.Expression(d.cities, d.years, rule=new_land, doc="new construction land, ha")

        committed = {p.id for p in s.projects if p.committed}  # a set: tested once per project

        def once(m, j):
            total = sum(m.x[j, t] for t in d.years)
            return total == 1 if j in committed else total <= 1

        m.project_once = pyo.Constraint(d.projects, rule=once, doc="a project is started at most once")

        blocks = [mod.add_block(m, d, per_project=self.finance_per_project) if mod is finance else mod.add_block(m, d)
                  for mod in BLOCKS]
        project_value = sum(
            d.discount[t] * p.value_cny_100m * m.x[p.id, t] for p in s.projects for t in d.years
        )
        general_value = sum(
            cny_100m(d.discount[t] * c.new_land_value_cny_10k_per_ha) * (m.g[c.code, t] + m.s[c.code, t])
            for c in s.cities
            for t in d.years
        )
        m.value_projects = pyo.Expression(expr=project_value)
        m.value_general_land = pyo.Expression(expr=general_value)
        m.objective = pyo.Objective(
            expr=m.value_projects + m.value_general_land + sum(b.objective_term for b in blocks),
            sense=pyo.maximize,
        )
        return m

    def update(self, scenario: Scenario) -> None:
        """Push a scenario's numbers into the mutable Params; its structure must match."""
        if structure_key(scenario, self.whole_projects) != self.key[:len(self.key) - self.finance_per_project]:
            raise ValueError("scenario structure differs from the built model; rebuild instead")
        self.scenario = scenario
        self.data = ModelData.from_scenario(scenario)
        for mod in BLOCKS:
            mod.set_params(getattr(self.m, mod.NAME), self.data)


def land_per_capita_after_m2(current_land_ha: float, new_land_ha: float, population: int) -> float:
    return (current_land_ha + new_land_ha) * M2_PER_HA / population if population else 0.0
