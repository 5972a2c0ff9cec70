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

:func:`expand` turns a spec into an ordered list of (name, overrides) — the variants the
engine solves, each independently re-validated.
"""

from __future__ import annotations

import itertools
from typing import Any, Literal

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
    name: str = Field(min_length=1, max_length=100, examples=["low-standard"])
    compose: list[str] = Field(default_factory=list, description="Earlier variants whose overrides come first.")
    overrides: dict[str, Any] = Field(default_factory=dict, examples=[{"policy.per_capita_cap_m2": 90}])


class Grid(BaseModel):
    model_config = ConfigDict(extra="forbid")
    mode: Literal["cartesian", "zipped"] = "cartesian"
    parameters: dict[str, list[Any]] = Field(
        min_length=1, examples=[{"policy.national_new_land_total_ha": [366667, 400000, 433333]}]
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
    name: str = Field("batch", min_length=1, max_length=200)
    base: BatchBase
    variants: list[Variant] = Field(default_factory=list)
    grid: Grid | None = None
    include_base: bool = Field(True, description="Also solve the base itself (variant 'base').")
    kpis: list[str] = Field(default_factory=lambda: list(DEFAULT_KPIS))
    whole_projects: bool = False
    time_limit_s: float = Field(300.0, gt=0, le=3600)

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


def expand(spec: BatchSpec) -> list[tuple[str, dict[str, Any]]]:
    """Ordered (variant name, overrides on the base). Grid variants are named by their values."""
    out: list[tuple[str, dict[str, Any]]] = []
    if spec.include_base:
        out.append(("base", {}))
    resolved: dict[str, dict[str, Any]] = {}
    for v in spec.variants:
        merged: dict[str, Any] = {}
        for c in v.compose:
            merged.update(resolved[c])
        merged.update(v.overrides)
        resolved[v.name] = merged
        out.append((v.name, merged))
    if spec.grid:
        keys = list(spec.grid.parameters)
        values = [spec.grid.parameters[k] for k in keys]
        combos = itertools.product(*values) if spec.grid.mode == "cartesian" else zip(*values)
        for combo in combos:
            name = ",".join(f"{k.split('.')[-1]}={v}" for k, v in zip(keys, combo))
            out.append((name, dict(zip(keys, combo))))
    names = [n for n, _ in out]
    if len(set(names)) != len(names):
        raise ValueError("variant names collide (a named variant has a grid variant's name, or 'base')")
    return out
