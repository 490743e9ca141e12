"""Summaries of a finished (or partly finished) sweep folder: tables and figures, from files only.

Per design point and metric: replicates, mean, standard deviation, median, 5-95% band (only from at
least :data:`MIN_BAND_REPLICATES` replicates; empty otherwise) and the 95% confidence interval of
the mean (Student t). Every metric is a count, share, index or number of people, so no interval is
reported below 0. If the sweep names a ``reference`` point (grid and list designs, whose replicates
share seeds), each point's paired difference from it over replicates, with its 95% bootstrap
interval (:mod:`sahel_sim.analysis.compare.stats`), is added to the table and drawn as heat maps.
Figures: each metric against the first varied parameter with its band (one line per value of the
other parameters), heat maps for two-parameter grids, and sensitivity indices for sobol and morris.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from sahel_sim.analysis.sweep.spec import SweepSpec
from sahel_sim.analysis.sweep.store import SweepStore
from sahel_sim.runs.plot_style import MIN_BAND_REPLICATES

#: Metrics of the final table summarised unless others are asked for.
DEFAULT_METRICS = (
    "final_stability_index",
    "mean_stability_index",
    "total_fatalities_civilian",
    "total_fatalities_total",
    "final_state_control_share",
    "final_displaced",
    "final_posts_open",
)


def load(sweep_dir: Path | str, area: str = "ML") -> tuple[SweepSpec, list[str], pd.DataFrame]:
    """The spec, the varied parameters and the successful runs' final metrics for one area.

    Args:
        sweep_dir: The sweep folder.
        area: ``ALL`` or an ISO country code (``ML``, ``BF``, ``NE``, ``MR``, ``TD``).

    Returns:
        Spec, varied dotted paths, and one row per run with its point's varied values.
    """
    store = SweepStore(sweep_dir)
    info = store.read_json("spec.json")
    spec = SweepSpec.model_validate(info["spec"])
    final = store.read("final")
    final = final[final["area"] == area].drop(columns="area")
    points = store.read("points")
    table = final.merge(points, on="point_index", how="left", validate="many_to_one")
    return spec, list(info["varied"]), table


def summarise(table: pd.DataFrame, varied: list[str], metrics: list[str]) -> pd.DataFrame:
    """Statistics over replicates per design point and metric (long format).

    Args:
        table: Final metrics per run with ``point_index`` and the varied columns.
        varied: Varied parameter columns.
        metrics: Metric columns to summarise.

    Returns:
        Columns ``point_index``, the varied parameters, ``metric``, ``n``, ``mean``, ``sd``,
        ``median``, ``p05``, ``p95``, ``ci95_low``, ``ci95_high`` (the metric's own units).
    """
    from scipy import stats

    keys = ["point_index", *varied]
    long = table.melt(id_vars=keys, value_vars=metrics, var_name="metric")
    grouped = long.groupby([*keys, "metric"], dropna=False, sort=True)["value"]
    out = grouped.agg(
        n="count",
        mean="mean",
        sd="std",
        median="median",
        p05=lambda v: v.quantile(0.05),
        p95=lambda v: v.quantile(0.95),
    ).reset_index()
    half = stats.t.ppf(0.975, np.maximum(out["n"] - 1, 1)) * out["sd"] / np.sqrt(out["n"])
    half = half.where(out["n"] > 1)
    out["ci95_low"] = (out["mean"] - half).clip(lower=0.0)
    out["ci95_high"] = out["mean"] + half
    few = out["n"] < MIN_BAND_REPLICATES
    out.loc[few, ["p05", "p95"]] = np.nan
    return out.sort_values(["metric", "point_index"], kind="stable").reset_index(drop=True)


def paired(table: pd.DataFrame, metrics: list[str], reference: int) -> pd.DataFrame:
    """Each design point's paired difference from the reference point over shared replicates.

    Args:
        table: Final metrics per run with ``point_index`` and ``replicate``.
        metrics: Metric columns.
        reference: ``point_index`` of the reference point.

    Returns:
        Columns ``point_index``, ``metric``, ``paired_n``, ``paired_difference`` (point minus
        reference, the metric's unit), ``paired_ci_low``/``paired_ci_high`` (95% bootstrap) and
        ``paired_relative_change``; the reference's own rows are 0.
    """
    from sahel_sim.analysis.compare.stats import paired_effect

    ref = table[table["point_index"] == reference].set_index("replicate")
    rows = []
    for index, group in table.groupby("point_index", sort=True):
        both = group.set_index("replicate")[metrics].merge(
            ref[metrics], left_index=True, right_index=True, suffixes=("", "_ref")
        )
        both = both.sort_index()
        if len(both) == 0:
            continue
        for metric in metrics:
            e = paired_effect(both[f"{metric}_ref"].to_numpy(), both[metric].to_numpy())
            rows.append(
                {
                    "point_index": index,
                    "metric": metric,
                    "paired_n": e["n"],
                    "paired_difference": e["difference"],
                    "paired_ci_low": e["ci_low"],
                    "paired_ci_high": e["ci_high"],
                    "paired_relative_change": e["relative_change"],
                }
            )
    return pd.DataFrame(rows)


def write_report(
    sweep_dir: Path | str, out: Path | str | None = None, area: str = "ML", metrics: list[str] | None = None
) -> list[Path]:
    """Write the summary CSV, the figures and (sobol/morris) the sensitivity table.

    Args:
        sweep_dir: The sweep folder.
        out: Folder for the report (default: ``<sweep_dir>/report``).
        area: Area whose metrics are reported.
        metrics: Final-table columns to report (default: :data:`DEFAULT_METRICS`).

    Returns:
        The files written.
    """
    from sahel_sim.analysis.sweep import plots, sensitivity

    spec, varied, table = load(sweep_dir, area)
    metrics = _pick_metrics(table, metrics)
    out = Path(out) if out is not None else Path(sweep_dir) / "report"
    out.mkdir(parents=True, exist_ok=True)
    written = []
    summary = summarise(table, varied, metrics)
    reference = SweepStore(sweep_dir).read_json("spec.json").get("reference_point")
    if reference is not None:
        summary = summary.merge(paired(table, metrics, reference), on=["point_index", "metric"], how="left")
    summary.to_csv(out / f"by_point_{area}.csv", index=False, float_format="%.6g")
    written.append(out / f"by_point_{area}.csv")
    if spec.design in ("grid", "list"):
        for metric in metrics:
            rows = summary[summary["metric"] == metric]
            path = out / f"{metric}_{area}.png"
            plots.metric_vs_parameter(rows, varied, metric, area, path)
            written.append(path)
            if spec.design == "grid" and len(varied) == 2:
                path = out / f"heatmap_{metric}_{area}.png"
                plots.heat_map(rows, varied, metric, area, path)
                written.append(path)
                if reference is not None:
                    path = out / f"heatmap_paired_{metric}_{area}.png"
                    plots.heat_map(rows, varied, metric, area, path, paired=True)
                    written.append(path)
    if spec.design in ("sobol", "morris"):
        points = SweepStore(sweep_dir).read("points")
        tables = []
        for metric in metrics:
            means = table.groupby("point_index")[metric].mean()
            result = sensitivity.indices(spec, points, means)
            result.insert(0, "metric", metric)
            tables.append(result)
            path = out / f"sensitivity_{metric}_{area}.png"
            sensitivity.bar_chart(result, metric, spec.design, path)
            written.append(path)
        pd.concat(tables).to_csv(out / f"sensitivity_{area}.csv", index=False, float_format="%.6g")
        written.append(out / f"sensitivity_{area}.csv")
    return written


def _pick_metrics(table: pd.DataFrame, metrics: list[str] | None) -> list[str]:
    if not metrics:
        return [m for m in DEFAULT_METRICS if m in table.columns]
    unknown = [m for m in metrics if m not in table.columns]
    if unknown:
        known = sorted(c for c in table.columns if c.startswith(("final_", "total_", "mean_", "min_")))
        raise ValueError(f"unknown metric(s) {unknown}; choose from {known}")
    return list(metrics)
