"""Figures made from results tables (never from a live model)."""

from __future__ import annotations

import textwrap
from collections.abc import Sequence
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import pandas as pd  # noqa: E402

from sahel_sim.model.geography import load_borders  # noqa: E402
from sahel_sim.scenario.schema import Scenario  # noqa: E402

ROLLING_WEEKS = 4


def _withdrawal_span(scenario: Scenario):
    force = scenario.peacekeepers
    if force is None or force.withdrawal is None:
        return None
    dates = force.withdrawal.closing_dates(force.camps).values()
    return pd.Timestamp(min(dates)), pd.Timestamp(max(dates))


def overrides_line(overrides: Sequence[str]) -> str:
    """The subtitle naming a run's ``--set`` overrides (empty when there are none), wrapped."""
    if not overrides:
        return ""
    return "\n".join(textwrap.wrap("overrides: " + ", ".join(overrides), 140))


def dashboard(
    timeseries: pd.DataFrame,
    scenario: Scenario,
    path: Path,
    seed: int,
    area: str = "ALL",
    overrides: Sequence[str] = (),
) -> None:
    """Six panels of stability metrics over time for one area, withdrawal shaded.

    Args:
        timeseries: A run's weekly table.
        scenario: The scenario (for the title and the withdrawal period).
        path: PNG file to write.
        seed: The run's seed (for the title).
        area: ``ALL`` or a country code.
        overrides: The run's ``--set`` overrides (``path=value``), shown under the title.

    """
    ts = timeseries[timeseries["area"] == area].set_index("date")
    fig, axes = plt.subplots(3, 2, figsize=(13, 10), sharex=True)
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
    for ax, (title, cols, data) in zip(axes.flat, panels, strict=True):
        for col in cols:
            ax.plot(data.index, data[col], label=col, lw=1.4)
        if title.startswith("Stability"):
            ax2 = ax.twinx()
            ax2.step(ts.index, ts["posts_open"], color="grey", where="post", label="posts_open")
            ax2.set_ylabel("posts open")
            ax.set_ylim(0, 100)
        if span:
            ax.axvspan(*span, color="tab:red", alpha=0.08, label="withdrawal")
        ax.set_title(title, fontsize=10)
        ax.legend(fontsize=7, loc="upper left")
        ax.grid(alpha=0.3)
    subtitle = overrides_line(overrides)
    fig.suptitle(f"{scenario.name} - area {area} - seed {seed}" + (f"\n{subtitle}" if subtitle else ""), fontsize=12)
    fig.autofmt_xdate()
    fig.tight_layout()
    fig.savefig(path, dpi=90)
    plt.close(fig)


def events_map(events: pd.DataFrame, scenario: Scenario, path: Path, overrides: Sequence[str] = ()) -> None:
    """Map of the region with every violent event of the run, sized by fatalities.

    Args:
        events: The run's event log.
        scenario: The scenario (camps and posts are drawn).
        path: PNG file to write.
        overrides: The run's ``--set`` overrides (``path=value``), shown under the title.

    """
    fig, ax = plt.subplots(figsize=(13, 6))
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
    subtitle = overrides_line(overrides)
    ax.set_title(
        f"{scenario.name}: violent events {scenario.start} to {scenario.end}" + (f"\n{subtitle}" if subtitle else ""),
        fontsize=10 if subtitle else None,
    )
    fig.tight_layout()
    fig.savefig(path, dpi=90)
    plt.close(fig)
