"""Spin-up: a scenario whose weeks begin from its own simulated history.

A scenario with ``spin_up_from`` is simulated from that date with everything it says (forces,
factions, dated events, parameters, seed), and its outputs begin at ``start``: the state reached
on ``start`` (fighters, control, displacement, violence memory, who holds which town, the accords,
the posts) is where its reported weeks begin. The ``baseline`` family is ``historical.yaml`` spun
up from 2012, so that the two families agree where they overlap (docs/ODD.md, "Initialisation").

The history's weeks run on into the scenario's: the week numbers are not reset (rules that wait a
number of weeks compare week numbers), and ``start`` must be a whole number of weeks after
``spin_up_from`` so that a spun-up run's weeks are the very weeks of the same scenario run from
``spin_up_from`` (tested row for row).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from sahel_sim.model.branching import continue_as

if TYPE_CHECKING:
    from sahel_sim.model.sahel_model import SahelModel
    from sahel_sim.scenario.schema import Scenario


def begin(model: SahelModel, scenario: Scenario) -> None:
    """Make a model whose spin-up history has run to its end go on as ``scenario`` from its start.

    The history's events and weekly rows are dropped (the outputs cover ``start`` to ``end``); the
    state, the random streams and the week numbers run on.

    Args:
        model: The model at the end of ``scenario.history()``.
        scenario: The scenario with the spin-up.
    """
    model.first_week = model.week_index  # before continue_as, which dates the weeks from the new start
    continue_as(model, scenario)
    model.date = scenario.start
    model.log.events.clear()
    model.log.new_week()
    model.metrics.rows.clear()
