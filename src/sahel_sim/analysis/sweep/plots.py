"""Figures of a sweep summary: a metric against a varied parameter, and a heat map for grids."""

from __future__ import annotations

from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402

MAX_LINES = 10


def _axis_values(column: pd.Series) -> tuple[np.ndarray | pd.Series, list[str] | None]:
    """Numbers or dates stay on a continuous axis; anything else becomes evenly spaced categories."""
    if pd.api.types.is_numeric_dtype(column) and not pd.api.types.is_bool_dtype(column):
        return column.to_numpy(dtype=float), None
    try:
        return pd.to_datetime(column), None
    except (TypeError, ValueError):
        labels = [_label(v) for v in column]
        order = list(dict.fromkeys(labels))
        return np.array([order.index(v) for v in labels], dtype=float), order


def _label(value: object) -> str:
    return "none" if value is None or (isinstance(value, float) and np.isnan(value)) else str(value)


def metric_vs_parameter(rows: pd.DataFrame, varied: list[str], metric: str, area: str, path: Path) -> None:
    """Mean of a metric against the first varied parameter, with its band across replicates.

    The band is the 5-95% band over replicates where every point has at least 20 (see
    :func:`sahel_sim.analysis.sweep.report.summarise`), else the 95% interval of the mean, and the
    title says which.

    Args:
        rows: Summary rows of one metric (see :func:`sahel_sim.analysis.sweep.report.summarise`).
        varied: Varied parameters; lines are drawn per combination of all but the first.
        metric: The metric's name (final-table column).
        area: Area the metric is for.
        path: PNG file to write.
    """
    x_name, others = varied[0], varied[1:]
    fig, ax = plt.subplots(figsize=(8, 4.5))
    groups = rows.groupby(others, dropna=False, sort=False) if others else [((), rows)]
    ticks = None
    band = ("p05", "p95") if rows["p05"].notna().all() else ("ci95_low", "ci95_high")
    for n, (key, group) in enumerate(groups):
        if n >= MAX_LINES:
            break
        group = group.sort_values(x_name, kind="stable", na_position="first")
        x, ticks = _axis_values(group[x_name])
        key = key if isinstance(key, tuple) else (key,)
        label = ", ".join(f"{o.split('.')[-1]}={_label(k)}" for o, k in zip(others, key, strict=True))
        (line,) = ax.plot(x, group["mean"], marker="o", label=label or "mean")
        ax.fill_between(x, group[band[0]], group[band[1]], color=line.get_color(), alpha=0.15)
    if ticks is not None:
        ax.set_xticks(range(len(ticks)), ticks, rotation=20, fontsize=7)
    ax.set_xlabel(x_name)
    ax.set_ylabel(f"{metric} ({area})")
    if band[0] == "p05":
        ax.set_title(f"{metric} in {area}: mean and 5-95% band over replicates")
    else:
        fewest = int(rows["n"].min())
        ax.set_title(
            f"{metric} in {area}: mean and 95% interval of the mean\n"
            f"(no 5-95% band: {fewest} replicates, fewer than 20)",
            fontsize=10,
        )
    if others:
        ax.legend(fontsize=7)
    fig.autofmt_xdate() if ticks is None and not pd.api.types.is_numeric_dtype(rows[x_name]) else None
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)


def heat_map(rows: pd.DataFrame, varied: list[str], metric: str, area: str, path: Path, paired: bool = False) -> None:
    """Heat map of a metric's mean over a two-parameter grid, or of its paired difference.

    Args:
        rows: Summary rows of one metric.
        varied: The two varied parameters (rows, columns of the map).
        metric: The metric's name.
        area: Area the metric is for.
        path: PNG file to write.
        paired: Draw the paired difference from the reference point with its 95% interval
            (columns ``paired_*``) instead of the mean.
    """
    y_name, x_name = varied
    frame = rows.assign(_y=rows[y_name].map(_label), _x=rows[x_name].map(_label))
    y_order = list(dict.fromkeys(frame.sort_values(y_name, kind="stable")["_y"]))
    x_order = list(dict.fromkeys(frame.sort_values(x_name, kind="stable")["_x"]))
    column = "paired_difference" if paired else "mean"

    def pivot(name: str) -> np.ndarray:
        table = frame.pivot_table(index="_y", columns="_x", values=name, aggfunc="first", dropna=False)
        return table.reindex(index=y_order, columns=x_order).to_numpy(dtype=float)

    grid = pivot(column)
    low, high = (pivot("paired_ci_low"), pivot("paired_ci_high")) if paired else (None, None)
    fig, ax = plt.subplots(figsize=(1.6 * len(x_order) + 3, 0.7 * len(y_order) + 2))
    if paired:
        limit = np.nanmax(np.abs(grid)) or 1.0
        image = ax.imshow(grid, cmap="RdBu_r", aspect="auto", vmin=-limit, vmax=limit)
    else:
        image = ax.imshow(grid, cmap="viridis", aspect="auto")
    for (i, j), value in np.ndenumerate(grid):
        if np.isfinite(value):
            text = f"{value:.3g}" if not paired else f"{value:+.3g}\n[{low[i, j]:+.3g}, {high[i, j]:+.3g}]"
            ax.text(j, i, text, ha="center", va="center", fontsize=6 if paired else 7, color="k" if paired else "w")
    ax.set_xticks(range(len(x_order)), x_order, rotation=20, fontsize=7)
    ax.set_yticks(range(len(y_order)), y_order, fontsize=7)
    ax.set_xlabel(x_name)
    ax.set_ylabel(y_name)
    if paired:
        fig.colorbar(image, ax=ax, label=f"paired difference in {metric} ({area})")
        ax.set_title(f"{metric} in {area}: difference from the reference point\n(paired over replicates; 95% interval)")
    else:
        fig.colorbar(image, ax=ax, label=f"mean {metric} ({area})")
        ax.set_title(f"{metric} in {area}")
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)
