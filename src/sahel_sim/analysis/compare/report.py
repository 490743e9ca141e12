"""Write a comparison's outputs from its folder: tables, figures and summary (files only)."""

from __future__ import annotations

from pathlib import Path

from sahel_sim.analysis.compare import handovers, plots, tables
from sahel_sim.analysis.compare.plan import ComparePlan
from sahel_sim.analysis.compare.summary import write_summary
from sahel_sim.analysis.sweep.store import SweepStore, atomic_write_bytes


def write_outputs(plan: ComparePlan, folder: Path | str) -> list[Path]:
    """Write effects.csv, per_seed.parquet, posts.csv, sites.csv, accords.csv, failures.csv, plots/, summary.md.

    Args:
        plan: The comparison.
        folder: Its folder (runs recorded by :func:`sahel_sim.analysis.compare.engine.run_compare`).

    Returns:
        The files written.

    Raises:
        FileNotFoundError: If no run succeeded.
    """
    folder = Path(folder)
    store = SweepStore(folder)
    per_seed, weekly = tables.window_values(plan, store)
    if per_seed.empty:
        raise FileNotFoundError(f"no successful runs in {folder}")
    window = tables.window_label(plan.window)
    effects = tables.effects(plan, per_seed)
    posts = tables.posts(plan, store)
    sites = handovers.sites(plan, store)
    accords = handovers.accords(plan, store)
    failures = tables.failures(plan, folder)
    written = []

    def csv(frame, name: str) -> None:
        atomic_write_bytes(folder / name, frame.to_csv(index=False, float_format="%.6g").encode())
        written.append(folder / name)

    per_seed.to_parquet(folder / "per_seed.parquet", index=False)
    written.append(folder / "per_seed.parquet")
    csv(effects, "effects.csv")
    csv(posts, "posts.csv")
    csv(sites, "sites.csv")
    csv(accords, "accords.csv")
    csv(failures, "failures.csv")
    figures = folder / "plots"
    figures.mkdir(exist_ok=True)
    bands = tables.bands(plan, weekly)
    for metric, cumulative in tables.SERIES:
        what = f"cumulative {metric} since {plan.window[0]}" if cumulative else f"weekly {metric}"
        path = figures / f"effect_over_time_{metric}.png"
        title = f"Paired effect on {what}: alternative - {plan.reference.label} (mean over seeds, 95 % band)"
        plots.effect_over_time(bands, weekly["dates"], metric, plan.areas, title, path)
        written.append(path)
    for area in plan.areas:
        path = figures / f"forest_{area}.png"
        plots.forest(effects, area, f"{area}, {window}: effects against {plan.reference.label}", path)
        written.append(path)
    if not posts.empty:
        path = figures / "posts.png"
        plots.posts_chart(posts, f"Diplomatic posts closing within {window}", path)
        written.append(path)
    write_summary(plan, effects, posts, failures, folder / "summary.md", handovers.sentences(plan, sites, accords))
    written.append(folder / "summary.md")
    return written
