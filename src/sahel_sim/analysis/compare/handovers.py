"""What a comparison says about the closing camps' sites and the peace accords.

Each run's milestones (who holds each vacated camp's site from when, and when each accord collapsed)
are kept per run; from them come, per scenario, who holds each site at the window's end, the share
of paired seeds in which the holder differs from the reference's, and each accord's chance of
collapsing within the window among the seeds in which it still stood at the window's start. Shares
carry 95 % Wilson intervals (:func:`sahel_sim.analysis.compare.stats.wilson_interval`).
"""

from __future__ import annotations

from collections.abc import Iterable

import pandas as pd

from sahel_sim.analysis.compare import stats
from sahel_sim.analysis.compare.plan import ComparePlan
from sahel_sim.analysis.sweep.store import SweepStore
from sahel_sim.model.events import Event
from sahel_sim.model.phases.handover import holder_of

FOLDER = "milestones"


def milestones(events: Iterable[Event]) -> pd.DataFrame:
    """A run's changes of site holder (``kind`` "holder", ``value`` the new holder) and accord collapses.

    Holders are ``state``, an armed group's name or ``nobody``, read back by
    :func:`~sahel_sim.model.phases.handover.holder_of` from the ``camp_handover`` and ``site_control``
    events; collapses are the ``accord_collapse`` events.
    """
    rows = []
    for e in events:
        if e.kind in ("camp_handover", "site_control"):
            rows.append(("holder", e.target, e.date, holder_of(e.actor)))
        elif e.kind == "accord_collapse":
            rows.append(("accord_collapse", e.target, e.date, e.detail))
    frame = pd.DataFrame(rows, columns=["kind", "name", "date", "value"])
    frame["date"] = pd.to_datetime(frame["date"]).astype("datetime64[ns]")
    return frame


def _per_run(plan: ComparePlan, store: SweepStore) -> dict[str, dict[int, pd.DataFrame]]:
    runs = store.read("runs")
    runs = runs[
        (runs["status"] == "ok")
        & runs["run_id"].isin({plan.run_id(a, r) for a in plan.arms for r in range(plan.seeds)})
    ]
    out: dict[str, dict[int, pd.DataFrame]] = {a.label: {} for a in plan.arms}
    labels = {a.index: a.label for a in plan.arms}
    for run in runs.itertuples():
        path = store.folder / FOLDER / f"{run.run_id}.parquet"
        if path.exists():
            out[labels[run.point_index]][run.replicate] = pd.read_parquet(path)
    return out


def _holder_on(frame: pd.DataFrame, site: str, day: pd.Timestamp) -> str:
    changes = frame[(frame["kind"] == "holder") & (frame["name"] == site) & (frame["date"] <= day)]
    return str(changes["value"].iloc[-1]) if len(changes) else "open camp"


def sites(plan: ComparePlan, store: SweepStore) -> pd.DataFrame:
    """Who holds each vacated site at the window's end, per scenario, and how often that differs.

    Returns:
        One row per site, scenario and holder: ``site``, ``scenario``, ``holder`` ("state", an armed
        group, "nobody", or "open camp" when the camp has not closed), ``n`` (seeds), ``seeds``
        (holding it), ``share`` with ``wilson_low``/``high``; and one row per site and alternative
        with ``holder`` = "differs from reference": the seeds, among those both ran, in which the
        holders differ.
    """
    runs = _per_run(plan, store)
    end = pd.Timestamp(plan.window[1])
    names = sorted({n for arm in runs.values() for f in arm.values() for n in f.loc[f["kind"] == "holder", "name"]})
    holders = {
        label: {r: {s: _holder_on(f, s, end) for s in names} for r, f in arm.items()} for label, arm in runs.items()
    }
    ref = holders[plan.reference.label]
    rows = []
    for arm in plan.arms:
        mine = holders[arm.label]
        n = len(mine)
        for site in names:
            counts = pd.Series([h[site] for h in mine.values()]).value_counts()
            for holder, k in counts.items():
                rows.append(_share_row(site, arm.label, str(holder), int(k), n))
            common = sorted(set(mine) & set(ref))
            if arm.index and common:
                k = sum(mine[r][site] != ref[r][site] for r in common)
                rows.append(_share_row(site, arm.label, "differs from reference", k, len(common)))
    return pd.DataFrame(
        rows, columns=["site", "scenario", "holder", "n", "seeds", "share", "wilson_low", "wilson_high"]
    )


def accords(plan: ComparePlan, store: SweepStore) -> pd.DataFrame:
    """Each accord's chance of collapsing within the window among the seeds where it stood at its start.

    Returns:
        One row per accord and scenario: ``accord``, ``scenario``, ``n`` (seeds where it stood at the
        window's start), ``seeds`` (of those, collapsed by its end), ``share`` with its Wilson interval,
        and ``median_collapse`` (the median date of those collapses).
    """
    runs = _per_run(plan, store)
    start, end = (pd.Timestamp(d) for d in plan.window)
    names = [a.name for a in plan.reference.scenario.accords]
    rows = []
    for arm in plan.arms:
        for name in names:
            dates = []
            for frame in runs[arm.label].values():
                c = frame[(frame["kind"] == "accord_collapse") & (frame["name"] == name)]
                dates.append(c["date"].iloc[0] if len(c) else None)
            standing = [d for d in dates if d is None or d >= start]
            within = sorted(d for d in standing if d is not None and d <= end)
            row = _share_row(name, arm.label, "collapsed", len(within), len(standing))
            row["median_collapse"] = within[len(within) // 2].date().isoformat() if within else ""
            rows.append(row)
    frame = pd.DataFrame(rows)
    return frame.rename(columns={"site": "accord"}).drop(columns="holder") if len(frame) else frame


def _share_row(site: str, scenario: str, holder: str, k: int, n: int) -> dict:
    low, high = stats.wilson_interval(k, n)
    share = k / n if n else float("nan")
    return {
        "site": site,
        "scenario": scenario,
        "holder": holder,
        "n": n,
        "seeds": k,
        "share": share,
        "wilson_low": low,
        "wilson_high": high,
    }


def sentences(plan: ComparePlan, site_table: pd.DataFrame, accord_table: pd.DataFrame) -> list[str]:
    """Plain sentences for summary.md: holders that differ, and accords' collapse chances."""
    out = []
    differs = site_table[site_table["holder"] == "differs from reference"]
    for row in differs.itertuples():
        out.append(
            f"- {row.site}: the holder at {plan.window[1]} differs from {plan.reference.label}'s in "
            f"{row.seeds} of {row.n} paired seeds under {row.scenario} "
            f"({100 * row.share:.0f} % [{100 * row.wilson_low:.0f} %, {100 * row.wilson_high:.0f} %])."
        )
    for row in accord_table.itertuples() if len(accord_table) else ():
        out.append(
            f"- {row.accord} under {row.scenario}: collapsed within the window in {row.seeds} of the {row.n} "
            f"seeds where it still stood at {plan.window[0]} ({100 * row.share:.0f} % "
            f"[{100 * row.wilson_low:.0f} %, {100 * row.wilson_high:.0f} %])"
            + (f", median date {row.median_collapse}." if row.median_collapse else ".")
        )
    return out
