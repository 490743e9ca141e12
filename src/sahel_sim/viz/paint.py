"""Fast weekly pictures: the static map is drawn once, each week only what changed is drawn.

A :class:`MapPainter` renders borders, country names, towns, the legend and (every
``POPULATION_REFRESH_WEEKS``) the population into a cached background; a week then restores that
background and draws the layer and the agents on it (matplotlib "blitting"). A
:class:`MetricsPainter` does the same for the six metric plots: axes, ticks and legends are cached
and only the lines are drawn, unless a line leaves its y range.

Both return JPEG bytes (see :data:`JPEG_QUALITY`). One painter serves one
browser tab (not thread-safe); nothing uses pyplot.
"""

from __future__ import annotations

import io
from typing import Any

import numpy as np
from matplotlib import colormaps
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.cm import ScalarMappable
from matplotlib.colors import Colormap, LogNorm
from matplotlib.dates import DateFormatter, YearLocator
from matplotlib.figure import Figure
from PIL import Image

from sahel_sim.viz import draw
from sahel_sim.viz.snapshot import Snapshot

#: JPEG quality of the pictures sent to the browser: a PNG of the map took 25-30 ms to encode here,
#: a JPEG at this quality with full colour resolution about 5 ms.
JPEG_QUALITY = 92
MAP_SIZE_IN = (11.0, 4.3)  # map figure, inches (map plus the legend column on its right)
MAP_DPI = 100  # dots per inch of the map (1100 x 430 px)
METRICS_SIZE_IN = (11.0, 4.0)  # metric plots, inches
METRICS_DPI = 80  # dots per inch of the metric plots (880 x 320 px)
POPULATION_REFRESH_WEEKS = 13  # the population shading is redrawn at most this often, weeks
MAX_COUNT_LABELS = 60  # "x n" labels of cells holding several bands of one faction, at most


def picture_bytes(canvas: FigureCanvasAgg) -> bytes:
    """The canvas's current pixels as a JPEG (see :data:`JPEG_QUALITY`)."""
    buf = io.BytesIO()
    image = Image.frombuffer("RGBA", canvas.get_width_height(), canvas.buffer_rgba(), "raw", "RGBA", 0, 1)
    image.convert("RGB").save(buf, format="jpeg", quality=JPEG_QUALITY, subsampling=0)
    return buf.getvalue()


def plt_cmap(cmap: str | Colormap) -> Colormap:
    """A colour map object from its name or itself."""
    return colormaps[cmap] if isinstance(cmap, str) else cmap


class MapPainter:
    """The map of one model: built once for its geography and factions, then painted week by week.

    Args:
        snap: The first snapshot (fixes geography, factions and forces).
        dpi: Dots per inch.
    """

    @staticmethod
    def key_of(snap: Snapshot) -> tuple:
        """What a painter is built for: a snapshot with another key needs a new painter."""
        return (id(snap.geo), snap.factions, snap.partners, snap.start)

    def __init__(self, snap: Snapshot, dpi: int = MAP_DPI):
        self.key = self.key_of(snap)
        self.fig = Figure(figsize=MAP_SIZE_IN, dpi=dpi)
        self.canvas = FigureCanvasAgg(self.fig)
        self.ax = self.fig.add_axes((0.03, 0.06, 0.745, 0.88))
        self.extent = draw.extent(snap)
        ax = self.ax
        ax.set_xlim(self.extent[0], self.extent[1])
        ax.set_ylim(self.extent[2], self.extent[3])
        ax.set_aspect(draw.aspect(snap))
        ax.tick_params(labelsize=8)
        self.pop_image = ax.imshow(
            np.zeros((snap.geo.height, snap.geo.width)),
            origin="lower",
            extent=self.extent,
            cmap="Greys",
            alpha=0.55,
            interpolation="nearest",
            zorder=0,
        )
        self._set_population(snap)
        self.grid_shape = (snap.geo.width, snap.geo.height)
        self.layer_colours: Any = None  # cell colours of the layer as an RGBA lookup, see _layer_rgba
        self.pixel_cells: Any = None  # which cell each pixel of the map shows, see _map_pixels
        draw.borders_and_towns(ax, snap)
        self.agents = draw.AgentArtists(ax, snap, MAX_COUNT_LABELS)
        self.title = ax.set_title("", fontsize=12, animated=True)
        self.legend: Any = None
        self.colorbar_axes = self.fig.add_axes((0.79, 0.08, 0.19, 0.03))
        self.layer: str | None = None
        self.background: Any = None
        self.population_week = snap.week

    def _set_population(self, snap: Snapshot) -> None:
        pop = snap.fields["population"]
        self.pop_image.set_data(np.ma.masked_where(pop < 1, pop).T)
        self.pop_image.set_norm(LogNorm(1e3, max(float(pop.max()), 1e4)))

    def _set_layer(self, snap: Snapshot, layer: str) -> None:
        """Colour map, norm and colour bar of a new layer (the background is drawn again)."""
        self.layer = layer
        if self.legend is not None:
            self.legend.remove()
        self.legend = self.fig.legend(
            handles=draw.legend_handles(snap, layer),
            loc="upper left",
            bbox_to_anchor=(0.775, 0.97),
            fontsize=8.5,
            frameon=False,
            handlelength=1.2,
        )
        self.colorbar_axes.clear()
        self.colorbar_axes.set_visible(False)
        style = draw.layer_style(snap, layer)
        self.layer_colours = None
        if style is None:
            return
        cmap, norm, label = style
        self.layer_colours = (plt_cmap(cmap), norm, 0.45 if layer == draw.CONTROL else 0.6)
        if label:
            self.colorbar_axes.set_visible(True)
            bar = self.fig.colorbar(
                ScalarMappable(norm, self.layer_colours[0]), cax=self.colorbar_axes, orientation="horizontal"
            )
            bar.set_label(label, fontsize=8)
            bar.ax.tick_params(labelsize=7)

    def _map_pixels(self) -> tuple[slice, slice, np.ndarray]:
        """Rows and columns of the canvas inside the map, and the flat cell index each pixel shows."""
        height = self.canvas.get_width_height()[1]
        box = self.ax.get_window_extent()
        (lon0, lon1), (lat0, lat1) = self.ax.get_xlim(), self.ax.get_ylim()
        c0, c1 = int(np.ceil(box.x0)), int(np.floor(box.x1))
        r0, r1 = int(np.ceil(height - box.y1)), int(np.floor(height - box.y0))
        lon = lon0 + (np.arange(c0, c1) + 0.5 - box.x0) / box.width * (lon1 - lon0)
        lat = lat0 + (height - np.arange(r0, r1) - 0.5 - box.y0) / box.height * (lat1 - lat0)
        west, east, south, north = self.extent
        nx, ny = self.grid_shape
        ix = np.clip(np.floor((lon - west) / (east - west) * nx).astype(np.intp), 0, nx - 1)
        iy = np.clip(np.floor((lat - south) / (north - south) * ny).astype(np.intp), 0, ny - 1)
        return slice(r0, r1), slice(c0, c1), ix[None, :] * ny + iy[:, None]

    def _blend_layer(self, data: np.ma.MaskedArray) -> None:
        """Blend a cell layer into the canvas's pixels in 8-bit integer steps (faster than an image artist)."""
        cmap, norm, alpha = self.layer_colours
        rgba = cmap(norm(np.ma.filled(data.astype(float), np.nan)))  # [x, y, 4], 0-1
        weight = np.where(np.ma.getmaskarray(data), 0, round(alpha * 256)).astype(np.uint16).ravel()
        colour = (rgba[..., :3].reshape(-1, 3) * 255 + 0.5).astype(np.uint16) * weight[:, None]
        rows, cols, cell = self.pixel_cells
        region = np.asarray(self.canvas.buffer_rgba())[rows, cols, :3]
        keep = (256 - weight)[cell][..., None]
        region[...] = ((region * keep + colour[cell]) >> 8).astype(np.uint8)

    def paint(self, snap: Snapshot, layer: str = draw.CONTROL) -> bytes:
        """The map of a week with one layer, as JPEG bytes."""
        if layer != self.layer:
            self._set_layer(snap, layer)
            self.background = None
        if snap.week - self.population_week >= POPULATION_REFRESH_WEEKS or snap.week < self.population_week:
            self._set_population(snap)
            self.population_week = snap.week
            self.background = None
        if self.background is None:
            self.canvas.draw()  # everything not animated: population, borders, towns, legend
            self.background = self.canvas.copy_from_bbox(self.fig.bbox)
            self.pixel_cells = self._map_pixels()
        self.canvas.restore_region(self.background)
        data = draw.layer_data(snap, layer)
        if data is not None and self.layer_colours is not None:
            self._blend_layer(data)
        self.agents.update(snap)
        for artist in self.agents.artists():
            self.ax.draw_artist(artist)
        self.title.set_text(draw.map_title(snap))
        self.ax.draw_artist(self.title)
        return picture_bytes(self.canvas)


_PLOTS = (
    ("Stability index (0-100)", (("stability_index", "index", "#2c3e50"),), 1.0, (0, 100)),
    (
        "Share of people (%)",
        (
            ("state_control_share", "state", draw.STATE_COLOUR),
            ("insurgent_control_share", "armed groups", "#c0392b"),
            ("contested_share", "contested", "#7f8c8d"),
        ),
        100.0,
        (0, 100),
    ),
    (
        "Fatalities per week",
        (("fatalities_total", "all", "#2c3e50"), ("fatalities_civilian", "civilians", "#c0392b")),
        1.0,
        None,
    ),
    ("Displaced (millions)", (("displaced", "displaced", "#7d3c98"),), 1e-6, None),
    (
        "Diplomatic posts",
        (
            ("posts_open", "open", "#27ae60"),
            ("posts_reduced", "reduced", "#f39c12"),
            ("posts_closed", "closed", "#c0392b"),
        ),
        1.0,
        None,
    ),
    (
        "Personnel (thousands)",
        (("peacekeepers", "peacekeepers", "#3498db"), ("insurgent_strength", "fighters", "#c0392b")),
        1e-3,
        None,
    ),
)


#: B minus A of the headline metrics (compare mode); "sym" plots are symmetric around zero.
DIFFERENCE_PLOTS = (
    ("Stability index, B - A", (("stability_index", "B - A", "#2c3e50"),), 1.0, "sym"),
    ("State control, B - A (points)", (("state_control_share", "B - A", draw.STATE_COLOUR),), 100.0, "sym"),
    ("Fatalities per week, B - A", (("fatalities_total", "B - A", "#c0392b"),), 1.0, "sym"),
    ("Displaced, B - A (millions)", (("displaced", "B - A", "#7d3c98"),), 1e-6, "sym"),
    ("Diplomatic posts open, B - A", (("posts_open", "B - A", "#27ae60"),), 1.0, "sym"),
    ("Fatalities per week, B - A (cumulative)", (("fatalities_total", "B - A", "#7f8c8d"),), 1.0, "cumsum"),
)


def nice_ceiling(value: float) -> float:
    """The smallest of 1, 2, 2.5, 5 times a power of ten that is at least ``value`` (> 0)."""
    if value <= 0:
        return 1.0
    power = 10.0 ** np.floor(np.log10(value))
    for mult in (1.0, 2.0, 2.5, 5.0, 10.0):
        if mult * power >= value:
            return float(mult * power)
    return float(10 * power)


class MetricsPainter:
    """Six plots of the whole map's weekly metrics from the scenario start to its end.

    Args:
        snap: The first snapshot (fixes the time axis).
        dpi: Dots per inch.
        plots: ``(title, ((column, label, colour), ...), scale, y range)`` per plot; the y range is
            fixed ``(low, high)``, ``None`` (from 0, growing), ``"sym"`` (around 0, growing) or
            ``"cumsum"`` (the running total, around 0).
    """

    def __init__(self, snap: Snapshot, dpi: int = METRICS_DPI, plots=_PLOTS):
        self.key = (snap.start, snap.end)
        self.plots = plots
        self.fig = Figure(figsize=METRICS_SIZE_IN, dpi=dpi)
        self.canvas = FigureCanvasAgg(self.fig)
        axes = self.fig.subplots(
            2,
            3,
            sharex=True,
            gridspec_kw={"left": 0.05, "right": 0.99, "top": 0.93, "bottom": 0.1, "wspace": 0.2, "hspace": 0.3},
        ).ravel()
        self.axes = list(axes)
        self.lines: list[list] = []
        self.tops: list[float] = []
        for ax, (title, series, _, fixed) in zip(self.axes, plots, strict=True):
            ax.set_title(title, fontsize=9)
            self.lines.append([ax.plot([], [], color=c, lw=1.2, label=lab, animated=True)[0] for _, lab, c in series])
            if len(series) > 1:
                ax.legend(fontsize=6.5, frameon=False, loc="upper left")
            top = fixed[1] if isinstance(fixed, tuple) else 1.0
            ax.set_ylim(self._bottom(fixed, top), top)
            if not isinstance(fixed, tuple):
                ax.axhline(0, color="#555555", lw=0.6)
            self.tops.append(top)
            ax.tick_params(labelsize=7)
            ax.grid(alpha=0.3)
        self.axes[0].set_xlim(np.datetime64(snap.start), np.datetime64(snap.end))
        years = max(1, (snap.end.year - snap.start.year + 1) // 6)
        self.axes[0].xaxis.set_major_locator(YearLocator(years))
        self.axes[0].xaxis.set_major_formatter(DateFormatter("%Y"))
        self.background = None

    @staticmethod
    def _bottom(fixed, top: float) -> float:
        if isinstance(fixed, tuple):
            return fixed[0]
        return -top if fixed in ("sym", "cumsum") else 0.0

    def paint(self, snap) -> bytes:
        """The plots up to a week, as JPEG bytes (``snap`` needs ``metrics``, ``start`` and ``end``)."""
        m = snap.metrics
        dates = m["date"].to_numpy(dtype="datetime64[D]") if not m.empty else np.zeros(0, "datetime64[D]")
        for i, (ax, (_, series, scale, fixed), lines) in enumerate(zip(self.axes, self.plots, self.lines, strict=True)):
            peak = 0.0
            for (column, _, _), line in zip(series, lines, strict=True):
                values = m[column].to_numpy(dtype=float) * scale if not m.empty else np.zeros(0)
                if fixed == "cumsum":
                    values = np.cumsum(values)
                line.set_data(dates, values)
                if len(values):
                    peak = max(peak, float(np.nanmax(np.abs(values))))
            if not isinstance(fixed, tuple) and peak > self.tops[i]:
                self.tops[i] = nice_ceiling(peak * 1.2)
                ax.set_ylim(self._bottom(fixed, self.tops[i]), self.tops[i])
                self.background = None
        if self.background is None:
            self.canvas.draw()
            self.background = self.canvas.copy_from_bbox(self.fig.bbox)
        self.canvas.restore_region(self.background)
        for ax, lines in zip(self.axes, self.lines, strict=True):
            for line in lines:
                ax.draw_artist(line)
        return picture_bytes(self.canvas)
