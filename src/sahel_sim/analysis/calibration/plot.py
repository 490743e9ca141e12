"""The calibration figure: loss against each parameter, and the chosen point against the observed deaths."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np

from sahel_sim.analysis.calibration.scoring import CalibrationResult
from sahel_sim.analysis.hindcast.outputs import draw_simulated_years


def plot(result: CalibrationResult, path: Path, spearman_weight: float):
    """Draw loss against each parameter, and observed against the chosen point's median and band.

    Args:
        result: The scored calibration.
        path: The PNG file to write.
        spearman_weight: lambda, shown in the title.

    Returns:
        The figure.
    """
    from sahel_sim.runs import plot_style as ps

    return ps.styled(_plot)(result, path, spearman_weight)


def _plot(result: CalibrationResult, path: Path, spearman_weight: float):
    from sahel_sim.runs import plot_style as ps

    params = result.parameters
    panels = len(params) + 1
    cols = min(3, panels)
    rows = math.ceil(panels / cols)
    fig, axes = ps.subplots(rows, cols, figsize=(4.2 * cols, 3.4 * rows), squeeze=False, layout="constrained")
    flat = axes.ravel()
    pts = result.points[np.isfinite(result.points["loss"].to_numpy(dtype=float))]
    defined = np.isfinite(pts["spearman_rho"].to_numpy(dtype=float))
    colours = ps.colormap("viridis")
    sc = None
    for ax, name in zip(flat, params, strict=False):
        ax.scatter(
            pts.loc[~defined, name],
            pts.loc[~defined, "loss"],
            color="0.6",
            s=18,
            edgecolors="none",
            label="point, Spearman undefined" if (~defined).any() else None,
        )
        sc = ax.scatter(
            pts.loc[defined, name],
            pts.loc[defined, "loss"],
            c=pts.loc[defined, "spearman_rho"],
            cmap=colours,
            vmin=-1,
            vmax=1,
            s=18,
            edgecolors="none",
            label="design point (colour: Spearman)",
        )
        ax.scatter(
            [result.best[name]], [result.best["loss"]], marker="*", s=160, color="red", label="chosen point", zorder=3
        )
        ax.set_xlabel(ps.parameter_label(name), fontsize=8)
        ax.set_ylabel("loss (lower is better)")
    flat[0].legend(fontsize=7)
    if sc is not None:
        fig.colorbar(sc, ax=flat[: len(params)].tolist(), shrink=0.6, label="Spearman rank correlation")
    ax = flat[len(params)]
    t = result.best_table
    runs = int(result.best["replicates_ok"])
    draw_simulated_years(ax, t, runs, "runs", label="chosen")
    ax.plot(t["year"], t["observed"], color="black", lw=2, marker="o", label="observed (UCDP)")
    ax.set_yscale("log")
    ps.log_count_axis(ax)
    ax.set_ylabel(f"deaths per year in {ps.area_name(result.area)}")
    ax.set_xticks(list(t["year"]), [str(y) for y in t["year"]], rotation=90, fontsize=7)
    ax.legend(fontsize=7)
    ax.grid(True, which="both", alpha=0.3)
    ax.set_title(ps.replicates_note(runs, "runs of the chosen point"), fontsize=8)
    for extra in flat[panels:]:
        extra.set_visible(False)
    b = result.best
    fig.suptitle(
        f"Calibration over {len(result.points)} points: chosen loss {b['loss']:.3f} "
        f"(mean absolute log10 error {b['mean_abs_log10_error']:.3f}, Spearman {b['spearman_rho']:.2f}, "
        f"lambda {spearman_weight:g})",
        fontsize=10,
    )
    ps.save(fig, path)
    return fig
