"""Explain an optimal answer: binding rules by policy item, their prices and ranges, value ranges,
unmet targets, and a short summary in Chinese and English (issue 5).

Built right after a solve from three things the solve already has: the ``Binding`` rows of
:mod:`solvers.duals` (rule, region, year, limit, shadow price), the ``Shortfall`` rows of
:mod:`solvers.extract`, and one ``getRanging()`` call on the live HiGHS model
(:mod:`solvers.ranging`, which documents the approach and the sign conventions). Nothing here
re-solves. Raw constraint indices never appear: every row is named by its rule, region (code and
the scenario's name) and year.

    result = ScenarioSolver(scenario).solve()      # SolveOptions(explain=True) is the default
    result.explain.summary_en / .summary_zh / .binding_groups / .value_ranges / .unmet_targets
    explanation_section(result_json_dict)          # for a stored result (the service)
    format_explanation(result.explain)             # the CLI's text
"""

from __future__ import annotations

import time
from typing import TYPE_CHECKING, Any

import pyomo.environ as pyo

from landquota.models.regions import PROVINCE_EN
from landquota.solvers.duals import RULES, rule_rows
from landquota.solvers.ranging import HighsRanging, RangeExtender, RangingUnavailable
from landquota.solvers.result import (
    Binding, BindingExplained, BindingGroup, Explanation, Result, UnmetTarget, ValueRange,
)

if TYPE_CHECKING:  # pragma: no cover
    from landquota.solvers.highs import ScenarioSolver

CNY_10K_PER_100M = 1e4
EPS = 1e-6


POLICY_ITEM_TITLES: dict[str, tuple[str, str]] = {
    "(6) linkage": ("Item (6): land follows settled migrants (人地挂钩)", "第(6)项：人地挂钩"),
    "(6) reward fund": ("Item (6): money follows settled migrants (reward fund)", "第(6)项：人钱挂钩（市民化奖励资金）"),
    "(20) land plan": ("Item (20): provincial quota pools and the national plan", "第(20)项：省级指标池与全国计划"),
    "(20) per-capita cap": ("Item (20): per-capita urban construction land cap", "第(20)项：人均城镇建设用地上限"),
    "(20) stock land": ("Item (20): revitalising inefficient stock land first", "第(20)项：盘活低效存量用地"),
    "(20) tilt": ("Item (20): tilt to centre cities and key clusters", "第(20)项：向中心城市和重点城市群倾斜"),
    "(20) approval": ("Item (20): approval capacity (35/70 ha rule)", "第(20)项：用地审批能力（35/70公顷规则）"),
    "(20) trading": ("Item (20): cross-regional quota trading", "第(20)项：跨区域指标交易"),
    "(20) farmland balance": ("Item (20): arable-land occupation–compensation balance", "第(20)项：耕地占补平衡"),
    "(20) projects": ("Item (20): projects", "第(20)项：项目"),
    "(21) finance": ("Item (21): funding of projects", "第(21)项：项目资金平衡"),
    "(21) bonds": ("Item (21): enterprise bonds", "第(21)项：企业债券"),
    "(21) capital": ("Item (21): minimum project capital", "第(21)项：项目资本金"),
    "(21) credit lines": ("Item (21): development-bank credit lines", "第(21)项：开发性金融综合授信"),
    "(21) public funds": ("Item (21): public funds", "第(21)项：财政资金"),
    "(21) special bonds": ("Item (21): local government special bonds", "第(21)项：地方政府专项债券"),
    "(21) debt risk": ("Item (21): debt-risk limits", "第(21)项：债务风险"),
}

# rule → (English noun phrase, Chinese noun phrase); {r} region, {t} year, {d} detail (e.g. a source).
RULE_NOUNS: dict[str, tuple[str, str]] = {
    "provincial_pool": ("{r}'s year-{t} new-land quota pool", "{r}第{t}年新增建设用地指标池"),
    "bought_quota_used": ("bought quota {r} may hold beyond its own new land in year {t}",
                          "{r}第{t}年购入指标超出自身新增用地的部分"),
    "national_total": ("the national new-land plan total in year {t}", "第{t}年全国新增建设用地计划总量"),
    "per_capita_cap": ("room under {r}'s per-capita land cap", "{r}人均城镇建设用地上限下的空间"),
    "stock_available": ("{r}'s inefficient stock land", "{r}可盘活的低效存量建设用地"),
    "stock_first": ("general-use new land {r} may take before its stock is used", "{r}存量优先规则下可用的一般用途新增用地"),
    "tilt_share": ("centre/key-cluster land required in {r}, year {t}", "{r}第{t}年中心城市和重点城市群的最低用地"),
    "settler_land_floor": ("settler land required in {r}, year {t}", "{r}第{t}年落户人口用地下限"),
    "state_council_capacity": ("State Council approval capacity in year {t}", "第{t}年国务院用地审批能力"),
    "province_approval_capacity": ("{r}'s approval capacity in year {t}", "{r}第{t}年省级用地审批能力"),
    # issue 14: approvals in cases; entrusted capacity
    "state_council_capacity_cases": ("State Council approval capacity (cases) in year {t}", "第{t}年国务院用地审批件数"),
    "province_approval_capacity_cases": ("{r}'s approval capacity (cases) in year {t}", "{r}第{t}年省级用地审批件数"),
    "entrusted_approval_capacity": ("{r}'s entrusted approval capacity in year {t}", "{r}第{t}年受托用地审批能力"),
    "entrusted_approval_capacity_cases": ("{r}'s entrusted approval capacity (cases) in year {t}",
                                          "{r}第{t}年受托用地审批件数"),
    "tradeable_surplus": ("surplus quota {r} may sell in year {t}", "{r}第{t}年可出售的节余指标"),
    "land_quota_clearing": ("construction-land quota brought to the cross-regional market in year {t}",
                            "第{t}年跨区域建设用地指标市场的供给"),
    "farmland_balance": ("{r}'s supplementary arable reserve", "{r}的补充耕地储备"),
    "farmland_quota_clearing": ("supplementary-farmland quota brought to the national market", "跨省补充耕地指标市场的供给"),
    "project_whole": ("{r}", "{r}"),
    "funding_balance": ("investment need of {r} in year {t}", "{r}第{t}年的投资需求"),
    "bond_share": ("enterprise bonds allowed for {r} in year {t}", "{r}第{t}年可用的企业债额度"),
    "capital_ratio": ("project capital required for {r} in year {t}", "{r}第{t}年的最低资本金"),
    "credit_line": ("{r}'s credit line from {d}", "{r}的{d}综合授信额度"),
    "national_funding_total": ("the national total of {d} in year {t}", "第{t}年{d}全国总额"),
    "reward_fund_allocation": ("{r}'s citizenisation reward fund in year {t}", "{r}第{t}年农业转移人口市民化奖励资金"),
    "special_bond_quota": ("{r}'s special-bond quota in year {t}", "{r}第{t}年专项债券额度"),
    "debt_ratio": ("new government debt allowed under {r}'s debt-ratio line", "{r}债务率警戒线下可新增的政府债务"),
    "debt_ratio_city": ("new government debt allowed under {r}'s debt-ratio line", "{r}债务率警戒线下可新增的政府债务"),
}

UNIT_ZH = {"ha": "公顷", "亿元": "亿元", "project": "个项目", "case": "件"}

METHOD = (
    "Shadow prices: HiGHS row duals via Pyomo's persistent interface (pyomo 6.10.1, highspy 1.16.0), mapped to "
    "rules by solvers.duals; Pyomo passes the objective to HiGHS as a maximisation without negating it, so a "
    "dual is ∂objective/∂bound; it is reported for the limit as the rule states it (positive: more of the "
    "limit is worth something). Limit ranges: HiGHS getRanging() row-bound ranging (the interval of the limit "
    "over which the current optimal basis, hence the shadow price, holds), shifted by any constant Pyomo "
    "moved out of the row; where the LP is degenerate, each end is confirmed or widened by a warm re-solve of "
    "a copy just past it, and at a corner the value of one more unit (price_of_more) is read there. Value "
    "ranges: HiGHS cost ranging for a value that prices one column; for a value that prices several columns "
    "at once (a city's land value prices general-use and revitalised land in every year) the exact joint "
    "range along that direction from the optimal basis (one getBasisTransposeSolve), confirmed the same way; "
    "'the allocation does not change' means the plan stays optimal (ties between equally good plans aside). "
    "Ends are exact to within 1e-4 of the limit's or value's size."
)


# ---- names ----------------------------------------------------------------------------------------


class Names:
    """Codes → the scenario's names (and English province names) for sentences."""

    def __init__(self, scenario):
        self.prov = {p.code: p.name for p in scenario.provinces}
        self.city = {c.code: (c.name, c.province_code) for c in scenario.cities}
        self.proj = {p.id: p.city_code for p in scenario.projects}
        self.source = {f.id: (f.name or f.id) for f in getattr(scenario, "funding_sources", [])}

    def proj_city(self, project_id: str) -> str:
        return self.proj.get(project_id, project_id)

    def province_of(self, code: str) -> str | None:
        if code in self.prov:
            return code
        if code in self.city:
            return self.city[code][1]
        if code in self.proj:
            return self.city[self.proj[code]][1]
        return None

    def name(self, code: str) -> str:
        """The scenario's own name: province or city name; a project's city; '' for national."""
        if code in self.prov:
            return self.prov[code]
        if code in self.city:
            return self.city[code][0]
        if code in self.proj:
            return self.city[self.proj[code]][0]
        return ""

    def province_en(self, code: str) -> str:
        return PROVINCE_EN.get(code, self.prov.get(code, code))

    def en(self, code: str) -> str:
        if code == "national":
            return "the nation"
        if code in self.prov:
            return f"{self.province_en(code)} ({self.prov[code]}, {code})"
        if code in self.city:
            name, pc = self.city[code]
            if code.endswith("-REST"):
                return f"the rest of {self.province_en(pc)} ({name}, {code})"
            return f"{name} ({code}, {self.province_en(pc)})"
        if code in self.proj:
            return f"project {code} ({self.city[self.proj[code]][0]})"
        return code

    def zh(self, code: str) -> str:
        if code == "national":
            return "全国"
        if code in self.prov:
            return f"{self.prov[code]}（{code}）"
        if code in self.city:
            return f"{self.city[code][0]}（{code}）"
        if code in self.proj:
            return f"项目{code}（{self.city[self.proj[code]][0]}）"
        return code


# ---- formatting -----------------------------------------------------------------------------------


def _num(x: float) -> str:
    """A number as a planner writes it: no trailing zeros, thousands separators."""
    if x is None:
        return "—"
    x = float(x) + 0.0  # no "-0"
    if abs(x) < 5e-10:
        return "0"
    if abs(x) >= 100:
        return f"{x:,.0f}" if abs(x - round(x)) < 1e-6 else f"{x:,.1f}"
    if abs(x) >= 1:
        return f"{x:,.2f}".rstrip("0").rstrip(".")
    return f"{x:.4g}"


def money_en(v_100m: float, per_ha: bool) -> str:
    """A shadow price in words: 万元 for land (per ha), 亿元 for money."""
    a = abs(v_100m)
    if per_ha:
        return f"{_num(a * CNY_10K_PER_100M)} 万元 ({a:.4g} 亿元)"
    return f"{a:.4g} 亿元"


def money_zh(v_100m: float, per_ha: bool) -> str:
    a = abs(v_100m)
    if per_ha:
        return f"{_num(a * CNY_10K_PER_100M)}万元（{a:.4g}亿元）"
    return f"{a:.4g}亿元"


def range_en(lo: float | None, hi: float | None, unit: str) -> str:
    """'between 224 and 304 ha', 'at least 4 ha', 'at most 10 ha' or 'at any level'."""
    if lo is None and hi is None:
        return "at any level"
    if lo is None:
        return f"at most {_num(hi)} {unit}"
    if hi is None:
        return f"at least {_num(lo)} {unit}"
    return f"between {_num(lo)} and {_num(hi)} {unit}"


def range_zh(lo: float | None, hi: float | None, unit: str) -> str:
    """'在224–304公顷之间', '不低于4公顷', '不超过10公顷' or '为任意值'."""
    u = UNIT_ZH.get(unit, unit)
    if lo is None and hi is None:
        return "为任意值"
    if lo is None:
        return f"不超过{_num(hi)}{u}"
    if hi is None:
        return f"不低于{_num(lo)}{u}"
    return f"在{_num(lo)}–{_num(hi)}{u}之间"


def _finite(x: float) -> float | None:
    return None if x is None or x != x or abs(x) == float("inf") else float(x)


def limit_unit(binding_unit: str) -> str:
    """'亿元/ha' → 'ha'; '亿元/亿元' → '亿元'; '亿元/project' → 'project'."""
    return binding_unit.split("/", 1)[1] if "/" in binding_unit else binding_unit


def noun(rule: str, region: str, year: int | None, detail: str, names: Names, fallback: str) -> tuple[str, str]:
    if rule not in RULE_NOUNS:
        return fallback, fallback
    en, zh = RULE_NOUNS[rule]
    t = "" if year is None else year
    return (en.format(r=names.en(region), t=t, d=detail), zh.format(r=names.zh(region), t=t, d=detail))


def item_order(item: str) -> tuple:
    """(6) before (20) before (21); within an item, the order of the RULES catalogue."""
    try:
        n = int(item.split(")")[0].lstrip("("))
    except ValueError:
        n = 999
    order = [s.policy_item for s in RULES]
    return (n, order.index(item) if item in order else len(order), item)


# ---- the rows of the model behind each Binding ----------------------------------------------------


def stated_side(spec, cd) -> tuple[str, float]:
    """Which bound of the Pyomo row states the rule ('upper'/'lower') and the sign that turns the
    stored bound into the stated limit (:meth:`solvers.duals.RuleSpec.sign`)."""
    side = "upper" if cd.upper is not None else "lower"
    return side, spec.sign(cd.lower is not None, cd.upper is not None)


def binding_rows(m, con_map: dict) -> dict[tuple, tuple]:
    """(rule, region, year, description) → (spec, index, constraint data, HiGHS row) for every row of
    every rule in the catalogue (the key a ``Binding`` row carries)."""
    out = {}
    for spec, idx, cd, row in rule_rows(m, con_map):
        region, year = spec.region_year(idx)
        out[spec.rule, region, year, spec.description(idx)] = (spec, idx, cd, row)
    return out


def _detail_name(spec, idx, names: Names) -> str:
    if spec.detail is None:
        return ""
    try:
        source = str(idx[0])
    except (TypeError, IndexError):
        return spec.detail(idx)
    return names.source.get(source, source)


# ---- explanation ----------------------------------------------------------------------------------


def explain(solver: "ScenarioSolver", result: Result, max_rules_per_item: int = 100,
            max_value_ranges: int = 1000, extend_budget: int = 300,
            time_share: float = 0.25) -> Explanation:
    """Explain a solved scenario held by ``solver`` (call right after ``solver.solve()``).

    Cost control, for national models with tens of thousands of binding rows: the ``max_rules_per_item``
    binding rules with the largest shadow prices of each policy item are explained (the rest are
    counted; every dual stays in ``Result.binding``); at most ``max_value_ranges`` value ranges
    (partly selected projects first, then cities, then the other projects). Warm re-solves that
    confirm degenerate range ends (:class:`solvers.ranging.RangeExtender`, at most ``extend_budget``)
    and exact joint value ranges may each take ``time_share`` of the solve time (0.25–2 s); past
    that, ranges are HiGHS's basis ranges, or the 100% rule for joint ones, and say so."""
    t0 = time.perf_counter()
    lm = solver.model
    s = lm.scenario
    names = Names(s)
    notes: list[str] = []
    ranging = None
    if result.status == "optimal" and not solver.options.whole_projects:
        try:
            ranging = HighsRanging(solver.highs._solver_model)
        except RangingUnavailable as e:
            notes.append(f"no sensitivity ranges: {e}")
    elif solver.options.whole_projects:
        notes.append("whole projects (a MIP): no shadow prices or ranges; solve with shares (the LP) for them")
    elif result.status != "optimal":
        notes.append(f"status {result.status}: no shadow prices or ranges (they need a proven optimum)")

    con_map = solver.highs._pyomo_con_to_solver_con_map
    var_map = solver.highs._pyomo_var_to_solver_var_map
    rows = binding_rows(lm.m, con_map) if result.binding else {}
    x_col = {var_map[id(v)]: idx[0] for idx, v in lm.m.x.items() if id(v) in var_map}
    share = {p.id: p.selected_share for p in result.projects}
    seconds = min(2.0, max(0.25, time_share * result.stats.solve_s))

    # the rules to explain: the largest shadow prices of each policy item
    by_item: dict[str, list[int]] = {}
    for k, b in enumerate(result.binding):
        by_item.setdefault(b.policy_item, []).append(k)
    chosen: list[int] = []
    omitted: dict[str, int] = {}
    for item, ks in by_item.items():
        ks.sort(key=lambda k: -abs(result.binding[k].shadow_price))
        chosen += ks[:max_rules_per_item]
        omitted[item] = max(0, len(ks) - max_rules_per_item)
    # land rules first, then money, each by size: they get the re-solve budget first
    chosen.sort(key=lambda k: (limit_unit(result.binding[k].unit) != "ha", -abs(result.binding[k].shadow_price)))
    extender = RangeExtender(ranging, extend_budget, seconds) if ranging else None
    explained = [_explain_binding(result.binding[k], rows.get(_key(result.binding[k])), ranging, extender, names,
                                  x_col, share) for k in chosen]
    groups: dict[str, list[BindingExplained]] = {}
    for e in explained:
        groups.setdefault(e.policy_item, []).append(e)
    binding_groups = [
        BindingGroup(policy_item=item, title_en=POLICY_ITEM_TITLES.get(item, (item, item))[0],
                     title_zh=POLICY_ITEM_TITLES.get(item, (item, item))[1],
                     rules=sorted(rs, key=lambda r: -abs(r.shadow_price_cny_100m)), omitted=omitted.get(item, 0))
        for item, rs in sorted(groups.items(), key=lambda kv: item_order(kv[0]))
    ]
    if any(omitted.values()):
        notes.append(f"{sum(omitted.values())} binding rule(s) with smaller shadow prices are not explained "
                     f"(at most {max_rules_per_item} per policy item); all are in the binding table")

    value_ranges: list[ValueRange] = []
    if ranging:
        extender.renew(seconds)
        value_ranges, skipped = _value_ranges(lm, result, ranging, extender, var_map, names, max_value_ranges,
                                              time.perf_counter() + seconds)
        if skipped:
            notes.append(f"value ranges for {skipped} project(s) or cities not computed (limit {max_value_ranges})")
    loose = sum(not e.range_exact for e in explained) + sum(not v.range_exact for v in value_ranges)
    if loose:
        notes.append(f"{loose} range(s) may be narrower than the truth (explain time spent): the price or "
                     "allocation holds at least over them")
    unmet = _unmet(lm, result, names)
    summary_en, summary_zh = _summary(result, binding_groups, value_ranges, unmet, names)
    return Explanation(
        summary_en=summary_en, summary_zh=summary_zh, binding_groups=binding_groups, value_ranges=value_ranges,
        unmet_targets=unmet, notes=notes, method=METHOD, elapsed_s=time.perf_counter() - t0,
    )


def _key(b: Binding) -> tuple:
    return b.rule, b.region, b.year, b.description


def _explain_binding(b: Binding, row, ranging: HighsRanging | None, extender: RangeExtender | None,
                     names: Names, x_col: dict, share: dict) -> BindingExplained:
    unit = limit_unit(b.unit)
    uzh = UNIT_ZH.get(unit, unit)
    per_ha = unit == "ha"
    v = b.shadow_price
    lo = hi = None
    more = less = None
    exact = True
    marginal: list[str] = []
    detail = ""
    if row is not None:
        spec, idx, cd, i = row
        detail = _detail_name(spec, idx, names)
        if ranging is not None:
            side, sign = stated_side(spec, cd)
            bound_now = pyo.value(cd.upper if side == "upper" else cd.lower)
            highs_now = ranging.row_upper[i] if side == "upper" else ranging.row_lower[i]
            offset = bound_now - highs_now
            rr = ranging.row_range(i)
            low_s, high_s, beyond_lo, beyond_hi = rr.low, rr.high, None, None
            if extender is not None:
                now = ranging.row_bound(i)
                corner = 1e-9 * (1 + abs(now))
                low_s, ok_lo, beyond_lo = extender.row_end(i, low_s, -1, need_beyond=abs(low_s - now) <= corner)
                high_s, ok_hi, beyond_hi = extender.row_end(i, high_s, +1, need_beyond=abs(high_s - now) <= corner)
                exact = ok_lo and ok_hi
            # stored bound → the limit as the rule states it (sign −1 swaps the two ends)
            if sign > 0:
                lo, hi = low_s + offset, high_s + offset
                b_lo, b_hi = beyond_lo, beyond_hi
            else:
                lo, hi = -(high_s + offset), -(low_s + offset)
                b_lo, b_hi = beyond_hi, beyond_lo
            lo, hi = _finite(lo + 0.0), _finite(hi + 0.0)
            tol = 1e-9 * (1 + abs(b.limit))
            more = v if hi is None or hi > b.limit + tol else (None if b_hi is None else sign * b_hi)
            less = v if lo is None or lo < b.limit - tol else (None if b_lo is None else sign * b_lo)
            marginal = sorted({x_col[j] for j in ranging.row_columns(i)
                               if j in x_col and EPS < share.get(x_col[j], 0.0) < 1 - EPS})
    n_en, n_zh = noun(b.rule, b.region, b.year, detail, names, b.description)
    if b.rule == "project_whole":
        en = (f"Project {b.region} is fully selected: it earns {money_en(v, False)} more than its land and money "
              "would earn elsewhere.")
        zh = f"项目{b.region}已全部选中：比其占用的土地和资金用于他处多创造{money_zh(v, False)}。"
    elif ranging is None:
        en = f"One more {unit} of {n_en} {_verb_en(v)} {money_en(v, per_ha)} (now {_num(b.limit)} {unit})."
        zh = f"{n_zh}每增加1{uzh}，目标值{_verb_zh(v)}{money_zh(v, per_ha)}（现为{_num(b.limit)}{uzh}）。"
    elif hi is not None and hi <= b.limit + 1e-9 * (1 + abs(b.limit)):
        # a corner: the dual is one subgradient; the value of *more* is the price just above the limit
        en = (f"{n_en[0].upper() + n_en[1:]} is at a corner at {_num(b.limit)} {unit}: its dual price is "
              f"{money_en(v, per_ha)}")
        zh = f"{n_zh}在现有限额{_num(b.limit)}{uzh}处于退化顶点：对偶价格为{money_zh(v, per_ha)}"
        if more is not None and abs(more) < 1e-12:
            en += f", but one more {unit} is worth nothing"
            zh += f"，但再增加1{uzh}目标值不变"
        elif more is not None:
            en += f", but one more {unit} {_verb_en(more)} {money_en(more, per_ha)}"
            zh += f"，但再增加1{uzh}目标值{_verb_zh(more)}{money_zh(more, per_ha)}"
        elif exact:
            en += ", but a higher limit leaves no feasible plan"
            zh += "，但提高限额后无可行方案"
        else:
            en += ", and a higher limit may carry a different price"
            zh += "，提高限额后影子价格可能不同"
        if lo is None or lo < b.limit - 1e-9 * (1 + abs(b.limit)):
            down_en = f" down to {_num(lo)} {unit}" if lo is not None else ""
            down_zh = f"，直至{_num(lo)}{uzh}" if lo is not None else ""
            en += f"; each {unit} less {_verb_en(-v)} {money_en(v, per_ha)}{down_en}."
            zh += f"；每减少1{uzh}目标值{_verb_zh(-v)}{money_zh(v, per_ha)}{down_zh}。"
        elif less is not None:
            en += f"; each {unit} less {_verb_en(-less)} {money_en(less, per_ha)}."
            zh += f"；每减少1{uzh}目标值{_verb_zh(-less)}{money_zh(less, per_ha)}。"
        else:
            en += "; a lower limit leaves no feasible plan." if exact else "."
            zh += "；降低限额后无可行方案。" if exact else "。"
    else:
        en = (f"One more {unit} of {n_en} {_verb_en(v)} {money_en(v, per_ha)}; this price holds while the limit is "
              f"{range_en(lo, hi, unit)} (now {_num(b.limit)} {unit}).")
        zh = (f"{n_zh}每增加1{uzh}，目标值{_verb_zh(v)}{money_zh(v, per_ha)}；限额{range_zh(lo, hi, unit)}时"
              f"该影子价格不变（现为{_num(b.limit)}{uzh}）。")
    if marginal:
        parts = ", ".join(f"{j} ({share[j]:.0%} selected)" for j in marginal)
        en += f" Marginal project{'s' if len(marginal) > 1 else ''}: {parts}."
        zh += "边际项目：" + "，".join(f"{j}（选中{share[j]:.0%}）" for j in marginal) + "。"
    return BindingExplained(
        rule=b.rule, policy_item=b.policy_item, region=b.region, region_name=names.name(b.region), year=b.year,
        subject_en=n_en, subject_zh=n_zh, limit=b.limit, limit_unit=unit, shadow_price_cny_100m=v,
        shadow_price_cny_10k=v * CNY_10K_PER_100M, limit_low=lo, limit_high=hi, range_exact=exact,
        price_of_more_cny_100m=more, price_of_less_cny_100m=less, marginal_projects=marginal,
        sentence_en=en, sentence_zh=zh,
    )


def _verb_en(v: float) -> str:
    return "is worth" if v > 0 else ("costs" if v < 0 else "is worth")


def _verb_zh(v: float) -> str:
    return "增加" if v > 0 else ("减少" if v < 0 else "不变")


def _value_ranges(lm, result: Result, ranging: HighsRanging, extender: RangeExtender | None, var_map: dict,
                  names: Names, limit: int, deadline: float) -> tuple[list[ValueRange], int]:
    """Value ranges of projects and cities, most telling first: partly selected projects (they set the
    prices), cities, selected projects, the rest. Returns (ranges in scenario order, number skipped)."""
    m, d, s = lm.m, lm.data, lm.scenario
    share = {p.id: p.selected_share for p in result.projects}
    by_city = {c.code: c for c in result.cities}

    def rank(item):
        kind, obj = item
        if kind == "city":
            return 1
        sh = share.get(obj.id, 0.0)
        return 0 if EPS < sh < 1 - EPS else (2 if sh >= 1 - EPS else 3)

    items = [("project", p) for p in s.projects] + [("city", c) for c in s.cities]
    todo = sorted(range(len(items)), key=lambda k: rank(items[k]))[:limit]
    out: dict[int, ValueRange] = {}
    for k in todo:
        kind, obj = items[k]
        direction = {}
        if kind == "project":
            for t in d.years:
                v = m.x[obj.id, t]
                if id(v) in var_map:
                    direction[var_map[id(v)]] = d.discount[t]
        else:
            for t in d.years:
                for var in (m.g[obj.code, t], m.s[obj.code, t]):
                    if id(var) in var_map:
                        direction[var_map[id(var)]] = d.discount[t] / CNY_10K_PER_100M
        if not direction:
            continue
        value = obj.value_cny_100m if kind == "project" else obj.new_land_value_cny_10k_per_ha
        lo, hi, exact = _cost_range(ranging, extender, direction, value, time.perf_counter() < deadline)
        low, high = _value_ends(value, lo, hi)
        if kind == "project":
            out[k] = _project_range(obj, d, names, share.get(obj.id, 0.0), low, high, exact)
        else:
            out[k] = _city_range(obj, by_city.get(obj.code), names, low, high, exact)
    return [out[k] for k in sorted(out)], len(items) - len(todo)


def _project_range(p, d, names: Names, sh: float, low, high, exact: bool) -> ValueRange:
    use = "not selected" if sh < EPS else ("selected in full" if sh > 1 - EPS else f"selected {sh:.0%}")
    use_zh = "未选中" if sh < EPS else ("全部选中" if sh > 1 - EPS else f"选中{sh:.0%}")
    return ValueRange(
        kind="project_value", id=p.id, name=names.name(p.id), province_code=d.province_of_city[p.city_code],
        value=p.value_cny_100m, unit="亿元", low=low, high=high, range_exact=exact, use=use,
        sentence_en=(f"Project {p.id} in {names.en(p.city_code)} (value {_num(p.value_cny_100m)} 亿元, {use}): "
                     f"the allocation stays the same for a value {_value_range_en(low, high, '亿元')}."),
        sentence_zh=(f"项目{p.id}（{names.name(p.city_code)}，价值{_num(p.value_cny_100m)}亿元，{use_zh}）："
                     f"价值{_value_range_zh(low, high, '亿元')}时方案不变。"),
    )


def _city_range(c, row, names: Names, low, high, exact: bool) -> ValueRange:
    g = row.general_land_ha if row else 0.0
    st = row.stock_revitalised_ha if row else 0.0
    use = f"{_num(g)} ha general-use new land, {_num(st)} ha revitalised stock"
    v = c.new_land_value_cny_10k_per_ha
    return ValueRange(
        kind="city_land_value", id=c.code, name=c.name, province_code=c.province_code,
        value=v, unit="万元/ha", low=low, high=high, range_exact=exact, use=use,
        sentence_en=(f"Land value of {names.en(c.code)} ({_num(v)} 万元/ha; {use}): "
                     f"the allocation stays the same for a value {_value_range_en(low, high, '万元/ha')}."),
        sentence_zh=(f"{names.zh(c.code)}土地价值（{_num(v)}万元/公顷；一般用途新增{_num(g)}公顷、盘活存量"
                     f"{_num(st)}公顷）：价值{_value_range_zh(low, high, '万元/公顷')}时方案不变。"),
    )


def _cost_range(ranging: HighsRanging, extender: RangeExtender | None, direction: dict,
                value: float, exact_joint: bool = True) -> tuple[float, float, bool]:
    """θ interval (parameter units, relative to ``value``) with the same allocation, widened past
    degenerate basis changes when the budget allows. A value that prices several columns gets its
    exact joint range while ``exact_joint``, else the 100% rule's (narrower, not exact)."""
    if len(direction) > 1 and not exact_joint:
        lo, hi = ranging.cost_direction_range_100(direction)
        return lo, hi, False
    lo, hi = ranging.cost_direction_range(direction)
    exact = True
    if extender is not None:
        hi, ok_hi = extender.cost_end(direction, hi, +1, value)
        ok_lo = True
        if value + lo > 0:  # values are ≥ 0: no need to look below zero
            lo, ok_lo = extender.cost_end(direction, lo, -1, value)
        exact = ok_hi and ok_lo
    return lo, hi, exact


def _value_ends(value: float, lo: float, hi: float) -> tuple[float | None, float | None]:
    low = value + lo
    high = value + hi
    return (None if low <= 0 or low != low or low == float("-inf") else float(low),
            None if high == float("inf") or high != high else float(high))


def _value_range_en(low, high, unit) -> str:
    if low is None and high is None:
        return "at any level"
    if low is None:
        return f"up to {_num(high)} {unit}"
    if high is None:
        return f"of {_num(low)} {unit} or more"
    return f"between {_num(low)} and {_num(high)} {unit}"


def _value_range_zh(low, high, unit) -> str:
    if low is None and high is None:
        return "取任意值"
    if low is None:
        return f"不超过{_num(high)}{unit}"
    if high is None:
        return f"不低于{_num(low)}{unit}"
    return f"在{_num(low)}–{_num(high)}{unit}之间"


def _unmet(lm, result: Result, names: Names) -> list[UnmetTarget]:
    d = lm.data
    penalty = lm.scenario.policy.shortfall_penalty_cny_10k_per_ha
    nouns = _UNMET_NOUNS
    out = []
    for sh in result.shortfalls:
        cost = sh.amount_ha * penalty / CNY_10K_PER_100M * d.discount.get(sh.year, 1.0)
        n_en, n_zh = nouns.get(sh.rule, (sh.rule, sh.rule))
        out.append(UnmetTarget(
            rule=sh.rule, policy_item=sh.policy_item, region=sh.region, region_name=names.name(sh.region),
            year=sh.year, amount_ha=sh.amount_ha, penalty_cny_100m=cost,
            sentence_en=(f"{names.en(sh.region)} misses its {n_en} in year {sh.year} by {_num(sh.amount_ha)} ha "
                         f"({sh.policy_item}); the miss is priced at {_num(cost)} 亿元."),
            sentence_zh=(f"{names.zh(sh.region)}第{sh.year}年{n_zh}缺口{_num(sh.amount_ha)}公顷（{sh.policy_item}），"
                         f"计入目标的代价为{_num(cost)}亿元。"),
        ))
    return out


def _summary(result: Result, groups: list[BindingGroup], ranges: list[ValueRange], unmet: list[UnmetTarget],
             names: Names) -> tuple[str, str]:
    obj = result.objective_cny_100m
    head_en = f"Scenario {result.scenario}: {result.status}" + (
        f", objective {obj:,.2f} 亿元." if obj is not None else ".")
    head_zh = f"情景{result.scenario}：{_STATUS_ZH.get(result.status, result.status)}" + (
        f"，目标值{obj:,.2f}亿元。" if obj is not None else "。")
    en, zh = [head_en], [head_zh]
    rules = [r for g in groups for r in g.rules if r.rule != "project_whole"]

    def more(r: BindingExplained) -> float:
        """Value of one more unit (differs from the dual at a corner)."""
        return r.price_of_more_cny_100m if r.price_of_more_cny_100m is not None else r.shadow_price_cny_100m

    land = sorted((r for r in rules if r.limit_unit == "ha" and more(r) > 0), key=lambda r: -more(r))[:3]
    money = sorted((r for r in rules if r.limit_unit == "亿元" and more(r) > 0), key=lambda r: -more(r))[:2]
    if land:
        en.append("Scarcest land: " + "; ".join(
            f"{r.subject_en} ({_num(more(r) * CNY_10K_PER_100M)} 万元 per ha)" for r in land) + ".")
        zh.append("最紧的用地约束：" + "；".join(
            f"{r.subject_zh}（每公顷{_num(more(r) * CNY_10K_PER_100M)}万元）" for r in land) + "。")
    if money:
        en.append("Scarcest money: " + "; ".join(
            f"{r.subject_en} ({more(r):.3g} 亿元 per 亿元)" for r in money) + ".")
        zh.append("最紧的资金约束：" + "；".join(
            f"{r.subject_zh}（每亿元{more(r):.3g}亿元）" for r in money) + "。")
    pools = [r for r in rules if r.rule == "provincial_pool"]
    if pools:
        yr = lambda r: f" in year {r.year}" if len({p.year for p in pools}) > 1 else ""  # noqa: E731
        yr_zh = lambda r: f"第{r.year}年" if len({p.year for p in pools}) > 1 else ""  # noqa: E731
        pools = sorted(pools, key=lambda r: -more(r))
        en.append("Quota pools: " + "; ".join(
            f"one more ha for {names.en(r.region)}{yr(r)} is worth {_num(more(r) * CNY_10K_PER_100M)} 万元"
            for r in pools[:6]) + _more_en(len(pools) - 6) + ".")
        zh.append("指标池：" + "；".join(
            f"{names.zh(r.region)}{yr_zh(r)}每增加1公顷价值{_num(more(r) * CNY_10K_PER_100M)}万元" for r in pools[:6])
            + _more_zh(len(pools) - 6) + "。")
    if unmet:
        top = sorted(unmet, key=lambda u: -u.amount_ha)[:5]
        en.append(f"Unmet targets ({len(unmet)}): " + "; ".join(
            f"{names.en(u.region)}, {_UNMET_NOUNS.get(u.rule, (u.rule,))[0]}, year {u.year}: "
            f"short by {_num(u.amount_ha)} ha" for u in top) + _more_en(len(unmet) - len(top)) + ".")
        zh.append(f"未完成目标（{len(unmet)}项）：" + "；".join(
            f"{names.zh(u.region)}第{u.year}年{_UNMET_NOUNS.get(u.rule, (u.rule, u.rule))[1]}缺口{_num(u.amount_ha)}公顷"
            for u in top) + _more_zh(len(unmet) - len(top)) + "。")
    elif result.objective_cny_100m is not None:
        en.append("Every soft target (settler land, tilt) is met.")
        zh.append("所有软性目标（落户人口用地、倾斜比例）均已完成。")
    partly = [p for p in result.projects if EPS < p.selected_share < 1 - EPS]
    if partly:
        en.append("Marginal projects (partly selected; they set the prices): " + ", ".join(
            f"{p.id} {p.selected_share:.0%}" for p in partly[:8]) + _more_en(len(partly) - 8) + ".")
        zh.append("边际项目（部分选中，决定影子价格）：" + "，".join(
            f"{p.id}（{p.selected_share:.0%}）" for p in partly[:8]) + _more_zh(len(partly) - 8) + "。")
    if ranges:
        tight = [v for v in ranges if v.kind == "project_value" and v.low is not None and v.high is not None
                 and v.value > 0 and (v.high - v.low) / v.value < 0.2]
        if tight:
            en.append("Sensitive values (the allocation changes within ±20%): " + ", ".join(
                f"{v.id} {_num(v.low)}–{_num(v.high)} 亿元" for v in tight[:5]) + ".")
            zh.append("敏感项目价值（±20%以内方案即变）：" + "，".join(
                f"{v.id}（{_num(v.low)}–{_num(v.high)}亿元）" for v in tight[:5]) + "。")
    return " ".join(en), "".join(zh)


def _more_en(n: int) -> str:
    return f" and {n} more" if n > 0 else ""


def _more_zh(n: int) -> str:
    return f"等（另有{n}项）" if n > 0 else ""


_UNMET_NOUNS = {
    "settler_land_floor": ("settler land floor (人地挂钩)", "落户人口用地下限（人地挂钩）"),
    "tilt_share": ("share of new land for centre cities and key clusters", "中心城市和重点城市群新增用地比例"),
}

_STATUS_ZH = {"optimal": "最优", "infeasible": "不可行", "unbounded": "无界", "time_limit": "达到时间限制",
              "not_solved": "未求解", "error": "出错"}


# ---- for stored results (the service) and the CLI ---------------------------------------------------


def explanation_section(result: dict | Result) -> dict[str, Any]:
    """The explain part of a stored result (a Result or its JSON dict), as a JSON-ready dict:
    ``{"scenario", "status", "explain", "diagnosis"}``. ``explain`` is null when the result was solved
    with explain off (re-solve with ``SolveOptions(explain=True)``); ``diagnosis`` is set only for an
    infeasible scenario."""
    r = result if isinstance(result, Result) else Result.model_validate(result)
    return {
        "scenario": r.scenario,
        "status": r.status,
        "explain": r.explain.model_dump(mode="json") if r.explain else None,
        "diagnosis": r.diagnosis.model_dump(mode="json") if r.diagnosis else None,
    }


def format_explanation(e: Explanation, max_ranges: int = 12) -> str:
    """The explanation as text for a terminal: summaries, rules by policy item, unmet targets, the
    tightest value ranges."""
    lines = ["", "Why this plan:", "  " + e.summary_en, "  " + e.summary_zh]
    for g in e.binding_groups:
        lines.append("")
        lines.append(f"{g.title_en} / {g.title_zh}")
        for r in g.rules:
            lines.append(f"  - {r.sentence_en}")
            lines.append(f"    {r.sentence_zh}")
    if e.unmet_targets:
        lines.append("")
        lines.append("Unmet targets / 未完成目标:")
        for u in e.unmet_targets:
            lines.append(f"  - {u.sentence_en}")
            lines.append(f"    {u.sentence_zh}")
    if e.value_ranges:
        def width(v):
            if v.low is None or v.high is None or not v.value:
                return float("inf")
            return (v.high - v.low) / v.value

        tight = sorted(e.value_ranges, key=width)[:max_ranges]
        lines.append("")
        lines.append(f"Value ranges with the same allocation (tightest {len(tight)} of {len(e.value_ranges)}):")
        for v in tight:
            lo = "0" if v.low is None else _num(v.low)
            hi = "∞" if v.high is None else _num(v.high)
            lines.append(f"  {v.id:14s} {_num(v.value):>10s} {v.unit:8s} [{lo} … {hi}]  {v.use}")
    for n in e.notes:
        lines.append(f"note: {n}")
    return "\n".join(lines)
