"""A comparison resolved before anything runs: scenarios, seeds, run ids, window and branch dates.

The reference and every alternative run with the same seeds, replicate by replicate (common random
numbers): replicate ``r`` uses ``SeedSequence(root, spawn_key=(0, r))`` with the reference's seed as
root, as a sweep's point would. Scenarios must share the map and the start date, or their runs
cannot be paired cell for cell and week for week.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from sahel_sim.analysis.sweep.seeds import canonical_json, run_id, run_seed
from sahel_sim.model.branching import branch_date
from sahel_sim.model.metrics import ALL, AREAS
from sahel_sim.scenario.loading import ScenarioError, load_scenario, parse_date, scenario_hash
from sahel_sim.scenario.posterior import Posterior
from sahel_sim.scenario.schema import Scenario

#: Seed key of a comparison's runs inside the root seed's tree (one point: every scenario).
SEED_KEY = 0


@dataclass(frozen=True)
class Arm:
    """One scenario of the comparison.

    Attributes:
        index: 0 for the reference, then the alternatives in the order given.
        label: Its name in tables and plots (the file name without ``.yaml``).
        file: The scenario file.
        scenario: The resolved scenario.
        scenario_hash: Hash of the resolved scenario.
        branch: Date from which it is simulated on its own (None: from the start; the
            reference's own is None).
    """

    index: int
    label: str
    file: Path
    scenario: Scenario
    scenario_hash: str
    branch: dt.date | None

    @property
    def point_id(self) -> str:
        """Short id of the resolved scenario (16 hex digits)."""
        return self.scenario_hash[:16]


@dataclass
class ComparePlan:
    """A validated comparison.

    Attributes:
        arms: The reference first, then the alternatives.
        seeds: Replicates (seeds) per scenario.
        root_seed: Root of every run's seed (the reference's ``seed``).
        window: First and last date of the compared window.
        areas: Areas compared (``ALL`` and/or country codes).
        posterior: With ``--posterior``: every scenario's run of a seed uses the parameter set that
            seed draws (the same set in every scenario, so pairs differ only in the scenarios).
    """

    arms: list[Arm]
    seeds: int
    root_seed: int
    window: tuple[dt.date, dt.date]
    areas: list[str]
    posterior: Posterior | None = None

    def scenario(self, arm: Arm, replicate: int) -> Scenario:
        """The scenario of ``arm``'s run ``replicate``: with its posterior draw, if any."""
        if self.posterior is None:
            return arm.scenario
        return self.posterior.apply(arm.scenario, self.seed(replicate))[0]

    @property
    def reference(self) -> Arm:
        """The reference scenario."""
        return self.arms[0]

    @property
    def alternatives(self) -> list[Arm]:
        """The alternatives, in the order given."""
        return self.arms[1:]

    def seed(self, replicate: int) -> int:
        """Seed of every scenario's run ``replicate``."""
        return run_seed(self.root_seed, SEED_KEY, replicate)

    def run_id(self, arm: Arm, replicate: int) -> str:
        """Id of one run (as in a sweep: resolved scenario hash and seed)."""
        return run_id(arm.scenario_hash, self.seed(replicate))

    @property
    def total_runs(self) -> int:
        """Runs in the comparison."""
        return len(self.arms) * self.seeds

    @property
    def spec_hash(self) -> str:
        """Hash of what fixes every run (scenarios and root seed; ``seeds`` may grow on resume)."""
        content = {"scenarios": [a.scenario_hash for a in self.arms], "root_seed": self.root_seed}
        if self.posterior is not None:  # without one, the hash of comparisons made before --posterior
            content["posterior_sha256"] = self.posterior.sha256
        return hashlib.sha256(canonical_json(content).encode()).hexdigest()


def load_plan(
    files: Sequence[str | Path],
    seeds: int,
    start: str | None = None,
    end: str | None = None,
    areas: Sequence[str] | None = None,
    posterior: Posterior | None = None,
) -> ComparePlan:
    """Load and check the scenarios of a comparison.

    Args:
        files: The reference scenario file, then one or more alternatives.
        seeds: Seeds per scenario (at least 2).
        start: First date of the window (``--from``; default: the earliest branch date of the
            alternatives, i.e. the first date on which any of them may differ from the reference).
        end: Last date of the window (``--to``; default: the earliest end of the scenarios).
        areas: Areas to compare (default: ``ALL`` and every country area).
        posterior: Draw each seed's parameters from this posterior (checked against every scenario).

    Returns:
        The plan.

    Raises:
        ScenarioError: A missing or bad file, fewer than two scenarios, scenarios that cannot be
            paired (different maps or start dates, or the same scenario twice), a bad window or area.
    """
    if len(files) < 2:
        raise ScenarioError("compare", None, None, "give a reference scenario and at least one alternative")
    if seeds < 2:
        raise ScenarioError("--seeds", None, None, f"must be at least 2 to compare over seeds (got {seeds})")
    loaded = [(Path(f), load_scenario(f)) for f in files]
    ref_file, ref = loaded[0]
    arms: list[Arm] = []
    labels: dict[str, Path] = {}
    hashes: dict[str, Path] = {}
    for i, (path, scenario) in enumerate(loaded):
        if scenario.map.resolution != ref.map.resolution:
            raise ScenarioError(
                str(path), None, "map.resolution",
                f"{scenario.map.resolution} degrees, but {ref_file} uses {ref.map.resolution}: runs on "
                "different maps cannot be paired",
            )  # fmt: skip
        if scenario.start != ref.start:
            raise ScenarioError(
                str(path), None, "start",
                f"{scenario.start}, but {ref_file} starts on {ref.start}: runs with different start dates "
                "cannot be paired",
            )  # fmt: skip
        label = path.name.removesuffix(".yaml").removesuffix(".yml")
        if label in labels:
            raise ScenarioError(str(path), None, None, f"has the same name as {labels[label]}; rename one")
        digest = scenario_hash(scenario)
        if digest in hashes:
            raise ScenarioError(str(path), None, None, f"is the same scenario as {hashes[digest]}")
        labels[label], hashes[digest] = path, path
        branch = None if i == 0 else branch_date(ref, scenario)
        arms.append(Arm(i, label, path, scenario, scenario_hash(scenario), branch))
    first_end = min(s.end for _, s in loaded)
    branches = [a.branch if a.branch is not None else ref.start for a in arms[1:]]
    window_start = parse_date(start, "--from") if start else max(ref.start, min(branches))
    window_end = parse_date(end, "--to") if end else first_end
    if not ref.start <= window_start <= window_end:
        raise ScenarioError(
            "--from", None, None, f"the window {window_start}…{window_end} is empty or starts before {ref.start}"
        )
    if window_end > first_end:
        raise ScenarioError("--to", None, None, f"{window_end} is after the end of a scenario ({first_end})")
    known = [ALL, *AREAS]
    areas = list(areas) if areas else known
    unknown = [a for a in areas if a not in known]
    if unknown:
        raise ScenarioError("--areas", None, None, f"unknown area(s) {unknown}; choose from {known}")
    if posterior is not None:
        for arm in arms:
            posterior.check(arm.scenario)
    return ComparePlan(arms, seeds, ref.seed, (window_start, window_end), areas, posterior)
