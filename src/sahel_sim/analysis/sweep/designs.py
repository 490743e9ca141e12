"""Design points: full-factorial grids, paired lists, and sampled designs (LHS, Sobol, Morris).

A design is a list of points; a point maps each varied dotted path to a value. Sampled designs draw
in a unit or parameter space and convert each column to the parameter's kind: a date (rounded to
whole days from ``low``), an integer (rounded) or a float. Sampling is seeded by the sweep's root
seed, so the same spec always gives the same points in the same order.
"""

from __future__ import annotations

import datetime as dt
import itertools
from typing import Any, Literal, cast

import numpy as np

from sahel_sim.analysis.sweep.spec import Range, SweepSpec

Kind = Literal["date", "int", "float"]


def kind_of(rng: Range, current: Any) -> Kind:
    """How values sampled from ``rng`` are written into the scenario.

    Args:
        rng: The range from the sweep file.
        current: The parameter's value in the base scenario (decides int versus float).
    """
    if isinstance(rng.low, dt.date):
        return "date"
    if isinstance(current, bool):
        return "float"
    if isinstance(current, int):
        return "int"
    if current is None and isinstance(rng.low, int) and isinstance(rng.high, int):
        return "int"
    return "float"


def problem(spec: SweepSpec) -> dict[str, Any]:
    """The SALib problem of a sampled design: names and numeric bounds (dates as days from low)."""
    bounds = []
    for rng in spec.ranges().values():
        low, high = rng.low, rng.high
        if isinstance(low, dt.date) and isinstance(high, dt.date):
            bounds.append([0.0, float((high - low).days)])
        else:
            bounds.append([float(cast(float, low)), float(cast(float, high))])
    return {"num_vars": len(spec.vary), "names": list(spec.vary), "bounds": bounds}


def sample_matrix(spec: SweepSpec) -> np.ndarray:
    """The raw design matrix of a sampled design, one row per point, in parameter units.

    Args:
        spec: A spec with design ``lhs``, ``sobol`` or ``morris``.

    Returns:
        Array of shape (points, parameters); dates are days after the range's ``low``.
    """
    prob = problem(spec)
    if spec.design == "lhs":
        from scipy.stats import qmc

        unit = qmc.LatinHypercube(d=prob["num_vars"], rng=np.random.default_rng(spec.seed)).random(spec.samples)
        lo, hi = np.array(prob["bounds"]).T
        return lo + unit * (hi - lo)
    if spec.design == "sobol":
        from SALib.sample import sobol

        return sobol.sample(prob, spec.samples, calc_second_order=spec.second_order, seed=spec.seed)
    if spec.design == "morris":
        from SALib.sample import morris

        return morris.sample(prob, spec.samples, num_levels=spec.levels, seed=spec.seed)
    raise ValueError(f"not a sampled design: {spec.design}")


def convert(value: float, rng: Range, kind: Kind) -> Any:
    """A raw sampled number as the parameter's value (date, int or float)."""
    if kind == "date":
        return cast(dt.date, rng.low) + dt.timedelta(days=round(float(value)))
    if kind == "int":
        return round(float(value))
    return float(value)


def points(spec: SweepSpec, kinds: dict[str, Kind]) -> tuple[list[dict[str, Any]], np.ndarray | None]:
    """Build every design point in design order.

    Args:
        spec: The sweep spec.
        kinds: Kind of each varied path (only used by sampled designs).

    Returns:
        The points (dotted path to value) and, for sampled designs, the raw design matrix.
    """
    keys = list(spec.vary)
    if spec.design == "grid":
        combos = itertools.product(*(spec.vary[k] for k in keys))
        return [dict(zip(keys, combo, strict=True)) for combo in combos], None
    if spec.design == "list":
        columns = zip(*(spec.vary[k] for k in keys), strict=True)
        return [dict(zip(keys, row, strict=True)) for row in columns], None
    matrix = sample_matrix(spec)
    ranges = spec.ranges()
    out = [{k: convert(v, ranges[k], kinds[k]) for k, v in zip(keys, row, strict=True)} for row in matrix]
    return out, matrix
