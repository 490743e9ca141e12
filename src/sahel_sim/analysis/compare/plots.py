"""Figures of a comparison: paired effect over time, forest plot of effects, posts' closure chances."""

from __future__ import annotations

from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402

#: Metrics in the forest plot (those present are drawn), in this order.
FOREST_METRICS = (
    "fatalities_total",
    "fatalities_civilian",
    "events_total",
    "events_on_civilians",
    "displaced",
    "state_control_share",
    "insurgent_control_share",
    "stability_index",
    "posts_open",
)


def effect_over_time(bands: dict, dates: np.ndarray, metric: str, areas: list[str], title: str, path: Path) -> None:
    """Mean paired difference (alternative - reference) per week with its 95 % band, one panel per area.

    Args:
        bands: ``{(metric, area, alternative): {"difference", "low", "high"}}``.
        dates: The window's weeks.
        metric: The metric drawn (``fatalities_total`` is cumulative from the window's start).
        areas: Areas, one panel each.
        title: Figure title.
        path: PNG file.
    """
    cols = min(3, len(areas))
    rows = -(-len(areas) // cols)
    fig, axes = plt.subplots(rows, cols, figsize=(5 * cols, 3.4 * rows), sharex=True, squeeze=False)
    x = pd.to_datetime(dates)
    for ax, area in zip(axes.flat, areas, strict=False):
        for (m, a, alt), band in sorted(bands.items()):
            if m != metric or a != area or len(band["difference"]) != len(x):
                continue
            line = ax.plot(x, band["difference"], lw=1.4, label=alt)[0]
            ax.fill_between(x, band["low"], band["high"], color=line.get_color(), alpha=0.2, lw=0)
        ax.axhline(0, color="0.3", lw=0.8)
        ax.set_title(area, fontsize=10)
        ax.grid(alpha=0.3)
    for ax in axes.flat[len(areas) :]:
        ax.axis("off")
    axes.flat[0].legend(fontsize=7, loc="best")
    fig.suptitle(title, fontsize=11)
    fig.autofmt_xdate()
    fig.tight_layout()
    fig.savefig(path, dpi=90)
    plt.close(fig)


def forest(effects: pd.DataFrame, area: str, title: str, path: Path) -> None:
    """Relative change (paired, with 95 % interval) of each metric, one marker per alternative.

    Args:
        effects: The effects table.
        area: The area drawn.
        title: Figure title.
        path: PNG file.
    """
    rows = effects[(effects["area"] == area) & effects["metric"].isin(FOREST_METRICS)]
    metrics = [m for m in FOREST_METRICS if m in set(rows["metric"])]
    alts = list(dict.fromkeys(rows["alternative"]))
    fig, ax = plt.subplots(figsize=(8, 0.5 * len(metrics) * max(1, len(alts)) ** 0.5 + 1.5))
    step = 0.8 / max(1, len(alts))
    for j, alt in enumerate(alts):
        mine = rows[rows["alternative"] == alt].set_index("metric").reindex(metrics)
        y = np.arange(len(metrics)) + (j - (len(alts) - 1) / 2) * step
        mid = 100 * mine["relative_change"]
        err = np.vstack([mid - 100 * mine["relative_ci_low"], 100 * mine["relative_ci_high"] - mid])
        ax.errorbar(mid, y, xerr=err, fmt="o", ms=4, capsize=2, label=alt)
    ax.axvline(0, color="0.3", lw=0.8)
    ax.set_yticks(np.arange(len(metrics)), metrics, fontsize=8)
    ax.invert_yaxis()
    ax.set_xlabel("change against the reference, % (paired over seeds; 95 % interval)")
    ax.grid(alpha=0.3, axis="x")
    ax.legend(fontsize=7, loc="best")
    ax.set_title(title, fontsize=10)
    fig.tight_layout()
    fig.savefig(path, dpi=90)
    plt.close(fig)


def posts_chart(posts: pd.DataFrame, title: str, path: Path) -> None:
    """Probability that each post closes within the window, per scenario, with Wilson intervals.

    Args:
        posts: The posts table.
        title: Figure title.
        path: PNG file.
    """
    names = list(dict.fromkeys(posts["post"]))
    scenarios = list(dict.fromkeys(posts["scenario"]))
    fig, ax = plt.subplots(figsize=(8, 0.45 * len(names) * max(1, len(scenarios)) ** 0.5 + 1.5))
    step = 0.8 / max(1, len(scenarios))
    for j, scenario in enumerate(scenarios):
        mine = posts[posts["scenario"] == scenario].set_index("post").reindex(names)
        y = np.arange(len(names)) + (j - (len(scenarios) - 1) / 2) * step
        p = mine["probability"]
        err = np.vstack([p - mine["wilson_low"], mine["wilson_high"] - p])
        ax.errorbar(p, y, xerr=err, fmt="s", ms=4, capsize=2, label=scenario)
    ax.set_yticks(np.arange(len(names)), names, fontsize=8)
    ax.invert_yaxis()
    ax.set_xlim(-0.02, 1.02)
    ax.set_xlabel("probability of closing within the window (share of seeds; 95 % Wilson interval)")
    ax.grid(alpha=0.3, axis="x")
    ax.legend(fontsize=7, loc="best")
    ax.set_title(title, fontsize=10)
    fig.tight_layout()
    fig.savefig(path, dpi=90)
    plt.close(fig)
