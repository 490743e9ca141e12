"""The hindcast's outputs: its figure and its folder.

``hindcast.csv`` (Mali per year), ``hindcast.json``, ``hindcast.png`` and ``skill.csv`` (the model and
the naive forecasts per country and split, :mod:`.skill`); with a comparison scenario also
``comparison.csv`` (:func:`.skill.paired_comparison`).
"""

from __future__ import annotations

import json
import math
from pathlib import Path

import pandas as pd

from sahel_sim.analysis.hindcast.evaluate import HindcastResult
from sahel_sim.analysis.hindcast.series import BAND, COMPARISON, LABELS, TARGET, observed, observed_by_country
from sahel_sim.analysis.hindcast.skill import naive_forecasts, paired_comparison, verdict
from sahel_sim.runs.atomic import publish_folder
from sahel_sim.runs.provenance import provenance
from sahel_sim.scenario.loading import scenario_hash

#: Files of a hindcast folder.
FILES = ("hindcast.csv", "hindcast.json", "hindcast.png", "skill.csv")
#: The extra file of a hindcast folder with a comparison scenario.
COMPARISON_FILE = "comparison.csv"
#: With ``--posterior``: the parameter set each seed drew (seed, draw, one column per parameter).
POSTERIOR_DRAWS_FILE = "posterior_draws.csv"
#: Registered internally displaced against the model's, per covered point (:mod:`.displacement`).
DISPLACEMENT_FILE = "displacement.csv"


def plot(result: HindcastResult, path: Path):
    """Draw the hindcast figure: median over seeds (and its 5-95 % band from 20 seeds), observed series.

    Values below 1 death/year are drawn at 1 (log axis).

    Args:
        result: The hindcast.
        path: The PNG file to write.

    Returns:
        The figure.
    """
    from sahel_sim.runs import plot_style as ps

    return ps.styled(_plot)(result, path)


def draw_simulated_years(ax, table, runs: int, what: str, **line) -> None:
    """Draw the simulated yearly median (and the 5-95 % band when ``runs`` allows it) on a log axis.

    Args:
        ax: Matplotlib axes.
        table: Per year: ``year``, ``sim_median``, ``sim_q05``, ``sim_q95`` (deaths per year).
        runs: Runs the quantiles come from (the band is drawn only from enough runs).
        what: What the runs are, for the legend (e.g. "seeds", "runs").
        **line: Extra style for the median line.
    """
    from sahel_sim.runs import plot_style as ps

    floor = 1.0  # deaths per year shown at least as 1 on the log axis
    label = line.pop("label", "simulated")
    if ps.band_allowed(runs):
        ax.fill_between(
            table["year"],
            table["sim_q05"].clip(lower=floor),
            table["sim_q95"].clip(lower=floor),
            color="tab:blue",
            alpha=0.25,
            label=f"{label}, 5-95 % of {runs} {what}",
        )
    ax.plot(
        table["year"],
        table["sim_median"].clip(lower=floor),
        color="tab:blue",
        lw=2,
        label=f"{label}, median of {runs} {what}",
        **line,
    )


def _plot(result: HindcastResult, path: Path):
    from sahel_sim.runs import plot_style as ps

    t = result.table
    seeds = len(result.seeds)
    fig, ax = ps.subplots(figsize=(8, 4.8))
    draw_simulated_years(ax, t, seeds, "seeds", marker="s", ms=4)
    ax.plot(t["year"], t["observed"], color="black", lw=2, marker="o", label=f"observed: {LABELS[TARGET]}")
    for name, colour in zip(COMPARISON, ("tab:orange", "tab:green"), strict=True):
        have = t[name].notna()
        if have.any():
            ax.plot(t.loc[have, "year"], t.loc[have, name], color=colour, lw=0.8, marker=".", label=LABELS[name])
    ax.set_yscale("log")
    ps.log_count_axis(ax)
    ax.set_xlabel("year")
    ax.set_ylabel(f"deaths per year in {ps.area_name(result.area)} (log scale)")
    s = result.stats
    ax.set_title(
        f"Hindcast of scenario {result.scenario.name}: Spearman {_value(s['spearman_rho'])}, "
        f"mean absolute log10 error {s['mean_abs_log10_error']:.2f}\n{ps.replicates_note(seeds, 'seeds')}"
    )
    ax.set_xticks(list(t["year"]), [str(y) for y in t["year"]])
    ax.grid(True, which="both", alpha=0.3)
    ax.legend(fontsize=8, loc="best")
    fig.tight_layout()
    ps.save(fig, path)
    return fig


def _value(number: float) -> str:
    """A statistic for a title: two decimals, or 'undefined' (e.g. a correlation over one year)."""
    return "undefined" if not math.isfinite(number) else f"{number:.2f}"


def skill_rows(result: HindcastResult, label: str | None = None) -> pd.DataFrame:
    """The skill table of a hindcast and of its comparison (model rows only), with a ``scenario`` column.

    Args:
        result: A hindcast with its skill table.
        label: How the comparison scenario is named (default: its scenario name).

    Returns:
        ``scenario`` then the columns of :func:`.skill.skill_table`.

    """
    parts = [result.skill.assign(scenario=result.scenario.name)] if result.skill is not None else []
    other = result.comparison
    if other is not None and other.skill is not None:
        model = other.skill[other.skill["forecast"] == "model"]
        parts.append(model.assign(scenario=label or other.scenario.name))
    if not parts:
        return pd.DataFrame()
    table = pd.concat(parts, ignore_index=True)
    return table[["scenario", *[c for c in table.columns if c != "scenario"]]]


def comparison_table(result: HindcastResult) -> pd.DataFrame | None:
    """:func:`.skill.paired_comparison` of a hindcast and its comparison, or None without one."""
    if result.comparison is None:
        return None
    countries = observed_by_country()
    keep = [c for c in countries.columns if c in result.by_country and c in result.comparison.by_country]
    return paired_comparison(
        {c: result.by_country[c] for c in keep},
        {c: result.comparison.by_country[c] for c in keep},
        countries,
        result.years,
        result.calibration_years,
    )


def write_hindcast(
    result: HindcastResult,
    parent: Path,
    source: str | None = None,
    workers: int | None = None,
    comparison_source: str | None = None,
    comparison_label: str | None = None,
) -> Path:
    """Write ``hindcast.csv``, ``hindcast.json``, ``hindcast.png`` and ``skill.csv`` into a new folder.

    The folder is written atomically; with a comparison scenario it also holds ``comparison.csv``.

    Args:
        result: A :class:`sahel_sim.analysis.hindcast.HindcastResult`.
        parent: Folder that receives the hindcast folder (created if missing).
        source: The scenario file, recorded in the JSON.
        workers: Worker processes used, recorded in the JSON (the results do not depend on it).
        comparison_source: The comparison scenario's file, recorded in the JSON.
        comparison_label: How the comparison scenario is named in the tables.

    Returns:
        Path of the finished folder.

    """
    digest = scenario_hash(result.scenario)
    other = result.comparison
    name = f"{result.scenario.name}_hindcast_{len(result.seeds)}seeds_{digest[:8]}"
    if result.posterior is not None:
        name += f"_posterior{result.posterior.sha256[:8]}"
    if other is not None:
        name += f"_vs_{scenario_hash(other.scenario)[:8]}"
    skill = skill_rows(result, comparison_label)
    paired = comparison_table(result)

    def write(tmp: Path) -> None:
        result.table.to_csv(tmp / "hindcast.csv", index=False, float_format="%.6g")
        skill.to_csv(tmp / "skill.csv", index=False, float_format="%.6g")
        if paired is not None:
            paired.to_csv(tmp / COMPARISON_FILE, index=False, float_format="%.6g")
        if result.displacement is not None:
            result.displacement.to_csv(tmp / DISPLACEMENT_FILE, index=False, float_format="%.6g")
        if result.posterior is not None:
            result.posterior.draws(result.seeds).to_csv(tmp / POSTERIOR_DRAWS_FILE, index=False)
        obs = observed()
        info = {
            "scenario": result.scenario.name,
            "scenario_file": source,
            "scenario_sha256": digest,
            "start": result.scenario.start.isoformat(),
            "end": result.scenario.end.isoformat(),
            "area": result.area,
            "simulated_measure": "fatalities_total (deaths/year, weekly deaths shared between years by days)",
            "target_measure": TARGET,
            "comparison_measures": list(COMPARISON),
            "observed_sources": _sources(obs, result.years),
            "years": result.years,
            "seeds": result.seeds,
            "posterior": None if result.posterior is None else result.posterior.describe(),
            "band_quantiles": list(BAND),
            "stats": _finite_or_none(result.stats),
            "comparison_stats": {k: _finite_or_none(v) for k, v in result.comparison_stats.items()},
            "definitions": {
                "mean_abs_log10_error": "mean over years of |log10((sim_median + 1) / (observed + 1))|",
                "mean_log10_bias": "mean over years of log10((sim_median + 1) / (observed + 1))",
                "spearman_rho": "scipy.stats.spearmanr(sim_median, observed) over the years",
                "pearson_r": "scipy.stats.pearsonr(sim_median, observed) over the years",
                "pearson_r_log10": "pearsonr of log10(x + 1) of both series",
                "coverage_90": "share of years with sim_q05 <= observed <= sim_q95",
            },
            "simulated_by_seed": {
                str(seed): {str(y): round(float(v), 3) for y, v in row.items()}
                for seed, row in result.simulated.iterrows()
            },
            "calibration_years": list(result.calibration_years),
            "skill": _records(skill),
            "skill_verdict": verdict(result.skill) if result.skill is not None else [],
            "skill_definitions": SKILL_DEFINITIONS,
            "naive_forecasts": _naive(result),
            "comparison": None if other is None else _comparison(other, paired, comparison_source, comparison_label),
            "simulated_by_country": _by_country(result),
            "displacement": [] if result.displacement is None else _records(result.displacement),
            "workers": workers,
            "wall_seconds": round(result.wall_seconds, 3),
            "provenance": provenance(),
            "files": list(FILES)
            + ([COMPARISON_FILE] if paired is not None else [])
            + ([POSTERIOR_DRAWS_FILE] if result.posterior is not None else [])
            + ([DISPLACEMENT_FILE] if result.displacement is not None else []),
        }
        (tmp / "hindcast.json").write_text(json.dumps(info, indent=2, default=str) + "\n", encoding="utf-8")
        plot(result, tmp / "hindcast.png")

    return publish_folder(parent, name, write)


#: What the skill statistics mean (written into ``hindcast.json``; the full text is in :mod:`.skill`).
SKILL_DEFINITIONS = {
    "scale": "log10(deaths/year + 1)",
    "in_sample": "the calibration years (calibration_years, inclusive)",
    "out_of_sample": "observed years after the calibration years (Mali 2020-2022)",
    "model": "the seeds: point = median over seeds, 90 % interval = 5-95 % quantiles over seeds",
    "constant": "10**mean(log10(obs + 1) over the calibration years) - 1",
    "persistence": "in sample the previous year's observed value; out of sample the last calibration year's",
    "trend": "numpy.polyfit line of log10(obs + 1) against year over the calibration years, extrapolated",
    "mean_abs_log10_error": "mean over years of |log10(point + 1) - log10(obs + 1)|",
    "mean_log10_bias": "mean over years of log10(point + 1) - log10(obs + 1)",
    "spearman_rho": "scipy.stats.spearmanr(point, obs); null with < 3 years or a constant series",
    "coverage_90": "share of years with q05 <= obs <= q95 over seeds; null for point forecasts",
    "crps_log10": "mean over years of E|X - y| - E|X - X'|/2 on the log10(x + 1) scale (ensemble of seeds); "
    "for a point forecast its absolute log10 error",
    "seeds_base_better": "comparison: seeds whose own mean |log10 error| is lower in this scenario than in the other",
    "mean_seed_difference": "comparison: mean over seeds of (other's - this scenario's) own mean |log10 error|",
}


def _by_country(result: HindcastResult) -> dict:
    """Deaths/year per country, seed and year (rounded to 0.001), for every country scored."""
    return {
        country: {str(seed): {str(y): round(float(v), 3) for y, v in row.items()} for seed, row in table.iterrows()}
        for country, table in result.by_country.items()
    }


def _records(table: pd.DataFrame) -> list[dict]:
    """Rows of a table as JSON-safe dicts (NaN as None)."""
    return [_finite_or_none(row) for row in table.to_dict(orient="records")]


def _naive(result: HindcastResult) -> dict:
    """The naive forecasts' values, deaths/year, per country and year (rounded to 0.001)."""
    countries = observed_by_country()
    out = {}
    for country in countries.columns:
        table = naive_forecasts(countries[country], result.years, result.calibration_years)
        out[country] = {
            name: {str(y): (None if math.isnan(v) else round(float(v), 3)) for y, v in table[name].items()}
            for name in table.columns
        }
    return out


def _comparison(other: HindcastResult, paired: pd.DataFrame | None, source: str | None, label: str | None) -> dict:
    """The comparison scenario's part of ``hindcast.json``."""
    return {
        "scenario": other.scenario.name,
        "label": label or other.scenario.name,
        "scenario_file": source,
        "scenario_sha256": scenario_hash(other.scenario),
        "seeds": other.seeds,
        "stats": _finite_or_none(other.stats),
        "paired": [] if paired is None else _records(paired),
        "simulated_by_country": _by_country(other),
    }


def _sources(obs, years: list[int]) -> dict[str, str]:
    """The observed table's source of each year, with its "same" shorthand written out."""
    first = str(obs["source"].iloc[0])
    out = {}
    for year in years:
        text = str(obs.at[year, "source"])
        out[str(year)] = first + text[len("same") :] if text.startswith("same") else text
    return out


def _finite_or_none(stats: dict) -> dict:
    """The statistics with NaN and infinities as None (valid JSON; numpy numbers as Python numbers)."""
    out = {}
    for k, v in stats.items():
        if hasattr(v, "item"):
            v = v.item()
        out[k] = None if v is pd.NA or (isinstance(v, float) and not math.isfinite(v)) else v
    return out
