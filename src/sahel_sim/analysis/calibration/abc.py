"""Calibration by approximate Bayesian computation (ABC-SMC, the ``pyabc`` package).

The patterns (pattern-oriented modelling, Grimm et al. 2005) are summary statistics of one run:

- ``deaths:<country>:<year>``: log10(1 + deaths in organised violence that year), for every country
  and calibration year of the file's ``target`` (observed: UCDP via Our World in Data, the
  hindcast's :data:`~sahel_sim.analysis.hindcast.series.TARGET`);
- ``idp:<country>:<date>``: log10(1 + internally displaced people located in the country) on the
  last simulated week at or before each registered point of ``displacement_points.csv`` inside the
  calibration years.

The distance between a run and the observations is the mean over patterns of each pattern's mean
absolute difference of those logarithms: one term per country's death series (Mauritania's zeros
included, so a violent Mauritania costs as much as a wrong Mali) and ``displacement_weight`` times
the mean over displacement points. Each run gets its own seed, derived from the file's seed and the
parameter values, so a run is a function of its parameters.

ABC-SMC (Toni et al. 2009; Beaumont et al. 2009; pyabc: Schälte et al. 2022) starts from the priors,
accepts the parameter sets whose distance is below a tolerance that shrinks each generation (the
median of the previous generation's accepted distances), and perturbs the accepted sets for the
next generation. The last generation is the posterior: ``population`` weighted parameter sets.

Outputs, in the calibration folder: ``abc.db`` (pyabc's SQLite history; ``--resume`` continues it,
refusing a calibration file whose hash differs from ``source.json``),
``posterior.parquet`` (:mod:`sahel_sim.scenario.posterior`), ``posterior_summary.csv`` (weighted
quantiles next to the prior), ``generations.csv`` and ``abc.json`` (settings, provenance, the
distance of the posterior's particles pattern by pattern).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import logging
import math
import time
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from sahel_sim.analysis.calibration.abc_file import AbcCalibration, load_abc
from sahel_sim.analysis.hindcast.displacement import displaced_on, registered_points
from sahel_sim.analysis.hindcast.evaluate import yearly_by_area
from sahel_sim.analysis.hindcast.series import observed_by_country
from sahel_sim.scenario.loading import ScenarioError
from sahel_sim.scenario.posterior import write_posterior

DB_FILE = "abc.db"
#: The calibration file's name and hash, written at the start; ``--resume`` refuses a changed file.
SOURCE_FILE = "source.json"
POSTERIOR_FILE = "posterior.parquet"
FILES = (DB_FILE, SOURCE_FILE, POSTERIOR_FILE, "posterior_summary.csv", "generations.csv", "abc.json")
DISTANCE_DEFINITION = (
    "mean over patterns of the mean |log10(1 + simulated) - log10(1 + observed)|: one pattern per "
    "country's yearly deaths, plus displacement_weight times the mean over registered displacement points"
)


def observed_patterns(cal: AbcCalibration) -> dict[str, float]:
    """The observed summary statistics (see the module docstring) for the file's targets."""
    first, last = cal.spec.target.years
    deaths = observed_by_country()
    stats: dict[str, float] = {}
    for country in cal.spec.target.countries:
        for year in range(first, last + 1):
            value = deaths.at[year, country] if year in deaths.index else math.nan
            if not math.isnan(value):
                stats[f"deaths:{country}:{year}"] = math.log10(1 + value)
    for row in registered_points().itertuples():
        if row.country in cal.spec.target.displacement and first <= row.date.year <= last:
            stats[f"idp:{row.country}:{row.date.isoformat()}"] = math.log10(1 + row.internally_displaced)
    return stats


def simulated_patterns(timeseries: pd.DataFrame, keys: list[str]) -> dict[str, float]:
    """A run's summary statistics for the given keys (NaN where the run does not cover one)."""
    areas = tuple(sorted({k.split(":")[1] for k in keys}))
    yearly = yearly_by_area(timeseries, areas)
    stats = {}
    for key in keys:
        kind, area, when = key.split(":")
        if kind == "deaths":
            value = yearly[area].get(int(when), math.nan)
        else:
            value = displaced_on(timeseries, area, dt.date.fromisoformat(when))
        stats[key] = math.log10(1 + value) if value == value else math.nan
    return stats


def pattern_scores(simulated: dict[str, float], observed: dict[str, float]) -> dict[str, float]:
    """Each pattern's mean |log10 difference|: ``deaths:<country>`` and ``displacement``."""
    groups: dict[str, list[float]] = {}
    for key, obs in observed.items():
        kind, area, _ = key.split(":")
        name = f"deaths:{area}" if kind == "deaths" else "displacement"
        groups.setdefault(name, []).append(abs(simulated.get(key, math.nan) - obs))
    return {name: float(np.mean(v)) for name, v in groups.items()}


class Distance:
    """The ABC distance (see the module docstring); picklable for worker processes."""

    def __init__(self, displacement_weight: float):
        self.displacement_weight = displacement_weight

    def __call__(self, simulated: dict, observed: dict) -> float:
        """The distance (dimensionless, log10 units); infinite if a pattern is missing."""
        scores = pattern_scores(simulated, observed)
        weights = {k: (self.displacement_weight if k == "displacement" else 1.0) for k in scores}
        total = sum(weights.values())
        value = sum(weights[k] * scores[k] for k in scores) / total if total else math.inf
        return value if math.isfinite(value) else math.inf


class Simulator:
    """One ABC evaluation: the parameters drawn by pyabc, run once, reduced to the patterns."""

    def __init__(self, cal: AbcCalibration, keys: list[str], names: dict[str, str]):
        self.cal = cal
        self.keys = keys
        self.names = names  # pyabc's parameter name -> dotted scenario path

    def values(self, parameters: dict[str, float]) -> dict[str, float]:
        """Parameter values in scenario units (log-scale priors are searched in log10)."""
        out = {}
        for name, path in self.names.items():
            x = float(parameters[name])
            out[path] = 10.0**x if self.cal.spec.priors[path].scale == "log" else x
        return out

    def seed(self, values: dict[str, float]) -> int:
        """The run's seed: from the file's seed and the parameter values."""
        text = json.dumps([self.cal.spec.abc.seed, sorted(values.items())])
        return int.from_bytes(hashlib.sha256(text.encode()).digest()[:8], "big") >> 1

    def __call__(self, parameters: dict[str, float]) -> dict[str, float]:
        """Run the parameters once; the summary statistics (NaN for all if the run failed)."""
        from sahel_sim.runs.runner import simulate

        values = self.values(parameters)
        try:
            run = simulate(self.cal.scenario(values), seed=self.seed(values), events=False)
        except Exception:  # noqa: BLE001 - a failing parameter set is rejected (infinite distance)
            logging.getLogger(__name__).exception("run failed for %s", values)
            return dict.fromkeys(self.keys, math.nan)
        return simulated_patterns(run.timeseries, self.keys)


def calibrate_abc(
    path: str | Path,
    out: str | Path,
    *,
    workers: int = 1,
    resume: bool = False,
    quiet: bool = False,
) -> dict[str, Any]:
    """Run (or continue) an ABC-SMC calibration and write its posterior.

    Args:
        path: The ABC calibration file.
        out: The calibration folder.
        workers: Worker processes for pyabc's multicore sampler (1: in this process).
        resume: Continue the history in ``out`` (its file must be unchanged) for the file's number
            of generations more.
        quiet: Silence pyabc's progress lines (one per generation: tolerance, acceptance rate, timing),
            which otherwise go to standard error.

    Returns:
        The content written to ``abc.json``.

    Raises:
        ScenarioError: If the file or the folder cannot be used (nothing written then).
    """
    import pyabc

    cal = load_abc(path)
    out = Path(out)
    db = out / DB_FILE
    record = out / SOURCE_FILE
    if db.exists() and not resume:
        raise ScenarioError(str(out), None, None, "already holds an ABC calibration; use --resume, or another --out")
    if resume and not db.exists():
        raise ScenarioError(str(out), None, None, "has no ABC calibration to resume")
    if resume and record.is_file() and json.loads(record.read_text())["file_sha256"] != cal.sha256:
        raise ScenarioError(str(path), None, None, f"changed since the calibration in {out} began; use another --out")
    if out.exists() and not resume and any(out.iterdir()):
        raise ScenarioError(str(out), None, None, "exists and is not empty; choose another --out")

    names = {f"p{i}": key for i, key in enumerate(cal.spec.priors)}
    prior = pyabc.Distribution(**{name: _uniform(*_bounds(cal, key)) for name, key in names.items()})
    observed = observed_patterns(cal)
    simulator = Simulator(cal, list(observed), names)
    sampler = (
        pyabc.sampler.SingleCoreSampler()
        if workers <= 1
        else pyabc.sampler.MulticoreEvalParallelSampler(n_procs=workers)
    )
    logging.getLogger("ABC").setLevel(logging.WARNING if quiet else logging.INFO)
    np.random.seed(cal.spec.abc.seed)
    abc = pyabc.ABCSMC(
        simulator,
        prior,
        Distance(cal.spec.target.displacement_weight),
        cal.spec.abc.population,
        sampler=sampler,
        transitions=pyabc.MultivariateNormalTransition(scaling=cal.spec.abc.kernel_scaling),
    )
    out.mkdir(parents=True, exist_ok=True)
    if not resume:  # what a later --resume checks, written before the first run
        record.write_text(json.dumps({"file": str(cal.path), "file_sha256": cal.sha256}) + "\n", encoding="utf-8")
    started = time.monotonic()
    if resume:
        abc.load(f"sqlite:///{db.resolve()}", 1)
    else:
        abc.new(f"sqlite:///{db.resolve()}", observed)
    history = abc.run(
        max_nr_populations=cal.spec.abc.generations + (0 if resume else 1),
        min_acceptance_rate=cal.spec.abc.min_acceptance_rate,
        max_walltime=dt.timedelta(minutes=cal.spec.abc.max_minutes),
    )
    return write_abc_outputs(cal, history, observed, names, out, time.monotonic() - started)


def _uniform(low: float, high: float):
    import pyabc

    return pyabc.RV("uniform", low, high - low)  # scipy's uniform(loc, scale)


def _bounds(cal: AbcCalibration, key: str) -> tuple[float, float]:
    prior = cal.spec.priors[key]
    if prior.scale == "log":
        return math.log10(prior.low), math.log10(prior.high)
    return prior.low, prior.high


def write_abc_outputs(
    cal: AbcCalibration, history, observed: dict[str, float], names: dict[str, str], out: Path, seconds: float
) -> dict[str, Any]:
    """Write the posterior and its summaries from a pyabc history (see the module docstring)."""
    from sahel_sim.analysis.sweep.worker import code_hash
    from sahel_sim.runs.provenance import git_commit

    last = history.max_t
    frame, weights = history.get_distribution(m=0, t=last)
    simulator = Simulator(cal, list(observed), names)
    sets = pd.DataFrame([simulator.values(row) for row in frame[list(names)].to_dict("records")])
    populations = history.get_all_populations()
    generations = populations[populations["t"] >= 0][["t", "epsilon", "samples", "particles"]].copy()
    generations["acceptance_rate"] = generations["particles"] / generations["samples"]
    generations["effective_sample_size"] = [_ess(history.get_distribution(m=0, t=int(g))[1]) for g in generations["t"]]
    generations.to_csv(out / "generations.csv", index=False)
    particle_weights, sum_stats = history.get_weighted_sum_stats(t=last)
    scores = pd.DataFrame([pattern_scores(s, observed) for s in sum_stats])
    fit = {name: _weighted_quantiles(scores[name].to_numpy(), np.asarray(particle_weights)) for name in scores}
    summary = pd.DataFrame(
        [
            {
                "parameter": key,
                "prior_low": cal.spec.priors[key].low,
                "prior_high": cal.spec.priors[key].high,
                "prior_scale": cal.spec.priors[key].scale,
                **{
                    f"q{int(q * 100):02d}": v
                    for q, v in zip(
                        (0.05, 0.5, 0.95), _weighted_quantiles(sets[key].to_numpy(), np.asarray(weights)), strict=True
                    )
                },
            }
            for key in sets.columns
        ]
    )
    summary.to_csv(out / "posterior_summary.csv", index=False)
    provenance = {
        "file": str(cal.path),
        "file_sha256": cal.sha256,
        "commit": git_commit(),
        "code_hash": code_hash(),
        "written": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "generations": int(last) + 1,
        "final_epsilon": float(generations["epsilon"].iloc[-1]),
        "total_runs": int(generations["samples"].sum()),
        "effective_sample_size": round(float(generations["effective_sample_size"].iloc[-1]), 1),
        "distance": DISTANCE_DEFINITION,
    }
    write_posterior(out / POSTERIOR_FILE, sets, np.asarray(weights), provenance)
    content = {
        **provenance,
        "settings": cal.spec.abc.model_dump(),
        "target": cal.spec.target.model_dump(),
        "priors": {k: p.model_dump() for k, p in cal.spec.priors.items()},
        "wall_seconds_this_session": round(seconds, 1),
        "posterior_sets": len(sets),
        "pattern_scores_q05_q50_q95": fit,
        "observed": observed,
    }
    (out / "abc.json").write_text(json.dumps(content, indent=2, default=str) + "\n", encoding="utf-8")
    return content


def _ess(weights) -> float:
    """Kish's effective sample size of importance weights: (sum w)^2 / sum w^2."""
    w = np.asarray(weights, dtype=float)
    return float(w.sum() ** 2 / np.sum(w**2))


def _weighted_quantiles(values: np.ndarray, weights: np.ndarray, qs=(0.05, 0.5, 0.95)) -> list[float]:
    """Quantiles of ``values`` under ``weights`` (the inverse of the weighted empirical distribution)."""
    order = np.argsort(values)
    cum = np.cumsum(weights[order]) / np.sum(weights)
    return [float(values[order][min(np.searchsorted(cum, q), len(values) - 1)]) for q in qs]
