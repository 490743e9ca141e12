"""The calibration file: a sweep file plus a ``target`` block, read and validated."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from sahel_sim.analysis.hindcast import TARGET
from sahel_sim.analysis.sweep.spec import SweepSpec, check_design, error_at
from sahel_sim.scenario.kinds import expect_kind
from sahel_sim.scenario.loading import Located, ScenarioError, read_yaml

#: Name of the sweep file derived from the calibration file, and of the sweep folder.
DERIVED_SPEC = "calibration.sweep.yaml"
SWEEP_DIR = "sweep"


class Target(BaseModel):
    """The ``target`` block of a calibration file: what is compared, over which years, with what weight."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    measure: Literal["ucdp_all_organised_violence_deaths"] = TARGET
    area: Literal["ALL", "ML", "BF", "NE", "MR", "TD"] = "ML"
    years: tuple[int, int] = (2012, 2022)
    spearman_weight: float = Field(0.5, ge=0.0, le=10.0, description="lambda: weight of 1 - Spearman")

    @model_validator(mode="after")
    def _check(self) -> Target:
        if self.years[0] > self.years[1]:
            raise ValueError(f"first year {self.years[0]} is after last year {self.years[1]}")
        return self


@dataclass
class CalibrationFile:
    """A validated calibration file.

    Attributes:
        path: The file.
        target: Its ``target`` block.
        sweep: Its sweep part, validated as a sweep file.
        sweep_data: The sweep part as plain data (``base`` made absolute).
        doc: The file as read, with the line of every key.
        sha256: SHA-256 of the file's bytes.
    """

    path: Path
    target: Target
    sweep: SweepSpec
    sweep_data: dict[str, Any]
    doc: Located
    sha256: str


def load_calibration(path: str | Path) -> CalibrationFile:
    """Read and validate a calibration file (sweep keys plus ``target``).

    Args:
        path: The calibration YAML file.

    Returns:
        The validated file.

    Raises:
        ScenarioError: Naming file, line and key of the first problem.
    """
    path = Path(path)
    doc = read_yaml(path)
    file = str(path)
    expect_kind(doc, file, "calibration")
    data = dict(doc.data)
    raw_target = data.pop("target", None)
    if raw_target is None:
        raise ScenarioError(
            file, None, "target", "a calibration file needs a 'target' block (measure, area, years, spearman_weight)"
        )
    try:
        target = Target.model_validate(raw_target)
    except ValidationError as exc:
        err = exc.errors(include_url=False)[0]
        loc = ("target", *err["loc"])
        message = err["msg"].removeprefix("Value error, ")
        if err["type"] == "extra_forbidden":
            message = f"unknown key {loc[-1]!r}; expected one of {sorted(Target.model_fields)}"
        raise error_at(doc, file, loc, message) from None
    try:
        spec = SweepSpec.model_validate(data)
    except ValidationError as exc:
        err = exc.errors(include_url=False)[0]
        loc = tuple(p for p in err["loc"] if p not in ("list[any]", "Range"))
        message = err["msg"].removeprefix("Value error, ")
        if err["type"] == "extra_forbidden" and len(loc) == 1:
            message = f"unknown key {loc[-1]!r}; expected one of {sorted([*SweepSpec.model_fields, 'target'])}"
        raise error_at(doc, file, loc, message) from None
    check_design(spec, doc, file)
    if spec.design not in ("lhs", "sobol", "grid", "list"):
        raise error_at(
            doc,
            file,
            ("design",),
            f"design {spec.design!r} is not a search design; use lhs (recommended), sobol, grid or list",
            "design",
        )
    data["base"] = str((path.parent / spec.base).resolve())
    return CalibrationFile(path, target, spec, data, doc, hashlib.sha256(path.read_bytes()).hexdigest())
