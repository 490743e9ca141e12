"""Phase 7, posts: each diplomatic post perceives this week's threat and decides its status."""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

import numpy as np

from sahel_sim.model import fields as F

if TYPE_CHECKING:
    from sahel_sim.model.sahel_model import SahelModel


def vicinity(model: SahelModel, post) -> np.ndarray:
    """Cells whose centres lie within ``vicinity_km`` of a post (a disc, computed once per post)."""
    if post.vicinity is None:
        geo = model.geo
        lat0, lon0 = geo.cell_centre(*post.xy)
        lats = geo.lat0 + (np.arange(geo.height) + 0.5) * geo.resolution
        lons = geo.lon0 + (np.arange(geo.width) + 0.5) * geo.resolution
        dx = (lons[:, None] - lon0) * np.cos(np.radians((lats[None, :] + lat0) / 2))
        dy = lats[None, :] - lat0
        post.vicinity = F.KM_PER_DEGREE * np.hypot(dx, dy) <= model.params.diplomacy.vicinity_km
    return post.vicinity


def run(model: SahelModel) -> None:
    """Decay the record of international attacks, then let every post perceive and decide."""
    p = model.params.diplomacy
    posts = model.posts()
    memory = p.threat_memory_weeks
    if posts:
        weekly_violence = model.violence / model.params.population.violence_memory_weeks
        insurgent_people = np.where(model.control > 0, model.population, 0.0)
        country = model.geo.country
        codes = model.geo.country_codes
        pk_by_country = np.zeros(len(codes))
        for c in (*model.camps(), *model.convoys()):
            pk_by_country[country[c.xy]] += c.strength
        for post in posts:
            near = vicinity(model, post)
            host = int(country[post.xy])
            watched = {host} | {codes.index(c) for c in post.spec.covers if c in codes}
            international = sum(model.intl_attacks[i] for i in sorted(watched)) / memory
            people = model.population[near].sum()
            control = insurgent_people[near].sum() / people if people > 0 else 0.0
            in_mission_area = codes[host] == model.pk_host and model.mission_deployed
            post.perceive(
                float(weekly_violence[near].sum()),
                float(control),
                float(international),
                float(pk_by_country[host]) if in_mission_area else None,
            )
            post.decide()
    model.intl_attacks *= math.exp(-1.0 / memory)
