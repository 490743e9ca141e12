"""A family of runs with one seed: a reference scenario and variants branching from its history.

:func:`simulate_family` simulates the reference once; at each variant's branch date
(:func:`sahel_sim.model.branching.branch_date`) it saves the model (:mod:`sahel_sim.runs.snapshot`) and, after the
reference, continues each variant from its saved state. A variant that shares nothing with the
reference runs from the start. Every run's outputs are byte-identical to a fresh
:func:`sahel_sim.runs.runner.simulate` of its scenario with the same seed.
"""

from __future__ import annotations

import datetime as dt
import time
import traceback
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from sahel_sim.model.branching import branch_date, continue_as
from sahel_sim.model.sahel_model import SahelModel
from sahel_sim.runs import snapshot
from sahel_sim.runs.new_model import new_model
from sahel_sim.runs.output import RunOutput
from sahel_sim.runs.runner import finish
from sahel_sim.scenario.schema import Scenario

#: What a finished run gives back: ``extract(model, scenario, seed, wall_seconds)``.
Extract = Callable[[SahelModel, Scenario, int, float], Any]


@dataclass
class Member:
    """What became of one run of a family.

    Attributes:
        key: The caller's name for the run.
        output: What ``extract`` gave for the run (by default its outputs), or None if it failed.
        error: Formatted traceback when it failed.
        branched_on: Date of the first week it simulated itself (None: it ran from the start).
    """

    key: str
    output: RunOutput | Any | None
    error: str | None = None
    branched_on: dt.date | None = None


def simulate_family(
    reference: Scenario,
    seed: int,
    variants: list[tuple[str, Scenario]],
    reference_key: str | None = "reference",
    branching: bool = True,
    extract: Extract = finish,
) -> list[Member]:
    """Simulate a reference and its variants with one seed, sharing the reference's history.

    Args:
        reference: The scenario whose history is shared.
        seed: The seed of every run.
        variants: ``(key, scenario)`` of every variant to simulate.
        reference_key: Key of the reference's own run, or None if its outputs are not wanted
            (it is then simulated only as far as the variants need).
        branching: False runs every variant from the start (for comparison and tests).
        extract: What each finished run gives back: ``extract(model, scenario, seed,
            wall_seconds)``; by default its :class:`~sahel_sim.runs.output.RunOutput`.

    Returns:
        One member per run asked for: the reference first (if wanted), then the variants in order.
        A failure of one run never stops the others; a failure of the shared history fails the
        variants that had not branched yet.
    """
    dates = {key: branch_date(reference, s) if branching else None for key, s in variants}
    pending = sorted((d, key) for key, d in dates.items() if d is not None)
    snapshots: dict[str, snapshot.Snapshot] = {}
    members: dict[str, Member] = {}
    started = time.perf_counter()
    need_end = reference_key is not None
    model = None
    try:
        model = new_model(reference, seed)
        while pending or (need_end and model.running):
            next_date = model.origin + dt.timedelta(weeks=model.week_index)
            saved = None  # variants branching on the same week share one snapshot
            while pending and (pending[0][0] <= next_date or not model.running):
                key = pending.pop(0)[1]
                saved = saved or snapshot.dumps(model)
                snapshots[key] = saved
            if not model.running or not (pending or need_end):
                break
            model.step()
        if reference_key is not None:
            members[reference_key] = Member(
                reference_key, extract(model, reference, seed, time.perf_counter() - started)
            )
    except Exception:  # noqa: BLE001 - recorded for the runs that depended on it
        error = traceback.format_exc()
        if reference_key is not None:
            members[reference_key] = Member(reference_key, None, error)
        for _, key in pending:
            members[key] = Member(key, None, f"the shared history failed before the branch:\n{error}")
    del model
    for key, scenario in variants:
        if key in members:
            continue
        members[key] = _variant(key, scenario, seed, snapshots.pop(key, None), extract)
    order = ([reference_key] if reference_key is not None else []) + [key for key, _ in variants]
    return [members[key] for key in order]


def _variant(key: str, scenario: Scenario, seed: int, saved: snapshot.Snapshot | None, extract: Extract) -> Member:
    started = time.perf_counter()
    try:
        if saved is None:
            model, branched_on = new_model(scenario, seed), None
        else:
            model = snapshot.loads(saved)
            continue_as(model, scenario)
            branched_on = model.origin + dt.timedelta(weeks=model.week_index)
        while model.running:
            model.step()
        return Member(key, extract(model, scenario, seed, time.perf_counter() - started), branched_on=branched_on)
    except Exception:  # noqa: BLE001 - one variant's failure is its own
        return Member(key, None, traceback.format_exc())
