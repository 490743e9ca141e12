"""Run a scenario: simulate in memory, then (optionally) write one results folder atomically.

:func:`simulate` is the unit of work that sweeps and the browser replay share; :func:`run_scenario`
adds the results folder.
"""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any

import pandas as pd

from sahel_sim.model.phases.handover import holder_of
from sahel_sim.model.sahel_model import SahelModel
from sahel_sim.runs.new_model import new_model
from sahel_sim.runs.output import RunOutput
from sahel_sim.runs.results import write_results
from sahel_sim.scenario.schema import Scenario

ProgressCallback = Callable[[int, int, dt.date], None]


def simulate(
    scenario: Scenario,
    seed: int | None = None,
    progress: ProgressCallback | None = None,
    check: bool = False,
    events: bool = True,
) -> RunOutput:
    """Run a scenario from its start to its end date in memory.

    Args:
        scenario: The validated scenario.
        seed: Random seed; default the scenario's own ``seed``.
        progress: Called after every week with (weeks done, weeks in all, date simulated).
        check: Check the model's invariants after every week (:mod:`sahel_sim.model.invariants`).
        events: Build the event table and the summary; False skips both (a sweep stores only the
            weekly table), leaving ``events`` and ``summary`` None.

    Returns:
        The run's tables and summary.

    Raises:
        InvariantError: With ``check``, at the first week whose state breaks an invariant.

    """
    seed = scenario.seed if seed is None else int(seed)
    started = time.perf_counter()
    model = new_model(scenario, seed)
    total = scenario.weeks
    while model.running:
        model.step()
        if check:
            _check(model)
        if progress is not None:
            progress(model.weeks_run, total, model.date)
    return finish(model, scenario, seed, time.perf_counter() - started, events)


def finish(model: SahelModel, scenario: Scenario, seed: int, wall_seconds: float, events: bool = True) -> RunOutput:
    """The tables and summary of a model that has run to its end (see :func:`simulate`).

    Args:
        model: The finished model.
        scenario: The scenario it ran.
        seed: Its seed.
        wall_seconds: Wall-clock time to record, seconds.
        events: Build the event table and the summary (else both are None).
    """
    timeseries = model.metrics.frame()
    log = model.log.to_frame() if events else None
    summary = summarise(scenario, seed, timeseries, log) if events else None
    return RunOutput(scenario, seed, timeseries, log, summary, wall_seconds)


def _check(model: SahelModel) -> None:
    """Raise :class:`~sahel_sim.model.invariants.InvariantError` if the model's state breaks an invariant."""
    from sahel_sim.model.invariants import InvariantError, check_invariants

    problems = check_invariants(model)
    if problems:
        raise InvariantError(model.weeks_run - 1, model.date, problems)


def summarise(scenario: Scenario, seed: int, timeseries: pd.DataFrame, events: pd.DataFrame) -> dict:
    """Headline numbers of a run: totals, final state, and the dates that matter.

    Args:
        scenario: The scenario that ran.
        seed: Its seed.
        timeseries: The run's weekly table.
        events: The run's event log.

    Returns:
        A JSON-ready mapping.

    """
    out: dict = {
        "scenario": scenario.name,
        "seed": seed,
        "start": scenario.start.isoformat(),
        "end": scenario.end.isoformat(),
        "weeks": int(timeseries["date"].nunique()),
    }
    areas = {}
    for area, frame in timeseries.groupby("area", sort=False):
        last = frame.iloc[-1]
        areas[area] = {
            "fatalities_total": int(frame["fatalities_total"].sum()),
            "fatalities_civilian": int(frame["fatalities_civilian"].sum()),
            "fatalities_army": int(frame["fatalities_army"].sum()),
            "fatalities_insurgent": int(frame["fatalities_insurgent"].sum()),
            "fatalities_peacekeeper": int(frame["fatalities_peacekeeper"].sum()),
            "events_total": int(frame["events_total"].sum()),
            "final_state_control_share": round(float(last["state_control_share"]), 6),
            "final_displaced": round(float(last["displaced"])),
            "final_posts_open": int(last["posts_open"]),
            "mean_stability_index": round(float(frame["stability_index"].mean()), 4),
            "final_stability_index": round(float(last["stability_index"]), 4),
        }
    out["areas"] = areas
    closures = events[(events["kind"] == "post_status") & events["detail"].str.contains("-> closed")]
    out["post_closures"] = [
        {"date": d.date().isoformat(), "post": t, "reason": r}
        for d, t, r in zip(closures["date"], closures["target"], closures["detail"], strict=True)
    ]
    out["posts"] = post_timelines(scenario, events)
    out.update(handover_summary(events))
    out["blockades"] = blockade_spells(scenario, events)
    return out


def handover_summary(events: pd.DataFrame) -> dict:
    """The closing camps' handovers, later changes of their sites' holders, and the accords' fates.

    Args:
        events: A run's event log.

    Returns:
        ``camp_closures`` (date, camp, outcome, holder, detail per camp), ``site_holders`` (each site's
        holder at the end: "state", an armed group, or "nobody") and ``accords`` (name, signed and
        collapse dates, reason).

    """
    rows = events[events["kind"].isin(["camp_handover", "site_control"])]
    closures, holders = [], {}
    for d, kind, actor, site, detail in zip(
        rows["date"], rows["kind"], rows["actor"], rows["target"], rows["detail"], strict=True
    ):
        holder = holder_of(actor)
        holders[site] = holder
        if kind == "camp_handover":
            outcome, _, why = detail.partition(": ")
            day = d.date().isoformat()
            closures.append({"date": day, "camp": site, "outcome": outcome, "holder": holder, "detail": why})
    accords: dict[str, dict] = {}
    for d, kind, name, detail in zip(events["date"], events["kind"], events["target"], events["detail"], strict=True):
        if kind == "accord_signed":
            accords[name] = {"signed": d.date().isoformat(), "collapsed": None, "reason": ""}
        elif kind == "accord_collapse":
            accords[name].update(collapsed=d.date().isoformat(), reason=detail)
    return {
        "camp_closures": closures,
        "site_holders": holders,
        "accords": [{"name": n, **a} for n, a in accords.items()],
    }


def blockade_spells(scenario: Scenario, events: pd.DataFrame) -> list[dict]:
    """Every blockade of the run, in the order they started, from the event log.

    Args:
        scenario: The scenario that ran (its end closes blockades still in force).
        events: The run's event log.

    Returns:
        One ``{"town", "area", "faction", "start", "end", "weeks", "lifted"}`` per blockade (``area``: the
        town's country code); ``end`` is the
        scenario's end and ``lifted`` None for one still in force; else ``lifted`` is the reason
        (``ring_lost``, ``garrison_left`` or ``agreement``, docs/ODD.md "Blockades").

    """
    rows = events[events["kind"].isin(["blockade_started", "blockade_lifted"])]
    spells: list[dict] = []
    open_: dict[str, dict] = {}
    for date, kind, actor, town, area, detail in zip(
        rows["date"], rows["kind"], rows["actor"], rows["target"], rows["area"], rows["detail"], strict=True
    ):
        day = pd.Timestamp(date).date()
        if kind == "blockade_started":
            open_[town] = {"town": town, "area": area, "faction": actor, "start": day, "end": None, "lifted": None}
            spells.append(open_[town])
        elif town in open_:
            spell = open_.pop(town)
            spell["end"], spell["lifted"] = day, detail.split(":", 1)[0]
    for spell in spells:
        end = spell["end"] or scenario.end
        spell["weeks"] = (end - spell["start"]).days // 7
        spell["start"], spell["end"] = spell["start"].isoformat(), end.isoformat()
    return spells


def post_timelines(scenario: Scenario, events: pd.DataFrame) -> dict[str, list[dict]]:
    """Each post's status over time: its status at the start, then every change, in date order.

    Args:
        scenario: The scenario that ran (for its posts and their opening dates).
        events: The run's event log.

    Returns:
        Post name to a list of ``{"date", "status"}`` change points (``open``, ``reduced`` or
        ``closed``); changes made by the post's own decision also carry ``"reason"``, the event's detail.

    """
    out: dict[str, list[dict]] = {}
    for spec in scenario.post_list():
        opens = spec.opens if spec.opens is not None and spec.opens > scenario.start else None
        points = [{"date": scenario.start.isoformat(), "status": "closed" if opens else "open"}]
        if opens:
            points.append({"date": opens.isoformat(), "status": "open"})
        out[spec.name] = points
    changes = events[events["kind"] == "post_status"]
    for date, name, detail in zip(changes["date"], changes["target"], changes["detail"], strict=True):
        new = detail.split(":", 1)[0].split("->")[1].strip()
        out[name].append({"date": pd.Timestamp(date).date().isoformat(), "status": new, "reason": detail})
    for points in out.values():
        points.sort(key=lambda p: p["date"])  # stable: a change on the opening day follows the opening
    return out


def run_scenario(
    scenario: Scenario,
    seed: int | None = None,
    out: Path | str = "results",
    progress: ProgressCallback | None = None,
    source: str | None = None,
    check: bool = False,
    overrides: Sequence[str] = (),
    posterior: Mapping[str, Any] | None = None,
) -> Path:
    """Simulate and write one results folder under ``out`` (never overwriting; atomic).

    Args:
        scenario: The validated scenario.
        seed: Random seed; default the scenario's own.
        out: Parent folder for results folders.
        progress: Progress callback, see :func:`simulate`.
        source: Path of the scenario file, recorded in the manifest.
        check: Check the model's invariants after every week (see :func:`simulate`).
        overrides: The ``--set`` overrides applied to the scenario (``path=value``), recorded in the
            manifest and written into the folder's name.
        posterior: The posterior parameter set the scenario carries (``--posterior``), for the
            manifest (see :func:`sahel_sim.runs.results.write_results`).

    Returns:
        The finished results folder.

    """
    output = simulate(scenario, seed, progress, check=check)
    return write_results(output, Path(out), source=source, overrides=overrides, posterior=posterior)
