"""Peacekeepers act at the scale of their sources: inside their host country and within sourced ceilings.

docs/ODD.md, "Attacks" and "Peacekeepers and withdrawal" (issue 14, item 4).
"""

from __future__ import annotations

import math

import numpy as np
import pytest

from sahel_sim.model import fields as F
from sahel_sim.model.phases import presence
from sahel_sim.model.sahel_model import SahelModel
from sahel_sim.scenario.parameters.forces import PeacekeepingParams
from worlds import faction, mission, sahel_armies, scenario

#: Koro, Mali, about 40 km from the border with Burkina Faso.
KORO = {"lat": 14.07, "lon": -3.08}
#: Ouahigouya, Burkina Faso, about 60 km south of that border.
OUAHIGOUYA = {"lat": 13.58, "lon": -2.42}


def _presence(personnel: int) -> SahelModel:
    """A world with one camp of ``personnel`` at Koro (none if 0) and a band across the border; week 1."""
    sc = scenario(
        peacekeepers=mission([{"name": "Koro", **KORO}], personnel=max(personnel, 1)) if personnel else None,
        states=sahel_armies(),
        factions=[faction(strength=400, at=OUAHIGOUYA, countries=["ML", "BF"])],
    )
    model = SahelModel(sc, seed=5)
    model.step()
    return model


def test_a_camp_near_a_border_protects_and_deters_nothing_across_it():
    model = _presence(5000)
    bare = _presence(0)
    camp = model.camps()[0]
    km = model.params.peacekeeping.protection_radius_km * min(3.0, math.sqrt(camp.strength / 1000.0))
    r = F.km_to_cells(km, model.resolution)
    x, y = camp.xy
    window = np.zeros(model.land.shape, dtype=bool)
    window[max(0, x - r) : x + r + 1, max(0, y - r) : y + r + 1] = True
    across = window & model.geo.mask("BF")
    inside = window & model.geo.mask("ML")
    assert across.sum() >= 5 and inside.sum() >= 5  # the camp's patrol window does straddle the border
    pres = model.presence
    for name in ("peacekeepers_reach", "protection", "deterrence"):
        assert np.all(getattr(pres, name)[across] == 0.0), name
        assert np.all(getattr(pres, name)[inside] > 0.0), name
    # nor do the peacekeepers count towards the arrest risk in Burkina Faso, while they raise it in Mali
    assert np.allclose(pres.risk[across], bare.presence.risk[across])
    assert np.all(pres.risk[inside] >= bare.presence.risk[inside])
    assert np.any(pres.risk[inside] > bare.presence.risk[inside])


def test_without_a_mission_nobody_is_protected_or_deterred():
    pres = _presence(0).presence
    assert not pres.peacekeepers_reach.any() and not pres.protection.any() and not pres.deterrence.any()


def test_deterrence_and_protection_never_exceed_their_sourced_ceilings():
    p = PeacekeepingParams()
    reach = np.concatenate([np.linspace(0.0, 20000.0, 2001), [5e4, 1e6]])
    deterrence = presence.deterrence_field(reach, p)
    protection = presence.protection_field(reach, deterrence, p)
    averted = 1.0 - (1.0 - deterrence) * (1.0 - protection)  # rebel killing of civilians averted
    assert np.all(np.diff(deterrence) >= 0) and np.all(np.diff(averted) >= -1e-12)
    assert np.all(protection >= 0.0) and np.all(protection < 1.0)
    # Hultman et al. 2014: battle deaths 22 -> 6 a month with 10,000 troops, and no further
    assert deterrence.max() == pytest.approx(1 - 6 / 22, abs=2e-4)
    assert np.all(deterrence <= 1 - 6 / 22 + 2e-4)
    # Hultman et al. 2013: civilian deaths 106 -> 2 a month with 8,000 troops, and no further
    assert averted.max() == pytest.approx(1 - 2 / 106, abs=2e-4)
    assert np.all(averted <= 1 - 2 / 106 + 2e-4)
    # attacks on the peacekeepers themselves are deterred less than civilians are protected
    some = reach > 0
    assert np.all(deterrence[some] < averted[some])


def test_ceilings_follow_the_parameters():
    p = PeacekeepingParams(deterrence_max_personnel=2000.0, protection_max_personnel=1000.0)
    reach = np.array([0.0, 1000.0, 2000.0, 9000.0])
    deterrence = presence.deterrence_field(reach, p)
    protection = presence.protection_field(reach, deterrence, p)
    assert deterrence[0] == 0.0 and protection[0] == 0.0
    assert deterrence[2] == deterrence[3] == pytest.approx(1 - math.exp(-2000.0 / p.deterrence_efold_personnel))
    remaining = (1.0 - deterrence) * (1.0 - protection)
    expected = math.exp(-1000.0 / p.protection_efold_personnel)
    assert remaining[1] == pytest.approx(expected) and remaining[3] == pytest.approx(expected)
