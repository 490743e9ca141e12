"""Phase 2, presence: who is where this week, as fields over the grid.

Force and fighter fields are built from the agents' positions; from them come Epstein's arrest risk
and the willing share of the population, and the peacekeepers' protection of civilians and
deterrence of attacks. Later phases of the week read the result, :class:`Presence`, as
``model.presence``.

Peacekeepers act only in their mission's host country (``peacekeepers.host``): their reach, and so
their protection, deterrence, weight in state presence and share of the arrest risk, is zero in every
other country, however close a camp stands to the border. Effects across a border pass only through
mechanisms (bands deterred in the host country move, people flee across borders), never directly.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from sahel_sim.model import fields as F
from sahel_sim.model.agents.base import positions, strengths
from sahel_sim.model.agents.insurgents import faction_indices

if TYPE_CHECKING:
    from sahel_sim.model.agents.peacekeepers import Convoy, PeacekeepingCamp
    from sahel_sim.model.sahel_model import SahelModel
    from sahel_sim.scenario.parameters.forces import PeacekeepingParams


@dataclass
class Presence:
    """The week's presence fields; every array is indexed ``[x, y]`` over the grid.

    Attributes:
        forces: Army and partner personnel in each cell (personnel).
        peacekeepers: Peacekeepers at camps and on convoys in each cell (personnel).
        fighters: Fighters of each faction in each cell, indexed ``[faction, x, y]`` (fighters).
        peacekeepers_reach: Peacekeepers whose patrols reach each cell (personnel).
        state_op: Army and partner personnel within the operating radius (personnel).
        fighters_op: Fighters of all factions within the operating radius (fighters); the forces
            phase updates it after its engagements.
        fighters_vision: Fighters within civilian vision (fighters).
        bands_vision: Bands within civilian vision (bands).
        protection: Peacekeepers' protection of civilians (0-1).
        deterrence: Peacekeepers' deterrence of attacks (0-1).
        risk: Epstein's estimated arrest risk (0-1).
        grievance: Epstein's grievance, hardship x (1 - legitimacy) (0-1).
        willing: Share of the population willing to join an armed group (0-1).

    """

    forces: np.ndarray
    peacekeepers: np.ndarray
    fighters: np.ndarray
    peacekeepers_reach: np.ndarray
    state_op: np.ndarray
    fighters_op: np.ndarray
    fighters_vision: np.ndarray
    bands_vision: np.ndarray
    protection: np.ndarray
    deterrence: np.ndarray
    risk: np.ndarray
    grievance: np.ndarray
    willing: np.ndarray


def run(model: SahelModel) -> None:
    """Compute this week's :class:`Presence` from the agents and the population fields."""
    p = model.params
    w, h = model.geo.width, model.geo.height
    r_vision = F.km_to_cells(p.population.vision_km, model.resolution)
    r_op = F.km_to_cells(p.combat.operating_radius_km, model.resolution)
    forces = _personnel_field((w, h), [u for u in model.units() if u.active and u.strength > 0])
    peacekeepers: list[PeacekeepingCamp | Convoy] = [*model.camps(), *model.convoys()]
    pk = _personnel_field((w, h), [c for c in peacekeepers if c.strength > 0])
    bands = model.bands()
    bx, by = positions(bands)
    fighters = np.zeros((len(model.config.factions), w, h))
    np.add.at(fighters, (faction_indices(bands), bx, by), strengths(bands))
    band_count = np.zeros((w, h))
    np.add.at(band_count, (bx, by), 1.0)
    all_fighters = fighters.sum(axis=0)
    host = host_mask(model)
    reach = peacekeeper_reach(model, host)
    fighters_vision = F.window_sum(all_fighters, r_vision)
    state_vision = F.window_sum(forces, r_vision) + F.window_sum(pk, r_vision) * host
    risk = F.arrest_risk(state_vision, fighters_vision, p.population.arrest_constant)
    legit = np.clip(model.legitimacy[model.geo.country] - model.abuse, 0.0, 1.0)
    exposure = 1.0 - np.exp(-model.violence_per_100k() / p.population.flight_violence_scale)
    hardship = p.population.hardship + p.population.hardship_violence_gain * exposure
    grievance = hardship * (1.0 - legit)
    deterrence = deterrence_field(reach, p.peacekeeping)
    model.presence = Presence(
        forces=forces,
        peacekeepers=pk,
        fighters=fighters,
        peacekeepers_reach=reach,
        state_op=F.window_sum(forces, r_op),
        fighters_op=F.window_sum(all_fighters, r_op),
        fighters_vision=fighters_vision,
        bands_vision=F.window_sum(band_count, r_vision),
        protection=protection_field(reach, deterrence, p.peacekeeping),
        deterrence=deterrence,
        risk=risk,
        grievance=grievance,
        willing=F.willing_share(grievance, risk, p.population.activation_threshold),
    )


def _personnel_field(shape: tuple[int, int], agents: list) -> np.ndarray:
    """Personnel per cell: the agents' strengths added in list order (np.add.at adds one by one)."""
    field = np.zeros(shape)
    np.add.at(field, positions(agents), strengths(agents))
    return field


def host_mask(model: SahelModel) -> np.ndarray:
    """1.0 on the land cells of the mission's host country, 0.0 elsewhere (all zero without a mission)."""
    if not model.pk_host:
        return np.zeros(model.land.shape)
    return model.geo.mask(model.pk_host).astype(float)


def deterrence_field(reach: np.ndarray, params: PeacekeepingParams) -> np.ndarray:
    """Share of armed groups' attacks deterred by the peacekeepers in reach (0-1).

    1 - exp(-min(reach, deterrence_max_personnel) / deterrence_efold_personnel): Hultman et al.
    (2014)'s dose-response of battle deaths on troops, applied to the peacekeepers within reach and
    not extrapolated beyond their largest deployment, so it never exceeds 1 - 6/22 at the defaults.

    Args:
        reach: Peacekeepers whose patrols reach each cell (personnel).
        params: ``mechanisms.peacekeeping``.

    """
    dose = np.minimum(reach, params.deterrence_max_personnel)
    return 1.0 - np.exp(-dose / params.deterrence_efold_personnel)


def protection_field(reach: np.ndarray, deterrence: np.ndarray, params: PeacekeepingParams) -> np.ndarray:
    """Share of an attack's civilian deaths averted by the peacekeepers in reach (0-1).

    Rebel killing of civilians near peacekeepers is the undeterred attacks times the deaths each
    attack causes: (1 - deterrence) x (1 - protection). That product is set to Hultman et al.
    (2013)'s dose-response, exp(-min(reach, protection_max_personnel) / protection_efold_personnel),
    so protection = 1 - that / (1 - deterrence), at least 0: deterrence and protection together
    never avert more than the source's largest effect (1 - 2/106 at the defaults).

    Args:
        reach: Peacekeepers whose patrols reach each cell (personnel).
        deterrence: :func:`deterrence_field` of the same reach.
        params: ``mechanisms.peacekeeping``.

    """
    remaining = np.exp(-np.minimum(reach, params.protection_max_personnel) / params.protection_efold_personnel)
    undeterred = np.maximum(np.maximum(1.0 - deterrence, remaining), np.finfo(float).tiny)  # no 0/0 at extremes
    return 1.0 - remaining / undeterred


def peacekeeper_reach(model: SahelModel, host: np.ndarray | None = None) -> np.ndarray:
    """Peacekeepers whose patrols reach each cell of the host country (personnel).

    A camp or convoy of S personnel patrols within protection_radius_km x sqrt(S / 1000), at most
    three times that radius: the area a contingent covers grows with its size (assumption). Cells
    outside the host country get none (the mission did not operate there).

    Args:
        model: The model.
        host: :func:`host_mask`, if already computed.
    """
    p = model.params.peacekeeping
    by_radius: dict[int, np.ndarray] = {}
    peacekeepers: list[PeacekeepingCamp | Convoy] = [*model.camps(), *model.convoys()]
    for c in peacekeepers:
        if c.strength <= 0:
            continue
        km = p.protection_radius_km * min(3.0, math.sqrt(c.strength / 1000.0))
        r = F.km_to_cells(km, model.resolution)
        field = by_radius.setdefault(r, np.zeros(model.land.shape))
        field[c.xy] += c.strength
    total = np.zeros(model.land.shape)
    for r, field in sorted(by_radius.items()):
        total += F.window_sum(field, r)
    return total * (host_mask(model) if host is None else host)
