"""``summary.md``: the comparison's answer in plain sentences, generated from the effects table."""

from __future__ import annotations

import math
from collections.abc import Sequence
from functools import cache
from pathlib import Path

import pandas as pd

from sahel_sim.analysis.compare.plan import ComparePlan
from sahel_sim.analysis.compare.tables import window_label

#: Metrics stated in the summary: (column, what it is called, ``count`` or ``level``, unit word).
HEADLINES = (
    ("fatalities_total", "deaths", "count", "deaths"),
    ("fatalities_civilian", "civilian deaths", "count", "deaths"),
    ("events_total", "violent events", "count", "events"),
    ("displaced", "number of people displaced (mean over the window)", "level", "people"),
    ("state_control_share", "share of people under state control (mean over the window)", "level", "share"),
    ("stability_index", "stability index (mean over the window)", "level", "points"),
)


@cache
def area_names() -> dict[str, str]:
    """Country code to name (from the shipped geography), and ``ALL``."""
    path = Path(__file__).resolve().parents[2] / "data" / "geography" / "countries.csv"
    table = pd.read_csv(path, keep_default_na=False)
    return {"ALL": "the whole map", **dict(zip(table["iso_a2"], table["name"], strict=True))}


def _pct(x: float) -> str:
    return f"{abs(100 * x):.0f} %" if abs(x) >= 0.1 else f"{abs(100 * x):.1f} %"


def _signed_pct(x: float) -> str:
    return ("+" if x >= 0 else "−") + _pct(x)


def _number(x: float, unit: str) -> str:
    text = {"share": f"{x:+.3f}", "points": f"{x:+.1f}", "sd": f"{x:+.2f}"}.get(unit, f"{x:+,.0f}")
    return text.replace("-", "−")


def sentence(row: pd.Series, area: str, window: str, noun: str, kind: str, unit: str) -> str:
    """One sentence about one metric in one area, e.g. "Mali would have had 19 % [14 %, 25 %] fewer deaths ..."."""
    place = area_names().get(area, area)
    place = place[:1].upper() + place[1:]
    rel, low, high = row["relative_change"], row["relative_ci_low"], row["relative_ci_high"]
    units = "" if unit in ("share", "points") else f" {unit}"
    detail = (
        f"paired difference {_number(row['difference'], unit)} [{_number(row['ci_low'], unit)}, "
        f"{_number(row['ci_high'], unit)}]{units}; lower in {100 * row['share_lower']:.0f} % of {int(row['n'])} "
        f"seeds; {_number(row['difference_in_sd'], 'sd')} reference seed SDs"
    )
    if any(math.isnan(v) for v in (rel, low, high)):
        return f"{place}: no relative change can be given for {noun} (the reference's mean is 0); {detail}."
    if low <= 0 <= high:
        return (
            f"{place} would have had no clear change in {noun} in {window}: "
            f"{_signed_pct(rel)} [{_signed_pct(low)}, {_signed_pct(high)}] ({detail})."
        )
    a, b = sorted((abs(low), abs(high)))
    size = f"{_pct(rel)} [{_pct(a)}, {_pct(b)}]"
    if kind == "count":
        said = f"{size} {'fewer' if rel < 0 else 'more'} {noun}"
    else:
        said = f"a {size} {'lower' if rel < 0 else 'higher'} {noun}"
    return f"{place} would have had {said} in {window} ({detail})."


def write_summary(
    plan: ComparePlan,
    effects: pd.DataFrame,
    posts: pd.DataFrame,
    failures: pd.DataFrame,
    path: Path,
    handovers: Sequence[str] = (),
) -> None:
    """Write ``summary.md`` from the tables (every number comes from them).

    Args:
        plan: The comparison.
        effects: The effects table.
        posts: The posts table.
        failures: Failed runs (scenario, replicate, seed, error).
        path: The Markdown file.
        handovers: Sentences on the vacated camps' holders and the accords (from :mod:`.handovers`).
    """
    window = window_label(plan.window)
    ref = plan.reference
    lines = [
        f"# {', '.join(a.label for a in plan.alternatives)} against {ref.label}",
        "",
        f"Window {plan.window[0]} to {plan.window[1]}; {plan.seeds} seeds per scenario, the same seeds in every "
        "scenario (common random numbers); counts are totals over the window, shares, indices and people "
        "are means over its weeks. Intervals are 95 % bootstrap intervals of the paired difference over seeds.",
        "",
        f"Reference: **{ref.label}**: {ref.scenario.description or ref.scenario.name}",
    ]
    for arm in plan.alternatives:
        mine = effects[effects["alternative"] == arm.label]
        branch = (
            f"Continued from the reference's history on {arm.branch}." if arm.branch else "Simulated from the start."
        )
        lines += ["", f"## If {arm.label}", "", f"{arm.scenario.description or arm.scenario.name} {branch}", ""]
        for area in plan.areas:
            for metric, noun, kind, unit in HEADLINES:
                row = mine[(mine["area"] == area) & (mine["metric"] == metric)]
                if not row.empty:
                    lines.append("- " + sentence(row.iloc[0], area, window, noun, kind, unit))
        changed = posts[(posts["scenario"] == arm.label) & posts["ci_low"].notna()]
        for row in changed.itertuples():
            if row.ci_low > 0 or row.ci_high < 0:
                lines.append(
                    f"- The post {row.post} would close within the window with probability {row.probability:.2f} "
                    f"(reference: {row.probability - row.difference:.2f}; paired difference {row.difference:+.2f} "
                    f"[{row.ci_low:+.2f}, {row.ci_high:+.2f}])."
                )
    if handovers:
        lines += ["", "## Vacated camps and accords", "", *handovers]
    if not failures.empty:
        lines += ["", "## Failed runs", ""]
        lines += [f"- {r.scenario}, seed {r.seed} (replicate {r.replicate}): {r.error}" for r in failures.itertuples()]
        lines.append("")
        lines.append("Pairs with a failed run are left out of that scenario's effects.")
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
