"""GB/T 2260 province-level codes and the city lists the policy names.

Source: GB/T 2260 (administrative division codes); names as in POLICY.md. Super-large and mega
cities: 國土資發〔2016〕123號 lists, by the State Council's 2014 city-size standard, super-large
(≥ 10 million urban residents) and mega (5–10 million) cities [V].
"""

PROVINCES: dict[str, str] = {
    "110000": "北京", "120000": "天津", "130000": "河北", "140000": "山西", "150000": "內蒙古",
    "210000": "遼寧", "220000": "吉林", "230000": "黑龍江", "310000": "上海", "320000": "江蘇",
    "330000": "浙江", "340000": "安徽", "350000": "福建", "360000": "江西", "370000": "山東",
    "410000": "河南", "420000": "湖北", "430000": "湖南", "440000": "廣東", "450000": "廣西",
    "460000": "海南", "500000": "重慶", "510000": "四川", "520000": "貴州", "530000": "雲南",
    "540000": "西藏", "610000": "陝西", "620000": "甘肅", "630000": "青海", "640000": "寧夏",
    "650000": "新疆",
}
"""The 31 province-level divisions of mainland China, GB/T 2260 code → name."""

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


def province_of(city_code: str) -> str:
    """The province code a GB/T 2260 city code belongs to (first two digits + 0000)."""
    return city_code[:2] + "0000"
