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
    service.cli_text.format_explanation(result.explain)   # the CLI's text
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Any

import highspy
import pyomo.environ as pyo

from landquota.models.build import REGISTRY
from landquota.models.rules import component
from landquota.models.units import cny_100m, cny_10k, limit_unit
from landquota.solvers.duals import stated_side
from landquota.solvers.ranging import HighsRanging, RangeExtender, RangingUnavailable
from landquota.solvers.handoff import new_highs
from landquota.solvers.result import (
    Binding, BindingExplained, BindingGroup, Explanation, OwnPrice, Result, UnmetTarget, ValueRange,
)
from landquota.solvers.solved import Solved
from landquota.solvers.wording import (
    STATUS_ZH, Names, capitalised, money_en, money_zh, more_en, more_zh, noun, num, range_en, range_zh,
    unit_zh, value_range_en, value_range_zh, verb_en, verb_zh,
)

EPS = 1e-6


METHOD = (
    "Shadow prices: HiGHS row duals (highspy 1.16.0; the model compiled from Pyomo 6.10.1 by solvers.handoff, or "
    "Pyomo's persistent interface), mapped to rules by solvers.duals from the rules registry; the objective "
    "reaches HiGHS as a maximisation without negation, so a "
    "dual is ∂objective/∂bound; it is reported for the limit as the rule states it (positive: more of the "
    "limit is worth something). Limit ranges: HiGHS getRanging() row-bound ranging (the interval of the limit "
    "over which the current optimal basis, hence the shadow price, holds), shifted by any constant Pyomo "
    "moved out of the row; where the LP is degenerate, each end is confirmed or widened by a warm re-solve of "
    "a copy just past it, and at a corner the value of one more unit (price_of_more) is read there. Value "
    "ranges: HiGHS cost ranging for a value that prices one column; for a value that prices several columns "
    "at once (a city's land value prices general-use and revitalised land in every year) the exact joint "
    "range along that direction from the optimal basis (one getBasisTransposeSolve), confirmed the same way; "
    "'the allocation does not change' means the plan stays optimal (ties between equally good plans aside). "
    "Ends are exact to within 1e-4 of the limit's or value's size. A soft rule whose target is missed is priced "
    "by its penalty (its priced slack is positive) and says so. A quota market's clearing row is the nation's "
    "price (payments between provinces cancel); each trading province's own price is its own marginal value of "
    "the land or reserve one more ha adds or takes, measured by a re-solve of a copy with the market's trades "
    "fixed, less what it pays or plus what it receives."
)


# ---- explanation ----------------------------------------------------------------------------------


def explain(solved: Solved, result: Result, max_rules_per_item: int = 100,
            max_value_ranges: int = 1000, extend_budget: int = 300,
            time_share: float = 0.25, seconds: float | None = None) -> Explanation:
    """Explain a solved scenario (``solved``: :class:`solvers.solved.Solved`, or the
    ``ScenarioSolver`` that has just solved it).

    Cost control, for national models with tens of thousands of binding rows: the ``max_rules_per_item``
    binding rules with the largest shadow prices of each policy item are explained (the rest are
    counted; every dual stays in ``Result.binding``); at most ``max_value_ranges`` value ranges
    (partly selected projects first, then cities, then the other projects). Warm re-solves that
    confirm degenerate range ends (:class:`solvers.ranging.RangeExtender`, at most ``extend_budget``)
    and exact joint value ranges may each take ``time_share`` of the solve time (0.25–2 s), or
    ``seconds`` if given; past that, ranges are HiGHS's basis ranges, or the 100% rule for joint ones,
    and say so."""
    t0 = time.perf_counter()
    if not isinstance(solved, Solved):
        solved = Solved.of(solved)
    lm = solved.model
    s = lm.scenario
    names = Names(s)
    notes: list[str] = []
    ranging = None
    if result.status == "optimal" and not solved.whole_projects:
        try:
            ranging = HighsRanging(solved.highs)
        except RangingUnavailable as e:
            notes.append(f"no sensitivity ranges: {e}")
    elif solved.whole_projects:
        notes.append("whole projects (a MIP): no shadow prices or ranges; solve with shares (the LP) for them")
    elif result.status != "optimal":
        notes.append(f"status {result.status}: no shadow prices or ranges (they need a proven optimum)")

    var_map = solved.col_of
    x_col = {j: idx[0] for idx, j in solved.cols("x").items()}
    share = {p.id: p.selected_share for p in result.projects}
    if seconds is None:
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
    ctx = _Context(solved, ranging, extender, names, x_col, share, own_budget_s=seconds)
    explained = [_explain_binding(result.binding[k], ctx) for k in chosen]
    if ctx.own_skipped:
        notes.append(f"own prices of {ctx.own_skipped} trading province(s) not measured (explain time spent)")
    groups: dict[str, list[BindingExplained]] = {}
    for e in explained:
        groups.setdefault(e.policy_item, []).append(e)
    binding_groups = [
        BindingGroup(policy_item=item, title_en=solved.registry.title(item)[0], title_zh=solved.registry.title(item)[1],
                     rules=sorted(rs, key=lambda r: -abs(r.shadow_price_cny_100m)), omitted=omitted.get(item, 0))
        for item, rs in sorted(groups.items(), key=lambda kv: solved.registry.item_order(kv[0]))
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


@dataclass
class _Context:
    solved: Solved
    ranging: HighsRanging | None
    extender: RangeExtender | None
    names: Names
    x_col: dict
    share: dict
    own_budget_s: float = float("inf")
    """Time own prices in quota markets (re-solves) may take in all; past it the rest are left out."""
    own_spent_s: float = 0.0
    own_skipped: int = 0


def _explain_binding(b: Binding, ctx: _Context) -> BindingExplained:
    ranging, extender, names = ctx.ranging, ctx.extender, ctx.names
    unit = limit_unit(b.unit)
    uzh = unit_zh(unit)
    per_ha = unit == "ha"
    v = b.shadow_price
    lo = hi = None
    more = less = None
    exact = True
    marginal: list[str] = []
    detail = ""
    rule = REGISTRY.by_name.get(b.rule)
    row = ctx.solved.row_of_binding(b)
    fixed = False
    if row is not None:
        rule, idx, cd, i = row
        fixed = cd.equality
        detail = names.detail(rule, idx)
        if ranging is not None:
            side, sign = stated_side(rule, cd)
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
            marginal = sorted({ctx.x_col[j] for j in ranging.row_columns(i)
                               if j in ctx.x_col and EPS < ctx.share.get(ctx.x_col[j], 0.0) < 1 - EPS})
    n_en, n_zh = noun(rule, b.region, b.year, detail, names, b.description)
    if rule is not None and "price_en" in rule.words:
        # an equality row with a negative price (a committed project the plan would rather not build in full)
        # has its own sentence where the rule gives one; the price is then a cost, stated as a positive amount
        cost = fixed and v < 0 and "price_fixed_en" in rule.words
        key, amount = ("price_fixed", -v) if cost else ("price", v)
        en = rule.words[key + "_en"].format(r=b.region, price=money_en(amount, per_ha))
        zh = rule.words[key + "_zh"].format(r=b.region, price=money_zh(amount, per_ha))
    elif ranging is None:
        en = f"One more {unit} of {n_en} {verb_en(v)} {money_en(v, per_ha)} (now {num(b.limit)} {unit})."
        zh = f"{n_zh}每增加1{uzh}，目标值{verb_zh(v)}{money_zh(v, per_ha)}（现为{num(b.limit)}{uzh}）。"
    elif hi is not None and hi <= b.limit + 1e-9 * (1 + abs(b.limit)):
        # a corner: the dual is one subgradient; the value of *more* is the price just above the limit
        en = (f"{capitalised(n_en)} is at a corner at {num(b.limit)} {unit}: its dual price is "
              f"{money_en(v, per_ha)}")
        zh = f"{n_zh}在现有限额{num(b.limit)}{uzh}处于退化顶点：对偶价格为{money_zh(v, per_ha)}"
        if more is not None and abs(more) < 1e-12:
            en += f", but one more {unit} is worth nothing"
            zh += f"，但再增加1{uzh}目标值不变"
        elif more is not None:
            en += f", but one more {unit} {verb_en(more)} {money_en(more, per_ha)}"
            zh += f"，但再增加1{uzh}目标值{verb_zh(more)}{money_zh(more, per_ha)}"
        elif exact:
            en += ", but a higher limit leaves no feasible plan"
            zh += "，但提高限额后无可行方案"
        else:
            en += ", and a higher limit may carry a different price"
            zh += "，提高限额后影子价格可能不同"
        if lo is None or lo < b.limit - 1e-9 * (1 + abs(b.limit)):
            down_en = f" down to {num(lo)} {unit}" if lo is not None else ""
            down_zh = f"，直至{num(lo)}{uzh}" if lo is not None else ""
            en += f"; each {unit} less {verb_en(-v)} {money_en(v, per_ha)}{down_en}."
            zh += f"；每减少1{uzh}目标值{verb_zh(-v)}{money_zh(v, per_ha)}{down_zh}。"
        elif less is not None:
            en += f"; each {unit} less {verb_en(-less)} {money_en(less, per_ha)}."
            zh += f"；每减少1{uzh}目标值{verb_zh(-less)}{money_zh(less, per_ha)}。"
        else:
            en += "; a lower limit leaves no feasible plan." if exact else "."
            zh += "；降低限额后无可行方案。" if exact else "。"
    else:
        en = (f"One more {unit} of {n_en} {verb_en(v)} {money_en(v, per_ha)}; this price holds while the limit is "
              f"{range_en(lo, hi, unit)} (now {num(b.limit)} {unit}).")
        zh = (f"{n_zh}每增加1{uzh}，目标值{verb_zh(v)}{money_zh(v, per_ha)}；限额{range_zh(lo, hi, unit)}时"
              f"该影子价格不变（现为{num(b.limit)}{uzh}）。")
    source = "allocation"
    own: list[OwnPrice] = []
    if row is not None and rule.priced_slack is not None and ranging is not None:
        pen = _penalty_price(ctx, rule, idx, v)
        if pen is not None:
            source, marginal = "shortfall_penalty", []
            en += pen[0]
            zh += pen[1]
    if row is not None and rule.payments_cancel and ranging is not None:
        source = "national_market"
        own = _own_prices(ctx, rule, idx)
        en += (" Payments between provinces cancel in the national objective (a seller receives what a buyer "
               "pays, less the state's margin), so this is the quota's value to the nation, not a price any "
               "province pays or receives.")
        zh += "省际交易支付在全国目标中相互抵消（卖方所得即买方所付，扣除国家差价），因此该价格是指标对全国的价值，而非某省支付或收取的价格。"
        if own:
            en += " To each province, counting what it pays or receives (every trade held as it is): " + "; ".join(
                f"{names.en(o.province_code)} {'buys' if o.side == 'buy' else 'sells'} {num(o.traded_ha)} ha at "
                f"{num(o.payment_cny_10k_per_ha)} 万元/ha: one more ha {verb_en(o.own_price_cny_100m)} "
                f"{money_en(o.own_price_cny_100m, True)} to it" for o in own) + "."
            zh += "各省自身价格（计入其支付或收入，各项交易不变）：" + "；".join(
                f"{names.zh(o.province_code)}{'购入' if o.side == 'buy' else '出售'}{num(o.traded_ha)}公顷，每公顷"
                f"{'支付' if o.side == 'buy' else '收入'}{num(o.payment_cny_10k_per_ha)}万元：再{'购入' if o.side == 'buy' else '出售'}"
                f"1公顷，其自身目标值{verb_zh(o.own_price_cny_100m)}{money_zh(o.own_price_cny_100m, True)}" for o in own) + "。"
    if marginal:
        parts = ", ".join(f"{j} ({ctx.share[j]:.0%} selected)" for j in marginal)
        en += f" Marginal project{'s' if len(marginal) > 1 else ''}: {parts}."
        zh += "边际项目：" + "，".join(f"{j}（选中{ctx.share[j]:.0%}）" for j in marginal) + "。"
    return BindingExplained(
        rule=b.rule, policy_item=b.policy_item, region=b.region, region_name=names.name(b.region), year=b.year,
        subject_en=n_en, subject_zh=n_zh, limit=b.limit, limit_unit=unit, shadow_price_cny_100m=v,
        shadow_price_cny_10k=cny_10k(v), limit_low=lo, limit_high=hi, range_exact=exact,
        price_of_more_cny_100m=more, price_of_less_cny_100m=less, marginal_projects=marginal,
        price_source=source, own_prices=own, sentence_en=en, sentence_zh=zh,
    )


def _penalty_price(ctx: _Context, rule, idx, v: float) -> tuple[str, str] | None:
    """When a soft rule's price comes from its priced slack (the shortfall is positive, or the price
    equals the discounted penalty), the words that say so; else None."""
    m, d = ctx.solved.model.m, ctx.solved.model.data
    slack = rule.priced_slack
    _, year = rule.region_year(idx)
    penalty_10k = float(pyo.value(component(m, slack.penalty)))
    price = cny_100m(penalty_10k * d.discount.get(year, 1.0)) if year is not None else cny_100m(penalty_10k)
    col = ctx.solved.col(component(m, slack.var)[idx])
    short = float(ctx.solved.col_value[col]) if col is not None else 0.0
    at_penalty = abs(abs(v) - price) <= 1e-7 * (1 + price)
    if short <= EPS and not at_penalty:
        return None
    disc_en = "" if year in (None, 1) else f", discounted to year {year}"
    disc_zh = "" if year in (None, 1) else f"，按第{year}年折现"
    why_en = (f"the target is missed by {num(short)} ha here" if short > EPS else "the target is only just met")
    why_zh = (f"此处目标缺口{num(short)}公顷" if short > EPS else "此处目标恰好完成")
    return (f" This price is the shortfall penalty of the {slack.target_en} ({num(cny_10k(price))} 万元 per ha"
            f"{disc_en}; {why_en}), not the value of a project or of land: no project sets it.",
            f"该价格即{slack.target_zh}的缺口罚金（每公顷{num(cny_10k(price))}万元{disc_zh}；{why_zh}），"
            "并非某个项目或土地用途的价值，不由边际项目决定。")


def _own_prices(ctx: _Context, rule, idx) -> list[OwnPrice]:
    """Each trading province's own price in the market a clearing row clears: the value to the
    province of one more ha traded, counting what it pays or receives. On a copy of the LP with every
    trade of this market (and year) fixed where it is, the province's own land or reserve that one ha
    adds (buy) or takes (sell) is moved by a small step (its value per ha, measured by a re-solve, in
    the direction of *more* trade: one subgradient of a degenerate LP would not do), plus the trade
    column's objective coefficient (minus what it pays, plus what it receives)."""
    solved = ctx.solved
    m = solved.model.m
    _, year = rule.region_year(idx)
    trades = []  # (side, province, column, amount, resource row data)
    for side in rule.market:
        comp = component(m, side.var)
        if comp is None:
            continue
        res_path = next((p for p in side.resources if component(m, p) is not None), None)
        res = component(m, res_path) if res_path else None
        for k, var in comp.items():
            region, y = side.region_year(k)
            j = solved.col(var)
            if j is None or (year is not None and y != year):
                continue
            cd = res[k] if res is not None and k in res else None
            trades.append((side, region, j, float(solved.col_value[j]), (res_path, cd)))
    if not any(x > EPS for _, _, _, x, _ in trades):
        return []
    if ctx.own_spent_s > ctx.own_budget_s:
        ctx.own_skipped += sum(x > EPS for _, _, _, x, _ in trades)
        return []
    t0 = time.perf_counter()
    try:
        return _measure_own_prices(ctx, trades)
    finally:
        ctx.own_spent_s += time.perf_counter() - t0


def _measure_own_prices(ctx: _Context, trades: list) -> list[OwnPrice]:
    solved, names = ctx.solved, ctx.names
    t0 = time.perf_counter()
    lp = solved.highs.getLp()
    h = new_highs()
    h.passModel(lp)
    h.setBasis(solved.highs.getBasis())
    for _, _, j, x, _ in trades:
        h.changeColBounds(j, x, x)
    base = _run(h)
    if base is None:
        return []
    out = []
    for side, region, j, x, (res_path, cd) in trades:
        if x <= EPS:
            continue
        if ctx.own_spent_s + time.perf_counter() - t0 > ctx.own_budget_s:
            ctx.own_skipped += 1
            continue
        value = 0.0
        row = solved.row_of.get(cd) if cd is not None else None
        if row is not None:
            res_rule = solved.registry.by_path[res_path]
            bound_side, sign = stated_side(res_rule, cd)
            lo, up = lp.row_lower_[row], lp.row_upper_[row]
            step = RangeExtender.step(up if bound_side == "upper" else lo)
            shift = sign * (step if side.side == "buy" else -step)  # the stated limit: + for buy, − for sell
            h.changeRowBounds(row, lo + (shift if bound_side == "lower" else 0.0),
                              up + (shift if bound_side == "upper" else 0.0))
            moved = _run(h)
            h.changeRowBounds(row, lo, up)
            if moved is None:
                continue  # no feasible plan with one ha less of the seller's reserve: no own price
            value = (moved - base) / step
        c = float(lp.col_cost_[j])
        own = c + value
        out.append(OwnPrice(province_code=region, province_name=names.name(region), side=side.side, traded_ha=x,
                            payment_cny_10k_per_ha=abs(cny_10k(c)), own_price_cny_100m=own,
                            own_price_cny_10k=cny_10k(own)))
    return out


def _run(h: highspy.Highs) -> float | None:
    h.run()
    if h.getModelStatus() != highspy.HighsModelStatus.kOptimal:
        return None
    return float(h.getInfo().objective_function_value)



def _finite(x: float) -> float | None:
    return None if x is None or x != x or abs(x) == float("inf") else float(x)


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
                        direction[var_map[id(var)]] = cny_100m(d.discount[t])
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
        sentence_en=(f"Project {p.id} in {names.en(p.city_code)} (value {num(p.value_cny_100m)} 亿元, {use}): "
                     f"the allocation stays the same for a value {value_range_en(low, high, '亿元')}."),
        sentence_zh=(f"项目{p.id}（{names.name(p.city_code)}，价值{num(p.value_cny_100m)}亿元，{use_zh}）："
                     f"价值{value_range_zh(low, high, '亿元')}时方案不变。"),
    )


def _city_range(c, row, names: Names, low, high, exact: bool) -> ValueRange:
    g = row.general_land_ha if row else 0.0
    st = row.stock_revitalised_ha if row else 0.0
    use = f"{num(g)} ha general-use new land, {num(st)} ha revitalised stock"
    v = c.new_land_value_cny_10k_per_ha
    return ValueRange(
        kind="city_land_value", id=c.code, name=c.name, province_code=c.province_code,
        value=v, unit="万元/ha", low=low, high=high, range_exact=exact, use=use,
        sentence_en=(f"Land value of {names.en(c.code)} ({num(v)} 万元/ha; {use}): "
                     f"the allocation stays the same for a value {value_range_en(low, high, '万元/ha')}."),
        sentence_zh=(f"{names.zh(c.code)}土地价值（{num(v)}万元/公顷；一般用途新增{num(g)}公顷、盘活存量"
                     f"{num(st)}公顷）：价值{value_range_zh(low, high, '万元/公顷')}时方案不变。"),
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


def _target(rule_name: str) -> tuple[str, str]:
    """The target a priced slack misses, in words (from the rule's declaration)."""
    rule = REGISTRY.by_name.get(rule_name)
    if rule is None or rule.priced_slack is None:
        return rule_name, rule_name
    return rule.priced_slack.target_en, rule.priced_slack.target_zh


def _unmet(lm, result: Result, names: Names) -> list[UnmetTarget]:
    d = lm.data
    penalty = lm.scenario.policy.shortfall_penalty_cny_10k_per_ha
    out = []
    for sh in result.shortfalls:
        cost = cny_100m(sh.amount_ha * penalty) * d.discount.get(sh.year, 1.0)
        n_en, n_zh = _target(sh.rule)
        out.append(UnmetTarget(
            rule=sh.rule, policy_item=sh.policy_item, region=sh.region, region_name=names.name(sh.region),
            year=sh.year, amount_ha=sh.amount_ha, penalty_cny_100m=cost,
            sentence_en=(f"{names.en(sh.region)} misses its {n_en} in year {sh.year} by {num(sh.amount_ha)} ha "
                         f"({sh.policy_item}); the miss is priced at {num(cost)} 亿元."),
            sentence_zh=(f"{names.zh(sh.region)}第{sh.year}年{n_zh}缺口{num(sh.amount_ha)}公顷（{sh.policy_item}），"
                         f"计入目标的代价为{num(cost)}亿元。"),
        ))
    return out


def _summary(result: Result, groups: list[BindingGroup], ranges: list[ValueRange], unmet: list[UnmetTarget],
             names: Names) -> tuple[str, str]:
    obj = result.objective_cny_100m
    head_en = f"Scenario {result.scenario}: {result.status}" + (
        f", objective {obj:,.2f} 亿元." if obj is not None else ".")
    head_zh = f"情景{result.scenario}：{STATUS_ZH.get(result.status, result.status)}" + (
        f"，目标值{obj:,.2f}亿元。" if obj is not None else "。")
    en, zh = [head_en], [head_zh]
    rules = [r for g in groups for r in g.rules]

    def more(r: BindingExplained) -> float:
        """Value of one more unit (differs from the dual at a corner)."""
        return r.price_of_more_cny_100m if r.price_of_more_cny_100m is not None else r.shadow_price_cny_100m

    land = sorted((r for r in rules if r.limit_unit == "ha" and more(r) > 0), key=lambda r: -more(r))[:3]
    money = sorted((r for r in rules if r.limit_unit == "亿元" and more(r) > 0), key=lambda r: -more(r))[:2]
    if land:
        en.append("Scarcest land: " + "; ".join(
            f"{r.subject_en} ({num(cny_10k(more(r)))} 万元 per ha)" for r in land) + ".")
        zh.append("最紧的用地约束：" + "；".join(
            f"{r.subject_zh}（每公顷{num(cny_10k(more(r)))}万元）" for r in land) + "。")
    if money:
        en.append("Scarcest money: " + "; ".join(
            f"{r.subject_en} ({more(r):.3g} 亿元 per 亿元)" for r in money) + ".")
        zh.append("最紧的资金约束：" + "；".join(
            f"{r.subject_zh}（每亿元{more(r):.3g}亿元）" for r in money) + "。")
    for rule in REGISTRY:  # rules whose prices the summary lists region by region (words 'summary_en/zh')
        if "summary_en" not in rule.words:
            continue
        pools = [r for r in rules if r.rule == rule.name]
        if not pools:
            continue
        yr = lambda r: f" in year {r.year}" if len({p.year for p in pools}) > 1 else ""  # noqa: E731
        yr_zh = lambda r: f"第{r.year}年" if len({p.year for p in pools}) > 1 else ""  # noqa: E731
        pools = sorted(pools, key=lambda r: -more(r))
        en.append(f"{rule.words['summary_en']}: " + "; ".join(
            f"one more {rule.unit} for {names.en(r.region)}{yr(r)} is worth {num(cny_10k(more(r)))} 万元"
            for r in pools[:6]) + more_en(len(pools) - 6) + ".")
        zh.append(f"{rule.words['summary_zh']}：" + "；".join(
            f"{names.zh(r.region)}{yr_zh(r)}每增加1{unit_zh(rule.unit)}价值{num(cny_10k(more(r)))}万元" for r in pools[:6])
            + more_zh(len(pools) - 6) + "。")
    if unmet:
        top = sorted(unmet, key=lambda u: -u.amount_ha)[:5]
        en.append(f"Unmet targets ({len(unmet)}): " + "; ".join(
            f"{names.en(u.region)}, {_target(u.rule)[0]}, year {u.year}: "
            f"short by {num(u.amount_ha)} ha" for u in top) + more_en(len(unmet) - len(top)) + ".")
        zh.append(f"未完成目标（{len(unmet)}项）：" + "；".join(
            f"{names.zh(u.region)}第{u.year}年{_target(u.rule)[1]}缺口{num(u.amount_ha)}公顷"
            for u in top) + more_zh(len(unmet) - len(top)) + "。")
    elif result.objective_cny_100m is not None:
        en.append("Every soft target (settler land, tilt) is met.")
        zh.append("所有软性目标（落户人口用地、倾斜比例）均已完成。")
    partly = [p for p in result.projects if EPS < p.selected_share < 1 - EPS]
    if partly:
        en.append("Marginal projects (partly selected; they set the prices): " + ", ".join(
            f"{p.id} {p.selected_share:.0%}" for p in partly[:8]) + more_en(len(partly) - 8) + ".")
        zh.append("边际项目（部分选中，决定影子价格）：" + "，".join(
            f"{p.id}（{p.selected_share:.0%}）" for p in partly[:8]) + more_zh(len(partly) - 8) + "。")
    if ranges:
        tight = [v for v in ranges if v.kind == "project_value" and v.low is not None and v.high is not None
                 and v.value > 0 and (v.high - v.low) / v.value < 0.2]
        if tight:
            en.append("Sensitive values (the allocation changes within ±20%): " + ", ".join(
                f"{v.id} {num(v.low)}–{num(v.high)} 亿元" for v in tight[:5]) + ".")
            zh.append("敏感项目价值（±20%以内方案即变）：" + "，".join(
                f"{v.id}（{num(v.low)}–{num(v.high)}亿元）" for v in tight[:5]) + "。")
    return " ".join(en), "".join(zh)


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
