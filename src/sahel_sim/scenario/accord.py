"""The schema of a peace accord or ceasefire between a state and armed groups (an input with a date)."""

from __future__ import annotations

from pydantic import Field

from sahel_sim.scenario.parameters import Frozen
from sahel_sim.scenario.value_types import CountryCode, Date, Name


class Accord(Frozen):
    """An accord that binds a state and some factions from a date until it collapses.

    While it holds, the state's forces and the parties' bands do not attack each other; each week it
    may collapse (``mechanisms.accords``; docs/ODD.md, "Peace accords"). Its end is decided by the
    model, never dated in the scenario.

    E.g. the 2015 Algiers accord, signed by the separatist coalition (CMA) on 20 June 2015.
    """

    name: Name
    signed: Date
    country: CountryCode = Field(..., description="the state party")
    factions: tuple[Name, ...] = Field(..., min_length=1, description="the armed parties (faction names)")
    label: str = ""
