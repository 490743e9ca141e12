"""Build the starting world from a scenario: garrisons, partner bases, camps, factions, posts.

Kept apart from :mod:`sahel_sim.model.sahel_model` so that the weekly rules there read on their own.
"""

from __future__ import annotations

import datetime as dt
import math
from typing import TYPE_CHECKING

import numpy as np

from sahel_sim.model.agents import ArmyUnit, DiplomaticPostAgent, InsurgentBand, PeacekeepingCamp
from sahel_sim.model.agents.diplomacy import post_tolerance
from sahel_sim.model.fields import KM_PER_DEGREE

if TYPE_CHECKING:
    from sahel_sim.model.sahel_model import SahelModel
    from sahel_sim.scenario.schema import Faction

CAPITAL_WEIGHT = 3.0  # a capital's garrison weight relative to sqrt(population)


def great_circle_km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Distance between two points on the Earth, km (spherical, equirectangular approximation)."""
    mean_lat = math.radians((lat1 + lat2) / 2)
    dx = (lon2 - lon1) * math.cos(mean_lat)
    return KM_PER_DEGREE * math.hypot(dx, lat2 - lat1)


def build_army(model: SahelModel) -> None:
    """One garrison per settled cell of every country that has an army in the scenario.

    Towns of at least ``garrison_min_population`` and the capital get a post; towns in one cell share
    it. The weight of a post is sqrt(population), times :data:`CAPITAL_WEIGHT` for the capital.
    """
    geo, params = model.geo, model.params.army
    for state in model.config.states:
        if not state.army_strength:
            continue
        towns = geo.cities[geo.cities["iso_a2"] == state.country]
        capital = towns[towns["is_capital"].astype(bool)]
        if capital.empty:
            capital = towns.nlargest(1, "population")
        if capital.empty:
            continue
        cap_lat, cap_lon = float(capital.iloc[0]["lat"]), float(capital.iloc[0]["lon"])
        keep = towns[(towns["population"] >= params.garrison_min_population) | towns["is_capital"].astype(bool)]
        posts: dict[tuple[int, int], dict] = {}
        for town in keep.sort_values("population", ascending=False).itertuples():
            key = (int(town.x), int(town.y))
            weight = math.sqrt(float(town.population)) * (CAPITAL_WEIGHT if town.is_capital else 1.0)
            post = posts.setdefault(key, {"name": town.name, "weight": 0.0, "lat": town.lat, "lon": town.lon})
            post["weight"] += weight
        for (x, y), post in sorted(posts.items()):
            remote = great_circle_km(post["lat"], post["lon"], cap_lat, cap_lon) > params.remote_km
            ArmyUnit(
                model,
                model.grid[(x, y)],
                force="army",
                country=state.country,
                post_name=post["name"],
                weight=post["weight"],
                effectiveness=state.army_effectiveness,
                accuracy=state.army_accuracy,
                remote=remote,
            )


def build_partners(model: SahelModel) -> None:
    """One unit per base of each partner force; inactive until the force arrives."""
    for partner in model.config.partners:
        for i, base in enumerate(partner.bases):
            x, y = model.geo.cell_of(base.lat, base.lon)
            ArmyUnit(
                model,
                model.grid[(x, y)],
                force=partner.name,
                country=partner.country,
                post_name=f"{partner.name} base {i + 1}",
                weight=1.0,
                effectiveness=partner.effectiveness,
                accuracy=partner.accuracy,
                abuse=partner.abuse,
                active=False,
            )


def build_camps(model: SahelModel) -> None:
    """The peacekeeping camps, with their opening and closing dates."""
    force = model.config.peacekeepers
    if force is None:
        return
    deploy = force.strength[0].date
    closing = force.withdrawal.closing_dates(force.camps) if force.withdrawal else {}
    for camp in force.camps:
        x, y = model.geo.cell_of(camp.lat, camp.lon)
        opens = max(deploy, camp.opens or deploy)
        PeacekeepingCamp(model, camp, model.grid[(x, y)], opens, closing.get(camp.name))


def build_posts(model: SahelModel) -> None:
    """The diplomatic posts: the scenario's data set (less removals) plus those it adds.

    Each post's tolerance comes from :func:`~sahel_sim.model.agents.diplomacy.post_tolerance`, with one
    standard normal draw per post, in the order of the list, from the ``posts`` random stream (so
    that adding a post does not shift the draws of the other rules; :mod:`sahel_sim.model.streams`).
    """
    specs = model.config.post_list()
    draws = model.streams.posts.standard_normal(len(specs)) if specs else ()
    for spec, draw in zip(specs, draws, strict=True):
        x, y = model.geo.cell_of(spec.lat, spec.lon)
        tolerance = post_tolerance(model.params.diplomacy, spec, float(draw))
        DiplomaticPostAgent(model, spec, model.grid[(x, y)], tolerance)


def spawn_faction(model: SahelModel, faction: Faction, index: int) -> None:
    """Place a faction's initial fighters in bands around its start areas.

    Each band lands in a random cell next to its start area (or on it), never in a cell its faction
    may not enter; a start area outside the faction's countries keeps its bands on the area's cell.
    """
    split = model.params.insurgency.band_split_strength
    shares = np.array([a.share for a in faction.start_areas], dtype=float)
    shares /= shares.sum()
    for area, share in zip(faction.start_areas, shares, strict=True):
        fighters = round(faction.initial_strength * share)
        n_bands = max(1, math.ceil(fighters / (split / 2)))
        x, y = model.geo.cell_of(area.lat, area.lon)
        for i in range(n_bands):
            dx, dy = model.streams.schedule.integers(-1, 2, size=2)
            cx = int(np.clip(x + dx, 0, model.geo.width - 1))
            cy = int(np.clip(y + dy, 0, model.geo.height - 1))
            if not model.faction_cells[index][cx, cy]:  # never placed outside its countries
                cx, cy = x, y
            size = fighters // n_bands + (1 if i < fighters % n_bands else 0)  # whole fighters
            InsurgentBand(model, model.grid[(cx, cy)], faction, index, size)
    model.record_event(
        "faction_appears",
        faction.name,
        faction.ideology,
        model.geo.cell_of(faction.start_areas[0].lat, faction.start_areas[0].lon),
        detail=f"{faction.initial_strength} fighters",
    )


def faction_appears_on(faction: Faction, start: dt.date) -> dt.date:
    """Date a faction appears: its founding date, or the scenario start."""
    return max(start, faction.founded) if faction.founded else start
