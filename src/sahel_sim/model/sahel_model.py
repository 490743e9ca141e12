"""SahelModel: the weekly simulation of armed groups, armies, peacekeepers, posts and people.

One step is one calendar week. The phases run in the order declared once in
:data:`sahel_sim.model.phases.PHASES` (docs/ODD.md, "Process overview"), one module each:

1. **schedule**: dated changes take effect (legitimacy shocks, force strengths, partner arrivals and
   departures, factions appearing, camps draining and closing under the withdrawal plan);
2. **presence**: force and fighter fields, Epstein's arrest risk, peacekeeper protection and
   deterrence are computed from the agents' positions;
3. **insurgents**: bands recruit and desert, split or dissolve, move, attack, and rivals clash;
4. **forces**: army and partner units engage bands; remote posts are abandoned or reoccupied;
5. **peacekeepers**: mine and IED losses; convoys move;
6. **handover**: closing camps' sites go to the army, an armed group or nobody; army columns move
   and fight for sites;
7. **accords**: peace accords come into force on their dates and may collapse;
8. **population**: violence memory, legitimacy, displacement and return, control shares;
9. **blockades**: armed groups holding the roads around garrison towns blockade them;
10. **posts**: diplomatic posts perceive threat and decide;
11. **metrics**: the week's row of every stability metric is computed from the state.
"""

from __future__ import annotations

import datetime as dt
import math
import time

import mesa
import numpy as np
from mesa.discrete_space import OrthogonalMooreGrid

from sahel_sim.model import fields as F
from sahel_sim.model import spin_up, world
from sahel_sim.model.accords import accords_of
from sahel_sim.model.agents import (
    ArmyUnit,
    CampStatus,
    Convoy,
    DiplomaticPostAgent,
    InsurgentBand,
    PeacekeepingCamp,
)
from sahel_sim.model.agents.base import PositionCache, positions
from sahel_sim.model.blockades import BlockadeState
from sahel_sim.model.displaced_start import place_registered
from sahel_sim.model.events import Event, EventLog
from sahel_sim.model.geography import load_geography
from sahel_sim.model.holdings import holdings_of
from sahel_sim.model.metrics import MetricsRecorder
from sahel_sim.model.phases import PHASES
from sahel_sim.model.phases.handover import sites_of
from sahel_sim.model.phases.insurgents import allowed_cells
from sahel_sim.model.phases.presence import Presence
from sahel_sim.model.phases.schedule import ScheduleState
from sahel_sim.model.spatial import nearest_within, window_argmax
from sahel_sim.model.streams import Streams
from sahel_sim.scenario.schema import Scenario

DENSITY_REFERENCE = 20.0  # people per km² at which combat's civilian harm is at its nominal rate


class SahelModel(mesa.Model):
    """The Sahel under a scenario, stepping one week at a time.

    Args:
        scenario: The validated scenario (the only source of parameters).
        seed: Seed of the random number generators; default the scenario's seed.

    Attributes:
        config: The scenario.
        params: ``config.mechanisms``.
        geo: The geography at the scenario's resolution.
        grid: Mesa ``OrthogonalMooreGrid``; its property layers hold the population fields.
        date: First day of the week being (or last) simulated.
        log: The event log.
        metrics: The weekly metrics recorder.

    """

    def __init__(self, scenario: Scenario, seed: int | None = None):
        history = scenario.history()
        self._build(history or scenario, seed)
        if history is not None:  # built as its spin-up, simulated to its start, then reporting begins
            while self.running:
                SahelModel.step(self)  # a subclass's own step (the browser view's) waits for the start
            spin_up.begin(self, scenario)

    def _build(self, scenario: Scenario, seed: int | None) -> None:
        """Set up the world of ``scenario`` at its start (the first week not yet simulated)."""
        self.seed_value = scenario.seed if seed is None else int(seed)
        super().__init__(rng=self.seed_value)
        #: The random streams of the rules, one per purpose (:mod:`sahel_sim.model.streams`).
        self.streams = Streams.from_seed(self.seed_value)
        self.config = scenario
        self.params = scenario.mechanisms
        self.geo = load_geography(scenario.map.resolution)
        self.resolution = self.geo.resolution
        self.date = scenario.start
        self.week_index = 0
        #: Week number of the scenario's start (after a spin-up, the weeks of the history).
        self.first_week = 0
        self.log = EventLog()
        self._places: dict[tuple[int, int], tuple[float, float, str, int]] = {}  # cell -> lat, lon, code, index
        #: The agents' cells as arrays, reused while nobody moves (:func:`~sahel_sim.model.agents.base.positions`).
        self.position_cache = PositionCache()
        self.grid = OrthogonalMooreGrid(
            (self.geo.width, self.geo.height), torus=False, capacity=None, random=self.random
        )
        self._init_fields()
        self._init_states()
        pk = scenario.peacekeepers
        self.pk_name = pk.name if pk else "peacekeepers"
        self.pk_host = pk.host if pk else ""
        world.build_army(self)
        world.build_partners(self)
        world.build_camps(self)
        world.build_posts(self)
        #: The closing camps' sites and who holds them (:mod:`sahel_sim.model.phases.handover`).
        self.sites = sites_of(self)
        #: The scenario's peace accords during the run (:mod:`sahel_sim.model.accords`).
        self.accords = accords_of(self)
        #: Towns the scenario's armed groups hold from a date (:mod:`sahel_sim.model.holdings`).
        self.holdings = holdings_of(self)
        self.schedule_state = ScheduleState.for_scenario(scenario)
        #: Seconds spent in each phase, summed over the weeks, when set to a dict (the benchmark does).
        self.phase_seconds: dict[str, float] | None = None
        if scenario.initial_displacement == "registered":
            place_registered(self)  # docs/ODD.md, "Initialisation"
        self.metrics = MetricsRecorder(self)
        self.running = True

    # ------------------------------------------------------------------ set-up
    def _layer(self, name: str, initial: np.ndarray | float = 0.0) -> np.ndarray:
        layer = self.grid.create_property_layer(name, 0.0, float)
        layer.data[...] = initial
        return layer.data

    def _init_fields(self) -> None:
        geo = self.geo
        self.land = geo.land()
        lat = geo.lat0 + (np.arange(geo.height) + 0.5) * geo.resolution
        self.cell_area_km2 = np.broadcast_to(
            (geo.resolution * F.KM_PER_DEGREE) ** 2 * np.cos(np.radians(lat))[None, :], self.land.shape
        )
        self.population = self._layer("population", geo.population)
        self.violence = self._layer("violence")  # decaying sum of recent fatalities, deaths
        self.deaths_week = self._layer("deaths_week")  # fatalities this week, deaths
        self.abuse = self._layer("abuse")  # local legitimacy lost to abusive forces
        self.idp = self._layer("displaced_internal")  # people displaced within their country
        self.refugees = self._layer("displaced_abroad")  # people displaced across a border
        #: Weeks the area within flight reach has stayed calm (displaced people return after enough).
        self.calm_weeks = self._layer("calm_weeks", float(self.params.population.return_calm_weeks))
        self.state_share = self._layer("control_state", np.where(self.land, 1.0, 0.0))
        self.faction_share = [self._layer(f"control_{i}") for i in range(len(self.config.factions))]
        self.civilian_deaths_total = 0.0
        self.refugees_from = np.zeros(len(geo.country_codes))
        self.intl_attacks = np.zeros(len(geo.country_codes))  # decaying weekly count by country
        self.settled = np.clip(geo.population / self.cell_area_km2 / DENSITY_REFERENCE, 0.0, 1.0)
        self.control = F.control_labels(self.state_share, self.faction_share, self.params.control.control_threshold)
        #: This week's presence fields (None until the first presence phase); read :attr:`presence`.
        self._presence: Presence | None = None
        self.key_towns = _key_towns(self)
        #: Blockades of the key towns (:mod:`sahel_sim.model.blockades`), updated by the blockades phase.
        self.blockades = BlockadeState.for_towns(self.key_towns, self.land.shape)
        #: Per faction, the cells of the countries it operates in (fixed for the run).
        self.faction_cells = [allowed_cells(self, f) for f in range(len(self.config.factions))]

    def _init_states(self) -> None:
        codes = self.geo.country_codes
        n = len(codes)
        default = self.config.default_state
        self.legitimacy_base = np.full(n, default.legitimacy)
        self.capacity = np.full(n, default.state_capacity)
        self.states = {s.country: s for s in self.config.states}
        for code, state in self.states.items():
            if code in codes:
                i = codes.index(code)
                self.legitimacy_base[i] = state.legitimacy
                self.capacity[i] = state.state_capacity
        self.legitimacy = self.legitimacy_base.copy()

    # ------------------------------------------------------------------ services for agents
    def record_event(
        self, kind: str, actor: str, target: str, xy: tuple[int, int], *, detail: str = "", **fatalities: int
    ) -> Event:
        """Log an event at a cell on the current date (see :mod:`sahel_sim.model.events`)."""
        place = self._places.get(xy)
        if place is None:
            lat, lon = self.geo.cell_centre(*xy)
            country = int(self.geo.country[xy])
            place = self._places[xy] = (round(lat, 4), round(lon, 4), self.geo.country_codes[country], country)
        event = Event(self.date, place[0], place[1], place[2], kind, actor, target, detail=detail, **fatalities)
        self.log.add(event)
        deaths = event.fatalities
        if deaths:
            self.deaths_week[xy] += deaths
        if target in ("peacekeepers", "diplomatic") and kind == "attack":
            self.intl_attacks[place[3]] += 1
        return event

    def kill_civilians(self, xy: tuple[int, int], n: int, *, by_state: bool = False, abuse: float = 1.0) -> int:
        """Remove up to ``n`` people from a cell's population as civilian deaths.

        Args:
            xy: The cell.
            n: Deaths asked for.
            by_state: Whether state or partner forces caused them (then local legitimacy falls).
            abuse: Multiplier on that legitimacy loss.

        Returns:
            Deaths actually caused (never more than the people in the cell).

        """
        n = int(min(n, math.floor(self.population[xy])))
        if n <= 0:
            return 0
        self.population[xy] -= n
        self.civilian_deaths_total += n
        if by_state:
            r = F.km_to_cells(self.params.population.vision_km, self.resolution)
            x, y = xy
            sl = (slice(max(0, x - r), x + r + 1), slice(max(0, y - r), y + r + 1))
            people = max(float(self.population[sl].sum()), 1.0)
            self.abuse[sl] += self.params.population.abuse_legitimacy_loss * abuse * n / (people / 1e4)
        return n

    def most_exposed_cells(
        self, xs: np.ndarray, ys: np.ndarray, reach_km: float, allowed: np.ndarray | None = None
    ) -> tuple[np.ndarray, np.ndarray]:
        """For each origin cell, the cell within reach with the most unprotected people.

        Unprotected people are population x (1 - protection); among equals the first in x-major
        order is taken.

        Args:
            xs: x of the origins, cells.
            ys: y of the origins, cells.
            reach_km: Reach, km (a square window of :func:`fields.km_to_cells` cells).
            allowed: Boolean grid of the cells that may be chosen (default: all); the origins
                should be allowed cells, so that every window holds one.

        Returns:
            The chosen cells (x, y).

        """
        exposed = self.population * (1.0 - self.presence.protection)
        if allowed is not None:
            exposed = np.where(allowed, exposed, -1.0)
        return window_argmax(exposed, xs, ys, F.km_to_cells(reach_km, self.resolution))

    def density_factor(self, xy: tuple[int, int]) -> float:
        """Civilian exposure to combat in a cell: population density / reference, in [0.1, 3]."""
        density = float(self.population[xy]) / float(self.cell_area_km2[xy])
        return min(max(density / DENSITY_REFERENCE, 0.1), 3.0)  # np.clip on a scalar costs ~5 µs

    def nearest_army_unit(self, xy: tuple[int, int], country: str, radius_km: float) -> ArmyUnit | None:
        """The nearest active national army unit of ``country`` within ``radius_km``, if any."""
        units = [u for u in self.units() if not u.is_partner and u.active and u.country == country]
        if not units:
            return None
        i = nearest_within(xy, *positions(units), F.km_to_cells(radius_km, self.resolution))
        return None if i is None else units[i]

    def convoy_destination(self, camp: PeacekeepingCamp) -> PeacekeepingCamp | None:
        """Where a closing camp's convoy goes: the nearest camp that stays open longest."""
        others = [c for c in self.camps() if c is not camp and c.status is not CampStatus.CLOSED]
        if not others:
            return None
        far = dt.date.max
        latest = max((c.closes or far) for c in others)
        hubs = [c for c in others if (c.closes or far) >= latest - dt.timedelta(weeks=26)]
        x, y = camp.xy
        return min(hubs, key=lambda c: (max(abs(c.xy[0] - x), abs(c.xy[1] - y)), c.name))

    # ------------------------------------------------------------------ agent views
    def _of(self, kind: type) -> list:
        try:
            return list(self.agents_by_type[kind])
        except KeyError:
            return []

    def bands(self) -> list[InsurgentBand]:
        """Insurgent bands on the map."""
        return self._of(InsurgentBand)

    def units(self) -> list[ArmyUnit]:
        """Army and partner units (active or not)."""
        return self._of(ArmyUnit)

    @property
    def presence(self) -> Presence:
        """This week's presence fields, set by the presence phase (the week's second).

        Raises:
            RuntimeError: If read before the first presence phase of the run.
        """
        if self._presence is None:
            raise RuntimeError("model.presence is read before the first presence phase")
        return self._presence

    @presence.setter
    def presence(self, value: Presence) -> None:
        self._presence = value

    @property
    def has_presence(self) -> bool:
        """Whether a presence phase has run yet (the schedule phase of the first week runs before it)."""
        return self._presence is not None

    def camps(self) -> list[PeacekeepingCamp]:
        """Peacekeeping camps (all statuses)."""
        return self._of(PeacekeepingCamp)

    def convoys(self) -> list[Convoy]:
        """Withdrawing convoys on the road."""
        return self._of(Convoy)

    def posts(self) -> list[DiplomaticPostAgent]:
        """Diplomatic posts."""
        return self._of(DiplomaticPostAgent)

    # ------------------------------------------------------------------ the week
    def step(self) -> None:
        """Advance one week through the phases of :data:`~sahel_sim.model.phases.PHASES`, in order."""
        self.date = self.origin + dt.timedelta(weeks=self.week_index)
        self.log.new_week()
        self.deaths_week[...] = 0.0
        timing = self.phase_seconds
        for phase in PHASES:
            if timing is None:
                phase.run(self)
            else:
                started = time.perf_counter()
                phase.run(self)
                timing[phase.name] = timing.get(phase.name, 0.0) + time.perf_counter() - started
        self.week_index += 1
        if self.origin + dt.timedelta(weeks=self.week_index) >= self.config.end:
            self.running = False

    @property
    def origin(self) -> dt.date:
        """Date of week 0: the start, or a spin-up's start (week numbers run on through a spin-up)."""
        return self.config.start - dt.timedelta(weeks=self.first_week)

    @property
    def weeks_run(self) -> int:
        """Weeks simulated since the scenario's start (a spin-up's weeks not counted)."""
        return self.week_index - self.first_week

    def violence_per_100k(self) -> np.ndarray:
        """Recent violence per cell: the decaying violence memory per week per 100,000 people (deaths)."""
        weekly = self.violence / self.params.population.violence_memory_weeks
        return weekly / np.maximum(self.population, 1.0) * 1e5


KEY_TOWN_POPULATION = 50_000  # towns at least this large (and capitals) have control changes logged


def _key_towns(model: SahelModel) -> list[dict]:
    """Capitals, towns of the five focus countries above :data:`KEY_TOWN_POPULATION`, and camps."""
    from sahel_sim.model.metrics import AREAS

    cities = model.geo.cities
    keep = cities[cities["iso_a2"].isin(AREAS) & ((cities["population"] >= KEY_TOWN_POPULATION) | cities["is_capital"])]
    towns = {(int(r.x), int(r.y)): r.name for r in keep.itertuples()}
    if model.config.peacekeepers:
        for camp in model.config.peacekeepers.camps:
            towns.setdefault(model.geo.cell_of(camp.lat, camp.lon), camp.name)
    return [{"xy": xy, "name": name} for xy, name in sorted(towns.items())]
