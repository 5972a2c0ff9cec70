"""GB/T 2260 province-level codes and names, the one province table, and name look-up.

Names follow GB/T 2260 in simplified characters: the short name (云南) and the full name (云南省).
A user may type a code, a short or full name, the traditional form of either (雲南, 雲南省) or the
English name; :func:`province_code` turns any of them into the code.

The province table (census figures, revenue, built-up area, each with its source) is
``datasets/provinces.csv``: the china-2020 builder and ``landquota generate`` both read it here.
Super-large and mega cities: 国土资发〔2016〕123号 lists, by the State Council's 2014 city-size
standard, super-large (≥ 10 million urban residents) and mega (5–10 million) cities [V].
"""

from __future__ import annotations

import csv
import importlib.util
from functools import lru_cache
from pathlib import Path


def _datasets_dir() -> Path:
    # The folder of landquota.datasets, found without importing it (its __init__ imports the scenario
    # schema, which imports this module).
    spec = importlib.util.find_spec("landquota.datasets")
    return Path(next(iter(spec.submodule_search_locations)))


@lru_cache(maxsize=None)
def province_table() -> tuple[dict, ...]:
    """The rows of ``datasets/provinces.csv`` (strings, as in the file), in GB/T 2260 order."""
    with open(_datasets_dir() / "provinces.csv", encoding="utf-8", newline="") as f:
        return tuple(csv.DictReader(f))


PROVINCES: dict[str, str] = {r["code"]: r["name"] for r in province_table()}
"""The 31 province-level divisions of mainland China, GB/T 2260 code → short name (simplified)."""

PROVINCE_FULL_NAMES: dict[str, str] = {r["code"]: r["full_name"] for r in province_table()}
"""GB/T 2260 code → full name (云南省, 广西壮族自治区, 北京市)."""

PROVINCE_TRADITIONAL: dict[str, str] = {r["code"]: r["traditional_name"] for r in province_table()}
"""GB/T 2260 code → short name in traditional characters (雲南), accepted as an alias only."""

PROVINCE_EN: dict[str, str] = {
    "110000": "Beijing", "120000": "Tianjin", "130000": "Hebei", "140000": "Shanxi", "150000": "Inner Mongolia",
    "210000": "Liaoning", "220000": "Jilin", "230000": "Heilongjiang", "310000": "Shanghai", "320000": "Jiangsu",
    "330000": "Zhejiang", "340000": "Anhui", "350000": "Fujian", "360000": "Jiangxi", "370000": "Shandong",
    "410000": "Henan", "420000": "Hubei", "430000": "Hunan", "440000": "Guangdong", "450000": "Guangxi",
    "460000": "Hainan", "500000": "Chongqing", "510000": "Sichuan", "520000": "Guizhou", "530000": "Yunnan",
    "540000": "Tibet", "610000": "Shaanxi", "620000": "Gansu", "630000": "Qinghai", "640000": "Ningxia",
    "650000": "Xinjiang",
}
"""English names of the provinces, for English sentences (scenarios give the Chinese name)."""

MUNICIPALITIES = {"110000", "120000", "310000", "500000"}

# Traditional → simplified, for the characters of region and cluster names only (not a general converter).
_T = "東廣蘇內遼寧龍慶貴雲陝甘肅臺灣區縣莊爾濱陽長門濟島鄭漢寧蘭銀烏魯齊薩連瀋鞍撫順錦營盤鐵葫蘆華萊濰臨聊濱德棗淄岡鄂黃孫鄖襄隨環鍾婁張嶽衛鶴許漯駐紅興陸閩潮揚鎮錫無淮鹽徐紹溫麗衢嘉湖舟臺滁蕪馬銅廬瀘遂資達廣綿宜樂內貢巴涼遵畢黔銅滇楚麗西雙楊凌鹹寶漢延榆淵嶺壯維廈峽關鄉鳳頭邊們學書運條"
_S = "东广苏内辽宁龙庆贵云陕甘肃台湾区县庄尔滨阳长门济岛郑汉宁兰银乌鲁齐萨连沈鞍抚顺锦营盘铁葫芦华莱潍临聊滨德枣淄冈鄂黄孙郧襄随环钟娄张岳卫鹤许漯驻红兴陆闽潮扬镇锡无淮盐徐绍温丽衢嘉湖舟台滁芜马铜庐泸遂资达广绵宜乐内贡巴凉遵毕黔铜滇楚丽西双杨凌咸宝汉延榆渊岭壮维厦峡关乡凤头边们学书运条"
_TO_SIMPLIFIED = str.maketrans(_T, _S)
assert len(_T) == len(_S)


def to_simplified(text: str) -> str:
    """The simplified form of a region name typed in traditional characters (瀋陽 → 沈阳)."""
    return text.translate(_TO_SIMPLIFIED)


_SUFFIXES = ("维吾尔自治区", "壮族自治区", "回族自治区", "自治区", "省", "市")


@lru_cache(maxsize=None)
def _province_aliases() -> dict[str, str]:
    out: dict[str, str] = {}
    for code, name in PROVINCES.items():
        for alias in (code, name, PROVINCE_FULL_NAMES[code], PROVINCE_TRADITIONAL[code], PROVINCE_EN[code].lower()):
            out[alias] = code
    return out


def province_code(text: str) -> str | None:
    """The GB/T 2260 code of a province typed as a code, a short or full name (simplified or
    traditional) or its English name; None if it names no province."""
    t = to_simplified(str(text).strip())
    aliases = _province_aliases()
    if t in aliases or t.lower() in aliases:
        return aliases.get(t) or aliases[t.lower()]
    for suffix in _SUFFIXES:
        if t.endswith(suffix) and t[: -len(suffix)] in aliases:
            return aliases[t[: -len(suffix)]]
    return None


def same_region_name(typed: str, name: str | None, full_name: str | None = None) -> bool:
    """Whether a typed name (simplified or traditional, short or full) names the region ``name``."""
    t = to_simplified(str(typed).strip())
    return bool(name) and t in {name, full_name, to_simplified(name)} | ({to_simplified(full_name)} if full_name else set())


def province_of(city_code: str) -> str:
    """The province code a GB/T 2260 city code belongs to (first two digits + 0000)."""
    return city_code[:2] + "0000"
