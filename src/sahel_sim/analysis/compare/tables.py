"""Tables of a comparison folder: window values per run and seed, effects, posts' closures.

Over the window ``[from, to]`` (weeks whose date lies in it), a metric counted per week (events,
deaths: unit ``.../week``) is summed; every other metric (shares, indices, people, personnel) is
averaged over the window's weeks. Only seeds in which both scenarios of a pair succeeded are paired.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import numpy as np
import pandas as pd

from sahel_sim.analysis.compare import stats
from sahel_sim.analysis.compare.plan import ComparePlan
from sahel_sim.analysis.sweep.store import SweepStore
from sahel_sim.analysis.sweep.tables import FLOWS

#: Metrics whose weekly series is kept for the effect-over-time figure: (column, cumulative).
SERIES = (("fatalities_total", True), ("stability_index", False))
#: Columns of the weekly table that are not metrics.
KEYS = ("date", "area")


def statistic(metric: str) -> str:
    """How a metric is condensed over the window: ``total`` for weekly counts, else ``mean``."""
    return "total" if metric in FLOWS else "mean"


def plan_runs(plan: ComparePlan, store: SweepStore) -> pd.DataFrame:
    """The runs table restricted to this plan's runs (any status)."""
    runs = store.read("runs")
    wanted = {plan.run_id(a, r) for a in plan.arms for r in range(plan.seeds)}
    return runs[runs["run_id"].isin(wanted)]


def window_values(plan: ComparePlan, store: SweepStore) -> tuple[pd.DataFrame, dict]:
    """Read every successful run's weekly table once, condensing it to the window.

    Returns:
        ``per_seed``: one row per scenario, replicate and area with ``seed`` and every metric
        condensed over the window; and ``series``: ``{(metric, area): {label: array (replicates,
        weeks)}}`` with the weekly values (cumulative for counts) of :data:`SERIES`, rows in
        replicate order, plus ``"dates"`` and ``"replicates"`` per label.
    """
    runs = plan_runs(plan, store)
    runs = runs[runs["status"] == "ok"].sort_values(["point_index", "replicate"])
    start, end = (pd.Timestamp(d) for d in plan.window)
    labels = {a.index: a.label for a in plan.arms}
    rows: list[dict] = []
    weekly: dict = {}
    for run in runs.itertuples():
        ts = pd.read_parquet(store.folder / "timeseries" / f"{run.run_id}.parquet")
        ts = ts[(ts["date"] >= start) & (ts["date"] <= end) & ts["area"].isin(plan.areas)]
        metrics = [c for c in ts.columns if c not in (*KEYS, "run_id")]
        groups = ts.groupby("area", sort=False)
        flows = [m for m in metrics if statistic(m) == "total"]
        levels = [m for m in metrics if statistic(m) == "mean"]
        condensed = pd.concat([groups[flows].sum(), groups[levels].mean()], axis=1)[metrics].reset_index()
        condensed.insert(0, "seed", run.seed)
        condensed.insert(0, "replicate", run.replicate)
        condensed.insert(0, "scenario", labels[run.point_index])
        rows.append(condensed)
        for metric, cumulative in SERIES:
            for area, frame in groups:
                values = frame[metric].to_numpy(dtype=float)
                weekly.setdefault((metric, area), {}).setdefault(labels[run.point_index], {})[run.replicate] = (
                    np.cumsum(values) if cumulative else values
                )
                weekly.setdefault("dates", frame["date"].to_numpy())
    per_seed = pd.concat(rows, ignore_index=True) if rows else pd.DataFrame()
    return per_seed, weekly


def effects(plan: ComparePlan, per_seed: pd.DataFrame) -> pd.DataFrame:
    """Paired effects per alternative, area and metric (see :func:`stats.paired_effect`).

    Returns:
        One row per alternative, area and metric: ``alternative``, ``area``, ``metric``,
        ``statistic`` (``total`` or ``mean`` over the window), then the paired statistics.
    """
    metrics = [c for c in per_seed.columns if c not in ("scenario", "replicate", "seed", "area")]
    ref = per_seed[per_seed["scenario"] == plan.reference.label]
    out = []
    for arm in plan.alternatives:
        alt = per_seed[per_seed["scenario"] == arm.label]
        pairs = ref.merge(alt, on=["replicate", "area"], suffixes=("_ref", "_alt"), validate="one_to_one")
        for area in plan.areas:
            both = pairs[pairs["area"] == area].sort_values("replicate")
            if both.empty:
                continue
            for metric in metrics:
                effect = stats.paired_effect(both[f"{metric}_ref"].to_numpy(), both[f"{metric}_alt"].to_numpy())
                out.append(
                    {"alternative": arm.label, "area": area, "metric": metric, "statistic": statistic(metric), **effect}
                )
    return pd.DataFrame(out)


def bands(plan: ComparePlan, weekly: dict) -> dict:
    """Paired effect over the window's weeks with its band: ``{(metric, area, alternative): dict}``."""
    out = {}
    for (metric, area), by_label in ((k, v) for k, v in weekly.items() if k != "dates"):
        ref = by_label.get(plan.reference.label, {})
        for arm in plan.alternatives:
            alt = by_label.get(arm.label, {})
            common = sorted(set(ref) & set(alt))
            if len(common) < 2:
                continue
            band = stats.paired_band(np.stack([ref[r] for r in common]), np.stack([alt[r] for r in common]))
            out[(metric, area, arm.label)] = band
    return out


def posts(plan: ComparePlan, store: SweepStore) -> pd.DataFrame:
    """Probability that each diplomatic post closes within the window, per scenario, and the paired difference.

    Returns:
        One row per post and scenario: ``post``, ``scenario``, ``n`` (seeds), ``closed`` (seeds in
        which it closed at least once in the window), ``probability``, ``wilson_low``/``high``
        (95 %), and for alternatives the paired ``difference`` in probability with its 95 %
        bootstrap interval ``ci_low``/``ci_high`` over the seeds both scenarios ran.
    """
    runs = plan_runs(plan, store)
    runs = runs[runs["status"] == "ok"]
    start, end = (pd.Timestamp(d) for d in plan.window)
    names = [p.name for p in plan.reference.scenario.post_list()]
    closed: dict[str, pd.DataFrame] = {}
    for arm in plan.arms:
        mine = runs[runs["point_index"] == arm.index]
        table = pd.DataFrame(False, index=sorted(mine["replicate"]), columns=names)
        for run in mine.itertuples():
            path = store.folder / "closures" / f"{run.run_id}.parquet"
            if not path.exists():
                continue
            c = pd.read_parquet(path)
            c = c[(c["date"] >= start) & (c["date"] <= end)]
            for post in set(c["post"]) & set(names):
                table.loc[run.replicate, post] = True
        closed[arm.label] = table
    rows = []
    ref = closed[plan.reference.label]
    for arm in plan.arms:
        table = closed[arm.label]
        common = ref.index.intersection(table.index)
        for post in names:
            k, n = int(table[post].sum()), len(table)
            low, high = stats.wilson_interval(k, n)
            row = {"post": post, "scenario": arm.label, "n": n, "closed": k, "probability": k / n if n else np.nan}
            row.update({"wilson_low": low, "wilson_high": high})
            if arm.index and len(common):
                e = stats.paired_effect(ref.loc[common, post].to_numpy(float), table.loc[common, post].to_numpy(float))
                row.update({"difference": e["difference"], "ci_low": e["ci_low"], "ci_high": e["ci_high"]})
            rows.append(row)
    return pd.DataFrame(rows)


def window_label(window: tuple[dt.date, dt.date]) -> str:
    """``2023-07…2025-12``: the window's months."""
    return f"{window[0]:%Y-%m}…{window[1]:%Y-%m}"


def failures(plan: ComparePlan, folder: Path) -> pd.DataFrame:
    """Failed runs of the plan: scenario, replicate, seed and the error's last line."""
    runs = plan_runs(plan, SweepStore(folder))
    bad = runs[runs["status"] == "failed"].sort_values(["point_index", "replicate"])
    last = bad["error"].fillna("").str.strip().str.split("\n").str[-1]
    return pd.DataFrame(
        {"scenario": bad["scenario"], "replicate": bad["replicate"], "seed": bad["seed"], "error": last}
    )
