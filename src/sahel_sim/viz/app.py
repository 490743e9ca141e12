"""The Solara page: ``solara run sahel_sim/viz/app.py`` (started by ``python -m sahel_sim viz``).

Mesa's SolaraViz provides the controls (Reset, play/pause, Step, play interval as speed) and the
sliders; the map, the headline numbers and the metric plots are components of this module.

The page learns what to open from environment variables set by the ``viz`` subcommand, read when a
browser tab opens (each tab builds its own model; nothing is shared at module level):

* ``SAHEL_VIZ_ROOT``: the folder whose scenario files the page may open (default ``scenarios``);
* ``SAHEL_VIZ_SCENARIO``: the file in that folder to start with (default ``baseline.yaml``);
* ``SAHEL_VIZ_SEED``: the seed to start with (a finished run's seed; default the scenario's).
"""

from __future__ import annotations

import io
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import solara
from mesa.visualization import SolaraViz
from mesa.visualization import solara_viz as _mesa_viz
from mesa.visualization.utils import update_counter

from sahel_sim.scenario.loading import load_scenario
from sahel_sim.viz.adapter import VizModel
from sahel_sim.viz.draw import CONTROL, draw_map, draw_metrics, layer_names
from sahel_sim.viz.levers import describe, lever_values, levers, list_scenarios, resolve_scenario
from sahel_sim.viz.snapshot import HEADLINE, format_metric, take

ENV_ROOT, ENV_SCENARIO, ENV_SEED = "SAHEL_VIZ_ROOT", "SAHEL_VIZ_SCENARIO", "SAHEL_VIZ_SEED"


@dataclass(frozen=True)
class Settings:
    """What a new tab opens: folder, file, seed and the generated ``model_params``."""

    root: str
    scenario_file: str
    seed: str
    model_params: dict[str, Any]

    def model_kwargs(self) -> dict[str, Any]:
        """Keyword arguments of the first model: the fixed and starting values of every input."""
        return {k: (v["value"] if isinstance(v, dict) and "type" in v else v) for k, v in self.model_params.items()}


def read_settings(environ: dict[str, str] | None = None) -> Settings:
    """Build the page's settings from the environment (see the module docstring)."""
    env = os.environ if environ is None else environ
    root = str(Path(env.get(ENV_ROOT, "scenarios")).resolve())
    files = list_scenarios(root)
    name = env.get(ENV_SCENARIO) or ("baseline.yaml" if "baseline.yaml" in files else files[0])
    scenario = load_scenario(resolve_scenario(root, name))
    seed = env.get(ENV_SEED, "")
    initial = lever_values(scenario)
    params: dict[str, Any] = {
        "root": root,
        "initial": initial,
        "scenario_file": {"type": "Select", "label": "Scenario file", "value": name, "values": files},
        "seed": {"type": "InputText", "label": "Seed (blank: the scenario's)", "value": seed},
    }
    for lever in levers(scenario):
        params[lever.name] = lever.user_param(initial[lever.name])
    return Settings(root, name, seed, params)


def _png(fig) -> bytes:
    buf = io.BytesIO()
    fig.savefig(buf, format="png")
    return buf.getvalue()


@solara.component
def MapView(model: VizModel):
    """The map with a layer menu; redrawn after every step."""
    layer, set_layer = solara.use_state(CONTROL)
    tick = update_counter.value
    names = layer_names(tuple(f.name for f in model.config.factions))
    shown = layer if layer in names else CONTROL
    png = solara.use_memo(lambda: _png(draw_map(take(model), shown)), [tick, shown, model])
    with solara.Column(style={"width": "100%"}):
        solara.Select(label="Map layer", values=names, value=shown, on_value=set_layer)
        solara.Image(png, width="100%", classes=["sahel-map"])


@solara.component
def StatusView(model: VizModel):
    """Scenario, seed, date and the latest week's headline numbers."""
    update_counter.get()
    snap = take(model)
    when = f"{snap.date:%Y-%m-%d}" if snap.week else f"{snap.date:%Y-%m-%d} (start)"
    with solara.Column(style={"padding": "4px 12px", "height": "100%", "overflow-y": "auto"}):
        solara.Text(f"{snap.name} ({model.scenario_file.name}), seed {snap.seed}", classes=["sahel-scenario"])
        solara.Text(f"Week {snap.week} of {snap.weeks}", classes=["sahel-week"])
        solara.Text(when, classes=["sahel-date"], style={"font-size": "1.6em", "font-weight": "bold"})
        latest = snap.latest()
        for column, label in HEADLINE.items():
            value = "-" if latest is None else format_metric(column, latest[column])
            solara.Text(f"{label}: {value}", classes=["sahel-metric", f"sahel-{column}"])
        _bullets(
            "Levers in this run",
            [f"{label}: {text}" for label, text in describe(model.config, levers(model.config))],
            "sahel-levers",
        )
        if model.viz_overrides:
            _bullets(
                "Slider overrides", [f"{path} = {value}" for path, value in model.viz_overrides], "sahel-overrides"
            )
        if model.viz_error:
            solara.Error(model.viz_error, classes=["sahel-error"])
        if not model.running:
            solara.Info("End of the scenario reached.")


def _bullets(title: str, items: list[str], css: str) -> None:
    """A small titled list (plain HTML: solara.Markdown would fetch KaTeX from a CDN)."""
    solara.v.Html(
        tag="div",
        class_=css,
        style_="font-size: 0.85em; margin-top: 8px",
        children=[
            solara.v.Html(tag="b", children=[title]),
            solara.v.Html(tag="ul", children=[solara.v.Html(tag="li", children=[i]) for i in items]),
        ],
    )


@solara.component
def MetricsView(model: VizModel):
    """Plots of the stability metrics, growing week by week."""
    tick = update_counter.value
    png = solara.use_memo(lambda: _png(draw_metrics(take(model))), [tick, model])
    solara.Image(png, width="100%", classes=["sahel-metrics"])


def map_panel(model: VizModel):
    """Map component for SolaraViz."""
    return MapView(model)


def status_panel(model: VizModel):
    """Status component for SolaraViz."""
    return StatusView(model)


def metrics_panel(model: VizModel):
    """Metrics component for SolaraViz."""
    return MetricsView(model)


def _layout(n: int) -> list[dict]:
    """Grid positions of the three panels: map and status on top, plots below (30 px rows)."""
    spots = [{"x": 0, "y": 0, "w": 9, "h": 12}, {"x": 9, "y": 0, "w": 3, "h": 12}, {"x": 0, "y": 12, "w": 12, "h": 13}]
    return [
        {"i": i, "moved": False, **spots[i]}
        if i < len(spots)
        else {"i": i, "moved": False, "x": 0, "y": 25 + 10 * i, "w": 6, "h": 10}
        for i in range(n)
    ]


# Mesa gives every component half the width; this page wants a wide map. Only this server's
# process imports this module.
_mesa_viz.make_initial_grid_layout = _layout


@solara.component
def Page():
    """One browser tab: its own settings read now, its own model."""
    settings = solara.use_memo(read_settings, [])
    model = solara.use_memo(lambda: VizModel(**settings.model_kwargs()), [])
    SolaraViz(
        model,
        components=[map_panel, status_panel, metrics_panel],
        model_params=settings.model_params,
        name="sahel_sim: security in the Sahel",
        play_interval=200,
    )
