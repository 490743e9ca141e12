"""Diplomatic posts: embassies and delegations that stay, reduce staff, close and reopen.

Rules (docs/ODD.md, "Diplomatic posts"): each week a post observes a threat, the sum of continuous
terms (distance-weighted violence near it, insurgent control and the fighters' share of armed
personnel around it, recent attacks on international targets in its host and covered countries,
peacekeepers lost from its host country relative to their remembered level, and hostile acts of the
host government against its sending country). Threat above its tolerance for ``sustain_weeks`` in a
row moves it one step down (open to reduced, reduced to closed); threat below ``reopen_share`` of its
tolerance for ``calm_weeks`` in a row moves it one step back up. A post's tolerance follows from shared
characteristics (:func:`post_tolerance`), never from a per-post setting. Each change is logged with
every term that made the threat.
"""

from __future__ import annotations

import enum
from typing import TYPE_CHECKING

import numpy as np
from mesa.discrete_space import FixedAgent

from sahel_sim.model.agents.base import OnGrid

if TYPE_CHECKING:
    from sahel_sim.model.sahel_model import SahelModel
    from sahel_sim.scenario.parameters import DiplomacyParams
    from sahel_sim.scenario.schema import DiplomaticPost


class PostStatus(enum.IntEnum):
    """Staffing level of a post (higher is more open)."""

    CLOSED = 0
    REDUCED = 1
    OPEN = 2


#: Threat terms in the order they are reported, with the phrase that names each as a reason.
REASONS = {
    "violence": "violence near the post",
    "control": "insurgent control near the post",
    "force_balance": "armed groups outnumbering security forces near the post",
    "international": "attacks on international targets",
    "mission_loss": "loss of peacekeepers",
    "hostility": "host government hostility",
}
TERMS = tuple(REASONS)


def post_tolerance(params: DiplomacyParams, spec: DiplomaticPost, draw: float) -> float:
    """A post's tolerance from characteristics shared by all posts, threat units.

    Args:
        params: The diplomacy mechanism parameters.
        spec: The post.
        draw: A standard normal draw for what the model does not observe about the post.

    Returns:
        ``tolerance_base`` x ``tolerance_troop_contributor`` (if a contributor) x
        ``tolerance_delegation`` (if a delegation) x exp(``tolerance_spread`` x draw).

    """
    tolerance = params.tolerance_base * float(np.exp(params.tolerance_spread * draw))
    if spec.troop_contributor:
        tolerance *= params.tolerance_troop_contributor
    if spec.kind == "delegation":
        tolerance *= params.tolerance_delegation
    return tolerance


class DiplomaticPostAgent(OnGrid, FixedAgent):
    """An embassy or delegation.

    Attributes:
        spec: The scenario entry.
        tolerance: Threat it accepts (threat units; :func:`post_tolerance`).
        status: A :class:`PostStatus`.
        threat: Last observed threat (threat units).
        components: Last threat terms by name (threat units), in :data:`TERMS` order.
        above_weeks: Consecutive weeks above tolerance.
        calm_weeks: Consecutive weeks below ``reopen_share`` of the tolerance.
        peacekeepers_recent: Remembered peacekeeper level in the host country (personnel).

    """

    def __init__(self, model: SahelModel, spec: DiplomaticPost, cell, tolerance: float):
        super().__init__(model)
        self.cell = cell
        self.spec = spec
        self.name = spec.name
        self.tolerance = float(tolerance)
        self.status = PostStatus.OPEN
        self.threat = 0.0
        self.components: dict[str, float] = dict.fromkeys(TERMS, 0.0)
        self.above_weeks = 0
        self.calm_weeks = 0
        self.peacekeepers_recent = 0.0
        self.vicinity: np.ndarray | None = None
        self.kernel: np.ndarray | None = None
        #: The host country's index and the sorted indices of the host and covered countries (set by the posts phase).
        self.watched: tuple[int, tuple[int, ...]] | None = None

    @property
    def is_open(self) -> bool:
        """Whether the post is open at all (not yet opened posts count as closed)."""
        opened = self.spec.opens is None or self.model.date >= self.spec.opens
        return opened and self.status is not PostStatus.CLOSED

    def perceive(
        self,
        violence: float = 0.0,
        control: float = 0.0,
        force_balance: float = 0.0,
        international: float = 0.0,
        mission_loss: float = 0.0,
        hostility: float = 0.0,
    ) -> None:
        """Update the threat from this week's observations.

        Args:
            violence: Distance-weighted recent fatalities per week near the post.
            control: Share of people within the vicinity under insurgent control (0-1).
            force_balance: Fighters' share of all armed personnel within the vicinity (0-1).
            international: Recent attacks per week on peacekeepers and diplomatic posts in the host
                and covered countries.
            mission_loss: Peacekeepers lost from the host country relative to their remembered
                level, as a share of ``peacekeeper_reference`` (0-1).
            hostility: Decayed count of hostile acts by the host government against the sending
                country (acts).

        """
        p = self.model.params.diplomacy
        self.components = {
            "violence": p.weight_violence * violence / p.violence_scale,
            "control": p.weight_control * control,
            "force_balance": p.weight_force_balance * force_balance,
            "international": p.weight_international * international,
            "mission_loss": p.weight_mission_loss * mission_loss,
            "hostility": p.weight_hostility * hostility,
        }
        self.threat = sum(self.components.values())

    def decide(self) -> None:
        """Move one status step when threat has been high, or calm, long enough."""
        if self.spec.opens is not None and self.model.date < self.spec.opens:
            return
        p = self.model.params.diplomacy
        calm_below = p.reopen_share * self.tolerance
        self.above_weeks = self.above_weeks + 1 if self.threat > self.tolerance else 0
        self.calm_weeks = self.calm_weeks + 1 if self.threat < calm_below else 0
        if self.above_weeks >= p.sustain_weeks and self.status > PostStatus.CLOSED:
            main = max(self.components, key=self.components.__getitem__)
            why = f"{REASONS[main]}; threat {self.threat:.2f} > tolerance {self.tolerance:.2f}"
            self._change(PostStatus(self.status - 1), f"{why} for {self.above_weeks} weeks")
            self.above_weeks = 0
        elif self.calm_weeks >= p.calm_weeks and self.status < PostStatus.OPEN:
            why = f"sustained calm; threat {self.threat:.2f} < {calm_below:.2f} ({p.reopen_share:g} x tolerance)"
            self._change(PostStatus(self.status + 1), f"{why} for {self.calm_weeks} weeks")
            self.calm_weeks = 0

    def _change(self, status: PostStatus, reason: str) -> None:
        old = self.status
        self.status = status
        terms = " ".join(f"{k}={v:.3f}" for k, v in self.components.items())
        self.record(
            "post_status",
            self.spec.sending_country,
            self.name,
            detail=f"{old.name.lower()} -> {status.name.lower()}: {reason}; terms {terms}",
        )
