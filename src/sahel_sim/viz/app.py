"""The Solara page: ``solara run sahel_sim/viz/app.py`` (started by ``python -m sahel_sim viz``).

The page learns what to open from environment variables set by the ``viz`` subcommand, read when a
browser tab opens (each tab builds its own model; nothing is shared at module level):

* ``SAHEL_VIZ_ROOT``: the folder whose scenario files the page may open (default ``scenarios``);
* ``SAHEL_VIZ_SCENARIO``: the file in that folder to start with (default ``baseline.yaml``);
* ``SAHEL_VIZ_SEED``: the seed to start with (a finished run's seed; default the scenario's);
* ``SAHEL_VIZ_COMPARE``: a second file of that folder: start in compare mode (A: the first file).

No traceback reaches the page: problems with a scenario are shown in plain words, anything else as
a short message with the details in the server log. The page never shows server paths.
"""

from __future__ import annotations

import logging
import os
import warnings
from dataclasses import dataclass
from pathlib import Path

import solara
from solara.server import cdn_helper

from sahel_sim.viz import draw
from sahel_sim.viz.adapter import VizModel, open_scenario
from sahel_sim.viz.controls import LeverInput, RunButtons
from sahel_sim.viz.levers import describe, lever_values, levers, list_scenarios
from sahel_sim.viz.run import UNEXPECTED, Run, date_text, friendly, week_text
from sahel_sim.viz.snapshot import HEADLINE, Snapshot, format_metric

ENV_ROOT, ENV_SCENARIO, ENV_SEED, ENV_COMPARE = (
    "SAHEL_VIZ_ROOT",
    "SAHEL_VIZ_SCENARIO",
    "SAHEL_VIZ_SEED",
    "SAHEL_VIZ_COMPARE",
)
log = logging.getLogger("sahel_sim.viz")
if not log.handlers:  # the server log gets the page's own messages (play loops, failures)
    _handler = logging.StreamHandler()
    _handler.setFormatter(logging.Formatter("sahel_sim.viz %(levelname)s: %(message)s"))
    log.addHandler(_handler)
    log.setLevel(logging.INFO)
    log.propagate = False
ONE, TWO = "One run", "Compare two runs"


def _offline(url: str) -> bytes:
    """Replacement of Solara's CDN fetch: this server never goes online for front-end files."""
    log.warning("front-end file not installed locally, not fetched: %s", url.rsplit("/", 1)[-1])
    raise FileNotFoundError(url)


cdn_helper.fetch_from_cdn = _offline  # only this server's process imports this module
# Solara warns on every page load served over plain http on 127.0.0.1 (it then uses SameSite=Lax).
warnings.filterwarnings("ignore", message="Cookies with samesite=none require https", category=UserWarning)

CSS = """
.sahel-main { display: flex; flex-wrap: nowrap; gap: 16px; align-items: flex-start; width: 100%; padding: 4px 8px; }
.sahel-side { flex: 0 0 290px; max-width: 290px; }
.sahel-body { flex: 1 1 auto; min-width: 0; }
.sahel-main .sahel-side.sahel-hidden { display: none !important; }
.sahel-statusbar { display: flex; flex-wrap: wrap; gap: 2px 18px; align-items: baseline; }
img.sahel-map { width: 100%; height: auto; max-height: calc(100vh - 150px); object-fit: contain;
  object-position: left top; display: block; }
img.sahel-metrics, img.sahel-difference { width: 100%; max-width: 1500px; height: auto; display: block; }
.sahel-pair { display: flex; flex-wrap: wrap; gap: 8px; }
.sahel-pair > div { flex: 1 1 560px; min-width: 0; }
.sahel-pair img.sahel-map { max-height: calc(100vh - 190px); }
"""


@dataclass(frozen=True)
class Settings:
    """What a new tab opens: folder, file names, seed and the file to compare with."""

    root: str
    files: tuple[str, ...]
    scenario_file: str
    seed: str
    compare_file: str | None


def read_settings(environ: dict[str, str] | None = None) -> Settings:
    """The page's settings from the environment (see the module docstring)."""
    env = os.environ if environ is None else environ
    root = str(Path(env.get(ENV_ROOT, "scenarios")).resolve())
    files = tuple(list_scenarios(root))
    name = env.get(ENV_SCENARIO) or ("baseline.yaml" if "baseline.yaml" in files else (files[0] if files else ""))
    return Settings(root, files, name, env.get(ENV_SEED, ""), env.get(ENV_COMPARE) or None)


def build_run(
    settings: Settings, file_a: str, file_b: str | None, seed: str, values: dict
) -> tuple[Run | None, str | None]:
    """The run of the controls' values: A alone, or A as in its file and B with the levers.

    Returns:
        ``(run, None)``, or ``(None, message)`` when a scenario cannot be used.
    """
    try:
        if file_b is None:
            models = [VizModel(root=settings.root, scenario_file=file_a, seed=seed, levers=values)]
        else:
            first = VizModel(root=settings.root, scenario_file=file_a, seed=seed)
            models = [first, VizModel(root=settings.root, scenario_file=file_b, seed=first.seed_value, levers=values)]
        return Run(models), None
    except Exception as exc:  # noqa: BLE001 - shown in plain words, logged in full if unexpected
        return None, friendly(exc, "opening the scenario")


def _lever_file(file_a: str, file_b: str | None) -> str:
    """The file whose levers the sidebar shows: B in compare mode, else A."""
    return file_b or file_a


@solara.component
def Page():
    """One browser tab; a failure anywhere below shows a short message, never a traceback."""
    solara.Title("sahel_sim")
    solara.Style(CSS)
    failure, clear = solara.use_exception()
    if failure is not None:
        solara.Error(UNEXPECTED, classes=["sahel-error"])
        solara.Button("Try again", color="primary", on_click=clear)
        return
    Main()


@solara.component
def Main():
    """The controls and the run of one tab (its own settings read now, its own run)."""
    settings = solara.use_memo(read_settings, [])
    mode, set_mode = solara.use_state(TWO if settings.compare_file else ONE)
    file_a, set_file_a = solara.use_state(settings.scenario_file)
    file_b, set_file_b = solara.use_state(settings.compare_file or settings.scenario_file)
    seed, set_seed = solara.use_state(settings.seed)
    shown_b = file_b if mode == TWO else None
    lever_file = _lever_file(file_a, shown_b)

    def scenario_levers():
        try:
            scenario = open_scenario(settings.root, lever_file)
            return scenario, lever_values(scenario), None
        except Exception as exc:  # noqa: BLE001
            return None, {}, friendly(exc, "reading the levers")

    scenario, own_values, lever_problem = solara.use_memo(scenario_levers, [lever_file])
    # Lever values belong to one file: another file starts from its own values (never a mix).
    held, set_held = solara.use_state((lever_file, own_values))
    values = held[1] if held[0] == lever_file else own_values

    def forget_other_file() -> None:
        if held[0] != lever_file:  # picking a file starts from its values, also when coming back
            set_held((lever_file, own_values))

    solara.use_effect(forget_other_file, [lever_file])
    first = solara.use_memo(lambda: build_run(settings, file_a, shown_b, seed, values), [])
    run, set_run = solara.use_state(first, key="run")
    tick, set_tick = solara.use_state(0)
    message, set_message = solara.use_state(None)

    def reset() -> None:
        set_message(None)
        set_run(build_run(settings, file_a, shown_b, seed, values))
        set_tick(0)

    def on_week() -> None:
        set_tick(lambda t: t + 1)

    current, problem = run
    sidebar, set_sidebar = solara.use_state(True)
    with solara.Div(classes=["sahel-main"]):
        if not sidebar:
            solara.Button("Show controls", on_click=lambda: set_sidebar(True), text=True, classes=["sahel-show"])
        # hidden, not removed: removing the controls would end the play loop that lives in them
        with solara.Column(classes=["sahel-side"] if sidebar else ["sahel-side", "sahel-hidden"]):
            solara.Button("Hide controls", on_click=lambda: set_sidebar(False), text=True, classes=["sahel-hide"])
            solara.Text("sahel_sim", style={"font-size": "1.4em", "font-weight": "bold"})
            if current is not None:
                RunButtons(current, on_week, reset, set_message)
            else:
                solara.Button("Reset", color="primary", on_click=reset, classes=["sahel-reset"])
            solara.ToggleButtonsSingle(value=mode, values=[ONE, TWO], on_value=set_mode)
            solara.Select(
                label="Scenario file" + (" (A)" if mode == TWO else ""),
                values=list(settings.files),
                value=file_a,
                on_value=set_file_a,
            )
            if mode == TWO:
                solara.Select(label="Compare with (B)", values=list(settings.files), value=file_b, on_value=set_file_b)
                solara.Text(
                    "A runs as in its file; B with the levers below; both with the same seed.",
                    style={"font-size": "0.85em"},
                )
            solara.InputText("Seed (blank: the scenario's)", value=seed, on_value=set_seed)
            solara.Text("Levers take effect on Reset.", style={"font-size": "0.85em"})
            if lever_problem:
                solara.Error(lever_problem, classes=["sahel-error"])
            # the errors of the run, if it was built from this file's levers
            same = current is not None and current.models[-1].scenario_file == lever_file
            refused = current.models[-1].lever_errors if same and current is not None else {}
            for lever in levers(scenario) if scenario is not None else []:
                value = values.get(lever.name)
                LeverInput(
                    lever,
                    value,
                    refused.get(lever.name) or lever.check(value),
                    lambda v, name=lever.name: set_held((lever_file, {**values, name: v})),
                ).key(f"{lever_file}:{lever.name}")  # new widgets for another file: no slider echoes its old range
            if "levers" in refused:
                solara.Error(refused["levers"], classes=["sahel-error"])
        with solara.Column(classes=["sahel-body"]):
            if problem or message:
                solara.Error(problem or message, classes=["sahel-error"])
            if current is not None:
                RunView(current, tick)


@solara.component
def RunView(run: Run, tick: int):
    """The maps, numbers and plots of a run (redrawn when ``tick`` changes)."""
    snaps = solara.use_memo(run.snapshots, [run, tick])
    solara.use_effect(lambda: run.mark_drawn(snaps[0].week), [run, tick])
    names = draw.layer_names(snaps[0].factions)
    layer, set_layer = solara.use_state(draw.CONTROL)
    shown = layer if layer in names else draw.CONTROL
    if len(snaps) == 1:
        snap = snaps[0]
        Status(run.models[0], snap, "")
        solara.Select(label="Map layer", values=names, value=shown, on_value=set_layer)
        MapImage(run, 0, snap, shown, tick)
        solara.Image(run.metrics_picture(snap), format="jpeg", classes=["sahel-metrics"])
        Levers(run.models[0], "")
        return
    solara.Select(label="Map layer", values=names, value=shown, on_value=set_layer)
    with solara.Div(classes=["sahel-pair"]):
        for i, (model, snap) in enumerate(zip(run.models, snaps, strict=True)):
            with solara.Div(classes=[f"sahel-run-{'ab'[i]}"]):
                Status(model, snap, "AB"[i])
                MapImage(run, i, snap, shown, tick)
    solara.Image(run.difference_picture(*snaps), format="jpeg", classes=["sahel-difference"])
    with solara.Div(classes=["sahel-pair"]):
        for i, model in enumerate(run.models):
            with solara.Div():
                Levers(model, "AB"[i])


@solara.component
def MapImage(run: Run, index: int, snap: Snapshot, layer: str, tick: int):
    """One model's map."""
    picture = solara.use_memo(lambda: run.map_picture(index, snap, layer), [run, index, tick, layer])
    solara.Image(picture, format="jpeg", classes=["sahel-map"])


@solara.component
def Status(model: VizModel, snap: Snapshot, tag: str):
    """Scenario, seed, week, date and the headline numbers of one model, in one wrapping line."""
    prefix = f"{tag}: " if tag else ""
    css = f"-{tag.lower()}" if tag else ""
    with solara.Div(classes=["sahel-statusbar"]):
        solara.Text(f"{prefix}{snap.name} ({model.scenario_file}), seed {snap.seed}", classes=[f"sahel-scenario{css}"])
        solara.Text(week_text(snap), classes=[f"sahel-week{css}"])
        solara.Text(date_text(snap), classes=[f"sahel-date{css}"], style={"font-size": "1.25em", "font-weight": "bold"})
    with solara.Div(classes=["sahel-statusbar"]):
        latest = snap.latest()
        for column, label in HEADLINE.items():
            value = "-" if latest is None else format_metric(column, latest[column])
            solara.Text(f"{label}: {value}", classes=[f"sahel-metric{css}", f"sahel-{column}{css}"])
    if not model.running:
        solara.Info("End of the scenario reached.", classes=[f"sahel-end{css}"], dense=True)
    if model.seed_error:
        solara.Warning(f"Seed not used ({model.seed_error}); the scenario's seed runs instead.", dense=True)


@solara.component
def Levers(model: VizModel, tag: str):
    """The levers of a model's run and what was changed from its file."""
    css = f"-{tag.lower()}" if tag else ""
    title = f"Levers in run {tag}" if tag else "Levers in this run"
    _bullets(
        title,
        [f"{label}: {text}" for label, text in describe(model.config, levers(model.config))],
        f"sahel-levers{css}",
    )
    if model.viz_overrides:
        _bullets("Changed from the file", [f"{p} = {v}" for p, v in model.viz_overrides], f"sahel-overrides{css}")


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
