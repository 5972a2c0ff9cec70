"""What entrustment is worth (issue 14): which province should be entrusted next.

国发〔2020〕4号 [V] entrusts State-Council-level expropriation and PBF conversion approvals to eight
pilot provinces, as a one-year trial reviewed yearly. For each province this module re-solves the
scenario with its entrustment switched: a pilot's entrustment withdrawn (every year), any other
province entrusted (every year). The difference in the objective is what the entrustment is worth
in this plan (亿元): it comes from the approval capacities (State Council, provincial, entrusted)
and the lead times (:mod:`models.approval_capacity`). With no capacity and no lead time in the
scenario, who approves changes nothing and every figure is 0.

Entrustment is a mutable Param of the LP (``e[p, t]``), so each variant is a warm re-solve of one
built model (``ScenarioSolver.resolve``): 31 provinces cost about 31 hot-started simplex runs.
Each province is switched alone, against the base; the gains of several provinces need not add up
(they may compete for the same State Council capacity).
"""

from __future__ import annotations

from pydantic import BaseModel, Field

from landquota.models.overrides import apply_overrides
from landquota.models.scenario import Scenario
from landquota.solvers.highs import ScenarioSolver, SolveOptions

TOL = 1e-9


class DelegationRow(BaseModel):
    province_code: str
    name: str
    pilot: bool = Field(description="Entrusted in the scenario (in at least one year).")
    change: str = Field(description="'withdraw' (a pilot's entrustment withdrawn) or 'grant' (entrusted).")
    status: str
    objective_cny_100m: float | None = Field(description="Objective with the change, 亿元.")
    worth_cny_100m: float | None = Field(
        description="What the entrustment is worth, 亿元: for a pilot the objective lost if it were withdrawn, for "
        "another province the objective gained if it were entrusted.")
    rank: int | None = Field(description="Rank among pilots (by loss) or among the others (by gain), 1 = largest.")
    warm: bool = Field(description="Solved by a warm re-solve of the base model.")


class DelegationReport(BaseModel):
    scenario: str
    base_objective_cny_100m: float
    all_withdrawn_objective_cny_100m: float | None = Field(
        description="Objective with every pilot's entrustment withdrawn, 亿元.")
    all_withdrawn_loss_cny_100m: float | None
    pilots: list[DelegationRow] = Field(description="Pilots, by the objective lost if withdrawn (largest first).")
    candidates: list[DelegationRow] = Field(
        description="Other provinces, by the objective gained if entrusted (largest first): which to entrust next.")
    next_to_entrust: str | None = Field(description="The province whose entrustment gains most (null if none gains).")
    summary_en: str
    summary_zh: str


def _switch(s: Scenario, code: str, on: bool) -> Scenario:
    return apply_overrides(s, {f"provinces[{code}].approval_entrusted": on})


def delegation(scenario: Scenario, options: SolveOptions | None = None) -> DelegationReport:
    """Rank provinces by what their entrustment is worth (warm re-solves of one model)."""
    opts = options or SolveOptions(explain=False, duals=False, tables=False)
    solver = ScenarioSolver(scenario, opts)
    base = solver.solve()
    if base.status != "optimal":
        raise ValueError(f"the base scenario is {base.status}: {base.message}")
    z0 = base.objective_cny_100m
    key = solver.model.key
    pilots, others = [], []
    for p in scenario.provinces:
        pilot = any(scenario.entrusted(p.code, t) for t in range(1, scenario.years + 1))
        variant = _switch(scenario, p.code, not pilot)
        r = solver.resolve(variant)
        warm = solver.model.key == key
        z = r.objective_cny_100m if r.status == "optimal" else None
        worth = None if z is None else (z0 - z if pilot else z - z0)
        if worth is not None and abs(worth) < TOL:
            worth = 0.0
        (pilots if pilot else others).append(DelegationRow(
            province_code=p.code, name=p.name, pilot=pilot, change="withdraw" if pilot else "grant",
            status=r.status, objective_cny_100m=z, worth_cny_100m=worth, rank=None, warm=warm))
    all_off = apply_overrides(scenario, {f"provinces[{p.province_code}].approval_entrusted": False for p in pilots}) \
        if pilots else scenario
    r = solver.resolve(all_off)
    z_off = r.objective_cny_100m if r.status == "optimal" else None
    for rows in (pilots, others):
        rows.sort(key=lambda x: (x.worth_cny_100m is None, -(x.worth_cny_100m or 0.0), x.province_code))
        for i, x in enumerate(rows, 1):
            x.rank = i if x.worth_cny_100m is not None else None
    nxt = others[0] if others and (others[0].worth_cny_100m or 0.0) > TOL else None
    en, zh = _summaries(scenario, z0, z_off, pilots, others, nxt)
    return DelegationReport(
        scenario=scenario.name, base_objective_cny_100m=z0, all_withdrawn_objective_cny_100m=z_off,
        all_withdrawn_loss_cny_100m=None if z_off is None else z0 - z_off, pilots=pilots, candidates=others,
        next_to_entrust=nxt.province_code if nxt else None, summary_en=en, summary_zh=zh)


def _fmt(v: float | None) -> str:
    return "n/a" if v is None else f"{v:,.2f} 亿元"


def _summaries(s, z0, z_off, pilots, others, nxt) -> tuple[str, str]:
    loss = None if z_off is None else z0 - z_off
    en = [f"Objective {_fmt(z0)} with the scenario's entrustment."]
    zh = [f"按现行委托，目标值为{_fmt(z0)}。"]
    if pilots:
        en.append(f"Withdrawing the entrustment of all {len(pilots)} pilot provinces loses {_fmt(loss)}.")
        zh.append(f"收回全部{len(pilots)}个试点省份的委托，目标值减少{_fmt(loss)}。")
        top = [p for p in pilots if (p.worth_cny_100m or 0) > TOL][:3]
        if top:
            en.append("Worth most to the plan among the pilots: " + ", ".join(
                f"{p.name} ({p.province_code}, {_fmt(p.worth_cny_100m)} lost if withdrawn)" for p in top) + ".")
            zh.append("试点省份中委托价值最高的是：" + "、".join(
                f"{p.name}（{p.province_code}，收回则减少{_fmt(p.worth_cny_100m)}）" for p in top) + "。")
    if nxt:
        second = [p for p in others[1:3] if (p.worth_cny_100m or 0) > TOL]
        en.append(f"Entrust next: {nxt.name} ({nxt.province_code}), gaining {_fmt(nxt.worth_cny_100m)}"
                  + ("; then " + ", ".join(f"{p.name} ({_fmt(p.worth_cny_100m)})" for p in second) if second else "")
                  + ". Entrustment is worth something where a province's State-Council-level projects and batches "
                  "meet a scarce State Council capacity or its longer lead time.")
        zh.append(f"下一步建议委托：{nxt.name}（{nxt.province_code}），目标值增加{_fmt(nxt.worth_cny_100m)}"
                  + ("；其次为" + "、".join(f"{p.name}（{_fmt(p.worth_cny_100m)}）" for p in second) if second else "")
                  + "。当一个省需报国务院审批的项目和批次受国务院审批能力或较长审批周期制约时，委托才有价值。")
    else:
        en.append("Entrusting any other province gains nothing in this plan: no State Council capacity or lead "
                  "time constrains its approvals.")
        zh.append("在本方案中，委托其他任何省份均无收益：其审批不受国务院审批能力或审批周期制约。")
    en.append("Each province is switched alone against the base (warm re-solves); gains need not add up.")
    zh.append("每次只调整一个省份的委托并与基准比较（热启动重解）；各省收益不一定可以相加。")
    return " ".join(en), "".join(zh)
