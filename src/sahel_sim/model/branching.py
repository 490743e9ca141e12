"""Branching: continue one simulated history under another scenario from the date they part.

Two scenarios that differ only in the peacekeepers' withdrawal plan (or in their end date) simulate
identically, draw for draw, until the first week in which a camp's presence could differ. A history
simulated under one of them can therefore be saved just before that date (``pickle``; Mesa 3.5's
grid does not survive ``copy.deepcopy``, whose copies lose their cells' neighbours) and continued
under the other: :func:`continue_as` changes what the scenario decides after the branch date. The
result is byte-identical to a fresh run of the other scenario with the same seed (tested).
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any

from sahel_sim.model.phases.handover import sites_of
from sahel_sim.scenario.loading import scenario_to_data
from sahel_sim.scenario.schema import Scenario

if TYPE_CHECKING:
    from sahel_sim.model.sahel_model import SahelModel

#: Top-level fields that do not change what is simulated (the seed is given to each run).
IDENTITY_FIELDS = ("name", "description", "seed")


def branch_date(reference: Scenario, other: Scenario) -> dt.date | None:
    """The first date on which ``other`` may simulate differently from ``reference``.

    Weeks whose date is before the branch date are identical under both scenarios (same seed),
    so a history of ``reference`` saved before then can be continued as ``other``.

    Args:
        reference: The scenario whose history is shared.
        other: The scenario to continue as.

    Returns:
        The date; the earlier end date if the two differ in nothing simulated but their end;
        None if they differ in anything besides the withdrawal plan and the end date (then
        nothing can be shared).
    """
    a, b = scenario_to_data(reference), scenario_to_data(other)
    for data in (a, b):
        for key in (*IDENTITY_FIELDS, "end"):
            data.pop(key, None)
        if data.get("peacekeepers"):
            data["peacekeepers"] = {k: v for k, v in data["peacekeepers"].items() if k != "withdrawal"}
    if a != b:
        return None
    first = _first_camp_change(reference, other)
    if first is not None:
        return first
    return min(reference.end, other.end)


def _first_camp_change(reference: Scenario, other: Scenario) -> dt.date | None:
    """The first date a camp may start draining, or a column set out for it, under either plan.

    A camp is at full presence until ``drawdown_weeks`` before its closing date
    (:meth:`sahel_sim.model.agents.peacekeepers.PeacekeepingCamp.presence_factor`), and the army
    sends no column to it until ``handover.dispatch_lead_weeks`` before that date
    (:mod:`sahel_sim.model.phases.handover`); its closing date is read by no rule before then. A
    closing camp picks its convoy's destination from the other camps' closing dates, so the branch
    comes before the first closing of either.
    """
    force = reference.peacekeepers
    if force is None:
        return None
    plans = [s.peacekeepers.withdrawal if s.peacekeepers is not None else None for s in (reference, other)]
    closing = [p.closing_dates(force.camps) if p is not None else {} for p in plans]
    if closing[0] == closing[1]:
        return None
    dates = [d for c in closing for d in c.values()]
    mechanisms = reference.mechanisms
    lead = dt.timedelta(weeks=max(mechanisms.peacekeeping.drawdown_weeks, mechanisms.handover.dispatch_lead_weeks))
    return max(reference.start, min(dates) - lead)


def continue_as(model: SahelModel, scenario: Scenario) -> None:
    """Make a saved model go on as ``scenario`` (which :func:`branch_date` allows from now on).

    Args:
        model: A model restored from a snapshot taken before the branch date.
        scenario: The scenario it continues as.
    """
    model.config = scenario
    model.params = scenario.mechanisms
    force = scenario.peacekeepers
    closing: dict[str, Any] = {}
    if force is not None and force.withdrawal is not None:
        closing = force.withdrawal.closing_dates(force.camps)
    for camp in model.camps():
        camp.closes = closing.get(camp.name)
    model.sites = sites_of(model)  # no site has been acted on before the branch date
    model.running = model.origin + dt.timedelta(weeks=model.week_index) < scenario.end
