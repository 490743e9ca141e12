"""National army garrisons and partner forces.

Rules (docs/ODD.md, "Army and partners"): each country's army strength on a date is shared among its
active posts by weight; partner forces hold bases between their arrival and departure dates. Every
week a unit may engage the strongest armed band within its operating radius: the band's losses grow
with the unit's effectiveness, and civilians die in proportion to (1 - accuracy) (Bennett 2008),
which raises local grievance. A remote national post that stays overstretched is abandoned; it is
reoccupied when the army could hold it comfortably again, or retaken in a contest when the national
and partner forces near it are stronger than the armed groups there.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from mesa.discrete_space import CellAgent

from sahel_sim.model.agents.base import OnGrid

if TYPE_CHECKING:
    from sahel_sim.model.agents.insurgents import InsurgentBand
    from sahel_sim.model.sahel_model import SahelModel

REINFORCEMENT_RATE = 0.25  # share of the gap to its allocation a unit closes each week


def contest_chance(force: float, fighters: float, decisiveness: float) -> float:
    """Chance the state's side wins a contest: A^m / (A^m + G^m) (Hirshleifer 1989).

    Args:
        force: The state's effective strength A (personnel x effectiveness).
        fighters: The armed groups' strength G (fighters).
        decisiveness: The exponent m (``handover.decisiveness``).

    Returns:
        The probability, 0 when the state brings no force.

    """
    if force <= 0:
        return 0.0
    return force**decisiveness / (force**decisiveness + max(fighters, 0.0) ** decisiveness)


class ArmyUnit(OnGrid, CellAgent):
    """A garrison of a national army or a base of a partner force.

    Attributes:
        force: "army" for national armies, else the partner force's name.
        country: ISO code of the country it serves.
        post_name: Name of the town or base.
        weight: Relative share of its force's strength.
        effectiveness: Ability to defeat fighters it engages (0-1).
        accuracy: Ability to avoid civilian harm (0-1).
        abuse: Multiplier on legitimacy lost per civilian killed.
        strength: Personnel now.
        active: False while the post is abandoned (national) or the partner is absent.
        remote: Whether the post is far enough from the capital to be abandoned.

    """

    def __init__(
        self,
        model: SahelModel,
        cell,
        *,
        force: str,
        country: str,
        post_name: str,
        weight: float,
        effectiveness: float,
        accuracy: float,
        abuse: float = 1.0,
        remote: bool = False,
        active: bool = True,
    ):
        super().__init__(model)
        self.cell = cell
        self.home = cell
        self.force = force
        self.country = country
        self.post_name = post_name
        self.weight = weight
        self.effectiveness = effectiveness
        self.accuracy = accuracy
        self.abuse = abuse
        self.remote = remote
        self.active = active
        self.strength = 0.0
        self.deployed = False  # False until the unit first takes up its allocation (after set-up or a return)
        self.overstretched_weeks = 0
        self.last_contest = -(10**6)  # week index of the last contest to retake the post

    @property
    def is_partner(self) -> bool:
        """True for a partner force, False for a national army."""
        return self.force != "army"

    @property
    def actor(self) -> str:
        """Name used in the event log."""
        return f"{self.country} army" if not self.is_partner else self.force

    def reinforce(self, allocation: float) -> None:
        """Move strength towards this week's allocation (losses are made good gradually).

        A unit deploying (at set-up, on a partner's arrival or on reoccupying a post) arrives with its
        whole allocation.

        Args:
            allocation: Personnel the unit should have, from its force's strength and weight.

        """
        if not self.active:
            self.strength = 0.0
            self.deployed = False
            return
        if not self.deployed:
            self.strength = allocation
            self.deployed = allocation > 0
            return
        if self.model.blockades.cuts_supply(self.xy) and allocation > self.strength:  # docs/ODD.md, "Blockades"
            allocation = self.strength + self.model.params.blockades.resupply_share * (allocation - self.strength)
        self.strength += REINFORCEMENT_RATE * (allocation - self.strength)
        self.strength = max(self.strength, 0.0)

    def engage(self, band: InsurgentBand) -> None:
        """Fight one band: losses on both sides and civilian harm, all recorded as one event."""
        model, params = self.model, self.model.params.combat
        rng = model.streams.forces
        total = self.strength + band.strength
        if total <= 0:
            return
        p_band = min(0.9, params.insurgent_loss * self.effectiveness * 2 * self.strength / total)
        p_unit = min(0.5, params.force_loss * 2 * band.strength / total)
        band_deaths = int(rng.binomial(int(band.strength), p_band))
        unit_deaths = int(rng.binomial(int(self.strength), p_unit))
        density = model.density_factor(band.xy)
        civ_deaths = int(rng.poisson(params.collateral_rate * (1 - self.accuracy) * density))
        band.strength -= band_deaths
        self.strength -= unit_deaths
        model.kill_civilians(band.xy, civ_deaths, by_state=True, abuse=self.abuse)
        self.record(
            "engagement",
            self.actor,
            band.faction.name,
            at=band.xy,
            fatalities_insurgent=band_deaths,
            fatalities_army=unit_deaths,
            fatalities_civilian=civ_deaths,
        )

    def check_overstretch(self, fighters_near: float) -> None:
        """Count overstretched weeks at a remote national post; abandon it when they persist.

        Args:
            fighters_near: Fighters within the unit's operating radius.

        """
        if self.is_partner or not self.active or not self.remote:
            return
        params = self.model.params.army
        if self.strength < params.overstretch_ratio * fighters_near:
            self.overstretched_weeks += 1
        else:
            self.overstretched_weeks = 0
        if self.overstretched_weeks >= params.overstretch_weeks:
            self.lose_post(f"{round(self.strength)} troops against about {round(fighters_near)} fighters")

    def lose_post(self, detail: str) -> None:
        """Leave the post (``post_abandoned``, with ``detail`` saying why); its troops rejoin the army's pool."""
        self.active = False
        self.overstretched_weeks = 0
        self.record("post_abandoned", self.actor, self.post_name, detail=detail)
        self.strength = 0.0

    def check_reoccupy(self, allocation: float, fighters_near: float, support: float = 0.0) -> None:
        """Reoccupy an abandoned post when its allocation could hold it comfortably, or retake it in a contest.

        The contest (docs/ODD.md, "Abandoned posts are retaken"): when the post's own allocation times
        its effectiveness plus the effective strength of the national and partner units near it (A)
        exceeds the fighters near it (G), and the allocation would not be overstretched there
        (``army.overstretch_ratio``), the state tries to retake the post with probability
        A^m / (A^m + G^m) (``handover.decisiveness``); after a try it waits ``handover.retry_weeks``.

        Args:
            allocation: Personnel the post would get if active.
            fighters_near: Fighters within the unit's operating radius.
            support: Effective strength (personnel x effectiveness) of the active national and partner
                units of the post's country within the operating radius.

        """
        if self.active or self.is_partner:
            return
        model = self.model
        if allocation >= model.params.army.reoccupy_ratio * max(fighters_near, 1.0):
            self._reoccupy("")
            return
        force = allocation * self.effectiveness + support
        p = model.params.handover
        holdable = allocation >= model.params.army.overstretch_ratio * fighters_near  # not overstretched on arrival
        if support <= 0 or force <= fighters_near or not holdable:
            return
        if model.week_index - self.last_contest < p.retry_weeks:
            return
        self.last_contest = model.week_index
        chance = contest_chance(force, fighters_near, p.decisiveness)
        if model.streams.garrisons.random() < chance:
            odds = f"{round(force)} effective personnel against {round(fighters_near)} fighters"
            self._reoccupy(f"retaken: P {chance:.2f}, {odds}")

    def _reoccupy(self, detail: str) -> None:
        self.active = True
        self.cell = self.home
        self.record("post_reoccupied", self.actor, self.post_name, detail=detail)
