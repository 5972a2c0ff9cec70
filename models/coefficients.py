"""Derived numbers: what each policy rule means for each city, computed once from a scenario.

The LP never evaluates a policy rule itself; it reads these coefficients. They are also shown in
the result, so a planner can trace every right-hand side back to the rule and the data behind it.
A what-if that changes only numbers recomputes this and pushes the values into the built model's
mutable parameters (``LandModel.update``); nothing is rebuilt.
"""

from __future__ import annotations

from dataclasses import dataclass

from landquota.models.approval import Levels, Route, batch_parcels, levels, route
from landquota.models.memo import Memo
from landquota.models.units import M2_PER_HA
from landquota.models.scenario import City, Scenario


@dataclass(frozen=True)
class CityCoefficients:
    current_per_capita_m2: float
    """Urban construction land ÷ resident population now (GB 50137 measures on residents)."""
    per_settler_m2: float
    """Per-settler standard after the tier (国土资发〔2016〕123号) and the province's ±10% flex."""
    eligible_settlers_per_year: float
    """Settlers who earn land: all of them, minus central-district settlers of super-large/mega cities."""
    linkage_need_ha_per_year: float
    """Linked land per year (人地挂钩): per_settler_m2 × eligible settlers × ``policy.linkage_strength`` ÷
    10,000. It is the city's settler land floor (models.linkage) and, under ``national`` allocation, the
    city's part of its province's linked land (models.landplan): the same figure, earmarked to this city."""
    final_resident_population: int
    """Projected resident population at the end of the horizon."""
    effective_cap_per_capita_m2: float
    """min(max(cap, current), current + max increase): cities above the cap may not raise per-capita land."""
    cap_room_ha: float
    """New land the per-capita cap leaves over the horizon: max(0, cap × final pop ÷ 10,000 − current land);
    0 for a city whose current land already exceeds its cap × final population (no land is taken away, so
    such a city's per-capita land after the plan can exceed the cap as its residents shrink)."""
    general_room_ha: float | None
    """Stock-first room for general-use new land over the horizon (None = rule off): the settler
    land need plus the land new residents need at today's per-capita level, minus the city's
    inefficient stock, which must serve first."""
    tilted: bool
    """A centre city or a key-cluster member, wholly or partly (item (20) tilt)."""
    tilt_weight: float = 0.0
    """Share of its new land that counts towards the tilt (``City.tilt_weight``)."""


def city_coefficients(s: Scenario, c: City) -> CityCoefficients:
    pol = s.policy
    prov = s.province(c.province_code)
    current_pc = c.current_per_capita_m2
    per_settler, eligible, need = c.linked_land(pol, prov.linkage_adjustment)
    final_pop = max(0, c.resident_population + s.years * c.resident_population_growth_per_year)
    eff_cap = min(max(pol.per_capita_cap_m2, current_pc), current_pc + pol.per_capita_max_increase_m2)
    room = max(0.0, eff_cap * final_pop / M2_PER_HA - c.urban_construction_land_ha)
    growth_need = current_pc * max(0, c.resident_population_growth_per_year) * s.years / M2_PER_HA
    general_room = (
        max(0.0, need * s.years + growth_need - c.stock_land_available_ha) if pol.stock_first else None
    )
    return CityCoefficients(
        current_per_capita_m2=current_pc,
        per_settler_m2=per_settler,
        eligible_settlers_per_year=eligible,
        linkage_need_ha_per_year=need,
        final_resident_population=final_pop,
        effective_cap_per_capita_m2=eff_cap,
        cap_room_ha=room,
        general_room_ha=general_room,
        tilted=c.tilt_weight > 0,
        tilt_weight=c.tilt_weight,
    )


def all_city_coefficients(s: Scenario) -> dict[str, CityCoefficients]:
    return {c.code: city_coefficients(s, c) for c in s.cities}


_ROUTES = Memo()


def project_routes(s: Scenario) -> dict[str, Route]:
    """Approval route of every whole project (no splitting). A route depends on the project's
    parcels, whether its province holds entrusted approval, and the 35/70 ha thresholds; a
    what-if that changes none of these reuses the routes already made (models.memo)."""
    pol = s.policy
    key = (s.projects, s.cities, tuple((p.code, s.entrusted(p.code)) for p in s.provinces),
           (pol.state_council_arable_threshold_ha, pol.state_council_other_threshold_ha, pol.combined_area_rule))
    return _ROUTES.get(key, lambda: _project_routes(s))


def _project_routes(s: Scenario) -> dict[str, Route]:
    return {
        p.id: route(p.parcels, s.entrusted(s.city(p.city_code).province_code), s.policy) for p in s.projects
    }


# ---- what the approval rules need, entrustment apart (models.approval.Levels) ------------------

_LEVELS = Memo()
_BATCHES = Memo()


def _thresholds(s: Scenario) -> tuple:
    pol = s.policy
    return (pol.state_council_arable_threshold_ha, pol.state_council_other_threshold_ha, pol.combined_area_rule)


def project_levels(s: Scenario) -> dict[str, Levels]:
    """Each whole project's approval levels (no splitting); entrustment is applied in the LP."""
    return _LEVELS.get((s.projects, _thresholds(s)),
                       lambda: {p.id: levels(p.parcels, s.policy) for p in s.projects})


def batch_size_ha(s: Scenario, c: City) -> float:
    return c.general_land_batch_ha if c.general_land_batch_ha is not None else s.policy.general_land_batch_ha


def batch_route_parcels(s: Scenario, c: City) -> list[dict]:
    """One annual batch of the city's general-use land, as parcels (Art. 44 batches)."""
    k = c.general_land_collective_share
    k = s.policy.general_land_collective_share if k is None else k
    return batch_parcels(batch_size_ha(s, c), c.general_land_arable_share, k)


def batch_levels(s: Scenario) -> dict[str, Levels]:
    """Approval levels of each city's annual batch of general-use land, from its batch data."""
    pol = s.policy
    key = (s.cities, _thresholds(s), (pol.general_land_batch_ha, pol.general_land_collective_share))
    return _BATCHES.get(key, lambda: {c.code: levels(batch_route_parcels(s, c), pol) for c in s.cities})

