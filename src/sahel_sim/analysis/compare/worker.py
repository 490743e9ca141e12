"""The unit of work of a comparison: one seed's family of runs, each recorded like a sweep run."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from typing import cast

import pandas as pd

from sahel_sim.analysis.compare.handovers import milestones
from sahel_sim.analysis.sweep.tables import final_metrics
from sahel_sim.analysis.sweep.worker import Outcome, code_hash
from sahel_sim.model.events import Event
from sahel_sim.model.sahel_model import SahelModel
from sahel_sim.runs.family import simulate_family
from sahel_sim.scenario.schema import Scenario


@dataclass(frozen=True)
class FamilyTask:
    """The runs of one seed still to do.

    Attributes:
        run_id: A name for the task (executors use it in task keys).
        replicate: The replicate (seed index).
        seed: The seed of every run.
        reference: The reference scenario (its history is shared).
        reference_run: The reference's run id if its run is wanted, else None.
        variants: ``(run_id, scenario)`` of the alternatives' runs wanted.
        branching: Whether the alternatives continue the reference's history.
    """

    run_id: str
    replicate: int
    seed: int
    reference: Scenario
    reference_run: str | None
    variants: tuple[tuple[str, Scenario], ...]
    branching: bool = True


@dataclass
class RunResult:
    """One run's outcome (as a sweep records it) and its diplomatic posts' closures."""

    outcome: Outcome
    closures: pd.DataFrame | None
    branched_on: dt.date | None = None
    milestones: pd.DataFrame | None = None


def post_closures(events: Iterable[Event]) -> pd.DataFrame:
    """Every closure of a diplomatic post in a run's event log.

    Reads ``post_status`` events (``target``: the post, ``detail``: ``"<old> -> <new>: reason"``).
    This is the only place that knows how a closure is logged.

    Args:
        events: A run's events (``model.log.events``).

    Returns:
        Columns ``post`` and ``date`` (``datetime64``), one row per closure, in date order.
    """
    rows = [(e.target, e.date) for e in events if e.kind == "post_status" and "-> closed" in e.detail]
    return pd.DataFrame(
        {"post": [str(p) for p, _ in rows], "date": pd.to_datetime([d for _, d in rows]).astype("datetime64[ns]")}
    )


def _extract(model: SahelModel, scenario: Scenario, seed: int, wall_seconds: float) -> tuple:
    """What a comparison keeps of a finished run: weekly table, wall time, post closures, milestones."""
    events = model.log.events
    return model.metrics.frame(), wall_seconds, post_closures(events), milestones(events)


def run_family(task: FamilyTask) -> list[RunResult]:
    """Simulate one seed's runs (never raises for a failing run; each failure is recorded)."""
    members = simulate_family(
        task.reference,
        task.seed,
        list(task.variants),
        reference_key=task.reference_run,
        branching=task.branching,
        extract=_extract,
    )
    results = []
    for member in members:
        if member.output is None:
            outcome = Outcome(member.key, False, 0.0, member.error, code_hash=code_hash())
            results.append(RunResult(outcome, None))
            continue
        timeseries, wall, closures, changes = cast(tuple, member.output)  # what _extract returns
        outcome = Outcome(member.key, True, wall, None, timeseries, final_metrics(timeseries), code_hash())
        results.append(RunResult(outcome, closures, member.branched_on, changes))
    return results
