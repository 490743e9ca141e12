"""Mechanism parameters: every rate, scale and threshold the model's rules use.

This package and :mod:`sahel_sim.scenario.schema` together are the scenario schema, the single source of every
default, bound and unit. Each parameter is declared with :func:`param`, which records its unit and
where its default comes from (a figure in the reference facts, a paper, or "assumption"). The ODD
document (docs/ODD.md) explains how each one enters the rules; ``python -m sahel_sim params`` lists
them all. One module per group of mechanisms (:class:`Mechanisms` composes them); :mod:`.base` holds
:func:`param` and the helpers that walk the parameters.
"""

from __future__ import annotations

from sahel_sim.scenario.parameters.base import CALIBRATED, Frozen, bounds, iter_parameters, param
from sahel_sim.scenario.parameters.conflict import CombatParams, InsurgencyParams
from sahel_sim.scenario.parameters.forces import ArmyParams, PeacekeepingParams
from sahel_sim.scenario.parameters.governance import ControlParams, DiplomacyParams
from sahel_sim.scenario.parameters.handover import AccordParams, HandoverParams
from sahel_sim.scenario.parameters.population import PopulationParams

__all__ = [
    "CALIBRATED",
    "AccordParams",
    "ArmyParams",
    "CombatParams",
    "ControlParams",
    "DiplomacyParams",
    "Frozen",
    "HandoverParams",
    "InsurgencyParams",
    "Mechanisms",
    "PeacekeepingParams",
    "PopulationParams",
    "bounds",
    "iter_parameters",
    "param",
]


class Mechanisms(Frozen):
    """All mechanism parameters, grouped by the part of the model that uses them."""

    population: PopulationParams = PopulationParams()
    insurgency: InsurgencyParams = InsurgencyParams()
    combat: CombatParams = CombatParams()
    peacekeeping: PeacekeepingParams = PeacekeepingParams()
    army: ArmyParams = ArmyParams()
    control: ControlParams = ControlParams()
    diplomacy: DiplomacyParams = DiplomacyParams()
    handover: HandoverParams = HandoverParams()
    accords: AccordParams = AccordParams()
