"""Diplomatic posts: embassies and other missions that stay, reduce staff or close.

Rules (docs/ODD.md, "Diplomatic posts"): each week a post perceives threat as a weighted sum of
recent violence near it, the share of nearby people under insurgent control and recent attacks on
diplomatic and international targets in its host and covered countries, less the reassurance of
peacekeepers in the host country. Threat above its tolerance for ``sustain_weeks`` in a row moves it
one step down (open to reduced, reduced to closed); threat below half its tolerance for
``calm_weeks`` in a row moves it one step back up. Each change is logged with its main reason.
"""

from __future__ import annotations

import enum
from typing import TYPE_CHECKING

import numpy as np
from mesa.discrete_space import FixedAgent

from sahel_sim.model.agents.base import OnGrid

if TYPE_CHECKING:
    from sahel_sim.model.sahel_model import SahelModel
    from sahel_sim.scenario.schema import DiplomaticPost


class PostStatus(enum.IntEnum):
    """Staffing level of a post (higher is more open)."""

    CLOSED = 0
    REDUCED = 1
    OPEN = 2


REASONS = {
    "violence": "violence near the post",
    "control": "insurgent control near the post",
    "international": "attacks on diplomatic and international targets",
    "peacekeepers": "loss of peacekeeper presence",
}


class DiplomaticPostAgent(OnGrid, FixedAgent):
    """An embassy or mission.

    Attributes:
        spec: The scenario entry.
        status: A :class:`PostStatus`.
        threat: Last perceived threat (threat units).
        components: Last threat components by name (threat units, reassurance as a positive loss).
        above_weeks: Consecutive weeks above tolerance.
        calm_weeks: Consecutive weeks below half the tolerance.

    """

    def __init__(self, model: SahelModel, spec: DiplomaticPost, cell):
        super().__init__(model)
        self.cell = cell
        self.spec = spec
        self.name = spec.name
        self.status = PostStatus.OPEN
        self.threat = 0.0
        self.components: dict[str, float] = {}
        self.above_weeks = 0
        self.calm_weeks = 0
        self.vicinity: np.ndarray | None = None

    @property
    def is_open(self) -> bool:
        """Whether the post is open at all (not yet opened posts count as closed)."""
        opened = self.spec.opens is None or self.model.date >= self.spec.opens
        return opened and self.status is not PostStatus.CLOSED

    def perceive(self, violence: float, control: float, international: float, peacekeepers: float | None) -> None:
        """Update threat from this week's components.

        Args:
            violence: Recent fatalities per week within the post's vicinity.
            control: Share of nearby people under insurgent control (0-1).
            international: Recent attacks per week on diplomatic and international targets in the
                host and covered countries.
            peacekeepers: Peacekeeping personnel in the host country, or None where no mission is
                deployed there (then there is no reassurance to lose).

        """
        p = self.model.params.diplomacy
        self.components = {
            "violence": p.weight_violence * violence / p.violence_scale,
            "control": p.weight_control * control,
            "international": p.weight_international * international,
            "peacekeepers": 0.0
            if peacekeepers is None
            else p.weight_peacekeepers * (1.0 - min(1.0, peacekeepers / p.peacekeeper_reference)),
        }
        # The peacekeeper component is the reassurance missing relative to a full-strength mission.
        self.threat = sum(self.components.values())

    def decide(self) -> None:
        """Move one status step when threat has been sustained or calm long enough."""
        if self.spec.opens is not None and self.model.date < self.spec.opens:
            return
        p = self.model.params.diplomacy
        tolerance = self.spec.tolerance
        self.above_weeks = self.above_weeks + 1 if self.threat > tolerance else 0
        self.calm_weeks = self.calm_weeks + 1 if self.threat < 0.5 * tolerance else 0
        if self.above_weeks >= p.sustain_weeks and self.status > PostStatus.CLOSED:
            self._change(PostStatus(self.status - 1), self._reason())
            self.above_weeks = 0
        elif self.calm_weeks >= p.calm_weeks and self.status < PostStatus.OPEN:
            self._change(PostStatus(self.status + 1), "sustained calm")
            self.calm_weeks = 0

    def _reason(self) -> str:
        main = max(self.components, key=self.components.__getitem__)
        parts = ", ".join(f"{k} {v:.2f}" for k, v in self.components.items())
        return f"{REASONS[main]} (threat {self.threat:.2f} > tolerance {self.spec.tolerance:.2f}: {parts})"

    def _change(self, status: PostStatus, reason: str) -> None:
        old = self.status
        self.status = status
        self.record(
            "post_status",
            self.spec.sending_country,
            self.name,
            detail=f"{old.name.lower()} -> {status.name.lower()}: {reason}",
        )
