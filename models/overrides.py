"""Named overrides on a base scenario: how what-ifs are written (CLI ``--set``, API, batches).

An override is a path and a value::

    policy.per_capita_cap_m2 = 90
    provinces[510000].new_land_pool_ha_per_year = 250
    cities[510100].settlers_per_year = 20000
    projects[SC-01].committed = true
    provinces[*].approval_entrusted = true        # every province
    years = 5
    provinces[*].new_land_pool_ha_per_year = *0.9      # scale: every pool × 0.9 ("×0.9" too)
    funding_sources[cdb_loan].limit_per_province_cny_100m = *0.8   # every province's CDB line × 0.8

A value "*f" (or "×f") scales what is there: a number, or every number of a table; whole numbers
stay whole (rounded); an unset field cannot be scaled.

List items are selected by their id (``code`` for provinces and cities, ``id`` for projects and
funding sources), by position for lists without ids (``policy.linkage_tiers[0]``), or ``*`` for
all. Provinces and cities may also be selected by name (``provinces[四川]``, ``provinces[四川省]``,
the traditional ``provinces[雲南]``, ``cities[成都]``): see ``models.regions``. Paths that do not exist are an error (a typo must not be silently ignored). What the
overrides touch (a list item, the policy, a top-level field) is validated again field by field,
and the whole is cross-checked (``check_scenario``), so an override can never produce an invalid
scenario; problems read as if the whole had been validated again. On a ``Scenario`` base nothing
else is validated again, and the variant shares every untouched item and section with the base
(the same objects), so what is derived from them can be remembered. A dict base is validated in full.
"""

from __future__ import annotations

import copy
import json
import math
import operator
import re
from typing import Any

from pydantic import BaseModel

from landquota.models.scenario import Problem, Scenario, ScenarioInvalid, load_scenario

_KEYS = {"provinces": "code", "cities": "code", "projects": "id", "funding_sources": "id"}
_SEG = re.compile(r"^(?P<name>[A-Za-z0-9_-]+)(\[(?P<sel>[^\]]+)\])?$")  # digits too: dict keys like 510000


def parse_value(text: str) -> Any:
    """A command-line value: JSON if it parses (numbers, true/false, null, lists), else a string."""
    try:
        return json.loads(text)
    except json.JSONDecodeError:
        return text


def parse_assignment(text: str) -> tuple[str, Any]:
    if "=" not in text:
        raise ValueError(f"override {text!r} must look like path=value")
    path, value = text.split("=", 1)
    return path.strip(), parse_value(value.strip())


def apply_overrides(base: dict | Scenario, overrides: dict[str, Any]) -> Scenario:
    """Apply ``{path: value}`` to a copy of ``base`` and validate the result."""
    # Work on the normalised form (every field present, defaults filled in), so a path to a field
    # left at its default exists whether the base came as a Scenario or as raw data. A Scenario's
    # parts stay models until a path enters them (``_open`` turns those into data), and validation
    # passes models through as they are: only what the overrides touch is validated again.
    if isinstance(base, Scenario):
        data = {f: _copy(getattr(base, f)) for f in Scenario.model_fields}
    else:
        try:
            data = load_scenario(base).model_dump(mode="json")
        except ScenarioInvalid:  # overrides may be what repairs it; the result is validated below
            data = copy.deepcopy(base)
    problems: list[Problem] = []
    for path, value in overrides.items():
        try:
            _set(data, path, value)
        except (KeyError, ValueError, TypeError) as e:
            problems.append(Problem(loc=["overrides", path], rule="bad_override", message=str(e.args[0] if e.args else e)))
    if problems:
        raise ScenarioInvalid(problems)
    try:
        s = load_scenario(data)
    except ScenarioInvalid as e:
        for p in e.problems:
            p.message = f"after overrides: {p.message}"
        raise
    if not isinstance(base, Scenario):
        return s
    # Validation built new containers: the sections the overrides left alone are the base's own.
    kept = {f for f in Scenario.model_fields if _untouched(data[f], getattr(base, f))}
    fields = {f: getattr(base if f in kept else s, f) for f in Scenario.model_fields}
    return Scenario.model_construct(_fields_set=base.model_fields_set | (fields.keys() - kept), **fields)


def _copy(value: Any) -> Any:
    """A top-level field of the base, with its own container (so that editing it leaves the base alone)."""
    return list(value) if isinstance(value, list) else dict(value) if isinstance(value, dict) else value


def _untouched(value: Any, original: Any) -> bool:
    """Whether the edited field still holds exactly the base's objects."""
    if isinstance(value, list) and isinstance(original, list):
        return len(value) == len(original) and all(map(operator.is_, value, original))
    if isinstance(value, dict) and isinstance(original, dict):
        return value.keys() == original.keys() and all(value[k] is original[k] for k in value)
    return value is original


def _open(container: Any, key: Any) -> Any:
    """``container[key]`` as data to edit: a model of the base is replaced by its dump (a copy)."""
    value = container[key]
    if isinstance(value, BaseModel):
        value = container[key] = value.model_dump(mode="json")
    return value


def _set(data: dict, path: str, value: Any) -> None:
    segments = path.split(".")
    targets: list[Any] = [data]
    for i, seg in enumerate(segments):
        last = i == len(segments) - 1
        m = _SEG.match(seg)
        if not m:
            raise ValueError(f"cannot read path segment {seg!r}")
        name, sel = m.group("name"), m.group("sel")
        nxt: list[Any] = []
        for t in targets:
            if not isinstance(t, dict):
                raise KeyError(f"{seg!r}: not an object here")
            if sel is None:
                if last:
                    if name not in t and not _is_known_field(path):
                        raise KeyError(f"unknown field {name!r} in {path!r}")
                    t[name] = _assigned(t.get(name), value, path)
                    continue
                if name not in t:
                    t[name] = {}
                nxt.append(_open(t, name))
            else:
                items = t.get(name)
                if not isinstance(items, list):
                    raise KeyError(f"{name!r} is not a list")
                key = _KEYS.get(name)
                if sel == "*":
                    chosen = range(len(items))
                elif key is None and sel.isdigit():  # a list without ids: by position
                    chosen = [int(sel)] if int(sel) < len(items) else []
                else:
                    k = key or "id"  # items are data, or models of a Scenario base (a bare value has no id)
                    chosen = [i for i, x in enumerate(items)
                              if (str(x.get(k)) if isinstance(x, dict) else str(getattr(x, k, ""))) == sel]
                if not chosen and name in ("provinces", "cities"):
                    chosen = _by_name(items, name, sel)  # provinces[四川], provinces[云南省], cities[成都]
                if not chosen:
                    if key is None and sel.isdigit():
                        raise KeyError(f"no {name}[{sel}]: {name} has {len(items)} item(s), selected by position "
                                       f"from 0")
                    raise KeyError(f"no {name} with {key or 'id'} {sel!r}")
                if last:
                    raise ValueError(f"{path!r} selects list items; name a field, e.g. {path}.field")
                nxt.extend(_open(items, i) for i in chosen)
        targets = nxt


def _by_name(items: list, section: str, typed: str) -> list[int]:
    """Positions of the provinces or cities a typed name selects: a province by any of its names
    (short, full, traditional, English), a city by its short or full name, either script."""
    from landquota.models.regions import province_code, same_region_name

    def get(x, k):
        return x.get(k) if isinstance(x, dict) else getattr(x, k, None)

    if section == "provinces":
        code = province_code(typed)
        return [i for i, x in enumerate(items) if code is not None and get(x, "code") == code]
    return [i for i, x in enumerate(items) if same_region_name(typed, get(x, "name"), get(x, "full_name"))]


_SCALE = re.compile(r"^\s*[*×]\s*(?P<f>\d+(\.\d*)?([eE][-+]?\d+)?|\.\d+)\s*$")


def scale_factor(value: Any) -> float | None:
    """The factor of a scale override ("*0.8" or "×0.8"), or None for a plain value."""
    m = _SCALE.match(value) if isinstance(value, str) else None
    return float(m.group("f")) if m else None


def _looks_scaled(value: Any) -> bool:
    return isinstance(value, str) and value.strip()[:1] in ("*", "×")


def _assigned(current: Any, value: Any, path: str) -> Any:
    """What an override stores: ``value``, or for a scale ("*0.8") the number(s) there times the
    factor (every value of a table such as a credit line per province; whole numbers stay whole)."""
    f = scale_factor(value)
    if isinstance(current, str):  # a text field takes the text as it is
        return value
    if f is None and _looks_scaled(value) or f is not None and not math.isfinite(f):
        raise ValueError(f"{path!r}: bad scale factor {value!r}: write \"*\" (or \"×\") and a finite number "
                         "≥ 0, e.g. \"*0.8\"")
    if f is None:
        return value

    def times(v):
        if isinstance(v, bool) or not isinstance(v, (int, float)):
            raise ValueError(f"{path!r} holds {current!r}: only a number, or a table of numbers, can be scaled")
        return round(v * f) if isinstance(v, int) else v * f

    if isinstance(current, dict):
        return {k: times(v) for k, v in current.items()}
    return times(current)


def _is_known_field(path: str) -> bool:
    """A field may be absent from the data (an unset optional, or a new key of a dict field such as
    ``policy.land_quota_buyer_price_cny_10k_per_mu.510000``); accept it if the schema allows it."""
    from landquota.models.funding import FundingSource
    from landquota.models.policy import PolicyParameters
    from landquota.models.scenario import City, Project, Province

    segments = [seg.split("[")[0] for seg in path.split(".")]
    model = {"policy": PolicyParameters, "provinces": Province, "cities": City, "projects": Project,
             "funding_sources": FundingSource}.get(segments[0], Scenario)
    if segments[-1] in model.model_fields:
        return True
    if len(segments) >= 2 and segments[-2] in model.model_fields:
        return "dict" in str(model.model_fields[segments[-2]].annotation)
    return False
