"""One look for every figure the project draws: words, units, number formats and colours.

Units and definitions come from the metric registry (:data:`sahel_sim.model.metrics.METRICS`); this
module only adds short legend names and decides how an axis of each unit is drawn: counts get
integer ticks with thousands separators, shares are drawn in percent, the stability index on 0-100.
Colours are fixed per actor (civilians, army, armed groups, peacekeepers, diplomats), per faction
(by its position in the scenario, as in the browser view) and per scenario (by name), so the same
thing has the same colour in every plot. Uncertainty bands are drawn only from
:data:`MIN_BAND_REPLICATES` replicates up; the replicate count is always written on the plot.
"""

from __future__ import annotations

import hashlib
import math
from collections.abc import Sequence
from functools import cache
from typing import Any, cast

import matplotlib
from matplotlib.axes import Axes
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.ticker import FuncFormatter, LogLocator, MaxNLocator, PercentFormatter

from sahel_sim.model.metrics import METRICS

#: Fewest replicates (or seeds) per point for which a 5-95 % band is drawn.
MIN_BAND_REPLICATES = 20

#: Matplotlib settings shared by every figure (use :data:`styled` as a decorator or ``with``).
RC = {
    "figure.dpi": 100,
    "savefig.dpi": 110,
    "font.size": 9,
    "axes.titlesize": 10,
    "axes.labelsize": 9,
    "axes.spines.top": False,
    "axes.spines.right": False,
    "axes.grid": True,
    "grid.alpha": 0.3,
    "axes.formatter.useoffset": False,
    "axes.formatter.limits": (-6, 15),  # never 1e5 on an axis
    "legend.fontsize": 8,
    "legend.framealpha": 0.85,
}


def styled(function):
    """Decorate a plotting function so that it draws with :data:`RC`."""
    return matplotlib.rc_context(cast(Any, RC))(function)


# ---------------------------------------------------------------- colours
#: One colour per actor; metrics about an actor take its colour in every plot.
ACTOR_COLOURS = {
    "civilians": "#d95f02",
    "army": "#1e8449",
    "insurgents": "#c0392b",
    "peacekeepers": "#5dade2",
    "diplomatic": "#d4a017",
    "clashes": "#7d3c98",
    "ied": "#8c564b",
    "state": "#1f5fa8",
    "contested": "#b0b0b0",
    "index": "#222222",
}
#: Factions by their position in the scenario's ``factions`` list (the browser view imports these).
FACTION_COLOURS = ("#c0392b", "#7d3c98", "#b9770e", "#117864", "#d35400", "#5d6d7e")
#: The shipped scenarios' colours; any other scenario gets one from :data:`PALETTE` by its name.
SCENARIO_COLOURS = {
    "baseline": "#222222",
    "historical": "#222222",
    "baseline_no_withdrawal": "#1f5fa8",
    "minusma_stays": "#1f5fa8",
    "baseline_gradual_2y": "#1e8449",
    "withdrawal_gradual_2y": "#1e8449",
    "baseline_delayed_2025": "#d35400",
    "withdrawal_delayed_2025": "#d35400",
}
PALETTE = ("#8e44ad", "#c0392b", "#16a085", "#b9770e", "#2c3e50", "#d35400", "#7f8c8d", "#27ae60")

#: Short legend names of the weekly metrics (units and definitions stay in METRICS).
LABELS = {
    "events_total": "all violent events",
    "events_on_civilians": "on civilians",
    "events_on_army": "on army and partners",
    "events_on_peacekeepers": "on peacekeepers (incl. IEDs)",
    "events_on_diplomatic": "on diplomatic posts",
    "events_by_insurgents": "attacks by armed groups",
    "events_by_state": "engagements by army and partners",
    "events_between_insurgents": "clashes between armed groups",
    "fatalities_total": "all deaths",
    "fatalities_civilian": "civilians",
    "fatalities_army": "army and partners",
    "fatalities_insurgent": "armed groups' fighters",
    "fatalities_peacekeeper": "peacekeepers",
    "state_control_share": "state",
    "state_territory_share": "land held by the state",
    "insurgent_control_share": "all armed groups",
    "contested_share": "contested",
    "displaced": "all displaced",
    "displaced_internal": "inside their country",
    "displaced_abroad": "across a border",
    "blockaded_towns": "towns under blockade",
    "blockaded_population": "people in blockaded towns",
    "posts_open": "open",
    "posts_reduced": "reduced staff",
    "posts_closed": "closed or not yet open",
    "covered_population": "people covered by an open post",
    "population": "population",
    "peacekeepers": "peacekeepers",
    "army_strength": "army and partners",
    "insurgent_strength": "armed groups' fighters",
    "stability_index": "stability index",
    "diplomatic_presence": "diplomatic presence",
    "conflict_deadliness": "deadliness",
    "conflict_danger": "danger to civilians",
    "conflict_diffusion": "diffusion",
    "conflict_fragmentation": "fragmentation",
}
#: Longer names for a metric standing alone (a title, a sweep axis); default: its legend name.
NAMES = {
    "events_on_civilians": "attacks on civilians",
    "events_on_army": "attacks on army and partners",
    "events_on_peacekeepers": "attacks on peacekeepers",
    "events_on_diplomatic": "attacks on diplomatic posts",
    "fatalities_total": "deaths",
    "fatalities_civilian": "civilian deaths",
    "fatalities_army": "army and partner deaths",
    "fatalities_insurgent": "armed groups' deaths",
    "fatalities_peacekeeper": "peacekeeper deaths",
    "state_control_share": "share of people under state control",
    "insurgent_control_share": "share of people under armed groups",
    "contested_share": "share of people in contested cells",
    "displaced": "people displaced",
    "displaced_internal": "people displaced inside their country",
    "displaced_abroad": "people displaced across a border",
    "posts_open": "diplomatic posts open",
    "posts_reduced": "diplomatic posts with reduced staff",
    "posts_closed": "diplomatic posts closed",
    "peacekeepers": "peacekeepers",
    "army_strength": "army and partner personnel",
    "insurgent_strength": "armed groups' fighters",
}
_A = ACTOR_COLOURS
#: The colour of each weekly metric: that of the actor it is about (posts: by status, as in the browser).
METRIC_COLOURS = {
    "events_on_civilians": _A["civilians"],
    "fatalities_civilian": _A["civilians"],
    "displaced_internal": _A["civilians"],
    "events_on_army": _A["army"],
    "fatalities_army": _A["army"],
    "army_strength": _A["army"],
    "events_by_state": _A["army"],
    "events_on_peacekeepers": _A["peacekeepers"],
    "fatalities_peacekeeper": _A["peacekeepers"],
    "peacekeepers": _A["peacekeepers"],
    "events_on_diplomatic": _A["diplomatic"],
    "events_by_insurgents": _A["insurgents"],
    "fatalities_insurgent": _A["insurgents"],
    "insurgent_strength": _A["insurgents"],
    "insurgent_control_share": _A["insurgents"],
    "events_between_insurgents": _A["clashes"],
    "state_control_share": _A["state"],
    "state_territory_share": _A["state"],
    "contested_share": _A["contested"],
    "displaced_abroad": "#fdae6b",
    "stability_index": _A["index"],
    "events_total": _A["index"],
    "fatalities_total": _A["index"],
    "displaced": _A["index"],
    "posts_open": "#27ae60",
    "posts_reduced": "#f39c12",
    "posts_closed": "#c0392b",
}
#: Violent event kinds of the event log: legend name and colour (that of who acts).
EVENT_KINDS = {
    "attack": ("attack by an armed group", _A["insurgents"]),
    "engagement": ("engagement by army or partners", _A["army"]),
    "clash": ("clash between armed groups", _A["clashes"]),
    "ied": ("IED strike on peacekeepers", _A["ied"]),
}


def metric_colour(column: str) -> str | None:
    """The colour of a weekly metric (that of the actor it is about), or None for the default cycle."""
    return METRIC_COLOURS.get(column)


def faction_colour(index: int) -> str:
    """The colour of the faction at this position in the scenario's ``factions`` list."""
    return FACTION_COLOURS[index % len(FACTION_COLOURS)]


def scenario_colour(name: str) -> str:
    """The colour of a scenario: fixed for the shipped ones, else chosen by a stable hash of its name."""
    if name in SCENARIO_COLOURS:
        return SCENARIO_COLOURS[name]
    digest = int.from_bytes(hashlib.sha256(name.encode("utf-8")).digest()[:4], "big")
    return PALETTE[digest % len(PALETTE)]


# ---------------------------------------------------------------- words and units
@cache
def _country_names() -> dict[str, str]:
    from sahel_sim.model.geography import load_borders

    return {code: country["name"] for code, country in load_borders().items()}


def area_name(area: str) -> str:
    """``Mali`` for ``ML``; ``the whole map`` for ``ALL``."""
    return "the whole map" if area == "ALL" else _country_names().get(area, area)


#: Prefixes of the sweep's final table (analysis.sweep.tables.final_metrics) and what they mean.
_SWEEP_PREFIXES = {
    "total_": "total over the run",
    "final_": "at the end",
    "mean_": "mean over the run",
    "min_": "lowest over the run",
}


def split_metric(column: str) -> tuple[str, str | None]:
    """A column's weekly metric and its sweep aggregate: ``("fatalities_total", "total_")``."""
    for prefix in _SWEEP_PREFIXES:
        base = column.removeprefix(prefix)
        if base != column and (base in METRICS or base.startswith("control_share_")):
            return base, prefix
    return column, None


def unit_of(column: str) -> str:
    """The unit of a weekly metric or of a sweep aggregate (a total of ``deaths/week`` is in ``deaths``)."""
    base, prefix = split_metric(column)
    if base.startswith("control_share_"):
        unit = "share of population"
    else:
        unit = METRICS[base][0] if base in METRICS else ""
    if prefix == "total_":
        unit = unit.removesuffix("/week")
    return unit


def label_of(column: str, factions: Sequence[str] = ()) -> str:
    """The legend name of a weekly metric (a faction's control column gives the faction's name)."""
    if column.startswith("control_share_"):
        from sahel_sim.model.metrics import slug

        slug_name = column.removeprefix("control_share_")
        return next((f for f in factions if slug(f) == slug_name), slug_name.replace("_", " "))
    return LABELS.get(column) or (METRICS[column][1] if column in METRICS else column.replace("_", " "))


def name_of(column: str, area: str | None = None) -> str:
    """A metric in words for a title or an axis, optionally with its area.

    ``total_fatalities_total`` gives ``Deaths, total over the run``; with ``area="ML"``,
    ``Deaths in Mali, total over the run``.
    """
    base, prefix = split_metric(column)
    if base.startswith("control_share_"):
        words = f"share of people controlled by {base.removeprefix('control_share_').replace('_', ' ')}"
    else:
        words = NAMES.get(base) or LABELS.get(base) or base.replace("_", " ")
    if area is not None:
        words = f"{words} in {area_name(area)}"
    if prefix is not None:
        words = f"{words}, {_SWEEP_PREFIXES[prefix]}"
    return words[0].upper() + words[1:]


def axis_label(unit: str) -> str:
    """The axis label of a unit: ``deaths per week``, ``share of population (%)``, ``index (0-100)``."""
    if unit.startswith("share"):
        return f"{unit} (%)"
    if unit == "0-100":
        return "index (0 to 100)"
    return unit.replace("/week", " per week")


def parameter_label(path: str) -> str:
    """A varied dotted parameter in words with its unit where the schema knows it.

    ``peacekeepers.withdrawal.duration_weeks`` gives ``withdrawal duration (weeks)``.
    """
    parts = path.split(".")
    named, start = 0, 0
    for i in range(len(parts) - 1, -1, -1):  # back to the second-last name: "strength 2 personnel"
        named += not parts[i].isdigit()
        if named == 2:
            start = i
            break
    words = " ".join(parts[start:])
    unit = _schema_unit(path)
    for suffix in ("_weeks", "_days", "_km", "_years"):
        if words.endswith(suffix):
            words, unit = words.removesuffix(suffix), unit or suffix[1:]
    words = words.replace("_", " ")
    return f"{words} ({unit})" if unit else words


@cache
def _schema_units() -> dict[str, str]:
    from sahel_sim.scenario.parameters import Mechanisms, iter_parameters

    return {path: info.json_schema_extra["unit"] for path, info in iter_parameters(Mechanisms, "mechanisms.")}


def _schema_unit(path: str) -> str:
    return _schema_units().get(path, "")


# ---------------------------------------------------------------- axes
def thousands(value: float, _pos: object = None) -> str:
    """Tick text of a count: ``12,500``; small fractions keep their digits (``0.5``)."""
    if not math.isfinite(value):
        return ""
    if abs(value - round(value)) < 1e-9:
        return f"{round(value):,}"
    return f"{value:,.3g}"


def count_axis(ax: Axes, axis: str = "y") -> None:
    """Integer ticks with thousands separators on one axis of a count (people, events, posts)."""
    target = ax.yaxis if axis == "y" else ax.xaxis
    target.set_major_locator(MaxNLocator(integer=True, min_n_ticks=1))
    target.set_major_formatter(FuncFormatter(thousands))
    low, high = ax.get_ylim() if axis == "y" else ax.get_xlim()
    if math.floor(high) - math.ceil(low) < 1 and target.get_scale() == "linear":  # fewer than two integer ticks
        limits = (math.floor(low), max(math.ceil(high), math.floor(low) + 1))
        ax.set_ylim(*limits) if axis == "y" else ax.set_xlim(*limits)


def log_count_axis(ax: Axes, axis: str = "y") -> None:
    """Thousands separators on a logarithmic count axis (1, 10, 100, 1,000 rather than 10^3)."""
    target = ax.yaxis if axis == "y" else ax.xaxis
    target.set_major_locator(LogLocator(base=10, subs=(1.0, 2.0, 5.0)))
    target.set_major_formatter(FuncFormatter(thousands))
    target.set_minor_formatter(FuncFormatter(lambda *_: ""))


COUNTS = ("events", "deaths", "people", "posts", "towns", "personnel", "fighters", "armed groups", "runs", "seeds")


def is_count(unit: str) -> bool:
    """Whether values of this unit are counted things (integer ticks make sense; rates per million are not)."""
    return unit.removesuffix("/week") in COUNTS


def format_axis(ax: Axes, unit: str, axis: str = "y", label: bool = True) -> None:
    """Label an axis with its unit and choose its ticks: integers for counts, percent for shares.

    Args:
        ax: The axes.
        unit: A unit from the metric registry (see :func:`unit_of`).
        axis: ``"y"`` or ``"x"``.
        label: Whether to set the axis label too.
    """
    target = ax.yaxis if axis == "y" else ax.xaxis
    if is_count(unit):
        count_axis(ax, axis)
    elif unit.startswith("share"):
        target.set_major_formatter(PercentFormatter(1.0, decimals=0))
    if label:
        target.set_label_text(axis_label(unit))


def replicates_note(n: int, what: str = "replicates per point") -> str:
    """The replicate count as written on a plot, saying why no band is drawn below the minimum."""
    text = f"{n:,} {what}"
    if n < MIN_BAND_REPLICATES:
        text += f"; a 5-95 % band is drawn from {MIN_BAND_REPLICATES}"
    return text


def band_allowed(n: int) -> bool:
    """Whether ``n`` replicates are enough to draw a 5-95 % band."""
    return n >= MIN_BAND_REPLICATES


def figure(**kwargs) -> Figure:
    """A new figure on the Agg renderer, with matplotlib's object interface (no pyplot, no GUI)."""
    fig = Figure(**kwargs)
    FigureCanvasAgg(fig)
    return fig


def subplots(*args, figsize: tuple[float, float], layout: str | None = None, **kwargs):
    """Like ``pyplot.subplots`` but without pyplot: ``(figure, axes)``."""
    fig = figure(figsize=figsize, layout=layout)
    return fig, fig.subplots(*args, **kwargs)


def colormap(name: str):
    """A registered colour map by name (``viridis``)."""
    return matplotlib.colormaps[name]


def save(fig: Figure, path, **kwargs) -> None:
    """Write a figure (nothing to free: figures here are not registered with pyplot)."""
    fig.savefig(path, **kwargs)
