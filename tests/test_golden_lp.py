"""Golden LP per Block (issue 12 item 6; Calliope's math tests): the rows of every constraint family
of a tiny scenario, written with symbolic labels, compared with a checked-in file per Block.

A wrong coefficient in a rule that no test scenario makes bind is caught only this way. The register
test fails when a constraint family (any ``pyo.Constraint`` on the built model) has no golden file,
or no rule in the registry (``models.build.REGISTRY``).

Regenerate after an intended change of the formulation, and read the diff before committing it:

    LANDQUOTA_REGEN_GOLDEN=1 .venv/bin/python -m pytest -q tests/test_golden_lp.py

Format (one line a row, deterministic): ``name: coef var + coef var … sense bound``, terms sorted by
variable name, coefficients and bounds with 12 significant digits; a Block's objective term is the
row ``objective_term`` (its linear part, 亿元), the model's project and land values ``value_*``.
"""

from __future__ import annotations

import os
from pathlib import Path

import pyomo.environ as pyo
import pytest
from pyomo.repn.standard_repn import generate_standard_repn

from landquota.models.build import BLOCKS, REGISTRY, LandModel
from landquota.models.scenario import load_scenario

GOLDEN = Path(__file__).parent / "golden"
REGEN = os.environ.get("LANDQUOTA_REGEN_GOLDEN") == "1"
TOP = "build"
"""Golden file of the model's own rows (``project_once``) and values (``value_*``)."""


def src(id, kind, rate=0.0, tenor=20, **kw):
    return dict(id=id, kind=kind, rate_pct=rate, tenor_years=tenor, **kw)


def golden_scenario():
    """Two provinces, two years: a buyer (110000, a pilot) and a seller (520000), each with a centre
    city and a rest-of-province unit, two funded projects (one that the State Council approves),
    every money limit and every optional rule switched on, so that every constraint family exists."""
    provinces = [
        dict(code="110000", name="PA", new_land_pool_ha_per_year=100, supplementary_arable_reserve_ha=10,
             land_quota_buyer=True, farmland_quota_buyer=True, approval_capacity_ha_per_year=40,
             approval_capacity_cases_per_year=5, entrusted_capacity_ha_per_year=30,
             entrusted_capacity_cases_per_year=2,
             fiscal_capacity_cny_100m=100, debt_balance_cny_100m=50, special_bond_limit_cny_100m_per_year=5,
             general_bond_limit_cny_100m_per_year=2, platform_debt_balance_cny_100m=30),
        dict(code="520000", name="PB", new_land_pool_ha_per_year=80, supplementary_arable_reserve_ha=50,
             land_quota_seller=True, surplus_land_quota_ha_per_year=20, farmland_quota_seller=True,
             approval_capacity_ha_per_year=60, fiscal_capacity_cny_100m=60, debt_balance_cny_100m=10,
             special_bond_limit_cny_100m_per_year=3, fiscally_weak=True),
    ]

    def city(code, prov, tier, **kw):
        d = dict(code=code, name=f"C{code}", province_code=prov, tier=tier, resident_population=1_000_000,
                 urban_construction_land_ha=9_000, settlers_per_year=2_000, new_land_value_cny_10k_per_ha=500,
                 stock_land_available_ha=5, stock_revitalisation_cost_cny_10k_per_ha=100,
                 general_land_arable_share=0.5)
        d.update(kw)
        return d

    # 110100's 120 ha batches hold 42 ha of collective arable land (> 35): State-Council level, entrusted
    cities = [city("110100", "110000", "municipality", fiscal_capacity_cny_100m=50, debt_balance_cny_100m=20,
                   general_land_batch_ha=120),
              city("110000-REST", "110000", "other"),
              city("520100", "520000", "provincial_capital"),
              city("520000-REST", "520000", "other", key_cluster=False)]
    projects = [
        dict(id="PA1", city_code="110100", category="new_urbanisation", value_cny_100m=3, investment_cny_100m=2,
             parcels=[dict(land_type="arable", area_ha=4), dict(land_type="other", area_ha=6)], committed=True),
        dict(id="PB1", city_code="520000-REST", category="public_service_gap", value_cny_100m=2,
             investment_cny_100m=1, parcels=[dict(land_type="permanent_basic_farmland", area_ha=1),
                                            dict(land_type="other", area_ha=5)]),
    ]
    sources = [src("bond", "enterprise_bond", 5.5, 7), src("cdb", "loan", 4.65, 20,
                                                           limit_per_province_cny_100m={"110000": 1, "520000": 1}),
               src("grant", "grant", limit_total_cny_100m_per_year=1), src("rf", "reward_fund"),
               src("sb", "special_bond", 3.7, 15), src("gb", "general_bond", 3.5, 10),
               src("own", "own_capital", 8.0, 20)]
    policy = dict(national_new_land_total_ha=150, state_council_capacity_ha_per_year=50, stock_first=True,
                  special_bond_capital_categories=["new_urbanisation"],
                  state_council_capacity_cases_per_year=3, state_council_lead_months=6,
                  province_entrusted_lead_months=3, province_lead_months=2)
    return load_scenario(dict(name="golden", years=2, provinces=provinces, cities=cities, projects=projects,
                              funding_sources=sources, policy=policy))


def national_golden_scenario():
    """The golden scenario under national allocation (issue 13): allocations instead of pools, a
    unit partly inside a key cluster, a regional infrastructure project outside the per-capita cap."""
    s = golden_scenario()
    data = s.model_dump()
    data["policy"].update(quota_allocation="national", allocation_band_floor_share=0.5,
                          allocation_band_ceiling_share=1.5, linkage_strength=1.1)
    data["provinces"][1]["allocation_base_ha_per_year"] = 60
    data["cities"][3]["key_cluster_share"] = 0.25
    data["projects"][1]["category"] = "regional_infrastructure"
    return load_scenario(data)


NATIONAL = "landplan_national"
"""Golden file of the land-plan Block under national allocation."""


@pytest.fixture(scope="module")
def model():
    return LandModel(golden_scenario()).m


@pytest.fixture(scope="module")
def national_model():
    return LandModel(national_golden_scenario()).m


def test_golden_lp_national_allocation(national_model):
    path = GOLDEN / f"{NATIONAL}.lp"
    text = golden_text(national_model, "landplan")
    if REGEN:
        path.write_text(text, encoding="utf-8")
    assert path.exists(), f"no golden file {path}: run with LANDQUOTA_REGEN_GOLDEN=1"
    assert text == path.read_text(encoding="utf-8"), (
        f"the national-allocation LP rows of landplan differ from {path}; if intended, regenerate with "
        "LANDQUOTA_REGEN_GOLDEN=1 and review the diff")


def _g(x: float) -> str:
    return f"{x + 0.0:.12g}"


def _terms(repn) -> str:
    terms = sorted((v.name, c) for v, c in zip(repn.linear_vars, repn.linear_coefs) if c != 0)
    return " ".join(f"{'+' if c >= 0 else '-'}{_g(abs(c))} {name}" for name, c in terms) or "0"


def _row(cd) -> str:
    lb, body, ub = cd.to_bounded_expression()
    repn = generate_standard_repn(body, compute_values=True, quadratic=False)
    const = pyo.value(repn.constant)
    lo = None if lb is None else pyo.value(lb) - const
    up = None if ub is None else pyo.value(ub) - const
    if lo is not None and up is not None and lo == up:
        bound = f"= {_g(lo)}"
    elif lo is not None and up is not None:
        bound = f"in [{_g(lo)}, {_g(up)}]"
    elif up is not None:
        bound = f"<= {_g(up)}"
    else:
        bound = f">= {_g(lo)}"
    return f"{cd.name}: {_terms(repn)} {bound}"


def _expr(name: str, e) -> str:
    repn = generate_standard_repn(e, compute_values=True, quadratic=False)
    return f"{name}: {_terms(repn)} + {_g(pyo.value(repn.constant))}"


def _file_of(comp) -> str:
    block = comp.parent_block()
    return TOP if block is comp.model() else block.name


def golden_text(m, name: str) -> str:
    lines = [f"# golden LP rows of {name!r} on the scenario tests/test_golden_lp.py::golden_scenario",
             "# regenerate: LANDQUOTA_REGEN_GOLDEN=1 pytest tests/test_golden_lp.py (then read the diff)"]
    for comp in m.component_objects(pyo.Constraint, active=True, descend_into=True):
        if _file_of(comp) != name:
            continue
        lines.append(f"## {comp.getname(fully_qualified=True)}")
        lines.extend(_row(cd) for cd in comp.values() if cd.active)
    if name == TOP:
        lines.append(_expr("value_projects", m.value_projects))
        lines.append(_expr("value_general_land", m.value_general_land))
    else:
        lines.append(_expr("objective_term", getattr(m, name).objective_term))
    return "\n".join(lines) + "\n"


FILES = [mod.NAME for mod in BLOCKS] + [TOP]


@pytest.mark.parametrize("name", FILES)
def test_golden_lp(model, name):
    path = GOLDEN / f"{name}.lp"
    text = golden_text(model, name)
    if REGEN:
        GOLDEN.mkdir(exist_ok=True)
        path.write_text(text, encoding="utf-8")
    assert path.exists(), f"no golden file {path}: run with LANDQUOTA_REGEN_GOLDEN=1"
    assert text == path.read_text(encoding="utf-8"), (
        f"the LP rows of {name} differ from {path}; if the change is intended, regenerate with "
        "LANDQUOTA_REGEN_GOLDEN=1 and review the diff")


def test_register_every_family_has_a_golden_file_and_a_rule(model, national_model):
    """Every constraint family of the model is in a golden file, and declared in the registry; every
    rule of the registry exists on the golden scenario (so a new rule extends the golden scenario) or,
    for the national-allocation rules (issue 13), on its national variant."""
    families = {c.getname(fully_qualified=True): _file_of(c)
                for mm in (model, national_model)
                for c in mm.component_objects(pyo.Constraint, active=True, descend_into=True)}
    in_files = set()
    for name in [*FILES, NATIONAL]:
        path = GOLDEN / f"{name}.lp"
        assert path.exists(), f"no golden file for {name}"
        in_files |= {ln[3:] for ln in path.read_text(encoding="utf-8").splitlines() if ln.startswith("## ")}
    assert set(families) - in_files == set(), "constraint families without a golden LP"
    rules = {r.path for r in REGISTRY.row_rules}
    assert set(families) - rules == set(), "constraint families without a rule in the registry"
    assert rules - set(families) == set(), "rules the golden scenario does not build: extend it"
    for r in REGISTRY.column_rules:
        assert model.find_component(r.path) is not None, r.path


def test_golden_format_catches_a_changed_coefficient(model):
    """The comparison is exact: a coefficient changed in the 12th digit shows."""
    m = LandModel(golden_scenario()).m
    m.landplan.pool_ha["110000"] = 100 + 1e-9
    assert golden_text(m, "landplan") != golden_text(model, "landplan")



def test_every_rule_reads_its_rows(model, national_model):
    """Each rule's index roles match its component's index, and its words format on a real row."""
    from landquota.solvers.wording import Names, noun

    names = Names(golden_scenario())
    for rule in REGISTRY:
        comp = model.find_component(rule.path) or national_model.find_component(rule.path)
        idx = next(iter(comp.keys()))
        dim = len(idx) if isinstance(idx, tuple) else (0 if idx is None else 1)
        assert len(rule.index) == dim, (rule.path, rule.index, idx)
        region, year = rule.region_year(idx)
        assert region == "national" or names.name(region), (rule.path, region)
        assert rule.description(idx) and "{" not in rule.description(idx)
        en, zh = noun(rule, region, year, names.detail(rule, idx), names, "")
        assert en and zh and "{" not in en + zh, rule.path
