"""The model class the browser view builds: SahelModel from a scenario file plus slider values.

Mesa's page rebuilds the model on Reset by calling ``type(model)(**params)`` with the slider values;
:class:`VizModel` turns those keywords into ``load_scenario`` + ``with_overrides`` so the scenario
schema stays the only source of defaults and bounds.
"""

from __future__ import annotations

import threading
from pathlib import Path
from typing import Any

from sahel_sim.model.sahel_model import SahelModel
from sahel_sim.scenario.loading import ScenarioError, load_scenario, with_overrides
from sahel_sim.viz.levers import lever_overrides, resolve_scenario


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
        raise ScenarioError("seed", None, None, f"not a whole number: {text!r}") from None
    if seed < 0:
        raise ScenarioError("seed", None, None, f"must be >= 0 (got {seed})")
    return seed


class VizModel(SahelModel):
    """SahelModel built from a scenario file in an allowed folder, with slider overrides.

    Every lever keyword defaults to ``None`` ("the scenario's value"); a lever equal to its value in
    ``initial`` is also left alone. Overrides that the schema rejects are dropped and the message is
    kept in ``viz_error``, so the page shows it instead of failing.

    Args:
        root: Folder the scenario file must be in (``scenarios/`` or a run's results folder).
        scenario_file: File name inside ``root``.
        seed: Seed as typed (blank: the scenario's seed).
        initial: Starting slider values by lever name.
        withdrawal_start: Weeks after the scenario start when the withdrawal starts (>= the run's
            length: no withdrawal).
        withdrawal_weeks: Withdrawal duration, weeks.
        peacekeepers: Personnel of the force's last strength point (earlier points scaled alike).
        army_accuracy: Accuracy of the host country's army (0-1).
        army_effectiveness: Effectiveness of the host country's army (0-1).
        legitimacy: Baseline legitimacy of the host state (0-1).
        recruit_rate: ``mechanisms.insurgency.recruit_rate``, share per week.
        attack_rate: ``mechanisms.insurgency.attack_rate``, attacks per band per week.
        protection_radius_km: ``mechanisms.peacekeeping.protection_radius_km``, km.

    Attributes:
        scenario_file: The file the scenario came from.
        viz_overrides: The dotted overrides applied, as ``(path, value)`` pairs.
        viz_error: Why overrides or the seed were refused, or ``None``.
        viz_lock: Held while a week is simulated; hold it to read a consistent state.
    """

    def __init__(
        self,
        *,
        root: str,
        scenario_file: str,
        seed: Any = None,
        initial: dict[str, Any] | None = None,
        withdrawal_start: int | None = None,
        withdrawal_weeks: int | None = None,
        peacekeepers: int | None = None,
        army_accuracy: float | None = None,
        army_effectiveness: float | None = None,
        legitimacy: float | None = None,
        recruit_rate: float | None = None,
        attack_rate: float | None = None,
        protection_radius_km: float | None = None,
    ):
        path = resolve_scenario(root, scenario_file)
        base = load_scenario(path)
        values = {
            "withdrawal_start": withdrawal_start,
            "withdrawal_weeks": withdrawal_weeks,
            "peacekeepers": peacekeepers,
            "army_accuracy": army_accuracy,
            "army_effectiveness": army_effectiveness,
            "legitimacy": legitimacy,
            "recruit_rate": recruit_rate,
            "attack_rate": attack_rate,
            "protection_radius_km": protection_radius_km,
        }
        errors = []
        scenario, overrides = base, []
        try:
            overrides = lever_overrides(base, values, initial or {})
            if overrides:
                scenario = with_overrides(base, overrides)
        except ScenarioError as exc:
            errors.append(f"sliders ignored: {exc}")
            overrides = []
        try:
            seed_value = parse_seed(seed)
        except ScenarioError as exc:
            errors.append(f"seed ignored: {exc}")
            seed_value = None
        super().__init__(scenario, seed_value)
        self.scenario_file = Path(path)
        self.viz_overrides = overrides
        self.viz_error = "; ".join(errors) or None
        self.viz_lock = threading.RLock()

    def step(self) -> None:
        """Advance one week while holding ``viz_lock`` (the page draws from another thread)."""
        with self.viz_lock:
            super().step()
