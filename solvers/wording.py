"""Words for numbers: region names, units, money, ranges and rule nouns, in English and Chinese.

The analyses (:mod:`solvers.explain`, :mod:`solvers.diagnosis`) compute prices, ranges and conflicts;
this module turns them into phrases. A rule's own nouns are declared with the rule
(:class:`models.rules.Rule`); units and conversions come from :mod:`models.units`.
"""

from __future__ import annotations

from landquota.models.regions import PROVINCE_EN
from landquota.models.rules import Rule
from landquota.models.units import UNIT_ZH, cny_10k

STATUS_ZH = {"optimal": "最优", "infeasible": "不可行", "unbounded": "无界", "time_limit": "达到时间限制",
             "not_solved": "未求解", "error": "出错"}


class Names:
    """Codes → the scenario's names (and English province names) for sentences."""

    def __init__(self, scenario):
        self.prov = {p.code: p.name for p in scenario.provinces}
        self.city = {c.code: (c.name, c.province_code) for c in scenario.cities}
        self.proj = {p.id: p.city_code for p in scenario.projects}
        self.source = {f.id: (f.name or f.id) for f in getattr(scenario, "funding_sources", [])}

    @staticmethod
    def group_region(code: str) -> str | None:
        """The region of a financing group label 'region:n' (models.finance), None for other codes."""
        region, sep, _ = code.rpartition(":")
        return region if sep else None

    def proj_city(self, project_id: str) -> str:
        return self.proj.get(project_id, project_id)

    def province_of(self, code: str) -> str | None:
        if code in self.prov:
            return code
        if code in self.city:
            return self.city[code][1]
        if code in self.proj:
            return self.city[self.proj[code]][1]
        region = self.group_region(code)
        return self.province_of(region) if region else None

    def name(self, code: str) -> str:
        """The scenario's own name: province or city name; a project's city; '' for national."""
        if code in self.prov:
            return self.prov[code]
        if code in self.city:
            return self.city[code][0]
        if code in self.proj:
            return self.city[self.proj[code]][0]
        region = self.group_region(code)
        return self.name(region) if region else ""

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
        region = self.group_region(code)
        if region and (region in self.prov or region in self.city):
            return f"{code} (projects in {self.en(region)})"
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
        region = self.group_region(code)
        if region and (region in self.prov or region in self.city):
            return f"{code}（{self.zh(region)}的项目）"
        return code

    def detail(self, rule: Rule, idx) -> str:
        """The detail of a row in words (a funding source's name), '' if the rule has none."""
        d = rule.detail_id(idx)
        return "" if d is None else self.source.get(d, d)


def num(x: float) -> str:
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


def unit_zh(unit: str) -> str:
    return UNIT_ZH.get(unit, unit)


def money_en(v_100m: float, per_ha: bool) -> str:
    """A shadow price in words: 万元 for land (per ha), 亿元 for money."""
    a = abs(v_100m)
    if per_ha:
        return f"{num(cny_10k(a))} 万元 ({a:.4g} 亿元)"
    return f"{a:.4g} 亿元"


def money_zh(v_100m: float, per_ha: bool) -> str:
    a = abs(v_100m)
    if per_ha:
        return f"{num(cny_10k(a))}万元（{a:.4g}亿元）"
    return f"{a:.4g}亿元"


def _span(lo: float | None, hi: float | None, unit: str, words: tuple[str, str, str, str]) -> str:
    """A range in words: ``words`` = (no bound, only an upper bound, only a lower bound, both), each
    a template with ``{lo}``, ``{hi}`` and ``{u}``."""
    unbounded, upper, lower, both = words
    text = unbounded if lo is None and hi is None else upper if lo is None else lower if hi is None else both
    return text.format(lo=num(lo) if lo is not None else "", hi=num(hi) if hi is not None else "", u=unit)


def range_en(lo: float | None, hi: float | None, unit: str) -> str:
    """'between 224 and 304 ha', 'at least 4 ha', 'at most 10 ha' or 'at any level'."""
    return _span(lo, hi, unit, ("at any level", "at most {hi} {u}", "at least {lo} {u}", "between {lo} and {hi} {u}"))


def range_zh(lo: float | None, hi: float | None, unit: str) -> str:
    """'在224–304公顷之间', '不低于4公顷', '不超过10公顷' or '为任意值'."""
    return _span(lo, hi, unit_zh(unit), ("为任意值", "不超过{hi}{u}", "不低于{lo}{u}", "在{lo}–{hi}{u}之间"))


def value_range_en(low, high, unit) -> str:
    """A value range: 'up to 5 亿元', 'of 3 亿元 or more', 'between 3 and 5 亿元' or 'at any level'."""
    return _span(low, high, unit, ("at any level", "up to {hi} {u}", "of {lo} {u} or more", "between {lo} and {hi} {u}"))


def value_range_zh(low, high, unit) -> str:
    """The same in Chinese ('取任意值' when unbounded); ``unit`` is already in Chinese."""
    return _span(low, high, unit, ("取任意值", "不超过{hi}{u}", "不低于{lo}{u}", "在{lo}–{hi}{u}之间"))


def verb_en(v: float) -> str:
    return "is worth" if v > 0 else ("costs" if v < 0 else "is worth")


def verb_zh(v: float) -> str:
    return "增加" if v > 0 else ("减少" if v < 0 else "不变")


def more_en(n: int) -> str:
    return f" and {n} more" if n > 0 else ""


def more_zh(n: int) -> str:
    return f"等（另有{n}项）" if n > 0 else ""


def noun(rule: Rule | None, region: str, year: int | None, detail: str, names: Names,
         fallback: str) -> tuple[str, str]:
    """(English, Chinese) noun phrase of a rule's limit at a region and year."""
    if rule is None:
        return fallback, fallback
    t = "" if year is None else year
    return (rule.noun_en.format(r=names.en(region), t=t, d=detail),
            rule.noun_zh.format(r=names.zh(region), t=t, d=detail))


def capitalised(s: str) -> str:
    return s[0].upper() + s[1:] if s else s
