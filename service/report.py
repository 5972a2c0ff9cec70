"""HTML reports a planner can open with no network: a solve's, and a batch's (issue 18).

    render_solve_report(result, scenario, scenario_href="scenario.json") -> str
    render_batch_report(spec, rows) -> str

A report is one self-contained HTML file: inline CSS and SVG, a few lines of inline JavaScript
(choose the map's measure, sort a table), no external resource, and the system's CJK fonts through
a font-family stack. Everything is drawn from the result as stored (a ``Result`` or its JSON data),
and every section is skipped when its data is missing (an infeasible answer, ``explain`` off,
fields other versions add or lack), so a report never fails on a partial result.

The map is a tile grid: one square per province-level division (GB/T 2260 code, simplified name),
placed roughly where it lies, so that each province gets the same area whatever its size. The value
behind each colour is on hover (an SVG ``<title>``) and in the sortable table below the map, so the
page reads without colour.
"""

from __future__ import annotations

import math
from html import escape
from typing import Any, Iterable

# ---- provinces: tile positions (column, row) and simplified names --------------------------------

TILES: dict[str, tuple[int, int]] = {
    "230000": (8, 0),
    "650000": (1, 1), "150000": (5, 1), "220000": (8, 1),
    "640000": (4, 2), "140000": (5, 2), "110000": (6, 2), "120000": (7, 2), "210000": (8, 2),
    "630000": (2, 3), "620000": (3, 3), "610000": (4, 3), "410000": (5, 3), "130000": (6, 3), "370000": (7, 3),
    "540000": (1, 4), "510000": (3, 4), "500000": (4, 4), "420000": (5, 4), "340000": (6, 4), "320000": (7, 4),
    "310000": (8, 4),
    "530000": (3, 5), "520000": (4, 5), "430000": (5, 5), "360000": (6, 5), "330000": (7, 5),
    "450000": (4, 6), "440000": (5, 6), "350000": (6, 6),
    "460000": (5, 7),
}
"""Tile-grid position of each of the 31 provinces: column west → east, row north → south."""

NAMES_ZH: dict[str, str] = {
    "110000": "北京", "120000": "天津", "130000": "河北", "140000": "山西", "150000": "内蒙古",
    "210000": "辽宁", "220000": "吉林", "230000": "黑龙江", "310000": "上海", "320000": "江苏",
    "330000": "浙江", "340000": "安徽", "350000": "福建", "360000": "江西", "370000": "山东",
    "410000": "河南", "420000": "湖北", "430000": "湖南", "440000": "广东", "450000": "广西",
    "460000": "海南", "500000": "重庆", "510000": "四川", "520000": "贵州", "530000": "云南",
    "540000": "西藏", "610000": "陕西", "620000": "甘肃", "630000": "青海", "640000": "宁夏",
    "650000": "新疆",
}
"""Simplified (mainland) short names, GB/T 2260 code → name."""

FONTS = ('"Noto Sans CJK SC", "Source Han Sans SC", "WenQuanYi Micro Hei", "PingFang SC", '
         '"Hiragino Sans GB", "Microsoft YaHei", "Noto Sans", "DejaVu Sans", sans-serif')

CSS = """
body { font-family: %s; margin: 0 auto; max-width: 1180px; padding: 16px 24px; color: #1d2433; }
h1 { font-size: 22px; margin: 4px 0; } h2 { font-size: 18px; margin: 26px 0 8px; border-bottom: 1px solid #d6dbe4; }
.meta { color: #4a5568; font-size: 13px; } .meta code { font-size: 12px; }
.status { display: inline-block; padding: 1px 8px; border-radius: 9px; color: #fff; background: #2f855a; }
.status.bad { background: #c53030; } .status.warn { background: #b7791f; }
.row { display: flex; flex-wrap: wrap; gap: 24px; align-items: flex-start; }
table { border-collapse: collapse; font-size: 13px; }
th, td { border-bottom: 1px solid #e2e8f0; padding: 3px 8px; text-align: left; }
td.num, td.unit { white-space: nowrap; }
td.num, th.num { text-align: right; font-variant-numeric: tabular-nums; }
table.sortable th { cursor: pointer; background: #f1f4f8; } table.sortable th:hover { background: #e2e8f0; }
.unmet { background: #fff5f5; border-left: 4px solid #c53030; padding: 6px 12px; margin: 6px 0; }
.summary { background: #f7fafc; padding: 8px 12px; border-left: 4px solid #3182ce; margin: 6px 0; }
.zh { color: #2d3748; } .small { font-size: 12px; color: #4a5568; }
svg text { font-family: %s; }
.tile:hover rect { stroke: #1a202c; stroke-width: 2; }
""" % (FONTS, FONTS)

SORT_JS = """
function sortTable(th) {
  const table = th.closest('table'), body = table.tBodies[0], i = th.cellIndex;
  const dir = th.dataset.dir === 'asc' ? 'desc' : 'asc'; th.dataset.dir = dir;
  const key = td => { const v = td.dataset.v; if (v === undefined || v === '') return null;
                      const n = Number(v); return isNaN(n) ? v : n; };
  const rows = Array.from(body.rows);
  rows.sort((a, b) => { const x = key(a.cells[i]), y = key(b.cells[i]);
    if (x === null) return 1; if (y === null) return -1;
    const c = (typeof x === 'number' && typeof y === 'number') ? x - y : String(x).localeCompare(String(y));
    return dir === 'asc' ? c : -c; });
  rows.forEach(r => body.appendChild(r));
}
document.querySelectorAll('table.sortable th').forEach(th => th.addEventListener('click', () => sortTable(th)));
"""

MAP_JS = """
function colourMap(measure) {
  document.querySelectorAll('#map .tile').forEach(g => {
    g.querySelector('rect').setAttribute('fill', g.dataset['fill_' + measure] || '#e2e8f0');
    g.querySelector('.val').textContent = g.dataset['label_' + measure] || '–';
    g.querySelector('title').textContent = g.dataset['title_' + measure] || '';
  });
  const l = document.getElementById('legend-' + measure);
  document.querySelectorAll('.legend').forEach(x => x.style.display = 'none');
  if (l) l.style.display = '';
}
const sel = document.getElementById('measure');
if (sel) {
  const m = /measure=([a-z_]+)/.exec(location.hash);  // report.html#measure=debt opens on that measure
  if (m && Array.from(sel.options).some(o => o.value === m[1])) sel.value = m[1];
  sel.addEventListener('change', () => colourMap(sel.value)); colourMap(sel.value);
}
"""


# ---- small helpers -------------------------------------------------------------------------------


def _data(obj: Any) -> Any:
    """A pydantic model (or anything JSON-like) as plain JSON data."""
    if hasattr(obj, "model_dump"):
        return obj.model_dump(mode="json")
    return obj


def _num(x: Any) -> float | None:
    return float(x) if isinstance(x, (int, float)) and not isinstance(x, bool) and math.isfinite(x) else None


def _fmt(x: float | None, digits: int = 4) -> str:
    if x is None:
        return "–"
    if x != 0 and (abs(x) >= 1e7 or abs(x) < 1e-3):
        return f"{x:.3g}"
    if abs(x) >= 100:
        return f"{x:,.0f}"
    return f"{x:,.{digits}g}"


def province_name(code: str, fallback: str = "") -> str:
    return NAMES_ZH.get(code, fallback or code)


def _ramp(t: float) -> str:
    """Sequential colour (light yellow-green → dark blue), t in [0, 1]."""
    stops = [(255, 255, 217), (199, 233, 180), (65, 182, 196), (34, 94, 168), (8, 29, 88)]
    t = min(1.0, max(0.0, t)) * (len(stops) - 1)
    i = min(int(t), len(stops) - 2)
    f = t - i
    c = [round(a + (b - a) * f) for a, b in zip(stops[i], stops[i + 1])]
    return "#%02x%02x%02x" % tuple(c)


def _td(value: Any, digits: int = 4) -> str:
    n = _num(value)
    if n is not None:
        return f'<td class="num" data-v="{n!r}">{escape(_fmt(n, digits))}</td>'
    text = "" if value is None else str(value)
    return f'<td data-v="{escape(text)}">{escape(text) or "–"}</td>'


def _table(headers: list[str], rows: Iterable[list[Any]], numeric: set[int] = frozenset(), cls: str = "sortable",
           table_id: str = "") -> str:
    ths = "".join(f'<th class="num">{escape(h)}</th>' if i in numeric else f"<th>{escape(h)}</th>"
                  for i, h in enumerate(headers))
    body = "".join("<tr>" + "".join(_td(v) for v in r) + "</tr>" for r in rows)
    tid = f' id="{table_id}"' if table_id else ""
    return (f'<div style="overflow-x: auto"><table class="{cls}"{tid}><thead><tr>{ths}</tr></thead>'
            f'<tbody>{body}</tbody></table></div>')


def _page(title: str, body: str, scripts: str = SORT_JS) -> str:
    return ("<!DOCTYPE html>\n<html lang=\"zh-CN\"><head><meta charset=\"utf-8\">"
            f"<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\"><title>{escape(title)}</title>"
            f"<style>{CSS}</style></head><body>{body}<script>{scripts}</script></body></html>\n")


# ---- SVG charts ----------------------------------------------------------------------------------


def bar_chart(items: list[tuple[str, list[float]]], series: list[str], unit: str, width: int = 540,
              colours: tuple[str, ...] = ("#2b6cb0", "#90cdf4", "#dd6b20", "#38a169", "#805ad5", "#d53f8c")) -> str:
    """Horizontal stacked bars: ``items`` = [(label, [value per series])], largest first as given."""
    if not items:
        return '<p class="small">No data.</p>'
    label_w = 12 + max(sum(13 if ord(ch) > 0x2e80 else 7 for ch in label) for label, _ in items)
    bar_h, gap = 16, 5
    top = 22 if len(series) > 1 else 4
    height = top + len(items) * (bar_h + gap) + 24
    total_max = max((sum(max(0.0, v) for v in vals) for _, vals in items), default=0.0) or 1.0
    width = max(width, label_w + 240)
    span = width - label_w - 90
    out = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" role="img" '
           f'class="chart"><title>{escape(", ".join(series))} ({escape(unit)})</title>']
    if len(series) > 1:
        x = label_w
        for k, name in enumerate(series):
            out.append(f'<rect x="{x}" y="4" width="10" height="10" fill="{colours[k % len(colours)]}"/>'
                       f'<text x="{x + 14}" y="13" font-size="11">{escape(name)}</text>')
            x += 24 + 7 * len(name)
    for n, (label, vals) in enumerate(items):
        y = top + n * (bar_h + gap)
        out.append(f'<text x="{label_w - 6}" y="{y + bar_h - 4}" font-size="12" text-anchor="end">{escape(label)}</text>')
        x = float(label_w)
        for k, v in enumerate(vals):
            w = span * max(0.0, v) / total_max
            if w > 0:
                out.append(f'<rect x="{x:.1f}" y="{y}" width="{w:.1f}" height="{bar_h}" fill="{colours[k % len(colours)]}">'
                           f'<title>{escape(label)} — {escape(series[k])}: {escape(_fmt(v))} {escape(unit)}</title></rect>')
            x += w
        out.append(f'<text x="{x + 4:.1f}" y="{y + bar_h - 4}" font-size="11" fill="#4a5568">'
                   f'{escape(_fmt(sum(vals)))}</text>')
    out.append(f'<text x="{label_w}" y="{height - 6}" font-size="11" fill="#4a5568">{escape(unit)}</text></svg>')
    return "".join(out)


def line_chart(points: list[tuple[float, float]], xlabel: str, ylabel: str, width: int = 360, height: int = 220) -> str:
    """A KPI against a swept parameter."""
    pts = sorted((x, y) for x, y in points if _num(x) is not None and _num(y) is not None)
    if not pts:
        return '<p class="small">No data.</p>'
    left, right, top, bottom = 64, 12, 20, 40
    xs, ys = [p[0] for p in pts], [p[1] for p in pts]
    x0, x1 = min(xs), max(xs)
    y0, y1 = min(ys), max(ys)
    if x1 == x0:
        x0, x1 = x0 - 1, x1 + 1
    if y1 == y0:
        pad = abs(y0) * 0.05 or 1.0
        y0, y1 = y0 - pad, y1 + pad
    sx = lambda x: left + (x - x0) / (x1 - x0) * (width - left - right)  # noqa: E731
    sy = lambda y: top + (1 - (y - y0) / (y1 - y0)) * (height - top - bottom)  # noqa: E731
    path = " ".join(f"{'M' if i == 0 else 'L'}{sx(x):.1f},{sy(y):.1f}" for i, (x, y) in enumerate(pts))
    out = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" class="chart">',
           f'<title>{escape(ylabel)} against {escape(xlabel)}</title>',
           f'<line x1="{left}" y1="{height - bottom}" x2="{width - right}" y2="{height - bottom}" stroke="#a0aec0"/>',
           f'<line x1="{left}" y1="{top}" x2="{left}" y2="{height - bottom}" stroke="#a0aec0"/>',
           f'<path d="{path}" fill="none" stroke="#2b6cb0" stroke-width="2"/>']
    for x, y in pts:
        out.append(f'<circle cx="{sx(x):.1f}" cy="{sy(y):.1f}" r="3.5" fill="#2b6cb0"><title>{escape(xlabel)} = '
                   f'{escape(_fmt(x))}: {escape(ylabel)} = {escape(_fmt(y))}</title></circle>')
    for v in (y0, y1):
        out.append(f'<text x="{left - 4}" y="{sy(v) + 4:.1f}" font-size="10" text-anchor="end">{escape(_fmt(v))}</text>')
    for v in (x0, x1):
        out.append(f'<text x="{sx(v):.1f}" y="{height - bottom + 14}" font-size="10" text-anchor="middle">'
                   f'{escape(_fmt(v))}</text>')
    out.append(f'<text x="{(left + width - right) / 2:.0f}" y="{height - 6}" font-size="11" text-anchor="middle">'
               f'{escape(xlabel[:60])}</text>')
    out.append(f'<text x="12" y="{top - 6}" font-size="11">{escape(ylabel)}</text></svg>')
    return "".join(out)


def heat_map(row_labels: list[str], col_labels: list[str], values: list[list[float | None]], unit: str) -> str:
    """Rows × columns of coloured cells with the value on hover."""
    if not row_labels or not col_labels:
        return '<p class="small">No data.</p>'
    cw, ch, left, top = max(28, min(70, 900 // max(1, len(col_labels)))), 18, 110, 110
    width, height = left + cw * len(col_labels) + 10, top + ch * len(row_labels) + 10
    flat = [v for r in values for v in r if v is not None]
    lo, hi = (min(flat), max(flat)) if flat else (0.0, 1.0)
    out = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" class="chart heat">',
           f'<title>{escape(unit)}</title>']
    for j, c in enumerate(col_labels):
        x = left + j * cw + cw / 2
        out.append(f'<text transform="translate({x:.1f},{top - 6}) rotate(-55)" font-size="11">{escape(c if len(c) <= 28 else "…" + c[-27:])}</text>')
    for i, r in enumerate(row_labels):
        y = top + i * ch
        out.append(f'<text x="{left - 6}" y="{y + ch - 5}" font-size="11" text-anchor="end">{escape(r)}</text>')
        for j, v in enumerate(values[i]):
            fill = "#e2e8f0" if v is None else _ramp((v - lo) / (hi - lo) if hi > lo else 0.5)
            out.append(f'<rect x="{left + j * cw}" y="{y}" width="{cw - 1}" height="{ch - 1}" fill="{fill}">'
                       f'<title>{escape(r)} — {escape(col_labels[j])}: {escape(_fmt(v))} {escape(unit)}</title></rect>')
    out.append("</svg>")
    return "".join(out)


# ---- the province map ----------------------------------------------------------------------------


def tile_map(measures: list[tuple[str, str, str, dict[str, float | None]]], default: str) -> str:
    """The 31 provinces as tiles; ``measures`` = [(key, label, unit, {code: value})]. Colours, labels
    and hover text of every measure are written into each tile (data attributes); a select swaps them."""
    size, gap = 64, 4
    cols = 1 + max(c for c, _ in TILES.values())
    rows = 1 + max(r for _, r in TILES.values())
    width, height = cols * (size + gap) + 8, rows * (size + gap) + 8
    ranges = {}
    for key, _, _, vals in measures:
        nums = [v for v in vals.values() if v is not None]
        ranges[key] = (min(nums), max(nums)) if nums else (0.0, 0.0)
    out = [f'<svg xmlns="http://www.w3.org/2000/svg" id="map" width="{width}" height="{height}" role="img">'
           '<title>Tile map of the 31 provinces</title>']
    default_m = next((m for m in measures if m[0] == default), measures[0])
    for code, (c, r) in TILES.items():
        x, y = 4 + c * (size + gap), 4 + r * (size + gap)
        name = NAMES_ZH[code]
        attrs = []
        for key, label, unit, vals in measures:
            v = vals.get(code)
            lo, hi = ranges[key]
            fill = "#e2e8f0" if v is None else _ramp((v - lo) / (hi - lo) if hi > lo else 0.6)
            text = _fmt(v)
            attrs.append(f'data-fill_{key}="{fill}" data-label_{key}="{escape(text)}" '
                         f'data-title_{key}="{escape(f"{name} {code}: {label} {text} {unit}")}"')
        v = default_m[3].get(code)
        lo, hi = ranges[default_m[0]]
        fill = "#e2e8f0" if v is None else _ramp((v - lo) / (hi - lo) if hi > lo else 0.6)
        dark = v is not None and hi > lo and (v - lo) / (hi - lo) > 0.55
        colour = "#fff" if dark else "#1a202c"
        out.append(f'<g class="tile" data-code="{code}" {" ".join(attrs)}>'
                   f'<title>{escape(f"{name} {code}: {default_m[1]} {_fmt(v)} {default_m[2]}")}</title>'
                   f'<rect x="{x}" y="{y}" width="{size}" height="{size}" rx="6" fill="{fill}" stroke="#fff"/>'
                   f'<text x="{x + size / 2}" y="{y + 26}" font-size="14" text-anchor="middle" fill="{colour}" '
                   f'style="paint-order: stroke" stroke="{"#1a202c" if dark else "#fff"}" stroke-width="2">'
                   f'{escape(name)}</text>'
                   f'<text class="val" x="{x + size / 2}" y="{y + 46}" font-size="11" text-anchor="middle" '
                   f'fill="{colour}" style="paint-order: stroke" stroke="{"#1a202c" if dark else "#fff"}" '
                   f'stroke-width="2">{escape(_fmt(v))}</text></g>')
    out.append("</svg>")
    legends = []
    for key, label, unit, _ in measures:
        lo, hi = ranges[key]
        stops = "".join(f'<stop offset="{k / 4:.2f}" stop-color="{_ramp(k / 4)}"/>' for k in range(5))
        legends.append(f'<div class="legend small" id="legend-{key}" style="display:{"" if key == default_m[0] else "none"}">'
                       f'<svg width="260" height="30"><defs><linearGradient id="g-{key}">{stops}</linearGradient></defs>'
                       f'<rect x="0" y="0" width="260" height="12" fill="url(#g-{key})"/>'
                       f'<text x="0" y="26" font-size="11">{escape(_fmt(lo))}</text>'
                       f'<text x="260" y="26" font-size="11" text-anchor="end">{escape(_fmt(hi))} {escape(unit)}</text>'
                       '</svg> grey: no value</div>')
    options = "".join(f'<option value="{key}"{" selected" if key == default_m[0] else ""}>{escape(label)} ({escape(unit)})'
                      "</option>" for key, label, unit, _ in measures)
    return (f'<label>Colour by / 着色指标: <select id="measure">{options}</select></label>'
            f'<div>{"".join(out)}</div>{"".join(legends)}')


# ---- a solve's report ----------------------------------------------------------------------------


def province_measures(r: dict, years: int | None) -> list[tuple[str, str, str, dict[str, float | None]]]:
    """The map's measures from the result's tables: [(key, label, unit, {province code: value})].
    Allocated quota only when the result has it (``quota_allocated_ha`` on province rows)."""
    provs = r.get("provinces") or []
    out = []
    if any(_num(p.get("quota_allocated_ha")) is not None for p in provs):
        out.append(("quota", "Allocated quota / 分配指标", "ha",
                    {p["code"]: _num(p.get("quota_allocated_ha")) for p in provs}))
    out.append(("new_land", "New land / 新增建设用地", "ha", {p["code"]: _num(p.get("new_land_ha")) for p in provs}))
    settlers: dict[str, float] = {}
    for c in r.get("cities") or []:
        n = _num(c.get("settlers_per_year"))
        if n:
            settlers[c.get("province_code", "")] = settlers.get(c.get("province_code", ""), 0.0) + n * (years or 1)
    linked = provs and all(_num(p.get("linked_ha")) is not None for p in provs)
    land = "linked_ha" if linked else "new_land_ha"
    out.append(("per_settler", ("Linked land per settler / 人均挂钩用地" if linked else
                                "New land per settler / 人均落户用地"), "m²",
                {p["code"]: (_num(p.get(land)) or 0.0) * 1e4 / settlers[p["code"]]
                 if settlers.get(p["code"]) else None for p in provs}))
    out.append(("debt", "Debt ratio after / 债务率（规划后）", "%",
                {p["code"]: 100 * _num(p.get("debt_ratio_after")) if _num(p.get("debt_ratio_after")) is not None
                 else None for p in provs}))
    pool: dict[str, float] = {}
    for b in r.get("binding") or []:
        if "pool" in str(b.get("rule", "")) and _num(b.get("shadow_price")) is not None:
            v = b["shadow_price"] * 1e4  # 亿元/ha → 万元/ha
            pool[b.get("region", "")] = max(pool.get(b.get("region", ""), v), v)
    out.append(("pool_price", "Pool shadow price (highest year) / 指标影子价格", "万元/ha",
                {p["code"]: pool.get(p["code"], 0.0 if r.get("binding") is not None else None) for p in provs}))
    return out


def linked_split(r: dict) -> tuple[str, list[tuple[str, list[float]]]]:
    """Allocation by province, split into land linked to settlers and other land, largest first, and
    what is split: the allocated quota with its ``linked_ha`` when province rows carry both, else new
    land with the settler floors its cities meet."""
    provs = r.get("provinces") or []
    allocated = any(_num(p.get("quota_allocated_ha")) for p in provs) and all(
        _num(p.get("linked_ha")) is not None for p in provs)
    linked: dict[str, float] = {}
    for c in r.get("cities") or []:
        need, short = _num(c.get("linkage_need_ha")) or 0.0, _num(c.get("settler_shortfall_ha")) or 0.0
        linked[c.get("province_code", "")] = linked.get(c.get("province_code", ""), 0.0) + max(0.0, need - short)
    items = []
    for p in provs:
        if allocated:
            total, ln = _num(p.get("quota_allocated_ha")) or 0.0, _num(p.get("linked_ha")) or 0.0
        else:
            total = _num(p.get("new_land_ha")) or 0.0
            ln = min(total, linked.get(p["code"], 0.0))
        items.append((f'{province_name(p["code"], p.get("name", ""))} {p["code"]}', [ln, max(0.0, total - ln)]))
    what = "Allocated quota / 分配指标" if allocated else "New land / 新增建设用地"
    return what, sorted(items, key=lambda it: -sum(it[1]))


MAX_ROWS = 100
"""Rows a report lists of a long table (binding rules without an explanation, shortfalls); the rest
are in result.json and the CSV tables."""


MAX_UNMET = 25
"""Unmet targets listed at the top of a report (largest first)."""


def _more(n: int, table: str, shown: int = MAX_ROWS) -> str:
    return (f'<p class="small">{n - shown:,} more in result.json and {table}.csv · 其余{n - shown:,}条见'
            f"result.json和{table}.csv</p>" if n > shown else "")


def _section(title_en: str, title_zh: str, html: str) -> str:
    return f"<h2>{escape(title_en)} · {escape(title_zh)}</h2>{html}" if html else ""


def unmet_section(r: dict) -> str:
    """Unmet targets, highlighted: a few in words (the explanation's sentences), many as a table."""
    ex = r.get("explain") or {}
    unmet = ex.get("unmet_targets") or []
    if 0 < len(unmet) <= 5:
        return _section("Unmet targets", "未达成目标", "".join(
            f'<div class="unmet"><b>{escape(u.get("region_name") or u.get("region", ""))}</b> '
            f'{escape(_fmt(_num(u.get("amount_ha"))))} ha — {escape(u.get("sentence_en", ""))}'
            f'<br><span class="zh">{escape(u.get("sentence_zh", ""))}</span></div>' for u in unmet))
    names = {c.get("code"): c.get("name", "") for c in (r.get("cities") or []) + (r.get("provinces") or [])}
    if unmet:
        rows = [[u.get("region_name") or names.get(u.get("region"), ""), u.get("region"), u.get("rule"), u.get("year"),
                 _num(u.get("amount_ha")), _num(u.get("penalty_cny_100m")), u.get("sentence_zh")] for u in unmet]
        head = ["Region / 地区", "Code / 代码", "Target / 目标", "Year / 年", "Missed / 缺口 (ha)",
                "Cost / 代价 (亿元)", "说明"]
        n = len(rows)
    else:
        largest = sorted(r.get("shortfalls") or [], key=lambda sh: -(_num(sh.get("amount_ha")) or 0.0))
        rows = [[names.get(sh.get("region"), ""), sh.get("region"), sh.get("rule"), sh.get("year"),
                 _num(sh.get("amount_ha"))] for sh in largest]
        head = ["Region / 地区", "Code / 代码", "Target / 目标", "Year / 年", "Missed / 缺口 (ha)"]
        n = len(rows)
    if not rows:
        return ""
    rows.sort(key=lambda row: -(row[4] or 0.0))
    return _section("Unmet targets", "未达成目标", f'<div class="unmet"><b>{n:,}</b> targets missed, largest first · '
                    f"未达成目标{n:,}项，按缺口排序" + _table(head, rows[:MAX_UNMET], numeric={3, 4, 5})
                    + _more(n, "shortfalls", MAX_UNMET) + "</div>")


def national_section(r: dict) -> str:
    """The national plan (issue 13's ``national`` summary), when the result has one."""
    n = r.get("national") or {}
    if not n:
        return ""
    prices = [p * 1e4 for p in n.get("shadow_price_cny_100m_per_ha") or [] if _num(p) is not None]
    names = lambda codes: "、".join(f"{province_name(c)} {c}" for c in codes) or "–"  # noqa: E731
    rows = [["Allocation mode / 分配方式", n.get("quota_allocation")],
            ["National total / 全国总量 (ha)", _num(n.get("national_total_ha"))],
            ["Allocated / 已分配 (ha)", _num(n.get("quota_allocated_ha"))],
            ["Used / 已使用 (ha)", _num(n.get("quota_used_ha"))],
            ["Linked to settlers / 人地挂钩 (ha)", _num(n.get("linked_ha"))],
            ["Linked land per settler / 人均挂钩用地 (m²)", _num(n.get("linked_m2_per_settler"))],
            ["Price of the national total by year / 全国总量影子价格 (万元/ha)",
             ", ".join(_fmt(p) for p in prices) or "–"],
            ["Binds every year / 每年均起约束", "yes / 是" if n.get("binds") else "no / 否"],
            ["At their floor / 处于下限", names(n.get("provinces_at_floor") or [])],
            ["At their ceiling / 处于上限", names(n.get("provinces_at_ceiling") or [])]]
    body = "".join(f"<tr><th>{escape(k)}</th>{_td(v)}</tr>" for k, v in rows)
    note = (f'<p>{escape(n.get("note_en", ""))}</p><p class="zh">{escape(n.get("note_zh", ""))}</p>'
            if n.get("note_en") or n.get("note_zh") else "")
    return _section("National plan", "全国计划", f"<table>{body}</table>{note}")


def render_solve_report(result: Any, scenario: Any = None, scenario_href: str = "scenario.json") -> str:
    """The report of one solve: ``result`` a ``Result`` or its JSON data; ``scenario`` the Scenario
    (or its data; optional: its years and description are used). ``scenario_href`` is the link to the
    scenario file (relative to the report: ``--out`` writes both side by side)."""
    r = _data(result) or {}
    s = _data(scenario) or {}
    years = s.get("years")
    status = r.get("status", "?")
    stats = r.get("stats") or {}
    sha = stats.get("scenario_sha256")
    cls = "" if status == "optimal" else ("warn" if status == "time_limit" else "bad")
    parts = [f'<h1>landquota · {escape(str(r.get("scenario", s.get("name", ""))))}</h1>',
             f'<p class="meta"><span class="status {cls}">{escape(status)}</span> ']
    if _num(r.get("objective_cny_100m")) is not None:
        parts.append(f'objective / 目标值 <b>{escape(_fmt(r["objective_cny_100m"]))} 亿元</b> · ')
    if r.get("message"):
        parts.append(escape(r["message"]) + " · ")
    parts.append(f'{stats.get("variables", 0):,} columns, {stats.get("constraints", 0):,} rows, '
                 f'{stats.get("nonzeros", 0):,} nonzeros · {escape(str(stats.get("solver", "")))}</p>')
    parts.append(f'<p class="meta">Scenario / 情景: <a href="{escape(scenario_href)}">{escape(scenario_href)}</a>'
                 + (f' · SHA-256 <code id="sha256">{escape(sha)}</code>' if sha else "")
                 + (f'<br>{escape(s["description"])}' if s.get("description") else "") + "</p>")
    ex = r.get("explain") or {}
    if ex.get("summary_en") or ex.get("summary_zh"):
        parts.append(f'<div class="summary"><p>{escape(ex.get("summary_en", ""))}</p>'
                     f'<p class="zh">{escape(ex.get("summary_zh", ""))}</p></div>')
    dg = r.get("diagnosis") or {}
    if dg:
        items = "".join(f'<div class="unmet"><p>{escape(c.get("headline_en", ""))}</p>'
                        f'<p class="zh">{escape(c.get("headline_zh", ""))}</p></div>' for c in dg.get("conflicts") or [])
        parts.append(_section("Why it is infeasible", "不可行原因",
                              f'<p>{escape(dg.get("summary_en", ""))}</p><p class="zh">{escape(dg.get("summary_zh", ""))}'
                              f"</p>{items}"))
    parts.append(national_section(r))
    parts.append(unmet_section(r))
    provs = r.get("provinces") or []
    if provs:
        measures = province_measures(r, years)
        default = "quota" if measures[0][0] == "quota" else "new_land"
        by_code = {p["code"]: p for p in provs}
        head = ["Code / 代码", "Province / 省份"] + [f"{label} ({unit})" for _, label, unit, _ in measures]
        table_rows = [[code, province_name(code, by_code.get(code, {}).get("name", ""))]
                      + [vals.get(code) for _, _, _, vals in measures] for code in TILES]
        parts.append(_section("Provinces", "各省份",
                              tile_map(measures, default)
                              + '<p class="small">Click a column to sort · 点击列标题排序. Provinces without data: –.</p>'
                              + _table(head, table_rows, numeric=set(range(2, len(head))), table_id="province-table")))
        what, split = linked_split(r)
        charts = [f'<div><h3>Allocation by province: {escape(what)} (ha)</h3>'
                  + bar_chart(split, ["linked to settlers / 人地挂钩", "other / 其他"], "ha") + "</div>"]
        fin: dict[str, float] = {}
        for f in r.get("financing") or []:
            fin[f.get("source_id", "?")] = fin.get(f.get("source_id", "?"), 0.0) + (_num(f.get("amount_cny_100m")) or 0.0)
        if fin:
            charts.append('<div><h3>Financing mix by source / 融资来源 (亿元)</h3>'
                          + bar_chart(sorted(((k, [v]) for k, v in fin.items()), key=lambda it: -it[1][0]),
                                      ["amount"], "亿元", width=460) + "</div>")
        auth = [("State Council / 国务院", sum(p.get("projects_state_council") or 0 for p in provs)),
                ("Province, entrusted / 委托省级", sum(p.get("projects_province_entrusted") or 0 for p in provs)),
                ("Province / 省级", sum(p.get("projects_province") or 0 for p in provs))]
        charts.append('<div><h3>Approvals by authority / 按审批机关 (projects)</h3>'
                      + bar_chart([(k, [float(v)]) for k, v in auth], ["projects"], "projects", width=460) + "</div>")
        parts.append(_section("Charts", "图表", f'<div class="row">{"".join(charts)}</div>'))
    groups = ex.get("binding_groups") or []
    if groups:
        html = []
        for g in groups:
            rows = [[b.get("subject_en", ""), b.get("subject_zh", ""), _num(b.get("shadow_price_cny_10k")),
                     f'{b.get("limit_unit", "")}', _num(b.get("limit")), _num(b.get("limit_low")),
                     _num(b.get("limit_high"))] for b in g.get("rules") or []]
            sentences = "".join(f'<li>{escape(b.get("sentence_en", ""))}<br><span class="zh">'
                                f'{escape(b.get("sentence_zh", ""))}</span></li>' for b in g.get("rules") or [])
            more = f'<p class="small">{g["omitted"]} more in result.json (binding).</p>' if g.get("omitted") else ""
            html.append(f'<h3>{escape(g.get("title_en", "") or g.get("policy_item", ""))} · '
                        f'{escape(g.get("title_zh", ""))}</h3>'
                        + _table(["Rule", "规则", "Price (万元 per unit) / 影子价格", "Unit", "Limit", "Price holds from",
                                  "to"], rows, numeric={2, 4, 5, 6})
                        + f'<details><summary class="small">In words / 说明</summary><ul>{sentences}</ul></details>{more}')
        parts.append(_section("Binding rules and their prices", "起约束作用的规则及影子价格", "".join(html)))
    elif r.get("binding"):
        top = sorted(r["binding"], key=lambda b: -abs(_num(b.get("shadow_price")) or 0.0))
        rows = [[b.get("rule"), b.get("region"), b.get("year"), _num(b.get("shadow_price")), b.get("unit"),
                 b.get("description")] for b in top[:MAX_ROWS]]
        parts.append(_section("Binding rules and their prices", "起约束作用的规则及影子价格",
                              '<p class="small">Largest shadow prices first · 按影子价格绝对值排序</p>'
                              + _table(["Rule", "Region", "Year", "Shadow price", "Unit", "Meaning"], rows,
                                       numeric={3}) + _more(len(top), "binding")))
    if ex.get("method"):
        parts.append(f'<p class="small">{escape(ex["method"])}</p>')
    return _page(f"landquota report: {r.get('scenario', '')}", "".join(parts), SORT_JS + (MAP_JS if provs else ""))


# ---- a batch's report ----------------------------------------------------------------------------


def render_batch_report(spec: Any, rows: list[dict]) -> str:
    """The report of a batch: each KPI against the swept parameter (or across variants), the
    provinces × variants heat map of new land (province names), and the comparison table.
    ``spec`` is the ``BatchSpec``; ``rows`` the stored variant rows (``BatchStore.rows``)."""
    from landquota.service.batches.report import swept_parameter, table

    kpis = list(getattr(spec, "kpis", None) or [])
    name = getattr(spec, "name", "batch")
    ok = [r for r in rows if r.get("ok") and r.get("objective_cny_100m") is not None]
    failed = [r for r in rows if not r.get("ok")]
    parts = [f"<h1>landquota batch · {escape(str(name))}</h1>",
             f'<p class="meta">{len(rows)} variants: {len(ok)} solved'
             + (f', <span class="status bad">{len(failed)} failed</span>' if failed else "") + "</p>"]
    try:
        sweep = swept_parameter(spec)
    except Exception:  # a spec this version does not understand: plot across variants
        sweep = None
    charts = []
    for k in kpis:
        if sweep:
            path, xs = sweep
            pts = [(xs[r["name"]], r.get(k)) for r in ok if r["name"] in xs]
            charts.append(f"<div><h3>{escape(k)}</h3>{line_chart(pts, path, k)}</div>")
        else:
            items = [(r["name"][:24], [_num(r.get(k)) or 0.0]) for r in ok]
            charts.append(f"<div><h3>{escape(k)}</h3>{bar_chart(items, [k], k, width=420)}</div>")
    if charts:
        parts.append(_section("KPIs" + (f" against {sweep[0]}" if sweep else " by variant"), "关键指标",
                              f'<div class="row">{"".join(charts)}</div>'))
    codes = sorted({c for r in ok for c in (r.get("new_land_by_province") or {})})
    if codes:
        labels = [f"{province_name(c)} {c}" for c in codes]
        values = [[_num((r.get("new_land_by_province") or {}).get(c)) for r in ok] for c in codes]
        parts.append(_section("New land by province and variant", "各省各方案新增建设用地",
                              heat_map(labels, [r["name"] for r in ok], values, "ha")))
    flat = table(rows, kpis)
    if flat:
        head = list(flat[0])
        parts.append(_section("Comparison", "方案对比",
                              _table(head, [[row.get(h) for h in head] for row in flat],
                                     numeric={i for i, h in enumerate(head) if h in kpis or h == "seconds"})))
    return _page(f"landquota batch report: {name}", "".join(parts))
