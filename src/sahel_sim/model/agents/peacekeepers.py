"""Peacekeeping contingents at their camps, and the convoys that leave when camps close.

Rules (docs/ODD.md, "Peacekeepers"): the mission's strength on a date is shared among open camps by
weight; a camp protects civilians within a radius (Hultman et al. 2013; Fjelde et al. 2019) and
deters attacks; patrols and supply runs take mine and IED casualties in proportion to nearby
insurgent presence. Under a withdrawal plan a camp drains over the weeks before its closing date, its
last personnel leave by convoy (exposed while moving); who takes the site is decided by the handover
phase (:mod:`sahel_sim.model.phases.handover`).
"""

from __future__ import annotations

import datetime as dt
import enum
from typing import TYPE_CHECKING

from mesa.discrete_space import CellAgent, FixedAgent

from sahel_sim.model.agents.base import OnGrid

if TYPE_CHECKING:
    from sahel_sim.model.sahel_model import SahelModel
    from sahel_sim.scenario.schema import Camp


class CampStatus(enum.Enum):
    """Life cycle of a camp."""

    PLANNED = "planned"
    OPEN = "open"
    DRAINING = "draining"
    CLOSED = "closed"


class PeacekeepingCamp(OnGrid, FixedAgent):
    """A peacekeeping camp and the contingent based there.

    Attributes:
        name: Camp name.
        weight: Relative share of the mission's personnel.
        opens: Date the camp opens.
        closes: Closing date under the withdrawal plan, or None.
        strength: Personnel at the camp now.
        status: A :class:`CampStatus`.

    """

    def __init__(self, model: SahelModel, camp: Camp, cell, opens: dt.date, closes: dt.date | None):
        super().__init__(model)
        self.cell = cell
        self.name = camp.name
        self.lat, self.lon = camp.lat, camp.lon
        self.weight = camp.weight
        self.opens = opens
        self.closes = closes
        self.strength = 0.0
        self.status = CampStatus.PLANNED

    def presence_factor(self, date: dt.date) -> float:
        """Share of the camp's full allocation present on ``date`` (drains linearly before closing)."""
        if date < self.opens or (self.closes is not None and date >= self.closes):
            return 0.0
        if self.closes is None:
            return 1.0
        weeks_left = (self.closes - date).days / 7.0
        drain = self.model.params.peacekeeping.drawdown_weeks
        return min(1.0, weeks_left / drain)

    def update(self, allocation: float) -> None:
        """Set this week's strength and status from the mission's allocation for this camp.

        Args:
            allocation: Personnel this camp would hold at full presence.

        """
        date = self.model.date
        factor = self.presence_factor(date)
        if self.status is CampStatus.PLANNED and factor > 0:
            self.status = CampStatus.OPEN
        if self.status is CampStatus.OPEN and factor < 1.0 and self.closes is not None:
            self.status = CampStatus.DRAINING
            self.record("camp_drawdown", self.model.pk_name, self.name, detail=f"closing on {self.closes.isoformat()}")
        if self.status is CampStatus.DRAINING and factor == 0.0:
            self._close()
            return
        if self.status in (CampStatus.OPEN, CampStatus.DRAINING):
            self.strength = allocation * factor

    def _close(self) -> None:
        """Close the camp and send its last personnel by convoy (the handover phase decides who takes the site)."""
        params = self.model.params.peacekeeping
        leaving = self.strength * params.convoy_share
        destination = self.model.convoy_destination(self)
        if leaving >= 1.0 and destination is not None and destination is not self:
            Convoy(self.model, self, destination, leaving)
        self.strength = 0.0
        self.status = CampStatus.CLOSED
        self.record("camp_closed", self.model.pk_name, self.name)

    def ied_casualties(self, insurgent_presence: float) -> None:
        """Mine and IED losses on this camp's patrols and supply roads this week.

        Args:
            insurgent_presence: Insurgent presence (presence units) around the camp.

        """
        if self.strength <= 0:
            return
        rate = self.model.params.peacekeeping.ied_rate * self.strength / 1000.0 * insurgent_presence
        deaths = int(min(self.model.streams.peacekeepers.poisson(rate), self.strength))
        if deaths:
            self.strength -= deaths
            self.record(
                "ied",
                "unknown armed group",
                "peacekeepers",
                fatalities_peacekeeper=deaths,
                detail=f"patrols of {self.name}",
            )


class Convoy(OnGrid, CellAgent):
    """Personnel and equipment leaving a closed camp by road, exposed to attack while moving.

    Attributes:
        origin: Camp the convoy left.
        destination: Camp it heads for.
        strength: Personnel in the convoy.

    """

    def __init__(self, model: SahelModel, origin: PeacekeepingCamp, destination: PeacekeepingCamp, strength: float):
        super().__init__(model)
        self.cell = origin.cell
        self.origin = origin
        self.destination = destination
        self.strength = strength
        self.name = f"convoy from {origin.name}"

    def advance(self) -> None:
        """Move one week's distance towards the destination; arrive and leave the map there."""
        from sahel_sim.model.fields import km_to_cells

        speed = max(1, km_to_cells(self.model.params.peacekeeping.convoy_speed_km, self.model.resolution))
        (x, y), (tx, ty) = self.xy, self.destination.xy
        dx, dy = tx - x, ty - y
        steps = max(abs(dx), abs(dy))
        if steps <= speed or self.strength <= 0:
            if self.strength > 0:
                self.record(
                    "convoy_arrived",
                    self.model.pk_name,
                    self.destination.name,
                    detail=f"{self.name}: {round(self.strength)} personnel",
                )
            self.remove()
            return
        frac = speed / steps
        self.cell = self.model.grid[(x + round(dx * frac), y + round(dy * frac))]
