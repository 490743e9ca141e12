"""The model's agents, one module per kind."""

from sahel_sim.agents.army import ArmyUnit
from sahel_sim.agents.diplomacy import DiplomaticPostAgent, PostStatus
from sahel_sim.agents.insurgents import InsurgentBand
from sahel_sim.agents.peacekeepers import CampStatus, Convoy, PeacekeepingCamp

__all__ = [
    "ArmyUnit",
    "CampStatus",
    "Convoy",
    "DiplomaticPostAgent",
    "InsurgentBand",
    "PeacekeepingCamp",
    "PostStatus",
]
