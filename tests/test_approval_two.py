"""Two approvals per project (issue 14): conversion (Art. 44) and expropriation (Art. 46).

Hand-written routing table: every land type × ownership × pilot or not × each side of each
threshold. Conversion concerns agricultural land (PBF, arable, other) whoever owns it: PBF is
State-Council level (entrusted to pilots, 国发〔2020〕4号 item 2), the rest provincial (item 1).
Expropriation concerns collective land only: any PBF, non-PBF arable over 35 ha or other land
(其他土地: other agricultural, construction, unused) over 70 ha is State-Council level (entrusted
to pilots); the rest provincial. The gating authority is the higher of the two.
"""

from __future__ import annotations

import pytest

from landquota.models.approval import levels, route
from landquota.models.policy import PolicyParameters
from landquota.service.cli import main as cli_main
from tests.test_service_support import ServerThread, settings_for

SC, ENT, PROV, NONE = "state_council", "province_entrusted", "province", "none"

# (land type, ownership, area ha) → (conversion, expropriation) outside a pilot province; in a pilot
# every State Council approval becomes province_entrusted. Written out by hand from Art. 44/46.
TABLE = [
    ("permanent_basic_farmland", "collective", 0.01, SC, SC),
    ("permanent_basic_farmland", "state", 0.01, SC, NONE),
    ("permanent_basic_farmland", "state", 500.0, SC, NONE),
    ("arable", "collective", 35.0, PROV, PROV),
    ("arable", "collective", 35.01, PROV, SC),
    ("arable", "state", 35.0, PROV, NONE),
    ("arable", "state", 35.01, PROV, NONE),
    ("other", "collective", 70.0, PROV, PROV),
    ("other", "collective", 70.01, PROV, SC),
    ("other", "state", 70.0, PROV, NONE),
    ("other", "state", 70.01, PROV, NONE),
    ("construction", "collective", 70.0, NONE, PROV),
    ("construction", "collective", 70.01, NONE, SC),
    ("construction", "state", 70.0, NONE, NONE),
    ("construction", "state", 70.01, NONE, NONE),
    ("unused", "collective", 70.0, NONE, PROV),
    ("unused", "collective", 70.01, NONE, SC),
    ("unused", "state", 70.0, NONE, NONE),
    ("unused", "state", 70.01, NONE, NONE),
    # the 35 ha threshold is for arable land only: other land types are below 70 at 35.01
    ("other", "collective", 35.01, PROV, PROV),
    ("construction", "collective", 35.01, NONE, PROV),
]
RANK = {NONE: 0, PROV: 1, ENT: 2, SC: 3}


def _pilot(a: str) -> str:
    return ENT if a == SC else a


CASES = [(lt, own, ha, pilot, _pilot(c) if pilot else c, _pilot(e) if pilot else e)
         for lt, own, ha, c, e in TABLE for pilot in (False, True)]


@pytest.mark.parametrize("land_type, ownership, area, pilot, conv, exp", CASES,
                         ids=[f"{c[0]}-{c[1]}-{c[2]}-{'pilot' if c[3] else 'other'}" for c in CASES])
def test_every_land_type_ownership_pilot_and_threshold_side(land_type, ownership, area, pilot, conv, exp):
    r = route([{"land_type": land_type, "area_ha": area, "ownership": ownership}], pilot)
    assert (r.conversion.authority, r.expropriation.authority) == (conv, exp)
    gate = exp if RANK[exp] >= RANK[conv] else conv
    assert r.authority == gate
    assert "Art. 44" in r.conversion.legal_basis and "Art. 46" in r.expropriation.legal_basis
    # the entrustment is cited exactly where it decides
    assert ("4号" in r.conversion.legal_basis) == (conv in (ENT, PROV))
    assert ("4号" in r.expropriation.legal_basis) == (exp == ENT)
    for a in (r.conversion, r.expropriation):
        assert a.reason


def test_collective_is_the_default_ownership():
    a = route([{"land_type": "arable", "area_ha": 36.0}], False)
    b = route([{"land_type": "arable", "area_ha": 36.0, "ownership": "collective"}], False)
    assert a == b and a.authority == SC


def test_other_land_of_art_46_adds_other_agricultural_construction_and_unused():
    parcels = [{"land_type": "other", "area_ha": 30.0}, {"land_type": "construction", "area_ha": 30.0},
               {"land_type": "unused", "area_ha": 10.01}]
    r = route(parcels, False)
    assert r.other_ha == pytest.approx(70.01) and r.expropriation.authority == SC
    assert r.conversion.authority == PROV and r.converted_ha == pytest.approx(30.0)
    r = route(parcels[:2] + [{"land_type": "unused", "area_ha": 10.0}], False)
    assert r.expropriation.authority == PROV


def test_thresholds_count_only_the_land_expropriated():
    # 100 ha of state-owned arable land and 30 ha collective: 30 ≤ 35 expropriated → province
    r = route([{"land_type": "arable", "area_ha": 100.0, "ownership": "state"},
               {"land_type": "arable", "area_ha": 30.0}], False)
    assert (r.conversion.authority, r.expropriation.authority, r.authority) == (PROV, PROV, PROV)
    assert r.arable_ha == 30.0 and r.converted_ha == 130.0
    # the same with 6 ha more collective: 36 > 35 → State Council, whatever the state-owned part
    r = route([{"land_type": "arable", "area_ha": 100.0, "ownership": "state"},
               {"land_type": "arable", "area_ha": 36.0}], False)
    assert r.expropriation.authority == SC and r.authority == SC


def test_gating_is_the_higher_of_the_two_and_says_why():
    # state-owned PBF (conversion: State Council) with small collective other land (province)
    r = route([{"land_type": "permanent_basic_farmland", "area_ha": 1.0, "ownership": "state"},
               {"land_type": "other", "area_ha": 5.0}], False)
    assert (r.conversion.authority, r.expropriation.authority, r.authority) == (SC, PROV, SC)
    assert r.reason == r.conversion.reason and "permanent basic farmland" in r.reason
    # only state-owned construction land: nothing to approve
    r = route([{"land_type": "construction", "area_ha": 500.0, "ownership": "state"}], True)
    assert r.authority == NONE


@pytest.mark.parametrize("parcels, conv, exp, app_ha", [
    ([("arable", 20.0, "collective")], 1, 1, 20.0),
    ([("arable", 36.0, "collective")], 1, 2, 36.0),
    ([("permanent_basic_farmland", 1.0, "state"), ("construction", 10.0, "state")], 2, 0, 1.0),
    ([("construction", 80.0, "collective"), ("unused", 5.0, "state")], 0, 2, 80.0),
], ids=["arable-20", "arable-36", "state-pbf", "collective-construction"])
def test_levels_before_entrustment(parcels, conv, exp, app_ha):
    lv = levels([{"land_type": t, "area_ha": a, "ownership": o} for t, a, o in parcels])
    assert (lv.conversion, lv.expropriation, lv.application_ha) == (conv, exp, app_ha)


# ---- the interfaces -----------------------------------------------------------------------------

def test_cli_route_with_ownership(capsys):
    assert cli_main(["route", "--province", "510000", "--parcel", "arable:40:collective",
                     "--parcel", "other:15:state"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("authority:   state_council")
    assert "conversion:\n  authority:   province" in out
    assert "expropriation:\n  authority:   state_council" in out
    assert cli_main(["route", "--province", "510000", "--parcel", "arable:40:private"]) == 2
    assert "OWNERSHIP is collective (default) or state" in capsys.readouterr().err
    assert cli_main(["route", "--province", "510000", "--parcel", "forest:40"]) == 2
    assert "construction" in capsys.readouterr().err


@pytest.fixture(scope="module")
def srv(tmp_path_factory):
    with ServerThread(settings_for(tmp_path_factory.mktemp("approval"), workers=0)) as s:
        yield s


def test_http_route_returns_both_approvals(srv):
    body = {"province_code": "440000", "parcels": [
        {"land_type": "permanent_basic_farmland", "area_ha": 2.0, "ownership": "state"},
        {"land_type": "construction", "area_ha": 80.0}]}
    r = srv.client.post("/v1/approval-route", json=body)
    assert r.status_code == 200, r.text
    got = r.json()
    assert got["authority"] == ENT and got["entrusted"] is True
    assert got["conversion"]["authority"] == ENT and got["expropriation"]["authority"] == ENT
    assert set(got["conversion"]) == {"authority", "reason", "legal_basis"}
    expected = route(body["parcels"], True, PolicyParameters())
    assert got["conversion"] == expected.conversion.model_dump()
    assert got["expropriation"] == expected.expropriation.model_dump()


def test_http_route_names_a_bad_ownership_and_land_type(srv):
    r = srv.client.post("/v1/approval-route", json={"province_code": "510000", "parcels": [
        {"land_type": "arable", "area_ha": 2.0, "ownership": "private"},
        {"land_type": "forest", "area_ha": 2.0}]})
    assert r.status_code == 422
    got = {(tuple(p["loc"]), p["rule"]) for p in r.json()["problems"]}
    assert got == {(("body", "parcels", 0, "ownership"), "literal_error"),
                   (("body", "parcels", 1, "land_type"), "literal_error")}


def test_swagger_example_shows_the_two_approvals(srv):
    spec = srv.client.get("/openapi.json").json()
    ex = spec["components"]["schemas"]["ApprovalResponse"]["examples"][0]
    assert ex["conversion"]["authority"] == PROV and ex["expropriation"]["authority"] == SC


def test_delegation_over_http(srv):
    r = srv.client.get("/v1/datasets/demo/delegation")
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["scenario"] == "demo" and {x["province_code"] for x in body["pilots"]} == {"440000"}
    assert "均无收益" in body["summary_zh"]  # the demo has no approval limits: entrustment changes nothing
    assert srv.client.get("/v1/datasets/nope/delegation").status_code == 404
