"""Who approves a project's land expropriation: the 35/70-hectare rule (item (20)).

Land Administration Law (2019) Art. 46 [V]: expropriation needs the **State Council** if it
includes any permanent basic farmland (PBF), non-PBF arable land over 35 ha, or other land over
70 ha; everything else is approved by the provincial government.
國發〔2020〕4號 [V]: State-Council-level expropriation and PBF conversion are entrusted to pilot
provinces only (北京 天津 上海 江蘇 浙江 安徽 廣東 重慶); no re-delegation below the province.

No splitting (化整為零, 國發〔2004〕28號 [M]): the thresholds apply to the *whole* project, so the
route is a property of the project's data, never of how much of it the model selects. This is
why routing is computed here, before the LP, and the LP only counts a selected share against the
capacity of the authority this function names.
"""

from __future__ import annotations

from typing import Iterable, Literal

from pydantic import BaseModel, Field

from landquota.models.policy import PolicyParameters

Authority = Literal["state_council", "province_entrusted", "province"]
AUTHORITIES: tuple[Authority, ...] = ("state_council", "province_entrusted", "province")

ART46 = "Land Administration Law (2019) Art. 46"
ENTRUSTMENT = "國發〔2020〕4號 (State Council, 2020-03-01)"


class Route(BaseModel):
    authority: Authority = Field(description="Who approves: state_council, province_entrusted or province.")
    reason: str = Field(description="The rule that decided, in plain words.")
    legal_basis: str = Field(description="The law or document the rule comes from.")
    pbf_ha: float = Field(description="Permanent basic farmland in the whole project, ha.")
    arable_ha: float = Field(description="Non-PBF arable land in the whole project, ha.")
    other_ha: float = Field(description="Other land in the whole project, ha.")


def route(parcels: Iterable, entrusted: bool, policy: PolicyParameters | None = None) -> Route:
    """Route one whole project. ``parcels`` are objects or dicts with ``land_type`` and ``area_ha``.

    The areas of all parcels of a type are added up first (several small parcels of one project
    are one application and cross a threshold together).
    """
    policy = policy or PolicyParameters()
    areas = {"permanent_basic_farmland": 0.0, "arable": 0.0, "other": 0.0}
    for p in parcels:
        lt = p["land_type"] if isinstance(p, dict) else p.land_type
        ha = p["area_ha"] if isinstance(p, dict) else p.area_ha
        areas[lt] += float(ha)
    # Areas are compared with the thresholds to 1e-6 ha (0.01 m²): 12.3 + 20.1 + 2.6 is 35 ha, not
    # the binary-float 35.00000000000001 that would send it to the State Council.
    pbf, arable, other = (round(areas[k], 6) for k in ("permanent_basic_farmland", "arable", "other"))
    a_max, o_max = policy.state_council_arable_threshold_ha, policy.state_council_other_threshold_ha

    triggers = []
    if pbf > 0:
        triggers.append(f"it includes {pbf:g} ha of permanent basic farmland (any PBF)")
    if arable > a_max:
        triggers.append(f"its non-PBF arable land, {arable:g} ha, exceeds {a_max:g} ha")
    if other > o_max:
        triggers.append(f"its other land, {other:g} ha, exceeds {o_max:g} ha")
    if policy.combined_area_rule and arable + other > o_max and not (arable > a_max or other > o_max):
        triggers.append(f"its arable and other land together, {arable + other:g} ha, exceed {o_max:g} ha (practice)")

    common = dict(pbf_ha=pbf, arable_ha=arable, other_ha=other)
    if not triggers:
        return Route(
            authority="province",
            reason=f"no PBF, arable {arable:g} ha ≤ {a_max:g} ha and other land {other:g} ha ≤ {o_max:g} ha: "
            "the provincial government approves",
            legal_basis=ART46,
            **common,
        )
    why = "; ".join(triggers)
    if entrusted:
        return Route(
            authority="province_entrusted",
            reason=f"State-Council level because {why}; entrusted to this pilot province",
            legal_basis=f"{ART46}; {ENTRUSTMENT}",
            **common,
        )
    return Route(
        authority="state_council",
        reason=f"State Council approves because {why}",
        legal_basis=ART46,
        **common,
    )
