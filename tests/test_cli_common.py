"""What the commands share: the one ``--workers`` check."""

from __future__ import annotations

import pytest

from sahel_sim.cli.common import check_workers
from sahel_sim.scenario.loading import ScenarioError


@pytest.mark.parametrize("command", ["sweep", "hindcast", "calibrate"])
@pytest.mark.parametrize("workers", ["0", "-3"])
def test_every_command_with_workers_refuses_fewer_than_one(cli, baseline_path, tmp_path, command, workers):
    out = tmp_path / "out"
    result = cli(command, baseline_path, "--workers", workers, "--out", out)
    assert result.status == 2
    assert result.err.strip() == f"error: --workers: must be at least 1 (got {workers})"
    assert not out.exists()


def test_check_workers_accepts_none_and_positive_counts():
    assert check_workers(None) is None
    assert check_workers(3) == 3
    with pytest.raises(ScenarioError):
        check_workers(0)
