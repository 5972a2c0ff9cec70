"""Bundled scenarios, shipped as package data.

* ``demo`` — three provinces, eight cities, twelve projects; illustrative numbers, solved by hand
  in ``tests/test_demo_optimum.py``.
* ``china-2020`` — 31 provinces, their centre cities and rest-of-province units; census figures
  from the 7th census, every other figure an estimate by the rule in ``china-2020.provenance.md``.
"""

from __future__ import annotations

import json
from functools import lru_cache
from importlib import resources

from landquota.models.scenario import Scenario, load_scenario

DATASETS = {
    "demo": "demo.json",
    "china-2020": "china-2020.json",
}


def list_datasets() -> list[str]:
    return [name for name, f in DATASETS.items() if resources.files(__package__).joinpath(f).is_file()]


def dataset_dict(name: str) -> dict:
    """The raw JSON of a bundled dataset (a fresh copy: safe to edit)."""
    if name not in DATASETS:
        raise KeyError(name)
    text = resources.files(__package__).joinpath(DATASETS[name]).read_text(encoding="utf-8")
    return json.loads(text)


@lru_cache(maxsize=None)
def _load(name: str) -> Scenario:
    return load_scenario(dataset_dict(name))


def load_dataset(name: str) -> Scenario:
    """A validated bundled scenario (cached; treat as read-only, use ``model_copy`` to edit)."""
    return _load(name)
