"""Item (20): approval capacity of each authority per year.

Every project carries the route :func:`models.approval.route` gives its *whole* parcel list (no
splitting); the LP counts the selected share of its area against that authority's capacity:

* State Council (national): Σ area of selected ``state_council`` projects ≤
  ``policy.state_council_capacity_ha_per_year`` (omitted when null);
* each province: Σ area of its selected ``province`` and ``province_entrusted`` projects ≤
  ``approval_capacity_ha_per_year`` (omitted when null).

General-use land is approved in the annual batches of Art. 44 and is not counted here.
"""

from __future__ import annotations

import pyomo.environ as pyo

from landquota.models.build_util import block_param, set_values
from landquota.models.rules import PolicyItem, Rule

NAME = "approval"
"""The Block's name on the model (``m.approval``)."""

APPROVAL = PolicyItem("(20) approval", "Item (20): approval capacity (35/70 ha rule)", "第(20)项：用地审批能力（35/70公顷规则）")

STATE_COUNCIL = Rule(
    path="approval.state_council", name="state_council_capacity", item=APPROVAL, sense="upper", unit="ha",
    describe="one more ha of State Council approval capacity in year {t}",
    noun_en="State Council approval capacity in year {t}", noun_zh="第{t}年国务院用地审批能力",
    index=("year",), source="Land Administration Law Art. 46 [V]; capacity [A]",
)
PROVINCE = Rule(
    path="approval.province", name="province_approval_capacity", item=APPROVAL, sense="upper", unit="ha",
    describe="one more ha of {r}'s approval capacity in year {t}",
    noun_en="{r}'s approval capacity in year {t}", noun_zh="{r}第{t}年省级用地审批能力",
    source="Land Administration Law Art. 46 [V]; 國發〔2020〕4號 [V]; capacity [A]",
)

RULES = [STATE_COUNCIL, PROVINCE]


def add_block(m, d):
    b = m.approval = pyo.Block()
    s = d.scenario
    sc_projects = [j for j in d.projects if d.routes[j].authority == "state_council"]
    if s.policy.state_council_capacity_ha_per_year is not None:
        b.state_council_ha = pyo.Param(mutable=True, initialize=0.0)
        b.state_council = pyo.Constraint(
            d.years,
            rule=lambda b, t: sum(d.area_ha[j] * m.x[j, t] for j in sc_projects) <= b.state_council_ha,
            doc="State Council approval capacity",
        )
    capped = [p.code for p in s.provinces if p.approval_capacity_ha_per_year is not None]
    block_param(b, "province_ha", capped, doc="provincial approval capacity per year, ha")
    provincial = {
        p: [j for c in d.cities_of.get(p, ()) for j in d.projects_of.get(c, ())
            if d.routes[j].authority != "state_council"]
        for p in capped
    }
    b.province = pyo.Constraint(
        capped, d.years,
        rule=lambda b, p, t: sum(d.area_ha[j] * m.x[j, t] for j in provincial[p]) <= b.province_ha[p]
        if provincial[p] else pyo.Constraint.Skip,
        doc="provincial approval capacity",
    )
    b.objective_term = pyo.Expression(expr=0.0)
    set_params(b, d)
    return b


def set_params(b, d) -> None:
    s = d.scenario
    if s.policy.state_council_capacity_ha_per_year is not None:
        set_values(b.state_council_ha, s.policy.state_council_capacity_ha_per_year)
    set_values(b.province_ha, {p.code: p.approval_capacity_ha_per_year for p in s.provinces
                               if p.approval_capacity_ha_per_year is not None})
