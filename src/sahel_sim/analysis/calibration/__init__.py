"""Calibration: choose uncertain mechanism parameters by a stated error against Mali's deaths 2012-2022.

A calibration file is a sweep file (:mod:`sahel_sim.analysis.sweep.spec`: ``base``, ``set``, ``vary`` with
``{low, high}`` ranges, ``design``, ``samples``, ``replicates``, ``seed``) plus a ``target`` block::

    target:
      measure: ucdp_all_organised_violence_deaths   # the observed series (the hindcast's target)
      area: ML                                      # the area whose simulated deaths are compared
      years: [2012, 2022]                           # first and last calendar year, inclusive
      spearman_weight: 0.5                          # lambda in the loss below

:func:`calibrate` runs the sweep with the sweep engine (:func:`sahel_sim.analysis.sweep.engine.run_sweep`,
so it is parallel and resumable), then scores every design point over its replicates:

1. each run's weekly ``fatalities_total`` in ``area`` is summed into calendar years exactly as the
   hindcast does (:func:`sahel_sim.analysis.hindcast.yearly_deaths`);
2. per year, the median over the point's replicates is taken (``sim_median``);
3. over the compared years (those of ``years`` that the observed series has and the runs cover):

   - ``mean_abs_log10_error`` = mean of ``|log10((sim_median + 1) / (observed + 1))|``;
   - ``spearman_rho`` = Spearman rank correlation of ``sim_median`` and ``observed`` (taken as 0
     when either series is constant, where it is undefined);
   - **loss** = ``mean_abs_log10_error + spearman_weight * (1 - spearman_rho)``.

The loss is 0 for a perfect match, 1 for a series ten times too high (or low) in every year with
the right ranking, and the Spearman term (between 0 and ``2 * spearman_weight``) penalises a wrong
ordering of the years. These are the hindcast's definitions (:mod:`sahel_sim.analysis.hindcast`), so a
point's statistics here equal those of ``python -m sahel_sim hindcast`` over the same seeds. The
chosen point is the one of lowest loss among the points whose every replicate finished (ties: the
lowest point index); no year is weighted or tuned on its own.

Outputs, in the calibration folder (``sweep/`` holds the sweep itself):

- ``calibration.csv``: one row per design point: parameters, replicates finished, loss and the
  statistics (Spearman, Pearson, log error, log bias, 90% band coverage), and its rank;
- ``best_years.csv``: the chosen point's per-year table (observed, median, 5% and 95% over replicates);
- ``best.yaml``: the chosen values as a ``mechanisms:`` overlay with provenance comments;
- ``calibration.json``: the target, the loss definition, the chosen point and its statistics;
- ``calibration.png``: loss against each parameter, and observed against the chosen point's band.

Modules, one per job: :mod:`.config` (the file), :mod:`.scoring` (the loss and the per-point scores),
:mod:`.search` (running the sweep), :mod:`.outputs` (tables, ``best.yaml``, JSON) and :mod:`.plot`.
"""

from __future__ import annotations

from sahel_sim.analysis.calibration.config import DERIVED_SPEC, SWEEP_DIR, CalibrationFile, Target, load_calibration
from sahel_sim.analysis.calibration.outputs import FILES, best_values, best_yaml, overlay, write_outputs
from sahel_sim.analysis.calibration.plot import plot
from sahel_sim.analysis.calibration.scoring import (
    LOSS_DEFINITION,
    SIMULATED,
    CalibrationResult,
    best_index,
    loss_value,
    read_yearly,
    score,
    score_series,
)
from sahel_sim.analysis.calibration.search import calibrate

__all__ = [
    "DERIVED_SPEC",
    "FILES",
    "LOSS_DEFINITION",
    "SIMULATED",
    "SWEEP_DIR",
    "CalibrationFile",
    "CalibrationResult",
    "Target",
    "best_index",
    "best_values",
    "best_yaml",
    "calibrate",
    "load_calibration",
    "loss_value",
    "overlay",
    "plot",
    "read_yearly",
    "score",
    "score_series",
    "write_outputs",
]
