"""Batch what-if specifications: a base scenario plus named variants or a parameter grid.

A batch file (JSON or YAML)::

    name: quota-sweep
    base: {dataset: china-2020}              # or {scenario: {...}}, plus optional overrides
    variants:                                # named overrides, composable
      - name: low-standard
        overrides: {"policy.linkage_tiers[0].new_land_per_settler_m2": 80}
      - name: all-entrusted
        overrides: {"provinces[*].approval_entrusted": true}
      - name: both
        compose: [low-standard, all-entrusted]
    grid:                                    # or a grid: parameter path -> values
      mode: cartesian                        # or zipped
      parameters: {"policy.national_new_land_total_ha": [366667, 400000, 433333]}
    kpis: [objective_cny_100m, new_land_ha]  # default: all of DEFAULT_KPIS

:func:`count` says how many variants a spec has without making any (the product of the grid's
lengths, or their common length when zipped), so a server refuses an oversized batch before it
allocates anything; :func:`variants` makes them one at a time, and :func:`expand` lists them — the
(name, overrides) pairs the engine solves, each independently re-validated.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Iterator
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

DEFAULT_KPIS = [
    "objective_cny_100m",
    "new_land_ha",
    "settlers_covered",
    "state_council_approvals",
    "arable_occupied_ha",
    "financing_cost_cny_100m",
    "max_debt_ratio_after",
    "unmet_targets_ha",
]


NAME_PATTERN = r"^[^\x00-\x1f\x7f-\x9f]*$"
"""Names hold no control characters (they become CSV cells, file names and log lines)."""


class BatchBase(BaseModel):
    model_config = ConfigDict(extra="forbid")
    dataset: str | None = Field(None, description="A bundled dataset name.", examples=["demo"])
    scenario: dict[str, Any] | None = Field(None, description="An inline scenario.")
    overrides: dict[str, Any] = Field(default_factory=dict, description="Applied to the base before variants.")

    @model_validator(mode="after")
    def _one(self):
        if (self.dataset is None) == (self.scenario is None):
            raise ValueError("give exactly one of base.dataset and base.scenario")
        return self


class Variant(BaseModel):
    model_config = ConfigDict(extra="forbid")
    name: str = Field(min_length=1, max_length=100, pattern=NAME_PATTERN, examples=["low-standard"])
    compose: list[str] = Field(default_factory=list, description="Earlier variants whose overrides come first.")
    overrides: dict[str, Any] = Field(default_factory=dict, examples=[{"policy.per_capita_cap_m2": 90}])


class Grid(BaseModel):
    model_config = ConfigDict(extra="forbid")
    mode: Literal["cartesian", "zipped"] = "cartesian"
    parameters: dict[str, Annotated[list[Any], Field(max_length=10_000)]] = Field(
        min_length=1, max_length=100, description="Override path -> its values (at most 100 paths, 10,000 "
        "values each; the variants are counted before any is made).", examples=[{"policy.national_new_land_total_ha": [366667, 400000, 433333]}]
    )

    @model_validator(mode="after")
    def _lengths(self):
        if any(len(v) == 0 for v in self.parameters.values()):
            raise ValueError("every grid parameter needs at least one value")
        if self.mode == "zipped" and len({len(v) for v in self.parameters.values()}) != 1:
            raise ValueError("zipped grid parameters must all have the same number of values")
        return self


class BatchSpec(BaseModel):
    model_config = ConfigDict(extra="forbid")
    name: str = Field("batch", min_length=1, max_length=200, pattern=NAME_PATTERN)
    base: BatchBase
    variants: list[Variant] = Field(default_factory=list, max_length=100_000)
    grid: Grid | None = None
    include_base: bool = Field(True, description="Also solve the base itself (variant 'base').")
    kpis: list[str] = Field(default_factory=lambda: list(DEFAULT_KPIS))
    whole_projects: bool = False
    time_limit_s: float = Field(
        300.0, gt=0, le=86_400, allow_inf_nan=False,
        description="Wall-clock limit for HiGHS per variant, seconds (at most the service's "
        "LANDQUOTA_MAX_TIME_LIMIT_S). Default 300.")

    @model_validator(mode="after")
    def _check(self):
        names = [v.name for v in self.variants]
        if len(set(names)) != len(names):
            raise ValueError("variant names must be unique")
        seen: set[str] = set()
        for v in self.variants:
            missing = [c for c in v.compose if c not in seen]
            if missing:
                raise ValueError(f"variant {v.name!r} composes {missing}, which must be defined before it")
            seen.add(v.name)
        unknown = [k for k in self.kpis if k not in DEFAULT_KPIS]
        if unknown:
            raise ValueError(f"unknown KPIs {unknown}; choose from {DEFAULT_KPIS}")
        return self


def count(spec: BatchSpec) -> int:
    """How many variants ``spec`` has, without making them: the base (if included), the named
    variants, and the grid's combinations (the product of its lengths; zipped: their common length)."""
    n = int(spec.include_base) + len(spec.variants)
    if spec.grid:
        lengths = [len(v) for v in spec.grid.parameters.values()]
        n += math.prod(lengths) if spec.grid.mode == "cartesian" else min(lengths)
    return n


def override_counts(spec: BatchSpec) -> dict[str, int]:
    """An upper bound of the overrides each named variant holds once composed (without composing:
    a chain of variants each composing the last would otherwise grow quadratically in memory)."""
    sizes: dict[str, int] = {}
    for v in spec.variants:
        sizes[v.name] = sum(sizes[c] for c in v.compose) + len(v.overrides)
    return sizes


def variants(spec: BatchSpec) -> Iterator[tuple[str, str, dict[str, Any]]]:
    """(section, name, overrides on the base), one at a time, in order; section is ``base``,
    ``variants`` or ``grid``. Grid variants are named by their values."""
    if spec.include_base:
        yield "base", "base", {}
    resolved: dict[str, dict[str, Any]] = {}
    for v in spec.variants:
        merged: dict[str, Any] = {}
        for c in v.compose:
            merged.update(resolved[c])
        merged.update(v.overrides)
        resolved[v.name] = merged
        yield "variants", v.name, merged
    if spec.grid:
        keys = list(spec.grid.parameters)
        values = [spec.grid.parameters[k] for k in keys]
        combos = itertools.product(*values) if spec.grid.mode == "cartesian" else zip(*values)
        for combo in combos:
            name = ",".join(f"{k.split('.')[-1]}={v}" for k, v in zip(keys, combo))
            yield "grid", name, dict(zip(keys, combo))


def expand(spec: BatchSpec) -> list[tuple[str, dict[str, Any]]]:
    """Ordered (variant name, overrides on the base); ValueError if two variants share a name.
    Materialises every variant: call it only on a spec whose :func:`count` is within the limits."""
    out = [(name, ov) for _, name, ov in variants(spec)]
    names = [n for n, _ in out]
    if len(set(names)) != len(names):
        raise ValueError("variant names collide (a named variant has a grid variant's name, or 'base')")
    return out
