"""Build the bundled national scenario ``china-2020`` (writes ``datasets/china-2020.json``).

    .venv/bin/python -m datasets.build_china_2020            # write the JSON
    .venv/bin/python -m datasets.build_china_2020 --check    # also solve it and print a summary

Deterministic: no network, one fixed random seed (projects only), every constant below with its
source. Tags as in ``shared/POLICY.md``: **[V]** confirmed in a published text, **[M]** widely
reported, **[S]** a public statistic found in a stored copy of a public page (the page is named),
**[E]** an estimate produced by a rule written in this file (and in ``china-2020.provenance.md``).

What is cited and what is estimated
-----------------------------------
* Provinces: 7th-census population [V] and urbanisation rate [M] from POLICY.md.
* Centre cities: 7th-census (2020) and 6th-census (2010) resident population of the whole
  municipality / prefecture-level city [S], with the page each figure was read from; the city's
  urbanisation rate where a page gave it [S], else the rule ``URBAN_RATE_RULE`` [E].
* Everything else per city (urban construction land, growth, settlers, stock, values, projects)
  and per province (pools, reserves, surplus quota, trading roles, fiscal weakness) is an
  estimate by a rule in this file, anchored on national magnitudes from POLICY.md or the 7th-
  census communiqué No. 7 [S].
"""

from __future__ import annotations

import argparse
import json
import math
import random
from pathlib import Path

OUT = Path(__file__).with_name("china-2020.json")
SEED = 20200403  # date of 發改規劃〔2020〕532號; projects only

# =============================================================================================
# National magnitudes
# =============================================================================================
NAT_POP_2020 = 1_411_778_724
"""7th census national population incl. 2 million service members [V] (POLICY.md: 31 provinces
1,409,778,724 + service members)."""
NAT_POP_2010 = 1_339_724_852
"""6th census national population (2010-11-01) [S] — citypopulation.de, China: Zhèjiāng page,
row 'China' (https://www.citypopulation.de/en/china/cities/zhejiang/)."""
NAT_URBAN_2020 = 901_991_162
NAT_URBAN_SHARE_2020 = 0.6389
NAT_URBAN_SHARE_2010 = 0.4968
NAT_REGISTERED_URBAN_SHARE_2020 = 0.454
"""7th-census communiqué No. 7 (NBS, 2021-05-11) [S]: urban residents 901,991,162 (63.89%), +236,415,856
on 2010 (urban share +14.21 points, i.e. 49.68% in 2010); 戶籍人口城鎮化率 45.4% in 2020.
Page: http://zzndh.com/a/202105/509119.html (reprint of the NBS communiqué); 2010 share also
https://chujuan.cn/question/detail-51733694.shtml."""
NAT_CROSS_PROVINCE_MIGRANT_SHARE = 124_837_153 / 375_816_759
"""Communiqué No. 7 [S]: 375,816,759 migrants (流動人口), of whom 124,837,153 cross-province (33.2%)."""

NAT_BUILTUP_2020_KM2 = 60_721.32
NAT_BUILTUP_2021_KM2 = 62_420.53
"""Urban (設市城市) built-up area, km²: 2020 60,721.32 [V] (POLICY.md: 60,721) and 2021 62,420.53 [S]
(2021 城鄉建設統計年鑑, as summarised at http://m.studyofnet.com/373424469.html, which also gives 城區人口
44,253.74萬 in 2020 and 縣城人口 14,055.43萬)."""
PROV_BUILTUP_2022_KM2 = {
    "440000": 6575, "370000": 5713, "320000": 4916, "410000": 3521, "330000": 3427, "510000": 3412,
    "420000": 2866, "210000": 2815, "340000": 2500, "130000": 2267, "430000": 2105, "350000": 1877,
    "450000": 1809, "230000": 1803, "360000": 1789, "500000": 1641, "220000": 1580, "610000": 1554,
    "650000": 1428 + 227, "140000": 1295, "530000": 1288, "150000": 1273, "120000": 1264, "310000": 1242,
    "520000": 1195, "620000": 968, "640000": 486, "460000": 419, "630000": 250, "540000": 171}
"""Urban built-up area by province, end-2022, km² [S]: 2022年中國城市建設狀況公報 (MOHURD) table as reprinted at
http://hbzqbyyxgs.com/news/689696.html (廣東 6,575 … 西藏 171; POLICY.md quotes seven of them [M]). 新疆 includes
the 新疆兵團 row (227 km²). The table has no 北京 row: its 30 provinces + 兵團 add up to 63,676 km², the
national '6.37萬 km²' of the same page."""
BJ_PC_RULE_PEERS = ("310000", "120000", "500000")
"""[E] 北京's built-up area is missing from the 2022 table: its 2020 per-capita land (m² per city-district
resident) is taken as the mean of the other three municipalities' values from the rule below, times its
cited city-district population. Low confidence."""
NAT_CITY_DISTRICT_POP_2020 = 575_000_000
"""7th census: 5.75億 people live in city districts (城區) of the 設市城市, 63.9% of the urban population [S]
(NBS 7th-census data as quoted in the zh.wikipedia list 中華人民共和國城市城區常住人口排名, mirror
https://zhwiki.pedia.workers.dev/wiki/中华人民共和国城市城区常住人口排名). Built-up area covers exactly these
districts, so built-up area ÷ city-district residents is the per-capita urban construction land of cities
(GB 50137 measures it on resident population)."""
CITY_DISTRICT_POP_2020 = {"110000": 17_750_000, "310000": 19_870_000}
"""City-district (城區常住) population, 7th census [S]: 上海 1987萬, 北京 1775萬 (求是 2021 No. 18 table as
quoted at https://m.tftnews.com/news4602212)."""
CITY_DISTRICT_SHARE_CAP = 0.93
"""[E] a province's city-district share of urban residents never exceeds 93% (towns and county seats
remain even in the municipalities: 北京 1775/1916 = 92.6% [S])."""
PC_BOUNDS_M2 = (60.0, 150.0)
"""[E] bounds on the estimated per-capita land: 150 m² is the GB 50137-2011 ceiling for special (remote,
mountain, tourism) cities [V]; the floor only guards the rule (上海 comes out at ≈ 59)."""
NAT_SETTLERS_PER_YEAR = 100_000_000 / 6
"""≈100 million settlers 2015–2020 [V] (POLICY.md) over six plan years → 16.7 million a year [E]."""
NAT_POOL_HA = 400_000.0
"""600萬畝 = 400,000 ha national annual plan quota [V] (2022 plan; policy default)."""
SURPLUS_NATIONAL_HA = 20_000.0
"""[E] surplus 增減掛鉤 quota offered nationally per year by deep-poverty sellers, ha (= 30萬畝).
No published annual figure; order of magnitude chosen so that at the seller price (30萬元/畝 [M])
the flow is ≈ 90億元 a year."""

# =============================================================================================
# Rules (all [E])
# =============================================================================================
DECEL = 0.5
"""Urban population growth in the plan year = half the 2010–2020 average pace [E]. The national
decade pace is 23.6 million/yr (communiqué No. 7); population growth has slowed since (0.53%/yr
2010–20, falling), so the rule gives ≈ 14 million a year nationally."""
URBAN_PULL = (NAT_URBAN_SHARE_2020 / NAT_URBAN_SHARE_2010) ** 0.1 - 1
"""Yearly rise of the urban share 2010–2020 (≈ 2.55%/yr), from communiqué No. 7 [S]; a unit
urbanises in proportion to its rural share relative to the national rural share."""
GROWTH_WEIGHT_K = 20.0
"""[E] settler weight = urban pop × openness × (1 + K × max(0, 2010–20 population CAGR)):
fast-growing cities settle more migrants."""
OPENNESS = {"super_large": 0.35, "mega": 0.7, "other": 1.0}
"""[E] relative openness of 落戶 by size class: super-large and mega cities keep points-based
settling (2019/2020 NDRC 重點任務: cities < 3 million lift all limits, 3–5 million relax fully)."""
CENTRAL_DISTRICT_SHARE = {"super_large": 0.6, "mega": 0.5}
"""[E] share of a super-large / mega city's settlers settling in its central districts (no land)."""
SIZE_DENSITY_FACTOR = {"super_large": 0.7, "mega": 0.75, "other": 0.8}
"""[E] per-capita urban land of a centre city relative to its province: larger cities are denser;
the rest-of-province unit takes the residual so that each province's total is kept."""
STOCK_SHARE = 0.005
"""[E] inefficient stock land (批而未供/閒置) that can be revitalised in a year, share of the unit's
urban construction land."""
LAND_VALUE = {"super_large": 2400.0, "mega": 1500.0, "centre": 1000.0, "rest": 450.0}
"""[E] value of one ha of general urban land put to use, 萬元/ha, by city class (before the regional
factor)."""
REGION_VALUE_FACTOR = {"east": 1.3, "central": 1.0, "west": 0.8, "northeast": 0.8}
REVITALISATION_COST_SHARE = 0.35
"""[E] revitalisation cost of stock land = 35% of the unit's land value (demolition, compensation,
remediation)."""
ARABLE_SHARE = {"plain": 0.6, "mountain": 0.35, "mixed": 0.5}
"""[E] share of general-use new land that occupies arable land, by terrain class of the province."""
POOL_WEIGHTS = {"need": 0.4, "growth": 0.4, "urban": 0.2}
"""[E] provincial pool = national total × (0.4 settler-land-need share + 0.4 urban-growth share + 0.2
urban-population share)."""
PROJECT_DEMAND_FACTOR = {"buyer": 1.5, "other": 1.25}
"""[E] candidate project area = factor × (pool − general-use room): more candidates than the pool
can take, so the plan must choose; buyers' surplus demand is what cross-regional trade serves."""
TILT_TARGET = 0.62
"""[E] centre/key-cluster cities' candidate land (general room + projects) is at least this share of
their province's pool, so that the 50% tilt (policy default) can always be met."""
RESERVE_FACTOR = {"farmland_buyer": 0.6, "farmland_seller": 1.8, "other": 1.2}
"""[E] supplementary arable reserve = factor × arable land the province would occupy if its pool
were used in full (general land × arable share + candidate projects' arable+PBF share)."""
CROSS_PROVINCE_SHARE = {
    "destination": (0.6, 0.5), "secondary": (0.45, 0.3), "other": (0.15, 0.05)}
"""[E] share of settlers from another province, (centre city, rest of province), by province group;
national average of cross-province migrants is 33% (communiqué No. 7)."""

# =============================================================================================
# Provinces: (code, name, abbreviation, population [V], urban % [M], region, terrain)
# =============================================================================================
PROVINCES = [
    ("110000", "北京", "BJ", 21_893_095, 87.55, "east", "mixed"),
    ("120000", "天津", "TJ", 13_866_009, 84.70, "east", "plain"),
    ("130000", "河北", "HE", 74_610_235, 60.07, "east", "plain"),
    ("140000", "山西", "SX", 34_915_616, 62.53, "central", "mountain"),
    ("150000", "內蒙古", "NM", 24_049_155, 67.48, "west", "mixed"),
    ("210000", "遼寧", "LN", 42_591_407, 72.14, "northeast", "mixed"),
    ("220000", "吉林", "JL", 24_073_453, 62.64, "northeast", "plain"),
    ("230000", "黑龍江", "HL", 31_850_088, 65.61, "northeast", "plain"),
    ("310000", "上海", "SH", 24_870_895, 89.30, "east", "plain"),
    ("320000", "江蘇", "JS", 84_748_016, 73.44, "east", "plain"),
    ("330000", "浙江", "ZJ", 64_567_588, 72.17, "east", "mountain"),
    ("340000", "安徽", "AH", 61_027_171, 58.33, "central", "plain"),
    ("350000", "福建", "FJ", 41_540_086, 68.75, "east", "mountain"),
    ("360000", "江西", "JX", 45_188_635, 60.44, "central", "mixed"),
    ("370000", "山東", "SD", 101_527_453, 63.05, "east", "plain"),
    ("410000", "河南", "HA", 99_365_519, 55.43, "central", "plain"),
    ("420000", "湖北", "HB", 57_752_557, 62.89, "central", "mixed"),
    ("430000", "湖南", "HN", 66_444_864, 58.76, "central", "mixed"),
    ("440000", "廣東", "GD", 126_012_510, 74.15, "east", "mixed"),
    ("450000", "廣西", "GX", 50_126_804, 54.20, "west", "mountain"),
    ("460000", "海南", "HI", 10_081_232, 60.27, "east", "mixed"),
    ("500000", "重慶", "CQ", 32_054_159, 69.46, "west", "mountain"),
    ("510000", "四川", "SC", 83_674_866, 56.73, "west", "mixed"),
    ("520000", "貴州", "GZ", 38_562_148, 53.15, "west", "mountain"),
    ("530000", "雲南", "YN", 47_209_277, 50.05, "west", "mountain"),
    ("540000", "西藏", "XZ", 3_648_100, 35.73, "west", "mountain"),
    ("610000", "陝西", "SN", 39_528_999, 62.66, "west", "mixed"),
    ("620000", "甘肅", "GS", 25_019_831, 52.23, "west", "mountain"),
    ("630000", "青海", "QH", 5_923_957, 60.08, "west", "mountain"),
    ("640000", "寧夏", "NX", 7_202_654, 64.96, "west", "mixed"),
    ("650000", "新疆", "XJ", 25_852_345, 56.53, "west", "mixed"),
]
MUNICIPALITIES = {"110000", "120000", "310000", "500000"}

# Trading roles and fiscal weakness (documented in the provenance file)
LAND_SELLERS = {"540000", "510000", "530000", "620000", "630000", "650000", "520000", "640000"}
"""三區三州 provinces (西藏; 四川 涼山/甘孜/阿壩; 雲南 怒江/迪慶; 甘肅 臨夏/甘南; 青海 藏區; 新疆 南疆四地州)
[V: 三區三州 list] plus 貴州 and 寧夏 (many deep-poverty counties: 西海固, 烏蒙山/麻山/瑤山) [E]."""
LAND_BUYERS = {"110000", "310000", "120000", "320000", "330000", "440000", "350000", "370000"}
"""Buyers priced by 國辦發〔2018〕16號 [M] (北京 上海 70; 天津 江蘇 浙江 廣東 50萬/畝) plus 福建 and 山東, the
other coastal provinces paired with poverty-alleviation partners (東西部扶貧協作) [E]."""
FARMLAND_SELLERS = LAND_SELLERS | {"230000", "150000", "220000"}
"""Land sellers plus 黑龍江, 內蒙古, 吉林: large reclaimable arable reserves [E]."""
FARMLAND_BUYERS = LAND_BUYERS
FISCALLY_WEAK = {"150000", "450000", "500000", "510000", "520000", "530000", "540000", "610000", "620000",
                 "630000", "640000", "650000", "210000", "220000", "230000"}
"""[E] rule: the 12 provinces of the Western Development policy (西部大開發) and the 3 north-eastern
provinces (東北振興), which depend most on central transfers."""
CROSS_GROUP = {**{c: "destination" for c in ("110000", "120000", "310000", "440000", "330000")},
               **{c: "secondary" for c in ("320000", "350000")}}

# =============================================================================================
# Centre cities
# (code, name, province, abbr, tier, cluster or None, size_class, pop2020, pop2010, urban rate or
#  None, source key)
# Municipalities' 2020 population is the province's [V]; the rest [S] with the page in SOURCES.
# =============================================================================================
M, PC, SL, NODE = "municipality", "provincial_capital", "separately_listed", "node_city"
CITIES = [
    ("110100", "北京", "110000", "BJ", M, "京津冀", "super_large", 21_893_095, 19_612_400, None, "muni"),
    ("120100", "天津", "120000", "TJ", M, "京津冀", "super_large", 13_866_009, 12_938_200, None, "muni"),
    ("310100", "上海", "310000", "SH", M, "長三角", "super_large", 24_870_895, 23_019_100, None, "muni"),
    ("500100", "重慶", "500000", "CQ", M, "成渝", "super_large", 32_054_159, 28_846_200, None, "muni"),
    ("130100", "石家莊", "130000", "SJZ", PC, "京津冀", "other", 11_235_086, 10_163_788, 70.18, "sjz"),
    ("140100", "太原", "140000", "TY", PC, None, "other", 5_304_061, 4_201_591, None, "ty"),
    ("150100", "呼和浩特", "150000", "HHHT", PC, "呼包鄂榆", "other", 3_446_100, 2_866_600, None, "hhht"),
    ("210100", "瀋陽", "210000", "SY", PC, None, "mega", 9_070_093, 8_106_200, None, "sy"),
    ("210200", "大連", "210000", "DL", SL, None, "mega", 7_450_785, 6_690_432, None, "dl"),
    ("220100", "長春", "220000", "CC", PC, "哈長", "other", 9_066_906, 8_767_375, 65.94, "cc"),
    ("230100", "哈爾濱", "230000", "HEB", PC, "哈長", "mega", 10_001_000, 10_635_971, None, "heb"),
    ("320100", "南京", "320000", "NJ", PC, "長三角", "mega", 9_314_685, 8_003_744, None, "nj"),
    ("330100", "杭州", "330000", "HZ", PC, "長三角", "mega", 11_936_010, 8_700_373, 83.29, "hz"),
    ("330200", "寧波", "330000", "NB", SL, "長三角", "other", 9_404_283, 7_605_689, None, "zj"),
    ("340100", "合肥", "340000", "HF", PC, "長三角", "other", 9_369_881, 7_457_027, 82.27, "hf"),
    ("350100", "福州", "350000", "FZ", PC, None, "other", 8_291_300, 7_115_400, None, "fz"),
    ("350200", "廈門", "350000", "XM", SL, None, "other", 5_163_970, 3_531_347, 89.4, "xm"),
    ("360100", "南昌", "360000", "NC", PC, "長江中游", "other", 6_255_007, 5_042_565, None, "nc"),
    ("370100", "濟南", "370000", "JN", PC, None, "mega", 9_202_432, 8_112_513, 73.46, "jn"),
    ("370200", "青島", "370000", "QD", SL, None, "mega", 10_071_722, 8_715_087, 76.34, "qd"),
    ("410100", "鄭州", "410000", "ZZ", PC, "中原", "mega", 12_600_600, 8_626_500, None, "hz3"),
    ("420100", "武漢", "420000", "WH", PC, "長江中游", "mega", 12_326_500, 9_785_400, 84.31, "wh"),
    ("430100", "長沙", "430000", "CS", PC, "長江中游", "mega", 10_047_900, 7_044_100, None, "hz3"),
    ("440100", "廣州", "440000", "GZ", PC, "粵港澳大灣區", "super_large", 18_676_605, 12_701_948, 86.19, "gz"),
    ("440300", "深圳", "440000", "SZ", SL, "粵港澳大灣區", "super_large", 17_560_061, 10_423_530, None, "gd"),
    ("441900", "東莞", "440000", "DG", NODE, "粵港澳大灣區", "mega", 10_466_625, 8_220_207, None, "gd"),
    ("440600", "佛山", "440000", "FS", NODE, "粵港澳大灣區", "mega", 9_498_900, 7_197_394, None, "gd"),
    ("450100", "南寧", "450000", "NN", PC, "北部灣", "other", 8_741_584, 6_661_610, None, "nn"),
    ("460100", "海口", "460000", "HK", PC, "北部灣", "other", 2_873_358, None, 81.76, "hk"),
    ("510100", "成都", "510000", "CD", PC, "成渝", "super_large", 20_937_757, 15_118_839, None, "cd"),
    ("520100", "貴陽", "520000", "GY", PC, None, "other", 5_987_018, 4_324_561, None, "gy"),
    ("530100", "昆明", "530000", "KM", PC, None, "mega", 8_460_088, 6_432_212, None, "km"),
    ("540100", "拉薩", "540000", "LS", PC, None, "other", 867_900, 559_400, None, "ls"),
    ("610100", "西安", "610000", "XA", PC, "關中平原", "mega", 12_952_907, 8_467_837, None, "xa"),
    ("620100", "蘭州", "620000", "LZ", PC, "蘭州-西寧", "other", 4_359_446, 3_616_163, 83.10, "lz"),
    ("630100", "西寧", "630000", "XN", PC, "蘭州-西寧", "other", 2_480_000, 2_228_000, None, "xn"),
    ("640100", "銀川", "640000", "YC", PC, None, "other", 2_859_074, 1_993_088, None, "yc"),
    ("650100", "烏魯木齊", "650000", "WLMQ", PC, None, "other", 4_050_000, 3_112_559, None, "wlmq"),
]
HAINAN_POP_2010 = 8_671_485
"""Hainan 6th census [S] (Hainan 7th-census communiqué as quoted at hbzqbyyxgs.com/news/495542.html);
used for 海口's 2010 estimate (province growth rate applied) because no 2010 city figure was found."""

KEY_CLUSTERS = {
    "京津冀": "京津冀協同發展規劃綱要 (2015), national strategy",
    "長三角": "長江三角洲城市群發展規劃 (國務院 2016); 長三角一體化 outline (2019)",
    "粵港澳大灣區": "粵港澳大灣區發展規劃綱要 (2019)",
    "成渝": "成渝城市群發展規劃 (2016); 成渝地區雙城經濟圈 (2020)",
    "長江中游": "長江中游城市群發展規劃 (2015)",
    "哈長": "哈長城市群發展規劃 (2016)",
    "中原": "中原城市群發展規劃 (2016)",
    "北部灣": "北部灣城市群發展規劃 (2017)",
    "關中平原": "關中平原城市群發展規劃 (2018)",
    "呼包鄂榆": "呼包鄂榆城市群發展規劃 (2018)",
    "蘭州-西寧": "蘭州-西寧城市群發展規劃 (2018)",
}
"""The clusters with a State-Council-approved plan or a national strategy, as listed by NDRC: 2018 重點
任務 ('加快實施長三角、長江中游、成渝、中原、哈長、北部灣等城市群規劃 … 關中平原、蘭州—西寧、呼包鄂榆')
and NDRC press conference 2019-08 ('京津冀協同發展、粵港澳大灣區建設、長三角區域一體化 … 成渝 … 哈長、長江中游、
北部灣、中原、關中平原、蘭州-西寧、呼包鄂榆'). Province-guided clusters (山東半島, 海峽西岸, 遼中南, 山西中部,
黔中, 滇中, 寧夏沿黃, 天山北坡) are not counted as key."""

POP_SOURCES = {
    "muni": "2020: POLICY.md province table [V]; 2010: 6th-census list of prefecture populations "
            "(https://360docs.net/doc/12281859.html: 北京 1961.24萬, 上海 2301.91萬, 天津 1293.82萬, 重慶 2884.62萬) [S]",
    "sjz": "石家莊 7th-census communiqué (https://sjz.focus.cn/zixun/c3f8586b55cefd40.html); urban share end-2020 = "
           "71.09% − 0.91 pt (石家莊 2021 communiqué via http://ciudsrc.com/webdiceng.php?id=158303)",
    "ty": "太原 7th-census communiqué (http://xzqh.info/lt/read.php?fpage=2&tid=168959)",
    "hhht": "呼和浩特 7th census, 344.61萬 vs 286.66萬 in 2010 (中商情報網 reprint, "
            "http://loja-hidrogenio.com/news/data/hongguan/20210604/0921271470773.shtml)",
    "sy": "瀋陽 7th census (https://www.shenyang.gov.cn/english/aboutshenyang/welcometoshenyang/202112/"
          "t20211202_1792567.html: 9,070,093 [printed 907,093], 8,106,200 in 2010)",
    "dl": "大連 7th census (https://blob.wenxiaobai.com/article/1824ae5e-a5ce-a6a0-ea81-030a57c628db)",
    "cc": "長春 7th census incl. urban 5,979,069 (65.94%) (https://m.1ruanjian.com/jiaocheng/eWyt.html)",
    "heb": "哈爾濱: end-2020 resident population 1000.1萬 (黑龍江統計年鑑2021 as quoted at "
           "http://fiiye.com/baike/shbk/868912.html; the census figure itself was not found); 2010 census "
           "10,635,971 (http://xjdkctz.com/news/shuju/648066.html)",
    "nj": "南京 2020 census 9,314,685 (https://2022.csamcs.org/venue); 2010 8,003,744 "
          "(https://www.citypopulation.de/en/china/jiangsu/admin/)",
    "hz": "杭州 census 11,936,010, 2010 8,700,373 (https://www.citypopulation.de/en/china/cities/zhejiang/); "
          "urban 83.29% (http://www.ehangzhou.gov.cn/2021-05/18/c_277113.htm)",
    "zj": "寧波 (https://www.citypopulation.de/en/china/cities/zhejiang/)",
    "hf": "合肥 census 9,369,881 vs 7,457,027 (http://hbzqbyyxgs.com/goomai/236856.html); urban 770.9萬 of "
          "936.99萬 (https://maigoo.com/news/688369.html)",
    "fz": "福州: 2010 711.54萬 (https://360docs.net/doc/12281859.html) + increase 117.59萬 incl. 平潭 "
          "(https://jiongage.com/big5/news/data/hongguan/20210521/1018221454558.shtml) = 829.13萬",
    "xm": "廈門 census 5,163,970 vs 3,531,347 (http://hbzqbyyxgs.com/news/514965.html); urban share 89.4% "
          "(end-2020 table, http://hbzqbyyxgs.com/news/4jgNNDYw.html)",
    "nc": "南昌 census 6,255,007 vs 5,042,565 (https://www.xuehua.us/a/60ae049dd1b7b9b29786ff0a)",
    "jn": "濟南 incl. urban 6,760,007 (https://www.citypopulation.de/en/china/shandong/admin/3701__jìnán_shì/)",
    "qd": "青島 census 10,071,722 vs 8,715,087 (http://m.hbzqbyyxgs.com/news/506054.html); urban 76.34% "
          "(http://www.sqzimxl.cn/p/270991.html)",
    "hz3": "鄭州 1260.06萬 vs 862.65萬; 長沙 1004.79萬 (https://m.askci.com/news/data/chanxiao/20210609/"
           "1740441477355.shtml); 長沙 2010 704.41萬 (https://360docs.net/doc/12281859.html)",
    "wh": "武漢 12,326,500 of whom 10,392,700 urban (http://english.wuhan.gov.cn/overview4of4wuhan/"
          "administrative4divisionand4population/202110/t20211026_1819197.shtml); 2010 978.54萬 (askci, above)",
    "gz": "廣州 18,676,605 vs 12,701,948 (http://citypopulation.de/en/china/guangdong/admin/); urban 86.19% "
          "(廣州 communiqué No. 6, http://www.moonvisionstudio.com/zwgk/sjfb/tjgb/content/post_7286220.html)",
    "gd": "廣東 communiqué: 深圳 17,560,061 (+7,136,531), 東莞 10,466,625, 佛山 949.89萬 "
          "(http://wenrenren.com/c/0R01A5M2021.html); 東莞/佛山 2010 (http://citypopulation.de/en/china/guangdong/admin/)",
    "nn": "南寧 census 8,741,584 vs 6,661,610 (http://578lya.com/zixun/neirong/33940.html)",
    "hk": "海口 2,873,358, urban 81.76% (海南省各市縣人口列表, https://wiwiwiki.kfd.me/wiki/海南省各市县人口列表); "
          "2010 [E]: 2020 figure deflated by Hainan's 2010–20 growth",
    "cd": "成都 20,937,757; 2010 15,118,839 on 2020 boundaries "
          "(https://citypopulation.de/en/china/sichuan/admin/5101__chéngdū_shì/)",
    "gy": "貴陽 5,987,018, +1,662,457 on 2010 (貴州 communiqué No. 2, https://www.rh.gov.cn/zwgk/tjxx/202112/"
          "t20211215_72043912.html)",
    "km": "昆明 8,460,088 vs 6,432,212 (http://yn.people.com.cn/BIG5/n2/2021/0607/c378439-34764044.html)",
    "ls": "拉薩 86.79萬, 2010 55.94萬 (http://tibet.cn/cn/news/zx/202105/t20210520_7007386.html; "
          "http://hbzqbyyxgs.com/news/688574.html)",
    "xa": "西安 12,952,907 (2020 census, Wikipedia infobox mirror https://askwikinow.com/view_html.php?lang=en&q=Xi%27an); "
          "2010 8,467,837 (http://2016.cipediatrics.org/about-xian/)",
    "lz": "蘭州 4,359,446 vs 3,616,163, urban 83.10% (http://xzqh.info/lt/read.php?fpage=2&tid=168961)",
    "xn": "西寧 [low confidence]: end-2022 248.0萬 used as a proxy for 2020 (http://m.hbzqbyyxgs.com/top/434882.html); "
          "222.80萬 as the 2010 figure (http://www.doczj.com/doc/ff1022578.html)",
    "yc": "銀川 = sum of the six districts/counties in 銀川 communiqué No. 2 (2,859,074); 2010 = that minus "
          "the six increases (http://shdongning.com/xxgk/bmxxgkml/stjj/xxgkml_2517/tjxx_7670/tjgb_7671/202106/"
          "t20210602_2870940.html)",
    "wlmq": "烏魯木齊 2020 census '405萬' rounded (https://www.wulaqu.com/read-240643.html); 2010 3,112,559 "
            "(https://360docs.net/doc/0319353405.html)",
}


def urban_rate_rule(prov_rate_pct: float) -> float:
    """[E] urbanisation rate of a centre city without a cited figure: halve the province's rural share
    Checked against the cities with a cited rate: 武漢 rule 81.4 vs cited 84.3; 杭州 86.1 vs 83.3; 濟南 81.5
    vs 73.5; 廣州 87.1 vs 86.2; 長春 81.3 vs 65.9; 蘭州 76.1 vs 83.1 — right on average, ±8 points."""
    return min(97.0, prov_rate_pct + 0.5 * (100.0 - prov_rate_pct))


def cagr(p_now: float, p_then: float, years: int = 10) -> float:
    return (p_now / p_then) ** (1.0 / years) - 1.0


def rnd(x: float, step: float) -> float:
    return round(round(x / step) * step, 6)


def per_capita_by_province(prov: dict) -> dict:
    """[E] Per-capita urban construction land of each province, m² per urban resident, and its land, ha.

    per-capita = built-up area 2020 ÷ city-district (城區) residents 2020, where
      * built-up area 2020 = the 2022 figure [S] × k, with k chosen so that the 30 provinces plus 北京
        add up to the national 2020 total 60,721.32 km² [V] (k ≈ 0.93, i.e. ≈ 3.6%/yr growth);
      * city-district residents = urban residents × s_p, s_p = 63.75% (5.75億 ÷ 9.02億 [S]) × the
        province's urbanisation rate ÷ 63.89%, scaled so that the provinces add up to 5.75億, capped at
        93%; 北京 and 上海 use their cited city-district populations [S].
    Bounded to [60, 150] m². The value is then applied to all the unit's urban residents (county seats
    and towns at the city rate): urban construction land = per-capita × urban residents.
    """
    cd = {}
    for c, p in prov.items():
        cd[c] = (CITY_DISTRICT_POP_2020[c] if c in CITY_DISTRICT_POP_2020 else
                 p["urban"] * p["rate"] / (100 * NAT_URBAN_SHARE_2020))
    free = [c for c in prov if c not in CITY_DISTRICT_POP_2020]
    scale = (NAT_CITY_DISTRICT_POP_2020 - sum(CITY_DISTRICT_POP_2020.values())) / sum(cd[c] for c in free)
    for c in free:
        cd[c] = min(CITY_DISTRICT_SHARE_CAP * prov[c]["urban"], cd[c] * scale)
    # built-up area: k keeps the national total with 北京's estimate inside it
    bj = "110000"

    def pc_of(c, k):
        return PROV_BUILTUP_2022_KM2[c] * k * 1e6 / cd[c]

    k = NAT_BUILTUP_2020_KM2 / sum(PROV_BUILTUP_2022_KM2.values())
    for _ in range(50):  # fixed point: 北京's area depends on k through its peers' per-capita
        bj_pc = sum(pc_of(c, k) for c in BJ_PC_RULE_PEERS) / len(BJ_PC_RULE_PEERS)
        bj_km2 = bj_pc * cd[bj] / 1e6
        k = (NAT_BUILTUP_2020_KM2 - bj_km2) / sum(PROV_BUILTUP_2022_KM2.values())
    lo, hi = PC_BOUNDS_M2
    for c, p in prov.items():
        area_km2 = bj_km2 if c == bj else PROV_BUILTUP_2022_KM2[c] * k
        p["builtup_2020_km2"] = area_km2
        p["city_district_pop"] = cd[c]
        p["pc_raw_m2"] = area_km2 * 1e6 / cd[c]
        p["pc_m2"] = min(hi, max(lo, p["pc_raw_m2"]))
        p["land_ha"] = p["pc_m2"] * p["urban"] / 1e4
    return {"builtup_k": k, "bj_km2": bj_km2}


# =============================================================================================
# Build
# =============================================================================================
def build() -> dict:
    prov = {p[0]: dict(code=p[0], name=p[1], abbr=p[2], pop=p[3], rate=p[4], region=p[5], terrain=p[6])
            for p in PROVINCES}
    for p in prov.values():
        p["urban"] = p["pop"] * p["rate"] / 100.0

    # ---- per-capita urban construction land by province ------------------------------------
    meta = per_capita_by_province(prov)

    # ---- centre cities ---------------------------------------------------------------------
    units = []
    for (code, name, pc, abbr, tier, cluster, size, pop20, pop10, urate, src) in CITIES:
        p = prov[pc]
        if pop10 is None:  # 海口: deflate by the province's decade growth [E]
            pop10 = round(pop20 / (p["pop"] / HAINAN_POP_2010))
        if pc in MUNICIPALITIES:
            rate, rate_src = p["rate"], "province table [M]"
        elif urate is not None:
            rate, rate_src = urate, "cited [S]"
        else:
            rate, rate_src = urban_rate_rule(p["rate"]), "rule [E]"
        units.append(dict(code=code, name=name, prov=pc, abbr=abbr, tier=tier, cluster=cluster, size=size,
                          pop20=pop20, pop10=pop10, rate=rate, rate_src=rate_src, src=src, rest=False))

    # rest-of-province units; their 2010–20 growth is the national residual, spread evenly [E]
    sum_c20 = sum(u["pop20"] for u in units)
    sum_c10 = sum(u["pop10"] for u in units)
    rest_cagr = cagr(NAT_POP_2020 - sum_c20, NAT_POP_2010 - sum_c10)
    for pc, p in prov.items():
        if pc in MUNICIPALITIES:
            continue
        cs = [u for u in units if u["prov"] == pc]
        pop20 = p["pop"] - sum(u["pop20"] for u in cs)
        urb = p["urban"] - sum(u["pop20"] * u["rate"] / 100 for u in cs)
        assert pop20 > 0 and urb > 0, pc
        units.append(dict(code=f"{pc}-REST", name=f"{p['name']}其他", prov=pc, abbr="RE", tier="other", cluster=None,
                          size="other", pop20=pop20, pop10=pop20 / (1 + rest_cagr) ** 10,
                          rate=100.0 * urb / pop20, rate_src="residual [E]", src=None, rest=True))

    # ---- populations, growth, land, settlers -----------------------------------------------------
    nat_rural = 1.0 - NAT_URBAN_SHARE_2020
    for u in units:
        p = prov[u["prov"]]
        u["urban"] = u["pop20"] * u["rate"] / 100.0
        u["cagr"] = rest_cagr if u["rest"] else cagr(u["pop20"], u["pop10"])
        pull = URBAN_PULL * (1.0 - u["rate"] / 100.0) / nat_rural
        u["growth"] = DECEL * u["urban"] * (u["cagr"] + pull)
        u["registered"] = u["urban"] * NAT_REGISTERED_URBAN_SHARE_2020 / NAT_URBAN_SHARE_2020
    for pc, p in prov.items():
        cs = [u for u in units if u["prov"] == pc]
        if pc in MUNICIPALITIES:
            cs[0]["pc_m2"] = p["pc_m2"]
            continue
        centre = [u for u in cs if not u["rest"]]
        rest = [u for u in cs if u["rest"]][0]
        for u in centre:
            u["pc_m2"] = p["pc_m2"] * SIZE_DENSITY_FACTOR[u["size"]]
        land_c = sum(u["pc_m2"] * u["urban"] for u in centre)
        rest["pc_m2"] = (p["pc_m2"] * p["urban"] - land_c) / rest["urban"]
    for u in units:
        u["land_ha"] = u["pc_m2"] * u["urban"] / 1e4
        u["stock_ha"] = STOCK_SHARE * u["land_ha"]
        reg = prov[u["prov"]]["region"]
        cls = u["size"] if u["size"] in ("super_large", "mega") else ("rest" if u["rest"] else "centre")
        u["value"] = LAND_VALUE[cls] * REGION_VALUE_FACTOR[reg]
        u["arable_share"] = ARABLE_SHARE[prov[u["prov"]]["terrain"]]
        u["weight"] = u["urban"] * OPENNESS[u["size"]] * (1.0 + GROWTH_WEIGHT_K * max(0.0, u["cagr"]))
    wsum = sum(u["weight"] for u in units)
    for u in units:
        u["settlers"] = NAT_SETTLERS_PER_YEAR * u["weight"] / wsum
        u["central"] = CENTRAL_DISTRICT_SHARE.get(u["size"], 0.0)
        std = 100.0 if u["pc_m2"] <= 100 else 88.0 if u["pc_m2"] < 120 else 80.0 if u["pc_m2"] <= 150 else 50.0
        u["need_ha"] = std * u["settlers"] * (1 - u["central"]) / 1e4
        # models.coefficients: settler need + resident growth × today's per-capita land − stock
        u["growth_need_ha"] = u["pc_m2"] * max(0.0, u["growth"]) / 1e4
        u["general_room"] = max(0.0, u["need_ha"] + u["growth_need_ha"] - u["stock_ha"])
        eff_cap = min(max(100.0, u["pc_m2"]), u["pc_m2"] + 20.0)
        u["cap_room"] = max(0.0, eff_cap * (u["urban"] + u["growth"]) / 1e4 - u["land_ha"])
        u["usable_general"] = min(u["general_room"], u["cap_room"])

    # ---- provincial pools ------------------------------------------------------------------
    tot = {k: sum(u[k] for u in units) for k in ("need_ha", "growth", "urban")}
    for pc, p in prov.items():
        cs = [u for u in units if u["prov"] == pc]
        share = sum(POOL_WEIGHTS[k] * sum(u[v] for u in cs) / tot[v]
                    for k, v in (("need", "need_ha"), ("growth", "growth"), ("urban", "urban")))
        p["pool"] = NAT_POOL_HA * share
    # round to 10 ha keeping the national total
    for p in prov.values():
        p["pool"] = rnd(p["pool"], 10)

    # ---- projects ----------------------------------------------------------------------------
    rng = random.Random(SEED)
    projects = []
    for pc, p in prov.items():
        cs = [u for u in units if u["prov"] == pc]
        g_room = sum(u["general_room"] for u in cs)
        budget = max(0.0, p["pool"] - g_room)
        target = budget * PROJECT_DEMAND_FACTOR["buyer" if pc in LAND_BUYERS else "other"]
        centre = [u for u in cs if not u["rest"]]
        rest = [u for u in cs if u["rest"]]
        if rest:
            g_c = sum(u["general_room"] for u in centre)
            t_c = min(target, max(0.6 * target, TILT_TARGET * p["pool"] - g_c))
            t_r = target - t_c
            ucs = sum(u["urban"] for u in centre)
            for u in centre:
                u["proj_target"] = t_c * u["urban"] / ucs
            rest[0]["proj_target"] = t_r
        else:
            centre[0]["proj_target"] = target
        for u in cs:
            # never more candidate land than the per-capita cap leaves after the settler need
            u["proj_target"] = max(20.0, min(u["proj_target"], 0.9 * max(0.0, u["cap_room"] - u["need_ha"])))
            projects += make_projects(rng, p, u)

    # ---- reserves, surplus -----------------------------------------------------------------------
    rural_sellers = {pc: prov[pc]["pop"] - prov[pc]["urban"] for pc in LAND_SELLERS}
    rs = sum(rural_sellers.values())
    for pc, p in prov.items():
        cs = [u for u in units if u["prov"] == pc]
        cand = [j for j in projects if j["_prov"] == pc]
        area = sum(j["_area"] for j in cand)
        arable = sum(j["_arable"] for j in cand)
        g_room = sum(u["general_room"] for u in cs)
        g_arable = sum(u["general_room"] * u["arable_share"] for u in cs)
        proj_used = max(0.0, p["pool"] - g_room)
        expected = g_arable + proj_used * (arable / area if area else 0.0)
        kind = "farmland_buyer" if pc in FARMLAND_BUYERS else "farmland_seller" if pc in FARMLAND_SELLERS else "other"
        p["reserve"] = rnd(RESERVE_FACTOR[kind] * expected, 10)
        p["surplus"] = rnd(SURPLUS_NATIONAL_HA * rural_sellers[pc] / rs, 10) if pc in LAND_SELLERS else 0.0

    return assemble(prov, units, projects, rest_cagr)


SMALL_CATS = ["public_service_gap", "parking", "elderly_care", "utility_tunnel", "resettlement_housing",
              "characteristic_town"]
LARGE_CATS = ["industrial", "infrastructure", "new_urbanisation", "urban_rural_integration", "resettlement_housing",
              "characteristic_town", "industrial", "infrastructure"]
LARGE_TYPICAL_HA = 1800.0
MAX_LARGE = 5
"""[E] a unit gets one large project per 1,800 ha of candidate area, 2 to 5 of them."""
CAT_VALUE = {"industrial": 1.3, "infrastructure": 1.0, "new_urbanisation": 1.2, "urban_rural_integration": 1.0,
             "resettlement_housing": 0.9, "characteristic_town": 0.9, "public_service_gap": 1.1,
             "utility_tunnel": 1.1, "parking": 1.0, "elderly_care": 1.0}
"""[E] value multiplier by category (value per ha = unit land value × multiplier × U(0.75, 1.7))."""


def make_projects(rng: random.Random, p: dict, u: dict) -> list[dict]:
    """4–8 projects for one unit [E]: two or three small ones around the 35/70 ha thresholds, and 2–5
    large ones (one per 1,800 ha of candidate area) sharing the rest by gamma(3) weights; mixes of PBF /
    arable / other land."""
    k_small = rng.choice([2, 2, 3])
    target = u["proj_target"]
    out = []
    small_area = 0.0
    specs = []
    for i in range(k_small):
        kind = rng.choice(["arable", "other", "pbf"])
        if kind == "arable":
            parcels = [("arable", rnd(rng.uniform(15, 60), 0.5))]
        elif kind == "other":
            parcels = [("other", rnd(rng.uniform(30, 110), 0.5))]
        else:
            parcels = [("permanent_basic_farmland", rnd(rng.uniform(2, 12), 0.5)),
                       ("other", rnd(rng.uniform(10, 40), 0.5))]
        small_area += sum(a for _, a in parcels)
        specs.append((rng.choice(SMALL_CATS), parcels))
    remaining = max(0.0, target - small_area)
    n_large = min(MAX_LARGE, max(2, math.ceil(remaining / LARGE_TYPICAL_HA)))
    weights = [rng.gammavariate(3.0, 1.0) for _ in range(n_large)]
    ws = sum(weights)
    for w in weights:
        area = max(25.0, remaining * w / ws)
        parcels = []
        left = area
        if rng.random() < 0.35:
            a = rnd(area * rng.uniform(0.05, 0.2), 0.5)
            if a > 0:
                parcels.append(("permanent_basic_farmland", a))
                left -= a
        a = rnd(left * rng.uniform(0.2, 0.55), 0.5)
        if a > 0:
            parcels.append(("arable", a))
            left -= a
        if left >= 0.5:
            parcels.append(("other", rnd(left, 0.5)))
        specs.append((rng.choice(LARGE_CATS), parcels))
    for i, (cat, parcels) in enumerate(specs, start=1):
        area = sum(a for _, a in parcels)
        value = area * u["value"] * CAT_VALUE[cat] * rng.uniform(0.75, 1.7) / 1e4
        out.append(dict(
            id=f"{p['abbr']}-{u['abbr']}-{i:03d}", city_code=u["code"], category=cat,
            value_cny_100m=round(value, 2), committed=False,
            parcels=[dict(land_type=t, area_ha=a) for t, a in parcels],
            _prov=p["code"], _area=area,
            _arable=sum(a for t, a in parcels if t != "other"),
        ))
    return out


def assemble(prov: dict, units: list[dict], projects: list[dict], rest_cagr: float) -> dict:
    provinces = []
    for pc, p in prov.items():
        provinces.append(dict(
            code=pc, name=p["name"],
            new_land_pool_ha_per_year=p["pool"],
            approval_entrusted=None,
            supplementary_arable_reserve_ha=p["reserve"],
            land_quota_seller=pc in LAND_SELLERS,
            land_quota_buyer=pc in LAND_BUYERS,
            surplus_land_quota_ha_per_year=p["surplus"],
            farmland_quota_seller=pc in FARMLAND_SELLERS,
            farmland_quota_buyer=pc in FARMLAND_BUYERS,
            linkage_adjustment=0.0,
            fiscally_weak=pc in FISCALLY_WEAK,
            census_population=p["pop"],
            urbanisation_rate_pct=p["rate"],
        ))
    order = {pc: i for i, pc in enumerate(prov)}
    units = sorted(units, key=lambda u: (order[u["prov"]], u["rest"], u["code"]))
    cities = []
    for u in units:
        grp = CROSS_GROUP.get(u["prov"], "other")
        cross = CROSS_PROVINCE_SHARE[grp][1 if u["rest"] else 0]
        cities.append(dict(
            code=u["code"], name=u["name"], province_code=u["prov"], tier=u["tier"],
            key_cluster=u["cluster"] is not None, size_class=u["size"],
            resident_population=round(u["urban"]),
            registered_population=round(u["registered"]),
            resident_population_growth_per_year=round(u["growth"]),
            settlers_per_year=round(u["settlers"]),
            settlers_central_district_share=u["central"],
            settlers_cross_province_share=cross,
            urban_construction_land_ha=rnd(u["land_ha"], 10),
            stock_land_available_ha=rnd(u["stock_ha"], 1),
            stock_revitalisation_cost_cny_10k_per_ha=rnd(u["value"] * REVITALISATION_COST_SHARE, 1),
            new_land_value_cny_10k_per_ha=rnd(u["value"], 1),
            general_land_arable_share=u["arable_share"],
        ))
    clean = [{k: v for k, v in j.items() if not k.startswith("_")} for j in projects]
    clean.sort(key=lambda j: j["id"])
    sources = {
        "provinces.census_population, provinces.urbanisation_rate_pct":
            "7th national census 2020-11-01, as tabled in shared/POLICY.md: population [V], urban % [M].",
        "cities (which)": "4 municipalities (city unit = whole municipality, GB/T 2260 xx0100), 27 provincial "
            "capitals, 5 separately listed cities (大連 青島 寧波 廈門 深圳), and the two mega cities that are "
            "not capitals (東莞 441900, 佛山 440600) as node cities so that their central districts get no "
            "settler land; plus one <province>-REST unit per non-municipal province.",
        "cities.size_class": "super-large/mega lists of 國土資發〔2016〕123號 as in POLICY.md [V] (7th-census 城區人口).",
        "cities.key_cluster": "member of a cluster with a State-Council plan or national strategy: "
            + "; ".join(f"{k}: {v}" for k, v in KEY_CLUSTERS.items())
            + ". Rest-of-province units are never flagged (an aggregate). [E for the choice of list]",
        "cities.resident_population": "urban (城鎮) resident population = 7th-census population × urbanisation "
            "rate. City populations [S] (pages in the provenance file), urbanisation rate cited where found, "
            "else rule: province rate + half its rural share [E]; rest-of-province = province − centre cities.",
        "cities.registered_population": "[E] urban residents × 45.4/63.89 (national 戶籍 vs 常住 urbanisation, "
            "communiqué No. 7).",
        "cities.resident_population_growth_per_year": f"[E] 0.5 × urban pop × (2010–20 population CAGR + 2.55%/yr "
            f"× rural share ÷ national rural share); rest-of-province units use the national residual CAGR "
            f"({rest_cagr * 100:.2f}%/yr).",
        "cities.settlers_per_year": "[E] 16.7 million/yr nationally (100 million 2015–2020 [V]) split by urban pop "
            "× openness (super-large 0.35, mega 0.7, other 1) × (1 + 20 × CAGR).",
        "cities.settlers_central_district_share": "[E] super-large 0.6, mega 0.5.",
        "cities.settlers_cross_province_share": "[E] by province group (destinations 北京 天津 上海 廣東 浙江 0.6/0.5; "
            "江蘇 福建 0.45/0.3; others 0.15/0.05); national cross-province migrant share 33% (communiqué No. 7).",
        "cities.urban_construction_land_ha": "[E] built-up area as urban construction land: national 60,721 km² "
            "(2020) [V]; 7 provinces from their 2022 built-up area [M] × 0.95; the rest share the residual per "
            "urban resident; centre cities × 0.85 (super-large) / 0.9 (mega), rest-of-province takes the residual. "
            "Excludes county-seat and town built-up area, so per-capita values are low (a known understatement).",
        "cities.stock_land_available_ha": "[E] 0.5% of urban construction land per year.",
        "cities.new_land_value_cny_10k_per_ha": "[E] 2,400 super-large / 1,500 mega / 1,000 other centre / 450 rest "
            "萬元/ha × regional factor (east 1.3, central 1.0, west and north-east 0.8).",
        "cities.stock_revitalisation_cost_cny_10k_per_ha": "[E] 35% of the land value.",
        "cities.general_land_arable_share": "[E] 0.6 plains provinces, 0.35 mountain provinces, 0.5 others.",
        "provinces.new_land_pool_ha_per_year": "[E] 400,000 ha (600萬畝 [V]) × (0.4 settler-land-need share + 0.4 "
            "urban-growth share + 0.2 urban-population share), rounded to 10 ha.",
        "provinces.supplementary_arable_reserve_ha": "[E] factor × arable land occupied if the pool were used in "
            "full (buyers 0.6, farmland sellers 1.8, others 1.2).",
        "provinces.land_quota_seller/surplus": "三區三州 provinces [V] + 貴州 寧夏 [E]; surplus 20,000 ha/yr "
            "nationally [E] split by rural population.",
        "provinces.land_quota_buyer, farmland_quota_buyer": "provinces priced by 國辦發〔2018〕16號 [M] + 福建 山東 [E].",
        "provinces.farmland_quota_seller": "land sellers + 黑龍江 內蒙古 吉林 (arable reserve resources) [E].",
        "provinces.fiscally_weak": "[E] 西部大開發 12 provinces + 東北 3.",
        "provinces.approval_entrusted": "null: policy default, the 8 pilots of 國發〔2020〕4號 [V].",
        "projects": f"[E] synthetic, seed {SEED}: 4–8 per unit (2–3 small ones around the 35/70 ha thresholds, 2–5 large ones); candidate area = 1.25 × (pool − general-use room) "
            "(1.5 for buyer provinces), centre cities ≥ 62% of the pool; values = area × unit land value × "
            "category factor × U(0.75, 1.7). Not real projects.",
        "policy": "defaults of models.policy.PolicyParameters (shared/POLICY.md).",
        "regeneration": ".venv/bin/python -m datasets.build_china_2020",
    }
    return dict(
        name="china-2020",
        description=(
            "National scenario for the 2020 construction-land plan: 31 provinces, 38 centre/node cities and 27 "
            f"rest-of-province units, {len(clean)} synthetic projects. Census populations are 7th-census statistics "
            "(cited); every other figure is an ESTIMATE by a documented rule (datasets/build_china_2020.py, "
            "datasets/china-2020.provenance.md). Not official plan figures."
        ),
        years=1,
        provinces=provinces,
        cities=cities,
        projects=clean,
        sources=sources,
    )


# =============================================================================================
def summary() -> None:
    from datasets import load_dataset
    from solvers.highs import solve_scenario

    s = load_dataset("china-2020")
    r = solve_scenario(s)
    print(f"status {r.status}  objective {r.objective_cny_100m:,.1f} 亿元  solve {r.stats.solve_s:.2f}s  "
          f"vars {r.stats.variables} rows {r.stats.constraints}")
    new = sum(p.new_land_ha for p in r.provinces)
    pool_used = sum(p.pool_used_ha for p in r.provinces)
    print(f"new land {new:,.0f} ha (pools {sum(p.pool_ha_per_year for p in r.provinces):,.0f}, "
          f"pool used {pool_used:,.0f}, national cap {s.policy.national_new_land_total_ha:,.0f})")
    print(f"shortfalls {len(r.shortfalls)}: " + ", ".join(f"{x.rule}@{x.region}={x.amount_ha:.1f}" for x in r.shortfalls))
    print(f"{'prov':8}{'pool':>9}{'new':>9}{'used%':>7}{'buyL':>8}{'sellL':>8}{'arable':>9}{'reserve':>9}"
          f"{'buyF':>8}{'sellF':>8}{'tilt':>6}")
    for p in r.provinces:
        print(f"{p.name:6}{p.pool_ha_per_year:9.0f}{p.new_land_ha:9.0f}{100 * p.pool_used_ha / max(p.pool_ha_per_year, 1):7.1f}"
              f"{p.land_quota_bought_ha:8.0f}{p.land_quota_sold_ha:8.0f}{p.arable_occupied_ha:9.0f}"
              f"{p.supplementary_reserve_ha:9.0f}{p.farmland_quota_bought_ha:8.0f}{p.farmland_quota_sold_ha:8.0f}"
              f"{(p.tilted_share or 0):6.2f}")
    used = sum(1 for p in r.provinces if p.pool_used_ha >= 0.9 * p.pool_ha_per_year)
    print(f"provinces using ≥90% of their pool: {used}/31")
    over = [c for c in r.cities if c.per_capita_after_m2 > c.per_capita_cap_m2 + 1e-6]
    print(f"cities over their per-capita cap after the plan: {len(over)}")
    sel = [j for j in r.projects if j.selected_share > 1e-6]
    mix = {}
    for j in sel:
        mix[j.approval_authority] = mix.get(j.approval_authority, 0) + 1
    allmix = {}
    for j in r.projects:
        allmix[j.approval_authority] = allmix.get(j.approval_authority, 0) + 1
    print(f"projects {len(r.projects)} (routes {allmix}); selected {len(sel)} (routes {mix})")
    lt = [t for t in r.trades if t.market == "construction_land"]
    ft = [t for t in r.trades if t.market == "supplementary_farmland"]
    print(f"trades: construction land {len(lt)} rows, {sum(t.area_ha for t in lt if t.side == 'buy'):,.0f} ha; "
          f"farmland {len(ft)} rows, {sum(t.area_ha for t in ft if t.side == 'buy'):,.0f} ha")
    for t in r.trades:
        print(f"  {t.market:22}{t.province_code:8}{t.side:5}{t.area_ha:9.0f} ha {t.amount_cny_100m:8.1f} 亿元")
    centre = sum(c.new_land_ha for c in r.cities if c.tilted)
    print(f"centre/key-cluster share of new land: {centre / new:.2%}")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--check", action="store_true", help="solve the written scenario and print a summary")
    args = ap.parse_args()
    data = build()
    OUT.write_text(json.dumps(data, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    print(f"wrote {OUT} ({len(data['provinces'])} provinces, {len(data['cities'])} cities, "
          f"{len(data['projects'])} projects)")
    if args.check:
        summary()


if __name__ == "__main__":
    main()
