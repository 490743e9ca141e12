"""Read scenario files: safe YAML, ``extends``, dotted overrides, and errors that point at the line.

Every failure raises :class:`ScenarioError` carrying the file, the line where known, the dotted field
path and a one-line message; the command line prints it and exits with status 2.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import types
import typing
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel, ValidationError

from sahel_sim.scenario.errors import Path_, ScenarioError, _did_you_mean, _dotted
from sahel_sim.scenario.kinds import expect_kind
from sahel_sim.scenario.overrides import apply_override, parse_override
from sahel_sim.scenario.schema import FieldError, Scenario
from sahel_sim.scenario.yaml_source import Located, load_located, read_yaml

__all__ = [
    "Located",
    "ScenarioError",
    "apply_override",
    "load_scenario",
    "parse_override",
    "read_yaml",
    "with_overrides",
]


def validate(
    data: dict[str, Any], lines: dict[Path_, tuple[str, int]] | None = None, file: str | None = None
) -> Scenario:
    """Validate a mapping into a :class:`Scenario`, translating the first error for a person.

    Raises:
        ScenarioError: Naming the file, line and dotted field of the first problem.

    """
    try:
        return Scenario.model_validate(data)
    except ValidationError as exc:
        raise _translate(exc.errors(include_url=False)[0], lines or {}, file) from None


def _translate(err: Mapping[str, Any], lines: dict, file: str | None) -> ScenarioError:
    loc: Path_ = tuple(err["loc"])
    kind = err["type"]
    message = err["msg"]
    cause = (err.get("ctx") or {}).get("error")
    if isinstance(cause, FieldError):
        loc = loc + tuple(int(p) if p.isdigit() else p for p in cause.field.split("."))
        message = str(cause)
    elif kind == "value_error" and message.startswith("Value error, "):
        message = message.removeprefix("Value error, ")
    if kind == "extra_forbidden":
        allowed = _fields_at(loc[:-1])
        message = f"unknown key {loc[-1]!r}{_did_you_mean(str(loc[-1]), allowed)}"
    elif kind not in ("missing",) and "input" in err and not isinstance(err["input"], dict | list):
        message += f" (got {_shown(err['input'])})"
    where = _lookup_line(loc, lines)
    return ScenarioError(where[0] if where else file, where[1] if where else None, _dotted(loc), message)


def _shown(value: Any) -> str:
    """``repr`` of a bad value; an integer too long to print in decimal is described instead."""
    try:
        return repr(value)
    except ValueError:
        return f"an integer of {value.bit_length()} bits" if isinstance(value, int) else "an unprintable value"


def _lookup_line(loc: Path_, lines: dict) -> tuple[str, int] | None:
    for n in range(len(loc), -1, -1):
        if loc[:n] in lines:
            return lines[loc[:n]]
    return None


def _fields_at(loc: Path_) -> list[str]:
    """Names of the schema fields allowed at a path (for did-you-mean hints)."""
    model: Any = Scenario
    for part in loc:
        model = _unwrap(model)
        if isinstance(part, int):
            args = typing.get_args(model)
            model = args[0] if args else None
        elif isinstance(model, type) and issubclass(model, BaseModel) and part in model.model_fields:
            model = model.model_fields[part].annotation
        elif typing.get_origin(model) is dict:
            model = typing.get_args(model)[1]
        else:
            return []
    model = _unwrap(model)
    if isinstance(model, type) and issubclass(model, BaseModel):
        return [field.alias or name for name, field in model.model_fields.items()]
    return []


def _unwrap(tp: Any) -> Any:
    """Strip Optional / Annotated so the underlying model or container shows."""
    while True:
        origin = typing.get_origin(tp)
        if origin is typing.Annotated:
            tp = typing.get_args(tp)[0]
        elif origin in (typing.Union, types.UnionType):
            args = [a for a in typing.get_args(tp) if a is not type(None)]
            tp = args[0]
        else:
            return tp


def load_scenario(
    path: str | Path, overrides: typing.Iterable[str] = (), *, within: str | Path | None = None
) -> Scenario:
    """Load, merge, override and validate a scenario file.

    Args:
        path: The scenario YAML file.
        overrides: ``dotted.path=value`` strings, applied after loading and validated again.
        within: If given, a folder the file and every file it ``extends`` must be in.

    Returns:
        The validated, frozen scenario.

    Raises:
        ScenarioError: On any problem, naming file, line and field.

    """
    doc = load_located(Path(path), within=None if within is None else Path(within))
    expect_kind(doc, str(path), "scenario")
    scenario = validate(doc.data, doc.lines, str(path))
    overrides = list(overrides)
    if not overrides:
        return scenario
    return with_overrides(scenario, [parse_override(o) for o in overrides])


def with_overrides(scenario: Scenario, overrides: typing.Iterable[tuple[str, Any]], label: str = "--set") -> Scenario:
    """Return a copy of ``scenario`` with dotted-path overrides applied and validated again.

    Args:
        scenario: The scenario to change.
        overrides: Pairs of dotted path and value.
        label: Where the overrides came from, for error messages (e.g. ``--set``, ``--seed``).

    Raises:
        ScenarioError: If a path does not exist or the result is invalid.

    """
    data = scenario_to_data(scenario)
    keys = []
    for key, value in overrides:
        apply_override(data, key, value)
        keys.append(key)
    try:
        return Scenario.model_validate(data)
    except ValidationError as exc:
        err = _translate(exc.errors(include_url=False)[0], {}, label)
        if label == "--set":
            err.message += f" (after --set {', '.join(keys)})"
        raise err from None


def scenario_to_data(scenario: Scenario) -> dict[str, Any]:
    """Plain data (dicts, lists, dates, numbers) of a scenario, every default filled in."""
    return _listify(scenario.model_dump(mode="python"))


def _listify(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _listify(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_listify(v) for v in value]
    return value


def dump_scenario(scenario: Scenario) -> str:
    """Serialise a resolved scenario as YAML that loads back to an equal scenario."""
    header = "# Resolved scenario: defaults filled in, 'extends' and overrides applied.\n"
    return header + yaml.safe_dump(scenario_to_data(scenario), sort_keys=False, allow_unicode=True)


def scenario_hash(scenario: Scenario) -> str:
    """SHA-256 of the scenario's canonical JSON form (hex)."""
    canonical = json.dumps(scenario.model_dump(mode="json"), sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(canonical.encode()).hexdigest()


def parse_date(text: str, what: str) -> dt.date:
    """Read an ISO date given on the command line.

    Raises:
        ScenarioError: If it is not YYYY-MM-DD.

    """
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise ScenarioError(what, None, None, f"not a date (YYYY-MM-DD): {text!r}") from None
