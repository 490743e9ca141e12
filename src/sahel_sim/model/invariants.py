"""Invariants of the model's state that must hold after every week, whatever the scenario.

:func:`check_invariants` inspects a :class:`~sahel_sim.model.sahel_model.SahelModel` and lists what is wrong (an
empty list when all is well). ``run --check`` (:func:`sahel_sim.runs.runner.simulate` with ``check=True``)
calls it after every step and stops with an :class:`InvariantError` at the first week that breaks one.

The invariants:

* **population**: people are neither created nor lost, except civilians killed, which are counted
  (``population.sum() + civilian_deaths_total`` equals the population at the start; nobody leaves the
  map, displaced people stay in the population field);
* **no negatives**: strengths of bands, army and partner units, camps and convoys, and every
  population field (people, violence, abuse, displacement, control shares, legitimacy) are finite
  and not negative;
* **closed camps are empty**: a camp whose status is ``CLOSED`` holds no peacekeepers;
* **control shares**: on land, the state's share plus every faction's share is one, each in [0, 1];
* **metrics**: every metric of the last week's rows is a finite number.
"""

from __future__ import annotations

import datetime as dt
import math
from typing import TYPE_CHECKING

import numpy as np

from sahel_sim.model.agents import CampStatus

if TYPE_CHECKING:
    from sahel_sim.model.sahel_model import SahelModel

#: Relative tolerance on the population balance (sums of about 10^8 people in floating point).
POPULATION_RTOL = 1e-7
#: Absolute tolerance on shares and on "not negative" (floating-point round-off).
SHARE_ATOL = 1e-6
NEGATIVE_ATOL = 1e-9


class InvariantError(RuntimeError):
    """The model broke one or more invariants after a step.

    Args:
        week: Index of the week just simulated (0 for the first).
        date: First day of that week.
        problems: One line per broken invariant, from :func:`check_invariants`.
    """

    def __init__(self, week: int, date: dt.date, problems: list[str]):
        self.week = week
        self.date = date
        self.problems = list(problems)
        super().__init__(f"invariants broken in week {week} ({date}): " + "; ".join(self.problems))


def check_invariants(model: SahelModel) -> list[str]:
    """List the invariants the model's current state breaks.

    Args:
        model: A model, before or after any number of steps.

    Returns:
        One message per problem (naming the agent, field or column); empty when every invariant holds.
    """
    problems: list[str] = []
    problems += _population(model)
    problems += _strengths(model)
    problems += _fields(model)
    problems += _control(model)
    problems += _metrics(model)
    return problems


def _population(model: SahelModel) -> list[str]:
    start = float(np.sum(model.geo.population, dtype=float))
    now = float(np.sum(model.population, dtype=float))
    dead = float(model.civilian_deaths_total)
    if not math.isfinite(now) or not math.isclose(now + dead, start, rel_tol=POPULATION_RTOL, abs_tol=1.0):
        return [
            f"population not conserved: {now:.1f} people + {dead:.0f} civilian deaths = "
            f"{now + dead:.1f}, but {start:.1f} at the start"
        ]
    return []


def _bad_amount(value: float) -> bool:
    return not math.isfinite(value) or value < -NEGATIVE_ATOL


def _strengths(model: SahelModel) -> list[str]:
    problems = []
    groups = (("band", model.bands()), ("unit", model.units()), ("camp", model.camps()), ("convoy", model.convoys()))
    for kind, agents in groups:
        for agent in agents:
            strength = float(agent.strength)
            if _bad_amount(strength):
                problems.append(f"{kind} {_label(agent)} has strength {strength!r}")
    for camp in model.camps():
        if camp.status is CampStatus.CLOSED and camp.strength != 0:
            problems.append(f"camp {camp.name} is closed but holds {camp.strength!r} peacekeepers")
    return problems


def _label(agent) -> str:
    name = getattr(agent, "name", None)
    if name is None:
        faction = getattr(agent, "faction", None)
        name = f"of {faction.name}" if faction is not None else ""
    return f"{name} (id {agent.unique_id}) at {agent.xy}".strip()


def _fields(model: SahelModel) -> list[str]:
    fields = {
        "population": model.population,
        "violence": model.violence,
        "deaths_week": model.deaths_week,
        "abuse": model.abuse,
        "displaced_internal": model.idp,
        "displaced_abroad": model.refugees,
        "refugees_from": model.refugees_from,
        "legitimacy": model.legitimacy,
        "control_state": model.state_share,
        **{f"control_{i}": share for i, share in enumerate(model.faction_share)},
    }
    problems = []
    for name, field in fields.items():
        values = np.asarray(field, dtype=float)
        if values.size == 0:
            continue
        if not np.isfinite(values).all():
            problems.append(f"field {name} has {int((~np.isfinite(values)).sum())} non-finite values")
        elif values.min() < -NEGATIVE_ATOL:
            where = np.unravel_index(int(np.argmin(values)), values.shape)
            problems.append(f"field {name} is negative: {values.min()!r} at {tuple(int(i) for i in where)}")
    return problems


def _control(model: SahelModel) -> list[str]:
    land = np.asarray(model.land, dtype=bool)
    if not land.any():
        return []
    total = np.asarray(model.state_share, dtype=float).copy()
    shares = [np.asarray(model.state_share, dtype=float)]
    for share in model.faction_share:
        total += share
        shares.append(np.asarray(share, dtype=float))
    problems = []
    off = np.abs(total - 1.0)[land]
    if not (off <= SHARE_ATOL).all():  # also catches NaN
        worst = np.nanmax(off) if np.isfinite(off).any() else float("nan")
        problems.append(
            f"control shares do not sum to one on {int((~(off <= SHARE_ATOL)).sum())} land "
            f"cells (worst off by {worst:.3g})"
        )
    above = sum(int((s[land] > 1.0 + SHARE_ATOL).sum()) for s in shares)
    if above:
        problems.append(f"{above} control shares above one on land")
    return problems


def _metrics(model: SahelModel) -> list[str]:
    recorder = model.metrics
    rows = recorder.rows
    if not rows:
        return []
    last_date = rows[-1]["date"]
    problems = []
    for row in reversed(rows):
        if row["date"] != last_date:
            break
        bad = [c for c in recorder.columns if not math.isfinite(float(row[c]))]
        if bad:
            problems.append(f"metrics of {row['area']} on {last_date.date()} not finite: {', '.join(bad)}")
    return problems
