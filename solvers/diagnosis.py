"""Diagnose an infeasible scenario: which rules conflict, where, and how much the data would have to
change (issue 5).

Committed projects are hard rules, so a scenario can be infeasible (e.g. a committed project that
a city's per-capita cap or a province's pool cannot carry). Soft targets (settler land, tilt) never
are: they are priced slacks and show up as unmet targets of an optimal plan instead.

Method, on a copy of the LP the persistent HiGHS model holds (the solver's own model and basis
are left alone; the objective is dropped: only feasibility matters):

1. **Conflicts.** HiGHS's IIS (``Highs.getIis()`` with ``iis_strategy`` = elastic LP + reduce to
   an irreducible set) gives a minimal set of rows and column bounds that cannot all hold. Its rows
   are relaxed and the search repeats, so independent conflicts (two provinces each over their
   limits) are all reported, up to ``max_conflicts``. If HiGHS returns no IIS, a deletion filter
   over the rules (by family, then row by row, one re-solve each) finds one instead.
2. **Translation.** Every row is named by its rule, region and year from the registry
   (``models.build.REGISTRY``, each rule declared beside its constraint); a commitment rule's row
   (a project built at most once) becomes ``committed_project`` for a committed project; a column
   rule (a variable fixed at 0, e.g. a province barred from buying quota: ``land_quota_buyer``)
   is an eligibility.
   Bounds every variable has by nature (land ≥ 0, a project built at most once) take part in the
   arithmetic but are not rules and are not listed.
3. **How much.** For each rule of a conflict, an elastic LP (the other conflicts relaxed, every other
   rule hard) gives the smallest change of that rule alone that makes the scenario feasible: the
   cap room, pool or reserve it would need, or the largest share of a committed project that fits.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

import highspy
import numpy as np
import pyomo.environ as pyo

from landquota.models.rules import Rule
from landquota.solvers.duals import stated_side
from landquota.solvers.handoff import new_highs
from landquota.solvers.result import Conflict, ConflictRule, Diagnosis
from landquota.solvers.solved import Solved
from landquota.solvers.wording import Names, capitalised, noun, num, unit_zh

INF = highspy.kHighsInf
_IIS = highspy.IisBoundStatus

METHOD = (
    "HiGHS IIS (getIis, iis_strategy = elastic LP + irreducible) on a feasibility copy of the LP; each "
    "conflict's rules relaxed in turn to find the next; a deletion filter over rule families as a fallback. "
    "Amounts: one elastic LP per rule (minimal change of that rule alone, every other rule hard)."
)


@dataclass(frozen=True)
class Member:
    """One element of a conflict: a row (with the side that conflicts) or a column bound."""

    kind: str  # "row" | "col"
    index: int
    side: str  # "upper" | "lower" | "both"


@dataclass
class RowInfo:
    rule: str
    policy_item: str
    region: str
    year: int | None
    kind: str
    unit: str
    spec: Rule | None
    cd: object | None


def _highs(lp: highspy.HighsLp) -> highspy.Highs:
    h = new_highs()
    h.passModel(lp)
    return h


def _feasibility_lp(h0: highspy.Highs) -> highspy.HighsLp:
    """The LP of the solved model without its objective and integrality (the relaxation)."""
    lp = h0.getLp()
    lp.col_cost_ = np.zeros(lp.num_col_)
    lp.offset_ = 0.0
    lp.integrality_ = []
    lp.sense_ = highspy.ObjSense.kMinimize
    return lp


def _feasible(h: highspy.Highs) -> bool | None:
    h.run()
    st = h.getModelStatus()
    if st == highspy.HighsModelStatus.kOptimal:
        return True
    if st in (highspy.HighsModelStatus.kInfeasible, highspy.HighsModelStatus.kUnboundedOrInfeasible):
        return False
    return None


class _Model:
    """Row and column meanings of the solved HiGHS model, from the rules registry."""

    def __init__(self, solved: Solved):
        lm = solved.model
        self.lm = lm
        self.names = Names(lm.scenario)
        self.rows: dict[int, RowInfo] = {}
        committed = {p.id for p in lm.scenario.projects if p.committed}
        for rule, idx, cd, row in solved.rows():
            region, year = rule.region_year(idx)
            if rule.kind == "commitment":
                if region in committed:
                    info = RowInfo("committed_project", rule.policy_item, region, None, "committed_project",
                                   rule.unit, rule, cd)
                else:
                    info = RowInfo(rule.path, rule.policy_item, region, None, "other", rule.unit, rule, cd)
            else:
                info = RowInfo(rule.name, rule.policy_item, region, year, rule.kind, rule.unit, rule, cd)
            self.rows[row] = info
        for cd, i in solved.row_of.items():
            if i not in self.rows:
                self.rows[i] = RowInfo(cd.parent_component().name, "", cd.name, None, "other", "", None, cd)
        self.cols: dict[int, tuple[str, object]] = {}
        for j in solved.col_of.values():
            v = solved.var_at(j)
            self.cols[j] = (v.parent_component().name, v.index())
        self.column_rules = {r.path: r for r in solved.registry.column_rules}

    def eligibility(self, j: int, lp: highspy.HighsLp) -> RowInfo | None:
        """A column bound that is a rule: a variable a column rule fixes at 0 (e.g. a province that
        may not buy construction-land quota)."""
        name, idx = self.cols.get(j, ("", None))
        rule = self.column_rules.get(name)
        if rule is not None and lp.col_upper_[j] == 0:
            region, year = rule.region_year(idx)
            return RowInfo(rule.name, rule.policy_item, region, year, "eligibility", rule.unit, rule, None)
        return None


def diagnose(solved: Solved, max_conflicts: int = 5, method: str = "iis",
             time_limit_s: float = 60.0) -> Diagnosis:
    """Find the conflicting rules of the infeasible scenario just solved (``solved``: a
    :class:`solvers.solved.Solved`, or the ``ScenarioSolver`` that solved it).

    ``method`` is "iis" (HiGHS's IIS; falls back to the deletion filter when it finds nothing) or
    "deletion" (the deletion filter only; slower, used by the tests to cross-check)."""
    t0 = time.perf_counter()
    if not isinstance(solved, Solved):
        solved = Solved.of(solved)
    model = _Model(solved)
    lp = _feasibility_lp(solved.highs)
    names = model.names
    mip = solved.whole_projects
    probe = _highs(lp)
    if _feasible(probe):
        if mip:
            text = ("Only whole projects make this scenario infeasible: with shares of projects every rule can hold. "
                    "Solve with shares, or uncommit a project that does not fit whole.")
            zh = "只有在项目必须整体选取时才不可行：按比例选取项目时所有规则都能满足。可改为按比例求解，或取消无法整体容纳的承诺项目。"
        else:
            text = ("Every rule can hold: the solver reported infeasible-or-unbounded, and the scenario is unbounded "
                    "(a value without a limiting rule: a data error).")
            zh = "所有规则都能满足：求解器报告不可行或无界，实为无界（某项价值没有约束限制，属数据错误）。"
        return Diagnosis(summary_en=text, summary_zh=zh, conflicts=[], complete=True, method=METHOD,
                         elapsed_s=time.perf_counter() - t0)

    work = _highs(lp)
    work.setOptionValue("time_limit", time_limit_s)
    work.setOptionValue("iis_time_limit", time_limit_s)
    raw: list[list[Member]] = []
    complete = False
    for _ in range(max_conflicts):
        ok = _feasible(work)
        if ok:
            complete = True
            break
        if ok is None:
            break
        members = _iis(work, lp, model) if method == "iis" else []
        if not members:
            members = _deletion_filter(work, lp, model)
        if not members:
            break
        raw.append(members)
        for mem in members:
            _relax(work, lp, mem)
    else:
        complete = bool(_feasible(work))

    conflicts = []
    for k, members in enumerate(raw):
        others = [m for kk, ms in enumerate(raw) if kk != k for m in ms]
        conflicts.append(_conflict(members, others, lp, model, names))
    return _diagnosis(conflicts, complete, names, time.perf_counter() - t0)


# ---- finding conflicts ---------------------------------------------------------------------------


def _is_rule(mem: Member, lp, model: _Model) -> bool:
    if mem.kind == "row":
        return True
    return model.eligibility(mem.index, lp) is not None


def _iis(work: highspy.Highs, lp, model: _Model) -> list[Member]:
    work.setOptionValue("iis_strategy", int(highspy.IisStrategy.kIisStrategyFromLp)
                        | int(highspy.IisStrategy.kIisStrategyIrreducible))
    status, iis = work.getIis()
    if status == highspy.HighsStatus.kError or not iis.valid_:
        return []
    side = {int(_IIS.kIisBoundStatusLower): "lower", int(_IIS.kIisBoundStatusUpper): "upper",
            int(_IIS.kIisBoundStatusBoxed): "both"}
    out = []
    for i, b in zip(iis.row_index_, iis.row_bound_):
        if int(b) in side:
            out.append(Member("row", int(i), side[int(b)]))
    for j, b in zip(iis.col_index_, iis.col_bound_):
        if int(b) in side:
            mem = Member("col", int(j), side[int(b)])
            if _is_rule(mem, lp, model):
                out.append(mem)
    return out


def _candidates(lp, model: _Model) -> list[Member]:
    out = []
    for i, info in model.rows.items():
        if info.kind == "committed_project":
            out.append(Member("row", i, "lower"))
        elif info.kind in ("limit", "balance", "other"):
            lo, up = lp.row_lower_[i], lp.row_upper_[i]
            if lo > -INF or up < INF:
                out.append(Member("row", i, "both" if lo > -INF and up < INF else ("upper" if up < INF else "lower")))
    for j in model.cols:
        if model.eligibility(j, lp) is not None:
            out.append(Member("col", j, "upper"))
    return out


def _deletion_filter(work: highspy.Highs, lp, model: _Model) -> list[Member]:
    """A deletion filter: relax rule families, then single rules, keeping each relaxation that leaves
    the model infeasible. What remains enforced is an irreducible conflict among the rules."""
    cands = [c for c in _candidates(lp, model) if _enforced(work, c)]
    saved_all = {c: _bounds(work, c) for c in cands}
    families: dict[str, list[Member]] = {}
    for c in cands:
        fam = model.rows[c.index].rule if c.kind == "row" else model.eligibility(c.index, lp).rule
        families.setdefault(fam, []).append(c)
    kept: list[Member] = []
    for fam, mems in families.items():
        saved = [_bounds(work, m) for m in mems]
        for m in mems:
            _relax(work, lp, m)
        if _feasible(work) is False:
            continue  # the conflict does not need this family
        for m, b in zip(mems, saved):
            _restore(work, m, b)
        kept.extend(mems)
    out: list[Member] = []
    for m in kept:
        b = _bounds(work, m)
        _relax(work, lp, m)
        if _feasible(work) is False:
            continue
        _restore(work, m, b)
        out.append(m)
    for c, b in saved_all.items():  # back to the model as it was; the caller relaxes the conflict found
        _restore(work, c, b)
    return out


def _bounds(h: highspy.Highs, m: Member) -> tuple[float, float]:
    lp = h.getLp()
    if m.kind == "row":
        return lp.row_lower_[m.index], lp.row_upper_[m.index]
    return lp.col_lower_[m.index], lp.col_upper_[m.index]


def _enforced(h: highspy.Highs, m: Member) -> bool:
    lo, up = _bounds(h, m)
    return (m.side in ("lower", "both") and lo > -INF) or (m.side in ("upper", "both") and up < INF)


def _restore(h: highspy.Highs, m: Member, b: tuple[float, float]) -> None:
    if m.kind == "row":
        h.changeRowBounds(m.index, b[0], b[1])
    else:
        h.changeColBounds(m.index, b[0], b[1])


def _relax(h: highspy.Highs, lp, m: Member) -> None:
    lo, up = _bounds(h, m)
    if m.side in ("lower", "both"):
        lo = -INF
    if m.side in ("upper", "both"):
        up = INF
    if m.kind == "row":
        h.changeRowBounds(m.index, lo, up)
    else:
        h.changeColBounds(m.index, lo, up)


# ---- translating a conflict ------------------------------------------------------------------------


def _elastic(lp, others: list[Member], m: Member) -> float | None:
    """Smallest change (in the row's or column's stored units, signed: + raises the bound, − lowers
    it) of member ``m`` alone that makes the LP feasible, with the ``others`` relaxed; None if no
    change of ``m`` alone is enough."""
    h = _highs(lp)
    for o in others:
        _relax(h, lp, o)
    if m.kind == "col":
        lo, up = lp.col_lower_[m.index], lp.col_upper_[m.index]
        if m.side == "upper":
            h.changeColBounds(m.index, lo, INF)
            h.changeColCost(m.index, 1.0)
            return (h.getInfo().objective_function_value - up) if _feasible(h) else None
        h.changeColBounds(m.index, -INF, up)
        h.changeColCost(m.index, -1.0)
        return (-h.getInfo().objective_function_value - lo) if _feasible(h) else None
    coefs = []
    if m.side in ("upper", "both"):
        coefs.append(-1.0)  # activity − e ≤ upper: the upper bound effectively rises by e
    if m.side in ("lower", "both"):
        coefs.append(+1.0)  # activity + e ≥ lower: the lower bound effectively falls by e
    for c in coefs:
        h.addCol(1.0, 0.0, INF, 1, np.array([m.index], dtype=np.int32), np.array([c]))
    if not _feasible(h):
        return None
    vals = np.asarray(h.getSolution().col_value)[lp.num_col_:]
    change = 0.0
    for c, e in zip(coefs, vals):
        change += e if c < 0 else -e
    return float(change)


def _conflict(members: list[Member], others: list[Member], lp, model: _Model, names: Names) -> Conflict:
    rules: list[ConflictRule] = []
    for m in members:
        info = model.rows[m.index] if m.kind == "row" else model.eligibility(m.index, lp)
        if info is None:
            continue
        stored_change = _elastic(lp, others, m)
        rules.append(_rule(info, m, stored_change, lp, model, names))
    rules.sort(key=lambda r: ({"committed_project": 0, "limit": 1, "eligibility": 2, "balance": 3}.get(r.kind, 4),
                              r.rule, r.region, r.year or 0))
    provinces = sorted({p for r in rules if (p := names.province_of(r.region))})
    en, zh = _headline(rules, provinces, names)
    return Conflict(regions=provinces, rules=rules, headline_en=en, headline_zh=zh)


def _rule(info: RowInfo, m: Member, stored_change: float | None, lp, model: _Model, names: Names) -> ConflictRule:
    region_en, region_zh = names.en(info.region), names.zh(info.region)
    unit = info.unit
    uzh = unit_zh(unit)
    if info.kind == "committed_project":
        area = next((p.area_ha for p in model.lm.scenario.projects if p.id == info.region), 0.0)
        fits = None if stored_change is None else max(0.0, 1.0 + stored_change)
        change = None if fits is None else fits - 1.0
        words = dict(r=info.region, city=names.en(names.proj_city(info.region)), city_zh=names.name(info.region),
                     area=num(area))
        en = info.spec.words["conflict_en"].format(**words)
        zh = info.spec.words["conflict_zh"].format(**words)
        if fits is not None:
            en += f"; with the other rules of this conflict at most {fits:.0%} of it fits."
            zh += f"；在本冲突的其他规则下最多只能容纳{fits:.0%}。"
        else:
            en += "."
            zh += "。"
        return ConflictRule(kind="committed_project", rule="committed_project", policy_item=info.policy_item,
                            region=info.region, region_name=names.name(info.region), year=None, limit=1.0,
                            unit="share", required=fits, change_needed=change, sentence_en=en, sentence_zh=zh)
    if info.kind == "eligibility":
        need = stored_change
        w = info.spec.words
        en = w["conflict_en"].format(r=region_en) + (
            w["need_en"].format(n=num(need), t=info.year) if need is not None else ".")
        zh = w["conflict_zh"].format(r=region_zh) + (
            w["need_zh"].format(n=num(need), t=info.year) if need is not None else "。")
        return ConflictRule(kind="eligibility", rule=info.rule, policy_item=info.policy_item, region=info.region,
                            region_name=names.name(info.region), year=info.year, limit=0.0, unit=info.unit,
                            required=need, change_needed=need, sentence_en=en, sentence_zh=zh)
    cd, spec = info.cd, info.spec
    limit = change = required = None
    if spec is not None and cd is not None:
        side, sign = stated_side(spec, cd)
        limit = sign * pyo.value(cd.upper if side == "upper" else cd.lower) + 0.0
        if stored_change is not None:
            change = sign * stored_change + 0.0
            required = limit + change
    detail = names.detail(spec, cd.index()) if spec is not None and cd is not None else ""
    n_en, n_zh = noun(spec if spec is not None and info.kind in ("limit", "balance") else None,
                      info.region, info.year, detail, names, info.region)
    if info.kind == "balance":
        en = f"Balance: {n_en} must clear (it is an identity, not data)."
        zh = f"平衡关系：{n_zh}必须平衡（恒等式，不是数据）。"
        if change:
            en = en[:-1] + f"; it would need {num(abs(change))} {unit} from outside the model."
            zh = zh[:-1] + f"；需从模型外补充{num(abs(change))}{uzh}。"
    elif info.kind == "limit":
        en = f"{capitalised(n_en)}: {num(limit)} {unit}"
        zh = f"{n_zh}：{num(limit)}{uzh}"
        if required is not None:
            en += f"; the rest of this conflict needs {num(required)} {unit} (change by {change:+,.4g} {unit})"
            zh += f"；本冲突的其他规则需要{num(required)}{uzh}（需调整{change:+,.4g}{uzh}）"
            extra = _data_hint(info, required, model)
            if extra:
                en += f", {extra[0]}"
                zh += f"，{extra[1]}"
        else:
            en += "; no change of this rule alone resolves the scenario"
            zh += "；仅调整这一条规则不足以消除冲突"
        en += "."
        zh += "。"
    else:
        en = f"Rule {info.rule} ({info.region})."
        zh = f"规则{info.rule}（{info.region}）。"
    return ConflictRule(kind=info.kind if info.kind in ("limit", "balance") else "other", rule=info.rule,
                        policy_item=info.policy_item, region=info.region, region_name=names.name(info.region),
                        year=info.year, limit=limit, unit=unit, required=required, change_needed=change,
                        sentence_en=en, sentence_zh=zh)


def _data_hint(info: RowInfo, required: float, model: _Model) -> tuple[str, str] | None:
    """The change in the scenario's own terms where a limit is derived from other data (the rule's
    declared ``hint``, e.g. the per-capita cap in m² a required cap room means)."""
    if info.spec is None or info.spec.hint is None:
        return None
    return info.spec.hint(model.lm.data, info.region, required)


def _headline(rules: list[ConflictRule], provinces: list[str], names: Names) -> tuple[str, str]:
    where_en = ", ".join(names.province_en(p) for p in provinces) or "National"
    where_zh = "、".join(names.prov.get(p, p) for p in provinces) or "全国"
    committed = [r for r in rules if r.kind == "committed_project"]
    limits = [r for r in rules if r.kind == "limit"]
    ids = ", ".join(r.region for r in committed)
    if committed and len(limits) == 1 and limits[0].required is not None and limits[0].limit is not None:
        lim = limits[0]
        subj_en = lim.sentence_en.split(":")[0]
        subj_zh = lim.sentence_zh.split("：")[0]
        many = len(committed) > 1
        en = (f"{where_en}: committed project{'s' if many else ''} {ids} need{'' if many else 's'} "
              f"{num(lim.required)} {lim.unit} of {subj_en[0].lower() + subj_en[1:]}, but the limit is "
              f"{num(lim.limit)} {lim.unit}.")
        zh = (f"{where_zh}：承诺项目{ids}需要{subj_zh}{num(lim.required)}{unit_zh(lim.unit)}，"
              f"但限额只有{num(lim.limit)}{unit_zh(lim.unit)}。")
        return en, zh
    parts_en = [r.sentence_en.split(":")[0] if r.kind == "limit" else r.rule for r in rules
                if r.kind in ("limit", "eligibility")]
    parts_zh = [r.sentence_zh.split("：")[0] if r.kind == "limit" else r.rule for r in rules
                if r.kind in ("limit", "eligibility")]
    en = f"{where_en}: " + "; ".join(parts_en) + " cannot all hold"
    zh = f"{where_zh}：" + "；".join(parts_zh) + "不能同时满足"
    if committed:
        en += f" with committed project{'s' if len(committed) > 1 else ''} {ids}"
        zh = f"{where_zh}：在承诺项目{ids}下，" + "；".join(parts_zh) + "不能同时满足"
    fixes = [r for r in limits if r.change_needed is not None]
    if fixes:
        en += ". Smallest single fixes: " + "; ".join(
            f"{r.sentence_en.split(':')[0]} {r.change_needed:+,.4g} {r.unit}" for r in fixes)
        zh += "。单项最小调整：" + "；".join(
            f"{r.sentence_zh.split('：')[0]}{r.change_needed:+,.4g}{unit_zh(r.unit)}" for r in fixes)
    return en + ".", zh + "。"


def _diagnosis(conflicts: list[Conflict], complete: bool, names: Names, elapsed: float) -> Diagnosis:
    if not conflicts:
        en = "Infeasible, but no conflicting set of rules could be isolated."
        zh = "不可行，但未能找出相互冲突的规则。"
    else:
        en = (f"Infeasible: {len(conflicts)} conflict{'s' if len(conflicts) > 1 else ''} among the hard rules. "
              + " ".join(f"({k}) {c.headline_en}" for k, c in enumerate(conflicts, 1)))
        zh = f"不可行：硬性规则之间存在{len(conflicts)}处冲突。" + "".join(
            f"（{k}）{c.headline_zh}" for k, c in enumerate(conflicts, 1))
        if not complete:
            en += " More conflicts may remain once these are resolved."
            zh += "解决以上冲突后可能仍有其他冲突。"
    return Diagnosis(summary_en=en, summary_zh=zh, conflicts=conflicts, complete=complete, method=METHOD,
                     elapsed_s=elapsed)
