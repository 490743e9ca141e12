"""Figures made from results tables (never from a live model), drawn in the style of :mod:`.plot_style`.

Drawn with matplotlib's object interface on the Agg renderer (no pyplot, no GUI backend). Each kind of
figure is built once per process and cleared for the next picture, with fixed margins instead of a
layout pass: building a figure and laying it out cost about as much as drawing it. Each function
writes a PNG and returns that figure (so tests can read its axes) until the next call redraws it.
"""

from __future__ import annotations

import textwrap
from collections.abc import Sequence
from pathlib import Path
from typing import BinaryIO

import pandas as pd
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import Patch

from sahel_sim.runs import plot_style as ps
from sahel_sim.scenario.schema import Scenario

ROLLING_WEEKS = 4
WITHDRAWAL_COLOUR = "tab:red"

#: The dashboard's panels: title, weekly columns, whether drawn as a 4-week mean.
PANELS = (
    (
        "Deaths per week by who died (4-week mean)",
        ("fatalities_civilian", "fatalities_army", "fatalities_insurgent", "fatalities_peacekeeper"),
        True,
    ),
    (
        "Attacks per week by armed groups, by target (4-week mean)",
        ("events_on_civilians", "events_on_army", "events_on_peacekeepers", "events_on_diplomatic"),
        True,
    ),
    (
        "Violent events per week by who started them (4-week mean)",
        ("events_by_insurgents", "events_by_state", "events_between_insurgents"),
        True,
    ),
    ("Share of people by who controls their cell", ("state_control_share", "contested_share"), False),
    ("People displaced", ("displaced_internal", "displaced_abroad"), False),
    ("Armed forces present", ("peacekeepers", "army_strength", "insurgent_strength"), False),
    ("Stability index (0: collapse, 100: stable)", ("stability_index",), False),
    ("Diplomatic posts located in {area}, by status", ("posts_open", "posts_reduced", "posts_closed"), False),
)


_DASHBOARD: list[tuple[Figure, list[Axes]]] = []  # built on first use, then reused
_MAP: list[tuple[Figure, Axes]] = []


def _dashboard_figure() -> tuple[Figure, list[Axes]]:
    """The dashboard's figure and its eight axes, cleared, built on first use."""
    if not _DASHBOARD:
        fig = ps.figure(figsize=(13, 13))
        axes: list[Axes] = list(fig.subplots(4, 2, sharex=True).flat)
        fig.subplots_adjust(left=0.07, right=0.98, bottom=0.06, top=0.915, wspace=0.2, hspace=0.3)
        _DASHBOARD.append((fig, axes))
    fig, axes = _DASHBOARD[0]
    for ax in axes:
        ax.clear()
    fig.legends.clear()
    fig.texts.clear()
    return fig, axes


def _map_figure() -> tuple[Figure, Axes]:
    """The events map's figure and axes, cleared, built on first use."""
    if not _MAP:
        fig = ps.figure(figsize=(13, 6.4))
        ax: Axes = fig.subplots()
        fig.subplots_adjust(left=0.05, right=0.99, bottom=0.08, top=0.94)
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


def _control_columns(scenario: Scenario, columns) -> list[tuple[str, str, str | None]]:
    """(column, legend name, colour) of the state, each faction, then contested cells."""
    from sahel_sim.model.metrics import slug

    rows = [("state_control_share", ps.label_of("state_control_share"), ps.metric_colour("state_control_share"))]
    for i, faction in enumerate(scenario.factions):
        column = f"control_share_{slug(faction.name)}"
        if column in columns:
            rows.append((column, faction.name, ps.faction_colour(i)))
    rows.append(("contested_share", ps.label_of("contested_share"), ps.metric_colour("contested_share")))
    return rows


@ps.styled
def overrides_line(overrides: Sequence[str]) -> str:
    """The subtitle naming a run's ``--set`` overrides (empty when there are none), wrapped."""
    if not overrides:
        return ""
    return "\n".join(textwrap.wrap("overrides: " + ", ".join(overrides), 140))


def dashboard(
    timeseries: pd.DataFrame,
    scenario: Scenario,
    path: Path | BinaryIO,
    seed: int,
    area: str = "ALL",
    overrides: Sequence[str] = (),
):
    """Eight panels of weekly stability metrics for one area, the withdrawal shaded.

    Args:
        timeseries: A run's weekly table.
        scenario: The scenario (for the title, the factions and the withdrawal period).
        path: PNG file (or binary stream) to write.
        seed: The run's seed (for the title).
        area: ``ALL`` or a country code.
        overrides: The run's ``--set`` overrides (``path=value``), shown under the title.

    Returns:
        The figure (reused and redrawn by the next call).
    """
    ts = timeseries[timeseries["area"] == area].set_index("date")
    roll = ts.rolling(ROLLING_WEEKS, min_periods=1).mean(numeric_only=True)
    fig, axes = _dashboard_figure()
    span = _withdrawal_span(scenario)
    if span and (span[0] > ts.index.max() or span[1] < ts.index.min()):
        span = None  # the run stopped before the withdrawal began (--until)
    shade = span and (max(span[0], ts.index.min()), min(span[1], ts.index.max()))
    for ax, (title, cols, smooth) in zip(axes, PANELS, strict=True):
        data = roll if smooth else ts
        if cols[0] == "state_control_share":
            lines = _control_columns(scenario, ts.columns)
        else:
            lines = [(c, ps.label_of(c), ps.metric_colour(c)) for c in cols]
        step = cols[0] == "posts_open"
        for col, label, colour in lines:
            if step:
                ax.step(data.index, data[col], where="post", label=label, color=colour, lw=1.6)
            else:
                ax.plot(data.index, data[col], label=label, color=colour, lw=1.4)
        unit = ps.unit_of(cols[0])
        ps.format_axis(ax, unit, label=False)
        ax.set_ylabel(" or ".join(dict.fromkeys(ps.axis_label(ps.unit_of(c)) for c in cols)))
        if unit == "0-100":
            ax.set_ylim(0, 100)
        elif unit.startswith("share"):
            ax.set_ylim(0, 1)
        else:
            ax.set_ylim(bottom=0, top=max(1.0, float(data[[c for c, _, _ in lines]].max().max()) * 1.08))
        if shade:
            ax.axvspan(*shade, color=WITHDRAWAL_COLOUR, alpha=0.08)
        if "{area}" in title and area == "ALL":
            title = "All diplomatic posts, by status"
        ax.set_title(title.format(area=ps.area_name(area)))
        ax.legend(loc="upper left", ncol=2 if len(lines) > 3 else 1)
    for ax in axes[-2:]:
        ax.tick_params(axis="x", labelbottom=True, labelrotation=30)
    where = ps.area_name(area)
    subtitle = overrides_line(overrides)
    fig.suptitle(f"Scenario {scenario.name}: {where}, seed {seed}" + (f"\n{subtitle}" if subtitle else ""), fontsize=13)
    if span:
        handle = Patch(color=WITHDRAWAL_COLOUR, alpha=0.15)
        text = f"peacekeepers' withdrawal ({span[0]:%d %b %Y} to {span[1]:%d %b %Y}, first to last camp closed)"
        fig.legend([handle], [text], loc="upper center", bbox_to_anchor=(0.5, 0.965), frameon=False)
    else:
        none = "no peacekeepers' withdrawal in " + (
            "this scenario" if _withdrawal_span(scenario) is None else "these weeks"
        )
        fig.text(0.5, 0.955, none, ha="center", fontsize=9)
    ps.save(fig, path, dpi=90)
    return fig


@ps.styled
def events_map(events: pd.DataFrame, scenario: Scenario, path: Path, overrides: Sequence[str] = ()):
    """Map of the region with every violent event of the run, sized by deaths.

    Args:
        events: The run's event log.
        scenario: The scenario (camps and posts are drawn).
        path: PNG file to write.
        overrides: The run's ``--set`` overrides (``path=value``), shown under the title.

    Returns:
        The figure (reused and redrawn by the next call).
    """
    from sahel_sim.model.geography import load_borders

    fig, ax = _map_figure()
    for code, country in load_borders().items():
        for line in country["lines"]:
            xs, ys = zip(*line, strict=True)
            ax.plot(xs, ys, color="0.4", lw=0.6)
        if code in ("ML", "BF", "NE", "MR", "TD"):
            x, y = country["label"]
            ax.text(x, y, country["name"], fontsize=8, ha="center", color="0.3")
    handles = []
    for kind, (label, colour) in ps.EVENT_KINDS.items():
        group = events[events["kind"] == kind]
        ax.scatter(
            group["lon"],
            group["lat"],
            s=_size(group["fatalities"]),
            alpha=0.15,
            color=colour,
            edgecolors="none",
        )
        handles.append(Line2D([], [], ls="", marker="o", ms=6, color=colour, label=f"{label} ({len(group):,})"))
    for deaths in (1, 10, 100):
        handles.append(
            Line2D(
                [],
                [],
                ls="",
                marker="o",
                ms=_size(deaths) ** 0.5,
                mfc="none",
                color="0.3",
                label=f"{deaths} death{'s' if deaths > 1 else ''}",
            )
        )
    if scenario.peacekeepers:
        camps = scenario.peacekeepers.camps
        ax.scatter([c.lon for c in camps], [c.lat for c in camps], marker="s", color="tab:cyan", edgecolors="k", s=30)
        handles.append(Line2D([], [], ls="", marker="s", color="tab:cyan", mec="k", label="peacekeeping camp"))
    posts = scenario.post_list()
    ax.scatter([p.lon for p in posts], [p.lat for p in posts], marker="*", color="gold", ec="k", s=90)
    handles.append(Line2D([], [], ls="", marker="*", ms=11, color="gold", mec="k", label="diplomatic post"))
    ax.set_xlim(-18, 25)
    ax.set_ylim(8, 26)
    ax.set_aspect("equal")
    ax.grid(False)
    ax.set_xlabel("longitude (degrees east)")
    ax.set_ylabel("latitude (degrees north)")
    ax.legend(handles=handles, loc="lower left", fontsize=7, ncol=2)
    ax.set_title(
        f"Violent events of scenario {scenario.name}, {scenario.start:%d %b %Y} to {scenario.end:%d %b %Y}"
        " (one dot per event, area by deaths)" + (f"\n{overrides_line(overrides)}" if overrides else "")
    )
    ps.save(fig, path, dpi=90)
    return fig


def _size(deaths):
    """Marker area (points squared) of an event with this many deaths (capped at 200)."""
    if isinstance(deaths, pd.Series):
        return 2 + deaths.clip(upper=200) / 2
    return 2 + min(deaths, 200) / 2
