"""A copy of what the page draws, taken from a live model in one go.

The page draws while another thread may be stepping the model; :func:`take` copies the fields,
agents and metrics under the model's lock so a picture never mixes two weeks.
"""

from __future__ import annotations

import contextlib
import datetime as dt
from dataclasses import dataclass

import numpy as np
import pandas as pd

from sahel_sim.model.geography import Geography
from sahel_sim.model.metrics import ALL

#: Headline metrics shown beside the map: column -> label.
HEADLINE = {
    "stability_index": "Stability index",
    "state_control_share": "State control (share of people)",
    "fatalities_total": "Fatalities this week",
    "displaced": "Displaced people",
    "posts_open": "Diplomatic posts open",
}


@dataclass(frozen=True)
class Snapshot:
    """The state of a model at the end of a week, detached from the model.

    Attributes:
        name: Scenario name.
        seed: Seed of the run.
        start: Scenario start date.
        end: Scenario end date.
        weeks: Weeks in the whole run.
        week: Weeks simulated so far (0 before the first step).
        date: First day of the last simulated week (the scenario start before the first step).
        geo: The geography (read-only, shared).
        fields: Cell arrays indexed [x, y]: population (people), violence (recent deaths),
            displaced (people displaced within or into the cell), state (state presence share),
            control (0 state, f + 1 faction f, -1 contested).
        faction_shares: Presence share of each faction per cell.
        factions: Faction names.
        partners: Names of the scenario's partner forces.
        bands: Rows (x, y, faction index, fighters).
        units: Rows (x, y, force, active, personnel); force is "army" or the partner's name.
        camps: Rows (x, y, status value, name, personnel).
        convoys: Rows (x, y, personnel).
        posts: Rows (x, y, status name, name); status "open", "reduced" or "closed".
        metrics: The weekly rows of the whole map (area ALL), one per simulated week.
    """

    name: str
    seed: int
    start: dt.date
    end: dt.date
    weeks: int
    week: int
    date: dt.date
    geo: Geography
    fields: dict[str, np.ndarray]
    faction_shares: tuple[np.ndarray, ...]
    factions: tuple[str, ...]
    partners: tuple[str, ...]
    bands: tuple[tuple, ...]
    units: tuple[tuple, ...]
    camps: tuple[tuple, ...]
    convoys: tuple[tuple, ...]
    posts: tuple[tuple, ...]
    metrics: pd.DataFrame

    def latest(self) -> dict[str, float] | None:
        """The last week's headline metrics (whole map), or ``None`` before the first step."""
        if self.metrics.empty:
            return None
        row = self.metrics.iloc[-1]
        return {col: float(row[col]) for col in HEADLINE}


def format_metric(column: str, value: float) -> str:
    """How the page prints a headline metric (the tests compare against saved results with it)."""
    if column == "stability_index":
        return f"{value:.2f}"
    if column.endswith("_share"):
        return f"{100 * value:.2f}%"
    return f"{round(value):,}"


def take(model) -> Snapshot:
    """Copy what the page needs from a :class:`~sahel_sim.model.sahel_model.SahelModel`.

    Args:
        model: The live model; its ``viz_lock`` (if any) is held while copying.
    """
    lock = getattr(model, "viz_lock", None) or contextlib.nullcontext()
    with lock:
        cfg = model.config
        frame = model.metrics.frame()
        fields = {
            "population": model.population.copy(),
            "violence": model.violence.copy(),
            "displaced": model.idp + model.refugees,
            "state": model.state_share.copy(),
            "control": np.array(model.control, copy=True),
        }
        return Snapshot(
            name=cfg.name,
            seed=model.seed_value,
            start=cfg.start,
            end=cfg.end,
            weeks=cfg.weeks,
            week=model.weeks_run,
            date=model.date,
            geo=model.geo,
            fields=fields,
            faction_shares=tuple(s.copy() for s in model.faction_share),
            factions=tuple(f.name for f in cfg.factions),
            partners=tuple(p.name for p in cfg.partners),
            bands=tuple((*b.xy, b.faction_index, float(b.strength)) for b in model.bands()),
            units=tuple((*u.xy, u.force, bool(u.active), float(u.strength)) for u in model.units()),
            camps=tuple((*c.xy, c.status.value, c.name, float(c.strength)) for c in model.camps()),
            convoys=tuple((*c.xy, float(c.strength)) for c in model.convoys()),
            posts=tuple((*p.xy, "closed" if not p.is_open else p.status.name.lower(), p.name) for p in model.posts()),
            metrics=frame[frame["area"] == ALL].reset_index(drop=True),
        )
