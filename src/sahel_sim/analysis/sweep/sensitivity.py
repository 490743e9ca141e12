"""Global sensitivity indices of a sobol or morris sweep (SALib), per metric.

SALib reads model outputs by row order, so outputs are first averaged over replicates per design
point and ordered by design index; the analysis refuses a sweep with missing points.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from sahel_sim.analysis.sweep import designs
from sahel_sim.analysis.sweep.spec import SweepSpec


def indices(spec: SweepSpec, points: pd.DataFrame, outputs: pd.Series) -> pd.DataFrame:
    """Sensitivity indices of one output.

    Args:
        spec: The sweep spec (design ``sobol`` or ``morris``).
        points: The points table (``point_index`` and, for morris, the ``raw.<param>`` columns).
        outputs: Mean output per design point, indexed by ``point_index``.

    Returns:
        One row per parameter: ``S1``, ``S1_conf``, ``ST``, ``ST_conf`` (sobol, dimensionless
        shares of variance) or ``mu``, ``mu_star``, ``mu_star_conf``, ``sigma`` (morris, in the
        output's units per full parameter range).

    Raises:
        ValueError: If a design point has no output (failed or missing runs).
    """
    ordered = points.sort_values("point_index")
    y = outputs.reindex(ordered["point_index"]).to_numpy(dtype=float)
    if np.isnan(y).any():
        missing = int(np.isnan(y).sum())
        raise ValueError(f"{missing} of {len(y)} design points have no result (failed or not run)")
    problem = designs.problem(spec)
    if spec.design == "sobol":
        from SALib.analyze import sobol

        res = sobol.analyze(problem, y, calc_second_order=spec.second_order, seed=spec.seed)
        cols = ["S1", "S1_conf", "ST", "ST_conf"]
    elif spec.design == "morris":
        from SALib.analyze import morris

        x = ordered[[f"raw.{name}" for name in problem["names"]]].to_numpy(dtype=float)
        res = morris.analyze(problem, x, y, num_levels=spec.levels, seed=spec.seed)
        cols = ["mu", "mu_star", "mu_star_conf", "sigma"]
    else:
        raise ValueError(f"design {spec.design!r} has no sensitivity indices (use sobol or morris)")
    table = pd.DataFrame({c: np.asarray(res[c], dtype=float) for c in cols})
    table.insert(0, "parameter", problem["names"])
    return table


def bar_chart(table: pd.DataFrame, metric: str, design: str, path: Path):
    """Bar chart of the indices of one metric, with confidence intervals.

    Args:
        table: Output of :func:`indices` for the metric.
        metric: Its name (final-table column), written in words in the title.
        design: ``sobol`` or ``morris``.
        path: PNG file to write.

    Returns:
        The figure.
    """
    from sahel_sim.runs import plot_style as ps

    return ps.styled(_bar_chart)(table, metric, design, path)


def _bar_chart(table: pd.DataFrame, metric: str, design: str, path: Path):
    from sahel_sim.runs import plot_style as ps

    names = [ps.parameter_label(p) for p in table["parameter"]]
    pos = np.arange(len(names))
    fig, ax = ps.subplots(figsize=(8, 0.5 * len(names) + 1.8))
    words = ps.name_of(metric)
    if design == "sobol":
        ax.barh(pos - 0.2, table["S1"], 0.4, xerr=table["S1_conf"], label="first order (S1)")
        ax.barh(pos + 0.2, table["ST"], 0.4, xerr=table["ST_conf"], label="total, with interactions (ST)")
        ax.set_xlabel("share of the output's variance")
        title = f"Sobol sensitivity of {words[0].lower() + words[1:]}"
    else:
        ax.barh(pos, table["mu_star"], 0.6, xerr=table["mu_star_conf"], label="mu* (with 95 % interval)")
        ax.set_xlabel(f"mean absolute elementary effect ({ps.axis_label(ps.unit_of(metric))})")
        title = f"Morris screening of {words[0].lower() + words[1:]}"
    ax.set_yticks(pos, names)
    ax.invert_yaxis()
    ax.legend(fontsize=8)
    ax.set_title(title)
    fig.tight_layout()
    ps.save(fig, path)
    return fig
