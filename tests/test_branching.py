"""Branching from a shared history: byte-identical to fresh runs; the branch date is computed."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest

from conftest import SCENARIO_DIR
from sahel_sim.model.branching import branch_date
from sahel_sim.runs.family import simulate_family
from sahel_sim.runs.results import write_tables
from sahel_sim.runs.runner import simulate
from sahel_sim.scenario.loading import load_scenario, with_overrides

SEED = 77
#: The historical family, cut after the withdrawal (February 2024).
END = dt.date(2024, 2, 29)


def historical(name: str, start: dt.date | None):
    changes = [("end", END)] + ([("start", start)] if start else [])
    return with_overrides(load_scenario(SCENARIO_DIR / f"{name}.yaml"), changes)


@pytest.fixture(
    scope="module",
    params=[
        # the fast loop: a shared history of 2022-2023 (Wagner, Barkhane's end, the closing plans)
        pytest.param(dt.date(2022, 1, 1), id="from-2022"),
        # the full suite also simulates the whole shared history 2012-2023 (five 12-year runs)
        pytest.param(None, id="from-2012", marks=pytest.mark.slow),
    ],
)
def family(request):
    names = ["historical", "minusma_stays", "withdrawal_gradual_2y"]
    scenarios = {n: historical(n, request.param) for n in names}
    members = simulate_family(scenarios["historical"], SEED, [(n, scenarios[n]) for n in names[1:]], "historical")
    fresh: dict = {}  # fresh runs by name, each simulated once for all the tests of this history

    def run_fresh(name: str):
        if name not in fresh:
            fresh[name] = simulate(scenarios[name], SEED)
        return fresh[name]

    return scenarios, {m.key: m for m in members}, run_fresh


def files(output, folder) -> dict[str, bytes]:
    folder.mkdir()
    write_tables(output, folder)
    return {p.name: p.read_bytes() for p in sorted(folder.iterdir())}


@pytest.mark.parametrize("name", ["minusma_stays", "withdrawal_gradual_2y"])
def test_a_branched_run_is_byte_identical_to_a_fresh_run(family, name, tmp_path):
    _, members, run_fresh = family
    member = members[name]
    assert member.error is None and member.branched_on is not None
    assert dt.date(2023, 6, 1) < member.branched_on < dt.date(2023, 7, 1)
    fresh = run_fresh(name)
    assert files(member.output, tmp_path / "branched") == files(fresh, tmp_path / "fresh")


def test_the_reference_run_of_a_family_is_a_normal_run(family, tmp_path):
    _, members, run_fresh = family
    fresh = run_fresh("historical")
    assert files(members["historical"].output, tmp_path / "a") == files(fresh, tmp_path / "b")


def test_changing_only_the_withdrawal_leaves_every_draw_before_the_branch_untouched(family):
    """Fresh runs of the reference and a counterfactual agree on every event before the branch date."""
    scenarios, members, run_fresh = family
    date = branch_date(scenarios["historical"], scenarios["minusma_stays"])
    ref = members["historical"].output.events
    alt = run_fresh("minusma_stays").events
    before = pd.Timestamp(date)
    assert ref[ref["date"] < before].reset_index(drop=True).equals(alt[alt["date"] < before].reset_index(drop=True))
    assert (
        not ref[ref["date"] >= before].reset_index(drop=True).equals(alt[alt["date"] >= before].reset_index(drop=True))
    )


def test_branch_date_is_computed_from_the_scenarios():
    ref = load_scenario(SCENARIO_DIR / "historical.yaml")
    m = ref.mechanisms
    lead = dt.timedelta(weeks=max(m.peacekeeping.drawdown_weeks, m.handover.dispatch_lead_weeks))
    first_closing = min(ref.peacekeepers.withdrawal.closing_dates(ref.peacekeepers.camps).values())
    assert branch_date(ref, load_scenario(SCENARIO_DIR / "minusma_stays.yaml")) == first_closing - lead
    renamed = ref.model_copy(update={"name": "other", "seed": 5})
    assert branch_date(ref, renamed) == ref.end
    shorter = with_overrides(ref, [("end", dt.date(2020, 1, 1))])
    assert branch_date(ref, shorter) == dt.date(2020, 1, 1)
    assert branch_date(ref, with_overrides(ref, [("factions.JNIM.recruitment", 1.5)])) is None


def test_a_variant_sharing_nothing_runs_from_the_start(tmp_path):
    ref = with_overrides(load_scenario(SCENARIO_DIR / "baseline.yaml"), [("end", dt.date(2022, 6, 30))])
    other = with_overrides(ref, [("factions.JNIM.recruitment", 1.5), ("name", "other")])
    (member,) = simulate_family(ref, 3, [("other", other)], reference_key=None)
    assert member.branched_on is None
    assert files(member.output, tmp_path / "a") == files(simulate(other, 3), tmp_path / "b")


def test_streams_are_separate_and_fixed_by_the_seed():
    from sahel_sim.model.streams import PURPOSES, Streams

    a, b = Streams.from_seed(9), Streams.from_seed(9)
    a.insurgents.random(1000)  # many draws in one purpose ...
    assert a.forces.random(5).tolist() == b.forces.random(5).tolist()  # ... leave the others alone
    firsts = {name: getattr(Streams.from_seed(9), name).random() for name in PURPOSES}
    assert len(set(firsts.values())) == len(PURPOSES)
    assert Streams.from_seed(10).forces.random() != firsts["forces"]
