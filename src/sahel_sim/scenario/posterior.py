"""A calibration's posterior: weighted parameter sets, one of which each replicate runs with.

``--posterior FILE`` (on ``run``, ``sweep``, ``hindcast`` and ``compare``) makes every replicate draw
one parameter set from the ensemble that ``calibrate`` wrote with approximate Bayesian computation
(``posterior.parquet``; docs/CALIBRATION.md), so that a result carries the parameters' uncertainty
as well as the seed's noise.

The draw is a function of the run's seed alone (and of the file): the same seed always runs the same
parameter set, two scenarios compared seed by seed run the same set, and a replicate can be rerun
exactly. The file is a Parquet table with one column per parameter (the dotted path of a scenario
field, as in ``--set``) and a ``weight`` column; its schema metadata ``sahel_sim`` holds the
provenance (calibration file, commit, code hash, generations, tolerance) as JSON.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from sahel_sim.scenario.errors import ScenarioError
from sahel_sim.scenario.loading import with_overrides

if TYPE_CHECKING:
    import pandas as pd

    from sahel_sim.scenario.schema import Scenario

#: Name of the weight column.
WEIGHT = "weight"
#: Key of the provenance JSON in the Parquet schema metadata.
METADATA_KEY = b"sahel_sim"
#: Salt of the draw's random stream, so that it shares nothing with the model's streams of the same seed.
DRAW_SALT = 0x5A4E1
#: The name that stands for the shipped posterior (``--posterior calibrated``).
CALIBRATED = "calibrated"


@dataclass(frozen=True)
class Posterior:
    """Weighted parameter sets read from a posterior file.

    Attributes:
        path: The file.
        sha256: SHA-256 of its bytes (recorded with every result that used it).
        keys: Dotted scenario paths of the parameters, in column order.
        values: Parameter values, one row per set (float64, shape ``(sets, len(keys))``).
        weights: Normalised weights (sum 1), one per set.
        provenance: The calibration's provenance as written with the file.
    """

    path: Path
    sha256: str
    keys: tuple[str, ...]
    values: np.ndarray
    weights: np.ndarray
    provenance: dict[str, Any] = field(default_factory=dict)

    def __len__(self) -> int:
        return len(self.weights)

    def draw(self, seed: int) -> int:
        """The index of the parameter set that a run with ``seed`` uses (weighted draw).

        Args:
            seed: The run's seed (non-negative).

        Returns:
            A row index of :attr:`values`.
        """
        rng = np.random.default_rng([DRAW_SALT, int(seed)])
        return int(rng.choice(len(self.weights), p=self.weights))

    def parameters(self, index: int) -> dict[str, float]:
        """The parameter set at ``index`` as ``{dotted path: value}``."""
        return {k: float(v) for k, v in zip(self.keys, self.values[index], strict=True)}

    def apply(self, scenario: Scenario, seed: int) -> tuple[Scenario, int]:
        """``scenario`` with the parameter set drawn for ``seed``.

        Args:
            scenario: A resolved scenario.
            seed: The run's seed.

        Returns:
            The scenario with the drawn values set, and the drawn index.

        Raises:
            ScenarioError: If a parameter is not a field of the scenario, or its value is out of
                the schema's bounds (naming the posterior file).
        """
        index = self.draw(seed)
        return self.apply_index(scenario, index), index

    def apply_index(self, scenario: Scenario, index: int) -> Scenario:
        """``scenario`` with the parameter set at ``index`` (see :meth:`apply`)."""
        try:
            return with_overrides(scenario, self.parameters(index).items(), label=str(self.path))
        except ScenarioError as exc:
            raise ScenarioError(str(self.path), None, exc.field, f"parameter set {index}: {exc.message}") from None

    def check(self, scenario: Scenario) -> None:
        """Refuse a posterior whose parameters the scenario does not have (tries every set).

        Raises:
            ScenarioError: On the first set that cannot be applied.
        """
        for index in range(len(self)):
            self.apply_index(scenario, index)

    def draws(self, seeds: list[int]) -> pd.DataFrame:
        """The set each seed draws: columns ``seed``, ``draw`` and one per parameter."""
        import pandas as pd

        rows = []
        for seed in seeds:
            index = self.draw(seed)
            rows.append({"seed": int(seed), "draw": index, **self.parameters(index)})
        return pd.DataFrame(rows, columns=["seed", "draw", *self.keys])

    def describe(self) -> dict[str, Any]:
        """What a result records about the posterior it used."""
        return {"file": str(self.path), "sha256": self.sha256, "sets": len(self), "parameters": list(self.keys)}

    def record(self, index: int) -> dict[str, Any]:
        """What a run's manifest records of the set it drew: :meth:`describe`, ``draw`` and ``values``."""
        return {**self.describe(), "draw": int(index), "values": self.parameters(index)}


def shipped_posterior() -> Path:
    """The posterior shipped with the package (``--posterior calibrated``; docs/CALIBRATION.md)."""
    from importlib.resources import files

    return Path(str(files("sahel_sim") / "data" / "calibration" / "posterior.parquet"))


def open_posterior(source: str | Path | Posterior, scenario: Scenario | None = None) -> Posterior:
    """The posterior that ``--posterior`` (or the notebook API's ``posterior=``) names, checked.

    Args:
        source: ``"calibrated"`` for the shipped posterior, a posterior file's path, or a loaded
            :class:`Posterior` (used as it is).
        scenario: If given, every set must apply to it (see :meth:`Posterior.check`).

    Returns:
        The posterior.

    Raises:
        ScenarioError: If the file is missing or unusable, or names a parameter the scenario does
            not have (naming the file).
    """
    if isinstance(source, Posterior):
        posterior = source
    else:
        posterior = load_posterior(shipped_posterior() if source == CALIBRATED else source)
    if scenario is not None:
        posterior.check(scenario)
    return posterior


def load_posterior(path: str | Path) -> Posterior:
    """Read and check a posterior file.

    Args:
        path: A Parquet file written by ``calibrate`` (ABC), or any table of the same form.

    Returns:
        The posterior.

    Raises:
        ScenarioError: If the file is missing or unreadable, has no ``weight`` column or no parameter
            column, or has a weight or value that is not a finite number (negative weights and an
            all-zero weight column included).
    """
    import pyarrow.parquet as pq

    path = Path(path)
    file = str(path)
    if not path.is_file():
        raise ScenarioError(file, None, None, "posterior file not found")
    try:
        table = pq.read_table(path)
    except Exception as exc:  # noqa: BLE001 - any unreadable file gets one line
        raise ScenarioError(file, None, None, f"not a readable Parquet file ({type(exc).__name__})") from None
    names = table.column_names
    if WEIGHT not in names:
        raise ScenarioError(file, None, WEIGHT, f"no '{WEIGHT}' column (columns: {names})")
    keys = tuple(n for n in names if n != WEIGHT)
    if not keys or len(table) == 0:
        raise ScenarioError(file, None, None, "no parameter column or no parameter set")
    try:
        values = np.column_stack([table.column(k).to_numpy().astype(np.float64) for k in keys])
        weights = table.column(WEIGHT).to_numpy().astype(np.float64)
    except (TypeError, ValueError):
        raise ScenarioError(file, None, None, "every column must hold numbers") from None
    if not np.all(np.isfinite(values)):
        raise ScenarioError(file, None, None, "a parameter value is missing or not finite")
    if not np.all(np.isfinite(weights)) or np.any(weights < 0) or weights.sum() <= 0:
        raise ScenarioError(file, None, WEIGHT, "weights must be finite, non-negative and not all zero")
    meta = (table.schema.metadata or {}).get(METADATA_KEY)
    provenance = json.loads(meta) if meta else {}
    return Posterior(
        path, hashlib.sha256(path.read_bytes()).hexdigest(), keys, values, weights / weights.sum(), provenance
    )


def write_posterior(path: str | Path, sets: pd.DataFrame, weights: np.ndarray, provenance: dict[str, Any]) -> Path:
    """Write a posterior file (atomically: a temporary file renamed into place).

    Args:
        path: The Parquet file to write.
        sets: One row per parameter set, one column per dotted parameter path.
        weights: One weight per row (normalised when read).
        provenance: JSON-serialisable description of how the sets were obtained.

    Returns:
        The path written.
    """
    import pyarrow as pa
    import pyarrow.parquet as pq

    path = Path(path)
    table = pa.Table.from_pandas(sets.assign(**{WEIGHT: np.asarray(weights, dtype=np.float64)}), preserve_index=False)
    table = table.replace_schema_metadata({METADATA_KEY: json.dumps(provenance, sort_keys=True).encode()})
    staging = path.with_name(f".{path.name}.new")
    pq.write_table(table, staging)
    staging.replace(path)
    return path
