"""Phase 1, schedule: dated changes take effect at the start of each week."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from sahel_sim.model import fields as F
from sahel_sim.model import holdings, world
from sahel_sim.model.accords import in_party_area, sign
from sahel_sim.scenario.schema import Scenario, StrengthPoint

if TYPE_CHECKING:
    from sahel_sim.model.sahel_model import SahelModel


@dataclass
class ScheduleState:
    """What the schedule has already done, so each dated change happens once.

    Attributes:
        shocks_applied: Legitimacy shocks applied so far, in date order.
        faction_spawned: Per faction of the scenario, whether its bands have appeared.
        partner_active: Per partner force, whether it is deployed.

    """

    shocks_applied: int = 0
    faction_spawned: list[bool] = field(default_factory=list)
    partner_active: list[bool] = field(default_factory=list)

    @classmethod
    def for_scenario(cls, scenario: Scenario) -> ScheduleState:
        """Nothing done yet for ``scenario``."""
        return cls(0, [False] * len(scenario.factions), [False] * len(scenario.partners))


def strength_at(points: tuple[StrengthPoint, ...], date: dt.date) -> float:
    """Personnel on ``date``: zero before the first point, linear between points, flat after.

    Args:
        points: Strength points with increasing dates.
        date: The date asked for.

    Returns:
        Personnel (float).

    """
    if not points or date < points[0].date:
        return 0.0
    for a, b in zip(points, points[1:], strict=False):
        if a.date <= date < b.date:
            frac = (date - a.date).days / (b.date - a.date).days
            return a.personnel + frac * (b.personnel - a.personnel)
    return float(points[-1].personnel)


def run(model: SahelModel) -> None:
    """Apply every change dated on or before the current week, in a fixed order."""
    _shocks(model)
    sign(model)
    _factions(model)
    holdings.update(model)
    _partners(model)
    _army(model)
    _peacekeepers(model)


def _shocks(model: SahelModel) -> None:
    shocks = sorted(model.config.shocks, key=lambda s: s.date)
    codes = model.geo.country_codes
    done = model.schedule_state
    while done.shocks_applied < len(shocks) and shocks[done.shocks_applied].date <= model.date:
        shock = shocks[done.shocks_applied]
        done.shocks_applied += 1
        if shock.country not in codes:
            continue
        i = codes.index(shock.country)
        model.legitimacy[i] = min(1.0, max(0.0, model.legitimacy[i] + shock.size))
        capital = model.geo.cities[(model.geo.cities["iso_a2"] == shock.country) & model.geo.cities["is_capital"]]
        xy = (int(capital.iloc[0]["x"]), int(capital.iloc[0]["y"])) if not capital.empty else (0, 0)
        model.record_event(
            "legitimacy_shock", shock.kind, shock.country, xy, detail=f"{shock.label} ({shock.size:+.2f})".strip()
        )


def _factions(model: SahelModel) -> None:
    for i, faction in enumerate(model.config.factions):
        if (
            not model.schedule_state.faction_spawned[i]
            and world.faction_appears_on(faction, model.config.start) <= model.date
        ):
            model.schedule_state.faction_spawned[i] = True
            world.spawn_faction(model, faction, i)


def _partners(model: SahelModel) -> None:
    units = model.units()
    for i, partner in enumerate(model.config.partners):
        present = partner.arrive <= model.date and (partner.depart is None or model.date < partner.depart)
        mine = [u for u in units if u.force == partner.name]
        if present != model.schedule_state.partner_active[i]:
            model.schedule_state.partner_active[i] = present
            kind = "partner_arrives" if present else "partner_departs"
            model.record_event(kind, partner.name, partner.country, mine[0].xy if mine else (0, 0))
        total = strength_at(partner.strength, model.date) if present else 0.0
        for unit in mine:
            unit.active = present
            unit.reinforce(total / len(mine) if present else 0.0)


def _army(model: SahelModel) -> None:
    """Share each national army's strength among its active posts; reoccupy posts when possible."""
    fighters_op = model.presence.fighters_op if model.has_presence else None
    by_country: dict[str, list] = {}
    for unit in model.units():
        if not unit.is_partner:
            by_country.setdefault(unit.country, []).append(unit)
    for country, units in by_country.items():
        total = strength_at(model.states[country].army_strength, model.date)
        weight_active = sum(u.weight for u in units if u.active)
        if fighters_op is not None:
            radius_km = model.params.combat.operating_radius_km
            in_country = [u for u in model.units() if u.country == country]  # _support checks who is active
            for unit in units:
                # An accord in force freezes positions: no return to posts in its parties' area
                # or in the towns they hold.
                xy = unit.home.coordinate
                if unit.active or in_party_area(model, xy, country) is not None:
                    continue
                if holdings.frozen_by_accord(model, xy, country):
                    continue
                share = unit.weight / (weight_active + unit.weight)
                fighters = float(fighters_op[xy]) + float(holdings.guards_near(model, xy, radius_km).sum())
                unit.check_reoccupy(total * share, fighters, _support(model, country, xy, in_country))
            weight_active = sum(u.weight for u in units if u.active)
        for unit in units:
            unit.reinforce(total * unit.weight / weight_active if unit.active and weight_active else 0.0)


def _support(model: SahelModel, country: str, xy: tuple[int, int], units: list | None = None) -> float:
    """Effective strength (personnel x effectiveness) of a country's active army and partner units near a cell.

    "Near" is within the operating radius (``combat.operating_radius_km``, a square of cells as in
    the forces phase); peacekeepers do not count (they do not retake towns for the state). ``units``
    may narrow the search to a sublist of ``model.units()`` (in its order) that holds all of the
    country's units.
    """
    r = F.km_to_cells(model.params.combat.operating_radius_km, model.resolution)
    x, y = xy
    return sum(
        max(u.strength, 0.0) * u.effectiveness
        for u in (model.units() if units is None else units)
        if u.active and u.country == country and max(abs(u.xy[0] - x), abs(u.xy[1] - y)) <= r
    )


def _peacekeepers(model: SahelModel) -> None:
    force = model.config.peacekeepers
    if force is None:
        return
    total = strength_at(force.strength, model.date)
    camps = model.camps()
    # Shared among camps opened by now; a closed camp keeps its share, which has left the mission.
    weight = sum(c.weight for c in camps if c.opens <= model.date)
    for camp in camps:
        camp.update(total * camp.weight / weight if weight else 0.0)
