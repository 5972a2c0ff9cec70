"""Units and conversions: the one place where 万元, 亿元, 亩, ha and m² meet.

Names carry their unit (``area_ha``, ``amount_cny_100m``, ``price_cny_10k_per_ha``); a conversion
between two of them is written with the constants and functions here, never as a bare literal
(``/ 1e4``). The objective is in 亿元; land prices and penalties are quoted in 万元 per ha.
"""

from __future__ import annotations

CNY_10K_PER_100M = 1e4
"""万元 per 亿元 (1 亿元 = 10,000 万元): land prices are quoted in 万元, the objective is in 亿元."""

MU_PER_HA = 15.0
"""1 hectare = 15 mu (市亩), by definition of the Chinese mu (666.67 m²)."""

M2_PER_HA = 10_000.0
"""Square metres per hectare."""

UNIT_ZH = {"ha": "公顷", "亿元": "亿元", "万元": "万元", "project": "个项目", "case": "件", "万元/ha": "万元/公顷", "share": ""}
"""Chinese names of the units the results use."""


def cny_100m(amount_cny_10k):
    """万元 → 亿元. Works on numbers and on Pyomo expressions (a Param in 万元 becomes 亿元)."""
    return amount_cny_10k / CNY_10K_PER_100M


def cny_10k(amount_cny_100m):
    """亿元 → 万元."""
    return amount_cny_100m * CNY_10K_PER_100M


def price_unit(limit_unit: str) -> str:
    """Unit of a shadow price: 亿元 of objective per unit of the limit ('ha' → '亿元/ha')."""
    return f"亿元/{limit_unit}"


def limit_unit(price_unit_: str) -> str:
    """'亿元/ha' → 'ha'; '亿元/亿元' → '亿元'; '亿元/project' → 'project'."""
    return price_unit_.split("/", 1)[1] if "/" in price_unit_ else price_unit_
