"""Blockades of garrison towns: the state of every key town and the rule over arrays.

Rule (docs/ODD.md, "Blockades"): a town held by an active national army post is blockaded by the
faction that controls at least ``start_share`` of the land cells in the ring around it (the square
window of ``ring_radius_km``, the town's own cell left out; control of the ring stands for control of
the roads in). A faction that is a wing of another (``part_of``, from its date) holds roads for it: a
ring cell is the organisation's when its members' presence shares together reach the control
threshold (:func:`organisation_labels`). The blockade holds while the garrison stays and the faction keeps at least
``lift_share`` of the ring (hysteresis); it is lifted by force when the faction's share falls below
that, or when the garrison leaves (its post is abandoned), or *by
agreement* when an accord in force binds the faction to the town's state (:mod:`sahel_sim.model.accords`);
a bound faction starts no blockade there. While it holds, the town's units receive only
``resupply_share`` of their usual reinforcement, a share of its people leave each week and the state
loses local legitimacy there.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from sahel_sim.model import fields as F

if TYPE_CHECKING:
    from sahel_sim.scenario.schema import Faction

#: Why a blockade ended (the detail of a ``blockade_lifted`` event starts with one of these).
LIFT_REASONS = ("ring_lost", "garrison_left", "agreement")


@dataclass
class BlockadeState:
    """Which key towns are blockaded, by whom and since when, and the effect fields it implies.

    Attributes:
        towns: Cells (x, y) of the key towns, in the order of ``model.key_towns``.
        names: Their names.
        by: Per town, the blockading faction's index, or -1 when the town is not blockaded.
        since: Per town, the week index the blockade started (-1 when none).
        flight: Per cell, the extra share of people who leave this week (share per week).
        cut_off: Cells whose units are only partly reinforced (the blockaded towns).

    """

    towns: list[tuple[int, int]]
    names: list[str]
    by: np.ndarray
    since: np.ndarray
    flight: np.ndarray
    cut_off: frozenset[tuple[int, int]] = frozenset()

    @classmethod
    def for_towns(cls, towns: list[dict], shape: tuple[int, int]) -> BlockadeState:
        """No town blockaded yet.

        Args:
            towns: The model's key towns (dicts with ``xy`` and ``name``).
            shape: Shape of the grid (width, height).

        """
        n = len(towns)
        return cls(
            towns=[tuple(t["xy"]) for t in towns],
            names=[t["name"] for t in towns],
            by=np.full(n, -1, dtype=np.int64),
            since=np.full(n, -1, dtype=np.int64),
            flight=np.zeros(shape),
        )

    def cuts_supply(self, xy: tuple[int, int]) -> bool:
        """Whether a unit at this cell is cut off from its usual reinforcement."""
        return xy in self.cut_off

    def blockaded_cells(self) -> np.ndarray:
        """Boolean grid of the towns under blockade now (``flight``'s shape)."""
        mask = np.zeros(self.flight.shape, dtype=bool)
        for (x, y), f in zip(self.towns, self.by.tolist(), strict=True):
            if f >= 0:
                mask[x, y] = True
        return mask


def organisation_heads(factions: Sequence[Faction], date: dt.date) -> np.ndarray:
    """Per faction, the index of the organisation it belongs to on ``date`` (its own when independent).

    Args:
        factions: The scenario's factions, in model order.
        date: The date (a ``part_of`` with a later ``from`` date does not hold yet).

    Returns:
        Integer array of faction indices.
    """
    index = {f.name: i for i, f in enumerate(factions)}
    heads = np.arange(len(factions))
    for i, f in enumerate(factions):
        if f.part_of is not None and f.part_of.active_on(date):
            heads[i] = index[f.part_of.name]
    return heads


def organisation_labels(
    control: np.ndarray, faction_shares: Sequence[np.ndarray], heads: np.ndarray, threshold: float
) -> np.ndarray:
    """Control labels with each organisation's wings counted together (``control`` where none are joined).

    A cell is labelled as the organisation's (its head's label, head index + 1) when the presence shares
    of its members together reach ``threshold``; a cell one member holds alone is the organisation's too.
    Since the threshold is above one half, at most one actor can reach it in a cell.

    Args:
        control: Per-faction control labels (0 state, f + 1 faction f, -1 contested).
        faction_shares: Each faction's presence share per cell.
        heads: Per faction, its organisation's index (:func:`organisation_heads`).
        threshold: Share of presence needed to control a cell (``control.control_threshold``).

    Returns:
        A new int8 label array.
    """
    labels = control.copy()
    for head in np.unique(heads).tolist():
        members = np.flatnonzero(heads == head).tolist()
        if len(members) < 2:
            continue
        together = sum((faction_shares[m] for m in members), np.zeros(control.shape))
        labels[together >= threshold] = head + 1
    return labels


def ring_shares(
    control: np.ndarray, land: np.ndarray, towns: list[tuple[int, int]], radius: int, n_factions: int
) -> np.ndarray:
    """Each faction's share of the land cells in the ring around each town.

    Args:
        control: Control labels per cell (0 state, f + 1 faction f, -1 contested).
        land: Land mask.
        towns: Town cells (x, y).
        radius: Half-width of the ring's square window, cells (at least 1 for a ring to exist).
        n_factions: Number of factions.

    Returns:
        Array ``[town, faction]`` of shares in [0, 1] (0 where the ring has no land).

    """
    if not towns or n_factions == 0:
        return np.zeros((len(towns), n_factions))
    xs = np.array([t[0] for t in towns])
    ys = np.array([t[1] for t in towns])
    land_f = land.astype(float)
    # Counts of cells, rounded: the window sums carry floating-point round-off.
    ring_land = np.rint(F.window_sum(land_f, radius)[xs, ys]) - land_f[xs, ys]
    shares = np.zeros((len(towns), n_factions))
    for f in range(n_factions):
        held = ((control == f + 1) & land).astype(float)
        shares[:, f] = np.rint(F.window_sum(held, radius)[xs, ys]) - held[xs, ys]
    return np.divide(shares, ring_land[:, None], out=np.zeros_like(shares), where=ring_land[:, None] > 0)


def decide(
    by: np.ndarray,
    shares: np.ndarray,
    held: np.ndarray,
    start_share: float,
    lift_share: float,
    bound: np.ndarray | None = None,
) -> tuple[np.ndarray, list[tuple[int, int, str]]]:
    """This week's blockades from last week's, the ring shares and which towns have a garrison.

    A blockade goes on while its town is held, its faction is not bound by an accord with the town's
    state and keeps at least ``lift_share`` of the ring; a town without one is blockaded by the
    unbound faction with the largest share (the lowest index among equals) if that share reaches
    ``start_share`` and the town is held.

    Args:
        by: Per town, last week's blockading faction or -1.
        shares: ``[town, faction]`` ring shares (:func:`ring_shares`).
        held: Per town, whether a national army garrison holds it.
        start_share: Share of the ring that starts a blockade.
        lift_share: Share below which a blockade is lifted.
        bound: ``[town, faction]``, whether an accord in force binds the faction to the town's state
            (default: none does).

    Returns:
        The new ``by`` and the changes as (town index, faction index, what) with what "started",
        "garrison_left", "agreement" or "ring_lost" (checked in that order), in town order.

    """
    if bound is None:
        bound = np.zeros(shares.shape, dtype=bool)
    free = np.where(bound, -1.0, shares)  # a bound faction cannot start a blockade
    new = by.copy()
    changes: list[tuple[int, int, str]] = []
    if shares.shape[1] > 0:  # each town's strongest unbound faction (the first among equals) and its share
        best_of = np.argmax(free, axis=1)
        best_share = free[np.arange(len(by)), best_of].tolist()
        best_of = best_of.tolist()
    held_, bound_, shares_ = np.asarray(held).tolist(), np.asarray(bound).tolist(), np.asarray(shares).tolist()
    for t, f in enumerate(by.tolist()):
        if f >= 0:
            why = "garrison_left" if not held_[t] else "agreement" if bound_[t][f] else None
            why = why or ("ring_lost" if shares_[t][f] < lift_share else None)
            if why:
                new[t] = -1
                changes.append((t, f, why))
            continue
        if held_[t] and shares.shape[1] > 0:
            best = best_of[t]
            if best_share[t] >= start_share:
                new[t] = best
                changes.append((t, best, "started"))
    return new, changes
