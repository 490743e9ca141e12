"""Armed bands of insurgent factions.

Rules (docs/ODD.md, "Insurgent groups"): a band recruits from the willing population within its
reach (Epstein's activation share, times weak state presence and its faction's own presence) and
loses deserters; it moves to the best cell within a week's reach, trading opportunity against local
force superiority; it may attack one target within reach (army or partner units, peacekeeping camps,
convoys, diplomatic posts, civilians), choosing by its faction's preferences and local deterrence;
a band may engage one rival band within reach. Bands split when large and dissolve when small.

The rules are written as functions over arrays of bands (:func:`net_recruitment`,
:func:`attack_probability`, :func:`best_cells`), so the insurgent phase applies each to every band
in one pass; the methods apply the same functions to one band.
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

#: What a band may attack, in the order of the weights in :meth:`InsurgentBand.strike`.
TARGET_KINDS = ("civilians", "army", "peacekeepers", "convoy", "diplomatic")


def net_recruitment(rng: np.random.Generator, params, recruitment, own_share, pool, competitors, strength
                    ) -> np.ndarray:
    """Recruits less deserters this week, for one band or an array of bands.

    Args:
        rng: The model's random generator.
        params: ``mechanisms.insurgency``.
        recruitment: The faction's recruitment multiplier.
        own_share: The faction's share of presence in the band's cell (0-1).
        pool: Unmobilised capacity within reach: mobilisation_cap x willing people not under state
            control, less the fighters already there (people).
        competitors: Bands (of any faction) sharing the same pool; fewer than 1 counts as 1.
        strength: Fighters now.

    Returns:
        Change in fighters: Poisson(rate x pool / competitors) - Binomial(strength, desertion_rate),
        with rate = recruit_rate x recruitment x (0.5 + own_share).

    """
    rate = params.recruit_rate * np.asarray(recruitment) * (0.5 + np.asarray(own_share))
    recruits = rng.poisson(rate * np.asarray(pool) / np.maximum(competitors, 1.0))
    deserters = rng.binomial(np.maximum(np.asarray(strength), 0).astype(np.int64), params.desertion_rate)
    return recruits - deserters


def attack_probability(attack_rate: float, aggression, deterrence) -> np.ndarray:
    """Chance that a band attacks this week: min(1, attack_rate x aggression) x (1 - deterrence)."""
    return np.minimum(1.0, attack_rate * np.asarray(aggression)) * (1.0 - np.asarray(deterrence))


def best_cells(scores: np.ndarray, faction_index: np.ndarray, xs: np.ndarray, ys: np.ndarray, radius: int,
               rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """Where each band moves: the best-scoring cell of its faction within ``radius`` cells.

    Ties are broken at random (noise below 1e-3 is added to every candidate). A band whose window
    holds no finite score stays where it is.

    Args:
        scores: Movement score per faction, shape (factions, width, height); -inf where barred.
        faction_index: Faction of each band.
        xs: x of each band's cell.
        ys: y of each band's cell.
        radius: Farthest move, cells (Chebyshev).
        rng: The model's random generator.

    Returns:
        The target cells (x, y) of every band.

    """
    _, width, height = scores.shape
    d = np.arange(-radius, radius + 1)
    cx = np.broadcast_to(xs[:, None, None] + d[None, :, None], (len(xs), d.size, d.size)).reshape(len(xs), -1)
    cy = np.broadcast_to(ys[:, None, None] + d[None, None, :], (len(ys), d.size, d.size)).reshape(len(ys), -1)
    inside = (cx >= 0) & (cx < width) & (cy >= 0) & (cy < height)
    values = scores[faction_index[:, None], np.clip(cx, 0, width - 1), np.clip(cy, 0, height - 1)]
    values = np.where(inside, values, -np.inf) + rng.random(cx.shape) * 1e-3
    best = np.argmax(values, axis=1)
    rows = np.arange(len(xs))
    found = np.isfinite(values[rows, best])
    return np.where(found, cx[rows, best], xs), np.where(found, cy[rows, best], ys)


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
        model = self.model
        change = net_recruitment(model.rng, model.params.insurgency, self.faction.recruitment, own_share, pool,
                                 competitors, self.strength)
        self.strength += float(change)

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
        tx, ty = best_cells(score[None], np.zeros(1, dtype=np.intp), np.array([x]), np.array([y]), radius,
                            self.model.rng)
        if (int(tx[0]), int(ty[0])) != (x, y):
            self.cell = self.model.grid[(int(tx[0]), int(ty[0]))]

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
        chance = attack_probability(self.model.params.insurgency.attack_rate, self.faction.aggression, deterrence)
        if self.model.rng.random() < chance:
            self.strike(targets, deterrence, protection)

    def strike(self, targets: dict[str, list], deterrence: float, protection: float) -> None:
        """Attack one target within reach (the band has decided to attack this week).

        The kind of target is drawn with weights: civilians civilian_targeting x (1 - protection);
        army (1 - civilian_targeting); peacekeepers international_targeting x (1 - deterrence);
        convoys international_targeting x convoy_exposure; diplomatic posts international_targeting
        x 0.25; kinds with nobody in reach weigh nothing.

        Args:
            targets: As for :meth:`attack`.
            deterrence: As for :meth:`attack`.
            protection: As for :meth:`attack`.

        """
        model = self.model
        params = model.params.insurgency
        rng = model.rng
        civ = self.faction.civilian_targeting
        intl = self.faction.international_targeting
        exposure = model.params.peacekeeping.convoy_exposure
        weights = (
            civ * (1 - protection),
            (1 - civ) * bool(targets["army"]),
            intl * (1 - deterrence) * bool(targets["peacekeepers"]),
            intl * exposure * bool(targets["convoy"]),
            intl * 0.25 * bool(targets["diplomatic"]),
        )
        total = sum(weights)
        if total <= 0:
            return
        kind = TARGET_KINDS[_draw(weights, rng.random() * total)]
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


def _draw(weights: tuple[float, ...], u: float) -> int:
    """Index of the weight whose cumulative interval holds ``u`` (0 <= u < sum of weights)."""
    cumulative = 0.0
    last = 0
    for i, w in enumerate(weights):
        if w > 0:
            cumulative += w
            last = i
            if u < cumulative:
                return i
    return last
