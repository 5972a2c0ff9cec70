"""Who approves a project's land: conversion (Art. 44) and expropriation (Art. 46), item (20).

A project (or a city's annual batch of general-use land) may need two approvals:

* **Conversion** (农用地转用, Land Administration Law (2019) Art. 44 [V]) of its *agricultural* land
  (permanent basic farmland (PBF), other arable land, other agricultural land), whoever owns it;
  construction and unused land need none. 国发〔2020〕4号 [V] item 1 authorises every province to
  approve converting agricultural land other than PBF; item 2 entrusts PBF conversion, which stays
  with the State Council, to eight pilot provinces (北京 天津 上海 江苏 浙江 安徽 广东 重庆).
* **Expropriation** (征收, Art. 46 [V]) of its *collectively owned* land; state-owned land is not
  expropriated. The State Council approves if the land expropriated includes any PBF, non-PBF
  arable land over 35 ha, or other land (其他土地: other agricultural, construction and unused
  land) over 70 ha; the province approves the rest. 国发〔2020〕4号 item 2 entrusts these
  State-Council-level expropriations to the same pilots; no re-delegation below the province.

The project's gating ``authority`` is the higher of the two (state_council > province_entrusted >
province > none). Art. 46 para. 3 [V]: the two are filed together (一并报批), and whoever approves
the conversion within its powers handles the expropriation at the same time; so one project is
one application, counted once against the capacity of its gating authority
(:mod:`models.approval_capacity`).

No splitting (化整为零, 国发〔2004〕28号 [M]): the thresholds apply to the *whole* project, so the
route is a property of the project's data, never of how much of it the model selects. This is
why routing is computed here, before the LP, and the LP only counts a selected share against the
capacity of the authority this function names. What entrustment decides is kept apart
(:class:`Levels`: which approvals are *State-Council level* at all), so that switching a
province's entrustment is a change of numbers in the LP, not of its shape.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Iterable, Literal

from pydantic import BaseModel, Field

from landquota.models.policy import PolicyParameters

Authority = Literal["state_council", "province_entrusted", "province", "none"]
AUTHORITIES: tuple[Authority, ...] = ("state_council", "province_entrusted", "province")
RANK = {"none": 0, "province": 1, "province_entrusted": 2, "state_council": 3}
"""Order of authorities: the gating authority is the highest of a project's approvals."""

ART44 = "Land Administration Law (2019) Art. 44"
ART46 = "Land Administration Law (2019) Art. 46"
ENTRUSTMENT = "国发〔2020〕4号 (State Council, 2020-03-01)"

AGRICULTURAL = ("permanent_basic_farmland", "arable", "other")
"""Land types that need conversion (Art. 44); construction and unused land need none."""

# Level of an approval before entrustment is applied: 0 none, 1 province, 2 State-Council level.
NONE, PROVINCE, STATE_COUNCIL_LEVEL = 0, 1, 2


class Approval(BaseModel):
    """One approval of a project: who gives it, why, on what legal basis."""

    authority: Authority = Field(description="state_council, province_entrusted, province, or none (not needed).")
    reason: str = Field(description="The rule that decided, in plain words.")
    legal_basis: str = Field(description="The law or document the rule comes from.")


class Route(BaseModel):
    authority: Authority = Field(
        description="Gating authority: the higher of the conversion and the expropriation authority "
        "(state_council > province_entrusted > province > none).")
    reason: str = Field(description="The rule that decided the gating authority, in plain words.")
    legal_basis: str = Field(description="The law or document that rule comes from.")
    conversion: Approval = Field(description="Farmland conversion (农用地转用, Art. 44; 国发〔2020〕4号 items 1–2).")
    expropriation: Approval = Field(description="Expropriation of collective land (征收, Art. 46; 国发〔2020〕4号 item 2).")
    pbf_ha: float = Field(description="Permanent basic farmland expropriated (collective), whole project, ha.")
    arable_ha: float = Field(description="Non-PBF arable land expropriated (collective), whole project, ha.")
    other_ha: float = Field(description="Other land expropriated (collective other agricultural, construction "
                            "and unused land: Art. 46's 其他土地), whole project, ha.")
    converted_ha: float = Field(0.0, description="Agricultural land converted (any ownership), whole project, ha.")
    converted_pbf_ha: float = Field(0.0, description="Permanent basic farmland converted (any ownership), ha.")


@dataclass(frozen=True)
class Levels:
    """What a whole project's land needs, before entrustment: each approval's level and the
    land the application covers (what counts against an authority's capacity)."""

    conversion: int
    expropriation: int
    application_ha: float
    """Land that needs conversion or expropriation (all of it but state-owned construction/unused land)."""
    converted_ha: float = 0.0
    expropriated_ha: float = 0.0

    @property
    def gating(self) -> int:
        return max(self.conversion, self.expropriation)


def _areas(parcels: Iterable) -> dict[tuple[str, str], float]:
    areas: dict[tuple[str, str], float] = {}
    for p in parcels:
        if isinstance(p, dict):
            lt, ha, own = p["land_type"], p["area_ha"], p.get("ownership", "collective")
        else:
            lt, ha, own = p.land_type, p.area_ha, getattr(p, "ownership", "collective")
        areas[lt, own] = areas.get((lt, own), 0.0) + float(ha)
    return areas


def _facts(parcels: Iterable) -> dict[str, float]:
    a = _areas(parcels)

    def total(types, owners=("collective", "state")):
        # Areas are compared with the thresholds to 1e-6 ha (0.01 m²): 12.3 + 20.1 + 2.6 is 35 ha, not
        # the binary-float 35.00000000000001 that would send it to the State Council.
        return round(sum(v for (lt, own), v in a.items() if lt in types and own in owners), 6)

    return dict(
        pbf=total(("permanent_basic_farmland",), ("collective",)),
        arable=total(("arable",), ("collective",)),
        other=total(("other", "construction", "unused"), ("collective",)),
        converted=total(AGRICULTURAL),
        converted_pbf=total(("permanent_basic_farmland",)),
        application=round(sum(v for (lt, own), v in a.items() if lt in AGRICULTURAL or own == "collective"), 6),
    )


def _triggers(f: dict, policy: PolicyParameters) -> list[str]:
    pbf, arable, other = f["pbf"], f["arable"], f["other"]
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
    return triggers


def levels(parcels: Iterable, policy: PolicyParameters | None = None) -> Levels:
    """Each approval's level for a whole project (entrustment not applied)."""
    policy = policy or PolicyParameters()
    parcels = list(parcels)
    f = _facts(parcels)
    conv = NONE if f["converted"] <= 0 else STATE_COUNCIL_LEVEL if f["converted_pbf"] > 0 else PROVINCE
    collective = f["pbf"] + f["arable"] + f["other"]
    exp = NONE if collective <= 0 else STATE_COUNCIL_LEVEL if _triggers(f, policy) else PROVINCE
    return Levels(conversion=conv, expropriation=exp, application_ha=f["application"],
                  converted_ha=f["converted"], expropriated_ha=collective)


def authority_of(level: int, entrusted: bool) -> Authority:
    """The authority an approval of this level goes to, given the province's entrustment."""
    if level == STATE_COUNCIL_LEVEL:
        return "province_entrusted" if entrusted else "state_council"
    return "province" if level == PROVINCE else "none"


def batch_parcels(batch_ha: float, arable_share: float, collective_share: float) -> list[dict]:
    """One annual batch of a city's general-use new land as parcels (Art. 44 batches [V]): non-PBF
    arable and other agricultural land by ``arable_share``, collective or state-owned by
    ``collective_share`` [A]; general-use batches take no PBF [A]."""
    out = []
    for lt, a in (("arable", arable_share), ("other", 1.0 - arable_share)):
        for own, k in (("collective", collective_share), ("state", 1.0 - collective_share)):
            if a * k * batch_ha > 0:
                out.append({"land_type": lt, "area_ha": a * k * batch_ha, "ownership": own})
    return out


def route(parcels: Iterable, entrusted: bool, policy: PolicyParameters | None = None) -> Route:
    """Route one whole project. ``parcels`` are objects or dicts with ``land_type``, ``area_ha`` and
    optionally ``ownership`` (collective by default).

    The areas of all parcels of a type are added up first (several small parcels of one project
    are one application and cross a threshold together).
    """
    policy = policy or PolicyParameters()
    f = _facts(list(parcels))
    pbf, arable, other = f["pbf"], f["arable"], f["other"]
    a_max, o_max = policy.state_council_arable_threshold_ha, policy.state_council_other_threshold_ha

    # ---- expropriation (Art. 46) -----------------------------------------------------------------
    triggers = _triggers(f, policy)
    if pbf + arable + other <= 0:
        exp = Approval(authority="none", reason="all its land is state-owned: nothing is expropriated "
                       "(Art. 46 concerns collective land only)", legal_basis=ART46)
    elif not triggers:
        exp = Approval(
            authority="province",
            reason=f"no PBF, arable {arable:g} ha ≤ {a_max:g} ha and other land {other:g} ha ≤ {o_max:g} ha: "
            "the provincial government approves",
            legal_basis=ART46,
        )
    elif entrusted:
        exp = Approval(
            authority="province_entrusted",
            reason=f"State-Council level because {'; '.join(triggers)}; entrusted to this pilot province",
            legal_basis=f"{ART46}; {ENTRUSTMENT} item 2",
        )
    else:
        exp = Approval(authority="state_council", reason=f"State Council approves because {'; '.join(triggers)}",
                       legal_basis=ART46)

    # ---- conversion (Art. 44) --------------------------------------------------------------------
    conv_pbf, converted = f["converted_pbf"], f["converted"]
    if converted <= 0:
        conv = Approval(authority="none", reason="no agricultural land: construction and unused land need no "
                        "conversion", legal_basis=ART44)
    elif conv_pbf > 0 and entrusted:
        conv = Approval(authority="province_entrusted",
                        reason=f"converting {conv_pbf:g} ha of permanent basic farmland is State-Council level; "
                        "entrusted to this pilot province",
                        legal_basis=f"{ART44}; {ENTRUSTMENT} item 2")
    elif conv_pbf > 0:
        conv = Approval(authority="state_council",
                        reason=f"State Council approves converting {conv_pbf:g} ha of permanent basic farmland",
                        legal_basis=ART44)
    else:
        conv = Approval(authority="province",
                        reason=f"converting {converted:g} ha of agricultural land other than PBF is authorised "
                        "to every province",
                        legal_basis=f"{ART44}; {ENTRUSTMENT} item 1")

    gate = exp if RANK[exp.authority] >= RANK[conv.authority] else conv
    return Route(authority=gate.authority, reason=gate.reason, legal_basis=gate.legal_basis,
                 conversion=conv, expropriation=exp, pbf_ha=pbf, arable_ha=arable, other_ha=other,
                 converted_ha=converted, converted_pbf_ha=conv_pbf)
