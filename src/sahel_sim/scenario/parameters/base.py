"""The building blocks of the mechanism parameters: the frozen base class, :func:`param` and the walkers."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

#: Source of the defaults chosen by ``python -m sahel_sim calibrate scenarios/calibration/mali_2012_2019.yaml``.
CALIBRATED = "calibrated to Mali's deaths 2012-2019, 2020-2022 kept out of sample (docs/CALIBRATION.md)"


class Frozen(BaseModel):
    """Base for every schema object: immutable, and unknown keys are errors."""

    model_config = ConfigDict(extra="forbid", frozen=True)


def param(default: Any, ge: float, le: float, unit: str, source: str, description: str) -> Any:
    """Declare a bounded mechanism parameter.

    Args:
        default: The default value.
        ge: Lowest allowed value (inclusive).
        le: Highest allowed value (inclusive).
        unit: Unit of the value, e.g. "per week" or "km".
        source: Where the default comes from: a paper, a fact, or "assumption".
        description: What the parameter does, in one sentence.

    Returns:
        A pydantic ``Field`` carrying the unit and source as schema metadata.

    """
    return Field(
        default,
        ge=ge,
        le=le,
        description=description,
        json_schema_extra={"unit": unit, "source": source},
    )


def iter_parameters(model: type[BaseModel], prefix: str = "") -> Iterator[tuple[str, Any]]:
    """Yield ``(dotted_path, FieldInfo)`` for every bounded parameter under a schema class.

    Args:
        model: A schema class, e.g. :class:`Mechanisms`.
        prefix: Dotted path of ``model`` inside the scenario.

    Yields:
        Pairs of dotted path and pydantic field info (with ``json_schema_extra`` unit and source).

    """
    for name, info in model.model_fields.items():
        path = f"{prefix}{name}"
        annotation = info.annotation
        if isinstance(annotation, type) and issubclass(annotation, BaseModel):
            yield from iter_parameters(annotation, path + ".")
        elif isinstance(info.json_schema_extra, dict) and "unit" in info.json_schema_extra:
            yield path, info


def bounds(info: Any) -> tuple[float | None, float | None]:
    """Return the ``(ge, le)`` bounds recorded on a field, or ``None`` where unbounded."""
    lo = hi = None
    for meta in info.metadata:
        lo = getattr(meta, "ge", lo)
        hi = getattr(meta, "le", hi)
    return lo, hi
