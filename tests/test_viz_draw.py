"""Pictures of the browser view (map layers, plots, compare mode) drawn by the painters, no browser.

Speed is measured by ``python -m sahel_sim bench`` (section ``viz``), not here.
"""

from __future__ import annotations

import importlib.util
import io
from pathlib import Path

import numpy as np
import pytest

# find_spec, not importorskip: importing solara here would cost every collecting worker its import
if importlib.util.find_spec("solara") is None:
    pytest.skip("the viz extra (solara) is not installed", allow_module_level=True)

from PIL import Image  # noqa: E402

from sahel_sim.viz import draw  # noqa: E402
from sahel_sim.viz.adapter import VizModel  # noqa: E402
from sahel_sim.viz.paint import MapPainter, MetricsPainter, nice_ceiling  # noqa: E402
from sahel_sim.viz.run import Run, date_text, difference  # noqa: E402
from sahel_sim.viz.snapshot import HEADLINE, format_metric, take  # noqa: E402

SCENARIOS = Path(__file__).resolve().parents[1] / "scenarios"


@pytest.fixture(scope="module")
def model():
    m = VizModel(root=str(SCENARIOS), scenario_file="baseline.yaml")
    for _ in range(30):
        m.step()
    return m


def pixels(picture: bytes) -> np.ndarray:
    return np.asarray(Image.open(io.BytesIO(picture)).convert("RGB")).astype(int)


def test_every_layer_draws_something_different(model):
    snap = take(model)
    painter = MapPainter(snap)
    seen = {layer: pixels(painter.paint(snap, layer)) for layer in draw.layer_names(snap.factions)}
    plain = seen[draw.NONE]
    assert plain.std() > 20  # not a blank picture
    for layer, img in seen.items():
        if layer != draw.NONE:
            assert np.abs(img - plain).mean() > 0.5, f"{layer} looks like no layer"


def test_repainting_matches_a_fresh_painter(model):
    """Updating artists week by week gives the picture a new painter draws from scratch."""
    fresh = VizModel(root=str(SCENARIOS), scenario_file="baseline.yaml")
    painter = MapPainter(take(fresh))
    for _ in range(3):
        fresh.step()
        painter.paint(take(fresh), draw.CONTROL)
    snap = take(fresh)
    reused = pixels(painter.paint(snap, draw.CONTROL))
    new = pixels(MapPainter(snap).paint(snap, draw.CONTROL))
    assert np.abs(reused - new).mean() < 0.5
    before = pixels(
        MapPainter(take(VizModel(root=str(SCENARIOS), scenario_file="baseline.yaml"))).paint(snap, draw.NONE)
    )
    assert np.abs(before - new).mean() > 0.5


def test_snapshot_holds_every_agent_kind(model):
    snap = take(model)
    assert snap.week == 30 and snap.date == model.date
    assert snap.bands and snap.camps and snap.posts
    assert {u[2] for u in snap.units} >= {"army"}
    assert len(snap.metrics) == 30 and (snap.metrics["area"] == "ALL").all()
    assert format_metric("stability_index", snap.latest()["stability_index"]).count(".") == 1
    assert date_text(snap) == f"{snap.date:%Y-%m-%d} to {snap.date + np.timedelta64(6, 'D').item():%Y-%m-%d}"


def test_metric_plots_grow(model):
    fresh = take(VizModel(root=str(SCENARIOS), scenario_file="baseline.yaml"))
    painter = MetricsPainter(fresh)
    empty = pixels(painter.paint(fresh))
    full = pixels(painter.paint(take(model)))
    assert np.abs(full - empty).mean() > 0.5


def test_nice_ceiling():
    assert [nice_ceiling(v) for v in (0.7, 1.0, 1.3, 2.2, 4.0, 6.0, 730.0)] == [1, 1, 2, 2.5, 5, 10, 1000]


def test_compare_difference_is_b_minus_a():
    a = VizModel(root=str(SCENARIOS), scenario_file="baseline.yaml")
    b = VizModel(root=str(SCENARIOS), scenario_file="baseline_no_withdrawal.yaml", seed=a.seed_value)
    run = Run([a, b])
    for _ in range(4):
        assert run.step()
    sa, sb = run.snapshots()
    assert sa.week == sb.week == 4 and sa.date == sb.date
    diff = difference(sa, sb).metrics
    for column in HEADLINE:
        assert np.allclose(diff[column], sb.metrics[column].to_numpy() - sa.metrics[column].to_numpy())
    assert pixels(run.difference_picture(sa, sb)).std() > 5
