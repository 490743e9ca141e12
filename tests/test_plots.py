"""Every figure kind reads as a report figure: words in titles, integer ticks on counts, full legends.

The figures are inspected through matplotlib's objects (axes, tick labels, legend texts), not pixels.
"""

from __future__ import annotations

import re

import pytest
from matplotlib.collections import PolyCollection

from plot_cases import render_all, summary_rows
from sahel_sim.model.metrics import METRICS
from sahel_sim.runs import plot_style as ps

PREFIXES = ("", "total_", "final_", "mean_", "min_")
COLUMNS = {p + m for p in PREFIXES for m in METRICS}
COUNT_LABELS = {ps.axis_label(u) for _, (u, _) in METRICS.items() if ps.is_count(u)} | {
    ps.axis_label(u.removesuffix("/week")) for _, (u, _) in METRICS.items() if ps.is_count(u)
}
INTEGER = re.compile(r"^[−-]?\d{1,3}(,\d{3})*$")


@pytest.fixture(scope="module")
def figures(tmp_path_factory):
    return render_all(tmp_path_factory.mktemp("plots"))


def titles(fig) -> list[str]:
    out = [fig._suptitle.get_text()] if fig._suptitle is not None else []
    for ax in fig.axes:
        out += [ax.get_title(loc) for loc in ("left", "center", "right")]
    return [t for t in out if t]


def column_names_in(text: str) -> list[str]:
    words = re.findall(r"[A-Za-z0-9]+(?:_[A-Za-z0-9]+)+", text)
    return [w for w in words if w in COLUMNS or w.startswith("control_share_")]


def is_count_axis(ax) -> bool:
    label = ax.get_ylabel().removeprefix("mean, ")
    return any(part.strip() in COUNT_LABELS for part in label.split(" or "))


def test_every_kind_is_drawn(figures):
    kinds = {"dashboard", "dashboard_ML", "events_map", "sobol", "morris", "hindcast_n5", "calibration"}
    assert kinds <= set(figures)
    assert any(k.startswith("sweep_") for k in figures) and any(k.startswith("heat_") for k in figures)


def test_no_title_names_a_column(figures):
    for name, fig in figures.items():
        for title in titles(fig):
            assert not column_names_in(title), f"{name}: title {title!r}"
        assert titles(fig), f"{name} has no title"


def test_count_axes_have_integer_ticks_with_thousands_separators(figures):
    checked = 0
    for name, fig in figures.items():
        fig.canvas.draw()
        for ax in fig.axes:
            if not ax.get_visible() or ax.get_yscale() != "linear" or not is_count_axis(ax):
                continue
            low, high = sorted(ax.get_ylim())
            ticks = [t for t in ax.get_yticklabels() if low <= t.get_position()[1] <= high and t.get_text()]
            assert len(ticks) >= 2, f"{name}: {ax.get_ylabel()!r} has {len(ticks)} ticks"
            for tick in ticks:
                assert INTEGER.match(tick.get_text()), f"{name}: {ax.get_ylabel()!r} tick {tick.get_text()!r}"
            assert ax.yaxis.get_offset_text().get_text() == "", f"{name}: offset or scientific notation"
            checked += 1
    assert checked >= 12  # 7 dashboard panels x 2 areas, the sweep's count plots, heat map colour bars


def test_big_counts_are_written_in_full(figures):
    texts = [t.get_text() for ax in figures["dashboard"].axes for t in ax.get_yticklabels()]
    assert any("," in t for t in texts)  # e.g. "1,200,000" people displaced
    assert not any("e+" in t or "1e" in t for t in texts)


def test_every_line_is_named_in_a_legend(figures):
    for name, fig in figures.items():
        for ax in fig.axes:
            lines = [ln.get_label() for ln in ax.get_lines() if not ln.get_label().startswith("_")]
            if not lines:
                continue
            legend = ax.get_legend()
            assert legend is not None, f"{name}: {ax.get_title()!r} has lines but no legend"
            shown = {t.get_text() for t in legend.get_texts()}
            assert set(lines) <= shown, f"{name}: {set(lines) - shown} not in the legend"
            assert not any("_" in label and label in COLUMNS for label in shown), f"{name}: {shown}"


def test_dashboard_posts_have_their_own_axis_and_no_twin(figures):
    for key in ("dashboard", "dashboard_ML"):
        fig = figures[key]
        assert len(fig.axes) == 8  # no twin axis: posts are drawn on their own panel
        posts = [ax for ax in fig.axes if "iplomatic posts" in ax.get_title()]
        assert len(posts) == 1 and posts[0].get_ylabel() == "posts"
        assert {t.get_text() for t in posts[0].get_legend().get_texts()} == {
            ps.LABELS["posts_open"],
            ps.LABELS["posts_reduced"],
            ps.LABELS["posts_closed"],
        }
        by_target = [ax for ax in fig.axes if "by target" in ax.get_title()]
        shown = {t.get_text() for t in by_target[0].get_legend().get_texts()}
        assert ps.LABELS["events_by_state"] not in shown  # engagements by the state have no target


def test_bands_need_twenty_replicates_and_the_count_is_written(figures):
    for metric in ("total_fatalities_total", "final_state_control_share"):
        few, many = figures[f"sweep_{metric}_n5"], figures[f"sweep_{metric}_n20"]
        assert not [c for c in few.axes[0].collections if isinstance(c, PolyCollection)]
        assert [c for c in many.axes[0].collections if isinstance(c, PolyCollection)]
        assert "5 replicates per point" in few.axes[0].get_title()
        assert "20 replicates per point" in many.axes[0].get_title()
    assert "5 seeds" in figures["hindcast_n5"].axes[0].get_title()
    assert not [c for c in figures["hindcast_n5"].axes[0].collections if isinstance(c, PolyCollection)]
    assert [c for c in figures["hindcast_n20"].axes[0].collections if isinstance(c, PolyCollection)]


def test_faction_and_scenario_colours_are_fixed(figures):
    control = next(ax for ax in figures["dashboard"].axes if ax.get_title().startswith("Share of people"))
    colours = {ln.get_label(): ln.get_color() for ln in control.get_lines()}
    assert colours["JNIM"] == ps.faction_colour(0) and colours["IS Sahel"] == ps.faction_colour(1)
    assert ps.scenario_colour("some study") == ps.scenario_colour("some study")  # stable across processes
    assert ps.scenario_colour("baseline_no_withdrawal") == ps.scenario_colour("minusma_stays")


def test_words_and_units_come_from_the_registry():
    assert set(ps.LABELS) == set(METRICS)  # every metric has a legend name
    assert ps.unit_of("total_fatalities_total") == "deaths"
    assert ps.unit_of("final_displaced") == METRICS["displaced"][0]
    assert ps.name_of("total_fatalities_total", "ML") == "Deaths in Mali, total over the run"
    assert ps.parameter_label("peacekeepers.withdrawal.duration_weeks") == "withdrawal duration (weeks)"
    assert ps.thousands(1234567.0) == "1,234,567"
    assert len(summary_rows(3)) == 6 * 3  # 6 points x 3 metrics
