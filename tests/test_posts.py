"""Diplomatic posts: the shipped data set, scenario rules, bad data, and closure risk over runs."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest
import yaml
from pydantic import ValidationError

from sahel_sim.analysis.posts import closure_probabilities, closure_probability_until, closures_before, wilson_interval
from sahel_sim.runs.runner import simulate
from sahel_sim.scenario.loading import ScenarioError, load_scenario
from sahel_sim.scenario.post_data import COLUMNS, PostDataError, dataset_path, load_csv, load_dataset
from worlds import BAMAKO, scenario

ROOT = Path(__file__).resolve().parents[1]


def _keys(node, path=""):
    """Every (dotted path, key) in a YAML tree."""
    if isinstance(node, dict):
        for k, v in node.items():
            yield f"{path}.{k}", k
            yield from _keys(v, f"{path}.{k}")
    elif isinstance(node, list):
        for i, v in enumerate(node):
            yield from _keys(v, f"{path}.{i}")


def test_no_shipped_scenario_sets_a_post_tolerance():
    files = sorted((ROOT / "scenarios").rglob("*.yaml"))
    assert files
    offenders = [
        f"{f.relative_to(ROOT)}:{where}"
        for f in files
        for where, key in _keys(yaml.safe_load(f.read_text()))
        if key == "tolerance" or (where.startswith(".posts") and "tolerance" in str(key))
    ]
    assert offenders == []


def test_schema_refuses_a_per_post_tolerance():
    post = {"name": "E", "sending_country": "N", **BAMAKO, "covers": ["ML"], "tolerance": 0.45}
    with pytest.raises(ValidationError, match="tolerance"):
        scenario(posts=[post])


def test_shipped_data_set_has_sourced_posts_in_every_capital():
    posts = load_dataset("posts_2022")
    assert len(posts) >= 15
    assert all(p.source and not p.source.upper().startswith("UNVERIFIED") for p in posts)
    cities = {p.name.rsplit(" ", 1)[-1] for p in posts}
    assert {"Bamako", "Ouagadougou", "Niamey", "Nouakchott", "N'Djamena"} <= cities
    norway = next(p for p in posts if p.name == "Norway embassy Bamako")
    assert set(norway.covers) == {"ML", "BF", "MR", "NE", "TD"}


def test_historical_uses_the_data_set_and_may_remove_a_post(tmp_path):
    historical = load_scenario(ROOT / "scenarios" / "historical.yaml")
    assert historical.posts.dataset == "posts_2022"
    assert len(historical.post_list()) == len(load_dataset("posts_2022"))
    child = tmp_path / "less.yaml"
    child.write_text(
        f"extends: {ROOT / 'scenarios' / 'historical.yaml'}\n"
        "name: less\n"
        "posts: {dataset: posts_2022, remove: [Norway embassy Bamako]}\n"
    )
    names = [p.name for p in load_scenario(child).post_list()]
    assert "Norway embassy Bamako" not in names and len(names) == len(historical.post_list()) - 1


@pytest.mark.parametrize(
    ("posts", "says"),
    [
        ({"dataset": "posts_1999"}, "posts.dataset"),
        ({"dataset": "posts_2022", "remove": ["Atlantis embassy Bamako"]}, "posts.remove"),
    ],
)
def test_bad_post_choice_names_the_field(tmp_path, posts, says):
    path = tmp_path / "bad.yaml"
    path.write_text(yaml.safe_dump({"name": "bad", "start": "2020-01-01", "end": "2020-06-01", "posts": posts}))
    with pytest.raises(ScenarioError) as err:
        load_scenario(path)
    assert says in str(err.value) and "bad.yaml" in str(err.value)


def _write_csv(tmp_path: Path, change: dict | None = None, drop: str | None = None) -> Path:
    with dataset_path("posts_2022").open(newline="", encoding="utf-8") as f:
        rows = list(csv.DictReader(f))[:3]
    rows[1].update(change or {})
    columns = [c for c in COLUMNS if c != drop]
    path = tmp_path / "posts_bad.csv"
    with path.open("w", newline="", encoding="utf-8") as f:
        w = csv.DictWriter(f, fieldnames=columns, extrasaction="ignore")
        w.writeheader()
        w.writerows(rows)
    return path


@pytest.mark.parametrize(
    ("change", "drop", "says"),
    [
        ({"source": ""}, None, "line 3 (FR_Ouagadougou): source: every post needs a source"),
        ({"source": "UNVERIFIED: general knowledge"}, None, "line 3 (FR_Ouagadougou): source: unverified"),
        ({"lat": "95"}, None, "line 3 (FR_Ouagadougou): lat:"),
        ({"troops_in_minusma": "maybe"}, None, "line 3 (FR_Ouagadougou): troops_in_minusma:"),
        ({"sending_iso2": "France"}, None, "line 3 (FR_Ouagadougou): sending_iso2:"),
        ({"post_id": "FR_Bamako"}, None, "line 3 (FR_Bamako): post_id: duplicate id"),
        (None, "source", "missing column(s) source"),
    ],
)
def test_bad_post_data_gives_one_clear_line(tmp_path, change, drop, says):
    path = _write_csv(tmp_path, change, drop)
    with pytest.raises(PostDataError) as err:
        load_csv(path)
    message = str(err.value)
    assert message.startswith("posts_bad.csv") and says in message and "\n" not in message


# ---------------------------------------------------------------- closure risk over runs


def test_wilson_interval_matches_known_values():
    low, high = wilson_interval(5, 10)
    assert low == pytest.approx(0.2366, abs=1e-4) and high == pytest.approx(0.7634, abs=1e-4)
    low, high = wilson_interval(0, 10)
    assert low == 0.0 and high == pytest.approx(0.2775, abs=1e-4)


def _run(*changes):
    points = [{"date": "2020-01-01", "status": "open"}]
    points += [{"date": d, "status": s, "reason": ""} for d, s in changes]
    return {"posts": {"P": points}}


def test_closure_probability_counts_runs_at_risk_within_each_horizon():
    runs = [
        _run(("2023-03-01", "reduced"), ("2023-05-01", "closed")),  # within 6 months of 2023-01-01
        _run(("2023-10-01", "closed")),  # within 12
        _run(("2024-06-01", "closed")),  # within 24
        _run(("2022-06-01", "closed")),  # closed before the date: not at risk
        _run(("2022-06-01", "closed"), ("2022-12-01", "reduced"), ("2023-02-01", "closed")),  # reopened, at risk
        _run(),
    ]
    table = closure_probabilities(runs, "2023-01-01", horizons=(6, 12, 24)).set_index("horizon_months")
    assert table["at_risk"].tolist() == [5, 5, 5]
    assert table["closed"].tolist() == [2, 3, 4]
    assert table.loc[12, "probability"] == pytest.approx(3 / 5)
    low, high = wilson_interval(3, 5)
    assert (table.loc[12, "low"], table.loc[12, "high"]) == (pytest.approx(low), pytest.approx(high))
    until = closure_probability_until(runs, "2023-01-01", "2023-09-30")
    assert until["closed"].iloc[0] == 2
    assert closures_before(runs[4], "2023-01-01") == 1


def test_summary_lists_each_posts_status_changes():
    post = {"name": "E", "sending_country": "N", **BAMAKO, "covers": ["ML"]}
    later = {"name": "L", "sending_country": "N", **BAMAKO, "covers": ["ML"], "opens": "2020-02-01"}
    out = simulate(scenario(weeks=8, posts=[post, later]), seed=1)
    timelines = out.summary["posts"]
    assert timelines["E"] == [{"date": "2020-01-01", "status": "open"}]
    assert timelines["L"] == [{"date": "2020-01-01", "status": "closed"}, {"date": "2020-02-01", "status": "open"}]
