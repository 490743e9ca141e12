"""The run's event log: one row per attack, clash, closure, handover or control change.

Agents record what happened; counts and totals are derived from the log by :mod:`sahel_sim.model.metrics`,
never kept as counters by the agents themselves.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

import pandas as pd

#: Kinds of event and what they mean (documented in the README's results section).
EVENT_KINDS = {
    "attack": "an armed group attacks a target (army, peacekeepers, convoy, post, civilians)",
    "clash": "rival armed groups fight each other",
    "engagement": "state or partner forces engage an armed group",
    "ied": "peacekeepers hit by mines or IEDs on patrol or supply roads",
    "camp_drawdown": "a peacekeeping camp starts draining towards its closing date",
    "camp_closed": "a peacekeeping camp closes (its last convoy leaves)",
    "camp_handover": "who takes a closed camp's site: army, armed_group, contested or vacuum (detail's first word)",
    "site_control": "the holder of a closed camp's site changes later (detail: old -> new: why)",
    "town_held": "an armed group holds a town from the scenario's date (its guard stays until the army retakes it)",
    "town_taken": "the army stands in a town an armed group held (detail: from whom, which post)",
    "site_defended": "an armed group holding a closed camp's site beats off an army column (detail: the odds)",
    "column_dispatched": "the army sends a column towards a closing or lost camp",
    "accord_signed": "a peace accord comes into force",
    "accord_collapse": "a peace accord collapses (detail: why)",
    "convoy_arrived": "a withdrawing convoy reaches its destination",
    "post_abandoned": "an overstretched army unit abandons a remote post",
    "post_reoccupied": "the army reoccupies an abandoned post",
    "partner_arrives": "a partner force deploys",
    "partner_departs": "a partner force leaves",
    "faction_appears": "an armed group appears on the map",
    "legitimacy_shock": "a coup, massacre or accord changes a state's legitimacy",
    "post_status": "a diplomatic post changes status (open, reduced, closed)",
    "control_change": "the controller of a town changes",
    "blockade_started": "an armed group holding the roads around a garrison town blockades it",
    "blockade_lifted": "a blockade ends: the group lost the ring (ring_lost), the garrison left (garrison_left) "
    "or an accord binds the group (agreement)",
}

#: Targets of violence: victims are counted by these categories.
TARGETS = ("civilians", "army", "peacekeepers", "diplomatic", "insurgents")

COLUMNS = (
    "date",
    "lat",
    "lon",
    "area",
    "kind",
    "actor",
    "target",
    "fatalities",
    "fatalities_civilian",
    "fatalities_army",
    "fatalities_insurgent",
    "fatalities_peacekeeper",
    "detail",
)


@dataclass(slots=True)
class Event:
    """One thing that happened in one week at one place."""

    date: dt.date
    lat: float
    lon: float
    area: str
    kind: str
    actor: str
    target: str
    fatalities_civilian: int = 0
    fatalities_army: int = 0
    fatalities_insurgent: int = 0
    fatalities_peacekeeper: int = 0
    detail: str = ""

    @property
    def fatalities(self) -> int:
        """All deaths in the event."""
        return self.fatalities_civilian + self.fatalities_army + self.fatalities_insurgent + self.fatalities_peacekeeper


@dataclass
class EventLog:
    """Append-only list of events; ``week`` holds those of the current step."""

    events: list[Event] = field(default_factory=list)
    week_start: int = 0

    def add(self, event: Event) -> None:
        """Record an event."""
        if event.kind not in EVENT_KINDS:
            raise ValueError(f"unknown event kind {event.kind!r}")
        self.events.append(event)

    def new_week(self) -> None:
        """Mark the start of a new step."""
        self.week_start = len(self.events)

    @property
    def week(self) -> list[Event]:
        """Events recorded since the current step began."""
        return self.events[self.week_start :]

    def to_frame(self) -> pd.DataFrame:
        """The whole log as a table with the columns in :data:`COLUMNS`."""
        rows = [
            (
                e.date,
                e.lat,
                e.lon,
                e.area,
                e.kind,
                e.actor,
                e.target,
                e.fatalities,
                e.fatalities_civilian,
                e.fatalities_army,
                e.fatalities_insurgent,
                e.fatalities_peacekeeper,
                e.detail,
            )
            for e in self.events
        ]
        frame = pd.DataFrame(rows, columns=list(COLUMNS))
        frame["date"] = pd.to_datetime(frame["date"])
        for col in ("lat", "lon"):
            frame[col] = frame[col].astype("float64")
        for col in COLUMNS[7:12]:
            frame[col] = frame[col].astype("int64")
        return frame
