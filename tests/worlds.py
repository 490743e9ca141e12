"""Tiny hand-built worlds for mechanism tests: a scenario with only the actors a test needs."""

from __future__ import annotations

import datetime as dt

from sahel_sim.model.sahel_model import SahelModel
from sahel_sim.scenario.schema import Scenario

KIDAL = {"lat": 18.44, "lon": 1.41}
GAO = {"lat": 16.27, "lon": -0.04}
MOPTI = {"lat": 14.5, "lon": -4.1}
TESSALIT = {"lat": 20.2, "lon": 1.0}
BAMAKO = {"lat": 12.65, "lon": -8.0}
TIMBUKTU = {"lat": 16.77, "lon": -3.0}


def scenario(weeks: int = 12, **parts) -> Scenario:
    """A validated scenario from 2020-01-01 with only the given parts (dicts as in YAML)."""
    start = dt.date(2020, 1, 1)
    data = {"name": "tiny", "start": start, "end": start + dt.timedelta(weeks=weeks)}
    data.update(parts)
    return Scenario.model_validate(data)


def faction(name: str = "F", strength: int = 400, at: dict = MOPTI, **kw) -> dict:
    """One faction entry starting at a place."""
    return {
        "name": name,
        "ideology": kw.pop("ideology", "jihadist"),
        "initial_strength": strength,
        "start_areas": [dict(at)],
        **kw,
    }


def mission(camps: list[dict], personnel: int = 5000, withdrawal: dict | None = None) -> dict:
    """A peacekeeping mission deployed from 2019 with the given camps."""
    return {
        "strength": [{"date": dt.date(2019, 1, 1), "personnel": personnel}],
        "camps": camps,
        "withdrawal": withdrawal,
    }


def partner(arrive: dt.date, personnel: int = 1000, at: dict = GAO, **kw) -> dict:
    """A partner force named P with one base, from ``arrive`` (``depart``, ``effectiveness`` ... as keywords)."""
    return {"name": "P", "arrive": arrive, "strength": [{"date": arrive, "personnel": personnel}], "bases": [at], **kw}


def mali_army(personnel: int = 20000, accuracy: float = 0.6, effectiveness: float = 0.5) -> dict:
    """Mali's state entry with an army."""
    return {
        "country": "ML",
        "army_strength": [{"date": dt.date(2019, 1, 1), "personnel": personnel}],
        "army_accuracy": accuracy,
        "army_effectiveness": effectiveness,
    }


def sahel_armies(
    personnel: int = 20000, accuracy: float = 0.6, effectiveness: float = 0.5, legitimacy: float = 0.75
) -> list[dict]:
    """Mali's army as given, and armies of the four neighbours the factions may enter (as in baseline).

    Legitimacy defaults to 0.75, the regime Epstein (2002) and Bennett (2008) study: grievance near
    the activation threshold, where legitimacy matters.
    """
    others = {"BF": 12000, "NE": 25000, "MR": 16000, "TD": 35000}
    states = [{**mali_army(personnel, accuracy, effectiveness), "legitimacy": legitimacy}]
    for code, size in others.items():
        states.append(
            {
                "country": code,
                "army_strength": [{"date": dt.date(2019, 1, 1), "personnel": size}],
                "army_accuracy": accuracy,
                "army_effectiveness": effectiveness,
                "legitimacy": legitimacy,
            }
        )
    return states


def run(sc: Scenario, seed: int = 1) -> SahelModel:
    """Run a scenario to its end and return the model."""
    model = SahelModel(sc, seed=seed)
    while model.running:
        model.step()
    return model
