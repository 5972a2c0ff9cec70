"""One place that turns a request into what the solver takes: :func:`resolve_request`.

A request is a base (a bundled dataset's name, or a whole scenario), what-if overrides on it, solver
options and the limits of whoever serves it. The API (``POST /v1/solve``, ``POST /v1/jobs``), batches
(at submission, every variant; in the workers, each variant again), the solver worker and the CLI
all call this function, so a request is accepted or refused the same way everywhere::

    scenario, options = resolve_request("demo", {"policy.per_capita_cap_m2": 105}, {"time_limit_s": 60})
    scenario, options = resolve_request(scenario_dict, None, None, Limits(max_cities=5000))

Refusals are :class:`~landquota.models.scenario.ScenarioInvalid` with every problem's ``loc``
relative to the request: ``["scenario", "cities", 3, "code"]``, ``["overrides", "<path>"]`` (a path
that does not exist, a bad scale factor), ``["overrides", "cities", 3, ...]`` (a rule the changed
scenario breaks), ``["options", "time_limit_s"]``, ``["dataset", "cities"]`` (a bundled dataset over
a limit). The API puts ``"body"`` in front; a batch puts its variant's name in front.
"""

from __future__ import annotations

import dataclasses
import logging
import math
import re
import weakref
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from landquota.models.overrides import apply_overrides
from landquota.models.scenario import Problem, Scenario, ScenarioInvalid, load_scenario
from landquota.solvers.highs import SolveOptions

log = logging.getLogger("landquota.service")

Source = str | Mapping[str, Any] | Scenario
"""A bundled dataset's name, a scenario as JSON data, or a validated Scenario."""


@dataclass(frozen=True)
class Limits:
    """What a server accepts (``Limits.of(settings)``); the defaults accept everything (the CLI)."""

    max_time_limit_s: float = math.inf
    """A time limit above this is refused (a default one above it is lowered to it), seconds."""
    default_time_limit_s: float | None = None
    """The time limit when the request gives none; None = ``SolveOptions``' own (300 s)."""
    max_cities: int | None = None
    max_projects: int | None = None
    max_parcels: int | None = None
    """All projects' parcels together."""
    max_years: int | None = None

    @classmethod
    def of(cls, settings: Any, default_time_limit_s: float | None = None) -> "Limits":
        """From the service's Settings (LANDQUOTA_MAX_TIME_LIMIT_S, _MAX_CITIES, ...)."""
        return cls(max_time_limit_s=settings.max_time_limit_s, default_time_limit_s=default_time_limit_s,
                   max_cities=settings.max_cities, max_projects=settings.max_projects,
                   max_parcels=settings.max_parcels, max_years=settings.max_years)


OPTION_FIELDS = tuple(f.name for f in dataclasses.fields(SolveOptions))


def resolve_request(source: Source, overrides: Mapping[str, Any] | None = None,
                    options: Mapping[str, Any] | SolveOptions | None = None, limits: Limits | None = None,
                    *, dataset: Callable[[str], Scenario] | None = None) -> tuple[Scenario, SolveOptions]:
    """The validated scenario and the solve options a request asks for.

    ``source``: a bundled dataset's name (loaded with ``dataset``, default
    ``landquota.datasets.load_dataset``), scenario data, or a Scenario. ``overrides``: ``{path:
    value}`` applied to it (``models.overrides``). ``options``: fields of ``SolveOptions`` the caller
    chose (the others keep their defaults). ``limits``: the server's limits (none by default).

    Raises ScenarioInvalid, each problem's ``loc`` relative to the request (see the module
    docstring); a dataset unknown to ``dataset`` raises what it raises (KeyError by default).
    """
    limits = limits or Limits()
    opts = _options(options, limits)
    overrides = dict(overrides or {})
    inline = not isinstance(source, str)
    if inline:
        base: Any = source
        if isinstance(source, Scenario):
            _check_size(source, ["scenario"], limits)  # before any further work on it
    else:
        if dataset is None:
            from landquota.datasets import load_dataset as dataset
        base = dataset(source)
    try:
        if overrides:
            s = apply_overrides(base, overrides)
        else:
            s = base if not inline else load_scenario(base)  # a bundled dataset is validated when loaded
    except ScenarioInvalid as e:
        if overrides:  # a bad path is at ["overrides", path] already; a broken rule is in the changed scenario
            prefix = lambda p: [] if p.rule == "bad_override" else ["overrides"]  # noqa: E731
        else:
            prefix = lambda p: ["scenario"]  # noqa: E731
        raise ScenarioInvalid([Problem(loc=[*prefix(p), *p.loc], rule=p.rule, message=p.message)
                               for p in e.problems]) from None
    except (KeyError, ValueError, TypeError, AttributeError, IndexError) as e:
        log.warning("override could not be applied: %r", e)
        raise ScenarioInvalid([Problem(loc=["overrides"], rule="bad_override",
                                       message=f"the overrides could not be applied: {e}")]) from None
    where = ["overrides"] if overrides else ["scenario"] if inline else ["dataset"]
    if overrides or not isinstance(source, Scenario):
        _check_size(s, where, limits)
    # sections a variant shares with a base already checked (models.overrides keeps them) are not checked again
    checked = isinstance(base, Scenario) and _CHECKED.get(id(base)) is base
    same = {f for f in _IDS if checked and getattr(s, f) is getattr(base, f)}
    problems = check_text(s, same) + check_sums(s, same)
    if problems:
        raise ScenarioInvalid([Problem(loc=[*where, *p.loc], rule=p.rule, message=p.message) for p in problems])
    _CHECKED[id(s)] = s  # weakly: a variant dropped by its caller leaves the register with it
    return s, opts


_CHECKED: "weakref.WeakValueDictionary[int, Scenario]" = weakref.WeakValueDictionary()
"""Scenarios that passed :func:`check_text` and :func:`check_sums` whole, by id (held weakly)."""


def _options(options: Mapping[str, Any] | SolveOptions | None, limits: Limits) -> SolveOptions:
    if isinstance(options, SolveOptions):
        chosen = {f: getattr(options, f) for f in OPTION_FIELDS}
    else:
        chosen = {k: v for k, v in (options or {}).items() if k in OPTION_FIELDS and v is not None}
    given = "time_limit_s" in chosen
    if not given:
        default = limits.default_time_limit_s or SolveOptions.time_limit_s
        chosen["time_limit_s"] = min(default, limits.max_time_limit_s)  # the default, capped: not the client's error
    if chosen["time_limit_s"] > limits.max_time_limit_s:
        raise ScenarioInvalid([Problem(
            loc=["options", "time_limit_s"], rule="less_than_equal",
            message=f"Input should be less than or equal to {limits.max_time_limit_s:g} (the service's limit, "
            "LANDQUOTA_MAX_TIME_LIMIT_S)")])
    return SolveOptions(**chosen)


def _check_size(s: Scenario, prefix: list, limits: Limits) -> None:
    """Every excess over the limits (each a setting) at ``prefix`` + the field (cities, projects, years)."""
    parcels = sum(len(p.parcels) for p in s.projects)
    probs = []
    for field, rule, n, limit, what, setting in (
        ("cities", "too_many_cities", len(s.cities), limits.max_cities, "city units", "LANDQUOTA_MAX_CITIES"),
        ("projects", "too_many_projects", len(s.projects), limits.max_projects, "projects",
         "LANDQUOTA_MAX_PROJECTS"),
        ("projects", "too_many_parcels", parcels, limits.max_parcels, "parcels (all projects together)",
         "LANDQUOTA_MAX_PARCELS"),
        ("years", "too_many_years", s.years, limits.max_years, "years of planning horizon", "LANDQUOTA_MAX_YEARS"),
    ):
        if limit is not None and n > limit:
            probs.append(Problem(loc=[*prefix, field], rule=rule, message=f"{n} {what}; this service solves "
                                 f"at most {limit} per scenario ({setting})"))
    if probs:
        raise ScenarioInvalid(probs)


# ---- checks the scenario schema leaves to the service ------------------------------------------------

_IDS = {"provinces": ("code", "name"), "cities": ("code", "name", "province_code"),
        "projects": ("id", "city_code"), "funding_sources": ("id", "name")}
"""The identifiers and names of each list section: no control characters in them."""


_CC = re.compile("[\x00-\x1f\x7f-\x9f]")
"""The control characters: Unicode category Cc is exactly C0, DEL and C1."""


def control_characters(text: str) -> list[str]:
    """The control characters (Unicode category Cc: C0, DEL, C1) in ``text``, as ``U+XXXX``."""
    return sorted({f"U+{ord(c):04X}" for c in _CC.findall(text)})


def check_text(s: Scenario, skip: set[str] = frozenset()) -> list[Problem]:
    """Ids, codes and names hold no control characters (a tab, a newline, a NUL, an escape): they end
    up in CSV files, file names, logs and terminals, where such a character breaks or forges lines."""
    probs = []
    if _CC.search(s.name):
        probs.append(Problem(loc=["name"], rule="control_character", message=f"control character(s) "
                             f"{', '.join(control_characters(s.name))} in a name; remove them"))
    for section, fields in _IDS.items():
        if section in skip:
            continue
        items = getattr(s, section)
        if not _CC.search("".join(str(getattr(x, f, "") or "") for x in items for f in fields)):
            continue  # the usual case, at the cost of one search
        for i, item in enumerate(items):
            for f in fields:
                bad = control_characters(str(getattr(item, f, "") or ""))
                if bad:
                    probs.append(Problem(loc=[section, i, f], rule="control_character",
                                         message=f"control character(s) {', '.join(bad)} in {f}; remove them"))
    return probs


@lru_cache(maxsize=None)
def _number_fields(model: type) -> tuple[str, ...]:
    return tuple(f for f, info in model.model_fields.items()
                 if info.annotation in (float, int, float | None, int | None))


def check_sums(s: Scenario, skip: set[str] = frozenset()) -> list[Problem]:
    """Each number is finite, but totals the model forms must be too: areas that add up beyond the
    largest float (two parcels of 1.7e308 ha) would reach the solver as infinity."""
    probs = []
    total = 0.0 if "projects" in skip else sum(x.area_ha for p in s.projects for x in p.parcels)  # > 0 each
    if total == math.inf:
        for i, p in enumerate(s.projects):
            if sum(x.area_ha for x in p.parcels) == math.inf:
                probs.append(Problem(loc=["projects", i, "parcels"], rule="sum_overflow",
                                     message="the parcels' areas add up beyond the largest number (about 1.8e308 "
                                     "ha); give areas in ha"))
        if not probs:
            probs.append(Problem(loc=["projects"], rule="sum_overflow",
                                 message="all projects' areas add up beyond the largest number (about 1.8e308 ha)"))
    for section in ("provinces", "cities"):
        items = getattr(s, section)
        if not items or section in skip:
            continue
        for f in _number_fields(type(items[0])):
            if sum(abs(getattr(x, f) or 0) for x in items) == math.inf:
                probs.append(Problem(loc=[section, f], rule="sum_overflow",
                                     message=f"the {section}' {f} add up beyond the largest number (about 1.8e308)"))
    return probs
