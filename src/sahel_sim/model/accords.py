"""Peace accords in a run: which hold, which parties they bind, and their collapse.

Rules (docs/ODD.md, "Peace accords"): an accord binds its state and its armed parties from the date
it is signed: while it holds, the state's and partners' forces do not engage the parties' bands and
the parties do not attack soldiers, peacekeepers or convoys. It ends only by collapse, decided by the
accords phase (:mod:`sahel_sim.model.phases.accords`) or by a battle between its parties over a
vacated camp (:mod:`sahel_sim.model.phases.handover`); each collapse is an event with its reason.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    from sahel_sim.model.sahel_model import SahelModel
    from sahel_sim.scenario.accord import Accord


#: A party's area: cells where its share of presence is at least this (docs/ODD.md, "Peace accords").
PARTY_AREA_SHARE = 0.2


@dataclass
class AccordState:
    """One accord during a run.

    Attributes:
        spec: The accord as the scenario gives it.
        parties: Indices of its armed parties in the scenario's factions.
        in_force: Whether it binds its parties this week.
        collapsed_on: Date of its collapse, if it has collapsed.
        reason: Why it collapsed.
        encroachments: Sites in a party's area the army has taken since the accord was signed.
        monitors_peak: Most peacekeepers present in its country in a week since it came into force (personnel).

    """

    spec: Accord
    parties: tuple[int, ...]
    in_force: bool = False
    collapsed_on: dt.date | None = None
    reason: str = ""
    encroachments: int = 0
    monitors_peak: float = 0.0


def accords_of(model: SahelModel) -> list[AccordState]:
    """The scenario's accords, none yet in force."""
    names = [f.name for f in model.config.factions]
    return [AccordState(a, tuple(names.index(n) for n in a.factions)) for a in model.config.accords]


def bound_factions(model: SahelModel) -> np.ndarray:
    """Per faction of the scenario, whether an accord in force binds it this week (bool array)."""
    bound = np.zeros(len(model.config.factions), dtype=bool)
    for accord in model.accords:
        if accord.in_force:
            bound[list(accord.parties)] = True
    return bound


def binding(model: SahelModel, faction_index: int, country: str) -> AccordState | None:
    """The accord in force between ``country`` and a faction, if any."""
    for accord in model.accords:
        if accord.in_force and accord.spec.country == country and faction_index in accord.parties:
            return accord
    return None


def in_party_area(model: SahelModel, xy: tuple[int, int], country: str) -> AccordState | None:
    """The accord in force with ``country`` with a party holding :data:`PARTY_AREA_SHARE` of a cell, if any.

    There the ceasefire freezes the state's positions, and a new army post is an encroachment.
    """
    for accord in model.accords:
        if accord.in_force and accord.spec.country == country:
            if any(model.faction_share[f][xy] >= PARTY_AREA_SHARE for f in accord.parties):
                return accord
    return None


def sign(model: SahelModel) -> None:
    """Bring into force the accords signed on or before this week that have not collapsed yet."""
    for accord in model.accords:
        if accord.in_force or accord.collapsed_on is not None or accord.spec.signed > model.date:
            continue
        accord.in_force = True
        _log(model, accord, "accord_signed", accord.spec.label)


def collapse(model: SahelModel, accord: AccordState, reason: str) -> None:
    """End an accord now and log why (the event sits at its first party's first start area)."""
    accord.in_force = False
    accord.collapsed_on = model.date
    accord.reason = reason
    _log(model, accord, "accord_collapse", reason)


def _log(model: SahelModel, accord: AccordState, kind: str, detail: str) -> None:
    """Record an accord's event at its first party's first start area."""
    first = model.config.factions[accord.parties[0]].start_areas[0]
    model.record_event(
        kind, ", ".join(accord.spec.factions), accord.spec.name, model.geo.cell_of(first.lat, first.lon), detail=detail
    )
