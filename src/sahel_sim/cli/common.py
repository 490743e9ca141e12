"""What several commands share: loading a scenario with its options, the ``--workers`` check, progress."""

from __future__ import annotations

import argparse
import datetime as dt
from collections.abc import Callable
from pathlib import Path
from typing import Any

from sahel_sim.runs.progress import ProgressReporter
from sahel_sim.scenario.catalog import find_scenario
from sahel_sim.scenario.loading import ScenarioError, load_scenario, parse_date, with_overrides
from sahel_sim.scenario.schema import Scenario


def load_for_run(
    path: str, overrides: list[str], until: str | None = None, weeks: int | None = None, seed: int | None = None
) -> Scenario:
    """Load a scenario with ``--set`` overrides, then an optional new end and seed (all validated).

    The seed given on the command line is written into the scenario, so its resolved copy reruns the
    run exactly.

    Raises:
        ScenarioError: If the file, an override or an option is bad.
    """
    scenario = load_scenario(find_scenario(path), overrides)
    if until is not None:
        stop = parse_date(until, "--until")
        if stop > scenario.end:
            raise ScenarioError(
                "--until",
                None,
                None,
                f"{stop} is after the scenario's end ({scenario.end}); --until only stops a run early "
                "(to run longer, use --set end=DATE)",
            )
        scenario = with_overrides(scenario, [("end", stop)], label="--until")
    elif weeks is not None:
        if weeks < 1:
            raise ScenarioError("--weeks", None, None, f"must be at least 1 (got {weeks})")
        try:
            end = scenario.start + dt.timedelta(weeks=weeks)
        except OverflowError:
            raise ScenarioError("--weeks", None, None, f"{weeks} weeks runs past the last representable date") from None
        scenario = with_overrides(scenario, [("end", end)], label="--weeks")
    if seed is not None:
        scenario = with_overrides(scenario, [("seed", seed)], label="--seed")
    return scenario


def blocking_file(folder: Path) -> Path | None:
    """The first existing part of ``folder`` (itself or a parent) that is not a folder, if any.

    Checked before a run, so that an ``--out`` that can never be written is refused at once.
    """
    for part in (folder, *folder.parents):
        if part.exists():
            return None if part.is_dir() else part
    return None


def add_workers_argument(parser: argparse.ArgumentParser, default: int | None = None) -> None:
    """Add the ``--workers N`` option; the command checks it with :func:`check_workers`.

    Args:
        parser: The subcommand's parser.
        default: The default number of worker processes (None: every core).
    """
    shown = "every core" if default is None else str(default)
    parser.add_argument(
        "--workers",
        type=int,
        default=default,
        metavar="N",
        help=f"worker processes (default: {shown}; 1: in this process); results do not depend on it",
    )


def check_workers(workers: int | None) -> int | None:
    """The ``--workers`` value, checked: None (every core) or at least 1.

    Raises:
        ScenarioError: If it is below 1 (a bad option: status 2, nothing written).
    """
    if workers is not None and workers < 1:
        raise ScenarioError("--workers", None, None, f"must be at least 1 (got {workers})")
    return workers


def reporter(label: str, unit: str, args: argparse.Namespace, **kwargs: Any) -> ProgressReporter:
    """A progress reporter on stderr, silent with ``--quiet`` (see :mod:`sahel_sim.runs.progress`)."""
    return ProgressReporter(label, unit, enabled=not getattr(args, "quiet", False), **kwargs)


def sweep_callback(progress: ProgressReporter) -> Callable[[Any], None]:
    """Adapt a reporter to the sweep engine's callback (a :class:`sahel_sim.analysis.sweep.engine.Progress`)."""
    first = True

    def call(counts: Any) -> None:
        nonlocal first
        if first:  # the runs of an earlier session, if resumed, are done before counting starts
            progress.restart(counts.done + counts.failed)
            first = False
        note = f"{counts.running} running" if counts.running else ""
        progress.update(counts.done + counts.failed, counts.total, failed=counts.failed, note=note)

    return call


def add_posterior_argument(parser: argparse.ArgumentParser) -> None:
    """Add ``--posterior FILE``: draw each replicate's parameters from a calibration's posterior."""
    parser.add_argument(
        "--posterior",
        metavar="FILE",
        help="posterior.parquet written by an ABC calibration, or 'calibrated' for the shipped one: each "
        "replicate runs with one weighted parameter set drawn by its seed (same seed, same set), so "
        "results carry parameter uncertainty",
    )


def load_posterior_option(path: str | None, scenario: Scenario | None = None):
    """The ``--posterior`` file, checked against ``scenario`` if given (None without the option).

    Raises:
        ScenarioError: If the file is unusable or names a parameter the scenario does not have.
    """
    if path is None:
        return None
    from sahel_sim.scenario.posterior import open_posterior

    return open_posterior(path, scenario)
