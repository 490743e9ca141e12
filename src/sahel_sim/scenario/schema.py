"""The scenario schema: one frozen, typed description of everything a run depends on.

A scenario file (YAML) is validated into :class:`Scenario`. Every default, bound and unit lives here
or in :mod:`sahel_sim.scenario.parameters`; the command line, scenario files, sweeps and the browser sliders
all read from it. Anything in time is a calendar date; the model steps one week at a time.
"""

from __future__ import annotations

import datetime as dt
from typing import Literal, cast

from pydantic import Field, model_validator

from sahel_sim.scenario.accord import Accord
from sahel_sim.scenario.faction import Faction, HeldTown, PartOf, Rival, StartArea
from sahel_sim.scenario.parameters import Frozen, Mechanisms, param
from sahel_sim.scenario.value_types import (
    LAT_RANGE,
    LON_RANGE,
    MAX_FACTIONS,
    CountryCode,
    Date,
    FieldError,
    Latitude,
    Longitude,
    Name,
    Personnel,
    ScenarioName,
    _check_factions,
    _check_sorted,
    _check_unique,
    check_not_ignored,
    slug,
)

__all__ = [
    "Accord",
    "Faction",
    "FieldError",
    "HeldTown",
    "LAT_RANGE",
    "LON_RANGE",
    "MAX_FACTIONS",
    "PartOf",
    "Rival",
    "Scenario",
    "StartArea",
    "slug",
]


class StrengthPoint(Frozen):
    """Strength of a force from a date on (linearly interpolated to the next point)."""

    date: Date
    personnel: Personnel


class Location(Frozen):
    """A place on the map."""

    lat: Latitude
    lon: Longitude


class Camp(Frozen):
    """A peacekeeping camp; the force's strength is shared among open camps by weight."""

    name: Name
    lat: Latitude
    lon: Longitude
    weight: float = Field(1.0, gt=0.0, le=100.0, description="relative share of the force's personnel")
    opens: Date | None = Field(None, description="date the camp opens (default: force deployment)")


#: Withdrawal fields the plan ignores when another is given: (deciding field, ignored fields, why).
WITHDRAWAL_IGNORED_WHEN = (("dates", ("start", "end", "duration_weeks", "order"), "camps close on the given 'dates'"),)


class Withdrawal(Frozen):
    """How the force leaves: camps close either in an order spread over a period, or on given dates.

    Give ``start`` with ``end`` or ``duration_weeks`` (camps then close evenly spaced, in ``order`` or
    in the order the camps are listed), or give ``dates`` with a closing date for every camp.
    """

    start: Date | None = None
    end: Date | None = None
    duration_weeks: int | None = Field(None, ge=1, le=1040, description="weeks")
    order: tuple[Name, ...] | None = None
    dates: dict[Name, Date] | None = None

    @model_validator(mode="after")
    def _check_shape(self) -> Withdrawal:
        check_not_ignored(self, WITHDRAWAL_IGNORED_WHEN)
        if self.dates is not None:
            return self
        if self.start is None:
            raise FieldError("start", "a withdrawal needs a start date (or a 'dates' mapping per camp)")
        if (self.end is None) == (self.duration_weeks is None):
            raise FieldError("end", "give exactly one of 'end' and 'duration_weeks'")
        if self.end is not None and self.end <= self.start:
            raise FieldError("end", f"withdrawal ends ({self.end}) before or when it starts ({self.start})")
        return self

    def closing_dates(self, camps: tuple[Camp, ...]) -> dict[str, dt.date]:
        """Return the closing date of every camp under this plan.

        Args:
            camps: The force's camps.

        Returns:
            Camp name to closing date.

        """
        if self.dates is not None:
            return dict(self.dates)
        # The validator guarantees a start, and an end or a duration, when there are no dates.
        start = cast(dt.date, self.start)
        order = self.order or tuple(c.name for c in camps)
        end = self.end or start + dt.timedelta(weeks=cast(int, self.duration_weeks))
        span = (end - start).days
        n = len(order)
        return {name: start + dt.timedelta(days=round(span * (i + 1) / n)) for i, name in enumerate(order)}


class PeacekeepingForce(Frozen):
    """A UN peacekeeping mission: strength over time, camps, and an optional withdrawal plan."""

    name: Name = "MINUSMA"
    host: CountryCode = "ML"
    strength: tuple[StrengthPoint, ...] = Field(..., min_length=1)
    camps: tuple[Camp, ...] = Field(..., min_length=1)
    withdrawal: Withdrawal | None = None

    @model_validator(mode="after")
    def _check(self) -> PeacekeepingForce:
        _check_sorted(self.strength, "strength")
        names = [c.name for c in self.camps]
        _check_unique(names, "camps")
        deploy = self.strength[0].date
        if self.withdrawal is None:
            return self
        w = self.withdrawal
        if w.order is not None:
            missing = sorted(set(names) - set(w.order))
            unknown = sorted(set(w.order) - set(names))
            if unknown:
                raise FieldError("withdrawal.order", f"unknown camp(s) {unknown}; camps are {names}")
            if missing or len(w.order) != len(set(w.order)):
                raise FieldError("withdrawal.order", f"must list every camp once; missing {missing}")
        if w.dates is not None:
            unknown = sorted(set(w.dates) - set(names))
            missing = sorted(set(names) - set(w.dates))
            if unknown:
                raise FieldError("withdrawal.dates", f"unknown camp(s) {unknown}; camps are {names}")
            if missing:
                raise FieldError("withdrawal.dates", f"no closing date for camp(s) {missing}")
        closing = w.closing_dates(self.camps)
        for camp in self.camps:
            opened = max(deploy, camp.opens or deploy)
            if closing[camp.name] <= opened:
                where = f"withdrawal.dates.{camp.name}" if w.dates is not None else "withdrawal.start"
                raise FieldError(
                    where,
                    f"camp {camp.name} would close on {closing[camp.name]}, before the force deploys "
                    f"or the camp opens ({opened})",
                )
        return self


class StateConfig(Frozen):
    """A country's state: legitimacy, capacity and national army."""

    country: CountryCode
    legitimacy: float = param(
        0.6, 0.0, 1.0, "dimensionless", "assumption", "Baseline legitimacy of the state (Epstein 2002 L)."
    )
    state_capacity: float = param(
        0.5, 0.0, 1.0, "dimensionless", "assumption", "Reach of the administration outside the army's posts."
    )
    army_strength: tuple[StrengthPoint, ...] = ()
    army_effectiveness: float = param(
        0.5,
        0.0,
        1.0,
        "dimensionless",
        "Bennett 2008 (effectiveness)",
        "Chance-scaled ability of the army to defeat fighters it engages.",
    )
    army_accuracy: float = param(
        0.6,
        0.0,
        1.0,
        "dimensionless",
        "Bennett 2008 (accuracy)",
        "Ability of the army to avoid harming civilians when it fights.",
    )

    @model_validator(mode="after")
    def _check(self) -> StateConfig:
        _check_sorted(self.army_strength, "army_strength")
        return self


class PartnerForce(Frozen):
    """A foreign force fighting alongside a national army (Serval, Barkhane, Takuba, a Russian PMC)."""

    name: Name
    country: CountryCode = "ML"
    arrive: Date
    depart: Date | None = None
    strength: tuple[StrengthPoint, ...] = Field(..., min_length=1)
    bases: tuple[Location, ...] = Field(..., min_length=1)
    effectiveness: float = param(
        0.7, 0.0, 1.0, "dimensionless", "Bennett 2008 (effectiveness)", "Ability to defeat fighters it engages."
    )
    accuracy: float = param(
        0.8, 0.0, 1.0, "dimensionless", "Bennett 2008 (accuracy)", "Ability to avoid harming civilians when it fights."
    )
    abuse: float = param(
        1.0,
        0.0,
        10.0,
        "multiplier",
        "assumption (Moura 2022, UN human rights office)",
        "Multiplier on the legitimacy lost per civilian it kills.",
    )

    @model_validator(mode="after")
    def _check(self) -> PartnerForce:
        if self.depart is not None and self.depart <= self.arrive:
            raise FieldError("depart", f"departs ({self.depart}) before it arrives ({self.arrive})")
        _check_sorted(self.strength, "strength")
        return self


class DiplomaticPost(Frozen):
    """An embassy or delegation and the countries it covers.

    A post has no tolerance of its own: how much threat it accepts follows from characteristics shared
    by all posts (its kind, whether its sending country has troops in the mission; see
    ``mechanisms.diplomacy``), so no post can be tuned to close.
    """

    name: Name
    sending_country: Name
    sending_code: CountryCode | None = Field(
        None, description="ISO 3166 alpha-2 code of the sending country ('EU' for the Union); matches hostility"
    )
    kind: Literal["embassy", "delegation"] = "embassy"
    lat: Latitude
    lon: Longitude
    covers: tuple[CountryCode, ...] = Field(..., min_length=1)
    troop_contributor: bool = Field(False, description="whether the sending country has troops in the mission")
    opens: Date | None = None
    source: str = ""


#: Data sets of real posts shipped with the package (data/posts/<name>.csv; see its SOURCES.md).
PostDataSet = Literal["posts_2022"]


class PostsConfig(Frozen):
    """Which posts a run has: a shipped data set, plus posts added or removed by name.

    A list in a scenario file (``posts: [...]``) is read as ``{add: [...]}`` with no data set.
    """

    dataset: PostDataSet | None = Field(None, description="shipped data set of real posts (none: only 'add')")
    add: tuple[DiplomaticPost, ...] = ()
    remove: tuple[Name, ...] = ()

    @model_validator(mode="before")
    @classmethod
    def _from_list(cls, data):
        if isinstance(data, list | tuple):
            return {"add": data}
        return data


class HostilityAct(Frozen):
    """A host government's act against one sending country's posts (an input; its effect fades).

    E.g. Mali expelled the French ambassador on 31 January 2022 (AFP).
    """

    date: Date
    host: CountryCode
    sending_code: CountryCode
    kind: Literal["expulsion", "recall", "closure_order", "other"] = "expulsion"
    label: str = ""


class LegitimacyShock(Frozen):
    """A sudden change in a state's legitimacy: a coup, a massacre, an accord or its end."""

    date: Date
    country: CountryCode
    size: float = Field(..., ge=-1.0, le=1.0, description="change in legitimacy (negative: a loss)")
    kind: Literal["coup", "massacre", "accord", "other"] = "other"
    label: str = ""


class MapConfig(Frozen):
    """The grid of the real region."""

    # typing.Literal takes no floats (PEP 586); pydantic validates these exactly.
    resolution: Literal[0.5, 0.25, 0.125] = Field(  # type: ignore[valid-type]
        0.5, description="degrees per cell; 0.5 keeps a 14-year run in seconds (see README)"
    )


class Scenario(Frozen):
    """A complete, validated scenario: the only input the model needs besides a seed."""

    name: ScenarioName = Field(..., description="letters, digits, '_', '.', '-'; names the results folder")
    description: str = ""
    seed: int = Field(0, ge=0, le=2**63 - 1)
    start: Date
    end: Date
    spin_up_from: Date | None = Field(
        None,
        description="simulate this same scenario from this date and report from 'start': the weeks before "
        "'start' are its history (their state is carried over, their events and rows are not reported); "
        "'start' must be a whole number of weeks after it",
    )
    map: MapConfig = MapConfig()
    peacekeepers: PeacekeepingForce | None = None
    states: tuple[StateConfig, ...] = ()
    default_state: StateConfig = StateConfig(country="XX", legitimacy=0.7, state_capacity=0.6)
    partners: tuple[PartnerForce, ...] = ()
    factions: tuple[Faction, ...] = ()
    posts: PostsConfig = PostsConfig()
    shocks: tuple[LegitimacyShock, ...] = ()
    hostility: tuple[HostilityAct, ...] = ()
    accords: tuple[Accord, ...] = ()
    initial_displacement: Literal["none", "registered"] = Field(
        "none",
        description="'registered': start with each country's registered internally displaced people "
        "(displacement_points.csv, latest point on or before the start), placed where the insecurity is",
    )
    mechanisms: Mechanisms = Mechanisms()

    @model_validator(mode="after")
    def _check(self) -> Scenario:
        if self.end <= self.start:
            raise FieldError("end", f"end ({self.end}) is not after start ({self.start})")
        self._check_spin_up()
        _check_unique([s.country for s in self.states], "states")
        _check_unique([p.name for p in self.partners], "partners")
        _check_unique([f.name for f in self.factions], "factions")
        _check_factions([f.name for f in self.factions])
        self._check_posts()
        names = {f.name for f in self.factions}
        for i, faction in enumerate(self.factions):
            for j, rival in enumerate(faction.rivals):
                if rival.name not in names or rival.name == faction.name:
                    raise FieldError(f"factions.{i}.rivals.{j}", f"unknown rival faction {rival.name!r}")
            self._check_part_of(i, faction, names)
        _check_unique([a.name for a in self.accords], "accords")
        for i, accord in enumerate(self.accords):
            for j, party in enumerate(accord.factions):
                if party not in names:
                    raise FieldError(f"accords.{i}.factions.{j}", f"unknown faction {party!r}")
        return self

    def _check_spin_up(self) -> None:
        begin = self.spin_up_from
        if begin is None:
            return
        if begin >= self.start:
            raise FieldError("spin_up_from", f"spin_up_from ({begin}) is not before start ({self.start})")
        days = (self.start - begin).days
        if days % 7:
            earlier = self.start - dt.timedelta(days=days % 7)
            raise FieldError(
                "spin_up_from",
                f"start ({self.start}) is {days // 7} weeks and {days % 7} days after spin_up_from ({begin}): the "
                f"history's weeks must end on start; use start {earlier} or {earlier + dt.timedelta(weeks=1)}",
            )

    def history(self) -> Scenario | None:
        """The spin-up: this scenario from ``spin_up_from`` to ``start`` (None without one).

        Simulated first, its final state is where the scenario's own weeks begin
        (:mod:`sahel_sim.model.spin_up`).
        """
        if self.spin_up_from is None:
            return None
        return self.model_copy(update={"start": self.spin_up_from, "end": self.start, "spin_up_from": None})

    def _check_part_of(self, i: int, faction: Faction, names: set[str]) -> None:
        part = faction.part_of
        if part is None:
            return
        where = f"factions.{i}.part_of"
        if part.name not in names or part.name == faction.name:
            raise FieldError(where, f"unknown faction {part.name!r}")
        parent = next(f for f in self.factions if f.name == part.name)
        if parent.part_of is not None:
            raise FieldError(where, f"{part.name!r} is itself part of {parent.part_of.name!r} (one level only)")
        if any(r.name == part.name for r in faction.rivals) or any(r.name == faction.name for r in parent.rivals):
            raise FieldError(where, f"{faction.name!r} cannot be part of its rival {part.name!r}")

    def _check_posts(self) -> None:
        from sahel_sim.scenario.post_data import PostDataError, load_dataset

        try:
            base = load_dataset(self.posts.dataset) if self.posts.dataset else ()
        except PostDataError as exc:
            raise FieldError("posts.dataset", str(exc)) from None
        names = [p.name for p in base]
        for i, name in enumerate(self.posts.remove):
            if name not in names:
                raise FieldError(f"posts.remove.{i}", f"no post {name!r} in data set {self.posts.dataset!r}")
        kept = [n for n in names if n not in self.posts.remove]
        _check_unique(kept + [p.name for p in self.posts.add], "posts.add")

    def post_list(self) -> tuple[DiplomaticPost, ...]:
        """The run's posts: the data set's, less those removed, plus those added."""
        from sahel_sim.scenario.post_data import load_dataset

        base = load_dataset(self.posts.dataset) if self.posts.dataset else ()
        return tuple(p for p in base if p.name not in self.posts.remove) + self.posts.add

    @property
    def weeks(self) -> int:
        """Number of weekly steps from start to end (the end week included if partial)."""
        return -(-(self.end - self.start).days // 7)
