"""Hindcast: simulated yearly conflict deaths in Mali against the observed series 2012-2022.

A scenario (normally ``scenarios/historical.yaml``) is run over several seeds; each run's weekly
``fatalities_total`` of the area ``ML`` is summed into calendar years, and the distribution over
seeds is compared with the observed yearly deaths packaged in
``sahel_sim/data/reference/mali_violence_2012_2022.csv`` (with its source column; the package never
reads anything outside itself at run time).

Target measure: UCDP "all organised violence deaths" (``ucdp_all_organised_violence_deaths``),
the sum of UCDP's state-based, non-state and one-sided violence deaths (best estimates) located in
Mali. The model's ``fatalities_total`` counts every death in a violent event: battles of forces and
armed groups, clashes between armed groups, attacks on civilians and on peacekeepers. UCDP's
state-based battle deaths leave out the clashes between armed groups and the killing of civilians
(one-sided violence), and ACLED's fatalities count every event type including riots and protests and
cover only some years here, so the "all organised violence" series is the closest in definition and
the only complete one. The two others are kept in the table and figure for comparison.

Yearly totals: a week's deaths are shared between calendar years in proportion to its days in
each (a step covers the 7 days from its date), so every year has exactly its 365 or 366 days.
Only years the run covers completely are compared.

Statistics, over the compared years, of the median over seeds (``sim_median``) against the
observed target (``obs``):

- ``spearman_rho`` / ``spearman_p``: Spearman rank correlation (:func:`scipy.stats.spearmanr`);
- ``pearson_r`` / ``pearson_p``: Pearson correlation of the yearly counts (:func:`scipy.stats.pearsonr`);
- ``pearson_r_log10``: Pearson correlation of log10(x + 1) of both series;
- ``mean_abs_log10_error``: mean over years of ``|log10((sim_median + 1) / (obs + 1))|``
  (0 is perfect, 1 means a factor of ten off on average);
- ``mean_log10_bias``: the same without the absolute value (positive: the model kills too many);
- ``coverage_90``: share of years whose observed value lies in the 5-95% band over seeds.

Skill (issue 16): the same runs also give the yearly deaths of Burkina Faso, Niger, Mauritania and
Chad, compared with ``region_violence_2012_2019.csv`` (the same UCDP-based measure, 2012-2019). The
skill table (:mod:`.skill`, written as ``skill.csv``) scores the model and three naive forecasts
fitted on the calibration years 2012-2019 only (a constant, persistence, a log-linear trend) per
country, in sample (2012-2019) and out of sample (Mali 2020-2022): mean |log10 error|, Spearman,
90 % coverage and the CRPS, all on the log10(x + 1) scale. A second scenario run with the same seeds
(e.g. a world without MINUSMA, ``--compare-set peacekeepers=null``) is scored beside it
(:func:`.skill.paired_comparison`).

Runs are independent and collected in seed order, so the result is the same for any number of
worker processes.

Modules: :mod:`.series` (the observed series, yearly sums, the compared years), :mod:`.evaluate`
(running the seeds, the statistics), :mod:`.skill` (naive forecasts, CRPS, the skill table) and
:mod:`.outputs` (the figure and the hindcast folder).
"""

from __future__ import annotations

from sahel_sim.analysis.hindcast.evaluate import (
    HindcastResult,
    ProgressCallback,
    frames_by_area,
    hindcast,
    run_seeds,
    run_seeds_by_area,
    summarise,
    yearly_by_area,
)
from sahel_sim.analysis.hindcast.outputs import COMPARISON_FILE, FILES, comparison_table, plot, write_hindcast
from sahel_sim.analysis.hindcast.series import (
    BAND,
    CALIBRATION_YEARS,
    COMPARISON,
    LABELS,
    TARGET,
    compared_years,
    covered_years,
    observed,
    observed_by_country,
    yearly_deaths,
)
from sahel_sim.analysis.hindcast.skill import (
    FORECASTS,
    crps_ensemble,
    naive_forecasts,
    paired_comparison,
    skill_table,
    verdict,
)

__all__ = [
    "BAND",
    "CALIBRATION_YEARS",
    "COMPARISON",
    "COMPARISON_FILE",
    "FILES",
    "FORECASTS",
    "LABELS",
    "TARGET",
    "HindcastResult",
    "ProgressCallback",
    "compared_years",
    "comparison_table",
    "covered_years",
    "crps_ensemble",
    "frames_by_area",
    "hindcast",
    "naive_forecasts",
    "observed",
    "observed_by_country",
    "paired_comparison",
    "plot",
    "run_seeds",
    "run_seeds_by_area",
    "skill_table",
    "summarise",
    "verdict",
    "write_hindcast",
    "yearly_by_area",
    "yearly_deaths",
]
