"""What the map shows and how: layers, colours, legend, borders and towns, and the agents' artists.

:mod:`sahel_sim.viz.paint` puts these on a figure once and updates them week by week. Figures are
:class:`matplotlib.figure.Figure` objects (no pyplot), so nothing is shared between browser tabs.
"""

from __future__ import annotations

import functools

import numpy as np
from matplotlib.collections import LineCollection
from matplotlib.colors import LinearSegmentedColormap, ListedColormap, LogNorm, Normalize
from matplotlib.lines import Line2D
from matplotlib.patches import Patch

from sahel_sim.model.geography import load_borders
from sahel_sim.model.metrics import AREAS
from sahel_sim.runs.plot_style import FACTION_COLOURS
from sahel_sim.viz.snapshot import Snapshot

STATE_COLOUR = "#1f5fa8"  # = plot_style.ACTOR_COLOURS["state"]
CONTESTED_COLOUR = "#b0b0b0"  # = plot_style.ACTOR_COLOURS["contested"]
PARTNER_COLOURS = ("#e67e22", "#8e44ad", "#16a085", "#7f8c8d")
#: UN camps by status: (face colour, marker). Draining camps are amber so they differ from open ones.
CAMP_STYLE = {
    "planned": ("#d6eaf8", "P"),
    "open": ("#2e86c1", "P"),
    "draining": ("#f5b041", "P"),
    "closed": ("#7f8c8d", "X"),
}
POST_COLOURS = {"open": "#27ae60", "reduced": "#f39c12", "closed": "#c0392b"}
LABEL_MIN_POPULATION = 80_000  # towns of the focus countries at least this large are named
LABEL_SPACING_DEG = 1.2  # no two town names closer than this, degrees
BAND_SPREAD_DEG = 0.2  # factions in one cell are drawn this far from its centre, degrees
PARTNER_OFFSET = (-0.2, 0.2)  # partner bases drawn beside camps and posts in the same cell, degrees
POST_OFFSET = (0.2, 0.2)  # diplomatic posts likewise, degrees
VIOLENCE_RANGE = (0.5, 500.0)  # colour scale of recent deaths per cell (log), deaths
DISPLACED_RANGE = (100.0, 1e6)  # colour scale of displaced people per cell (log), people

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


def lonlat(snap: Snapshot, rows) -> np.ndarray:
    """Cell centres of rows starting with (x, y), as an (n, 2) array of (lon, lat) degrees."""
    geo = snap.geo
    if not len(rows):
        return np.zeros((0, 2))
    xy = np.array([(r[0], r[1]) for r in rows], dtype=float)
    return np.column_stack((geo.lon0 + (xy[:, 0] + 0.5) * geo.resolution, geo.lat0 + (xy[:, 1] + 0.5) * geo.resolution))


def extent(snap: Snapshot) -> tuple[float, float, float, float]:
    """(west, east, south, north) edges of the grid, degrees."""
    g = snap.geo
    return g.lon0, g.lon0 + g.width * g.resolution, g.lat0, g.lat0 + g.height * g.resolution


def aspect(snap: Snapshot) -> float:
    """Height of a degree of latitude over a degree of longitude at the map's middle latitude."""
    e = extent(snap)
    return 1 / np.cos(np.radians((e[2] + e[3]) / 2))


def map_title(snap: Snapshot) -> str:
    """Title of the map: scenario, week and the dates the week covers."""
    if snap.week == 0:
        return f"{snap.name}   start {snap.date:%d %b %Y}"
    return f"{snap.name}   week {snap.week} of {snap.weeks}   {week_span(snap)}"


def week_span(snap: Snapshot) -> str:
    """The days of the last simulated week, e.g. ``2022-01-01 to 2022-01-07``."""
    import datetime as dt

    return f"{snap.date:%Y-%m-%d} to {snap.date + dt.timedelta(days=6):%Y-%m-%d}"


@functools.cache
def _border_lines() -> tuple[list, list[tuple[str, float, float]]]:
    borders = load_borders()
    lines = [np.asarray(line) for item in borders.values() for line in item["lines"]]
    labels = [(item["name"], *item["label"]) for item in borders.values()]
    return lines, labels


def labelled_towns(snap: Snapshot) -> list[tuple[str, float, float, bool]]:
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


def borders_and_towns(ax, snap: Snapshot) -> None:
    """Country borders and names, towns and their names (drawn once per figure)."""
    lines, labels = _border_lines()
    ax.add_collection(LineCollection(lines, colors="#333333", linewidths=0.7, zorder=2))
    x0, x1, y0, y1 = extent(snap)
    for name, lon, lat in labels:
        if x0 < lon < x1 and y0 < lat < y1:
            ax.text(lon, lat, name.upper(), fontsize=8, color="#555555", ha="center", va="center", style="italic")
    towns = labelled_towns(snap)
    ax.scatter([t[1] for t in towns], [t[2] for t in towns], s=[12 if t[3] else 6 for t in towns], c="black", zorder=3)
    for name, lon, lat, capital in towns:
        ax.text(lon + 0.2, lat + 0.15, name, fontsize=9 if capital else 8, color="black", zorder=3)


def layer_style(snap: Snapshot, layer: str):
    """(colour map, norm, colour-bar label or None) of a layer; ``None`` for population only."""
    if layer == CONTROL:
        colours = [CONTESTED_COLOUR, STATE_COLOUR, *(faction_colour(i) for i in range(len(snap.factions)))]
        return ListedColormap(colours), Normalize(-0.5, len(colours) - 0.5), None
    if layer == STATE:
        return "Blues", Normalize(0, 1), "state presence share"
    if layer == VIOLENCE:
        return "Reds", LogNorm(*VIOLENCE_RANGE), "recent deaths per cell"
    if layer == DISPLACED:
        return "Purples", LogNorm(*DISPLACED_RANGE), "displaced people per cell"
    for i, name in enumerate(snap.factions):
        if layer == f"{name} presence":
            cmap = LinearSegmentedColormap.from_list(name, ["#ffffff", faction_colour(i)])
            return cmap, Normalize(0, 1), f"{name} presence share"
    return None


def layer_data(snap: Snapshot, layer: str):
    """The masked cell array of a layer, indexed [x, y]; ``None`` for population only."""
    f = snap.fields
    if layer == CONTROL:
        return np.ma.masked_where(snap.geo.country == 0, f["control"] + 1)
    if layer == STATE:
        return np.ma.masked_where(snap.geo.country == 0, f["state"])
    if layer == VIOLENCE:
        return np.ma.masked_where(f["violence"] < VIOLENCE_RANGE[0], f["violence"])
    if layer == DISPLACED:
        return np.ma.masked_where(f["displaced"] < DISPLACED_RANGE[0], f["displaced"])
    for i, name in enumerate(snap.factions):
        if layer == f"{name} presence":
            share = snap.faction_shares[i]
            return np.ma.masked_where(share < 0.02, share)
    return None


def legend_handles(snap: Snapshot, layer: str) -> list:
    """Legend entries: the control colours (control layer only), then every kind of agent."""
    handles: list = []
    if layer == CONTROL:
        handles += [
            Patch(color=STATE_COLOUR, alpha=0.6, label="state control"),
            Patch(color=CONTESTED_COLOUR, alpha=0.6, label="contested"),
        ]
        handles += [
            Patch(color=faction_colour(i), alpha=0.6, label=f"{n} control") for i, n in enumerate(snap.factions)
        ]
    handles += [
        Line2D([], [], ls="", marker="o", color=faction_colour(i), label=f"{n} bands")
        for i, n in enumerate(snap.factions)
    ]
    handles += [
        Line2D([], [], ls="", marker="s", color="#1e8449", label="army post"),
        Line2D([], [], ls="", marker="s", mfc="none", color="#1e8449", label="abandoned post"),
    ]
    handles += [
        Line2D([], [], ls="", marker="^", color=PARTNER_COLOURS[i % len(PARTNER_COLOURS)], label=name)
        for i, name in enumerate(snap.partners)
    ]
    for status, (colour, marker) in CAMP_STYLE.items():
        if status != "planned":
            handles.append(Line2D([], [], ls="", marker=marker, color=colour, mec="#1b4f72", label=f"UN camp {status}"))
    handles.append(Line2D([], [], ls="", marker="D", color="#5dade2", mec="black", label="UN convoy"))
    for status, colour in POST_COLOURS.items():
        handles.append(Line2D([], [], ls="", marker="*", ms=9, color=colour, mec="black", label=f"embassy {status}"))
    return handles


class AgentArtists:
    """Scatter collections of every agent kind on one axes, updated in place each week.

    Args:
        ax: The map axes.
        snap: The first snapshot (fixes factions and partner forces).
        max_labels: Text labels kept for "x n" band counts.
    """

    def __init__(self, ax, snap: Snapshot, max_labels: int):
        def scatter(**style):
            return ax.scatter(np.zeros(0), np.zeros(0), animated=True, **style)

        n = max(1, len(snap.factions))
        self.band_offsets = [
            (BAND_SPREAD_DEG * np.cos(2 * np.pi * i / n), BAND_SPREAD_DEG * np.sin(2 * np.pi * i / n))
            for i in range(len(snap.factions))
        ]
        self.bands = [
            scatter(c=faction_colour(i), alpha=0.85, edgecolors="white", linewidths=0.6, zorder=4)
            for i in range(len(snap.factions))
        ]
        self.army_active = scatter(marker="s", s=14, c="#1e8449", edgecolors="black", linewidths=0.3, zorder=5)
        self.army_lost = scatter(marker="s", s=14, facecolors="none", edgecolors="#1e8449", linewidths=0.8, zorder=5)
        self.partners = {
            name: scatter(
                marker="^",
                s=40,
                c=PARTNER_COLOURS[i % len(PARTNER_COLOURS)],
                edgecolors="black",
                linewidths=0.4,
                zorder=6,
            )
            for i, name in enumerate(snap.partners)
        }
        self.camps = {
            status: scatter(marker=marker, s=55, c=colour, edgecolors="#1b4f72", linewidths=0.6, zorder=7)
            for status, (colour, marker) in CAMP_STYLE.items()
        }
        self.convoys = scatter(marker="D", s=22, c="#5dade2", edgecolors="black", zorder=7)
        self.posts = {
            status: scatter(marker="*", s=110, c=colour, edgecolors="black", linewidths=0.5, zorder=8)
            for status, colour in POST_COLOURS.items()
        }
        self.labels = [
            ax.text(0, 0, "", fontsize=7, fontweight="bold", zorder=4, animated=True, visible=False)
            for _ in range(max_labels)
        ]

    def artists(self) -> list:
        """Everything to draw, bottom to top."""
        return [
            *self.bands,
            *(t for t in self.labels if t.get_visible()),
            self.army_active,
            self.army_lost,
            *self.partners.values(),
            *self.camps.values(),
            self.convoys,
            *self.posts.values(),
        ]

    def update(self, snap: Snapshot) -> None:
        """Move every collection to the agents of a snapshot."""
        totals: dict[tuple[int, int, int], list[float]] = {}
        for x, y, f, strength in snap.bands:
            entry = totals.setdefault((x, y, f), [0, 0.0])
            entry[0] += 1
            entry[1] += strength
        spare = iter(self.labels)
        for label in self.labels:
            label.set_visible(False)
        for i, collection in enumerate(self.bands):
            cells = [(x, y, *v) for (x, y, f), v in sorted(totals.items()) if f == i]
            xy = lonlat(snap, cells) + self.band_offsets[i]
            collection.set_offsets(xy)
            collection.set_sizes([12 + 3 * np.sqrt(c[3]) for c in cells])
            for (_, _, count, _), (lon, lat) in zip(cells, xy, strict=True):
                label = next(spare, None) if count > 1 else None
                if label is not None:
                    label.set_position((lon + 0.3, lat))
                    label.set_text(f"x{count}")
                    label.set_color(faction_colour(i))
                    label.set_visible(True)
        army = [u for u in snap.units if u[2] == "army"]
        self.army_active.set_offsets(lonlat(snap, [u for u in army if u[3]]))
        self.army_lost.set_offsets(lonlat(snap, [u for u in army if not u[3]]))
        for name, collection in self.partners.items():
            collection.set_offsets(lonlat(snap, [u for u in snap.units if u[2] == name and u[3]]) + PARTNER_OFFSET)
        for status, collection in self.camps.items():
            collection.set_offsets(lonlat(snap, [c for c in snap.camps if c[2] == status]))
        self.convoys.set_offsets(lonlat(snap, snap.convoys))
        for status, collection in self.posts.items():
            collection.set_offsets(lonlat(snap, [p for p in snap.posts if p[2] == status]) + POST_OFFSET)
