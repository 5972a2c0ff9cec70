"""What-ifs reuse what is derived from the parts they leave alone (models.memo), and a rebuilt
model's Params are written only where values change (models.build_util.set_values) — without
ever reusing something stale."""

import pyomo.environ as pyo
import pytest

from landquota.datasets import load_dataset
from landquota.models.build import LandModel, ModelData, structure_key
from landquota.models.build_util import set_values
from landquota.models.coefficients import _project_routes, project_routes
from landquota.models.finance import _funding_pairs, funding_pairs
from landquota.models.memo import Memo
from landquota.models.overrides import apply_overrides


def test_memo_matches_parts_by_identity_and_value_tuples_by_equality():
    calls = []
    memo = Memo(size=2)
    a, b = [1, 2], [1, 2]  # equal lists, different objects

    def make(tag):
        calls.append(tag)
        return tag

    assert memo.get((a, (True, 35.0)), lambda: make("a")) == "a"
    assert memo.get((a, (True, 35.0)), lambda: make("again")) == "a"  # same list, equal flags: a hit
    assert memo.get((b, (True, 35.0)), lambda: make("b")) == "b"      # an equal list is another part
    assert memo.get((a, (False, 35.0)), lambda: make("a2")) == "a2"   # a flag changed
    assert memo.get((b, (True, 35.0)), lambda: make("b-again")) == "b"
    assert memo.get((a, (True, 35.0)), lambda: make("a-evicted")) == "a-evicted"  # size 2: evicted
    assert calls == ["a", "b", "a2", "a-evicted"]


def test_pool_what_if_reuses_routes_pairs_and_project_lookups():
    base = load_dataset("china-2020")
    variant = apply_overrides(base, {f"provinces[{p.code}].new_land_pool_ha_per_year": p.new_land_pool_ha_per_year * 0.9
                                     for p in base.provinces})
    assert variant.projects is base.projects  # untouched parts are shared (models.overrides)
    assert project_routes(variant) is project_routes(base)
    assert funding_pairs(variant) is funding_pairs(base)
    assert ModelData.from_scenario(variant).area_ha is ModelData.from_scenario(base).area_ha
    assert structure_key(variant, False) == structure_key(base, False)


@pytest.mark.parametrize("overrides, same_shape", [
    ({"provinces[*].approval_entrusted": True}, True),            # who approves changes: a Param (issue 14)
    ({"policy.entrusted_province_codes": []}, True),
    ({"policy.state_council_arable_threshold_ha": 10.0}, False),  # the 35 ha threshold moves
    ({"policy.state_council_other_threshold_ha": 20.0}, False),
])
def test_a_change_that_moves_routes_is_never_served_stale_routes(overrides, same_shape):
    base = load_dataset("china-2020")
    project_routes(base)
    variant = apply_overrides(base, overrides)
    got = {j: r.authority for j, r in project_routes(variant).items()}
    fresh = {j: r.authority for j, r in _project_routes(variant).items()}
    assert got == fresh
    assert got != {j: r.authority for j, r in project_routes(base).items()}  # the case really moves routes
    # entrustment only changes numbers of the LP (models.approval_capacity: e[p, t]); thresholds its shape
    assert (structure_key(variant, False) == structure_key(base, False)) == same_shape


def test_a_change_of_eligibility_is_never_served_stale_pairs():
    base = load_dataset("china-2020")
    funding_pairs(base)
    variant = apply_overrides(base, {"projects[*].investment_cny_100m": 0})
    assert funding_pairs(variant) == _funding_pairs(variant) == ()


def test_set_values_assigns_only_changes_and_rejects_unknown_indices(monkeypatch):
    from pyomo.core.base.param import IndexedParam

    m = pyo.ConcreteModel()
    m.p = pyo.Param(["a", "b"], mutable=True, initialize=1.0)
    m.q = pyo.Param(mutable=True, initialize=1.0)
    assigned = []
    setitem = IndexedParam.__setitem__
    monkeypatch.setattr(IndexedParam, "__setitem__", lambda self, k, v: (assigned.append(k), setitem(self, k, v)))
    set_values(m.p, {"a": 1.0, "b": 2.5})
    set_values(m.q, 4.0)
    assert pyo.value(m.p["a"]) == 1.0 and pyo.value(m.p["b"]) == 2.5 and pyo.value(m.q) == 4.0
    assert assigned == ["b"]  # "a" already held 1.0
    with pytest.raises(KeyError):
        set_values(m.p, {"c": 1.0})


def test_model_updated_to_a_variant_equals_a_model_built_for_it():
    base = load_dataset("china-2020")
    variant = apply_overrides(base, {"provinces[*].new_land_pool_ha_per_year": 2000,
                                     "policy.per_capita_cap_m2": 90, "funding_sources[cdb_loan].rate_pct": 3.1})
    updated = LandModel(base)
    updated.update(variant)
    built = LandModel(variant)
    for param in built.m.component_data_objects(pyo.Param, descend_into=True):
        assert pyo.value(updated.m.find_component(param.name)) == pyo.value(param), param.name


def test_a_project_that_starts_needing_money_rebuilds_the_finance_block():
    """Investment 0 → positive adds the project's funding-balance rows even when no source is
    eligible for it: the structure changes, so the variant is rebuilt, never served the old shape."""
    base = load_dataset("demo")
    free = apply_overrides(base, {"projects[*].investment_cny_100m": 0})
    paid = apply_overrides(free, {f"projects[{base.projects[0].id}].investment_cny_100m": 5.0,
                                  "funding_sources[*].eligible_categories": ["utility_tunnel"]})
    assert base.projects[0].category != "utility_tunnel"  # so no source is eligible for it
    assert funding_pairs(paid) == ()
    assert structure_key(paid, False) != structure_key(free, False)
