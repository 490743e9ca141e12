"""Matplotlib pictures of a :class:`~sahel_sim.viz.snapshot.Snapshot`: the map and the metric plots.

Figures are built with :class:`matplotlib.figure.Figure` (no pyplot), so nothing is shared between
browser tabs or threads and nothing needs closing.
"""

from __future__ import annotations

import functools

import numpy as np
from matplotlib.collections import LineCollection
from matplotlib.colors import LinearSegmentedColormap, ListedColormap, LogNorm, Normalize
from matplotlib.dates import DateFormatter, YearLocator
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import Patch

from sahel_sim.model.geography import load_borders
from sahel_sim.model.metrics import AREAS
from sahel_sim.runs.plot_style import FACTION_COLOURS
from sahel_sim.viz.snapshot import Snapshot

STATE_COLOUR = "#1f5fa8"  # = plot_style.ACTOR_COLOURS["state"]
CONTESTED_COLOUR = "#b0b0b0"  # = plot_style.ACTOR_COLOURS["contested"]
PARTNER_COLOURS = ("#e67e22", "#8e44ad", "#16a085", "#7f8c8d")
CAMP_COLOURS = {"planned": "#d6eaf8", "open": "#3498db", "draining": "#85c1e9", "closed": "#7f8c8d"}
POST_COLOURS = {"open": "#27ae60", "reduced": "#f39c12", "closed": "#c0392b"}
LABEL_MIN_POPULATION = 80_000  # towns of the focus countries at least this large are named
LABEL_SPACING_DEG = 1.2  # no two town names closer than this, degrees
BAND_SPREAD_DEG = 0.2  # factions in one cell are drawn this far from its centre, degrees
PARTNER_OFFSET = (-0.2, 0.2)  # partner bases drawn beside camps and posts in the same cell, degrees
POST_OFFSET = (0.2, 0.2)  # diplomatic posts likewise, degrees

NONE, CONTROL, STATE, VIOLENCE, DISPLACED = (
    "Population only",
    "Territorial control",
    "State presence",
    "Recent violence",
    "Displaced people",
)


def layer_names(factions: tuple[str, ...]) -> list[str]:
    """Names of the map layers, in menu order; one presence layer per faction."""
    return [CONTROL, STATE, *(f"{name} presence" for name in factions), VIOLENCE, DISPLACED, NONE]


def faction_colour(index: int) -> str:
    """Colour of a faction (bands and its control)."""
    return FACTION_COLOURS[index % len(FACTION_COLOURS)]


def _xy_to_lonlat(snap: Snapshot, rows: tuple[tuple, ...]) -> tuple[np.ndarray, np.ndarray]:
    geo = snap.geo
    if not rows:
        return np.zeros(0), np.zeros(0)
    xy = np.array([(r[0], r[1]) for r in rows], dtype=float)
    return geo.lon0 + (xy[:, 0] + 0.5) * geo.resolution, geo.lat0 + (xy[:, 1] + 0.5) * geo.resolution


def _extent(snap: Snapshot) -> tuple[float, float, float, float]:
    g = snap.geo
    return g.lon0, g.lon0 + g.width * g.resolution, g.lat0, g.lat0 + g.height * g.resolution


@functools.cache
def _border_lines() -> tuple[list, list[tuple[str, float, float]]]:
    borders = load_borders()
    lines = [np.asarray(line) for item in borders.values() for line in item["lines"]]
    labels = [(item["name"], *item["label"]) for item in borders.values()]
    return lines, labels


def _labelled_towns(snap: Snapshot) -> list[tuple[str, float, float, bool]]:
    """Capitals, then large towns of the focus countries, thinned so names do not overlap."""
    cities = snap.geo.cities
    pick = cities[
        cities["is_capital"] | (cities["iso_a2"].isin(AREAS) & (cities["population"] >= LABEL_MIN_POPULATION))
    ]
    pick = pick.sort_values(["is_capital", "population"], ascending=False)
    chosen: list[tuple[str, float, float, bool]] = []
    for row in pick.itertuples():
        if all(
            abs(row.lon - x) > LABEL_SPACING_DEG or abs(row.lat - y) > LABEL_SPACING_DEG / 2 for _, x, y, _ in chosen
        ):
            chosen.append((row.name, row.lon, row.lat, bool(row.is_capital)))
    return chosen


def _overlay(snap: Snapshot, layer: str):
    """The array, colour map and norm of a layer (None for population only)."""
    f = snap.fields
    land = snap.geo.country != 0
    if layer == CONTROL:
        colours = [CONTESTED_COLOUR, STATE_COLOUR, *(faction_colour(i) for i in range(len(snap.factions)))]
        data = np.ma.masked_where(~land, f["control"] + 1)
        return data, ListedColormap(colours), Normalize(-0.5, len(colours) - 0.5), None
    if layer == STATE:
        return np.ma.masked_where(~land, f["state"]), "Blues", Normalize(0, 1), "state presence share"
    if layer == VIOLENCE:
        data = np.ma.masked_where(f["violence"] < 0.5, f["violence"])
        top = max(float(f["violence"].max()), 10.0)
        return data, "Reds", LogNorm(0.5, top), "recent deaths per cell"
    if layer == DISPLACED:
        data = np.ma.masked_where(f["displaced"] < 100, f["displaced"])
        top = max(float(f["displaced"].max()), 1e4)
        return data, "Purples", LogNorm(100, top), "displaced people per cell"
    for i, name in enumerate(snap.factions):
        if layer == f"{name} presence":
            share = snap.faction_shares[i]
            cmap = LinearSegmentedColormap.from_list(name, ["#ffffff", faction_colour(i)])
            return np.ma.masked_where(share < 0.02, share), cmap, Normalize(0, 1), f"{name} presence share"
    return None


def draw_map(snap: Snapshot, layer: str = CONTROL, dpi: int = 80) -> Figure:
    """The region with borders, towns, population, one layer and every agent.

    Args:
        snap: What to draw.
        layer: One of :func:`layer_names`.
        dpi: Resolution of the figure, dots per inch.

    Returns:
        A new figure.
    """
    fig = Figure(figsize=(12, 5.0), dpi=dpi)
    ax = fig.add_axes((0.035, 0.06, 0.78, 0.88))
    extent = _extent(snap)
    pop = snap.fields["population"]
    shown = np.ma.masked_where(pop < 1, pop)
    ax.imshow(
        shown.T,
        origin="lower",
        extent=extent,
        cmap="Greys",
        alpha=0.55,
        norm=LogNorm(1e3, max(float(pop.max()), 1e4)),
        interpolation="nearest",
    )
    legend = []
    over = _overlay(snap, layer)
    if over is not None:
        data, cmap, norm, label = over
        im = ax.imshow(
            data.T,
            origin="lower",
            extent=extent,
            cmap=cmap,
            norm=norm,
            alpha=0.45 if layer == CONTROL else 0.6,
            interpolation="nearest",
        )
        if label:
            bar = fig.colorbar(im, cax=fig.add_axes((0.835, 0.1, 0.15, 0.03)), orientation="horizontal")
            bar.set_label(label, fontsize=8)
            bar.ax.tick_params(labelsize=7)
        else:
            legend += [
                Patch(color=STATE_COLOUR, alpha=0.6, label="state"),
                Patch(color=CONTESTED_COLOUR, alpha=0.6, label="contested"),
            ]
            legend += [Patch(color=faction_colour(i), alpha=0.6, label=n) for i, n in enumerate(snap.factions)]
    _draw_borders_and_towns(ax, snap)
    legend += _draw_agents(ax, snap)
    ax.set_xlim(extent[0], extent[1])
    ax.set_ylim(extent[2], extent[3])
    ax.set_aspect(1 / np.cos(np.radians((extent[2] + extent[3]) / 2)))
    ax.tick_params(labelsize=7)
    ax.set_title(f"{snap.name}   week {snap.week} of {snap.weeks}   {snap.date:%d %b %Y}", fontsize=11)
    fig.legend(
        handles=legend,
        loc="upper left",
        bbox_to_anchor=(0.825, 0.95),
        ncol=1,
        fontsize=7.5,
        frameon=False,
        handlelength=1.2,
    )
    return fig


def _draw_borders_and_towns(ax, snap: Snapshot) -> None:
    lines, labels = _border_lines()
    ax.add_collection(LineCollection(lines, colors="#333333", linewidths=0.7))
    x0, x1, y0, y1 = _extent(snap)
    for name, lon, lat in labels:
        if x0 < lon < x1 and y0 < lat < y1:
            ax.text(
                lon, lat, name.upper(), fontsize=7, color="#555555", ha="center", va="center", style="italic", alpha=0.8
            )
    towns = _labelled_towns(snap)
    ax.scatter(
        [t[1] for t in towns],
        [t[2] for t in towns],
        s=[10 if t[3] else 5 for t in towns],
        c="black",
        marker="o",
        zorder=3,
    )
    for name, lon, lat, capital in towns:
        ax.text(lon + 0.2, lat + 0.15, name, fontsize=6.5 if capital else 5.5, color="black", zorder=3)


def _scatter(ax, snap, rows, offset=(0.0, 0.0), **style):
    lon, lat = _xy_to_lonlat(snap, rows)
    if len(lon):
        ax.scatter(lon + offset[0], lat + offset[1], **style)


def _draw_bands(ax, snap: Snapshot) -> list:
    """Bands summed per cell and faction: size grows with fighters, "x n" counts the bands.

    Factions sharing a cell are set around its centre so that none hides another.
    """
    totals: dict[tuple[int, int, int], list[float]] = {}
    for x, y, f, strength in snap.bands:
        entry = totals.setdefault((x, y, f), [0, 0.0])
        entry[0] += 1
        entry[1] += strength
    handles = []
    n = max(1, len(snap.factions))
    for i, name in enumerate(snap.factions):
        angle = 2 * np.pi * i / n
        dx, dy = BAND_SPREAD_DEG * np.cos(angle), BAND_SPREAD_DEG * np.sin(angle)
        cells = [(x, y, *v) for (x, y, f), v in sorted(totals.items()) if f == i]
        if cells:
            lon, lat = _xy_to_lonlat(snap, tuple(cells))
            sizes = [12 + 3 * np.sqrt(c[3]) for c in cells]
            ax.scatter(
                lon + dx,
                lat + dy,
                s=sizes,
                c=faction_colour(i),
                alpha=0.85,
                edgecolors="white",
                linewidths=0.6,
                zorder=4,
            )
            for (_, _, count, _), x, y in zip(cells, lon, lat, strict=True):
                if count > 1:
                    ax.text(
                        x + dx + 0.3,
                        y + dy,
                        f"x{count}",
                        fontsize=6.5,
                        color=faction_colour(i),
                        fontweight="bold",
                        zorder=4,
                    )
        handles.append(Line2D([], [], ls="", marker="o", color=faction_colour(i), label=f"{name} bands"))
    return handles


def _draw_agents(ax, snap: Snapshot) -> list:
    """Draw every agent kind and return legend handles for them."""
    handles = _draw_bands(ax, snap)
    army = tuple(u for u in snap.units if u[2] == "army")
    _scatter(
        ax,
        snap,
        tuple(u for u in army if u[3]),
        marker="s",
        s=14,
        c="#1e8449",
        edgecolors="black",
        linewidths=0.3,
        zorder=5,
    )
    _scatter(
        ax,
        snap,
        tuple(u for u in army if not u[3]),
        marker="s",
        s=14,
        facecolors="none",
        edgecolors="#1e8449",
        linewidths=0.8,
        zorder=5,
    )
    handles += [
        Line2D([], [], ls="", marker="s", color="#1e8449", label="army post"),
        Line2D([], [], ls="", marker="s", mfc="none", color="#1e8449", label="abandoned post"),
    ]
    partners = sorted({u[2] for u in snap.units if u[2] != "army"})
    for i, name in enumerate(partners):
        colour = PARTNER_COLOURS[i % len(PARTNER_COLOURS)]
        active = tuple(u for u in snap.units if u[2] == name and u[3])
        _scatter(
            ax,
            snap,
            active,
            marker="^",
            s=40,
            c=colour,
            edgecolors="black",
            linewidths=0.4,
            zorder=6,
            offset=PARTNER_OFFSET,
        )
        if active:
            handles.append(Line2D([], [], ls="", marker="^", color=colour, label=name))
    for status, colour in CAMP_COLOURS.items():
        rows = tuple(c for c in snap.camps if c[2] == status)
        marker = "X" if status == "closed" else "P"
        _scatter(ax, snap, rows, marker=marker, s=55, c=colour, edgecolors="#1b4f72", linewidths=0.6, zorder=7)
        if status != "planned":
            handles.append(Line2D([], [], ls="", marker=marker, color=colour, mec="#1b4f72", label=f"UN camp {status}"))
    _scatter(ax, snap, snap.convoys, marker="D", s=22, c="#5dade2", edgecolors="black", zorder=7)
    for status, colour in POST_COLOURS.items():
        rows = tuple(p for p in snap.posts if p[2] == status)
        _scatter(
            ax,
            snap,
            rows,
            marker="*",
            s=110,
            c=colour,
            edgecolors="black",
            linewidths=0.5,
            zorder=8,
            offset=POST_OFFSET,
        )
        handles.append(Line2D([], [], ls="", marker="*", ms=9, color=colour, mec="black", label=f"embassy {status}"))
    return handles


def draw_metrics(snap: Snapshot, dpi: int = 72) -> Figure:
    """Weekly stability metrics of the whole map, from the scenario start to its end.

    Args:
        snap: What to draw.
        dpi: Resolution, dots per inch.

    Returns:
        A new figure of six small plots.
    """
    fig = Figure(figsize=(10.5, 4.6), dpi=dpi)
    axes = fig.subplots(
        2,
        3,
        sharex=True,
        gridspec_kw={"left": 0.05, "right": 0.99, "top": 0.94, "bottom": 0.12, "wspace": 0.18, "hspace": 0.25},
    ).ravel()
    m = snap.metrics
    dates = m["date"] if not m.empty else []

    def plot(ax, title, series, scale=1.0, ylim=None):
        ax.set_title(title, fontsize=9)
        for column, label, colour in series:
            values = m[column] * scale if not m.empty else []
            ax.plot(dates, values, color=colour, lw=1.2, label=label)
        if len(series) > 1:
            ax.legend(fontsize=6.5, frameon=False, loc="best")
        if ylim:
            ax.set_ylim(*ylim)
        ax.tick_params(labelsize=7)
        ax.grid(alpha=0.3)

    plot(axes[0], "Stability index (0-100)", [("stability_index", "index", "#2c3e50")], ylim=(0, 100))
    plot(
        axes[1],
        "Share of people (%)",
        [
            ("state_control_share", "state", STATE_COLOUR),
            ("insurgent_control_share", "armed groups", "#c0392b"),
            ("contested_share", "contested", "#7f8c8d"),
        ],
        100,
        (0, 100),
    )
    plot(
        axes[2],
        "Fatalities per week",
        [("fatalities_total", "all", "#2c3e50"), ("fatalities_civilian", "civilians", "#c0392b")],
    )
    plot(axes[3], "Displaced (millions)", [("displaced", "displaced", "#7d3c98")], 1e-6)
    plot(
        axes[4],
        "Diplomatic posts",
        [
            ("posts_open", "open", "#27ae60"),
            ("posts_reduced", "reduced", "#f39c12"),
            ("posts_closed", "closed", "#c0392b"),
        ],
    )
    plot(
        axes[5],
        "Personnel (thousands)",
        [("peacekeepers", "peacekeepers", "#3498db"), ("insurgent_strength", "fighters", "#c0392b")],
        1e-3,
    )
    axes[0].set_xlim(np.datetime64(snap.start), np.datetime64(snap.end))
    years = max(1, (snap.end.year - snap.start.year + 1) // 6)
    axes[0].xaxis.set_major_locator(YearLocator(years))
    axes[0].xaxis.set_major_formatter(DateFormatter("%Y"))
    return fig
