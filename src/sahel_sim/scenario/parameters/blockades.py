"""Parameters of blockades: an armed group holding the roads around a garrison town cuts it off."""

from __future__ import annotations

from sahel_sim.scenario.parameters.base import Frozen, param

#: What the blockade rule is modelled on (docs/ODD.md, "Blockades").
BLOCKADE_SOURCE = (
    "JNIM's blockade of Timbuktu from August 2023 (issue 14; public reporting); about 200 supply trucks "
    "blocked in Gao from 24 September 2023 (MINUSMA via allAfrica, reference facts)"
)


class BlockadeParams(Frozen):
    """When an armed group blockades a garrison town, what the blockade does, and when it is lifted."""

    ring_radius_km: float = param(
        100.0,
        10.0,
        500.0,
        "km",
        "assumption (the roads into a town within about a day's drive; the model has no road network)",
        "Half-width of the square ring of cells around a town whose control stands for control of its roads.",
    )
    start_share: float = param(
        0.75,
        0.0,
        1.0,
        "share of ring land cells",
        "assumption (most of the ring, so most roads in; 0.5 blockaded Ouagadougou from 2016 in the "
        "historical scenario, seed 1, on 03ac599's model)",
        "A faction that controls at least this share of the ring around a garrisoned town blockades it.",
    )
    lift_share: float = param(
        0.5,
        0.0,
        1.0,
        "share of ring land cells",
        "assumption (hysteresis, so a blockade does not flicker on and off)",
        "A blockade is lifted by force when the blockading faction's share of the ring falls below this "
        "(a value above start_share acts as start_share).",
    )
    resupply_share: float = param(
        0.25,
        0.0,
        1.0,
        "share of the usual reinforcement",
        "assumption (a blockade cuts most road supply, not all)",
        "Share of its usual weekly reinforcement a garrison in a blockaded town still receives.",
    )
    flight_share: float = param(
        0.01,
        0.0,
        0.5,
        "share of people per week",
        "assumption",
        "Share of a blockaded town's people who leave each week, on top of flight from violence.",
    )
    legitimacy_loss: float = param(
        0.002,
        0.0,
        0.1,
        "legitimacy per week",
        "assumption (the state fails to supply the town)",
        "Local legitimacy the state loses in a blockaded town each week (added to local abuse, which "
        "fades over population.abuse_memory_weeks).",
    )
