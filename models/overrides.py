"""Named overrides on a base scenario: how what-ifs are written (CLI ``--set``, API, batches).

An override is a path and a value::

    policy.per_capita_cap_m2 = 90
    provinces[510000].new_land_pool_ha_per_year = 250
    cities[510100].settlers_per_year = 20000
    projects[SC-01].committed = true
    provinces[*].approval_entrusted = true        # every province
    years = 5

List items are selected by their id (``code`` for provinces and cities, ``id`` for projects and
funding sources), by position for lists without ids (``policy.linkage_tiers[0]``), or ``*`` for
all. Paths that do not exist are an error (a typo must not be silently ignored). The
result is validated again in full, so an override can never produce an invalid scenario.
"""

from __future__ import annotations

import copy
import json
import re
from typing import Any

from models.scenario import Problem, Scenario, ScenarioInvalid, load_scenario

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
    # left at its default exists whether the base came as a Scenario or as raw data.
    if isinstance(base, Scenario):
        data = base.model_dump(mode="json")
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
        return load_scenario(data)
    except ScenarioInvalid as e:
        for p in e.problems:
            p.message = f"after overrides: {p.message}"
        raise


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
                    t[name] = value
                    continue
                if name not in t:
                    t[name] = {}
                nxt.append(t[name])
            else:
                items = t.get(name)
                if not isinstance(items, list):
                    raise KeyError(f"{name!r} is not a list")
                key = _KEYS.get(name)
                if sel == "*":
                    chosen = items
                elif key is None and sel.isdigit():  # a list without ids: by position
                    chosen = [items[int(sel)]] if int(sel) < len(items) else []
                else:
                    chosen = [x for x in items if isinstance(x, dict) and str(x.get(key or "id")) == sel]
                if not chosen:
                    raise KeyError(f"no {name} with {key} {sel!r}")
                if last:
                    raise ValueError(f"{path!r} selects list items; name a field, e.g. {path}.field")
                nxt.extend(chosen)
        targets = nxt


def _is_known_field(path: str) -> bool:
    """A field may be absent from the data (an unset optional, or a new key of a dict field such as
    ``policy.land_quota_buyer_price_cny_10k_per_mu.510000``); accept it if the schema allows it."""
    from models.funding import FundingSource
    from models.policy import PolicyParameters
    from models.scenario import City, Project, Province

    segments = [seg.split("[")[0] for seg in path.split(".")]
    model = {"policy": PolicyParameters, "provinces": Province, "cities": City, "projects": Project,
             "funding_sources": FundingSource}.get(segments[0], Scenario)
    if segments[-1] in model.model_fields:
        return True
    if len(segments) >= 2 and segments[-2] in model.model_fields:
        return "dict" in str(model.model_fields[segments[-2]].annotation)
    return False
