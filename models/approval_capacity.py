"""Item (20): approval capacity of each authority per year, entrustment by year, lead times.

What is approved (:mod:`models.approval`): every project is one application (no splitting; its
conversion and expropriation filed together, Art. 46 para. 3 [V]) and so is each annual batch of a
city's general-use new land (Art. 44 batches [V]); a batch's route follows from the city's batch
data (batch size, arable share, collective share: :func:`models.coefficients.batch_levels`). An
application counts against the capacity of its *gating* authority: its whole application area
(land to convert or expropriate) times the share selected, and that share of one case. A batch
counts its land ``g[c, t]`` and ``g[c, t] / batch_ha`` cases, so the LP stays linear.

Whether an application is *State-Council level* is data (:class:`models.approval.Levels`); whether
the State Council or the province approves it is the province's entrustment in that year,
``e[p, t]`` ∈ {0, 1} (国发〔2020〕4号, a one-year trial reviewed yearly: ``approval_entrusted`` may be
a per-year list). ``e`` is a mutable Param, so withdrawing or granting entrustment is a warm
re-solve (:mod:`solvers.delegation`). With ``S[p, t]`` = State-Council-level land of province
*p* started in year *t* and ``P[p, t]`` = its province-level land (cases likewise):

* State Council (national): Σ_p (1 − e[p, t]) · S[p, t] ≤ ``policy.state_council_capacity_ha_per_year``
  (and in cases ≤ ``..._cases_per_year``);
* each province: P[p, t] + e[p, t] · S[p, t] ≤ ``approval_capacity_ha_per_year`` (and cases): its own
  approvals and the entrusted ones;
* each entrusted province: e[p, t] · S[p, t] ≤ ``entrusted_capacity_ha_per_year`` (and cases).

Every limit is omitted when null. Lead times (modelling choice [A], linear): an application approved
by authority *A* lets its land be used ``lead_months_A`` months later, so the value of the share
started in year *t* is discounted by a further (1 + r)^(−lead/12) (r = ``discount_rate_per_year``).
The loss, value × (1 − (1 + r)^(−lead/12)), is this block's objective term (``approval_lead_time``
in the objective terms); for State-Council-level land it is the entrusted or the State Council's
lead by ``e[p, t]``. Its sensitivity to one more month is reported in the ``approvals`` table. The
term is built only when some lead time is set (all 0 by default: nothing to build).
"""

from __future__ import annotations

import math

import pyomo.environ as pyo

from landquota.models.approval import NONE, PROVINCE, STATE_COUNCIL_LEVEL
from landquota.models.build_util import block_param, set_values
from landquota.models.coefficients import batch_levels, batch_size_ha, project_levels
from landquota.models.rules import PolicyItem, Rule
from landquota.models.units import cny_100m

NAME = "approval"
"""The Block's name on the model (``m.approval``)."""

APPROVAL = PolicyItem("(20) approval", "Item (20): approval capacity (35/70 ha rule)", "第(20)项：用地审批能力（35/70公顷规则）")

STATE_COUNCIL = Rule(
    path="approval.state_council", name="state_council_capacity", item=APPROVAL, sense="upper", unit="ha",
    describe="one more ha of State Council approval capacity in year {t}",
    noun_en="State Council approval capacity in year {t}", noun_zh="第{t}年国务院用地审批能力",
    index=("year",), source="Land Administration Law Art. 44, 46 [V]; capacity [A]",
)
PROVINCE_CAPACITY = Rule(
    path="approval.province", name="province_approval_capacity", item=APPROVAL, sense="upper", unit="ha",
    describe="one more ha of {r}'s approval capacity in year {t}",
    noun_en="{r}'s approval capacity in year {t}", noun_zh="{r}第{t}年省级用地审批能力",
    source="Land Administration Law Art. 44, 46 [V]; 国发〔2020〕4号 [V]; capacity [A]",
)
# issue 14: capacities in cases, and the entrusted pilots' own capacity
STATE_COUNCIL_CASES = Rule(
    path="approval.state_council_cases", name="state_council_capacity_cases", item=APPROVAL, sense="upper",
    unit="case", describe="one more case of State Council approval capacity in year {t}",
    noun_en="State Council approval capacity (cases) in year {t}", noun_zh="第{t}年国务院用地审批件数",
    index=("year",), source="Land Administration Law Art. 44, 46 [V]; capacity [A]",
)
PROVINCE_CASES = Rule(
    path="approval.province_cases", name="province_approval_capacity_cases", item=APPROVAL, sense="upper",
    unit="case", describe="one more case of {r}'s approval capacity in year {t}",
    noun_en="{r}'s approval capacity (cases) in year {t}", noun_zh="{r}第{t}年省级用地审批件数",
    source="Land Administration Law Art. 44, 46 [V]; capacity [A]",
)
ENTRUSTED = Rule(
    path="approval.entrusted", name="entrusted_approval_capacity", item=APPROVAL, sense="upper", unit="ha",
    describe="one more ha of {r}'s entrusted (国发〔2020〕4号) approval capacity in year {t}",
    noun_en="{r}'s entrusted approval capacity in year {t}", noun_zh="{r}第{t}年受托用地审批能力",
    source="国发〔2020〕4号 item 2 [V]; capacity [A]",
)
ENTRUSTED_CASES = Rule(
    path="approval.entrusted_cases", name="entrusted_approval_capacity_cases", item=APPROVAL, sense="upper",
    unit="case", describe="one more case of {r}'s entrusted approval capacity in year {t}",
    noun_en="{r}'s entrusted approval capacity (cases) in year {t}", noun_zh="{r}第{t}年受托用地审批件数",
    source="国发〔2020〕4号 item 2 [V]; capacity [A]",
)

RULES = [STATE_COUNCIL, PROVINCE_CAPACITY, STATE_COUNCIL_CASES, PROVINCE_CASES, ENTRUSTED, ENTRUSTED_CASES]


def lead_times_on(pol) -> bool:
    """Whether any lead time is modelled: the lead-time term exists only then (a shape question, in
    ``models.build.structure_key``; 0 everywhere is the default and costs nothing to build)."""
    return (pol.state_council_lead_months > 0 or pol.province_entrusted_lead_months > 0
            or pol.province_lead_months > 0)


def lead_loss(months: float, rate: float) -> float:
    """Share of value lost by a delay of ``months``: 1 − (1 + r)^(−months/12)."""
    return 1.0 - (1.0 + rate) ** (-months / 12.0)


def lead_loss_slope(months: float, rate: float) -> float:
    """∂ lead_loss / ∂ months (per month)."""
    return math.log1p(rate) / 12.0 * (1.0 + rate) ** (-months / 12.0)


def items(d):
    """Per province: (projects at province level, projects at State-Council level, cities whose batch
    is at province level, cities whose batch is State-Council level), from the data."""
    s = d.scenario
    lv, bl = project_levels(s), batch_levels(s)
    out = {}
    for p in d.provinces:
        cs = d.cities_of.get(p, ())
        js = [j for c in cs for j in d.projects_of.get(c, ())]
        out[p] = ([j for j in js if lv[j].gating == PROVINCE], [j for j in js if lv[j].gating == STATE_COUNCIL_LEVEL],
                  [c for c in cs if bl[c].gating == PROVINCE], [c for c in cs if bl[c].gating == STATE_COUNCIL_LEVEL])
    return out


def add_block(m, d):
    b = m.approval = pyo.Block()
    s, pol = d.scenario, d.scenario.policy
    lv = project_levels(s)
    groups = b.groups = items(d)
    pt = [(p, t) for p in d.provinces for t in d.years]
    block_param(b, "e", pt, doc="1 if the province holds entrusted approval in year t (国发〔2020〕4号)")
    block_param(b, "ne", pt, doc="1 − e")
    block_param(b, "sc_level_loss", pt, doc="share of value lost to the lead time of State-Council-level land")
    b.province_loss = pyo.Param(mutable=True, initialize=0.0, doc="share of value lost to the provincial lead time")
    block_param(b, "cases_per_ha", d.cities, doc="1 / batch size: cases per ha of general-use land")

    def ha(j):
        return lv[j].application_ha

    def prov_level(p, t, unit):
        pj, _, pc, _ = groups[p]
        if unit == "ha":
            return sum(ha(j) * m.x[j, t] for j in pj) + sum(m.g[c, t] for c in pc)
        return sum(m.x[j, t] for j in pj) + sum(b.cases_per_ha[c] * m.g[c, t] for c in pc)

    def sc_level(p, t, unit, weight):
        _, sj, _, sc = groups[p]
        if unit == "ha":
            return sum(ha(j) * weight[p, t] * m.x[j, t] for j in sj) + sum(weight[p, t] * m.g[c, t] for c in sc)
        return (sum(weight[p, t] * m.x[j, t] for j in sj)
                + sum(weight[p, t] * b.cases_per_ha[c] * m.g[c, t] for c in sc))

    has_sc = [p for p in d.provinces if groups[p][1] or groups[p][3]]
    has_any = [p for p in d.provinces if any(groups[p])]

    for unit in ("ha", "cases"):
        suffix = "" if unit == "ha" else "_cases"
        cap = getattr(pol, f"state_council_capacity_{unit}_per_year")
        if cap is not None and has_sc:
            limit = block_param(b, f"state_council{suffix}_cap", d.years, doc=f"State Council capacity, {unit}")
            setattr(b, f"state_council{suffix}", pyo.Constraint(
                d.years, rule=lambda b, t, unit=unit, limit=limit:
                sum(sc_level(p, t, unit, b.ne) for p in has_sc) <= limit[t],
                doc=f"State Council approval capacity, {unit}"))
        capped = [p.code for p in s.provinces
                  if getattr(p, f"approval_capacity_{unit}_per_year") is not None and p.code in has_any]
        limit = block_param(b, f"province{suffix}_cap", [(p, t) for p in capped for t in d.years],
                            doc=f"provincial approval capacity per year, {unit}")
        setattr(b, f"province{suffix}", pyo.Constraint(
            capped, d.years, rule=lambda b, p, t, unit=unit, limit=limit:
            prov_level(p, t, unit) + (sc_level(p, t, unit, b.e) if p in has_sc else 0) <= limit[p, t],
            doc=f"provincial approval capacity, {unit}"))
        capped = [p.code for p in s.provinces
                  if getattr(p, f"entrusted_capacity_{unit}_per_year") is not None and p.code in has_sc]
        limit = block_param(b, f"entrusted{suffix}_cap", [(p, t) for p in capped for t in d.years],
                            doc=f"entrusted approval capacity per year, {unit}")
        setattr(b, f"entrusted{suffix}", pyo.Constraint(
            capped, d.years, rule=lambda b, p, t, unit=unit, limit=limit: sc_level(p, t, unit, b.e) <= limit[p, t],
            doc=f"entrusted approval capacity, {unit}"))

    # lead times: value lost, discounted like the value it delays
    value = {p.id: p.value_cny_100m for p in s.projects}
    land_value = {c.code: cny_100m(c.new_land_value_cny_10k_per_ha) for c in s.cities}
    loss = 0
    for p in (d.provinces if lead_times_on(pol) else ()):  # no lead time anywhere: no term (see structure_key)
        pj, sj, pc, sc = groups[p]
        for t in d.years:
            at_province = sum(value[j] * m.x[j, t] for j in pj) + sum(land_value[c] * m.g[c, t] for c in pc)
            at_sc_level = sum(value[j] * m.x[j, t] for j in sj) + sum(land_value[c] * m.g[c, t] for c in sc)
            if pj or pc:
                loss = loss + d.discount[t] * b.province_loss * at_province
            if sj or sc:
                loss = loss + d.discount[t] * b.sc_level_loss[p, t] * at_sc_level
    b.lead_time_loss = pyo.Expression(expr=loss)
    b.objective_term = pyo.Expression(expr=-b.lead_time_loss)
    set_params(b, d)
    return b


def set_params(b, d) -> None:
    s, pol = d.scenario, d.scenario.policy
    r = pol.discount_rate_per_year
    sc_loss, ent_loss = lead_loss(pol.state_council_lead_months, r), lead_loss(pol.province_entrusted_lead_months, r)
    e = {(p, t): 1.0 if s.entrusted(p, t) else 0.0 for p in d.provinces for t in d.years}
    set_values(b.e, e)
    set_values(b.ne, {k: 1.0 - v for k, v in e.items()})
    set_values(b.sc_level_loss, {k: v * ent_loss + (1.0 - v) * sc_loss for k, v in e.items()})
    set_values(b.province_loss, lead_loss(pol.province_lead_months, r))
    set_values(b.cases_per_ha, {c.code: 1.0 / batch_size_ha(s, c) for c in s.cities})
    for unit in ("ha", "cases"):
        suffix = "" if unit == "ha" else "_cases"
        if hasattr(b, f"state_council{suffix}_cap"):
            cap = getattr(pol, f"state_council_capacity_{unit}_per_year")
            set_values(getattr(b, f"state_council{suffix}_cap"), {t: s.by_year(cap, t) for t in d.years})
        for kind, field in (("province", "approval_capacity"), ("entrusted", "entrusted_capacity")):
            param = getattr(b, f"{kind}{suffix}_cap")
            index = set(param.index_set())
            set_values(param, {(p.code, t): s.by_year(getattr(p, f"{field}_{unit}_per_year"), t)
                               for p in s.provinces for t in d.years if (p.code, t) in index})


__all__ = ["add_block", "set_params", "items", "lead_loss", "lead_loss_slope", "NONE", "RULES", "NAME"]
