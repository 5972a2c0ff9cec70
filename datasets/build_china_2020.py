"""Build the bundled national scenario ``china-2020`` (writes ``datasets/china-2020.json``).

    python datasets/build_china_2020.py                       # write the JSON (from the repository root)
    python datasets/build_china_2020.py --check               # also solve it and print a summary
    python -m landquota.datasets.build_china_2020 --out X.json   # the same, as a module, to another path

Deterministic: no network, one fixed random seed (projects only), every constant below with its
source; running it again gives a byte-identical file (tests/test_china_2020_data.py checks it). Tags as in
``shared/POLICY.md``: **[V]** confirmed in a published text, **[M]** widely reported, **[S]** a public
statistic found in a stored copy of a public page (the page is named), **[E]** an estimate produced by a rule
written in this file (and in ``china-2020.provenance.md``), **[A]** an assumption with no published figure
behind it (a share, a rate).

Input tables (CSV in this folder, a source column for every cited figure):

* ``provinces.csv`` — the one province table (also read by ``landquota generate`` through models.regions):
  GB/T 2260 code, short and full name (simplified; traditional alias), 7th-census population [V] and urban
  rate [M], 6th-census population [M], 2020 general-budget revenue [S]/[M], 2022 built-up area [S];
* ``cities.csv`` — the 38 centre cities: tier, cluster, size class, 7th- and 6th-census population [S], urban
  rate where cited;
* ``clusters.csv`` — the 19 city clusters of the 14th Five-Year Plan outline [S], the provinces a plan covers
  whole [M];
* ``cluster_members.csv`` — prefectures of the clusters that cover part of a province: the members of 滇中 and
  黔中, the prefectures outside 成渝 (四川) and 长江中游 (江西) [S].

Everything else per city (per-capita land, growth, settlers, stock, values, projects) and per province (pools,
reserves, surplus quota, trading roles, fiscal capacity, debt, quotas) and every funding limit is an estimate
by a rule in this file, anchored on those magnitudes. To add fields for a new feature, write a function
``f(provinces, cities, work)`` that edits the dicts in place and append it to ``EXTRA_FIELDS`` (applied at the
end of ``assemble``), or a whole-dataset step ``f(data)`` appended to ``DATA_STEPS`` (applied last, in
``build``); see their docstrings.
"""

from __future__ import annotations

import argparse
import csv
import json
import math
import random
from pathlib import Path

from landquota.models.regions import MUNICIPALITIES, PROVINCE_FULL_NAMES, province_table
from landquota.models.regions import PROVINCES as PROVINCE_SHORT

OUT = Path(__file__).with_name("china-2020.json")
SEED = 20200403  # date of 发改规划〔2020〕532号; projects only

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
on 2010 (urban share +14.21 points, i.e. 49.68% in 2010); 户籍人口城镇化率 45.4% in 2020.
Page: http://zzndh.com/a/202105/509119.html (reprint of the NBS communiqué); 2010 share also
https://chujuan.cn/question/detail-51733694.shtml."""
NAT_CROSS_PROVINCE_MIGRANT_SHARE = 124_837_153 / 375_816_759
"""Communiqué No. 7 [S]: 375,816,759 migrants (流动人口), of whom 124,837,153 cross-province (33.2%)."""

NAT_BUILTUP_2020_KM2 = 60_721.32
NAT_BUILTUP_2021_KM2 = 62_420.53
"""Urban (设市城市) built-up area, km²: 2020 60,721.32 [V] (POLICY.md: 60,721) and 2021 62,420.53 [S]
(2021 城乡建设统计年鉴, as summarised at http://m.studyofnet.com/373424469.html, which also gives 城区人口
44,253.74万 in 2020 and 县城人口 14,055.43万)."""
BJ_PC_RULE_PEERS = ("310000", "120000", "500000")
"""[E] 北京's built-up area is missing from the 2022 table: its 2020 per-capita land (m² per city-district
resident) is taken as the mean of the other three municipalities' values from the rule below, times its
cited city-district population. Low confidence."""
NAT_CITY_DISTRICT_POP_2020 = 575_000_000
"""7th census: 5.75亿 people live in city districts (城区) of the 设市城市, 63.9% of the urban population [S]
(NBS 7th-census data as quoted in the zh.wikipedia list 中华人民共和国城市城区常住人口排名, mirror
https://zhwiki.pedia.workers.dev/wiki/中华人民共和国城市城区常住人口排名). Built-up area covers exactly these
districts, so built-up area ÷ city-district residents is the per-capita urban construction land of cities
(GB 50137 measures it on resident population)."""
CITY_DISTRICT_POP_2020 = {"110000": 17_750_000, "310000": 19_870_000}
"""City-district (城区常住) population, 7th census [S]: 上海 1987万, 北京 1775万 (求是 2021 No. 18 table as
quoted at https://m.tftnews.com/news4602212)."""
CITY_DISTRICT_SHARE_CAP = 0.93
"""[E] a province's city-district share of urban residents never exceeds 93% (towns and county seats
remain even in the municipalities: 北京 1775/1916 = 92.6% [S])."""
NAT_SETTLERS_PER_YEAR = 100_000_000 / 6
"""≈100 million settlers 2015–2020 [V] (POLICY.md) over six plan years → 16.7 million a year [E]."""
NAT_POOL_HA = 400_000.0
"""600万亩 = 400,000 ha national annual plan quota [V] (2022 plan; policy default)."""
SURPLUS_NATIONAL_HA = 20_000.0
"""[E] surplus 增减挂钩 quota offered nationally per year by deep-poverty sellers, ha (= 30万亩).
No published annual figure; order of magnitude chosen so that at the seller price (30万元/亩 [M])
the flow is ≈ 90亿元 a year."""

# =============================================================================================
# Rules (all [E])
# =============================================================================================
SHRINKING_REST_CAGR = -0.01
SHRINKING_REST_PULL = 0.5
"""[E] a rest-of-province unit that lost people fast in 2010–20 by its own census trend (CAGR below −1 %/yr, i.e. about
a tenth of its people in the decade: the remainders of 辽宁 吉林 黑龙江) urbanises at half the national pace on top of
that trend: much of its urban-share rise is rural people leaving the province, which the negative trend already
counts. The north-east's rest units then shrink or stay flat (item (15)); remainders that lost less (山西 内蒙古 甘肃
陕西, and 湖南 四川 湖北 … around fast-growing capitals) keep the full pull and still grow slowly."""
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
"""[E] relative openness of 落户 by size class: super-large and mega cities keep points-based
settling (2019/2020 NDRC 重点任务: cities < 3 million lift all limits, 3–5 million relax fully)."""
CENTRAL_DISTRICT_SHARE = {"super_large": 0.6, "mega": 0.5}
"""[E] share of a super-large / mega city's settlers settling in its central districts (no land)."""
SIZE_DENSITY_FACTOR = {"super_large": 0.65, "mega": 0.65, "other": 0.65}
"""[E] per-capita urban construction land of a centre city (capital, separately listed or node city) = 0.7 ×
its province's value; the rest-of-province unit takes the residual, so each province's land is kept (until
the unit bounds below cut it). Larger cities are denser: 上海, the only centre with its own built-up and
city-district figures in this file, comes out at ≈ 58 m² against 106 m² nationally; county seats and small
cities are the sprawling part. Low confidence: no city-level built-up figures are cited here."""
STOCK_SHARE = 0.005
"""[E] inefficient stock land (批而未供/闲置) that can be revitalised in a year, share of the unit's
urban construction land."""
LAND_VALUE = {"super_large": 2400.0, "mega": 1500.0, "centre": 1000.0, "rest": 450.0}
"""[E] value of one ha of general urban land put to use, 万元/ha, by city class (before the regional
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
NAT_TRANSFERS_2020 = 83_218.0
"""Central transfers to local governments 2020 (中央对地方转移支付), 亿元 [M] (MoF 2020 final accounts, widely
reported; not confirmed against a stored page). Split by TRANSFER rule below [E]."""
NAT_FUND_REVENUE_2020 = 89_926.87
FUND_REVENUE_2020_CITED = {"320000": 11_359.39}
"""Local government-fund revenue 2020 (政府性基金预算收入) 89,926.87亿, of which land-sale revenue 84,142亿; 江苏
11,359.39亿 the largest, then 浙江 广东 山东 四川; 海南 黑龙江 青海 宁夏 西藏 the smallest [S] (rating-agency
review at https://fxbaogao.com/detail/2786241). Other provinces by the FUND rule [E]."""
NAT_DEBT_2020 = 256_615.0
"""Local government debt balance end-2020, 亿元 [M] (25.66万亿, widely reported; Moody's put it at 25.6万亿
at end-September 2020 [S]: https://www.scmp.com/economy/china-economy/article/3132815)."""
NAT_DEBT_RATIO_2020 = 0.936
"""National debt ratio (债务率) 2020, 93.6% [M] (MoF, widely reported). Check: 256,615 ÷ (revenue ≈ 100,000 +
transfers 83,218 + fund revenue 89,927) = 93.9%, so comprehensive capacity = the sum of the three [E]."""
TRANSFER_COST_FACTOR = {"540000": 4.0, "630000": 1.8, "640000": 1.5, "650000": 1.5}
TRANSFER_COST_WEAK = 1.2
"""[E] transfers equalise spending: weight = population × max(0.1 × ē, ē × m − r), where ē is the national
per-capita general-budget resources (revenue + transfers), r the province's per-capita revenue and m its
spending-need factor: 4.0 西藏 (plateau costs), 1.8 青海, 1.5 宁夏 新疆, 1.2 other fiscally weak provinces
(西部 + 东北), 1.0 elsewhere; scaled to the national total. Rich provinces keep a floor (tax rebates)."""
FUND_INCOME_EXPONENT = 0.5
"""[E] government-fund (mostly land-sale) revenue of a province other than 江苏 ∝ urban residents × (per-capita
general revenue)^0.5, scaled to the national total less 江苏: land markets scale with the urban population and
with income."""
DEBT_RISK_FACTOR = {"520000": 1.30, "150000": 1.30, "630000": 1.15, "460000": 1.15, "120000": 1.15,
                    "540000": 0.40}
"""Relative indebtedness, used by the DEBT rule [E] where the public record supports it:
* 贵州, 内蒙古 1.30 — named among the nine provinces whose debt ratio exceeded 100% (Local Government Bond Blue
  Book 2021, via SCMP 2021-05, https://www.scmp.com/economy/china-economy/article/3132815) [S];
* 青海, 海南 1.15 — the most indebted provinces by debt-to-GDP (SCMP 2020-01-27,
  https://www.scmp.com/economy/china-economy/article/3047527) [S];
* 天津 1.15 — among the ten cities with the highest 2020 debt ratios (Databao/Tencent ranking, reported at
  https://www.breakinglatest.news/news/the-debt-ratio-ranking-of-mainland-cities-released-beijing-is-10-times-that-of-shenzhen-debt-ratio-local-government/;
  that ranking also counts LGFV bonds) [S];
* 西藏 0.40 — very little bonded debt relative to its transfer-funded budget [E, not cited];
* 1.0 elsewhere. The other seven provinces over 100% in the Blue Book are not named in a stored page, so no
  other province is pushed over the line by hand."""
DEBT_DEPENDENCE_K_START = 0.25
PROVINCES_OVER_DEBT_LINE_2020 = 9
"""[E] debt ∝ capacity × risk factor × (1 + K × (transfer share of capacity − national share)): provinces that depend
on transfers borrowed more against their own resources (scaled to the national total). K is calibrated, not chosen:
the smallest K ≥ 0.25 on a 0.005 grid for which exactly nine provinces exceed the 100% line, the count the Local
Government Bond Blue Book 2021 reports for 2020 [S] (SCMP 2021-05, link above; it names 贵州 and 内蒙古 only). Which
other seven cross is the rule's estimate, not a published list."""
DEBT_SERVICE_SHARE = 1796.5 / 11872.0
"""Existing debt service per year ≈ 15.1% of the balance [E], the ratio in 贵州's 2021 disclosure: principal
and interest paid 1,796.5亿 on a balance of 11,872亿 [S] (China local-government bond disclosure platform, as
reported at https://bactf.com/news/china_politics/202312/0436750.html). Informative only."""
NAT_SPECIAL_BONDS_2020 = 37_500.0
"""New local special bonds 2020, 3.75万亿元 [M]."""
SPECIAL_BOND_SHARE_FOR_PROJECTS = 0.03
"""[A] share of the special-bond quota available to this dataset's candidate projects (the rest funds
shanty-town renovation, land reserves, transport, etc. outside these projects). No published figure."""
CDB_URBANISATION_LOANS_JAN_OCT_2020 = 2992.0
CDB_URBANISATION_LOANS_PER_YEAR = CDB_URBANISATION_LOANS_JAN_OCT_2020 * 12 / 10
"""CDB loans to new-urbanisation fields, January–October 2020: 2,992亿 (of which 保障房 1,470亿) [S] (国开行 at the
CBIRC press conference of 2020-11-26, reported at http://yyx-model.com/news/949.html); annualised ≈ 3,590亿 [E]. The
2020 figure replaces the former 2024 pace (2,783亿 in January–August 2024, ≈ 4,175亿 a year)."""
ADBC_INTEGRATION_LOANS_PER_YEAR = 1600.3
"""ADBC urban-rural integration (城乡发展一体化) loans 1,600.3亿 in 2017 [S] — no 2020 figure was found in a stored page,
so the 2017 volume stays, labelled as such (新华社 2018-01-25,
http://big5.www.gov.cn/gate/big5/www.gov.cn/xinwen/2018-01/25/content_5260599.htm)."""
CREDIT_SHARE_FOR_PROJECTS = {"cdb_loan": 1.0, "adbc_loan": 1.0}
"""[A] share of each bank's yearly lending of that kind available as comprehensive credit lines to this
dataset's candidate projects."""
CENTRAL_BUDGET_2020 = 6000.0
CENTRAL_BUDGET_SHARE_FOR_PROJECTS = 0.05
"""Central budget investment 2020, 6,000亿 [M]; [A] 5% of it open to these projects' eligible categories."""
INVESTMENT_MULT = {"industrial": 2.5, "infrastructure": 3.5, "new_urbanisation": 3.0, "urban_rural_integration": 2.5,
                   "resettlement_housing": 3.5, "characteristic_town": 2.5, "public_service_gap": 3.5,
                   "utility_tunnel": 6.0, "parking": 4.0, "elderly_care": 4.0, "land_consolidation": 1.5}
"""[E] total investment = area × the unit's land value (万元/ha) × this multiplier × U(0.8, 1.25): capital
intensity tracks land prices (denser, costlier building where land is dear). Gives ≈ 0.1亿/ha in a western
county and ≈ 1亿/ha in a super-large eastern city; investment is 2–5 × the project's net value, so financing
costs are material but a normal mix (20% capital, bonds or policy loans) leaves valuable projects fundable."""
COUNTY_SEAT_CATS = {"new_urbanisation", "public_service_gap", "parking", "elderly_care", "utility_tunnel",
                    "resettlement_housing", "characteristic_town", "urban_rural_integration", "infrastructure"}
COUNTY_SEAT_PROB = 0.6
COUNTY_SEAT_MAX_HA = 300.0
"""[E] a rest-of-province project of a county-seat urbanisation category (发改办财金规〔2020〕613号 lists
public services, municipal utilities, industrial platforms …) of at most 300 ha is in a county seat with
probability 0.6 (drawn with the project seed)."""

# =============================================================================================
# Input tables (CSV under datasets/, one row per region, every figure with its source column)
# =============================================================================================
HERE = Path(__file__).parent


def read_table(name: str) -> list[dict]:
    """A CSV table of this folder, as dicts of strings."""
    with open(HERE / name, encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f))


def _num(text: str):
    return None if text == "" else (int(text) if text.lstrip("-").isdigit() else float(text))


PROVINCE_ROWS = list(province_table())
"""``datasets/provinces.csv`` (via models.regions, the table `landquota generate` reads too): GB/T 2260 code,
short and full name, 7th-census population [V] and urban % [M], 6th-census population [M] (2010), 2020
general-budget revenue [S]/[M], 2022 built-up area [S]; each with its source."""
PROVINCES = [(r["code"], r["name"], r["abbr"], int(r["census_population_2020"]),
              float(r["urbanisation_rate_pct_2020"]), r["region"], r["terrain"]) for r in PROVINCE_ROWS]
PROV_POP_2010 = {r["code"]: int(r["census_population_2010"]) for r in PROVINCE_ROWS}
GENERAL_REVENUE_2020 = {r["code"]: float(r["general_revenue_2020_cny_100m"]) for r in PROVINCE_ROWS}
"""2020 general-budget revenue (一般公共预算收入), 亿元: the provinces.csv column, with its source per row. The
pdsen.cn list [S] agrees with the provinces' final accounts except 河北 (3,778.38 → 3,826.46), 湖南 (3,080.44 →
3,008.66) and 新疆 (1,569.71 → 1,477.21 [S]), corrected in the table."""
PROV_BUILTUP_2022_KM2 = {r["code"]: float(r["built_up_area_2022_km2"]) for r in PROVINCE_ROWS
                         if r["built_up_area_2022_km2"]}
"""Urban built-up area by province, end-2022, km² [S] (provinces.csv; no 北京 row, 新疆 includes 兵团)."""

# Trading roles and fiscal weakness (documented in the provenance file)
LAND_SELLERS = {"540000", "510000", "530000", "620000", "630000", "650000", "520000", "640000"}
"""三区三州 provinces (西藏; 四川 凉山/甘孜/阿坝; 云南 怒江/迪庆; 甘肃 临夏/甘南; 青海 藏区; 新疆 南疆四地州)
[V: 三区三州 list] plus 贵州 and 宁夏 (many deep-poverty counties: 西海固, 乌蒙山/麻山/瑶山) [E]."""
LAND_BUYERS = {"110000", "310000", "120000", "320000", "330000", "440000", "350000", "370000"}
"""Buyers priced by 国办发〔2018〕16号 [M] (北京 上海 70; 天津 江苏 浙江 广东 50万/亩) plus 福建 and 山东, the
other coastal provinces paired with poverty-alleviation partners (东西部扶贫协作) [E]."""
FARMLAND_SELLERS = LAND_SELLERS | {"230000", "150000", "220000"}
"""Land sellers plus 黑龙江, 内蒙古, 吉林: large reclaimable arable reserves [E]."""
FARMLAND_BUYERS = LAND_BUYERS
FISCALLY_WEAK = {"150000", "450000", "500000", "510000", "520000", "530000", "540000", "610000", "620000",
                 "630000", "640000", "650000", "210000", "220000", "230000"}
"""[E] rule: the 12 provinces of the Western Development policy (西部大开发) and the 3 north-eastern
provinces (东北振兴), which depend most on central transfers."""
CROSS_GROUP = {**{c: "destination" for c in ("110000", "120000", "310000", "440000", "330000")},
               **{c: "secondary" for c in ("320000", "350000")}}

# =============================================================================================
# Centre cities (datasets/cities.csv): GB/T 2260 code, names, tier, cluster, size class, 7th- and 6th-census
# population of the whole municipality / prefecture-level city [S] and its urban rate where a page gave it
# =============================================================================================
M, PC, SL, NODE = "municipality", "provincial_capital", "separately_listed", "node_city"
CITY_ROWS = read_table("cities.csv")
CITIES = [(r["code"], r["name"], r["province_code"], r["abbr"], r["tier"], r["cluster"] or None, r["size_class"],
           int(r["census_population_2020"]), _num(r["census_population_2010"]), _num(r["urbanisation_rate_pct"]),
           r["source"]) for r in CITY_ROWS]
HAINAN_POP_2010 = PROV_POP_2010["460000"]
"""Hainan 6th census [S] (provinces.csv); used for 海口's 2010 estimate (province growth rate applied) because
no 2010 city figure was found."""

CLUSTER_ROWS = read_table("clusters.csv")
KEY_CLUSTERS = {r["cluster"]: r["plan"] for r in CLUSTER_ROWS}
"""The 19 city clusters of the 14th Five-Year Plan outline [S] (优化提升: 京津冀 长三角 珠三角/粤港澳 成渝 长江中游;
发展壮大: 山东半岛 粤闽浙沿海 中原 关中平原 北部湾; 培育发展: 哈长 辽中南 山西中部 黔中 滇中 呼包鄂榆 兰州-西宁 宁夏沿黄
天山北坡), the clusters item (7) of 发改规划〔2020〕532号 asks to develop; datasets/clusters.csv names each one's plan."""
CLUSTER_WHOLE_PROVINCES = {code: r["cluster"] for r in CLUSTER_ROWS for code in r["provinces_whole"].split()}
"""Provinces a cluster plan covers entirely [M] (京津冀: 河北; 长三角 2019 outline: 江苏 浙江 安徽; 山东半岛; 中原: 河南;
粤闽浙沿海: 福建): their rest-of-province unit is a key-cluster unit as a whole."""
CLUSTER_MEMBER_ROWS = read_table("cluster_members.csv")
"""Prefectures of a cluster that covers part of a province, with 7th-census population [S] and the share of
their counties the plan names [M] (datasets/cluster_members.csv); for 成渝 (四川) and 长江中游 (江西) the table lists the
prefectures outside the cluster instead (role "outside"), and the cluster part is the rest minus them. For the other partly covered
provinces (长江中游 in 湖北 湖南, 哈长, 北部湾, 关中平原, 呼包鄂榆, 兰州-西宁, 辽中南, 山西中部, 宁夏沿黄,
天山北坡) no prefecture table was found, so their rest-of-province unit is not split and not flagged."""


def county_share(text: str) -> float:
    a, _, b = text.partition("/")
    return float(a) / float(b) if b else float(a)


GB50137_MIN_M2 = 65.0
"""GB 50137-2011 lowest planned per-capita urban construction land, 65 m² [V]: no centre city or rest-of-province
unit starts below it unless its own figures are cited (上海: built-up area and city-district population [S])."""
BJ_SETTLERS_PER_YEAR = 6_000
"""北京 积分落户: about 6,000 people admitted in 2020 [M] (POLICY.md, item (2): 北京 and 上海 keep strict,
points-based schemes)."""
SH_SETTLERS_RULE = "per_urban_resident_of_beijing"
"""上海's 居住证积分/居转户 admissions for 2020 were not found in a stored page [E]: 上海 settles at 北京's rate per urban
resident (6,000 ÷ 北京's urban residents × 上海's), ≈ 6,900 a year. Both replace the openness rule (which gave
≈ 156,000 and 171,000); the national 16.7 million is shared among the other units."""
def urban_rate_rule(prov_rate_pct: float) -> float:
    """[E] urbanisation rate of a centre city without a cited figure: halve the province's rural share
    Checked against the cities with a cited rate: 武汉 rule 81.4 vs cited 84.3; 杭州 86.1 vs 83.3; 济南 81.5
    vs 73.5; 广州 87.1 vs 86.2; 长春 81.3 vs 65.9; 兰州 76.1 vs 83.1 — right on average, ±8 points."""
    return min(97.0, prov_rate_pct + 0.5 * (100.0 - prov_rate_pct))


def cagr(p_now: float, p_then: float, years: int = 10) -> float:
    return (p_now / p_then) ** (1.0 / years) - 1.0


def rnd(x: float, step: float) -> float:
    return round(round(x / step) * step, 6)


def per_capita_by_province(prov: dict) -> dict:
    """[E] Per-capita urban construction land of each province, m² per urban resident, and its land, ha.

    per-capita = built-up area 2020 ÷ city-district (城区) residents 2020, where
      * built-up area 2020 = the 2022 figure [S] × k, with k chosen so that the 30 provinces plus 北京
        add up to the national 2020 total 60,721.32 km² [V] (k ≈ 0.93, i.e. ≈ 3.6%/yr growth);
      * city-district residents = urban residents × s_p, s_p = 63.75% (5.75亿 ÷ 9.02亿 [S]) × the
        province's urbanisation rate ÷ 63.89%, scaled so that the provinces add up to 5.75亿, capped at
        93%; 北京 and 上海 use their cited city-district populations [S].
    Not bounded (the former 60–150 m² bounds moved 西藏 新疆 吉林 宁夏 into another settler tier with no
    source). The value is then applied to all the unit's urban residents (county seats
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
    for c, p in prov.items():
        area_km2 = bj_km2 if c == bj else PROV_BUILTUP_2022_KM2[c] * k
        p["builtup_2020_km2"] = area_km2
        p["city_district_pop"] = cd[c]
        p["pc_raw_m2"] = area_km2 * 1e6 / cd[c]
        p["pc_m2"] = p["pc_raw_m2"]  # no bound: what the cited figures give (西藏 348, 上海 58)
        p["land_ha"] = p["pc_m2"] * p["urban"] / 1e4
    return {"builtup_k": k, "bj_km2": bj_km2}


# =============================================================================================
# Build
# =============================================================================================
def build(details: dict | None = None) -> dict:
    """The scenario as JSON-ready data; ``details`` (if given) receives the per-province and per-unit working
    figures (for the provenance tables)."""
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

    # rest-of-province units: the province minus its centre cities, with the province's own 2010–20 census
    # trend for that remainder (shrinking provinces shrink, item (15)); split into a key-cluster part and the
    # rest where a cluster plan covers part of the province and its prefectures are tabled
    rest_cagr = {}
    for pc, p in prov.items():
        if pc in MUNICIPALITIES:
            continue
        cs = [u for u in units if u["prov"] == pc]
        pop20 = p["pop"] - sum(u["pop20"] for u in cs)
        pop10 = PROV_POP_2010[pc] - sum(u["pop10"] for u in cs)
        urb = p["urban"] - sum(u["pop20"] * u["rate"] / 100 for u in cs)
        assert pop20 > 0 and urb > 0 and pop10 > 0, pc
        rest_cagr[pc] = cagr(pop20, pop10)
        rows = [m for m in CLUSTER_MEMBER_ROWS if m["province_code"] == pc]
        members = [m for m in rows if m["role"] == "member"]
        outside = [m for m in rows if m["role"] == "outside"]
        parts = []
        if rows:
            def weight(m):  # [E] a prefecture counts by the share of its counties the plan names
                return int(m["census_population_2020"]) * county_share(m["county_share"])

            def rate_of(m):  # cited [S], or the city rule [E] where the table says "rule"
                r = m["urbanisation_rate_pct"]
                return urban_rate_rule(p["rate"]) if r == "rule" else float(r)

            # The tabled part (members, or the prefectures outside the cluster) takes its own figures where the
            # table gives them for every row — urban rate, 2010 population — and the other part the residual;
            # otherwise both parts take the rest's residual rate and its 2010–20 trend [E].
            tabled = members or outside
            t_pop = sum(weight(m) for m in tabled)
            t_urb = (sum(weight(m) * rate_of(m) for m in tabled) / 100.0
                     if all(m["urbanisation_rate_pct"] for m in tabled) else t_pop * urb / pop20)
            t_pop10 = (sum(int(m["census_population_2010"]) * county_share(m["county_share"]) for m in tabled)
                       if all(m["census_population_2010"] for m in tabled) else None)
            o_pop10 = None if t_pop10 is None else pop10 - t_pop10
            split = [(t_pop, t_urb, t_pop10), (pop20 - t_pop, urb - t_urb, o_pop10)]
            (c_pop, c_urb, c_pop10), (r_pop, r_urb, r_pop10) = split if members else split[::-1]
            cluster = rows[0]["cluster"]
            cname = cluster + ("" if cluster.endswith("区") else "城市群")
            parts.append(("-RESTC", f"{p['name']}{cname}其他", cluster, c_pop, c_urb, c_pop10))
            parts.append(("-REST", f"{p['name']}其他", None, r_pop, r_urb, r_pop10))
        else:
            parts.append(("-REST", f"{p['name']}其他", CLUSTER_WHOLE_PROVINCES.get(pc), pop20, urb, pop10))
        for suffix, name, cluster, upop, uurb, upop10 in parts:
            if upop10 is None:  # [E] the rest's own trend
                upop10 = upop / (1 + rest_cagr[pc]) ** 10
            units.append(dict(code=f"{pc}{suffix}", name=name, prov=pc, abbr="RC" if suffix == "-RESTC" else "RE",
                              tier="other", cluster=cluster, size="other", pop20=upop, pop10=upop10,
                              rate=100.0 * uurb / upop, rate_src="tabled [S] or residual [E]", src=None, rest=True))

    # ---- populations, growth, land, settlers -----------------------------------------------------
    nat_rural = 1.0 - NAT_URBAN_SHARE_2020
    for u in units:
        p = prov[u["prov"]]
        u["urban"] = u["pop20"] * u["rate"] / 100.0
        u["cagr"] = cagr(u["pop20"], u["pop10"])  # rest units: their part's own trend, else the rest's
        pull = URBAN_PULL * (1.0 - u["rate"] / 100.0) / nat_rural
        if u["rest"] and u["cagr"] < SHRINKING_REST_CAGR:
            pull *= SHRINKING_REST_PULL  # a fast-shrinking remainder urbanises at half the pace
        u["growth"] = DECEL * u["urban"] * (u["cagr"] + pull)
        u["registered"] = u["urban"] * NAT_REGISTERED_URBAN_SHARE_2020 / NAT_URBAN_SHARE_2020
    for pc, p in prov.items():
        cs = [u for u in units if u["prov"] == pc]
        if pc in MUNICIPALITIES:
            cs[0]["pc_m2"] = p["pc_m2"]
            continue
        centre = [u for u in cs if not u["rest"]]
        rest = [u for u in cs if u["rest"]]
        for u in centre:  # denser than the province, never below GB 50137's range
            u["pc_m2"] = max(GB50137_MIN_M2, p["pc_m2"] * SIZE_DENSITY_FACTOR[u["size"]])
        land_c = sum(u["pc_m2"] * u["urban"] for u in centre)
        rest_pc = max(GB50137_MIN_M2, (p["pc_m2"] * p["urban"] - land_c) / sum(u["urban"] for u in rest))
        for u in rest:
            u["pc_m2"] = rest_pc
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
    # item (2): 北京 and 上海 settle by their points-based schemes; everyone else shares the rest of the national
    # 16.7 million by the openness rule
    by_code = {u["code"]: u for u in units}
    fixed = {"110100": float(BJ_SETTLERS_PER_YEAR),
             "310100": BJ_SETTLERS_PER_YEAR / by_code["110100"]["urban"] * by_code["310100"]["urban"]}
    wsum = sum(u["weight"] for u in units if u["code"] not in fixed)
    for u in units:
        u["settlers"] = fixed.get(u["code"], (NAT_SETTLERS_PER_YEAR - sum(fixed.values())) * u["weight"] / wsum)
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
        tilted = [u for u in cs if not u["rest"] or u["cluster"] is not None]  # centre and key-cluster units
        rest = [u for u in cs if u not in tilted]
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
    if details is not None:
        details.update(prov=prov, units=units, rest_cagr=rest_cagr, meta=meta)
    data = assemble(prov, units, projects, rest_cagr, meta)
    for step in DATA_STEPS:  # whole-dataset steps of later features, in order
        data = step(data) or data
    return data


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

    def split_debt(k: float) -> int:
        dw = {c: p["capacity"] * DEBT_RISK_FACTOR.get(c, 1.0)
              * (1 + k * (p["transfers"] / p["capacity"] - dep_nat)) for c, p in prov.items()}
        dws = sum(dw.values())
        for c, p in prov.items():
            p["debt"] = NAT_DEBT_2020 * dw[c] / dws
            p["debt_service"] = p["debt"] * DEBT_SERVICE_SHARE
            p["debt_ratio"] = p["debt"] / p["capacity"]
        # counted on the figures the JSON carries (0.1亿), with a 0.1-point margin so that rounding cannot flip one
        return sum(round(p["debt"], 1) / round(p["capacity"], 1) > 1.001 for p in prov.values())

    debt_k = next(k for k in (DEBT_DEPENDENCE_K_START + 0.005 * i for i in range(400))
                  if split_debt(round(k, 3)) == PROVINCES_OVER_DEBT_LINE_2020)
    debt_k = round(debt_k, 3)
    split_debt(debt_k)
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
    return dict(e_bar=e_bar, rev_nat=rev_nat, cap_nat=cap_nat, dep_nat=dep_nat, lines=lines, debt_k=debt_k,
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
                                f"{CDB_URBANISATION_LOANS_PER_YEAR:,.0f}亿/yr of new-urbanisation loans [S: 2,992亿 in "
                                "Jan–Oct 2020, annualised], split by urban residents.")
            else:
                d["source"] += (f" Credit lines [E]: {CREDIT_SHARE_FOR_PROJECTS['adbc_loan']:.0%} [A] of ADBC's "
                                f"{ADBC_INTEGRATION_LOANS_PER_YEAR:,.1f}亿/yr of 城乡一体化 loans [S: 2017], split by "
                                "rural residents.")
        if f.id == "central_budget":
            d["limit_total_cny_100m_per_year"] = round(fin["central_budget"], 1)
            d["source"] = (d["source"].split(" No national total")[0] + f" National total [E]: "
                           f"{CENTRAL_BUDGET_SHARE_FOR_PROJECTS:.0%} [A] of the 2020 central budget investment of "
                           f"{CENTRAL_BUDGET_2020:,.0f}亿 [M].")
        rows.append(d)
    return rows


EXTRA_FIELDS: list = []
"""Functions ``f(provinces, cities, work)`` that add fields to the province and city dicts of the JSON, in place,
after everything above is assembled (one per feature: national-quota bands, approval capacities, finance defaults
…). ``provinces`` and ``cities`` are the JSON-ready lists (keyed by ``code``); ``work`` holds the builder's working
figures: ``work["prov"][code]`` (pop, urban, rate, region, pool, capacity, debt, revenue …), ``work["units"]``
(one dict per city unit: code, prov, urban, pc_m2, settlers, rest, cluster …) and ``work["meta"]``. Append
yours here, e.g. ``EXTRA_FIELDS.append(approval_fields)``; keep each function's constants next to it, with
their sources."""

DATA_STEPS: list = []
"""Functions ``f(data)`` applied, in order, to the whole assembled dataset at the end of :func:`build` (for a
feature that sets policy fields or sources as well as province/city fields, e.g. ``add_national_allocation``,
``add_approval_data``). A step edits ``data`` in place or returns the new dict. Define yours in a clearly marked
section and register it next to it: ``DATA_STEPS.append(add_approval_data)``. Never call it from ``main()``:
:func:`build` must return exactly what is written, so the byte-for-byte test sees it."""


def assemble(prov: dict, units: list[dict], projects: list[dict], rest_cagr: dict, meta: dict) -> dict:
    provinces = []
    for pc, p in prov.items():
        provinces.append(dict(
            code=pc, name=p["name"], full_name=PROVINCE_FULL_NAMES[pc],
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
            general_budget_revenue_cny_100m=GENERAL_REVENUE_2020[pc],
            built_up_area_km2=PROV_BUILTUP_2022_KM2.get(pc),
        ))
    order = {pc: i for i, pc in enumerate(prov)}
    units = sorted(units, key=lambda u: (order[u["prov"]], u["rest"], u["code"]))
    cities = []
    for u in units:
        grp = CROSS_GROUP.get(u["prov"], "other")
        cross = CROSS_PROVINCE_SHARE[grp][1 if u["rest"] else 0]
        full = (u["name"] + "市" if not u["rest"] else PROVINCE_FULL_NAMES[u["prov"]]
                + (u["cluster"] + ("" if u["cluster"].endswith("区") else "城市群") if u["code"].endswith("-RESTC") else "")
                + "其他地区")
        cities.append(dict(
            code=u["code"], name=u["name"], full_name=full, census_population=round(u["pop20"]),
            province_code=u["prov"], tier=u["tier"],
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
            "7th national census 2020-11-01, as tabled in shared/POLICY.md: population [V], urban % [M] "
            "(datasets/provinces.csv, a source column per figure).",
        "provinces.name, full_name, cities.name, full_name": "GB/T 2260 short and full names in simplified characters; "
            "traditional names are accepted as aliases where a user types a name (models.regions).",
        "provinces.general_budget_revenue_cny_100m": "2020 一般公共预算收入, 亿元 (provinces.csv): pdsen.cn list [S], "
            "corrected to the final accounts for 河北 湖南 [M] and 新疆 [S].",
        "provinces.built_up_area_km2": "urban built-up area, end-2022 (the latest table by province), km² [S]; null for "
            "北京 (no row). The model uses a 2020 estimate (× k ≈ 0.93).",
        "cities.census_population": "7th-census population of the whole unit: centre cities [S] (datasets/cities.csv); "
            "rest-of-province = province − centre cities; a key-cluster part = Σ member prefecture × share of its counties "
            "in the plan [S]/[E] (datasets/cluster_members.csv).",
        "cities (which)": "4 municipalities (city unit = whole municipality, GB/T 2260 xx0100), 27 provincial "
            "capitals, 5 separately listed cities (大连 青岛 宁波 厦门 深圳), and the two mega cities that are "
            "not capitals (东莞 441900, 佛山 440600) as node cities so that their central districts get no "
            "settler land; plus one <province>-REST unit per non-municipal province, split into <province>-RESTC (the "
            "part inside a key cluster) and <province>-REST (the rest) where a cluster covers part of the province and "
            "its prefectures are tabled (贵州 黔中, 云南 滇中, 四川 成渝, 江西 长江中游).",
        "cities.size_class": "super-large/mega lists of 国土资发〔2016〕123号 as in POLICY.md [V] (7th-census 城区人口).",
        "cities.key_cluster": "member of one of the 19 city clusters of the 14th Five-Year Plan outline [S] (item (7)): "
            + "; ".join(f"{k}: {v}" for k, v in KEY_CLUSTERS.items())
            + ". A rest-of-province unit is flagged where a plan covers the whole province (河北 江苏 浙江 安徽 山东 河南 "
            "福建 [M]); the -RESTC part of 贵州 云南 四川 江西 is flagged; other rest units are not split (no prefecture table) "
            "and not flagged.",
        "cities.resident_population": "urban (城镇) resident population = 7th-census population × urbanisation "
            "rate. City populations [S] (pages in the provenance file), urbanisation rate cited where found, "
            "else rule: province rate + half its rural share [E]; rest-of-province = province − centre cities.",
        "cities.registered_population": "[E] urban residents × 45.4/63.89 (national 户籍 vs 常住 urbanisation, "
            "communiqué No. 7).",
        "cities.resident_population_growth_per_year": "[E] 0.5 × urban pop × (2010–20 population CAGR + 2.55%/yr "
            "× rural share ÷ national rural share); a rest-of-province unit uses its own province's 2010–20 census "
            "trend for the remainder outside the centre cities (provinces.csv 6th-census column [M]): "
            + ", ".join(f"{PROVINCE_SHORT[c]} {v * 100:+.2f}%/yr" for c, v in sorted(rest_cagr.items(), key=lambda kv: kv[1])[:6])
            + " … (the north-east and the interior shrink).",
        "cities.settlers_per_year": "[E] 16.7 million/yr nationally (100 million 2015–2020 [V]); item (2): 北京 6,000 "
            "(积分落户 2020 [M]) and 上海 ≈ 6,950 (北京's rate per urban resident [E]; no 上海 figure found); the rest split by "
            "urban pop × openness (super-large 0.35, mega 0.7, other 1) × (1 + 20 × CAGR).",
        "cities.settlers_central_district_share": "[E] super-large 0.6, mega 0.5.",
        "cities.settlers_cross_province_share": "[E] by province group (destinations 北京 天津 上海 广东 浙江 0.6/0.5; "
            "江苏 福建 0.45/0.3; others 0.15/0.05); national cross-province migrant share 33% (communiqué No. 7).",
        "cities.urban_construction_land_ha": "[E] per-capita urban construction land × urban residents (floored to "
            "10 ha). Province per-capita = 2020 built-up area ÷ city-district (城区) residents: built-up 2022 by province "
            "[S] × k (k keeps the national 2020 total of 60,721.32 km² [V]; 北京, missing from the 2022 table, by the mean "
            "per-capita of 上海 天津 重庆 × its city-district population [S]); city-district residents = 5.75亿 [S] split "
            "by urban residents × urbanisation rate (北京 上海 cited [S]), ≤ 93% of urban residents; not bounded. Centre "
            "cities 0.65 × the province value but never below GB 50137's 65 m² [V]; rest-of-province the residual, never "
            "below 65 m². Municipalities take the province value (上海 58 m², from its cited figures). Not a statistic.",
        "cities.stock_land_available_ha": "[E] 0.5% of urban construction land per year.",
        "cities.new_land_value_cny_10k_per_ha": "[E] 2,400 super-large / 1,500 mega / 1,000 other centre / 450 rest "
            "万元/ha × regional factor (east 1.3, central 1.0, west and north-east 0.8).",
        "cities.stock_revitalisation_cost_cny_10k_per_ha": "[E] 35% of the land value.",
        "cities.general_land_arable_share": "[E] 0.6 plains provinces, 0.35 mountain provinces, 0.5 others.",
        "provinces.new_land_pool_ha_per_year": "[E] the urban new land the province's units can use in the year under "
            "the per-capita cap and the tilt: general-use room (settler need + resident growth × per-capita land − stock, "
            "never above the per-capita cap room) + project land (20% of new land, at least 60% of it and whatever the 52% "
            "tilt needs in centre and key-cluster units, within their cap room and what their candidates can carry); rest-of-province "
            "general land is cut to what the tilt allows but never below its settler need − stock. Rounded to 10 ha. The "
            "pools add up to less than the national 400,000 ha: the rest of the plan serves land uses outside these units.",
        "provinces.supplementary_arable_reserve_ha": "[E] factor × arable land occupied if the pool were used in "
            "full (buyers 0.6, farmland sellers 1.8, others 1.2).",
        "provinces.land_quota_seller/surplus": "三区三州 provinces [V] + 贵州 宁夏 [E]; surplus 20,000 ha/yr "
            "nationally [E] split by rural population.",
        "provinces.land_quota_buyer, farmland_quota_buyer": "provinces priced by 国办发〔2018〕16号 [M] + 福建 山东 [E].",
        "provinces.farmland_quota_seller": "land sellers + 黑龙江 内蒙古 吉林 (arable reserve resources) [E].",
        "provinces.fiscally_weak": "[E] 西部大开发 12 provinces + 东北 3.",
        "provinces.fiscal_capacity_cny_100m": "[E] 综合财力 = 2020 general-budget revenue [S] + central transfers (83,218亿 "
            "[M] split by an equalisation rule) + government-fund revenue (89,926.87亿 [S]; 江苏 11,359.39 [S], others by "
            "urban residents × √(per-capita revenue)). National total ≈ 273,400亿.",
        "provinces.debt_balance_cny_100m": "[E] national end-2020 balance 256,615亿 [M] split ∝ capacity × risk factor × "
            f"(1 + {meta['finance']['debt_k']} × (transfer share − national share)); risk factors from the public record: 贵州 "
            "内蒙古 1.30 (Blue Book 2021: over 100% [S]), 青海 海南 天津 1.15 [S], 西藏 0.40 [E]; K calibrated so that nine "
            "provinces exceed 100%, the Blue Book's count for 2020 [S]. No province's own published balance was found in a "
            "stored page: every balance here is an estimate. National ratio ≈ 94% (MoF: 93.6% [M]).",
        "provinces.debt_service_cny_100m_per_year": "[E] 15.1% of the balance (贵州 2021: 1,796.5 of 11,872亿 [S]). Informative.",
        "provinces.special_bond_limit_cny_100m_per_year": "[E] 2020 new special bonds 37,500亿 [M] split ∝ capacity ÷ "
            "max(0.5, debt ratio); 3% of it [A] open to these projects.",
        "provinces.approval_entrusted": "null: policy default, the 8 pilots of 国发〔2020〕4号 [V].",
        "projects": f"[E] synthetic, seed {SEED}: per unit 2 threshold projects around 35/70 ha plus main projects "
            "(lognormal, median 110 ha, 5–600 ha; up to 3 large ones of 800–2,500 ha where more than 2,000 ha remain; at "
            "most 14 per unit) until the candidate area = 1.25 × its project land (1.5 in buyer provinces) is reached. "
            "value = area × unit land value × category factor × U(0.75, 1.7); investment = area × unit land value × "
            "category multiplier (1.5–6) × U(0.8, 1.25); county_seat: rest-of-province projects of county-seat "
            "categories ≤ 300 ha with probability 0.6. Not real projects.",
        "funding_sources": "models.funding.default_funding_sources() rows; CDB credit lines = CDB's ≈ 3,590亿/yr of "
            "new-urbanisation loans [S: 2,992亿 Jan–Oct 2020, annualised] split by urban residents; ADBC lines = its 1,600.3亿/yr of 城乡一体化 "
            "loans [S, 2017] split by rural residents (100% of each open to these projects [A]); central budget 5% [A] "
            "of 6,000亿 [M] a year. Enterprise bonds: no 2020 issuance figure was found in a stored page, so no national "
            "limit is set (the model's 60%/70% proceeds rules apply).",
        "policy": "defaults of models.policy.PolicyParameters (shared/POLICY.md).",
        "regeneration": "python datasets/build_china_2020.py (or python -m landquota.datasets.build_china_2020); "
            "byte-identical output.",
    }
    work = dict(prov=prov, units=units, meta=meta)
    for add_fields in EXTRA_FIELDS:
        add_fields(provinces, cities, work)
    return dict(
        name="china-2020",
        description=(
            "National scenario for the 2020 construction-land plan: 31 provinces, "
            f"{sum(1 for u in units if not u['rest'])} centre/node cities and {sum(1 for u in units if u['rest'])} "
            f"rest-of-province units, {len(clean)} synthetic projects with investment and funding limits (item (21)). "
            "Census populations (2020, 2010), urbanisation rates, built-up areas, budget revenues and the city-cluster "
            "lists are cited statistics (datasets/*.csv, a source per figure); every other figure is an "
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
# Issue 13 (helper D): national quota allocation. One self-contained step on the assembled data.
def add_national_allocation(data: dict) -> dict:
    """Switch the scenario to ``policy.quota_allocation = "national"`` and give each province the base of
    its stability band, with provenance (issue 13).

    base = max(0, pool − linked land) [E]: the province's pool (this dataset's estimate of its urban plan
    quota, ``provinces.new_land_pool_ha_per_year``) less the land linked to the migrants its units settle
    at the 国土资发〔2016〕123号 standard (``City.linked_land``, which the LP's coefficients use too), i.e. the
    part of the pool that was not linked to settlers. The LP then allocates the national total: linked
    land + a value share within [0.8, 1.2] × base (policy defaults [A]). Changes nothing else."""
    from landquota.models.policy import PolicyParameters
    from landquota.models.scenario import City

    policy = PolicyParameters.model_validate(data.get("policy") or {})
    flex = {p["code"]: p.get("linkage_adjustment", 0.0) for p in data["provinces"]}
    linked: dict[str, float] = dict.fromkeys(flex, 0.0)
    for c in data["cities"]:
        city = City.model_validate({k: v for k, v in c.items() if k in City.model_fields})
        linked[city.province_code] += city.linked_land(policy, flex[city.province_code])[2]
    for p in data["provinces"]:
        p["allocation_base_ha_per_year"] = round(max(0.0, p["new_land_pool_ha_per_year"] - linked[p["code"]]), 0)
    data["policy"] = {**data.get("policy", {}), "quota_allocation": "national"}
    data["sources"]["policy"] = (data["sources"].get("policy", "") + " quota_allocation: national (issue 13): the LP "
                                 "allocates the national total (400,000 ha [V]) across provinces.").strip()
    data["sources"]["provinces.allocation_base_ha_per_year"] = (
        "[E] base of the stability band = max(0, pool − linked land): the province's pool (estimated, see "
        "provinces.new_land_pool_ha_per_year) less the land linked to its settlers at the 国土资发〔2016〕123号 "
        "standard (settlers × per-settler tier; none for central districts of super-large/mega cities). Band "
        "shares: policy defaults 0.8–1.2 [A].")
    return data


DATA_STEPS.append(add_national_allocation)


# =============================================================================================
def summary(path: Path = OUT) -> None:
    from collections import Counter, defaultdict

    from landquota.models.scenario import load_scenario
    from landquota.solvers.highs import solve_scenario

    s = load_scenario(json.loads(Path(path).read_text(encoding="utf-8")))
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
# One self-contained step, registered in DATA_STEPS (applied last in build()); nothing else reads these.
APPROVAL_SC_CAPACITY_SHARE = 1 / 3
"""[A] State-Council approvals per year, as a share of the provinces' pools together (rounded to 1,000 ha): no
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
    pools = sum(p["new_land_pool_ha_per_year"] for p in data["provinces"])
    pol["state_council_capacity_ha_per_year"] = float(round(APPROVAL_SC_CAPACITY_SHARE * pools, -3))
    pol["state_council_capacity_cases_per_year"] = float(APPROVAL_SC_CAPACITY_CASES)
    pol["state_council_lead_months"] = APPROVAL_LEAD_MONTHS["state_council"]
    pol["province_entrusted_lead_months"] = APPROVAL_LEAD_MONTHS["province_entrusted"]
    pol["province_lead_months"] = APPROVAL_LEAD_MONTHS["province"]
    for c in data["cities"]:
        if c.get("tier") in ("municipality", "provincial_capital", "separately_listed"):
            c["general_land_batch_ha"] = APPROVAL_CENTRE_BATCH_HA
    data["sources"]["policy.state_council_capacity_ha_per_year, policy.state_council_capacity_cases_per_year"] = (
        f"[A] no published figure: a third of the provinces' pools ({pol['state_council_capacity_ha_per_year']:,.0f} "
        "ha), and "
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


DATA_STEPS.append(add_approval_data)


def provenance_tables() -> str:
    """Markdown tables of the working figures, for china-2020.provenance.md (``--tables``)."""
    det: dict = {}
    data = build(det)
    prov, units = det["prov"], det["units"]
    fin = {f["id"]: f for f in data["funding_sources"]}
    out = ["| province | built-up 2020 (km²) | city-district residents (万) | per-capita: province / centre(s) / rest "
           "(m²) | pool (ha) | general use | project land | rest cut by tilt | reserve | surplus |",
           "|---|---|---|---|---|---|---|---|---|---|"]
    for pc, p in prov.items():
        cs = [u for u in units if u["prov"] == pc]
        cen = ", ".join(f"{u['pc_m2']:.0f}" for u in cs if not u["rest"])
        rest = ", ".join(sorted({f"{u['pc_m2']:.0f}" for u in cs if u["rest"]}))
        pcs = f"{p['pc_m2']:.1f}" + (f" / {cen} / {rest}" if rest else "")
        bu = f"{p['builtup_2020_km2']:,.0f}" + (" [E]" if pc == "110000" else "")
        out.append(f"| {pc} {p['name']} | {bu} | {p['city_district_pop'] / 1e4:,.0f} | {pcs} | {p['pool']:,.0f} | "
                   f"{p['general_use']:,.0f} | {p['proj_land']:,.0f} | {p['rest_general_cut']:,.0f} | "
                   f"{p['reserve']:,.0f} | {p['surplus']:,.0f} |")
    out += ["", "| unit | census 2020 | urban residents | own 2010–20 trend (%/yr) | urban growth (/yr) | per-capita "
            "(m²) | settlers (/yr) | key cluster |", "|---|---|---|---|---|---|---|---|"]
    for u in sorted((u for u in units if u["rest"]), key=lambda u: u["code"]):
        out.append(f"| {u['code']} {u['name']} | {u['pop20']:,.0f} | {u['urban']:,.0f} | {u['cagr'] * 100:+.2f} | "
                   f"{u['growth']:+,.0f} | {u['pc_m2']:.0f} | {u['settlers']:,.0f} | {u['cluster'] or '—'} |")
    out += ["", "| province | general-budget revenue | transfers [E] | fund revenue | capacity [E] | debt [E] | "
            "debt ratio | debt service [E] | special-bond quota [E] | CDB line [E] | ADBC line [E] |",
            "|---|---|---|---|---|---|---|---|---|---|---|"]
    tot = dict.fromkeys(("revenue", "transfers", "fund", "capacity", "debt", "debt_service", "special_quota"), 0.0)
    cdb, adbc = fin["cdb_loan"]["limit_per_province_cny_100m"], fin["adbc_loan"]["limit_per_province_cny_100m"]
    for pc, p in prov.items():
        for k in tot:
            tot[k] += p[k]
        out.append(f"| {pc} {p['name']} | {p['revenue']:,.0f} | {p['transfers']:,.0f} | {p['fund']:,.0f} | "
                   f"{p['capacity']:,.0f} | {p['debt']:,.0f} | {p['debt_ratio']:.1%} | {p['debt_service']:,.0f} | "
                   f"{p['special_quota']:.1f} | {cdb[pc]:.1f} | {adbc[pc]:.1f} |")
    out.append(f"| **total** | {tot['revenue']:,.0f} | {tot['transfers']:,.0f} | {tot['fund']:,.0f} | "
               f"{tot['capacity']:,.0f} | {tot['debt']:,.0f} | {tot['debt'] / tot['capacity']:.1%} | "
               f"{tot['debt_service']:,.0f} | {tot['special_quota']:.1f} | {sum(cdb.values()):.1f} | "
               f"{sum(adbc.values()):.1f} |")
    return "\n".join(out)


def render(data: dict) -> str:
    """The JSON text exactly as written to datasets/china-2020.json."""
    return json.dumps(data, ensure_ascii=False, indent=1) + "\n"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--check", action="store_true", help="solve the written scenario and print a summary")
    ap.add_argument("--out", type=Path, default=OUT, help="where to write (default: datasets/china-2020.json)")
    ap.add_argument("--tables", action="store_true", help="print the provenance tables instead of writing")
    args = ap.parse_args()
    if args.tables:
        print(provenance_tables())
        return
    data = build()
    args.out.write_text(render(data), encoding="utf-8")
    print(f"wrote {args.out} ({len(data['provinces'])} provinces, {len(data['cities'])} cities, "
          f"{len(data['projects'])} projects)")
    if args.check:
        summary(args.out)


if __name__ == "__main__":
    main()
