"""Value types and cross-field checks shared by the scenario schema (units in each type's description)."""

from __future__ import annotations

import datetime as dt
import re
from typing import TYPE_CHECKING, Annotated

from pydantic import Field, StringConstraints

from sahel_sim.scenario.parameters import Frozen

if TYPE_CHECKING:
    from sahel_sim.scenario.schema import StrengthPoint

#: Bounding box of the map, degrees (8°N–26°N, 18°W–25°E; see docs and data/geography/SOURCES.md).
LAT_RANGE = (8.0, 26.0)
LON_RANGE = (-18.0, 25.0)

Name = Annotated[str, StringConstraints(min_length=1, max_length=80, strip_whitespace=True)]
ScenarioName = Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,79}$")]
CountryCode = Annotated[str, StringConstraints(pattern=r"^[A-Z]{2}$")]
Latitude = Annotated[float, Field(ge=LAT_RANGE[0], le=LAT_RANGE[1], description="degrees north")]
Longitude = Annotated[float, Field(ge=LON_RANGE[0], le=LON_RANGE[1], description="degrees east")]
Personnel = Annotated[int, Field(ge=0, le=1_000_000, description="personnel")]
Share = Annotated[float, Field(ge=0.0, le=1.0)]
#: Any date in a scenario: 1900-2200 keeps every date the model computes (a withdrawal of up to 20
#: years, a run's last week) representable.
Date = Annotated[dt.date, Field(ge=dt.date(1900, 1, 1), le=dt.date(2200, 12, 31))]


class FieldError(ValueError):
    """A cross-field check that failed, naming the field (dotted, relative) it is about."""

    def __init__(self, field: str, message: str):
        super().__init__(message)
        self.field = field


def _check_sorted(points: tuple[StrengthPoint, ...], field: str) -> None:
    dates = [p.date for p in points]
    if dates != sorted(dates) or len(set(dates)) != len(dates):
        raise FieldError(field, "strength points must have increasing dates")


#: Most factions a scenario may have: control labels are int8 (0 = state, f + 1 = faction f).
MAX_FACTIONS = 127


def slug(name: str) -> str:
    """Column-safe lower-case version of a faction name (the metric columns ``control_share_<slug>``)."""
    return re.sub(r"[^a-z0-9]+", "_", name.lower()).strip("_")


def _check_factions(names: list[str]) -> None:
    """Refuse more factions than the types hold, and names whose metric columns would be empty or clash."""
    if len(names) > MAX_FACTIONS:
        raise FieldError(
            "factions", f"{len(names)} factions; at most {MAX_FACTIONS} are supported (control labels are int8)"
        )
    seen: dict[str, str] = {}
    for i, name in enumerate(names):
        key = slug(name)
        if not key:
            raise FieldError(
                f"factions.{i}.name",
                f"faction name {name!r} has no Latin letter or digit, so its metric column "
                "control_share_<name> would be empty; add some (e.g. a transliteration)",
            )
        if key in seen and seen[key] != name:
            raise FieldError(
                f"factions.{i}.name",
                f"factions {seen[key]!r} and {name!r} would both write the metric column "
                f"control_share_{key}; rename one",
            )
        seen[key] = name


def _check_unique(names: list[str], field: str) -> None:
    seen = set()
    for name in names:
        if name in seen:
            raise FieldError(field, f"duplicate entry {name!r}")
        seen.add(name)


def check_not_ignored(model: Frozen, rules: tuple[tuple[str, tuple[str, ...], str], ...]) -> None:
    """Refuse a field that cannot take effect because another field decides instead.

    A value that the resolved scenario would silently ignore (e.g. a withdrawal ``start`` when camps
    close on ``dates``) is an error, so that an override never runs without effect.

    Args:
        model: The validated section.
        rules: ``(deciding field, fields it makes ignored, why)``; a rule applies when the deciding
            field is not None.

    Raises:
        FieldError: Naming the first ignored field that is set.
    """
    for decider, ignored, why in rules:
        if getattr(model, decider) is None:
            continue
        for name in ignored:
            if getattr(model, name) is not None:
                raise FieldError(
                    name,
                    f"'{name}' cannot take effect: {why} (set '{decider}' to null to use '{name}' instead)",
                )
