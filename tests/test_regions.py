"""Region names: GB/T 2260 in simplified characters, with traditional and English aliases wherever
a user types a name (CLI --province, overrides, the approval endpoint)."""

import pytest

from landquota.datasets import dataset_dict
from landquota.models.overrides import apply_overrides
from landquota.models.regions import (PROVINCE_FULL_NAMES, PROVINCE_TRADITIONAL, PROVINCES, province_code,
                                      province_table, same_region_name, to_simplified)
from landquota.service.cli import main


def test_the_table_has_31_gb_t_2260_provinces_in_simplified_characters():
    assert len(PROVINCES) == 31 and [r["code"] for r in province_table()] == sorted(PROVINCES)
    assert PROVINCES["530000"] == "云南" and PROVINCE_FULL_NAMES["530000"] == "云南省"
    assert PROVINCE_FULL_NAMES["450000"] == "广西壮族自治区" and PROVINCE_FULL_NAMES["500000"] == "重庆市"
    for code, name in PROVINCES.items():
        assert to_simplified(name) == name, name  # nothing traditional left in the names
        assert PROVINCE_FULL_NAMES[code].startswith(name)
        assert to_simplified(PROVINCE_TRADITIONAL[code]) == name, code


@pytest.mark.parametrize("typed", ["530000", "云南", "云南省", "雲南", "雲南省", "Yunnan", " 云南 "])
def test_every_way_of_typing_a_province_gives_its_code(typed):
    assert province_code(typed) == "530000"


def test_unknown_names_are_not_guessed():
    assert province_code("云") is None and province_code("990000") is None and province_code("") is None
    assert province_code("廣西壯族自治區") == "450000" and province_code("新疆維吾爾自治區") == "650000"


def test_city_names_match_in_either_script():
    assert same_region_name("瀋陽", "沈阳", "沈阳市") and same_region_name("沈阳市", "沈阳", "沈阳市")
    assert not same_region_name("沈", "沈阳", "沈阳市")


def test_overrides_select_provinces_and_cities_by_name():
    s = apply_overrides(dataset_dict("demo"), {"provinces[四川省].new_land_pool_ha_per_year": 123,
                                               "provinces[貴州].new_land_pool_ha_per_year": 45,
                                               "cities[成都].settlers_per_year": 7})
    assert s.province("510000").new_land_pool_ha_per_year == 123
    assert s.province("520000").new_land_pool_ha_per_year == 45
    assert s.city("510100").settlers_per_year == 7
    with pytest.raises(Exception, match="no provinces"):
        apply_overrides(dataset_dict("demo"), {"provinces[火星].new_land_pool_ha_per_year": 1})


def test_cli_route_takes_a_province_name(capsys):
    assert main(["route", "--province", "雲南省", "--parcel", "arable:40"]) == 0
    assert "state_council" in capsys.readouterr().out
    assert main(["route", "--province", "火星", "--parcel", "arable:40"]) == 2  # bad input: exit code 2
    assert "not a GB/T 2260" in capsys.readouterr().err


def test_the_approval_request_takes_a_province_name():
    from pydantic import ValidationError

    from landquota.service.schemas import ApprovalRequest

    parcels = [{"land_type": "arable", "area_ha": 20.0}]
    assert ApprovalRequest.model_validate({"province_code": "雲南省", "parcels": parcels}).province_code == "530000"
    assert ApprovalRequest.model_validate({"province_code": "四川", "parcels": parcels}).province_code == "510000"
    with pytest.raises(ValidationError, match="unknown_province|not a GB/T 2260"):
        ApprovalRequest.model_validate({"province_code": "火星", "parcels": parcels})
