"""Batch what-if runs (issue 6): expansion, warm = cold, resume, isolation, local vs Ray."""

import pytest

from landquota.datasets import load_dataset
from landquota.models.overrides import apply_overrides
from landquota.service.batches.run import run_batch
from landquota.service.batches.report import table, to_csv
from landquota.service.batches.spec import BatchSpec, expand
from landquota.service.batches.store import BatchStore
from landquota.solvers.highs import solve_scenario

POOLS = [200, 250, 300, 350]


def spec(**kw):
    base = dict(
        name="t",
        base={"dataset": "demo"},
        variants=[
            {"name": "low-standard", "overrides": {"policy.linkage_tiers[0].new_land_per_settler_m2": 80}},
            {"name": "cheap-cdb", "overrides": {"funding_sources[cdb_loan].rate_pct": 3.0}},
            {"name": "both", "compose": ["low-standard", "cheap-cdb"]},
        ],
        grid={"parameters": {"provinces[510000].new_land_pool_ha_per_year": POOLS}},
    )
    base.update(kw)
    return BatchSpec.model_validate(base)


def test_expansion_cartesian_zipped_and_compose():
    names = [n for n, _ in expand(spec())]
    assert names[:4] == ["base", "low-standard", "cheap-cdb", "both"]
    assert len(names) == 4 + len(POOLS)
    both = dict(expand(spec()))["both"]
    assert both == {"policy.linkage_tiers[0].new_land_per_settler_m2": 80, "funding_sources[cdb_loan].rate_pct": 3.0}
    g = spec(variants=[], grid={"mode": "cartesian", "parameters": {"a.x": [1, 2, 3], "a.y": [4, 5]}})
    assert len(expand(g)) == 1 + 6
    z = spec(variants=[], grid={"mode": "zipped", "parameters": {"a.x": [1, 2, 3], "a.y": [4, 5, 6]}})
    assert [ov for _, ov in expand(z)][1:] == [{"a.x": 1, "a.y": 4}, {"a.x": 2, "a.y": 5}, {"a.x": 3, "a.y": 6}]
    with pytest.raises(ValueError):
        spec(variants=[], grid={"mode": "zipped", "parameters": {"a.x": [1, 2], "a.y": [4]}})
    with pytest.raises(ValueError):  # compose must refer to an earlier variant
        spec(variants=[{"name": "a", "compose": ["b"]}, {"name": "b"}])


def test_warm_resolves_equal_cold_solves():
    rows = run_batch(spec(), workers=1)
    assert all(r["ok"] for r in rows)
    assert sum(r["warm"] for r in rows) >= len(rows) - 1  # numbers-only variants re-solve warm
    base = load_dataset("demo")
    for name, overrides in expand(spec()):
        cold = solve_scenario(apply_overrides(base, overrides) if overrides else base)
        row = next(r for r in rows if r["name"] == name)
        assert row["objective_cny_100m"] == pytest.approx(cold.objective_cny_100m, rel=1e-7)
        assert row["new_land_ha"] == pytest.approx(sum(p.new_land_ha for p in cold.provinces), rel=1e-7)
        for k, v in cold.headline.model_dump().items():  # every KPI, not only the objective
            assert row[k] == pytest.approx(v, rel=1e-7, abs=1e-6), (name, k)


def test_sweep_is_monotone_in_the_pool():
    rows = {r["name"]: r for r in run_batch(spec(variants=[]), workers=1)}
    objs = [rows[f"new_land_pool_ha_per_year={p}"]["objective_cny_100m"] for p in POOLS]
    assert objs == sorted(objs)  # more pool can never make the plan worse
    assert objs[0] < objs[-1]


def test_structural_variant_rebuilds_transparently():
    # entrustment is a mutable Param since issue 14 (warm); a threshold that moves routes is a rebuild
    s = spec(variants=[{"name": "all-entrusted", "overrides": {"provinces[*].approval_entrusted": True}},
                       {"name": "threshold-10", "overrides": {"policy.state_council_arable_threshold_ha": 10}}],
             grid=None)
    rows = {r["name"]: r for r in run_batch(s, workers=1)}
    assert rows["all-entrusted"]["warm"] is True
    assert rows["threshold-10"]["warm"] is False
    assert rows["all-entrusted"]["state_council_approvals"] == 0  # every State-Council route entrusted
    assert rows["base"]["state_council_approvals"] > 0


def test_failing_variant_is_isolated():
    s = spec(variants=[{"name": "bad", "overrides": {"provinces[510000].new_land_pool_ha_per_year": -1}},
                       {"name": "typo", "overrides": {"policy.no_such_knob": 1}}])
    rows = {r["name"]: r for r in run_batch(s, workers=1)}
    assert not rows["bad"]["ok"] and "new_land_pool_ha_per_year" in rows["bad"]["error"]
    assert not rows["typo"]["ok"] and "no_such_knob" in rows["typo"]["error"]
    assert all(r["ok"] for n, r in rows.items() if n not in ("bad", "typo"))
    csv_text = to_csv(table(list(rows.values()), s.kpis))
    assert csv_text.count("\n") == len(rows) + 1


def test_resume_after_interruption(tmp_path):
    s = spec()
    store = BatchStore(f"sqlite:///{tmp_path / 'b.sqlite'}")
    bid = store.create(s.name, s.model_dump_json(), "local", len(expand(s)))
    solved = []

    class Interrupted(Exception):
        pass

    def stop_after_three(row):
        store.save(bid, row)
        solved.append(row["name"])
        if len(solved) == 3:
            raise Interrupted

    with pytest.raises(Interrupted):
        run_batch(s, workers=1, on_result=stop_after_three)
    assert store.done(bid) == set(solved)
    again = []
    run_batch(s, workers=1, done=store.done(bid), on_result=lambda r: (store.save(bid, r), again.append(r["name"])))
    assert not set(again) & set(solved)  # nothing finished is solved twice
    assert store.done(bid) == {n for n, _ in expand(s)}  # and nothing is lost
    assert len(store.rows(bid)) == len(expand(s))


@pytest.mark.parametrize("in_process", [False, True])  # the pool alone; the pool with this process helping
def test_process_pool_matches_inline(in_process):
    s = spec(variants=[])
    inline = run_batch(s, workers=1)
    pooled = run_batch(s, workers=2, in_process=in_process)
    assert [r["name"] for r in pooled] == [r["name"] for r in inline]
    for a, b in zip(inline, pooled):
        assert b["ok"]
        assert a["objective_cny_100m"] == pytest.approx(b["objective_cny_100m"], rel=1e-9)
        assert a["new_land_by_province"] == pytest.approx(b["new_land_by_province"], rel=1e-9)


@pytest.mark.slow
def test_ray_backend_gives_the_same_numbers():
    import ray  # a test dependency: its absence must fail, not skip

    s = spec()
    local = run_batch(s, workers=1)
    try:
        remote = run_batch(s, backend="ray", workers=2)
    finally:
        ray.shutdown()
    assert [r["name"] for r in remote] == [r["name"] for r in local]
    for a, b in zip(local, remote):
        assert b["ok"]
        assert a["objective_cny_100m"] == pytest.approx(b["objective_cny_100m"], rel=1e-9)
        assert a["new_land_by_province"] == pytest.approx(b["new_land_by_province"], rel=1e-9)


def test_national_pool_sweep_warm_equals_cold():
    """The benchmark's sweep (bench/batch_throughput.py), on a few of its variants: each warm
    re-solve of china-2020 gives every KPI of a cold build-and-solve of the same variant."""
    base = load_dataset("china-2020")  # national allocation: the bands' bases are the provinces' quota
    assert base.policy.quota_allocation == "national"
    variants = [{"name": f"x{f}", "overrides": {f"provinces[{p.code}].allocation_base_ha_per_year":
                                                  round(base.allocation_base_ha(p.code) * f, 3) for p in base.provinces}}
                for f in (0.8, 0.93, 1.07, 1.2)]
    s = BatchSpec.model_validate({"base": {"dataset": "china-2020"}, "variants": variants, "include_base": False})
    rows = run_batch(s, workers=1)
    assert [r["warm"] for r in rows] == [True] * 4
    objectives = []
    for v, row in zip(variants, rows):
        cold = solve_scenario(apply_overrides(base, v["overrides"]))
        objectives.append(cold.objective_cny_100m)
        for k, want in cold.headline.model_dump().items():
            assert row[k] == pytest.approx(want, rel=1e-7, abs=1e-6), (v["name"], k)
        assert row["objective_cny_100m"] == pytest.approx(cold.objective_cny_100m, rel=1e-7)
    assert objectives == sorted(objectives) and objectives[0] < objectives[-1]  # the pools really matter
