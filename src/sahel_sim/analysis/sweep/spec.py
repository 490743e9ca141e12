"""The sweep file: its schema, and the errors that point at the line that caused them.

A sweep file is safe-loaded YAML with the top-level keys ``base`` (scenario file, relative to the
sweep file), ``set`` (dotted overrides for every run), ``vary`` (dotted path to a list of values, or
to a range ``{low, high}`` for sampled designs), ``design``, ``samples``, ``replicates`` and
``seed`` (the root seed). Design points are built by :mod:`sahel_sim.analysis.sweep.designs` and resolved
against the scenario schema by :mod:`sahel_sim.analysis.sweep.plan`.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from pathlib import Path
from typing import Any, Literal, cast

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from sahel_sim.scenario.kinds import expect_kind
from sahel_sim.scenario.loading import Located, ScenarioError, read_yaml

Design = Literal["grid", "list", "lhs", "sobol", "morris"]
SAMPLED = ("lhs", "sobol", "morris")
#: Columns of the runs table that a varied parameter may not be named like.
RESERVED = ("seed",)


class Range(BaseModel):
    """A continuous range for a sampled design; numbers or dates, ``low < high``."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    low: int | float | dt.date
    high: int | float | dt.date

    @model_validator(mode="after")
    def _check(self) -> Range:
        dates = [isinstance(v, dt.date) for v in (self.low, self.high)]
        if any(dates) and not all(dates):
            raise ValueError("give both low and high as dates, or both as numbers")
        if not cast(Any, self.low) < self.high:  # both dates or both numbers (checked above)
            raise ValueError(f"low ({self.low}) must be below high ({self.high})")
        return self


class SweepSpec(BaseModel):
    """A validated sweep file (values as written; design points are built elsewhere)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    name: str | None = Field(None, min_length=1, max_length=80)
    description: str = ""
    base: str = Field(..., min_length=1, description="scenario file, relative to the sweep file")
    set: dict[str, Any] = Field(default_factory=dict, description="dotted overrides for every run")
    vary: dict[str, list[Any] | Range] = Field(..., min_length=1)
    design: Design = "grid"
    samples: int | None = Field(None, ge=1, le=1_000_000, description="base sample size N")
    replicates: int = Field(1, ge=1, le=100_000, description="runs per design point")
    seed: int = Field(0, ge=0, le=2**63 - 1, description="root seed of every run's seed")
    second_order: bool = Field(False, description="sobol: also estimate second-order indices")
    levels: int = Field(4, ge=2, le=100, description="morris: grid levels per parameter")
    reference: dict[str, Any] | None = Field(
        None, description="grid/list: the design point (varied path to value) that report compares every point with"
    )

    def ranges(self) -> dict[str, Range]:
        """``vary`` of a sampled design, where every entry is a range (checked on loading)."""
        return {key: value for key, value in self.vary.items() if isinstance(value, Range)}

    def lists(self) -> dict[str, list[Any]]:
        """``vary`` of a grid or list design, where every entry is a list of values (checked on loading)."""
        return {key: value for key, value in self.vary.items() if isinstance(value, list)}


def load_spec(path: Path) -> tuple[SweepSpec, Located]:
    """Read and validate a sweep file's structure.

    Args:
        path: The sweep YAML file.

    Returns:
        The spec and the file's line table (dotted path tuple to (file, line)).

    Raises:
        ScenarioError: Naming file, line and key of the first problem.
    """
    doc = read_yaml(path)
    expect_kind(doc, str(path), "sweep")
    try:
        spec = SweepSpec.model_validate(doc.data)
    except ValidationError as exc:
        raise _translate(exc.errors(include_url=False)[0], doc, str(path)) from None
    check_design(spec, doc, str(path))
    return spec, doc


def _translate(err: Mapping[str, Any], doc: Located, file: str) -> ScenarioError:
    """One pydantic error as a ScenarioError; union branch names are dropped from the location."""
    loc = tuple(p for p in err["loc"] if p not in ("list[any]", "Range"))
    message = err["msg"].removeprefix("Value error, ")
    if err["type"] == "extra_forbidden":
        allowed = SweepSpec.model_fields if len(loc) == 1 else Range.model_fields
        message = f"unknown key {loc[-1]!r}; expected one of {sorted(allowed)}"
    elif err["type"] != "missing" and not isinstance(err.get("input"), dict | list):
        message += f" (got {err.get('input')!r})"
    if loc[:1] == ("vary",) and len(loc) >= 2 and err["type"] in ("list_type", "model_type"):
        message = "expected a list of values or a range {low, high}"
    return error_at(doc, file, loc, message)


def error_at(doc: Located, file: str, loc: tuple, message: str, field: str | None = None) -> ScenarioError:
    """A ScenarioError at the line of ``loc`` (or its nearest written parent) in the sweep file.

    Args:
        doc: The sweep file as read.
        file: Its name, as the user gave it.
        loc: Path of keys inside the sweep file, e.g. ``("vary", "a.b", 2)``.
        message: What is wrong.
        field: Dotted field to report; default ``loc`` joined by dots.

    Returns:
        The error, ready to raise.
    """
    line = None
    for n in range(len(loc), -1, -1):
        if loc[:n] in doc.lines:
            line = doc.lines[loc[:n]][1]
            break
    dotted = field if field is not None else ".".join(str(p) for p in loc) or None
    return ScenarioError(file, line, dotted, message)


def check_design(spec: SweepSpec, doc: Located, file: str) -> None:
    """Check that ``vary``, ``design`` and ``samples`` fit together.

    Raises:
        ScenarioError: At the line of the offending key.
    """
    check_size(spec, doc, file)
    for key, values in spec.vary.items():
        where = ("vary", key)
        if not key or any(not p for p in key.split(".")):
            raise error_at(doc, file, where, "empty part in dotted path", key)
        if key in RESERVED:
            raise error_at(
                doc,
                file,
                where,
                "the run seed comes from the sweep's root 'seed' and "
                "the replicate; use 'replicates' instead of varying it",
                key,
            )
        if spec.design in SAMPLED and not isinstance(values, Range):
            raise error_at(
                doc, file, where, f"design {spec.design!r} samples from a range: give {{low: ..., high: ...}}", key
            )
        if spec.design not in SAMPLED:
            if isinstance(values, Range):
                raise error_at(
                    doc,
                    file,
                    where,
                    f"design {spec.design!r} needs a list of values (ranges are for lhs, sobol and morris)",
                    key,
                )
            if not values:
                raise error_at(doc, file, where, "needs at least one value", key)
            hashable: set = set()
            unhashable: list = []
            for i, value in enumerate(values):
                try:
                    duplicate = value in hashable
                    hashable.add(value)
                except TypeError:  # dicts and lists: compared one by one (few in practice)
                    duplicate = value in unhashable
                    unhashable.append(value)
                if duplicate:
                    raise error_at(doc, file, (*where, i), f"duplicate value {value!r}", key)
    if spec.design == "list":
        lengths = {key: len(v) for key, v in spec.lists().items()}
        if len(set(lengths.values())) > 1:
            raise error_at(
                doc,
                file,
                ("vary",),
                f"design 'list' pairs values by position, so every list needs the same length (got {lengths})",
                "vary",
            )
    if spec.reference is not None:
        if spec.design in SAMPLED:
            raise error_at(
                doc, file, ("reference",), "a reference point needs paired seeds: design grid or list", "reference"
            )
        if set(spec.reference) != set(spec.vary):
            raise error_at(
                doc, file, ("reference",), f"name a value for each varied path {sorted(spec.vary)}", "reference"
            )
    if spec.design in SAMPLED:
        if spec.samples is None:
            raise error_at(doc, file, ("design",), f"design {spec.design!r} needs 'samples'", "samples")
        if spec.design == "sobol" and spec.samples & (spec.samples - 1):
            raise error_at(doc, file, ("samples",), f"sobol needs a power of two (got {spec.samples})", "samples")
        if spec.design in ("sobol", "morris") and len(spec.vary) < 2:
            raise error_at(doc, file, ("vary",), f"{spec.design} needs at least two parameters", "vary")
    elif spec.samples is not None:
        raise _samples_not_allowed(spec, doc, file)


def check_size(spec: SweepSpec, doc: Located, file: str) -> None:
    """Refuse a design whose size exceeds the limits, from arithmetic alone (before any allocation).

    Raises:
        ScenarioError: Naming the number of points or runs and the limit.
    """
    from sahel_sim.analysis.sweep.designs import MAX_POINTS, MAX_RUNS, design_size

    points = design_size(spec)
    where = ("samples",) if spec.design in SAMPLED else ("vary",)
    if points > MAX_POINTS:
        raise error_at(
            doc,
            file,
            where,
            f"the {spec.design} design has {points:,} points; at most {MAX_POINTS:,} are allowed "
            "(split the sweep, or use a sampled design with fewer samples)",
            ".".join(where),
        )
    runs = points * spec.replicates
    if runs > MAX_RUNS:
        raise error_at(
            doc,
            file,
            ("replicates",),
            f"{points:,} points x {spec.replicates:,} replicates = {runs:,} runs; at most {MAX_RUNS:,} are allowed",
            "replicates",
        )


def _samples_not_allowed(spec: SweepSpec, doc: Located, file: str) -> ScenarioError:
    return error_at(
        doc,
        file,
        ("samples",),
        f"design {spec.design!r} takes its points from the "
        "lists in 'vary'; 'samples' is only for lhs, sobol and morris",
        "samples",
    )
