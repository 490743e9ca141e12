"""Calibration: choose uncertain mechanism parameters by a stated error against Mali's deaths 2012-2022.

A calibration file is a sweep file (:mod:`sahel_sim.analysis.sweep.spec`: ``base``, ``set``, ``vary`` with
``{low, high}`` ranges, ``design``, ``samples``, ``replicates``, ``seed``) plus a ``target`` block::

    target:
      measure: ucdp_all_organised_violence_deaths   # the observed series (the hindcast's target)
      area: ML                                      # the area whose simulated deaths are compared
      years: [2012, 2022]                           # first and last calendar year, inclusive
      spearman_weight: 0.5                          # lambda in the loss below

:func:`calibrate` runs the sweep with the sweep engine (:func:`sahel_sim.analysis.sweep.engine.run_sweep`,
so it is parallel and resumable), then scores every design point over its replicates:

1. each run's weekly ``fatalities_total`` in ``area`` is summed into calendar years exactly as the
   hindcast does (:func:`sahel_sim.analysis.hindcast.yearly_deaths`);
2. per year, the median over the point's replicates is taken (``sim_median``);
3. over the compared years (those of ``years`` that the observed series has and the runs cover):

   - ``mean_abs_log10_error`` = mean of ``|log10((sim_median + 1) / (observed + 1))|``;
   - ``spearman_rho`` = Spearman rank correlation of ``sim_median`` and ``observed`` (taken as 0
     when either series is constant, where it is undefined);
   - **loss** = ``mean_abs_log10_error + spearman_weight * (1 - spearman_rho)``.

The loss is 0 for a perfect match, 1 for a series ten times too high (or low) in every year with
the right ranking, and the Spearman term (between 0 and ``2 * spearman_weight``) penalises a wrong
ordering of the years. These are the hindcast's definitions (:mod:`sahel_sim.analysis.hindcast`), so a
point's statistics here equal those of ``python -m sahel_sim hindcast`` over the same seeds. The
chosen point is the one of lowest loss among the points whose every replicate finished (ties: the
lowest point index); no year is weighted or tuned on its own.

Outputs, in the calibration folder (``sweep/`` holds the sweep itself):

- ``calibration.csv``: one row per design point: parameters, replicates finished, loss and the
  statistics (Spearman, Pearson, log error, log bias, 90% band coverage), and its rank;
- ``best_years.csv``: the chosen point's per-year table (observed, median, 5% and 95% over replicates);
- ``best.yaml``: the chosen values as a ``mechanisms:`` overlay with provenance comments;
- ``calibration.json``: the target, the loss definition, the chosen point and its statistics;
- ``calibration.png``: loss against each parameter, and observed against the chosen point's band.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import math
import shutil
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

import numpy as np
import pandas as pd
import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator
from scipy import stats as sps

from sahel_sim.analysis.hindcast import TARGET, compared_years, summarise, yearly_deaths
from sahel_sim.analysis.sweep.spec import SweepSpec, check_design, error_at
from sahel_sim.scenario.kinds import expect_kind
from sahel_sim.scenario.loading import Located, ScenarioError, read_yaml

#: Files written into the calibration folder, besides the ``sweep/`` folder.
FILES = ("calibration.csv", "best_years.csv", "best.yaml", "calibration.json", "calibration.png")
#: Name of the sweep file derived from the calibration file, and of the sweep folder.
DERIVED_SPEC = "calibration.sweep.yaml"
SWEEP_DIR = "sweep"
#: The simulated weekly metric summed into years.
SIMULATED = "fatalities_total"
LOSS_DEFINITION = (
    "loss = mean over years of |log10((sim_median + 1) / (observed + 1))| "
    "+ spearman_weight * (1 - spearman_rho); sim_median is the median over replicates "
    "of each year's deaths; spearman_rho is taken as 0 where undefined"
)


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


@dataclass
class CalibrationResult:
    """Outcome of :func:`score` (and :func:`calibrate`).

    Attributes:
        points: One row per design point (see the module docstring, ``calibration.csv``).
        best: The chosen point's row.
        best_table: The chosen point's per-year table (see :func:`sahel_sim.analysis.hindcast.summarise`).
        best_runs: The chosen point's deaths per year (columns) and replicate (rows).
        parameters: The varied dotted paths, in the file's order.
        years: The compared years.
        area: The area whose deaths were compared.
        folder: The calibration folder (None when only scored).
    """

    points: pd.DataFrame
    best: pd.Series
    best_table: pd.DataFrame
    best_runs: pd.DataFrame
    parameters: list[str]
    years: list[int]
    area: str = "ML"
    folder: Path | None = None


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


# --- the loss -----------------------------------------------------------------------------------


def score_series(simulated: Any, observed: Any, spearman_weight: float = 0.5) -> dict[str, float]:
    """Statistics and loss of one simulated yearly series against the observed one.

    Args:
        simulated: Simulated deaths per year (the median over replicates), deaths/year.
        observed: Observed deaths per year, same years and order.
        spearman_weight: lambda, the weight of ``1 - spearman_rho`` in the loss.

    Returns:
        ``loss``, ``mean_abs_log10_error``, ``mean_log10_bias``, ``spearman_rho``, ``pearson_r``,
        ``pearson_r_log10`` (NaN where a correlation is undefined: fewer than three years or a
        constant series) and ``n_years``.

    Raises:
        ValueError: If the series are empty or differ in length.
    """
    sim = np.asarray(simulated, dtype=float)
    obs = np.asarray(observed, dtype=float)
    if sim.shape != obs.shape or sim.ndim != 1 or not len(sim):
        raise ValueError(f"need two non-empty series of the same length (got {sim.shape} and {obs.shape})")
    log_ratio = np.log10((sim + 1.0) / (obs + 1.0))
    out = {
        "n_years": len(sim),
        "mean_abs_log10_error": float(np.mean(np.abs(log_ratio))),
        "mean_log10_bias": float(np.mean(log_ratio)),
        "spearman_rho": math.nan,
        "pearson_r": math.nan,
        "pearson_r_log10": math.nan,
    }
    if len(sim) >= 3 and np.ptp(sim) > 0 and np.ptp(obs) > 0:
        out["spearman_rho"] = float(sps.spearmanr(sim, obs)[0])
        out["pearson_r"] = float(sps.pearsonr(sim, obs)[0])
        out["pearson_r_log10"] = float(sps.pearsonr(np.log10(sim + 1.0), np.log10(obs + 1.0))[0])
    out["loss"] = loss_value(out["mean_abs_log10_error"], out["spearman_rho"], spearman_weight)
    return out


def loss_value(mean_abs_log10_error: float, spearman_rho: float, spearman_weight: float) -> float:
    """The loss: ``mean_abs_log10_error + spearman_weight * (1 - rho)``, with an undefined rho as 0."""
    rho = spearman_rho if math.isfinite(spearman_rho) else 0.0
    return float(mean_abs_log10_error + spearman_weight * (1.0 - rho))


def best_index(points: pd.DataFrame, replicates: int | None = None) -> int:
    """Row label of the chosen point: lowest finite loss, among points with every replicate if any.

    Args:
        points: The per-point table (``loss``, ``replicates_ok``, ``point_index``).
        replicates: Replicates each point should have; None to accept any number.

    Returns:
        The label (index) of the chosen row.

    Raises:
        ValueError: If no point has a finite loss.
    """
    ok = points[np.isfinite(points["loss"].to_numpy(dtype=float))]
    if replicates is not None and (ok["replicates_ok"] >= replicates).any():
        ok = ok[ok["replicates_ok"] >= replicates]
    if ok.empty:
        raise ValueError("no design point has a finite loss (did every run fail?)")
    return ok.sort_values(["loss", "point_index"], kind="stable").index[0]


# --- scoring a finished sweep -------------------------------------------------------------------


def read_yearly(sweep_dir: Path, area: str) -> pd.DataFrame:
    """Deaths per calendar year of every successful run of a sweep.

    Args:
        sweep_dir: The sweep folder.
        area: The area whose weekly ``fatalities_total`` is summed.

    Returns:
        One row per run: ``run_id``, ``point_index``, ``replicate``, then one column per year.
    """
    runs = pd.read_parquet(sweep_dir / "runs", columns=["run_id", "status", "point_index", "replicate"])
    runs = runs[runs["status"] == "ok"]
    if runs.empty:
        return pd.DataFrame(columns=["run_id", "point_index", "replicate"])
    ts = pd.read_parquet(
        sweep_dir / "timeseries", columns=["run_id", "date", "area", SIMULATED], filters=[("area", "==", area)]
    )
    rows = []
    for run_id, group in ts.groupby("run_id", sort=True):
        rows.append({"run_id": run_id, **yearly_deaths(group, area, SIMULATED).to_dict()})
    yearly = pd.DataFrame(rows)
    return runs.drop(columns="status").merge(yearly, on="run_id", how="inner")


def score(sweep_dir: str | Path, target: Target, replicates: int | None = None) -> CalibrationResult:
    """Score every design point of a finished (or partly finished) sweep and choose the best.

    Args:
        sweep_dir: The sweep folder.
        target: What is compared and how (see :class:`Target`).
        replicates: Replicates each point should have (points with fewer are chosen only if no
            point has them all); None to read it from the sweep's ``spec.json``.

    Returns:
        The per-point table and the chosen point.

    Raises:
        ValueError: If no year can be compared or no point has a finite loss.
    """
    from sahel_sim.scenario.loading import load_scenario

    sweep_dir = Path(sweep_dir)
    info = json.loads((sweep_dir / "spec.json").read_text(encoding="utf-8"))
    parameters = list(info["varied"])
    replicates = info["spec"]["replicates"] if replicates is None else replicates
    points = pd.read_parquet(sweep_dir / "points.parquet")
    first = load_scenario(sweep_dir / "points" / f"{points['point_id'].iloc[0]}.yaml")
    years = compared_years(first, target.years)
    yearly = read_yearly(sweep_dir, target.area)
    rows, by_point = [], {}
    for point in points.to_dict("records"):
        index = int(point["point_index"])
        mine = yearly[yearly["point_index"] == index].sort_values("replicate")
        row = {"point_index": index, "point_id": point["point_id"]}
        row.update({p: point[p] for p in parameters})
        row["replicates_ok"] = len(mine)
        stats = {
            "loss": math.nan,
            "mean_abs_log10_error": math.nan,
            "mean_log10_bias": math.nan,
            "spearman_rho": math.nan,
            "pearson_r": math.nan,
            "pearson_r_log10": math.nan,
            "coverage_90": math.nan,
        }
        if len(mine) and all(y in mine.columns for y in years):
            simulated = mine.set_index("replicate")[years]
            table, _, _ = summarise(simulated, years)
            scored = score_series(table["sim_median"], table["observed"], target.spearman_weight)
            stats.update({k: scored[k] for k in stats if k in scored})
            stats["coverage_90"] = float(table["in_band"].mean())
            by_point[index] = (table, simulated)
        row.update(stats)
        rows.append(row)
    table = pd.DataFrame(rows)
    table["rank"] = table["loss"].rank(method="first", na_option="keep").astype("Int64")
    chosen = best_index(table, replicates)
    best = table.loc[chosen]
    best_table, best_runs = by_point[int(best["point_index"])]
    return CalibrationResult(table, best, best_table, best_runs, parameters, years, target.area)


# --- running ------------------------------------------------------------------------------------


def calibrate(
    path: str | Path,
    out: str | Path,
    *,
    workers: int | None = None,
    resume: bool = False,
    progress: Callable | None = None,
) -> CalibrationResult:
    """Run a calibration file's sweep (resumable), score every point, write the outputs.

    Args:
        path: The calibration YAML file.
        out: The calibration folder (the sweep goes into ``out/sweep``).
        workers: Worker processes (default: every core; 1 runs in this process).
        resume: Continue a calibration in ``out`` (its sweep must come from the same file content,
            except ``replicates``, which may grow).
        progress: Called with :class:`sahel_sim.analysis.sweep.engine.Progress` as runs finish.

    Returns:
        The scored result, with ``folder`` set.

    Raises:
        ScenarioError: If the file, a design point or the folder cannot be used (nothing written then).
    """
    from sahel_sim.analysis.sweep.engine import check_store, run_sweep
    from sahel_sim.analysis.sweep.plan import load_plan

    cal = load_calibration(path)
    out = Path(out)
    sweep_dir = out / SWEEP_DIR
    if out.exists() and any(out.iterdir()) and not (out / DERIVED_SPEC).is_file():
        raise ScenarioError(str(out), None, None, "exists and is not a calibration folder; choose another --out")
    if (sweep_dir / "spec.json").is_file() and not resume:
        raise ScenarioError(
            str(out), None, None, "already holds a calibration; use --resume to continue it, or another --out"
        )
    derived_text = _derived_spec_text(cal)
    staging = out / f".{DERIVED_SPEC}.new"
    out.mkdir(parents=True, exist_ok=True)
    staging.write_text(derived_text, encoding="utf-8")
    try:
        plan = load_plan(staging)
        check_store(plan, sweep_dir, resume)
    except ScenarioError as exc:
        staging.unlink(missing_ok=True)
        _remove_if_empty(out)
        raise _relocate(exc, cal, staging) from None
    staging.replace(out / DERIVED_SPEC)
    shutil.copyfile(cal.path, out / "calibration.yaml")
    run_sweep(out / DERIVED_SPEC, sweep_dir, workers=workers, resume=resume, progress=progress)
    result = score(sweep_dir, cal.target, cal.sweep.replicates)
    result.folder = out
    write_outputs(result, cal, out, plan.spec_hash)
    return result


def _derived_spec_text(cal: CalibrationFile) -> str:
    header = (
        f"# Sweep part of {cal.path} (sha256 {cal.sha256}), written by `python -m sahel_sim "
        "calibrate`;\n# 'target' removed and 'base' made absolute. Do not edit.\n"
    )
    return header + yaml.safe_dump(cal.sweep_data, sort_keys=False, default_flow_style=False)


def _remove_if_empty(folder: Path) -> None:
    try:
        folder.rmdir()
    except OSError:
        pass


def _relocate(exc: ScenarioError, cal: CalibrationFile, derived: Path) -> ScenarioError:
    """An error about the derived sweep file, pointed at the calibration file's line instead."""
    if exc.file != str(derived):
        return exc
    line = None
    if exc.field is not None:
        for loc in (("vary", exc.field), ("set", exc.field), (exc.field,)):
            if loc in cal.doc.lines:
                line = cal.doc.lines[loc][1]
                break
    return ScenarioError(str(cal.path), line, exc.field, exc.message)


# --- outputs ------------------------------------------------------------------------------------


def _sig(value: float, digits: int = 4) -> float | int:
    """A number rounded to ``digits`` significant digits (ints unchanged)."""
    if isinstance(value, int | np.integer):
        return int(value)
    value = float(value)
    if value == 0 or not math.isfinite(value):
        return value
    return round(value, digits - 1 - math.floor(math.log10(abs(value))))


def best_values(result: CalibrationResult, digits: int = 4) -> dict[str, Any]:
    """The chosen point's varied values, floats rounded to ``digits`` significant digits."""
    return {p: _sig(result.best[p], digits) for p in result.parameters}


def overlay(values: dict[str, Any]) -> dict[str, Any]:
    """Nested mapping of dotted paths to values (e.g. ``{"mechanisms": {"insurgency": {...}}}``)."""
    out: dict[str, Any] = {}
    for dotted, value in values.items():
        node = out
        *parents, leaf = dotted.split(".")
        for part in parents:
            node = node.setdefault(part, {})
        node[leaf] = value
    return out


def best_yaml(result: CalibrationResult, cal: CalibrationFile, spec_hash: str, when: str | None = None) -> str:
    """Text of ``best.yaml``: the chosen values as an overlay, with provenance comments."""
    b = result.best
    when = when or dt.datetime.now(dt.UTC).isoformat(timespec="seconds")
    lines = [
        "# Calibrated mechanism parameters (issue 4), written by `python -m sahel_sim calibrate`.",
        f"# date: {when}",
        f"# calibration file: {cal.path} (sha256 {cal.sha256})",
        f"# sweep spec hash: {spec_hash}; base scenario: {Path(cal.sweep.base).name}",
        f"# design: {cal.sweep.design}, {len(result.points)} points x {cal.sweep.replicates} replicates, "
        f"root seed {cal.sweep.seed}",
        f"# target: {cal.target.measure}, area {cal.target.area}, years {result.years[0]}-{result.years[-1]}",
        f"# {LOSS_DEFINITION}; spearman_weight {cal.target.spearman_weight}",
        f"# chosen: design point {int(b['point_index'])} (id {b['point_id']}), "
        f"{int(b['replicates_ok'])} replicates: loss {b['loss']:.4f}, "
        f"mean_abs_log10_error {b['mean_abs_log10_error']:.4f}, spearman_rho {b['spearman_rho']:.4f}, "
        f"pearson_r {b['pearson_r']:.4f}",
        "# Values rounded to 4 significant digits. Use as an overlay: a scenario that `extends` one",
        "# file and copies this `mechanisms:` block, or --set each dotted path.",
    ]
    body = yaml.safe_dump(overlay(best_values(result)), sort_keys=False, default_flow_style=False)
    return "\n".join(lines) + "\n" + body


def write_outputs(result: CalibrationResult, cal: CalibrationFile, out: Path, spec_hash: str) -> list[Path]:
    """Write ``calibration.csv``, ``best_years.csv``, ``best.yaml``, ``calibration.json`` and the figure.

    Args:
        result: The scored calibration.
        cal: The calibration file.
        out: The calibration folder.
        spec_hash: Hash of the sweep spec (recorded in ``best.yaml``).

    Returns:
        The files written.
    """
    from sahel_sim.analysis.sweep.store import atomic_write_bytes
    from sahel_sim.runs.provenance import provenance

    when = dt.datetime.now(dt.UTC).isoformat(timespec="seconds")
    csv = result.points.sort_values("point_index").to_csv(index=False, float_format="%.6g")
    atomic_write_bytes(out / "calibration.csv", csv.encode())
    atomic_write_bytes(out / "best_years.csv", result.best_table.to_csv(index=False, float_format="%.6g").encode())
    atomic_write_bytes(out / "best.yaml", best_yaml(result, cal, spec_hash, when).encode())
    b = result.best
    info = {
        "calibration_file": str(cal.path),
        "calibration_sha256": cal.sha256,
        "date": when,
        "sweep_spec_hash": spec_hash,
        "target": cal.target.model_dump(mode="json"),
        "simulated_measure": f"{SIMULATED} (deaths/year, weekly deaths shared between years by days)",
        "loss": LOSS_DEFINITION,
        "years": result.years,
        "design": cal.sweep.design,
        "points": len(result.points),
        "replicates": cal.sweep.replicates,
        "parameters": {
            p: {"low": _plain(r.low), "high": _plain(r.high)} if hasattr(r, "low") else r
            for p, r in cal.sweep.vary.items()
        },
        "best": {
            "point_index": int(b["point_index"]),
            "point_id": str(b["point_id"]),
            "values": best_values(result),
            "values_exact": {p: _plain(b[p]) for p in result.parameters},
            **{
                k: _finite_or_none(b[k])
                for k in (
                    "replicates_ok",
                    "loss",
                    "mean_abs_log10_error",
                    "mean_log10_bias",
                    "spearman_rho",
                    "pearson_r",
                    "pearson_r_log10",
                    "coverage_90",
                )
            },
        },
        "provenance": provenance(),
        "files": list(FILES),
    }
    atomic_write_bytes(out / "calibration.json", (json.dumps(info, indent=2, default=str) + "\n").encode())
    plot(result, out / "calibration.png", cal.target.spearman_weight)
    return [out / name for name in FILES]


def _plain(value: Any) -> Any:
    if isinstance(value, np.generic):
        return value.item()
    if isinstance(value, dt.date):
        return value.isoformat()
    return value


def _finite_or_none(value: Any) -> Any:
    value = _plain(value)
    return None if isinstance(value, float) and not math.isfinite(value) else value


def plot(result: CalibrationResult, path: Path, spearman_weight: float):
    """Draw loss against each parameter, and observed against the chosen point's median and band.

    Args:
        result: The scored calibration.
        path: The PNG file to write.
        spearman_weight: lambda, shown in the title.

    Returns:
        The figure (closed).
    """
    from sahel_sim.runs import plot_style as ps

    return ps.styled(_plot)(result, path, spearman_weight)


def _plot(result: CalibrationResult, path: Path, spearman_weight: float):
    from sahel_sim.runs import plot_style as ps

    plt = ps.plt
    params = result.parameters
    panels = len(params) + 1
    cols = min(3, panels)
    rows = math.ceil(panels / cols)
    fig, axes = plt.subplots(rows, cols, figsize=(4.2 * cols, 3.4 * rows), squeeze=False, layout="constrained")
    flat = axes.ravel()
    pts = result.points[np.isfinite(result.points["loss"].to_numpy(dtype=float))]
    defined = np.isfinite(pts["spearman_rho"].to_numpy(dtype=float))
    colours = plt.get_cmap("viridis")
    sc = None
    for ax, name in zip(flat, params, strict=False):
        ax.scatter(
            pts.loc[~defined, name],
            pts.loc[~defined, "loss"],
            color="0.6",
            s=18,
            edgecolors="none",
            label="point, Spearman undefined" if (~defined).any() else None,
        )
        sc = ax.scatter(
            pts.loc[defined, name],
            pts.loc[defined, "loss"],
            c=pts.loc[defined, "spearman_rho"],
            cmap=colours,
            vmin=-1,
            vmax=1,
            s=18,
            edgecolors="none",
            label="design point (colour: Spearman)",
        )
        ax.scatter(
            [result.best[name]], [result.best["loss"]], marker="*", s=160, color="red", label="chosen point", zorder=3
        )
        ax.set_xlabel(ps.parameter_label(name), fontsize=8)
        ax.set_ylabel("loss (lower is better)")
    flat[0].legend(fontsize=7)
    if sc is not None:
        fig.colorbar(sc, ax=flat[: len(params)].tolist(), shrink=0.6, label="Spearman rank correlation")
    ax = flat[len(params)]
    t = result.best_table
    floor = 1.0
    runs = int(result.best["replicates_ok"])
    if ps.band_allowed(runs):
        ax.fill_between(
            t["year"],
            t["sim_q05"].clip(lower=floor),
            t["sim_q95"].clip(lower=floor),
            color="tab:blue",
            alpha=0.25,
            label=f"chosen, 5-95 % of {runs} runs",
        )
    ax.plot(
        t["year"], t["sim_median"].clip(lower=floor), color="tab:blue", lw=2, label=f"chosen, median of {runs} runs"
    )
    ax.plot(t["year"], t["observed"], color="black", lw=2, marker="o", label="observed (UCDP)")
    ax.set_yscale("log")
    ps.log_count_axis(ax)
    ax.set_ylabel(f"deaths per year in {ps.area_name(result.area)}")
    ax.set_xticks(list(t["year"]), [str(y) for y in t["year"]], rotation=90, fontsize=7)
    ax.legend(fontsize=7)
    ax.grid(True, which="both", alpha=0.3)
    ax.set_title(ps.replicates_note(runs, "runs of the chosen point"), fontsize=8)
    for extra in flat[panels:]:
        extra.set_visible(False)
    b = result.best
    fig.suptitle(
        f"Calibration over {len(result.points)} points: chosen loss {b['loss']:.3f} "
        f"(mean absolute log10 error {b['mean_abs_log10_error']:.3f}, Spearman {b['spearman_rho']:.2f}, "
        f"lambda {spearman_weight:g})",
        fontsize=10,
    )
    ps.save(fig, path)
    return fig
