"""The command line's text: explanations and diagnoses laid out for a terminal.

The analyses (``solvers.explain``, ``solvers.diagnosis``) compute prices, ranges and conflicts and
their sentences; how those are laid out on a terminal belongs to the CLI (issue 12: CLI text lives
in the CLI).
"""

from __future__ import annotations

from landquota.solvers.result import Diagnosis, Explanation
from landquota.solvers.wording import num


def format_explanation(e: Explanation, max_ranges: int = 12) -> str:
    """The explanation as text for a terminal: summaries, rules by policy item, unmet targets, the
    tightest value ranges."""
    lines = ["", "Why this plan:", "  " + e.summary_en, "  " + e.summary_zh]
    for g in e.binding_groups:
        lines.append("")
        lines.append(f"{g.title_en} / {g.title_zh}")
        for r in g.rules:
            lines.append(f"  - {r.sentence_en}")
            lines.append(f"    {r.sentence_zh}")
    if e.unmet_targets:
        lines.append("")
        lines.append("Unmet targets / 未完成目标:")
        for u in e.unmet_targets:
            lines.append(f"  - {u.sentence_en}")
            lines.append(f"    {u.sentence_zh}")
    if e.value_ranges:
        def width(v):
            if v.low is None or v.high is None or not v.value:
                return float("inf")
            return (v.high - v.low) / v.value

        tight = sorted(e.value_ranges, key=width)[:max_ranges]
        lines.append("")
        lines.append(f"Value ranges with the same allocation (tightest {len(tight)} of {len(e.value_ranges)}):")
        for v in tight:
            lo = "0" if v.low is None else num(v.low)
            hi = "∞" if v.high is None else num(v.high)
            lines.append(f"  {v.id:14s} {num(v.value):>10s} {v.unit:8s} [{lo} … {hi}]  {v.use}")
    for n in e.notes:
        lines.append(f"note: {n}")
    return "\n".join(lines)


def format_diagnosis(dg: Diagnosis) -> str:
    """The diagnosis as text for a terminal."""
    lines = ["", "Why it is infeasible / 不可行原因:", "  " + dg.summary_en, "  " + dg.summary_zh]
    for k, c in enumerate(dg.conflicts, 1):
        lines.append("")
        lines.append(f"Conflict {k} / 冲突{k}: {c.headline_en}")
        lines.append(f"  {c.headline_zh}")
        for r in c.rules:
            lines.append(f"  - {r.sentence_en}")
            lines.append(f"    {r.sentence_zh}")
    return "\n".join(lines)
