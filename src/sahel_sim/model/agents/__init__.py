"""The model's agents, one module per kind."""

from sahel_sim.model.agents.army import ArmyUnit
from sahel_sim.model.agents.diplomacy import DiplomaticPostAgent, PostStatus
from sahel_sim.model.agents.insurgents import InsurgentBand
from sahel_sim.model.agents.peacekeepers import CampStatus, Convoy, PeacekeepingCamp

__all__ = [
    "ArmyUnit",
    "CampStatus",
    "Convoy",
    "DiplomaticPostAgent",
    "InsurgentBand",
    "PeacekeepingCamp",
    "PostStatus",
]
