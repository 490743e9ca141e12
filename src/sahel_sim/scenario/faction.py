"""The schema of an armed group: where it starts, whom it fights, whose wing it is, what it holds.

Part of the scenario schema (:mod:`sahel_sim.scenario.schema`, which re-exports these classes).
"""

from __future__ import annotations

import datetime as dt
from typing import Literal

from pydantic import ConfigDict, Field, model_serializer, model_validator

from sahel_sim.scenario.parameters import Frozen, param
from sahel_sim.scenario.value_types import CountryCode, Date, Latitude, Longitude, Name, Personnel


class StartArea(Frozen):
    """Where a faction's fighters are when it appears, and what share of them."""

    lat: Latitude
    lon: Longitude
    share: float = Field(1.0, gt=0.0, le=1000.0, description="relative share of initial strength")


class Rival(Frozen):
    """A faction another fights, from a date on (default: whenever both exist).

    In a scenario file a rival is a plain name (``IS Sahel``) or ``{name: IS Sahel, from: 2020-01-01}``;
    a plain name is stored and written back as the plain name.
    """

    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)

    name: Name
    since: Date | None = Field(None, alias="from", description="date from which they fight (default: always)")

    @model_validator(mode="before")
    @classmethod
    def _from_name(cls, data):
        return {"name": data} if isinstance(data, str) else data

    @model_serializer(mode="plain")
    def _to_plain(self):
        return self.name if self.since is None else {"name": self.name, "from": self.since}

    def active_on(self, date: dt.date) -> bool:
        """Whether the rivalry holds on ``date``."""
        return self.since is None or date >= self.since


class PartOf(Rival):
    """The organisation a faction is a wing of, from a date on (default: whenever both exist).

    Written as a plain name or ``{name: JNIM, from: 2017-03-02}``, like a rival.
    """


class HeldTown(Frozen):
    """A town an armed group holds from a date: a dated fact of the scenario's history, not a model outcome.

    From ``from`` the group keeps a guard there (``handover.held_town_fighters``) and the army's
    posts within ``handover.garrison_radius_km`` are lost to it; the army gets the town back only by
    taking it (docs/ODD.md, "Towns held by armed groups").
    """

    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)

    town: Name
    lat: Latitude
    lon: Longitude
    since: Date | None = Field(None, alias="from", description="date from which the group holds it (default: start)")

    @model_serializer(mode="plain")
    def _to_plain(self):
        return {"town": self.town, "lat": self.lat, "lon": self.lon, "from": self.since}


class Faction(Frozen):
    """An armed group: its aims, size, where it starts and how it behaves."""

    name: Name
    ideology: Literal["jihadist", "islamic_state", "separatist"]
    founded: Date | None = Field(None, description="date it appears (default: scenario start)")
    initial_strength: Personnel
    start_areas: tuple[StartArea, ...] = Field(..., min_length=1)
    rivals: tuple[Rival, ...] = Field(
        (), description="factions it fights: a name, or {name, from: date} for a rivalry that starts on a date"
    )
    part_of: PartOf | None = Field(
        None,
        description="the faction whose wing it is, from a date (the model cannot merge factions): the "
        "roads its fighters hold count as that faction's for blockades",
    )
    countries: tuple[CountryCode, ...] = Field(
        ("ML", "BF", "NE", "MR", "TD"),
        min_length=1,
        description="countries its bands may operate in (assumption: the Sahel core, not the coastal states)",
    )
    holds: tuple[HeldTown, ...] = Field(
        (), description="towns it holds from a date (dated history: {town, lat, lon, from})"
    )
    recruitment: float = param(1.0, 0.0, 5.0, "multiplier", "assumption", "Multiplier on the recruitment rate.")
    civilian_targeting: float = param(
        0.3, 0.0, 1.0, "weight", "assumption", "Preference for attacking civilians over armed targets."
    )
    aggression: float = param(1.0, 0.0, 5.0, "multiplier", "assumption", "Multiplier on the attack rate.")
    international_targeting: float = param(
        0.2, 0.0, 1.0, "weight", "assumption", "Preference for peacekeepers, convoys and diplomatic targets."
    )
