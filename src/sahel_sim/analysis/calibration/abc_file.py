"""The ABC calibration file: base scenario, priors, the patterns to fit, and ABC-SMC's settings.

An ABC calibration file is a calibration file (``base`` and ``target``) with ``priors`` instead of
``vary`` and an ``abc`` block instead of a sweep design::

    base: ../historical.yaml
    set: {end: 2019-12-31}                 # overrides for every run
    priors:                                # dotted scenario path: uniform prior on [low, high]
      mechanisms.insurgency.recruit_rate: {low: 0.003, high: 0.05, scale: log}   # uniform in log10
    target:
      years: [2012, 2019]                  # calibration years only; later years stay out of sample
      countries: [ML, BF, NE, MR, TD]      # yearly deaths, one pattern per country
      displacement: [ML, BF]               # registered internally displaced, dated points in the years
      displacement_weight: 1.0
    abc:
      population: 100                      # parameter sets per generation (the posterior's size)
      generations: 5                       # generations after the prior's (more with --resume)
      min_acceptance_rate: 0.02            # stop when fewer particles are accepted
      kernel_scaling: 1.0                  # factor on the perturbation kernel's bandwidth
      max_minutes: 60                      # stop after this wall-clock time
      seed: 2012
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from sahel_sim.analysis.sweep.spec import error_at
from sahel_sim.scenario.kinds import expect_kind
from sahel_sim.scenario.loading import (
    Located,
    ScenarioError,
    load_scenario,
    read_yaml,
    scenario_to_data,
    validate,
    with_overrides,
)
from sahel_sim.scenario.overrides import apply_override
from sahel_sim.scenario.schema import Scenario

Country = Literal["ML", "BF", "NE", "MR", "TD"]


class Prior(BaseModel):
    """A uniform prior on ``[low, high]``, in the parameter's units or in log10 of them."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    low: float
    high: float
    scale: Literal["linear", "log"] = "linear"

    @model_validator(mode="after")
    def _check(self) -> Prior:
        if not self.low < self.high:
            raise ValueError(f"low {self.low} must be below high {self.high}")
        if self.scale == "log" and self.low <= 0:
            raise ValueError("a log-scale prior needs low > 0")
        return self


class Patterns(BaseModel):
    """The ``target`` block: the patterns fitted and over which years."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    years: tuple[int, int] = (2012, 2019)
    countries: tuple[Country, ...] = ("ML", "BF", "NE", "MR", "TD")
    displacement: tuple[Literal["ML", "BF"], ...] = ("ML", "BF")
    displacement_weight: float = Field(1.0, ge=0.0, le=10.0, description="weight of the displacement pattern")

    @model_validator(mode="after")
    def _check(self) -> Patterns:
        if self.years[0] > self.years[1]:
            raise ValueError(f"first year {self.years[0]} is after last year {self.years[1]}")
        if not self.countries:
            raise ValueError("name at least one country")
        return self


class Settings(BaseModel):
    """The ``abc`` block: ABC-SMC's population, stopping rules and seed."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    population: int = Field(100, ge=10, le=100_000, description="parameter sets per generation")
    generations: int = Field(5, ge=1, le=100, description="generations to run after the first")
    min_acceptance_rate: float = Field(0.02, gt=0.0, le=1.0)
    kernel_scaling: float = Field(
        1.0,
        gt=0.0,
        le=10.0,
        description="factor on the perturbation kernel's bandwidth (pyabc MultivariateNormalTransition "
        "scaling; 1 is pyabc's default; wider keeps the weights even when the tolerance barely shrinks)",
    )
    max_minutes: float = Field(120.0, gt=0.0, description="wall-clock limit, minutes")
    seed: int = Field(2012, ge=0)


class AbcFile(BaseModel):
    """The whole file (``name`` and ``description`` are free text)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    name: str
    description: str = ""
    base: str
    set: dict[str, Any] = Field(default_factory=dict)
    priors: dict[str, Prior]
    target: Patterns = Patterns()
    abc: Settings = Settings()

    @model_validator(mode="after")
    def _check(self) -> AbcFile:
        if not self.priors:
            raise ValueError("give at least one prior")
        return self


@dataclass
class AbcCalibration:
    """A validated ABC calibration file and the scenario its runs start from.

    Attributes:
        path: The file.
        spec: Its content.
        base: The base scenario with ``set`` applied (before any prior draw).
        sha256: SHA-256 of the file's bytes.
    """

    path: Path
    spec: AbcFile
    base: Scenario
    sha256: str

    def scenario(self, values: dict[str, float]) -> Scenario:
        """The base scenario with the given parameter values (dotted path to value)."""
        return with_overrides(self.base, values.items(), label=str(self.path))


def is_abc_file(data: dict[str, Any]) -> bool:
    """Whether a calibration file's top-level mapping asks for ABC (it has ``priors`` or ``abc``)."""
    return "priors" in data or "abc" in data


def load_abc(path: str | Path) -> AbcCalibration:
    """Read and validate an ABC calibration file, and check every prior against the scenario.

    Args:
        path: The file.

    Returns:
        The validated calibration.

    Raises:
        ScenarioError: Naming file, line and key of the first problem (a prior's bounds outside the
            schema's are refused here, before any run).
    """
    path = Path(path)
    doc: Located = read_yaml(path)
    file = str(path)
    expect_kind(doc, file, "calibration")
    try:
        spec = AbcFile.model_validate(doc.data)
    except ValidationError as exc:
        err = exc.errors(include_url=False)[0]
        loc = tuple(err["loc"])
        message = err["msg"].removeprefix("Value error, ")
        if err["type"] == "extra_forbidden":
            message = f"unknown key {loc[-1]!r}"
        raise error_at(doc, file, loc, message) from None
    base_path = path.parent / spec.base
    if not base_path.is_file():
        raise error_at(doc, file, ("base",), f"base scenario {spec.base!r} not found (looked for {str(base_path)!r})")
    data = scenario_to_data(load_scenario(base_path))
    for key, value in spec.set.items():
        try:
            apply_override(data, key, value)
        except ScenarioError as exc:
            raise error_at(doc, file, ("set", key), exc.message, key) from None
    base = validate(data, file=file)
    cal = AbcCalibration(path, spec, base, hashlib.sha256(path.read_bytes()).hexdigest())
    for key, prior in spec.priors.items():
        for bound in (prior.low, prior.high):
            try:
                cal.scenario({key: bound})
            except ScenarioError as exc:
                raise error_at(doc, file, ("priors", key), f"bound {bound}: {exc.message}", key) from None
    return cal
