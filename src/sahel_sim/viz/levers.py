"""Sliders of the browser view, generated from the scenario schema.

Every lever reads its bounds from the schema (:mod:`sahel_sim.scenario.schema`, :mod:`sahel_sim.scenario.parameters`)
and its starting value from the scenario the page opened with, and turns a slider value into dotted
overrides for :func:`sahel_sim.scenario.loading.with_overrides`. No default is written twice.

A lever left at its starting value adds no override, so after picking another scenario file the
untouched sliders keep that file's own values.
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass
from pathlib import Path
from typing import Any, cast

from pydantic import BaseModel

from sahel_sim.scenario.loading import ScenarioError, with_overrides
from sahel_sim.scenario.parameters import Mechanisms, bounds, iter_parameters
from sahel_sim.scenario.schema import PeacekeepingForce, Scenario, StateConfig, StrengthPoint, Withdrawal

MAX_STEP_DECIMALS = 6  # finest slider step 1e-6 (the browser's slider writes finer steps as 1e-7 and rounds wrongly)
STRENGTH_SLIDER_CAP = 4.0  # peacekeeper slider ends at this multiple of the scenario's strength
MECHANISM_LEVERS = (
    "mechanisms.insurgency.recruit_rate",
    "mechanisms.insurgency.attack_rate",
    "mechanisms.peacekeeping.protection_radius_km",
)
_MECHANISMS = dict(iter_parameters(Mechanisms, "mechanisms."))


@dataclass(frozen=True)
class Lever:
    """One slider: its keyword in :class:`~sahel_sim.viz.adapter.VizModel`, label and range.

    Attributes:
        name: Keyword argument of the model adapter.
        label: Text beside the slider.
        unit: Unit of the value (from the schema where it records one).
        lo: Lowest slider value.
        hi: Highest slider value.
        integer: Whether the slider moves in whole numbers.
    """

    name: str
    label: str
    unit: str
    lo: float
    hi: float
    integer: bool = False

    def step_for(self, value: float) -> float:
        """Slider step that lands exactly on ``value`` (whole numbers: 1).

        The step is a power of ten with as many decimals as the value needs (at most
        :data:`MAX_STEP_DECIMALS`), so the slider never rounds the scenario's own value away.
        """
        if self.integer:
            return 1
        decimals = MAX_STEP_DECIMALS
        for places in range(MAX_STEP_DECIMALS + 1):
            if math.isclose(round(value, places), value, rel_tol=1e-12, abs_tol=1e-15):
                decimals = places
                break
        return float(f"1e-{decimals}")

    def describe_value(self, value: float) -> str:
        """A value with its unit, e.g. ``0.01322 share/week`` or ``12,400 personnel``."""
        text = f"{round(value):,}" if self.integer else f"{value:.6g}"
        return text if self.unit == "dimensionless" else f"{text} {self.unit}"

    def check(self, value: Any) -> str | None:
        """Why ``value`` cannot be used for this lever, in plain words, or ``None`` if it can."""
        if value is None or isinstance(value, bool):
            return "enter a number"
        try:
            number = float(value)
        except (TypeError, ValueError):
            return "enter a number"
        if not math.isfinite(number):
            return "enter a finite number"
        if self.integer and number != int(number):
            return "enter a whole number"
        if not self.lo <= number <= self.hi:
            unit = "" if self.unit == "dimensionless" else f" ({self.unit})"
            lo, hi = (f"{round(b):,}" if self.integer else f"{b:.6g}" for b in (self.lo, self.hi))
            return f"must be between {lo} and {hi}{unit}"
        return None


def _field_bounds(owner: type[BaseModel], field: str) -> tuple[float, float]:
    return _finite(bounds(owner.model_fields[field]), f"{owner.__name__}.{field}")


def _finite(pair: tuple[float | None, float | None], label: str) -> tuple[float, float]:
    lo, hi = pair
    if lo is None or hi is None:
        raise ValueError(f"{label} has no bounds in the schema")
    return lo, hi


def _unit(info: Any) -> str:
    """The unit recorded on a schema field."""
    return info.json_schema_extra["unit"]


# ---------------------------------------------------------------------------- state of a scenario
def host_country(scenario: Scenario) -> str:
    """Country the peacekeeping force serves (Mali when the scenario has no force)."""
    return scenario.peacekeepers.host if scenario.peacekeepers else "ML"


def _host_state(scenario: Scenario) -> tuple[int, StateConfig] | None:
    code = host_country(scenario)
    for i, state in enumerate(scenario.states):
        if state.country == code:
            return i, state
    return None


def withdrawal_dates(scenario: Scenario) -> tuple[dt.date, int] | None:
    """The scenario's withdrawal as (start date, duration in weeks), or ``None`` without one.

    A plan given as closing dates per camp is read as the evenly spaced plan with the same first
    and last closing dates.
    """
    pk = scenario.peacekeepers
    if pk is None or pk.withdrawal is None:
        return None
    w = pk.withdrawal
    if w.dates is None:
        # Without dates the schema requires a start, and an end or a duration.
        w_start = cast(dt.date, w.start)
        end = w.end or w_start + dt.timedelta(weeks=cast(int, w.duration_weeks))
        return w_start, max(1, round((end - w_start).days / 7))
    closing = sorted(w.closing_dates(pk.camps).values())
    n = len(closing)
    span = (closing[-1] - closing[0]).days * n / (n - 1) if n > 1 else 7.0
    start = closing[-1] - dt.timedelta(days=round(span))
    return start, max(1, round((closing[-1] - start).days / 7))


def withdrawal_plan(scenario: Scenario) -> tuple[int, int]:
    """The withdrawal as slider values: (start, duration) in weeks, start counted from the scenario start.

    The start is clipped to ``[0, scenario.weeks]``; ``scenario.weeks`` stands for no withdrawal
    (duration then 52).
    """
    plan = withdrawal_dates(scenario)
    if plan is None:
        return scenario.weeks, 52
    start, duration = plan
    return min(max(0, (start - scenario.start).days // 7), scenario.weeks), duration


def _closing_order(pk: PeacekeepingForce) -> list[str]:
    if pk.withdrawal is None:
        return [c.name for c in pk.camps]
    closing = pk.withdrawal.closing_dates(pk.camps)
    return sorted(closing, key=lambda name: (closing[name], name))


# ---------------------------------------------------------------------------- the levers
def levers(scenario: Scenario) -> list[Lever]:
    """The sliders for a scenario, in display order, with bounds from the schema.

    Args:
        scenario: The scenario the page opens with (it fixes the date range of the start slider).
    """
    host = host_country(scenario)
    out = [
        Lever(
            "withdrawal_start",
            "Withdrawal start",
            f"weeks after {scenario.start}; {scenario.weeks} = none",
            0,
            scenario.weeks,
            integer=True,
        ),
        Lever(
            "withdrawal_weeks",
            "Withdrawal duration",
            "weeks",
            *_field_bounds(Withdrawal, "duration_weeks"),
            integer=True,
        ),
    ]
    lo, hi = _field_bounds(StrengthPoint, "personnel")
    current = peacekeeper_strength(scenario) or 10_000
    cap = min(hi, 1000 * math.ceil(STRENGTH_SLIDER_CAP * current / 1000))
    out.append(Lever("peacekeepers", "Peacekeepers", "personnel", lo, cap, integer=True))
    for field, label in (
        ("army_accuracy", f"{host} army accuracy"),
        ("army_effectiveness", f"{host} army effectiveness"),
        ("legitimacy", f"{host} state legitimacy"),
    ):
        unit = _unit(StateConfig.model_fields[field])
        out.append(Lever(field, label, unit, *_field_bounds(StateConfig, field)))
    for path in MECHANISM_LEVERS:
        info = _MECHANISMS[path]
        lo, hi = _finite(bounds(info), path)
        name = path.rsplit(".", 1)[-1]
        out.append(
            Lever(
                name,
                name.replace("_", " ").capitalize(),
                _unit(info),
                lo,
                hi,
                integer=isinstance(info.default, int),
            )
        )
    return out


LEVER_NAMES = (
    "withdrawal_start",
    "withdrawal_weeks",
    "peacekeepers",
    "army_accuracy",
    "army_effectiveness",
    "legitimacy",
    *(p.rsplit(".", 1)[-1] for p in MECHANISM_LEVERS),
)


def peacekeeper_strength(scenario: Scenario) -> int:
    """Personnel of the force's last strength point (0 without a force)."""
    pk = scenario.peacekeepers
    return pk.strength[-1].personnel if pk else 0


def lever_values(scenario: Scenario) -> dict[str, float]:
    """Each lever's value in a scenario (its starting slider position)."""
    start, duration = withdrawal_plan(scenario)
    state = _host_state(scenario)
    spec = state[1] if state else StateConfig(country=host_country(scenario))
    values: dict[str, float] = {
        "withdrawal_start": start,
        "withdrawal_weeks": duration,
        "peacekeepers": peacekeeper_strength(scenario),
        "army_accuracy": spec.army_accuracy,
        "army_effectiveness": spec.army_effectiveness,
        "legitimacy": spec.legitimacy,
    }
    for path in MECHANISM_LEVERS:
        node: Any = scenario
        for part in path.split("."):
            node = getattr(node, part)
        values[path.rsplit(".", 1)[-1]] = node
    return values


def describe(scenario: Scenario, lever_list: list[Lever]) -> list[tuple[str, str]]:
    """Each lever's value in a scenario as (label, text with unit), for display beside the map."""
    values = lever_values(scenario)
    plan = withdrawal_dates(scenario)
    out = []
    for lever in lever_list:
        value = values[lever.name]
        if lever.name == "withdrawal_start":
            text = "none" if plan is None else f"{plan[0]}"
        elif lever.name == "withdrawal_weeks":
            text = "-" if plan is None else f"{plan[1]} weeks"
        elif lever.integer:
            text = f"{round(value):,} {lever.unit}"
        else:
            text = f"{value:.4g}" + ("" if lever.unit == "dimensionless" else f" {lever.unit}")
        out.append((lever.label, text))
    return out


def _changed(values: dict[str, Any], initial: dict[str, Any], name: str) -> bool:
    value = values.get(name)
    if value is None:
        return False
    start = initial.get(name)
    return start is None or not math.isclose(float(value), float(start), rel_tol=1e-9, abs_tol=1e-12)


def lever_overrides(scenario: Scenario, values: dict[str, Any], initial: dict[str, Any]) -> list[tuple[str, Any]]:
    """Dotted overrides for the levers that moved away from their starting values.

    Args:
        scenario: The scenario the overrides apply to.
        values: Slider values by lever name (``None`` means "leave the scenario's value").
        initial: Starting slider values; a lever at its starting value adds nothing.

    Returns:
        ``(dotted_path, value)`` pairs for :func:`~sahel_sim.scenario.loading.with_overrides`.

    Raises:
        ScenarioError: If a moved lever has nothing to act on (no force, no state of the host).
    """
    out: list[tuple[str, Any]] = []
    moved = {name for name in LEVER_NAMES if _changed(values, initial, name)}
    pk = scenario.peacekeepers
    if moved & {"withdrawal_start", "withdrawal_weeks", "peacekeepers"} and pk is None:
        raise ScenarioError("slider", None, "peacekeepers", "this scenario has no peacekeeping force")
    if moved & {"withdrawal_start", "withdrawal_weeks"} and pk is not None:
        start, duration = withdrawal_plan(scenario)
        start = int(values["withdrawal_start"]) if "withdrawal_start" in moved else start
        duration = int(values["withdrawal_weeks"]) if "withdrawal_weeks" in moved else duration
        if start >= scenario.weeks:
            out.append(("peacekeepers.withdrawal", None))
        else:
            out.append(
                (
                    "peacekeepers.withdrawal",
                    {
                        "start": scenario.start + dt.timedelta(weeks=start),
                        "end": None,
                        "duration_weeks": duration,
                        "order": _closing_order(pk),
                        "dates": None,
                    },
                )
            )
    if "peacekeepers" in moved and pk is not None:
        target = int(values["peacekeepers"])
        current = peacekeeper_strength(scenario)
        for i, point in enumerate(pk.strength):
            scaled = target if current == 0 else round(point.personnel * target / current)
            out.append((f"peacekeepers.strength.{i}.personnel", scaled))
    state_moved = moved & {"army_accuracy", "army_effectiveness", "legitimacy"}
    if state_moved:
        found = _host_state(scenario)
        if found is None:
            raise ScenarioError("slider", None, "states", f"this scenario has no state {host_country(scenario)}")
        for name in sorted(state_moved):
            out.append((f"states.{found[0]}.{name}", float(values[name])))
    for path in MECHANISM_LEVERS:
        name = path.rsplit(".", 1)[-1]
        if name in moved:
            default = _MECHANISMS[path].default
            out.append((path, int(values[name]) if isinstance(default, int) else float(values[name])))
    return out


def checked_overrides(
    scenario: Scenario, values: dict[str, Any], initial: dict[str, Any]
) -> tuple[list[tuple[str, Any]], dict[str, str]]:
    """The overrides of every usable moved lever, and why each unusable one was left out.

    Each moved lever is checked alone (its range, then the schema with its overrides applied), so
    one bad value leaves the others working.

    Args:
        scenario: The scenario the overrides apply to.
        values: Lever values by name (``None``: the scenario's value).
        initial: The scenario's own lever values; a lever equal to its own adds nothing.

    Returns:
        ``(overrides, errors)``: dotted overrides of the usable levers (in lever order) and a plain
        message per refused lever name (``"levers"`` if they fail only together).
    """
    by_name = {lever.name: lever for lever in levers(scenario)}
    errors: dict[str, str] = {}
    usable: dict[str, Any] = {}
    for name in LEVER_NAMES:
        value = values.get(name)
        if value is None:
            continue
        problem = by_name[name].check(value)
        if problem is None and not _changed(values, initial, name):
            continue
        if problem is None:
            try:
                with_overrides(scenario, lever_overrides(scenario, {name: value}, initial))
            except ScenarioError as exc:
                problem = exc.message
        if problem:
            errors[name] = problem
        else:
            usable[name] = value
    overrides = lever_overrides(scenario, usable, initial)
    if overrides:
        try:
            with_overrides(scenario, overrides)
        except ScenarioError as exc:  # levers fine alone but not together
            errors["levers"] = f"these values do not work together: {exc.message}"
            overrides = []
    return overrides, errors


# ---------------------------------------------------------------------------- scenario files
def list_scenarios(root: str | Path) -> list[str]:
    """Names of the scenario files directly in ``root`` (``*.yaml``, ``*.yml``), sorted."""
    folder = Path(root)
    if not folder.is_dir():
        return []
    return sorted(
        p.name for p in folder.iterdir() if p.suffix in (".yaml", ".yml") and p.is_file() and not p.name.startswith(".")
    )


def resolve_scenario(root: str | Path, name: str) -> Path:
    """The file of a scenario picked on the page, refusing anything outside ``root``.

    Args:
        root: The folder the page may read (``scenarios/`` or a run's results folder).
        name: A file name listed by :func:`list_scenarios`.

    Raises:
        ScenarioError: If ``name`` is not one of the listed files of ``root``.
    """
    folder = Path(root).resolve()
    if name not in list_scenarios(folder):
        raise ScenarioError(Path(str(name)).name, None, None, "not one of the scenario files offered")
    path = (folder / name).resolve()
    if not path.is_relative_to(folder):  # a symbolic link pointing elsewhere
        raise ScenarioError(str(name), None, None, "resolves outside the scenario folder")
    return path
