"""New models for runs, with spin-up histories kept in memory and shared between runs.

A scenario with a spin-up (``spin_up_from``; :mod:`sahel_sim.model.spin_up`) simulates its history
before its first reported week: for the ``baseline`` family ten years, about three times the cost
of its own four. Runs that share a history (the same seed and everything that is simulated before
``start``: scenarios differing only in their end, identity, or in a withdrawal plan that changes
nothing before ``start``) share one simulation of it here: the state at ``start`` is kept as a
:class:`~sahel_sim.runs.snapshot.Snapshot` (about 8 MB at 0.5 degrees) for the last
:data:`KEPT_HISTORIES` histories of this process. A model restored from it continues exactly as
a fresh ``SahelModel(scenario, seed)`` would (tested).
"""

from __future__ import annotations

import hashlib
import json
import threading
from collections import OrderedDict

from sahel_sim.model import spin_up
from sahel_sim.model.branching import IDENTITY_FIELDS, branch_date
from sahel_sim.model.sahel_model import SahelModel
from sahel_sim.runs import snapshot
from sahel_sim.scenario.schema import Scenario

#: Histories kept per process (each about 8 MB at 0.5 degrees; a sweep of 5 replicates cycles through 5).
KEPT_HISTORIES = 8

_kept: OrderedDict[str, snapshot.Snapshot] = OrderedDict()
_lock = threading.Lock()


def new_model(scenario: Scenario, seed: int) -> SahelModel:
    """A model of ``scenario`` with ``seed`` at its start, its spin-up (if any) simulated or reused.

    Args:
        scenario: The validated scenario.
        seed: The run's seed.

    Returns:
        The model, equal to ``SahelModel(scenario, seed=seed)``.
    """
    history = scenario.history()
    if history is None:
        return SahelModel(scenario, seed=seed)
    key = history_key(history, seed)
    with _lock:
        saved = _kept.get(key)
        if saved is not None:
            _kept.move_to_end(key)
    if saved is None:
        model = SahelModel(history, seed=seed)
        while model.running:
            model.step()
        model.log.events.clear()  # never reported: not kept either
        model.metrics.rows.clear()
        saved = snapshot.dumps(model)
        with _lock:
            _kept[key] = saved
            while len(_kept) > KEPT_HISTORIES:
                _kept.popitem(last=False)
    model = snapshot.loads(saved)
    spin_up.begin(model, scenario)
    return model


def history_key(history: Scenario, seed: int) -> str:
    """What identifies a simulated spin-up history: its seed and everything it simulates.

    The identity fields do not count, nor a withdrawal plan that changes nothing before the
    history's end (:func:`sahel_sim.model.branching.branch_date`).
    """
    data = history.model_dump(mode="json")
    for field in IDENTITY_FIELDS:
        data.pop(field, None)
    force = history.peacekeepers
    if force is not None and force.withdrawal is not None:
        plain = history.model_copy(update={"peacekeepers": force.model_copy(update={"withdrawal": None})})
        changes = branch_date(history, plain)
        if changes is not None and changes >= history.end:
            data["peacekeepers"]["withdrawal"] = None
    canonical = json.dumps([data, int(seed)], sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(canonical.encode()).hexdigest()
