"""Stability metrics: named reporters computed each week from the model's state and event log.

One row per week and area: ``ALL`` for the whole map, then Mali, Burkina Faso, Niger, Mauritania and
Chad by ISO code. The README defines every column with its unit; the main names are stable.
"""

from __future__ import annotations

import operator
from typing import TYPE_CHECKING, cast

import numpy as np
import pandas as pd

from sahel_sim.model.agents.base import positions, strengths
from sahel_sim.scenario.schema import slug

if TYPE_CHECKING:
    from sahel_sim.model.sahel_model import SahelModel

AREAS = ("ML", "BF", "NE", "MR", "TD")
ALL = "ALL"

#: Column -> (unit, definition). Per-faction control columns are added as control_share_<slug>.
METRICS: dict[str, tuple[str, str]] = {
    "events_total": ("events/week", "violent events: attacks, clashes, engagements and IED strikes"),
    "events_on_civilians": ("events/week", "attacks by armed groups on civilians"),
    "events_on_army": ("events/week", "attacks by armed groups on army and partner units"),
    "events_on_peacekeepers": ("events/week", "attacks and IED strikes on peacekeepers and convoys"),
    "events_on_diplomatic": ("events/week", "attacks on diplomatic posts"),
    "events_by_insurgents": ("events/week", "attacks by armed groups on any target"),
    "events_by_state": ("events/week", "engagements started by army or partner units"),
    "events_between_insurgents": ("events/week", "clashes between rival armed groups"),
    "fatalities_total": ("deaths/week", "all deaths in violent events"),
    "fatalities_civilian": ("deaths/week", "civilians killed (by any actor)"),
    "fatalities_army": ("deaths/week", "army and partner personnel killed"),
    "fatalities_insurgent": ("deaths/week", "fighters of armed groups killed"),
    "fatalities_peacekeeper": ("deaths/week", "peacekeepers killed in attacks and by IEDs"),
    "state_control_share": ("share of population", "people in cells the state controls"),
    "state_territory_share": ("share of land cells", "land the state controls"),
    "insurgent_control_share": ("share of population", "people in cells any armed group controls"),
    "contested_share": ("share of population", "people in cells no actor controls"),
    "displaced": ("people", "people of the area displaced inside it or abroad"),
    "displaced_internal": ("people", "people displaced within their own country, located in the area"),
    "displaced_abroad": ("people", "people of the area displaced across a border"),
    "blockaded_towns": ("towns", "key towns under an armed group's blockade (docs/ODD.md, 'Blockades')"),
    "blockaded_population": ("people", "people living in the cells of key towns under blockade"),
    "posts_open": ("posts", "diplomatic posts in the area that are open (ALL: every post)"),
    "posts_reduced": ("posts", "diplomatic posts in the area with reduced staff"),
    "posts_closed": ("posts", "diplomatic posts in the area that are closed or not yet open"),
    "covered_population": ("people", "population of the area's countries covered by an open post"),
    "diplomatic_presence": (
        "0-1",
        "share of the posts located in or covering the area that are open (reduced counts half; 0 if none)",
    ),
    "population": ("people", "people living in the area"),
    "peacekeepers": ("personnel", "peacekeepers in camps and convoys in the area"),
    "army_strength": ("personnel", "army and partner personnel in the area"),
    "insurgent_strength": ("fighters", "fighters of armed groups in the area"),
    "conflict_deadliness": ("deaths/week per million people", "recent deaths in violent events (ACLED: deadliness)"),
    "conflict_danger": (
        "events/week per million people",
        "recent attacks by armed groups on civilians (ACLED: danger to civilians)",
    ),
    "conflict_diffusion": (
        "share of populated cells",
        "cells of >= 100 people with recent violence of >= 0.2 deaths/week (ACLED: geographic diffusion)",
    ),
    "conflict_fragmentation": ("armed groups", "armed groups with fighters in the area (ACLED: fragmentation)"),
    "stability_index": ("0-100", "composite; see README 'Stability index'"),
}

#: Stability index (README "Stability index"): the four indicators of ACLED's Conflict Index
#: (deadliness, danger to civilians, geographic diffusion, fragmentation) and the state's control of
#: the population, each scored 0 (worst) to 1 and averaged with equal weights. The reference levels
#: below turn each indicator into a score; they are assumptions (ACLED ranks countries instead).
SI_COMPONENTS = ("deadliness", "danger", "diffusion", "fragmentation", "state_control")
SI_DEADLINESS_REF = 2.0  # deaths/week per million people at which the deadliness score is 1/e
SI_DANGER_REF = 1.0  # attacks on civilians/week per million people at which the danger score is 1/e
SI_FRAGMENTATION_REF = 3.0  # armed groups at which the fragmentation score is 1/e
DIFFUSION_THRESHOLD = 0.2  # recent deaths/week that make a cell count as violent (about 10 a year)
DIFFUSION_MIN_PEOPLE = 100.0  # cells with fewer people are left out (as ACLED's grid cells)


def stability_index(
    state_control: np.ndarray,
    deadliness: np.ndarray,
    danger: np.ndarray,
    diffusion: np.ndarray,
    fragmentation: np.ndarray,
) -> np.ndarray:
    """Composite stability index, 0 (collapse) to 100 (stable); diplomatic posts play no part.

    SI = 100 x mean(exp(-deadliness / 2), exp(-danger / 1), 1 - diffusion, exp(-fragmentation / 3),
    state_control), with the indicators as in :data:`METRICS` (``conflict_*`` columns).

    Args:
        state_control: Share of people under state control (0-1).
        deadliness: Recent deaths per week per million people.
        danger: Recent attacks on civilians per week per million people.
        diffusion: Share of populated cells with recent violence (0-1).
        fragmentation: Number of armed groups present.

    Returns:
        The index, same shape as the inputs.

    """
    scores = (
        np.exp(-deadliness / SI_DEADLINESS_REF),
        np.exp(-danger / SI_DANGER_REF),
        1.0 - diffusion,
        np.exp(-fragmentation / SI_FRAGMENTATION_REF),
        state_control,
    )
    return cast(np.ndarray, 100.0 * sum(scores) / len(scores))


#: Slot of each focus area in a week's per-area arrays (0 is ALL; events elsewhere count only there).
AREA_SLOT = {code: a + 1 for a, code in enumerate(AREAS)}

FATALITY_COLUMNS = ("fatalities_civilian", "fatalities_army", "fatalities_insurgent", "fatalities_peacekeeper")
_FATALITIES = operator.attrgetter(*FATALITY_COLUMNS)  # an event's deaths in the order of FATALITY_COLUMNS

_ATTACK_COLUMNS = {
    "civilians": "events_on_civilians",
    "army": "events_on_army",
    "peacekeepers": "events_on_peacekeepers",
    "diplomatic": "events_on_diplomatic",
}


def event_count_columns(kind: str, target: str) -> tuple[str, ...]:
    """The event-count metrics one event of this kind and target adds 1 to (none if not violent)."""
    if kind == "attack":
        return ("events_total", "events_by_insurgents", _ATTACK_COLUMNS[target])
    if kind == "ied":
        return ("events_total", "events_on_peacekeepers")
    if kind == "engagement":
        return ("events_total", "events_by_state")
    if kind == "clash":
        return ("events_total", "events_between_insurgents")
    return ()


class MetricsRecorder:
    """Collects one row per area each week; ``frame()`` gives the tidy table."""

    def __init__(self, model: SahelModel):
        self.model = model
        codes = model.geo.country_codes
        self.area_of_country = np.full(len(codes), len(AREAS), dtype=np.int64)
        for a, code in enumerate(AREAS):
            if code in codes:
                self.area_of_country[codes.index(code)] = a
        self.area_idx = self.area_of_country[model.geo.country].ravel()
        self.land = model.land.ravel()
        self.faction_cols = [f"control_share_{slug(f.name)}" for f in model.config.factions]
        self.rows: list[dict] = []
        self._danger = np.zeros(len(AREAS) + 1)  # decaying sum of attacks on civilians, events
        self._post_slots: dict = {}  # post -> (slots it counts in, slots of its own country), see _posts

    @property
    def columns(self) -> list[str]:
        """All metric columns in order."""
        return [*METRICS, *self.faction_cols]

    def _sums(self, field: np.ndarray) -> np.ndarray:
        """Per-area sums, ALL first then AREAS."""
        flat = np.asarray(field, dtype=float).ravel()
        out = np.empty(len(AREAS) + 1)
        out[0] = flat.sum()
        out[1:] = np.bincount(self.area_idx, weights=flat, minlength=len(AREAS) + 1)[: len(AREAS)]
        return out

    def collect(self) -> None:
        """Append this week's rows for ALL and each area."""
        m = self.model
        n = len(AREAS) + 1
        cols: dict[str, np.ndarray] = {c: np.zeros(n) for c in self.columns}
        self._events(cols)
        pop = m.population
        total_pop = self._sums(pop)
        safe_pop = np.maximum(total_pop, 1.0)
        control = m.control
        cols["population"] = total_pop
        cols["state_control_share"] = self._sums(np.where(control == 0, pop, 0.0)) / safe_pop
        cols["insurgent_control_share"] = self._sums(np.where(control > 0, pop, 0.0)) / safe_pop
        cols["contested_share"] = self._sums(np.where(control < 0, pop, 0.0)) / safe_pop
        cols["state_territory_share"] = self._sums((control == 0) & m.land) / np.maximum(self._sums(m.land), 1)
        for f, col in enumerate(self.faction_cols):
            cols[col] = self._sums(np.where(control == f + 1, pop, 0.0)) / safe_pop
        internal = self._sums(m.idp)
        abroad = np.concatenate([[m.refugees_from.sum()], self._by_area_country(m.refugees_from)])
        cols["displaced_internal"] = internal
        cols["displaced_abroad"] = abroad
        cols["displaced"] = internal + abroad
        blockaded = m.blockades.blockaded_cells()
        cols["blockaded_towns"] = self._sums(blockaded)
        cols["blockaded_population"] = self._sums(np.where(blockaded, pop, 0.0))
        self._forces(cols)
        self._posts(cols)
        self._conflict(cols, safe_pop / 1e6)
        cols["stability_index"] = stability_index(
            cols["state_control_share"],
            cols["conflict_deadliness"],
            cols["conflict_danger"],
            cols["conflict_diffusion"],
            cols["conflict_fragmentation"],
        )
        date = pd.Timestamp(m.date)
        columns = self.columns
        by_area = np.array([cols[c] for c in columns], dtype=float).T.tolist()  # Python floats, as float() gives
        for a, area in enumerate((ALL, *AREAS)):
            row = {"date": date, "area": area}
            row.update(zip(columns, by_area[a], strict=True))
            self.rows.append(row)

    def _conflict(self, cols: dict[str, np.ndarray], millions: np.ndarray) -> None:
        """The four conflict indicators, recent values on the violence field's memory."""
        m = self.model
        memory = m.params.population.violence_memory_weeks
        self._danger = self._danger * np.exp(-1.0 / memory) + cols["events_on_civilians"]
        weekly = m.violence / memory
        cols["conflict_deadliness"] = self._sums(weekly) / millions
        cols["conflict_danger"] = self._danger / memory / millions
        populated = m.land & (m.population >= DIFFUSION_MIN_PEOPLE)
        violent = self._sums(populated & (weekly >= DIFFUSION_THRESHOLD))
        cols["conflict_diffusion"] = violent / np.maximum(self._sums(populated), 1.0)
        present = np.zeros((len(AREAS) + 1, max(len(m.config.factions), 1)), dtype=bool)
        bands = m.bands()
        if bands:
            live = strengths(bands) > 0
            faction = np.array([b.faction_index for b in bands], dtype=np.intp)[live]
            xs, ys = positions(bands)
            area = self.area_of_country[m.geo.country[xs[live], ys[live]]]  # len(AREAS): in no focus area
            present[0, faction] = True
            inside = area < len(AREAS)
            present[area[inside] + 1, faction[inside]] = True  # slots 1.. (see area_idx_of)
        cols["conflict_fragmentation"] = present.sum(axis=1).astype(float)

    def area_idx_of(self, xy: tuple[int, int]) -> int | None:
        """Slot (1..) of the focus area a cell lies in, or None outside them."""
        a = int(self.area_of_country[self.model.geo.country[xy]])
        return a + 1 if a < len(AREAS) else None

    def _by_area_country(self, per_country: np.ndarray) -> np.ndarray:
        return np.bincount(self.area_of_country, weights=per_country, minlength=len(AREAS) + 1)[: len(AREAS)]

    def _area_index(self, code: str) -> int | None:
        return AREA_SLOT.get(code)

    def _events(self, cols: dict[str, np.ndarray]) -> None:
        """Add the week's deaths and event counts to ALL and to each event's area."""
        week = self.model.log.week
        if not week:
            return
        n = len(AREAS) + 1
        slot = np.array([AREA_SLOT.get(e.area, 0) for e in week], dtype=np.intp)  # 0: in no area

        def add(column: str, weights: np.ndarray) -> None:
            by_slot = np.bincount(slot, weights=weights, minlength=n)
            cols[column][0] += by_slot.sum()
            cols[column][1:] += by_slot[1:]

        total = np.zeros(len(week))
        fatalities = np.array(list(map(_FATALITIES, week)), dtype=float).reshape(len(week), len(FATALITY_COLUMNS))
        for j, column in enumerate(FATALITY_COLUMNS):
            deaths = np.ascontiguousarray(fatalities[:, j])
            add(column, deaths)
            total += deaths
        add("fatalities_total", total)
        keys = [(e.kind, e.target) for e in week]
        numbers: dict[tuple[str, str], int] = {}
        key_of = np.array([numbers.setdefault(k, len(numbers)) for k in keys], dtype=np.intp)
        for key in set(keys):
            counted = event_count_columns(*key)
            if counted:
                hits = (key_of == numbers[key]).astype(float)
                for column in counted:
                    add(column, hits)

    def _forces(self, cols: dict[str, np.ndarray]) -> None:
        m = self.model
        shape = m.land.shape
        pk, army, fighters = (
            _personnel(shape, agents) for agents in ([*m.camps(), *m.convoys()], m.units(), m.bands())
        )
        cols["peacekeepers"] = self._sums(pk)
        cols["army_strength"] = self._sums(army)
        cols["insurgent_strength"] = self._sums(fighters)

    def _posts(self, cols: dict[str, np.ndarray]) -> None:
        from sahel_sim.model.agents import PostStatus

        m = self.model
        n = len(AREAS) + 1
        codes = m.geo.country_codes
        open_, reduced, closed = np.zeros(n), np.zeros(n), np.zeros(n)
        covered: set[str] = set()
        score, count = np.zeros(n), np.zeros(n)
        for post in m.posts():
            opened = post.is_open
            is_open = opened and post.status is PostStatus.OPEN
            is_reduced = opened and post.status is PostStatus.REDUCED
            value = 1.0 if is_open else 0.5 if is_reduced else 0.0
            if opened:
                covered.update(post.spec.covers)
            slots = self._post_slots.get(post)
            if slots is None:  # a post's place and the countries it covers do not change
                area = self._area_index(codes[int(m.geo.country[post.xy])])
                home = {0} | ({area} if area is not None else set())
                reached = home | {i for c in post.spec.covers if (i := self._area_index(c)) is not None}
                slots = self._post_slots[post] = (tuple(reached), tuple(home))
            relevant, own = slots
            for s in relevant:
                score[s] += value
                count[s] += 1
            for s in own:
                open_[s] += is_open
                reduced[s] += is_reduced
                closed[s] += not opened
        cols["posts_open"], cols["posts_reduced"], cols["posts_closed"] = open_, reduced, closed
        cols["diplomatic_presence"] = np.divide(score, count, out=np.zeros(n), where=count > 0)
        pops = cols["population"]
        cov = np.array([0.0] + [pops[a + 1] if code in covered else 0.0 for a, code in enumerate(AREAS)])
        country_pop = np.bincount(m.geo.country.ravel(), weights=m.population.ravel(), minlength=len(codes))
        cov[0] = sum(country_pop[codes.index(c)] for c in sorted(covered) if c in codes)
        cols["covered_population"] = cov

    def frame(self) -> pd.DataFrame:
        """The tidy time-series table: ``date``, ``area``, then every metric column."""
        return pd.DataFrame(self.rows, columns=["date", "area", *self.columns])


def _personnel(shape: tuple[int, int], agents: list) -> np.ndarray:
    """Personnel per cell, negative strengths as zero, added in list order (np.add.at adds one by one)."""
    field = np.zeros(shape)
    np.add.at(field, positions(agents), np.maximum(strengths(agents), 0.0))
    return field
