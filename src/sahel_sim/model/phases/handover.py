"""Phase: who takes over the peacekeepers' closing camps, and who holds their sites afterwards.

Each camp with a closing date is a :class:`Site`. Before it closes the host's army may send a column
to it from a garrison in reach (at most ``handover.columns_per_country`` on the road at once); at
closure the site goes to a column or garrison already there, else to the strongest armed group
within the contest radius, else to nobody. A column reaching a site an armed group holds fights for
it: its engagements are logged with their casualties, then a contest success function decides who
holds the site (Hirshleifer 1989). Holders keep a site until someone takes it from them. Every
decision is logged (``camp_handover`` once per camp, ``site_control`` for later changes);
docs/ODD.md, "Handover of closing camps".
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from sahel_sim.model import fields as F
from sahel_sim.model import holdings
from sahel_sim.model.accords import binding, collapse, in_party_area
from sahel_sim.model.agents import ArmyUnit, CampStatus, PeacekeepingCamp
from sahel_sim.model.agents.army import contest_chance
from sahel_sim.model.agents.base import positions, strengths
from sahel_sim.model.agents.column import ArmyColumn
from sahel_sim.model.agents.insurgents import faction_indices
from sahel_sim.model.phases.schedule import strength_at
from sahel_sim.model.spatial import cells_apart

if TYPE_CHECKING:
    from sahel_sim.model.sahel_model import SahelModel

STATE = "state"


@dataclass
class Site:
    """A camp with a closing date, and who holds its site once it has closed.

    Attributes:
        camp: The camp.
        country: The host country (ISO code).
        holder: ``"state"``, a faction's name, or None (nobody); None before the camp closes.
        outcome: The handover's outcome once decided: army, armed_group, contested or vacuum.
        column: The army column on its way to the site, if any.
        garrison: The army post holding the site for the state, if any.
        last_attempt: Week index of the army's last failed attempt on the site.

    """

    camp: PeacekeepingCamp
    country: str
    holder: str | None = None
    outcome: str | None = None
    column: ArmyColumn | None = None
    garrison: ArmyUnit | None = None
    last_attempt: int = -(10**6)

    @property
    def name(self) -> str:
        """The camp's name."""
        return self.camp.name

    @property
    def xy(self) -> tuple[int, int]:
        """The camp's cell."""
        return self.camp.xy

    @property
    def closed(self) -> bool:
        """Whether the camp has closed."""
        return self.camp.status is CampStatus.CLOSED


def sites_of(model: SahelModel) -> list[Site]:
    """A site for every camp that has a closing date under the scenario's withdrawal plan."""
    return [Site(c, model.pk_host) for c in model.camps() if c.closes is not None]


def run(model: SahelModel) -> None:
    """Decide closures, move columns and resolve arrivals, send new columns, then follow holders."""
    if not model.sites:
        return
    for site in model.sites:
        if site.closed and site.outcome is None and site.column is None:
            _on_close(model, site)
    for site in model.sites:
        column = site.column
        if column is None:
            continue
        waiting = column.arrived  # there before this week: the camp was still open last week
        column.advance()
        if not (column.arrived and site.closed):
            continue
        if waiting and site.outcome is None and holdings.holder_at(model, site.xy, _radius(model)) is None:
            site.column = None
            _take(model, site, column, "army", f"the peacekeepers handed it to a column from {column.origin.post_name}")
        else:
            _on_arrival(model, site)
    _dispatch(model)
    for site in model.sites:
        if site.closed and site.outcome is not None:
            _follow_holder(model, site)


def fighters_near(model: SahelModel, xy: tuple[int, int], radius_km: float) -> np.ndarray:
    """Fighters of each faction within ``radius_km`` of a cell (a square window), per faction."""
    out = np.zeros(len(model.config.factions))
    bands = model.bands()
    if not bands:
        return out
    xs, ys = positions(bands)
    r = F.km_to_cells(radius_km, model.resolution)
    near = (np.abs(xs - xy[0]) <= r) & (np.abs(ys - xy[1]) <= r)
    np.add.at(out, faction_indices(bands)[near], strengths(bands)[near])
    return out


def _radius(model: SahelModel) -> float:
    return model.params.handover.contest_radius_km


def _contestants(model: SahelModel, xy: tuple[int, int]) -> np.ndarray:
    """Per faction, its fighters within the contest radius of a cell plus the guards it keeps there."""
    return fighters_near(model, xy, _radius(model)) + holdings.guards_near(model, xy, _radius(model))


def _strongest(model: SahelModel, site: Site) -> tuple[int, float]:
    near = _contestants(model, site.xy)
    if not near.size:
        return -1, 0.0
    f = int(np.argmax(near))
    return f, float(near[f])


def _garrison_near(model: SahelModel, site: Site) -> ArmyUnit | None:
    return model.nearest_army_unit(site.xy, site.country, model.params.handover.garrison_radius_km)


def holder_actor(holder: str | None, country: str) -> str:
    """The event log's actor for a site's holder: ``"<country> army"``, the faction's name, or ``"nobody"``."""
    return f"{country} army" if holder == STATE else (holder or "nobody")


def holder_of(actor: str) -> str:
    """A site's holder read back from a ``camp_handover`` or ``site_control`` event's actor (:func:`holder_actor`)."""
    return STATE if actor.endswith(" army") else actor


def _decide(model: SahelModel, site: Site, outcome: str, holder: str | None, detail: str) -> None:
    """Record a change of holder: the handover's outcome the first time, a control change later."""
    old = site.holder
    site.holder = holder
    actor = holder_actor(holder, site.country)
    if site.outcome is None:
        site.outcome = outcome
        model.record_event("camp_handover", actor, site.name, site.xy, detail=f"{outcome}: {detail}")
    elif old != holder:
        change = f"{old or 'nobody'} -> {holder or 'nobody'}: {detail}"
        model.record_event("site_control", actor, site.name, site.xy, detail=change)


def _on_close(model: SahelModel, site: Site) -> None:
    garrison = _garrison_near(model, site)
    if garrison is not None:
        site.garrison = garrison
        _decide(model, site, "army", STATE, f"handed to the garrison of {garrison.post_name}")
        return
    f, fighters = _strongest(model, site)
    if fighters >= 1:
        name = model.config.factions[f].name
        _decide(model, site, "armed_group", name, f"{round(fighters)} fighters of {name} within reach, no army")
    else:
        _decide(model, site, "vacuum", None, "no army unit or armed group within reach")


def _on_arrival(model: SahelModel, site: Site) -> None:
    """A column stands on a closed site: take it, or fight for it."""
    column = site.column
    assert column is not None
    site.column = None
    if site.holder == STATE:
        column.fall_back()
        return
    p = model.params.handover
    f, fighters = _strongest(model, site)
    if fighters < 1:
        _take(model, site, column, "army", f"column from {column.origin.post_name} took it unopposed")
        return
    name = model.config.factions[f].name
    _battle(model, site, column, f)
    accord = binding(model, f, site.country)
    if accord is not None and model.streams.handover.random() < model.params.accords.battle_collapse:
        collapse(model, accord, f"battle between the army and {name} over {site.name}")
    remaining = _contestants(model, site.xy)[f]
    army = max(column.strength, 0.0) * column.effectiveness
    chance = contest_chance(army, remaining, p.decisiveness)
    odds = f"P(army) {chance:.2f}: {round(column.strength)} soldiers against {round(remaining)} fighters"
    if model.streams.handover.random() < chance:
        _take(model, site, column, "contested", f"army won against {name} ({odds})")
    else:
        site.last_attempt = model.week_index
        column.fall_back()
        detail = f"{name} held it against the army ({odds})"
        if site.outcome is not None and site.holder == name:  # no change of holder: log the contest on its own
            model.record_event("site_defended", name, site.name, site.xy, detail=detail)
        _decide(model, site, "contested", name, detail)


def _battle(model: SahelModel, site: Site, column: ArmyColumn, faction: int) -> None:
    """The column engages each band of the faction within the contest radius once, strongest first."""
    r = F.km_to_cells(model.params.handover.contest_radius_km, model.resolution)
    x, y = site.xy
    bands = [
        b
        for b in model.bands()
        if b.faction_index == faction and abs(b.xy[0] - x) <= r and abs(b.xy[1] - y) <= r and b.strength >= 1
    ]
    bands.sort(key=lambda b: -b.strength)
    for band in bands:
        if column.strength < 1:
            break
        column.engage(band)


def _take(model: SahelModel, site: Site, column: ArmyColumn, outcome: str, detail: str) -> None:
    """The column becomes the site's garrison; an accord party's area counts one more encroachment."""
    army_total = strength_at(model.states[site.country].army_strength, model.date)
    posts = [u for u in model.units() if not u.is_partner and u.active and u.country == site.country]
    weights = sum(u.weight for u in posts)
    weight = weights * column.strength / max(army_total - column.strength, column.strength)
    accord = in_party_area(model, site.xy, site.country)
    if accord is not None:
        accord.encroachments += 1
    site.garrison = column.become_garrison(weight)
    _decide(model, site, outcome, STATE, detail)


def _dispatch(model: SahelModel) -> None:
    """Send columns, in closing order, to sites the state does not hold, as capacity allows."""
    p = model.params.handover
    on_road: dict[str, int] = {}
    for site in model.sites:
        if site.column is not None:
            on_road[site.country] = on_road.get(site.country, 0) + 1
    lead = dt.timedelta(weeks=p.dispatch_lead_weeks)
    for site in sorted(model.sites, key=lambda s: (s.camp.closes, s.name)):
        if site.column is not None or site.holder == STATE or on_road.get(site.country, 0) >= p.columns_per_country:
            continue
        closes = site.camp.closes
        assert closes is not None
        due = model.date >= closes - lead if not site.closed else model.week_index - site.last_attempt >= p.retry_weeks
        if not due or _garrison_near(model, site) is not None or site.country not in model.states:
            continue
        origin = _origin(model, site)
        donors = [u for u in model.units() if not u.is_partner and u.active and u.country == site.country]
        if origin is None or sum(u.strength for u in donors) < 2 * p.column_personnel:
            continue
        site.column = ArmyColumn(model, origin, site.name, site.xy, p.column_personnel, donors)
        on_road[site.country] = on_road.get(site.country, 0) + 1
        model.record_event(
            "column_dispatched",
            origin.actor,
            site.name,
            origin.xy,
            detail=f"{round(p.column_personnel)} soldiers from {origin.post_name}",
        )


def _origin(model: SahelModel, site: Site) -> ArmyUnit | None:
    """The nearest national garrison in reach that is not overstretched: where a column sets out."""
    p = model.params.handover
    r = F.km_to_cells(p.column_reach_km, model.resolution)
    best: tuple[int, str, ArmyUnit] | None = None
    for unit in model.units():
        if unit.is_partner or not unit.active or unit.country != site.country or unit.overstretched_weeks:
            continue
        d = cells_apart(unit.xy, site.xy)
        if d <= r and (best is None or (d, unit.post_name) < best[:2]):
            best = (d, unit.post_name, unit)
    return None if best is None else best[2]


def _follow_holder(model: SahelModel, site: Site) -> None:
    """Holders change when a garrison is lost or returns, or when fighters move into an empty site."""
    if site.holder == STATE:
        garrison = site.garrison
        if garrison is None or not garrison.active:
            site.garrison = None
            f, fighters = _strongest(model, site)
            holder = model.config.factions[f].name if fighters >= 1 else None
            _decide(model, site, "", holder, "the army's garrison left")
        return
    garrison = _garrison_near(model, site)
    if garrison is not None:
        site.garrison = garrison
        _decide(model, site, "", STATE, f"the army is back at {garrison.post_name}")
        return
    if site.holder is None:
        f, fighters = _strongest(model, site)
        if fighters >= 1:
            name = model.config.factions[f].name
            _decide(model, site, "", name, f"{round(fighters)} fighters of {name} moved in")
