"""A sweep resolved against the scenario schema: every design point validated before anything runs.

:func:`load_plan` reads the sweep file, loads the base scenario, builds the design points and
validates each point's scenario (``set`` then ``vary`` overrides). Any problem raises a
:class:`~sahel_sim.scenario.loading.ScenarioError` naming the sweep file, the line and the dotted field,
before a single file is written.
"""

from __future__ import annotations

import copy
import hashlib
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any

from sahel_sim.analysis.sweep import designs
from sahel_sim.analysis.sweep.seeds import canonical_json, point_key, run_id, run_seed
from sahel_sim.analysis.sweep.spec import SAMPLED, SweepSpec, error_at, load_spec
from sahel_sim.analysis.sweep.tables import param_column
from sahel_sim.scenario.errors import file_suggestion
from sahel_sim.scenario.loading import (
    ScenarioError,
    apply_override,
    load_scenario,
    scenario_hash,
    scenario_to_data,
    validate,
)
from sahel_sim.scenario.posterior import Posterior
from sahel_sim.scenario.schema import Scenario
from sahel_sim.scenario.yaml_source import is_missing


@dataclass(frozen=True)
class Point:
    """One design point.

    Attributes:
        index: Row in the design, from 0 (the order SALib expects).
        values: Varied dotted path to value.
        key: Seed key of the point (see :func:`sahel_sim.analysis.sweep.seeds.point_key`).
        scenario_hash: Hash of the point's resolved scenario.
        raw: Raw design-matrix row for sampled designs (dates as days after ``low``), else empty.
    """

    index: int
    values: dict[str, Any]
    key: int
    scenario_hash: str
    raw: tuple[float, ...] = ()

    @property
    def point_id(self) -> str:
        """Short id of the resolved scenario (16 hex digits), also the name of its YAML file."""
        return self.scenario_hash[:16]


@dataclass(frozen=True)
class RunSpec:
    """One run to do: a design point, a replicate and the seed derived for them."""

    run_id: str
    point: Point
    replicate: int
    seed: int


@dataclass
class SweepPlan:
    """A validated sweep: base scenario, overrides, design points and the spec hash."""

    spec: SweepSpec
    spec_file: Path
    base: Scenario
    set_items: list[tuple[str, Any]]
    points: list[Point]
    spec_hash: str
    _base_data: dict = field(repr=False, default_factory=dict)
    reference: Point | None = None
    posterior: Posterior | None = None

    def scenario(self, point: Point) -> Scenario:
        """The resolved scenario of a design point (before any posterior draw)."""
        return _resolve(self._base_data, [*self.set_items, *point.values.items()])

    def run_scenario(self, run: RunSpec) -> Scenario:
        """The scenario a run simulates: its point's, with the parameter set its seed draws from the posterior."""
        scenario = self.scenario(run.point)
        return scenario if self.posterior is None else self.posterior.apply(scenario, run.seed)[0]

    def runs(self) -> Iterator[RunSpec]:
        """Every run, replicate by replicate (all points of replicate 0 first)."""
        for replicate in range(self.spec.replicates):
            for point in self.points:
                seed = run_seed(self.spec.seed, point.key, replicate)
                yield RunSpec(run_id(point.scenario_hash, seed), point, replicate, seed)

    @cached_property
    def columns(self) -> dict[str, tuple[Any, Any]]:
        """Arrow type and value converter of each varied parameter's column (design order)."""
        return {k: param_column([p.values[k] for p in self.points]) for k in self.spec.vary}

    @property
    def total_runs(self) -> int:
        """Number of runs in the sweep (points times replicates)."""
        return len(self.points) * self.spec.replicates


def load_plan(
    path: str | Path, overrides: Sequence[tuple[str, Any]] = (), posterior: Posterior | None = None
) -> SweepPlan:
    """Read a sweep file and validate every design point.

    Args:
        path: The sweep YAML file.
        overrides: Extra ``(dotted, value)`` overrides for every run (``--set`` on the command
            line), applied after the file's ``set``.
        posterior: Draw every run's parameters from this calibration posterior (``--posterior``);
            a parameter may not be both varied and in the posterior. Part of the spec hash.

    Returns:
        The plan.

    Raises:
        ScenarioError: On the first problem, naming file, line and field.
    """
    path = Path(path)
    spec, doc = load_spec(path)
    file = str(path)
    base_path = path.parent / spec.base
    if is_missing(base_path):
        where = f"not found (looked for {str(base_path)!r}){file_suggestion(base_path)}"
        raise error_at(doc, file, ("base",), f"base scenario {spec.base!r} {where}", "base")
    base = load_scenario(base_path)
    base_data = scenario_to_data(base)
    set_items = [*spec.set.items(), *overrides]

    def resolve(values: dict[str, Any], what: str) -> Scenario:
        try:
            return _resolve(base_data, [*set_items, *values.items()])
        except ScenarioError as exc:
            loc = _locate(exc.field, list(spec.set), list(values), [k for k, _ in overrides])
            if loc is None:
                raise ScenarioError("--set", None, exc.field, f"{exc.message} ({what})") from None
            listed = spec.vary.get(loc[-1]) if loc[0] == "vary" and len(loc) == 2 else None
            if isinstance(listed, list) and exc.file != "--set" and values.get(loc[-1], listed) in listed:
                item = listed.index(values[loc[-1]])  # a value at fault (not the path): its item, from 0
                loc, what = (*loc, item), f"vary.{loc[-1]} item {item}; {what}"
            raise error_at(doc, file, loc, f"{exc.message} ({what})", exc.field) from None

    kinds = _kinds(spec, base_data)
    if spec.design in SAMPLED:
        for end in ("low", "high"):
            resolve({k: getattr(r, end) for k, r in spec.vary.items()}, f"every range at its {end}")
    values, matrix = designs.points(spec, kinds)
    points = []
    for i, point_values in enumerate(values):
        scenario = resolve(point_values, f"design point {i}: {_show(point_values)}")
        raw = tuple(float(x) for x in matrix[i]) if matrix is not None else ()
        points.append(Point(i, point_values, point_key(spec.design, i, point_values), scenario_hash(scenario), raw))
    reference = _reference(spec, points, doc, file)
    if posterior is not None:
        both = sorted(set(spec.vary) & set(posterior.keys))
        if both:
            raise ScenarioError(
                str(posterior.path), None, both[0], "is both varied by the sweep and drawn from the posterior"
            )
        posterior.check(resolve(values[0], "design point 0"))
    spec_hash = _spec_hash(spec, set_items, points, posterior.sha256 if posterior is not None else None)
    return SweepPlan(spec, path, base, set_items, points, spec_hash, base_data, reference, posterior)


def _reference(spec: SweepSpec, points: list[Point], doc: Any, file: str) -> Point | None:
    """The design point named by ``reference`` (its values as written), if any."""
    if spec.reference is None:
        return None
    wanted = canonical_json(spec.reference)
    for point in points:
        if canonical_json(point.values) == wanted:
            return point
    raise error_at(doc, file, ("reference",), f"is not a design point: {_show(spec.reference)}", "reference")


def _resolve(base_data: dict, items: list[tuple[str, Any]]) -> Scenario:
    data = copy.deepcopy(base_data)
    for key, value in items:
        apply_override(data, key, value)
    return validate(data)


def _kinds(spec: SweepSpec, base_data: dict) -> dict[str, designs.Kind]:
    if spec.design not in SAMPLED:
        return {}
    return {key: designs.kind_of(rng, _value_at(base_data, key)) for key, rng in spec.ranges().items()}


def _value_at(data: Any, dotted: str) -> Any:
    for part in dotted.split("."):
        if isinstance(data, dict):
            data = data.get(part)
        elif isinstance(data, list) and part.isdigit() and int(part) < len(data):
            data = data[int(part)]
        else:
            return None
    return data


def _locate(error_field: str | None, set_keys: list[str], vary_keys: list[str], cli_keys: list[str]) -> tuple | None:
    """Where in the sweep file an error about ``error_field`` most likely comes from.

    A key is blamed if it is the field, lies above or below it, or (failing that) sits next to it
    under the same parent; varied keys first, then command-line overrides, then ``set``.

    Returns:
        A key path in the sweep file, or None when a command-line override is the likely cause.
    """
    if error_field is None:
        return ("vary",)
    parent = error_field.rpartition(".")[0]

    def close(key: str) -> bool:
        return error_field == key or error_field.startswith(key + ".") or key.startswith(error_field + ".")

    def sibling(key: str) -> bool:
        return bool(parent) and key.rpartition(".")[0] == parent

    for related in (close, sibling):
        for key in vary_keys:
            if related(key):
                return ("vary", key)
        if any(related(key) for key in cli_keys):
            return None
        for key in set_keys:
            if related(key):
                return ("set", key)
    return ("vary",)


def _show(values: dict[str, Any]) -> str:
    return ", ".join(f"{k}={v}" for k, v in values.items())


def _spec_hash(
    spec: SweepSpec, set_items: list[tuple[str, Any]], points: list[Point], posterior_sha256: str | None = None
) -> str:
    """Hash of everything that fixes what each run is; ``replicates`` may grow on resume.

    The ``reference`` point only changes what ``report`` compares with, not the runs. Without a
    posterior the hash is what it was before ``--posterior`` existed (old sweeps still resume).
    """
    content = {
        "spec": spec.model_dump(mode="json", exclude={"replicates", "name", "description", "base", "reference"}),
        "set": [[k, v] for k, v in set_items],
        "points": [p.scenario_hash for p in points],
        "keys": [p.key for p in points],
    }
    if posterior_sha256 is not None:
        content["posterior_sha256"] = posterior_sha256
    return hashlib.sha256(canonical_json(content).encode()).hexdigest()
