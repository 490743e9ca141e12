"""One browser tab's run: one model, or two stepped together in compare mode, and their painters.

Nothing here knows about Solara, so the play logic and the drawing path can be tested and
benchmarked without a browser.
"""

from __future__ import annotations

import logging
import threading
from dataclasses import dataclass, field
from types import SimpleNamespace

import pandas as pd

from sahel_sim.scenario.errors import ScenarioError
from sahel_sim.viz import draw
from sahel_sim.viz.adapter import VizModel
from sahel_sim.viz.paint import DIFFERENCE_PLOTS, MapPainter, MetricsPainter
from sahel_sim.viz.snapshot import HEADLINE, Snapshot, take

log = logging.getLogger("sahel_sim.viz")

#: What the page says when something unexpected fails (the details go to the server log).
UNEXPECTED = "Something went wrong on the server; the details are in its log."


def friendly(exc: BaseException, what: str) -> str:
    """A message for the page: a scenario problem in plain words, anything else logged in full.

    Args:
        exc: The exception.
        what: What was being done, e.g. ``"opening the scenario"``.
    """
    if isinstance(exc, ScenarioError):
        where = exc.field or ""
        return f"Cannot use this scenario ({what}): {where + ': ' if where else ''}{exc.message}"
    log.error("%s failed", what, exc_info=exc)
    return UNEXPECTED


@dataclass
class Run:
    """The models of one tab and what has been drawn of them.

    Attributes:
        models: One model, or two (A then B) in compare mode; they share the seed and advance
            together week by week.
        lock: Held while the models step, so a Step click and the play loop never overlap.
    """

    models: list[VizModel]
    lock: threading.Lock = field(default_factory=threading.Lock)
    drawn: threading.Condition = field(default_factory=threading.Condition)
    drawn_week: int = -1
    _maps: dict = field(default_factory=dict)
    _plots: dict = field(default_factory=dict)

    @property
    def running(self) -> bool:
        """Whether every model still has weeks to simulate."""
        return all(m.running for m in self.models)

    @property
    def week(self) -> int:
        """Weeks simulated (the same for every model)."""
        return self.models[0].weeks_run

    def step(self) -> bool:
        """Simulate one week of every model, unless one has reached its end; True if it stepped."""
        with self.lock:
            if not self.running:
                return False
            for model in self.models:
                model.step()
            return True

    def mark_drawn(self, week: int) -> None:
        """Record that the page has drawn ``week`` (the play loop waits for it)."""
        with self.drawn:
            self.drawn_week = max(self.drawn_week, week)
            self.drawn.notify_all()

    def wait_drawn(self, week: int, cancel: threading.Event, poll_s: float = 0.5) -> bool:
        """Wait until ``week`` is drawn or ``cancel`` is set; True if drawn."""
        with self.drawn:
            while self.drawn_week < week:
                if cancel.is_set():
                    return False
                self.drawn.wait(poll_s)
        return True

    def snapshots(self) -> list[Snapshot]:
        """A consistent copy of every model (taken while no step runs)."""
        with self.lock:
            return [take(m) for m in self.models]

    def map_picture(self, index: int, snap: Snapshot, layer: str) -> bytes:
        """JPEG of model ``index``'s map with ``layer`` (painters are kept per model)."""
        painter = self._maps.get(index)
        if painter is None or painter.key != MapPainter.key_of(snap):
            painter = self._maps[index] = MapPainter(snap)
        return painter.paint(snap, layer)

    def metrics_picture(self, snap: Snapshot) -> bytes:
        """JPEG of the metric plots of one model."""
        painter = self._plots.get("metrics")
        if painter is None:
            painter = self._plots["metrics"] = MetricsPainter(snap)
        return painter.paint(snap)

    def difference_picture(self, a: Snapshot, b: Snapshot) -> bytes:
        """JPEG of B minus A for each headline metric, week by week."""
        painter = self._plots.get("difference")
        if painter is None:
            painter = self._plots["difference"] = MetricsPainter(a, plots=DIFFERENCE_PLOTS)
        return painter.paint(difference(a, b))


def difference(a: Snapshot, b: Snapshot) -> SimpleNamespace:
    """B minus A of each headline metric for the weeks both have, shaped like a snapshot for plotting."""
    n = min(len(a.metrics), len(b.metrics))
    frame = pd.DataFrame({"date": a.metrics["date"].iloc[:n].to_numpy()})
    for column in HEADLINE:
        frame[column] = b.metrics[column].iloc[:n].to_numpy() - a.metrics[column].iloc[:n].to_numpy()
    return SimpleNamespace(metrics=frame, start=a.start, end=a.end)


def week_text(snap: Snapshot) -> str:
    """``Week N of M`` as the page shows it."""
    return f"Week {snap.week} of {snap.weeks}"


def date_text(snap: Snapshot) -> str:
    """The date the page shows: the start before the first week, else the last week's days."""
    return f"{snap.date:%Y-%m-%d} (start)" if snap.week == 0 else draw.week_span(snap)
