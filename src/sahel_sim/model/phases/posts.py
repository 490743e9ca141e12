"""Phase 7, posts: each diplomatic post observes this week's threat terms and decides its status."""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, cast

import numpy as np

from sahel_sim.model import fields as F
from sahel_sim.model.agents.base import positions, strengths

if TYPE_CHECKING:
    from sahel_sim.model.agents.peacekeepers import Convoy, PeacekeepingCamp
    from sahel_sim.model.sahel_model import SahelModel


def distances_km(model: SahelModel, xy: tuple[int, int]) -> np.ndarray:
    """Distance from a cell's centre to every cell centre, km (equirectangular)."""
    geo = model.geo
    lat0, lon0 = geo.cell_centre(*xy)
    lats = geo.lat0 + (np.arange(geo.height) + 0.5) * geo.resolution
    lons = geo.lon0 + (np.arange(geo.width) + 0.5) * geo.resolution
    dx = (lons[:, None] - lon0) * np.cos(np.radians((lats[None, :] + lat0) / 2))
    dy = lats[None, :] - lat0
    return F.KM_PER_DEGREE * np.hypot(dx, dy)


def vicinity(model: SahelModel, post) -> np.ndarray:
    """Cells whose centres lie within ``vicinity_km`` of a post (a disc, computed once per post)."""
    if post.vicinity is None:
        p = model.params.diplomacy
        d = distances_km(model, post.xy)
        post.vicinity = d <= p.vicinity_km
        post.kernel = np.where(post.vicinity, np.exp(-d / p.violence_distance_km), 0.0)
    return post.vicinity


def hostility(model: SahelModel, host: str, sending: str | None) -> float:
    """Decayed count of the host's hostile acts against ``sending`` up to this week (acts)."""
    if sending is None:
        return 0.0
    memory = model.params.diplomacy.hostility_memory_weeks
    total = 0.0
    for act in model.config.hostility:
        if act.host == host and act.sending_code == sending and act.date <= model.date:
            total += math.exp(-(model.date - act.date).days / 7.0 / memory)
    return total


def _armed_fields(model: SahelModel) -> tuple[np.ndarray, np.ndarray]:
    """Per cell: security personnel (army, partners, peacekeepers) and fighters."""
    shape = model.land.shape
    security, fighters = np.zeros(shape), np.zeros(shape)
    peacekeepers: list[PeacekeepingCamp | Convoy] = [*model.camps(), *model.convoys()]
    # np.add.at adds one by one in list order, as a loop would: the same sums to the last bit.
    for field, agents in (
        (security, [u for u in model.units() if u.active]),
        (security, peacekeepers),
        (fighters, model.bands()),
    ):
        np.add.at(field, positions(agents), np.maximum(strengths(agents), 0.0))
    return security, fighters


def run(model: SahelModel) -> None:
    """Decay the record of international attacks, then let every post observe and decide."""
    p = model.params.diplomacy
    posts = model.posts()
    memory = p.threat_memory_weeks
    if posts:
        weekly_violence = model.violence / model.params.population.violence_memory_weeks
        insurgent_people = np.where(model.control > 0, model.population, 0.0)
        security, fighters = _armed_fields(model)
        country = model.geo.country
        codes = model.geo.country_codes
        pk_by_country = np.zeros(len(codes))
        peacekeepers: list[PeacekeepingCamp | Convoy] = [*model.camps(), *model.convoys()]
        for c in peacekeepers:
            pk_by_country[country[c.xy]] += max(c.strength, 0.0)
        keep = math.exp(-1.0 / p.mission_memory_weeks)
        local: dict[tuple[int, int], tuple[float, float, float]] = {}  # posts in one cell see the same
        for post in posts:
            near = vicinity(model, post)
            if post.xy not in local:
                people = model.population[near].sum()
                armed = security[near].sum() + fighters[near].sum()
                local[post.xy] = (
                    float((weekly_violence * cast(np.ndarray, post.kernel)).sum()),  # set by vicinity()
                    float(insurgent_people[near].sum() / people) if people > 0 else 0.0,
                    float(fighters[near].sum() / armed) if armed > 0 else 0.0,
                )
            violence, control, balance = local[post.xy]
            if post.watched is None:  # the host and covered countries do not change
                host = int(country[post.xy])
                post.watched = (host, tuple(sorted({host} | {codes.index(c) for c in post.spec.covers if c in codes})))
            host, watched = post.watched
            pk_now = float(pk_by_country[host])
            post.peacekeepers_recent = max(pk_now, post.peacekeepers_recent * keep)
            post.perceive(
                violence=violence,
                control=control,
                force_balance=balance,
                international=sum(model.intl_attacks[i] for i in watched) / memory,
                mission_loss=min(1.0, (post.peacekeepers_recent - pk_now) / p.peacekeeper_reference),
                hostility=hostility(model, codes[host], post.spec.sending_code),
            )
            post.decide()
    model.intl_attacks *= math.exp(-1.0 / memory)
