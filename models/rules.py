"""The rules registry: each Block module declares its rules next to its constraints.

A :class:`Rule` says what one constraint family means (PyPSA's "the name is the mapping"): which
policy item it implements, whether it is a limit, a floor or a balance, its unit, the words for it
in English and Chinese, how to read region and year from a row's index, and how the analyses must
treat it (a priced slack, payments that cancel, a commitment). ``solvers.duals``,
``solvers.explain`` and ``solvers.diagnosis`` read nothing else about a rule, and a row is always
found by (rule, index), never by its text.

Declaring a rule (in the Block module, beside ``add_block``)::

    POOL = Rule(
        path="landplan.pool", name="provincial_pool", item=LAND_PLAN, sense="upper", unit="ha",
        describe="one more ha of {r}'s year-{t} quota pool",
        noun_en="{r}'s year-{t} new-land quota pool", noun_zh="{r}第{t}年新增建设用地指标池",
        index=("region", "year"),
    )
    RULES = [POOL, ...]

and list the module in ``models.build.BLOCKS`` (the registry is ``models.build.REGISTRY``).
Templates: ``{r}`` region, ``{t}`` year, ``{d}`` detail (e.g. a funding source); ``describe`` gets
the region *code*, nouns get the region's name (``solvers.wording.Names``).
``tests/test_golden_lp.py`` fails for a constraint family without a Rule or without a golden LP.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Callable, Iterable, Literal

Sense = Literal["upper", "lower", "equal"]
Role = Literal["region", "year", "source", "skip"]


@dataclass(frozen=True)
class PolicyItem:
    """A heading of the explanation: the policy item (of NDRC 2020-532) a group of rules implements."""

    key: str
    """'(20) land plan': the number of the item, then a short name; the ``policy_item`` of results."""
    title_en: str
    title_zh: str

    @property
    def number(self) -> int:
        try:
            return int(self.key.split(")")[0].lstrip("("))
        except ValueError:
            return 999


@dataclass(frozen=True)
class PricedSlack:
    """A soft rule: a shortfall variable (same index as the rule's rows) priced in the objective.

    While the shortfall is positive the rule's shadow price *is* the penalty (discounted), not the
    value of any project or land use; the explanation says so (issue 13 item 7)."""

    var: str
    """Path of the shortfall Var on the model, e.g. 'linkage.shortfall_ha' (ha)."""
    penalty: str
    """Path of the penalty Param, 万元 per ha of shortfall (discounted by plan year in the objective)."""
    target_en: str
    """The target missed, in words, for the unmet-target sentences."""
    target_zh: str


def read_index(roles: tuple[Role, ...], idx) -> tuple[str, int | None]:
    """(region, year) of an index whose positions have the given roles ('national' without a region)."""
    parts = idx if isinstance(idx, tuple) else (idx,)
    region, year = "national", None
    for role, v in zip(roles, parts):
        if role == "region":
            region = str(v)
        elif role == "year":
            year = int(v)
    return region, year


@dataclass(frozen=True)
class TradeSide:
    """One side of an inter-provincial quota market (for a clearing rule's ``market``)."""

    var: str
    """Path of the Var of one province's trade, e.g. 'buy_land' (ha), indexed by ``index``."""
    side: Literal["buy", "sell"]
    resource: str | tuple[str, ...] | None
    """Path of the province's own row that one ha traded adds to (buy) or takes from (sell), with the
    same index (e.g. 'landplan.pool' for construction-land quota bought); None if the province has no
    other use for what it trades (surplus quota). A tuple: alternatives, the first the model has
    (the pool, or under national allocation the allocation-use row, issue 13)."""

    @property
    def resources(self) -> tuple[str, ...]:
        return () if self.resource is None else (self.resource,) if isinstance(self.resource, str) else self.resource
    index: tuple[Role, ...] = ("region", "year")

    def region_year(self, idx) -> tuple[str, int | None]:
        return read_index(self.index, idx)


@dataclass(frozen=True)
class Rule:
    """One constraint family (a Pyomo ``Constraint`` component) or one rule on a variable's bound."""

    path: str
    """Dotted path of the component on the model, e.g. 'landplan.pool' (a Var for ``on='column'``)."""
    name: str
    """Rule name in results (``Binding.rule``), e.g. 'provincial_pool'."""
    item: PolicyItem
    sense: Sense
    """'upper' (a limit), 'lower' (a floor) or 'equal' (a balance), as the rule states it."""
    unit: str
    """Unit of the limit: 'ha', '亿元' or 'project'. Shadow prices are 亿元 per this unit."""
    describe: str
    """``Binding.description`` template: what one more unit of the limit is ({r} code, {t} year)."""
    noun_en: str
    """What the limit is, for sentences ({r} region name, {t} year, {d} detail)."""
    noun_zh: str
    index: tuple[Role, ...] = ("region", "year")
    """Role of each position of a row's index: 'region' (province, city or project), 'year', or
    'source' (a funding source: the detail), or 'skip' (not shown). A rule without 'region' is national."""
    priced_slack: PricedSlack | None = None
    payments_cancel: bool = False
    """A market-clearing row of inter-provincial quota trade: what buyers pay and sellers receive
    cancel in the national objective, so its price is the nation's, not a province's. The
    explanation then gives each trading province's own price (its ``market`` sides)."""
    market: tuple[TradeSide, ...] = ()
    """The trade variables a clearing rule clears (with ``payments_cancel``)."""
    commitment: bool = False
    """Rows that make a committed project be built in full (diagnosis: 'committed_project')."""
    on: Literal["row", "column"] = "row"
    """'column': the rule is a variable bound fixed at 0 (a region barred from a market)."""
    words: dict[str, str] = field(default_factory=dict, compare=False)
    """Sentences of this rule's own (templates), where the generic ones do not fit: 'describe_fixed'
    replaces ``describe`` for rows that are equalities ({r}, {t}); 'price_en'/'price_zh'
    replace "one more … is worth …" ({r} region code, {price} money); 'conflict_en'/'conflict_zh' and
    'need_en'/'need_zh' are a diagnosis's sentence ({r} region, {t} year, {n} amount, {area} ha, {city});
    'summary_en'/'summary_zh' name a line of the explanation's summary listing this rule's prices by region
    (e.g. 'Quota pools')."""
    hint: Callable[[Any, str, float], tuple[str, str] | None] | None = field(default=None, compare=False)
    """Diagnosis: ``hint(model_data, region, required_limit)`` → (en, zh) naming the change in the
    scenario's own data (e.g. the per-capita cap in m² a required room means)."""
    source: str = ""
    """Where the rule comes from (document and tag), for readers of the registry."""

    # ---- reading a row's index -------------------------------------------------------------------
    def _parts(self, idx) -> tuple:
        return idx if isinstance(idx, tuple) else (idx,)

    def region_year(self, idx) -> tuple[str, int | None]:
        return read_index(self.index, idx)

    def detail_id(self, idx) -> str | None:
        """The funding source (or other detail) of a row, None if the rule has none."""
        for role, v in zip(self.index, self._parts(idx)):
            if role == "source":
                return str(v)
        return None

    def description(self, idx, fixed: bool = False) -> str:
        """``Binding.description`` of row ``idx``; ``fixed``: the row is an equality (both bounds equal),
        described by ``words['describe_fixed']`` where the rule has it (a committed project)."""
        region, year = self.region_year(idx)
        text = (self.words.get("describe_fixed") if fixed else None) or self.describe
        text = text.format(r=region, t=year)
        d = self.detail_id(idx)
        return text + (f" (source {d})" if d is not None else "")

    # ---- reading the stored row -------------------------------------------------------------------
    @property
    def price_unit(self) -> str:
        return f"亿元/{self.unit}"

    @property
    def policy_item(self) -> str:
        return self.item.key

    @property
    def kind(self) -> str:
        """How a diagnosis treats it: 'limit' (data), 'balance' (an identity), 'commitment', 'eligibility'."""
        if self.on == "column":
            return "eligibility"
        if self.commitment:
            return "commitment"
        return "balance" if self.sense == "equal" else "limit"

    def sign(self, has_lower: bool, has_upper: bool) -> float:
        """−1 where Pyomo stored this rule flipped (a floor with variables on both sides becomes
        ``b·x − a ≤ 0``), so that dual and bound read as the rule states them; else 1."""
        flipped = (self.sense == "lower" and not has_lower) or (self.sense == "upper" and not has_upper)
        return -1.0 if flipped else 1.0


class Registry:
    """Every rule of the model, in declaration order (``models.build.REGISTRY``)."""

    def __init__(self, rules: Iterable[Rule]):
        self.rules: tuple[Rule, ...] = tuple(rules)
        self.by_name = {r.name: r for r in self.rules}
        self.by_path = {r.path: r for r in self.rules}
        if len(self.by_name) != len(self.rules) or len(self.by_path) != len(self.rules):
            raise ValueError("two rules share a name or a path")

    def __iter__(self):
        return iter(self.rules)

    def __len__(self) -> int:
        return len(self.rules)

    @property
    def row_rules(self) -> tuple[Rule, ...]:
        return tuple(r for r in self.rules if r.on == "row")

    @property
    def column_rules(self) -> tuple[Rule, ...]:
        return tuple(r for r in self.rules if r.on == "column")

    def items(self) -> list[PolicyItem]:
        """Policy items, each once, in order of first use."""
        out: dict[str, PolicyItem] = {}
        for r in self.rules:
            out.setdefault(r.item.key, r.item)
        return list(out.values())

    def item_order(self, key: str) -> tuple:
        """(6) before (20) before (21); within an item number, the order of first use."""
        items = self.items()
        keys = [i.key for i in items]
        number = items[keys.index(key)].number if key in keys else PolicyItem(key, "", "").number
        return (number, keys.index(key) if key in keys else len(keys), key)

    def title(self, key: str) -> tuple[str, str]:
        for i in self.items():
            if i.key == key:
                return i.title_en, i.title_zh
        return key, key

    def rows(self, m, row_of):
        """(rule, index, ConstraintData, solver row) of every row of every rule the solver holds;
        ``row_of`` maps ConstraintData → row (rows it lacks are skipped)."""
        for rule in self.row_rules:
            con = component(m, rule.path)
            if con is None:
                continue
            for idx, cd in con.items():
                row = row_of.get(cd)
                if row is not None:
                    yield rule, idx, cd, row


def component(m, path: str):
    """The component at a dotted path on the model, or None if the model has none there."""
    obj = m
    for part in path.split("."):
        obj = getattr(obj, part, None)
        if obj is None:
            return None
    return obj
