"""The ``viz`` subcommand: start the browser view (a Solara server) and print its address."""

from __future__ import annotations

import argparse
import json
import os
import signal
import subprocess
import sys
from pathlib import Path

from sahel_sim.scenario.catalog import find_scenario
from sahel_sim.scenario.loading import ScenarioError, load_scenario

EXAMPLE = (
    "example: python -m sahel_sim viz scenarios/baseline.yaml --port 8765\n"
    "         python -m sahel_sim viz --run results/baseline_seed20230630_1a2b3c4d\n"
    "         python -m sahel_sim viz --compare scenarios/baseline.yaml scenarios/baseline_no_withdrawal.yaml"
)
DEFAULT_SCENARIO = "scenarios/baseline.yaml"


def register(subparsers) -> None:
    """Add the ``viz`` subcommand to the main parser's subparsers."""
    viz = subparsers.add_parser(
        "viz",
        help="open the interactive map in a browser (a Solara page)",
        epilog=EXAMPLE,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    viz.add_argument(
        "scenario",
        nargs="?",
        help=f"scenario YAML file (default: {DEFAULT_SCENARIO}); the page offers every scenario file of its folder",
    )
    viz.add_argument(
        "--run", metavar="RUN_DIR", help="replay a finished run: its scenario.resolved.yaml and manifest seed"
    )
    viz.add_argument(
        "--compare",
        nargs=2,
        metavar=("A.yaml", "B.yaml"),
        help="open in compare mode: A and B side by side with the same seed (both files in one folder)",
    )
    viz.add_argument("--host", default="127.0.0.1", help="address to listen on (default: 127.0.0.1)")
    viz.add_argument("--port", type=int, default=8765, help="port to listen on (default: 8765)")
    viz.set_defaults(func=cmd_viz)


def viz_environment(args: argparse.Namespace) -> dict[str, str]:
    """The variables that tell the page what to open (see :mod:`sahel_sim.viz.app`).

    Raises:
        ScenarioError: If the scenario or run folder cannot be used.
    """
    compare = getattr(args, "compare", None)
    if sum(bool(x) for x in (args.run, args.scenario, compare)) > 1:
        raise ScenarioError("--run", None, None, "give one of: a scenario file, --run or --compare")
    env = {
        "SOLARA_TELEMETRY_MIXPANEL_ENABLE": "False",
        "MPLBACKEND": "Agg",
        "SOLARA_THEME_TITLE": "sahel_sim",
        "SOLARA_THEME_SHOW_BANNER": "False",  # the badge covered a plot
        "SOLARA_THEME_VARIANT": "light",  # the pictures have white backgrounds
        # a tab that went away without saying so is dropped after this long (its play loop with it)
        "SOLARA_KERNEL_CULL_TIMEOUT": "30s",
    }
    if args.run:
        folder = Path(args.run)
        manifest = folder / "manifest.json"
        scenario = folder / "scenario.resolved.yaml"
        if not manifest.is_file() or not scenario.is_file():
            raise ScenarioError(
                str(folder), None, None, "not a results folder (needs manifest.json and scenario.resolved.yaml)"
            )
        try:
            seed = int(json.loads(manifest.read_text(encoding="utf-8"))["seed"])
        except (OSError, ValueError, KeyError, TypeError) as exc:
            raise ScenarioError(str(manifest), None, "seed", f"cannot read the run's seed: {exc}") from None
        load_scenario(scenario, within=folder)
        env.update(SAHEL_VIZ_ROOT=str(folder.resolve()), SAHEL_VIZ_SCENARIO=scenario.name, SAHEL_VIZ_SEED=str(seed))
    elif compare:
        first, second = (Path(find_scenario(p)) for p in compare)
        for path in (first, second):
            load_scenario(path, within=path.parent)
        if first.parent.resolve() != second.parent.resolve():
            raise ScenarioError(
                str(second), None, None, f"--compare needs both files in one folder (A is in {first.parent})"
            )
        env.update(
            SAHEL_VIZ_ROOT=str(first.parent.resolve()),
            SAHEL_VIZ_SCENARIO=first.name,
            SAHEL_VIZ_SEED="",
            SAHEL_VIZ_COMPARE=second.name,
        )
    else:
        path = Path(find_scenario(args.scenario or DEFAULT_SCENARIO))
        load_scenario(path, within=path.parent)
        env.update(SAHEL_VIZ_ROOT=str(path.parent.resolve()), SAHEL_VIZ_SCENARIO=path.name, SAHEL_VIZ_SEED="")
    return env


def solara_command(host: str, port: int) -> list[str]:
    """The command line that serves the page."""
    app = Path(__file__).resolve().parents[1] / "viz" / "app.py"
    return [
        sys.executable,
        "-m",
        "solara",
        "run",
        str(app),
        "--host",
        host,
        "--port",
        str(port),
        "--no-open",
        "--production",
    ]


def cmd_viz(args: argparse.Namespace) -> int:
    """``viz``: serve the page until interrupted; returns the server's exit status."""
    if not 0 < args.port < 65536:
        raise ScenarioError("--port", None, None, f"not a port number: {args.port}")
    env = {**os.environ, **viz_environment(args)}
    shown = f"[{args.host}]" if ":" in args.host else args.host
    print(f"sahel_sim viz: http://{shown}:{args.port}/  (Ctrl+C to stop)", flush=True)
    proc = subprocess.Popen(solara_command(args.host, args.port), env=env)
    previous = signal.signal(signal.SIGTERM, _interrupt)
    try:
        return proc.wait()
    except KeyboardInterrupt:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
        raise
    finally:
        signal.signal(signal.SIGTERM, previous)


def _interrupt(signum, frame) -> None:
    """Treat SIGTERM like Ctrl+C so the server process is stopped too."""
    raise KeyboardInterrupt
