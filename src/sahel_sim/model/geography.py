"""The real map of the Sahel as a regular latitude/longitude grid.

The data files under ``sahel_sim/data/geography`` are generated offline by
``tools/make_geography.py`` from Natural Earth (public domain) and GeoNames
(CC BY 4.0); see ``SOURCES.md`` there.  This module needs only numpy, pandas
and the standard library.

Grid convention: arrays are indexed ``[x, y]`` where ``x`` is the column
counted from the west edge and ``y`` the row counted from the south edge;
``lon0``/``lat0`` is the south-west corner of the grid, in degrees.
"""

from __future__ import annotations

import functools
import json
import math
from dataclasses import dataclass
from importlib.resources import files

import numpy as np
import pandas as pd

SUPPORTED_RESOLUTIONS = (0.5, 0.25, 0.125)
SEA = "--"


def _data_dir():
    return files("sahel_sim") / "data" / "geography"


@dataclass(frozen=True)
class Geography:
    """Countries, population and cities on a regular grid.

    Attributes:
        resolution: Cell size in degrees (both directions).
        lon0: Longitude of the grid's south-west corner, degrees east.
        lat0: Latitude of the grid's south-west corner, degrees north.
        country: int16 array (width, height); index into ``country_codes``
            (0 is sea or outside every country).
        population: float64 array (width, height); persons per cell, c. 2023.
        country_codes: ISO 3166 alpha-2 code per country index, ``"--"`` at 0.
        country_names: Country name per country index.
        cities: One row per city with columns name, iso_a2, lat, lon
            (degrees), population (persons, GeoNames), is_capital, and x, y
            (the grid cell holding the city).

    """

    resolution: float
    lon0: float
    lat0: float
    country: np.ndarray
    population: np.ndarray
    country_codes: tuple[str, ...]
    country_names: tuple[str, ...]
    cities: pd.DataFrame

    @property
    def width(self) -> int:
        """Number of cells from west to east."""
        return int(self.country.shape[0])

    @property
    def height(self) -> int:
        """Number of cells from south to north."""
        return int(self.country.shape[1])

    def cell_of(self, lat: float, lon: float) -> tuple[int, int]:
        """Grid cell containing a point.

        Args:
            lat: Latitude in degrees north.
            lon: Longitude in degrees east (west is negative).

        Returns:
            The cell as ``(x, y)``.

        Raises:
            ValueError: If the point lies outside the grid.

        """
        fx = (lon - self.lon0) / self.resolution
        fy = (lat - self.lat0) / self.resolution
        if not (0.0 <= fx <= self.width and 0.0 <= fy <= self.height):
            raise ValueError(
                f"point ({lat}, {lon}) is outside the grid "
                f"{self.lat0}..{self.lat0 + self.height * self.resolution}°N, "
                f"{self.lon0}..{self.lon0 + self.width * self.resolution}°E"
            )
        return min(int(math.floor(fx)), self.width - 1), min(int(math.floor(fy)), self.height - 1)

    def cell_centre(self, x: int, y: int) -> tuple[float, float]:
        """Centre of a cell as ``(lat, lon)`` in degrees.

        Raises:
            ValueError: If ``(x, y)`` is not a cell of the grid.

        """
        if not (0 <= x < self.width and 0 <= y < self.height):
            raise ValueError(f"cell ({x}, {y}) is outside the {self.width}x{self.height} grid")
        return (self.lat0 + (y + 0.5) * self.resolution, self.lon0 + (x + 0.5) * self.resolution)

    def country_index(self, iso_a2: str) -> int:
        """Index of a country in ``country_codes``.

        Raises:
            KeyError: If the country is not in the grid's country list.

        """
        try:
            return self.country_codes.index(iso_a2.upper())
        except ValueError:
            raise KeyError(f"unknown country {iso_a2!r}; known: {self.country_codes[1:]}") from None

    def mask(self, iso_a2: str) -> np.ndarray:
        """Boolean (width, height) array, True on the cells of a country."""
        return self.country == self.country_index(iso_a2)

    def land(self) -> np.ndarray:
        """Boolean (width, height) array, True on cells belonging to any country."""
        return self.country != 0


def _check_resolution(resolution: float) -> float:
    for r in SUPPORTED_RESOLUTIONS:
        if math.isclose(float(resolution), r):
            return r
    raise ValueError(
        f"unsupported resolution {resolution!r}; supported resolutions (degrees): "
        f"{', '.join(str(r) for r in SUPPORTED_RESOLUTIONS)}"
    )


@functools.cache
def _load(resolution: float) -> Geography:
    base = _data_dir()
    with (base / f"grid_{resolution}.npz").open("rb") as fh, np.load(fh) as npz:
        country = npz["country"].astype(np.int16)
        population = npz["population"].astype(np.float64)
        lon0, lat0 = float(npz["lon0"]), float(npz["lat0"])
        res = float(npz["resolution"])
    with (base / "countries.csv").open("r", encoding="utf-8") as fh:
        countries = pd.read_csv(fh, keep_default_na=False).sort_values("index")
    with (base / "cities.csv").open("r", encoding="utf-8") as fh:
        cities = pd.read_csv(fh, keep_default_na=False)
    cities["is_capital"] = cities["is_capital"].astype(str).str.lower() == "true"
    geo = Geography(res, lon0, lat0, country, population, tuple(countries["iso_a2"]), tuple(countries["name"]), cities)
    cells = [geo.cell_of(lat, lon) for lat, lon in zip(cities["lat"], cities["lon"], strict=True)]
    cities["x"] = [c[0] for c in cells]
    cities["y"] = [c[1] for c in cells]
    country.setflags(write=False)
    population.setflags(write=False)
    return geo


def load_geography(resolution: float = 0.5) -> Geography:
    """Load the grid at a given resolution (cached; arrays are read-only).

    Args:
        resolution: Cell size in degrees, one of ``SUPPORTED_RESOLUTIONS``.

    Returns:
        The Geography at that resolution.

    Raises:
        ValueError: If the resolution is not supported (the message lists
            the supported ones).

    """
    return _load(_check_resolution(resolution))


@functools.lru_cache(maxsize=1)
def _borders_text() -> str:
    return (_data_dir() / "borders.json").read_text(encoding="utf-8")


def load_borders() -> dict:
    """Simplified country outlines clipped to the grid's box.

    Returns:
        ``{iso_a2: {"name": str, "lines": [[[lon, lat], ...], ...],
        "label": [lon, lat]}}`` with coordinates in degrees; a fresh copy on
        every call.

    """
    return json.loads(_borders_text())
