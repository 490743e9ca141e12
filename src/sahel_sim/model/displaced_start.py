"""The registered stock of internally displaced people at a scenario's start (docs/ODD.md, "Initialisation").

With ``initial_displacement: registered`` a run does not start with nobody displaced: for each country
in ``displacement_points.csv`` (IOM DTM for Mali, CONASUR for Burkina Faso; the package's copy of the
shared reference file), the count at the latest point on or before the start date is marked as
displaced inside the country, none if the start is before the country's first point. They are placed
where the insecurity is: in proportion to population x exp(-d / ``population.initial_displaced_km``), d the
distance to the nearest start area of a faction present at the start (areas weighted by their share of
the faction's strength), within the country. They are people already counted in the map's population
(people who fled inside their country stay in it), so only the ``idp`` field changes; the area they
are in starts as not calm (``calm_weeks`` 0), so they return by the ordinary rule
(:func:`sahel_sim.model.phases.population._settle`) once it has stayed calm for ``return_calm_weeks``.
"""

from __future__ import annotations

import csv
import datetime as dt
from functools import cache
from importlib.resources import files
from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    from sahel_sim.model.sahel_model import SahelModel


@cache
def registered_points() -> dict[str, tuple[tuple[dt.date, float], ...]]:
    """Per country (ISO code), the dated registered counts of internally displaced people, oldest first."""
    path = files("sahel_sim") / "data" / "reference" / "displacement_points.csv"
    points: dict[str, list[tuple[dt.date, float]]] = {}
    with path.open("r", encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            points.setdefault(row["country"], []).append(
                (dt.date.fromisoformat(row["date"]), float(row["internally_displaced"]))
            )
    return {c: tuple(sorted(p)) for c, p in points.items()}


def registered_on(country: str, date: dt.date) -> float | None:
    """The registered count at the latest point on or before ``date`` (people); None before the first."""
    known = [n for d, n in registered_points().get(country, ()) if d <= date]
    return known[-1] if known else None


def insecurity(model: SahelModel) -> np.ndarray:
    """Per cell, sum over factions present at the start of strength-weighted exp(-distance / initial_displaced_km)."""
    from sahel_sim.model.phases.posts import distances_km

    scale = model.params.population.initial_displaced_km
    field = np.zeros(model.land.shape)
    start = model.config.start
    for faction in model.config.factions:
        if faction.founded is not None and faction.founded > start:
            continue
        total = sum(a.share for a in faction.start_areas)
        for area in faction.start_areas:
            xy = model.geo.cell_of(area.lat, area.lon)
            field += faction.initial_strength * area.share / total * np.exp(-distances_km(model, xy) / scale)
    return field


def place_registered(model: SahelModel) -> dict[str, float]:
    """Mark each country's registered stock as displaced where the insecurity is; returns people placed by country."""
    placed: dict[str, float] = {}
    threat = insecurity(model)
    if not threat.any():
        return placed
    country = model.geo.country
    for code in registered_points():
        if code not in model.geo.country_codes:
            continue
        stock = registered_on(code, model.config.start)
        if not stock:
            continue
        inside = (country == model.geo.country_index(code)) & model.land
        weight = np.where(inside, model.population * threat, 0.0)
        if weight.sum() <= 0:
            continue
        share = np.minimum(stock * weight / weight.sum(), model.population)
        model.idp += share
        model.calm_weeks[share > 0] = 0.0
        placed[code] = float(share.sum())
    return placed
