"""The model the browser view builds: SahelModel from a scenario file plus the page's lever values.

:class:`VizModel` turns lever values into ``load_scenario`` + ``with_overrides`` so the scenario
schema stays the only source of defaults and bounds. A lever at the scenario's own value adds no
override, so Reset with nothing changed rebuilds exactly the scenario's run.
"""

from __future__ import annotations

import threading
from pathlib import Path
from typing import Any

from sahel_sim.model.sahel_model import SahelModel
from sahel_sim.scenario.loading import ScenarioError, load_scenario, with_overrides
from sahel_sim.scenario.schema import Scenario
from sahel_sim.viz.levers import checked_overrides, lever_values, resolve_scenario


def parse_seed(text: Any) -> int | None:
    """A seed typed on the page: blank means the scenario's own seed.

    Raises:
        ScenarioError: If the text is not a whole number >= 0.
    """
    if text is None or (isinstance(text, str) and not text.strip()):
        return None
    try:
        seed = int(str(text).strip())
    except ValueError:
        raise ScenarioError("seed", None, None, "not a whole number") from None
    if seed < 0:
        raise ScenarioError("seed", None, None, "must be 0 or more")
    return seed


def open_scenario(root: str | Path, scenario_file: str) -> Scenario:
    """A scenario file of the page's folder, with every file it extends inside that folder too.

    Raises:
        ScenarioError: If the file is not one of the folder's, or cannot be used.
    """
    return load_scenario(resolve_scenario(root, scenario_file), within=root)


class VizModel(SahelModel):
    """SahelModel built from a scenario file in an allowed folder, with lever values.

    Lever values the schema refuses are left out, each with its reason in ``lever_errors``, so one
    bad value leaves the others working; a bad seed falls back to the scenario's.

    Args:
        root: Folder the scenario file must be in (``scenarios/`` or a run's results folder).
        scenario_file: File name inside ``root``.
        seed: Seed as typed (blank: the scenario's seed).
        levers: Lever values by name (see :data:`sahel_sim.viz.levers.LEVER_NAMES`); a missing
            lever, or one equal to the scenario's own value, keeps the scenario's value.

    Attributes:
        scenario_file: The file name the scenario came from (inside ``root``).
        viz_overrides: The dotted overrides applied, as ``(path, value)`` pairs.
        lever_errors: Why lever values were refused, by lever name.
        seed_error: Why the typed seed was refused, or ``None``.
        viz_lock: Held while a week is simulated; hold it to read a consistent state.
    """

    def __init__(self, *, root: str, scenario_file: str, seed: Any = None, levers: dict[str, Any] | None = None):
        base = open_scenario(root, scenario_file)
        overrides, errors = checked_overrides(base, levers or {}, lever_values(base))
        scenario = with_overrides(base, overrides) if overrides else base
        try:
            seed_value, seed_error = parse_seed(seed), None
        except ScenarioError as exc:
            seed_value, seed_error = None, exc.message
        super().__init__(scenario, seed_value)
        self.scenario_file = Path(scenario_file).name
        self.viz_overrides = overrides
        self.lever_errors = errors
        self.seed_error = seed_error
        self.viz_lock = threading.RLock()

    def step(self) -> None:
        """Advance one week while holding ``viz_lock`` (the page draws from another thread)."""
        with self.viz_lock:
            super().step()
