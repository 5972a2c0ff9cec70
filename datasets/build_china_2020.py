"""Build the bundled national scenario ``china-2020`` (writes ``datasets/china-2020.json``).

    .venv/bin/python -m datasets.build_china_2020            # write the JSON
    .venv/bin/python -m datasets.build_china_2020 --check    # also solve it and print a summary

Deterministic: no network, one fixed random seed (projects only), every constant below with its
source. Tags as in ``shared/POLICY.md``: **[V]** confirmed in a published text, **[M]** widely
reported, **[S]** a public statistic found in a stored copy of a public page (the page is named),
**[E]** an estimate produced by a rule written in this file (and in ``china-2020.provenance.md``),
**[A]** an assumption with no published figure behind it (a share, a rate).

What is cited and what is estimated
-----------------------------------
* Provinces: 7th-census population [V] and urbanisation rate [M] from POLICY.md; 2022 urban built-up
  area [S] (all provinces but 北京); 2020 general-budget revenue [S].
* National anchors: 2020 built-up area [V], city-district (城區) population [S], government-fund
  revenue [S]; debt balance, transfers, special bonds, central budget investment [M].
* Centre cities: 7th-census (2020) and 6th-census (2010) resident population of the whole
  municipality / prefecture-level city [S], with the page each figure was read from; the city's
  urbanisation rate where a page gave it [S], else the rule ``urban_rate_rule`` [E].
* Everything else per city (per-capita land, growth, settlers, stock, values, projects) and per
  province (pools, reserves, surplus quota, trading roles, fiscal capacity, debt, quotas) and every
  funding limit is an estimate by a rule in this file, anchored on those magnitudes.
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
SIZE_DENSITY_FACTOR = {"super_large": 0.65, "mega": 0.65, "other": 0.65}
"""[E] per-capita urban construction land of a centre city (capital, separately listed or node city) = 0.7 ×
its province's value; the rest-of-province unit takes the residual, so each province's land is kept (until
the unit bounds below cut it). Larger cities are denser: 上海, the only centre with its own built-up and
city-district figures in this file, comes out at ≈ 58 m² against 106 m² nationally; county seats and small
cities are the sprawling part. Low confidence: no city-level built-up figures are cited here."""
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
PROJECT_LAND_SHARE = 0.2
"""[E] share of a province's new urban construction land taken by discrete project applications
(industrial parks, infrastructure, public facilities, resettlement housing …); the rest is general-use
land for settlers and new residents. No published split; chosen so that projects are a minority use."""
CENTRE_PROJECT_SHARE = 0.6
"""[E] at least this share of a province's project land is placed in its centre cities."""
TILT_TARGET = 0.52
"""[E] pools and projects are sized so that centre and key-cluster cities can take at least this share of
their province's new land (the policy default asks for 50%: a 5-point margin)."""
PROJECT_DEMAND_FACTOR = {"buyer": 1.5, "other": 1.25}
"""[E] candidate project area = factor × the project land the pool leaves room for: more candidates than the
pool can take, so the plan must choose; buyers' surplus demand is what cross-regional trade serves. Never
more than the per-capita cap leaves after general-use land."""
RESERVE_FACTOR = {"farmland_buyer": 0.6, "farmland_seller": 1.8, "other": 1.2}
"""[E] supplementary arable reserve = factor × arable land the province would occupy if its pool
were used in full (general land × arable share + candidate projects' arable+PBF share)."""
CROSS_PROVINCE_SHARE = {
    "destination": (0.6, 0.5), "secondary": (0.45, 0.3), "other": (0.15, 0.05)}
"""[E] share of settlers from another province, (centre city, rest of province), by province group;
national average of cross-province migrants is 33% (communiqué No. 7)."""

# =============================================================================================
# Item (21) finance: national anchors and rules
# =============================================================================================
GENERAL_REVENUE_2020 = {
    "440000": 12921.92, "320000": 9059.43, "330000": 7248.0, "310000": 7046.3, "370000": 6560.0,
    "110000": 5481.46, "510000": 4258.0, "410000": 4155.2, "130000": 3778.38, "340000": 3216.0,
    "350000": 3080.0, "430000": 3080.44, "210000": 2655.6, "420000": 2511.2, "360000": 2507.0,
    "140000": 2296.5, "610000": 2257.0, "530000": 2116.7, "500000": 2095.0, "150000": 2051.3,
    "120000": 1923.10, "520000": 1786.78, "450000": 1716.94, "650000": 1569.71, "230000": 1152.50,
    "220000": 1085.00, "620000": 874.50, "460000": 816.10, "640000": 419.40, "630000": 298.00,
    "540000": 220.98}
"""2020 general-budget revenue (一般公共預算收入) of each province, 億元 [S]: the 31 provincial figures listed at
http://pdsen.cn/uxmh/7929d3de471361454.html (廣東 12,921.92 … 西藏 220.98). They add up to ≈ 100,000億,
the national local general-budget revenue."""
NAT_TRANSFERS_2020 = 83_218.0
"""Central transfers to local governments 2020 (中央對地方轉移支付), 億元 [M] (MoF 2020 final accounts, widely
reported; not confirmed against a stored page). Split by TRANSFER rule below [E]."""
NAT_FUND_REVENUE_2020 = 89_926.87
FUND_REVENUE_2020_CITED = {"320000": 11_359.39}
"""Local government-fund revenue 2020 (政府性基金預算收入) 89,926.87億, of which land-sale revenue 84,142億; 江蘇
11,359.39億 the largest, then 浙江 廣東 山東 四川; 海南 黑龍江 青海 寧夏 西藏 the smallest [S] (rating-agency
review at https://fxbaogao.com/detail/2786241). Other provinces by the FUND rule [E]."""
NAT_DEBT_2020 = 256_615.0
"""Local government debt balance end-2020, 億元 [M] (25.66萬億, widely reported; Moody's put it at 25.6萬億
at end-September 2020 [S]: https://www.scmp.com/economy/china-economy/article/3132815)."""
NAT_DEBT_RATIO_2020 = 0.936
"""National debt ratio (債務率) 2020, 93.6% [M] (MoF, widely reported). Check: 256,615 ÷ (revenue ≈ 100,000 +
transfers 83,218 + fund revenue 89,927) = 93.9%, so comprehensive capacity = the sum of the three [E]."""
TRANSFER_COST_FACTOR = {"540000": 4.0, "630000": 1.8, "640000": 1.5, "650000": 1.5}
TRANSFER_COST_WEAK = 1.2
"""[E] transfers equalise spending: weight = population × max(0.1 × ē, ē × m − r), where ē is the national
per-capita general-budget resources (revenue + transfers), r the province's per-capita revenue and m its
spending-need factor: 4.0 西藏 (plateau costs), 1.8 青海, 1.5 寧夏 新疆, 1.2 other fiscally weak provinces
(西部 + 東北), 1.0 elsewhere; scaled to the national total. Rich provinces keep a floor (tax rebates)."""
FUND_INCOME_EXPONENT = 0.5
"""[E] government-fund (mostly land-sale) revenue of a province other than 江蘇 ∝ urban residents × (per-capita
general revenue)^0.5, scaled to the national total less 江蘇: land markets scale with the urban population and
with income."""
DEBT_RISK_FACTOR = {"520000": 1.30, "150000": 1.30, "630000": 1.15, "460000": 1.15, "120000": 1.15,
                    "540000": 0.40}
"""Relative indebtedness, used by the DEBT rule [E] where the public record supports it:
* 貴州, 內蒙古 1.30 — named among the nine provinces whose debt ratio exceeded 100% (Local Government Bond Blue
  Book 2021, via SCMP 2021-05, https://www.scmp.com/economy/china-economy/article/3132815) [S];
* 青海, 海南 1.15 — the most indebted provinces by debt-to-GDP (SCMP 2020-01-27,
  https://www.scmp.com/economy/china-economy/article/3047527) [S];
* 天津 1.15 — among the ten cities with the highest 2020 debt ratios (Databao/Tencent ranking, reported at
  https://www.breakinglatest.news/news/the-debt-ratio-ranking-of-mainland-cities-released-beijing-is-10-times-that-of-shenzhen-debt-ratio-local-government/;
  that ranking also counts LGFV bonds) [S];
* 西藏 0.40 — very little bonded debt relative to its transfer-funded budget [E, not cited];
* 1.0 elsewhere. The other seven provinces over 100% in the Blue Book are not named in a stored page, so no
  other province is pushed over the line by hand."""
DEBT_DEPENDENCE_K = 0.25
"""[E] debt ∝ capacity × risk factor × (1 + 0.6 × (transfer share of capacity − national share)): provinces that
depend on transfers borrowed more against their own resources (scaled to the national total)."""
DEBT_SERVICE_SHARE = 1796.5 / 11872.0
"""Existing debt service per year ≈ 15.1% of the balance [E], the ratio in 貴州's 2021 disclosure: principal
and interest paid 1,796.5億 on a balance of 11,872億 [S] (China local-government bond disclosure platform, as
reported at https://bactf.com/news/china_politics/202312/0436750.html). Informative only."""
NAT_SPECIAL_BONDS_2020 = 37_500.0
"""New local special bonds 2020, 3.75萬億元 [M]."""
SPECIAL_BOND_SHARE_FOR_PROJECTS = 0.03
"""[A] share of the special-bond quota available to this dataset's candidate projects (the rest funds
shanty-town renovation, land reserves, transport, etc. outside these projects). No published figure."""
CDB_URBANISATION_LOANS_PER_YEAR = 2783.0 * 12 / 8
"""CDB new-urbanisation infrastructure medium/long-term loans ≈ 4,175億 a year: 2,783億 in January–August 2024
[S] (新華網 via http://cnganbu.cn/news/view?id=60009), annualised [E]; used as the 2020 order of magnitude."""
ADBC_INTEGRATION_LOANS_PER_YEAR = 1600.3
"""ADBC urban-rural integration (城鄉發展一體化) loans 1,600.3億 in 2017 [S] (新華社 2018-01-25,
http://big5.www.gov.cn/gate/big5/www.gov.cn/xinwen/2018-01/25/content_5260599.htm)."""
CREDIT_SHARE_FOR_PROJECTS = {"cdb_loan": 1.0, "adbc_loan": 1.0}
"""[A] share of each bank's yearly lending of that kind available as comprehensive credit lines to this
dataset's candidate projects."""
CENTRAL_BUDGET_2020 = 6000.0
CENTRAL_BUDGET_SHARE_FOR_PROJECTS = 0.05
"""Central budget investment 2020, 6,000億 [M]; [A] 5% of it open to these projects' eligible categories."""
INVESTMENT_MULT = {"industrial": 2.5, "infrastructure": 3.5, "new_urbanisation": 3.0, "urban_rural_integration": 2.5,
                   "resettlement_housing": 3.5, "characteristic_town": 2.5, "public_service_gap": 3.5,
                   "utility_tunnel": 6.0, "parking": 4.0, "elderly_care": 4.0, "land_consolidation": 1.5}
"""[E] total investment = area × the unit's land value (萬元/ha) × this multiplier × U(0.8, 1.25): capital
intensity tracks land prices (denser, costlier building where land is dear). Gives ≈ 0.1億/ha in a western
county and ≈ 1億/ha in a super-large eastern city; investment is 2–5 × the project's net value, so financing
costs are material but a normal mix (20% capital, bonds or policy loans) leaves valuable projects fundable."""
COUNTY_SEAT_CATS = {"new_urbanisation", "public_service_gap", "parking", "elderly_care", "utility_tunnel",
                    "resettlement_housing", "characteristic_town", "urban_rural_integration", "infrastructure"}
COUNTY_SEAT_PROB = 0.6
COUNTY_SEAT_MAX_HA = 300.0
"""[E] a rest-of-province project of a county-seat urbanisation category (發改辦財金規〔2020〕613號 lists
public services, municipal utilities, industrial platforms …) of at most 300 ha is in a county seat with
probability 0.6 (drawn with the project seed)."""

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
        rest["pc_m2"] = min(PC_BOUNDS_M2[1], max(PC_BOUNDS_M2[0], (p["pc_m2"] * p["urban"] - land_c) / rest["urban"]))
    for u in units:
        # the JSON carries whole persons and land floored to 10 ha; every rule below reads those numbers, so
        # the tier a unit falls in is the tier the model computes
        u["urban"] = float(round(u["urban"]))
        u["land_ha"] = math.floor(u["pc_m2"] * u["urban"] / 1e4 / 10) * 10.0
        u["pc_m2"] = u["land_ha"] * 1e4 / u["urban"]
        u["growth"] = float(round(u["growth"]))
        u["stock_ha"] = rnd(STOCK_SHARE * u["land_ha"], 1)
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
        u["settlers"] = float(round(u["settlers"]))
        u["need_ha"] = std * u["settlers"] * (1 - u["central"]) / 1e4
        # models.coefficients: settler need + resident growth × today's per-capita land − stock
        u["growth_need_ha"] = u["pc_m2"] * max(0.0, u["growth"]) / 1e4
        u["general_room"] = max(0.0, u["need_ha"] + u["growth_need_ha"] - u["stock_ha"])
        eff_cap = min(max(100.0, u["pc_m2"]), u["pc_m2"] + 20.0)
        u["cap_room"] = max(0.0, eff_cap * (u["urban"] + u["growth"]) / 1e4 - u["land_ha"])

    # ---- provincial pools and projects: the land a province's units can use under the per-capita cap
    # and the tilt, with the candidate projects that carry its project share -------------------------
    rng = random.Random(SEED)
    projects = []
    for u in units:
        u["general_use"] = min(u["general_room"], u["cap_room"])
        u["project_room"] = max(0.0, u["cap_room"] - u["general_use"])
    ratio = TILT_TARGET / (1 - TILT_TARGET)
    for pc, p in prov.items():
        cs = [u for u in units if u["prov"] == pc]
        tilted = [u for u in cs if not u["rest"]]
        rest = [u for u in cs if u["rest"]]
        factor = PROJECT_DEMAND_FACTOR["buyer" if pc in LAND_BUYERS else "other"]
        g_t = sum(u["general_use"] for u in tilted)
        g_r = sum(u["general_use"] for u in rest)
        proj = PROJECT_LAND_SHARE / (1 - PROJECT_LAND_SHARE) * (g_t + g_r)
        want_t = max(CENTRE_PROJECT_SHARE * proj, ratio * g_r - g_t) if rest else proj
        p_t = place_projects(rng, p, tilted, want_t, factor, projects)
        g_r_used = p_r = 0.0
        if rest:
            # the tilt: rest-of-province land ≤ (1 − target)/target × centre land; the settler floor first
            max_rest = (g_t + p_t) / ratio
            floor_r = sum(min(u["general_use"], max(0.0, u["need_ha"] - u["stock_ha"])) for u in rest)
            g_r_used = min(g_r, max(max_rest, floor_r))
            want_r = min(max(0.0, proj - p_t), max(0.0, max_rest - g_r_used))
            p_r = place_projects(rng, p, rest, want_r, factor, projects)
        p["proj_land"] = p_t + p_r
        p["general_use"] = g_t + g_r_used
        p["pool"] = g_t + p_t + g_r_used + p_r
        p["rest_general_cut"] = g_r - g_r_used
    total = sum(p["pool"] for p in prov.values())
    if total > NAT_POOL_HA:
        for p in prov.values():
            p["pool"] *= NAT_POOL_HA / total
    for p in prov.values():
        p["pool"] = rnd(p["pool"], 10)

    # ---- reserves, surplus -----------------------------------------------------------------------
    rural_sellers = {pc: prov[pc]["pop"] - prov[pc]["urban"] for pc in LAND_SELLERS}
    rs = sum(rural_sellers.values())
    for pc, p in prov.items():
        cs = [u for u in units if u["prov"] == pc]
        cand = [j for j in projects if j["_prov"] == pc]
        area = sum(j["_area"] for j in cand)
        arable = sum(j["_arable"] for j in cand)
        g_arable = sum(u["general_use"] * u["arable_share"] for u in cs)
        expected = g_arable + p["proj_land"] * (arable / area if area else 0.0)
        kind = "farmland_buyer" if pc in FARMLAND_BUYERS else "farmland_seller" if pc in FARMLAND_SELLERS else "other"
        p["reserve"] = rnd(RESERVE_FACTOR[kind] * expected, 10)
        p["surplus"] = rnd(SURPLUS_NATIONAL_HA * rural_sellers[pc] / rs, 10) if pc in LAND_SELLERS else 0.0

    meta["finance"] = province_finance(prov)
    return assemble(prov, units, projects, rest_cagr, meta)


def fill(units: list[dict], amount: float) -> None:
    """Share ``amount`` ha of project land over ``units`` by urban population, never above a unit's project
    room (water-filling: what a full unit cannot take goes to the others)."""
    for u in units:
        u["proj_land"] = 0.0
    left, open_ = amount, list(units)
    while left > 1e-6 and open_:
        w = sum(u["urban"] for u in open_)
        spill = 0.0
        nxt = []
        for u in open_:
            share = left * u["urban"] / w
            room = u["project_room"] - u["proj_land"]
            if share >= room:
                u["proj_land"] += room
                spill += share - room
            else:
                u["proj_land"] += share
                nxt.append(u)
        left, open_ = spill, nxt


def place_projects(rng: random.Random, p: dict, units: list[dict], want: float, factor: float,
                   projects: list[dict]) -> float:
    """Share ``want`` ha of project land over ``units`` (fill), generate candidates of ``factor`` × that area
    (never above a unit's project room), and return the project land the candidates can actually carry
    (generated area ÷ factor, at most what was wanted)."""
    fill(units, want)
    got = 0.0
    for u in units:
        u["proj_target"] = min(u["project_room"], factor * u["proj_land"])
        made = make_projects(rng, p, u)
        projects += made
        main_area = sum(j["_area"] for j in made[2:])  # the two threshold projects are extra candidates
        u["proj_land"] = min(u["proj_land"], (main_area + sum(j["_area"] for j in made[:2])) / factor)
        got += u["proj_land"]
    return got


# =============================================================================================
# Projects
# =============================================================================================
SMALL_CATS = ["public_service_gap", "parking", "elderly_care", "utility_tunnel", "resettlement_housing",
              "characteristic_town"]
MAIN_CATS = ["industrial", "infrastructure", "new_urbanisation", "urban_rural_integration", "resettlement_housing",
             "characteristic_town", "industrial", "infrastructure", "public_service_gap", "new_urbanisation"]
MEDIAN_HA = 110.0
SIZE_SIGMA = 0.9
MAIN_BOUNDS_HA = (5.0, 600.0)
LARGE_TRIGGER_HA = 2000.0
LARGE_HA = (800.0, 2500.0)
MAX_LARGE = 3
MAX_PROJECTS = 14
"""[E] a unit gets 2 threshold projects (U(15, 60) ha arable; U(30, 110) ha other; or 2–12 ha PBF + 10–40 ha
other), then main projects until its candidate area is reached (at most 12 projects in all): while more than
2,000 ha remain, up to 2 large ones of U(800, 2,500) ha (new districts, industrial parks, transport hubs);
otherwise lognormal sizes, median 90 ha, σ 0.9, 5–600 ha (the last one takes what is left if ≥ 20 ha). A unit
the per-capita cap leaves no project room gets only the two threshold projects (they compete with general land)."""
CAT_VALUE = {"industrial": 1.3, "infrastructure": 1.0, "new_urbanisation": 1.2, "urban_rural_integration": 1.0,
             "resettlement_housing": 0.9, "characteristic_town": 0.9, "public_service_gap": 1.1,
             "utility_tunnel": 1.1, "parking": 1.0, "elderly_care": 1.0}
"""[E] value multiplier by category (value per ha = unit land value × multiplier × U(0.75, 1.7))."""


def threshold_parcels(rng: random.Random) -> list[tuple[str, float]]:
    kind = rng.choice(["arable", "other", "pbf"])
    if kind == "arable":
        return [("arable", rnd(rng.uniform(15, 60), 0.5))]
    if kind == "other":
        return [("other", rnd(rng.uniform(30, 110), 0.5))]
    return [("permanent_basic_farmland", rnd(rng.uniform(2, 12), 0.5)), ("other", rnd(rng.uniform(10, 40), 0.5))]


def main_parcels(rng: random.Random, area: float) -> list[tuple[str, float]]:
    """A main project's land: 30% chance of 3–15% PBF; 20–55% of the rest arable, the remainder other land."""
    parcels = []
    left = area
    if rng.random() < 0.3:
        a = rnd(area * rng.uniform(0.03, 0.15), 0.5)
        if a > 0:
            parcels.append(("permanent_basic_farmland", a))
            left -= a
    a = rnd(left * rng.uniform(0.2, 0.55), 0.5)
    if a > 0:
        parcels.append(("arable", a))
        left -= a
    if left >= 0.5:
        parcels.append(("other", rnd(left, 0.5)))
    return parcels


def make_projects(rng: random.Random, p: dict, u: dict) -> list[dict]:
    specs = []
    for _ in range(2):
        specs.append((rng.choice(SMALL_CATS), threshold_parcels(rng)))
    remaining = u["proj_target"] - sum(a for _, ps in specs for _, a in ps)
    n_large = 0
    while remaining >= 20.0 and len(specs) < MAX_PROJECTS:
        if remaining > LARGE_TRIGGER_HA and n_large < MAX_LARGE:
            area = rng.uniform(*LARGE_HA)
            n_large += 1
        else:
            area = min(MAIN_BOUNDS_HA[1], max(MAIN_BOUNDS_HA[0], rng.lognormvariate(math.log(MEDIAN_HA), SIZE_SIGMA)))
            if remaining - area < 20.0:
                area = remaining
        area = min(area, remaining)
        parcels = main_parcels(rng, area)
        remaining -= sum(a for _, a in parcels)
        specs.append((rng.choice(MAIN_CATS), parcels))
    out = []
    reg = p["region"]
    for i, (cat, parcels) in enumerate(specs, start=1):
        area = sum(a for _, a in parcels)
        value = area * u["value"] * CAT_VALUE[cat] * rng.uniform(0.75, 1.7) / 1e4
        invest = area * u["value"] * INVESTMENT_MULT[cat] * rng.uniform(0.8, 1.25) / 1e4
        county = (u["rest"] and cat in COUNTY_SEAT_CATS and area <= COUNTY_SEAT_MAX_HA
                  and rng.random() < COUNTY_SEAT_PROB)
        out.append(dict(
            id=f"{p['abbr']}-{u['abbr']}-{i:03d}", city_code=u["code"], category=cat,
            value_cny_100m=round(value, 2), committed=False,
            parcels=[dict(land_type=t, area_ha=a) for t, a in parcels],
            investment_cny_100m=round(invest, 2), county_seat=bool(county),
            _prov=p["code"], _area=area, _region=reg,
            _arable=sum(a for t, a in parcels if t != "other"),
        ))
    return out


# =============================================================================================
# Finance (item (21))
# =============================================================================================
def province_finance(prov: dict) -> dict:
    """[E] comprehensive fiscal capacity, debt, debt service and special-bond quota per province, and the
    funding-source limits (see the constants above for every rule and source)."""
    pop_nat = sum(p["pop"] for p in prov.values())
    rev_nat = sum(GENERAL_REVENUE_2020.values())
    e_bar = (rev_nat + NAT_TRANSFERS_2020) * 1e8 / pop_nat  # CNY per person
    w = {}
    for c, p in prov.items():
        m = TRANSFER_COST_FACTOR.get(c, TRANSFER_COST_WEAK if c in FISCALLY_WEAK else 1.0)
        r = GENERAL_REVENUE_2020[c] * 1e8 / p["pop"]
        w[c] = p["pop"] * max(0.1 * e_bar, e_bar * m - r)
    ws = sum(w.values())
    fw = {c: p["urban"] * (GENERAL_REVENUE_2020[c] / p["pop"]) ** FUND_INCOME_EXPONENT
          for c, p in prov.items() if c not in FUND_REVENUE_2020_CITED}
    fund_rest = NAT_FUND_REVENUE_2020 - sum(FUND_REVENUE_2020_CITED.values())
    fws = sum(fw.values())
    for c, p in prov.items():
        p["revenue"] = GENERAL_REVENUE_2020[c]
        p["transfers"] = NAT_TRANSFERS_2020 * w[c] / ws
        p["fund"] = FUND_REVENUE_2020_CITED.get(c, fund_rest * fw.get(c, 0.0) / fws)
        p["capacity"] = p["revenue"] + p["transfers"] + p["fund"]
    cap_nat = sum(p["capacity"] for p in prov.values())
    dep_nat = NAT_TRANSFERS_2020 / cap_nat
    dw = {c: p["capacity"] * DEBT_RISK_FACTOR.get(c, 1.0)
          * (1 + DEBT_DEPENDENCE_K * (p["transfers"] / p["capacity"] - dep_nat)) for c, p in prov.items()}
    dws = sum(dw.values())
    for c, p in prov.items():
        p["debt"] = NAT_DEBT_2020 * dw[c] / dws
        p["debt_service"] = p["debt"] * DEBT_SERVICE_SHARE
        p["debt_ratio"] = p["debt"] / p["capacity"]
    # special bonds: allocated by capacity, less to the more indebted (MoF allocates new quota by fiscal
    # strength and debt risk [M]); a fixed share is open to these projects [A]
    sw = {c: p["capacity"] / max(0.5, p["debt_ratio"]) for c, p in prov.items()}
    sws = sum(sw.values())
    for c, p in prov.items():
        p["special_quota_total"] = NAT_SPECIAL_BONDS_2020 * sw[c] / sws
        p["special_quota"] = p["special_quota_total"] * SPECIAL_BOND_SHARE_FOR_PROJECTS
    # bank credit lines: CDB by urban residents, ADBC by rural residents [E]
    urb = {c: p["urban"] for c, p in prov.items()}
    rur = {c: p["pop"] - p["urban"] for c, p in prov.items()}
    cdb_total = CDB_URBANISATION_LOANS_PER_YEAR * CREDIT_SHARE_FOR_PROJECTS["cdb_loan"]
    adbc_total = ADBC_INTEGRATION_LOANS_PER_YEAR * CREDIT_SHARE_FOR_PROJECTS["adbc_loan"]
    lines = {
        "cdb_loan": {c: round(cdb_total * urb[c] / sum(urb.values()), 1) for c in prov},
        "adbc_loan": {c: round(adbc_total * rur[c] / sum(rur.values()), 1) for c in prov},
    }
    return dict(e_bar=e_bar, rev_nat=rev_nat, cap_nat=cap_nat, dep_nat=dep_nat, lines=lines,
                central_budget=CENTRAL_BUDGET_2020 * CENTRAL_BUDGET_SHARE_FOR_PROJECTS)


def funding_sources(fin: dict) -> list[dict]:
    """models.funding.default_funding_sources() with the dataset's limits added."""
    from landquota.models.funding import default_funding_sources

    rows = []
    for f in default_funding_sources():
        d = f.model_dump(exclude_none=False)
        if f.id in fin["lines"]:
            d["limit_per_province_cny_100m"] = fin["lines"][f.id]
            if f.id == "cdb_loan":
                d["source"] += (f" Credit lines [E]: {CREDIT_SHARE_FOR_PROJECTS['cdb_loan']:.0%} [A] of CDB's ≈ "
                                f"{CDB_URBANISATION_LOANS_PER_YEAR:,.0f}億/yr of new-urbanisation loans [S: 2,783億 in "
                                "Jan–Aug 2024, annualised], split by urban residents.")
            else:
                d["source"] += (f" Credit lines [E]: {CREDIT_SHARE_FOR_PROJECTS['adbc_loan']:.0%} [A] of ADBC's "
                                f"{ADBC_INTEGRATION_LOANS_PER_YEAR:,.1f}億/yr of 城鄉一體化 loans [S: 2017], split by "
                                "rural residents.")
        if f.id == "central_budget":
            d["limit_total_cny_100m_per_year"] = round(fin["central_budget"], 1)
            d["source"] = (d["source"].split(" No national total")[0] + f" National total [E]: "
                           f"{CENTRAL_BUDGET_SHARE_FOR_PROJECTS:.0%} [A] of the 2020 central budget investment of "
                           f"{CENTRAL_BUDGET_2020:,.0f}億 [M].")
        rows.append(d)
    return rows


def assemble(prov: dict, units: list[dict], projects: list[dict], rest_cagr: float, meta: dict) -> dict:
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
            fiscal_capacity_cny_100m=round(p["capacity"], 1),
            debt_balance_cny_100m=round(p["debt"], 1),
            debt_service_cny_100m_per_year=round(p["debt_service"], 1),
            special_bond_limit_cny_100m_per_year=round(p["special_quota"], 1),
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
            urban_construction_land_ha=u["land_ha"],
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
        "cities.urban_construction_land_ha": "[E] per-capita urban construction land × urban residents (floored to "
            "10 ha). Province per-capita = 2020 built-up area ÷ city-district (城區) residents: built-up 2022 by province "
            "[S] × k (k keeps the national 2020 total of 60,721.32 km² [V]; 北京, missing from the 2022 table, by the mean "
            "per-capita of 上海 天津 重慶 × its city-district population [S]); city-district residents = 5.75億 [S] split "
            "by urban residents × urbanisation rate (北京 上海 cited [S]), ≤ 93% of urban residents; bounded to 60–150 m² "
            "(GB 50137 special-city ceiling). Centre cities 0.65 × the province value, rest-of-province the residual "
            "(bounded to 60–150 m²). Not a statistic.",
        "cities.stock_land_available_ha": "[E] 0.5% of urban construction land per year.",
        "cities.new_land_value_cny_10k_per_ha": "[E] 2,400 super-large / 1,500 mega / 1,000 other centre / 450 rest "
            "萬元/ha × regional factor (east 1.3, central 1.0, west and north-east 0.8).",
        "cities.stock_revitalisation_cost_cny_10k_per_ha": "[E] 35% of the land value.",
        "cities.general_land_arable_share": "[E] 0.6 plains provinces, 0.35 mountain provinces, 0.5 others.",
        "provinces.new_land_pool_ha_per_year": "[E] the urban new land the province's units can use in the year under "
            "the per-capita cap and the tilt: general-use room (settler need + resident growth × per-capita land − stock, "
            "never above the per-capita cap room) + project land (20% of new land, at least 60% of it and whatever the 52% "
            "tilt needs in centre cities, within their cap room and what their candidates can carry); rest-of-province "
            "general land is cut to what the tilt allows but never below its settler need − stock. Rounded to 10 ha. The "
            "pools add up to less than the national 400,000 ha: the rest of the plan serves land uses outside these units.",
        "provinces.supplementary_arable_reserve_ha": "[E] factor × arable land occupied if the pool were used in "
            "full (buyers 0.6, farmland sellers 1.8, others 1.2).",
        "provinces.land_quota_seller/surplus": "三區三州 provinces [V] + 貴州 寧夏 [E]; surplus 20,000 ha/yr "
            "nationally [E] split by rural population.",
        "provinces.land_quota_buyer, farmland_quota_buyer": "provinces priced by 國辦發〔2018〕16號 [M] + 福建 山東 [E].",
        "provinces.farmland_quota_seller": "land sellers + 黑龍江 內蒙古 吉林 (arable reserve resources) [E].",
        "provinces.fiscally_weak": "[E] 西部大開發 12 provinces + 東北 3.",
        "provinces.fiscal_capacity_cny_100m": "[E] 綜合財力 = 2020 general-budget revenue [S] + central transfers (83,218億 "
            "[M] split by an equalisation rule) + government-fund revenue (89,926.87億 [S]; 江蘇 11,359.39 [S], others by "
            "urban residents × √(per-capita revenue)). National total ≈ 273,400億.",
        "provinces.debt_balance_cny_100m": "[E] national end-2020 balance 256,615億 [M] split ∝ capacity × risk factor × "
            "(1 + 0.25 × (transfer share − national share)); risk factors from the public record: 貴州 內蒙古 1.30 (Blue Book "
            "2021: over 100% [S]), 青海 海南 天津 1.15 [S], 西藏 0.40 [E]. National ratio 93.9% (MoF: 93.6% [M]).",
        "provinces.debt_service_cny_100m_per_year": "[E] 15.1% of the balance (貴州 2021: 1,796.5 of 11,872億 [S]). Informative.",
        "provinces.special_bond_limit_cny_100m_per_year": "[E] 2020 new special bonds 37,500億 [M] split ∝ capacity ÷ "
            "max(0.5, debt ratio); 3% of it [A] open to these projects.",
        "provinces.approval_entrusted": "null: policy default, the 8 pilots of 國發〔2020〕4號 [V].",
        "projects": f"[E] synthetic, seed {SEED}: per unit 2 threshold projects around 35/70 ha plus main projects "
            "(lognormal, median 110 ha, 5–600 ha; up to 3 large ones of 800–2,500 ha where more than 2,000 ha remain; at "
            "most 14 per unit) until the candidate area = 1.25 × its project land (1.5 in buyer provinces) is reached. "
            "value = area × unit land value × category factor × U(0.75, 1.7); investment = area × unit land value × "
            "category multiplier (1.5–6) × U(0.8, 1.25); county_seat: rest-of-province projects of county-seat "
            "categories ≤ 300 ha with probability 0.6. Not real projects.",
        "funding_sources": "models.funding.default_funding_sources() rows; CDB credit lines = CDB's ≈ 4,175億/yr of "
            "new-urbanisation loans [S, 2024 pace] split by urban residents; ADBC lines = its 1,600.3億/yr of 城鄉一體化 "
            "loans [S, 2017] split by rural residents (100% of each open to these projects [A]); central budget 5% [A] "
            "of 6,000億 [M] a year.",
        "policy": "defaults of models.policy.PolicyParameters (shared/POLICY.md).",
        "regeneration": ".venv/bin/python -m datasets.build_china_2020",
    }
    return dict(
        name="china-2020",
        description=(
            "National scenario for the 2020 construction-land plan: 31 provinces, 38 centre/node cities and 27 "
            f"rest-of-province units, {len(clean)} synthetic projects with investment and funding limits (item (21)). "
            "Census populations, built-up areas and budget revenues are cited statistics; every other figure is an "
            "ESTIMATE by a documented rule (datasets/build_china_2020.py, datasets/china-2020.provenance.md). Not "
            "official plan, debt or quota figures."
        ),
        years=1,
        provinces=provinces,
        cities=cities,
        projects=clean,
        funding_sources=funding_sources(meta["finance"]),
        sources=sources,
    )


# =============================================================================================
def summary() -> None:
    from collections import Counter, defaultdict

    from landquota.datasets import load_dataset
    from landquota.solvers.highs import solve_scenario

    s = load_dataset("china-2020")
    r = solve_scenario(s)
    print(f"status {r.status}  objective {r.objective_cny_100m:,.1f} 亿元  solve {r.stats.solve_s:.2f}s  "
          f"(build {r.stats.build_s:.2f}s)  vars {r.stats.variables} rows {r.stats.constraints}")
    new = sum(p.new_land_ha for p in r.provinces)
    bought = sum(p.land_quota_bought_ha for p in r.provinces)
    pools = sum(p.pool_ha_per_year for p in r.provinces)
    print(f"new land {new:,.0f} ha = {new - bought:,.0f} from pools ({(new - bought) / pools:.1%} of {pools:,.0f}; "
          f"national cap {s.policy.national_new_land_total_ha:,.0f}) + {bought:,.0f} bought")
    print(f"shortfalls {len(r.shortfalls)}: " + ", ".join(f"{x.rule}@{x.region}={x.amount_ha:.1f}" for x in r.shortfalls))
    fin_by_prov = {p.code: p for p in r.provinces}
    print(f"{'prov':6}{'pool':>8}{'new':>8}{'new/pool':>9}{'buyL':>7}{'sellL':>7}{'arable':>8}{'reserve':>8}"
          f"{'buyF':>7}{'sellF':>7}{'tilt':>6}{'money':>9}{'govdebt':>8}{'dr_bef':>7}{'dr_aft':>7}")
    for p in r.provinces:
        print(f"{p.name:5}{p.pool_ha_per_year:8.0f}{p.new_land_ha:8.0f}{p.new_land_ha / max(p.pool_ha_per_year, 1):9.2f}"
              f"{p.land_quota_bought_ha:7.0f}{p.land_quota_sold_ha:7.0f}{p.arable_occupied_ha:8.0f}"
              f"{p.supplementary_reserve_ha:8.0f}{p.farmland_quota_bought_ha:7.0f}{p.farmland_quota_sold_ha:7.0f}"
              f"{(p.tilted_share or 0):6.2f}{p.financing_cny_100m:9.0f}{p.new_government_debt_cny_100m:8.1f}"
              f"{p.debt_ratio_before or 0:7.2f}{p.debt_ratio_after or 0:7.2f}")
    used = sum(1 for p in r.provinces if p.new_land_ha >= 0.9 * p.pool_ha_per_year)
    print(f"provinces whose new land reaches ≥ 90% of their pool: {used}/31")
    over = [c for c in r.cities if c.per_capita_after_m2 > c.per_capita_cap_m2 + 1e-6]
    print(f"cities over their per-capita cap after the plan: {len(over)}")
    pcs = sorted(c.per_capita_before_m2 for c in r.cities)
    tiers = Counter(c.per_settler_m2 for c in r.cities)
    print(f"per-capita land before: min {pcs[0]:.0f}, median {pcs[len(pcs) // 2]:.0f}, max {pcs[-1]:.0f} m²; "
          f"units > 100 m²: {sum(x > 100 for x in pcs)}/{len(pcs)}; per-settler standard: {dict(sorted(tiers.items()))}")
    areas = sorted(j.area_ha for j in r.projects)
    bands = Counter("≤35" if a <= 35 else "35–70" if a <= 70 else "70–300" if a <= 300 else "300–1000" if a <= 1000
                    else ">1000" for a in areas)
    print(f"project areas: min {areas[0]:.0f}, median {areas[len(areas) // 2]:.0f}, max {areas[-1]:.0f} ha; "
          f"bands {dict(bands)}")
    sel = [j for j in r.projects if j.selected_share > 1e-6]
    full = [j for j in sel if j.selected_share > 1 - 1e-6]
    mix = Counter(j.approval_authority for j in sel)
    allmix = Counter(j.approval_authority for j in r.projects)
    print(f"projects {len(r.projects)} (routes {dict(allmix)}); selected {len(sel)} ({len(full)} in full; "
          f"routes {dict(mix)}); project land {sum(j.area_ha * j.selected_share for j in sel):,.0f} ha")
    lt = [t for t in r.trades if t.market == "construction_land"]
    ft = [t for t in r.trades if t.market == "supplementary_farmland"]
    print(f"trades: construction land {len(lt)} rows, {sum(t.area_ha for t in lt if t.side == 'buy'):,.0f} ha bought; "
          f"farmland {len(ft)} rows, {sum(t.area_ha for t in ft if t.side == 'buy'):,.0f} ha bought")
    for side in ("buy", "sell"):
        print(f"  land {side}: " + ", ".join(f"{fin_by_prov[t.province_code].name} {t.area_ha:,.0f}"
                                            for t in lt if t.side == side))
    centre = sum(c.new_land_ha for c in r.cities if c.tilted)
    print(f"centre/key-cluster share of new land: {centre / new:.2%}")
    # ---- financing --------------------------------------------------------------------------
    by_src = defaultdict(float)
    for f in r.financing:
        by_src[f.source_id] += f.amount_cny_100m
    inv = {p.id: p.investment_cny_100m for p in s.projects}
    need = sum(inv[j.id] * j.selected_share for j in sel)
    tot = sum(by_src.values())
    print(f"financing {tot:,.0f} 亿元 for selected investment {need:,.0f} 亿元 (cost in objective "
          f"{-r.objective_terms_cny_100m.get('financing_cost', 0.0):,.1f}); by source: "
          + ", ".join(f"{k} {v:,.0f} ({v / tot:.0%})" for k, v in sorted(by_src.items(), key=lambda kv: -kv[1])))
    lim = defaultdict(lambda: [0.0, 0.0, 0, 0])
    for x in r.limits:
        key = (x.limit, x.source_id)
        lim[key][0] += x.used_cny_100m
        lim[key][1] += x.limit_cny_100m
        lim[key][2] += 1
        lim[key][3] += x.used_cny_100m >= x.limit_cny_100m - 1e-6
    for (kind, src), (u, l, n, full_) in sorted(lim.items(), key=lambda kv: str(kv[0])):
        print(f"  {kind:20}{src or '':15} used {u:9,.1f} of {l:10,.1f} 亿元 ({u / l if l else 0:5.1%}); "
              f"{full_}/{n} at the limit")
    over_line = [p for p in r.provinces if (p.debt_ratio_before or 0) >= s.policy.debt_ratio_limit]
    print("over the debt line: " + ", ".join(f"{p.name} {p.debt_ratio_before:.1%} → {p.debt_ratio_after:.1%} "
                                             f"(new special bonds {p.new_government_debt_cny_100m:.1f})" for p in over_line))
    top = sorted(r.provinces, key=lambda p: -(p.debt_ratio_before or 0))[:8]
    print("highest debt ratios before → after: " + ", ".join(
        f"{p.name} {p.debt_ratio_before:.1%}→{p.debt_ratio_after:.1%}" for p in top))


# ---- issue 14: approval capacities, lead times and batch sizes (helper E) -------------------------
# One self-contained step, applied to the finished dataset in main(); nothing else reads these.
APPROVAL_SC_CAPACITY_SHARE = 0.20
"""[A] State-Council approvals per year, as a share of the national plan quota (400,000 ha [V]): no
published figure; State-Council-level land is the large projects and the big cities' batches."""
APPROVAL_SC_CAPACITY_CASES = 400
"""[A] State-Council applications per year (no published figure): about one batch a year for each of the
~106 cities whose master plan the State Council approved, plus large projects."""
APPROVAL_LEAD_MONTHS = {"state_council": 6.0, "province_entrusted": 3.0, "province": 3.0}
"""[A] months from application to approval: State Council review adds the ministry's review and the
State Council's own to the provincial procedure; an entrusted pilot approves as fast as for its own
approvals (国发〔2020〕4号's purpose). No published average."""
APPROVAL_CENTRE_BATCH_HA = 150.0
"""[A] annual batch of general-use land in a centre city (municipality, capital, separately listed): big
cities convert and expropriate in larger batches; rest-of-province units keep the policy default (50 ha)."""


def add_approval_data(data: dict) -> None:
    """Approval capacity, lead times and batch sizes for issue 14 (models.approval_capacity), with provenance."""
    pol = data.setdefault("policy", {})
    pol["state_council_capacity_ha_per_year"] = APPROVAL_SC_CAPACITY_SHARE * NAT_POOL_HA
    pol["state_council_capacity_cases_per_year"] = float(APPROVAL_SC_CAPACITY_CASES)
    pol["state_council_lead_months"] = APPROVAL_LEAD_MONTHS["state_council"]
    pol["province_entrusted_lead_months"] = APPROVAL_LEAD_MONTHS["province_entrusted"]
    pol["province_lead_months"] = APPROVAL_LEAD_MONTHS["province"]
    for c in data["cities"]:
        if c.get("tier") in ("municipality", "provincial_capital", "separately_listed"):
            c["general_land_batch_ha"] = APPROVAL_CENTRE_BATCH_HA
    data["sources"]["policy.state_council_capacity_ha_per_year, policy.state_council_capacity_cases_per_year"] = (
        f"[A] no published figure: {APPROVAL_SC_CAPACITY_SHARE:.0%} of the 400,000 ha national plan quota, and "
        f"{APPROVAL_SC_CAPACITY_CASES} applications a year (about one batch for each of the ~106 cities whose master "
        "plan the State Council approved, plus large projects). The hectare limit binds in the base plan; vary it "
        "with --set.")
    data["sources"]["policy.*_lead_months"] = (
        "[A] no published average: State Council 6 months, an entrusted pilot 3, a province 3 (the value of land "
        "is delayed by the lead time: models.approval_capacity).")
    data["sources"]["cities.general_land_batch_ha"] = (
        f"[A] centre cities approve general-use land in annual batches of {APPROVAL_CENTRE_BATCH_HA:g} ha "
        "(Land Administration Law Art. 44 batches); rest-of-province units the policy default (50 ha). With the "
        "default 70% collective share and the city's arable share, a centre city's batch is State-Council level "
        "(over 35 ha of collective arable land) unless its province is entrusted.")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--check", action="store_true", help="solve the written scenario and print a summary")
    args = ap.parse_args()
    data = build()
    add_approval_data(data)  # issue 14
    OUT.write_text(json.dumps(data, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    print(f"wrote {OUT} ({len(data['provinces'])} provinces, {len(data['cities'])} cities, "
          f"{len(data['projects'])} projects)")
    if args.check:
        summary()


if __name__ == "__main__":
    main()
