"""Towns held by armed groups: dated facts of a scenario's history, kept until the army takes them back.

Rules (docs/ODD.md, "Towns held by armed groups"): a faction's ``holds`` entry makes it hold a town
from its date (once the faction exists). On that date the army's national posts within
``handover.garrison_radius_km`` of the town are lost to it (``post_abandoned``). While it holds the
town the faction keeps a guard there, ``handover.held_town_fighters``, counted in the control balance,
in every contest for the town or a camp in it, and among the fighters peacekeepers monitor; and the
army does not return to its posts there while an accord binds the holder to the town's state (the
ceasefire freezes the lines). The holding ends when an active national post stands within the radius
again: the army retook its post in a contest, or a column took a camp's site there
(``town_taken``). Nothing here draws a random number.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from sahel_sim.model import fields as F
from sahel_sim.model.accords import binding
from sahel_sim.model.spatial import cells_apart

if TYPE_CHECKING:
    from sahel_sim.model.agents import ArmyUnit
    from sahel_sim.model.sahel_model import SahelModel


@dataclass
class Holding:
    """One town a faction holds under the scenario.

    Attributes:
        town: The town's name.
        xy: The town's cell.
        country: The country it lies in (ISO code).
        faction: Index of the holder in the scenario's factions.
        since: The date from which the faction holds it.
        held: Whether the faction holds it this week.
        ended_on: Date the army took it back, if it has.
    """

    town: str
    xy: tuple[int, int]
    country: str
    faction: int
    since: dt.date
    held: bool = False
    ended_on: dt.date | None = None


def holdings_of(model: SahelModel) -> list[Holding]:
    """Every ``holds`` entry of the scenario's factions, none held yet (the country is the town's cell's)."""
    out = []
    for i, faction in enumerate(model.config.factions):
        for town in faction.holds:
            xy = model.geo.cell_of(town.lat, town.lon)
            country = model.geo.country_codes[int(model.geo.country[xy])]
            out.append(Holding(town.town, xy, country, i, town.since or model.config.start))
    return out


def update(model: SahelModel) -> None:
    """Start holdings whose date has come, and end those where the army stands again (schedule phase)."""
    for holding in model.holdings:
        if holding.ended_on is not None:
            continue
        if not holding.held:
            if holding.since <= model.date and model.schedule_state.faction_spawned[holding.faction]:
                _start(model, holding)
            continue
        garrison = _army_post(model, holding)
        if garrison is not None:
            holding.held = False
            holding.ended_on = model.date
            model.record_event(
                "town_taken",
                garrison.actor,
                holding.town,
                holding.xy,
                detail=f"from {_name(model, holding)}: the army holds {garrison.post_name} again",
            )


def frozen_by_accord(model: SahelModel, xy: tuple[int, int], country: str) -> bool:
    """Whether a post at ``xy`` lies in a town held by a faction an accord in force binds to ``country``."""
    r = F.km_to_cells(model.params.handover.garrison_radius_km, model.resolution)
    return any(
        h.held
        and h.country == country
        and cells_apart(h.xy, xy) <= r
        and binding(model, h.faction, country) is not None
        for h in model.holdings
    )


def holder_at(model: SahelModel, xy: tuple[int, int], radius_km: float) -> int | None:
    """Index of the faction holding a town within ``radius_km`` of a cell (the nearest), or None."""
    r = F.km_to_cells(radius_km, model.resolution)
    best: tuple[int, int] | None = None
    for h in model.holdings:
        d = cells_apart(h.xy, xy)
        if h.held and d <= r and (best is None or d < best[0]):
            best = (d, h.faction)
    return None if best is None else best[1]


def guard_cells(model: SahelModel) -> list[tuple[int, int, int]]:
    """(faction, x, y) of every guard an armed group keeps this week, each ``handover.held_town_fighters`` strong.

    One per closed camp's site it holds (:mod:`sahel_sim.model.phases.handover`), one per town it
    holds unless it also holds a site in the town's cell.
    """
    names = [f.name for f in model.config.factions]
    held = [s for s in model.sites if s.holder not in (None, "state")]  # "state": handover.STATE (it imports us)
    sites = [(names.index(str(s.holder)), *s.xy) for s in held]
    towns = {(h.faction, *h.xy) for h in model.holdings if h.held} - set(sites)
    return sites + sorted(towns)


def guards_near(model: SahelModel, xy: tuple[int, int], radius_km: float) -> np.ndarray:
    """Per faction, the guards it keeps within ``radius_km`` of a cell (fighters; a square window)."""
    out = np.zeros(len(model.config.factions))
    r = F.km_to_cells(radius_km, model.resolution)
    for f, x, y in guard_cells(model):
        if cells_apart((x, y), xy) <= r:
            out[f] += model.params.handover.held_town_fighters
    return out


def held_fighters(model: SahelModel) -> np.ndarray | None:
    """Per faction and cell, the guards armed groups keep at the sites and towns they hold (fighters), or None."""
    cells = guard_cells(model)
    if not cells:
        return None
    out = np.zeros((len(model.config.factions), *model.land.shape))
    for cell in cells:
        out[cell] += model.params.handover.held_town_fighters
    return out


def _start(model: SahelModel, holding: Holding) -> None:
    holding.held = True
    name = _name(model, holding)
    r = F.km_to_cells(model.params.handover.garrison_radius_km, model.resolution)
    for unit in model.units():
        if unit.is_partner or not unit.active or unit.country != holding.country:
            continue
        if cells_apart(unit.xy, holding.xy) <= r:
            unit.lose_post(f"lost to {name}, which holds {holding.town} from {holding.since} (scenario)")
            unit.last_contest = model.week_index  # a lost battle: the army waits before it tries again
    model.record_event("town_held", name, holding.town, holding.xy, detail=f"from {holding.since} (scenario)")


def _army_post(model: SahelModel, holding: Holding) -> ArmyUnit | None:
    return model.nearest_army_unit(holding.xy, holding.country, model.params.handover.garrison_radius_km)


def _name(model: SahelModel, holding: Holding) -> str:
    return model.config.factions[holding.faction].name
