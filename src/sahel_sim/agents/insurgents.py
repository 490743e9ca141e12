"""Armed bands of insurgent factions.

Rules (docs/ODD.md, "Insurgent groups"): a band recruits from the willing population within its
reach (Epstein's activation share, times weak state presence and its faction's own presence) and
loses deserters; it moves to the best cell within a week's reach, trading opportunity against local
force superiority; it may attack one target within reach (army or partner units, peacekeeping camps,
convoys, diplomatic posts, civilians), choosing by its faction's preferences and local deterrence;
bands of rival factions near each other clash. Bands split when large and dissolve when small.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

import numpy as np
from mesa.discrete_space import CellAgent

from sahel_sim.agents.base import OnGrid

if TYPE_CHECKING:
    from sahel_sim.config import Faction
    from sahel_sim.model import SahelModel

#: Share of an attack's deaths suffered by the attackers when they hit an armed target.
ATTACKER_SHARE = 0.3


class InsurgentBand(OnGrid, CellAgent):
    """A band of fighters of one faction.

    Attributes:
        faction: The faction's scenario entry.
        faction_index: Position of the faction in the scenario.
        strength: Fighters (float, whole numbers drawn where it matters).

    """

    def __init__(self, model: SahelModel, cell, faction: Faction, faction_index: int, strength: float):
        super().__init__(model)
        self.cell = cell
        self.faction = faction
        self.faction_index = faction_index
        self.strength = float(strength)

    # --- strength -------------------------------------------------------------------------
    def recruit_and_desert(self, pool: float, own_share: float, competitors: float) -> None:
        """Gain recruits from the willing pool and lose deserters.

        Args:
            pool: Unmobilised capacity within reach: mobilisation_cap x willing people not under state
                control, less the fighters already there (people).
            own_share: The faction's share of presence in the band's cell (0-1).
            competitors: Bands (of any faction) sharing the same pool, at least 1.

        """
        params = self.model.params.insurgency
        rate = params.recruit_rate * self.faction.recruitment * (0.5 + own_share)
        recruits = self.model.rng.poisson(rate * pool / max(competitors, 1.0))
        deserters = self.model.rng.binomial(int(self.strength), params.desertion_rate)
        self.strength += recruits - deserters

    def split_or_dissolve(self) -> None:
        """Split a band that grew too large; remove one that has withered."""
        params = self.model.params.insurgency
        if self.strength < params.band_min_strength:
            self.remove()
            return
        if self.strength > params.band_split_strength:
            half = math.floor(self.strength / 2)
            self.strength -= half
            neighbours = list(self.cell.neighborhood)
            target = neighbours[self.model.rng.integers(len(neighbours))] if neighbours else self.cell
            InsurgentBand(self.model, target, self.faction, self.faction_index, half)

    # --- movement -------------------------------------------------------------------------
    def move(self, score: np.ndarray, radius: int) -> None:
        """Move to the best-scoring cell within ``radius`` cells (ties broken at random).

        Args:
            score: The faction's movement score field (higher is better; -inf where barred).
            radius: Farthest move this week, cells.

        """
        if radius <= 0:
            return
        x, y = self.xy
        w, h = score.shape
        x0, x1, y0, y1 = max(0, x - radius), min(w, x + radius + 1), max(0, y - radius), min(h, y + radius + 1)
        window = score[x0:x1, y0:y1]
        noise = self.model.rng.random(window.shape) * 1e-3
        i, j = np.unravel_index(int(np.argmax(window + noise)), window.shape)
        if np.isfinite(window[i, j]):
            target = (x0 + int(i), y0 + int(j))
            if target != (x, y):
                self.cell = self.model.grid[target]

    # --- attacks --------------------------------------------------------------------------
    def attack(self, targets: dict[str, list], deterrence: float, protection: float) -> None:
        """Perhaps attack one target within reach this week.

        Args:
            targets: Candidate targets within reach by kind ("army", "peacekeepers", "convoy",
                "diplomatic"): lists of agents.
            deterrence: Peacekeeper deterrence at the band's cell (0-1): it lowers the chance of any
                attack (Hultman et al. 2014) and of attacks on peacekeepers in particular.
            protection: Peacekeeper protection of civilians at the band's cell (0-1); it lowers the
                weight of attacking civilians (Fjelde et al. 2019), and the protection at the cell
                actually struck lowers the deaths (Hultman et al. 2013).

        """
        model = self.model
        params = model.params.insurgency
        rng = model.rng
        if rng.random() >= min(1.0, params.attack_rate * self.faction.aggression) * (1.0 - deterrence):
            return
        civ = self.faction.civilian_targeting
        intl = self.faction.international_targeting
        exposure = model.params.peacekeeping.convoy_exposure
        kinds = ["civilians", "army", "peacekeepers", "convoy", "diplomatic"]
        weights = np.array([
            civ * (1 - protection),
            (1 - civ) * bool(targets["army"]),
            intl * (1 - deterrence) * bool(targets["peacekeepers"]),
            intl * exposure * bool(targets["convoy"]),
            intl * 0.25 * bool(targets["diplomatic"]),
        ])
        if weights.sum() <= 0:
            return
        kind = kinds[int(rng.choice(len(kinds), p=weights / weights.sum()))]
        expected = params.lethality * math.sqrt(max(self.strength, 0.0))
        if kind == "civilians":
            xy = model.most_exposed_cell(self.xy, params.reach_km)
            protection = float(model.presence["protection"][xy])
            deaths = model.kill_civilians(xy, int(rng.poisson(expected * (1 - protection))))
            self.record("attack", self.faction.name, "civilians", at=xy, fatalities_civilian=deaths)
            return
        target = targets[kind][int(rng.integers(len(targets[kind])))]
        if kind in ("peacekeepers", "convoy"):
            at_target = float(model.presence["deterrence"][target.xy])
            hardened = model.params.peacekeeping.hardened_target_factor
            expected *= hardened * (1 - at_target) * (exposure if kind == "convoy" else 1.0)
        deaths = int(rng.poisson(expected))
        own = int(rng.binomial(deaths, ATTACKER_SHARE))
        hit = min(deaths - own, int(target.strength)) if kind != "diplomatic" else deaths - own
        self.strength -= own
        if kind == "army":
            target.strength -= hit
            self.record("attack", self.faction.name, "army", at=target.xy, fatalities_army=hit,
                        fatalities_insurgent=own, detail=target.post_name)
        elif kind == "diplomatic":
            self.record("attack", self.faction.name, "diplomatic", at=target.xy,
                        fatalities_civilian=hit, fatalities_insurgent=own, detail=target.name)
            model.kill_civilians(target.xy, hit)
        else:
            target.strength -= hit
            self.record("attack", self.faction.name, "peacekeepers", at=target.xy,
                        fatalities_peacekeeper=hit, fatalities_insurgent=own, detail=target.name)

    def clash(self, rival: InsurgentBand) -> None:
        """Fight a band of a rival faction; both lose fighters."""
        rng = self.model.rng
        scale = self.model.params.insurgency.lethality * math.sqrt(min(self.strength, rival.strength))
        mine = min(int(rng.poisson(scale * rival.strength / (self.strength + rival.strength))),
                   int(self.strength))
        theirs = min(int(rng.poisson(scale * self.strength / (self.strength + rival.strength))),
                     int(rival.strength))
        self.strength -= mine
        rival.strength -= theirs
        self.record("clash", self.faction.name, rival.faction.name, fatalities_insurgent=mine + theirs)
