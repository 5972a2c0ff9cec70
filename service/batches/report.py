"""The comparison table (CSV) and plots (PNG) of a finished batch."""

from __future__ import annotations

from pathlib import Path

from landquota.models.overrides import scale_factor
from landquota.service.batches.spec import BatchSpec, expand
from landquota.service.export import csv_text


def table(rows: list[dict], kpis: list[str]) -> list[dict]:
    """One flat row per variant: name, status, KPI columns, warm/seconds, error."""
    out = []
    for r in rows:
        row = {"variant": r["name"], "status": r.get("status", "failed" if not r.get("ok") else "")}
        row.update({k: r.get(k) for k in kpis})
        row.update(warm=r.get("warm"), seconds=round(r.get("seconds", 0.0), 4), error=r.get("error", ""))
        out.append(row)
    return out


def to_csv(rows: list[dict]) -> str:
    """The comparison table (rows of :func:`table`) as CSV."""
    return csv_text(rows, list(rows[0])) if rows else ""


def swept_parameter(spec: BatchSpec) -> tuple[str, dict[str, float]] | None:
    """If the batch sweeps one numeric parameter (a one-parameter grid of numbers, or of scale
    factors such as "*0.9"), its label and value per variant."""
    if not spec.grid or len(spec.grid.parameters) != 1:
        return None
    (path, values), = spec.grid.parameters.items()
    factors = [scale_factor(v) for v in values]
    if all(f is not None for f in factors):
        path, values = f"{path} (× factor)", factors
    elif not all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in values):
        return None
    names = [n for n, _ in expand(spec) if n != "base"][-len(values):]
    return path, dict(zip(names, values))


def plots(spec: BatchSpec, rows: list[dict], out: Path) -> list[Path]:
    """Each KPI against the swept parameter (or across variants), and a provinces × variants heat
    map of new land and one of quota allocated (issue 13)."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    out.mkdir(parents=True, exist_ok=True)
    ok = [r for r in rows if r.get("ok") and r.get("objective_cny_100m") is not None]
    written: list[Path] = []
    if not ok:
        return written
    sweep = swept_parameter(spec)
    for k in spec.kpis:
        fig, ax = plt.subplots(figsize=(6, 3.5))
        if sweep:
            path, xs = sweep
            pts = sorted((xs[r["name"]], r[k]) for r in ok if r["name"] in xs and r.get(k) is not None)
            ax.plot([p[0] for p in pts], [p[1] for p in pts], marker="o")
            ax.set_xlabel(path)
        else:
            names = [r["name"] for r in ok]
            ax.bar(range(len(ok)), [r.get(k) or 0 for r in ok])
            ax.set_xticks(range(len(ok)), names, rotation=45, ha="right", fontsize=7)
        ax.set_ylabel(k)
        ax.set_title(f"{spec.name}: {k}")
        fig.tight_layout()
        p = out / f"kpi_{k}.png"
        fig.savefig(p, dpi=100)
        plt.close(fig)
        written.append(p)
    for key, label, title in (("new_land_by_province", "new construction land, ha", "new land by province"),
                              ("quota_allocated_by_province", "plan quota allocated, ha", "quota allocated by province")):
        provinces = sorted({c for r in ok for c in (r.get(key) or {})})
        if not provinces:
            continue
        import numpy as np

        grid = np.array([[(r.get(key) or {}).get(c, 0.0) for r in ok] for c in provinces])
        fig, ax = plt.subplots(figsize=(max(6, 0.35 * len(ok) + 3), max(4, 0.25 * len(provinces) + 1)))
        im = ax.imshow(grid, aspect="auto", cmap="viridis")
        ax.set_yticks(range(len(provinces)), provinces, fontsize=7)
        ax.set_xticks(range(len(ok)), [r["name"] for r in ok], rotation=45, ha="right", fontsize=7)
        fig.colorbar(im, ax=ax, label=label)
        ax.set_title(f"{spec.name}: {title}")
        fig.tight_layout()
        p = out / f"heatmap_{key}.png"
        fig.savefig(p, dpi=100)
        plt.close(fig)
        written.append(p)
    return written
