"""Figures made from results tables (never from a live model).

Drawn with matplotlib's object interface on the Agg renderer (no pyplot, no GUI backend). Each kind of
figure is built once per process and cleared for the next picture, with fixed margins instead of a
layout pass: building a 3 x 2 figure and laying it out cost about as much as drawing it.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
from matplotlib.axes import Axes
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

from sahel_sim.model.geography import load_borders
from sahel_sim.scenario.schema import Scenario

ROLLING_WEEKS = 4

_DASHBOARD: list[tuple[Figure, list[Axes]]] = []  # built on first use, then reused
_MAP: list[tuple[Figure, Axes]] = []


def _dashboard_figure() -> tuple[Figure, list[Axes]]:
    """The dashboard's figure and its axes (six panels and the posts axis), cleared, built on first use."""
    if not _DASHBOARD:
        fig = Figure(figsize=(13, 10))
        FigureCanvasAgg(fig)
        axes: list[Axes] = list(fig.subplots(3, 2, sharex=True).flat)
        axes.append(axes[-1].twinx())
        fig.subplots_adjust(left=0.06, right=0.95, bottom=0.08, top=0.93, wspace=0.18, hspace=0.22)
        _DASHBOARD.append((fig, axes))
    fig, axes = _DASHBOARD[0]
    for ax in axes:
        ax.clear()
    return fig, axes


def _map_figure() -> tuple[Figure, Axes]:
    """The events map's figure and axes, cleared, built on first use."""
    if not _MAP:
        fig = Figure(figsize=(13, 6))
        FigureCanvasAgg(fig)
        ax: Axes = fig.subplots()
        fig.subplots_adjust(left=0.04, right=0.98, bottom=0.06, top=0.94)
        _MAP.append((fig, ax))
    fig, ax = _MAP[0]
    ax.clear()
    return fig, ax


def _withdrawal_span(scenario: Scenario):
    force = scenario.peacekeepers
    if force is None or force.withdrawal is None:
        return None
    dates = force.withdrawal.closing_dates(force.camps).values()
    return pd.Timestamp(min(dates)), pd.Timestamp(max(dates))


def dashboard(timeseries: pd.DataFrame, scenario: Scenario, path: Path, seed: int, area: str = "ALL") -> None:
    """Six panels of stability metrics over time for one area, withdrawal shaded.

    Args:
        timeseries: A run's weekly table.
        scenario: The scenario (for the title and the withdrawal period).
        path: PNG file to write.
        seed: The run's seed (for the title).
        area: ``ALL`` or a country code.

    """
    ts = timeseries[timeseries["area"] == area].set_index("date")
    fig, (*axes, posts_axis) = _dashboard_figure()
    roll = ts.rolling(ROLLING_WEEKS, min_periods=1).mean(numeric_only=True)
    panels = [
        (
            "Fatalities per week (4-week mean)",
            ["fatalities_civilian", "fatalities_army", "fatalities_insurgent", "fatalities_peacekeeper"],
            roll,
        ),
        (
            "Violent events per week by target (4-week mean)",
            ["events_on_civilians", "events_on_army", "events_on_peacekeepers", "events_by_state"],
            roll,
        ),
        ("Share of population controlled", ["state_control_share", "insurgent_control_share", "contested_share"], ts),
        ("People displaced", ["displaced_internal", "displaced_abroad"], ts),
        ("Forces (personnel / fighters)", ["peacekeepers", "army_strength", "insurgent_strength"], ts),
        ("Stability index (0-100) and posts open", ["stability_index"], ts),
    ]
    span = _withdrawal_span(scenario)
    for ax, (title, cols, data) in zip(axes, panels, strict=True):
        for col in cols:
            ax.plot(data.index, data[col], label=col, lw=1.4)
        if title.startswith("Stability"):
            posts_axis.step(ts.index, ts["posts_open"], color="grey", where="post", label="posts_open")
            posts_axis.set_ylabel("posts open")
            posts_axis.yaxis.set_label_position("right")
            posts_axis.yaxis.tick_right()
            ax.set_ylim(0, 100)
        if span:
            ax.axvspan(*span, color="tab:red", alpha=0.08, label="withdrawal")
        ax.set_title(title, fontsize=10)
        ax.legend(fontsize=7, loc="upper left")
        ax.grid(alpha=0.3)
    for ax in axes[-2:]:
        ax.tick_params(axis="x", labelrotation=30)
    fig.suptitle(f"{scenario.name} - area {area} - seed {seed}", fontsize=12)
    fig.savefig(path, dpi=90)


def events_map(events: pd.DataFrame, scenario: Scenario, path: Path) -> None:
    """Map of the region with every violent event of the run, sized by fatalities.

    Args:
        events: The run's event log.
        scenario: The scenario (camps and posts are drawn).
        path: PNG file to write.

    """
    fig, ax = _map_figure()
    for code, country in load_borders().items():
        for line in country["lines"]:
            xs, ys = zip(*line, strict=True)
            ax.plot(xs, ys, color="0.4", lw=0.6)
        if code in ("ML", "BF", "NE", "MR", "TD"):
            x, y = country["label"]
            ax.text(x, y, country["name"], fontsize=8, ha="center", color="0.3")
    violent = events[events["kind"].isin(["attack", "engagement", "clash", "ied"])]
    colours = {"attack": "tab:red", "engagement": "tab:blue", "clash": "tab:purple", "ied": "tab:orange"}
    for kind, group in violent.groupby("kind"):
        ax.scatter(
            group["lon"],
            group["lat"],
            s=2 + group["fatalities"].clip(upper=200) / 2,
            alpha=0.15,
            color=colours[kind],
            label=kind,
            edgecolors="none",
        )
    if scenario.peacekeepers:
        camps = scenario.peacekeepers.camps
        ax.scatter(
            [c.lon for c in camps],
            [c.lat for c in camps],
            marker="s",
            color="tab:cyan",
            edgecolors="k",
            s=30,
            label="peacekeeping camp",
            zorder=3,
        )
    ax.scatter(
        [p.lon for p in scenario.post_list()],
        [p.lat for p in scenario.post_list()],
        marker="*",
        color="gold",
        edgecolors="k",
        s=90,
        label="diplomatic post",
        zorder=3,
    )
    ax.set_xlim(-18, 25)
    ax.set_ylim(8, 26)
    ax.set_aspect("equal")
    ax.legend(fontsize=8, loc="lower left", markerscale=2)
    ax.set_title(f"{scenario.name}: violent events {scenario.start} to {scenario.end}")
    fig.savefig(path, dpi=90)
