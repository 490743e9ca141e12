"""Figures of a sweep summary: a metric against a varied parameter, and a heat map for grids.

Drawn in the project's style (:mod:`sahel_sim.runs.plot_style`): titles and axes in words with units,
counts with integer ticks and thousands separators, the replicate count written on every plot, and
a 5-95 % band only from :data:`~sahel_sim.runs.plot_style.MIN_BAND_REPLICATES` replicates per point.
Each function writes a PNG and returns the (closed) figure.
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import numpy as np
import pandas as pd

from sahel_sim.runs import plot_style as ps

MAX_LINES = 10


def _axis_values(column: pd.Series) -> tuple[np.ndarray | pd.Series, list[str] | None]:
    """Numbers or dates stay on a continuous axis; anything else becomes evenly spaced categories."""
    if pd.api.types.is_numeric_dtype(column) and not pd.api.types.is_bool_dtype(column):
        return column.to_numpy(dtype=float), None
    present = [v for v in column if v is not None and not (isinstance(v, float) and np.isnan(v))]
    if pd.api.types.is_datetime64_any_dtype(column) or (present and all(isinstance(v, dt.date) for v in present)):
        return pd.to_datetime(column), None
    labels = [_label(v) for v in column]
    order = list(dict.fromkeys(labels))
    return np.array([order.index(v) for v in labels], dtype=float), order


def _label(value: object) -> str:
    """Tick text of a varied value; a mapping (stored as JSON) shows its scalar entries only."""
    if value is None or (isinstance(value, float) and np.isnan(value)):
        return "none"
    if isinstance(value, float | int | np.integer) and not isinstance(value, bool):
        return ps.thousands(float(value))
    if isinstance(value, str) and value.startswith("{"):
        try:
            mapping = json.loads(value)
        except ValueError:
            return value
        shown = [f"{k}={v}" for k, v in mapping.items() if not isinstance(v, list | dict)]
        return "\n".join(shown) or "{...}"
    return str(value)


def _fewest(rows: pd.DataFrame) -> int:
    return int(rows["n"].min()) if len(rows) else 0


@ps.styled
def metric_vs_parameter(rows: pd.DataFrame, varied: list[str], metric: str, area: str, path: Path):
    """Mean of a metric against the first varied parameter; one line per value of the others.

    The 5-95 % band across replicates is drawn only when every point has at least
    :data:`~sahel_sim.runs.plot_style.MIN_BAND_REPLICATES` replicates; the count is written on the plot.

    Args:
        rows: Summary rows of one metric (see :func:`sahel_sim.analysis.sweep.report.summarise`).
        varied: Varied parameters; lines are drawn per combination of all but the first.
        metric: The metric's name (final-table column).
        area: Area the metric is for.
        path: PNG file to write.

    Returns:
        The figure.
    """
    x_name, others = varied[0], varied[1:]
    n = _fewest(rows)
    band = ps.band_allowed(n)
    fig, ax = ps.subplots(figsize=(8, 4.8))
    groups = list(rows.groupby(others, dropna=False, sort=True)) if others else [((), rows)]
    colours = ps.colormap("viridis")(np.linspace(0.0, 0.9, max(1, min(len(groups), MAX_LINES))))
    ticks = None
    for k, (key, group) in enumerate(groups[:MAX_LINES]):
        _, categorical = _axis_values(group[x_name])
        order = "point_index" if categorical is not None and "point_index" in group else x_name
        group = group.sort_values(order, kind="stable", na_position="first")  # categories in design order
        x, ticks = _axis_values(group[x_name])
        key = key if isinstance(key, tuple) else (key,)
        label = ", ".join(_label(v) for v in key)
        colour = colours[k] if others else "#222222"
        ax.plot(x, group["mean"], marker="o", color=colour, label=label or f"mean of {n:,} replicates")
        if band:
            ax.fill_between(x, group["p05"], group["p95"], color=colour, alpha=0.15)
    if band and not others:
        ax.fill_between([], [], [], color="#222222", alpha=0.15, label="5-95 % of replicates")
    if ticks is not None:
        ax.set_xticks(range(len(ticks)), ticks, rotation=0 if any("\n" in t for t in ticks) else 20, fontsize=7)
    ax.set_xlabel(ps.parameter_label(x_name))
    unit = ps.unit_of(metric)
    ps.format_axis(ax, unit)
    what = "mean and 5-95 % band over replicates" if band else "mean over replicates"
    ax.set_title(f"{ps.name_of(metric, area)}: {what}\n{ps.replicates_note(n)}")
    extra = f" ({len(groups) - MAX_LINES} more lines not drawn)" if len(groups) > MAX_LINES else ""
    ax.legend(fontsize=7, title=(f"{', '.join(map(ps.parameter_label, others))}{extra}") if others else None)
    if ticks is None and not pd.api.types.is_numeric_dtype(rows[x_name]):
        fig.autofmt_xdate()
    fig.tight_layout()
    ps.save(fig, path)
    return fig


@ps.styled
def heat_map(rows: pd.DataFrame, varied: list[str], metric: str, area: str, path: Path, paired: bool = False):
    """Heat map of a metric's mean over a two-parameter grid, each cell labelled with its value.

    With ``paired``, the map shows each point's paired difference from the sweep's reference point
    (columns ``paired_difference``, ``paired_ci_low``, ``paired_ci_high``) with its 95 % interval.

    Args:
        rows: Summary rows of one metric.
        varied: The two varied parameters (rows, columns of the map).
        metric: The metric's name.
        area: Area the metric is for.
        path: PNG file to write.
        paired: Draw the paired difference from the reference point instead of the mean.

    Returns:
        The figure.
    """
    y_name, x_name = varied
    frame = rows.assign(_y=rows[y_name].map(_label), _x=rows[x_name].map(_label))
    y_order = list(dict.fromkeys(frame.sort_values(y_name, kind="stable")["_y"]))
    x_order = list(dict.fromkeys(frame.sort_values(x_name, kind="stable")["_x"]))

    def pivot(column: str) -> np.ndarray:
        table = frame.pivot_table(index="_y", columns="_x", values=column, aggfunc="first", dropna=False)
        return table.reindex(index=y_order, columns=x_order).to_numpy(dtype=float)

    values = pivot("paired_difference" if paired else "mean")
    low, high = (pivot("paired_ci_low"), pivot("paired_ci_high")) if paired else (None, None)
    fig, ax = ps.subplots(figsize=(1.3 * len(x_order) + 4, 0.6 * len(y_order) + 2.4))
    image = ax.imshow(values, cmap="viridis", aspect="auto")
    unit = ps.unit_of(metric)
    share = unit.startswith("share")
    middle = np.nanmean(values) if np.isfinite(values).any() else 0.0
    for (i, j), value in np.ndenumerate(values):
        if np.isfinite(value):
            text = f"{value:.0%}" if share else ps.thousands(round(value, 1) if abs(value) < 100 else round(value))
            if paired and low is not None and high is not None:
                text = f"{value:+.3g}\n[{low[i, j]:+.3g}, {high[i, j]:+.3g}]"
            ax.text(j, i, text, ha="center", va="center", fontsize=7, color="w" if value < middle else "k")
    ax.set_xticks(range(len(x_order)), x_order, rotation=20, fontsize=7)
    ax.set_yticks(range(len(y_order)), y_order, fontsize=7)
    ax.set_xlabel(ps.parameter_label(x_name))
    ax.set_ylabel(ps.parameter_label(y_name))
    ax.grid(False)
    bar = fig.colorbar(image, ax=ax)
    ps.format_axis(bar.ax, unit)
    bar.ax.set_ylabel(f"{'paired difference' if paired else 'mean'}, {ps.axis_label(unit)}")
    n = _fewest(rows)
    if paired:
        ax.set_title(
            f"{ps.name_of(metric, area)}: difference from the reference point\n"
            f"(paired over {n:,} replicates; 95 % interval)"
        )
    else:
        ax.set_title(f"{ps.name_of(metric, area)}: mean over {n:,} replicates per cell")
    fig.tight_layout()
    ps.save(fig, path)
    return fig
