"""Armed bands of insurgent factions.

Rules (docs/ODD.md, "Insurgent groups"): a band recruits from the willing population within its
reach (Epstein's activation share, times weak state presence and its faction's own presence) and
loses deserters; it moves to the best cell within a week's reach, trading opportunity against local
force superiority; it may attack one target within reach (army or partner units, peacekeeping camps,
convoys, diplomatic posts, civilians), choosing by its faction's preferences and local deterrence;
a band may engage one rival band within reach. Bands split when large and dissolve when small.

The rules are written as functions over arrays of bands (:func:`net_recruitment`,
:func:`attack_probability`, :func:`best_cells`, :func:`target_kinds`, :func:`civilian_deaths_asked`),
so the insurgent phase applies each to every band in one pass; the methods apply the same functions
to one band.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

import numpy as np
from mesa.discrete_space import CellAgent

from sahel_sim.model import kernels
from sahel_sim.model.agents.base import OnGrid

if TYPE_CHECKING:
    from sahel_sim.model.sahel_model import SahelModel
    from sahel_sim.scenario.schema import Faction

#: Share of an attack's deaths suffered by the attackers when they hit an armed target.
ATTACKER_SHARE = 0.3

#: What a band may attack, in the order of the weights in :meth:`InsurgentBand.strike`.
TARGET_KINDS = ("civilians", "army", "peacekeepers", "convoy", "diplomatic")


def faction_indices(bands: list) -> np.ndarray:
    """Each band's faction index as an integer array."""
    return np.array([b.faction_index for b in bands], dtype=np.intp)


def net_recruitment(
    rng: np.random.Generator, params, recruitment, own_share, pool, competitors, strength
) -> np.ndarray:
    """Recruits less deserters this week, for one band or an array of bands.

    Args:
        rng: The model's random generator.
        params: ``mechanisms.insurgency``.
        recruitment: The faction's recruitment multiplier.
        own_share: The faction's share of presence in the band's cell (0-1).
        pool: Unmobilised capacity within reach: mobilisation_cap x willing people outside the cells
            the state's garrisons hold, less the fighters already there (people).
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
    """Chance that a band attacks this week: min(1, attack_rate x aggression) x (1 - deterrence).

    Deterrence is the peacekeepers' at the band's cell; it is the only way they lower the attacks on
    themselves (the choice of target and the deaths of an attack on them do not depend on it), so
    it is weaker than their protection of civilians (docs/ODD.md, "Attacks").
    """
    return np.minimum(1.0, attack_rate * np.asarray(aggression)) * (1.0 - np.asarray(deterrence))


def best_cells(
    scores: np.ndarray, faction_index: np.ndarray, xs: np.ndarray, ys: np.ndarray, radius: int, rng: np.random.Generator
) -> tuple[np.ndarray, np.ndarray]:
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
    jitter = rng.random((len(xs), (2 * radius + 1) ** 2)) * 1e-3  # one number per cell of each window
    factions, bx, by = (np.ascontiguousarray(v, dtype=np.intp) for v in (faction_index, xs, ys))
    return kernels.best_in_window(np.ascontiguousarray(scores, dtype=float), factions, bx, by, int(radius), jitter)


def target_kinds(
    rng: np.random.Generator,
    civilian_targeting,
    international_targeting,
    convoy_exposure: float,
    available,
) -> np.ndarray:
    """The kind of target each attacking band strikes, as an index into :data:`TARGET_KINDS`.

    Weights: civilians civilian_targeting; army (1 - civilian_targeting); peacekeepers
    international_targeting; convoys international_targeting x convoy_exposure; diplomatic posts
    international_targeting x 0.25. A kind with nobody in reach weighs nothing. Peacekeepers do not
    enter the choice: their deterrence has already lowered the chance of attacking at all and their
    protection lowers the deaths of an attack on civilians, and counting them again here would take
    their effect beyond its sourced ceiling.

    Args:
        rng: The model's random generator.
        civilian_targeting: Each band's faction's civilian targeting (0-1).
        international_targeting: Each band's faction's international targeting (0-1).
        convoy_exposure: ``peacekeeping.convoy_exposure``.
        available: Shape (bands, 4): army, peacekeepers, convoy, diplomatic post within reach.

    Returns:
        Index per band; -1 where every weight is zero.

    """
    civ = np.asarray(civilian_targeting, dtype=float)
    intl = np.asarray(international_targeting, dtype=float)
    there = np.asarray(available, dtype=bool)
    weights = np.column_stack(
        [
            civ,
            (1.0 - civ) * there[:, 0],
            intl * there[:, 1],
            intl * convoy_exposure * there[:, 2],
            intl * 0.25 * there[:, 3],
        ]
    )
    cumulative = np.cumsum(weights, axis=1)
    total = cumulative[:, -1]
    kind = (cumulative <= (rng.random(len(total)) * total)[:, None]).sum(axis=1)
    return np.where(total > 0, kind, -1)


def civilian_deaths_asked(rng: np.random.Generator, lethality: float, strength, protection) -> np.ndarray:
    """Deaths an attack on civilians aims at: Poisson(lethality x sqrt(strength) x (1 - protection)).

    Args:
        rng: The model's random generator.
        lethality: ``insurgency.lethality``.
        strength: The attacking band's fighters.
        protection: Peacekeeper protection at the struck cell (0-1).

    Returns:
        People per attack (the struck cell may hold fewer).

    """
    expected = lethality * np.sqrt(np.maximum(np.asarray(strength, dtype=float), 0.0))
    return rng.poisson(expected * (1.0 - np.asarray(protection)))


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
    def split_or_dissolve(self) -> None:
        """Split a band that grew too large; remove one that has withered.

        The split-off half goes to a random neighbouring cell among those its faction may enter
        (:func:`~sahel_sim.model.phases.insurgents.allowed_cells`), or stays if there is none.
        """
        params = self.model.params.insurgency
        if self.strength < params.band_min_strength:
            self.remove()
            return
        if self.strength > params.band_split_strength:
            half = math.floor(self.strength / 2)
            self.strength -= half
            allowed = self.model.faction_cells[self.faction_index]  # never splits out of its countries
            here = self.cell
            assert here is not None  # a band on the grid
            neighbours = [c for c in here.neighborhood if allowed[c.coordinate]]
            target = neighbours[self.model.streams.insurgents.integers(len(neighbours))] if neighbours else here
            InsurgentBand(self.model, target, self.faction, self.faction_index, half)

    def strike_civilians(self, xy: tuple[int, int], asked: int) -> None:
        """Kill up to ``asked`` people in cell ``xy`` and record the attack."""
        model = self.model
        deaths = model.kill_civilians(xy, asked)
        model.record_event("attack", self.faction.name, "civilians", xy, fatalities_civilian=deaths)

    def strike_armed(self, kind: str, candidates: list) -> None:
        """Attack one of ``candidates`` (army units, camps, convoys or posts, by ``kind``), chosen at random.

        Deaths ~ Poisson(lethality x sqrt(strength)), times hardened_target_factor for peacekeepers
        (fortified camps, armoured convoys; and convoy_exposure for convoys); the attackers lose
        :data:`ATTACKER_SHARE` of them. Deterrence acts before, on the chance of attacking.
        """
        model = self.model
        rng = model.streams.insurgents
        target = candidates[int(rng.integers(len(candidates)))]
        expected = model.params.insurgency.lethality * math.sqrt(max(self.strength, 0.0))
        if kind in ("peacekeepers", "convoy"):
            hardened = model.params.peacekeeping.hardened_target_factor
            exposure = model.params.peacekeeping.convoy_exposure
            expected *= hardened * (exposure if kind == "convoy" else 1.0)
        deaths = int(rng.poisson(expected))
        own = int(rng.binomial(deaths, ATTACKER_SHARE))
        hit = min(deaths - own, int(target.strength)) if kind != "diplomatic" else deaths - own
        self.strength -= own
        if kind == "army":
            target.strength -= hit
            self.record(
                "attack",
                self.faction.name,
                "army",
                at=target.xy,
                fatalities_army=hit,
                fatalities_insurgent=own,
                detail=target.post_name,
            )
        elif kind == "diplomatic":
            self.record(
                "attack",
                self.faction.name,
                "diplomatic",
                at=target.xy,
                fatalities_civilian=hit,
                fatalities_insurgent=own,
                detail=target.name,
            )
            model.kill_civilians(target.xy, hit)
        else:
            target.strength -= hit
            self.record(
                "attack",
                self.faction.name,
                "peacekeepers",
                at=target.xy,
                fatalities_peacekeeper=hit,
                fatalities_insurgent=own,
                detail=target.name,
            )

    def clash(self, rival: InsurgentBand) -> None:
        """Fight a band of a rival faction; both lose fighters."""
        rng = self.model.streams.insurgents
        scale = self.model.params.insurgency.lethality * math.sqrt(min(self.strength, rival.strength))
        mine = min(int(rng.poisson(scale * rival.strength / (self.strength + rival.strength))), int(self.strength))
        theirs = min(int(rng.poisson(scale * self.strength / (self.strength + rival.strength))), int(rival.strength))
        self.strength -= mine
        rival.strength -= theirs
        self.record("clash", self.faction.name, rival.faction.name, fatalities_insurgent=mine + theirs)
