"""The hindcast's outputs: its figure and its folder (``hindcast.csv``, ``hindcast.json``, ``hindcast.png``)."""

from __future__ import annotations

import json
import math
from pathlib import Path

from sahel_sim.analysis.hindcast.evaluate import HindcastResult
from sahel_sim.analysis.hindcast.series import BAND, COMPARISON, LABELS, TARGET, observed
from sahel_sim.runs.atomic import publish_folder
from sahel_sim.runs.provenance import provenance
from sahel_sim.scenario.loading import scenario_hash

#: Files of a hindcast folder.
FILES = ("hindcast.csv", "hindcast.json", "hindcast.png")


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


def write_hindcast(result: HindcastResult, parent: Path, source: str | None = None, workers: int | None = None) -> Path:
    """Write ``hindcast.csv``, ``hindcast.json`` and ``hindcast.png`` into a new folder, atomically.

    Args:
        result: A :class:`sahel_sim.analysis.hindcast.HindcastResult`.
        parent: Folder that receives the hindcast folder (created if missing).
        source: The scenario file, recorded in the JSON.
        workers: Worker processes used, recorded in the JSON (the results do not depend on it).

    Returns:
        Path of the finished folder.

    """
    digest = scenario_hash(result.scenario)

    def write(tmp: Path) -> None:
        result.table.to_csv(tmp / "hindcast.csv", index=False, float_format="%.6g")
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
            "workers": workers,
            "wall_seconds": round(result.wall_seconds, 3),
            "provenance": provenance(),
            "files": list(FILES),
        }
        (tmp / "hindcast.json").write_text(json.dumps(info, indent=2, default=str) + "\n", encoding="utf-8")
        plot(result, tmp / "hindcast.png")

    return publish_folder(parent, f"{result.scenario.name}_hindcast_{len(result.seeds)}seeds_{digest[:8]}", write)


def _sources(obs, years: list[int]) -> dict[str, str]:
    """The observed table's source of each year, with its "same" shorthand written out."""
    first = str(obs["source"].iloc[0])
    out = {}
    for year in years:
        text = str(obs.at[year, "source"])
        out[str(year)] = first + text[len("same") :] if text.startswith("same") else text
    return out


def _finite_or_none(stats: dict) -> dict:
    """The statistics with NaN and infinities as None (valid JSON)."""
    return {k: (None if isinstance(v, float) and not math.isfinite(v) else v) for k, v in stats.items()}
