"""Pictures of the browser view (map layers, plots) and the time one step takes to show."""

from __future__ import annotations

import io
import statistics
import time
from pathlib import Path

import numpy as np
import pytest

pytest.importorskip("solara", reason="the viz extra (solara) is not installed")

from PIL import Image  # noqa: E402

from sahel_sim.scenario.loading import load_scenario  # noqa: E402
from sahel_sim.viz import draw  # noqa: E402
from sahel_sim.viz.adapter import VizModel  # noqa: E402
from sahel_sim.viz.app import _png  # noqa: E402
from sahel_sim.viz.snapshot import format_metric, take  # noqa: E402

SCENARIOS = Path(__file__).resolve().parents[1] / "scenarios"


@pytest.fixture(scope="module")
def model():
    m = VizModel(root=str(SCENARIOS), scenario_file="baseline.yaml")
    for _ in range(30):
        m.step()
    return m


def pixels(png: bytes) -> np.ndarray:
    return np.asarray(Image.open(io.BytesIO(png)).convert("RGB"))


def test_every_layer_draws_something_different(model):
    snap = take(model)
    seen = {}
    for layer in draw.layer_names(snap.factions):
        img = pixels(_png(draw.draw_map(snap, layer)))
        assert img.std() > 20, layer  # not a blank picture
        seen[layer] = img
    plain = seen[draw.NONE]
    for layer, img in seen.items():
        if layer != draw.NONE:
            assert np.abs(img.astype(int) - plain).mean() > 0.5, f"{layer} looks like no layer"


def test_snapshot_holds_every_agent_kind(model):
    snap = take(model)
    assert snap.week == 30 and snap.date == model.date
    assert snap.bands and snap.camps and snap.posts
    assert {u[2] for u in snap.units} >= {"army"}
    assert len(snap.metrics) == 30 and (snap.metrics["area"] == "ALL").all()
    latest = snap.latest()
    assert format_metric("stability_index", latest["stability_index"]).count(".") == 1


def test_metric_plots_grow(model):
    fresh = VizModel(root=str(SCENARIOS), scenario_file="baseline.yaml")
    empty = pixels(_png(draw.draw_metrics(take(fresh))))
    full = pixels(_png(draw.draw_metrics(take(model))))
    assert np.abs(full.astype(int) - empty).mean() > 0.5


def test_one_step_shows_in_under_a_second():
    """Step + copy + map + plots + PNG encoding at the default 0.5 degree resolution."""
    assert load_scenario(SCENARIOS / "baseline.yaml").map.resolution == 0.5
    m = VizModel(root=str(SCENARIOS), scenario_file="baseline.yaml")
    times = []
    for _ in range(5):
        started = time.perf_counter()
        m.step()
        snap = take(m)
        _png(draw.draw_map(snap))
        _png(draw.draw_metrics(snap))
        times.append(time.perf_counter() - started)
    assert statistics.median(times) < 1.0, times
