"""The ``viz`` subcommand: start the browser view (a Solara server) and print its address."""

from __future__ import annotations

import argparse
import json
import os
import signal
import subprocess
import sys
from pathlib import Path

from sahel_sim.scenario.loading import ScenarioError, load_scenario

EXAMPLE = (
    "example: python -m sahel_sim viz scenarios/baseline.yaml --port 8765\n"
    "         python -m sahel_sim viz --run results/baseline_seed20230630_1a2b3c4d"
)
DEFAULT_SCENARIO = "scenarios/baseline.yaml"


def register(subparsers) -> None:
    """Add the ``viz`` subcommand to the main parser's subparsers."""
    viz = subparsers.add_parser(
        "viz",
        help="open the interactive map in a browser (Mesa SolaraViz)",
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
    viz.add_argument("--host", default="127.0.0.1", help="address to listen on (default: 127.0.0.1)")
    viz.add_argument("--port", type=int, default=8765, help="port to listen on (default: 8765)")
    viz.set_defaults(func=cmd_viz)


def viz_environment(args: argparse.Namespace) -> dict[str, str]:
    """The variables that tell the page what to open (see :mod:`sahel_sim.viz.app`).

    Raises:
        ScenarioError: If the scenario or run folder cannot be used.
    """
    if args.run and args.scenario:
        raise ScenarioError("--run", None, None, "give a scenario file or --run, not both")
    env = {
        "SOLARA_TELEMETRY_MIXPANEL_ENABLE": "False",
        "MPLBACKEND": "Agg",
        "SOLARA_THEME_TITLE": "sahel_sim",
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
        load_scenario(scenario)
        env.update(SAHEL_VIZ_ROOT=str(folder.resolve()), SAHEL_VIZ_SCENARIO=scenario.name, SAHEL_VIZ_SEED=str(seed))
    else:
        path = Path(args.scenario or DEFAULT_SCENARIO)
        load_scenario(path)
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
