"""The notebook API: run a scenario, a sweep or a comparison from Python and get its tables as DataFrames.

    import sahel_sim as ss
    r = ss.run("historical", seed=3, until="2016-01-01")
    r.timeseries.query("area == 'ML'").plot(x="date", y="fatalities_total")
    r.save("results/")                       # only now is anything written
    c = ss.compare("baseline", ["baseline_no_withdrawal"], seeds=20, workers=2)
    c.effect("fatalities_total", "ML")       # paired effect with its 95 % interval
    p = ss.run("baseline", seed=3, posterior="calibrated")  # parameters drawn from the calibration
    p.draw, p.posterior["values"]            # which weighted set the seed drew, and its values

Everything heavy is imported inside the functions, so ``import sahel_sim`` stays fast. Bad input
raises :class:`sahel_sim.scenario.errors.ScenarioError` with the same one-line message the command
line prints.
"""

from __future__ import annotations

import datetime as dt
import shutil
import tempfile
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import pandas as pd
    from matplotlib.figure import Figure

    from sahel_sim.runs.output import RunOutput
    from sahel_sim.scenario.posterior import Posterior
    from sahel_sim.scenario.schema import Scenario


def scenario_path(name: str | Path) -> Path:
    """The file of a scenario or sweep given by path or by the name of a shipped one.

    Args:
        name: A path to a YAML file, or a shipped name such as ``"historical"``,
            ``"baseline.yaml"`` or ``"sweeps/withdrawal_timing"``.

    Returns:
        The file to read.

    Raises:
        ScenarioError: If there is no such file nor shipped scenario (with the closest name).
    """
    from sahel_sim.scenario.catalog import find_scenario

    return Path(find_scenario(name))


@dataclass
class Run:
    """One finished run, in memory: its tables as DataFrames and its scenario.

    Attributes:
        scenario: The resolved scenario that ran (after overrides, ``until`` or ``weeks``).
        seed: The seed used.
        timeseries: One row per week and area (``ALL``, ``ML``, ``BF``, ``NE``, ``MR``, ``TD``) with
            every stability metric; units in ``sahel_sim.model.metrics.METRICS`` and the README.
        events: The event log, one row per event (date, lat, lon, area, kind, actor, target,
            fatalities by category, detail).
        summary: One row per area: total deaths and events over the run, final control share,
            displaced (people), posts open and the stability index (0-100, mean and final).
        info: The run's full summary (the content of ``summary.json``: also post and camp closures).
        overrides: The overrides applied, as ``path=value`` (recorded in the manifest on save).
        source: The scenario file read.
        wall_seconds: Wall-clock time of the simulation, seconds.
        folder: The results folder, once written (by ``out=`` or :meth:`save`).
        posterior: With ``posterior=``: the file, its SHA-256, ``sets``, ``parameters``, the ``draw``
            (index of the set this run's seed drew) and its ``values`` (as the manifest records them);
            None without.
    """

    scenario: Scenario
    seed: int
    timeseries: pd.DataFrame
    events: pd.DataFrame
    summary: pd.DataFrame
    info: dict
    overrides: list[str] = field(default_factory=list)
    source: str | None = None
    wall_seconds: float = 0.0
    folder: Path | None = None
    posterior: dict | None = None

    @property
    def draw(self) -> int | None:
        """Index of the posterior's parameter set this run used (None without ``posterior=``)."""
        return None if self.posterior is None else int(self.posterior["draw"])

    @classmethod
    def _from_output(cls, output: RunOutput, overrides: list[str], source: str | None) -> Run:
        import pandas as pd

        assert output.events is not None and output.summary is not None  # simulate() was asked for both
        summary = pd.DataFrame.from_dict(output.summary["areas"], orient="index")
        summary.index.name = "area"
        run = cls(output.scenario, output.seed, output.timeseries, output.events, summary, output.summary)
        run.overrides, run.source, run.wall_seconds = overrides, source, output.wall_seconds
        return run

    def save(self, folder: str | Path = "results") -> Path:
        """Write the run's results folder (tables, plots, manifest) under ``folder``, as ``run`` does.

        Args:
            folder: Parent folder (created if missing); the run's folder is named after the
                scenario, overrides, seed and hash, and never overwrites another.

        Returns:
            The results folder.
        """
        from sahel_sim.runs.output import RunOutput
        from sahel_sim.runs.results import write_results

        output = RunOutput(self.scenario, self.seed, self.timeseries, self.events, self.info, self.wall_seconds)
        self.folder = write_results(
            output, Path(folder), source=self.source, overrides=self.overrides, posterior=self.posterior
        )
        return self.folder

    def dashboard(self, area: str = "ALL") -> Figure:
        """The run's dashboard figure for one area (as in ``plots/dashboard.png``), nothing written.

        Args:
            area: ``ALL`` or a country code (``ML``, ``BF``, ``NE``, ``MR``, ``TD``).
        """
        import io

        from sahel_sim.runs.plots import dashboard

        return dashboard(self.timeseries, self.scenario, io.BytesIO(), self.seed, area)

    def area(self, code: str = "ML") -> pd.DataFrame:
        """The weekly rows of one area, indexed by date."""
        return self.timeseries[self.timeseries["area"] == code].set_index("date")


def run(
    scenario: str | Path,
    seed: int | None = None,
    *,
    until: str | dt.date | None = None,
    weeks: int | None = None,
    overrides: Mapping[str, Any] | None = None,
    out: str | Path | None = None,
    check: bool = False,
    posterior: str | Path | Posterior | None = None,
) -> Run:
    """Simulate one scenario in memory and return its tables; write nothing unless asked.

    Args:
        scenario: A scenario file's path, or a shipped scenario's name (``"baseline"``,
            ``"historical"``, ``"minusma_stays"``, ...).
        seed: Random seed (an integer >= 0); default the scenario's own ``seed``. Same scenario and
            seed give identical tables.
        until: Last date simulated (``"2016-01-01"`` or a ``datetime.date``); default the
            scenario's ``end``. One step is one week from the scenario's ``start``.
        weeks: Number of weeks to simulate from ``start`` (instead of ``until``).
        overrides: Dotted paths to values, applied before the run and validated like ``--set``,
            e.g. ``{"peacekeepers.withdrawal": None, "factions.JNIM.recruitment": 1.5}``
            (list items by index or by name; dates as ``datetime.date`` or ``"YYYY-MM-DD"``; each
            value in the unit ``python -m sahel_sim params`` lists).
        out: A parent folder: also write the results folder there (as ``python -m sahel_sim run``
            does); the run's ``folder`` then names it.
        check: Check the model's invariants every week and raise at the first broken one.
        posterior: Run with one parameter set of a calibration's posterior, drawn by the seed (as
            ``run --posterior``): ``"calibrated"`` for the shipped one, a ``posterior.parquet``
            path, or a :class:`~sahel_sim.scenario.posterior.Posterior`. The same seed always
            draws the same set; :attr:`Run.draw` and :attr:`Run.posterior` say which.

    Returns:
        The run: ``timeseries``, ``events`` and ``summary`` DataFrames, ``info``, ``save()``,
        ``dashboard()``.

    Raises:
        ScenarioError: A scenario, override, date or posterior that cannot be used (one line naming
            it; nothing is written).
    """
    from sahel_sim.runs.results import value_text
    from sahel_sim.runs.runner import simulate
    from sahel_sim.scenario.errors import ScenarioError
    from sahel_sim.scenario.loading import load_scenario, parse_date, with_overrides
    from sahel_sim.scenario.posterior import open_posterior

    if until is not None and weeks is not None:
        raise ScenarioError("until", None, None, "give 'until' or 'weeks', not both")
    path = scenario_path(scenario)
    loaded = load_scenario(path)
    items = list((overrides or {}).items())
    if items:
        loaded = with_overrides(loaded, items, label="overrides")
    if until is not None:
        end = until if isinstance(until, dt.date) else parse_date(str(until), "until")
        loaded = with_overrides(loaded, [("end", end)], label="until")
    elif weeks is not None:
        if int(weeks) < 1:
            raise ScenarioError("weeks", None, None, f"must be at least 1 (got {weeks})")
        loaded = with_overrides(loaded, [("end", loaded.start + dt.timedelta(weeks=int(weeks)))], label="weeks")
    if seed is not None:
        loaded = with_overrides(loaded, [("seed", int(seed))], label="seed")
    drawn = None
    if posterior is not None:
        chosen = open_posterior(posterior, loaded)
        loaded, draw = chosen.apply(loaded, loaded.seed)
        drawn = chosen.record(draw)
    output = simulate(loaded, check=check)
    result = Run._from_output(output, [f"{k}={value_text(v)}" for k, v in items], str(path))
    result.posterior = drawn
    if out is not None:
        result.save(out)
    return result


@dataclass
class Sweep:
    """A finished sweep's tables (read into memory).

    Attributes:
        runs: One row per run: ``run_id``, ``status`` (``ok`` or ``failed``), ``point_index``,
            ``replicate``, each varied parameter, ``seed``, ``wall_seconds``, ``error``.
        points: One row per design point with its varied values.
        final: One row per successful run and area: ``total_<flow>`` (events, deaths over the run),
            ``final_<level>`` (value at the last week) and ``mean_``/``min_stability_index``.
        varied: The varied dotted paths.
        folder: The sweep folder (None when it was temporary and is gone).
        posterior_draws: With ``posterior=``: the set each seed drew (``seed``, ``draw``, one column
            per parameter; join on ``runs.seed``), as ``posterior_draws.csv``; else None.
    """

    runs: pd.DataFrame
    points: pd.DataFrame
    final: pd.DataFrame
    varied: list[str]
    folder: Path | None
    posterior_draws: pd.DataFrame | None = None
    _timeseries: pd.DataFrame | None = field(default=None, repr=False)

    @cached_property
    def timeseries(self) -> pd.DataFrame:
        """Every run's weekly rows (``run_id`` plus the run's weekly table)."""
        if self._timeseries is None:
            raise ValueError("weekly tables were not kept: call sweep(..., timeseries=True) or give out=")
        return self._timeseries

    def by_point(self, area: str = "ML", metrics: list[str] | None = None) -> pd.DataFrame:
        """Statistics over replicates per design point and metric, as ``report`` writes them.

        Args:
            area: ``ALL`` or a country code.
            metrics: Columns of :attr:`final` (default: the report's own list).

        Returns:
            Columns ``point_index``, the varied values, ``metric``, ``n``, ``mean``, ``sd``,
            ``median``, ``p05``, ``p95``, ``ci95_low``, ``ci95_high`` (the metric's units).
        """
        from sahel_sim.analysis.sweep.report import DEFAULT_METRICS, summarise

        final = self.final[self.final["area"] == area].drop(columns="area")
        table = final.merge(self.points, on="point_index", how="left", validate="many_to_one")
        chosen = list(metrics) if metrics else [m for m in DEFAULT_METRICS if m in table.columns]
        return summarise(table, self.varied, chosen)


def sweep(
    spec: str | Path,
    *,
    workers: int | None = 1,
    out: str | Path | None = None,
    resume: bool = False,
    timeseries: bool = False,
    posterior: str | Path | Posterior | None = None,
) -> Sweep:
    """Run a sweep file and return its tables; write nothing lasting unless ``out`` is given.

    Args:
        spec: A sweep file's path or a shipped sweep's name (``"sweeps/withdrawal_timing"``).
        workers: Local worker processes (1: in this process; None: every core).
        out: The sweep folder to keep (as ``python -m sahel_sim sweep --out``); default a temporary
            folder, deleted once its tables are read.
        resume: Continue the sweep already in ``out``.
        timeseries: Also keep every run's weekly table (large: runs x weeks x 6 areas rows).
        posterior: Draw each run's parameters from a calibration's posterior by the run's seed (as
            ``sweep --posterior``): ``"calibrated"``, a file's path or a loaded posterior; the
            draws are in ``posterior_draws``.

    Returns:
        The sweep's ``runs``, ``points`` and ``final`` tables (and ``timeseries`` if asked).

    Raises:
        ScenarioError: A sweep file, base scenario, design point or posterior that cannot be used.
    """
    from sahel_sim.analysis.sweep.engine import run_sweep
    from sahel_sim.scenario.posterior import open_posterior

    path = scenario_path(spec)
    drawn = None if posterior is None else open_posterior(posterior)  # checked against the points by the plan
    temporary = out is None
    folder = Path(tempfile.mkdtemp(prefix="sahel_sim-sweep-")) / "sweep" if out is None else Path(out)
    try:
        run_sweep(path, folder, workers=workers, resume=resume, serial=workers == 1, posterior=drawn)
        result = load_sweep(folder, timeseries=timeseries)
        if temporary:
            result.folder = None
        return result
    finally:
        if temporary:
            shutil.rmtree(folder.parent, ignore_errors=True)


def load_sweep(folder: str | Path, *, timeseries: bool = False) -> Sweep:
    """Read the tables of a sweep folder (finished or not), e.g. one written by ``python -m sahel_sim sweep``.

    Args:
        folder: The sweep folder (holding ``spec.json``, ``runs/``, ``final/``).
        timeseries: Also read every run's weekly table.

    Returns:
        The sweep's ``runs``, ``points`` and ``final`` tables (and ``timeseries`` if asked).

    Raises:
        ScenarioError: If the folder holds no sweep.
    """
    import json

    from sahel_sim.analysis.sweep.store import SweepStore
    from sahel_sim.scenario.errors import ScenarioError

    folder = Path(folder)
    if not (folder / "spec.json").is_file():
        raise ScenarioError(str(folder), None, None, "not a sweep folder (no spec.json)")
    store = SweepStore(folder)
    info = json.loads((folder / "spec.json").read_text(encoding="utf-8"))
    runs = store.read("runs")
    done = bool((runs["status"] == "ok").any())
    final = store.read("final") if done else runs.iloc[0:0]
    weekly = store.read("timeseries") if timeseries and done else None
    draws = _posterior_draws(folder)
    return Sweep(runs, store.read("points"), final, list(info["varied"]), folder, draws, weekly)


def _posterior_draws(folder: Path) -> pd.DataFrame | None:
    """The ``posterior_draws.csv`` of a sweep or comparison folder (None if it ran without a posterior)."""
    import pandas as pd

    file = folder / "posterior_draws.csv"
    return pd.read_csv(file) if file.is_file() else None


@dataclass
class Comparison:
    """A finished comparison's tables (as ``python -m sahel_sim compare`` writes them).

    Attributes:
        effects: One row per alternative, area and metric: ``alternative``, ``area``, ``metric``,
            ``statistic`` (``total`` over the window for weekly counts such as deaths and events,
            ``mean`` over its weeks for shares, indices, people and personnel), then the paired
            statistics over the ``n`` paired seeds: ``difference`` (mean of alternative minus
            reference, in the metric's unit) with its 95 % bootstrap interval ``ci_low``/``ci_high``,
            ``relative_change`` (a fraction of the reference's mean) with
            ``relative_ci_low``/``relative_ci_high``, ``share_lower`` (fraction of seeds in which the
            alternative is lower), ``difference_in_sd`` (in reference standard deviations), and the
            unpaired interval ``unpaired_ci_low``/``unpaired_ci_high`` for contrast.
        per_seed: One row per scenario, replicate and area: ``seed`` and every metric condensed
            over the window (as in ``effects``).
        posts: One row per diplomatic post and scenario: ``n`` (seeds), ``closed`` (seeds in which
            it closed within the window), ``probability`` with its 95 % Wilson interval, and for
            alternatives the paired ``difference`` in probability with ``ci_low``/``ci_high``.
        summary: The plain-language summary (the text of ``summary.md``, Markdown).
        reference: The reference scenario's label (its file name without ``.yaml``).
        alternatives: The alternatives' labels, in the order given.
        window: First and last date of the compared window.
        folder: The comparison folder (None when it was temporary and is gone).
        posterior_draws: With ``posterior=``: the set each seed drew, the same in every scenario
            (``seed``, ``draw``, one column per parameter; join on ``per_seed.seed``); else None.
    """

    effects: pd.DataFrame
    per_seed: pd.DataFrame
    posts: pd.DataFrame
    summary: str
    reference: str
    alternatives: list[str]
    window: tuple[dt.date, dt.date]
    folder: Path | None
    posterior_draws: pd.DataFrame | None = None

    def effect(self, metric: str = "fatalities_total", area: str = "ML") -> pd.DataFrame:
        """The effects of every alternative on one metric in one area, indexed by alternative."""
        rows = self.effects[(self.effects["metric"] == metric) & (self.effects["area"] == area)]
        return rows.set_index("alternative")


def compare(
    reference: str | Path,
    alternatives: str | Path | Sequence[str | Path],
    *,
    seeds: int = 20,
    workers: int | None = 1,
    start: str | dt.date | None = None,
    end: str | dt.date | None = None,
    areas: Sequence[str] | None = None,
    out: str | Path | None = None,
    keep: bool = False,
    resume: bool = False,
    posterior: str | Path | Posterior | None = None,
) -> Comparison:
    """Compare scenarios with a reference over the same seeds, as ``python -m sahel_sim compare`` does.

    Every scenario runs with the same seeds, replicate by replicate (common random numbers); an
    alternative continues the reference's run from the first week in which it may differ, so the
    paired differences cancel most of the chance.

    Args:
        reference: The reference scenario: a file's path or a shipped scenario's name
            (``"baseline"``, ``"historical"``, ...).
        alternatives: One alternative or a list of them (paths or shipped names); each must share
            the reference's map and start date.
        seeds: Seeds (replicates) per scenario, at least 2.
        workers: Local worker processes (1: in this process; None: every core). Results do not
            depend on it.
        start: First date of the compared window (``"2023-07-01"`` or a ``datetime.date``; the
            ``--from`` of the command); default the first date on which any alternative may differ.
        end: Last date of the window (``--to``); default the earliest end of the scenarios. The
            runs are still simulated to their scenarios' ends; only weeks in the window count.
        areas: Areas compared, from ``ALL``, ``ML``, ``BF``, ``NE``, ``MR``, ``TD`` (default: all).
        out: The comparison folder to write and keep (tables, figures under ``plots/``,
            ``summary.md``); default a temporary folder, deleted once its tables are read.
        keep: Keep the temporary folder too (its path is then in ``folder``).
        resume: Continue the comparison already in ``out``, skipping its finished runs.
        posterior: Draw each seed's parameters from a calibration's posterior (as ``compare
            --posterior``): ``"calibrated"``, a file's path or a loaded posterior. Every scenario's
            run of a seed uses the same set, so the pairs stay paired; the draws are in
            ``posterior_draws``.

    Returns:
        The comparison: ``effects``, ``per_seed`` and ``posts`` DataFrames and the ``summary`` text.

    Raises:
        ScenarioError: A scenario, window, area, seed count or posterior that cannot be used (one
            line naming it).
        FileNotFoundError: If no run succeeded.
    """
    import pandas as pd

    from sahel_sim.analysis.compare.engine import run_compare
    from sahel_sim.analysis.compare.plan import load_plan
    from sahel_sim.analysis.compare.report import write_outputs
    from sahel_sim.scenario.posterior import open_posterior

    others = [alternatives] if isinstance(alternatives, str | Path) else list(alternatives)
    files = [scenario_path(name) for name in [reference, *others]]
    window = [d.isoformat() if isinstance(d, dt.date) else d for d in (start, end)]
    drawn = None if posterior is None else open_posterior(posterior)  # checked against every scenario by the plan
    plan = load_plan(files, int(seeds), window[0], window[1], list(areas) if areas else None, drawn)
    temporary = out is None and not keep
    folder = Path(tempfile.mkdtemp(prefix="sahel_sim-compare-")) / "compare" if out is None else Path(out)
    try:
        run_compare(plan, folder, workers=workers, resume=resume)
        write_outputs(plan, folder)
        return Comparison(
            effects=pd.read_csv(folder / "effects.csv"),
            per_seed=pd.read_parquet(folder / "per_seed.parquet"),
            posts=pd.read_csv(folder / "posts.csv"),
            summary=(folder / "summary.md").read_text(encoding="utf-8"),
            reference=plan.reference.label,
            alternatives=[a.label for a in plan.alternatives],
            window=plan.window,
            folder=None if temporary else folder,
            posterior_draws=_posterior_draws(folder),
        )
    finally:
        if temporary:
            shutil.rmtree(folder.parent, ignore_errors=True)
