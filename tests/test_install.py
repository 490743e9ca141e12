"""A plain install of the package (no extras) into a fresh environment imports, runs and finds its data."""

from __future__ import annotations

import os
import subprocess
import venv
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]


@pytest.mark.slow
def test_a_fresh_install_without_extras_works(tmp_path):
    target = tmp_path / "venv"
    venv.create(target, with_pip=True)
    python = target / "bin" / "python"
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "PYTHONHOME", "VIRTUAL_ENV")}
    env["PATH"] = f"{target / 'bin'}{os.pathsep}{env.get('PATH', '')}"

    def run(*args: str | Path, timeout: float = 120) -> subprocess.CompletedProcess:
        return subprocess.run(
            [str(python), *map(str, args)],
            cwd=tmp_path,  # not the source tree: nothing may come from src/ or scenarios/
            env=env,
            capture_output=True,
            text=True,
            timeout=timeout,
            check=False,
        )

    # The package's own dependencies, at the locked versions (a plain, non-editable install).
    install = run("-m", "pip", "install", "--quiet", "-c", REPO / "requirements.lock", REPO, timeout=1200)
    assert install.returncode == 0, install.stderr[-4000:]
    imported = run("-c", "import sahel_sim.model.sahel_model, sahel_sim; print(sahel_sim.__file__)")
    assert imported.returncode == 0, imported.stderr
    assert str(target) in imported.stdout  # the installed copy, not the source tree
    helped = run("-m", "sahel_sim", "--help")
    assert helped.returncode == 0, helped.stderr
    assert "run" in helped.stdout
    found = run("-m", "sahel_sim", "validate", "baseline", "sweeps/withdrawal_timing", "historical")
    # The sweep file is not a scenario: validate reports it, proving it was found and read.
    assert found.returncode == 2, found.stderr
    assert found.stdout.count("ok:") == 2
    assert "withdrawal_timing.yaml" in found.stderr
    assert "file not found" not in found.stderr
