"""Scenario discovery: which of a sweep's inputs lead to an outcome, by PRIM (EMA Workbench).

``python -m sahel_sim discover SWEEP_DIR --where "ML.fatalities_total[2024-01-01:2025-12-31] < 4000"``
marks every finished run of a sweep whose outcome meets the condition, then runs the Patient Rule
Induction Method (Friedman and Fisher 1999, as implemented by ``ema_workbench.analysis.prim``) over
the sweep's varied inputs. The condition is ``AREA.METRIC[FROM:TO] OP NUMBER``: the metric is a
column of the weekly table, condensed over the window as in ``compare`` (counts summed, everything
else averaged over the weeks); ``[FROM:TO]`` is optional (default: the whole run), either end may be
left empty; ``OP`` is one of ``<``, ``<=``, ``>``, ``>=``. Dates varied in the sweep enter PRIM as
days since 1970-01-01 and come out as dates.
"""

from __future__ import annotations

import datetime as dt
import json
import operator
import re
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from sahel_sim.analysis.sweep.store import SweepStore, atomic_write_bytes
from sahel_sim.analysis.sweep.tables import FLOWS
from sahel_sim.model.metrics import ALL, AREAS
from sahel_sim.scenario.loading import ScenarioError, parse_date

OPERATORS = {"<": operator.lt, "<=": operator.le, ">": operator.gt, ">=": operator.ge}
PATTERN = re.compile(
    r"^\s*(?P<area>[A-Za-z]+)\.(?P<metric>[A-Za-z0-9_]+)\s*"
    r"(?:\[(?P<start>[^:\]]*):(?P<end>[^\]]*)\])?\s*(?P<op><=|>=|<|>)\s*(?P<value>[-+0-9.eE_,]+)\s*$"
)
#: Default lowest share of runs in the chosen box that meet the condition.
DEFAULT_DENSITY = 0.8


@dataclass(frozen=True)
class Condition:
    """A parsed ``--where``: area, metric, window and threshold."""

    text: str
    area: str
    metric: str
    start: dt.date | None
    end: dt.date | None
    op: str
    value: float

    def holds(self, values: pd.Series) -> np.ndarray:
        """Whether each run's outcome meets the condition."""
        return OPERATORS[self.op](values.to_numpy(dtype=float), self.value)


def parse_where(text: str) -> Condition:
    """Read ``AREA.METRIC[FROM:TO] OP NUMBER``.

    Raises:
        ScenarioError: If the text does not have that form or a date cannot be read.
    """
    match = PATTERN.match(text)
    if match is None:
        raise ScenarioError(
            "--where", None, None, f"cannot read {text!r}; expected AREA.METRIC[FROM:TO] OP NUMBER, e.g. "
            "\"ML.fatalities_total[2024-01-01:2025-12-31] < 4000\"",
        )  # fmt: skip
    g = match.groupdict()
    start = parse_date(g["start"].strip(), "--where") if g["start"] and g["start"].strip() else None
    end = parse_date(g["end"].strip(), "--where") if g["end"] and g["end"].strip() else None
    if start and end and end < start:
        raise ScenarioError("--where", None, None, f"the window ends ({end}) before it starts ({start})")
    try:
        value = float(g["value"].replace("_", "").replace(",", ""))
    except ValueError:
        raise ScenarioError("--where", None, None, f"cannot read the number {g['value']!r}") from None
    return Condition(text, g["area"], g["metric"], start, end, g["op"], value)


def outcomes(store: SweepStore, condition: Condition) -> pd.DataFrame:
    """Each finished run's outcome: the metric condensed over the window in the area.

    Returns:
        Columns ``run_id`` and ``value``.

    Raises:
        ScenarioError: An unknown area or metric, or a window without weeks.
    """
    known = [ALL, *AREAS]
    if condition.area not in known:
        raise ScenarioError("--where", None, None, f"unknown area {condition.area!r}; choose from {known}")
    runs = store.read("runs", columns=["run_id", "status"])
    ids = list(runs.loc[runs["status"] == "ok", "run_id"])
    if not ids:
        raise FileNotFoundError(f"no finished runs in {store.folder}")
    first = pd.read_parquet(store.folder / "timeseries" / f"{ids[0]}.parquet")
    metrics = [c for c in first.columns if c not in ("run_id", "date", "area")]
    if condition.metric not in metrics:
        raise ScenarioError("--where", None, None, f"unknown metric {condition.metric!r}; choose from {metrics}")
    values = []
    for run_id in ids:
        ts = pd.read_parquet(
            store.folder / "timeseries" / f"{run_id}.parquet", columns=["date", "area", condition.metric]
        )
        ts = ts[ts["area"] == condition.area]
        if condition.start:
            ts = ts[ts["date"] >= pd.Timestamp(condition.start)]
        if condition.end:
            ts = ts[ts["date"] <= pd.Timestamp(condition.end)]
        if ts.empty:
            raise ScenarioError("--where", None, None, f"no simulated week lies in the window of {condition.text!r}")
        series = ts[condition.metric]
        values.append(series.sum() if condition.metric in FLOWS else series.mean())
    return pd.DataFrame({"run_id": ids, "value": values})


def inputs(store: SweepStore, run_ids: list[str]) -> tuple[pd.DataFrame, dict[str, str]]:
    """The varied inputs of each run, as PRIM takes them (numbers, or categories).

    Returns:
        The table (one row per run, in ``run_ids`` order) and each column's kind (``number``,
        ``date`` or ``category``).
    """
    varied = store.read_json("spec.json")["varied"]
    runs = store.read("runs", columns=["run_id", *varied]).set_index("run_id").loc[run_ids]
    x, kinds = pd.DataFrame(index=range(len(run_ids))), {}
    for name in varied:
        column = runs[name].reset_index(drop=True)
        if column.map(lambda v: isinstance(v, dt.date)).all():
            x[name] = pd.to_datetime(column).map(lambda t: (t - pd.Timestamp(0)).days).astype(float)
            kinds[name] = "date"
        elif pd.api.types.is_numeric_dtype(column) and not pd.api.types.is_bool_dtype(column) and column.notna().all():
            x[name] = column.astype(float)
            kinds[name] = "number"
        else:
            x[name] = column.map(lambda v: "none" if v is None or v != v else str(v)).astype("category")
            kinds[name] = "category"
    return x, kinds


def discover(
    sweep_dir: Path | str, where: str, out: Path | str | None = None, density: float = DEFAULT_DENSITY
) -> list[Path]:
    """Run PRIM on a sweep for one condition and write its trajectory, chosen box and plot.

    Args:
        sweep_dir: The sweep folder.
        where: The condition (see the module docstring).
        out: Output folder (default ``SWEEP_DIR/discover``).
        density: Lowest density (share of runs in the box meeting the condition) of the box
            chosen: the one with the highest coverage among those at least this dense (else the
            densest).

    Returns:
        The files written: ``peeling_trajectory.csv``, ``box_limits.csv``, ``discover.json``,
        ``peeling_trajectory.png``.

    Raises:
        ScenarioError: A bad condition or folder.
        FileNotFoundError: If no run has finished.
    """
    from ema_workbench.analysis import prim

    store = SweepStore(sweep_dir)
    if not store.exists():
        raise ScenarioError(str(sweep_dir), None, None, "not a sweep folder (no spec.json)")
    condition = parse_where(where)
    table = outcomes(store, condition)
    y = condition.holds(table["value"])
    if y.all() or not y.any():
        raise ScenarioError(
            "--where", None, None, f"{'every' if y.all() else 'no'} run meets {where!r} "
            f"(values {table['value'].min():.6g} to {table['value'].max():.6g}): nothing to discover",
        )  # fmt: skip
    x, kinds = inputs(store, list(table["run_id"]))
    search = prim.Prim(x, y, mass_min=0.05)
    box = search.find_box()
    trajectory = box.peeling_trajectory.reset_index(drop=True)
    trajectory.insert(0, "box", range(len(trajectory)))
    dense = trajectory[trajectory["density"] >= density]
    chosen = (
        int(dense.sort_values(["coverage", "box"], ascending=[False, True])["box"].iloc[0])
        if len(dense)
        else int(trajectory.sort_values(["density", "box"], ascending=[False, True])["box"].iloc[0])
    )
    limits = _limits(box.box_lims[chosen], box.box_lims[0], kinds)
    folder = Path(out) if out is not None else Path(sweep_dir) / "discover"
    folder.mkdir(parents=True, exist_ok=True)
    written = [
        folder / n for n in ("peeling_trajectory.csv", "box_limits.csv", "discover.json", "peeling_trajectory.png")
    ]
    atomic_write_bytes(written[0], trajectory.to_csv(index=False, float_format="%.6g").encode())
    atomic_write_bytes(written[1], limits.to_csv(index=False).encode())
    stats = trajectory.iloc[chosen]
    info = {
        "where": where,
        "runs": len(y),
        "runs_meeting": int(y.sum()),
        "density_wanted": density,
        "chosen_box": chosen,
        "coverage": float(stats["coverage"]),
        "density": float(stats["density"]),
        "mass": float(stats["mass"]),
        "restricted": list(limits.loc[limits["restricted"], "parameter"]),
    }
    atomic_write_bytes(written[2], (json.dumps(info, indent=2) + "\n").encode())
    _plot(trajectory, chosen, where, written[3])
    return written


def _limits(lims: pd.DataFrame, initial: pd.DataFrame, kinds: dict[str, str]) -> pd.DataFrame:
    """The chosen box's limits per input, with dates as dates and categories as lists."""
    rows = []
    for name, kind in kinds.items():
        low, high = lims[name].iloc[0], lims[name].iloc[1]
        if kind == "category":
            kept, allowed = sorted(map(str, low)), sorted(map(str, initial[name].iloc[0]))
            rows.append({"parameter": name, "low": "|".join(kept), "high": "", "restricted": kept != allowed})
            continue
        restricted = bool(low > initial[name].iloc[0] or high < initial[name].iloc[1])
        if kind == "date":
            low, high = (dt.date(1970, 1, 1) + dt.timedelta(days=round(v)) for v in (low, high))
        rows.append({"parameter": name, "low": low, "high": high, "restricted": restricted})
    return pd.DataFrame(rows, columns=["parameter", "low", "high", "restricted"])


def _plot(trajectory: pd.DataFrame, chosen: int, where: str, path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(6.5, 5))
    points = ax.scatter(trajectory["coverage"], trajectory["density"], c=trajectory["res_dim"], cmap="viridis", s=25)
    row = trajectory.iloc[chosen]
    ax.scatter([row["coverage"]], [row["density"]], s=160, facecolors="none", edgecolors="red", label=f"box {chosen}")
    ax.set_xlabel("coverage (share of the runs meeting the condition that lie in the box)")
    ax.set_ylabel("density (share of the box's runs meeting the condition)")
    ax.set_xlim(0, 1.02)
    ax.set_ylim(0, 1.02)
    ax.grid(alpha=0.3)
    ax.legend(fontsize=8)
    fig.colorbar(points, ax=ax, label="restricted inputs")
    ax.set_title(f"PRIM peeling trajectory: {where}", fontsize=9)
    fig.tight_layout()
    fig.savefig(path, dpi=100)
    plt.close(fig)
