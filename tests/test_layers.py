"""tools/check_layers.py: the real tree keeps its layers, and an upward import is caught."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
TOOL = REPO / "tools" / "check_layers.py"


def check(*args: str | Path) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, str(TOOL), *map(str, args)], capture_output=True, text=True, timeout=120, check=False
    )


def fake_tree(tmp_path: Path, files: dict[str, str]) -> Path:
    root = tmp_path / "sahel_sim"
    for package in ("scenario", "model", "runs", "analysis", "viz", "bench", "cli"):
        (root / package).mkdir(parents=True)
        (root / package / "__init__.py").write_text("")
    (root / "__init__.py").write_text("from sahel_sim.cli import main  # the face may import anything\n")
    for name, text in files.items():
        (root / name).write_text(text)
    return root


def test_the_source_tree_imports_only_downwards():
    result = check()
    assert result.returncode == 0, result.stdout + result.stderr
    assert "0: scenario" in result.stdout and "6: cli" in result.stdout
    assert "cli -> " in result.stdout
    assert result.stdout.rstrip().splitlines()[-1].startswith("ok:")


def test_downward_imports_pass_in_a_fake_tree(tmp_path):
    root = fake_tree(
        tmp_path,
        {
            "model/world.py": "from sahel_sim.scenario import schema\nimport sahel_sim\n",
            "cli/run.py": "def f():\n    from sahel_sim.analysis import sweep\n    from ..runs import x\n",
        },
    )
    result = check("--root", root)
    assert result.returncode == 0, result.stdout


def test_an_upward_import_inside_a_function_fails(tmp_path):
    root = fake_tree(tmp_path, {"model/world.py": "def f():\n    from sahel_sim.analysis import sweep\n"})
    result = check("--root", root)
    assert result.returncode == 1
    assert "error: sahel_sim/model/world.py:2: model (layer 1) imports analysis (layer 3)" in result.stdout


def test_relative_and_type_checking_imports_count(tmp_path):
    root = fake_tree(
        tmp_path,
        {
            "scenario/schema.py": "from ..runs import results\n",
            "runs/results.py": (
                "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    from sahel_sim.cli.main import main\n"
            ),
        },
    )
    result = check("--root", root)
    assert result.returncode == 1
    assert "sahel_sim/scenario/schema.py:1: scenario (layer 0) imports runs (layer 2)" in result.stdout
    assert "sahel_sim/runs/results.py:3: runs (layer 2) imports cli (layer 6) (under TYPE_CHECKING)" in result.stdout


def test_the_page_may_not_import_the_benchmark(tmp_path):
    root = fake_tree(tmp_path, {"viz/app.py": "from sahel_sim import bench\n"})
    result = check("--root", root)
    assert result.returncode == 1
    assert "viz (layer 4) imports bench (layer 5)" in result.stdout


def test_a_package_in_no_layer_fails(tmp_path):
    root = fake_tree(tmp_path, {})
    (root / "extras").mkdir()
    (root / "extras" / "__init__.py").write_text("")
    result = check("--root", root)
    assert result.returncode == 1
    assert "package 'extras' is in no layer" in result.stdout
