"""Phase 7, posts: each diplomatic post perceives this week's threat and decides its status."""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

import numpy as np

from sahel_sim import fields as F

if TYPE_CHECKING:
    from sahel_sim.model import SahelModel


def run_phase(model: SahelModel) -> None:
    """Decay the record of international attacks, then let every post perceive and decide."""
    p = model.params.diplomacy
    posts = model.posts()
    memory = p.threat_memory_weeks
    if posts:
        r = F.km_to_cells(p.vicinity_km, model.resolution)
        violence = F.window_sum(model.violence, r) / model.params.population.violence_memory_weeks
        people = F.window_sum(model.population, r)
        insurgent_people = F.window_sum(np.where(model.control > 0, model.population, 0.0), r)
        country = model.geo.country
        codes = model.geo.country_codes
        pk_by_country = np.zeros(len(codes))
        for c in (*model.camps(), *model.convoys()):
            pk_by_country[country[c.xy]] += c.strength
        for post in posts:
            xy = post.xy
            host = int(country[xy])
            watched = {host} | {codes.index(c) for c in post.spec.covers if c in codes}
            international = sum(model.intl_attacks[i] for i in sorted(watched)) / memory
            control = insurgent_people[xy] / people[xy] if people[xy] > 0 else 0.0
            in_mission_area = codes[host] == model.pk_host and model.mission_deployed
            post.perceive(float(violence[xy]), float(control), float(international),
                          float(pk_by_country[host]) if in_mission_area else None)
            post.decide()
    model.intl_attacks *= math.exp(-1.0 / memory)
